#!/usr/bin/env python3
"""Run one compatibility case: a glibc program under the system loader and under ours.

    run_compat.py --case CASE --mode system|cmd|interp [--loader LDSO]
                  [--built-dir DIR] [--work-root DIR] [--time-limit S]
    run_compat.py --case all --mode all --loader LDSO ...   (every leg, a summary)
    run_compat.py --list

A case (cases.py) is a program under test, PROG, and the steps that run it in
a run directory the runner makes afresh. The modes run PROG three ways:

    system  PROG as installed, through its own PT_INTERP (the system loader).
            This leg is the oracle: it runs the case twice, in two fresh
            directories, checks each step's exit status against the case and
            compares the two runs, so a failure means the case is wrong or not
            deterministic, never the loader.
    cmd     `LDSO PROG ARGS`: our loader as a command.
    interp  a copy of PROG made with `patchelf --set-interpreter LDSO --output
            COPY PROG`, run in PROG's place. An installed program's copy is
            run with argv[0] still PROG's own path (only /proc/self/exe
            differs); a program built here is replaced in the run directory.

cmd and interp run the system leg once more (the oracle) and then the case in
their mode, and compare the two transcripts: each step's exit status, stdout
and stderr. A step that is killed by a signal or outlives its time limit
always fails. Children a program starts (gcc's cc1, as and ld; git's
subcommands; bash's external commands; python's multiprocessing workers are
forked, not executed) run under their own PT_INTERP, the system loader, in
every mode.

Environment: exactly PATH=/usr/bin:/bin, HOME=RUN/home, TMPDIR=RUN/tmp,
LC_ALL=C, TZ=UTC, TERM=dumb, plus the case's and the step's variables;
nothing is inherited. Normalisation, of stdout and stderr alike: the run
directory becomes @DIR@, then the case's own hooks (gdb: addresses, process
ids; ifunc_choice: symbol names from libc6-dbg added, never removed).

The loader: --loader, or the environment variable RTLD_COMPAT_LOADER, which
wins (so `RTLD_COMPAT_LOADER=/lib64/ld-linux-x86-64.so.2 meson test --suite
compat` runs the harness's self-test: with glibc's loader standing in for
ours, every leg must pass).

Run directories stay for inspection: WORK_ROOT/CASE/MODE/{run1,run2} for the
system leg, WORK_ROOT/CASE/MODE/{oracle,tested} for the others, each with
transcript.txt and commands.sh (the exact command lines, runnable by hand).

Exit status: 0 pass, 1 fail, 77 skipped (a tool or module the case needs is
missing, or patchelf for interp), 2 usage error.
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
import time
from dataclasses import dataclass

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as compat_cases  # noqa: E402
from cases import PROG, Case, Step  # noqa: E402

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_SKIP = 0, 1, 2, 77
STEP_TIMEOUT_S = 60      # one step; the whole leg also has --time-limit
DIFF_LINES_SHOWN = 120
LOADER_ENV = "RTLD_COMPAT_LOADER"
PATCHELF = "patchelf"
MODES = ("system", "cmd", "interp", "image", "image_cmd")
# The image modes: interp / cmd with a symbol cache built (with pre-relocated
# images) for the program first; the run must map images when recorded.
BASE_MODE = {"image": "interp", "image_cmd": "cmd"}


class Skip(Exception):
    """The case cannot run here (a missing tool); the message says why."""


class Broken(Exception):
    """The harness could not set the case up; the message says why."""


@dataclass
class StepResult:
    header: str       # the step, mode-independent ("$ PROG ARGS")
    status: str       # "exit N", or what killed it
    died: bool
    stdout: str
    stderr: str
    command: str      # the exact command line, for reproduction


def render(results: list[StepResult]) -> str:
    lines = []
    for r in results:
        lines.append(r.header)
        lines.append(f"status: {r.status}")
        for name, text in (("stdout", r.stdout), ("stderr", r.stderr)):
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


class Runner:
    def __init__(self, case: Case, mode: str, loader: str | None, built_dir: str | None,
                 run_dir: str, deadline: float, symcache_tool: str | None = None):
        self.case, self.loader = case, loader
        self.image_mode = mode in BASE_MODE
        self.mode = BASE_MODE.get(mode, mode)
        self.symcache_tool = symcache_tool
        self.image_report = ""
        self.images_recorded = False
        self.built_dir, self.run_dir = built_dir, os.path.abspath(run_dir)
        self.deadline = deadline  # time.monotonic() by which every step must be over

    # --- the run directory -----------------------------------------------------
    def prepare(self) -> None:
        if os.path.lexists(self.run_dir):
            shutil.rmtree(self.run_dir)
        for sub in ("home", "tmp"):
            os.makedirs(os.path.join(self.run_dir, sub))
        case = self.case
        for name in case.built:
            if not self.built_dir:
                raise Broken(f"the case needs {name} from --built-dir, and none was given")
            source = os.path.join(self.built_dir, name)
            if not os.path.isfile(source):
                raise Broken(f"{source} does not exist (not built?)")
            target = os.path.join(self.run_dir, name)
            if self.mode == "interp" and name == case.prog:
                self.patch(source, target)
            else:
                shutil.copy2(source, target)
        if self.mode == "interp" and not case.prog_is_built:
            self.patch(os.path.realpath(case.prog), self.interp_copy())
        if case.setup:
            case.setup(self.run_dir)

    def interp_copy(self) -> str:
        return os.path.join(self.run_dir, ".interp", os.path.basename(self.case.prog))

    def patch(self, source: str, target: str) -> None:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        argv = [PATCHELF, "--set-interpreter", self.loader, "--output", target, source]
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0:
            raise Broken(f"{shlex.join(argv)} failed: {done.stdout.strip()}")
        os.chmod(target, 0o755)

    # --- running ----------------------------------------------------------------
    def environment(self, step: Step) -> dict[str, str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": os.path.join(self.run_dir, "home"),
            "TMPDIR": os.path.join(self.run_dir, "tmp"),
            "LC_ALL": "C",
            "TZ": "UTC",
            "TERM": "dumb",
        }
        env.update(self.case.env)
        env.update(step.env)
        if self.image_mode:
            # statistics, which glibc's loader also knows (programs the steps
            # run under it write their own files, and no warning).
            env.update({"RTLD_SYMCACHE": os.path.join(self.run_dir, ".symcache"), "LD_DEBUG": "statistics",
                        "LD_DEBUG_OUTPUT": os.path.join(self.run_dir, ".debug", "stats")})
        return env

    def build_cache(self) -> None:
        """The image modes: the program's closure and images, in the first step's environment."""
        if self.case.prog_is_built:
            program = os.path.join(self.run_dir, self.case.prog)
        elif self.mode == "interp":
            program = self.interp_copy()
        else:
            program = os.path.realpath(self.case.prog)
        env = {k: v for k, v in self.environment(self.case.steps[0]).items()
               if k not in ("RTLD_SYMCACHE", "LD_DEBUG", "LD_DEBUG_OUTPUT")}
        os.makedirs(os.path.join(self.run_dir, ".debug"))
        done = subprocess.run([self.symcache_tool, "build", "--cache", os.path.join(self.run_dir, ".symcache"),
                               "--loader", self.loader, program], env=env, capture_output=True, text=True,
                              timeout=120)
        if done.returncode != 0:
            raise Broken(f"rtld-symcache build {program} failed: {done.stderr.strip()}")
        self.images_recorded = "images:" in done.stdout

    def display_prog(self) -> str:
        return self.case.prog if not self.case.prog_is_built else "./" + self.case.prog

    def command_of(self, step: Step) -> tuple[list[str], str | None]:
        """(argv, the file to execute when not argv[0]) of STEP in this mode."""
        argv: list[str] = []
        executable = None
        for index, word in enumerate(step.argv):
            if word is not PROG:
                argv.append(word)
            elif self.mode == "system":
                argv.append(self.display_prog())
            elif self.mode == "cmd":
                argv += [self.loader, self.display_prog()]
            elif self.case.prog_is_built:
                argv.append(self.display_prog())  # the patched copy took its place
            elif index == 0:
                argv.append(self.case.prog)      # argv[0] as in the system mode
                executable = self.interp_copy()
            else:
                argv.append(self.interp_copy())
        return argv, executable

    def normalise(self, text: str) -> str:
        for path in sorted({self.run_dir, os.path.realpath(self.run_dir)}, key=len, reverse=True):
            text = text.replace(path, "@DIR@")
        for hook in self.case.normalise:
            text = hook(text)
        return text

    def run_step(self, step: Step) -> StepResult:
        argv, executable = self.command_of(step)
        cwd = os.path.normpath(os.path.join(self.run_dir, step.cwd))
        env = self.environment(step)
        header = "$ " + shlex.join(self.display_prog() if w is PROG else w for w in step.argv)
        if step.cwd != ".":
            header = f"$ cd {step.cwd}\n{header}"
        words = ["env", "-i"] + [f"{k}={v}" for k, v in env.items()]
        if executable:
            words += ["bash", "-c", f'exec -a "$0" {shlex.quote(executable)} "$@"']
        command = f"(cd {shlex.quote(cwd)} && {shlex.join(words + argv)})"
        if step.stdin:
            command += f" <<< {shlex.quote(step.stdin.decode('latin-1').rstrip(chr(10)))}"

        try:
            process = subprocess.Popen(argv, executable=executable, cwd=cwd, env=env,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, start_new_session=True)
        except OSError as error:  # e.g. a helper running what an earlier step failed to make
            return StepResult(header, f"could not start: {error.strerror}", False, "", "",
                              command)
        limit = max(1.0, min(STEP_TIMEOUT_S, self.deadline - time.monotonic()))
        try:
            out, err = process.communicate(step.stdin, timeout=limit)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        if timed_out or process.returncode is None:
            self.kill_group(process)
            out, err = process.communicate()
        else:
            self.kill_group(process)  # leftovers of the step (none expected)
        stdout = self.normalise(out.decode("utf-8", "backslashreplace"))
        stderr = self.normalise(err.decode("utf-8", "backslashreplace"))
        if timed_out:
            return StepResult(header, f"still running after {limit:.0f} s", True,
                              stdout, stderr, command)
        code = process.returncode
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return StepResult(header, f"killed by {name}", True, stdout, stderr, command)
        return StepResult(header, f"exit {code}", False, stdout, stderr, command)

    @staticmethod
    def kill_group(process: subprocess.Popen) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if process.returncode is None:
            process.wait()

    def run(self) -> list[StepResult]:
        self.prepare()
        if self.image_mode:
            self.build_cache()
        results = [self.run_step(step) for step in self.case.steps]
        if self.image_mode:
            debug = os.path.join(self.run_dir, ".debug")
            for name in sorted(os.listdir(debug)):
                with open(os.path.join(debug, name), encoding="utf-8", errors="replace") as f:
                    self.image_report += f.read()
        with open(os.path.join(self.run_dir, "transcript.txt"), "w", encoding="utf-8") as f:
            f.write(render(results))
        with open(os.path.join(self.run_dir, "commands.sh"), "w", encoding="utf-8") as f:
            f.write("".join(r.command + "\n" for r in results))
        return results


# --- the legs ---------------------------------------------------------------------

def oracle_problems(case: Case, results: list[StepResult]) -> list[str]:
    """What is wrong with a system-loader run, by the case's own expectations."""
    problems = []
    for step, result in zip(case.steps, results):
        if result.died or result.status != f"exit {step.status}":
            problems.append(f"{result.header.splitlines()[-1]}: {result.status}, "
                            f"expected exit {step.status}")
    return problems


def show_diff(expected: str, actual: str, expected_label: str, actual_label: str) -> None:
    a, b = expected.splitlines(keepends=True), actual.splitlines(keepends=True)
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    start = max(0, prefix - 8)  # keep some context, the step header with luck
    a, b = a[start:start + 3000], b[start:start + 3000]
    lines = list(difflib.unified_diff(a, b, expected_label, actual_label, n=4))
    if start:
        print(f"     (the first {start} lines are equal)")
    sys.stdout.writelines(line if line.endswith("\n") else line + "\n"
                          for line in lines[:DIFF_LINES_SHOWN])
    if len(lines) > DIFF_LINES_SHOWN:
        print(f"     ... {len(lines) - DIFF_LINES_SHOWN} more diff lines")


def check_available(case: Case, mode: str) -> None:
    for tool in case.requires + ([] if case.prog_is_built else [case.prog]):
        if not os.access(tool, os.X_OK):
            raise Skip(f"{tool} is not installed")
    if mode == "interp" and shutil.which(PATCHELF) is None:
        raise Skip("patchelf is not installed")
    for probe in case.probes:
        done = subprocess.run(probe, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
                              timeout=60)
        if done.returncode != 0:
            first_line = (done.stdout.decode(errors='replace').strip().splitlines() or [''])[0]
            raise Skip(f"{shlex.join(probe)} fails: {first_line}")


def run_leg(case: Case, mode: str, loader: str | None, built_dir: str | None,
            work_root: str, time_limit: float, symcache_tool: str | None = None) -> int:
    label = f"{case.name}/{mode}"
    leg_dir = os.path.join(work_root, case.name, mode)
    deadline = time.monotonic() + time_limit

    def runner(run_mode: str, run_loader: str | None, name: str) -> Runner:
        return Runner(case, run_mode, run_loader, built_dir, os.path.join(leg_dir, name), deadline,
                      symcache_tool)
    try:
        check_available(case, mode)
        if mode == "system":
            first = runner("system", None, "run1").run()
            text1 = render(first)
            if case.skip_if and (reason := case.skip_if(text1)):
                raise Skip(reason)
            problems = oracle_problems(case, first)
            second = runner("system", None, "run2").run()
            text2 = render(second)
            problems += [p + " (second run)" for p in oracle_problems(case, second)
                         if p not in problems]
            if problems:
                print(f"FAIL {label}: the case fails under the system loader:")
                for problem in problems:
                    print(f"     {problem}")
                print(f"     transcript: {os.path.join(leg_dir, 'run1', 'transcript.txt')}")
                sys.stdout.write("".join("     | " + line + "\n" for line in
                                         text1.splitlines()[:DIFF_LINES_SHOWN]))
                return EXIT_FAIL
            if text1 != text2:
                print(f"FAIL {label}: two runs under the system loader differ "
                      "(the case is not deterministic, or needs a normalisation)")
                show_diff(text1, text2, "run1", "run2")
                return EXIT_FAIL
            print(f"ok   {label} ({len(case.steps)} steps, deterministic)")
            return EXIT_PASS

        if not loader:
            print(f"FAIL {label}: no --loader given")
            return EXIT_FAIL
        if not os.path.isfile(loader):
            print(f"FAIL {label}: no loader at {loader} (not built yet?)")
            return EXIT_FAIL
        oracle = runner("system", None, "oracle").run()
        oracle_text = render(oracle)
        if case.skip_if and (reason := case.skip_if(oracle_text)):
            raise Skip(reason)
        problems = oracle_problems(case, oracle)
        if problems:
            print(f"FAIL {label}: the oracle (system loader) fails, so nothing is compared; "
                  f"see {case.name}/system: {'; '.join(problems)}")
            return EXIT_FAIL
        if mode in BASE_MODE and not symcache_tool:
            print(f"FAIL {label}: no --symcache-tool given")
            return EXIT_FAIL
        tested_runner = runner(mode, loader, "tested")
        tested = tested_runner.run()
        tested_text = render(tested)
        if mode in BASE_MODE and tested_text == oracle_text and not any(r.died for r in tested):
            report = tested_runner.image_report
            # Our loader's report per process: "symbol cache: STATE" then
            # "images: STATE". Every hit must map the images; some process
            # must hit, except under valgrind (no vDSO in its auxv: another
            # object list, a miss by design).
            states = re.findall(r"symbol cache: (\w+).*\n.*images: ([^,]+),", report)
            hits = [images for cache, images in states if cache == "hit"]
            if tested_runner.images_recorded and (any(images != "used" for images in hits) or
                                                  (not hits and case.name != "valgrind_ls")):
                print(f"FAIL {label}: images were recorded but a run did not map them")
                print("     LD_DEBUG=statistics said: " + (report.strip()[:2000] or "(nothing)"))
                return EXIT_FAIL
            print(f"ok   {label}" + (" (images mapped)" if tested_runner.images_recorded else " (no images)"))
            return EXIT_PASS
        if tested_text == oracle_text and not any(r.died for r in tested):
            print(f"ok   {label}")
            return EXIT_PASS
        died = [r for r in tested if r.died]
        why = f"{died[0].status} in `{died[0].header.splitlines()[-1][2:]}`" if died \
            else "output or exit status differs from the system loader's"
        print(f"FAIL {label}: {why}")
        print(f"     loader: {loader}")
        print(f"     run directory: {os.path.join(leg_dir, 'tested')} (commands.sh, transcript.txt)")
        for expected, result in zip(oracle, tested):
            if render([expected]) != render([result]):
                print(f"     command: {result.command}")
        show_diff(oracle_text, tested_text, "system loader", f"{mode} ({loader})")
        return EXIT_FAIL
    except Skip as skip:
        print(f"skip {label}: {skip}")
        return EXIT_SKIP
    except Broken as broken:
        print(f"FAIL {label}: {broken}")
        return EXIT_FAIL


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", help="a case's name, or 'all'")
    parser.add_argument("--mode", choices=MODES + ("all",), default="all")
    parser.add_argument("--loader", help=f"our loader (cmd, interp); ${LOADER_ENV} overrides it")
    parser.add_argument("--symcache-tool", help="rtld-symcache (the image modes)")
    parser.add_argument("--built-dir", help="where the programs built for the cases are")
    parser.add_argument("--work-root", help="where run directories go (default: a new "
                        "directory under $TMPDIR)")
    parser.add_argument("--time-limit", type=float, default=300, metavar="S",
                        help="seconds for one leg, all its runs (steps still running then "
                        f"are killed and fail; one step has at most {STEP_TIMEOUT_S} s)")
    parser.add_argument("--list", action="store_true", help="list the cases")
    args = parser.parse_args()

    if args.list:
        for case in compat_cases.CASES:
            print(f"{case.name:16} {case.what}")
        return EXIT_PASS
    if not args.case:
        parser.error("--case is required (or --list)")
    if args.case == "all":
        selected = compat_cases.CASES
    elif args.case in compat_cases.CASES_BY_NAME:
        selected = [compat_cases.CASES_BY_NAME[args.case]]
    else:
        parser.error(f"no case {args.case!r}; --list shows them")
    modes = MODES if args.mode == "all" else (args.mode,)

    loader = os.environ.get(LOADER_ENV) or args.loader
    if os.environ.get(LOADER_ENV) and args.mode != "system":
        print(f"note: ${LOADER_ENV} is set: the loader tested is {loader}")
    loader = os.path.abspath(loader) if loader else None
    work_root = args.work_root or os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                               f"rtld-compat-{os.getpid()}")
    built_dir = os.path.abspath(args.built_dir) if args.built_dir else None

    if len(selected) * len(modes) == 1:
        return run_leg(selected[0], modes[0], loader, built_dir, work_root, args.time_limit, args.symcache_tool)
    outcome = {EXIT_PASS: [], EXIT_FAIL: [], EXIT_SKIP: []}
    for case in selected:
        for mode in modes:
            started = time.monotonic()
            status = run_leg(case, mode, loader, built_dir, work_root, args.time_limit, args.symcache_tool)
            print(f"     ({time.monotonic() - started:.1f} s)")
            outcome[status].append(f"{case.name}/{mode}")
    print(f"{len(outcome[EXIT_PASS])} passed, {len(outcome[EXIT_FAIL])} failed, "
          f"{len(outcome[EXIT_SKIP])} skipped")
    for name in outcome[EXIT_FAIL]:
        print(f"  failed: {name}")
    for name in outcome[EXIT_SKIP]:
        print(f"  skipped: {name}")
    if outcome[EXIT_FAIL]:
        return EXIT_FAIL
    return EXIT_PASS if outcome[EXIT_PASS] else EXIT_SKIP


if __name__ == "__main__":
    sys.exit(main())
