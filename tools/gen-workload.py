#!/usr/bin/env python3
"""Generates and builds a synthetic start-up workload: a libc-free program
needing N shared libraries, each exporting M functions and M data objects
and holding R symbolic relocations spread over the whole scope (so some
resolve far down the link map).

Usage: gen-workload.py --out DIR [--libs N] [--funcs M] [--relocs R]
                       [--now] [--relr] [--cc CC] [--jobs J]

DIR/prog prints one checksum line that depends on every binding; it runs
under any loader (glibc's, musl's, ours) because it needs no libc. The
libraries sit in DIR and are found through DT_RUNPATH=$ORIGIN.
"""
import argparse
import concurrent.futures
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


def lib_source(i, n_libs, funcs, relocs):
    out = [f"/* workload library {i} */"]
    for j in range(funcs):
        out.append(f"unsigned long d_{i}_{j} = {i * 1000 + j + 1}UL;")
        out.append(f"unsigned long f_{i}_{j}(void) {{ return {(i * 7919 + j * 104729) % 1000003}UL; }}")
    # R references to functions and data of other libraries, spread over
    # the scope: target library k = (i + 1 + step * r) mod N.
    targets = []
    step = max(1, n_libs // 7)
    for r in range(relocs):
        k = (i + 1 + step * r + r // 3) % n_libs
        j = (r * 31 + i) % funcs
        kind = "d" if r % 2 else "f"
        targets.append((kind, k, j))
    decls = sorted({(kind, k, j) for kind, k, j in targets})
    for kind, k, j in decls:
        if (k, j) == (i, j) and k == i:
            continue
        if kind == "d":
            out.append(f"extern unsigned long d_{k}_{j};")
        else:
            out.append(f"unsigned long f_{k}_{j}(void);")
    out.append(f"static void *const refs_{i}[] = {{")
    for kind, k, j in targets:
        out.append(f"  (void *)&{kind}_{k}_{j},")
    out.append("  0 };")
    out.append(f"unsigned long sum_{i}(void) {{")
    out.append("  unsigned long s = 0;")
    out.append(f"  for (unsigned n = 0; refs_{i}[n]; n++) s = s * 31 + ((unsigned long)refs_{i}[n] != 0);")
    if targets:
        kind, k, j = targets[0]
        out.append(f"  s += {'d_%d_%d' % (k, j) if kind == 'd' else 'f_%d_%d()' % (k, j)};")
    out.append(f"  return s + f_{i}_0() + d_{i}_0;")
    out.append("}")
    return "\n".join(out) + "\n"


def prog_source(n_libs):
    out = [RUNTIME]
    for i in range(n_libs):
        out.append(f"unsigned long sum_{i}(void);")
    out.append("__attribute__((used, visibility(\"hidden\"))) void start_c(void) {")
    out.append("  unsigned long s = 0;")
    for i in range(n_libs):
        out.append(f"  s = s * 1000003 + sum_{i}();")
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
    ap.add_argument("--now", action="store_true", help="link with -z now")
    ap.add_argument("--relr", action="store_true", help="link with -z pack-relative-relocs")
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    common = ["-O1", "-fPIC", "-nostdlib", "-ffreestanding", "-fno-stack-protector", "-w"]
    ld = ["-Wl,--no-as-needed", "-Wl,--hash-style=gnu"]
    if a.now:
        ld.append("-Wl,-z,now")
    if a.relr:
        ld.append("-Wl,-z,pack-relative-relocs")

    def build_lib(i):
        src = os.path.join(a.out, f"w{i}.c")
        with open(src, "w") as f:
            f.write(lib_source(i, a.libs, a.funcs, a.relocs))
        run([a.cc, *common, "-shared", *ld, f"-Wl,-soname,libw{i}.so", "-o",
             os.path.join(a.out, f"libw{i}.so"), src])

    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        list(pool.map(build_lib, range(a.libs)))
    src = os.path.join(a.out, "prog.c")
    with open(src, "w") as f:
        f.write(prog_source(a.libs))
    run([a.cc, *common, "-pie", *ld, "-Wl,--enable-new-dtags", "-Wl,-rpath,$ORIGIN", "-o",
         os.path.join(a.out, "prog"), src, f"-L{a.out}"] + [f"-lw{i}" for i in range(a.libs)])
    print(os.path.join(a.out, "prog"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
