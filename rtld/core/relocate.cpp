#include "rtld/core/relocate.h"

#include "arch/x86_64/reloc.h"
#include "arch/x86_64/syscall.h"
#include "rtld/core/debug.h"
#include "rtld/core/diag.h"
#include "rtld/core/lazy.h"
#include "rtld/core/lookup.h"
#include "rtld/core/state.h"
#include "rtld/core/stats.h"
#include "rtld/core/symcache.h"
#include "rtld/core/tls.h"
#include "rtld/support/string.h"
#include "rtld/support/sys.h"

extern "C" {
// TLS descriptor functions (arch/x86_64/tlsdesc.S).
void RtldTlsdescStatic() __attribute__((visibility("hidden")));
void RtldTlsdescUndefweak() __attribute__((visibility("hidden")));
void RtldTlsdescDynamic() __attribute__((visibility("hidden")));
}

namespace rtld {

RelocStats g_reloc_stats;

namespace {

using arch::RelocKind;

// Runtime ranges a relocation may write: writable PT_LOADs (all PT_LOADs
// for an object with text relocations).
struct Writable {
  static constexpr unsigned kMax = 8;
  uint64_t lo[kMax], hi[kMax];
  unsigned n = 0;

  bool Contains(uint64_t addr, uint64_t size) const {
    for (unsigned i = 0; i < n; ++i)
      if (addr >= lo[i] && addr + size <= hi[i] && addr + size >= addr) return true;
    return false;
  }

  // An 8-byte target (the RELATIVE loops): one subtraction and compare
  // against the first range, which holds most targets.
  bool Contains8(uint64_t addr) const {
    if (addr - fast_lo_ <= fast_span_) return true;
    return Contains(addr, 8);
  }

  // Sets up Contains8's fast check (none when the first range is smaller
  // than 8 bytes or absent: the general loop decides then).
  void Finish() {
    if (n != 0 && hi[0] - lo[0] >= 8) {
      fast_lo_ = lo[0];
      fast_span_ = hi[0] - lo[0] - 8;
    }
  }

 private:
  uint64_t fast_lo_ = ~uint64_t{0};
  uint64_t fast_span_ = 0;
};

Writable WritableRanges(const Module& m) {
  Writable w;
  for (unsigned i = 0; i < m.phnum && w.n < Writable::kMax; ++i) {
    const elf::Phdr& ph = m.phdr[i];
    if (ph.type != PT_LOAD) continue;
    if ((ph.flags & PF_W) || m.dyn.textrel) {
      w.lo[w.n] = m.base + ph.vaddr;
      w.hi[w.n] = m.base + ph.vaddr + ph.memsz;
      ++w.n;
    }
  }
  w.Finish();
  return w;
}

// Makes the non-writable segments of an object with DT_TEXTREL writable
// (or restores them).
void ProtectText(const Module& m, bool writable) {
  const uint64_t page = g.page_size;
  for (unsigned i = 0; i < m.phnum; ++i) {
    const elf::Phdr& ph = m.phdr[i];
    if (ph.type != PT_LOAD || (ph.flags & PF_W)) continue;
    int prot = 0;
    if (ph.flags & PF_R) prot |= sys::kProtRead;
    if (ph.flags & PF_X) prot |= sys::kProtExec;
    if (writable) prot |= sys::kProtWrite;
    const uint64_t start = (m.base + ph.vaddr) & ~(page - 1);
    const uint64_t end = (m.base + ph.vaddr + ph.memsz + page - 1) & ~(page - 1);
    long r = sys::Mprotect(reinterpret_cast<void*>(start), end - start, prot);
    if (r < 0) FatalLoad(DisplayName(m), "cannot make segment writable for relocation", static_cast<int>(-r));
  }
}

[[noreturn]] void BadReloc(const Module& m, uint32_t type, bool plt) {
  char text[64];
  support::Buffer b(text, sizeof text);
  b.Str(plt ? "unexpected PLT reloc type 0x" : "unexpected reloc type 0x").Hex(type, 2);
  FatalLoad(m.lm.l_name, b.CStr());  // the program's name is empty here, as in glibc
}

[[noreturn]] void BadOffset(const Module& m) {
  FatalLoad(DisplayName(m), "relocation target is outside the object's writable segments");
}

[[noreturn]] void Undefined(const Module& m, uint32_t symndx) {
  char text[512];
  support::Buffer b(text, sizeof text);
  b.Str("undefined symbol: ").Str(m.symtab.SymbolName(m.symtab.syms[symndx]));
  if (const elf::Version* v = RequiredVersion(m, symndx)) b.Str(", version ").Str(v->name);
  Fatal("symbol lookup error", DisplayName(m), b.CStr());
}

// Whether a resolved value is the same in every process that uses the
// object's layout (so it may be part of a pre-relocated image): defined in
// a placed object or the fixed-address program, not an IFUNC's choice.
bool LayoutStable(const Resolved& s) {
  if (s.module == nullptr) return true;  // unresolved weak: 0
  if (s.sym != nullptr && s.sym->shndx == SHN_ABS) return true;
  if (s.sym != nullptr && s.sym->type() == STT_GNU_IFUNC && s.sym->shndx != SHN_UNDEF) return false;
  return s.module->placed || (s.module->is_program && s.module->base == 0);
}

class Relocator {
 public:
  Relocator(Module& m, bool lazy)
      : m_(m), writable_(WritableRanges(m)), lazy_(lazy), record_image_(g.opt.record_layout != 0 && m.placed) {}

  // An object mapped with its pre-relocated image: only the patches, the
  // lazy PLT header if some slot stayed lazy, then the IFUNC patches.
  void RunPatches() {
    Table(m_.image_patches, m_.image_npatches, false);
    if (m_.image_lazy_plt) SetLazyPltHeader();
    if (has_irelative_) Irelative(m_.image_patches, m_.image_npatches);
  }

  void Run() {
    const uint64_t base = m_.base;
    // RELR and the DT_RELACOUNT prefix: tight loops, no symbols.
    elf::ForEachRelr(m_.relr.data, m_.relr.count, [&](uint64_t vaddr) {
      const uint64_t where = base + vaddr;
      if (!writable_.Contains8(where)) BadOffset(m_);
      *reinterpret_cast<uint64_t*>(where) += base;
      ++g_reloc_stats.relative;
    });
    size_t first = 0;
    const size_t relacount = m_.dyn.relacount < m_.rela.count ? m_.dyn.relacount : m_.rela.count;
    for (; first < relacount; ++first) {
      const elf::Rela& r = m_.rela[first];
      if (r.type() != arch::kRelocRelative) break;  // DT_RELACOUNT lied; the general loop copes
      const uint64_t where = base + r.offset;
      if (!writable_.Contains8(where)) BadOffset(m_);
      *reinterpret_cast<uint64_t*>(where) = base + static_cast<uint64_t>(r.addend);
    }
    g_reloc_stats.relative += first;
    Table(m_.rela.data + first, m_.rela.count - first, false);
    if (lazy_) {
      PrepareLazyPlt();
    } else {
      Table(m_.jmprel.data, m_.jmprel.count, true);
    }
    // IFUNC resolvers run once everything else in the object is relocated.
    if (has_irelative_) {
      Irelative(m_.rela.data + first, m_.rela.count - first);
      Irelative(m_.jmprel.data, m_.jmprel.count);
    }
  }

 private:
  Resolved Resolve(uint32_t symndx, RelocKind kind) {
    if (symndx == cache_symndx_ && kind != RelocKind::kCopy && cache_plt_ == arch::IsPltKind(kind)) {
      ++g_reloc_stats.cache_hits;
      return cache_;
    }
    const Resolved res = ResolveSymbol(m_, symndx, kind);
    cache_symndx_ = symndx;
    cache_plt_ = arch::IsPltKind(kind);
    cache_ = res;
    return res;
  }

  void Table(const elf::Rela* rela, size_t count, bool plt) {
    const uint64_t base = m_.base;
    for (size_t i = 0; i < count; ++i) {
      const elf::Rela& r = rela[i];
      const RelocKind kind = arch::KindOf(r.type());
      const uint64_t where = base + r.offset;
      if (kind == RelocKind::kNone) continue;
      if (kind == RelocKind::kIrelative) {
        has_irelative_ = true;
        if (record_image_) symcache::RecordPatch(m_, r);
        continue;
      }
      // (A copy's extent is its symbol's size, checked where it is known.)
      const uint64_t width =
          kind == RelocKind::kPc32 || kind == RelocKind::kAbs32 || kind == RelocKind::kAbs32S ? 4 : 8;
      if (kind != RelocKind::kCopy && !writable_.Contains(where, width)) BadOffset(m_);
      if (kind == RelocKind::kRelative) {
        *reinterpret_cast<uint64_t*>(where) = base + static_cast<uint64_t>(r.addend);
        ++g_reloc_stats.relative;
        continue;
      }
      if (plt && kind != RelocKind::kJumpSlot && kind != RelocKind::kTlsdesc) BadReloc(m_, r.type(), true);
      const uint32_t symndx = r.symndx();
      switch (kind) {
        case RelocKind::kAbsolute:
        case RelocKind::kGlobDat:
        case RelocKind::kJumpSlot:
        case RelocKind::kPc32:
        case RelocKind::kAbs32:
        case RelocKind::kAbs32S: {
          ++g_reloc_stats.symbolic;
          const Resolved s = symndx ? Resolve(symndx, kind) : Resolved{};
          if (record_image_) NoteForImage(r, kind, s);
          if (!arch::Store(kind, reinterpret_cast<void*>(where), s.value, r.addend, where)) {
            char text[512];
            support::Buffer b(text, sizeof text);
            b.Str("Symbol `").Str(symndx ? m_.symtab.SymbolName(m_.symtab.syms[symndx]) : "")
                .Str("' causes overflow in relocation");
            FatalLoad(DisplayName(m_), b.CStr());
          }
          break;
        }
        case RelocKind::kCopy: {
          ++g_reloc_stats.symbolic;
          if (record_image_) symcache::RecordPatch(m_, r);
          const Resolved s = Resolve(symndx, kind);
          if (s.sym == nullptr) break;  // weak and undefined: nothing to copy
          const elf::Sym& ref = m_.symtab.syms[symndx];
          uint64_t size = ref.size;
          if (s.sym->size != ref.size) {
            Print(2, [&](support::Buffer& b) {
              b.Str(ProgramName()).Str(": Symbol `").Str(m_.symtab.SymbolName(ref))
                  .Str("' has different size in shared object, consider re-linking\n");
            });
            if (s.sym->size < size) size = s.sym->size;
          }
          if (!writable_.Contains(where, size)) BadOffset(m_);
          support::MemCpy(reinterpret_cast<void*>(where), reinterpret_cast<const void*>(s.value), size);
          break;
        }
        case RelocKind::kDtpmod: {
          ++g_reloc_stats.tls;
          if (record_image_) symcache::RecordPatch(m_, r);
          const Module* def = symndx ? Resolve(symndx, kind).module : &m_;
          *reinterpret_cast<uint64_t*>(where) = def ? def->tls_modid : 0;
          break;
        }
        case RelocKind::kDtpoff: {
          ++g_reloc_stats.tls;
          if (record_image_) symcache::RecordPatch(m_, r);
          const Resolved s = symndx ? Resolve(symndx, kind) : Resolved{};
          const uint64_t v = s.sym ? s.sym->value : 0;
          *reinterpret_cast<uint64_t*>(where) = v + static_cast<uint64_t>(r.addend);
          break;
        }
        case RelocKind::kTpoff: {
          ++g_reloc_stats.tls;
          if (record_image_) symcache::RecordPatch(m_, r);
          const Resolved s = symndx ? Resolve(symndx, kind) : Resolved{m_.base, &m_, nullptr};
          const Module* def = s.module;
          if (def == nullptr) {  // unresolved weak TLS symbol
            *reinterpret_cast<uint64_t*>(where) = 0;
            break;
          }
          if (def->tls_modid == 0)
            FatalLoad(DisplayName(m_), "TLS relocation against an object without TLS");
          // Initial-exec code in a dlopen'ed object needs the static area.
          if (!def->tls_static && !TryStaticTls(const_cast<Module&>(*def), false))
            FatalLoad(DisplayName(*def), "cannot allocate memory in static TLS block");
          const uint64_t v = s.sym ? s.sym->value : 0;
          *reinterpret_cast<uint64_t*>(where) = v + static_cast<uint64_t>(r.addend) - def->tls_offset;
          break;
        }
        case RelocKind::kTlsdesc: {
          // A descriptor {function, argument}: for a block in the static
          // area the function returns the argument, the offset from the
          // thread pointer; an unresolved weak symbol's address is 0.
          ++g_reloc_stats.tls;
          if (record_image_) symcache::RecordPatch(m_, r);
          if (!writable_.Contains(where, 16)) BadOffset(m_);
          const Resolved s = symndx ? Resolve(symndx, kind) : Resolved{m_.base, &m_, nullptr};
          auto* desc = reinterpret_cast<uint64_t*>(where);
          if (s.module == nullptr) {
            desc[0] = reinterpret_cast<uint64_t>(&RtldTlsdescUndefweak);
            desc[1] = static_cast<uint64_t>(r.addend);
            break;
          }
          if (s.module->tls_modid == 0)
            FatalLoad(DisplayName(m_), "TLS relocation against an object without TLS");
          const uint64_t v = s.sym ? s.sym->value : 0;
          Module& def = const_cast<Module&>(*s.module);
          if (!def.tls_static && !TryStaticTls(def, true)) {
            // A dlopen'ed object's block, allocated on first access.
            desc[0] = reinterpret_cast<uint64_t>(&RtldTlsdescDynamic);
            desc[1] = DynamicTlsdesc(m_, def, v + static_cast<uint64_t>(r.addend));
            break;
          }
          desc[0] = reinterpret_cast<uint64_t>(&RtldTlsdescStatic);
          desc[1] = v + static_cast<uint64_t>(r.addend) - def.tls_offset;
          break;
        }
        default:
          BadReloc(m_, r.type(), plt);
      }
    }
  }

  void Irelative(const elf::Rela* rela, size_t count) {
    for (size_t i = 0; i < count; ++i) {
      const elf::Rela& r = rela[i];
      if (r.type() != arch::kRelocIrelative) continue;
      const uint64_t where = m_.base + r.offset;
      if (!writable_.Contains(where, 8)) BadOffset(m_);
      *reinterpret_cast<uint64_t*>(where) = CallIfunc(m_.base + static_cast<uint64_t>(r.addend));
      ++g_reloc_stats.irelative;
    }
  }

  // Lazy binding: each JUMP_SLOT keeps pointing into the PLT (relocated
  // by the load bias); GOT[1] and GOT[2] give PLT0 the object and the
  // trampoline. IRELATIVE entries of the PLT table are still applied now.
  void PrepareLazyPlt() {
    const uint64_t base = m_.base;
    for (size_t i = 0; i < m_.jmprel.count; ++i) {
      const elf::Rela& r = m_.jmprel[i];
      const RelocKind kind = arch::KindOf(r.type());
      const uint64_t where = base + r.offset;
      if (kind == RelocKind::kIrelative) {
        has_irelative_ = true;
        continue;
      }
      if (kind == RelocKind::kTlsdesc) {  // descriptors are bound now
        Table(&r, 1, true);
        continue;
      }
      if (kind != RelocKind::kJumpSlot) BadReloc(m_, r.type(), true);
      if (!writable_.Contains(where, 8)) BadOffset(m_);
      *reinterpret_cast<uint64_t*>(where) += base;
      ++g_reloc_stats.lazy;
    }
    SetLazyPltHeader();
  }

  // GOT[1] and GOT[2]: the object and the trampoline for PLT0.
  void SetLazyPltHeader() {
    if (m_.dyn.pltgot == 0) return;
    const uint64_t got = m_.base + m_.dyn.pltgot;
    if (!writable_.Contains(got, 24)) BadOffset(m_);
    reinterpret_cast<uint64_t*>(got)[1] = reinterpret_cast<uint64_t>(&m_);
    reinterpret_cast<uint64_t*>(got)[2] = LazyTrampoline();
  }

  // Recording an image: a value that is not the same for every process
  // using the layout is a patch; an undefined PLT slot stays lazy; any
  // other undefined reference means no images (a start must fail on it).
  void NoteForImage(const elf::Rela& r, RelocKind kind, const Resolved& s) {
    if (s.module == nullptr && r.symndx() != 0 && m_.symtab.syms[r.symndx()].bind() != STB_WEAK) {
      if (kind == RelocKind::kJumpSlot) symcache::RecordLazySlot(m_, r);
      else symcache::RecordNoImages("a reference is undefined");
      return;
    }
    if (!LayoutStable(s)) symcache::RecordPatch(m_, r);
  }

  Module& m_;
  Writable writable_;
  bool lazy_;
  bool record_image_;  // --record-layout: note what the image cannot hold
  bool has_irelative_ = false;
  uint32_t cache_symndx_ = 0;  // 0: empty (index 0 is never looked up)
  bool cache_plt_ = false;
  Resolved cache_;
};

}  // namespace

uint64_t CallIfunc(uint64_t resolver) {
  // Recording bindings (possibly for another user, by the cache daemon)
  // runs none of the program's code: the resolver's choice is not a binding.
  if (g.opt.record_bindings != nullptr) return 0;
  using Resolver = uint64_t (*)();
  return reinterpret_cast<Resolver>(resolver)();
}

Resolved ResolveSymbol(Module& m, uint32_t symndx, arch::RelocKind kind) {
  if (symndx >= m.symtab.nsyms)
    FatalLoad(DisplayName(m), "relocation refers to a symbol index past the symbol table");
  const elf::Sym& ref = m.symtab.syms[symndx];
  if (m.symtab.SymbolName(ref) == nullptr)
    FatalLoad(DisplayName(m), "relocation refers to a symbol whose name is outside DT_STRTAB");
  if (ref.bind() == STB_LOCAL) return {m.base + ref.value, &m, &ref};
  unsigned flags = 0;
  if (arch::IsPltKind(kind)) flags |= kLookupPlt;
  if (kind == RelocKind::kCopy) flags |= kLookupCopy;
  Definition d;
  // Binding time is measured only when statistics were asked for.
  const uint64_t t0 = rtld::g_stats.enabled ? arch::ReadTsc() : 0;
  if (!symcache::g_closure_usable || !symcache::Lookup(m, symndx, &d)) {
    d = LookupReference(m, symndx, flags);
    if (g.opt.record_bindings != nullptr) symcache::Record(m, symndx, d);
  } else {
    NoteBindingsSkipped();
    NoteUniqueBinding(m, symndx, d, kind == RelocKind::kCopy);  // later lookups need the instance
  }
  if (rtld::g_stats.enabled) rtld::g_stats.binding_tsc += arch::ReadTsc() - t0;
  if (d.module == nullptr) {
    // Recording the bindings tolerates what a lazy start would too.
    if (ref.bind() != STB_WEAK && g.opt.record_bindings == nullptr) Undefined(m, symndx);
    return {};
  }
  const elf::Sym& s = *d.sym;
  Resolved res{s.shndx == SHN_ABS ? s.value : d.module->base + s.value, d.module, d.sym};
  if (s.type() == STT_GNU_IFUNC && s.shndx != SHN_UNDEF && kind != RelocKind::kCopy)
    res.value = CallIfunc(res.value);
  return res;
}

const char* DisplayName(const Module& m) {
  return m.lm.l_name && m.lm.l_name[0] ? m.lm.l_name : ProgramName();
}

void RelocateModule(Module& m, bool now) {
  if (m.relocated) return;
  if (m.dyn.textrel) ProtectText(m, true);
  const bool lazy = !now && !g.opt.bind_now && !m.dyn.bind_now && m.jmprel.count != 0;
  if (Debugging(kDebugReloc))
    DebugLine([&](support::Buffer& b) {
      b.Str("relocation processing: ").Str(DisplayName(m)).Str(lazy ? " (lazy)" : "");
    });
  if (m.image) {
    NoteBindingsSkipped();
    Relocator(m, false).RunPatches();
    symcache::g_stats.image_patches += m.image_npatches;
    // Each page a patch writes becomes a private copy (patches are sorted).
    uint64_t last = ~uint64_t{0};
    for (uint32_t i = 0; i < m.image_npatches; ++i) {
      const uint64_t pg = m.image_patches[i].offset / g.page_size;
      if (pg != last) ++symcache::g_stats.image_pages_copied;
      last = pg;
    }
  } else {
    Relocator(m, lazy).Run();
  }
  if (m.dyn.textrel) ProtectText(m, false);
  m.relocated = true;
  if (m.relro_size != 0) {
    const uint64_t page = g.page_size;
    const uint64_t start = m.relro_start & ~(page - 1);
    const uint64_t end = (m.relro_start + m.relro_size) & ~(page - 1);
    if (end > start) {
      long r = sys::Mprotect(reinterpret_cast<void*>(start), end - start, sys::kProtRead);
      if (r < 0) FatalLoad(DisplayName(m), "cannot apply additional memory protection after relocation",
                           static_cast<int>(-r));
    }
  }
}

}  // namespace rtld
