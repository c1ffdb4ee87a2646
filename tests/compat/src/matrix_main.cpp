// The linker matrix's program (tests/compat/linker_matrix.py): one C++
// program, its library (IFUNC, TLS, data, exceptions) and a dlopen'ed
// plugin (64-byte aligned TLS), built by each linker with the options of
// its cell. Usage: matrix_CELL PLUGIN. Prints facts, never addresses; the
// threads record their results and the main thread prints them after
// joining, so the output is deterministic and must be the same under
// glibc's loader and ours.
#include <dlfcn.h>

#include <cstdio>
#include <thread>
#include <typeinfo>

#include "matrix.h"

namespace {
int main_destroyed = 0;
struct MainTracked {
  int n = 0;
  ~MainTracked() {
    __atomic_add_fetch(&main_destroyed, 1, __ATOMIC_SEQ_CST);
    if (n == 100) std::printf("main thread_local destroyed at exit (n=%d)\n", n);
  }
};
thread_local MainTracked main_tracked;

struct Static {
  ~Static() { std::printf("static destructor\n"); }
} static_object;

using PluginRun = int (*)(int, char *, unsigned);
using PluginThrow = void (*)(int);
using PluginDestroyed = int (*)();

struct ThreadResult {
  int tls_initial, tls_after_bump, tls_seen_by_program, object, main_n;
  char plugin[160];
};
}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: matrix PLUGIN\n");
    return 2;
  }

  // Exceptions thrown in the library, caught by the type whose typeinfo is
  // there, and by base class.
  try {
    matrix_throw(3);
  } catch (const MatrixError &e) {
    std::printf("caught MatrixError '%s' code=%d\n", e.what(), e.code);
  }
  try {
    matrix_throw(4);
  } catch (const std::exception &e) {
    std::printf("caught std::exception '%s'\n", e.what());
  }

  // The IFUNC: the implementation its resolver chose, and one address for
  // the function in the program and in the library.
  const int ifunc_result = matrix_ifunc(5);
  std::printf("matrix_ifunc(5)=%d same address in program and library: %s\n", ifunc_result,
              reinterpret_cast<void *>(&matrix_ifunc) == matrix_ifunc_address() ? "yes" : "no");

  // Data: the program's matrix_table is the library's.
  matrix_table[7] += 100;
  const int sum = matrix_table_sum();
  std::printf("matrix_table[3]=%d same array: %s library's sum=%d\n", matrix_table[3],
              matrix_table == matrix_table_address() ? "yes" : "no", sum);

  // TLS in the main thread.
  const int tls_initial = matrix_tls;
  const int tls_bumped = matrix_tls_bump();
  const int tls_seen = matrix_tls;
  std::printf("main thread: matrix_tls=%d bump=%d seen by program=%d object=%d\n", tls_initial, tls_bumped,
              tls_seen, matrix_tl_object(1));

  // The plugin.
  void *plugin = dlopen(argv[1], RTLD_NOW);
  if (plugin == nullptr) {
    std::printf("dlopen: %s\n", dlerror());
    return 1;
  }
  auto run = reinterpret_cast<PluginRun>(dlsym(plugin, "plugin_run"));
  auto thrower = reinterpret_cast<PluginThrow>(dlsym(plugin, "plugin_throw"));
  auto destroyed = reinterpret_cast<PluginDestroyed>(dlsym(plugin, "plugin_destroyed"));
  if (run == nullptr || thrower == nullptr || destroyed == nullptr) {
    std::printf("dlsym: %s\n", dlerror());
    return 1;
  }
  char line[160];
  run(1, line, sizeof line);
  std::printf("main thread: plugin %s\n", line);
  try {
    thrower(9);
  } catch (const MatrixError &e) {
    std::printf("caught MatrixError '%s' code=%d from the plugin\n", e.what(), e.code);
  }

  // Four threads at once: each its own TLS, in the program, the library
  // and the plugin; destructors at thread exit, counted.
  ThreadResult results[4];
  std::thread threads[4];
  for (int i = 0; i < 4; ++i)
    threads[i] = std::thread([i, run, &results] {
      ThreadResult &r = results[i];
      r.tls_initial = matrix_tls;
      matrix_tls += 10 * i;
      r.tls_after_bump = matrix_tls_bump();
      r.tls_seen_by_program = matrix_tls;
      r.object = matrix_tl_object(i);
      main_tracked.n = i;
      r.main_n = main_tracked.n;
      run(i + 2, r.plugin, sizeof r.plugin);
    });
  for (std::thread &t : threads) t.join();
  for (int i = 0; i < 4; ++i) {
    const ThreadResult &r = results[i];
    std::printf("thread %d: matrix_tls=%d bump=%d seen by program=%d object=%d main_n=%d plugin %s\n", i,
                r.tls_initial, r.tls_after_bump, r.tls_seen_by_program, r.object, r.main_n, r.plugin);
  }
  std::printf("after the threads: destructors run: program %d, library %d, plugin %d\n",
              __atomic_load_n(&main_destroyed, __ATOMIC_SEQ_CST),
              __atomic_load_n(&matrix_tl_destroyed, __ATOMIC_SEQ_CST), destroyed());
  run(0, line, sizeof line);
  std::printf("main thread again: plugin %s\n", line);
  std::printf("dlclose: %d\n", dlclose(plugin));
  main_tracked.n = 100;
  return 0;
}
