// Thread-local storage: the static layout (x86-64 variant II) of the
// initial objects, the native personality's thread control block, the DTV,
// and TLS of objects loaded later by dlopen (module ids reused after
// dlclose, blocks allocated on a thread's first access, or placed in the
// static surplus for initial-exec code).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "rtld/core/module.h"

namespace rtld {

// Assigns module ids and static offsets to every loaded object with
// PT_TLS, allocates the initial thread's TLS block and TCB, and points %fs
// at it. The TCB's first words follow the x86-64 TLS ABI: %fs:0 = the TCB
// itself, %fs:0x28 = stack guard, %fs:0x30 = pointer guard (both from
// AT_RANDOM). Called before any code of the program runs.
void SetUpStaticTls();

// Copies the .tdata images (after relocation; .tbss stays zero).
void InitializeStaticTls();

// A dlopen'ed object with PT_TLS gets a module id (the lowest free one).
// Errors are raised with Fatal (caught by dlopen).
void AssignTlsModule(Module& m);

// Places m's block in the static area's surplus (initial-exec access from
// a dlopen'ed object) and initialises it for the calling thread once m is
// relocated. False when it does not fit or a thread already allocated it
// dynamically. `optional` (a TLS descriptor's opportunistic use) draws on
// a smaller budget, as glibc's optional surplus.
bool TryStaticTls(Module& m, bool optional);

// Copies m's image into its static block for the calling thread if that
// was deferred until m was relocated.
void FinishStaticTls(Module& m);

// Gives m's module id and static space back and frees its descriptors.
void ReleaseTlsModule(Module& m);

// The address of offset `offset` in m's block for the calling thread,
// allocating the block if needed (dlsym of a TLS symbol).
void* TlsAddress(const Module& m, uint64_t offset);

// m's block for the calling thread if it is allocated and current, else
// nullptr (dlinfo RTLD_DI_TLS_DATA, dl_iterate_phdr), without allocating.
void* TlsDataIfAllocated(const Module& m);

// The argument of a dynamic TLS descriptor for offset `offset` in def's
// block, owned by `owner` (freed when owner is unloaded).
uint64_t DynamicTlsdesc(Module& owner, const Module& def, uint64_t offset);

}  // namespace rtld

// The static TLS area's size (TCB included) and alignment, as glibc's
// loader reports them (exported; the glibc personality publishes them).
extern "C" void _dl_get_tls_static_info(size_t* size, size_t* align);
