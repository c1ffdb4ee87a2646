// Execute permission of the process's stacks (PT_GNU_STACK). glibc's
// loader tracks whether the stacks are executable (GL(dl_stack_flags)) and,
// when an object that needs an executable stack is loaded, makes the main
// stack and every thread stack executable (_dl_make_stacks_executable).
#pragma once

#include "rtld/core/module.h"

namespace rtld {

// Whether the stacks are executable at start: what the kernel did for the
// program it ran, i.e. the program's PT_GNU_STACK in PT_INTERP mode and the
// loader's own in command mode (glibc's rule).
void InitStackState(const Module& kernel_ran);

// Whether the stacks are executable now.
bool StacksExecutable();

// Makes the stacks executable if m (just mapped) needs it and they are
// not: the main stack's pages from the one holding __libc_stack_end down
// (PROT_GROWSDOWN), then the personality's thread stacks. Returns 0, or the
// errno value of the failure (glibc then refuses m: kExecStackError).
int MakeStacksExecutableFor(const Module& m);

inline constexpr const char* kExecStackError = "cannot enable executable stack as shared object requires";

}  // namespace rtld
