/* libssp.so: compiled -fstack-protector-all, like the program. */
#include "rt.h"

int ssp_fill(int n) {
  char buffer[32];
  for (int i = 0; i < n && i < 32; ++i) buffer[i] = (char)i;
  return buffer[n - 1];
}
