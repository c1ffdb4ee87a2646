// Path search with and without the loader's negative-directory cache: the
// probe loop of rtld/core/search.cpp (TryDir) restated. A search list of D
// directories, every other one missing, the last one holding the 16
// libraries asked for; one iteration is one start-up: the cache starts
// empty and the 16 names are searched in turn, each probing dir/name with
// open(2) until it opens.
//  - with the cache (the loader's way): after a failed open, one stat of
//    the directory; a directory found missing is skipped for every later
//    name;
//  - without: every name opens dir/name in every directory before its own;
//  - with a three-state cache (unknown / exists / missing): the directory
//    is stat'ed at most once, after its first failed probe. The loader's
//    two-state record stats an existing directory again after every miss
//    in it (search.cpp's TryDir), which mode 1 reproduces.
// Reports names found per second and system calls per name. Raw system
// calls through rtld/support/sys.h, as the loader makes them.
//
// Arguments: directories in the list, cache mode (0 none, 1 the loader's,
// 2 three-state).
#include <benchmark/benchmark.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "rtld/support/sys.h"

namespace {

constexpr int kNames = 16;

struct Tree {
  std::string root;
  std::vector<std::string> dirs;  // the search list, in order
  std::vector<std::string> names;

  explicit Tree(int ndirs) {
    char tmpl[] = "/tmp/rtld-search-bench-XXXXXX";
    root = mkdtemp(tmpl);
    for (int d = 0; d < ndirs; ++d) {
      std::string p = root + "/dir" + std::to_string(d);
      const bool last = d == ndirs - 1;
      if (last || d % 2 == 0) mkdir(p.c_str(), 0755);  // odd ones stay missing
      dirs.push_back(p);
    }
    for (int k = 0; k < kNames; ++k) {
      names.push_back("libbench" + std::to_string(k) + ".so");
      FILE* f = std::fopen((dirs.back() + "/" + names.back()).c_str(), "w");
      if (f) std::fclose(f);
    }
  }
  ~Tree() {
    for (const auto& n : names) unlink((dirs.back() + "/" + n).c_str());
    for (const auto& d : dirs) rmdir(d.c_str());
    rmdir(root.c_str());
  }
};

struct DirStatus {
  bool known_missing = false;
  bool known_existing = false;  // mode 2 only
};

// One probe of dir/name; returns an open fd or -1.
long Probe(const std::string& dir, DirStatus* status, bool three_state, const std::string& name,
           uint64_t& calls) {
  if (status != nullptr && status->known_missing) return -1;
  char path[4096];
  std::snprintf(path, sizeof path, "%s/%s", dir.c_str(), name.c_str());
  ++calls;
  const long fd = rtld::sys::Open(path, rtld::sys::kOpenReadOnly | rtld::sys::kOpenCloexec);
  if (fd >= 0) return fd;
  if (status != nullptr && !(three_state && status->known_existing)) {
    rtld::sys::Stat st;
    ++calls;
    const long r = rtld::sys::Call(rtld::sys::kNewfstatat, -100 /* AT_FDCWD */,
                                   reinterpret_cast<long>(dir.c_str()), reinterpret_cast<long>(&st), 0);
    if (r < 0 || (st.mode & rtld::sys::kModeTypeMask) != rtld::sys::kModeDir)
      status->known_missing = true;
    else
      status->known_existing = true;
  }
  return -1;
}

void BM_PathSearch(benchmark::State& state) {
  const int ndirs = static_cast<int>(state.range(0));
  const bool cache = state.range(1) != 0;
  const bool three_state = state.range(1) == 2;
  Tree tree(ndirs);
  uint64_t calls = 0, found = 0;
  for (auto _ : state) {
    std::vector<DirStatus> status(tree.dirs.size());  // a fresh start-up
    for (const std::string& name : tree.names) {
      for (size_t d = 0; d < tree.dirs.size(); ++d) {
        const long fd = Probe(tree.dirs[d], cache ? &status[d] : nullptr, three_state, name, calls);
        if (fd >= 0) {
          rtld::sys::Close(static_cast<int>(fd));
          ++calls;
          ++found;
          break;
        }
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kNames));
  const double names = static_cast<double>(state.iterations() * kNames);
  state.counters["syscalls_per_name"] = names ? static_cast<double>(calls) / names : 0;
  if (found != static_cast<uint64_t>(state.iterations()) * kNames) state.SkipWithError("a library was not found");
}

BENCHMARK(BM_PathSearch)
    ->ArgsProduct({{2, 4, 16, 64}, {0, 1, 2}})
    ->ArgNames({"dirs", "cache"});

}  // namespace

BENCHMARK_MAIN();
