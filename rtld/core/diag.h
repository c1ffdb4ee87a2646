// Diagnostics: messages in glibc's loader format and the fatal exit.
// Messages are composed from constant text and typed arguments at the sink;
// nothing is allocated.
#pragma once

#include <stdint.h>

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

// Formats into a scratch buffer; fn(Buffer&) appends the message.
template <typename Fn>
inline void Print(int fd, Fn&& fn) {
  char storage[1024];
  support::Buffer b(storage, sizeof storage);
  fn(b);
  WriteBuffer(fd, b);
}

}  // namespace rtld
