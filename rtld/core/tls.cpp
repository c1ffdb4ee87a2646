#include "rtld/core/tls.h"

#include "arch/x86_64/syscall.h"
#include "rtld/core/debug.h"
#include "rtld/core/diag.h"
#include "rtld/core/relocate.h"
#include "rtld/core/state.h"
#include "rtld/support/string.h"
#include "rtld/support/sys.h"

namespace rtld {

// A DTV entry (glibc's layout: the array's word -1 holds its length, word 0
// the generation, entry i module i's block).
struct DtvEntry {
  void* val;
  void* to_free;
};

namespace {

// The native TCB. Offsets are the x86-64 ABI's as gcc-compiled code uses
// them; the rest of the block is reserved and zero.
struct Tcb {
  void* self;             // %fs:0x00
  void* dtv;              // %fs:0x08
  void* self2;            // %fs:0x10 (glibc's tcbhead_t.self)
  uint64_t reserved[2];   // %fs:0x18, 0x20
  uint64_t stack_guard;   // %fs:0x28
  uint64_t pointer_guard; // %fs:0x30
  uint64_t pad[57];
};
static_assert(__builtin_offsetof(Tcb, stack_guard) == 0x28);
static_assert(__builtin_offsetof(Tcb, pointer_guard) == 0x30);

// Spare DTV entries past the initial modules, for modules loaded later.
constexpr uint64_t kDtvSurplus = 14;

// Room kept in the static block for objects loaded later with initial-exec
// TLS (dlopen), as glibc's surplus does.
constexpr uint64_t kStaticSurplus = 1664;

}  // namespace

void SetUpStaticTls() {
  uint64_t offset = 0, align = 64;
  uint64_t modid = 0;
  for (unsigned i = 0; i < g.nscope; ++i) {
    Module& m = *g.scope[i];
    if (m.tls_memsz == 0 && m.tls_filesz == 0) continue;
    const uint64_t a = m.tls_align ? m.tls_align : 1;
    // The block's first byte must be congruent to the segment's p_vaddr
    // modulo its alignment.
    uint64_t vaddr = 0;
    for (unsigned k = 0; k < m.phnum; ++k)
      if (m.phdr[k].type == PT_TLS) vaddr = m.phdr[k].vaddr;
    const uint64_t firstbyte = (0 - vaddr) & (a - 1);
    offset = ((offset + m.tls_memsz - firstbyte + a - 1) & ~(a - 1)) + firstbyte;
    m.tls_offset = offset;
    m.tls_modid = ++modid;
    if (Debugging(kDebugTls))
      DebugLine([&](support::Buffer& b) {
        b.Str("TLS: module ").Dec(m.tls_modid).Str(" ").Str(DisplayName(m)).Str(": static offset -")
            .Dec(m.tls_offset).Str(", size ").Dec(m.tls_memsz).Str(", align ").Dec(a);
      });
    if (a > align) align = a;
  }
  g.tls_max_modid = modid;
  g.tls_static_size = ((offset + kStaticSurplus + align - 1) & ~(align - 1));
  const uint64_t total = g.tls_static_size + sizeof(Tcb) + align;
  char* block = static_cast<char*>(g.arena.Allocate(total, align));
  if (block == nullptr) FatalLoad("", "cannot allocate TLS block", 12);
  auto* tcb = reinterpret_cast<Tcb*>(block + g.tls_static_size);
  tcb->self = tcb;
  tcb->self2 = tcb;
  if (g.random != nullptr) {
    uint64_t guard, pguard;
    support::MemCpy(&guard, g.random, 8);
    support::MemCpy(&pguard, g.random + 8, 8);
    tcb->stack_guard = guard & ~uint64_t{0xff};  // a zero low byte stops string overreads
    tcb->pointer_guard = pguard;
  }
  // The DTV: every initial module's block is in the static area.
  const uint64_t slots = modid + kDtvSurplus;
  auto* dtv = g.arena.New<DtvEntry>(slots + 2);
  if (dtv == nullptr) FatalLoad("", "cannot allocate TLS block", 12);
  dtv[0].val = reinterpret_cast<void*>(slots);  // length
  dtv[1].val = reinterpret_cast<void*>(1);      // generation
  for (unsigned i = 0; i < g.nscope; ++i) {
    const Module& m = *g.scope[i];
    if (m.tls_modid != 0) dtv[1 + m.tls_modid].val = reinterpret_cast<char*>(tcb) - m.tls_offset;
  }
  tcb->dtv = dtv + 1;
  g.tcb = tcb;
  if (sys::Call(sys::kArchPrctl, 0x1002 /* ARCH_SET_FS */, reinterpret_cast<long>(tcb)) != 0) FatalLoad("", "cannot set up thread-local storage");
}

void InitializeStaticTls() {
  char* tp = static_cast<char*>(g.tcb);
  for (unsigned i = 0; i < g.nscope; ++i) {
    const Module& m = *g.scope[i];
    if (m.tls_modid == 0 || m.tls_filesz == 0) continue;
    support::MemCpy(tp - m.tls_offset, m.tls_image, m.tls_filesz);
  }
}

}  // namespace rtld

// The general-dynamic and local-dynamic access path: the address of offset
// ti->offset in module ti->module's block for the calling thread.
struct TlsIndex {
  uint64_t module;
  uint64_t offset;
};

extern "C" __attribute__((visibility("default"))) void* __tls_get_addr(const TlsIndex* ti) {
  rtld::DtvEntry* dtv;
  __asm__("movq %%fs:8, %0" : "=r"(dtv));
  return static_cast<char*>(dtv[ti->module].val) + ti->offset;
}
