#!/usr/bin/env python3
"""Start-up cost of one program under glibc's loader and under ours (and
musl's with --musl), measured side by side in one run.

Usage: startup.py --loader LD_SO [--runs N] [--env K=V ...] [--in-place]
                  [--musl] [--no-strace] [--md FILE] [--csv FILE] PROGRAM [ARGS...]
       startup.py --loader LD_SO --real [--runs N] [--md FILE] [--csv FILE]

The program runs through its own PT_INTERP (glibc's loader) and through a
copy whose PT_INTERP is our loader (made with patchelf in a temporary
directory; set LD_LIBRARY_PATH with --env if the program finds its
libraries through $ORIGIN, or pass --in-place to put the copy beside it).
Runs alternate A/B/A/B. Columns (see bench/harness.py): median wall time
(p25-p75), CPU time, spawn-to-entry time (programs built with
gen-workload.py --stamp), the loader's own start-up time report, system
calls up to the program's first, and ratios to glibc.

--real runs system programs (/bin/true, python3 -c pass, clang-14
--version, gdb --version, cmake --version) under glibc's loader and, where
ours can start them (command mode: LD_SO PROGRAM ARGS), under ours; where
ours cannot yet, the row says "not yet supported". Their system-call counts
cover the whole process.
"""
import argparse
import csv
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def real_rows(loader, runs, strace=True):
    out = []
    for label, argv in harness.REAL_WORKLOADS:
        if not os.path.exists(argv[0]):
            continue
        variants = [harness.Variant("glibc", argv),
                    harness.Variant("rtld", [os.path.abspath(loader)] + argv)]
        rows = harness.measure(variants, runs, marker=None, strace=strace)
        out += [(label, r) for r in rows]
        print(f"  {label}: " + ", ".join(f"{r['loader']} {harness.fmt(r['wall_us'])} us"
                                          if r["status"] == "ok" else f"{r['loader']} {r['status']}"
                                          for r in rows), flush=True)
    return out


def write_outputs(labelled, md, csv_path, title):
    table = harness.md_table(labelled)
    print(table)
    if md:
        with open(md, "w") as f:
            f.write(title + "\n\n" + table)
    if csv_path:
        with open(csv_path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["workload"] + list(labelled[0][1].keys()))
            w.writeheader()
            for label, row in labelled:
                w.writerow({"workload": label, **row})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loader", required=True, help="our ld.so")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--env", action="append", default=[], help="K=V for every run")
    ap.add_argument("--in-place", action="store_true",
                    help="put the patched copy beside the program (for $ORIGIN)")
    ap.add_argument("--musl", action="store_true", help="also musl's loader (command mode)")
    ap.add_argument("--real", action="store_true", help="the system programs instead of PROGRAM")
    ap.add_argument("--no-strace", action="store_true", help="skip the system-call count")
    ap.add_argument("--md", help="write the table here (Markdown)")
    ap.add_argument("--csv", help="write the rows here (CSV)")
    ap.add_argument("program", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    if a.real:
        labelled = real_rows(a.loader, a.runs, not a.no_strace)
        write_outputs(labelled, a.md, a.csv, f"System programs, {a.runs} interleaved runs per loader.")
        return 0
    if not a.program:
        ap.error("PROGRAM missing")
    prog = os.path.abspath(a.program[0])
    env = {}
    for kv in a.env:
        k, _, v = kv.partition("=")
        env[k] = v
    tmp = tempfile.mkdtemp(prefix="rtld-bench-")
    copy = (prog + ".rtld-bench") if a.in_place else os.path.join(tmp, os.path.basename(prog))
    try:
        harness.patched_copy(prog, a.loader, copy)
        variants = [harness.Variant("glibc", [prog] + a.program[1:]),
                    harness.Variant("rtld", [copy] + a.program[1:])]
        if a.musl and os.path.exists(harness.MUSL):
            variants.append(harness.Variant("musl", [harness.MUSL, prog] + a.program[1:]))
        rows = harness.measure(variants, a.runs, env=env, strace=not a.no_strace)
        print(f"program: {' '.join(a.program)}   runs: {a.runs} each, interleaved")
        for r in rows:
            if r["status"] != "ok":
                print(f"  {r['loader']:6s} {r['status']}")
                continue
            sc = "-" if r["syscalls"] is None else f"{r['syscalls']} ({r['failed_syscalls']} failed)"
            print(f"  {r['loader']:6s} wall median {r['wall_us']:9.1f} us (p25 {r['wall_p25_us']:.1f}, "
                  f"p75 {r['wall_p75_us']:.1f})  cpu {r['cpu_us']:.1f} us  entry {harness.fmt(r['entry_us'], 1)} us  "
                  f"in-loader {harness.fmt(r['in_loader_us'], 1)} us  syscalls {sc}")
        for r in rows[1:]:
            if r["status"] == "ok":
                print(f"  ratio {r['loader']}/glibc: wall {harness.fmt(r['wall_vs_glibc'], 3)}, "
                      f"cpu {harness.fmt(r['cpu_vs_glibc'], 3)}, entry {harness.fmt(r['entry_vs_glibc'], 3)}, "
                      f"syscalls {harness.fmt(r['syscalls_vs_glibc'], 3)}")
        if a.md or a.csv:
            write_outputs([(os.path.basename(prog), r) for r in rows], a.md, a.csv,
                          f"{' '.join(a.program)}, {a.runs} interleaved runs per loader.")
    finally:
        if a.in_place:
            try:
                os.unlink(copy)
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
