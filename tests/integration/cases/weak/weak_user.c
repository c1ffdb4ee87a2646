/* libweakuser.so: weak references. absent_fn and absent_data are defined
 * nowhere; provided_fn is defined by libprovider.so, which the program loads
 * after this library (this library does not depend on it). */
#include "rt.h"

extern int absent_fn(void) __attribute__((weak));
extern int absent_data __attribute__((weak));
extern int provided_fn(void) __attribute__((weak));

void weak_user_report(void) {
  rt_kv_bool("libweakuser: absent_fn is null", absent_fn == 0);
  rt_kv_bool("libweakuser: absent_data is null", &absent_data == 0);
  rt_kv_bool("libweakuser: provided_fn is bound", provided_fn != 0);
  if (provided_fn != 0) rt_kv_dec("libweakuser: provided_fn()", provided_fn());
}
