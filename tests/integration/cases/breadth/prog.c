/* breadth_60: the program needs 60 libraries directly and calls a function
 * and reads a data object of each. Asserts every call and every read reaches
 * the right library. */
#include "rt.h"

#define X10(t) X(t##0) X(t##1) X(t##2) X(t##3) X(t##4) X(t##5) X(t##6) X(t##7) X(t##8) X(t##9)
#define ALL_LIBS X10() X10(1) X10(2) X10(3) X10(4) X10(5)

#define X(n) int breadth_fn_##n(int x); extern int breadth_data_##n;
ALL_LIBS
#undef X

int main(void) {
  int libraries = 0, calls_ok = 0, data_ok = 0;
#define X(n)                                                   \
  ++libraries;                                                 \
  if (breadth_fn_##n(5) == n * 1000 + 5) ++calls_ok;           \
  else rt_line("wrong call: breadth_fn_" #n);                  \
  if (breadth_data_##n == n * 7) ++data_ok;                    \
  else rt_line("wrong data: breadth_data_" #n);
  ALL_LIBS
#undef X
  rt_kv_dec("libraries", libraries);
  rt_kv_dec("calls ok", calls_ok);
  rt_kv_dec("data ok", data_ok);
  return calls_ok == libraries && data_ok == libraries ? 0 : 1;
}
