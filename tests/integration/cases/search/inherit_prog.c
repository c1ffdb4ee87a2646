/* search_rpath_inherited / search_runpath_not_inherited: the program's search
 * path (DT_RPATH or DT_RUNPATH "$ORIGIN/deps") finds libmid.so; libmid.so has
 * none and needs libleaf.so, also in deps/. DT_RPATH of the program applies
 * to the whole tree, so libleaf.so is found; DT_RUNPATH applies only to the
 * program's own DT_NEEDED, so it is not (an error, exit 127). */
#include "rt.h"

const char *mid(void);

int main(void) {
  rt_kv_str("mid", mid());
  return 0;
}
