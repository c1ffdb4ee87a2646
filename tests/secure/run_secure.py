#!/usr/bin/env python3
"""Secure mode (AT_SECURE) under glibc's loader and ours, compared.

A glibc program (secure_env.c: prints AT_SECURE and its environment) is
copied twice into a fresh directory, owned by root and set-user-ID:

    glibc/secure_env   PT_INTERP /lib64/ld-linux-x86-64.so.2 (the oracle)
    ours/secure_env    PT_INTERP ours/ld.so (a copy of --loader)

both with DT_RUNPATH DIR/lib, where libsecure_pre.so (set-user-ID) and
libsecure_nosuid.so (the same library, not set-user-ID) are. Each scenario
starts both copies as nobody (setpriv --reuid=65534, then `env -i` with the
scenario's variables and nothing else), so the kernel gives them AT_SECURE,
and compares exit status, stdout and stderr (DIR normalised). Besides, each
scenario checks the oracle itself (AT_SECURE=1; the variables glibc 2.36's
unsecvars.h lists are gone), so a broken set-up cannot pass by accident.

Scenarios: each variable of glibc 2.36's list alone, then all of them;
GLIBC_TUNABLES with several tunables and edge cases, filtered to those
glibc keeps for set-user-ID programs (security level not SXID_ERASE), and
the tunables' environment aliases; LD_PRELOAD (a set-user-ID library in the
run path is loaded, others are refused, paths skipped); LD_TRACE_LOADED_OBJECTS
(exit 5); and where glibc and we differ by design, the loader's own
variables: RTLD_SYMCACHE, RTLD_SYMCACHE_SOCKET and RTLD_STATS are removed
by ours (glibc does not know them and keeps them), RTLD_SYMCACHE_IMAGES
stays.

With /etc/suid-debug (made in a private mount namespace: an overlay over
/etc, so the machine's /etc never changes; skipped when the kernel refuses
it): LD_DEBUG writes debug lines to stderr (not to LD_DEBUG_OUTPUT), and
MALLOC_CHECK_ and glibc.malloc.check stay. The debug lines differ between
the loaders by design; only their presence is compared there.

Needs root, setpriv and patchelf (exit 77, skipped, otherwise).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

GLIBC_LOADER = "/lib64/ld-linux-x86-64.so.2"
NOBODY = 65534

# glibc 2.36, sysdeps/generic/unsecvars.h (built with tunables, so without
# GLIBC_TUNABLES), with a value that would matter if the variable stayed.
UNSECVARS = {
    "GCONV_PATH": "$DIR/gconv",
    "GETCONF_DIR": "$DIR",
    "HOSTALIASES": "$DIR/hosts",
    "LD_AUDIT": "$DIR/lib/libsecure_pre.so",
    "LD_DEBUG": "all",
    "LD_DEBUG_OUTPUT": "$DIR/debug",
    "LD_DYNAMIC_WEAK": "1",
    "LD_HWCAP_MASK": "0",
    "LD_LIBRARY_PATH": "$DIR/evil",
    "LD_ORIGIN_PATH": "$DIR/evil",
    "LD_PRELOAD": "$DIR/lib/libsecure_pre.so",
    "LD_PROFILE": "libsecure_pre.so",
    "LD_SHOW_AUXV": "1",
    "LOCALDOMAIN": "example.invalid",
    "LOCPATH": "$DIR/locale",
    "MALLOC_TRACE": "$DIR/mtrace",
    "NIS_PATH": "$DIR/nis",
    "NLSPATH": "$DIR/%N",
    "RESOLV_HOST_CONF": "$DIR/host.conf",
    "RES_OPTIONS": "debug",
    "TMPDIR": "$DIR/tmp",
    "TZDIR": "$DIR/zoneinfo",
}

# The environment aliases of glibc 2.36's tunables (dl-tunables.list):
# MALLOC_CHECK_ and LD_HWCAP_MASK belong to SXID_ERASE tunables (removed),
# the others to SXID_IGNORE ones (kept, not used).
TUNABLE_ALIASES = {
    "MALLOC_CHECK_": "3", "MALLOC_TOP_PAD_": "4096", "MALLOC_PERTURB_": "85",
    "MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072",
    "MALLOC_MMAP_MAX_": "100", "MALLOC_ARENA_MAX": "1", "MALLOC_ARENA_TEST": "2",
    "LD_HWCAP_MASK": "0",
}

# GLIBC_TUNABLES values: several tunables of each security level, unknown
# names, empty and valueless entries, values holding '=' (which Debian 12's
# glibc, with the CVE-2023-4911 fix, does not parse again), a value longer
# than what was dropped before it (glibc rewrites the string in place).
TUNABLE_STRINGS = [
    "glibc.malloc.mxfast=0:glibc.rtld.nns=2:glibc.malloc.check=3:glibc.mem.tagging=1:"
    "glibc.cpu.hwcaps=-AVX2:no.such.tunable=5:glibc.malloc.arena_max=1:"
    "glibc.malloc.tcache_count=0:glibc.malloc.top_pad=4096:glibc.pthread.rseq=0",
    "glibc.rtld.nns=2:glibc.malloc.check=3",
    "",
    "glibc.malloc.mxfast",
    ":::glibc.malloc.arena_max=2::",
    "glibc.malloc.arena_max=1=2:glibc.malloc.mxfast=3",
    "glibc.rtld.nns=glibc.malloc.mxfast=5",
    "glibc.rtld.nns=1:glibc.malloc.mmap_threshold=123456789012345678901234567890",
    "glibc.malloc.perturb=85:",
]

# The loader's own variables: removed in secure mode (glibc keeps them).
OURS_REMOVED = ["RTLD_SYMCACHE", "RTLD_SYMCACHE_SOCKET", "RTLD_STATS"]

DEBUG_LINE = re.compile(r"^ *\d+:\t", re.M)


@dataclass
class Result:
    rc: int
    out: str
    err: str

    def env(self) -> list[str]:
        return [line[5:] for line in self.out.splitlines() if line.startswith("env: ")]

    def __str__(self) -> str:
        return f"exit {self.rc}\n--- stdout\n{self.out}--- stderr\n{self.err}"


class Runner:
    def __init__(self, args: argparse.Namespace, root: str):
        self.dir = root
        self.overlay_ok: bool | None = None
        os.chmod(root, 0o755)
        lib = os.path.join(root, "lib")
        os.mkdir(lib, 0o755)
        shutil.copy(args.preload, os.path.join(lib, "libsecure_pre.so"))
        os.chmod(os.path.join(lib, "libsecure_pre.so"), 0o4755)
        shutil.copy(args.preload, os.path.join(lib, "libsecure_nosuid.so"))
        os.chmod(os.path.join(lib, "libsecure_nosuid.so"), 0o755)
        # What LD_LIBRARY_PATH names: a libc.so.6 that is no ELF file.
        os.mkdir(os.path.join(root, "evil"), 0o755)
        with open(os.path.join(root, "evil", "libc.so.6"), "w") as f:
            f.write("not an ELF file\n")
        self.progs = {}
        for who, interp in (("glibc", GLIBC_LOADER), ("ours", os.path.join(root, "ours", "ld.so"))):
            d = os.path.join(root, who)
            os.mkdir(d, 0o755)
            if who == "ours":
                shutil.copy(args.loader, interp)
                os.chmod(interp, 0o755)
            prog = os.path.join(d, "secure_env")
            shutil.copy(args.prog, prog)
            subprocess.run(["patchelf", "--set-interpreter", interp, "--set-rpath", lib, prog], check=True)
            os.chown(prog, 0, 0)
            os.chmod(prog, 0o4755)
            self.progs[who] = d
        # The overlay's layers (nobody must be able to look up through them).
        for path in (os.path.join(root, "upper"), os.path.join(root, "work")):
            os.mkdir(path, 0o755)
        with open(os.path.join(root, "upper", "suid-debug"), "w"):
            pass

    def expand(self, value: str) -> str:
        return value.replace("$DIR", self.dir)

    def run(self, who: str, env: list[tuple[str, str]], suid_debug: bool = False) -> Result:
        cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--",
               "/usr/bin/env", "-i"] + [f"{k}={self.expand(v)}" for k, v in env] + ["./secure_env"]
        if suid_debug:
            # /etc with suid-debug added, for this process tree only.
            mount = (f"mount -t overlay overlay -o lowerdir=/etc,upperdir={self.dir}/upper,"
                     f"workdir={self.dir}/work /etc && exec \"$@\"")
            cmd = ["unshare", "--mount", "sh", "-c", mount, "sh"] + cmd
        p = subprocess.run(cmd, cwd=self.progs[who], capture_output=True, text=True, timeout=60,
                           env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
        norm = lambda s: s.replace(self.dir, "$DIR")
        return Result(p.returncode, norm(p.stdout), norm(p.stderr))

    def suid_debug_available(self) -> bool:
        if self.overlay_ok is None:
            p = subprocess.run(["unshare", "--mount", "sh", "-c",
                                f"mount -t overlay overlay -o lowerdir=/etc,upperdir={self.dir}/upper,"
                                f"workdir={self.dir}/work /etc && exec \"$@\"", "sh",
                                "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                                "--", "test", "-e", "/etc/suid-debug"],
                               capture_output=True, text=True, timeout=60)
            self.overlay_ok = p.returncode == 0
            if not self.overlay_ok:
                print(f"note: no private /etc with suid-debug here ({p.stderr.strip()}); "
                      "the /etc/suid-debug scenarios are skipped")
        return self.overlay_ok


class Checker:
    def __init__(self, runner: Runner):
        self.r = runner
        self.failures: list[str] = []
        self.count = 0

    def fail(self, name: str, why: str, glibc: Result | None = None, ours: Result | None = None) -> None:
        text = f"FAIL {name}: {why}"
        if glibc is not None:
            text += f"\n  glibc's loader: {glibc}".replace("\n", "\n    ")
        if ours is not None:
            text += f"\n  ours: {ours}".replace("\n", "\n    ")
        self.failures.append(text)
        print(text)

    def oracle_sane(self, name: str, glibc: Result) -> bool:
        if glibc.rc == 0 and "AT_SECURE=1" not in glibc.out:
            self.fail(name, "the program did not run with AT_SECURE=1 (set-up broken)", glibc)
            return False
        return True

    def same(self, name: str, env: list[tuple[str, str]], drop_ours: list[str] = (),
             suid_debug: bool = False) -> tuple[Result, Result] | None:
        """Runs both, requires identical results (ours without the lines of
        the variables in drop_ours, which only glibc keeps)."""
        self.count += 1
        glibc = self.r.run("glibc", env, suid_debug)
        ours = self.r.run("ours", env, suid_debug)
        if not self.oracle_sane(name, glibc):
            return None
        want_out = "".join(line + "\n" for line in glibc.out.splitlines()
                           if not any(line.startswith(f"env: {v}=") for v in drop_ours))
        if (ours.rc, ours.out, ours.err) != (glibc.rc, want_out, glibc.err):
            why = "not the same as under glibc's loader"
            if drop_ours:
                why += f" (less {', '.join(drop_ours)}, which ours removes)"
            self.fail(name, why, glibc, ours)
            return None
        print(f"ok   {name}")
        return glibc, ours


def scenarios(c: Checker, runner: Runner) -> None:
    keep = [("KEEP", "1"), ("LD_BIND_NOW", "1")]
    c.same("baseline", keep)

    # Each variable of glibc 2.36's list alone: gone, nothing else changed.
    for name, value in UNSECVARS.items():
        env = [("BEFORE", "1"), (name, value), ("AFTER", "2")]
        if name == "LD_DEBUG_OUTPUT":
            env.insert(1, ("LD_DEBUG", "libs"))
        res = c.same(f"unsecvar {name}", env)
        if res is None:
            continue
        glibc, _ = res
        if any(e.startswith(name + "=") for e in glibc.env()):
            c.fail(f"unsecvar {name}", "glibc's loader kept it: the list is not glibc 2.36's", glibc)
    c.same("unsecvars all at once", [("KEEP", "1")] + list(UNSECVARS.items()) +
           [(name, "again") for name in ("LD_PRELOAD", "TMPDIR")])
    if any(f.startswith("debug.") for f in os.listdir(runner.dir)):
        c.fail("LD_DEBUG_OUTPUT", "a debug file was written in secure mode")

    # Tunables.
    for value in TUNABLE_STRINGS:
        c.same(f"GLIBC_TUNABLES={value!r}", [("KEEP", "1"), ("GLIBC_TUNABLES", value)])
    c.same("GLIBC_TUNABLES twice", [("GLIBC_TUNABLES", TUNABLE_STRINGS[0]), ("KEEP", "1"),
                                    ("GLIBC_TUNABLES", "glibc.malloc.mxfast=1:glibc.rtld.nns=3")])
    res = c.same("tunable aliases", [("KEEP", "1")] + list(TUNABLE_ALIASES.items()))
    if res is not None and any(e.startswith("MALLOC_CHECK_=") for e in res[0].env()):
        c.fail("tunable aliases", "glibc's loader kept MALLOC_CHECK_ without /etc/suid-debug", res[0])

    # LD_PRELOAD: a set-user-ID library found in the run path is loaded; a
    # library that is not set-user-ID (also one from ld.so.cache) is
    # refused with a message; a path is skipped silently.
    res = c.same("LD_PRELOAD set-user-ID library", [("LD_PRELOAD", "libsecure_pre.so")])
    if res is not None and "secure_pre: loaded" not in res[0].err:
        c.fail("LD_PRELOAD set-user-ID library", "glibc's loader did not load it (set-up broken)", res[0])
    c.same("LD_PRELOAD library not set-user-ID", [("LD_PRELOAD", "libsecure_nosuid.so")])
    c.same("LD_PRELOAD system library (ld.so.cache)", [("LD_PRELOAD", "libm.so.6")])
    c.same("LD_PRELOAD path", [("LD_PRELOAD", "$DIR/lib/libsecure_pre.so")])
    c.same("LD_PRELOAD list", [("LD_PRELOAD", "libsecure_nosuid.so:libsecure_pre.so libm.so.6 "
                                              "$DIR/lib/libsecure_pre.so")])
    c.same("LD_PRELOAD overlong name", [("LD_PRELOAD", "lib" + "x" * 300 + ".so")])

    # Listing the objects would show where everything is mapped: exit 5.
    for value in ("1", ""):
        c.same(f"LD_TRACE_LOADED_OBJECTS={value!r}", [("LD_TRACE_LOADED_OBJECTS", value)])

    # The loader's own variables (documented differences from glibc).
    ours_vars = [("KEEP", "1"), ("RTLD_SYMCACHE", "$DIR/cache"), ("RTLD_SYMCACHE_SOCKET", "$DIR/sock"),
                 ("RTLD_STATS", "json"), ("RTLD_SYMCACHE_IMAGES", "0")]
    res = c.same("RTLD_* variables", ours_vars, drop_ours=OURS_REMOVED)
    if res is not None and not any(e.startswith("RTLD_SYMCACHE_IMAGES=") for e in res[1].env()):
        c.fail("RTLD_* variables", "RTLD_SYMCACHE_IMAGES was removed", ours=res[1])

    # /etc/suid-debug: debugging output (to stderr, never a file) and
    # MALLOC_CHECK_ for set-user-ID programs.
    if not runner.suid_debug_available():
        return
    for env in ([("LD_DEBUG", "libs")], [("LD_DEBUG", "libs"), ("LD_DEBUG_OUTPUT", "$DIR/debug")]):
        name = "suid-debug " + " ".join(f"{k}={v}" for k, v in env)
        c.count += 1
        glibc = runner.run("glibc", [("KEEP", "1")] + env, suid_debug=True)
        ours = runner.run("ours", [("KEEP", "1")] + env, suid_debug=True)
        if not c.oracle_sane(name, glibc):
            continue
        if not DEBUG_LINE.search(glibc.err):
            c.fail(name, "glibc's loader wrote no debug lines (set-up broken)", glibc)
        elif (ours.rc, ours.out) != (glibc.rc, glibc.out) or not DEBUG_LINE.search(ours.err):
            c.fail(name, "not the same exit status and stdout, or no debug lines on stderr", glibc, ours)
        else:
            print(f"ok   {name}")
    if any(f.startswith("debug.") for f in os.listdir(runner.dir)):
        c.fail("suid-debug LD_DEBUG_OUTPUT", "a debug file was written in secure mode")
    res = c.same("suid-debug tunables", [("KEEP", "1"), ("MALLOC_CHECK_", "3"),
                                         ("GLIBC_TUNABLES", "glibc.malloc.check=3:glibc.rtld.nns=2")],
                 suid_debug=True)
    if res is not None and not any(e.startswith("MALLOC_CHECK_=") for e in res[0].env()):
        c.fail("suid-debug tunables", "glibc's loader removed MALLOC_CHECK_ (set-up broken)", res[0])
    # RTLD_STATS counts like LD_DEBUG: honoured with /etc/suid-debug.
    c.count += 1
    ours = runner.run("ours", [("RTLD_STATS", "json")], suid_debug=True)
    if '{"rtld_stats":' not in ours.err:
        c.fail("suid-debug RTLD_STATS", "no statistics with /etc/suid-debug", ours=ours)
    else:
        print("ok   suid-debug RTLD_STATS")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loader", required=True, help="the loader under test")
    parser.add_argument("--prog", required=True, help="secure_env, built against glibc")
    parser.add_argument("--preload", required=True, help="the library to preload (secure_pre.so)")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("skipped: needs root (set-user-ID root copies, run as nobody)")
        return 77
    for tool in ("setpriv", "patchelf", "unshare"):
        if shutil.which(tool) is None:
            print(f"skipped: {tool} is missing")
            return 77
    with tempfile.TemporaryDirectory(prefix="rtld-secure-") as root:
        runner = Runner(args, root)
        checker = Checker(runner)
        scenarios(checker, runner)
    print(f"{checker.count - len(checker.failures)} passed, {len(checker.failures)} failed")
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
