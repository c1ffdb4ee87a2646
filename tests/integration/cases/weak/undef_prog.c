/* weak_undefined: weak undefined references resolve to address 0 without an
 * error, in the program and in a library, and a weak reference binds to a
 * definition in any later object of the global scope. */
#include "rt.h"

extern int prog_absent_fn(void) __attribute__((weak));
extern int prog_absent_data __attribute__((weak));
void weak_user_report(void);

int main(void) {
  rt_kv_bool("prog: prog_absent_fn is null", prog_absent_fn == 0);
  rt_kv_bool("prog: prog_absent_data is null", &prog_absent_data == 0);
  weak_user_report();
  return 0;
}
