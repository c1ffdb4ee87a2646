#!/usr/bin/env python3
"""Run one integration case under one loader and compare with its expectation.

A case is a program, the files it runs with, arguments, environment and
optionally loader options (meson.build lists them). For each run the case's
layout is made afresh in --work-dir: --prog, --copy, --symlink and --mkdir
put every file under its layout name, so the program is always invoked by the
same relative path (./prog, or ../bin/prog from another --cwd) in every mode.
The modes:

    glibc   the oracle, glibc's /lib64/ld-linux-x86-64.so.2: the program runs
            through its own PT_INTERP, and again as
            `/lib64/ld-linux-x86-64.so.2 ./prog ARGS`; both must match the
            expectation, which is thus valid for both of our modes.
    cmd     our loader as a command: `LOADER [LDSO-OPTIONS] ./prog ARGS`.
    interp  our loader as PT_INTERP: the --prog-interp build of the program
            (linked with --dynamic-linker=LOADER) takes the program's place.
    cache   our loader as a command with a warm symbol cache: the program's
            closure is built first (--symcache-tool build, in the case's
            environment), then the program runs with RTLD_SYMCACHE set; the
            output must still be the expectation, and when the closure could
            be built the run must have used it (LD_DEBUG=symcache, written
            to a file, says "closure found").
    image   our loader with a symbol cache built with pre-relocated images,
            in command mode and then through PT_INTERP (each program gets its
            own cache): the output must be the expectation, and when the
            build recorded images the run must have mapped them
            (LD_DEBUG=symcache says "image for" and no "images not used").
            The build checks the recording against the files as the cache
            daemon does (`build --check`): every binding and image page
            must be what the files give.
    all     glibc, then cmd, then interp, each in its own layout (under
            --work-dir): the oracle and both of ours in one test, as the
            --hash-style tests run.

--hash-style sysv|both takes, for the program and every ELF file copied into
the layout, the build link.py made with -Wl,--hash-style=STYLE (hash-STYLE/
beside the file); data files stay as they are. The expectation is the
case's own: the hash style must change nothing.

A case with loader options (--ldso-option), or with no program, exists only in
command mode: `glibc` runs glibc's loader with the same options, `interp` is
skipped (exit status 77).

The environment of a run is exactly the --env values, nothing inherited, so
LD_LIBRARY_PATH and the like from outside never leak in; in the glibc mode
the --oracle-env values are added to it (the dl_* cases: glibc's loader has
no dl API of its own, so the oracle runs with LD_PRELOAD=libc.so.6 and the
program binds to libc.so.6's, while our loader exports the API itself).
"@DIR@" in --env, --oracle-env, --arg and --ldso-option values is replaced
by the layout's absolute path.

Outputs are normalised before comparison: the layout directory becomes @DIR@,
the path of either loader @LDSO@, "/./" in paths "/", "(0x...)" addresses
"(0xADDR)", and the process id at the start of LD_DEBUG-style lines "PID". The expected file
(tests/integration/expected/CASE.out) holds exit status, stdout and stderr.
A run killed by a signal or outliving the timeout always fails.

--update rewrites the expected file from the glibc mode's run (the other
modes are skipped); read the result and check it is what the behaviour should
be before committing it.

Exit status: 0 pass, 1 fail, 77 skipped, 2 usage error.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass

GLIBC_LOADER = "/lib64/ld-linux-x86-64.so.2"
TIMEOUT_S = 20
EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_SKIP = 0, 1, 2, 77
DIR_TOKEN = "@DIR@"


@dataclass
class Result:
    """One run's outcome, outputs normalised. status is 'exit N' (or a
    description of a signal or timeout when the run failed outright)."""
    status: str
    stdout: str
    stderr: str
    died: bool  # killed by a signal or timed out: always a failure

    def render(self, case: str) -> str:
        """The expected-file text for this result."""
        lines = [
            f"# Expected result of integration case '{case}' under glibc's loader",
            "# (written by run_case.py --update; reviewed before committing).",
            f"status: {self.status}",
        ]
        for name, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            lines.append(f"{name}:")
            if not text:
                continue
            body = text.split("\n")
            complete = body[-1] == ""
            if complete:
                body.pop()
            lines.extend("| " + line if line else "|" for line in body)
            if not complete:
                lines.append("\\ no newline at end")
        return "\n".join(lines) + "\n"


def parse_pair(value: str, what: str) -> tuple[str, str]:
    if "=" not in value:
        raise SystemExit(f"run_case.py: {what} wants DEST=SOURCE, got {value!r}")
    dest, source = value.split("=", 1)
    if os.path.isabs(dest) or ".." in dest.split("/"):
        raise SystemExit(f"run_case.py: {what} destination must stay inside the layout: {dest!r}")
    return dest, source


def make_layout(args: argparse.Namespace, work_dir: str, program: str | None) -> None:
    """Recreates WORK_DIR holding the case's files; PROGRAM is the build of the
    program to put at its layout name (or None)."""
    if os.path.lexists(work_dir):
        shutil.rmtree(work_dir)
    os.makedirs(work_dir)
    copies = [parse_pair(value, "--copy") for value in args.copy]
    if program is not None:
        copies.insert(0, (args.prog_dest, program))
    for dest, source in copies:
        path = os.path.join(work_dir, dest)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copy2(source, path)
    for value in args.symlink:
        dest, target = parse_pair(value, "--symlink")
        path = os.path.join(work_dir, dest)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(target, path)
    for directory in args.mkdir:
        os.makedirs(os.path.join(work_dir, directory), exist_ok=True)


def normalise(text: str, work_dir: str, loaders: list[str]) -> str:
    replacements = {}
    for path in (work_dir, os.path.realpath(work_dir)):
        replacements[path] = DIR_TOKEN
    for loader in loaders:
        for path in (loader, os.path.realpath(loader)):
            replacements[path] = "@LDSO@"
    for path in sorted(replacements, key=len, reverse=True):
        text = text.replace(path, replacements[path])
    # glibc's command mode makes $ORIGIN of "./prog" "<cwd>/." (so a library
    # found through it is "<cwd>/./lib.so"), its PT_INTERP mode "<cwd>".
    while "/./" in text:
        text = text.replace("/./", "/")
    text = re.sub(r"\(0x[0-9a-fA-F]+\)", "(0xADDR)", text)
    text = re.sub(r"^(\s*)[0-9]+:\t", r"\1PID:\t", text, flags=re.MULTILINE)
    return text


def run(argv: list[str], cwd: str, env: dict[str, str], work_dir: str,
        loaders: list[str], head: int | None) -> Result:
    try:
        completed = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as expired:
        out = normalise((expired.stdout or b"").decode("utf-8", "backslashreplace"), work_dir, loaders)
        err = normalise((expired.stderr or b"").decode("utf-8", "backslashreplace"), work_dir, loaders)
        return Result(f"still running after {TIMEOUT_S} s", out, err, died=True)
    out = normalise(completed.stdout.decode("utf-8", "backslashreplace"), work_dir, loaders)
    err = normalise(completed.stderr.decode("utf-8", "backslashreplace"), work_dir, loaders)
    if head is not None:
        out = "".join(out.splitlines(keepends=True)[:head])
    if completed.returncode < 0:
        try:
            name = signal.Signals(-completed.returncode).name
        except ValueError:
            name = f"signal {-completed.returncode}"
        return Result(f"killed by {name}", out, err, died=True)
    return Result(f"exit {completed.returncode}", out, err, died=False)


def describe(argv: list[str], cwd: str, env: dict[str, str]) -> str:
    words = ["env", "-i"] + [f"{name}={value}" for name, value in env.items()] + argv
    return f"(cd {shlex.quote(cwd)} && {shlex.join(words)})"


def compare(case: str, label: str, expected_text: str, result: Result, command: str) -> bool:
    """Reports and returns whether RESULT matches EXPECTED_TEXT."""
    actual_text = result.render(case)
    if result.died:
        print(f"FAIL {label}: {result.status} (a signal or a hang is always a failure)")
    elif actual_text == expected_text:
        print(f"ok   {label}")
        return True
    else:
        print(f"FAIL {label}: output differs from the expectation")
    print(f"     command: {command}")
    sys.stdout.writelines(difflib.unified_diff(
        expected_text.splitlines(keepends=True), actual_text.splitlines(keepends=True),
        "expected", label))
    return False


def run_images(args: argparse.Namespace, work_dir: str, loader: str, loaders: list[str]) -> int:
    """The image mode: command mode, then PT_INTERP, each with its own cache."""
    try:
        with open(args.expected, encoding="utf-8") as f:
            expected_text = f.read()
    except FileNotFoundError:
        print(f"FAIL {args.case}/image: no expectation at {args.expected}")
        return EXIT_FAIL
    passed = True
    for how, program in (("command", args.prog_path), ("PT_INTERP", args.prog_interp)):
        make_layout(args, work_dir, program)
        env = {}
        for value in args.env:
            name, _, setting = value.partition("=")
            env[name] = setting.replace(DIR_TOKEN, work_dir)
        cwd = os.path.normpath(os.path.join(work_dir, args.cwd))
        program_args = [value.replace(DIR_TOKEN, work_dir) for value in args.arg]
        relative = os.path.relpath(os.path.join(work_dir, args.prog_dest), cwd)
        invoked = relative if "/" in relative else "./" + relative
        argv = ([loader] if how == "command" else []) + [invoked] + program_args
        cache = os.path.join(work_dir, ".symcache")
        debug_base = os.path.join(work_dir, ".symcache-debug")
        # --check: the recording must hold in full against the files, as
        # the daemon checks what its (untrusted) recording processes write.
        build = subprocess.run([args.symcache_tool, "build", "--check", "--cache", cache, "--loader", loader,
                                invoked],
                               cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, timeout=TIMEOUT_S)
        if "does not check out" in build.stderr:
            print(f"FAIL {args.case}/image ({how}): the recording does not check out against the files")
            print("     build said: " + build.stderr.strip())
            passed = False
        env = dict(env, RTLD_SYMCACHE=cache)
        subprocess.run(argv, cwd=cwd, env=dict(env, LD_DEBUG="symcache", LD_DEBUG_OUTPUT=debug_base),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_S)
        label = f"{args.case}/image ({how})"
        result = run(argv, cwd, env, work_dir, loaders, args.stdout_head)
        passed &= compare(args.case, label, expected_text, result, describe(argv, cwd, env))
        if build.returncode != 0 or "LD_TRACE_LOADED_OBJECTS" in env:
            continue
        report = ""
        for name in os.listdir(work_dir):
            if name.startswith(".symcache-debug."):
                with open(os.path.join(work_dir, name), encoding="utf-8", errors="replace") as f:
                    report += f.read()
        with_images = "images:" in build.stdout
        if "closure found" not in report:
            print(f"FAIL {label}: the closure was built but the run did not use it")
            print("     LD_DEBUG=symcache said: " + (report.strip() or "(nothing)"))
            passed = False
        elif with_images and ("image for" not in report or "images not used" in report):
            print(f"FAIL {label}: images were recorded but the run did not map them")
            print("     build said: " + build.stdout.strip())
            print("     LD_DEBUG=symcache said: " + (report.strip() or "(nothing)"))
            passed = False
        else:
            print(f"ok   {label} used the closure" + (" and its images" if with_images else " (no images recorded)"))
    return EXIT_PASS if passed else EXIT_FAIL


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", required=True, help="the case's name")
    parser.add_argument("--mode", required=True,
                        choices=("glibc", "cmd", "interp", "cache", "image", "all"))
    parser.add_argument("--hash-style", choices=("sysv", "both"),
                        help="run the case's --hash-style=STYLE builds (link.py's hash-STYLE/)")
    parser.add_argument("--symcache-tool", help="rtld-symcache (cache mode)")
    parser.add_argument("--expected", required=True, help="the expected-result file")
    parser.add_argument("--work-dir", required=True, help="where to make the layout (recreated)")
    parser.add_argument("--loader", help="our loader (cmd and interp modes)")
    parser.add_argument("--prog", metavar="DEST=PATH",
                        help="the program (PT_INTERP glibc's loader) and its layout name")
    parser.add_argument("--prog-interp", metavar="PATH",
                        help="the same program linked with PT_INTERP = --loader")
    parser.add_argument("--copy", action="append", default=[], metavar="DEST=PATH",
                        help="put a copy of PATH at DEST in the layout")
    parser.add_argument("--symlink", action="append", default=[], metavar="DEST=TARGET",
                        help="make DEST a symbolic link to TARGET")
    parser.add_argument("--mkdir", action="append", default=[], metavar="DIR",
                        help="make an (empty) directory")
    parser.add_argument("--cwd", default=".", help="working directory, within the layout")
    parser.add_argument("--target", metavar="DEST",
                        help="the file named to the loader, when not the program (--verify)")
    parser.add_argument("--arg", action="append", default=[], help="a program argument")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable (the environment is only these)")
    parser.add_argument("--oracle-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable added in the glibc mode only")
    parser.add_argument("--ldso-option", action="append", default=[], metavar="OPTION",
                        help="a loader option (the case becomes command-mode only)")
    parser.add_argument("--stdout-head", type=int, metavar="N",
                        help="compare only the first N lines of stdout")
    parser.add_argument("--update", action="store_true",
                        help="rewrite --expected from the glibc mode (other modes: skip)")
    return parser


def variant_of(path: str, style: str) -> str:
    """The --hash-style=STYLE build of PATH (link.py puts it in hash-STYLE/
    beside it); a file that is not ELF (a data file of the case) is itself."""
    variant = os.path.join(os.path.dirname(path), "hash-" + style, os.path.basename(path))
    if os.path.exists(variant):
        return variant
    with open(path, "rb") as f:
        if f.read(4) != b"\x7fELF":
            return path
    raise SystemExit(f"run_case.py: no --hash-style={style} build of {path} (link.py makes it; rebuild)")


def main() -> int:
    parser = build_parser()
    args = parser.parse_args()
    if args.prog is not None:
        args.prog_dest, args.prog_path = parse_pair(args.prog, "--prog")
    else:
        args.prog_dest = args.prog_path = None
    if args.mode != "glibc" and not args.loader:
        parser.error("--loader is needed in cmd, interp, cache and all modes")
    if args.update and args.mode != "glibc":
        print(f"skip {args.case}/{args.mode}: --update writes expectations from the glibc mode only")
        return EXIT_SKIP
    if args.hash_style is not None:
        if args.mode in ("cache", "image") or args.update:
            parser.error("--hash-style is not for the cache and image modes nor --update")
        if args.prog_path is not None:
            args.prog_path = variant_of(args.prog_path, args.hash_style)
        if args.prog_interp is not None:
            args.prog_interp = variant_of(args.prog_interp, args.hash_style)
        copies = []
        for value in args.copy:
            dest, source = parse_pair(value, "--copy")
            copies.append(f"{dest}={variant_of(source, args.hash_style)}")
        args.copy = copies
    work_dir = os.path.abspath(args.work_dir)
    if args.mode != "all":
        return run_mode(args, parser, args.mode, work_dir)
    # The oracle, then ours both ways: each with its own fresh layout.
    status = EXIT_PASS
    for mode in ("glibc", "cmd", "interp"):
        result = run_mode(args, parser, mode, os.path.join(work_dir, mode))
        if result == EXIT_FAIL:
            status = EXIT_FAIL
    return status


def run_mode(args: argparse.Namespace, parser: argparse.ArgumentParser, mode: str, work_dir: str) -> int:
    """Runs the case in MODE (not all) in WORK_DIR; EXIT_PASS, _FAIL or _SKIP."""
    name = args.case if args.hash_style is None else f"{args.case}/{args.hash_style}"
    command_only = bool(args.ldso_option) or args.prog_dest is None
    if mode in ("cache", "image") and command_only:
        print(f"skip {name}/{mode}: the case uses loader options or no program "
              "(their closures are keyed without the options: a miss by design)")
        return EXIT_SKIP
    if mode == "image" and not args.prog_interp:
        parser.error("--prog-interp is needed in image mode")
    if mode == "interp":
        if command_only:
            print(f"skip {name}/interp: the case uses loader options or no program, "
                  "so it exists only in command mode")
            return EXIT_SKIP
        if not args.prog_interp:
            parser.error("--prog-interp is needed in interp mode")
    loader = GLIBC_LOADER if mode == "glibc" else os.path.abspath(args.loader)
    if not os.path.isfile(loader):
        print(f"FAIL {name}/{mode}: no loader at {loader} (not built yet?)")
        return EXIT_FAIL
    loaders = [GLIBC_LOADER] + ([os.path.abspath(args.loader)] if args.loader else [])

    program = args.prog_interp if mode == "interp" else args.prog_path
    if mode == "image":
        return run_images(args, work_dir, loader, loaders)
    make_layout(args, work_dir, program)

    def expand(value: str) -> str:
        return value.replace(DIR_TOKEN, work_dir)

    env = {}
    for value in args.env + (args.oracle_env if mode == "glibc" else []):
        name, _, setting = value.partition("=")
        env[name] = expand(setting)
    cwd = os.path.normpath(os.path.join(work_dir, args.cwd))
    program_args = [expand(value) for value in args.arg]
    ldso_options = [expand(value) for value in args.ldso_option]
    named = args.target if args.target is not None else args.prog_dest
    invoked = []
    if named is not None:
        relative = os.path.relpath(os.path.join(work_dir, named), cwd)
        invoked = [relative if "/" in relative else "./" + relative]

    # (label, argv) of each run; the first decides --update.
    runs = []
    if mode == "glibc":
        if not command_only:
            runs.append((f"{name}/glibc (PT_INTERP)", invoked + program_args))
        runs.append((f"{name}/glibc (command)", [loader] + ldso_options + invoked + program_args))
    elif mode in ("cmd", "cache"):
        runs.append((f"{name}/{mode}", [loader] + ldso_options + invoked + program_args))
    else:
        runs.append((f"{name}/interp", invoked + program_args))

    cache_built = False
    if mode == "cache":
        cache = os.path.join(work_dir, ".symcache")
        debug_base = os.path.join(work_dir, ".symcache-debug")
        build = subprocess.run([args.symcache_tool, "build", "--no-images", "--cache", cache, "--loader", loader,
                                invoked[0]] + program_args,
                               cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=TIMEOUT_S)
        cache_built = build.returncode == 0
        env = dict(env, RTLD_SYMCACHE=cache)
        # A second run with the cache's own report in a file (LD_DEBUG_OUTPUT).
        subprocess.run(runs[0][1], cwd=cwd, env=dict(env, LD_DEBUG="symcache", LD_DEBUG_OUTPUT=debug_base),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_S)

    results = [(label, argv, run(argv, cwd, env, work_dir, loaders, args.stdout_head))
               for label, argv in runs]

    if args.update:
        label, argv, first = results[0]
        if first.died:
            print(f"FAIL {label}: {first.status}; not recorded")
            print(f"     command: {describe(argv, cwd, env)}")
            return EXIT_FAIL
        with open(args.expected, "w", encoding="utf-8") as f:
            f.write(first.render(args.case))
        print(f"wrote {args.expected}")

    try:
        with open(args.expected, encoding="utf-8") as f:
            expected_text = f.read()
    except FileNotFoundError:
        print(f"FAIL {name}/{mode}: no expectation at {args.expected} "
              "(make it with --update, then review it)")
        return EXIT_FAIL

    passed = True
    for label, argv, result in results:
        passed &= compare(args.case, label, expected_text, result, describe(argv, cwd, env))
    # Listing the objects (LD_TRACE_LOADED_OBJECTS) binds nothing: no closure.
    if mode == "cache" and cache_built and "LD_TRACE_LOADED_OBJECTS" not in env:
        report = ""
        for name in os.listdir(work_dir):
            if name.startswith(".symcache-debug."):
                with open(os.path.join(work_dir, name), encoding="utf-8", errors="replace") as f:
                    report += f.read()
        if "closure found" not in report:
            print(f"FAIL {name}/cache: the closure was built but the run did not use it")
            print("     LD_DEBUG=symcache said: " + (report.strip() or "(nothing)"))
            passed = False
        else:
            print(f"ok   {name}/cache used the closure")
    return EXIT_PASS if passed else EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
