#!/usr/bin/env python3
"""Start-up scaling sweep: synthetic libc-free workloads (tools/gen-workload.py)
of growing size, each started under glibc's loader, musl's loader and ours,
interleaved in one run. Writes a Markdown table, a CSV file and, when
matplotlib is installed, a PNG plot.

Usage: sweep.py --loader LD_SO [--out DIR] [--runs N]
                [--libs 1,10,50,100,200,400] [--relocs 50]
                [--reloc-totals 1000,10000,100000] [--reloc-libs 50]

Each point reports the median exec-to-exit wall time of `runs` runs per
loader and the ratios to glibc's loader. Programs run through their own
PT_INTERP (glibc), through a patched copy (ours) and as an argument of
musl's loader (musl; skipped when /lib/ld-musl-x86_64.so.1 is missing).
"""
import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "tools", "gen-workload.py")
MUSL = "/lib/ld-musl-x86_64.so.1"
DEVNULL = os.open(os.devnull, os.O_WRONLY)
QUIET = [(os.POSIX_SPAWN_DUP2, DEVNULL, 1), (os.POSIX_SPAWN_DUP2, DEVNULL, 2)]


def wall(argv):
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, {"PATH": "/usr/bin:/bin"}, file_actions=QUIET)
    _, status = os.waitpid(pid, 0)
    t1 = time.perf_counter_ns()
    if status != 0:
        raise RuntimeError(f"{argv} failed with status {status}")
    return (t1 - t0) / 1000.0


def workload(out, libs, relocs):
    d = os.path.join(out, f"wl-{libs}x{relocs}")
    prog = os.path.join(d, "prog")
    if not os.path.exists(prog):
        subprocess.run([sys.executable, GEN, "--out", d, "--libs", str(libs), "--funcs", "20",
                        "--relocs", str(relocs)], check=True, stdout=subprocess.DEVNULL)
    return prog


def measure(prog, loader, runs):
    ours = prog + ".rtld"
    shutil.copy2(prog, ours)
    subprocess.run(["patchelf", "--set-interpreter", os.path.abspath(loader), ours], check=True)
    variants = {"glibc": [prog], "rtld": [ours]}
    if os.path.exists(MUSL):
        variants["musl"] = [MUSL, prog]
    for argv in variants.values():  # warm the page cache
        wall(argv)
    times = {k: [] for k in variants}
    for _ in range(runs):
        for k, argv in variants.items():
            times[k].append(wall(argv))
    return {k: statistics.median(v) for k, v in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loader", required=True)
    ap.add_argument("--out", default="build/sweep")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--libs", default="1,10,50,100,200,400")
    ap.add_argument("--relocs", type=int, default=50, help="symbolic relocations per library (library sweep)")
    ap.add_argument("--reloc-totals", default="1000,10000,100000")
    ap.add_argument("--reloc-libs", type=int, default=50)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    points = []
    for n in [int(x) for x in a.libs.split(",") if x]:
        points.append(("libraries", n, n, a.relocs))
    for total in [int(x) for x in a.reloc_totals.split(",") if x]:
        points.append(("relocations", total, a.reloc_libs, max(1, total // a.reloc_libs)))
    rows = []
    for sweep, x, libs, relocs in points:
        prog = workload(a.out, libs, relocs)
        med = measure(prog, a.loader, a.runs)
        row = {"sweep": sweep, "x": x, "libs": libs, "relocs_per_lib": relocs,
               "glibc_us": med["glibc"], "rtld_us": med["rtld"], "musl_us": med.get("musl"),
               "rtld_vs_glibc": med["rtld"] / med["glibc"],
               "musl_vs_glibc": (med["musl"] / med["glibc"]) if "musl" in med else None}
        rows.append(row)
        print(f"{sweep:11s} {x:>7}  glibc {row['glibc_us']:9.0f} us  rtld {row['rtld_us']:9.0f} us "
              f"({row['rtld_vs_glibc']:.3f})  musl "
              + (f"{row['musl_us']:9.0f} us ({row['musl_vs_glibc']:.3f})" if row["musl_us"] else "-"),
              flush=True)
    with open(os.path.join(a.out, "sweep.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(a.out, "sweep.md"), "w") as f:
        f.write(f"Median exec-to-exit wall time, {a.runs} interleaved runs per loader and point.\n\n")
        f.write("| sweep | libraries | relocations | glibc (us) | rtld (us) | musl (us) | rtld/glibc | musl/glibc |\n")
        f.write("|---|---:|---:|---:|---:|---:|---:|---:|\n")
        for r in rows:
            musl = f"{r['musl_us']:.0f}" if r["musl_us"] else "-"
            mr = f"{r['musl_vs_glibc']:.3f}" if r["musl_vs_glibc"] else "-"
            f.write(f"| {r['sweep']} | {r['libs']} | {r['libs'] * r['relocs_per_lib']} | {r['glibc_us']:.0f} | "
                    f"{r['rtld_us']:.0f} | {musl} | {r['rtld_vs_glibc']:.3f} | {mr} |\n")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for ax, sweep, label in ((axes[0], "libraries", "libraries"),
                                 (axes[1], "relocations", "symbolic relocations")):
            rs = [r for r in rows if r["sweep"] == sweep]
            if not rs:
                continue
            xs = [r["x"] for r in rs]
            for key, name in (("glibc_us", "glibc ld.so"), ("rtld_us", "rtld"), ("musl_us", "musl ld.so")):
                if all(r[key] for r in rs):
                    ax.plot(xs, [r[key] / 1000 for r in rs], marker="o", label=name)
            ax.set_xscale("log")
            ax.set_xlabel(label)
            ax.set_ylabel("median start-up wall time (ms)")
            ax.grid(True, alpha=0.3)
            ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(a.out, "sweep.png"), dpi=100)
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr)
    print(f"wrote {a.out}/sweep.md, sweep.csv" + (", sweep.png" if os.path.exists(os.path.join(a.out, "sweep.png")) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
