/* libdl_unique_<PREFIX>.so: defines the STB_GNU_UNIQUE object
 * unique_counter (initial value VALUE) and, with LOCAL_VALUE, also
 * unique_local (that initial value), as g++ does for template statics and
 * inline functions' statics; its functions reach them through the GOT, as
 * any module's code does. */
#include "rt.h"

#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define FN(name) CAT(PREFIX, name)
#define STR2(x) #x
#define STR(x) STR2(x)

/* An 8-byte object of binding STB_GNU_UNIQUE (gas's @gnu_unique_object). */
#define UNIQUE_LONG(name, value)                                                     \
  __asm__(".pushsection .data\n.globl " #name "\n.type " #name ", @gnu_unique_object\n" \
          ".balign 8\n" #name ":\n.quad " STR(value) "\n.size " #name ", 8\n.popsection\n"); \
  extern long name

UNIQUE_LONG(unique_counter, VALUE);
long *FN(counter_addr)(void) { return &unique_counter; }
long FN(bump)(void) { return ++unique_counter; }

#ifdef LOCAL_VALUE
UNIQUE_LONG(unique_local, LOCAL_VALUE);
long *FN(local_addr)(void) { return &unique_local; }
#endif
