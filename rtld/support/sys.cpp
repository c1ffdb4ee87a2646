#include "rtld/support/sys.h"

namespace rtld::sys {

SyscallStats g_syscall_stats;

}  // namespace rtld::sys
