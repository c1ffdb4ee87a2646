/* The TLS accesses tls_bench measures, compiled once per access model
   (TLS_FN names the accessor). The variable lives in this library, which
   the program links against, so its block is in the static TLS area. */
__thread long tls_counter = 1;

__attribute__((noinline)) long TLS_FN(void) { return ++tls_counter; }
