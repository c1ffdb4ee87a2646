#!/usr/bin/env python3
"""Generates and builds a synthetic start-up workload: a program needing N
shared libraries, each exporting M functions and M data objects and holding
R symbolic relocations spread over the whole scope (so some resolve far down
the link map).

Usage: gen-workload.py --out DIR [--libs N] [--funcs M] [--relocs R]
                       [--relative K] [--tls T] [--ifunc F] [--now] [--relr]
                       [--libc] [--stamp] [--cc CC] [--jobs J]

DIR/prog prints one checksum line ("workload checksum N") that depends on
every binding. By default nothing links against a C library: the program
runs under any loader (glibc's, musl's, ours). The libraries sit in DIR and
are found through DT_RUNPATH=$ORIGIN. The program's path is printed last.

Relocation targets: library i's R references go to distinct symbols (kind,
library, index) as long as R <= 2 * M * N (with N = 1 the library's own
symbols); beyond that they repeat. Choose --funcs >= R / (2 N) for distinct
targets everywhere.

Options beyond the defaults:
  --relative K  K pointers per library to its own static data
                (R_X86_64_RELATIVE, or RELR entries with --relr)
  --tls T       T __thread variables per library; each library reads its
                own through TLS descriptors (global-dynamic model,
                -mtls-dialect=gnu2: R_X86_64_TLSDESC) and its neighbour's
                through the initial-exec model (R_X86_64_TPOFF64). No
                __tls_get_addr is needed.
  --ifunc F     F STT_GNU_IFUNC functions per library, called and taken by
                address from the next library (JUMP_SLOT / 64 against an
                IFUNC), plus one local IFUNC reached by R_X86_64_IRELATIVE
  --now         link with -z now
  --relr        link with -z pack-relative-relocs
  --libc        ordinary C linked against the C library (glibc): the
                program has a main() and prints with printf
  --stamp       the program's first act is to print "entry_ns T", T the
                CLOCK_MONOTONIC time at its entry point (libc-free: one raw
                clock_gettime system call; with --libc: at main), so a
                harness can measure spawn-to-entry time
"""
import argparse
import concurrent.futures
import math
import os
import subprocess
import sys

RUNTIME = r"""
static long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}
static void put(const char *s) { long n = 0; while (s[n]) n++; sys3(1, 1, (long)s, n); }
static void put_u(unsigned long v) {
  char b[24]; int i = 23; b[i] = 0;
  do { b[--i] = (char)('0' + v % 10); v /= 10; } while (v);
  put(b + i);
}
"""


def stride_for(total):
    """A multiplier coprime with total that spreads consecutive indices."""
    for p in (1000003, 7919, 104729, 65537, 257, 31, 7, 3):
        if math.gcd(p, total) == 1:
            return p % total or 1
    return 1


def targets_of(i, n_libs, funcs, relocs):
    """R distinct (kind, lib, index) targets for library i while R <= 2*M*N.
    Index u of the target space maps to kind = u % 2, then to libraries
    i+1, i+2, ... (wrapping) before the function index moves on; a
    multiplier coprime with the space's size scatters consecutive r over it.
    Library i's own (interposable) symbols are 1/N of the space."""
    total = 2 * funcs * n_libs
    p = stride_for(total)
    out = []
    for r in range(relocs):
        u = (r * p + i) % total
        kind = "d" if u % 2 else "f"
        v = u // 2
        k = (i + 1 + v % n_libs) % n_libs if n_libs > 1 else 0
        j = (v // n_libs) % funcs
        out.append((kind, k, j))
    return out


def lib_source(i, a):
    n_libs, funcs = a.libs, a.funcs
    out = [f"/* workload library {i} */"]
    for j in range(funcs):
        out.append(f"unsigned long d_{i}_{j} = {i * 1000 + j + 1}UL;")
        out.append(f"unsigned long f_{i}_{j}(void) {{ return {(i * 7919 + j * 104729) % 1000003}UL; }}")
    targets = targets_of(i, n_libs, funcs, a.relocs)
    for kind, k, j in sorted(set(targets)):
        if k == i:
            continue  # defined above
        if kind == "d":
            out.append(f"extern unsigned long d_{k}_{j};")
        else:
            out.append(f"unsigned long f_{k}_{j}(void);")
    out.append(f"static void *const refs_{i}[] = {{")
    for kind, k, j in targets:
        out.append(f"  (void *)&{kind}_{k}_{j},")
    out.append("  0 };")

    # Relative relocations: pointers to this library's own static data.
    if a.relative:
        out.append(f"static unsigned long local_{i}[{a.relative}];")
        out.append(f"static unsigned long *const rel_{i}[] = {{")
        for r in range(a.relative):
            out.append(f"  &local_{i}[{r}],")
        out.append("  0 };")

    # TLS: own variables through descriptors, the neighbour's initial-exec.
    nxt = (i + 1) % n_libs
    if a.tls:
        for m in range(a.tls):
            out.append(f"__thread unsigned long t_{i}_{m} = {i * 100 + m + 1}UL;")
        if nxt != i:
            for m in range(a.tls):
                out.append(f"extern __thread unsigned long t_{nxt}_{m} "
                           f"__attribute__((tls_model(\"initial-exec\")));")
        out.append(f"static unsigned long tls_sum_{i}(void) {{")
        out.append("  unsigned long s = 0;")
        for m in range(a.tls):
            out.append(f"  s += t_{i}_{m};")
            if nxt != i:
                out.append(f"  s = s * 3 + t_{nxt}_{m};")
        out.append("  return s;")
        out.append("}")

    # IFUNC: F exported ones (used by the next library) and a local one.
    # The last library calls its own: glibc relocates the libraries in
    # reverse order, and an IFUNC resolver should run after its object is
    # relocated (glibc warns "Relink ..." otherwise).
    inxt = i + 1 if i + 1 < n_libs else i
    if a.ifunc:
        for m in range(a.ifunc):
            out.append(f"static unsigned long impl_{i}_{m}(void) {{ return {i * 10 + m + 7}UL; }}")
            out.append(f"static void *resolve_g_{i}_{m}(void) {{ return (void *)impl_{i}_{m}; }}")
            out.append(f"unsigned long g_{i}_{m}(void) __attribute__((ifunc(\"resolve_g_{i}_{m}\")));")
        out.append(f"static unsigned long limpl_{i}(void) {{ return {i + 11}UL; }}")
        out.append(f"static void *resolve_l_{i}(void) {{ return (void *)limpl_{i}; }}")
        out.append(f"static unsigned long l_{i}(void) __attribute__((ifunc(\"resolve_l_{i}\")));")
        out.append(f"static unsigned long (*const lref_{i})(void) = l_{i};")
        if inxt != i:
            for m in range(a.ifunc):
                out.append(f"unsigned long g_{inxt}_{m}(void);")
        out.append(f"static unsigned long (*const gref_{i}[])(void) = {{")
        for m in range(a.ifunc):
            out.append(f"  g_{inxt}_{m},")
        out.append("};")
        out.append(f"static unsigned long ifunc_sum_{i}(void) {{")
        out.append(f"  unsigned long s = lref_{i}();")
        for m in range(a.ifunc):
            out.append(f"  s = s * 5 + g_{inxt}_{m}() + gref_{i}[{m}]();")
        out.append("  return s;")
        out.append("}")

    out.append(f"unsigned long sum_{i}(void) {{")
    out.append("  unsigned long s = 0;")
    out.append(f"  for (unsigned n = 0; refs_{i}[n]; n++) s = s * 31 + ((unsigned long)refs_{i}[n] != 0);")
    if targets:
        kind, k, j = targets[0]
        out.append(f"  s += {'d_%d_%d' % (k, j) if kind == 'd' else 'f_%d_%d()' % (k, j)};")
    if a.relative:
        out.append(f"  for (unsigned n = 0; rel_{i}[n]; n++) s += *rel_{i}[n] + 1;")
    if a.tls:
        out.append(f"  s = s * 7 + tls_sum_{i}();")
    if a.ifunc:
        out.append(f"  s = s * 11 + ifunc_sum_{i}();")
    out.append(f"  return s + f_{i}_0() + d_{i}_0;")
    out.append("}")
    return "\n".join(out) + "\n"


def prog_source(a):
    n_libs = a.libs
    decls = [f"unsigned long sum_{i}(void);" for i in range(n_libs)]
    body = ["  unsigned long s = 0;"] + [f"  s = s * 1000003 + sum_{i}();" for i in range(n_libs)]
    if a.libc:
        out = ["#include <stdio.h>", "#include <time.h>"] + decls
        out.append("int main(void) {")
        if a.stamp:
            out.append("  struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);")
            out.append('  printf("entry_ns %lu\\n", (unsigned long)ts.tv_sec * 1000000000UL + ts.tv_nsec);')
        out += body
        out.append('  printf("workload checksum %lu\\n", s);')
        out.append("  return 0;")
        out.append("}")
        return "\n".join(out) + "\n"
    out = [RUNTIME] + decls
    out.append("__attribute__((used, visibility(\"hidden\"))) void start_c(void) {")
    if a.stamp:
        out.append("  struct { long s, ns; } ts = {0, 0};")
        out.append("  sys3(228, 1, (long)&ts, 0);  /* clock_gettime(CLOCK_MONOTONIC) */")
        out.append('  put("entry_ns "); put_u((unsigned long)ts.s * 1000000000UL + ts.ns); put("\\n");')
    out += body
    out.append('  put("workload checksum "); put_u(s); put("\\n");')
    out.append("  sys3(231, 0, 0, 0);")
    out.append("}")
    out.append("__asm__(\".globl _start\\n_start: and $-16,%rsp; call start_c\\n\");")
    return "\n".join(out) + "\n"


def run(cmd):
    subprocess.run(cmd, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--libs", type=int, default=60)
    ap.add_argument("--funcs", type=int, default=20)
    ap.add_argument("--relocs", type=int, default=50)
    ap.add_argument("--relative", type=int, default=0, help="relative relocations per library")
    ap.add_argument("--tls", type=int, default=0, help="__thread variables per library")
    ap.add_argument("--ifunc", type=int, default=0, help="exported IFUNCs per library")
    ap.add_argument("--now", action="store_true", help="link with -z now")
    ap.add_argument("--relr", action="store_true", help="link with -z pack-relative-relocs")
    ap.add_argument("--libc", action="store_true", help="ordinary C linked against the C library")
    ap.add_argument("--stamp", action="store_true", help="print the entry time first")
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args()
    if a.libs < 1 or a.funcs < 1:
        ap.error("--libs and --funcs must be at least 1")
    os.makedirs(a.out, exist_ok=True)
    common = ["-O1", "-fPIC", "-w"]
    if not a.libc:
        common += ["-nostdlib", "-ffreestanding", "-fno-stack-protector"]
    if a.tls:
        common.append("-mtls-dialect=gnu2")
    ld = ["-Wl,--no-as-needed", "-Wl,--hash-style=gnu"]
    if a.now:
        ld.append("-Wl,-z,now")
    if a.relr:
        ld.append("-Wl,-z,pack-relative-relocs")

    def build_lib(i):
        src = os.path.join(a.out, f"w{i}.c")
        with open(src, "w") as f:
            f.write(lib_source(i, a))
        run([a.cc, *common, "-shared", *ld, f"-Wl,-soname,libw{i}.so", "-o",
             os.path.join(a.out, f"libw{i}.so"), src])

    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        list(pool.map(build_lib, range(a.libs)))
    src = os.path.join(a.out, "prog.c")
    with open(src, "w") as f:
        f.write(prog_source(a))
    run([a.cc, *common, "-pie", *ld, "-Wl,--enable-new-dtags", "-Wl,-rpath,$ORIGIN", "-o",
         os.path.join(a.out, "prog"), src, f"-L{a.out}"] + [f"-lw{i}" for i in range(a.libs)])
    print(os.path.join(a.out, "prog"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
