#include "tools/symcache/elfsyms.h"

#include "rtld/elf/notes.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace symcache {

namespace {

rtld::elf::symcache::ObjectKey KeyOf(const struct stat& st) {
  rtld::elf::symcache::ObjectKey k;
  k.dev = st.st_dev;
  k.ino = st.st_ino;
  k.size = static_cast<uint64_t>(st.st_size);
  k.mtime_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
  k.ctime_ns = static_cast<uint64_t>(st.st_ctim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_ctim.tv_nsec);
  return k;
}

// Reads [off, off + len) of the file (pread: a file truncated under us is a
// short read, not a SIGBUS as a mapping would give).
bool ReadAt(int fd, uint64_t file_size, uint64_t off, uint64_t len, std::vector<unsigned char>* buf) {
  if (off > file_size || len > file_size - off || len > (256u << 20)) return false;
  buf->resize(len);
  uint64_t done = 0;
  while (done < len) {
    const ssize_t r = pread(fd, buf->data() + done, len - done, static_cast<off_t>(off + done));
    if (r <= 0) return false;
    done += static_cast<uint64_t>(r);
  }
  return true;
}

template <typename T>
const T* At(const std::vector<unsigned char>& b, uint64_t off) {
  if (off > b.size() || sizeof(T) > b.size() - off) return nullptr;
  return reinterpret_cast<const T*>(b.data() + off);  // vector storage: malloc-aligned; callers keep off aligned
}

const char* Str(const std::vector<unsigned char>& strtab, uint64_t i) {
  if (i >= strtab.size()) return nullptr;
  const char* s = reinterpret_cast<const char*>(strtab.data() + i);
  return memchr(s, 0, strtab.size() - i) ? s : nullptr;
}

bool Parse(int fd, uint64_t file_size, ElfSymbols* out) {
  std::vector<unsigned char> ehbuf, shbuf, symbuf, strbuf, vsbuf, vdbuf;
  if (!ReadAt(fd, file_size, 0, sizeof(Elf64_Ehdr), &ehbuf)) return false;
  const Elf64_Ehdr* eh = At<Elf64_Ehdr>(ehbuf, 0);
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum == 0)
    return false;
  const unsigned shnum = eh->e_shnum;
  if (!ReadAt(fd, file_size, eh->e_shoff, uint64_t{shnum} * sizeof(Elf64_Shdr), &shbuf)) return false;
  const Elf64_Shdr* sh = reinterpret_cast<const Elf64_Shdr*>(shbuf.data());
  const Elf64_Shdr *dynsym = nullptr, *versym = nullptr, *verdef = nullptr;
  for (unsigned i = 0; i < shnum; ++i) {
    if (sh[i].sh_type == SHT_DYNSYM && !dynsym) dynsym = &sh[i];
    if (sh[i].sh_type == SHT_GNU_versym && !versym) versym = &sh[i];
    if (sh[i].sh_type == SHT_GNU_verdef && !verdef) verdef = &sh[i];
  }
  if (!dynsym || dynsym->sh_link >= shnum || dynsym->sh_entsize != sizeof(Elf64_Sym)) return false;
  const uint64_t nsyms = dynsym->sh_size / sizeof(Elf64_Sym);
  if (nsyms > (1u << 24)) return false;
  if (!ReadAt(fd, file_size, dynsym->sh_offset, nsyms * sizeof(Elf64_Sym), &symbuf)) return false;
  const Elf64_Shdr& strsec = sh[dynsym->sh_link];
  if (!ReadAt(fd, file_size, strsec.sh_offset, strsec.sh_size, &strbuf)) return false;
  const Elf64_Sym* syms = reinterpret_cast<const Elf64_Sym*>(symbuf.data());
  const Elf64_Half* vs = nullptr;
  if (versym && ReadAt(fd, file_size, versym->sh_offset, nsyms * 2, &vsbuf))
    vs = reinterpret_cast<const Elf64_Half*>(vsbuf.data());
  // Version names by index, from the definitions (only defined symbols are
  // indexed, so requirements do not matter).
  std::vector<std::string> vnames;
  if (verdef && vs && ReadAt(fd, file_size, verdef->sh_offset, verdef->sh_size, &vdbuf)) {
    uint64_t off = 0;
    for (unsigned k = 0; k < 65536; ++k) {
      const Elf64_Verdef* vd = (off % 4 == 0) ? At<Elf64_Verdef>(vdbuf, off) : nullptr;
      if (!vd) break;
      const uint64_t aoff = off + vd->vd_aux;
      const Elf64_Verdaux* va = (aoff % 4 == 0) ? At<Elf64_Verdaux>(vdbuf, aoff) : nullptr;
      if (va && (vd->vd_flags & VER_FLG_BASE) == 0) {
        const char* nm = Str(strbuf, va->vda_name);
        const unsigned ndx = vd->vd_ndx & 0x7fff;
        if (nm) {
          if (vnames.size() <= ndx) vnames.resize(ndx + 1);
          vnames[ndx] = nm;
        }
      }
      if (vd->vd_next == 0) break;
      off += vd->vd_next;
    }
  }
  out->syms.assign(nsyms, ElfSymbol());
  for (uint64_t i = 1; i < nsyms; ++i) {
    const Elf64_Sym& s = syms[i];
    ElfSymbol& e = out->syms[i];
    const char* nm = Str(strbuf, s.st_name);
    if (!nm) continue;
    e.name = nm;
    const unsigned bind = ELF64_ST_BIND(s.st_info), vis = ELF64_ST_VISIBILITY(s.st_other);
    e.exported = s.st_shndx != SHN_UNDEF && (bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE) &&
                 (vis == STV_DEFAULT || vis == STV_PROTECTED);
    if (vs) {
      const unsigned ndx = vs[i] & 0x7fff;
      e.default_version = (vs[i] & 0x8000) == 0;
      if (ndx >= 2 && ndx < vnames.size() && !vnames[ndx].empty()) {
        e.version = vnames[ndx];
        e.has_version = true;
      }
    }
  }
  return true;
}

}  // namespace

// The build-ID hash the loader computes (rtld::elf::symcache::BuildIdHash of
// the NT_GNU_BUILD_ID descriptor found through PT_NOTE), or 0.
uint64_t FileBuildId(int fd, uint64_t file_size) {
  std::vector<unsigned char> ehbuf, phbuf, note;
  if (!ReadAt(fd, file_size, 0, sizeof(Elf64_Ehdr), &ehbuf)) return 0;
  const Elf64_Ehdr* eh = At<Elf64_Ehdr>(ehbuf, 0);
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_phentsize != sizeof(Elf64_Phdr))
    return 0;
  if (!ReadAt(fd, file_size, eh->e_phoff, uint64_t{eh->e_phnum} * sizeof(Elf64_Phdr), &phbuf)) return 0;
  for (unsigned i = 0; i < eh->e_phnum; ++i) {
    const Elf64_Phdr* ph = At<Elf64_Phdr>(phbuf, i * sizeof(Elf64_Phdr));
    if (ph->p_type != PT_NOTE || ph->p_filesz == 0 || ph->p_filesz > 4096) continue;
    if (!ReadAt(fd, file_size, ph->p_offset, ph->p_filesz, &note)) continue;
    const char* p = reinterpret_cast<const char*>(note.data());
    uint64_t h = 0;
    if (rtld::elf::FindBuildIdNote(p, p + note.size(), [&](const char* desc, uint32_t n) {
          h = rtld::elf::symcache::BuildIdHash(desc, n);
        }))
      return h;
  }
  return 0;
}

bool StatKey(const std::string& path, rtld::elf::symcache::ObjectKey* key) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return false;
  }
  *key = KeyOf(st);
  if (S_ISREG(st.st_mode)) key->build_id = FileBuildId(fd, static_cast<uint64_t>(st.st_size));
  close(fd);
  return true;
}

namespace {
bool SameFile(int fd, const struct stat& st, const rtld::elf::symcache::ObjectKey& want) {
  rtld::elf::symcache::ObjectKey k = KeyOf(st);
  if (want.build_id != 0) k.build_id = FileBuildId(fd, static_cast<uint64_t>(st.st_size));
  return rtld::elf::symcache::SameObject(k, want);
}
}  // namespace

bool ReadElfSymbols(const std::string& path, const rtld::elf::symcache::ObjectKey* want_key, ElfSymbols* out) {
  out->syms.clear();
  // (Non-blocking: a path that became a FIFO must not hang the daemon.)
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return false;
  struct stat st;
  bool ok = false;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      (want_key == nullptr || SameFile(fd, st, *want_key))) {
    ok = Parse(fd, static_cast<uint64_t>(st.st_size), out);
  }
  close(fd);
  return ok;
}

}  // namespace symcache
