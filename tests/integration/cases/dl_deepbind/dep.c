/* libdl_deep_dep.so: definitions of deep_which and deep_var that the
 * program defines too. */
const char *deep_which(void) { return "libdl_deep_dep"; }
const char *deep_var = "libdl_deep_dep";
