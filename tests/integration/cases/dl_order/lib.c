/* libdl_ord_*.so (LIB_NAME): a constructor and a destructor that print, and
 * LIB_FN, which returns LIB_VALUE; with USES, plus what USES (a function of
 * another library, not among this one's DT_NEEDED) returns: binding that
 * reference makes a relocation dependency. With CTOR_OPENS the constructor
 * dlopens that file (RTLD_NOW) and keeps it. */
#include "dl.h"

#ifdef USES
int USES(void);
#endif

__attribute__((constructor)) static void init(void) {
  rt_line("  " LIB_NAME ": constructor");
#ifdef CTOR_OPENS
  rt_line("  " LIB_NAME ": constructor dlopens " CTOR_OPENS " ...");
  void *handle = dlopen(CTOR_OPENS, RTLD_NOW);
  rt_line(handle != 0 ? "  " LIB_NAME ": ... handle" : "  " LIB_NAME ": ... NULL");
#endif
}

__attribute__((destructor)) static void fini(void) { rt_line("  " LIB_NAME ": destructor"); }

int LIB_FN(void) {
#ifdef USES
  return LIB_VALUE + USES();
#else
  return LIB_VALUE;
#endif
}
