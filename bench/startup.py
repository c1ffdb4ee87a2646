#!/usr/bin/env python3
"""Start-up latency of one program under glibc's loader and under ours,
measured side by side in one run.

Usage: startup.py --loader LD_SO [--runs N] [--env K=V ...] PROGRAM [ARGS...]

The program runs through its own PT_INTERP (glibc's loader) and through a
copy whose PT_INTERP is our loader (made with patchelf in a temporary
directory next to nothing else; set LD_LIBRARY_PATH with --env if the
program finds its libraries through $ORIGIN, or pass a program whose copy
can stay beside it with --in-place). Runs alternate A/B/A/B; the report
gives the median and spread of each and the ratio ours/glibc.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


DEVNULL = os.open(os.devnull, os.O_WRONLY)
QUIET = [(os.POSIX_SPAWN_DUP2, DEVNULL, 1), (os.POSIX_SPAWN_DUP2, DEVNULL, 2)]


def run_once(argv, env):
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=QUIET)
    _, status, rusage = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    if not os.WIFEXITED(status):
        raise RuntimeError(f"{argv[0]} died with status {status}")
    cpu = (rusage.ru_utime + rusage.ru_stime) * 1e9
    return t1 - t0, cpu


def summarize(name, walls, cpus):
    med = statistics.median(walls)
    q = statistics.quantiles(walls, n=4)
    return {"name": name, "median_us": med / 1000, "p25_us": q[0] / 1000, "p75_us": q[2] / 1000,
            "cpu_median_us": statistics.median(cpus) / 1000}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loader", required=True, help="our ld.so")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--env", action="append", default=[], help="K=V for both runs")
    ap.add_argument("--in-place", action="store_true",
                    help="put the patched copy beside the program (for $ORIGIN)")
    ap.add_argument("program", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    if not a.program:
        ap.error("PROGRAM missing")
    prog = os.path.abspath(a.program[0])
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for kv in a.env:
        k, _, v = kv.partition("=")
        env[k] = v
    tmp = tempfile.mkdtemp(prefix="rtld-bench-")
    try:
        copy = (prog + ".rtld-bench") if a.in_place else os.path.join(tmp, os.path.basename(prog))
        shutil.copy2(prog, copy)
        subprocess.run(["patchelf", "--set-interpreter", os.path.abspath(a.loader), copy], check=True)
        glibc_argv = [prog] + a.program[1:]
        ours_argv = [copy] + a.program[1:]
        for argv in (glibc_argv, ours_argv):  # warm the page cache
            run_once(argv, env)
        res = {"glibc": ([], []), "rtld": ([], [])}
        for _ in range(a.runs):
            for name, argv in (("glibc", glibc_argv), ("rtld", ours_argv)):
                w, c = run_once(argv, env)
                res[name][0].append(w)
                res[name][1].append(c)
        g = summarize("glibc ld.so", *res["glibc"])
        o = summarize("rtld", *res["rtld"])
        print(f"program: {' '.join(a.program)}   runs: {a.runs} each, interleaved")
        for s in (g, o):
            print(f"  {s['name']:12s} median {s['median_us']:9.1f} us  (p25 {s['p25_us']:.1f}, "
                  f"p75 {s['p75_us']:.1f})  cpu median {s['cpu_median_us']:.1f} us")
        print(f"  ratio rtld/glibc (median wall): {o['median_us'] / g['median_us']:.3f}")
    finally:
        if a.in_place:
            try:
                os.unlink(prog + ".rtld-bench")
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
