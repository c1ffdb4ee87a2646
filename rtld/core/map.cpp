#include "rtld/core/map.h"

#include "rtld/core/state.h"
#include "rtld/core/symcache.h"
#include "rtld/support/string.h"

namespace rtld {

namespace {

using elf::Phdr;

int ProtOf(const Phdr& ph) {
  int prot = 0;
  if (ph.flags & PF_R) prot |= sys::kProtRead;
  if (ph.flags & PF_W) prot |= sys::kProtWrite;
  if (ph.flags & PF_X) prot |= sys::kProtExec;
  return prot;
}

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// Whether [vaddr, vaddr + size) lies in the file-backed part of one PT_LOAD.
bool LoadsCover(const Phdr* phdr, unsigned phnum, uint64_t vaddr, uint64_t size) {
  for (unsigned i = 0; i < phnum; ++i) {
    const Phdr& ph = phdr[i];
    if (ph.type == PT_LOAD && vaddr >= ph.vaddr && vaddr + size >= vaddr &&
        vaddr + size <= ph.vaddr + ph.filesz)
      return true;
  }
  return false;
}

// Zero-fills [start, end) of a segment past its file data: the rest of the
// last file page in place, whole pages with an anonymous mapping.
LoadError ZeroFill(uint64_t start, uint64_t end, int prot, uint64_t page) {
  const uint64_t page_end = (start + page - 1) & ~(page - 1);
  const uint64_t zero_end = (end + page - 1) & ~(page - 1);
  if (page_end > start) {
    const uint64_t stop = page_end < end ? page_end : end;
    if ((prot & sys::kProtWrite) == 0) {
      // A read-only segment with a BSS tail: open the page briefly.
      sys::Mprotect(reinterpret_cast<void*>(start & ~(page - 1)), page, prot | sys::kProtWrite);
      support::MemSet(reinterpret_cast<void*>(start), 0, stop - start);
      sys::Mprotect(reinterpret_cast<void*>(start & ~(page - 1)), page, prot);
    } else {
      support::MemSet(reinterpret_cast<void*>(start), 0, stop - start);
    }
  }
  if (zero_end > page_end) {
    long r = sys::Mmap(reinterpret_cast<void*>(page_end), zero_end - page_end, prot,
                       sys::kMapPrivate | sys::kMapAnonymous | sys::kMapFixed, -1, 0);
    if (sys::MmapFailed(r)) return {"cannot map zero-fill pages", static_cast<int>(-r)};
  }
  return {};
}

}  // namespace

void SetFileKey(Module& m, const sys::Stat& st) {
  m.dev = st.dev;
  m.ino = st.ino;
  m.size = static_cast<uint64_t>(st.size);
  m.mtime_ns = st.mtime * 1000000000ull + st.mtime_ns;
  m.ctime_ns = st.ctime * 1000000000ull + st.ctime_ns;
}

bool InImage(const Module& m, uint64_t vaddr, uint64_t size) {
  if (vaddr + size < vaddr) return false;
  for (unsigned i = 0; i < m.phnum; ++i) {
    const Phdr& ph = m.phdr[i];
    if (ph.type == PT_LOAD && vaddr >= ph.vaddr && vaddr + size <= ph.vaddr + ph.memsz) return true;
  }
  return false;
}

void AdoptImage(Module& m, uint64_t base, const Phdr* phdr, uint16_t phnum) {
  m.base = base;
  m.lm.l_addr = base;
  m.phdr = phdr;
  m.phnum = phnum;
  uint64_t lo = ~uint64_t{0}, hi = 0;
  for (unsigned i = 0; i < phnum; ++i) {
    const Phdr& ph = phdr[i];
    switch (ph.type) {
      case PT_LOAD:
        if (ph.vaddr < lo) lo = ph.vaddr;
        if (ph.vaddr + ph.memsz > hi) hi = ph.vaddr + ph.memsz;
        break;
      case PT_DYNAMIC:
        m.dynamic = reinterpret_cast<const elf::Dyn*>(base + ph.vaddr);
        break;
      case PT_GNU_RELRO:
        m.relro_start = base + ph.vaddr;
        m.relro_size = ph.memsz;
        break;
      case PT_GNU_STACK:
        m.wants_exec_stack = (ph.flags & PF_X) != 0;
        break;
      case PT_TLS:
        if (ph.memsz == 0) break;  // an empty block is no TLS at all (glibc)
        m.tls_image = reinterpret_cast<const void*>(base + ph.vaddr);
        m.tls_filesz = ph.filesz;
        m.tls_memsz = ph.memsz;
        m.tls_align = ph.align ? ph.align : 1;
        m.tls_firstbyte = (0 - ph.vaddr) & (m.tls_align - 1);
        break;
      default:
        break;
    }
  }
  m.map_start = base + (lo & ~uint64_t{g.page_size - 1});
  m.map_end = base + hi;
  m.lm.l_ld = m.dynamic;
}

LoadError MapSegments(int fd, const sys::Stat& st, const FileHead& head, Module& m) {
  const auto& eh = *reinterpret_cast<const elf::Ehdr*>(head.bytes);
  const uint64_t page = g.page_size;
  const uint64_t file_size = static_cast<uint64_t>(st.size);

  // Program headers: from the bytes already read, else read them.
  const uint64_t ph_bytes = uint64_t{eh.phnum} * sizeof(Phdr);
  if (eh.phoff > file_size || ph_bytes > file_size - eh.phoff)
    return {"cannot read file data", 0, true};
  const Phdr* phdr;
  Phdr* buf = nullptr;
  if (eh.phoff + ph_bytes <= head.size && (eh.phoff % 8) == 0) {
    phdr = reinterpret_cast<const Phdr*>(head.bytes + eh.phoff);
  } else {
    buf = static_cast<Phdr*>(g.arena.Allocate(ph_bytes, 8));
    if (buf == nullptr) return {"cannot allocate memory for program header", 12};
    long r = sys::Pread(fd, buf, ph_bytes, eh.phoff);
    if (r != static_cast<long>(ph_bytes))
      return {"cannot read file data", r < 0 ? static_cast<int>(-r) : 0, true};
    phdr = buf;
  }

  // Validate the load commands (glibc's rules and wording where it has them).
  uint64_t lo = ~uint64_t{0}, hi = 0, max_align = page;
  unsigned nload = 0;
  bool has_dynamic = false;
  uint64_t prev_end = 0;
  for (unsigned i = 0; i < eh.phnum; ++i) {
    const Phdr& ph = phdr[i];
    if (ph.type == PT_DYNAMIC) {
      if (ph.filesz == 0) return {"object file has no dynamic section"};
      has_dynamic = true;
    }
    if (ph.type == PT_TLS && ph.memsz != 0 && ph.align != 0 && !IsPowerOfTwo(ph.align))
      return {"ELF TLS segment alignment is not a power of two"};
    if (ph.type != PT_LOAD) continue;
    // As glibc 2.36: only the page congruence of p_offset and p_vaddr
    // matters; p_align (1, say, or not a power of two) only asks for more
    // alignment of the whole mapping when it is a larger power of two.
    if (((ph.vaddr - ph.offset) & (page - 1)) != 0)
      return {"ELF load command address/offset not page-aligned"};
    if (ph.filesz > ph.memsz) return {"ELF load command has p_filesz greater than p_memsz"};
    if (ph.offset > file_size || ph.filesz > file_size - ph.offset)
      return {"ELF load command extends past the end of the file"};
    if (ph.vaddr + ph.memsz < ph.vaddr || ph.vaddr + ph.memsz > (uint64_t{1} << 47))
      return {"ELF load command address is out of range"};
    if (nload > 0 && ph.vaddr < prev_end) return {"ELF load commands are not sorted or overlap"};
    prev_end = ph.vaddr + ph.memsz;
    if (ph.memsz == 0) continue;
    if (ph.vaddr < lo) lo = ph.vaddr;
    if (ph.vaddr + ph.memsz > hi) hi = ph.vaddr + ph.memsz;
    if (IsPowerOfTwo(ph.align) && ph.align > max_align) max_align = ph.align;
    ++nload;
  }
  if (nload == 0) return {"object file has no loadable segments"};
  if (!has_dynamic) return {"object file has no dynamic section"};
  if (eh.type != ET_DYN && !m.is_program) return {"cannot dynamically load executable"};

  lo &= ~(page - 1);
  const uint64_t span = ((hi + page - 1) & ~(page - 1)) - lo;
  const bool fixed = eh.type == ET_EXEC;

  // ET_DYN: one mapping covers the whole span. With no alignment beyond a
  // page it is the first segment itself, mapped long (glibc's way, one mmap
  // fewer); otherwise an aligned PROT_NONE reservation. The other segments
  // are then mapped over it at fixed addresses. ET_EXEC: fixed addresses.
  uint64_t base = 0;
  const Phdr* first_mapped = nullptr;
  bool holes_mapped_from_file = false;
  if (symcache::WantKeys()) {
    m.build_id = symcache::BuildIdInFile(fd, head, phdr, eh.phnum);
    SetFileKey(m, st);
  }
  if (!fixed) {
    const Phdr* first = nullptr;
    for (unsigned i = 0; i < eh.phnum && first == nullptr; ++i)
      if (phdr[i].type == PT_LOAD && phdr[i].memsz != 0) first = &phdr[i];
    // A layout (symbol-cache images) may ask for a fixed place: taken only
    // if free (MAP_FIXED_NOREPLACE; a kernel before 4.17 treats the address
    // as a hint, so the result is compared), else anywhere.
    const uint64_t want = m.is_program ? 0 : symcache::Placement(m, lo, span, max_align);
    if (max_align <= page && first->filesz > 0 && (first->vaddr & ~(page - 1)) == lo) {
      long r = -1;
      if (want != 0) {
        r = sys::Mmap(reinterpret_cast<void*>(want), span, ProtOf(*first), sys::kMapPrivate | sys::kMapFixedNoreplace,
                      fd, first->offset & ~(page - 1));
        if (!sys::MmapFailed(r) && static_cast<uint64_t>(r) != want) sys::Munmap(reinterpret_cast<void*>(r), span);
        if (sys::MmapFailed(r) || static_cast<uint64_t>(r) != want) r = -1;
        symcache::Placed(m, r != -1);
      }
      if (r == -1) r = sys::Mmap(nullptr, span, ProtOf(*first), sys::kMapPrivate, fd, first->offset & ~(page - 1));
      if (sys::MmapFailed(r)) return {"failed to map segment from shared object", static_cast<int>(-r)};
      base = static_cast<uint64_t>(r) - lo;
      first_mapped = first;
      holes_mapped_from_file = true;
    } else {
      long r = -1;
      if (want != 0 && (want & (max_align - 1)) == 0) {
        r = sys::Mmap(reinterpret_cast<void*>(want), span, sys::kProtNone,
                      sys::kMapPrivate | sys::kMapAnonymous | sys::kMapFixedNoreplace, -1, 0);
        if (!sys::MmapFailed(r) && static_cast<uint64_t>(r) != want) sys::Munmap(reinterpret_cast<void*>(r), span);
        if (sys::MmapFailed(r) || static_cast<uint64_t>(r) != want) r = -1;
        symcache::Placed(m, r != -1);
      } else if (want != 0) {
        symcache::Placed(m, false);
      }
      if (r != -1) {
        base = want - lo;
      } else {
        const uint64_t extra = max_align > page ? max_align - page : 0;
        r = sys::Mmap(nullptr, span + extra, sys::kProtNone, sys::kMapPrivate | sys::kMapAnonymous, -1, 0);
        if (sys::MmapFailed(r)) return {"failed to map segment from shared object", static_cast<int>(-r)};
        const uint64_t start = static_cast<uint64_t>(r);
        const uint64_t aligned = (start + max_align - 1) & ~(max_align - 1);
        if (aligned > start) sys::Munmap(reinterpret_cast<void*>(start), aligned - start);
        if (start + span + extra > aligned + span)
          sys::Munmap(reinterpret_cast<void*>(aligned + span), start + span + extra - (aligned + span));
        base = aligned - lo;
      }
    }
  }

  uint64_t prev_page_end = lo;
  for (unsigned i = 0; i < eh.phnum; ++i) {
    const Phdr& ph = phdr[i];
    if (ph.type != PT_LOAD || ph.memsz == 0) continue;
    const int prot = ProtOf(ph);
    const uint64_t map_start = ph.vaddr & ~(page - 1);
    const uint64_t file_end = ph.vaddr + ph.filesz;
    const uint64_t map_end = (file_end + page - 1) & ~(page - 1);
    // A gap between segments must not stay mapped from the file.
    if (holes_mapped_from_file && map_start > prev_page_end)
      sys::Mprotect(reinterpret_cast<void*>(base + prev_page_end), map_start - prev_page_end, sys::kProtNone);
    prev_page_end = (ph.vaddr + ph.memsz + page - 1) & ~(page - 1);
    if (ph.filesz > 0 && &ph != first_mapped) {
      long r = sys::Mmap(reinterpret_cast<void*>(base + map_start), map_end - map_start, prot,
                         sys::kMapPrivate | sys::kMapFixed, fd, ph.offset & ~(page - 1));
      if (sys::MmapFailed(r))
        return {"failed to map segment from shared object", static_cast<int>(-r)};
    }
    if (ph.memsz > ph.filesz) {
      uint64_t zero_start = base + file_end;
      if (ph.filesz == 0) zero_start = base + map_start;  // nothing mapped from the file
      LoadError e = ZeroFill(zero_start, base + ph.vaddr + ph.memsz, prot, page);
      if (e) return e;
    }
  }

  // Program headers inside the image (PT_PHDR, or the PT_LOAD that holds
  // e_phoff), else a copy; either way the table read is the validated one.
  const Phdr* runtime_phdr = nullptr;
  for (unsigned i = 0; i < eh.phnum; ++i) {
    if (phdr[i].type == PT_PHDR) {
      if (!LoadsCover(phdr, eh.phnum, phdr[i].vaddr, ph_bytes)) return {"PT_PHDR is outside the loaded segments"};
      runtime_phdr = reinterpret_cast<const Phdr*>(base + phdr[i].vaddr);
    }
  }
  if (runtime_phdr == nullptr) {
    for (unsigned i = 0; i < eh.phnum; ++i) {
      const Phdr& ph = phdr[i];
      if (ph.type == PT_LOAD && eh.phoff >= ph.offset && eh.phoff + ph_bytes <= ph.offset + ph.filesz)
        runtime_phdr = reinterpret_cast<const Phdr*>(base + ph.vaddr + (eh.phoff - ph.offset));
    }
  }
  if (runtime_phdr == nullptr ||
      support::MemCmp(runtime_phdr, phdr, ph_bytes) != 0) {  // must be the table we validated
    auto* copy = static_cast<Phdr*>(g.arena.Allocate(ph_bytes, 8));
    if (copy == nullptr) return {"cannot allocate memory for program header", 12};
    support::MemCpy(copy, phdr, ph_bytes);
    runtime_phdr = copy;
    m.phdr_owned = true;
  }
  g.arena.Free(buf);
  AdoptImage(m, base, runtime_phdr, eh.phnum);
  m.entry = base + eh.entry;
  SetFileKey(m, st);
  if (m.dynamic != nullptr) {
    for (unsigned i = 0; i < m.phnum; ++i) {
      const Phdr& ph = m.phdr[i];
      if (ph.type == PT_DYNAMIC && !InImage(m, ph.vaddr, ph.memsz < 16 ? 16 : ph.memsz))
        return {"dynamic section is outside the loaded segments"};
    }
  }
  return {};
}

}  // namespace rtld
