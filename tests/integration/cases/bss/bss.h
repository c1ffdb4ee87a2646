/* Initialised data followed by .bss, for the bss_tail case. The linker puts
 * .bss right after .data, so .bss begins in the last file-backed page of the
 * data segment, where the file holds other sections (.comment, .symtab) past
 * p_filesz: the loader must clear those bytes. The 3 MiB object also needs
 * anonymous pages past the file's end. */
#ifndef BSS_BSS_H
#define BSS_BSS_H

#include "rt.h"

/* volatile: the compiler must neither fold the data nor assume the .bss
 * is still zero; every byte is read from memory. */
static volatile int bss_data_head[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static volatile char bss_small[200];
static volatile char bss_large[3 << 20];

static int bss_count_nonzero(const volatile char *p, unsigned long n) {
  int nonzero = 0;
  for (unsigned long i = 0; i < n; ++i) nonzero += p[i] != 0;
  return nonzero;
}

/* Prints WHO's facts: the data is intact, both .bss objects read as zero,
 * and they can be written. */
static inline void bss_report(const char *who) {
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += bss_data_head[i];
  int small_nonzero = bss_count_nonzero(bss_small, sizeof bss_small);
  int large_nonzero = bss_count_nonzero(bss_large, sizeof bss_large);
  bss_small[sizeof bss_small - 1] = 1;
  bss_large[0] = 1;
  bss_large[sizeof bss_large - 1] = 1;
  int written = bss_count_nonzero(bss_small, sizeof bss_small) +
                bss_count_nonzero(bss_large, sizeof bss_large);
  rt_puts(who);
  rt_puts(": data sum=");
  rt_put_dec(sum);
  rt_puts(" small bss nonzero bytes=");
  rt_put_dec(small_nonzero);
  rt_puts(" large bss nonzero bytes=");
  rt_put_dec(large_nonzero);
  rt_puts(" after writes=");
  rt_put_dec(written);
  rt_puts("\n");
}

#endif
