/* libalign.so: see align.h. */
#include "align.h"

void align_lib_report(void) { align_report("libalign"); }
