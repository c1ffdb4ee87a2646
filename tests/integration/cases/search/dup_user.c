/* libdupuser.so: DT_NEEDED libdup.so.1 (not on any search path: found only
 * because a loaded object has that soname) and libdup-link.so (found through
 * this library's DT_RUNPATH $ORIGIN/links, a symlink to d1/libdup.so.1: the
 * same file). */
#include "rt.h"

int dup_bump(void);

int dupuser_bump(void) { return dup_bump(); }
