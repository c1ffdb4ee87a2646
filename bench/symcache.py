#!/usr/bin/python3
"""What the shared symbol cache (DESIGN §6) costs and saves at start-up.

Usage: symcache.py --loader LD_SO --cli RTLD_SYMCACHE [--runs N] [--work DIR]
                   [--only NAME,...] [--callgrind] [--md FILE]

Every workload runs under our loader in command mode (LD_SO PROGRAM ARGS),
in four variants, interleaved round by round (the order rotates each round):

  unset   RTLD_SYMCACHE not set: the system path (/var/cache/rtld/symcache),
          absent here: one failed openat
  off     RTLD_SYMCACHE= (empty): the cache is off, no system call
  cold    RTLD_SYMCACHE names a valid cache holding the closures of the
          other workloads but not this one: open, fstat, mmap, index
          checksum, a miss, and a miss datagram to a live socket
          (RTLD_SYMCACHE_SOCKET; this script drains it, as a daemon would)
  warm    the same cache with this workload's closure too: a closure hit

Each round runs every variant twice: once for exec-to-exit wall time and the
child's user/system CPU time (wait4), once with RTLD_STATS=json for the
loader's own phase times (relocate_ns, total_ns). Reported: medians with
p25-p75, and the ratio to `off` as the median of the per-round ratios (each
round's runs are adjacent in time, so the pairing removes slow drift of the
machine) with its p25-p75.

Workloads: /bin/true, python3 -c pass, clang-14 --version, and the synthetic
400-library workload of tools/gen-workload.py (--libs 400 --relocs 50:
20,000 symbolic relocations; generated into --work if missing), lazy, linked
with -z now, and lazy run with LD_BIND_NOW=1 (its own closure: the bind mode
is in the closure's key); and the same 400 libraries with --relocs 0 (`off`
only: the relocate phase without symbolic relocations, the baseline for
binding time = relocate(w400) - relocate(w400-r0)).

--callgrind additionally counts instructions (valgrind --tool=callgrind) of
the 400-library workloads, off and warm, inclusive per function: binding
(ResolveSymbol = LookupReference + LookupIn, or symcache::Lookup), the
relocate phase (RelocateModule), symcache::Attach and the whole start. The
warm closure for these runs is recorded under callgrind (valgrind preloads
its own objects, so the object list differs from a plain run).
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "tools", "gen-workload.py")
VARIANTS = ["unset", "off", "cold", "warm"]
DEVNULL = os.open(os.devnull, os.O_WRONLY)


def spawn(argv, env, out_fd=DEVNULL, err_fd=DEVNULL):
    actions = [(os.POSIX_SPAWN_DUP2, out_fd, 1), (os.POSIX_SPAWN_DUP2, err_fd, 2)]
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    return (t1 - t0) / 1000, ru.ru_utime * 1e6, ru.ru_stime * 1e6, status


def capture(argv, env):
    with tempfile.TemporaryFile() as o, tempfile.TemporaryFile() as e:
        _, _, _, status = spawn(argv, env, o.fileno(), e.fileno())
        o.seek(0)
        e.seek(0)
        return status, o.read().decode(errors="replace"), e.read().decode(errors="replace")


def stats_of(err):
    for line in err.splitlines():
        if line.startswith('{"rtld_stats"'):
            return json.loads(line)["rtld_stats"]
    return None


class Workload:
    def __init__(self, name, argv, env=None, variants=VARIANTS, runs=None):
        self.name = name
        self.argv = argv
        self.env = env or {}
        self.variants = variants
        self.runs = runs
        self.rec = None


def base_env(extra):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    env.update(extra)
    return env


def q(vals):
    if len(vals) < 2:
        return vals[0], vals[0], vals[0]
    a, b, c = statistics.quantiles(vals, n=4)
    return a, statistics.median(vals), c


def gen(work, name, *args):
    out = os.path.join(work, name)
    if not os.path.exists(os.path.join(out, "prog")):
        print(f"generating {name} ({' '.join(args)}) ...", flush=True)
        subprocess.run([sys.executable, GEN, "--out", out, *args, "--jobs", "2"], check=True,
                       stdout=subprocess.DEVNULL)
    return os.path.join(out, "prog")


class Drain:
    """A datagram socket standing in for the daemon: receives and drops."""

    def __init__(self, d):
        os.makedirs(d, mode=0o755, exist_ok=True)
        os.chmod(d, 0o755)
        self.path = os.path.join(d, "symcache.sock")
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(self.path)
        os.chmod(self.path, 0o666)
        self.count = 0
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            try:
                self.s.recv(65536)
                self.count += 1
            except OSError:
                return


def measure(w, loader, caches, sock, runs):
    argv = [loader] + w.argv
    envs = {
        "unset": base_env(w.env),
        "off": base_env({**w.env, "RTLD_SYMCACHE": ""}),
        "cold": base_env({**w.env, "RTLD_SYMCACHE": caches["cold"], "RTLD_SYMCACHE_SOCKET": sock}),
        "warm": base_env({**w.env, "RTLD_SYMCACHE": caches["warm"], "RTLD_SYMCACHE_SOCKET": sock}),
    }
    vs = w.variants
    # Correctness and the cache state of each variant.
    ref = None
    states = {}
    for v in vs:
        status, out, err = capture(argv, {**envs[v], "RTLD_STATS": "json"})
        st = stats_of(err)
        states[v] = st["symcache"] if st else "?"
        if ref is None:
            ref = (status, out)
        elif (status, out) != ref:
            raise RuntimeError(f"{w.name}/{v}: output differs: {status} {out[:200]!r} vs {ref}")
    want = {"unset": "no file", "off": "off", "cold": "miss", "warm": "hit"}
    for v in vs:
        if w.name.endswith("-r0") and v == "warm":
            continue
        if states[v] != want[v] and not (v == "unset" and states[v] == "off"):
            raise RuntimeError(f"{w.name}/{v}: symbol cache state {states[v]!r}, want {want[v]!r}")
    res = {v: {"wall": [], "user": [], "sys": [], "relocate": [], "total": [], "load": []} for v in vs}
    for v in vs:  # warm the page cache
        spawn(argv, envs[v])
    for r in range(runs):
        order = vs[r % len(vs):] + vs[:r % len(vs)]
        for v in order:
            wall, user, sys_, status = spawn(argv, envs[v])
            if status != ref[0]:
                raise RuntimeError(f"{w.name}/{v}: exit status {status}")
            res[v]["wall"].append(wall)
            res[v]["user"].append(user)
            res[v]["sys"].append(sys_)
        for v in order:
            _, _, err = capture(argv, {**envs[v], "RTLD_STATS": "json"})
            st = stats_of(err)
            res[v]["relocate"].append(st["relocate_ns"] / 1000)
            res[v]["total"].append(st["total_ns"] / 1000)
            res[v]["load"].append(st["load_ns"] / 1000)
    return res, states


def ratio(res, v, base, key):
    rs = [a / b for a, b in zip(res[v][key], res[base][key]) if b > 0]
    return q(rs)


def fmt3(t, nd=0):
    a, m, c = t
    return f"{m:.{nd}f} ({a:.{nd}f}-{c:.{nd}f})"


def record(loader, argv, env, out, valgrind=False):
    pre = ["valgrind", "-q", "--tool=callgrind", "--callgrind-out-file=/dev/null"] if valgrind else []
    subprocess.run(pre + [loader, "--record-bindings", out] + argv, env=base_env(env), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def build_cache(cli, path, recs):
    args = [cli, "build", "--cache", path]
    for r in recs:
        args += ["--recording", r]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=base_env({}))


def callgrind(loader, cli, w, tmp):
    """Inclusive instruction counts of the interesting functions, off and warm."""
    rec = os.path.join(tmp, f"vg-{w.name}.rec")
    record(loader, w.argv, w.env, rec, valgrind=True)
    cache = os.path.join(tmp, f"vg-{w.name}.cache")
    build_cache(cli, cache, [rec])
    funcs = {"total": "PROGRAM TOTALS", "bind": "rtld::ResolveSymbol(", "lookup": "rtld::LookupReference(",
             "closure": "rtld::symcache::Lookup(", "relocate": "rtld::RelocateModule(",
             "attach": "rtld::symcache::Attach(", "load": "rtld::LoadObject("}
    out = {}
    for v, c in (("off", ""), ("warm", cache)):
        f = os.path.join(tmp, f"cg.{w.name}.{v}")
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + f, loader] + w.argv,
                           env=base_env({**w.env, "RTLD_SYMCACHE": c, "RTLD_STATS": "json"}),
                           capture_output=True, text=True)
        st = stats_of(p.stderr)
        want = "hit" if v == "warm" else "off"
        if not st or st["symcache"] != want:
            raise RuntimeError(f"callgrind {w.name}/{v}: state {st and st['symcache']}")
        ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", f], capture_output=True,
                             text=True).stdout
        row = {}
        for k, pat in funcs.items():
            row[k] = 0
            for line in ann.splitlines():
                if pat in line:
                    row[k] = int(line.split()[0].replace(",", ""))
                    break
        out[v] = row
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loader", required=True)
    ap.add_argument("--cli", required=True, help="rtld-symcache")
    ap.add_argument("--runs", type=int, default=0, help="rounds per workload (default: per workload)")
    ap.add_argument("--work", default="/tmp/rtld-bench-symcache", help="generated workloads live here")
    ap.add_argument("--only", default="", help="comma-separated workload names")
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("--md", help="append the tables here (Markdown)")
    a = ap.parse_args()
    loader = os.path.abspath(a.loader)
    os.makedirs(a.work, exist_ok=True)
    w400 = gen(a.work, "w400", "--libs", "400", "--relocs", "50")
    w400now = gen(a.work, "w400now", "--libs", "400", "--relocs", "50", "--now")
    w400r0 = gen(a.work, "w400r0", "--libs", "400", "--relocs", "0")
    workloads = [
        Workload("/bin/true", ["/bin/true"], runs=400),
        Workload("python3 -c pass", ["/usr/bin/python3", "-c", "pass"], runs=100),
        Workload("clang-14 --version", ["/usr/bin/clang-14", "--version"], runs=60),
        Workload("w400 lazy", [w400], runs=30),
        Workload("w400 -z now", [w400now], runs=30),
        Workload("w400 LD_BIND_NOW=1", [w400], env={"LD_BIND_NOW": "1"}, runs=30),
        Workload("w400-r0", [w400r0], variants=["off"], runs=30),
    ]
    if a.only:
        names = a.only.split(",")
        workloads = [w for w in workloads if w.name in names]
    tmp = tempfile.mkdtemp(prefix="rtld-bench-symcache.")
    lines = []
    try:
        # One recording per workload, then the warm cache (all of them) and,
        # per workload, the cold cache (all the others).
        for w in workloads:
            w.rec = os.path.join(tmp, re.sub(r"\W+", "_", w.name) + ".rec")
            record(loader, w.argv, w.env, w.rec)
        warm = os.path.join(tmp, "warm.cache")
        build_cache(a.cli, warm, [w.rec for w in workloads])
        print(f"warm cache: {os.path.getsize(warm)} bytes, {len(workloads)} closures", flush=True)
        sock = Drain(os.path.join(tmp, "run")).path
        hdr = ("| workload | variant | state | wall us | x off | user+sys us | relocate us | x off "
               "| loader total us | x off |")
        lines += [hdr, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        summary = {}
        for w in workloads:
            cold = os.path.join(tmp, "cold-" + re.sub(r"\W+", "_", w.name) + ".cache")
            others = [o.rec for o in workloads if o is not w] or [w.rec]
            build_cache(a.cli, cold, others)
            runs = a.runs or w.runs
            t0 = time.time()
            res, states = measure(w, loader, {"cold": cold, "warm": warm}, sock, runs)
            print(f"{w.name}: {runs} rounds x {len(w.variants)} variants in {time.time() - t0:.0f} s", flush=True)
            summary[w.name] = res
            for v in w.variants:
                r = res[v]
                cpu = [u + s for u, s in zip(r["user"], r["sys"])]
                if v == "off":
                    xw = xr = xt = "1"
                else:
                    xw = fmt3(ratio(res, v, "off", "wall"), 3) if "off" in res else "-"
                    xr = fmt3(ratio(res, v, "off", "relocate"), 3) if "off" in res else "-"
                    xt = fmt3(ratio(res, v, "off", "total"), 3) if "off" in res else "-"
                row = (f"| {w.name} | {v} | {states[v]} | {fmt3(q(r['wall']))} | {xw} | "
                       f"{statistics.median(cpu):.0f} | {fmt3(q(r['relocate']))} | {xr} | "
                       f"{fmt3(q(r['total']))} | {xt} |")
                lines.append(row)
                print(row, flush=True)
        # Cross-workload comparisons.
        extra = []
        for name, label in (("w400 -z now", "-z now, warm closure / lazy, no cache"),
                            ("w400 LD_BIND_NOW=1", "LD_BIND_NOW=1, warm closure / lazy, no cache")):
            if "w400 lazy" not in summary or name not in summary:
                continue
            lz, nw = summary["w400 lazy"]["off"], summary[name]["warm"]
            extra.append((label, *(statistics.median(nw[k]) / statistics.median(lz[k])
                                   for k in ("relocate", "total", "wall"))))
        if "w400 lazy" in summary and "w400-r0" in summary:
            base = statistics.median(summary["w400-r0"]["off"]["relocate"])
            off = statistics.median(summary["w400 lazy"]["off"]["relocate"]) - base
            wm = statistics.median(summary["w400 lazy"]["warm"]["relocate"]) - base
            extra.append((f"binding time = relocate - relocate(w400-r0) [{base:.0f} us]: "
                          f"off {off:.0f} us, warm {wm:.0f} us", wm / off if off > 0 else float("nan"),
                          None, None))
        if extra:
            lines += ["", "| comparison | relocate | loader total | wall |", "|---|---:|---:|---:|"]
            for name, r, t, wl in extra:
                f = lambda x: "-" if x is None else f"{x:.3f}"  # noqa: E731
                lines.append(f"| {name} | {f(r)} | {f(t)} | {f(wl)} |")
        if a.callgrind:
            lines += ["", "| callgrind (Ir, inclusive) | variant | binding (ResolveSymbol) | LookupReference "
                      "| symcache::Lookup | relocate phase | Attach | LoadObject | whole start |",
                      "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
            for w in workloads:
                if not w.name.startswith("w400 ") or "BIND_NOW" in w.name:
                    continue
                cg = callgrind(loader, a.cli, w, tmp)
                for v in ("off", "warm"):
                    c = cg[v]
                    lines.append(f"| {w.name} | {v} | {c['bind']:,} | {c['lookup']:,} | {c['closure']:,} | "
                                 f"{c['relocate']:,} | {c['attach']:,} | {c['load']:,} | {c['total']:,} |")
                lines.append(f"| {w.name} | off/warm | {cg['off']['bind'] / max(1, cg['warm']['bind']):.1f}x | | | "
                             f"{cg['off']['relocate'] / max(1, cg['warm']['relocate']):.1f}x | | | "
                             f"{cg['off']['total'] / max(1, cg['warm']['total']):.1f}x |")
        text = "\n".join(lines) + "\n"
        print()
        print(text)
        if a.md:
            with open(a.md, "a") as f:
                f.write(text)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
