#include "rtld/core/tls.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/syscall.h"
#include "rtld/core/debug.h"
#include "rtld/core/diag.h"
#include "rtld/core/dl_lock.h"
#include "rtld/core/relocate.h"
#include "rtld/core/state.h"
#include "rtld/support/string.h"
#include "rtld/support/sys.h"

extern "C" {
// Bytes the dynamic TLS descriptor's slow path reserves for xsave (a
// multiple of 64), 0 for fxsave; set before the first dynamic descriptor.
__attribute__((visibility("hidden"))) uint64_t RtldTlsdescXsaveSize = 0;
}

namespace rtld {

// A DTV entry (glibc's layout: the array's word -1 holds its length, word 0
// the generation, entry i module i's block).
struct DtvEntry {
  void* val;
  void* to_free;
};

namespace {

// The thread control block. Offsets are the x86-64 ABI's as gcc-compiled
// code uses them; its size and alignment are glibc's struct pthread's, so
// the same block serves as the main thread's descriptor when glibc's libc
// runs (the personality fills the rest). Unused words stay zero.
struct alignas(64) Tcb {
  void* self;             // %fs:0x00
  void* dtv;              // %fs:0x08
  void* self2;            // %fs:0x10 (glibc's tcbhead_t.self)
  uint64_t reserved[2];   // %fs:0x18, 0x20
  uint64_t stack_guard;   // %fs:0x28
  uint64_t pointer_guard; // %fs:0x30
  uint64_t rest[289];
};
static_assert(__builtin_offsetof(Tcb, stack_guard) == 0x28);
static_assert(__builtin_offsetof(Tcb, pointer_guard) == 0x30);
static_assert(sizeof(Tcb) == 2368);

// Spare DTV entries past the highest module id, for modules loaded later.
constexpr uint64_t kDtvSurplus = 14;

// Room kept in the static block for objects loaded later with initial-exec
// TLS (dlopen), as glibc's surplus does.
constexpr uint64_t kStaticSurplus = 1664;

// A DTV entry whose block is not allocated yet (glibc's value, which
// libthread_db also recognises).
void* const kUnallocated = reinterpret_cast<void*>(~uintptr_t{0});

// Alignment of the TCB, hence the most a static block can be aligned.
uint64_t g_tcb_align = 64;

// Of the surplus, what TLS descriptors may still take opportunistically.
uint64_t g_static_optional = 512;

DtvEntry* CurrentDtv() {
  DtvEntry* dtv;
  __asm__("movq %%fs:8, %0" : "=r"(dtv));
  return dtv;
}

char* ThreadPointer() { return static_cast<char*>(CurrentThread()); }

bool GrowSlots(uint64_t need) {
  if (need < g.tls_slots_cap) return true;
  uint64_t cap = g.tls_slots_cap ? g.tls_slots_cap * 2 : 64;
  while (cap <= need) cap *= 2;
  auto* list = static_cast<uint64_t*>(g.arena.Allocate(16 + cap * sizeof(State::TlsSlot), 16));
  if (list == nullptr) return false;
  list[0] = cap;
  list[1] = 0;
  auto* slots = reinterpret_cast<State::TlsSlot*>(list + 2);
  for (uint64_t i = 0; i < g.tls_slots_cap; ++i) slots[i] = g.tls_slots[i];
  // Readers hold the lock, so the old table can go at once.
  g.arena.Free(g.tls_slot_list);
  g.tls_slot_list = list;
  g.tls_slots = slots;
  g.tls_slots_cap = cap;
  return true;
}

// DTVs and dynamic blocks: libc's allocator when there is one (it frees
// them itself when it reuses a thread's stack), else the loader's.
void* TlsCalloc(size_t size) {
  if (g.libc_calloc != nullptr) return g.libc_calloc(1, size);
  return g.arena.Allocate(size);
}

void TlsFree(void* p) {
  if (p == nullptr) return;
  if (g.libc_free != nullptr && p != g.initial_dtv) {
    g.libc_free(p);
    return;
  }
  if (p != g.initial_dtv) g.arena.Free(p);
}

[[noreturn]] void TlsOutOfMemory() { FatalLoad("", "cannot allocate memory for thread-local data", 12); }

// Brings the calling thread's DTV up to the current generation: grows it
// to cover every module id, frees blocks of modules that were unloaded or
// whose id was reused, and points static modules' entries at their block.
// A DTV long enough for every module id, its entries carried over (new
// ones unallocated); the old one is freed. nullptr when out of memory.
DtvEntry* GrowDtv(DtvEntry* dtv) {
  const uint64_t len = reinterpret_cast<uint64_t>(dtv[-1].val);
  if (len >= g.tls_max_modid) return dtv;
  const uint64_t new_len = g.tls_max_modid + kDtvSurplus;
  auto* fresh = static_cast<DtvEntry*>(TlsCalloc((new_len + 2) * sizeof(DtvEntry)));
  if (fresh == nullptr) return nullptr;
  for (uint64_t i = 0; i <= len + 1; ++i) fresh[i] = dtv[i - 1];
  for (uint64_t i = len + 2; i < new_len + 2; ++i) fresh[i].val = kUnallocated;
  fresh[0].val = reinterpret_cast<void*>(new_len);
  TlsFree(dtv - 1);
  return fresh + 1;
}

// A static block's initial contents: the .tdata image, then zeros.
void InitStaticBlock(char* block, const Module& m) {
  if (m.tls_filesz) support::MemCpy(block, m.tls_image, m.tls_filesz);
  support::MemSet(block + m.tls_filesz, 0, m.tls_memsz - m.tls_filesz);
}

DtvEntry* UpdateDtv() {
  DtvEntry* dtv = CurrentDtv();
  DtvEntry* grown = GrowDtv(dtv);
  if (grown == nullptr) TlsOutOfMemory();
  if (grown != dtv) {
    dtv = grown;
    __asm__ volatile("movq %0, %%fs:8" : : "r"(dtv) : "memory");
  }
  const uint64_t seen = reinterpret_cast<uint64_t>(dtv[0].val);
  for (uint64_t id = 1; id <= g.tls_max_modid && id < g.tls_slots_cap; ++id) {
    const State::TlsSlot& slot = g.tls_slots[id];
    if (slot.gen <= seen) continue;
    TlsFree(dtv[id].to_free);
    dtv[id].to_free = nullptr;
    const Module* m = slot.module;
    dtv[id].val = m != nullptr && m->tls_static ? ThreadPointer() - m->tls_offset : kUnallocated;
  }
  dtv[0].val = reinterpret_cast<void*>(g.tls_generation);
  return dtv;
}

// Allocates and initialises m's dynamic block for the calling thread.
void AllocateBlock(DtvEntry& entry, const Module& m) {
  const uint64_t align = m.tls_align > 16 ? m.tls_align : 16;
  char* raw = static_cast<char*>(TlsCalloc(m.tls_memsz + align));
  if (raw == nullptr) TlsOutOfMemory();
  // The block starts congruent to the segment's p_vaddr modulo its alignment.
  const uint64_t skew = (m.tls_align - m.tls_firstbyte) & (m.tls_align - 1);
  char* block = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(raw) + align - 1) & ~(align - 1)) + skew;
  if (m.tls_filesz) support::MemCpy(block, m.tls_image, m.tls_filesz);
  entry.val = block;
  entry.to_free = raw;
  const_cast<Module&>(m).tls_forced_dynamic = true;
}

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
    m.tls_static = true;
    m.tls_modid = ++modid;
    if (Debugging(kDebugTls))
      DebugLine([&](support::Buffer& b) {
        b.Str("TLS: module ").Dec(m.tls_modid).Str(" ").Str(DisplayName(m)).Str(": static offset -")
            .Dec(m.tls_offset).Str(", size ").Dec(m.tls_memsz).Str(", align ").Dec(a);
      });
    if (a > align) align = a;
  }
  g.tls_max_modid = modid;
  g.tls_static_used = offset;
  g_tcb_align = align;
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
  dtv[1].val = reinterpret_cast<void*>(g.tls_generation);
  for (uint64_t i = 2; i < slots + 2; ++i) dtv[i].val = kUnallocated;
  if (!GrowSlots(modid + kDtvSurplus)) FatalLoad("", "cannot allocate TLS block", 12);
  for (unsigned i = 0; i < g.nscope; ++i) {
    Module& m = *g.scope[i];
    if (m.tls_modid == 0) continue;
    dtv[1 + m.tls_modid].val = reinterpret_cast<char*>(tcb) - m.tls_offset;
    g.tls_slots[m.tls_modid] = {g.tls_generation, &m};
  }
  tcb->dtv = dtv + 1;
  g.tcb = tcb;
  g.initial_dtv = dtv;
  if (sys::Call(sys::kArchPrctl, 0x1002 /* ARCH_SET_FS */, reinterpret_cast<long>(tcb)) != 0) FatalLoad("", "cannot set up thread-local storage");
}

void AssignTlsModule(Module& m) {
  uint64_t id = 1;
  while (id <= g.tls_max_modid && id < g.tls_slots_cap && g.tls_slots[id].module != nullptr) ++id;
  if (!GrowSlots(id + 1)) TlsOutOfMemory();
  if (id > g.tls_max_modid) g.tls_max_modid = id;
  m.tls_modid = id;
  m.tls_static = false;
  g.tls_slots[id] = {++g.tls_generation, &m};
  if (Debugging(kDebugTls))
    DebugLine([&](support::Buffer& b) {
      b.Str("TLS: module ").Dec(id).Str(" ").Str(DisplayName(m)).Str(": dynamic, size ").Dec(m.tls_memsz)
          .Str(", align ").Dec(m.tls_align);
    });
}

bool TryStaticTls(Module& m, bool optional) {
  if (m.tls_static) return true;
  if (m.tls_forced_dynamic || m.tls_modid == 0) return false;
  const uint64_t a = m.tls_align ? m.tls_align : 1;
  if (a > g_tcb_align) return false;
  const uint64_t used = g.tls_static_used;
  const uint64_t offset = ((used + m.tls_memsz - m.tls_firstbyte + a - 1) & ~(a - 1)) + m.tls_firstbyte;
  if (offset > g.tls_static_size || offset < used) return false;
  if (optional && offset - used > g_static_optional) return false;
  if (optional) g_static_optional -= offset - used;
  m.tls_static_below = used;
  m.tls_offset = offset;
  m.tls_static = true;
  g.tls_static_used = offset;
  m.tls_need_init = true;
  if (m.relocated) FinishStaticTls(m);
  g.tls_slots[m.tls_modid].gen = ++g.tls_generation;
  if (Debugging(kDebugTls))
    DebugLine([&](support::Buffer& b) {
      b.Str("TLS: module ").Dec(m.tls_modid).Str(" ").Str(DisplayName(m)).Str(": static offset -").Dec(offset);
    });
  return true;
}

void FinishStaticTls(Module& m) {
  if (!m.tls_need_init) return;
  m.tls_need_init = false;
  // Only the calling thread is known to a program without a libc.
  InitStaticBlock(ThreadPointer() - m.tls_offset, m);
}

void ReleaseTlsModule(Module& m) {
  for (void* d = m.tlsdesc; d != nullptr;) {
    void* next = static_cast<void**>(d)[3];
    g.arena.Free(d);
    d = next;
  }
  m.tlsdesc = nullptr;
  if (m.tls_modid == 0) return;
  g.tls_slots[m.tls_modid] = {++g.tls_generation, nullptr};
  while (g.tls_max_modid > 0 && g.tls_slots[g.tls_max_modid].module == nullptr) --g.tls_max_modid;
  // The static area's top block is reclaimed, as glibc does.
  if (m.tls_static && g.tls_static_used == m.tls_offset) g.tls_static_used = m.tls_static_below;
  m.tls_modid = 0;
  m.tls_static = false;
}

void* TlsAddress(const Module& m, uint64_t offset) {
  DlLockGuard lock;
  DtvEntry* dtv = UpdateDtv();
  DtvEntry& e = dtv[m.tls_modid];
  if (e.val == kUnallocated) AllocateBlock(e, m);
  return static_cast<char*>(e.val) + offset;
}

void* TlsDataIfAllocated(const Module& m) {
  if (m.tls_modid == 0) return nullptr;
  DtvEntry* dtv = CurrentDtv();
  const uint64_t seen = reinterpret_cast<uint64_t>(dtv[0].val);
  if (seen != g.tls_generation) {
    if (m.tls_modid > reinterpret_cast<uint64_t>(dtv[-1].val)) return nullptr;
    if (seen < g.tls_slots[m.tls_modid].gen) return nullptr;
  }
  void* data = dtv[m.tls_modid].val;
  return data == kUnallocated ? nullptr : data;
}

uint64_t DynamicTlsdesc(Module& owner, const Module& def, uint64_t offset) {
  // {module id, offset, generation, next}: the first two are a tls_index
  // for the slow path, the generation the one the DTV must have reached.
  static bool sized = false;
  if (!sized) {
    sized = true;
    const uint64_t size = arch::XsaveAreaSize();
    RtldTlsdescXsaveSize = size >= 576 ? (size + 63) & ~uint64_t{63} : 0;
  }
  auto* d = g.arena.New<uint64_t>(4);
  if (d == nullptr) TlsOutOfMemory();
  d[0] = def.tls_modid;
  d[1] = offset;
  d[2] = g.tls_slots[def.tls_modid].gen;
  d[3] = reinterpret_cast<uint64_t>(owner.tlsdesc);
  owner.tlsdesc = d;
  return reinterpret_cast<uint64_t>(d);
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
// ti->offset in module ti->module's block for the calling thread. The fast
// path reads the DTV; a DTV behind the current generation or a block not
// yet allocated takes the slow path, under the loader's lock.
struct TlsIndex {
  uint64_t module;
  uint64_t offset;
};

// Callers of __tls_get_addr may arrive with a misaligned stack (glibc
// allows it): the slow path realigns before using SSE spills.
extern "C" __attribute__((noinline, force_align_arg_pointer)) void* RtldTlsGetAddrSlow(const TlsIndex* ti) {
  using namespace rtld;
  DlLockGuard lock;
  DtvEntry* dtv = UpdateDtv();
  const uint64_t id = ti->module;
  if (id == 0 || id > g.tls_max_modid || g.tls_slots[id].module == nullptr)
    FatalLoad("", "TLS access to a module that is not loaded");
  DtvEntry& e = dtv[id];
  if (e.val == kUnallocated) AllocateBlock(e, *g.tls_slots[id].module);
  return static_cast<char*>(e.val) + ti->offset;
}

extern "C" __attribute__((visibility("default"))) void* __tls_get_addr(const TlsIndex* ti) {
  rtld::DtvEntry* dtv = rtld::CurrentDtv();
  if (__builtin_expect(reinterpret_cast<uint64_t>(dtv[0].val) != rtld::g.tls_generation, 0))
    return RtldTlsGetAddrSlow(ti);
  void* p = dtv[ti->module].val;
  if (__builtin_expect(p == rtld::kUnallocated, 0)) return RtldTlsGetAddrSlow(ti);
  return static_cast<char*>(p) + ti->offset;
}

// Thread creation by glibc's libc (pthread_create): the new thread's DTV
// and static blocks. `tcb` is the thread's descriptor, its static TLS right
// below it, as for the main thread.
extern "C" __attribute__((visibility("default"))) void* _dl_allocate_tls_init(void* tcb, bool init_tls) {
  using namespace rtld;
  if (tcb == nullptr) return nullptr;
  DlLockGuard lock;
  auto* t = static_cast<Tcb*>(tcb);
  auto* dtv = GrowDtv(static_cast<DtvEntry*>(t->dtv));
  if (dtv == nullptr) return nullptr;
  t->dtv = dtv;
  const uint64_t len = reinterpret_cast<uint64_t>(dtv[-1].val);
  char* tp = static_cast<char*>(tcb);
  for (uint64_t id = 1; id <= len; ++id) {
    dtv[id].val = kUnallocated;
    dtv[id].to_free = nullptr;
    if (id > g.tls_max_modid || id >= g.tls_slots_cap) continue;
    const Module* m = g.tls_slots[id].module;
    if (m == nullptr || !m->tls_static) continue;
    char* block = tp - m->tls_offset;
    dtv[id].val = block;
    if (init_tls) InitStaticBlock(block, *m);
  }
  dtv[0].val = reinterpret_cast<void*>(g.tls_generation);
  return tcb;
}

extern "C" __attribute__((visibility("default"))) void* _dl_allocate_tls(void* mem) {
  using namespace rtld;
  void* raw = nullptr;
  if (mem == nullptr) {
    // A descriptor with its static area, aligned; the allocation's start
    // is kept right after the descriptor for _dl_deallocate_tls.
    const uint64_t size = g.tls_static_size + sizeof(Tcb) + 8;
    raw = TlsCalloc(size + g_tcb_align);
    if (raw == nullptr) return nullptr;
    const uintptr_t start = (reinterpret_cast<uintptr_t>(raw) + g_tcb_align - 1) & ~(g_tcb_align - 1);
    mem = reinterpret_cast<char*>(start) + g.tls_static_size;
    *reinterpret_cast<void**>(static_cast<char*>(mem) + sizeof(Tcb)) = raw;
  }
  const uint64_t len = g.tls_max_modid + kDtvSurplus;
  auto* dtv = static_cast<DtvEntry*>(TlsCalloc((len + 2) * sizeof(DtvEntry)));
  if (dtv == nullptr) {
    TlsFree(raw);
    return nullptr;
  }
  dtv[0].val = reinterpret_cast<void*>(len);
  static_cast<Tcb*>(mem)->dtv = dtv + 1;
  return _dl_allocate_tls_init(mem, true);
}

extern "C" __attribute__((visibility("default"))) void _dl_deallocate_tls(void* tcb, bool dealloc_tcb) {
  using namespace rtld;
  auto* dtv = static_cast<DtvEntry*>(static_cast<Tcb*>(tcb)->dtv);
  const uint64_t len = reinterpret_cast<uint64_t>(dtv[-1].val);
  for (uint64_t id = 1; id <= len; ++id) TlsFree(dtv[id].to_free);
  TlsFree(dtv - 1);  // never the initial one
  if (dealloc_tcb) TlsFree(*reinterpret_cast<void**>(static_cast<char*>(tcb) + sizeof(Tcb)));
}

extern "C" __attribute__((visibility("default"))) void _dl_get_tls_static_info(size_t* size, size_t* align) {
  using namespace rtld;
  *size = g.tls_static_size + sizeof(Tcb);
  *align = g_tcb_align;
}
