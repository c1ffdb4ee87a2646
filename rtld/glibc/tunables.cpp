#include "rtld/glibc/tunables.h"

#include "rtld/core/state.h"
#include "rtld/support/string.h"

namespace rtld::glibc {

namespace {

enum Type : uint8_t { kInt32 = 0, kUint64 = 1, kSizeT = 2, kString = 3 };
enum Security : uint8_t { kSxidErase, kSxidIgnore, kNone };

struct Tunable {
  const char* name;
  Type type;
  Security security;
  int64_t min, max, def;
  const char* alias;
};

constexpr int64_t kIntMax = 0x7fffffff;
constexpr int64_t kMaxU = -1;  // SIZE_MAX / UINT64_MAX as a bit pattern

// Debian 12's glibc 2.36, in the order of its tunable_id_t (the ids are
// private to that build).
const Tunable kTunables[kTunCount] = {
    {"glibc.rtld.nns", kSizeT, kSxidErase, 1, 16, 4, nullptr},
    {"glibc.elision.skip_lock_after_retries", kInt32, kSxidErase, 0, kIntMax, 3, nullptr},
    {"glibc.malloc.trim_threshold", kSizeT, kSxidIgnore, 0, kMaxU, 0, "MALLOC_TRIM_THRESHOLD_"},
    {"glibc.malloc.perturb", kInt32, kSxidIgnore, 0, 255, 0, "MALLOC_PERTURB_"},
    {"glibc.cpu.x86_shared_cache_size", kSizeT, kSxidErase, 0, kMaxU, 0, nullptr},
    {"glibc.pthread.rseq", kInt32, kSxidErase, 0, 1, 1, nullptr},
    {"glibc.mem.tagging", kInt32, kSxidIgnore, 0, 255, 0, nullptr},
    {"glibc.elision.tries", kInt32, kSxidErase, 0, kIntMax, 3, nullptr},
    {"glibc.elision.enable", kInt32, kSxidErase, 0, 1, 0, nullptr},
    {"glibc.malloc.hugetlb", kSizeT, kSxidErase, 0, kMaxU, 0, nullptr},
    {"glibc.cpu.x86_rep_movsb_threshold", kSizeT, kSxidErase, 1, kMaxU, 0, nullptr},
    {"glibc.malloc.mxfast", kSizeT, kSxidIgnore, 0, kMaxU, 0, nullptr},
    {"glibc.rtld.dynamic_sort", kInt32, kSxidErase, 1, 2, 2, nullptr},
    {"glibc.elision.skip_lock_busy", kInt32, kSxidErase, 0, kIntMax, 3, nullptr},
    {"glibc.malloc.top_pad", kSizeT, kSxidIgnore, 0, kMaxU, 0, "MALLOC_TOP_PAD_"},
    {"glibc.cpu.x86_rep_stosb_threshold", kSizeT, kSxidErase, 1, kMaxU, 2048, nullptr},
    {"glibc.cpu.x86_non_temporal_threshold", kSizeT, kSxidErase, 0, kMaxU, 0, nullptr},
    {"glibc.cpu.x86_shstk", kString, kSxidErase, 0, 0, 0, nullptr},
    {"glibc.pthread.stack_cache_size", kSizeT, kSxidErase, 0, kMaxU, 41943040, nullptr},
    {"glibc.gmon.minarcs", kInt32, kSxidErase, 50, kIntMax, 50, nullptr},
    {"glibc.cpu.hwcap_mask", kUint64, kSxidErase, 0, kMaxU, 6, "LD_HWCAP_MASK"},
    {"glibc.malloc.mmap_max", kInt32, kSxidIgnore, 0, kIntMax, 0, "MALLOC_MMAP_MAX_"},
    {"glibc.elision.skip_trylock_internal_abort", kInt32, kSxidErase, 0, kIntMax, 3, nullptr},
    {"glibc.malloc.tcache_unsorted_limit", kSizeT, kSxidErase, 0, kMaxU, 0, nullptr},
    {"glibc.cpu.x86_ibt", kString, kSxidErase, 0, 0, 0, nullptr},
    {"glibc.cpu.hwcaps", kString, kSxidErase, 0, 0, 0, nullptr},
    {"glibc.elision.skip_lock_internal_abort", kInt32, kSxidErase, 0, kIntMax, 3, nullptr},
    {"glibc.malloc.arena_max", kSizeT, kSxidIgnore, 1, kMaxU, 0, "MALLOC_ARENA_MAX"},
    {"glibc.malloc.mmap_threshold", kSizeT, kSxidIgnore, 0, kMaxU, 0, "MALLOC_MMAP_THRESHOLD_"},
    {"glibc.cpu.x86_data_cache_size", kSizeT, kSxidErase, 0, kMaxU, 0, nullptr},
    {"glibc.malloc.tcache_count", kSizeT, kSxidErase, 0, kMaxU, 0, nullptr},
    {"glibc.malloc.arena_test", kSizeT, kSxidIgnore, 1, kMaxU, 0, "MALLOC_ARENA_TEST"},
    {"glibc.pthread.mutex_spin_count", kInt32, kSxidErase, 0, 32767, 100, nullptr},
    {"glibc.gmon.maxarcs", kInt32, kSxidErase, 50, kIntMax, 1048576, nullptr},
    {"glibc.rtld.optional_static_tls", kSizeT, kSxidErase, 0, kMaxU, 512, nullptr},
    {"glibc.malloc.tcache_max", kSizeT, kSxidErase, 0, kMaxU, 0, nullptr},
    {"glibc.malloc.check", kInt32, kSxidErase, 0, 3, 0, "MALLOC_CHECK_"},
};
// A tunable's security level in this process: glibc.malloc.check becomes
// NONE in a secure process when /etc/suid-debug exists
// (maybe_enable_malloc_check).
Security LevelOf(unsigned id, bool suid_debug) {
  if (id == kTunMallocCheck && suid_debug) return kNone;
  return kTunables[id].security;
}

// tunable_is_name: `s` starts with `name` followed by '='.
bool IsNameOf(const char* name, const char* s) {
  while (*name != 0 && *s == *name) {
    ++name;
    ++s;
  }
  return *name == 0 && *s == '=';
}

// tunable_val_t: the value a callback receives.
union Value {
  int64_t numval;
  const char* strval;
};

Value g_values[kTunCount];
bool g_set[kTunCount];
bool g_initialized = false;

void Defaults() {
  if (g_initialized) return;
  g_initialized = true;
  for (unsigned i = 0; i < kTunCount; ++i) g_values[i].numval = kTunables[i].def;
}

// strtoul's rules for a tunable number (decimal, 0x hex, 0 octal); false
// on junk.
bool ParseNumber(const char* s, size_t n, uint64_t& out) {
  if (n == 0) return false;
  unsigned base = 10;
  size_t i = 0;
  if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    i = 2;
  } else if (n > 1 && s[0] == '0') {
    base = 8;
    i = 1;
  }
  uint64_t v = 0;
  for (; i < n; ++i) {
    unsigned d;
    const char c = s[i];
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else return false;
    if (d >= base) return false;
    v = v * base + d;
  }
  out = v;
  return true;
}

void Set(unsigned id, const char* value, size_t n, bool secure) {
  const Tunable& t = kTunables[id];
  if (secure && LevelOf(id, g.suid_debug) != kNone) return;
  if (t.type == kString) {
    g_values[id].strval = value;  // points into the environment, which outlives us
    g_set[id] = true;
    return;
  }
  uint64_t v;
  if (!ParseNumber(value, n, v)) return;
  // Out-of-range values are ignored, as glibc does.
  if (t.type == kInt32) {
    if (static_cast<int64_t>(v) < t.min || static_cast<int64_t>(v) > t.max) return;
  } else if (v < static_cast<uint64_t>(t.min) || v > static_cast<uint64_t>(t.max)) {
    return;
  }
  g_values[id].numval = static_cast<int64_t>(v);
  g_set[id] = true;
}

// "name=value:name=value".
void ParseGlibcTunables(const char* s, bool secure) {
  while (*s) {
    const char* name = s;
    while (*s && *s != '=' && *s != ':') ++s;
    if (*s != '=') {
      if (*s == ':') ++s;
      continue;
    }
    const size_t name_len = static_cast<size_t>(s - name);
    const char* value = ++s;
    while (*s && *s != ':') ++s;
    const size_t value_len = static_cast<size_t>(s - value);
    for (unsigned i = 0; i < kTunCount; ++i) {
      const char* tn = kTunables[i].name;
      if (support::StrLen(tn) == name_len && support::MemCmp(tn, name, name_len) == 0)
        Set(i, value, value_len, secure);
    }
    if (*s == ':') ++s;
  }
}

}  // namespace

void FilterTunablesForSecure(char* value, bool suid_debug) {
  // glibc rewrites its copy in place: a kept entry is written at `off`,
  // which never passes the entry being read (Debian 12's glibc has the
  // CVE-2023-4911 fix: the scan ends with the last value).
  char* t = value;
  size_t off = 0;
  const char* p = t;
  for (;;) {
    const char* name = p;
    size_t len = 0;
    while (p[len] != '=' && p[len] != ':' && p[len] != 0) ++len;
    if (p[len] == 0) break;  // a name without a value ends the string
    if (p[len] == ':') {
      p += len + 1;
      continue;
    }
    p += len + 1;
    const char* v = p;
    len = 0;
    while (p[len] != ':' && p[len] != 0) ++len;
    for (unsigned i = 0; i < kTunCount; ++i) {
      if (!IsNameOf(kTunables[i].name, name)) continue;
      if (LevelOf(i, suid_debug) != kSxidErase) {
        if (off > 0) t[off++] = ':';
        for (const char* n = kTunables[i].name; *n != 0; ++n) t[off++] = *n;
        t[off++] = '=';
        for (size_t j = 0; j < len; ++j) t[off++] = v[j];  // forward: off stays behind v + j
      }
      break;
    }
    if (p[len] == 0) break;
    p += len + 1;
  }
  t[off] = 0;
}

bool ErasedInSecureMode(const char* entry, bool suid_debug) {
  for (unsigned i = 0; i < kTunCount; ++i) {
    const char* alias = kTunables[i].alias;
    if (alias != nullptr && LevelOf(i, suid_debug) == kSxidErase && IsNameOf(alias, entry)) return true;
  }
  return false;
}

void InitTunables(char** envp, bool secure) {
  Defaults();
  for (char** e = envp; *e; ++e) {
    const char* entry = *e;
    const char* eq = support::StrChr(entry, '=');
    if (eq == nullptr) continue;
    const size_t n = static_cast<size_t>(eq - entry);
    if (n == 14 && support::MemCmp(entry, "GLIBC_TUNABLES", 14) == 0) {
      ParseGlibcTunables(eq + 1, secure);
      continue;
    }
    for (unsigned i = 0; i < kTunCount; ++i) {
      const char* alias = kTunables[i].alias;
      if (alias && support::StrLen(alias) == n && support::MemCmp(alias, entry, n) == 0)
        Set(i, eq + 1, support::StrLen(eq + 1), secure);
    }
  }
}

int64_t TunableNumber(unsigned id) {
  Defaults();
  return id < kTunCount ? g_values[id].numval : 0;
}

bool TunableIsSet(unsigned id) { return id < kTunCount && g_set[id]; }

}  // namespace rtld::glibc

using namespace rtld::glibc;

// libc's view: the value written as the tunable's type, and the callback
// only for a tunable set in the environment.
extern "C" __attribute__((visibility("default"))) void __tunable_get_val(unsigned id, void* valp,
                                                                        void (*cb)(Value*)) {
  if (id >= kTunCount) return;
  Defaults();
  switch (kTunables[id].type) {
    case kInt32: *static_cast<int32_t*>(valp) = static_cast<int32_t>(g_values[id].numval); break;
    case kUint64:
    case kSizeT: *static_cast<uint64_t*>(valp) = static_cast<uint64_t>(g_values[id].numval); break;
    case kString: *static_cast<const char**>(valp) = g_values[id].strval; break;
  }
  if (g_set[id] && cb != nullptr) cb(&g_values[id]);
}
