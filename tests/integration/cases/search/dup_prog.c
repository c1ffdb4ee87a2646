/* search_soname_dedup: the program needs "./d1/libdup.so.1" (a path) and
 * libdupuser.so, which needs the same library by its soname and by a symlink.
 * Asserts the library is loaded once: one initialiser run, one counter. */
#include "rt.h"

int dup_bump(void);
int dupuser_bump(void);

int main(void) {
  rt_kv_dec("dup_bump from the program", dup_bump());
  rt_kv_dec("dup_bump from libdupuser", dupuser_bump());
  return 0;
}
