/* stack_protector: the program and its library are compiled
 * -fstack-protector-all, so their functions read the canary at %fs:0x28
 * before main. Asserts the loader set up a thread control block: %fs is set,
 * %fs:0 points to itself, %fs:0x28 holds the stack guard (AT_RANDOM's first 8
 * bytes with the low byte cleared, as glibc derives it) and %fs:0x30 the
 * pointer guard (AT_RANDOM's next 8 bytes); protected functions return. */
#include "rt.h"
#include <elf.h>

enum { kSysArchPrctl = 158, kArchGetFs = 0x1003 };

int ssp_fill(int n);

static unsigned long fs_word(unsigned long offset) {
  unsigned long value;
  __asm__ volatile("movq %%fs:(%1), %0" : "=r"(value) : "r"(offset));
  return value;
}

__attribute__((noinline)) static int fill(char *buffer, int n) {
  for (int i = 0; i < n; ++i) buffer[i] = (char)i;
  return buffer[n - 1];
}

int main(void) {
  char buffer[64];
  unsigned long fs_base = 0;
  rt_syscall6(kSysArchPrctl, kArchGetFs, (long)&fs_base, 0, 0, 0, 0);
  rt_kv_bool("%fs base set", fs_base != 0);
  if (fs_base == 0) return 1;
  const unsigned long *random = (const unsigned long *)rt_getauxval(AT_RANDOM);
  rt_kv_bool("%fs:0 points to itself", fs_word(0) == fs_base);
  rt_kv_bool("%fs:0x28 is the stack guard from AT_RANDOM", fs_word(0x28) == (random[0] & ~0xffUL));
  rt_kv_bool("%fs:0x30 is the pointer guard from AT_RANDOM", fs_word(0x30) == random[1]);
  rt_kv_dec("protected function in the program", fill(buffer, 64));
  rt_kv_dec("protected function in the library", ssp_fill(32));
  return 0;
}
