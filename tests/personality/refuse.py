#!/usr/bin/env python3
"""A libc.so.6 from a glibc release other than 2.36 is refused before
anything runs: exit status 127, a message naming the release, and no
output from the program or the library's constructor.

Usage: refuse.py LOADER PROGRAM LIBC   (LIBC is copied beside the program
as libc.so.6; the program finds it through $ORIGIN)
"""
import os
import shutil
import subprocess
import sys
import tempfile


def main() -> int:
    loader, program, libc = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(program, os.path.join(d, "prog"))
        shutil.copy(libc, os.path.join(d, "libc.so.6"))
        r = subprocess.run([loader, "./prog"], cwd=d, capture_output=True, text=True, env={}, timeout=20)
    print(f"status {r.returncode}\nstdout: {r.stdout!r}\nstderr: {r.stderr!r}")
    ok = (r.returncode == 127 and r.stdout == "" and
          "libc.so.6: glibc 2.37 is not supported" in r.stderr and
          r.stderr.startswith("./prog: error while loading shared libraries: "))
    print("ok" if ok else "FAIL: expected exit 127 and the refusal message, with nothing run")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
