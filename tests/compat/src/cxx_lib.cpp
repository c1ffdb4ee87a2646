// libcompat_cxx.so: see cxx_lib.h. Its thread_local object has a destructor
// (registered through __cxa_thread_atexit_impl), its static object one that
// runs at exit.
#include "cxx_lib.h"

#include <cstdio>

LibError::LibError(const std::string &what, int c) : std::runtime_error(what), code(c) {}
LibError::~LibError() = default;

Plugin::~Plugin() = default;

namespace {
struct Noisy {
  const char *who;
  int n = 0;
  explicit Noisy(const char *w) : who(w) {}
  ~Noisy() { std::printf("  ~Noisy(%s) n=%d\n", who, n); }
};
thread_local Noisy lib_tl("lib thread_local");
struct LibStatic {
  LibStatic() { std::printf("lib: static constructor\n"); }
  ~LibStatic() { std::printf("lib: static destructor\n"); }
} lib_static;
}  // namespace

int lib_throw(int n) {
  if (n > 0) throw LibError("lib_throw(" + std::to_string(n) + ")", n);
  return 0;
}

int lib_tl_counter() { return ++lib_tl.n; }
