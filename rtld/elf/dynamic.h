// Decoding of a PT_DYNAMIC array into the values the loader uses. Pure:
// addresses stay link-time virtual addresses (vaddr); the caller turns them
// into pointers after checking them against the object's mapped image.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "rtld/elf/types.h"

namespace rtld::elf {

struct DynamicInfo {
  // Addresses (vaddr) of tables; 0 = absent.
  Addr strtab = 0, symtab = 0, hash = 0, gnu_hash = 0;
  Addr rela = 0, jmprel = 0, relr = 0, rel = 0;
  Addr init = 0, fini = 0, init_array = 0, fini_array = 0, preinit_array = 0;
  Addr versym = 0, verdef = 0, verneed = 0, pltgot = 0;
  // Sizes and counts.
  Xword strsz = 0, syment = 0, relasz = 0, relaent = 0, relacount = 0, pltrelsz = 0;
  Xword pltrel = 0, relrsz = 0, relrent = 0, relsz = 0;
  Xword init_arraysz = 0, fini_arraysz = 0, preinit_arraysz = 0;
  Xword verdefnum = 0, verneednum = 0;
  // String-table offsets; kNoString = absent.
  static constexpr Xword kNoString = ~Xword{0};
  Xword soname = kNoString, rpath = kNoString, runpath = kNoString;
  unsigned needed_count = 0;
  unsigned filter_count = 0;  // DT_FILTER and DT_AUXILIARY entries
  Xword flags = 0, flags_1 = 0;
  bool symbolic = false, textrel = false, bind_now = false;
  // Index in the array of the DT_DEBUG entry (its value is written with the
  // r_debug address), or -1.
  long debug_index = -1;
  size_t count = 0;  // entries before DT_NULL
};

// Decodes up to max_entries entries (the PT_DYNAMIC size / 16). Returns
// nullptr on success or a description of what is malformed.
inline const char* DecodeDynamic(const Dyn* dyn, size_t max_entries, DynamicInfo& out) {
  size_t i = 0;
  for (; i < max_entries && dyn[i].tag != DT_NULL; ++i) {
    const Xword v = dyn[i].val;
    switch (dyn[i].tag) {
      case DT_NEEDED: ++out.needed_count; break;
      case DT_PLTRELSZ: out.pltrelsz = v; break;
      case DT_PLTGOT: out.pltgot = v; break;
      case DT_HASH: out.hash = v; break;
      case DT_STRTAB: out.strtab = v; break;
      case DT_SYMTAB: out.symtab = v; break;
      case DT_RELA: out.rela = v; break;
      case DT_RELASZ: out.relasz = v; break;
      case DT_RELAENT: out.relaent = v; break;
      case DT_STRSZ: out.strsz = v; break;
      case DT_SYMENT: out.syment = v; break;
      case DT_INIT: out.init = v; break;
      case DT_FINI: out.fini = v; break;
      case DT_SONAME: out.soname = v; break;
      case DT_RPATH: out.rpath = v; break;
      case DT_SYMBOLIC: out.symbolic = true; break;
      case DT_REL: out.rel = v; break;
      case DT_RELSZ: out.relsz = v; break;
      case DT_PLTREL: out.pltrel = v; break;
      case DT_DEBUG: out.debug_index = static_cast<long>(i); break;
      case DT_TEXTREL: out.textrel = true; break;
      case DT_JMPREL: out.jmprel = v; break;
      case DT_BIND_NOW: out.bind_now = true; break;
      case DT_INIT_ARRAY: out.init_array = v; break;
      case DT_FINI_ARRAY: out.fini_array = v; break;
      case DT_INIT_ARRAYSZ: out.init_arraysz = v; break;
      case DT_FINI_ARRAYSZ: out.fini_arraysz = v; break;
      case DT_RUNPATH: out.runpath = v; break;
      case DT_FLAGS:
        out.flags = v;
        if (v & DF_SYMBOLIC) out.symbolic = true;
        if (v & DF_TEXTREL) out.textrel = true;
        if (v & DF_BIND_NOW) out.bind_now = true;
        break;
      case DT_PREINIT_ARRAY: out.preinit_array = v; break;
      case DT_PREINIT_ARRAYSZ: out.preinit_arraysz = v; break;
      case 35: out.relrsz = v; break;   // DT_RELRSZ
      case 36: out.relr = v; break;     // DT_RELR
      case 37: out.relrent = v; break;  // DT_RELRENT
      case DT_GNU_HASH: out.gnu_hash = v; break;
      case DT_VERSYM: out.versym = v; break;
      case DT_RELACOUNT: out.relacount = v; break;
      case DT_FLAGS_1:
        out.flags_1 = v;
        if (v & DF_1_NOW) out.bind_now = true;
        break;
      case DT_VERDEF: out.verdef = v; break;
      case DT_VERDEFNUM: out.verdefnum = v; break;
      case DT_VERNEED: out.verneed = v; break;
      case DT_VERNEEDNUM: out.verneednum = v; break;
      case DT_FILTER:
      case DT_AUXILIARY: ++out.filter_count; break;
      default: break;  // unknown tags are ignored, as the gABI allows
    }
  }
  out.count = i;
  if (out.relaent != 0 && out.relaent != sizeof(Rela)) return "unsupported DT_RELAENT";
  if (out.syment != 0 && out.syment != sizeof(Sym)) return "unsupported DT_SYMENT";
  if (out.relrent != 0 && out.relrent != sizeof(Relr)) return "unsupported DT_RELRENT";
  if (out.jmprel != 0 && out.pltrel != DT_RELA) return "unsupported DT_PLTREL";
  if (out.rel != 0 && out.relsz != 0) return "DT_REL relocations are not used on x86-64";
  if (out.relacount > out.relasz / sizeof(Rela)) return "DT_RELACOUNT exceeds DT_RELASZ";
  return nullptr;
}

// RELR (SHT_RELR) decoding: an even entry is an address to relocate, an odd
// entry a bitmap of the 63 words following the last address. Calls
// fn(offset) for each relocated word's link-time address.
template <typename Fn>
constexpr void ForEachRelr(const Relr* relr, size_t count, Fn&& fn) {
  Addr where = 0;
  for (size_t i = 0; i < count; ++i) {
    const Relr e = relr[i];
    if ((e & 1) == 0) {
      fn(e);
      where = e + sizeof(Addr);
    } else {
      Addr p = where;
      for (Relr bits = e >> 1; bits != 0; bits >>= 1, p += sizeof(Addr))
        if (bits & 1) fn(p);
      where += 63 * sizeof(Addr);
    }
  }
}

}  // namespace rtld::elf
