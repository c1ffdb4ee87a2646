#!/usr/bin/env python3
"""Run malformed-ELF cases under a loader and check its diagnosis.

A case is MUTATION:ROLE (see gen_corpus.py). The case directory is built in
a fresh temporary directory from the valid base files (prog, libbad.so,
libdep.so) with the corrupted file of the case in place, and the program is
run there with LD_LIBRARY_PATH naming that directory:

    prog        LOADER ./prog                  (prog corrupted)
    lib         LOADER ./prog                  (libbad.so corrupted)
    lib-interp  ./prog, PT_INTERP set to LOADER with patchelf (libbad.so
                corrupted)

What is required comes from expected.json, which records glibc 2.36's
behaviour on the same files (`--record` rewrites it):

    exact           glibc rejects the file with a message: our stderr and
                    exit status must be glibc's, after the temporary
                    directory and the loader path are replaced by $DIR and
                    $LOADER;
    exact-or-error  glibc's message, or a clear error as under "error"
                    (where glibc's message comes from reading or mapping past
                    what the file declares, so a stricter loader may stop
                    earlier);
    error           glibc crashes, hangs, fails an internal assertion or
                    gives no usable message: we must exit with 127 and a
                    message starting "./prog: error while loading shared
                    libraries: ";
    accept          glibc accepts and so must we: exit 0 printing "ok";
    either          glibc accepts; we may accept, or reject as under "error".

Whatever the requirement, death by a signal and running longer than the
timeout are failures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass

# Import the generator from beside this file, without leaving a __pycache__
# in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_corpus  # noqa: E402  (the mutation list and the ELF parser)

GLIBC_LOADER = "/lib64/ld-linux-x86-64.so.2"
PROGRAM = "./prog"
LOAD_ERROR_PREFIX = f"{PROGRAM}: error while loading shared libraries: "
VALID_OUTPUT = "ok\n"
TIMEOUT_S = 5
BASE_FILES = ("prog", "libbad.so", "libdep.so")
DEFAULT_EXPECTED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected.json")


@dataclass
class Outcome:
    """How one run ended, with the paths in its output normalised."""
    kind: str          # accept | error | signal | timeout | misbehave
    exit: int | None   # exit status, None when killed or timed out
    signal: str | None
    stdout: str
    stderr: str

    def describe(self) -> str:
        if self.kind == "signal":
            return f"killed by {self.signal}"
        if self.kind == "timeout":
            return f"still running after {TIMEOUT_S} s"
        return f"exit {self.exit}"


def interpreter_of(path: str) -> str | None:
    with open(path, "rb") as f:
        elf = gen_corpus.Elf(f.read())
    try:
        interp = elf.first_phdr(gen_corpus.PT_INTERP)
    except gen_corpus.ElfError:
        return None
    raw = elf.data[interp.p_offset:interp.p_offset + interp.p_filesz]
    return raw.split(b"\0", 1)[0].decode()


def prepare(tmp: str, base_dir: str, corpus: str, mutation: str, role: str,
            loader: str) -> list[str]:
    """Builds the case directory and returns the command to run in it."""
    for name in BASE_FILES:
        shutil.copy2(os.path.join(base_dir, name), tmp)
    variant = gen_corpus.variant_path(corpus, role, mutation)
    target = os.path.join(tmp, os.path.basename(variant))
    if not os.path.lexists(variant):
        raise FileNotFoundError(f"variant missing from the corpus: {variant}")
    os.remove(target)
    if os.path.isdir(variant):
        shutil.copytree(variant, target)
    else:
        shutil.copy2(variant, target)

    if role != "lib-interp":
        return [loader, PROGRAM]
    # The base program names glibc's loader; only another loader needs the
    # patched copy (and glibc's runs stay byte-identical to the base).
    prog = os.path.join(tmp, "prog")
    if interpreter_of(prog) != loader:
        subprocess.run(["patchelf", "--set-interpreter", loader, prog], check=True)
    return [PROGRAM]


def normalise(text: str, tmp: str, loader: str) -> str:
    for path in {os.path.realpath(tmp), tmp}:
        text = text.replace(path, "$DIR")
    return text.replace(loader, "$LOADER")


def run_case(loader: str, base_dir: str, corpus: str, mutation: str, role: str) -> Outcome:
    loader = os.path.abspath(loader)
    with tempfile.TemporaryDirectory(prefix="rtld-malformed-") as tmp:
        cmd = prepare(tmp, base_dir, corpus, mutation, role, loader)
        # A minimal environment: nothing of the caller's (LD_PRELOAD, say)
        # may change what the loader does.
        env = {"LD_LIBRARY_PATH": tmp, "LC_ALL": "C"}
        # Its own session, so that a timeout kills whatever it started too.
        proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            raw_out, raw_err = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raw_out, raw_err = proc.communicate()
            return Outcome("timeout", None, None,
                           normalise(raw_out.decode(errors="replace"), tmp, loader),
                           normalise(raw_err.decode(errors="replace"), tmp, loader))
        out = normalise(raw_out.decode(errors="replace"), tmp, loader)
        err = normalise(raw_err.decode(errors="replace"), tmp, loader)
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        return Outcome("signal", None, name, out, err)
    if proc.returncode == 0 and out == VALID_OUTPUT and not err:
        return Outcome("accept", 0, None, out, err)
    if proc.returncode != 0 and err:
        return Outcome("error", proc.returncode, None, out, err)
    return Outcome("misbehave", proc.returncode, None, out, err)


# --- Requirements ---------------------------------------------------------------

def requirement_from_glibc(m: gen_corpus.Mutation, glibc: Outcome) -> str:
    if glibc.kind == "error":
        # glibc's diagnostics name the program first; anything else (such as
        # "Inconsistency detected by ld.so: ... Assertion ... failed!") is an
        # internal failure of glibc's, not a message to copy.
        if glibc.stderr.startswith(f"{PROGRAM}: "):
            return m.if_glibc_rejects
        return "error"
    if glibc.kind == "accept":
        return m.if_glibc_accepts
    # Crashed, hung, or failed without saying why: nothing to copy.
    return "error"


def glibc_summary(glibc: Outcome) -> str:
    if glibc.kind == "signal":
        return f"crashes ({glibc.signal})"
    if glibc.kind == "timeout":
        return "hangs"
    if glibc.kind == "accept":
        return "accepts"
    if glibc.kind == "error" and glibc.stderr.startswith(f"{PROGRAM}: "):
        return "rejects"
    if glibc.kind == "error":
        return "internal assertion"
    return "misbehaves"


def check(expected: dict, got: Outcome) -> list[str]:
    """The ways `got` falls short of the expected entry (empty: it passes)."""
    if got.kind in ("signal", "timeout"):
        return [f"the loader must not crash or hang: {got.describe()}"]
    require = expected["require"]
    problems = []

    def clear_error() -> None:
        if got.kind != "error":
            problems.append(f"expected a load error, got {got.describe()} "
                            f"with stdout {got.stdout!r}")
            return
        if got.exit != 127:
            problems.append(f"exit status {got.exit}, expected 127")
        if not got.stderr.startswith(LOAD_ERROR_PREFIX):
            problems.append(f"stderr does not start with {LOAD_ERROR_PREFIX!r}")

    def same_as_glibc() -> None:
        if got.kind != "error":
            problems.append(f"expected glibc's error, got {got.describe()} "
                            f"with stdout {got.stdout!r}")
            return
        if got.exit != expected["exit"]:
            problems.append(f"exit status {got.exit}, glibc's is {expected['exit']}")
        if got.stderr != expected["stderr"]:
            problems.append("stderr differs from glibc's")

    if require == "exact":
        same_as_glibc()
    elif require == "exact-or-error":
        same_as_glibc()
        if problems:
            # Not glibc's message: then it must be a clear error of our own.
            problems.clear()
            clear_error()
            if problems:
                problems.insert(0, "neither glibc's error nor a clear load error:")
    elif require == "error":
        clear_error()
    elif require == "accept":
        if got.kind != "accept":
            problems.append(f"glibc accepts this file and so must we; got {got.describe()}")
    elif require == "either":
        if got.kind != "accept":
            clear_error()
    else:
        problems.append(f"unknown requirement {require!r} in the table")
    return problems


def load_table(path: str) -> dict:
    with open(path) as f:
        return json.load(f)["cases"]


def case_key(mutation: str, role: str) -> str:
    return f"{mutation}:{role}"


def report(key: str, expected: dict, got: Outcome, problems: list[str]) -> None:
    status = "FAIL" if problems else "ok"
    print(f"{status}: {key} (require {expected['require']}; "
          f"glibc: {expected['glibc']}): {got.describe()}")
    if expected["require"] == "exact":
        print(f"  glibc  stderr: {expected['stderr']!r}")
    print(f"  loader stderr: {got.stderr!r}")
    if got.stdout:
        print(f"  loader stdout: {got.stdout!r}")
    for p in problems:
        print(f"  - {p}")


# --- Commands -------------------------------------------------------------------

def glibc_entry(args: argparse.Namespace, mutation: str, role: str) -> dict:
    """The table entry of a case: glibc's behaviour and what follows for us."""
    m = gen_corpus.by_name(mutation)
    got = run_case(GLIBC_LOADER, args.base_dir, args.corpus, mutation, role)
    entry = {"description": m.description,
             "glibc": glibc_summary(got),
             "require": requirement_from_glibc(m, got)}
    if got.kind in ("error", "misbehave"):
        entry["exit"] = got.exit
        entry["stderr"] = got.stderr
    if got.stdout and got.kind != "accept":
        entry["stdout"] = got.stdout
    if m.note:
        entry["note"] = m.note
    return entry


def record(args: argparse.Namespace) -> int:
    """Runs glibc's loader on every case and rewrites the table."""
    cases = {}
    for mutation, role in gen_corpus.cases():
        entry = glibc_entry(args, mutation, role)
        cases[case_key(mutation, role)] = entry
        print(f"{case_key(mutation, role):40} {entry['glibc']:18} {entry['require']:14} "
              f"{entry.get('stderr', '').strip()[:90]}")
    glibc_version = subprocess.run([GLIBC_LOADER, "--version"], capture_output=True,
                                   text=True).stdout.splitlines()[0]
    table = {
        "comment": "Written by run_malformed.py --record from glibc's loader; "
                   "see run_malformed.py for what 'require' means.",
        "glibc": glibc_version,
        "cases": cases,
    }
    with open(args.expected, "w") as f:
        json.dump(table, f, indent=2, sort_keys=False)
        f.write("\n")
    return 0


def verify_glibc(args: argparse.Namespace) -> int:
    """Checks that glibc still behaves as the table says (a newer glibc, or a
    changed base file, makes the table stale)."""
    table = load_table(args.expected)
    stale = 0
    for mutation, role in gen_corpus.cases():
        key = case_key(mutation, role)
        entry = glibc_entry(args, mutation, role)
        if table.get(key) != entry:
            stale += 1
            print(f"stale: {key}\n  table: {table.get(key)}\n  glibc: {entry}")
    print(f"{stale} stale entries" if stale else "the table matches glibc")
    return 1 if stale else 0


def code_span(text: str) -> str:
    # glibc quotes names `like this'; a double-backtick span keeps them.
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def print_table(args: argparse.Namespace) -> int:
    """The table as Markdown, one row per mutation with its roles merged when
    they agree."""
    table = load_table(args.expected)
    print("| mutation | role | glibc 2.36 | we require |")
    print("|---|---|---|---|")
    for m in gen_corpus.MUTATIONS:
        entries = [(role, table[case_key(m.name, role)]) for role in m.roles]
        groups: list[tuple[list[str], dict]] = []
        for role, entry in entries:
            for roles, first in groups:
                if (first["glibc"], first["require"], first.get("stderr", "").replace(
                        "$DIR/", "")) == (entry["glibc"], entry["require"],
                                          entry.get("stderr", "").replace("$DIR/", "")):
                    roles.append(role)
                    break
            else:
                groups.append(([role], entry))
        for roles, entry in groups:
            glibc = entry["glibc"]
            if "stderr" in entry:
                glibc += f": {code_span(entry['stderr'].strip())}"
                if entry["exit"] != 127:
                    glibc += f" (exit {entry['exit']})"
            role_text = "all" if len(roles) == len(gen_corpus.ROLES_ALL) else ", ".join(roles)
            print(f"| `{m.name}`: {m.description} | {role_text} | {glibc} | "
                  f"{entry['require']} |")
    return 0


def run_cases(args: argparse.Namespace, keys: list[tuple[str, str]]) -> int:
    table = load_table(args.expected)
    failed = 0
    for mutation, role in keys:
        key = case_key(mutation, role)
        if key not in table:
            print(f"FAIL: {key}: no entry in {args.expected}; rerun with --record")
            failed += 1
            continue
        got = run_case(args.loader, args.base_dir, args.corpus, mutation, role)
        problems = check(table[key], got)
        if problems or not args.quiet:
            report(key, table[key], got, problems)
        failed += bool(problems)
    if len(keys) > 1:
        print(f"{len(keys) - failed} passed, {failed} failed")
    return 1 if failed else 0


def parse_case(text: str) -> tuple[str, str]:
    mutation, sep, role = text.partition(":")
    if not sep or (mutation, role) not in gen_corpus.cases():
        raise argparse.ArgumentTypeError(f"unknown case {text!r} (see gen_corpus.py --list)")
    return mutation, role


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loader", default=GLIBC_LOADER,
                        help=f"the loader under test (default: {GLIBC_LOADER})")
    parser.add_argument("--base-dir",
                        help="directory holding the valid prog, libbad.so and libdep.so")
    parser.add_argument("--corpus",
                        help="the corpus directory written by gen_corpus.py")
    parser.add_argument("--expected", default=DEFAULT_EXPECTED,
                        help="the table of glibc's behaviour (default: %(default)s)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--case", type=parse_case, action="append", metavar="MUTATION:ROLE",
                      help="run this case (repeatable)")
    what.add_argument("--all", action="store_true", help="run every case")
    what.add_argument("--record", action="store_true",
                      help="run glibc's loader on every case and rewrite --expected")
    what.add_argument("--verify-glibc", action="store_true",
                      help="check that glibc's loader still behaves as --expected says")
    what.add_argument("--table", action="store_true",
                      help="print --expected as a Markdown table and exit")
    parser.add_argument("--quiet", action="store_true", help="report failures only")
    args = parser.parse_args(argv)

    if args.table:
        return print_table(args)
    if not (args.base_dir and args.corpus):
        parser.error("--base-dir and --corpus are required to run cases")
    if args.record:
        return record(args)
    if args.verify_glibc:
        return verify_glibc(args)
    return run_cases(args, gen_corpus.cases() if args.all else args.case)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
