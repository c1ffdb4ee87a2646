#include "rtld/core/lookup.h"

#include "rtld/core/debug.h"
#include "rtld/core/relocate.h"
#include "rtld/core/state.h"

namespace rtld {

uint64_t g_lookups = 0;

namespace {

bool FindIn(const Module& m, elf::HashedName& name, const elf::Version* version, unsigned flags,
            Definition& out) {
  int64_t i = m.symtab.Find(name, version, (flags & kLookupPlt) != 0);
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

Definition LookupName(elf::HashedName& name, const elf::Version* version, unsigned flags,
                      const Module* skip) {
  ++g_lookups;
  Definition d;
  const bool trace = Debugging(kDebugSymbols);
  for (unsigned i = 0; i < g.nscope; ++i) {
    const Module* m = g.scope[i];
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

Definition LookupReference(Module& from, uint32_t symndx, unsigned flags) {
  const elf::Sym& ref = from.symtab.syms[symndx];
  elf::HashedName name(from.symtab.SymbolName(ref));
  const elf::Version* version = RequiredVersion(from, symndx);
  Definition d;
  // DT_SYMBOLIC: the object's own definitions come first.
  if (from.dyn.symbolic && !(flags & kLookupCopy) && FindIn(from, name, version, flags, d)) return d;
  d = LookupName(name, version, flags, (flags & kLookupCopy) ? g.program : nullptr);
  // A protected definition in the referencing object binds to itself.
  if (d.module != nullptr && d.module != &from && ref.visibility() == STV_PROTECTED && ref.defined() &&
      !(flags & kLookupCopy))
    d = {&from, &ref};
  if (d.module != nullptr && Debugging(kDebugBindings))
    DebugLine([&](support::Buffer& b) {
      b.Str("binding file ").Str(DisplayName(from)).Str(" [0] to ").Str(DisplayName(*d.module))
          .Str(" [0]: normal symbol `").Str(name.name).Char('\'');
      if (version != nullptr) b.Str(" [").Str(version->name).Char(']');
    });
  return d;
}

}  // namespace rtld
