// matrix_plugin_CELL.so, dlopen'ed by the program: a 64-byte aligned
// thread_local block (dynamic TLS, or static TLS from the surplus), a
// thread_local object with a destructor, an exception thrown here with the
// library's typeinfo, and the library's TLS seen from here.
#include <cstdint>

#include "matrix.h"

namespace {
alignas(64) thread_local unsigned char aligned_block[64] = {7};
int destroyed = 0;
struct PluginTracked {
  int n = 0;
  ~PluginTracked() { __atomic_add_fetch(&destroyed, 1, __ATOMIC_SEQ_CST); }
};
thread_local PluginTracked plugin_tracked;
}  // namespace

// One line of facts about the calling thread's view (no addresses).
extern "C" int plugin_run(int id, char *out, unsigned size) {
  const bool aligned = reinterpret_cast<std::uintptr_t>(aligned_block) % 64 == 0;
  aligned_block[0] = static_cast<unsigned char>(aligned_block[0] + id);
  plugin_tracked.n += id;
  const int lib_tls = matrix_tls;
  return __builtin_snprintf(out, size, "aligned=%s block[0]=%d tracked=%d matrix_tls=%d",
                            aligned ? "yes" : "no", aligned_block[0], plugin_tracked.n, lib_tls);
}

extern "C" void plugin_throw(int code) { throw MatrixError("plugin_throw", code); }

extern "C" int plugin_destroyed() { return __atomic_load_n(&destroyed, __ATOMIC_SEQ_CST); }
