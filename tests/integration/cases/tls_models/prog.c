/* tls_ie, tls_ld, tls_gd, tls_desc: thread-local variables in the program
 * and two libraries of the initial set (no dlopen), all in static TLS. The
 * program reaches its own with local-exec and the libraries' with
 * initial-exec; the libraries are built for one model each case:
 *   tls_ie    -ftls-model=initial-exec   (R_X86_64_TPOFF64; DF_STATIC_TLS)
 *   tls_ld    -ftls-model=local-dynamic  (own variables: one __tls_get_addr
 *             call for the module, R_X86_64_DTPMOD64; others' variables:
 *             global-dynamic)
 *   tls_gd    the -fPIC default, global-dynamic (__tls_get_addr with
 *             R_X86_64_DTPMOD64 + R_X86_64_DTPOFF64 pairs)
 *   tls_desc  -mtls-dialect=gnu2, TLS descriptors (R_X86_64_TLSDESC; the
 *             loader supplies the function each descriptor calls)
 * __tls_get_addr is ld.so's: the tls_ld and tls_gd libraries are linked
 * against /lib64/ld-linux-x86-64.so.2 (DT_NEEDED on it, __tls_get_addr at
 * version GLIBC_2.3), hence the stand-in libc.so.6 (cases/fakelibc) there.
 * Asserts for each variable, as each object reaches it: the initial value
 * (.tdata copied, .tbss zero), one and the same address, 64-byte alignment
 * where declared, and that a write by any object is what every object then
 * reads. */
#define TLS_DEFINES_P
#include "tls_models.h"

__thread long p_init = 7;
__thread long p_zero;
__thread long p_aligned __attribute__((aligned(64))) = 64;

#define PROG_VARS(X) TLS_P_VARS(X) TLS_A_VARS(X) TLS_B_VARS(X)
TLS_ACCESSORS(static, prog, PROG_VARS)

static const char *const names[V_COUNT] = {
  "p_init", "p_zero", "p_aligned", "a_init", "a_zero", "a_aligned",
  "b_init", "b_zero", "b_aligned",
};

static const struct {
  const char *name;
  long *(*addr)(int);
  long (*get)(int);
  void (*set)(int, long);
} objects[] = {
  {"prog", prog_addr, prog_get, prog_set},
  {"liba", liba_addr, liba_get, liba_set},
  {"libb", libb_addr, libb_get, libb_set},
};
enum { kObjects = sizeof objects / sizeof objects[0] };

/* " prog=V liba=V libb=V" over the objects that reach variable V. */
static void put_reads(int v) {
  for (int o = 0; o < kObjects; ++o) {
    if (objects[o].addr(v) == 0) continue;
    rt_puts(" ");
    rt_puts(objects[o].name);
    rt_puts("=");
    rt_put_dec(objects[o].get(v));
  }
  rt_puts("\n");
}

int main(void) {
  rt_kv_str("liba's model", liba_model());
  rt_kv_str("libb's model", libb_model());
  for (int v = 0; v < V_COUNT; ++v) {
    rt_puts(names[v]);
    rt_puts(": initial:");
    put_reads(v);
  }
  for (int v = 0; v < V_COUNT; ++v) {
    long *first = prog_addr(v);
    int same = 1;
    rt_puts(names[v]);
    rt_puts(": address the same in");
    for (int o = 0; o < kObjects; ++o) {
      long *address = objects[o].addr(v);
      if (address == 0) continue;
      same &= address == first;
      rt_puts(" ");
      rt_puts(objects[o].name);
    }
    rt_line(same ? "=yes" : "=no");
  }
  for (int v = 0; v < V_COUNT; ++v) {
    if (v != V_P_ALIGNED && v != V_A_ALIGNED && v != V_B_ALIGNED) continue;
    rt_puts(names[v]);
    rt_puts(": 64-byte aligned as seen by");
    for (int o = 0; o < kObjects; ++o) {
      long *address = objects[o].addr(v);
      if (address == 0) continue;
      rt_puts(" ");
      rt_puts(objects[o].name);
      rt_puts(((unsigned long)address & 63) == 0 ? "=yes" : "=no");
    }
    rt_puts("\n");
  }
  for (int v = 0; v < V_COUNT; ++v) {
    for (int o = 0; o < kObjects; ++o) {
      if (objects[o].addr(v) == 0) continue;
      long value = 10000 * (v + 1) + 100 * (o + 1);
      objects[o].set(v, value);
      rt_puts(names[v]);
      rt_puts(": ");
      rt_puts(objects[o].name);
      rt_puts(" wrote ");
      rt_put_dec(value);
      rt_puts(", read:");
      put_reads(v);
    }
  }
  return 0;
}
