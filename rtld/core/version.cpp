#include "rtld/core/version.h"

#include "rtld/core/debug.h"
#include "rtld/core/diag.h"
#include "rtld/core/relocate.h"
#include "rtld/core/search.h"
#include "rtld/core/state.h"
#include "rtld/support/string.h"
#include "rtld/support/sys.h"

namespace rtld {

namespace {

// Whether `provider` defines version (name, hash). The entries, their
// Verdaux and names were checked by DecodeModule (the same walk).
bool Defines(const Module& provider, const char* name, uint32_t hash) {
  const elf::DynamicInfo& d = provider.dyn;
  elf::Addr p = d.verdef;
  for (unsigned n = 0; n < d.verdefnum && n < (1u << 16); ++n) {
    const auto* vd = reinterpret_cast<const elf::Verdef*>(provider.base + p);
    if (vd->hash == hash) {
      const auto* aux = reinterpret_cast<const elf::Verdaux*>(provider.base + p + vd->aux);
      if (support::StrEq(provider.symtab.String(aux->name), name)) return true;
    }
    if (vd->next == 0) break;
    p += vd->next;
  }
  return false;
}

// glibc 2.36 refuses DT_RELR in an object that has version needs and needs
// a libc.so.* unless it also needs this version (which marks the objects
// built for a glibc that has DT_RELR), glibc's elf_hash of it beside.
constexpr const char* kDtRelrVersion = "GLIBC_ABI_DT_RELR";
constexpr uint32_t kDtRelrVersionHash = 0xfd0e42;

bool NeedsLibc(const Module& m) {
  for (size_t i = 0; i < m.dyn.count; ++i) {
    if (m.dynamic[i].tag != DT_NEEDED) continue;
    const char* name = m.symtab.String(m.dynamic[i].val);
    if (name != nullptr && support::StartsWith(name, "libc.so.")) return true;
  }
  return false;
}

const Module* FindProvider(const char* file) {
  for (const Module* m = g.first; m; m = m->next)
    if (NameMatches(*m, file)) return m;
  return nullptr;
}

}  // namespace

namespace {

void Check(Module* first, bool fatal_each) {
  bool failed = false;
  for (Module* m = first; m; m = m->next) {
    const elf::DynamicInfo& d = m->dyn;
    if (d.verneed == 0) continue;
    elf::Addr p = d.verneed;
    bool relr_version = false;
    for (unsigned n = 0; n < d.verneednum && n < (1u << 16); ++n) {
      const auto* vn = reinterpret_cast<const elf::Verneed*>(m->base + p);
      const char* file = m->symtab.String(vn->file);
      const Module* provider = FindProvider(file);
      elf::Addr a = p + vn->aux;
      for (unsigned k = 0; k < vn->cnt; ++k) {
        const auto* va = reinterpret_cast<const elf::Vernaux*>(m->base + a);
        const char* vname = m->symtab.String(va->name);
        if (va->hash == kDtRelrVersionHash && vname != nullptr && support::StrEq(vname, kDtRelrVersion))
          relr_version = true;
        if (Debugging(kDebugVersions) && provider != nullptr)
          DebugLine([&](support::Buffer& b) {
            b.Str("checking for version `").Str(m->symtab.String(va->name)).Str("' in file ")
                .Str(DisplayName(*provider)).Str(" [0] required by file ").Str(DisplayName(*m)).Str(" [0]");
          });
        // A provider without version definitions satisfies everything
        // (it was built without versions); weak requirements only warn.
        if (provider != nullptr && provider->dyn.verdef != 0 && (va->flags & VER_FLG_WEAK) == 0 &&
            !Defines(*provider, m->symtab.String(va->name), va->hash)) {
          failed = true;
          if (fatal_each) {
            char text[512];
            support::Buffer b(text, sizeof text);
            b.Str("version `").Str(m->symtab.String(va->name)).Str("' not found (required by ")
                .Str(DisplayName(*m)).Str(")");
            Fatal("version lookup error", DisplayName(*provider), b.CStr(), 0, 1);
          }
          Print(2, [&](support::Buffer& b) {
            b.Str(ProgramName()).Str(": ").Str(DisplayName(*provider)).Str(": version `")
                .Str(m->symtab.String(va->name)).Str("' not found (required by ")
                .Str(DisplayName(*m)).Str(")\n");
          });
        }
        if (va->next == 0) break;
        a += va->next;
      }
      if (vn->next == 0) break;
      p += vn->next;
    }
    if (d.relr != 0 && !relr_version && NeedsLibc(*m))
      FatalLoad(DisplayName(*m), "DT_RELR without GLIBC_ABI_DT_RELR dependency");
  }
  if (failed) sys::ExitGroup(1);
}

}  // namespace

void CheckVersions() { Check(g.first, false); }

void CheckVersionsFrom(Module* first) { Check(first, true); }

}  // namespace rtld
