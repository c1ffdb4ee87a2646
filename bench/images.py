#!/usr/bin/python3
"""Pre-relocated images (README, "Pre-relocated images"): what a start
through PT_INTERP costs under glibc's loader and under ours without the
symbol cache, with a closure only, and with a closure and its images.

Usage: images.py --loader LD_SO --cli RTLD_SYMCACHE [--runs N] [--work DIR]
                 [--only NAME,...] [--pss-rounds N] [--no-callgrind] [--no-pss]
                 [--md FILE] [--json FILE]

Workloads: /bin/true, python3 -c pass, clang-14 --version, gdb --version,
cmake --version (bench/harness.py REAL_WORKLOADS) and the synthetic
400-library program of bench/symcache.py (gen-workload.py --libs 400
--relocs 50, generated into --work if missing).

Every variant starts through PT_INTERP:

  glibc         a plain copy of the program (PT_INTERP glibc's loader)
  rtld          a copy whose PT_INTERP is our loader, RTLD_SYMCACHE= (off)
  rtld+closure  the same copy, RTLD_SYMCACHE naming a cache built with
                `rtld-symcache build --no-images` (a closure hit)
  rtld+image    the same copy, RTLD_SYMCACHE naming a cache built with
                `rtld-symcache build` (closure, layout and images)

The copies of a system program sit in DIR/glibc/bin and DIR/rtld/bin of a
temporary directory whose lib and share are symbolic links to /usr/lib and
/usr/share, so both find their data as from /usr/bin (cmake its
CMAKE_ROOT, python3 its prefix, gdb its data directory) and do the same
work; outputs are compared with the copy's directory replaced (clang prints
it). The 400-library program's copy sits beside it (its libraries are
found through $ORIGIN). Both caches hold the closures of every workload.

Columns:
  wall     median exec-to-exit wall time of --runs interleaved rounds
           (harness.timed_runs; each round runs the four variants, the
           order rotating), p25-p75, and the ratio of medians to glibc's
  minflt   median minor page faults of the child (wait4's rusage)
  loader Ir  instructions executed inside the loader's own object (self
           cost of its code, read from callgrind's output file), one run
           under valgrind --tool=callgrind (harness.loader_instructions),
           which starts the program through its PT_INTERP; lazy binding
           done later by the program counts too. valgrind preloads two objects of its own, which
           changes the closure's key: the closure and image rows use caches
           recorded under callgrind (rtld-symcache build --loader with a
           wrapper that runs our loader under valgrind), as
           bench/symcache.py does.
  PSS      the proportional set size (/proc/PID/smaps_rollup, Pss) summed
           over 4 concurrent processes of the program, median of
           --pss-rounds rounds; of it, the anonymous part (Pss_Anon:
           private copies made by relocation, heap, stack) and the part
           that maps the cache file (/proc/PID/smaps: its index and
           closure, and the image pages). Each process is held alive at its first
           write to standard output, which is a pipe the script filled
           beforehand: the process blocks in write(2) with its start-up
           done (no ptrace, no change to the program); the script waits
           until /proc/PID/syscall shows it blocked in write on fd 1, reads
           the PSS of the four and kills them. /bin/true writes nothing:
           /bin/echo x stands in for it; python3 -c pass runs as python3 -c
           "import os; os.write(1, b'x')".

Afterwards, for each workload with images: objects mapped from images,
bytes, patches and pages copied as the loader reports them
(RTLD_STATS=json), and the patches read back from the image cache, by why
each is a patch: IFUNC (IRELATIVE, or a symbol reference bound to an IFUNC
whose result the resolver gives at each start), TLS (module ids, offsets,
descriptors), program (a reference into the PIE program the kernel
places), ld.so (a reference into the loader), other. A program whose image
was not used shows what LD_DEBUG=symcache says.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import symcache as symcache_bench  # noqa: E402

GLIBC_LD = "/lib64/ld-linux-x86-64.so.2"
VARIANTS = ("glibc", "rtld", "rtld+closure", "rtld+image")
# What holds each workload at its first write to stdout (see the PSS column).
HOLD = {
    "/bin/true": ["/bin/echo", "x"],
    "python3 -c pass": ["/usr/bin/python3", "-c", "import os; os.write(1, b'x')"],
}
NPROC = 4
# Workloads whose images hold at least this many pages get a per-object table.
BIG_IMAGE_PAGES = 256


class Workload:
    def __init__(self, label, argv, hold=None):
        self.label = label
        self.argv = argv             # the original program and its arguments
        self.hold = hold or argv     # what the PSS column runs
        self.system = True           # copies in DIR/{glibc,rtld}/bin, else beside the program
        self.roots = {}              # variant -> directory printed by the program, for normalize
        self.copies = {}             # "glibc"/"rtld" -> program copy; "hold-glibc"/"hold-rtld"


# --- Copies -----------------------------------------------------------------

def make_roots(tmp):
    roots = {}
    for side in ("glibc", "rtld"):
        r = os.path.join(tmp, side)
        os.makedirs(os.path.join(r, "bin"))
        for d in ("lib", "share"):
            os.symlink(os.path.join("/usr", d), os.path.join(r, d))
        roots[side] = r
    return roots


def copy_into(prog, root, side, loader):
    dst = os.path.join(root, "bin", os.path.basename(prog))
    if not os.path.exists(dst):
        if side == "rtld":
            harness.patched_copy(prog, loader, dst)
        else:
            shutil.copy2(prog, dst)
    return dst


def prepare(workloads, roots, loader):
    for w in workloads:
        if w.system:
            for side in ("glibc", "rtld"):
                w.copies[side] = copy_into(w.argv[0], roots[side], side, loader)
                w.copies["hold-" + side] = copy_into(w.hold[0], roots[side], side, loader)
            w.roots = {"glibc": roots["glibc"], "rtld": roots["rtld"]}
        else:
            prog = w.argv[0]
            w.copies["glibc"] = w.copies["hold-glibc"] = prog
            w.copies["rtld"] = w.copies["hold-rtld"] = harness.patched_copy(prog, loader, prog + ".rtld-images")


def side_of(variant):
    return "glibc" if variant == "glibc" else "rtld"


def variants_of(w, caches, hold=False):
    envs = {"glibc": {}, "rtld": {"RTLD_SYMCACHE": ""},
            "rtld+closure": {"RTLD_SYMCACHE": caches["closure"]},
            "rtld+image": {"RTLD_SYMCACHE": caches["image"]}}
    key = "hold-" if hold else ""
    args = (w.hold if hold else w.argv)[1:]
    return [harness.Variant(v, [w.copies[key + side_of(v)]] + args, envs[v]) for v in VARIANTS]


def build_cache(cli, loader, path, programs, images, timeout=60):
    args = [cli, "build", "--loader", loader, "--cache", path, "--timeout", str(timeout)]
    if not images:
        args.append("--no-images")
    p = subprocess.run(args + programs, env=harness.base_env(), capture_output=True, text=True)
    for line in (p.stdout + p.stderr).splitlines():
        print("  " + line, flush=True)
    if p.returncode != 0:
        raise RuntimeError(f"rtld-symcache build failed ({p.returncode})")


def stats_of(err):
    return symcache_bench.stats_of(err)


# --- PSS of concurrent processes ----------------------------------------------

def fill_pipe(w):
    os.set_blocking(w, False)
    try:
        while True:
            os.write(w, b"\0" * 65536)
    except BlockingIOError:
        pass
    os.set_blocking(w, True)  # the child shares the open file description


def blocked_in_write(pid):
    """True when pid waits in write/writev on fd 1; None when it cannot be told."""
    try:
        with open(f"/proc/{pid}/syscall") as f:
            s = f.read().split()
        return len(s) >= 2 and s[0] in ("1", "20") and int(s[1], 16) == 1
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/wchan") as f:
            return f.read().strip() == "pipe_write"
    except OSError:
        return None


def smaps_rollup(pid):
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            m = re.match(r"(\w+):\s+(\d+) kB", line)
            if m:
                out[m.group(1)] = int(m.group(2))
    return out


def pss_of_file(pid, path):
    """Pss (kB) of pid's mappings of the file path."""
    total = 0
    inside = False
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split(None, 5)
            if re.match(r"[0-9a-f]+-[0-9a-f]+$", head[0]):
                inside = len(head) == 6 and head[5].rstrip("\n") == path
            elif inside and head[0] == "Pss:":
                total += int(head[1])
    return total


def pss_group(argv, env, n=NPROC, timeout=120, cache=None):
    """Starts n processes of argv, each with stdout a full pipe, waits until
    all are blocked in their write, and returns the sums of their Pss,
    Pss_Anon, Pss_File, Rss and the Pss of their mappings of the file
    cache (kB)."""
    procs = []
    try:
        for _ in range(n):
            r, w = os.pipe()
            fill_pipe(w)
            try:
                pid = os.posix_spawn(argv[0], argv, env,
                                     file_actions=[(os.POSIX_SPAWN_DUP2, w, 1),
                                                   (os.POSIX_SPAWN_DUP2, harness.DEVNULL, 2)])
            finally:
                os.close(w)
            procs.append((pid, r))
        deadline = time.monotonic() + timeout
        while True:
            states = []
            for pid, _ in procs:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    raise RuntimeError(f"{argv[0]} exited ({status}) before its write")
                states.append(blocked_in_write(pid))
            if None in states:
                raise RuntimeError("cannot read /proc/PID/syscall or wchan")
            if all(states):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{argv[0]}: not blocked in write after {timeout} s")
            time.sleep(0.02)
        tot = {"Pss": 0, "Pss_Anon": 0, "Pss_File": 0, "Rss": 0}
        for pid, _ in procs:
            s = smaps_rollup(pid)
            for k in tot:
                tot[k] += s.get(k, 0)
        tot["Pss_cache"] = sum(pss_of_file(pid, cache) for pid, _ in procs) if cache else 0
        return tot
    finally:
        for pid, r in procs:
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            os.close(r)


# --- The image cache, read back: why each patch is one ------------------------

R_TYPES_TLS = {16, 17, 18, 36}   # DTPMOD64, DTPOFF64, TPOFF64, TLSDESC
R_IRELATIVE = 37
K_OBJ_LAZY_PLT, K_OBJ_IMAGE = 1, 2
K_NOT_RECORDED, K_UNRESOLVED_WEAK = 0xffffffff, 0xfffffffe
PAGE = 4096


class CacheFile:
    """Just enough of rtld/elf/symcache.h (format 2) to list each closure's
    objects, bindings and patches. No validation beyond the magic: the
    file was just written by rtld-symcache build."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.b = f.read()
        if self.b[:8] != b"RTLDSYMC" or struct.unpack_from("<I", self.b, 8)[0] != 2:
            raise RuntimeError(f"{path}: not a format-2 symbol cache")
        self.sec = [struct.unpack_from("<QQQQ", self.b, 64 + 32 * i) for i in range(7)]

    def string(self, off):
        base = self.sec[3][0]
        end = self.b.index(b"\0", base + off)
        return self.b[base + off:end].decode()

    def object_path(self, object_id):
        soname, path = struct.unpack_from("<II", self.b, self.sec[2][0] + 64 * object_id + 48)
        return self.string(path) if path != 0xffffffff else "?"

    def closures(self):
        off, _, count, _ = self.sec[0]
        for i in range(count):
            _, off8, _ = struct.unpack_from("<QII", self.b, off + 16 * i)
            if off8:
                yield self.closure(off8 * 8)

    def closure(self, at):
        (_, _, _, nobj, program, ndense, nsparse, _, _, nruns, npatches, _, flags,
         _) = struct.unpack_from("<QQQIIIIQQIIIIQ", self.b, at)
        p = at + 80
        objs = []
        for i in range(nobj):
            f = struct.unpack_from("<6QIIIIIIQIIIIII", self.b, p + 104 * i)
            objs.append({"object_id": f[6], "nsyms": f[7], "dense_first": f[8], "dense_count": f[9],
                         "sparse_first": f[10], "sparse_count": f[11], "bias": f[12], "run_first": f[13],
                         "run_count": f[14], "patch_first": f[15], "patch_count": f[16], "flags": f[17]})
        p += 104 * nobj
        dense = [struct.unpack_from("<II", self.b, p + 8 * i) for i in range(ndense)]
        p += 8 * ndense
        sparse = [struct.unpack_from("<IIII", self.b, p + 16 * i)[:3] for i in range(nsparse)]
        p += 16 * nsparse
        runs = [struct.unpack_from("<QQI", self.b, p + 24 * i) for i in range(nruns)]
        p += 24 * nruns
        patches = [struct.unpack_from("<QQq", self.b, p + 24 * i) for i in range(npatches)]
        for o in objs:
            o["path"] = self.object_path(o["object_id"])
        return {"program": self.string(program) if program != 0xffffffff else None, "flags": flags,
                "objects": objs, "dense": dense, "sparse": sparse, "runs": runs, "patches": patches}


def binding(c, obj, symndx):
    """(def_index, def_symndx) of object position obj's symbol symndx, or None."""
    o = c["objects"][obj]
    if symndx < o["dense_count"]:
        return c["dense"][o["dense_first"] + symndx]
    for s, di, ds in c["sparse"][o["sparse_first"]:o["sparse_first"] + o["sparse_count"]]:
        if s == symndx:
            return di, ds
    return None


_sym_types = {}


def sym_type(path, symndx):
    """The ELF type readelf gives symbol symndx of path's .dynsym ("IFUNC", "FUNC", ...)."""
    if path not in _sym_types:
        t = {}
        out = subprocess.run(["readelf", "-W", "--dyn-syms", path], capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = re.match(r"\s*(\d+):\s+[0-9a-f]+\s+\d+\s+(\w+)", line)
            if m:
                t[int(m.group(1))] = m.group(2)
        _sym_types[path] = t
    return _sym_types[path].get(symndx, "?")


def pltgot(path):
    out = subprocess.run(["readelf", "-W", "-d", path], capture_output=True, text=True).stdout
    m = re.search(r"\(PLTGOT\)\s+0x([0-9a-f]+)", out)
    return int(m.group(1), 16) if m else None


def patch_breakdown(c, loader):
    """Per reason: patches and distinct pages they write; and the total of
    distinct pages over the imaged objects (what the loader counts as
    image_pages_copied), plus pages the lazy PLT header writes."""
    loader = os.path.realpath(loader)
    reasons = {}
    total_pages = 0
    lazy_pages = 0
    per_object = []
    for i, o in enumerate(c["objects"]):
        if not o["flags"] & K_OBJ_IMAGE:
            continue
        pages = set()
        mine = {}
        for off, info, _ in c["patches"][o["patch_first"]:o["patch_first"] + o["patch_count"]]:
            typ, symndx = info & 0xffffffff, info >> 32
            if typ == R_IRELATIVE:
                why = "IFUNC"
            elif typ in R_TYPES_TLS:
                why = "TLS"
            else:
                b = binding(c, i, symndx) if symndx else None
                if b is None or b[0] in (K_NOT_RECORDED, K_UNRESOLVED_WEAK) or b[0] >= len(c["objects"]):
                    why = "other"
                elif b[0] == 0:
                    why = "program"
                elif os.path.realpath(c["objects"][b[0]]["path"]) == loader:
                    why = "ld.so"
                elif sym_type(c["objects"][b[0]]["path"], b[1]) == "IFUNC":
                    why = "IFUNC"
                else:
                    why = "other"
            r = reasons.setdefault(why, [0, set()])
            r[0] += 1
            r[1].add((i, off // PAGE))
            mine[why] = mine.get(why, 0) + 1
            pages.add(off // PAGE)
        if o["flags"] & K_OBJ_LAZY_PLT:
            g = pltgot(o["path"])
            if g is not None and (g + 8) // PAGE not in pages:
                lazy_pages += 1
        total_pages += len(pages)
        run_pages = sum(r[2] for r in c["runs"][o["run_first"]:o["run_first"] + o["run_count"]])
        per_object.append((os.path.basename(o["path"]), run_pages, o["patch_count"], len(pages), mine))
    return {k: (v[0], len(v[1])) for k, v in reasons.items()}, total_pages, lazy_pages, per_object


# --- Measuring -----------------------------------------------------------------

def check_states(w, variants):
    """The symbol-cache and image state of each of our variants (one run with
    RTLD_STATS=json); LD_DEBUG=symcache's lines when images were expected
    but not used."""
    out = {}
    for v in variants:
        if v.name == "glibc" or v.status != "ok":
            continue
        _, _, err, _ = harness.capture(v.argv, harness.base_env({**v.env, "RTLD_STATS": "json"}))
        st = stats_of(err) or {}
        out[v.name] = st
        want = {"rtld": "off", "rtld+closure": "hit", "rtld+image": "hit"}[v.name]
        if st.get("symcache") != want:
            raise RuntimeError(f"{w.label}/{v.name}: symbol cache {st.get('symcache')!r}, want {want!r}")
        if v.name == "rtld+image" and st.get("images") != "used":
            _, _, err, _ = harness.capture(v.argv, harness.base_env({**v.env, "LD_DEBUG": "symcache"}))
            st["why"] = [re.sub(r"^\s*\d+:\s*", "", l) for l in err.splitlines() if "symcache:" in l]
    return out


def q3(vals):
    if len(vals) < 2:
        return vals[0], vals[0], vals[0]
    a, _, c = statistics.quantiles(vals, n=4)
    return a, statistics.median(vals), c


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loader", required=True, help="our ld.so")
    ap.add_argument("--cli", required=True, help="rtld-symcache")
    ap.add_argument("--runs", type=int, default=100, help="interleaved timed runs per variant")
    ap.add_argument("--work", default="/tmp/rtld-bench-symcache",
                    help="the generated 400-library workload lives here (shared with bench/symcache.py)")
    ap.add_argument("--only", default="", help="comma-separated workload labels")
    ap.add_argument("--pss-rounds", type=int, default=3)
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--no-pss", action="store_true")
    ap.add_argument("--md", help="write the tables here (Markdown)")
    ap.add_argument("--json", help="write every measurement here")
    a = ap.parse_args()
    loader = os.path.abspath(a.loader)
    cli = os.path.abspath(a.cli)

    workloads = [Workload(label, argv, HOLD.get(label)) for label, argv in harness.REAL_WORKLOADS
                 if os.path.exists(argv[0])]
    if not a.only or "w400" in a.only.split(","):
        os.makedirs(a.work, exist_ok=True)
        w = Workload("w400", [symcache_bench.gen(a.work, "w400", "--libs", "400", "--relocs", "50")])
        w.system = False
        workloads.append(w)
    if a.only:
        names = a.only.split(",")
        workloads = [w for w in workloads if w.label in names]

    tmp = tempfile.mkdtemp(prefix="rtld-bench-images.")
    results = {}
    try:
        prepare(workloads, make_roots(tmp), loader)
        programs = sorted({w.copies[k] for w in workloads for k in ("rtld", "hold-rtld")})
        caches = {"closure": os.path.join(tmp, "closure.cache"), "image": os.path.join(tmp, "image.cache")}
        print("building the caches ...", flush=True)
        build_cache(cli, loader, caches["closure"], programs, images=False)
        build_cache(cli, loader, caches["image"], programs, images=True)
        vg_caches = None
        if not a.no_callgrind and shutil.which("valgrind"):
            wrapper = os.path.join(tmp, "ld-under-callgrind")
            with open(wrapper, "w") as f:
                f.write("#!/bin/sh\nexec valgrind -q --tool=callgrind --callgrind-out-file=/dev/null "
                        f"'{loader}' \"$@\"\n")
            os.chmod(wrapper, 0o755)
            vg_caches = {"closure": os.path.join(tmp, "vg-closure.cache"),
                         "image": os.path.join(tmp, "vg-image.cache")}
            print("building the caches under callgrind ...", flush=True)
            progs = sorted({w.copies["rtld"] for w in workloads})
            build_cache(cli, wrapper, vg_caches["closure"], progs, images=False, timeout=900)
            build_cache(cli, wrapper, vg_caches["image"], progs, images=True, timeout=900)
        image_file = CacheFile(caches["image"])
        closures = {c["program"]: c for c in image_file.closures()}

        for w in workloads:
            t0 = time.time()
            res = {"label": w.label, "variants": {}}
            results[w.label] = res
            roots = w.roots

            def normalize(v, out, roots=roots):
                r = roots.get(side_of(v.name))
                return out.replace(r, "<dir>") if r else out

            variants = variants_of(w, caches)
            harness.check(variants, {}, normalize=normalize)
            states = check_states(w, variants)
            timed = harness.timed_runs(variants, a.runs, {}, rotate=True)
            for v in variants:
                row = {"status": v.status, "state": states.get(v.name, {})}
                if v.status == "ok":
                    t = timed[v.name]
                    row["wall_us"] = q3(t["wall"])
                    row["minflt"] = statistics.median(t["minflt"])
                res["variants"][v.name] = row
            print(f"{w.label}: {a.runs} interleaved runs x {len(variants)} in {time.time() - t0:.0f} s: "
                  + ", ".join(f"{n} {r['wall_us'][1]:.0f} us {r['minflt']:.0f} flt"
                              for n, r in res["variants"].items() if "wall_us" in r), flush=True)

            if vg_caches:
                for v in variants_of(w, vg_caches):
                    row = res["variants"][v.name]
                    ld = GLIBC_LD if v.name == "glibc" else loader
                    r = harness.loader_instructions(v.argv, harness.base_env({**v.env, "RTLD_STATS": "json"}), ld)
                    if r is None:
                        continue
                    row["loader_ir"], row["process_ir"] = r[0], r[1]
                    st = stats_of(r[2]) or {}
                    row["callgrind_state"] = (st.get("symcache"), st.get("images"))
                print(f"  loader Ir: " + ", ".join(f"{n} {r.get('loader_ir', 0):,}"
                                                   for n, r in res["variants"].items()), flush=True)

            if not a.no_pss:
                vs = variants_of(w, caches, hold=True)
                samples = {v.name: [] for v in vs}
                for _ in range(a.pss_rounds):
                    for v in vs:
                        samples[v.name].append(pss_group(v.argv, harness.base_env(v.env),
                                                         cache=v.env.get("RTLD_SYMCACHE") or None))
                for v in vs:
                    s = samples[v.name]
                    res["variants"][v.name]["pss_kb"] = {k: statistics.median(x[k] for x in s) for k in s[0]}
                res["hold"] = " ".join([os.path.basename(w.hold[0])] + w.hold[1:])
                print("  PSS of 4: " + ", ".join(f"{n} {r['pss_kb']['Pss'] / 1024:.1f} MB"
                                                 for n, r in res["variants"].items()), flush=True)

            c = closures.get(w.copies["rtld"])
            if c is not None:
                reasons, pages, lazy_pages, per_object = patch_breakdown(c, loader)
                res["patches"] = {"by_reason": reasons, "pages": pages, "lazy_plt_pages": lazy_pages,
                                  "per_object": per_object}

        text = tables(workloads, results, a.runs)
        print()
        print(text)
        if a.md:
            with open(a.md, "w") as f:
                f.write(text)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(results, f, indent=1, default=list)
    finally:
        for w in workloads:
            if not w.system and w.copies.get("rtld", "").endswith(".rtld-images"):
                try:
                    os.unlink(w.copies["rtld"])
                except OSError:
                    pass
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def tables(workloads, results, runs):
    f = harness.fmt
    out = [f"Wall: median (p25-p75) of {runs} interleaved runs; minflt: median; loader Ir: one callgrind run; "
           f"PSS: {NPROC} concurrent processes, summed.", "",
           "| workload | loader | wall (µs) | x glibc | minor faults | x glibc | loader Ir | x glibc "
           "| PSS of 4 (MB) | vs glibc (MB) | of which anonymous (MB) | of which the cache file (MB) |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for w in workloads:
        res = results.get(w.label)
        if not res:
            continue
        g = res["variants"]["glibc"]
        for name in VARIANTS:
            r = res["variants"][name]
            label = w.label if name == "glibc" else ""
            if r["status"] != "ok":
                out.append(f"| {label} | {name} | {r['status']} |" + " |" * 9)
                continue
            wl = r["wall_us"]
            wall = f"{wl[1]:.0f} ({wl[0]:.0f}-{wl[2]:.0f})"
            xw = wl[1] / g["wall_us"][1]
            xf = r["minflt"] / g["minflt"] if g.get("minflt") else None
            ir = r.get("loader_ir")
            xi = ir / g["loader_ir"] if ir is not None and g.get("loader_ir") else None
            note = ""
            cs = r.get("callgrind_state")
            if name == "rtld+image" and cs and cs[1] != "used":
                note = f" (callgrind: images {cs[1]})"
            pss = r.get("pss_kb", {}).get("Pss")
            gp = g.get("pss_kb", {}).get("Pss")
            pa = r.get("pss_kb", {}).get("Pss_Anon")
            pc = r.get("pss_kb", {}).get("Pss_cache") if name in ("rtld+closure", "rtld+image") else None
            out.append(f"| {label} | {name} | {wall} | {xw:.3f} | {r['minflt']:.0f} | {f(xf, 3)} | "
                       f"{'-' if ir is None else format(ir, ',')}{note} | {f(xi, 3)} | "
                       f"{'-' if pss is None else format(pss / 1024, '.1f')} | "
                       f"{'-' if pss is None or gp is None else format((pss - gp) / 1024, '+.1f')} | "
                       f"{'-' if pa is None else format(pa / 1024, '.1f')} | "
                       f"{'-' if pc is None else format(pc / 1024, '.1f')} |")
    out += ["", "| workload | images | objects | MB mapped | patches | pages copied | patches (pages) by reason "
            "| held for PSS |", "|---|---|---:|---:|---:|---:|---|---|"]
    for w in workloads:
        res = results.get(w.label)
        if not res:
            continue
        st = res["variants"]["rtld+image"].get("state", {})
        p = res.get("patches")
        why = ""
        if p:
            why = ", ".join(f"{k} {n} ({pg})" for k, (n, pg) in sorted(p["by_reason"].items(), key=lambda x: -x[1][0]))
            if p["lazy_plt_pages"]:
                why += f"; lazy PLT header: {p['lazy_plt_pages']} more pages"
        read_back = f" ({p['pages']})" if p else ""
        images = st.get("images", "-")
        if st.get("why"):
            images += ": " + "; ".join(st["why"])[:200]
        out.append(f"| {w.label} | {images} | {st.get('image_objects', '-')} | "
                   f"{f(st.get('image_bytes', 0) / 1048576, 1)} | {st.get('image_patches', '-')} | "
                   f"{st.get('image_pages_copied', '-')}{read_back} | {why or '-'} | {res.get('hold', '-')} |")
    # Where the big programs still copy pages, object by object.
    rows = []
    for w in workloads:
        p = results.get(w.label, {}).get("patches")
        if not p or sum(o[1] for o in p["per_object"]) < BIG_IMAGE_PAGES:
            continue
        for name, run_pages, npatches, pages, why in sorted(p["per_object"], key=lambda o: -o[3]):
            if pages:
                reasons = ", ".join(f"{k} {n}" for k, n in sorted(why.items(), key=lambda x: -x[1]))
                rows.append(f"| {w.label} | {name} | {run_pages} | {npatches} | {pages} | {reasons} |")
    if rows:
        out += ["", "| workload | object | image pages | patches | pages copied | patches by reason |",
                "|---|---|---:|---:|---:|---|"] + rows
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
