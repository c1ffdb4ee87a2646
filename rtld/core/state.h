// The loader's process-wide state, one instance (`g`). Written during
// start-up by one thread.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "rtld/core/module.h"
#include "rtld/elf/ldcache.h"
#include "rtld/support/arena.h"

namespace rtld {

struct Options {
  const char* library_path = nullptr;  // LD_LIBRARY_PATH or --library-path
  const char* preload_env = nullptr;   // LD_PRELOAD
  const char* preload_arg = nullptr;   // --preload
  const char* argv0 = nullptr;         // --argv0
  bool list = false;                   // --list or LD_TRACE_LOADED_OBJECTS
  bool list_option = false;            // --list itself (a missing object is fatal)
  bool verify = false;                 // --verify
  bool inhibit_cache = false;          // --inhibit-cache
  bool bind_now = false;               // LD_BIND_NOW
  bool bind_not = false;               // LD_BIND_NOT: bind lazily on every call, never update the GOT
  const char* record_bindings = nullptr;  // --record-bindings FILE: resolve everything, write it, exit
  uint64_t record_layout = 0;  // --record-layout ADDRESS: place libraries from there, record images
  // --record-fd N: the recording goes to descriptor N and the image pages to
  // N + 1, both opened by the caller (a recording process that may not open
  // files in the caller's directories); -1: to the files named by
  // record_bindings.
  int record_fd = -1;
};

struct State {
  // Process start.
  long argc = 0;
  char** argv = nullptr;
  char** envp = nullptr;
  uint64_t* auxv = nullptr;
  uint64_t* sp = nullptr;  // initial stack pointer (points at argc)
  uint64_t page_size = 4096;
  bool secure = false;            // AT_SECURE
  bool suid_debug = false;        // secure, and /etc/suid-debug exists (glibc's debugging switch)
  const uint8_t* random = nullptr;  // AT_RANDOM: 16 bytes
  uint64_t vdso_base = 0;         // AT_SYSINFO_EHDR
  bool command_mode = false;      // run as `ld.so PROGRAM`
  // The dlopen call under way (0: none), whose objects are those mapped
  // now (glibc's __RTLD_DLOPEN: DF_1_NOOPEN refuses them); ids are never
  // reused, so a dlopen nested in another (from an allocator) tells its
  // objects from the outer one's.
  unsigned dlopen_call = 0;
  unsigned dlopen_calls = 0;
  const char* rtld_invoked_as = nullptr;  // ld.so's own argv[0] in command mode

  Options opt;

  // Objects.
  Module* program = nullptr;
  Module* rtld = nullptr;
  Module* vdso = nullptr;
  Module* first = nullptr;  // load order list (the namespace)
  Module* last = nullptr;
  unsigned nmodules = 0;
  Module** scope = nullptr;  // global scope, in load order (RTLD_GLOBAL objects appended)
  unsigned nscope = 0;
  unsigned scope_cap = 0;
  // Objects ever added to the list (glibc's dl_load_adds: its own link
  // map counts even when unlisted); minus nmodules, those removed.
  uint64_t load_adds = 0;

  // ld.so.cache, mapped once on first need.
  elf::LdCache ld_cache;
  bool ld_cache_tried = false;

  // TLS. Module ids index tls_slots; the generation counts changes of the
  // slot table, and each thread's DTV records the generation it reflects.
  uint64_t tls_static_size = 0;   // the static area below the TCB, surplus included
  uint64_t tls_static_used = 0;   // of which in use
  uint64_t tls_max_modid = 0;
  uint64_t tls_generation = 1;
  // glibc's dtv_slotinfo layout, in one dtv_slotinfo_list {len, next}
  // (tls_slot_list) so its libc and libthread_db can read it.
  struct TlsSlot {
    uint64_t gen;  // generation of the slot's last change
    Module* module;
  };
  TlsSlot* tls_slots = nullptr;   // [0, tls_slots_cap), right after tls_slot_list's header
  uint64_t tls_slots_cap = 0;
  uint64_t* tls_slot_list = nullptr;  // {len, next = nullptr, slots...}
  void* tcb = nullptr;
  void* initial_dtv = nullptr;  // the main thread's first DTV (never freed)

  // The process allocator once glibc's libc provides it (the glibc
  // personality): DTVs and dynamic TLS blocks that libc may free.
  void* (*libc_malloc)(size_t) = nullptr;
  void* (*libc_calloc)(size_t, size_t) = nullptr;
  void (*libc_free)(void*) = nullptr;

  support::Arena arena;
};

extern State g;

// The name glibc's loader uses for the program in messages (_dl_argv[0]).
const char* ProgramName();

}  // namespace rtld
