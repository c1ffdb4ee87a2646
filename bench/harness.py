"""Shared measuring code of bench/startup.py and bench/sweep.py.

A *variant* is one way to start a workload: through glibc's loader (the
program's own PT_INTERP), through ours (a copy whose PT_INTERP is our
ld.so, or our ld.so in command mode for system programs) or through musl's
loader (command mode). For each variant the harness measures, in
interleaved runs:

  wall      exec-to-exit wall time: posix_spawn to wait4, in the parent
  cpu       user + system CPU time of the child (wait4's rusage)
  entry     spawn-to-entry time: CLOCK_MONOTONIC in the parent before
            posix_spawn to CLOCK_MONOTONIC at the program's entry point,
            which the program prints ("entry_ns T", gen-workload.py
            --stamp). The loader's start-up plus exec; independent of the
            loader's own reporting.
  minflt    minor page faults of the child (wait4's rusage)
and, in separate runs:
  in-loader the loader's own report of its start-up time: glibc's
            LD_DEBUG=statistics "total startup time in dynamic loader: N
            cycles" (TSC ticks, converted to us at the TSC frequency),
            ours RTLD_STATS=json total_ns; musl has none
  syscalls  system calls made from the execve to the program's first own
            system call (strace -f -o FILE; lines after the execve up to
            the first line matching the marker; failing calls counted
            apart). With no marker (system programs), the whole process.
  loader instructions (loader_instructions, bench/images.py): callgrind's
            instructions executed inside the loader's own object.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time

MUSL = "/lib/ld-musl-x86_64.so.1"
DEVNULL = os.open(os.devnull, os.O_WRONLY)
# The first system call of a gen-workload.py program: clock_gettime with
# --stamp, else the write of the checksum; with --libc, printf's fstat of
# stdout may come first.
WORKLOAD_MARKER = r"^(clock_gettime\(CLOCK_MONOTONIC|write\(1,|newfstatat\(1,|fstat\(1,)"

# System programs for --real: (label, argv).
REAL_WORKLOADS = [
    ("/bin/true", ["/bin/true"]),
    ("python3 -c pass", ["/usr/bin/python3", "-c", "pass"]),
    ("clang-14 --version", ["/usr/bin/clang-14", "--version"]),
    ("gdb --version", ["/usr/bin/gdb", "--version"]),
    ("cmake --version", ["/usr/bin/cmake", "--version"]),
]


class Variant:
    def __init__(self, name, argv, env=None):
        self.name = name          # "glibc", "rtld", "musl"
        self.argv = argv
        self.env = env or {}
        self.status = "ok"        # or why it was not measured


def base_env(extra=None):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    env.update(extra or {})
    return env


def spawn_rusage(argv, env, out_fd=DEVNULL, err_fd=DEVNULL):
    """Runs argv once. Returns (wall_ns, rusage of the child, exit_status, t0_monotonic_ns)."""
    actions = [(os.POSIX_SPAWN_DUP2, out_fd, 1), (os.POSIX_SPAWN_DUP2, err_fd, 2)]
    t0m = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    return t1 - t0, ru, status, t0m


def spawn(argv, env, out_fd=DEVNULL, err_fd=DEVNULL):
    """Runs argv once. Returns (wall_ns, cpu_ns, exit_status, t0_monotonic_ns)."""
    wall, ru, status, t0m = spawn_rusage(argv, env, out_fd, err_fd)
    return wall, (ru.ru_utime + ru.ru_stime) * 1e9, status, t0m


def capture(argv, env):
    """Runs argv once with stdout and stderr captured. Returns (status, out, err, t0m)."""
    with tempfile.TemporaryFile() as o, tempfile.TemporaryFile() as e:
        _, _, status, t0m = spawn(argv, env, o.fileno(), e.fileno())
        o.seek(0)
        e.seek(0)
        return status, o.read().decode(errors="replace"), e.read().decode(errors="replace"), t0m


def strip_stamp(out):
    return "\n".join(l for l in out.splitlines() if not l.startswith("entry_ns "))


def check(variants, env, normalize=None):
    """Runs each variant once; a variant whose exit status or output differs
    from glibc's is marked "not yet supported" (ours) or "fails" (others).
    normalize(variant, output), if given, rewrites an output before the
    comparison (e.g. a copy's own directory, which a program may print)."""
    ref = None
    for v in variants:
        try:
            status, out, err, _ = capture(v.argv, base_env({**env, **v.env}))
        except OSError as ex:
            v.status = f"cannot start: {ex}"
            continue
        out = strip_stamp(out)
        if normalize:
            out = normalize(v, out)
        if ref is None:  # glibc first: the reference
            ref = (status, out)
            if status != 0:
                v.status = f"exit status {status}"
            continue
        if (status, out) != ref:
            if os.WIFSIGNALED(status):
                msg = f"killed by signal {os.WTERMSIG(status)}"
            else:
                msg = (err.strip().splitlines() or [f"exit status {os.WEXITSTATUS(status)}"])[-1]
                msg = msg[:100]
            v.status = ("not yet supported: " if v.name == "rtld" else "fails: ") + msg


def timed_runs(variants, runs, env, rotate=False):
    """Interleaved runs A/B/C/A/B/C... of the variants that passed check();
    with rotate, each round starts one variant later (A/B/C, B/C/A, ...)."""
    live = [v for v in variants if v.status == "ok"]
    res = {v.name: {"wall": [], "cpu": [], "entry": [], "minflt": []} for v in live}
    for v in live:  # warm the page cache
        spawn(v.argv, base_env({**env, **v.env}))
    for i in range(runs):
        k = i % len(live) if rotate and live else 0
        for v in live[k:] + live[:k]:
            r, w = os.pipe()
            try:
                wall, ru, status, t0m = spawn_rusage(v.argv, base_env({**env, **v.env}), out_fd=w)
            finally:
                os.close(w)
            out = b""
            while True:
                chunk = os.read(r, 65536)
                if not chunk:
                    break
                out += chunk
            os.close(r)
            if status != 0:
                raise RuntimeError(f"{v.name}: {v.argv} exited with status {status}")
            res[v.name]["wall"].append(wall / 1000)
            res[v.name]["cpu"].append((ru.ru_utime + ru.ru_stime) * 1e6)
            res[v.name]["minflt"].append(ru.ru_minflt)
            m = re.match(rb"entry_ns (\d+)", out)
            if m:
                res[v.name]["entry"].append((int(m.group(1)) - t0m) / 1000)
    return res


_tsc_mhz = None


def tsc_mhz(calib=None, env=None):
    """TSC frequency in MHz: from our loader's own report (total_ticks over
    total_ns of one start of the variant `calib`, which measures the same
    interval with the TSC and CLOCK_MONOTONIC), else /proc/cpuinfo."""
    global _tsc_mhz
    if _tsc_mhz:
        return _tsc_mhz
    if calib is not None:
        _, _, err, _ = capture(calib.argv, base_env({**(env or {}), **calib.env, "RTLD_STATS": "json"}))
        m = re.search(r'"total_ns":(\d+),"total_ticks":(\d+)', err)
        if m and int(m.group(1)) > 200000:  # long enough to be precise
            _tsc_mhz = int(m.group(2)) / int(m.group(1)) * 1000
    if not _tsc_mhz and calib is None:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"cpu MHz\s*:\s*([\d.]+)", f.read())
        _tsc_mhz = float(m.group(1)) if m else 1000.0
    return _tsc_mhz


def in_loader_us(v, env, runs, mhz):
    """Median of the loader's own start-up time report, in us, or None."""
    vals = []
    for _ in range(runs):
        if v.name == "glibc":
            _, _, err, _ = capture(v.argv, base_env({**env, **v.env, "LD_DEBUG": "statistics"}))
            m = re.search(r"total startup time in dynamic loader: (\d+) cycles", err)
            if m:
                vals.append(int(m.group(1)) / mhz)
        elif v.name == "rtld":
            _, _, err, _ = capture(v.argv, base_env({**env, **v.env, "RTLD_STATS": "json"}))
            for line in err.splitlines():
                if line.startswith('{"rtld_stats"'):
                    vals.append(json.loads(line)["rtld_stats"]["total_ns"] / 1000)
        else:
            return None
    return statistics.median(vals) if vals else None


def callgrind_self_cost(path):
    """Self cost (the first event, Ir) per object of a callgrind output
    file, read from the file itself: callgrind_annotate leaves the object
    out of lines of inlined code (fi=/fe=), which would drop most of
    glibc's loader. Returns ({object path: Ir}, total)."""
    names = {}
    per_obj = {}
    obj = None
    npos = 1
    skip_next = False
    total = 0
    with open(path) as f:
        for line in f:
            if line.startswith("positions:"):
                npos = len(line.split()) - 1
                continue
            if line.startswith("ob=") or line.startswith("cob="):
                # "(id) name" defines a compressed name, "(id)" refers to
                # it; a callee's object (cob=) may define it first.
                m = re.match(r"c?ob=(?:\((\d+)\))?\s*(.*)", line.rstrip("\n"))
                if m.group(1) and m.group(2):
                    names[m.group(1)] = m.group(2)
                if line.startswith("ob="):
                    obj = names.get(m.group(1), m.group(2)) if m.group(1) else m.group(2)
                continue
            if line.startswith("calls="):
                skip_next = True  # the next cost line is the call's inclusive cost
                continue
            if line[:1].isdigit() or line[:1] in "+-*":
                if skip_next:
                    skip_next = False
                    continue
                f_ = line.split()
                if len(f_) > npos:
                    n = int(f_[npos])
                    per_obj[obj] = per_obj.get(obj, 0) + n
                    total += n
    return per_obj, total


def loader_instructions(argv, env, loader):
    """Instructions executed inside the loader's own object (self cost of
    its code, callgrind Ir) in one run of argv under valgrind
    --tool=callgrind, which starts the program through its PT_INTERP like
    the kernel does. Returns (loader Ir, whole process Ir, stderr), or None
    without valgrind. valgrind preloads two objects of its own
    (LD_PRELOAD) into every run."""
    if not shutil.which("valgrind"):
        return None
    want = os.path.realpath(loader)
    fd, path = tempfile.mkstemp(prefix="rtld-callgrind-")
    os.close(fd)
    try:
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + path, *argv],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        per_obj, total = callgrind_self_cost(path)
    finally:
        os.unlink(path)
    inside = sum(n for o, n in per_obj.items() if o and os.path.realpath(o) == want)
    return inside, total, p.stderr


def syscalls(v, env, marker):
    """(count, failed) of system calls from the execve to the marker (or the
    whole process when marker is None), or None without strace."""
    if not shutil.which("strace"):
        return None
    fd, path = tempfile.mkstemp(prefix="rtld-strace-")
    os.close(fd)
    try:
        subprocess.run(["strace", "-f", "-qq", "-o", path, "--", *v.argv], env=base_env({**env, **v.env}),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        with open(path) as f:
            lines = f.read().splitlines()
    finally:
        os.unlink(path)
    pat = re.compile(marker) if marker else None
    count = failed = 0
    started = False
    for line in lines:
        call = re.sub(r"^\d+\s+", "", line)
        if call.startswith("+++") or call.startswith("---"):
            continue
        if not started:
            started = call.startswith("execve(")  # the exec itself is not counted
            continue
        if pat and pat.match(call):
            break
        if "resumed>" in call:
            continue
        count += 1
        if re.search(r"= -1 E", call):
            failed += 1
    return count, failed


def measure(variants, runs, env=None, marker=WORKLOAD_MARKER, stats_runs=None,
            strace=True):
    """Full measurement of a list of variants (glibc's first). Returns one
    dict per variant with the columns described above (None = n/a)."""
    env = env or {}
    check(variants, env)
    res = timed_runs(variants, runs, env)
    ours = [v for v in variants if v.name == "rtld" and v.status == "ok"]
    mhz = tsc_mhz(ours[0] if ours else None, env) or tsc_mhz()
    stats_runs = stats_runs or max(3, min(runs, 10))
    rows = []
    for v in variants:
        row = {"loader": v.name, "status": v.status, "wall_us": None, "wall_p25_us": None,
               "wall_p75_us": None, "cpu_us": None, "entry_us": None, "in_loader_us": None,
               "syscalls": None, "failed_syscalls": None}
        if v.status == "ok":
            r = res[v.name]
            q = statistics.quantiles(r["wall"], n=4) if len(r["wall"]) > 1 else [r["wall"][0]] * 3
            row.update(wall_us=statistics.median(r["wall"]), wall_p25_us=q[0], wall_p75_us=q[2],
                       cpu_us=statistics.median(r["cpu"]),
                       entry_us=statistics.median(r["entry"]) if r["entry"] else None,
                       in_loader_us=in_loader_us(v, env, stats_runs, mhz))
            if strace:
                sc = syscalls(v, env, marker)
                if sc:
                    row["syscalls"], row["failed_syscalls"] = sc
        rows.append(row)
    g = rows[0]
    for row in rows:
        # No ratio for in_loader_us: glibc's own figure is not comparable
        # with ours (see BENCHMARKS.md).
        for k in ("wall_us", "cpu_us", "entry_us", "syscalls"):
            ratio_key = k.replace("_us", "") + "_vs_glibc"
            row[ratio_key] = (row[k] / g[k]) if row[k] is not None and g[k] else None
    return rows


def patched_copy(prog, loader, where):
    """A copy of prog whose PT_INTERP is our loader, at `where`."""
    shutil.copy2(prog, where)
    subprocess.run(["patchelf", "--set-interpreter", os.path.abspath(loader), where], check=True)
    return where


def fmt(x, nd=0):
    if x is None:
        return "-"
    return f"{x:.{nd}f}"


COLUMNS = ("| workload | loader | wall (us) | x glibc | CPU (us) | x glibc | entry (us) | x glibc "
           "| in-loader (us) | syscalls (failed) | x glibc |")


def md_row(label, row):
    if row["status"] != "ok":
        status = row["status"].replace("|", "\\|")
        return f"| {label} | {row['loader']} | {status} |" + " |" * 8
    sc = "-" if row["syscalls"] is None else f"{row['syscalls']} ({row['failed_syscalls']})"
    return (f"| {label} | {row['loader']} | {fmt(row['wall_us'])} | {fmt(row['wall_vs_glibc'], 3)} | "
            f"{fmt(row['cpu_us'])} | {fmt(row['cpu_vs_glibc'], 3)} | {fmt(row['entry_us'])} | "
            f"{fmt(row['entry_vs_glibc'], 3)} | {fmt(row['in_loader_us'])} | "
            f"{sc} | {fmt(row['syscalls_vs_glibc'], 3)} |")


def md_table(labelled_rows):
    out = [COLUMNS, "|---|---|" + "---:|" * 9]
    for label, row in labelled_rows:
        out.append(md_row(label, row))
    return "\n".join(out) + "\n"
