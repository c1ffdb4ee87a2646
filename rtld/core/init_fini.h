// Initialiser and finaliser order: glibc 2.36's depth-first dependency sort
// (_dl_sort_maps_dfs, its default glibc.rtld.dynamic_sort=2) over each
// object's initfini list; initialisers dependencies first, finalisers in
// the reverse order.
#pragma once

#include "rtld/core/module.h"

namespace rtld {

// Sorts maps[0..n) so that every object comes before its dependencies: the
// reverse post-order of a depth-first walk of the initfini lists started
// from the last entry; the program is never entered as a dependency. With
// for_fini the relocation dependencies (reldeps, last first) are edges
// too, and if the walk met any, a second walk over the initfini lists alone
// in that first order decides, so that DT_NEEDED wins over reldeps in a
// cycle. With force_first maps[0] is moved back to the front afterwards,
// except after such a second walk (as glibc).
void SortModules(Module** maps, unsigned n, bool force_first, bool for_fini);

// Gives m its initfini list of an object loaded as a dependency (itself,
// then its direct dependencies), unless it has one.
void SetDependencyOrder(Module& m);

// Gives root (the program, or a dlopen root) its initfini list: its local
// scope list[0, n) (list[0] == &root) sorted for initialisation, root first
// (unless root is libc.so.6, which takes part in the sort as glibc lets
// it). Relocation dependencies the list now covers are dropped.
void SetScopeOrder(Module& root, Module* const* list, unsigned n);

// Runs the program's DT_PREINIT_ARRAY, then each library's DT_INIT and
// DT_INIT_ARRAY in the reverse of the program's initfini order. The
// program's own initialisers are left to its start code.
void RunInitializers();

// The process's finalisers (the x86-64 ABI's %rdx function): every
// initialised object's DT_FINI_ARRAY (in reverse) and DT_FINI, dependents
// first (glibc's _dl_fini). Objects are kept loaded meanwhile: a
// finaliser's dlclose only drops its reference.
void RunFinalizers();

// Initialises what root's scope holds and is not initialised yet, in the
// reverse of root's initfini order (dlopen: already loaded objects a
// constructor has not reached yet included).
void RunInitializersOf(Module& root);

// Runs m's finalisers if it was initialised and they have not run.
void Finalize(Module& m);

}  // namespace rtld
