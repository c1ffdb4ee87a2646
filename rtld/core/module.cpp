// Decoding a mapped object's dynamic section into its Module: every table
// is checked against the image once here, so later stages index them
// without further checks.
#include "rtld/core/map.h"
#include "rtld/core/state.h"
#include "rtld/support/string.h"

namespace rtld {

namespace {

using elf::Addr;

template <typename T>
const T* At(const Module& m, Addr vaddr) {
  return reinterpret_cast<const T*>(m.base + vaddr);
}

// The number of symbols a GNU hash table covers: past the highest bucket
// start, follow its chain to the end marker.
bool GnuSymbolCount(const Module& m, const elf::GnuHashTable& t, Addr chain_vaddr, uint32_t& count) {
  uint32_t max = 0;
  for (uint32_t b = 0; b < t.nbuckets; ++b)
    if (t.buckets[b] > max) max = t.buckets[b];
  if (max < t.symoffset) {
    count = t.symoffset;
    return true;
  }
  for (uint32_t i = max;; ++i) {
    const uint64_t idx = uint64_t{i} - t.symoffset;
    if (!InImage(m, chain_vaddr + idx * 4, 4)) return false;
    if (t.chain[idx] & 1) {
      count = i + 1;
      return true;
    }
  }
}

LoadError DecodeVersions(Module& m) {
  const elf::DynamicInfo& d = m.dyn;
  const elf::SymbolTable& st = m.symtab;
  // The first pass checks every entry, offset and name against the image,
  // so that the second and the version check (version.cpp) read them freely.
  // Highest version index used by definitions and requirements.
  uint32_t max_index = 1;
  constexpr unsigned kMaxEntries = 1 << 16;
  if (d.verdef) {
    Addr p = d.verdef;
    for (unsigned n = 0; n < d.verdefnum && n < kMaxEntries; ++n) {
      if (!InImage(m, p, sizeof(elf::Verdef))) return {"DT_VERDEF is outside the image"};
      const auto* vd = At<elf::Verdef>(m, p);
      // Every entry's first Verdaux and its name, the base entry's too: the
      // version check compares requirements with each of them (CheckVersions).
      if (!InImage(m, p + vd->aux, sizeof(elf::Verdaux))) return {"DT_VERDEF is outside the image"};
      if (st.String(At<elf::Verdaux>(m, p + vd->aux)->name) == nullptr)
        return {"DT_VERDEF names a string outside DT_STRTAB"};
      if ((vd->ndx & elf::kVersymIndexMask) > max_index) max_index = vd->ndx & elf::kVersymIndexMask;
      if (vd->next == 0) break;
      p += vd->next;
    }
  }
  if (d.verneed) {
    Addr p = d.verneed;
    for (unsigned n = 0; n < d.verneednum && n < kMaxEntries; ++n) {
      if (!InImage(m, p, sizeof(elf::Verneed))) return {"DT_VERNEED is outside the image"};
      const auto* vn = At<elf::Verneed>(m, p);
      Addr a = p + vn->aux;
      for (unsigned k = 0; k < vn->cnt; ++k) {
        if (!InImage(m, a, sizeof(elf::Vernaux))) return {"DT_VERNEED is outside the image"};
        const auto* va = At<elf::Vernaux>(m, a);
        if ((va->other & elf::kVersymIndexMask) > max_index) max_index = va->other & elf::kVersymIndexMask;
        if (va->next == 0) break;
        a += va->next;
      }
      if (vn->next == 0) break;
      p += vn->next;
    }
  }
  m.versions = g.arena.New<elf::Version>(max_index + 1);
  if (m.versions == nullptr) return {"cannot allocate version table", 12};
  m.symtab.nversions = max_index + 1;
  m.symtab.versions = m.versions;
  if (d.verdef) {
    Addr p = d.verdef;
    for (unsigned n = 0; n < d.verdefnum && n < kMaxEntries; ++n) {
      const auto* vd = At<elf::Verdef>(m, p);
      // The base version (the file's own name) is not matched by symbols.
      if ((vd->flags & VER_FLG_BASE) == 0) {
        elf::Version& v = m.versions[vd->ndx & elf::kVersymIndexMask];
        v.name = st.String(At<elf::Verdaux>(m, p + vd->aux)->name);
        v.hash = vd->hash;
      }
      if (vd->next == 0) break;
      p += vd->next;
    }
  }
  if (d.verneed) {
    Addr p = d.verneed;
    for (unsigned n = 0; n < d.verneednum && n < kMaxEntries; ++n) {
      const auto* vn = At<elf::Verneed>(m, p);
      const char* file = st.String(vn->file);
      if (file == nullptr) return {"DT_VERNEED names a string outside DT_STRTAB"};
      Addr a = p + vn->aux;
      for (unsigned k = 0; k < vn->cnt; ++k) {
        const auto* va = At<elf::Vernaux>(m, a);
        const char* name = st.String(va->name);
        if (name == nullptr) return {"DT_VERNEED names a string outside DT_STRTAB"};
        elf::Version& v = m.versions[va->other & elf::kVersymIndexMask];
        v.name = name;
        v.hash = va->hash;
        v.hidden = (va->other & elf::kVersymHidden) != 0;
        v.filename = file;
        if (va->next == 0) break;
        a += va->next;
      }
      if (vn->next == 0) break;
      p += vn->next;
    }
  }
  return {};
}

template <typename T>
LoadError DecodeTable(const Module& m, Addr vaddr, uint64_t size, elf::Table<T>& out, const char* what) {
  if (vaddr == 0 || size == 0) return {};
  if (size % sizeof(T) != 0 || !InImage(m, vaddr, size)) return {what};
  out.data = At<T>(m, vaddr);
  out.count = size / sizeof(T);
  return {};
}

// As glibc's elf_get_dynamic_info: in a writable PT_DYNAMIC of an object
// with a nonzero load bias, the d_ptr of the last DT_HASH, DT_PLTGOT,
// DT_STRTAB, DT_SYMTAB, DT_RELR, DT_JMPREL, DT_VERSYM and DT_GNU_HASH entry,
// and of DT_RELA and DT_REL when not 0, become addresses. Programs that read
// _DYNAMIC (or l_ld) depend on it; this loader reads only what DecodeModule
// took before. The loader's own table (already read-only) and the vDSO's are
// left alone, and so is a table outside the object's writable segments.
void RelocateDynamic(Module& m) {
  if (m.is_rtld || m.is_vdso) return;
  const uint64_t dyn_vaddr = reinterpret_cast<uint64_t>(m.dynamic) - m.base;
  const uint64_t dyn_size = m.dyn.count * sizeof(elf::Dyn);
  bool writable = false, flagged = false;
  for (unsigned i = 0; i < m.phnum; ++i) {
    const elf::Phdr& ph = m.phdr[i];
    if (ph.type == PT_DYNAMIC) flagged = (ph.flags & PF_W) != 0;
    if (ph.type == PT_LOAD && (ph.flags & PF_W) != 0 && dyn_vaddr >= ph.vaddr &&
        dyn_vaddr + dyn_size <= ph.vaddr + ph.memsz)
      writable = true;
  }
  if (!flagged || !writable) return;
  m.dynamic_writable = true;
  if (m.base == 0) return;
  constexpr int64_t kDtRelr = 36;  // DT_RELR (musl's <elf.h> lacks it)
  constexpr int64_t kAlways[] = {DT_HASH, DT_PLTGOT, DT_STRTAB, DT_SYMTAB, kDtRelr, DT_JMPREL, DT_VERSYM,
                                 DT_GNU_HASH};
  constexpr int64_t kUnlessZero[] = {DT_RELA, DT_REL};
  auto* dyn = const_cast<elf::Dyn*>(m.dynamic);
  auto last = [&](int64_t tag) -> elf::Dyn* {
    elf::Dyn* found = nullptr;
    for (size_t i = 0; i < m.dyn.count; ++i)
      if (dyn[i].tag == tag) found = &dyn[i];
    return found;
  };
  for (int64_t tag : kAlways)
    if (elf::Dyn* e = last(tag)) e->val += m.base;
  for (int64_t tag : kUnlessZero)
    if (elf::Dyn* e = last(tag); e != nullptr && e->val != 0) e->val += m.base;
}

}  // namespace

LoadError DecodeModule(Module& m) {
  // The TLS initialisation image (PT_TLS, taken by AdoptImage) is copied
  // into every thread's block: it must fit the block and lie in the object.
  // glibc 2.36 fails an assertion on the first, reads past on the second.
  if (m.tls_memsz != 0) {
    if (m.tls_filesz > m.tls_memsz) return {"ELF TLS segment has p_filesz greater than p_memsz"};
    const Addr tls_vaddr = reinterpret_cast<uint64_t>(m.tls_image) - m.base;
    if (m.tls_filesz != 0 && !InImage(m, tls_vaddr, m.tls_filesz)) return {"ELF TLS segment is outside the image"};
  }
  if (m.dynamic == nullptr) return {};
  elf::DynamicInfo& d = m.dyn;
  size_t max_entries = 0;
  for (unsigned i = 0; i < m.phnum; ++i)
    if (m.phdr[i].type == PT_DYNAMIC) max_entries = m.phdr[i].memsz / sizeof(elf::Dyn);
  if (const char* e = elf::DecodeDynamic(m.dynamic, max_entries, d)) return {e};

  // Strings first: everything else names them.
  elf::SymbolTable& st = m.symtab;
  if (d.strtab) {
    if (d.strsz == 0 || !InImage(m, d.strtab, d.strsz)) return {"DT_STRTAB is outside the image"};
    st.strtab = At<char>(m, d.strtab);
    st.strsz = d.strsz;
    if (st.strtab[st.strsz - 1] != 0) return {"DT_STRTAB is not NUL-terminated"};
  } else if (d.needed_count || d.soname != d.kNoString) {
    return {"object has no DT_STRTAB"};
  }
  if (d.soname != d.kNoString && (m.soname = st.String(d.soname)) == nullptr)
    return {"DT_SONAME is outside DT_STRTAB"};
  if (d.rpath != d.kNoString && st.String(d.rpath) == nullptr) return {"DT_RPATH is outside DT_STRTAB"};
  if (d.runpath != d.kNoString && st.String(d.runpath) == nullptr)
    return {"DT_RUNPATH is outside DT_STRTAB"};
  for (size_t i = 0; i < d.count; ++i)
    if (m.dynamic[i].tag == DT_NEEDED && st.String(m.dynamic[i].val) == nullptr)
      return {"DT_NEEDED is outside DT_STRTAB"};

  // Hash tables decide how many symbols exist.
  uint32_t nsyms = 0;
  if (d.gnu_hash) {
    if (!InImage(m, d.gnu_hash, 16)) return {"DT_GNU_HASH is outside the image"};
    const auto* h = At<uint32_t>(m, d.gnu_hash);
    elf::GnuHashTable& t = st.gnu;
    t.nbuckets = h[0];
    t.symoffset = h[1];
    t.bloom_size = h[2];
    t.bloom_shift = h[3];
    if (t.nbuckets == 0 || t.bloom_size == 0 || (t.bloom_size & (t.bloom_size - 1)) != 0)
      return {"DT_GNU_HASH table is malformed"};
    const Addr bloom = d.gnu_hash + 16;
    const Addr buckets = bloom + uint64_t{t.bloom_size} * 8;
    const Addr chain = buckets + uint64_t{t.nbuckets} * 4;
    if (!InImage(m, bloom, chain - bloom)) return {"DT_GNU_HASH is outside the image"};
    t.bloom = At<uint64_t>(m, bloom);
    t.buckets = At<uint32_t>(m, buckets);
    t.chain = At<uint32_t>(m, chain) - 0;
    if (!GnuSymbolCount(m, t, chain, nsyms)) return {"DT_GNU_HASH chain is outside the image"};
    st.has_gnu = true;
  }
  if (d.hash) {
    if (!InImage(m, d.hash, 8)) return {"DT_HASH is outside the image"};
    const auto* h = At<uint32_t>(m, d.hash);
    elf::SysvHashTable& t = st.sysv;
    t.nbucket = h[0];
    t.nchain = h[1];
    if (!InImage(m, d.hash + 8, (uint64_t{t.nbucket} + t.nchain) * 4))
      return {"DT_HASH is outside the image"};
    t.buckets = h + 2;
    t.chains = h + 2 + t.nbucket;
    st.has_sysv = t.nbucket != 0;  // an empty table (no buckets) finds nothing
    if (t.nchain > nsyms) nsyms = t.nchain;
  }
  if (d.symtab) {
    // The hash tables cover defined symbols only; undefined ones may sit
    // past them. Bound the table by the next table that follows it (the
    // linkers place .dynstr, .gnu.version, ... after .dynsym), else by the
    // end of its segment.
    uint64_t limit = ~uint64_t{0};
    for (unsigned i = 0; i < m.phnum; ++i) {
      const elf::Phdr& ph = m.phdr[i];
      if (ph.type == PT_LOAD && d.symtab >= ph.vaddr && d.symtab < ph.vaddr + ph.memsz)
        limit = ph.vaddr + ph.memsz;
    }
    const Addr following[] = {d.strtab, d.versym, d.verdef, d.verneed, d.gnu_hash, d.hash,
                              d.rela,   d.jmprel, d.relr};
    for (Addr a : following)
      if (a > d.symtab && a < limit) limit = a;
    if (limit == ~uint64_t{0}) return {"DT_SYMTAB is outside the image"};
    uint64_t bound = (limit - d.symtab) / sizeof(elf::Sym);
    if (bound > 0xffffffffu) bound = 0xffffffffu;
    if (bound < nsyms) return {"DT_SYMTAB is outside the image"};
    nsyms = static_cast<uint32_t>(bound);
    if (d.versym) {
      // Versions exist for the same symbols; clip to what the image holds.
      while (nsyms > 0 && !InImage(m, d.versym, uint64_t{nsyms} * 2)) {
        uint64_t fit = 0;
        for (unsigned i = 0; i < m.phnum; ++i) {
          const elf::Phdr& ph = m.phdr[i];
          if (ph.type == PT_LOAD && d.versym >= ph.vaddr && d.versym < ph.vaddr + ph.memsz)
            fit = (ph.vaddr + ph.memsz - d.versym) / 2;
        }
        if (fit >= nsyms || fit == 0) return {"DT_VERSYM is outside the image"};
        nsyms = static_cast<uint32_t>(fit);
      }
    }
    if (!InImage(m, d.symtab, uint64_t{nsyms} * sizeof(elf::Sym))) return {"DT_SYMTAB is outside the image"};
    st.syms = At<elf::Sym>(m, d.symtab);
    st.nsyms = nsyms;
    if (st.strtab == nullptr && nsyms > 1) return {"object has DT_SYMTAB but no DT_STRTAB"};
  } else {
    st.has_gnu = st.has_sysv = false;  // a hash table without symbols finds nothing
  }
  if (st.has_gnu && st.gnu.symoffset > nsyms) return {"DT_GNU_HASH table is malformed"};
  // Symbol names are checked where they are read (SymbolTable::String).

  if (d.versym) {
    if (!InImage(m, d.versym, uint64_t{nsyms} * 2)) return {"DT_VERSYM is outside the image"};
    st.versym = At<elf::Half>(m, d.versym);
  }
  if (d.verdef || d.verneed) {
    if (LoadError e = DecodeVersions(m)) return e;
  }

  if (LoadError e = DecodeTable(m, d.rela, d.relasz, m.rela, "DT_RELA is outside the image")) return e;
  if (LoadError e = DecodeTable(m, d.jmprel, d.pltrelsz, m.jmprel, "DT_JMPREL is outside the image"))
    return e;
  if (LoadError e = DecodeTable(m, d.relr, d.relrsz, m.relr, "DT_RELR is outside the image")) return e;
  if (d.init && !InImage(m, d.init, 1)) return {"DT_INIT is outside the image"};
  if (d.fini && !InImage(m, d.fini, 1)) return {"DT_FINI is outside the image"};
  if (d.init_array && !InImage(m, d.init_array, d.init_arraysz)) return {"DT_INIT_ARRAY is outside the image"};
  if (d.fini_array && !InImage(m, d.fini_array, d.fini_arraysz)) return {"DT_FINI_ARRAY is outside the image"};
  if (d.preinit_array && !InImage(m, d.preinit_array, d.preinit_arraysz))
    return {"DT_PREINIT_ARRAY is outside the image"};
  RelocateDynamic(m);
  return {};
}

}  // namespace rtld
