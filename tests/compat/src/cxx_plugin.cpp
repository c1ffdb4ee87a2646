// libcompat_plugin.so, dlopen'ed by cxx_main.cpp: a factory (extern "C", found
// with dlsym) for a Plugin whose methods throw the library's exception type
// and use a thread_local of the plugin (dynamic TLS: the plugin is not in the
// initial set of objects).
#include "cxx_lib.h"

#include <cstdio>

namespace {
struct PluginNoisy {
  int n = 0;
  ~PluginNoisy() { std::printf("  ~PluginNoisy n=%d\n", n); }
};
thread_local PluginNoisy plugin_tl;

struct PluginStatic {
  PluginStatic() { std::printf("plugin: static constructor\n"); }
  ~PluginStatic() { std::printf("plugin: static destructor\n"); }
} plugin_static;

struct Doubler final : Plugin {
  ~Doubler() override { std::printf("plugin: ~Doubler\n"); }
  std::string name() const override { return "doubler"; }
  int compute(int x) const override {
    if (x < 0) throw LibError("negative input " + std::to_string(x), x);
    return 2 * x;
  }
  int touch_thread_local() const override { return plugin_tl.n += 10; }
};
}  // namespace

extern "C" __attribute__((visibility("default"))) Plugin *compat_make_plugin() {
  return new Doubler;
}
