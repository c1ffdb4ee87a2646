/* search_*: the program needs libwhich.so, which exists in several
 * directories in different builds; it prints which one was loaded. */
#include "rt.h"

const char *which(void);

int main(void) {
  rt_kv_str("libwhich.so from", which());
  return 0;
}
