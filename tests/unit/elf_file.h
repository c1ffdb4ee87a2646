// A hosted reader of real ELF files for the unit tests: the whole file in
// memory, its section headers, dynamic symbols with their versions, and an
// rtld::elf::SymbolTable assembled from the sections. It reads through
// glibc's <elf.h> types (Elf64_*), not rtld's, so the two readings of a file
// are independent.
#pragma once

#include <dlfcn.h>
#include <elf.h>
#include <gnu/libc-version.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <string>
#include <vector>

#include "rtld/elf/symbols.h"

namespace unit {

// Path of the fixture library built by tests/unit/meson.build.
#ifndef RTLD_UNIT_FIXTURE
#error "RTLD_UNIT_FIXTURE must name the fixture library"
#endif
inline const char* FixturePath() { return RTLD_UNIT_FIXTURE; }

// Path of the libc.so.6 this process runs with (via dladdr, so it is the
// file glibc's loader actually mapped).
inline std::string LibcPath() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&gnu_get_libc_version), &info) == 0 ||
      info.dli_fname == nullptr)
    return "/lib/x86_64-linux-gnu/libc.so.6";
  return info.dli_fname;
}

// Runs a command and returns its standard output ("" if it cannot run).
inline std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (f == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  pclose(f);
  return out;
}

inline bool ReadWholeFile(const std::string& path, std::vector<uint64_t>& words, size_t& size) {
  FILE* f = fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  fseek(f, 0, SEEK_END);
  const long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (len < 0) {
    fclose(f);
    return false;
  }
  size = static_cast<size_t>(len);
  words.assign((size + 7) / 8 + 1, 0);  // 8-byte aligned, NUL-padded
  const size_t got = fread(words.data(), 1, size, f);
  fclose(f);
  return got == size;
}

class ElfFile {
 public:
  struct DynSym {
    uint32_t index;
    std::string name;
    std::string version;  // "" for index 0/1
    uint16_t versym;      // raw .gnu.version entry (0 if none)
    const Elf64_Sym* sym;
  };

  bool Load(const std::string& path) {
    path_ = path;
    if (!ReadWholeFile(path, words_, size_)) return false;
    if (size_ < sizeof(Elf64_Ehdr)) return false;
    const Elf64_Ehdr& eh = ehdr();
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
      return false;
    if (eh.e_shoff == 0 || eh.e_shoff + uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr) > size_)
      return false;
    return true;
  }

  const std::string& path() const { return path_; }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(words_.data()); }
  size_t size() const { return size_; }
  const Elf64_Ehdr& ehdr() const { return *reinterpret_cast<const Elf64_Ehdr*>(data()); }

  template <typename T>
  const T* At(uint64_t offset) const {
    return reinterpret_cast<const T*>(data() + offset);
  }

  const Elf64_Shdr* Shdrs() const { return At<Elf64_Shdr>(ehdr().e_shoff); }
  const Elf64_Shdr* Section(uint32_t type) const {
    for (unsigned i = 0; i < ehdr().e_shnum; ++i)
      if (Shdrs()[i].sh_type == type) return &Shdrs()[i];
    return nullptr;
  }
  const Elf64_Shdr* SectionNamed(const char* name) const {
    const Elf64_Shdr& names = Shdrs()[ehdr().e_shstrndx];
    for (unsigned i = 0; i < ehdr().e_shnum; ++i)
      if (strcmp(At<char>(names.sh_offset + Shdrs()[i].sh_name), name) == 0) return &Shdrs()[i];
    return nullptr;
  }
  const Elf64_Phdr* Phdrs() const { return At<Elf64_Phdr>(ehdr().e_phoff); }

  // File offset of a virtual address inside some PT_LOAD, or 0.
  uint64_t OffsetOf(uint64_t vaddr) const {
    for (unsigned i = 0; i < ehdr().e_phnum; ++i) {
      const Elf64_Phdr& p = Phdrs()[i];
      if (p.p_type == PT_LOAD && vaddr >= p.p_vaddr && vaddr < p.p_vaddr + p.p_filesz)
        return vaddr - p.p_vaddr + p.p_offset;
    }
    return 0;
  }

  const Elf64_Shdr* dynsym() const { return Section(SHT_DYNSYM); }
  const char* dynstr() const { return At<char>(Shdrs()[dynsym()->sh_link].sh_offset); }
  uint32_t nsyms() const { return static_cast<uint32_t>(dynsym()->sh_size / sizeof(Elf64_Sym)); }
  const Elf64_Sym* syms() const { return At<Elf64_Sym>(dynsym()->sh_offset); }
  const uint16_t* versym() const {
    const Elf64_Shdr* s = Section(SHT_GNU_versym);
    return s ? At<uint16_t>(s->sh_offset) : nullptr;
  }

  // Version index -> version name, hash and hidden flag as glibc's
  // _dl_check_map_versions records them (definitions except the base
  // version; requirements with their hidden bit).
  std::vector<rtld::elf::Version> Versions() const {
    std::vector<rtld::elf::Version> v(2);
    auto at = [&](size_t ndx) -> rtld::elf::Version& {
      if (v.size() <= ndx) v.resize(ndx + 1);
      return v[ndx];
    };
    if (const Elf64_Shdr* d = Section(SHT_GNU_verdef)) {
      const char* str = At<char>(Shdrs()[d->sh_link].sh_offset);
      uint64_t off = d->sh_offset;
      for (;;) {
        const Elf64_Verdef* vd = At<Elf64_Verdef>(off);
        if ((vd->vd_flags & VER_FLG_BASE) == 0) {
          const Elf64_Verdaux* aux = At<Elf64_Verdaux>(off + vd->vd_aux);
          rtld::elf::Version& e = at(vd->vd_ndx & 0x7fff);
          e.name = str + aux->vda_name;
          e.hash = vd->vd_hash;
        }
        if (vd->vd_next == 0) break;
        off += vd->vd_next;
      }
    }
    if (const Elf64_Shdr* n = Section(SHT_GNU_verneed)) {
      const char* str = At<char>(Shdrs()[n->sh_link].sh_offset);
      uint64_t off = n->sh_offset;
      for (;;) {
        const Elf64_Verneed* vn = At<Elf64_Verneed>(off);
        uint64_t aoff = off + vn->vn_aux;
        for (unsigned k = 0; k < vn->vn_cnt; ++k) {
          const Elf64_Vernaux* a = At<Elf64_Vernaux>(aoff);
          rtld::elf::Version& e = at(a->vna_other & 0x7fff);
          e.name = str + a->vna_name;
          e.hash = a->vna_hash;
          e.hidden = (a->vna_other & 0x8000) != 0;
          e.filename = str + vn->vn_file;
          if (a->vna_next == 0) break;
          aoff += a->vna_next;
        }
        if (vn->vn_next == 0) break;
        off += vn->vn_next;
      }
    }
    return v;
  }

  std::vector<DynSym> DynamicSymbols() const {
    std::vector<DynSym> out;
    const auto versions = Versions();
    const uint16_t* vs = versym();
    for (uint32_t i = 1; i < nsyms(); ++i) {
      const uint16_t raw = vs ? vs[i] : 0;
      const uint16_t ndx = raw & 0x7fff;
      std::string ver = ndx < versions.size() && versions[ndx].name ? versions[ndx].name : "";
      out.push_back({i, dynstr() + syms()[i].st_name, ver, raw, &syms()[i]});
    }
    return out;
  }

  // An rtld SymbolTable over this file's sections. `versions` must outlive
  // the table.
  rtld::elf::SymbolTable Table(const std::vector<rtld::elf::Version>& versions, bool use_gnu = true,
                               bool use_sysv = true) const {
    rtld::elf::SymbolTable t;
    t.syms = At<rtld::elf::Sym>(dynsym()->sh_offset);
    t.nsyms = nsyms();
    const Elf64_Shdr& str = Shdrs()[dynsym()->sh_link];
    t.strtab = At<char>(str.sh_offset);
    t.strsz = str.sh_size;
    if (const Elf64_Shdr* g = Section(SHT_GNU_HASH); g && use_gnu) {
      const uint32_t* h = At<uint32_t>(g->sh_offset);
      t.has_gnu = true;
      t.gnu.nbuckets = h[0];
      t.gnu.symoffset = h[1];
      t.gnu.bloom_size = h[2];
      t.gnu.bloom_shift = h[3];
      t.gnu.bloom = At<uint64_t>(g->sh_offset + 16);
      t.gnu.buckets = At<uint32_t>(g->sh_offset + 16 + uint64_t{h[2]} * 8);
      t.gnu.chain = t.gnu.buckets + h[0];
    }
    if (const Elf64_Shdr* s = Section(SHT_HASH); s && use_sysv) {
      const uint32_t* h = At<uint32_t>(s->sh_offset);
      t.has_sysv = true;
      t.sysv.nbucket = h[0];
      t.sysv.nchain = h[1];
      t.sysv.buckets = h + 2;
      t.sysv.chains = h + 2 + h[0];
    }
    t.versym = reinterpret_cast<const rtld::elf::Half*>(versym());
    t.versions = versions.data();
    t.nversions = static_cast<uint32_t>(versions.size());
    return t;
  }

 private:
  std::string path_;
  std::vector<uint64_t> words_;
  size_t size_ = 0;
};

}  // namespace unit
