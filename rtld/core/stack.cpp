#include "rtld/core/stack.h"

#include "rtld/core/state.h"
#include "rtld/glibc/personality.h"
#include "rtld/support/sys.h"

namespace rtld {

namespace {

bool g_executable = false;

}  // namespace

void InitStackState(const Module& kernel_ran) { g_executable = kernel_ran.wants_exec_stack; }

bool StacksExecutable() { return g_executable; }

int MakeStacksExecutableFor(const Module& m) {
  if (!m.wants_exec_stack || g_executable) return 0;
  // g.sp is the process's __libc_stack_end. PROT_GROWSDOWN extends the
  // change to the start of the stack mapping (and to what it grows into).
  constexpr int kProtGrowsDown = 0x01000000;  // PROT_GROWSDOWN
  const uint64_t page = reinterpret_cast<uint64_t>(g.sp) & ~(g.page_size - 1);
  long r = sys::Mprotect(reinterpret_cast<void*>(page), g.page_size,
                         sys::kProtRead | sys::kProtWrite | sys::kProtExec | kProtGrowsDown);
  int err = r < 0 ? static_cast<int>(-r) : 0;
  if (err == 0) {
    g_executable = true;
    err = glibc::MakeThreadStacksExecutable();
  }
  return err;
}

}  // namespace rtld
