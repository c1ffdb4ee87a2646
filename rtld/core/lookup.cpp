#include "rtld/core/lookup.h"

#include "rtld/core/debug.h"
#include "rtld/core/dl_lock.h"
#include "rtld/core/relocate.h"
#include "rtld/core/state.h"

namespace rtld {

uint64_t g_lookups = 0;

namespace {

bool FindIn(const Module& m, elf::HashedName& name, const elf::Version* version, unsigned flags,
            Definition& out) {
  int64_t i = m.symtab.Find(name, version, (flags & kLookupPlt) != 0, (flags & kLookupNewest) != 0);
  if (i < 0) return false;
  out = {&m, &m.symtab.syms[i]};
  return true;
}

}  // namespace

const elf::Version* RequiredVersion(const Module& from, uint32_t symndx) {
  if (from.symtab.versym == nullptr || from.versions == nullptr) return nullptr;
  const uint32_t ndx = from.symtab.versym[symndx] & elf::kVersymIndexMask;
  if (ndx >= from.symtab.nversions) return nullptr;
  const elf::Version* v = &from.versions[ndx];
  return v->hash != 0 && v->name != nullptr ? v : nullptr;
}

Definition LookupIn(Module* const* list, unsigned n, unsigned start, elf::HashedName& name,
                    const elf::Version* version, unsigned flags, const Module* skip) {
  Definition d;
  const bool trace = Debugging(kDebugSymbols);
  for (unsigned i = start; i < n; ++i) {
    const Module* m = list[i];
    if (m == skip) continue;
    if (trace)
      DebugLine([&](support::Buffer& b) {
        b.Str("symbol=").Str(name.name).Str(";  lookup in file=").Str(DisplayName(*m)).Str(" [0]");
      });
    // The Bloom filter inline: most objects of a scope stop here, before
    // any call into their tables.
    if (!m->symtab.MayDefine(name.gnu)) continue;
    if (FindIn(*m, name, version, flags, d)) return d;
  }
  return {};
}

Definition LookupName(elf::HashedName& name, const elf::Version* version, unsigned flags,
                      const Module* skip) {
  ++g_lookups;
  // RTLD_GLOBAL may grow the scope meanwhile: the array before its count.
  Module* const* list = __atomic_load_n(&g.scope, __ATOMIC_ACQUIRE);
  const unsigned n = __atomic_load_n(&g.nscope, __ATOMIC_ACQUIRE);
  return LookupIn(list, n, 0, name, version, flags, skip);
}

Definition LookupFrom(const Module& from, elf::HashedName& name, const elf::Version* version,
                      unsigned flags, const Module* skip) {
  const Module* root = from.scope_root;
  if (root == nullptr || root->searchlist == nullptr) return LookupName(name, version, flags, skip);
  if (from.deepbind) {
    ++g_lookups;
    Definition d = LookupIn(root->searchlist, root->nsearch, 0, name, version, flags, skip);
    return d.module != nullptr ? d : LookupName(name, version, flags, skip);
  }
  Definition d = LookupName(name, version, flags, skip);
  if (d.module != nullptr) return d;
  return LookupIn(root->searchlist, root->nsearch, 0, name, version, flags, skip);
}

void NoteBinding(Module& from, const Module& to_const) {
  Module& to = const_cast<Module&>(to_const);
  if (&from == &to || !to.dlopened || to.nodelete) return;
  DlLockGuard lock;
  if (!from.dlopened) {
    // An initial object is never unloaded: what it bound to stays forever.
    to.nodelete = true;
    return;
  }
  // Already an edge of the init/fini order (for a dlopen root, anything in
  // its scope; glibc's l_initfini).
  if (from.initfini != nullptr) {
    for (unsigned i = 0; i < from.ninitfini; ++i)
      if (from.initfini[i] == &to) return;
  } else {
    for (unsigned i = 0; i < from.ndeps; ++i)
      if (from.deps[i] == &to) return;
  }
  for (unsigned i = 0; i < from.nreldeps; ++i)
    if (from.reldeps[i] == &to) return;
  if (from.nreldeps == from.reldeps_cap) {
    const unsigned cap = from.reldeps_cap ? from.reldeps_cap * 2 : 4;
    auto* grown = g.arena.New<Module*>(cap);
    if (grown == nullptr) {
      to.nodelete = true;  // cannot track it: keep it
      return;
    }
    for (unsigned i = 0; i < from.nreldeps; ++i) grown[i] = from.reldeps[i];
    g.arena.Free(from.reldeps);
    from.reldeps = grown;
    from.reldeps_cap = cap;
  }
  from.reldeps[from.nreldeps++] = &to;
}

Definition LookupReference(Module& from, uint32_t symndx, unsigned flags) {
  const elf::Sym& ref = from.symtab.syms[symndx];
  elf::HashedName name(from.symtab.SymbolName(ref));
  const elf::Version* version = RequiredVersion(from, symndx);
  Definition d;
  // DT_SYMBOLIC: the object's own definitions come first.
  if (from.dyn.symbolic && !(flags & kLookupCopy) && FindIn(from, name, version, flags, d)) return d;
  d = LookupFrom(from, name, version, flags, (flags & kLookupCopy) ? g.program : nullptr);
  // A protected definition in the referencing object binds to itself.
  if (d.module != nullptr && d.module != &from && ref.visibility() == STV_PROTECTED && ref.defined() &&
      !(flags & kLookupCopy))
    d = {&from, &ref};
  if (d.module != nullptr && d.module->dlopened) NoteBinding(from, *d.module);
  if (d.module != nullptr && Debugging(kDebugBindings))
    DebugLine([&](support::Buffer& b) {
      b.Str("binding file ").Str(DisplayName(from)).Str(" [0] to ").Str(DisplayName(*d.module))
          .Str(" [0]: normal symbol `").Str(name.name).Char('\'');
      if (version != nullptr) b.Str(" [").Str(version->name).Char(']');
    });
  return d;
}

}  // namespace rtld
