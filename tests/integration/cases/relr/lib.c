/* librelr.so: linked -z pack-relative-relocs; see relr.h. */
#include "relr.h"

void relr_lib_report(void) { relr_report("librelr"); }
