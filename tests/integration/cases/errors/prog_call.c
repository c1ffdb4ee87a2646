/* error_undefined_now (linked -z now: the undefined gone_fn is an error at
 * start-up, main never runs) and error_undefined_lazy (lazy binding: main
 * runs, the error comes at the first call). Exit 127 either way. */
#include "rt.h"

int gone_fn(void);

int main(void) {
  rt_line("main ran");
  return gone_fn();
}
