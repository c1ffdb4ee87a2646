/* inhibit_cache_*: a program needing libfakeroot-0.so, which only
 * /etc/ld.so.cache finds. --list shows it found through the cache;
 * --inhibit-cache --list must fail to find it, as under glibc's loader. */
#include "rt.h"

int main(void) {
  rt_line("cache program ran");
  return 0;
}
