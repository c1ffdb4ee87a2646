/* libdl_rescope_dep.so: needed by libdl_rescope_a.so and _c.so. Calls, through
 * lazily bound PLT slots, late_fn() and the weak late_weak(), which only
 * libdl_rescope_c.so defines. */
#include "rt.h"

int late_fn(void);
__attribute__((weak)) int late_weak(void);

int dep_call_late(void) { return late_fn() + 1000; }
int dep_call_weak(void) { return late_weak() + 2000; }
