/* Pointer tables for the RELR case, shared by the library and the program.
 * dense: 48 consecutive pointers (RELR address entries and full bitmaps);
 * sparse: one pointer every third word (bitmaps with gaps). All point into
 * this object, so each becomes a relative relocation, packed as RELR. */
#ifndef RELR_RELR_H
#define RELR_RELR_H

#include "rt.h"
#include <elf.h>

#ifndef DT_RELR
#define DT_RELR 36
#endif

#define RELR_COUNT 48
#define X4(b) &b[0 + OFS], &b[1 + OFS], &b[2 + OFS], &b[3 + OFS]

static int relr_items[RELR_COUNT];
/* volatile: read from memory at run time, never folded by the compiler. */
static int *const volatile relr_dense[RELR_COUNT] = {
#define OFS 0
    X4(relr_items),
#undef OFS
#define OFS 4
    X4(relr_items),
#undef OFS
#define OFS 8
    X4(relr_items),
#undef OFS
#define OFS 12
    X4(relr_items),
#undef OFS
#define OFS 16
    X4(relr_items),
#undef OFS
#define OFS 20
    X4(relr_items),
#undef OFS
#define OFS 24
    X4(relr_items),
#undef OFS
#define OFS 28
    X4(relr_items),
#undef OFS
#define OFS 32
    X4(relr_items),
#undef OFS
#define OFS 36
    X4(relr_items),
#undef OFS
#define OFS 40
    X4(relr_items),
#undef OFS
#define OFS 44
    X4(relr_items),
#undef OFS
};

struct relr_sparse_entry {
  int *volatile pointer;
  long padding[2];
};
static struct relr_sparse_entry relr_sparse[RELR_COUNT] = {
#define S(i) {&relr_items[i], {0, 0}}
#define S4(i) S(i), S(i + 1), S(i + 2), S(i + 3)
    S4(0),  S4(4),  S4(8),  S4(12), S4(16), S4(20),
    S4(24), S4(28), S4(32), S4(36), S4(40), S4(44),
#undef S4
#undef S
};

/* Prints WHO's facts: DT_RELR present, and how many pointers are right. */
static inline void relr_report(const char *who) {
  int dense_ok = 0, sparse_ok = 0;
  for (int i = 0; i < RELR_COUNT; ++i) {
    if (relr_dense[i] == &relr_items[i]) ++dense_ok;
    if (relr_sparse[i].pointer == &relr_items[i]) ++sparse_ok;
  }
  rt_puts(who);
  rt_puts(": DT_RELR=");
  rt_puts(rt_dynamic_tag(DT_RELR, 0) ? "yes" : "no");
  rt_puts(" dense pointers ok=");
  rt_put_dec(dense_ok);
  rt_puts("/");
  rt_put_dec(RELR_COUNT);
  rt_puts(" sparse pointers ok=");
  rt_put_dec(sparse_ok);
  rt_puts("/");
  rt_put_dec(RELR_COUNT);
  rt_puts("\n");
}

#endif
