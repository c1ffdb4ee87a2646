#!/usr/bin/env python3
"""gdb's thread support on a glibc program under a loader: stop in a
thread, `info threads` through libthread_db ("Thread 0x... (LWP n)" rows,
which need the loader's _rtld_global thread lists), and a thread-local
variable printed for the stopped thread.

Usage: threads.py GDB PROGRAM LOADER
PROGRAM is copied with its interpreter set to LOADER (patchelf); with
/lib64/ld-linux-x86-64.so.2 as LOADER this is the oracle.
Exit status: 0 pass, 1 fail, 77 skipped (no gdb or patchelf, or no ptrace).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def main() -> int:
    gdb, program, loader = sys.argv[1:4]
    if not gdb or not shutil.which("patchelf"):
        print("skip: gdb or patchelf missing")
        return 77
    with tempfile.TemporaryDirectory() as d:
        copy = os.path.join(d, "prog")
        subprocess.run(["patchelf", "--set-interpreter", os.path.abspath(loader), "--output", copy, program],
                       check=True)
        argv = [gdb, "-nx", "-batch", "-iex", "set debuginfod enabled off",
                "-ex", "set startup-with-shell off", "-ex", "break in_worker", "-ex", "run",
                "-ex", "info threads", "-ex", "print tls_value", "-ex", "kill", copy]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=d)
    out = r.stdout + r.stderr
    print(out)
    if "ptrace:" in out or "Operation not permitted" in out:
        print("skip: gdb cannot trace here")
        return 77
    threads = re.findall(r"^\*?\s+\d+\s+Thread 0x[0-9a-f]+ \(LWP \d+\)", out, re.M)
    value = re.search(r"^\$1 = (\d+)$", out, re.M)
    problems = []
    if "libthread_db" in out and "Unable to find libthread_db" in out:
        problems.append("libthread_db did not load")
    if len(threads) < 2:
        problems.append(f"info threads shows {len(threads)} libthread_db threads, want at least 2")
    if value is None or int(value.group(1)) != 40:
        problems.append("tls_value of the stopped thread (before its increment) is not 40")
    for p in problems:
        print("FAIL:", p)
    print("ok" if not problems else "")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
