/* libbss.so: see bss.h. */
#include "bss.h"

void bss_lib_report(void) { bss_report("libbss"); }
