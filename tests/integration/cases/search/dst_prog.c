/* search_lib_platform: DT_RUNPATH "$ORIGIN/l/$LIB:$ORIGIN/p-$PLATFORM", with
 * the libraries in l/lib/x86_64-linux-gnu/ and p-x86_64/ only. Asserts $LIB
 * expands to lib/x86_64-linux-gnu (Debian's multiarch directory) and
 * $PLATFORM to x86_64 (AT_PLATFORM). */
#include "rt.h"

const char *libdir_id(void);
const char *plat_id(void);

int main(void) {
  rt_line(libdir_id());
  rt_line(plat_id());
  return 0;
}
