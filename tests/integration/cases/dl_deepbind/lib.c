/* libdl_deep_<deep|shallow>.so (LIB_NAME; needs libdl_deep_dep.so): calls
 * deep_which (a PLT call) and reads deep_var (through the GOT), both defined
 * by the program and by its dependency, and deep_own, defined by the
 * program and by itself. */
const char *deep_which(void);
extern const char *deep_var;
const char *deep_own(void) { return LIB_NAME " (its own)"; }

const char *deep_call_which(void) { return deep_which(); }
const char *deep_read_var(void) { return deep_var; }
const char *deep_call_own(void) { return deep_own(); }
