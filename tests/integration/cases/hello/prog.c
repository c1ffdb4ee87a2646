/* hello: a program with no dependencies starts, prints and exits with the
 * value main returns. */
#include "rt.h"

int main(void) {
  rt_line("hello, world");
  return 0;
}
