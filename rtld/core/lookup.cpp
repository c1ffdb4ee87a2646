#include "rtld/core/lookup.h"

#include "rtld/core/debug.h"
#include "rtld/core/dl_lock.h"
#include "rtld/core/relocate.h"
#include "rtld/core/state.h"
#include "rtld/support/string.h"

namespace rtld {

uint64_t g_lookups = 0;

namespace {

// STB_GNU_UNIQUE definitions: the one instance of each name (glibc's
// _ns_unique_sym_table). Open addressing with linear probing over a
// power-of-two table, grown at 3/4; guarded by the loader's lock.
struct UniqueEntry {
  const char* name;  // nullptr: free
  uint32_t hash;     // GNU hash of name
  Definition def;
};
UniqueEntry* g_unique = nullptr;
unsigned g_unique_cap = 0, g_unique_count = 0;

UniqueEntry* UniqueSlot(UniqueEntry* table, unsigned cap, const char* name, uint32_t hash) {
  for (unsigned i = hash & (cap - 1);; i = (i + 1) & (cap - 1)) {
    UniqueEntry& e = table[i];
    if (e.name == nullptr || (e.hash == hash && support::StrEq(e.name, name))) return &e;
  }
}

// Whether the table has room for one more entry (grown if need be).
bool UniqueRoom() {
  if ((g_unique_count + 1) * 4 <= g_unique_cap * 3) return true;
  const unsigned cap = g_unique_cap ? g_unique_cap * 2 : 32;
  auto* grown = g.arena.New<UniqueEntry>(cap);
  if (grown == nullptr) return false;
  for (unsigned i = 0; i < g_unique_cap; ++i)
    if (g_unique[i].name != nullptr) *UniqueSlot(grown, cap, g_unique[i].name, g_unique[i].hash) = g_unique[i];
  g.arena.Free(g_unique);
  g_unique = grown;
  g_unique_cap = cap;
  return true;
}

// The instance of the unique symbol `name` that `found` defines: the
// recorded one, or `found`, which becomes it. Its object then stays loaded
// (glibc marks it NODELETE). `copy` (a copy relocation's own definition in
// the program) becomes the instance instead when there is none yet, and
// `found`, what is copied, is returned either way.
bool g_bindings_skipped = false;

// The first unique definition of `name` among the initial objects of the
// global scope: what their relocations would have entered when the symbol
// cache supplied those (no lookup), or an empty one.
Definition FirstInitialUnique(const elf::HashedName& name) {
  elf::HashedName key(name.name, name.gnu);
  for (unsigned i = 0; i < g.nscope; ++i) {
    const Module& m = *g.scope[i];
    if (m.dlopened || !m.symtab.MayDefine(key.gnu)) continue;
    const int64_t k = m.symtab.Find(key, nullptr);
    if (k >= 0 && m.symtab.syms[k].bind() == STB_GNU_UNIQUE) return {&m, &m.symtab.syms[k]};
  }
  return {};
}

Definition Unified(const elf::HashedName& name, const Definition& found, const Definition* copy) {
  // (Before the thread pointer exists there is one thread and no lock.)
  if (g.tcb != nullptr) DlLock::Acquire();
  struct Unlock {
    ~Unlock() {
      if (g.tcb != nullptr) DlLock::Release();
    }
  } unlock;
  if (g_unique_cap != 0) {
    UniqueEntry* e = UniqueSlot(g_unique, g_unique_cap, name.name, name.gnu);
    if (e->name != nullptr) return copy != nullptr ? found : e->def;
  }
  Definition seeded;
  if (g_bindings_skipped && copy == nullptr) seeded = FirstInitialUnique(name);
  const Definition& instance = copy != nullptr ? *copy : seeded.module != nullptr ? seeded : found;
  if (!UniqueRoom()) FatalLoad("", "cannot allocate memory", 12);
  // The entry names the instance by its own string, which lives as long as it.
  const char* stable = instance.module->symtab.SymbolName(*instance.sym);
  *UniqueSlot(g_unique, g_unique_cap, name.name, name.gnu) = {stable, name.gnu, instance};
  ++g_unique_count;
  Module& m = const_cast<Module&>(*instance.module);
  if (m.dlopened && !m.nodelete) {
    if (Debugging(kDebugBindings))
      DebugLine([&](support::Buffer& b) {
        b.Str("marking ").Str(m.lm.l_name).Str(" [0] as NODELETE due to unique symbol");
      });
    m.nodelete = true;
  }
  return copy != nullptr ? found : instance;
}

bool IsUnique(const Definition& d) { return d.sym != nullptr && d.sym->bind() == STB_GNU_UNIQUE; }

bool FindIn(const Module& m, elf::HashedName& name, const elf::Version* version, unsigned flags,
            Definition& out) {
  int64_t i = m.symtab.Find(name, version, (flags & kLookupPlt) != 0, (flags & kLookupNewest) != 0);
  if (i < 0) return false;
  out = {&m, &m.symtab.syms[i]};
  // A copy relocation's lookup unifies in LookupReference, which knows the copy.
  if (IsUnique(out) && !(flags & kLookupCopy)) out = Unified(name, out, nullptr);
  return true;
}

}  // namespace

void NoteUniqueBinding(const Module& from, uint32_t symndx, const Definition& d, bool copy) {
  if (!IsUnique(d)) return;
  const elf::Sym& ref = from.symtab.syms[symndx];
  elf::HashedName name(from.symtab.SymbolName(ref));
  const Definition own{&from, &ref};
  Unified(name, d, copy ? &own : nullptr);
}

void NoteBindingsSkipped() { g_bindings_skipped = true; }

void ForgetUniqueDefinitions(const Module& m) {
  DlLockGuard lock;
  bool any = false;
  for (unsigned i = 0; i < g_unique_cap; ++i) any |= g_unique[i].name != nullptr && g_unique[i].def.module == &m;
  if (!any) return;
  // Rebuilt without m's: probing chains stay unbroken.
  auto* table = g.arena.New<UniqueEntry>(g_unique_cap);
  if (table == nullptr) FatalLoad("", "cannot allocate memory", 12);
  g_unique_count = 0;
  for (unsigned i = 0; i < g_unique_cap; ++i) {
    const UniqueEntry& e = g_unique[i];
    if (e.name == nullptr || e.def.module == &m) continue;
    *UniqueSlot(table, g_unique_cap, e.name, e.hash) = e;
    ++g_unique_count;
  }
  g.arena.Free(g_unique);
  g_unique = table;
}

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
  Definition d;
  if (from.deepbind) {
    ++g_lookups;
    d = LookupIn(root->searchlist, root->nsearch, 0, name, version, flags, skip);
    if (d.module == nullptr) d = LookupName(name, version, flags, skip);
  } else {
    d = LookupName(name, version, flags, skip);
    if (d.module == nullptr) d = LookupIn(root->searchlist, root->nsearch, 0, name, version, flags, skip);
  }
  if (d.module != nullptr) return d;
  // The search lists of later dlopens that reused `from`, in their order.
  const Module::ExtraScopes* extra = __atomic_load_n(&from.extra_scopes, __ATOMIC_ACQUIRE);
  for (unsigned i = 0; extra != nullptr && i < extra->n && d.module == nullptr; ++i) {
    const Module* r = extra->roots[i];
    d = LookupIn(r->searchlist, r->nsearch, 0, name, version, flags, skip);
  }
  return d;
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
  // A copy relocation of a unique object: the program's copy becomes the
  // instance, unless there is one already.
  if ((flags & kLookupCopy) && IsUnique(d)) {
    const Definition copy{&from, &ref};
    d = Unified(name, d, &copy);
  }
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
