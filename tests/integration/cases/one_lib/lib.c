/* libone.so: one function and one initialised data object for the program to
 * import. */
#include "rt.h"

int one_counter = 40;
const char one_name[] = "libone";

int one_add(int a, int b) { return a + b; }

/* The library's own view of one_counter, after the program wrote it. */
int one_read_counter(void) { return one_counter; }

/* one_add's address as this library sees it (through its GOT). */
int (*one_add_address(void))(int, int) { return one_add; }
