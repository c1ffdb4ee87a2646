#include "rtld/core/diag.h"

#include "rtld/core/state.h"
#include "rtld/support/sys.h"

namespace rtld {

const char* ErrnoText(int err) {
  // glibc's loader knows the text of these codes only; others print as
  // "Error N" (formatted by the caller).
  switch (err) {
    case 1: return "Operation not permitted";
    case 2: return "No such file or directory";
    case 5: return "Input/output error";
    case 12: return "Cannot allocate memory";
    case 13: return "Permission denied";
    case 22: return "Invalid argument";
    default: return nullptr;
  }
}

void WriteBuffer(int fd, support::Buffer& b) { sys::WriteAll(fd, b.data(), b.size()); }

const char* ProgramName() {
  if (g.argv != nullptr && g.argv[0] != nullptr) return g.argv[0];
  return "<program name unknown>";
}

void Fatal(const char* occasion, const char* objname, const char* text, int err, int status) {
  Print(2, [&](support::Buffer& b) {
    b.Str(ProgramName()).Str(": ");
    b.Str(occasion ? occasion : "error while loading shared libraries").Str(": ");
    if (objname && *objname) b.Str(objname).Str(": ");
    b.Str(text);
    if (err) {
      b.Str(": ");
      if (const char* t = ErrnoText(err)) b.Str(t);
      else b.Str("Error ").Dec(static_cast<uint64_t>(err));
    }
    b.Char('\n');
  });
  sys::ExitGroup(status);
}

}  // namespace rtld
