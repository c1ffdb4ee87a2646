/* libwd1.so (WD_ID 1) defines pick() weak; libwd2.so (WD_ID 2) defines it
 * strong and calls it through the dynamic linker. */
#include "rt.h"

#if WD_ID == 1
__attribute__((weak)) const char *pick(void) { return "weak definition in libwd1"; }
#else
const char *pick(void) { return "strong definition in libwd2"; }
void wd2_report(void) { rt_kv_str("libwd2: pick", pick()); }
#endif
