// The C++ case: exceptions thrown in a shared library and in a dlopen'ed
// plugin and caught here (by their own type, through typeinfo that lives in
// the library, and by base class), thread_local objects with destructors in
// the program, the library and the plugin (run at thread exit and at exit),
// static constructors and destructors, std::thread. Usage: cxx_prog PLUGIN.
// Every line is printed through stdio from one thread at a time (threads are
// joined before the next starts), so the output is deterministic.
#include "cxx_lib.h"

#include <dlfcn.h>

#include <cstdio>
#include <thread>
#include <typeinfo>

namespace {
struct MainNoisy {
  int n = 0;
  ~MainNoisy() { std::printf("  ~MainNoisy n=%d\n", n); }
};
thread_local MainNoisy main_tl;
}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: cxx_prog PLUGIN\n");
    return 2;
  }
  std::printf("main: start\n");

  // Exceptions across the library boundary.
  try {
    lib_throw(3);
    std::printf("not reached\n");
  } catch (const LibError &e) {
    std::printf("caught LibError '%s' code=%d\n", e.what(), e.code);
  }
  try {
    lib_throw(7);
  } catch (const std::exception &e) {
    std::printf("caught std::exception '%s' type=%s\n", e.what(), typeid(e).name());
  }
  std::printf("lib_throw(0) = %d\n", lib_throw(0));

  // thread_local destructors at thread exit, in the program and the library.
  for (int i = 0; i < 4; ++i) {
    std::thread t([i] {
      main_tl.n = i;
      int v = 0;
      for (int k = 0; k <= i; ++k) v = lib_tl_counter();
      std::printf("thread %d: lib counter %d\n", i, v);
    });
    t.join();
    std::printf("thread %d joined\n", i);
  }
  main_tl.n = 100;
  lib_tl_counter();

  // A plugin: dlopen, dlsym of the factory, virtual calls, an exception
  // thrown in the plugin, a thread_local of the plugin in a thread.
  void *handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    std::printf("dlopen failed: %s\n", dlerror());
    return 1;
  }
  auto factory = reinterpret_cast<PluginFactory>(dlsym(handle, "compat_make_plugin"));
  if (!factory) {
    std::printf("dlsym failed: %s\n", dlerror());
    return 1;
  }
  Plugin *plugin = factory();
  std::printf("plugin %s: compute(21) = %d\n", plugin->name().c_str(), plugin->compute(21));
  try {
    plugin->compute(-5);
  } catch (const LibError &e) {
    std::printf("caught from plugin: '%s' code=%d\n", e.what(), e.code);
  }
  std::thread([plugin] {
    std::printf("plugin thread_local in a thread: %d\n", plugin->touch_thread_local());
    std::printf("plugin thread_local again: %d\n", plugin->touch_thread_local());
  }).join();
  delete plugin;
  std::printf("dlclose = %d\n", dlclose(handle));

  std::printf("main: return 0\n");
  return 0;
}
