#include "rtld/core/diag.h"

#include "rtld/core/state.h"
#include "rtld/support/sys.h"

namespace rtld {

const char* ErrnoText(int err) {
  switch (err) {
    case 1: return "Operation not permitted";
    case 2: return "No such file or directory";
    case 5: return "Input/output error";
    case 8: return "Exec format error";
    case 9: return "Bad file descriptor";
    case 12: return "Cannot allocate memory";
    case 13: return "Permission denied";
    case 14: return "Bad address";
    case 19: return "No such device";
    case 20: return "Not a directory";
    case 21: return "Is a directory";
    case 22: return "Invalid argument";
    case 23: return "Too many open files in system";
    case 24: return "Too many open files";
    case 26: return "Text file busy";
    case 27: return "File too large";
    case 36: return "File name too long";
    case 40: return "Too many levels of symbolic links";
    case 75: return "Value too large for defined data type";
    default: return "Unknown error";
  }
}

void WriteBuffer(int fd, support::Buffer& b) { sys::WriteAll(fd, b.data(), b.size()); }

void WriteError(support::Buffer& b) { WriteBuffer(2, b); }

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
    if (err) b.Str(": ").Str(ErrnoText(err));
    b.Char('\n');
  });
  sys::ExitGroup(status);
}

}  // namespace rtld
