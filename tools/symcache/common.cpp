#include "tools/symcache/common.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtld/elf/symcache.h"

namespace symcache {

namespace sc = rtld::elf::symcache;

std::string DefaultCachePath() {
  const char* e = getenv(sc::kCacheEnvVar);
  return e && *e ? e : sc::kDefaultCachePath;
}

std::string DefaultLoader() {
  const char* e = getenv("RTLD_SYMCACHE_LOADER");
  if (e && *e) return e;
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0 && self[0] == '/') {
    self[n] = 0;
    std::string beside(self, static_cast<size_t>(strrchr(self, '/') - self));
    beside += "/";
    beside += kLoaderBesideTool;
    char resolved[PATH_MAX];
    if (access(beside.c_str(), X_OK) == 0 && realpath(beside.c_str(), resolved) != nullptr) return resolved;
  }
  return kLoaderPath;
}

std::string ResolveProgram(const std::string& name) {
  std::string found = name;
  if (name.find('/') == std::string::npos) {
    const char* path = getenv("PATH");
    std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find(':', start);
      if (end == std::string::npos) end = p.size();
      std::string dir = p.substr(start, end - start);
      if (dir.empty()) dir = ".";
      const std::string cand = dir + "/" + name;
      if (access(cand.c_str(), X_OK) == 0) {
        found = cand;
        break;
      }
      start = end + 1;
    }
  }
  char buf[PATH_MAX];
  if (realpath(found.c_str(), buf)) return buf;
  return found;
}

bool ParseSize(const char* s, uint64_t* out) {
  char* end;
  errno = 0;
  const unsigned long long v = strtoull(s, &end, 10);
  if (end == s || errno != 0) return false;
  uint64_t mul = 1;
  if (*end == 'K' || *end == 'k') mul = 1ull << 10, ++end;
  else if (*end == 'M' || *end == 'm') mul = 1ull << 20, ++end;
  else if (*end == 'G' || *end == 'g') mul = 1ull << 30, ++end;
  if (*end != '\0' || v > UINT64_MAX / mul) return false;
  *out = v * mul;
  return true;
}

std::string TrustVerdict(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return "no file";
  const bool system = path == sc::kDefaultCachePath;
  const bool ok = sc::CacheFileTrusted(st.st_uid, st.st_mode, getuid(), false, system);
  const bool ok_secure = sc::CacheFileTrusted(st.st_uid, st.st_mode, getuid(), true, system);
  std::string s = ok ? "trusted" : "NOT trusted";
  if ((st.st_mode & 022) != 0) s += " (writable by group or others)";
  else if (!ok) s += " (owner uid " + std::to_string(st.st_uid) + " is neither root nor you)";
  s += ok_secure ? "; used in secure mode" : "; not used in secure mode";
  return s;
}

std::string Hex16(uint64_t v) {
  char b[17];
  snprintf(b, sizeof b, "%016" PRIx64, v);
  return b;
}

}  // namespace symcache
