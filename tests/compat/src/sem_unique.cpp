// libcompat_sem_u1.so and _u2.so (PLUGIN = u1, u2): bump the shared counter.
#include "sem_unique.h"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

extern "C" int CAT(CAT(sem_, PLUGIN), _bump)() { return ++SemRegistry<int>::count(); }
