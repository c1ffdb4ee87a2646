/* libcompat_sem_pre<PRE_ID>.so (preloaded) and libcompat_sem_base.so (no
 * PRE_ID): sem_value() is PRE_ID plus twice the next definition's. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

long sem_value(void) {
#ifdef PRE_ID
  long (*next)(void) = (long (*)(void))dlsym(RTLD_NEXT, "sem_value");
  if (next == NULL) {
    printf("pre%d: RTLD_NEXT: %s\n", PRE_ID, dlerror());
    return PRE_ID;
  }
  return PRE_ID + 2 * next();
#else
  return 100;
#endif
}
