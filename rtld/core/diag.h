// Diagnostics: messages in glibc's loader format and the fatal exit.
// Messages are composed from constant text and typed arguments at the sink;
// nothing is allocated.
#pragma once

#include <stdint.h>

#include <type_traits>

#include "rtld/support/format.h"

namespace rtld {

// The text of an errno value as glibc's loader prints it, or nullptr for
// the codes it prints as "Error N".
const char* ErrnoText(int err);

// "PROG: OCCASION: OBJ: TEXT: strerror(err)\n" and exit(status), exactly
// glibc's fatal_error layout. `occasion` nullptr means "error while loading
// shared libraries"; empty objname and err == 0 drop their parts.
[[noreturn]] void Fatal(const char* occasion, const char* objname, const char* text, int err = 0,
                        int status = 127);

// Shorthand for load errors about an object.
[[noreturn]] inline void FatalLoad(const char* objname, const char* text, int err = 0) {
  Fatal(nullptr, objname, text, err);
}

void WriteBuffer(int fd, support::Buffer& b);

// Error recovery for the dl API. While a thread runs code under
// RunCatching, Fatal in that thread does not exit: it records the message
// as dlerror shows it ("OBJ: TEXT: strerror(err)") and unwinds to
// RunCatching, which returns false. Other threads' errors stay fatal.
struct CaughtError {
  char message[1024];
  int err = 0;
};
bool RunCatching(void (*fn)(void*), void* arg, CaughtError* error);

template <typename Fn>
inline bool Catching(CaughtError* error, Fn&& fn) {
  using F = std::remove_reference_t<Fn>;
  return RunCatching([](void* p) { (*static_cast<F*>(p))(); }, const_cast<void*>(static_cast<const volatile void*>(&fn)), error);
}

// Runs fn with errors fatal again (initialisers and finalisers that dlopen
// and dlclose call: their failures are not the API call's).
void* SuspendCatching();
void ResumeCatching(void* saved);
template <typename Fn>
inline void WithoutCatching(Fn&& fn) {
  void* saved = SuspendCatching();
  fn();
  ResumeCatching(saved);
}

// The calling thread's identity: its thread pointer.
inline void* CurrentThread() {
  void* tp;
  __asm__("movq %%fs:0, %0" : "=r"(tp));
  return tp;
}

// Formats into a scratch buffer; fn(Buffer&) appends the message.
template <typename Fn>
inline void Print(int fd, Fn&& fn) {
  char storage[1024];
  support::Buffer b(storage, sizeof storage);
  fn(b);
  WriteBuffer(fd, b);
}

}  // namespace rtld
