#!/usr/bin/env python3
"""Checks the rules the built ld.so must obey (DESIGN §4, stage 2).

Usage: check-ldso.py [--exports NAME,NAME...] LDSO

- no undefined symbols (it links no library, and nothing may bind it
  before it has relocated itself);
- no PT_INTERP (the kernel must load it as the interpreter or program);
- relocations of its own are RELATIVE or RELR only (self-relocation handles
  nothing else), and no DT_TEXTREL;
- soname ld-linux-x86-64.so.2;
- defined dynamic symbols are exactly the intended exports (default: none;
  the absolute symbols that name version definitions are not exports).

Prints one line per violation; exit status 0 when none.
"""
import re
import subprocess
import sys


def readelf(*args):
    return subprocess.run(["readelf", "-W", *args], capture_output=True, text=True,
                          check=True).stdout


def check(path, exports):
    problems = []
    headers = readelf("-l", path)
    if re.search(r"^\s*INTERP\s", headers, re.M):
        problems.append("has PT_INTERP")
    if not re.search(r"^\s*GNU_STACK\s.*\sRW\s", headers, re.M):
        problems.append("PT_GNU_STACK missing or executable")

    dynamic = readelf("-d", path)
    if "TEXTREL" in dynamic:
        problems.append("has DT_TEXTREL")
    if re.search(r"\(NEEDED\)", dynamic):
        problems.append("has DT_NEEDED entries")
    m = re.search(r"\(SONAME\)\s+Library soname: \[(.*)\]", dynamic)
    if not m or m.group(1) != "ld-linux-x86-64.so.2":
        problems.append("soname is not ld-linux-x86-64.so.2")

    relocs = readelf("-r", path)
    for line in relocs.splitlines():
        fields = line.split()
        if len(fields) >= 3 and re.fullmatch(r"[0-9a-f]{16}", fields[0]) and \
                fields[2].startswith("R_X86_64_"):
            if fields[2] != "R_X86_64_RELATIVE":
                problems.append(f"relocation {fields[2]} at {fields[0]}")

    # Version definitions appear as absolute symbols named after them.
    version_names = set(re.findall(r"Name: (\S+)", readelf("-V", path).split(".gnu.version_r")[0]))
    defined = set()
    for line in readelf("--dyn-syms", path).splitlines():
        fields = line.split()
        if len(fields) < 8 or not fields[0].rstrip(":").isdigit():
            continue
        ndx, name = fields[6], fields[7]
        if fields[0] == "0:":
            continue
        if ndx == "UND":
            problems.append(f"undefined symbol {name}")
        elif ndx == "ABS" and name in version_names:
            continue
        elif fields[4] != "LOCAL":
            defined.add(name.split("@")[0])
    unexpected = defined - exports
    missing = exports - defined
    for name in sorted(unexpected):
        problems.append(f"unexpected export {name}")
    for name in sorted(missing):
        problems.append(f"missing export {name}")
    return problems


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if args else 2
    exports = set()
    if args[0] == "--exports":
        exports = {e for e in args[1].split(",") if e}
        args = args[2:]
    problems = check(args[0], exports)
    for p in problems:
        print(f"{args[0]}: {p}")
    if not problems:
        print(f"{args[0]}: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
