#include "tools/symcache/elfimage.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

namespace symcache {

namespace elf = rtld::elf;

namespace {

constexpr uint64_t kPage = 4096;
// The largest span read: a layout places no object larger (kLayoutSpan).
constexpr uint64_t kMaxSpan = 64ull << 30;

bool PreadAll(int fd, void* buf, uint64_t len, uint64_t off) {
  auto* p = static_cast<char*>(buf);
  uint64_t done = 0;
  while (done < len) {
    const ssize_t r = pread(fd, p + done, len - done, static_cast<off_t>(off + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<uint64_t>(r);
  }
  return true;
}

}  // namespace

ElfImage::~ElfImage() {
  if (mem_ != nullptr) munmap(mem_, hi - lo);
}

bool ElfImage::InImage(uint64_t vaddr, uint64_t size) const {
  if (vaddr + size < vaddr) return false;
  for (size_t i = 0; i < phdrs.size(); ++i) {
    const elf::Phdr& ph = phdrs[i];
    if (ph.type == PT_LOAD && loaded_[i] && vaddr >= ph.vaddr && vaddr + size <= ph.vaddr + ph.memsz) return true;
  }
  return false;
}

bool ElfImage::InBuffer(uint64_t vaddr, uint64_t size) const {
  return vaddr >= lo && vaddr + size >= vaddr && vaddr + size <= hi;
}

bool ElfImage::InWritableFilePages(uint64_t vaddr, uint64_t size) const {
  if (vaddr + size < vaddr) return false;
  for (const elf::Phdr& ph : phdrs) {
    if (ph.type != PT_LOAD || (ph.flags & PF_W) == 0 || ph.filesz == 0) continue;
    const uint64_t start = ph.vaddr & ~(kPage - 1);
    const uint64_t end = (ph.vaddr + ph.filesz + kPage - 1) & ~(kPage - 1);
    if (vaddr >= start && vaddr + size <= end) return true;
  }
  return false;
}

bool ElfImage::Load(int fd, uint64_t file_size, uint32_t nsyms, std::string* error, uint64_t* budget) {
  elf::Ehdr eh;
  if (file_size < sizeof eh || !PreadAll(fd, &eh, sizeof eh, 0)) {
    *error = "cannot read the ELF header";
    return false;
  }
  if (elf::CheckEhdr(eh, file_size).kind != elf::EhdrVerdict::kOk || eh.phentsize != sizeof(elf::Phdr)) {
    *error = "not an ELF object for this machine";
    return false;
  }
  type = eh.type;
  const uint64_t ph_bytes = uint64_t{eh.phnum} * sizeof(elf::Phdr);
  if (eh.phoff > file_size || ph_bytes > file_size - eh.phoff) {
    *error = "the program headers are outside the file";
    return false;
  }
  phdrs.resize(eh.phnum);
  if (ph_bytes != 0 && !PreadAll(fd, phdrs.data(), ph_bytes, eh.phoff)) {
    *error = "cannot read the program headers";
    return false;
  }
  // The load commands, as MapSegments accepts them.
  uint64_t low = ~uint64_t{0}, high = 0, prev_end = 0;
  unsigned nload = 0;
  for (const elf::Phdr& ph : phdrs) {
    if (ph.type == PT_DYNAMIC) {
      has_dynamic = true;
      dynamic_vaddr = ph.vaddr;
    }
    if (ph.type != PT_LOAD) continue;
    if (((ph.vaddr - ph.offset) & (kPage - 1)) != 0 || ph.filesz > ph.memsz || ph.offset > file_size ||
        ph.filesz > file_size - ph.offset || ph.vaddr + ph.memsz < ph.vaddr ||
        ph.vaddr + ph.memsz > (uint64_t{1} << 47) || (nload > 0 && ph.vaddr < prev_end)) {
      *error = "a load command the loader refuses";
      return false;
    }
    prev_end = ph.vaddr + ph.memsz;
    if (ph.memsz == 0) continue;
    if (ph.vaddr < low) low = ph.vaddr;
    if (ph.vaddr + ph.memsz > high) high = ph.vaddr + ph.memsz;
    ++nload;
  }
  if (nload == 0 || !has_dynamic) {
    *error = "no loadable segments or no dynamic section";
    return false;
  }
  lo = low & ~(kPage - 1);
  hi = (high + kPage - 1) & ~(kPage - 1);
  if (hi - lo > kMaxSpan) {
    *error = "the object spans too much address space";
    return false;
  }
  void* m = mmap(nullptr, hi - lo, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) {
    *error = std::string("cannot allocate memory: ") + strerror(errno);
    return false;
  }
  mem_ = static_cast<uint8_t*>(m);
  // Code first left out (the bulk of a big library, and no table lives
  // there in what today's linkers write); all of it if a table does.
  loaded_.assign(phdrs.size(), false);
  if (!ReadSegments(fd, file_size, false, error, budget)) return false;
  std::string first_error;
  if (Decode(nsyms, &first_error)) return true;
  bool skipped = false;
  for (size_t i = 0; i < phdrs.size(); ++i) skipped |= phdrs[i].type == PT_LOAD && phdrs[i].memsz != 0 && !loaded_[i];
  if (!skipped) {
    *error = first_error;
    return false;
  }
  return ReadSegments(fd, file_size, true, error, budget) && Decode(nsyms, error);
}

// Segment by segment, as MapSegments maps them: the file's pages (a later
// segment's over an earlier's), then the zero fill past p_filesz up to
// p_memsz (fresh zero pages beyond the last file page). Without code:
// the segments that are executable and not writable are skipped.
bool ElfImage::ReadSegments(int fd, uint64_t file_size, bool code, std::string* error, uint64_t* budget) {
  for (size_t i = 0; i < phdrs.size(); ++i) {
    const elf::Phdr& ph = phdrs[i];
    if (ph.type != PT_LOAD || ph.memsz == 0) continue;
    loaded_[i] = code || (ph.flags & PF_X) == 0 || (ph.flags & PF_W) != 0;
    if (!loaded_[i]) continue;
    const uint64_t map_start = ph.vaddr & ~(kPage - 1);
    const uint64_t file_end = ph.vaddr + ph.filesz;
    const uint64_t map_end = (file_end + kPage - 1) & ~(kPage - 1);
    if (ph.filesz > 0) {
      const uint64_t off = ph.offset & ~(kPage - 1);
      uint64_t len = map_end - map_start;
      if (off + len > file_size) len = file_size - off;  // the rest of the last page reads as zeros
      if (budget != nullptr) {
        if (len > *budget) {
          *error = "too much to read";
          return false;
        }
        *budget -= len;
      }
      if (!PreadAll(fd, At(map_start), len, off)) {
        *error = "cannot read a segment (the file changed?)";
        return false;
      }
      memset(At(map_start) + len, 0, map_end - map_start - len);
    }
    if (ph.memsz > ph.filesz) {
      const uint64_t zero_start = ph.filesz == 0 ? map_start : file_end;
      const uint64_t end = ph.vaddr + ph.memsz;
      const uint64_t page_end = (zero_start + kPage - 1) & ~(kPage - 1);
      memset(At(zero_start), 0, (page_end < end ? page_end : end) - zero_start);
      const uint64_t zero_end = (end + kPage - 1) & ~(kPage - 1);
      if (zero_end > page_end) memset(At(page_end), 0, zero_end - page_end);
    }
  }
  return true;
}

template <typename T>
bool ElfImage::DecodeTable(uint64_t vaddr, uint64_t size, elf::Table<T>* out) {
  if (vaddr == 0 || size == 0) return true;
  if (size % sizeof(T) != 0 || !InImage(vaddr, size)) return false;
  out->data = reinterpret_cast<const T*>(At(vaddr));
  out->count = size / sizeof(T);
  return true;
}

// DecodeModule's checks, with the symbol count given: a table the loader
// would have refused, or that the count overruns, is an error. So is a
// table not aligned for its entries (no linker writes one; reading it
// would be undefined behaviour here).
bool ElfImage::Decode(uint32_t nsyms, std::string* error) {
  auto fail = [&](const char* what) {
    *error = what;
    return false;
  };
  dyn = elf::DynamicInfo();
  symtab = elf::SymbolTable();
  versions.clear();
  rela = jmprel = elf::Table<elf::Rela>();
  relr = elf::Table<elf::Relr>();
  soname = nullptr;
  for (const elf::Phdr& ph : phdrs)
    if (ph.type == PT_DYNAMIC && !InImage(ph.vaddr, ph.memsz < 16 ? 16 : ph.memsz))
      return fail("the dynamic section is outside the loaded segments");
  if (dynamic_vaddr % 8 != 0) return fail("the dynamic section is not aligned");
  size_t max_entries = 0;
  for (const elf::Phdr& ph : phdrs)
    if (ph.type == PT_DYNAMIC) max_entries = ph.memsz / sizeof(elf::Dyn);
  const auto* dynamic = reinterpret_cast<const elf::Dyn*>(At(dynamic_vaddr));
  if (const char* e = elf::DecodeDynamic(dynamic, max_entries, dyn)) return fail(e);
  if (dyn.gnu_hash % 8 || dyn.hash % 4 || dyn.symtab % 8 || dyn.versym % 2 || dyn.verdef % 4 || dyn.verneed % 4 ||
      dyn.rela % 8 || dyn.jmprel % 8 || dyn.relr % 8)
    return fail("a dynamic table is not aligned");
  elf::SymbolTable& st = symtab;
  if (dyn.strtab) {
    if (dyn.strsz == 0 || !InImage(dyn.strtab, dyn.strsz)) return fail("DT_STRTAB is outside the image");
    st.strtab = reinterpret_cast<const char*>(At(dyn.strtab));
    st.strsz = dyn.strsz;
    if (st.strtab[st.strsz - 1] != 0) return fail("DT_STRTAB is not NUL-terminated");
  }
  if (dyn.soname != dyn.kNoString && (soname = st.String(dyn.soname)) == nullptr)
    return fail("DT_SONAME is outside DT_STRTAB");
  if (dyn.gnu_hash) {
    if (!InImage(dyn.gnu_hash, 16)) return fail("DT_GNU_HASH is outside the image");
    const auto* h = reinterpret_cast<const uint32_t*>(At(dyn.gnu_hash));
    elf::GnuHashTable& t = st.gnu;
    t.nbuckets = h[0];
    t.symoffset = h[1];
    t.bloom_size = h[2];
    t.bloom_shift = h[3];
    if (t.nbuckets == 0 || t.bloom_size == 0 || (t.bloom_size & (t.bloom_size - 1)) != 0 || t.symoffset > nsyms)
      return fail("DT_GNU_HASH table is malformed");
    const uint64_t bloom = dyn.gnu_hash + 16;
    const uint64_t buckets = bloom + uint64_t{t.bloom_size} * 8;
    const uint64_t chain = buckets + uint64_t{t.nbuckets} * 4;
    // The chains as the loader checks them (to the last chain's end), and
    // as far as a lookup may read them (to the symbol count).
    if (!InImage(bloom, chain - bloom) || !InBuffer(chain, (uint64_t{nsyms} - t.symoffset) * 4))
      return fail("DT_GNU_HASH is outside the image");
    uint32_t max = 0;
    for (uint32_t b = 0; b < t.nbuckets; ++b) {
      const uint32_t start = reinterpret_cast<const uint32_t*>(At(buckets))[b];
      if (start > max) max = start;
    }
    for (uint32_t i = max; max >= t.symoffset; ++i) {
      const uint64_t at = chain + (uint64_t{i} - t.symoffset) * 4;
      if (!InImage(at, 4)) return fail("DT_GNU_HASH chain is outside the image");
      if (*reinterpret_cast<const uint32_t*>(At(at)) & 1) break;
    }
    t.bloom = reinterpret_cast<const uint64_t*>(At(bloom));
    t.buckets = reinterpret_cast<const uint32_t*>(At(buckets));
    t.chain = reinterpret_cast<const uint32_t*>(At(chain));
    st.has_gnu = true;
  }
  if (dyn.hash) {
    if (!InImage(dyn.hash, 8)) return fail("DT_HASH is outside the image");
    const auto* h = reinterpret_cast<const uint32_t*>(At(dyn.hash));
    elf::SysvHashTable& t = st.sysv;
    t.nbucket = h[0];
    t.nchain = h[1];
    if (!InImage(dyn.hash + 8, (uint64_t{t.nbucket} + t.nchain) * 4)) return fail("DT_HASH is outside the image");
    t.buckets = h + 2;
    t.chains = h + 2 + t.nbucket;
    st.has_sysv = t.nbucket != 0;
    // Chains index symbols: none past the count.
    if (t.nchain > nsyms) return fail("DT_HASH covers more symbols than recorded");
  }
  if (dyn.symtab) {
    if (!InImage(dyn.symtab, uint64_t{nsyms} * sizeof(elf::Sym))) return fail("DT_SYMTAB is outside the image");
    st.syms = reinterpret_cast<const elf::Sym*>(At(dyn.symtab));
    st.nsyms = nsyms;
    if (st.strtab == nullptr && nsyms > 1) return fail("object has DT_SYMTAB but no DT_STRTAB");
  } else {
    if (nsyms != 0) return fail("no DT_SYMTAB");
    st.has_gnu = st.has_sysv = false;
  }
  if (dyn.versym) {
    if (!InImage(dyn.versym, uint64_t{nsyms} * 2)) return fail("DT_VERSYM is outside the image");
    st.versym = reinterpret_cast<const elf::Half*>(At(dyn.versym));
  }
  if ((dyn.verdef || dyn.verneed) && !DecodeVersions(error)) return false;
  if (!DecodeTable(dyn.rela, dyn.relasz, &rela)) return fail("DT_RELA is outside the image");
  if (!DecodeTable(dyn.jmprel, dyn.pltrelsz, &jmprel)) return fail("DT_JMPREL is outside the image");
  if (!DecodeTable(dyn.relr, dyn.relrsz, &relr)) return fail("DT_RELR is outside the image");
  return true;
}

// rtld/core/module.cpp's DecodeVersions: the table of versions by index,
// definitions (not the base) and requirements.
bool ElfImage::DecodeVersions(std::string* error) {
  const elf::SymbolTable& st = symtab;
  uint32_t max_index = 1;
  constexpr unsigned kMaxEntries = 1 << 16;
  auto fail = [&](const char* what) {
    *error = what;
    return false;
  };
  if (dyn.verdef) {
    uint64_t p = dyn.verdef;
    for (unsigned n = 0; n < dyn.verdefnum && n < kMaxEntries; ++n) {
      if (!InImage(p, sizeof(elf::Verdef)) || p % 4 != 0) return fail("DT_VERDEF is outside the image");
      const auto* vd = reinterpret_cast<const elf::Verdef*>(At(p));
      if ((vd->ndx & elf::kVersymIndexMask) > max_index) max_index = vd->ndx & elf::kVersymIndexMask;
      if (vd->next == 0) break;
      p += vd->next;
    }
  }
  if (dyn.verneed) {
    uint64_t p = dyn.verneed;
    for (unsigned n = 0; n < dyn.verneednum && n < kMaxEntries; ++n) {
      if (!InImage(p, sizeof(elf::Verneed)) || p % 4 != 0) return fail("DT_VERNEED is outside the image");
      const auto* vn = reinterpret_cast<const elf::Verneed*>(At(p));
      uint64_t a = p + vn->aux;
      for (unsigned k = 0; k < vn->cnt; ++k) {
        if (!InImage(a, sizeof(elf::Vernaux)) || a % 4 != 0) return fail("DT_VERNEED is outside the image");
        const auto* va = reinterpret_cast<const elf::Vernaux*>(At(a));
        if ((va->other & elf::kVersymIndexMask) > max_index) max_index = va->other & elf::kVersymIndexMask;
        if (va->next == 0) break;
        a += va->next;
      }
      if (vn->next == 0) break;
      p += vn->next;
    }
  }
  versions.assign(max_index + 1, elf::Version());
  symtab.nversions = max_index + 1;
  symtab.versions = versions.data();
  if (dyn.verdef) {
    uint64_t p = dyn.verdef;
    for (unsigned n = 0; n < dyn.verdefnum && n < kMaxEntries; ++n) {
      const auto* vd = reinterpret_cast<const elf::Verdef*>(At(p));
      if ((vd->flags & VER_FLG_BASE) == 0) {
        if (!InImage(p + vd->aux, sizeof(elf::Verdaux)) || (p + vd->aux) % 4 != 0)
          return fail("DT_VERDEF is outside the image");
        const auto* aux = reinterpret_cast<const elf::Verdaux*>(At(p + vd->aux));
        const char* name = st.String(aux->name);
        if (name == nullptr) return fail("DT_VERDEF names a string outside DT_STRTAB");
        elf::Version& v = versions[vd->ndx & elf::kVersymIndexMask];
        v.name = name;
        v.hash = vd->hash;
      }
      if (vd->next == 0) break;
      p += vd->next;
    }
  }
  if (dyn.verneed) {
    uint64_t p = dyn.verneed;
    for (unsigned n = 0; n < dyn.verneednum && n < kMaxEntries; ++n) {
      const auto* vn = reinterpret_cast<const elf::Verneed*>(At(p));
      const char* file = st.String(vn->file);
      if (file == nullptr) return fail("DT_VERNEED names a string outside DT_STRTAB");
      uint64_t a = p + vn->aux;
      for (unsigned k = 0; k < vn->cnt; ++k) {
        const auto* va = reinterpret_cast<const elf::Vernaux*>(At(a));
        const char* name = st.String(va->name);
        if (name == nullptr) return fail("DT_VERNEED names a string outside DT_STRTAB");
        elf::Version& v = versions[va->other & elf::kVersymIndexMask];
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
  return true;
}

}  // namespace symcache
