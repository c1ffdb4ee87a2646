/* A 2 MiB-aligned initialised object, for the library and the program of the
 * align_2m case (both linked -z max-page-size=0x200000). */
#ifndef ALIGN_ALIGN_H
#define ALIGN_ALIGN_H

#include "rt.h"

#define ALIGN_2M 0x200000UL

/* volatile: read from memory, never folded by the compiler. */
__attribute__((aligned(ALIGN_2M))) static volatile int aligned_block[4] = {1, 2, 3, 4};

/* Prints WHO's facts: the object's offset within 2 MiB and its contents. */
static inline void align_report(const char *who) {
  unsigned long address = (unsigned long)aligned_block;
  int sum = 0;
  for (int i = 0; i < 4; ++i) sum += aligned_block[i];
  rt_puts(who);
  rt_puts(": offset within 2 MiB=");
  rt_put_hex(address & (ALIGN_2M - 1));
  rt_puts(" contents sum=");
  rt_put_dec(sum);
  rt_puts("\n");
}

#endif
