#include "rtld/core/diag.h"

#include "rtld/core/state.h"
#include "rtld/support/sys.h"

extern "C" {
int RtldSetjmp(uint64_t* buffer) __attribute__((returns_twice, visibility("hidden")));
[[noreturn]] void RtldLongjmp(uint64_t* buffer, int value) __attribute__((visibility("hidden")));
}

namespace rtld {

namespace {

struct CatchFrame {
  uint64_t jump[8];
  void* thread;
  CaughtError* error;
  CatchFrame* outer;
};

// The innermost frame; frames belong to the thread that holds the dl lock.
CatchFrame* g_catch = nullptr;

}  // namespace

void* SuspendCatching() {
  CatchFrame* saved = g_catch;
  g_catch = nullptr;
  return saved;
}

void ResumeCatching(void* saved) { g_catch = static_cast<CatchFrame*>(saved); }

bool RunCatching(void (*fn)(void*), void* arg, CaughtError* error) {
  CatchFrame frame;
  frame.thread = CurrentThread();
  frame.error = error;
  frame.outer = g_catch;
  if (RtldSetjmp(frame.jump) != 0) {
    g_catch = frame.outer;
    return false;
  }
  g_catch = &frame;
  fn(arg);
  g_catch = frame.outer;
  return true;
}

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

namespace {

// strerror's text, which dlerror shows (libc's, not the loader's shorter
// table); codes beyond these print as "Error N".
const char* LibcErrnoText(int err) {
  static const char* const kTexts[] = {
      nullptr, "Operation not permitted", "No such file or directory", "No such process",
      "Interrupted system call", "Input/output error", "No such device or address",
      "Argument list too long", "Exec format error", "Bad file descriptor", "No child processes",
      "Resource temporarily unavailable", "Cannot allocate memory", "Permission denied", "Bad address",
      "Block device required", "Device or resource busy", "File exists", "Invalid cross-device link",
      "No such device", "Not a directory", "Is a directory", "Invalid argument",
      "Too many open files in system", "Too many open files", "Inappropriate ioctl for device",
      "Text file busy", "File too large", "No space left on device", "Illegal seek",
      "Read-only file system", "Too many links", "Broken pipe", "Numerical argument out of domain",
      "Numerical result out of range", "Resource deadlock avoided", "File name too long",
      "No locks available", "Function not implemented", "Directory not empty",
      "Too many levels of symbolic links"};
  if (err > 0 && static_cast<unsigned>(err) < sizeof kTexts / sizeof kTexts[0]) return kTexts[err];
  if (err == 75) return "Value too large for defined data type";
  if (err == 95) return "Operation not supported";
  return nullptr;
}

}  // namespace

void WriteBuffer(int fd, support::Buffer& b) { sys::WriteAll(fd, b.data(), b.size()); }

const char* ProgramName() {
  if (g.argv != nullptr && g.argv[0] != nullptr) return g.argv[0];
  return "<program name unknown>";
}

void Fatal(const char* occasion, const char* objname, const char* text, int err, int status) {
  if (g_catch != nullptr && g_catch->thread == CurrentThread()) {
    CatchFrame* frame = g_catch;
    support::Buffer b(frame->error->message, sizeof frame->error->message);
    if (objname && *objname) b.Str(objname).Str(": ");
    b.Str(text);
    if (err) {
      b.Str(": ");
      if (const char* t = LibcErrnoText(err)) b.Str(t);
      else b.Str("Error ").Dec(static_cast<uint64_t>(err));
    }
    b.CStr();
    frame->error->err = err;
    RtldLongjmp(frame->jump, 1);
  }
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
