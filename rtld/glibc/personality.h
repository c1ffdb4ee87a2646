// The glibc 2.36 personality (DESIGN §2): what Debian 12's libc.so.6
// expects of its own loader. Active when the initial objects include
// glibc's libc.so.6; a libc.so.6 from another glibc release is refused.
// The core calls these hooks at fixed points of start-up and of dlopen and
// dlclose; in the native personality they do nothing.
#pragma once

#include "rtld/core/module.h"

namespace rtld::glibc {

extern bool g_active;

// After the initial objects are mapped, before anything else: decides the
// personality, or ends the process for an unsupported glibc.
void Detect();

// Before static TLS is laid out: _rtld_global_ro's scalars, cpu_features,
// tunables, and glibc link maps for the initial objects.
void BeforeTls();

// Once the TLS block exists: the main thread's struct pthread and
// _rtld_global's TLS and thread-list fields.
void AfterTls(void* tcb);

// After relocation and TLS images: the process allocator from the global
// scope, then __libc_early_init(true), before any constructor.
void AfterRelocation();

// Fills m's glibc link_map fields (a newly loaded object), and keeps the
// namespace's fields current after the list or the global scope changed.
void DescribeModule(Module& m);
void ListChanged();

// Rebuilds m's l_scope after its scopes changed (extra scopes added or
// removed).
void ScopesChanged(Module& m);

// m is being unloaded: frees what DescribeModule and ScopesChanged
// allocated for its link_map (l_libname, an l_scope array of its own).
void ForgetModule(Module& m);

// Whether libc holds m (thread_local destructors registered in it).
bool KeepsLoaded(Module& m);

// The main stack was made executable: new thread stacks will be too
// (_dl_stack_flags), and every existing one, in use or cached, is made so
// now (libc's __nptl_change_stack_perm). Returns 0 or an errno value.
int MakeThreadStacksExecutable();

// Data exported with glibc's names, valid in both personalities.
void SetProcessData(uint64_t* sp, char** argv, bool secure);

}  // namespace rtld::glibc
