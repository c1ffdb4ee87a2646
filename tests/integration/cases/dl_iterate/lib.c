/* libdl_iter_<n>.so: with HAS_TLS, one thread-local variable TLS_VAR (at
 * the start of the module's block; a name of its own, so that no other
 * object's definition interposes) and its address as the library reaches
 * it. */
#ifdef HAS_TLS
__thread long TLS_VAR = 3;
long *TLS_ADDR_FN(void) { return &TLS_VAR; }
#endif
int LIB_FN(void) { return 1; }
