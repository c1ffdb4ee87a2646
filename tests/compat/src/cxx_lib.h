// The library side of the C++ case (compat_cxx): an exception type and a
// polymorphic interface whose typeinfo and vtable live in this library, so
// that the program and the dlopen'ed plugin both bind to them across object
// boundaries.
#pragma once
#include <stdexcept>
#include <string>

struct LibError : std::runtime_error {
  int code;
  LibError(const std::string &what, int code);
  ~LibError() override;  // key function: typeinfo and vtable in libcompat_cxx.so
};

// Throws LibError("lib_throw(N)", N) when n > 0; returns 0 otherwise.
int lib_throw(int n);
// Increments a thread_local counter of the library (its object has a
// destructor that prints) and returns the new value.
int lib_tl_counter();

struct Plugin {
  virtual ~Plugin();
  virtual std::string name() const = 0;
  virtual int compute(int x) const = 0;     // throws LibError for x < 0
  virtual int touch_thread_local() const = 0;  // a thread_local of the plugin
};
using PluginFactory = Plugin *(*)();
