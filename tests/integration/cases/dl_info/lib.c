/* libdl_info_<plain|gd|ie>.so: with HAS_TLS, one thread-local variable
 * (so it sits at the start of the module's TLS block), reached with the
 * model the library is built for. */
#ifdef HAS_TLS
__thread long info_tls = 5;
long *info_tls_addr(void) { return &info_tls; }
#else
int info_plain(void) { return 1; }
#endif
