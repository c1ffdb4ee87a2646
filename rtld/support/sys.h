// The loader's system calls. Every call on the start-up path goes through
// these wrappers (one seam to count or trace them). Results follow the
// kernel convention: >= 0 success, -errno failure.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/syscall.h"

namespace rtld::sys {

// Per-syscall counters for LD_DEBUG=statistics: off unless asked for, then
// each call costs two rdtsc. Frozen when the program's entry is reached.
struct SyscallStats {
  static constexpr unsigned kMaxNr = 512;
  bool on = false;
  uint32_t count[kMaxNr];
  uint64_t ticks[kMaxNr];
};
extern SyscallStats g_syscall_stats;

// Every system call of the loader goes through here.
inline long Call(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0) {
  if (__builtin_expect(!g_syscall_stats.on, 1)) return arch::Syscall(nr, a, b, c, d, e, f);
  const uint64_t t0 = arch::ReadTsc();
  const long r = arch::Syscall(nr, a, b, c, d, e, f);
  if (static_cast<unsigned long>(nr) < SyscallStats::kMaxNr) {
    ++g_syscall_stats.count[nr];
    g_syscall_stats.ticks[nr] += arch::ReadTsc() - t0;
  }
  return r;
}

// Linux x86-64 system call numbers used by the loader.
enum : long {
  kRead = 0, kWrite = 1, kOpen = 2, kClose = 3, kFstat = 5, kMmap = 9, kMprotect = 10,
  kMunmap = 11, kPread = 17, kWritev = 20, kAccess = 21, kGetpid = 39, kExitGroup = 231,
  kReadlink = 89, kGetcwd = 79, kArchPrctl = 158, kClockGettime = 228, kOpenat = 257,
  kNewfstatat = 262, kFutex = 202,
};

// The name of a system call the loader makes (for the histogram).
inline const char* Name(long nr) {
  switch (nr) {
    case kRead: return "read";
    case kWrite: return "write";
    case kOpen: return "open";
    case kClose: return "close";
    case kFstat: return "fstat";
    case kMmap: return "mmap";
    case kMprotect: return "mprotect";
    case kMunmap: return "munmap";
    case kPread: return "pread64";
    case kGetpid: return "getpid";
    case kReadlink: return "readlink";
    case kGetcwd: return "getcwd";
    case kArchPrctl: return "arch_prctl";
    case kClockGettime: return "clock_gettime";
    case kNewfstatat: return "newfstatat";
    case kExitGroup: return "exit_group";
    case kFutex: return "futex";
    default: return "other";
  }
}

// struct stat for x86-64 (the kernel's layout).
struct Stat {
  uint64_t dev;
  uint64_t ino;
  uint64_t nlink;
  uint32_t mode;
  uint32_t uid;
  uint32_t gid;
  uint32_t pad0;
  uint64_t rdev;
  int64_t size;
  int64_t blksize;
  int64_t blocks;
  uint64_t atime, atime_ns;
  uint64_t mtime, mtime_ns;
  uint64_t ctime, ctime_ns;
  int64_t reserved[3];
};
static_assert(sizeof(Stat) == 144);

inline constexpr int kOpenReadOnly = 0, kOpenCloexec = 02000000, kOpenDirectory = 0200000;
inline constexpr int kProtNone = 0, kProtRead = 1, kProtWrite = 2, kProtExec = 4;
inline constexpr int kMapPrivate = 0x02, kMapFixed = 0x10, kMapAnonymous = 0x20,
                     kMapDenywrite = 0x800, kMapFixedNoreplace = 0x100000;
inline constexpr uint32_t kModeTypeMask = 0170000, kModeDir = 0040000, kModeReg = 0100000;

inline long Open(const char* path, int flags) {
  return Call(kOpen, reinterpret_cast<long>(path), flags | kOpenCloexec, 0);
}
inline long Close(int fd) { return Call(kClose, fd); }
inline long Read(int fd, void* buf, size_t n) {
  return Call(kRead, fd, reinterpret_cast<long>(buf), static_cast<long>(n));
}
inline long Pread(int fd, void* buf, size_t n, uint64_t off) {
  return Call(kPread, fd, reinterpret_cast<long>(buf), static_cast<long>(n),
                       static_cast<long>(off));
}
inline long Write(int fd, const void* buf, size_t n) {
  return Call(kWrite, fd, reinterpret_cast<long>(buf), static_cast<long>(n));
}
inline long Fstat(int fd, Stat* st) {
  return Call(kFstat, fd, reinterpret_cast<long>(st));
}
inline long Getcwd(char* buf, size_t n) {
  return Call(kGetcwd, reinterpret_cast<long>(buf), static_cast<long>(n));
}
inline long Readlink(const char* path, char* buf, size_t n) {
  return Call(kReadlink, reinterpret_cast<long>(path), reinterpret_cast<long>(buf),
                       static_cast<long>(n));
}
inline long Mmap(void* addr, size_t len, int prot, int flags, int fd, uint64_t off) {
  return Call(kMmap, reinterpret_cast<long>(addr), static_cast<long>(len), prot, flags,
                       fd, static_cast<long>(off));
}
inline bool MmapFailed(long r) { return r < 0 && r > -4096; }
inline long Munmap(void* addr, size_t len) {
  return Call(kMunmap, reinterpret_cast<long>(addr), static_cast<long>(len));
}
inline long Mprotect(void* addr, size_t len, int prot) {
  return Call(kMprotect, reinterpret_cast<long>(addr), static_cast<long>(len), prot);
}
inline long Getpid() { return Call(kGetpid); }
inline long FutexWait(int* addr, int expected) {
  return Call(kFutex, reinterpret_cast<long>(addr), 128 /* FUTEX_WAIT_PRIVATE */, expected, 0);
}
inline long FutexWake(int* addr, int count) {
  return Call(kFutex, reinterpret_cast<long>(addr), 129 /* FUTEX_WAKE_PRIVATE */, count);
}
[[noreturn]] inline void ExitGroup(int status) {
  for (;;) arch::Syscall(kExitGroup, status);
}

// Writes all of buf to fd, retrying short writes; false if that failed.
inline bool WriteAll(int fd, const char* buf, size_t n) {
  while (n > 0) {
    long r = Write(fd, buf, n);
    if (r == -4 /* EINTR */) continue;
    if (r <= 0) return false;
    buf += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

}  // namespace rtld::sys
