/* search_needed_slash: DT_NEEDED "sub/libslash.so" contains a slash, so it is
 * a path, opened relative to the working directory, never searched for: the
 * program is bin/prog run as ./bin/prog, with a decoy bin/sub/libslash.so and
 * LD_LIBRARY_PATH=bin. Asserts ./sub/libslash.so is the one loaded. */
#include "rt.h"

const char *slash_id(void);

int main(void) {
  rt_kv_str("sub/libslash.so", slash_id());
  return 0;
}
