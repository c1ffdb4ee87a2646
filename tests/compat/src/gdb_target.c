/* The program the gdb case debugs (gdb itself is what runs under the loader
 * being tested; this program always runs under the system loader). */
#include <stdio.h>

__attribute__((noinline)) static void greet(const char *who) { puts(who); }

int main(void) {
  greet("hello from gdb_target");
  return 0;
}
