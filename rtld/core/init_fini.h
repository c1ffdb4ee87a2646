// Initialiser and finaliser order: glibc's depth-first dependency sort,
// initialisers dependencies-first, finalisers in the reverse order.
#pragma once

#include "rtld/core/module.h"

namespace rtld {

// Sorts maps[0..n) so that every object comes before its dependencies
// (reverse post-order of a depth-first walk started from the last entry,
// glibc's _dl_sort_maps_dfs). With force_first, maps[0] stays first.
void SortModules(Module** maps, unsigned n, bool force_first);

// Runs the program's DT_PREINIT_ARRAY, then each library's DT_INIT and
// DT_INIT_ARRAY, dependencies first. The program's own initialisers are
// left to its start code.
void RunInitializers();

// Runs DT_FINI_ARRAY (in reverse) and DT_FINI of every initialised object,
// dependents first. Safe to call once.
void RunFinalizers();

// Initialises the objects of maps[0, n) not yet initialised (dlopen):
// maps[0] (the opened object) last, dependencies first.
void RunInitializersOf(Module** maps, unsigned n);

// Runs m's finalisers if it was initialised and they have not run.
void Finalize(Module& m);

}  // namespace rtld
