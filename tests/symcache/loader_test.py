#!/usr/bin/python3
"""The symbol cache seen from the loader (DESIGN §6): each test starts real
programs under build/rtld/ld.so with RTLD_SYMCACHE set and checks what
they print, their exit status, and what the loader says about the cache
(LD_DEBUG=symcache,statistics).

The libc-free programs are built here, in a temporary directory, with the
C compiler (--cc): a program `prog` (PT_INTERP = the loader under test,
DT_RUNPATH=$ORIGIN) that needs libf.so and prints

    f=<f()> fp=<address of f taken in data, called> fdata=<fdata> g=<g()>

and exits with status argc - 1. libf.so comes in versions: v1 (f returns
1, fdata 10), v2 (f returns 2, fdata 20), chosen with the same size and
.dynsym count as v1 but with f and fdata at other symbol indices (the
padding functions, which return 100 + i, have other names, so GNU hash
orders .dynsym differently): a closure recorded for v1 and wrongly used
with v2 binds f to a padding function and prints a wrong number. g() is
called through the PLT (lazy binding), f() through the GOT (-fno-plt) and
through a data pointer (R_X86_64_64).

Tests (one per meson test): warm, replace, env, corrupt, trust, secure,
daemon, concurrent. Exit status 0 pass, 1 fail, 77 skip.
"""
import argparse
import concurrent.futures
import os
import random
import re
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time

A = None
ENV_VARS = ["LD_LIBRARY_PATH", "LD_PRELOAD", "LD_BIND_NOW", "LD_DYNAMIC_WEAK", "LD_AUDIT"]


class Skip(Exception):
    pass


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def note(msg):
    print(msg, flush=True)


# --- Building the programs ----------------------------------------------------

CFLAGS = ["-O2", "-g0", "-nostdlib", "-ffreestanding", "-fno-stack-protector", "-fno-builtin",
          "-fno-asynchronous-unwind-tables", "-Wl,-z,noexecstack", "-Wl,--hash-style=gnu"]

PROG_C = r"""
extern int f(void);
extern int g(void);
extern int fdata;
int (*volatile fptr)(void) = f;   /* R_X86_64_64 against f */

static long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}
static char buf[256];
static int len;
static void put(const char *s) { while (*s) buf[len++] = *s++; }
static void num(long v) {
  char t[24]; int n = 0;
  if (v < 0) { buf[len++] = '-'; v = -v; }
  do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) buf[len++] = t[--n];
}
__attribute__((noinline, optimize("no-plt"))) static int call_f_got(void) { return f(); }
__attribute__((used)) void start_c(long *sp) {
  long argc = sp[0];
  put("f="); num(call_f_got());
  put(" fp="); num(fptr());
  put(" fdata="); num(fdata);
  put(" g="); num(g());
  put("\n");
  sys3(1, 1, (long)buf, len);
  sys3(231, argc - 1, 0, 0);
  for (;;) {}
}
__asm__(".text\n.globl _start\n_start:\n xor %ebp,%ebp\n mov %rsp,%rdi\n and $-16,%rsp\n"
        " call start_c\n hlt\n");
"""


def lib_c(ret, names, fname="f", gval=7):
    out = ["int %s(void) { return %d; }" % (fname, ret),
           "int fdata = %d;" % (ret * 10),
           "int g(void) { return %d; }" % gval]
    for i, n in enumerate(names):
        out.append("int %s(void) { return %d; }" % (n, 100 + i))
    return "\n".join(out) + "\n"


def cc(args, cwd):
    p = subprocess.run([A.cc] + args, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        fail("cc %s:\n%s" % (" ".join(args), p.stderr))


def build_lib(d, name, src, soname="libf.so"):
    c = os.path.join(d, name + ".c")
    with open(c, "w") as f:
        f.write(src)
    out = os.path.join(d, name)
    cc(CFLAGS + ["-fPIC", "-shared", "-Wl,-soname," + soname, c, "-o", out], d)
    return out


def dynsym_index(lib, sym):
    p = subprocess.run(["readelf", "--dyn-syms", "-W", lib], capture_output=True, text=True, check=True)
    for line in p.stdout.splitlines():
        m = re.match(r"\s*(\d+):.*\s(\S+)$", line)
        if m and m.group(2) == sym:
            return int(m.group(1))
    return None


def nsyms(lib):
    p = subprocess.run(["readelf", "--dyn-syms", "-W", lib], capture_output=True, text=True, check=True)
    return len([l for l in p.stdout.splitlines() if re.match(r"\s*\d+:", l)])


class Layout:
    """tmp/app/{prog, libf.so} plus the other versions of libf.so in tmp/libs/."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.app = os.path.join(tmp, "app")
        self.libs = os.path.join(tmp, "libs")
        os.makedirs(self.app)
        os.makedirs(self.libs)
        pad1 = ["pa_%04d" % i for i in range(12)]
        self.v1 = build_lib(self.libs, "libf-v1.so", lib_c(1, pad1))
        # v2: same size and symbol count, f and fdata elsewhere in .dynsym.
        i1, d1, n1, s1 = (dynsym_index(self.v1, "f"), dynsym_index(self.v1, "fdata"), nsyms(self.v1),
                          os.path.getsize(self.v1))
        for seed in range(50):
            pad2 = ["p%c_%04d" % ("bcdefghijk"[seed % 10], i + 13 * seed) for i in range(12)]
            v2 = build_lib(self.libs, "libf-v2.so", lib_c(2, pad2))
            if (dynsym_index(v2, "f") != i1 and dynsym_index(v2, "fdata") != d1 and nsyms(v2) == n1
                    and os.path.getsize(v2) == s1):
                break
        else:
            fail("could not make a libf v2 of v1's size with f elsewhere in .dynsym")
        self.v2 = v2
        # libpre.so: interposes f (returns 3) for the LD_PRELOAD test.
        self.pre = build_lib(self.libs, "libpre.so", "int f(void) { return 3; }\n", soname="libpre.so")
        shutil.copy(self.v1, os.path.join(self.app, "libf.so"))
        self.prog = self.build_prog(os.path.join(self.app, "prog"), "$ORIGIN")
        self.lib = os.path.join(self.app, "libf.so")
        self.cache = os.path.join(tmp, "cache")
        self.no_sock = os.path.join(tmp, "no-such-dir", "sock")  # never the system socket

    def build_prog(self, out, runpath):
        c = os.path.join(self.libs, "prog.c")
        with open(c, "w") as f:
            f.write(PROG_C)
        cc(CFLAGS + ["-fPIE", "-pie", c, "-o", out, "-L" + self.app, "-lf",
                     "-Wl,--enable-new-dtags", "-Wl,-rpath," + runpath, "-Wl,--dynamic-linker=" + A.loader],
           self.libs)
        return out

    def env(self, **extra):
        return clean_env(**{"RTLD_SYMCACHE": self.cache, "RTLD_SYMCACHE_SOCKET": self.no_sock, **extra})


def want(fv, fdata=None, g=7):
    fdata = fv * 10 if fdata is None else fdata
    return "f=%d fp=%d fdata=%d g=%d\n" % (fv, fv, fdata, g)


# --- Running ------------------------------------------------------------------

def clean_env(**extra):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    env.update(extra)
    return env


class Run:
    def __init__(self, p):
        self.rc = p.returncode
        self.out = p.stdout
        self.err = p.stderr

    def stat(self, what):
        m = re.search(r"symbol lookups: (\d+)", self.err)
        s = re.search(r"symbol cache: ([a-z ]+), closure hits (\d+), not recorded (\d+)", self.err)
        i = re.search(r"images: (.*), objects (\d+), bytes mapped (\d+), patches (\d+), pages copied (\d+)$",
                      self.err, re.M)
        return {"lookups": int(m.group(1)) if m else None,
                "state": s.group(1) if s else None,
                "hits": int(s.group(2)) if s else None,
                "images": i.group(1) if i else None,
                "image_objects": int(i.group(2)) if i else None}[what]

    @property
    def found(self):
        return re.search(r"symcache: closure found$", self.err, re.M) is not None

    @property
    def missed(self):
        return "symcache: no closure for this program and environment" in self.err

    def __repr__(self):
        return "exit %s\nstdout: %r\nstderr:\n%s" % (self.rc, self.out, self.err[-3000:])


def run(argv, env, debug=True, timeout=60):
    env = dict(env)
    if debug:
        env["LD_DEBUG"] = "symcache,statistics"
    return Run(subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout))


def cli(*args, env=None, expect=0):
    p = subprocess.run([A.cli] + list(args), capture_output=True, text=True, env=env or clean_env(), timeout=300)
    if expect is not None and p.returncode != expect:
        fail("rtld-symcache %s: exit %d\n%s%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p


def build_cache(cache, *progs, env=None, images=True):
    """rtld-symcache build (images by default, as the CLI does)."""
    cli("build", "--cache", cache, "--loader", A.loader, *([] if images else ["--no-images"]), *progs, env=env)


def expect_hit(r, out, what, rc=0):
    check(r.out == out and r.rc == rc, "%s: output\n%r" % (what, r))
    check(r.found and r.stat("state") == "hit" and r.stat("hits") > 0, "%s: no closure hit\n%r" % (what, r))


def expect_images(r, out, what, rc=0):
    """The closure hit and its images mapped (the libraries' bindings are in
    their pages: closure hits may be 0)."""
    check(r.out == out and r.rc == rc, "%s: output\n%r" % (what, r))
    check(r.found and r.stat("state") == "hit", "%s: no closure hit\n%r" % (what, r))
    check(r.stat("images") == "used" and r.stat("image_objects") > 0, "%s: images not used\n%r" % (what, r))


def expect_miss(r, out, what, rc=0):
    check(r.out == out, "%s: wrong output (a stale binding?)\nwant %r\n%r" % (what, out, r))
    check(r.rc == rc, "%s: exit status %s, want %s\n%r" % (what, r.rc, rc, r))
    check(not r.found and r.missed and r.stat("state") == "miss" and r.stat("hits") == 0,
          "%s: want a miss\n%r" % (what, r))


# --- 1. warm cache --------------------------------------------------------------

def test_warm(tmp):
    """Closures alone (caches built with --no-images: every relocation goes
    through the closure); then the same programs with images."""
    L = Layout(tmp)
    off = run([L.prog], clean_env(RTLD_SYMCACHE=""))
    check(off.out == want(1) and off.rc == 0, "without the cache: %r" % off)
    check(off.stat("state") == "off" and off.stat("lookups") >= 2, "statistics without the cache: %r" % off)
    build_cache(L.cache, L.prog, images=False)
    warm = run([L.prog], L.env())
    expect_hit(warm, off.out, "libc-free program, warm")
    check(warm.stat("lookups") < off.stat("lookups"),
          "lookups did not drop: %s -> %s" % (off.stat("lookups"), warm.stat("lookups")))
    # (g(), bound lazily, is resolved after the statistics are printed.)
    check(warm.stat("lookups") == 0, "lookups left with a warm closure: %r" % warm)
    # Command mode: the same closure (the program is keyed by its file).
    cmd = run([A.loader, L.prog], L.env())
    expect_hit(cmd, off.out, "command mode, warm")
    # A generated workload: 12 libraries x 30 symbolic relocations.
    wl = os.path.join(tmp, "wl")
    p = subprocess.run([sys.executable, A.gen_workload, "--out", wl, "--libs", "12", "--relocs", "30",
                        "--cc", A.cc], capture_output=True, text=True)
    if p.returncode != 0:
        fail("gen-workload: %s" % p.stderr)
    wprog = os.path.join(wl, "prog")
    woff = run([A.loader, wprog], clean_env(RTLD_SYMCACHE=""))
    check(woff.rc == 0 and "workload checksum" in woff.out, "workload without the cache: %r" % woff)
    build_cache(L.cache, wprog, images=False)
    wwarm = run([A.loader, wprog], L.env())
    expect_hit(wwarm, woff.out, "generated workload, warm")
    check(wwarm.stat("hits") >= 12 * 30 and wwarm.stat("lookups") < woff.stat("lookups") // 10,
          "workload: hits %s, lookups %s -> %s" % (wwarm.stat("hits"), woff.stat("lookups"), wwarm.stat("lookups")))
    check(wwarm.stat("images") == "no layout for this program and environment" and wwarm.stat("image_objects") == 0,
          "no images without a layout: %r" % wwarm)
    # With images: the libraries are not relocated at all (their bindings
    # are in the pages), the output is the same.
    build_cache(L.cache, wprog)
    wimg = run([A.loader, wprog], L.env())
    expect_images(wimg, woff.out, "generated workload, images")
    check(wimg.stat("images") == "used" and wimg.stat("image_objects") == 12 and wimg.stat("lookups") == 0,
          "workload with images: %r" % wimg)
    # glibc programs: python3 and true, in command mode.
    py = os.path.realpath("/usr/bin/python3")
    truebin = os.path.realpath("/bin/true")
    build_cache(L.cache, py, truebin, images=False)
    pargv = [A.loader, py, "-c", "import sys; print(sum(range(10))); sys.exit(3)"]
    poff = run(pargv, clean_env(RTLD_SYMCACHE=""))
    check(poff.rc == 3 and poff.out == "45\n", "python3 without the cache: %r" % poff)
    pwarm = run(pargv, L.env())
    check(pwarm.out == poff.out and pwarm.rc == 3, "python3, warm: %r" % pwarm)
    check(pwarm.found and pwarm.stat("hits") > 0, "python3: no closure hit: %r" % pwarm)
    check(pwarm.stat("lookups") < poff.stat("lookups"),
          "python3: lookups %s -> %s" % (poff.stat("lookups"), pwarm.stat("lookups")))
    toff = run([A.loader, truebin], clean_env(RTLD_SYMCACHE=""))
    twarm = run([A.loader, truebin], L.env())
    check(twarm.rc == 0 and twarm.found and twarm.stat("lookups") < toff.stat("lookups"),
          "true, warm: %r" % twarm)
    note("warm: prog lookups %d -> %d; workload %d -> %d (hits %d); python3 %d -> %d (hits %d); true %d -> %d" % (
        off.stat("lookups"), warm.stat("lookups"), woff.stat("lookups"), wwarm.stat("lookups"), wwarm.stat("hits"),
        poff.stat("lookups"), pwarm.stat("lookups"), pwarm.stat("hits"), toff.stat("lookups"),
        twarm.stat("lookups")))


# --- 2. replaced libraries --------------------------------------------------------

_mtimes = [0]


def fresh_mtime(path):
    """Gives path an mtime second no other file of the test has: objects
    with a build ID are keyed by build ID, size and mtime second (what
    survives a copy), so a file written twice within one second with the
    same content would be the same object."""
    _mtimes[0] += 1
    t = 1500000000 + 1000 * _mtimes[0]
    os.utime(path, (t, t))


def install(src, dst):
    """A new file renamed over dst: a new inode, a new mtime."""
    tmp = dst + ".new"
    shutil.copy(src, tmp)
    fresh_mtime(tmp)
    os.rename(tmp, dst)


def rewrite_in_place(src, dst):
    """The same inode, new content (and so new mtime and ctime)."""
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "r+b") as f:
        f.write(data)
        f.truncate()
    fresh_mtime(dst)


def test_replace(tmp):
    L = Layout(tmp)
    # (a) A new file renamed over the library.
    build_cache(L.cache, L.prog)
    expect_hit(run([L.prog], L.env()), want(1), "v1 warm")
    time.sleep(0.02)  # past the file system's timestamp granularity
    install(L.v2, L.lib)
    expect_miss(run([L.prog], L.env()), want(2), "v2 renamed over v1")
    expect_miss(run([A.loader, L.prog], L.env()), want(2), "v2 renamed over v1, command mode")
    build_cache(L.cache, L.prog)
    expect_hit(run([L.prog], L.env()), want(2), "v2 warm")
    # (b) Rewritten in place: same inode, same size, new content and mtime.
    install(L.v1, L.lib)
    build_cache(L.cache, L.prog)
    expect_hit(run([L.prog], L.env()), want(1), "v1 warm again")
    ino = os.stat(L.lib).st_ino
    time.sleep(0.02)
    rewrite_in_place(L.v2, L.lib)
    st = os.stat(L.lib)
    check(st.st_ino == ino and st.st_size == os.path.getsize(L.v1), "rewritten in place")
    expect_miss(run([L.prog], L.env()), want(2), "v2 written into v1's inode")
    # (c) Rewritten in place with the old mtime put back (touch -d): only
    # ctime tells the files apart.
    install(L.v1, L.lib)
    build_cache(L.cache, L.prog)
    expect_hit(run([L.prog], L.env()), want(1), "v1 warm (c)")
    st0 = os.stat(L.lib)
    time.sleep(0.02)
    rewrite_in_place(L.v2, L.lib)
    os.utime(L.lib, ns=(st0.st_atime_ns, st0.st_mtime_ns))
    st = os.stat(L.lib)
    check(st.st_ino == st0.st_ino and st.st_size == st0.st_size and st.st_mtime_ns == st0.st_mtime_ns
          and st.st_ctime_ns != st0.st_ctime_ns, "only ctime differs")
    expect_miss(run([L.prog], L.env()), want(2), "v2 in v1's inode with v1's mtime")
    # (d) touch only: same content, new mtime: a miss, the same output.
    build_cache(L.cache, L.prog)
    expect_hit(run([L.prog], L.env()), want(2), "v2 warm (d)")
    time.sleep(0.02)
    fresh_mtime(L.lib)
    expect_miss(run([L.prog], L.env()), want(2), "touched")
    # (e) The program itself replaced (a copy with the same content).
    build_cache(L.cache, L.prog)
    time.sleep(0.02)
    install(L.prog, L.prog)
    expect_miss(run([L.prog], L.env()), want(2), "program replaced")


# --- 3. environment ------------------------------------------------------------------

def test_env(tmp):
    L = Layout(tmp)
    build_cache(L.cache, L.prog)
    expect_hit(run([L.prog], L.env()), want(1), "warm")
    # LD_PRELOAD: an interposer of f.
    expect_miss(run([L.prog], L.env(LD_PRELOAD=L.pre)), want(3, fdata=10), "LD_PRELOAD=libpre.so")
    # LD_PRELOAD of libf.so itself: the same objects in the same order, only
    # the environment differs.
    r = run([L.prog], L.env(LD_PRELOAD=L.lib))
    expect_miss(r, want(1), "LD_PRELOAD=libf.so (same object list)")
    # LD_LIBRARY_PATH: a directory with v2 (found before DT_RUNPATH).
    v2dir = os.path.join(tmp, "v2dir")
    os.mkdir(v2dir)
    shutil.copy(L.v2, os.path.join(v2dir, "libf.so"))
    expect_miss(run([L.prog], L.env(LD_LIBRARY_PATH=v2dir)), want(2), "LD_LIBRARY_PATH=v2dir")
    # LD_LIBRARY_PATH naming an empty directory: the same objects.
    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    expect_miss(run([L.prog], L.env(LD_LIBRARY_PATH=empty)), want(1), "LD_LIBRARY_PATH=empty dir")
    expect_miss(run([L.prog], L.env(LD_LIBRARY_PATH="")), want(1), "LD_LIBRARY_PATH= (empty value)")
    # LD_BIND_NOW: another bind mode.
    expect_miss(run([L.prog], L.env(LD_BIND_NOW="1")), want(1), "LD_BIND_NOW=1")
    # Closures recorded for those environments hit in them, and only there.
    build_cache(L.cache, L.prog, env=clean_env(LD_PRELOAD=L.pre))
    build_cache(L.cache, L.prog, env=clean_env(LD_LIBRARY_PATH=v2dir))
    expect_hit(run([L.prog], L.env(LD_PRELOAD=L.pre)), want(3, fdata=10), "LD_PRELOAD warm")
    expect_hit(run([L.prog], L.env(LD_LIBRARY_PATH=v2dir)), want(2), "LD_LIBRARY_PATH warm")
    expect_hit(run([L.prog], L.env()), want(1), "no variables, still warm")
    # v2 in v2dir replaced by v1 after the closure was recorded.
    time.sleep(0.02)
    install(L.v1, os.path.join(v2dir, "libf.so"))
    expect_miss(run([L.prog], L.env(LD_LIBRARY_PATH=v2dir)), want(1), "LD_LIBRARY_PATH, library replaced")


# --- 4. corrupt and untrusted caches ---------------------------------------------------

HEADER_SIZE = 320  # rtld/elf/symcache.h, format 2: 64 bytes, then 7 Section descriptors at 64 + 32 i
SEC_NAMES = ["slots", "closures", "objects", "strings", "symbols", "programs", "images"]


def sections(path):
    with open(path, "rb") as f:
        h = f.read(HEADER_SIZE)
    out = []
    for i in range(len(SEC_NAMES)):
        off, size, count, _ = struct.unpack_from("<QQQQ", h, 64 + 32 * i)
        out.append((off, size))
    return out


def section_of(secs, pos):
    if pos < HEADER_SIZE:
        return "header"
    for name, (off, size) in zip(SEC_NAMES, secs):
        if off <= pos < off + size:
            return name
    return "padding"


def test_corrupt(tmp):
    L = Layout(tmp)
    argv = [L.prog, "a", "b"]  # exit status 2
    good = os.path.join(tmp, "good")
    build_cache(good, L.prog)
    data = open(good, "rb").read()
    secs = sections(good)

    def with_bytes(b):
        with open(L.cache, "wb") as f:
            f.write(b)
        os.chmod(L.cache, 0o644)

    with_bytes(data)
    r = run(argv, L.env())
    expect_hit(r, want(1), "intact", rc=2)

    def rejected(r, what, msg="inconsistent file, ignored:"):
        check(r.out == want(1) and r.rc == 2, "%s: output or exit status\n%r" % (what, r))
        check(("symcache: " + msg) in r.err and r.stat("state") == "rejected" and not r.found,
              "%s: want %r and state rejected\n%r" % (what, msg, r))

    for n in (len(data) // 2, 100, 255, len(data) - 8, len(data) - 1):
        with_bytes(data[:n])
        rejected(run(argv, L.env()), "truncated to %d bytes" % n)
    with_bytes(data + b"\0" * 8)
    rejected(run(argv, L.env()), "8 bytes appended")
    with_bytes(b"")
    rejected(run(argv, L.env()), "empty", "not trusted or empty, ignored:")
    # Flipped bytes: in the header, slot table and program table Open()
    # fails; in the closure record its checksum fails (a miss); elsewhere
    # (objects, strings, symbol index: not read by the loader) the closure
    # may still be used. Never a wrong output, never another exit status.
    # (Image pages are not checksummed: test_images_corrupt covers them.)
    check(secs[5][1] > 0, "the cache has a program table (a layout)")
    targets = [8, 16, 24, 64, secs[0][0] + 3, secs[1][0] + 5, secs[1][0] + secs[1][1] // 2,
               secs[1][0] + secs[1][1] - 1, secs[5][0] + 1, secs[5][0] + secs[5][1] - 1, len(data) // 2]
    rng = random.Random(11)
    targets += [rng.randrange(len(data)) for _ in range(40)]
    counts = {}
    for pos in targets:
        if section_of(secs, pos) == "images":
            continue
        b = bytearray(data)
        b[pos] ^= 1 << rng.randrange(8) if pos not in (8, 16) else 0xff
        with_bytes(bytes(b))
        r = run(argv, L.env())
        where = section_of(secs, pos)
        check(r.out == want(1) and r.rc == 2, "byte %d (%s) flipped: output or exit status\n%r" % (pos, where, r))
        if where in ("header", "slots", "programs"):
            rejected(r, "byte %d (%s) flipped" % (pos, where))
        elif where == "closures":
            check(not r.found and (r.missed or r.stat("state") == "rejected"),
                  "byte %d (closure record) flipped: the closure was used\n%r" % (pos, r))
        counts[where] = counts.get(where, 0) + 1
    note("corrupt: flipped bytes per section: %s" % counts)
    # Garbage of the right size.
    with_bytes(bytes(rng.getrandbits(8) for _ in range(len(data))))
    rejected(run(argv, L.env()), "random bytes")
    # A directory, /dev/null, a missing file.
    r = run(argv, clean_env(RTLD_SYMCACHE=tmp))
    check(r.out == want(1) and r.rc == 2 and not r.found, "a directory as the cache: %r" % r)
    r = run(argv, clean_env(RTLD_SYMCACHE="/dev/null"))
    check(r.out == want(1) and r.rc == 2 and r.stat("state") == "rejected", "/dev/null as the cache: %r" % r)
    r = run(argv, clean_env(RTLD_SYMCACHE=os.path.join(tmp, "missing")))
    check(r.out == want(1) and r.rc == 2 and r.stat("state") == "no file", "a missing cache: %r" % r)
    # The same on a glibc program.
    with_bytes(data[:len(data) // 2])
    r = run([A.loader, os.path.realpath("/bin/false")], L.env())
    check(r.rc == 1 and "inconsistent file, ignored" in r.err, "/bin/false with a truncated cache: %r" % r)


def test_trust(tmp):
    L = Layout(tmp)
    build_cache(L.cache, L.prog)
    expect_hit(run([L.prog], L.env()), want(1), "0644, ours")

    def untrusted(what):
        r = run([L.prog], L.env())
        check(r.out == want(1) and r.rc == 0, "%s: %r" % (what, r))
        check("symcache: not trusted or empty, ignored:" in r.err and r.stat("state") == "rejected"
              and not r.found, "%s: want 'not trusted'\n%r" % (what, r))

    for mode in (0o666, 0o646, 0o664, 0o620):
        os.chmod(L.cache, mode)
        untrusted("mode %o" % mode)
    os.chmod(L.cache, 0o600)
    expect_hit(run([L.prog], L.env()), want(1), "0600, ours")
    os.chmod(L.cache, 0o444)
    expect_hit(run([L.prog], L.env()), want(1), "0444, ours")
    os.chmod(L.cache, 0o644)
    if os.geteuid() != 0:
        note("trust: not root: the other-owner case is skipped")
        return
    os.chown(L.cache, 65534, 65534)
    untrusted("owned by nobody")
    # Owned by nobody, read by nobody: its own file is trusted.
    os.chmod(tmp, 0o755)
    r = Run(subprocess.run([L.prog], env=dict(L.env(), LD_DEBUG="symcache"), capture_output=True, text=True,
                           preexec_fn=lambda: (os.setgid(65534), os.setuid(65534))))
    check(r.out == want(1) and r.found, "nobody's own cache, as nobody: %r" % r)
    os.chown(L.cache, 0, 0)
    r = Run(subprocess.run([L.prog], env=dict(L.env(), LD_DEBUG="symcache"), capture_output=True, text=True,
                           preexec_fn=lambda: (os.setgid(65534), os.setuid(65534))))
    check(r.out == want(1) and r.found, "root's cache, as nobody: %r" % r)


def test_secure(tmp):
    """AT_SECURE: a setuid-root copy started by nobody (strace -u nobody,
    which honours the set-user-ID bit when strace runs as root). RTLD_SYMCACHE
    must be ignored: the loader opens only the system path. Needs root."""
    if os.geteuid() != 0 or not shutil.which("strace"):
        raise Skip("secure mode needs root and strace")
    os.chmod(tmp, 0o755)
    L = Layout(tmp)
    for d in (L.app, L.libs):
        os.chmod(d, 0o755)
    # $ORIGIN is not expanded for a set-user-ID program: an absolute run path.
    suid = L.build_prog(os.path.join(L.app, "prog-suid"), L.app)
    os.chown(suid, 0, 0)
    build_cache(L.cache, suid)
    trace = os.path.join(tmp, "trace")

    def traced(prog, env):
        if os.path.exists(trace):
            os.unlink(trace)
        p = subprocess.run(["strace", "-qq", "-u", "nobody", "-e", "trace=open,openat,stat,newfstatat",
                            "-o", trace, prog], env=env, capture_output=True, text=True, timeout=60)
        return p, open(trace).read()

    v2dir = os.path.join(tmp, "v2dir")
    os.mkdir(v2dir, 0o755)
    shutil.copy(L.v2, os.path.join(v2dir, "libf.so"))
    env = L.env(LD_LIBRARY_PATH=v2dir)
    # Control: not set-user-ID: LD_LIBRARY_PATH and RTLD_SYMCACHE apply.
    os.chmod(suid, 0o755)
    p, t = traced(suid, env)
    check(p.returncode == 0 and p.stdout == want(2), "not setuid: %s %r" % (p.returncode, p.stdout))
    check(L.cache in t, "not setuid: the cache was not opened:\n" + t)
    # Set-user-ID root, started by nobody: both are ignored.
    os.chmod(suid, 0o4755)
    p, t = traced(suid, env)
    check(p.returncode == 0 and p.stdout == want(1), "setuid: LD_LIBRARY_PATH used? %s %r %s" %
          (p.returncode, p.stdout, p.stderr))
    check(L.cache not in t, "secure mode opened RTLD_SYMCACHE's file:\n" + t)
    check("/var/cache/rtld/symcache" in t, "secure mode did not try the system cache:\n" + t)
    check("RTLD_SYMCACHE_SOCKET" not in t and L.no_sock not in t, "secure mode looked at the socket variable")


# --- 5. the daemon -----------------------------------------------------------------

class Daemon:
    def __init__(self, tmp, cache, *extra):
        run_dir = os.path.join(tmp, "run")
        os.makedirs(run_dir, exist_ok=True)
        os.chmod(run_dir, 0o755)
        self.sock = os.path.join(run_dir, "symcache.sock")
        self.cache = cache
        self.log = open(os.path.join(tmp, "daemon.log"), "a+")
        self.proc = subprocess.Popen(
            [A.daemon, "--foreground", "--socket", self.sock, "--cache", cache, "--loader", A.loader,
             "--batch-ms", "0", "--rate", "6000"] + list(extra),
            stdout=self.log, stderr=self.log, env=clean_env())
        deadline = time.time() + 10
        while not os.path.exists(self.sock):
            if time.time() > deadline or self.proc.poll() is not None:
                fail("the daemon did not start:\n" + self.logtext())
            time.sleep(0.01)

    def logtext(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)


def wait_until(pred, what, timeout=30, log=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.05)
    fail("timed out waiting for %s\n%s" % (what, log() if log else ""))


def test_daemon(tmp):
    L = Layout(tmp)
    d = Daemon(tmp, L.cache)
    try:
        env = L.env(RTLD_SYMCACHE_SOCKET=d.sock)
        # No cache file before the daemon started: it publishes an empty
        # generation at once, so the first start already misses and asks.
        wait_until(lambda: os.path.exists(L.cache), "the daemon's empty generation", log=d.logtext)
        check("published an empty generation" in d.logtext(), "daemon log:\n" + d.logtext())
        r = run([L.prog], env)
        check(r.out == want(1) and r.rc == 0 and r.missed, "empty cache: %r" % r)
        check(r.stat("state") == "miss", "first start: not a miss: %r" % r)
        check("symcache: miss sent to " + d.sock in r.err, "no miss sent: %r" % r)
        wait_until(lambda: run([L.prog], L.env(), debug=True).found, "the daemon's closure", log=d.logtext)
        expect_hit(run([L.prog], env), want(1), "after the daemon published")
        log = d.logtext()
        check("recorded %s" % L.prog in log and "published generation" in log, "daemon log:\n" + log)
        # Another environment: a miss, then a hit.
        r = run([L.prog], env.copy() | {"LD_PRELOAD": L.pre})
        expect_miss(r, want(3, fdata=10), "LD_PRELOAD before the daemon")
        check("miss sent" in r.err, "no miss sent for LD_PRELOAD: %r" % r)
        wait_until(lambda: run([L.prog], L.env(LD_PRELOAD=L.pre)).found, "the LD_PRELOAD closure", log=d.logtext)
    finally:
        d.stop()
    # A replaced library: a miss, the new binding, then the daemon's new
    # closure (--min-interval 0 lets the same program in again).
    d = Daemon(tmp, L.cache, "--min-interval", "0")
    try:
        env = L.env(RTLD_SYMCACHE_SOCKET=d.sock)
        time.sleep(0.02)
        install(L.v2, L.lib)
        r = run([L.prog], env)
        expect_miss(r, want(2), "v2 after the daemon's v1 closure")
        wait_until(lambda: run([L.prog], L.env()).found, "the v2 closure", log=d.logtext)
        expect_hit(run([L.prog], env), want(2), "v2 warm from the daemon")
        # An untrusted socket directory (group-writable): nothing is sent.
        os.chmod(os.path.dirname(d.sock), 0o775)
        time.sleep(0.02)
        install(L.v1, L.lib)
        r = run([L.prog], env)
        expect_miss(r, want(1), "v1 again")
        check("socket not trusted" in r.err and "miss sent" not in r.err,
              "a group-writable socket directory was trusted: %r" % r)
        os.chmod(os.path.dirname(d.sock), 0o755)
    finally:
        d.stop()


# --- 6. concurrent starts while the cache is republished ---------------------------------

def test_concurrent(tmp):
    L = Layout(tmp)
    truebin = os.path.realpath("/bin/true")
    build_cache(L.cache, L.prog, truebin)
    stop = threading.Event()
    pubs = [0]
    errors = []

    # Recordings made once, so the publisher loop is fast (a publication
    # every few ms): `build --recording` merges without running the loader.
    rec_prog, rec_true = os.path.join(tmp, "prog.rec"), os.path.join(tmp, "true.rec")
    for rec, prog in ((rec_prog, L.prog), (rec_true, truebin)):
        subprocess.run([A.loader, "--record-bindings", rec, prog], check=True, env=clean_env())

    def republish():
        # Alternate: both closures, an empty cache, true's closure only
        # (each a new generation published by rename).
        i = 0
        while not stop.is_set():
            which = i % 3
            if which == 0:
                args = ["build", "--cache", L.cache, "--recording", rec_prog, "--recording", rec_true]
            elif which == 1:
                args = ["clear", "--cache", L.cache]
            else:
                args = ["build", "--cache", L.cache, "--recording", rec_true]
            p = subprocess.run([A.cli] + args, capture_output=True, text=True, env=clean_env())
            if p.returncode != 0:
                errors.append("publisher: %s" % p.stderr)
            pubs[0] += 1
            i += 1

    t = threading.Thread(target=republish)
    t.start()
    states = {}
    try:
        def one(i):
            if i % 5 == 4:
                p = subprocess.run([A.loader, truebin], env=dict(L.env(), RTLD_STATS="json"),
                                   capture_output=True, text=True, timeout=60)
                ok = p.returncode == 0 and p.stdout == ""
            else:
                p = subprocess.run([L.prog], env=dict(L.env(), RTLD_STATS="json"),
                                   capture_output=True, text=True, timeout=60)
                ok = p.returncode == 0 and p.stdout == want(1)
            m = re.search(r'"symcache":"([a-z ]+)"', p.stderr)
            return i, ok, p, m.group(1) if m else None

        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            for i, ok, p, state in ex.map(one, range(200)):
                states[state] = states.get(state, 0) + 1
                if not ok:
                    errors.append("run %d: exit %d stdout %r stderr %s" % (i, p.returncode, p.stdout, p.stderr[-500:]))
    finally:
        stop.set()
        t.join()
    check(not errors, "%d failures:\n%s" % (len(errors), "\n".join(errors[:10])))
    note("concurrent: 200 runs, 8 at a time, %d publications; cache states seen: %s" % (pubs[0], states))
    # The runs saw the cache change under them (a publication takes ~0.1 s,
    # the 200 runs ~1 s on 2 cores).
    check(pubs[0] >= 3, "only %d publications during the runs" % pubs[0])
    check(states.get("hit", 0) > 0 and states.get("miss", 0) > 0, "not both hits and misses: %s" % states)
    check(set(states) <= {"hit", "miss"}, "a run found the cache torn or missing: %s" % states)


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("test")
    ap.add_argument("--loader", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--gen-workload", required=True)
    A = ap.parse_args()
    A.loader = os.path.abspath(A.loader)
    tests = {"warm": test_warm, "replace": test_replace, "env": test_env, "corrupt": test_corrupt,
             "trust": test_trust, "secure": test_secure, "daemon": test_daemon, "concurrent": test_concurrent}
    tmp = tempfile.mkdtemp(prefix="rtld-symcache-loader.")
    try:
        tests[A.test](tmp)
    except Skip as e:
        print("SKIP: %s" % e)
        sys.exit(77)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
