// Static TLS layout (x86-64 variant II) of the initial objects and the
// native personality's thread control block.
#pragma once

namespace rtld {

// Assigns module ids and static offsets to every loaded object with
// PT_TLS, allocates the initial thread's TLS block and TCB, and points %fs
// at it. The TCB's first words follow the x86-64 TLS ABI: %fs:0 = the TCB
// itself, %fs:0x28 = stack guard, %fs:0x30 = pointer guard (both from
// AT_RANDOM). Called before any code of the program runs.
void SetUpStaticTls();

// Copies the .tdata images (after relocation; .tbss stays zero).
void InitializeStaticTls();

}  // namespace rtld
