// The loader's record of one loaded object. Core logic works on Module;
// structures other programs read (link_map for debuggers) are a separate
// public view embedded first.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "rtld/elf/dynamic.h"
#include "rtld/elf/symbols.h"
#include "rtld/elf/types.h"

namespace rtld {

// struct link_map as <link.h> publishes it (the fields debuggers and
// dl_iterate_phdr users read).
struct LinkMap {
  uint64_t l_addr;
  const char* l_name;
  const elf::Dyn* l_ld;
  LinkMap* l_next;
  LinkMap* l_prev;
};

struct ModuleName {
  const char* name;
  ModuleName* next;
};

struct Module {
  LinkMap lm;  // must stay first
  // The rest of glibc's internal struct link_map (1192 bytes in all), which
  // glibc's libc reads of every object (the glibc personality fills it).
  alignas(8) unsigned char lm_glibc[1192 - sizeof(LinkMap)] = {};

  const char* path = "";          // as opened; "" for the program in PT_INTERP mode
  bool path_malloced = false;     // path is from the process's allocator (State::libc_malloc)
  const char* soname = nullptr;   // DT_SONAME, or nullptr
  ModuleName* names = nullptr;    // names it was requested by (DT_NEEDED / preload)
  const char* origin = nullptr;   // directory for $ORIGIN; computed on first use
  bool origin_known = false;

  uint64_t base = 0;  // load bias: runtime address = base + vaddr
  const elf::Phdr* phdr = nullptr;
  uint16_t phnum = 0;
  bool phdr_owned = false;  // phdr is the loader's copy (freed with the module)
  uint64_t map_start = 0, map_end = 0;  // runtime range of all PT_LOADs
  uint64_t entry = 0;                   // runtime entry point

  const elf::Dyn* dynamic = nullptr;
  elf::DynamicInfo dyn;
  elf::SymbolTable symtab;
  elf::Version* versions = nullptr;  // indexed by version index (defs and needs)

  elf::Table<elf::Rela> rela;    // DT_RELA (first dyn.relacount are RELATIVE)
  elf::Table<elf::Rela> jmprel;  // DT_JMPREL
  elf::Table<elf::Relr> relr;    // DT_RELR

  uint64_t relro_start = 0, relro_size = 0;

  // PT_TLS: image and layout (variant II: the block sits below the thread
  // pointer at -tls_offset).
  const void* tls_image = nullptr;
  uint64_t tls_filesz = 0, tls_memsz = 0, tls_align = 0, tls_offset = 0;
  uint64_t tls_modid = 0;
  uint64_t tls_firstbyte = 0;     // the block's start modulo tls_align (from p_vaddr)
  bool tls_static = false;        // the block is in the static area at -tls_offset
  bool tls_need_init = false;     // placed there before it was relocated: image not copied yet
  bool tls_forced_dynamic = false;  // a thread allocated its block dynamically: never static
  uint64_t tls_static_below = 0;  // the static area's use before this block (reclaiming)
  void* tlsdesc = nullptr;        // dynamic TLS descriptors this object's relocations made

  // The file's identity from the fstat the loader made when it opened it
  // (the symbol cache's key); 0 for objects it did not open.
  uint64_t dev = 0, ino = 0, size = 0, mtime_ns = 0, ctime_ns = 0;
  uint64_t build_id = 0;  // hash of its NT_GNU_BUILD_ID (symcache keys only)

  // Pre-relocated image (DESIGN §6.1). `placed`: mapped at the load bias its
  // layout gives. `image`: its written pages are the cache's; relocating it
  // means applying `image_patches` only.
  bool placed = false;
  bool image = false;
  bool image_lazy_plt = false;  // some PLT slot stays lazy: set GOT[1], GOT[2]
  const elf::Rela* image_patches = nullptr;
  uint32_t image_npatches = 0;

  Module* next = nullptr;     // load order
  Module* prev = nullptr;
  Module* loader = nullptr;   // the object whose DT_NEEDED brought this one in
  Module** deps = nullptr;    // direct dependencies (DT_NEEDED and filtees), dynamic-section order
  unsigned ndeps = 0;
  // Filtees (DT_FILTER, DT_AUXILIARY objects that were found), in dynamic-
  // section order; also in deps. Each comes before this object in every
  // search list that holds both, so its definitions win over the filter's.
  Module** filtees = nullptr;
  unsigned nfiltees = 0;
  bool deps_loaded = false;   // its DT_NEEDED and filtees have been loaded
  // glibc's l_initfini, the edges of the init/fini order: [0] is the
  // object itself; then, for the program and a dlopen root, the rest of its
  // local scope, sorted dependents before dependencies (initialisers run
  // it from the end); for any other object its direct dependencies.
  // nullptr until known (a dlopen root has none while its own scope is
  // sorted, as in glibc).
  Module** initfini = nullptr;
  unsigned ninitfini = 0;
  unsigned index = 0;         // position in load order when mapped (a filtee moved before its filter keeps its own)

  bool is_program = false, is_rtld = false, is_vdso = false;
  bool is_missing = false;    // --list only: a dependency that was not found
  bool wants_exec_stack = true;   // PT_GNU_STACK with PF_X, or none (glibc's default: executable)
  bool dynamic_writable = false;  // PT_DYNAMIC is writable: its d_ptr values are addresses (RelocateDynamic)
  bool in_scope = false;      // in the global scope
  bool listed = false;        // in the load-order list
  bool relocated = false, init_called = false, fini_called = false;
  bool visited = false;       // scratch for sorts

  // Dynamic loading (dlopen). The initial objects have none of this.
  bool dlopened = false;      // loaded by dlopen (can be unloaded)
  unsigned load_call = 0;     // the dlopen call mapping it, until that call ends (State::dlopen_call)
  bool nodelete = false;      // RTLD_NODELETE or DF_1_NODELETE: never unloaded
  bool deepbind = false;      // RTLD_DEEPBIND: its local scope before the global one
  bool unloading = false;     // being finalised and unmapped
  bool marked = false;        // scratch for dlclose's reachability walk
  unsigned opencount = 0;     // dlopen calls that returned this object, minus dlclose calls
  Module** searchlist = nullptr;  // a dlopen root: itself and its dependencies, breadth first
  unsigned nsearch = 0;
  Module* scope_root = nullptr;   // the dlopen root whose searchlist its lookups also use
  // Later dlopen roots whose searchlists its lookups use after scope_root's:
  // each dlopen that reused this object (glibc's l_scope extension). The
  // block is replaced, never changed in place (lazy binding reads it
  // without the lock); old blocks stay allocated.
  struct ExtraScopes {
    unsigned n;
    Module* roots[1];  // [n]
  };
  ExtraScopes* extra_scopes = nullptr;
  bool scope_shared = false;      // a root: its searchlist went to the objects it reused
  Module** reldeps = nullptr;     // objects outside its dependencies it bound to
  unsigned nreldeps = 0, reldeps_cap = 0;

};

}  // namespace rtld
