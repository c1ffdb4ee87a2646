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

// Makes the stacks executable if m needs it and they are not: the main
// stack's pages from the one holding __libc_stack_end down (PROT_GROWSDOWN),
// then the personality's thread stacks. Raises glibc's error, naming m as
// requested (`name`), if that fails.
void EnableExecutableStackFor(const Module& m, const char* name);

}  // namespace rtld
