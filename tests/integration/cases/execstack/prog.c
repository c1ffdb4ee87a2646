/* execstack: a program whose PT_GNU_STACK asks for an executable stack
 * (-z execstack) runs code on its stack. As PT_INTERP the kernel made the
 * stack executable; run as `ld.so ./prog` the kernel honoured only the
 * loader's own (non-executable) marking, and the loader makes the stack
 * executable for the program, as glibc's does for any object it maps. */
#include "rt.h"
#include "stack_code.h"

int main(void) {
  rt_kv_dec("code on the stack returned", run_on_stack());
  return 0;
}
