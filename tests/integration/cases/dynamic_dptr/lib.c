/* libdptr.so: versioned (DT_VERDEF), with RELR relocations. */
#include "report.h"

static int counter;
int *dptr_counter_address = &counter; /* a relative relocation */
__attribute__((constructor)) static void dptr_init(void) { counter = 1; }

void dptr_lib_report(void) { report_dptr("libdptr"); }
