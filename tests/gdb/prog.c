/* The program the gdb tests debug: main calls libgdbcase.so's lib_function
 * (not as a tail call, so main's frame is still there) and prints its value. */
#include "rt.h"

int lib_function(int x);

int main(void) {
  int result = lib_function(20);
  rt_kv_dec("lib_function(20)", result);
  return 0;
}
