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
daemon, daemon-impersonation, concurrent; and pre-relocated images (section 7, their own program
tree): images, images-taken, images-replaced, images-corrupt, images-off,
images-generations, images-copy. Exit status 0 pass, 1 fail, 77 skip.
"""
import argparse
import concurrent.futures
import json
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

# The libc-free output helpers both test programs use: a system call and
# decimal formatting into one buffer written at exit.
OUTPUT_HELPERS_C = r"""
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
"""

PROG_C = r"""
extern int f(void);
extern int g(void);
extern int fdata;
int (*volatile fptr)(void) = f;   /* R_X86_64_64 against f */

@OUTPUT_HELPERS@__attribute__((noinline, optimize("no-plt"))) static int call_f_got(void) { return f(); }
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
            f.write(PROG_C.replace("@OUTPUT_HELPERS@", OUTPUT_HELPERS_C))
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
    """rtld-symcache build (images by default, as the CLI does), each
    recording checked against the files as the daemon checks them (--check:
    every binding and image page must be what the files give)."""
    cli("build", "--check", "--cache", cache, "--loader", A.loader, *([] if images else ["--no-images"]), *progs,
        env=env)


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
    # A FIFO that no one writes to: opening it must not wait for a writer
    # (the start would block for ever), and, not a regular file, it is
    # ignored. The time limit only detects the hang.
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo, 0o644)
    try:
        r = run(argv, clean_env(RTLD_SYMCACHE=fifo), timeout=20)
    except subprocess.TimeoutExpired:
        fail("a FIFO as the cache: the start blocked (killed after 20 s)")
    check(r.out == want(1) and r.rc == 2 and r.stat("state") == "rejected", "a FIFO as the cache: %r" % r)
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
    # A user cache with a layout and images for it: never even opened below.
    lay = layouts(L.cache).get(suid)
    check(lay is not None and lay["base"] is not None and "libf.so" in lay["bias"],
          "the user cache has a layout for the program: %s" % lay)
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
    # In the environment the user cache's layout and images were recorded
    # for: still not opened, the normal path.
    p, t = traced(suid, L.env())
    check(p.returncode == 0 and p.stdout == want(1), "setuid, the cache's environment: %s %r %s" %
          (p.returncode, p.stdout, p.stderr))
    check(L.cache not in t, "secure mode opened RTLD_SYMCACHE's file (with a layout for it):\n" + t)


# --- 5. the daemon -----------------------------------------------------------------

class Daemon:
    def __init__(self, tmp, cache, *extra):
        run_dir = os.path.join(tmp, "run")
        os.makedirs(run_dir, exist_ok=True)
        os.chmod(run_dir, 0o755)
        self.sock = os.path.join(run_dir, "symcache.sock")
        self.cache = cache
        self.log = open(os.path.join(tmp, "daemon.log"), "a+")
        relayouts = self.relayouts()
        self.proc = subprocess.Popen(
            [A.daemon, "--foreground", "--socket", self.sock, "--cache", cache, "--loader", A.loader,
             "--batch-ms", "0", "--rate", "6000"] + list(extra),
            stdout=self.log, stderr=self.log, env=clean_env())
        deadline = time.time() + 30
        # Started: the socket exists and the start's relayout (new layouts
        # for every closure, recorded from the files as they are now) is
        # over, so the test's later file changes cannot race with it.
        while not os.path.exists(self.sock) or self.relayouts() == relayouts:
            if time.time() > deadline or self.proc.poll() is not None:
                fail("the daemon did not start:\n" + self.logtext())
            time.sleep(0.01)

    def relayouts(self):
        text = self.logtext()
        return text.count("relayout: published") + text.count("relayout failed")

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


def build_id_span(path):
    """(offset, size) of the NT_GNU_BUILD_ID descriptor in the file."""
    with open(path, "rb") as f:
        data = f.read()
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        at, end = p_offset, p_offset + p_filesz
        while p_type == 4 and at + 12 <= end:  # PT_NOTE
            namesz, descsz, ntype = struct.unpack_from("<III", data, at)
            desc = at + 12 + ((namesz + 3) & ~3)
            if ntype == 3 and data[at + 12:at + 16] == b"GNU\0":  # NT_GNU_BUILD_ID
                return desc, descsz
            at = desc + ((descsz + 3) & ~3)
    fail("%s has no build ID" % path)


def run_as(uid, argv, env, timeout=60):
    def drop():
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    env = dict(env, LD_DEBUG="symcache,statistics")
    return Run(subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, preexec_fn=drop))


def test_daemon_impersonation(tmp):
    """A closure stands for every file with its objects' build IDs, sizes and
    mtimes (keys survive copying). A user can give files of theirs another
    file's build ID, size and mtime: the daemon records such files as
    themselves only (exact keys), so the closure of a user's forged copy of
    a program and its library (v2 made to look like v1) is never taken for
    the originals, where it would bind f to a padding function; a copy only
    root can have written still stands for the original."""
    if os.geteuid() != 0:
        raise Skip("the daemon switches users only as root")
    L = Layout(tmp)
    user = 4242
    att = os.path.join(tmp, "att")
    os.mkdir(att)
    prog_copy = os.path.join(att, "prog")
    shutil.copy2(L.prog, prog_copy)
    forged = os.path.join(att, "libf.so")
    shutil.copy(L.v2, forged)
    (off1, n1), (off2, n2) = build_id_span(L.lib), build_id_span(forged)
    check(n1 == n2 and os.path.getsize(L.lib) == os.path.getsize(forged), "v1 and v2: build IDs and sizes alike")
    with open(L.lib, "rb") as f:
        f.seek(off1)
        bid = f.read(n1)
    with open(forged, "r+b") as f:
        f.seek(off2)
        f.write(bid)
    st = os.stat(L.lib)
    os.utime(forged, ns=(st.st_atime_ns, st.st_mtime_ns))
    for path in (att, prog_copy, forged):
        os.chown(path, user, user)
    d = Daemon(tmp, L.cache)
    try:
        env = L.env(RTLD_SYMCACHE_SOCKET=d.sock)
        wait_until(lambda: os.path.exists(L.cache), "the daemon's empty generation", log=d.logtext)
        r = run_as(user, [prog_copy], env)
        check(r.out == want(2) and "miss sent" in r.err, "the forged copy runs v2: %r" % r)
        wait_until(lambda: prog_copy in cli("dump", "--cache", L.cache).stdout, "the forged copy's closure",
                   log=d.logtext)
        check(re.search(r"for uid %d \(as uid %d\)" % (user, user), d.logtext()), "recorded as the user:\n" + d.logtext())
        dump = cli("dump", "--cache", L.cache).stdout
        check(re.search(r"\] object \d+ %s \(.*exact key\)" % re.escape(forged), dump),
              "the user's library is keyed exactly:\n" + dump)
        r = run([L.prog], L.env())
        check(r.out == want(1), "the original took the forged copy's closure: %r" % r)
        check(r.missed and not r.found, "the original: the forged copy's closure is not its own: %r" % r)
        # A copy only root can have written stands for the original.
        copy = os.path.join(tmp, "copy")
        subprocess.run(["cp", "-a", L.app, copy], check=True)
        r = run([os.path.join(copy, "prog")], env)
        check(r.out == want(1) and "miss sent" in r.err, "root's copy: %r" % r)
        wait_until(lambda: run([L.prog], L.env()).found, "root's copy's closure, used by the original",
                   log=d.logtext)
        expect_hit(run([L.prog], L.env()), want(1), "the original with root's copy's closure")
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


# --- 7. pre-relocated images ------------------------------------------------------------
#
# A program tree with relocated pages (ImgTree): tree/{prog, libimg.so,
# libbase.so}, DT_RUNPATH $ORIGIN. libimg.so's RELRO holds a 16 KiB table of
# pointers to its own data (relative relocations: image pages) and pointers
# to libbase.so's data and functions and to the program's prog_val (a
# reference into a program the kernel places: a patch); it calls base_fn
# through the PLT too. The program prints
#
#     sum=<img_sum()> call=<img_call()> data=<img_data> p=<*img_ptrs[4]> big=<img_big()>
#
# which depends on every kind of value an image holds: a page relocated for
# another layout, or a value from another library version, prints other
# numbers or crashes.

IMG_BASE_C = r"""
int base_val = %(val)d;
int base_pad[64] = {1};
int base_fn(void) { return %(fn)d; }
"""

IMG_LIB_C = r"""
extern int base_val;
extern int base_fn(void);
extern int prog_val;                 /* the program's: a patch when the kernel places it */
static int local_a = 1, local_b = 2;
int img_data = 3;
static int helper(void) { return 100; }
int *const img_ptrs[] = { &local_a, &local_b, &img_data, &base_val, &prog_val };
int (*const img_fns[])(void) = { helper, base_fn };
/* 2048 relative relocations: four RELRO pages written at every start. */
static int *const img_table[] = { @TABLE@ };
int img_sum(void) { int s = 0; for (unsigned i = 0; i < 5; ++i) s += *img_ptrs[i]; return s; }
int img_call(void) { return img_fns[0]() + img_fns[1]() + base_fn(); }
int img_big(void) {
  int s = 0;
  for (unsigned i = 0; i < sizeof img_table / sizeof img_table[0]; ++i) s += *img_table[i];
  return s;
}
"""

IMG_PROG_C = r"""
extern int img_sum(void);
extern int img_call(void);
extern int img_big(void);
extern int img_data;
extern int *const img_ptrs[];
int prog_val = 7;

@OUTPUT_HELPERS@__attribute__((used)) void start_c(long *sp) {
  long argc = sp[0];
  put("sum="); num(img_sum());
  put(" call="); num(img_call());
  put(" data="); num(img_data);
  put(" p="); num(*img_ptrs[4]);
  put(" big="); num(img_big());
  put("\n");
  sys3(1, 1, (long)buf, len);
  sys3(231, argc - 1, 0, 0);
  for (;;) {}
}
__asm__(".text\n.globl _start\n_start:\n xor %ebp,%ebp\n mov %rsp,%rdi\n and $-16,%rsp\n"
        " call start_c\n hlt\n");
"""

# Runs a program with [ADDR, ADDR + LEN) already mapped before its first
# instruction (the loader's, for a PT_INTERP start or ld.so itself): the
# child stops at its exec under ptrace, a mmap system call is injected at
# its entry point, the word and registers are restored and it runs on
# untraced. This is how a test occupies a layout address "first".
OCCUPY_C = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: occupy ADDR LEN PROGRAM [ARG]...\n"); return 2; }
  const unsigned long addr = strtoul(argv[1], 0, 16), len = strtoul(argv[2], 0, 16);
  const pid_t pid = fork();
  if (pid == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    execv(argv[3], argv + 3);
    _exit(127);
  }
  int st;
  if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) { fprintf(stderr, "occupy: no exec stop\n"); return 125; }
  struct user_regs_struct saved, regs;
  ptrace(PTRACE_GETREGS, pid, 0, &saved);
  errno = 0;
  const long word = ptrace(PTRACE_PEEKTEXT, pid, (void *)saved.rip, 0);
  if (errno) { perror("occupy: peek"); return 125; }
  ptrace(PTRACE_POKETEXT, pid, (void *)saved.rip, (void *)((word & ~0xffffL) | 0x050f)); /* syscall */
  regs = saved;
  regs.rax = 9; /* mmap */
  regs.rdi = addr;
  regs.rsi = len;
  regs.rdx = PROT_NONE;
  regs.r10 = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
  regs.r8 = (unsigned long)-1;
  regs.r9 = 0;
  ptrace(PTRACE_SETREGS, pid, 0, &regs);
  ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
  waitpid(pid, &st, 0);
  ptrace(PTRACE_GETREGS, pid, 0, &regs);
  if (regs.rax != addr) {
    fprintf(stderr, "occupy: mmap at %lx: %ld\n", addr, (long)regs.rax);
    kill(pid, SIGKILL);
    return 125;
  }
  ptrace(PTRACE_POKETEXT, pid, (void *)saved.rip, (void *)word);
  ptrace(PTRACE_SETREGS, pid, 0, &saved);
  ptrace(PTRACE_DETACH, pid, 0, 0);
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
"""


def want_img(val=5, fn=40):
    """The program's line with libbase.so's base_val and base_fn() values."""
    return "sum=%d call=%d data=3 p=7 big=3072\n" % (1 + 2 + 3 + val + 7, 100 + 2 * fn)


class ImgTree:
    def __init__(self, tmp):
        self.tmp = tmp
        self.tree = os.path.join(tmp, "tree")
        self.src = os.path.join(tmp, "src")
        os.makedirs(self.tree)
        os.makedirs(self.src)
        self.base = self.build_base(os.path.join(self.tree, "libbase.so"), 5, 40)
        self.img = os.path.join(self.tree, "libimg.so")
        c = os.path.join(self.src, "img.c")
        with open(c, "w") as f:
            f.write(IMG_LIB_C.replace("@TABLE@", ", ".join(["&local_a", "&local_b"] * 1024)))
        cc(CFLAGS + ["-fPIC", "-shared", "-Wl,-soname,libimg.so", c, "-o", self.img, "-L" + self.tree, "-lbase",
                     "-Wl,--enable-new-dtags", "-Wl,-rpath,$ORIGIN"], self.src)
        c = os.path.join(self.src, "prog.c")
        with open(c, "w") as f:
            f.write(IMG_PROG_C.replace("@OUTPUT_HELPERS@", OUTPUT_HELPERS_C))
        self.prog = os.path.join(self.tree, "prog")
        cc(CFLAGS + ["-fPIE", "-pie", c, "-o", self.prog, "-L" + self.tree, "-limg", "-lbase",
                     "-Wl,--enable-new-dtags", "-Wl,-rpath,$ORIGIN", "-Wl,--dynamic-linker=" + A.loader], self.src)
        self.cache = os.path.join(tmp, "cache")
        self.no_sock = os.path.join(tmp, "no-such-dir", "sock")

    def build_base(self, out, val, fn, extra=()):
        c = os.path.join(self.src, "base-%d-%d.c" % (val, fn))
        with open(c, "w") as f:
            f.write(IMG_BASE_C % {"val": val, "fn": fn})
        cc(CFLAGS + ["-fPIC", "-shared", "-Wl,-soname,libbase.so", c, "-o", out] + list(extra), self.src)
        return out

    def env(self, **extra):
        return clean_env(**{"RTLD_SYMCACHE": self.cache, "RTLD_SYMCACHE_SOCKET": self.no_sock, **extra})


class ImgRun(Run):
    """A run with LD_DEBUG=symcache,files and RTLD_STATS=json: the load
    bases the loader reports and the image statistics."""

    @property
    def json(self):
        m = re.search(r'^\{"rtld_stats":(\{.*\})\}$', self.err, re.M)
        return json.loads(m.group(1)) if m else {}

    @property
    def bases(self):
        """{file name: load base} from LD_DEBUG=files."""
        out, name = {}, None
        for line in self.err.splitlines():
            m = re.search(r"file=(\S+) \[\d+\];  generating link map", line)
            if m:
                name = os.path.basename(m.group(1))
                continue
            m = re.search(r"base: 0x([0-9a-f]+)", line)
            if m and name:
                out[name] = int(m.group(1), 16)
                name = None
        return out

    def reason(self):
        m = re.search(r"^.*symcache: images not used: (.*)$", self.err, re.M)
        return m.group(1) if m else None


def img_run(argv, env, timeout=60):
    env = dict(env, LD_DEBUG="symcache,files", RTLD_STATS="json")
    return ImgRun(subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout))


def layouts(cache):
    """{program: {"base": layout base, "bias": {file name: bias}, "runs": {file name: (runs, pages, patches)}}}
    from `rtld-symcache dump`."""
    out, cur, name = {}, None, None
    for line in cli("dump", "--cache", cache).stdout.splitlines():
        m = re.match(r"closure (.*) env [0-9a-f]{16} objects", line)
        if m:
            cur = out.setdefault(m.group(1), {"base": None, "bias": {}, "runs": {}})
            continue
        m = re.match(r"  layout base 0x([0-9a-f]+)", line)
        if m:
            cur["base"] = int(m.group(1), 16)
            continue
        m = re.match(r"  \[\d+\] object \d+ (.*) \(dense \d+, sparse \d+\)$", line)
        if m:
            name = os.path.basename(m.group(1))
            continue
        m = re.match(r"      bias 0x([0-9a-f]+), (?:image|no image), runs (\d+), pages (\d+), patches (\d+)", line)
        if m:
            cur["bias"][name] = int(m.group(1), 16)
            cur["runs"][name] = (int(m.group(2)), int(m.group(3)), int(m.group(4)))
    return out


def expect_img_used(r, out, what, lay, rc=0, objects=2):
    """Output, a closure hit, images used (JSON and LD_DEBUG), each library
    at its layout bias, pages mapped."""
    check(r.out == out and r.rc == rc, "%s: output\n%r" % (what, r))
    j = r.json
    check(r.found and j.get("symcache") == "hit", "%s: no closure hit\n%r" % (what, r))
    check("symcache: layout found for this program" in r.err, "%s: no layout found\n%r" % (what, r))
    check(j.get("images") == "used" and j.get("image_objects") == objects and j.get("image_bytes", 0) > 0
          and j["image_bytes"] % 4096 == 0, "%s: image statistics %s\n%r" % (what, j, r))
    for name, bias in lay["bias"].items():
        check(r.bases.get(name) == bias, "%s: %s at %s, its layout bias is %x\n%r" %
              (what, name, hex(r.bases.get(name) or 0), bias, r))
    check(r.reason() is None, "%s: an 'images not used' line\n%r" % (what, r))
    return j


def expect_img_fallback(r, out, what, reason, rc=0, state=None):
    """The right output, no image mapped, and the reason said under
    LD_DEBUG=symcache and in RTLD_STATS=json."""
    check(r.out == out and r.rc == rc, "%s: output or exit status (want %r)\n%r" % (what, out, r))
    j = r.json
    check(j.get("image_objects") == 0 and j.get("image_bytes") == 0 and j.get("image_patches") == 0
          and j.get("image_pages_copied") == 0, "%s: an image was mapped: %s\n%r" % (what, j, r))
    if reason is not None:
        check(r.reason() == reason and j.get("images") == reason,
              "%s: want 'images not used: %s', got %r / %r\n%r" % (what, reason, r.reason(), j.get("images"), r))
    if state is not None:
        check(j.get("symcache") == state, "%s: cache state %r, want %r\n%r" % (what, j.get("symcache"), state, r))
    return j


def test_images(tmp):
    """Images used, through PT_INTERP and in command mode, with the output of
    a start without the cache; glibc programs too."""
    T = ImgTree(tmp)
    off = img_run([T.prog], clean_env(RTLD_SYMCACHE=""))
    check(off.out == want_img() and off.rc == 0, "without the cache: %r" % off)
    check(off.json.get("images") == "off" and off.json.get("image_objects") == 0, "statistics: %r" % off)
    build_cache(T.cache, T.prog)
    lay = layouts(T.cache)[T.prog]
    check(set(lay["bias"]) == {"libimg.so", "libbase.so"} and 0x7c0000000000 <= lay["base"] < 0x7e0000000000,
          "the layout places both libraries: %s" % lay)
    runs, pages, patches = lay["runs"]["libimg.so"]
    check(runs >= 1 and pages >= 4 and patches >= 1, "libimg.so's image: %s" % (lay["runs"]["libimg.so"],))
    for what, argv in (("PT_INTERP", [T.prog]), ("command mode", [A.loader, T.prog])):
        r = img_run(argv + ["x"], T.env())
        j = expect_img_used(r, want_img(), what, lay, rc=1)
        # Bytes mapped: the runs' pages; patches applied; the pages they
        # wrote copied, fewer than those mapped (the 16 KiB table is shared).
        check(j["image_bytes"] >= pages * 4096 and j["image_patches"] >= patches
              and 1 <= j["image_pages_copied"] < j["image_bytes"] // 4096,
              "%s: %s (dump: runs %d, pages %d, patches %d)" % (what, j, runs, pages, patches))
        check(re.search(r"symcache: image for \S*libimg\.so: %d runs, %d patches" % (runs, patches), r.err),
              "%s: the image line for libimg.so\n%r" % (what, r))
        check(j["relative"] < off.json["relative"], "%s: libimg.so was relocated anyway: %s" % (what, j))
        copied = j["image_pages_copied"]
    # glibc programs in command mode: python3 and true.
    py = os.path.realpath("/usr/bin/python3")
    truebin = os.path.realpath("/bin/true")
    build_cache(T.cache, py, truebin)
    pargv = [A.loader, py, "-c", "import sys; print(sum(range(10))); sys.exit(3)"]
    poff = img_run(pargv, clean_env(RTLD_SYMCACHE=""))
    check(poff.out == "45\n" and poff.rc == 3, "python3 without the cache: %r" % poff)
    for argv, want_out, rc in ((pargv, "45\n", 3), ([A.loader, truebin], "", 0)):
        r = img_run(argv, T.env())
        j = r.json
        check(r.out == want_out and r.rc == rc and r.found and j.get("images") == "used"
              and j.get("image_objects", 0) >= 1 and j.get("image_bytes", 0) > 0,
              "%s with images: %s\n%r" % (os.path.basename(argv[1]), j, r))
        pl = layouts(T.cache)[argv[1]]
        for name, bias in pl["bias"].items():
            check(r.bases.get(name) == bias, "%s: %s not at its layout bias\n%r" % (argv[1], name, r))
    note("images: libimg.so %d runs, %d pages, %d patches; pages copied %d" % (runs, pages, patches, copied))


def test_images_taken(tmp):
    """An address of the layout already taken when the loader starts: the
    whole start takes the normal path (the libraries before it stay placed,
    relocated as usual), through PT_INTERP and in command mode."""
    T = ImgTree(tmp)
    occupy = os.path.join(T.src, "occupy")
    c = os.path.join(T.src, "occupy.c")
    with open(c, "w") as f:
        f.write(OCCUPY_C)
    cc(["-O2", c, "-o", occupy], T.src)
    build_cache(T.cache, T.prog)
    lay = layouts(T.cache)[T.prog]
    base_bias, img_bias = lay["bias"]["libbase.so"], lay["bias"]["libimg.so"]
    # The control: the wrapper itself changes nothing when it maps elsewhere.
    r = img_run([occupy, "%x" % (lay["base"] - 0x10000000), "1000", T.prog], T.env())
    if r.rc == 125 and "occupy:" in r.err:
        raise Skip("ptrace is not available here: " + r.err.strip()[-200:])
    expect_img_used(r, want_img(), "under the wrapper, nothing in the way", lay)
    for what, argv in (("PT_INTERP", [T.prog]), ("command mode", [A.loader, T.prog])):
        # libbase.so's address taken: libimg.so (mapped first) is placed,
        # libbase.so goes elsewhere, no image.
        r = img_run([occupy, "%x" % base_bias, "1000"] + argv, T.env())
        expect_img_fallback(r, want_img(), "%s, libbase.so's address taken" % what,
                            "an object's layout address is taken", state="hit")
        check(re.search(r"symcache: layout: address taken, placed elsewhere: \S*libbase\.so", r.err),
              "%s: the object is not named\n%r" % (what, r))
        check(r.bases.get("libimg.so") == img_bias and r.bases.get("libbase.so") not in (None, base_bias),
              "%s: bases %s, biases %s\n%r" % (what, r.bases, lay["bias"], r))
        # The first library's address taken: neither is placed.
        r = img_run([occupy, "%x" % (img_bias + 0x1000), "1000"] + argv, T.env())
        expect_img_fallback(r, want_img(), "%s, libimg.so's address taken" % what,
                            "an object's layout address is taken", state="hit")
        check(all(r.bases.get(n) not in (None, b) for n, b in lay["bias"].items()),
              "%s: a library at its layout bias after the layout broke: %s\n%r" % (what, r.bases, r))


def test_images_replaced(tmp):
    """A library replaced after recording with the same size and mtime: with
    another build ID the start takes the normal path with the new library's
    values; with the same build ID too (the documented limit of keys that
    survive copies) `rtld-symcache verify` finds it. And an environment
    change: another env hash, no layout."""
    T = ImgTree(tmp)
    build_cache(T.cache, T.prog)
    lay = layouts(T.cache)[T.prog]
    expect_img_used(img_run([T.prog], T.env()), want_img(), "v1", lay)
    st0 = os.stat(T.base)
    v1 = os.path.join(T.src, "libbase-v1.so")
    shutil.copy(T.base, v1)
    v2 = T.build_base(os.path.join(T.src, "libbase-v2.so"), 6, 41)
    check(os.path.getsize(v2) == st0.st_size and nsyms(v2) == nsyms(T.base), "libbase v2 of v1's size")
    install(v2, T.base)
    os.utime(T.base, ns=(st0.st_atime_ns, st0.st_mtime_ns))
    st = os.stat(T.base)
    check(st.st_size == st0.st_size and st.st_mtime_ns == st0.st_mtime_ns and st.st_ino != st0.st_ino,
          "same size and mtime, another file")
    for what, argv in (("PT_INTERP", [T.prog]), ("command mode", [A.loader, T.prog])):
        r = img_run(argv, T.env())
        expect_img_fallback(r, want_img(6, 41), "libbase v2, %s" % what, "an object differs from the layout's",
                            state="miss")
        check(re.search(r"symcache: layout: not placed, another object than recorded at this position: "
                        r"\S*libbase\.so", r.err), "%s: the object is not named\n%r" % (what, r))
        check(r.bases.get("libimg.so") == lay["bias"]["libimg.so"] and r.bases.get("libbase.so") !=
              lay["bias"]["libbase.so"], "%s: placement %s\n%r" % (what, r.bases, r))
    p = cli("verify", "--cache", T.cache, "--loader", A.loader, expect=2)
    check("stale: object" in p.stdout and "libbase.so" in p.stdout, "verify: libbase.so stale\n" + p.stdout)
    # The same size, mtime second and build ID: what keys that survive copies
    # cannot see at start-up; verify recomputes the closure and finds it.
    # (libf.so of the closure tests: v2 has f and fdata at other symbol
    # indices, so the recorded bindings are wrong for it.)
    L = Layout(os.path.join(tmp, "f"))
    build_cache(L.cache, L.prog)
    expect_hit(run([L.prog], L.env()), want(1), "libf v1")
    build_id = re.search(r"Build ID: ([0-9a-f]+)",
                         subprocess.run(["readelf", "-n", L.v1], capture_output=True, text=True).stdout).group(1)
    src = os.path.join(L.libs, "libf-v2.so.c")  # (build_lib's source of v2)
    forged = os.path.join(L.libs, "libf-forged.so")
    cc(CFLAGS + ["-fPIC", "-shared", "-Wl,-soname,libf.so", "-Wl,--build-id=0x" + build_id, src, "-o", forged],
       L.libs)
    f0 = os.stat(L.lib)
    check(os.path.getsize(forged) == f0.st_size, "the forged v2 has v1's size")
    install(forged, L.lib)
    os.utime(L.lib, ns=(f0.st_atime_ns, f0.st_mtime_ns))
    p = cli("verify", "--cache", L.cache, "--loader", A.loader, expect=2)
    check(re.search(r"^closure %s: other bindings of " % re.escape(L.prog), p.stdout, re.M)
          and "0 stale, 1 differ" in p.stdout, "verify finds the forged library:\n" + p.stdout)
    # An environment change: LD_LIBRARY_PATH naming an empty directory (the
    # same objects, another env hash): no layout for it; then a closure
    # without images for it; then one with its own layout.
    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    install(v1, T.base)
    T.cache = os.path.join(tmp, "cache-env")  # (a new file: no closure of the replaced library)
    build_cache(T.cache, T.prog)
    lay = layouts(T.cache)[T.prog]
    env2 = T.env(LD_LIBRARY_PATH=empty)
    r = img_run([T.prog], env2)
    expect_img_fallback(r, want_img(), "LD_LIBRARY_PATH=empty", "no layout for this program and environment",
                        state="miss")
    check(all(r.bases.get(n) != b for n, b in lay["bias"].items()), "placed without a layout: %s" % r.bases)
    build_cache(T.cache, T.prog, env=clean_env(LD_LIBRARY_PATH=empty), images=False)
    r = img_run([T.prog], env2)
    expect_img_fallback(r, want_img(), "LD_LIBRARY_PATH=empty, closure without images",
                        "no layout for this program and environment", state="hit")
    build_cache(T.cache, T.prog, env=clean_env(LD_LIBRARY_PATH=empty))
    all_lays = cli("dump", "--cache", T.cache).stdout.count("  layout base 0x")
    check(all_lays == 2, "two layouts, one per environment: %d" % all_lays)
    r = img_run([T.prog], env2)
    check(r.out == want_img() and r.json.get("images") == "used", "LD_LIBRARY_PATH=empty, its own layout\n%r" % r)
    check(r.bases.get("libimg.so") != lay["bias"]["libimg.so"], "the other environment's layout was used")
    expect_img_used(img_run([T.prog], T.env()), want_img(), "no variables, still its own layout", lay)


# The cache file, read and resealed here (rtld/elf/symcache.h, format 2), so
# a test can make a corrupt file that is nevertheless self-consistent.
M64 = (1 << 64) - 1
FNV_BASIS = 0xcbf29ce484222325
REC_FMT, OBJ_FMT, RUN_FMT, PATCH_FMT = "<QQQIIIIQQIIIIQ", "<6Q6IQ6I", "<QQII", "<QQq"
REC_SIZE, OBJ_SIZE, RUN_SIZE, PATCH_SIZE, DENSE_SIZE, SPARSE_SIZE = 80, 104, 24, 24, 8, 16
SEC_SLOTS, SEC_CLOSURES, SEC_PROGRAMS, SEC_IMAGES = 0, 1, 5, 6


def _mix(h, w):
    h = ((h ^ w) * 0x9e3779b97f4a7c15) & M64
    return h ^ (h >> 29)


def checksum64(data, seed=0):
    """Checksum64 of rtld/elf/symcache.h, computed independently."""
    n = len(data)
    a = (FNV_BASIS ^ seed) & M64
    b, c, d = (a + 1) & M64, (a + 2) & M64, (a + 3) & M64
    words = struct.unpack_from("<%dQ" % (n // 8), data)
    i = 0
    while i + 4 <= len(words):
        a, b, c, d = _mix(a, words[i]), _mix(b, words[i + 1]), _mix(c, words[i + 2]), _mix(d, words[i + 3])
        i += 4
    while i < len(words):
        a = _mix(a, words[i])
        i += 1
    if n % 8:
        b = _mix(b, int.from_bytes(data[n - n % 8:], "little"))
    h = _mix(n, a)
    for x in (b, c, d):
        h = _mix(h, x)
    return h


def fold32(h):
    return (h ^ (h >> 32)) & 0xffffffff


class CacheFile:
    """A cache file's bytes with its sections and closure records."""

    def __init__(self, data):
        self.b = bytearray(data)
        self.secs = [struct.unpack_from("<QQQQ", self.b, 64 + 32 * i) for i in range(7)]

    def slots(self, sec):
        off, size, count, _ = self.secs[sec]
        return [(off + 16 * i,) + struct.unpack_from("<QII", self.b, off + 16 * i) for i in range(count)]

    def record(self, roff):
        """The record at roff: header fields, objects, and the offsets of its
        run and patch arrays."""
        r = struct.unpack_from(REC_FMT, self.b, roff)
        nobjects, ndense, nsparse, nruns = r[3], r[5], r[6], r[9]
        objs = [struct.unpack_from(OBJ_FMT, self.b, roff + REC_SIZE + OBJ_SIZE * k) for k in range(nobjects)]
        runs_off = roff + REC_SIZE + OBJ_SIZE * nobjects + DENSE_SIZE * ndense + SPARSE_SIZE * nsparse
        return {"size": r[2], "objects": objs, "runs_off": runs_off, "patches_off": runs_off + RUN_SIZE * nruns}

    def program_record(self):
        """The offset of the (only) record in the program table."""
        used = [s for s in self.slots(SEC_PROGRAMS) if s[2] != 0]
        check(len(used) == 1, "one program slot: %s" % used)
        return used[0][2] * 8

    def reseal(self):
        """Every slot's record check, then the index checksum."""
        for sec in (SEC_SLOTS, SEC_PROGRAMS):
            for at, kh, off8, _ in self.slots(sec):
                if off8:
                    size = struct.unpack_from("<Q", self.b, off8 * 8 + 16)[0]
                    struct.pack_into("<I", self.b, at + 12, fold32(checksum64(bytes(self.b[off8 * 8:off8 * 8 + size]))))
        hdr = bytearray(self.b[:HEADER_SIZE])
        struct.pack_into("<Q", hdr, 32, 0)
        c = checksum64(bytes(hdr))
        for sec in (SEC_SLOTS, SEC_PROGRAMS):
            off, size = self.secs[sec][0], self.secs[sec][1]
            c = checksum64(bytes(self.b[off:off + size]), c)
        struct.pack_into("<Q", self.b, 32, c)


def test_images_corrupt(tmp):
    """A corrupt or truncated image: a run descriptor or a patch changed (the
    record's checksum fails), a run resealed to lie outside its object's
    writable pages (the loader's own check), the file cut in its image pages
    or short of its end; each takes the normal path with the right output.
    A changed image byte is not seen at start (image pages are not
    checksummed) but verify finds it."""
    T = ImgTree(tmp)
    good = os.path.join(tmp, "good")
    build_cache(good, T.prog)
    data = open(good, "rb").read()
    lay = layouts(good)[T.prog]
    cf = CacheFile(data)
    check(checksum64(b"") != checksum64(b"\0") and fold32(1 << 32) == 1, "checksum helpers")
    check(cf.secs[SEC_IMAGES][1] > 0, "the cache has image pages")
    roff = cf.program_record()
    rec = cf.record(roff)
    img = [k for k, o in enumerate(rec["objects"]) if o[12] == lay["bias"]["libimg.so"]][0]
    o = rec["objects"][img]
    run_first, run_count, patch_first, patch_count = o[13], o[14], o[15], o[16]
    check(run_count >= 1 and patch_count >= 1, "libimg.so has runs and patches: %s" % (o,))
    run_at = rec["runs_off"] + RUN_SIZE * run_first
    patch_at = rec["patches_off"] + PATCH_SIZE * patch_first
    vaddr, file_offset, npages, _ = struct.unpack_from(RUN_FMT, cf.b, run_at)

    def use(b, mode=0o644):
        with open(T.cache, "wb") as f:
            f.write(bytes(b))
        os.chmod(T.cache, mode)

    # The intact file, resealed by the helpers here: byte for byte the same.
    again = CacheFile(data)
    again.reseal()
    check(bytes(again.b) == data, "resealing an intact file changes it: the helpers are wrong")
    use(data)
    expect_img_used(img_run([T.prog], T.env()), want_img(), "intact", lay)
    # A run descriptor or a patch changed: the record's checksum fails, so
    # neither the program table nor the closure slots give it.
    for what, at in (("a run's address", run_at), ("a run's file offset", run_at + 9),
                     ("a run's pages", run_at + 16), ("a patch's offset", patch_at),
                     ("a patch's type", patch_at + 8), ("a patch's addend", patch_at + 16)):
        b = bytearray(data)
        b[at] ^= 0x10
        use(b)
        r = img_run([T.prog], T.env())
        expect_img_fallback(r, want_img(), what + " changed", "no layout for this program and environment",
                            state="miss")
    # Resealed (checksums made to match): a run moved onto the text, and a
    # run one page past its writable segment: the loader's check refuses
    # both before mapping anything.
    for what, new_vaddr in (("a run over the text", 0), ("a run past the data", vaddr + 0x100000)):
        c = CacheFile(data)
        struct.pack_into("<Q", c.b, run_at, new_vaddr)
        c.reseal()
        use(c.b)
        r = img_run([T.prog], T.env())
        expect_img_fallback(r, want_img(), what + " (resealed)", "an image run is outside its object's writable pages",
                            state="hit")
    # A run pointing outside the image section, resealed: the reader refuses
    # the record.
    c = CacheFile(data)
    struct.pack_into("<Q", c.b, run_at + 8, cf.secs[SEC_IMAGES][0] + cf.secs[SEC_IMAGES][1])
    c.reseal()
    use(c.b)
    expect_img_fallback(img_run([T.prog], T.env()), want_img(), "a run past the image section (resealed)",
                        "no layout for this program and environment", state="miss")
    # Truncated: in the image pages, and by one page at the end.
    for n in (file_offset + 4096 * npages - 2048, len(data) - 4096):
        use(data[:n])
        r = img_run([T.prog], T.env())
        expect_img_fallback(r, want_img(), "truncated to %d bytes" % n, None, state="rejected")
        check("symcache: inconsistent file, ignored:" in r.err and r.json.get("images") == "off",
              "truncated: the reason\n%r" % r)
    # An image byte changed (not where a patch writes): not checked at start
    # (the descriptors are, the pages are not), found by verify.
    patched = [struct.unpack_from(PATCH_FMT, cf.b, rec["patches_off"] + PATCH_SIZE * (patch_first + k))[0]
               for k in range(patch_count)]
    at = npages * 4096 - 2048
    while any(p <= vaddr + at < p + 16 for p in patched):
        at += 8
    b = bytearray(data)
    b[file_offset + at] ^= 0x01
    use(b)
    p = cli("verify", "--cache", T.cache, "--loader", A.loader, expect=2)
    check("image bytes differ at 0x%x" % (vaddr + at) in p.stdout, "verify finds the changed image byte:\n" + p.stdout)


def test_images_off(tmp):
    """Images not used, with the right output and the reason: an untrusted
    cache file, RTLD_SYMCACHE_IMAGES=0 (and off), LD_BIND_NOT=1. With images
    off the libraries are not placed at the layout's addresses either."""
    T = ImgTree(tmp)
    build_cache(T.cache, T.prog)
    lay = layouts(T.cache)[T.prog]
    expect_img_used(img_run([T.prog], T.env()), want_img(), "0644", lay)
    for mode in (0o664, 0o666):
        os.chmod(T.cache, mode)
        r = img_run([T.prog], T.env())
        expect_img_fallback(r, want_img(), "mode %o" % mode, None, state="rejected")
        check("symcache: not trusted or empty, ignored:" in r.err and r.json.get("images") == "off",
              "mode %o: the reason\n%r" % (mode, r))
    os.chmod(T.cache, 0o644)
    for what, extra, reason in (
            ("RTLD_SYMCACHE_IMAGES=0", {"RTLD_SYMCACHE_IMAGES": "0"}, "disabled by RTLD_SYMCACHE_IMAGES"),
            ("RTLD_SYMCACHE_IMAGES=off", {"RTLD_SYMCACHE_IMAGES": "off"}, "disabled by RTLD_SYMCACHE_IMAGES"),
            ("LD_BIND_NOT=1", {"LD_BIND_NOT": "1"}, "LD_BIND_NOT is set (images bind every PLT slot)")):
        for mode_what, argv in (("PT_INTERP", [T.prog]), ("command mode", [A.loader, T.prog])):
            r = img_run(argv, T.env(**extra))
            expect_img_fallback(r, want_img(), "%s, %s" % (what, mode_what), reason, state="hit")
            check(all(r.bases.get(n) not in (None, b) for n, b in lay["bias"].items()),
                  "%s, %s: libraries at the layout's addresses with images off: %s\n%r" % (what, mode_what, r.bases, r))
    # RTLD_SYMCACHE_IMAGES=1 is not "off".
    expect_img_used(img_run([T.prog], T.env(RTLD_SYMCACHE_IMAGES="1")), want_img(), "RTLD_SYMCACHE_IMAGES=1", lay)


def test_images_generations(tmp):
    """Two builds (two generations) draw two layouts, and each start uses the
    current one; relayout draws a third."""
    T = ImgTree(tmp)
    seen = []
    for step in ("build", "build", "relayout"):
        if step == "build":
            build_cache(T.cache, T.prog)
        else:
            cli("relayout", "--cache", T.cache, "--loader", A.loader)
        lay = layouts(T.cache)[T.prog]
        gen = int(re.search(r"^generation: (\d+)", cli("stat", "--cache", T.cache).stdout, re.M).group(1))
        expect_img_used(img_run([T.prog], T.env()), want_img(), "generation %d" % gen, lay)
        seen.append((gen, lay["base"], lay["bias"]["libimg.so"], lay["bias"]["libbase.so"]))
    gens = [s[0] for s in seen]
    check(gens == sorted(set(gens)), "generations increase: %s" % gens)
    # Drawn at random over 2^24 bases: two equal by chance once in millions.
    for k in (1, 2, 3):
        check(len({s[k] for s in seen}) == 3, "three generations, three layouts: %s" % seen)
    note("generations: %s" % ", ".join("%d: base %x" % (g, b) for g, b, _, _ in seen))


def test_images_copy(tmp):
    """Keys that survive copying: a cache built for a program tree keeps its
    closure and images after the tree is copied with `cp -a` and moved back
    over itself (new inodes and ctimes), and after a tar round trip (GNU tar
    keeps the mtime's second only). A copy that does not keep the mtime is
    another object: a miss."""
    T = ImgTree(tmp)
    for name in os.listdir(T.tree):  # an mtime with nanoseconds, long ago
        os.utime(os.path.join(T.tree, name), ns=(1600000000123456789, 1600000000123456789))
    build_cache(T.cache, T.prog)
    lay = layouts(T.cache)[T.prog]
    expect_img_used(img_run([T.prog], T.env()), want_img(), "the original tree", lay)

    def identities():
        return {n: os.stat(os.path.join(T.tree, n)) for n in ("prog", "libimg.so", "libbase.so")}

    before = identities()
    copy = T.tree + ".copy"
    subprocess.run(["cp", "-a", T.tree, copy], check=True)
    shutil.rmtree(T.tree)
    os.rename(copy, T.tree)
    after = identities()
    check(all(after[n].st_ino != before[n].st_ino and after[n].st_mtime_ns == before[n].st_mtime_ns for n in after),
          "cp -a: new inodes, the same mtimes")
    for what, argv in (("PT_INTERP", [T.prog]), ("command mode", [A.loader, T.prog])):
        expect_img_used(img_run(argv, T.env()), want_img(), "after cp -a, " + what, lay)
    tarball = os.path.join(tmp, "tree.tar")
    subprocess.run(["tar", "cf", tarball, "-C", tmp, "tree"], check=True)
    shutil.rmtree(T.tree)
    subprocess.run(["tar", "xf", tarball, "-C", tmp], check=True)
    after = identities()
    check(all(after[n].st_mtime_ns == 1600000000000000000 for n in after),
          "tar: the mtime's nanoseconds dropped: %s" % {n: s.st_mtime_ns for n, s in after.items()})
    for what, argv in (("PT_INTERP", [T.prog]), ("command mode", [A.loader, T.prog])):
        expect_img_used(img_run(argv, T.env()), want_img(), "after a tar round trip, " + what, lay)
    # A copy with new mtimes: other objects (a miss, the right output).
    copy = T.tree + ".copy"
    subprocess.run(["cp", "-r", T.tree, copy], check=True)
    shutil.rmtree(T.tree)
    os.rename(copy, T.tree)
    r = img_run([T.prog], T.env())
    check(r.missed, "a copy with new mtimes hit\n%r" % r)
    expect_img_fallback(r, want_img(), "cp without -a", "no layout for this program and environment", state="miss")


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
             "trust": test_trust, "secure": test_secure, "daemon": test_daemon,
             "daemon-impersonation": test_daemon_impersonation, "concurrent": test_concurrent,
             "images": test_images, "images-taken": test_images_taken, "images-replaced": test_images_replaced,
             "images-corrupt": test_images_corrupt, "images-off": test_images_off,
             "images-generations": test_images_generations, "images-copy": test_images_copy}
    tmp = tempfile.mkdtemp(prefix="rtld-symcache-loader.")
    os.chmod(tmp, 0o755)  # the daemon records root's programs as nobody
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
