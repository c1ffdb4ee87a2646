/* libdl_ref_*.so (LIB_NAME), some linked -z nodlopen (DF_1_NOOPEN): a
 * constructor that prints, and LIB_FN returning LIB_VALUE (plus, with USES,
 * what that function of a dependency returns). */
#include "rt.h"

#ifdef USES
int USES(void);
#endif

__attribute__((constructor)) static void init(void) { rt_line("  " LIB_NAME ": constructor"); }

int LIB_FN(void) {
#ifdef USES
  return LIB_VALUE + USES();
#else
  return LIB_VALUE;
#endif
}
