#!/usr/bin/env python3
"""Debug a program with gdb and check what gdb sees of its shared library.

    run_gdb.py --gdb GDB --prog PROG --lib LIB --function NAME [--label L]

runs, in PROG's directory and with a minimal environment,

    gdb -nx -batch -ex 'set startup-with-shell off' \\
        -ex 'set breakpoint pending on' -ex 'break NAME' -ex run -ex bt \\
        -ex 'info sharedlibrary' --args PROG

(-nx: no system or user init file; no shell between gdb and PROG) and
asserts:

    hit       "Breakpoint 1, ... in NAME () from LIB": stopped in the library
    frame #0  names NAME and LIB
    frame #1  is main, in the program (no "from <library>")
    solib     `info sharedlibrary` lists LIB

Paths gdb prints are compared with LIB after os.path.realpath (the loader
may name the library by a path with other spellings). gdb learns about
shared libraries from the loader's debugger interface (_r_debug, the
breakpoint in _dl_debug_state, DT_DEBUG), so with PROG's PT_INTERP naming
our loader this checks that interface; with glibc's it is the oracle, and a
failure there means the test, not our loader, is wrong. The objects carry no
debug information, only unwind tables: gdb then names each frame's object
("from LIB") and still unwinds reliably.

Exit status: 0 pass, 1 fail, 77 skipped (no gdb, or gdb may not trace).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

TIMEOUT_S = 60
EXIT_PASS, EXIT_FAIL, EXIT_SKIP = 0, 1, 77


def same_file(printed: str, expected: str, cwd: str) -> bool:
    return os.path.realpath(os.path.join(cwd, printed)) == os.path.realpath(expected)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gdb", default="", help="gdb's path (empty: skip)")
    parser.add_argument("--prog", required=True, help="the program to debug")
    parser.add_argument("--lib", required=True, help="the library the function is in")
    parser.add_argument("--function", required=True, help="the function to break in")
    parser.add_argument("--label", default="gdb", help="the name used in messages")
    args = parser.parse_args()
    label = args.label
    if not args.gdb:
        print(f"skip {label}: no gdb found at configure time")
        return EXIT_SKIP

    prog = os.path.abspath(args.prog)
    cwd = os.path.dirname(prog)
    command = [args.gdb, "-nx", "-batch",
               "-ex", "set startup-with-shell off",
               "-ex", "set breakpoint pending on",
               "-ex", f"break {args.function}",
               "-ex", "run",
               "-ex", "bt",
               "-ex", "info sharedlibrary",
               "--args", prog]
    # Nothing from outside: no LD_* variables, no debuginfod server, an empty
    # HOME (for gdb's caches; -nx already skips any .gdbinit).
    with tempfile.TemporaryDirectory(prefix="gdb-home-") as home:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
               "LC_ALL": "C", "TERM": "dumb"}
        try:
            completed = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired as expired:
            print(f"FAIL {label}: gdb still running after {TIMEOUT_S} s")
            sys.stdout.write((expired.stdout or b"").decode("utf-8", "backslashreplace"))
            return EXIT_FAIL
    out = completed.stdout.decode("utf-8", "backslashreplace")
    err = completed.stderr.decode("utf-8", "backslashreplace")
    print(f"command (in {cwd}): {subprocess.list2cmdline(command)}")
    print(f"gdb exit status: {completed.returncode}")
    print("--- stdout\n" + out + "--- stderr\n" + err + "---")
    if re.search(r"ptrace: Operation not permitted|Could not trace the inferior", err):
        print(f"skip {label}: gdb may not trace processes here")
        return EXIT_SKIP

    function = re.escape(args.function)
    checks = []

    hit = re.search(rf"^Breakpoint 1, (?:0x[0-9a-f]+ in )?{function} \(\) from (\S+)$", out, re.M)
    checks.append(("the breakpoint is hit in the library",
                   hit is not None and same_file(hit.group(1), args.lib, cwd)))

    frames = {}
    for line in out.splitlines():
        m = re.match(r"^#(\d+)\s+(.*)$", line)
        if m:
            frames.setdefault(int(m.group(1)), m.group(2))
    frame0 = re.match(rf"^(?:0x[0-9a-f]+ in )?{function} \(\) from (\S+)$", frames.get(0, ""))
    checks.append((f"frame #0 is {args.function} in the library",
                   frame0 is not None and same_file(frame0.group(1), args.lib, cwd)))
    frame1 = frames.get(1, "")
    checks.append(("frame #1 is main, in the program",
                   re.match(r"^(?:0x[0-9a-f]+ in )?main \(", frame1) is not None
                   and " from " not in frame1))

    listed = [line.split()[-1] for line in out.splitlines()
              if re.match(r"^0x[0-9a-f]+\s+0x[0-9a-f]+\s+", line)]
    checks.append(("info sharedlibrary lists the library",
                   any(same_file(path, args.lib, cwd) for path in listed)))

    passed = True
    for what, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {label}: {what}")
        passed &= ok
    return EXIT_PASS if passed else EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
