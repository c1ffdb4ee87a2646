/* One object of the dl_filter case, LIB_NAME, built with PREFIX = a letter:
 * PREFIX_who() names the library it runs in; a filter (FILTER defined) also
 * has PREFIX_own(), which only it defines, and PREFIX_internal(), which
 * calls PREFIX_who() through the PLT and so binds as any reference does. A
 * constructor says when the object is initialised. */
#include "rt.h"

#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define FN(name) CAT(PREFIX, name)

const char *FN(who)(void) { return LIB_NAME; }

#ifdef FILTER
const char *FN(own)(void) { return LIB_NAME; }
const char *FN(internal)(void) { return FN(who)(); }
#endif

__attribute__((constructor)) static void init(void) { rt_line("  init " LIB_NAME); }
