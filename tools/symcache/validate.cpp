#include "tools/symcache/validate.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "arch/x86_64/reloc.h"
#include "rtld/elf/notes.h"
#include "rtld/elf/symcache.h"
#include "tools/symcache/elfimage.h"
#include "tools/symcache/elfsyms.h"
#include "tools/symcache/runner.h"

namespace symcache {

namespace {

namespace elf = rtld::elf;
namespace sc = rtld::elf::symcache;
using rtld::arch::RelocKind;

constexpr uint64_t kPage = sc::kImagePage;
constexpr size_t kMaxCheckedBinds = size_t{4} << 20;
constexpr uint64_t kMaxCheckedBytes = uint64_t{2} << 30;

std::string HexStr(uint64_t v) {
  char b[24];
  snprintf(b, sizeof b, "0x%" PRIx64, v);
  return b;
}

sc::ObjectKey StatKeyOf(const struct stat& st) {
  sc::ObjectKey k;
  k.dev = st.st_dev;
  k.ino = st.st_ino;
  k.size = static_cast<uint64_t>(st.st_size);
  k.mtime_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
  k.ctime_ns = static_cast<uint64_t>(st.st_ctim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_ctim.tv_nsec);
  return k;
}

// One object of the recording, read from its file.
struct Object {
  RecObject* rec = nullptr;
  bool is_loader = false;
  ElfImage image;
  // Per symbol index: the kinds of relocations that reference it.
  enum : uint8_t { kData = 1, kPlt = 2, kCopy = 4 };
  std::vector<uint8_t> referenced;
};

struct Definition {
  int object = -1;  // -1: none
  uint32_t symndx = 0;
  bool operator==(const Definition& o) const { return object == o.object && symndx == o.symndx; }
};

// The loader's lookup for the initial objects (rtld/core/lookup.cpp's
// LookupReference over the global scope), on the files.
class Lookup {
 public:
  explicit Lookup(std::vector<std::unique_ptr<Object>>& objects) : objects_(objects) {}

  const elf::Version* RequiredVersion(const Object& from, uint32_t symndx) const {
    const elf::SymbolTable& st = from.image.symtab;
    if (st.versym == nullptr || st.versions == nullptr) return nullptr;
    const uint32_t ndx = st.versym[symndx] & elf::kVersymIndexMask;
    if (ndx >= st.nversions) return nullptr;
    const elf::Version* v = &st.versions[ndx];
    return v->hash != 0 && v->name != nullptr ? v : nullptr;
  }

  // plt: a PLT-class relocation (arch::IsPltKind); copy: R_*_COPY (the
  // program itself is skipped). Unique symbols are taken as found (the
  // loader's first instance is the first found in scope order for every
  // object that is not DT_SYMBOLIC; anything else does not check out).
  Definition Resolve(int from_index, uint32_t symndx, bool plt, bool copy) const {
    const Object& from = *objects_[from_index];
    const elf::Sym& ref = from.image.symtab.syms[symndx];
    const char* name = from.image.symtab.SymbolName(ref);
    if (name == nullptr) return {};
    elf::HashedName hn(name);
    const elf::Version* version = RequiredVersion(from, symndx);
    Definition d;
    if (from.image.dyn.symbolic && !copy) d = FindIn(from_index, hn, version, plt);
    if (d.object < 0) {
      for (int i = 0; i < static_cast<int>(objects_.size()) && d.object < 0; ++i) {
        if (copy && i == 0) continue;
        if (!objects_[i]->image.symtab.MayDefine(hn.gnu)) continue;
        d = FindIn(i, hn, version, plt);
      }
    }
    if (d.object >= 0 && d.object != from_index && ref.visibility() == STV_PROTECTED && ref.defined() && !copy)
      d = {from_index, symndx};
    return d;
  }

 private:
  Definition FindIn(int i, elf::HashedName& name, const elf::Version* version, bool plt) const {
    const int64_t k = objects_[i]->image.symtab.Find(name, version, plt, false);
    if (k < 0) return {};
    return {i, static_cast<uint32_t>(k)};
  }

  std::vector<std::unique_ptr<Object>>& objects_;
};

// Whether st is the file at path.
bool SameFile(const struct stat& st, const std::string& path) {
  struct stat other;
  return stat(path.c_str(), &other) == 0 && other.st_dev == st.st_dev && other.st_ino == st.st_ino;
}

// The key the loader gives itself (rtld/core/symcache.cpp KeyOf): its
// build ID's first 16 bytes in mtime_ns and ctime_ns, the rest zero.
bool LoaderKey(const ElfImage& img, sc::ObjectKey* key) {
  *key = sc::ObjectKey();
  for (const elf::Phdr& ph : img.phdrs) {
    if (ph.type != PT_NOTE || !img.InImage(ph.vaddr, ph.memsz)) continue;
    const char* p = reinterpret_cast<const char*>(img.At(ph.vaddr));
    uint64_t id[2] = {0, 0};
    if (elf::FindBuildIdNote(p, p + ph.memsz, [&](const char* desc, uint32_t n) { memcpy(id, desc, n < 16 ? n : 16); })) {
      key->mtime_ns = id[0];
      key->ctime_ns = id[1];
      return true;
    }
  }
  return false;
}

uint64_t Word(const ElfImage& img, uint64_t vaddr) {
  uint64_t v = 0;
  if (img.InImage(vaddr, 8)) memcpy(&v, img.At(vaddr), 8);
  return v;
}

// The writable, file-backed pages of an object: what the recording read
// (A: as mapped, with the image runs over it) and what relocation at the
// layout gives (E), and the bytes a patch rewrites at start (don't care).
class WritablePages {
 public:
  explicit WritablePages(const ElfImage& img) {
    for (const elf::Phdr& ph : img.phdrs) {
      if (ph.type != PT_LOAD || (ph.flags & PF_W) == 0 || ph.filesz == 0) continue;
      Range r;
      r.start = ph.vaddr & ~(kPage - 1);
      r.end = (ph.vaddr + ph.filesz + kPage - 1) & ~(kPage - 1);
      r.actual.assign(img.At(r.start), img.At(r.start) + (r.end - r.start));
      r.expected = r.actual;
      r.dont_care.assign(r.end - r.start, 0);
      ranges_.push_back(std::move(r));
    }
  }
  // E's bytes at [vaddr, vaddr + n), or nullptr outside the pages.
  uint8_t* Expected(uint64_t vaddr, uint64_t n) {
    Range* r = Find(vaddr, n);
    return r ? &r->expected[vaddr - r->start] : nullptr;
  }
  bool Overlay(uint64_t vaddr, const std::string& bytes) {
    Range* r = Find(vaddr, bytes.size());
    if (r == nullptr) return false;
    memcpy(&r->actual[vaddr - r->start], bytes.data(), bytes.size());
    return true;
  }
  void DontCare(uint64_t vaddr, uint64_t n) {
    const uint64_t end = vaddr + n < vaddr ? ~uint64_t{0} : vaddr + n;  // (n from the file: any size)
    for (Range& r : ranges_) {
      const uint64_t from = std::max(vaddr, r.start), to = std::min(end, r.end);
      for (uint64_t v = from; v < to; ++v) r.dont_care[v - r.start] = 1;
    }
  }
  // The first address where A and E differ (outside don't care), or 0.
  uint64_t FirstDifference() const {
    for (const Range& r : ranges_)
      for (uint64_t i = 0; i < r.actual.size(); ++i)
        if (r.actual[i] != r.expected[i] && !r.dont_care[i]) return r.start + i;
    return 0;
  }

 private:
  struct Range {
    uint64_t start = 0, end = 0;
    std::vector<uint8_t> actual, expected, dont_care;
  };
  Range* Find(uint64_t vaddr, uint64_t n) {
    for (Range& r : ranges_)
      if (vaddr >= r.start && vaddr + n >= vaddr && vaddr + n <= r.end) return &r;
    return nullptr;
  }
  std::vector<Range> ranges_;
};

// The width a relocation of this kind writes at start.
uint64_t WidthOf(RelocKind k, const ElfImage& img, uint32_t symndx) {
  switch (k) {
    case RelocKind::kPc32:
    case RelocKind::kAbs32:
    case RelocKind::kAbs32S: return 4;
    case RelocKind::kTlsdesc: return 16;
    case RelocKind::kCopy:
      return symndx < img.symtab.nsyms ? img.symtab.syms[symndx].size : 0;
    default: return 8;
  }
}

class ImageCheck {
 public:
  ImageCheck(std::vector<std::unique_ptr<Object>>& objects, const Lookup& lookup)
      : objects_(objects), lookup_(lookup) {}

  // Why object i's image does not hold, or "" if it does.
  std::string Check(int i) {
    Object& o = *objects_[i];
    const ElfImage& img = o.image;
    const RecObject& rec = *o.rec;
    const uint64_t bias = rec.bias;
    if (o.is_loader || i == 0 || img.dyn.textrel) return "an image for an object that cannot have one";
    WritablePages pages(img);
    current_ = &pages;
    for (const RecRun& run : rec.runs)
      if (!img.InWritableFilePages(run.vaddr, uint64_t{run.npages} * kPage) || !pages.Overlay(run.vaddr, run.bytes))
        return "an image run outside the writable pages";
    // The patches: each one of the object's own relocations (or the word a
    // RELR entry or a lazily bound PLT slot relocates by the load bias),
    // found in one pass over the tables (memory for the patches only).
    std::map<uint64_t, size_t> patch_at;  // offset -> index
    for (size_t k = 0; k < rec.patches.size(); ++k)
      if (!patch_at.emplace(rec.patches[k].offset, k).second) return "two patches at " + HexStr(rec.patches[k].offset);
    std::vector<bool> genuine(rec.patches.size(), false);
    auto lazy_at = [&](size_t k) { return k < rec.patch_lazy.size() && rec.patch_lazy[k]; };
    auto relative_of_file_word = [&](const sc::Patch& p) {
      return p.info == rtld::arch::kRelocRelative && static_cast<uint64_t>(p.addend) == Word(img, p.offset);
    };
    for (const elf::Table<elf::Rela>* t : {&img.rela, &img.jmprel})
      for (const elf::Rela& r : *t) {
        const auto it = patch_at.find(r.offset);
        if (it == patch_at.end()) continue;
        const sc::Patch& p = rec.patches[it->second];
        if (lazy_at(it->second)
                ? t == &img.jmprel && rtld::arch::KindOf(r.type()) == RelocKind::kJumpSlot && relative_of_file_word(p)
                : p.info == r.info && p.addend == r.addend)
          genuine[it->second] = true;
      }
    elf::ForEachRelr(img.relr.data, img.relr.count, [&](uint64_t v) {
      const auto it = patch_at.find(v);
      if (it != patch_at.end() && !lazy_at(it->second) && relative_of_file_word(rec.patches[it->second]))
        genuine[it->second] = true;
    });
    for (size_t k = 0; k < rec.patches.size(); ++k) {
      const sc::Patch& p = rec.patches[k];
      if (!genuine[k]) return "patch at " + HexStr(p.offset) + " is not one of the object's relocations";
      pages.DontCare(p.offset, WidthOf(rtld::arch::KindOf(static_cast<uint32_t>(p.info)), img,
                                       static_cast<uint32_t>(p.info >> 32)));
    }
    // PLT slots left lazy: GOT[1] and GOT[2] are set at start.
    if (rec.lazy_plt && img.dyn.pltgot != 0) pages.DontCare(img.dyn.pltgot + 8, 16);
    // E: the dynamic section's addresses (RelocateDynamic), then every
    // relocation in the loader's order.
    if (std::string why = RelocateDynamic(img, bias, &pages); !why.empty()) return why;
    std::string why;
    elf::ForEachRelr(img.relr.data, img.relr.count, [&](uint64_t v) {
      if (!why.empty() || patch_at.count(v)) return;
      uint8_t* at = pages.Expected(v, 8);
      if (at == nullptr) {
        why = "a relocation outside the image is not patched";
        return;
      }
      uint64_t w;
      memcpy(&w, at, 8);
      w += bias;
      memcpy(at, &w, 8);
    });
    if (!why.empty()) return why;
    for (const elf::Table<elf::Rela>* t : {&img.rela, &img.jmprel})
      for (const elf::Rela& r : *t) {
        why = Apply(i, r, patch_at);
        if (!why.empty()) return why;
      }
    if (const uint64_t at = pages.FirstDifference(); at != 0)
      return "the image differs from the relocated file at " + HexStr(at);
    return "";
  }

 private:
  // As rtld/core/module.cpp's RelocateDynamic for an object placed at bias.
  std::string RelocateDynamic(const ElfImage& img, uint64_t bias, WritablePages* pages) {
    bool flagged = false, writable = false;
    const uint64_t size = img.dyn.count * sizeof(elf::Dyn);
    for (const elf::Phdr& ph : img.phdrs) {
      if (ph.type == PT_DYNAMIC) flagged = (ph.flags & PF_W) != 0;
      if (ph.type == PT_LOAD && (ph.flags & PF_W) != 0 && img.dynamic_vaddr >= ph.vaddr &&
          img.dynamic_vaddr + size <= ph.vaddr + ph.memsz)
        writable = true;
    }
    if (!flagged || !writable || bias == 0) return "";
    constexpr int64_t kDtRelr = 36;  // DT_RELR
    constexpr int64_t kAlways[] = {DT_HASH, DT_PLTGOT, DT_STRTAB, DT_SYMTAB, kDtRelr, DT_JMPREL, DT_VERSYM, DT_GNU_HASH};
    constexpr int64_t kUnlessZero[] = {DT_RELA, DT_REL};
    auto last = [&](int64_t tag) -> int64_t {
      int64_t found = -1;
      for (size_t k = 0; k < img.dyn.count; ++k) {
        elf::Dyn d;
        memcpy(&d, img.At(img.dynamic_vaddr + k * sizeof(elf::Dyn)), sizeof d);
        if (d.tag == tag) found = static_cast<int64_t>(k);
      }
      return found;
    };
    auto add = [&](int64_t k, bool unless_zero) -> bool {
      const uint64_t at = img.dynamic_vaddr + static_cast<uint64_t>(k) * sizeof(elf::Dyn) + 8;
      uint8_t* e = pages->Expected(at, 8);
      if (e == nullptr) return false;
      uint64_t v;
      memcpy(&v, e, 8);
      if (unless_zero && v == 0) return true;
      v += bias;
      memcpy(e, &v, 8);
      return true;
    };
    for (int64_t tag : kAlways)
      if (const int64_t k = last(tag); k >= 0 && !add(k, false)) return "the dynamic section is outside the image";
    for (int64_t tag : kUnlessZero)
      if (const int64_t k = last(tag); k >= 0 && !add(k, true)) return "the dynamic section is outside the image";
    return "";
  }

  // Writes relocation r of object i into E, or says why its value cannot
  // be part of an image (then it must have been patched).
  std::string Apply(int i, const elf::Rela& r, const std::map<uint64_t, size_t>& patched) {
    Object& o = *objects_[i];
    const ElfImage& img = o.image;
    const RelocKind kind = rtld::arch::KindOf(r.type());
    if (kind == RelocKind::kNone) return "";
    if (patched.count(r.offset)) return "";
    const std::string where = "relocation at " + HexStr(r.offset);
    if (kind == RelocKind::kRelative) return Store(o, kind, r, o.rec->bias, where);
    if (kind != RelocKind::kAbsolute && kind != RelocKind::kGlobDat && kind != RelocKind::kJumpSlot &&
        kind != RelocKind::kPc32 && kind != RelocKind::kAbs32 && kind != RelocKind::kAbs32S)
      return where + " is not patched";
    const uint32_t symndx = r.symndx();
    if (symndx == 0) return Store(o, kind, r, 0, where);
    if (symndx >= img.symtab.nsyms) return where + ": symbol index out of range";
    const elf::Sym& ref = img.symtab.syms[symndx];
    if (ref.bind() == STB_LOCAL) return Store(o, kind, r, o.rec->bias + ref.value, where);
    const Definition d = lookup_.Resolve(i, symndx, rtld::arch::IsPltKind(kind), false);
    if (d.object < 0) {
      if (ref.bind() == STB_WEAK) return Store(o, kind, r, 0, where);
      return where + ": undefined and not patched";
    }
    const Object& def = *objects_[d.object];
    const elf::Sym& s = def.image.symtab.syms[d.symndx];
    if (s.type() == STT_GNU_IFUNC && s.shndx != SHN_UNDEF) return where + ": an IFUNC result is not patched";
    uint64_t base;
    if (s.shndx == SHN_ABS) base = 0;
    else if (def.rec->bias != 0) base = def.rec->bias;
    else if (d.object == 0 && def.image.type == ET_EXEC) base = 0;
    else return where + ": refers to an object the layout does not place, and is not patched";
    return Store(o, kind, r, base + s.value, where);
  }

  std::string Store(Object& o, RelocKind kind, const elf::Rela& r, uint64_t value, const std::string& where) {
    const uint64_t width = kind == RelocKind::kPc32 || kind == RelocKind::kAbs32 || kind == RelocKind::kAbs32S ? 4 : 8;
    uint8_t* e = current_->Expected(r.offset, width);
    if (e == nullptr) return where + " is outside the image and not patched";
    // (Kinds whose value is S ignore the addend: rtld::arch::Store.)
    if (!rtld::arch::Store(kind, e, value, kind == RelocKind::kJumpSlot ? 0 : r.addend, o.rec->bias + r.offset))
      return where + ": the value does not fit";
    return "";
  }

  std::vector<std::unique_ptr<Object>>& objects_;
  const Lookup& lookup_;
  WritablePages* current_ = nullptr;  // the object being checked
};

}  // namespace

ValidationResult ValidateRecording(const ValidationInput& in, Recording* rec) {
  ValidationResult res;
  auto fail = [&](const std::string& why) {
    res.error = why;
    return res;
  };
  if (rec->env_hash != in.env_hash) return fail("the environment hash is not the one of the environment given");
  if (rec->objects.empty()) return fail("no objects");
  // The daemon checks one recording at a time: bounded work. (The largest
  // programs bind tens of thousands of symbols and read a few hundred MB.)
  if (rec->binds.size() > kMaxCheckedBinds) return fail("too many bindings to check");
  uint64_t read_budget = kMaxCheckedBytes;
  // The objects, each from its file.
  std::vector<std::unique_ptr<Object>> objects;
  std::set<std::pair<uint64_t, uint64_t>> seen;
  bool loader_seen = false;
  for (size_t i = 0; i < rec->objects.size(); ++i) {
    RecObject& ro = rec->objects[i];
    auto o = std::make_unique<Object>();
    o->rec = &ro;
    const std::string what = "object " + std::to_string(i) + " (" + ro.path + ")";
    o->is_loader = ro.key.dev == 0 && ro.key.ino == 0;
    std::string err;
    int fd;
    if (o->is_loader && (i == 0 || loader_seen)) return fail(what + ": an object without a file");
    loader_seen |= o->is_loader;
    fd = in.open(ro.path, &err);
    if (fd < 0) return fail(what + ": " + err);
    struct stat st, st2;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (!ok) {
      close(fd);
      return fail(what + ": not a regular file");
    }
    // The recording loader keys itself by its build ID alone, which anyone
    // can write into a file of theirs: its symbols are read only from the
    // loader we ran or a file only root can have written.
    if (o->is_loader && !SameFile(st, in.loader) && (st.st_uid != 0 || (st.st_mode & 022) != 0)) {
      close(fd);
      return fail(what + ": the loader is neither " + in.loader + " nor a file only root can write");
    }
    sc::ObjectKey key = StatKeyOf(st);
    key.build_id = FileBuildId(fd, static_cast<uint64_t>(st.st_size));
    ok = o->image.Load(fd, static_cast<uint64_t>(st.st_size), ro.nsyms, &err, &read_budget);
    // Read while the file stayed as it was keyed.
    const bool stable = fstat(fd, &st2) == 0 && StatKeyOf(st2) == StatKeyOf(st);
    close(fd);
    if (!ok) return fail(what + ": " + err);
    if (!stable) return fail(what + ": the file changed while it was read");
    if (o->is_loader) {
      if (!LoaderKey(o->image, &key) || !(key == ro.key)) return fail(what + ": not the recording loader");
    } else if (!(key == ro.key)) {
      return fail(what + ": the recorded key is not the file's");
    }
    if (!o->is_loader && !seen.insert({key.dev, key.ino}).second) return fail(what + ": recorded twice");
    // A file someone other than root may have written stands only for
    // itself in the cache: its build ID, size and mtime could be copied
    // from another file whose closure it would then be taken for.
    ro.exact_key = !o->is_loader && (st.st_uid != 0 || (st.st_mode & 022) != 0);
    if (ro.has_soname != (o->image.soname != nullptr) || (ro.has_soname && ro.soname != o->image.soname))
      return fail(what + ": the recorded soname is not the file's");
    objects.push_back(std::move(o));
  }
  // Object 0 is the program asked for.
  {
    std::string err;
    const int fd = in.open(in.program, &err);
    if (fd < 0) return fail("the program " + in.program + ": " + err);
    struct stat st;
    const bool ok = fstat(fd, &st) == 0;
    close(fd);
    sc::ObjectKey k = StatKeyOf(st);
    k.build_id = rec->objects[0].key.build_id;
    if (!ok || !(k == rec->objects[0].key)) return fail("object 0 is not the program asked for");
  }
  // The layout: inside the span drawn, no overlap, only libraries.
  std::vector<std::pair<uint64_t, uint64_t>> placed;
  for (size_t i = 0; i < objects.size(); ++i) {
    const Object& o = *objects[i];
    const uint64_t bias = o.rec->bias;
    if (bias == 0) continue;
    if (in.layout_base == 0) return fail("a placement without a layout");
    const uint64_t start = bias + o.image.lo, end = bias + o.image.hi;
    if (o.is_loader || o.image.type != ET_DYN || start < bias || end < start || start < in.layout_base ||
        end > in.layout_base + kLayoutSpan)
      return fail("object " + std::to_string(i) + " is placed outside the layout's span");
    for (const auto& [s, e] : placed)
      if (start < e && s < end) return fail("object " + std::to_string(i) + " overlaps another");
    placed.push_back({start, end});
  }
  // A filter's filtees go before it in the lookup order, not in the load
  // order the recording lists: the lookups here would not be the loader's.
  for (size_t i = 0; i < objects.size() && res.unchecked.empty(); ++i)
    if (objects[i]->image.dyn.filter_count != 0)
      res.unchecked = "object " + std::to_string(i) + " is a filter (its filtees change the lookup order)";
  if (!res.unchecked.empty()) {
    res.dropped_binds = rec->binds.size();
    rec->binds.clear();
    if (rec->has_images) {
      rec->has_images = false;
      rec->no_images = "not checked: " + res.unchecked;
      for (RecObject& o : rec->objects) {
        o.runs.clear();
        o.patches.clear();
        o.patch_lazy.clear();
        o.imaged = o.lazy_plt = false;
      }
    }
    res.ok = true;
    return res;
  }
  // Bindings: the references each object's relocations make, then each
  // recorded binding against the lookup in the files.
  for (auto& o : objects) {
    o->referenced.assign(o->image.symtab.nsyms, 0);
    for (const elf::Table<elf::Rela>* t : {&o->image.rela, &o->image.jmprel})
      for (const elf::Rela& r : *t) {
        const RelocKind k = rtld::arch::KindOf(r.type());
        const uint32_t s = r.symndx();
        if (k == RelocKind::kNone || k == RelocKind::kRelative || k == RelocKind::kIrelative ||
            k == RelocKind::kUnknown || s == 0 || s >= o->referenced.size())
          continue;
        o->referenced[s] |= k == RelocKind::kCopy ? Object::kCopy : rtld::arch::IsPltKind(k) ? Object::kPlt : Object::kData;
      }
  }
  Lookup lookup(objects);
  std::vector<RecBind> kept;
  for (const RecBind& b : rec->binds) {
    const Object& from = *objects[b.object];
    const uint8_t uses = b.symndx < from.referenced.size() ? from.referenced[b.symndx] : 0;
    const Definition want = b.def_index == sc::kUnresolvedWeak ? Definition{} : Definition{static_cast<int>(b.def_index), b.def_symndx};
    bool good = uses != 0 && from.image.symtab.syms[b.symndx].bind() != STB_LOCAL;
    for (uint8_t bit : {Object::kData, Object::kPlt, Object::kCopy})
      if (good && (uses & bit)) good = lookup.Resolve(b.object, b.symndx, bit == Object::kPlt, bit == Object::kCopy) == want;
    if (good) {
      kept.push_back(b);
      continue;
    }
    if (res.dropped_binds++ == 0) {
      const char* name = from.image.symtab.SymbolName(from.image.symtab.syms[b.symndx]);
      res.dropped_example = "object " + std::to_string(b.object) + " symbol " + std::to_string(b.symndx) + " (" +
                            (name ? name : "?") + ")";
    }
  }
  rec->binds = std::move(kept);
  // Images.
  if (rec->has_images) {
    ImageCheck check(objects, lookup);
    for (size_t i = 0; i < objects.size() && res.images_refused.empty(); ++i) {
      if (!objects[i]->rec->imaged) continue;
      const std::string why = check.Check(static_cast<int>(i));
      if (!why.empty()) res.images_refused = "object " + std::to_string(i) + ": " + why;
    }
    if (!res.images_refused.empty()) {
      rec->has_images = false;
      rec->no_images = "refused: " + res.images_refused;
      for (RecObject& o : rec->objects) {
        o.runs.clear();
        o.patches.clear();
        o.patch_lazy.clear();
        o.imaged = o.lazy_plt = false;
      }
    }
  }
  res.ok = true;
  return res;
}

}  // namespace symcache
