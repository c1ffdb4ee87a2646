/* Runs a tiny function (mov $42, %eax; ret) copied into the calling
 * thread's stack: it returns 42 if the stack is executable; otherwise the
 * call faults (SIGSEGV). */
#ifndef EXECSTACK_STACK_CODE_H
#define EXECSTACK_STACK_CODE_H

static int run_on_stack(void) {
  unsigned char code[16] __attribute__((aligned(16))) = {0xb8, 42, 0, 0, 0, 0xc3};
  int (*fn)(void) = (int (*)(void))(void *)code;
  __asm__ volatile("" : : "r"(code) : "memory");  /* the bytes are in memory before the call */
  return fn();
}

#endif
