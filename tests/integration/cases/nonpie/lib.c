/* libnp.so: a function whose address a non-PIE program takes, and a call back
 * into the program. */
const char *np_fn(void) { return "np_fn"; }
const char *(*np_fn_address(void))(void) { return np_fn; }

const char *prog_callback(void);
const char *np_call_back(void) { return prog_callback(); }
