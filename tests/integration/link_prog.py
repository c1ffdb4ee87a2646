#!/usr/bin/env python3
"""Link an integration-test program twice, for the two ways a loader runs it.

    link_prog.py --interp LOADER OUT OUT_INTERP -- DRIVER ARGS...

runs `DRIVER ARGS... -o OUT` (the program as the toolchain makes it: its
PT_INTERP is glibc's /lib64/ld-linux-x86-64.so.2), then
`DRIVER ARGS... -Wl,--dynamic-linker=LOADER -o OUT_INTERP` (the same program
with PT_INTERP naming LOADER). The two differ only in the interpreter string.
The runner puts OUT_INTERP in place of OUT when it tests LOADER as PT_INTERP.
"""

import argparse
import subprocess
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interp", required=True, help="absolute path of the loader for OUT_INTERP")
    parser.add_argument("out", help="the program with the toolchain's PT_INTERP")
    parser.add_argument("out_interp", help="the program with PT_INTERP = --interp")
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="-- then the compiler driver and its arguments (no -o)")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no link command after --")
    for extra in ([], [f"-Wl,--dynamic-linker={args.interp}"]):
        out = args.out if not extra else args.out_interp
        result = subprocess.run(command + extra + ["-o", out])
        if result.returncode != 0:
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
