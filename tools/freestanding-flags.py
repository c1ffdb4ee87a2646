#!/usr/bin/env python3
"""Print, one per line, the compiler flags that make the loader's build see
libstdc++'s header-only headers, the compiler's own headers and musl's C
headers, and no glibc header.

Usage: freestanding-flags.py [--output FILE] CXX [ARGS...]

With --output the flags are written to FILE (a response file for the
compiler's @FILE argument, which build systems pass through untouched).
"""
import subprocess
import sys

MUSL_INCLUDE = "/usr/include/x86_64-linux-musl"


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(sys.argv) >= 2 else 2
    args = sys.argv[1:]
    output = None
    if args[0] == "--output":
        output, args = args[1], args[2:]
    cxx = args
    out = subprocess.run(cxx + ["-xc++", "-E", "-v", "-"], input="",
                         capture_output=True, text=True, check=True).stderr
    dirs, inside = [], False
    for line in out.splitlines():
        if line.startswith("#include <...>"):
            inside = True
            continue
        if line.startswith("End of search list"):
            break
        if inside:
            dirs.append(line.strip())
    gcc_inc = subprocess.run(cxx + ["-print-file-name=include"],
                             capture_output=True, text=True, check=True).stdout.strip()
    flags = ["-nostdinc"]
    # libstdc++ (its c++ directories) first, then the compiler's, then musl.
    flags += ["-isystem" + d for d in dirs if "/c++/" in d]
    flags += ["-isystem" + gcc_inc, "-isystem" + MUSL_INCLUDE]
    text = "\n".join(flags) + "\n"
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
