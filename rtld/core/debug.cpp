#include "rtld/core/debug.h"

#include "rtld/core/state.h"
#include "rtld/core/stats.h"
#include "rtld/support/string.h"
#include "rtld/support/sys.h"

namespace rtld {

uint32_t g_debug_mask = 0;

namespace {

int g_debug_fd = 2;
uint64_t g_debug_pid = 0;  // taken once, when debugging is configured

struct CategoryName {
  const char* name;
  uint32_t mask;
  const char* help;
};

constexpr CategoryName kCategories[] = {
    {"libs", kDebugLibs, "display library search paths"},
    {"reloc", kDebugReloc, "display relocation processing"},
    {"files", kDebugFiles, "display progress for input file"},
    {"symbols", kDebugSymbols, "display symbol table processing"},
    {"bindings", kDebugBindings, "display information about symbol binding"},
    {"versions", kDebugVersions, "display version dependencies"},
    {"scopes", kDebugScopes, "display scope information"},
    {"tls", kDebugTls, "display TLS structures processing"},
    {"statistics", kDebugStatistics, "display start-up statistics (phase times, relocations, lookups)"},
    {"symcache", kDebugSymcache, "display what the shared symbol cache did (file, closure, misses)"},
    {"all", ~uint32_t{0}, "all previous options combined"},
};

}  // namespace

void ConfigureDebug(const char* value, const char* output) {
  bool help = false;
  const char* p = value;
  while (*p) {
    while (*p == ',' || *p == ' ' || *p == ':') ++p;
    const char* s = p;
    while (*p && *p != ',' && *p != ' ' && *p != ':') ++p;
    const size_t n = static_cast<size_t>(p - s);
    if (n == 4 && support::StrNCmp(s, "help", 4) == 0) help = true;
    for (const CategoryName& c : kCategories)
      if (support::StrLen(c.name) == n && support::StrNCmp(s, c.name, n) == 0) g_debug_mask |= c.mask;
  }
  if (help) {
    Print(1, [](support::Buffer& b) { b.Str("Valid options for the LD_DEBUG environment variable are:\n\n"); });
    for (const CategoryName& c : kCategories) {
      Print(1, [&](support::Buffer& b) {
        b.Str("  ").Str(c.name);
        for (size_t i = support::StrLen(c.name); i < 12; ++i) b.Char(' ');
        b.Str(c.help).Char('\n');
      });
    }
    Print(1, [](support::Buffer& b) {
      b.Str("\nTo direct the debugging output into a file instead of standard output\n"
            "a filename can be specified using the LD_DEBUG_OUTPUT environment variable.\n");
    });
    sys::ExitGroup(0);
  }
  if (g_debug_mask & kDebugStatistics) g_stats.enabled = true;
  if (g_debug_mask != 0) g_debug_pid = static_cast<uint64_t>(sys::Getpid());
  if (g_debug_mask != 0 && output != nullptr && *output) {
    char path[4096];
    support::Buffer b(path, sizeof path);
    b.Str(output).Char('.').Dec(g_debug_pid);
    constexpr int kCreat = 0100, kAppend = 02000, kWrOnly = 1, kNoFollow = 0400000;
    long fd = sys::Call(sys::kOpen, reinterpret_cast<long>(b.CStr()),
                            kWrOnly | kCreat | kAppend | kNoFollow | sys::kOpenCloexec, 0666);
    if (fd >= 0) g_debug_fd = static_cast<int>(fd);
  }
}

void DebugWrite(void (*fn)(support::Buffer&, const void*), const void* ctx) {
  char storage[2048];
  support::Buffer b(storage, sizeof storage);
  // glibc's prefix: the PID right-aligned in ten columns, a colon, a tab.
  char pid[24];
  support::Buffer pb(pid, sizeof pid);
  pb.Dec(g_debug_pid ? g_debug_pid : static_cast<uint64_t>(sys::Getpid()));
  for (size_t i = pb.size(); i < 10; ++i) b.Char(' ');
  b.Str(pid, pb.size()).Str(":\t");
  fn(b, ctx);
  b.Char('\n');
  sys::WriteAll(g_debug_fd, b.data(), b.size());
}

}  // namespace rtld
