#!/usr/bin/env python3
"""Build an integration-test library or program, in every hash style.

    link.py OUT -- DRIVER ARGS...                             (a library)
    link.py --interp LOADER OUT OUT_INTERP -- DRIVER ARGS...  (a program)

ARGS are compiler-driver arguments without -o: options, sources (.c, .S,
.s) and link inputs (objects, libraries). The sources are compiled once
(`DRIVER OPTIONS -c SOURCE`; the driver ignores link options then) into a
temporary directory, then linked with the other inputs, in their order:

    OUT                     as the toolchain links it (Debian's gcc: GNU hash)
    DIR/hash-sysv/NAME      the same with -Wl,--hash-style=sysv
    DIR/hash-both/NAME      the same with -Wl,--hash-style=both

(DIR and NAME: OUT's directory and name). A program is linked twice per
style: OUT (PT_INTERP glibc's /lib64/ld-linux-x86-64.so.2) and OUT_INTERP,
which differs only in -Wl,--dynamic-linker=LOADER; the runner puts it in
the program's place when it tests LOADER as PT_INTERP. A command that
already chooses a hash style (a case about one) keeps it: its variants are
copies. Only OUT and OUT_INTERP are known to meson; the variants are made
and replaced with them (run_case.py --hash-style takes them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

STYLES = ("sysv", "both")
SOURCE_SUFFIXES = (".c", ".S", ".s")
# Options whose value is the next argument (not an input file).
TAKES_VALUE = {"-I", "-D", "-U", "-include", "-isystem", "-Xlinker", "-T", "-L", "-l", "-o"}


def variant_path(path: str, style: str) -> str:
    return os.path.join(os.path.dirname(path), "hash-" + style, os.path.basename(path))


def split(args: list[str]) -> tuple[list[str], list[tuple[int, str]]]:
    """(compile options, [(position, source)]): every option (the driver
    ignores the link-only ones with -c), and where in ARGS each source is.
    Other inputs (objects, libraries) are left to the link."""
    options, sources = [], []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in TAKES_VALUE and i + 1 < len(args):
            options += [arg, args[i + 1]]
            i += 2
            continue
        if arg.startswith("-"):
            options.append(arg)
        elif arg.endswith(SOURCE_SUFFIXES):
            sources.append((i, arg))
        i += 1
    return options, sources


def run(command: list[str]) -> None:
    result = subprocess.run(command)
    if result.returncode != 0:
        sys.exit(result.returncode)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     usage="%(prog)s [--interp LOADER] OUT [OUT_INTERP] -- DRIVER ARGS...")
    parser.add_argument("--interp", help="a program: the loader named by OUT_INTERP's PT_INTERP")
    parser.add_argument("outputs", nargs="+", help="OUT, and OUT_INTERP with --interp")
    argv = sys.argv[1:]
    if "--" not in argv:
        parser.error("no link command after --")
    at = argv.index("--")
    args = parser.parse_args(argv[:at])
    outputs, command = args.outputs, argv[at + 1:]
    if len(outputs) != (2 if args.interp else 1) or not command:
        parser.error("want OUT (and OUT_INTERP with --interp), then -- and the link command")
    driver, driver_args = [command[0]], command[1:]
    # A driver given as several words (meson's cmd_array, e.g. ccache cc).
    while driver_args and not driver_args[0].startswith("-") and not os.path.exists(driver_args[0]):
        driver.append(driver_args.pop(0))

    options, sources = split(driver_args)
    pinned = any("--hash-style" in a for a in driver_args)
    with tempfile.TemporaryDirectory(prefix=".link-", dir=os.path.dirname(os.path.abspath(outputs[0]))) as tmp:
        link_args = list(driver_args)
        for n, (position, source) in enumerate(sources):
            obj = os.path.join(tmp, f"{n}-{os.path.basename(source)}.o")
            run(driver + options + ["-c", source, "-o", obj])
            link_args[position] = obj
        flavours = [([], outputs[0])]
        if args.interp:
            flavours.append(([f"-Wl,--dynamic-linker={args.interp}"], outputs[1]))
        for extra, out in flavours:
            run(driver + link_args + extra + ["-o", out])
            for style in STYLES:
                target = variant_path(out, style)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                if pinned:
                    shutil.copy2(out, target)
                else:
                    run(driver + link_args + extra + [f"-Wl,--hash-style={style}", "-o", target])
    return 0


if __name__ == "__main__":
    sys.exit(main())
