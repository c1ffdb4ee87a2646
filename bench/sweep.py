#!/usr/bin/env python3
"""The whole start-up harness in one command: synthetic workloads
(tools/gen-workload.py, built with --stamp) of growing size, generator
feature variants, and system programs, each started under glibc's loader,
ours and (libc-free workloads) musl's, interleaved. Writes sweep.md,
sweep.csv and, when matplotlib is installed, sweep.png into --out.

Usage: sweep.py --loader LD_SO [--out DIR] [--runs N]
                [--libs 1,10,50,100,200,400] [--relocs 50]
                [--reloc-totals 1000,10000,100000,500000] [--reloc-libs 50]
                [--features base,relative,relr,now,tls,ifunc,libc] [--feature-libs 50]
                [--no-real] [--no-strace] [--only libraries,relocations,features,real]

Columns per workload and loader (see bench/harness.py): median wall time,
CPU time (user + sys), spawn-to-entry time, the loader's own start-up time
report, system calls up to the program's first, each with its ratio to
glibc's loader. Relocation targets are distinct symbols wherever the
workload has enough of them (--funcs is raised to relocs / (2 * libs)).
Programs run through their own PT_INTERP (glibc), through a patched copy
(ours) and as an argument of musl's loader (musl; skipped when
/lib/ld-musl-x86_64.so.1 is missing, and for --libc workloads).
"""
import argparse
import csv
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
import startup  # noqa: E402

GEN = os.path.join(HERE, "..", "tools", "gen-workload.py")

FEATURES = {
    "base": [],
    "relative": ["--relative", "1000"],
    "relr": ["--relative", "1000", "--relr"],
    "now": ["--now"],
    "tls": ["--tls", "4"],
    "ifunc": ["--ifunc", "4"],
    "libc": ["--libc"],
}


def workload(out, libs, relocs, extra=(), tag=""):
    funcs = max(20, math.ceil(relocs / (2 * libs)))
    d = os.path.join(out, f"wl-{libs}x{relocs}x{funcs}{tag}")
    prog = os.path.join(d, "prog")
    if not os.path.exists(prog):
        subprocess.run([sys.executable, GEN, "--out", d, "--libs", str(libs), "--funcs", str(funcs),
                        "--relocs", str(relocs), "--stamp", *extra], check=True, stdout=subprocess.DEVNULL)
    return prog


def measure(prog, loader, runs, strace, musl=True):
    ours = harness.patched_copy(prog, loader, prog + ".rtld")
    variants = [harness.Variant("glibc", [prog]), harness.Variant("rtld", [ours])]
    if musl and os.path.exists(harness.MUSL):
        variants.append(harness.Variant("musl", [harness.MUSL, prog]))
    return harness.measure(variants, runs, strace=strace)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loader", required=True)
    ap.add_argument("--out", default="build/sweep")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--libs", default="1,10,50,100,200,400")
    ap.add_argument("--relocs", type=int, default=50, help="symbolic relocations per library (library sweep)")
    ap.add_argument("--reloc-totals", default="1000,10000,100000,500000")
    ap.add_argument("--reloc-libs", type=int, default=50)
    ap.add_argument("--features", default=",".join(FEATURES))
    ap.add_argument("--feature-libs", type=int, default=50)
    ap.add_argument("--no-real", action="store_true", help="skip the system programs")
    ap.add_argument("--no-strace", action="store_true")
    ap.add_argument("--only", default="libraries,relocations,features,real")
    a = ap.parse_args()
    only = set(a.only.split(","))
    os.makedirs(a.out, exist_ok=True)
    strace = not a.no_strace
    points = []  # (sweep, x, label, libs, relocs_per_lib, extra, musl)
    if "libraries" in only:
        for n in [int(x) for x in a.libs.split(",") if x]:
            points.append(("libraries", n, f"{n} libs x {a.relocs}", n, a.relocs, [], True))
    if "relocations" in only:
        for total in [int(x) for x in a.reloc_totals.split(",") if x]:
            per = max(1, total // a.reloc_libs)
            points.append(("relocations", total, f"{total} relocs / {a.reloc_libs} libs", a.reloc_libs, per, [], True))
    if "features" in only:
        for feat in [f for f in a.features.split(",") if f]:
            points.append(("features", feat, f"{feat} ({a.feature_libs} libs x 50)", a.feature_libs, 50,
                           FEATURES[feat], feat != "libc"))
    rows = []
    for sweep, x, label, libs, per, extra, musl in points:
        tag = "-" + x if sweep == "features" else ""
        prog = workload(a.out, libs, per, extra, tag)
        for r in measure(prog, a.loader, a.runs, strace, musl):
            rows.append({"sweep": sweep, "x": x, "workload": label, "libs": libs,
                         "relocs": libs * per, **r})
            print(f"{label:28s} {r['loader']:6s} " + (
                f"wall {harness.fmt(r['wall_us']):>7} us ({harness.fmt(r['wall_vs_glibc'], 3)})  "
                f"entry {harness.fmt(r['entry_us']):>7} us  in-loader {harness.fmt(r['in_loader_us']):>7} us  "
                f"syscalls {harness.fmt(r['syscalls'])}" if r["status"] == "ok" else r["status"]), flush=True)
    if "real" in only and not a.no_real:
        for label, r in startup.real_rows(a.loader, a.runs, strace):
            rows.append({"sweep": "real", "x": label, "workload": label, "libs": None, "relocs": None, **r})

    fields = list(rows[0].keys())
    for r in rows:
        for k in r:
            if k not in fields:
                fields.append(k)
    with open(os.path.join(a.out, "sweep.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(a.out, "sweep.md"), "w") as f:
        f.write(f"Medians of {a.runs} interleaved runs per loader and workload (in-loader: "
                f"{max(3, min(a.runs, 10))} runs with statistics on; syscalls: one strace run).\n\n")
        for sweep, title in (("libraries", "Library sweep (50 symbolic relocations per library)"),
                             ("relocations", f"Relocation sweep ({a.reloc_libs} libraries)"),
                             ("features", "Generator features"),
                             ("real", "System programs (syscalls: whole process)")):
            rs = [r for r in rows if r["sweep"] == sweep]
            if rs:
                f.write(f"### {title}\n\n" + harness.md_table([(r["workload"], r) for r in rs]) + "\n")
    plotted = plot(rows, os.path.join(a.out, "sweep.png"))
    print(f"wrote {a.out}/sweep.md, sweep.csv" + (", sweep.png" if plotted else ""))
    return 0


def plot(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr)
        return False
    panels = [("libraries", "wall_us", "median wall time (ms)", 1000),
              ("relocations", "wall_us", "median wall time (ms)", 1000),
              ("libraries", "entry_us", "spawn-to-entry (ms)", 1000),
              ("libraries", "syscalls", "system calls before the program's first", 1)]
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    for ax, (sweep, key, ylabel, div) in zip(axes.flat, panels):
        rs = [r for r in rows if r["sweep"] == sweep]
        for loader in ("glibc", "rtld", "musl"):
            pts = [(r["x"], r[key]) for r in rs if r["loader"] == loader and r.get(key) is not None]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] / div for p in pts], marker="o", label=loader)
        ax.set_xscale("log")
        ax.set_xlabel("libraries" if sweep == "libraries" else "symbolic relocations")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


if __name__ == "__main__":
    sys.exit(main())
