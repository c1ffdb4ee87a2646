#include "rtld/core/options.h"

#include "rtld/core/debug.h"
#include "rtld/core/diag.h"
#include "rtld/core/state.h"
#include "rtld/core/stats.h"
#include "rtld/glibc/tunables.h"
#include "rtld/support/string.h"
#include "rtld/support/sys.h"

#ifndef RTLD_VERSION
#define RTLD_VERSION "0"
#endif

namespace rtld {

namespace {

// What a secure (AT_SECURE: set-user-ID, set-group-ID, capabilities)
// program must not inherit from its caller. First glibc 2.36's list
// (sysdeps/generic/unsecvars.h, built with tunables: GLIBC_TUNABLES is
// filtered instead, see SecureEnvironment), then the loader's own variables
// that name files or ask for output: the symbol cache's file and socket
// (ignored in secure mode: only the system cache and socket count) and the
// statistics switch (honoured, like LD_DEBUG, only with /etc/suid-debug).
// RTLD_SYMCACHE_IMAGES stays and counts: it can only turn images off.
constexpr const char* kUnsecureVars[] = {
    "GCONV_PATH",   "GETCONF_DIR",      "HOSTALIASES", "LD_AUDIT",     "LD_DEBUG",      "LD_DEBUG_OUTPUT",
    "LD_DYNAMIC_WEAK", "LD_HWCAP_MASK", "LD_LIBRARY_PATH", "LD_ORIGIN_PATH", "LD_PRELOAD", "LD_PROFILE",
    "LD_SHOW_AUXV", "LOCALDOMAIN",      "LOCPATH",     "MALLOC_TRACE", "NIS_PATH",      "NLSPATH",
    "RESOLV_HOST_CONF", "RES_OPTIONS",  "TMPDIR",      "TZDIR",
    // The loader's own.
    "RTLD_SYMCACHE", "RTLD_SYMCACHE_SOCKET", "RTLD_STATS",
};

// glibc lets a secure program write LD_DEBUG output (and keep
// MALLOC_CHECK_) only when the administrator created this file.
constexpr const char* kSuidDebugFile = "/etc/suid-debug";

// "NAME=value" -> value if the entry is NAME, else nullptr.
const char* ValueOf(const char* entry, const char* name) {
  size_t n = support::StrLen(name);
  if (support::StrNCmp(entry, name, n) == 0 && entry[n] == '=') return entry + n + 1;
  return nullptr;
}

// Removes `count` words at `at` from the initial stack, moving everything
// after them (through the auxv terminator) down, and re-derives the
// pointers into it.
void RemoveStackWords(uint64_t* at, size_t count) {
  uint64_t* end = g.auxv;
  while (end[0] != AT_NULL) end += 2;
  end += 2;
  for (uint64_t* p = at; p + count < end; ++p) p[0] = p[count];
  g.argv = reinterpret_cast<char**>(g.sp + 1);
  g.envp = g.argv + g.argc + 1;
  char** e = g.envp;
  while (*e) ++e;
  g.auxv = reinterpret_cast<uint64_t*>(e + 1);
}

void PrintHelp(const char* self) {
  Print(1, [&](support::Buffer& b) {
    b.Str("Usage: ").Str(self).Str(" [OPTION]... EXECUTABLE-FILE [ARGS-FOR-PROGRAM...]\n")
        .Str("rtld, a dynamic loader for x86-64 Linux programs. Loads EXECUTABLE-FILE\n"
             "and its shared objects, relocates them and runs it, as if the kernel had\n"
             "started it with this loader as its interpreter.\n\n");
  });
  Print(1, [&](support::Buffer& b) {
    b.Str("  --list                list all dependencies and how they are resolved\n"
          "  --verify              verify that the file is a dynamically linked program\n"
          "                        this loader can handle (exit status 0)\n"
          "  --inhibit-cache       do not use /etc/ld.so.cache\n"
          "  --library-path PATH   use PATH instead of LD_LIBRARY_PATH\n"
          "  --preload LIST        preload the objects named in LIST\n"
          "  --argv0 STRING        set argv[0] to STRING before running\n"
          "  --record-bindings FILE\n"
          "                        resolve every symbol reference of the program and\n"
          "                        its libraries, write the bindings to FILE (the symbol\n"
          "                        cache tools read it) and exit without running it\n"
          "  --record-layout ADDRESS\n"
          "                        with --record-bindings: map the libraries one after\n"
          "                        another from ADDRESS (hexadecimal) and also write\n"
          "                        their pre-relocated images (FILE.pages)\n"
          "  --record-fd N         as --record-bindings, writing to descriptor N (and\n"
          "                        the image pages to N+1) instead of files\n"
          "  --help                display this help and exit\n"
          "  --version             output version information and exit\n\n"
          "Shared library search path:\n"
          "  (libraries located via /etc/ld.so.cache)\n"
          "  /lib/x86_64-linux-gnu (system search path)\n"
          "  /usr/lib/x86_64-linux-gnu (system search path)\n"
          "  /lib (system search path)\n"
          "  /usr/lib (system search path)\n");
  });
}

}  // namespace

namespace {

// Secure mode: the environment as glibc 2.36 leaves it to the program
// (__tunables_init, then process_envvars' unsetenv of every unsecure name,
// each occurrence).
void SecureEnvironment() {
  for (char** e = g.envp; *e;) {
    const char* entry = *e;
    if (const char* v = ValueOf(entry, "GLIBC_TUNABLES")) {
      // A copy with the tunables a secure process may keep (glibc writes
      // the filtered string into its own copy too).
      char* copy = g.arena.Dup(entry);
      if (copy != nullptr) {
        glibc::FilterTunablesForSecure(copy + (v - entry), g.suid_debug);
        *e = copy;
      }
      ++e;
      continue;
    }
    bool unsafe = glibc::ErasedInSecureMode(entry, g.suid_debug);
    for (const char* name : kUnsecureVars) unsafe |= ValueOf(entry, name) != nullptr;
    if (unsafe) {
      RemoveStackWords(reinterpret_cast<uint64_t*>(e), 1);
    } else {
      ++e;
    }
  }
}

}  // namespace

void ReadEnvironment() {
  const char* debug = nullptr;
  const char* debug_output = nullptr;
  bool trace = false;
  for (char** e = g.envp; *e; ++e) {
    const char* s = *e;
    const char* v;
    if (s[0] == 'R' && (v = ValueOf(s, "RTLD_STATS")) != nullptr) {
      if (support::StrEq(v, "json")) g_stats.enabled = g_stats.json = true;
      continue;
    }
    if (s[0] != 'L' || s[1] != 'D' || s[2] != '_') continue;
    if ((v = ValueOf(s, "LD_LIBRARY_PATH")) != nullptr) {
      if (*v) g.opt.library_path = v;
    } else if ((v = ValueOf(s, "LD_PRELOAD")) != nullptr) {
      if (*v) g.opt.preload_env = v;
    } else if ((v = ValueOf(s, "LD_BIND_NOW")) != nullptr) {
      g.opt.bind_now = *v != 0;
    } else if ((v = ValueOf(s, "LD_BIND_NOT")) != nullptr) {
      g.opt.bind_not = *v != 0;
    } else if (ValueOf(s, "LD_TRACE_LOADED_OBJECTS") != nullptr) {
      // Whatever its value, even empty (glibc's process_envvars).
      g.opt.list = trace = true;
    } else if ((v = ValueOf(s, "LD_DEBUG")) != nullptr) {
      debug = v;
    } else if ((v = ValueOf(s, "LD_DEBUG_OUTPUT")) != nullptr) {
      debug_output = v;
    }
  }
  if (g.secure) {
    // As glibc: LD_DEBUG is read (LD_DEBUG=help still prints and exits),
    // its output goes to stderr, never to a file the caller names, and
    // only when /etc/suid-debug exists; LD_LIBRARY_PATH is ignored; the
    // unsecure variables leave the environment; listing the objects
    // (LD_TRACE_LOADED_OBJECTS) ends the process with status 5.
    g.suid_debug = sys::Call(sys::kAccess, reinterpret_cast<long>(kSuidDebugFile), 0 /* F_OK */) == 0;
    debug_output = nullptr;
    g.opt.library_path = nullptr;
  }
  if (debug != nullptr) ConfigureDebug(debug, debug_output);
  if (g.secure) {
    if (!g.suid_debug) {
      g_debug_mask = 0;
      g_stats.enabled = g_stats.json = false;
    }
    SecureEnvironment();
    if (trace) sys::ExitGroup(5);
  }
  StartStatistics();
}

const char* GetEnv(const char* name) {
  for (char** e = g.envp; *e; ++e)
    if (const char* v = ValueOf(*e, name)) return v;
  return nullptr;
}

const char* ParseCommandLine() {
  const char* self = g.argv[0] ? g.argv[0] : "ld.so";
  g.rtld_invoked_as = self;
  long i = 1;
  while (i < g.argc) {
    const char* a = g.argv[i];
    const bool has_value = i + 1 < g.argc;
    if (support::StrEq(a, "--list")) {
      g.opt.list = g.opt.list_option = true;
      ++i;
    } else if (support::StrEq(a, "--verify")) {
      g.opt.verify = true;
      ++i;
    } else if (support::StrEq(a, "--inhibit-cache")) {
      g.opt.inhibit_cache = true;
      ++i;
    } else if (support::StrEq(a, "--library-path") && has_value) {
      g.opt.library_path = g.argv[i + 1];
      i += 2;
    } else if (support::StrEq(a, "--preload") && has_value) {
      g.opt.preload_arg = g.argv[i + 1];
      i += 2;
    } else if (support::StrEq(a, "--record-bindings") && has_value) {
      g.opt.record_bindings = g.argv[i + 1];
      g.opt.bind_now = true;
      i += 2;
    } else if (support::StrEq(a, "--record-fd") && has_value) {
      // A descriptor the caller opened for writing (decimal; the symbol-cache
      // tools pass 3). Anything else is refused: never run the program instead.
      int fd = 0;
      const char* p = g.argv[i + 1];
      for (; *p >= '0' && *p <= '9' && fd < 100000; ++p) fd = fd * 10 + (*p - '0');
      if (*p != 0 || p == g.argv[i + 1] || fd >= 100000) {
        Print(2, [&](support::Buffer& b) { b.Str(self).Str(": --record-fd: not a descriptor number\n"); });
        sys::ExitGroup(1);
      }
      g.opt.record_fd = fd;
      g.opt.record_bindings = "the recording descriptor";
      g.opt.bind_now = true;
      i += 2;
    } else if (support::StrEq(a, "--record-layout") && has_value) {
      // A page-aligned hexadecimal address (the symbol-cache tools draw it).
      uint64_t v = 0;
      for (const char* p = g.argv[i + 1]; *p; ++p) {
        const char c = *p;
        const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0 || v >> 60) {
          v = 0;
          break;
        }
        v = v << 4 | static_cast<uint64_t>(d);
      }
      g.opt.record_layout = v & ~uint64_t{4095};
      i += 2;
    } else if (support::StrEq(a, "--argv0") && has_value) {
      g.opt.argv0 = g.argv[i + 1];
      i += 2;
    } else if ((support::StrEq(a, "--inhibit-rpath") || support::StrEq(a, "--audit") ||
                support::StrEq(a, "--glibc-hwcaps-prepend") || support::StrEq(a, "--glibc-hwcaps-mask")) &&
               has_value) {
      i += 2;  // accepted for compatibility; no effect
    } else if (support::StrEq(a, "--help")) {
      PrintHelp(self);
      sys::ExitGroup(0);
    } else if (support::StrEq(a, "--version")) {
      Print(1, [](support::Buffer& b) {
        b.Str("rtld ").Str(RTLD_VERSION).Str(", a dynamic loader for x86-64 Linux\n");
      });
      sys::ExitGroup(0);
    } else {
      break;
    }
  }
  if (i >= g.argc) {
    Print(2, [&](support::Buffer& b) {
      b.Str(self).Str(": missing program name\nTry '").Str(self).Str(" --help' for more information.\n");
    });
    sys::ExitGroup(1);
  }
  // Drop ld.so's argv[0] and its options; the program's path becomes argv[0].
  const long skip = i;
  g.argc -= skip;
  g.sp[0] = static_cast<uint64_t>(g.argc);
  RemoveStackWords(g.sp + 1, static_cast<size_t>(skip));
  const char* path = g.argv[0];
  if (g.opt.argv0 != nullptr) g.argv[0] = const_cast<char*>(g.opt.argv0);
  return path;
}

}  // namespace rtld
