#!/usr/bin/env python3
"""TLS access benchmarks under glibc's loader and ours, side by side.

Usage: tls.py --loader LD_SO [--bench BUILD/bench/tls_bench] [--rounds N]

Runs the Google Benchmark binary tls_bench alternately under its own
PT_INTERP (glibc's loader) and as `LD_SO tls_bench`, N rounds each, and
prints each benchmark's median time per access and the ratio ours/glibc
(below 1: ours is faster). Timings are never asserted by tests.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys


def run(argv):
    out = subprocess.run(argv + ["--benchmark_format=json", "--benchmark_min_time=0.2"],
                         capture_output=True, text=True, check=True).stdout
    return {b["name"]: b["cpu_time"] for b in json.loads(out)["benchmarks"]}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--loader", required=True)
    ap.add_argument("--bench", default=os.path.join(here, "..", "build", "bench", "tls_bench"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    results = {"glibc": {}, "rtld": {}}
    for _ in range(args.rounds):
        for name, argv in (("glibc", [args.bench]), ("rtld", [args.loader, args.bench])):
            for bench, ns in run(argv).items():
                results[name].setdefault(bench, []).append(ns)
    print("| benchmark | glibc (ns) | rtld (ns) | rtld/glibc |")
    print("|---|---:|---:|---:|")
    for bench in results["glibc"]:
        g = statistics.median(results["glibc"][bench])
        r = statistics.median(results["rtld"][bench])
        print(f"| {bench} | {g:.2f} | {r:.2f} | {r / g:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
