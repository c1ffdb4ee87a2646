/* libcompat_tls_dyn.so, dlopen'ed by tls_prog: its TLS block is dynamic
 * (allocated by __tls_get_addr on a thread's first access). */
__attribute__((visibility("default"))) __thread long dyn_tls = 42;
static __thread long dyn_hits;

__attribute__((visibility("default"))) long dyn_touch(long add) {
  dyn_hits++;
  dyn_tls += add;
  return dyn_tls * 100 + dyn_hits;
}
