#include "rtld/core/search.h"

#include "rtld/core/debug.h"
#include "rtld/core/diag.h"
#include "rtld/core/map.h"
#include "rtld/core/relocate.h"
#include "rtld/core/stack.h"
#include "rtld/core/state.h"
#include "rtld/elf/path.h"
#include "rtld/support/string.h"
#include "rtld/support/sys.h"

namespace rtld {

namespace {

constexpr size_t kPathMax = 4096;
constexpr uint32_t kSetUid = 04000;  // S_ISUID
constexpr const char* kLibToken = "lib/x86_64-linux-gnu";
constexpr const char* kPlatformToken = "x86_64";
// glibc's system search path on Debian x86-64, in order.
constexpr const char* kDefaultDirs[] = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib",
                                        "/usr/lib"};

// Directories known to be missing at this start-up: a failed probe in a
// directory that does not exist skips it for every later name.
struct DirStatus {
  const char* path;
  size_t len;
  bool exists;
  bool checked;  // exists was established by a stat: no need to ask again
};
constexpr unsigned kMaxDirs = 64;
DirStatus g_dirs[kMaxDirs];
unsigned g_ndirs = 0;

// Outcome of trying one candidate file.
enum class Probe { kMissing, kFound, kFatal };

struct Candidate {
  // A preload in secure mode (glibc's __RTLD_SECURE): ld.so.cache is not
  // searched and a file counts only if it is set-user-ID.
  bool setuid_only = false;
  int fd = -1;
  sys::Stat st;
  FileHead head;
  bool other_class = false;  // a file for another class was seen and skipped
  const char* error_path = nullptr;
  const char* error_text = nullptr;
  int error_err = 0;
};

// Opens path and checks its header. kFound leaves cand.fd open.
Probe TryFile(const char* path, Candidate& cand) {
  if (Debugging(kDebugLibs)) DebugLine([&](support::Buffer& b) { b.Str("  trying file=").Str(path); });
  long fd = sys::Open(path, sys::kOpenReadOnly);
  if (fd < 0) return Probe::kMissing;
  long n = sys::Read(static_cast<int>(fd), cand.head.bytes, sizeof cand.head.bytes);
  if (n < 0) {
    sys::Close(static_cast<int>(fd));
    cand.error_text = "cannot read file data";
    cand.error_err = static_cast<int>(-n);
    return Probe::kFatal;
  }
  cand.head.size = static_cast<size_t>(n);
  sys::Fstat(static_cast<int>(fd), &cand.st);
  elf::EhdrVerdict v =
      elf::CheckEhdr(*reinterpret_cast<const elf::Ehdr*>(cand.head.bytes), cand.head.size);
  if (v.kind == elf::EhdrVerdict::kSkip) {
    if (v.message) cand.other_class = true;
    sys::Close(static_cast<int>(fd));
    return Probe::kMissing;
  }
  if (v.kind == elf::EhdrVerdict::kError) {
    sys::Close(static_cast<int>(fd));
    cand.error_text = v.message;
    return Probe::kFatal;
  }
  if (cand.setuid_only && (cand.st.mode & kSetUid) == 0) {
    // glibc ignores such a file as if it were missing and searches on.
    sys::Close(static_cast<int>(fd));
    return Probe::kMissing;
  }
  cand.fd = static_cast<int>(fd);
  return Probe::kFound;
}

// Looks up (creating) the status record of a directory.
DirStatus* FindDir(const char* dir, size_t len) {
  for (unsigned i = 0; i < g_ndirs; ++i)
    if (g_dirs[i].len == len && support::StrNCmp(g_dirs[i].path, dir, len) == 0) return &g_dirs[i];
  if (g_ndirs == kMaxDirs) return nullptr;
  g_dirs[g_ndirs] = {g.arena.Dup(dir, len), len, true, false};
  return &g_dirs[g_ndirs++];
}

// Tries dir/name. `dir` is an expanded directory without trailing slash
// ("" stands for the current directory, as an empty path element does).
Probe TryDir(const char* dir, size_t len, const char* name, char* path_out, Candidate& cand) {
  while (len > 1 && dir[len - 1] == '/') --len;
  DirStatus* status = FindDir(dir, len);
  if (status != nullptr && !status->exists) return Probe::kMissing;
  const size_t name_len = support::StrLen(name);
  size_t o = 0;
  if (len == 0) {
    path_out[o++] = '.';
  } else {
    if (len + name_len + 2 > kPathMax) return Probe::kMissing;
    support::MemCpy(path_out, dir, len);
    o = len;
  }
  if (!(o == 1 && path_out[0] == '/')) path_out[o++] = '/';
  support::MemCpy(path_out + o, name, name_len + 1);
  Probe p = TryFile(path_out, cand);
  if (p == Probe::kMissing && status != nullptr && len > 0 && !status->checked) {
    // Is the directory itself missing? One stat answers for all later names.
    status->checked = true;
    char dir_path[kPathMax];
    support::MemCpy(dir_path, dir, len);
    dir_path[len] = 0;
    sys::Stat st;
    long r = sys::Call(sys::kNewfstatat, -100 /* AT_FDCWD */, reinterpret_cast<long>(dir_path),
                           reinterpret_cast<long>(&st), 0);
    if (r < 0 || (st.mode & sys::kModeTypeMask) != sys::kModeDir) status->exists = false;
  }
  return p;
}

// The values of the dynamic string tokens in `text` as `owner` sees them
// ($ORIGIN computed only when text has a token).
elf::DstValues TokensFor(const char* text, Module* owner) {
  elf::DstValues v{nullptr, kLibToken, kPlatformToken};
  if (support::StrChr(text, '$') != nullptr && owner != nullptr) v.origin = OriginOf(*owner);
  return v;
}

// Searches each element of a colon-separated list, expanding tokens
// relative to `owner` (whose $ORIGIN applies).
Probe TryList(const char* list, const char* separators, Module* owner, const char* name,
              char* path_out, Candidate& cand, const char* source) {
  if (Debugging(kDebugLibs)) {
    DebugLine([&](support::Buffer& b) {
      b.Str(" search path=").Str(list).Str("\t\t(").Str(source);
      if (owner != nullptr && support::StartsWith(source, "R")) b.Str(" from file ").Str(DisplayName(*owner));
      b.Char(')');
    });
  }
  Probe result = Probe::kMissing;
  const elf::DstValues v = TokensFor(list, owner);
  elf::ForEachPathElement(list, separators, [&](const char* start, size_t n) {
    char dir[kPathMax];
    if (elf::ExpandDst(start, n, v, g.secure, dir, sizeof dir) != elf::ExpandResult::kOk) return true;
    result = TryDir(dir, support::StrLen(dir), name, path_out, cand);
    return result == Probe::kMissing;
  });
  return result;
}

const char* RpathOf(const Module& m) {
  return m.dyn.rpath != elf::DynamicInfo::kNoString ? m.symtab.String(m.dyn.rpath) : nullptr;
}
const char* RunpathOf(const Module& m) {
  return m.dyn.runpath != elf::DynamicInfo::kNoString ? m.symtab.String(m.dyn.runpath) : nullptr;
}

void MapLdCache() {
  g.ld_cache_tried = true;
  long fd = sys::Open("/etc/ld.so.cache", sys::kOpenReadOnly);
  if (fd < 0) return;
  sys::Stat st;
  if (sys::Fstat(static_cast<int>(fd), &st) == 0 && st.size > 0) {
    long r = sys::Mmap(nullptr, static_cast<size_t>(st.size), sys::kProtRead, sys::kMapPrivate,
                       static_cast<int>(fd), 0);
    if (!sys::MmapFailed(r)) g.ld_cache.Parse(reinterpret_cast<const void*>(r), static_cast<size_t>(st.size));
  }
  sys::Close(static_cast<int>(fd));
}

// The search proper for a name without a slash.
Probe Search(const char* name, Module* requester, char* path_out, Candidate& cand) {
  Probe p;
  if (Debugging(kDebugLibs))
    DebugLine([&](support::Buffer& b) { b.Str("find library=").Str(name).Str(" [0]; searching"); });
  Module* owner = requester ? requester : g.program;
  // DT_RPATH of the requester and of each object up its loading chain,
  // unless the requester has DT_RUNPATH; then the program's.
  if (RunpathOf(*owner) == nullptr) {
    bool did_program = false;
    for (Module* m = owner; m != nullptr; m = m->loader) {
      if (const char* rp = RpathOf(*m)) {
        if ((p = TryList(rp, ":", m, name, path_out, cand, "RPATH")) != Probe::kMissing) return p;
        did_program |= m == g.program;
      }
    }
    if (!did_program && g.program != nullptr) {
      if (const char* rp = RpathOf(*g.program))
        if ((p = TryList(rp, ":", g.program, name, path_out, cand, "RPATH")) != Probe::kMissing) return p;
    }
  }
  if (g.opt.library_path != nullptr) {
    // LD_LIBRARY_PATH: $ORIGIN here means the program's directory.
    if ((p = TryList(g.opt.library_path, ":;", g.program, name, path_out, cand, "LD_LIBRARY_PATH")) != Probe::kMissing) return p;
  }
  if (const char* rp = RunpathOf(*owner)) {
    if ((p = TryList(rp, ":", owner, name, path_out, cand, "RUNPATH")) != Probe::kMissing) return p;
  }
  const bool nodeflib = (owner->dyn.flags_1 & DF_1_NODEFLIB) != 0;
  if (!g.opt.inhibit_cache && !nodeflib && !cand.setuid_only) {
    if (!g.ld_cache_tried) MapLdCache();
    if (Debugging(kDebugLibs)) DebugLine([](support::Buffer& b) { b.Str(" search cache=/etc/ld.so.cache"); });
    if (const char* cached = g.ld_cache.Find(name)) {
      size_t n = support::StrLen(cached);
      if (n < kPathMax) {
        support::MemCpy(path_out, cached, n + 1);
        if ((p = TryFile(path_out, cand)) != Probe::kMissing) return p;
      }
    }
  }
  if (!nodeflib) {
    if (Debugging(kDebugLibs))
      DebugLine([](support::Buffer& b) {
        b.Str(" search path=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib:/usr/lib\t\t(system search path)");
      });
    for (const char* dir : kDefaultDirs)
      if ((p = TryDir(dir, support::StrLen(dir), name, path_out, cand)) != Probe::kMissing) return p;
  }
  return Probe::kMissing;
}

Module* AlreadyLoaded(const char* name) {
  for (Module* m = g.first; m != nullptr; m = m->next)
    if (NameMatches(*m, name)) return m;
  if (g.rtld != nullptr && !g.rtld->listed && NameMatches(*g.rtld, name)) return g.rtld;
  return nullptr;
}

void AddName(Module& m, const char* name) {
  for (ModuleName* n = m.names; n; n = n->next)
    if (support::StrEq(n->name, name)) return;
  auto* n = g.arena.New<ModuleName>();
  if (n == nullptr) return;
  n->name = g.arena.Dup(name);
  if (m.names == nullptr) {
    m.names = n;
  } else {
    ModuleName* t = m.names;
    while (t->next) t = t->next;
    t->next = n;
  }
}

// Maps and decodes the opened candidate into m and closes it. On failure
// nothing of it stays mapped.
LoadError MapAndDecode(Candidate& cand, Module& m) {
  LoadError e = MapSegments(cand.fd, cand.st, cand.head, m);
  sys::Close(cand.fd);
  if (!e) e = DecodeModule(m);
  if (e && m.map_end > m.map_start)
    sys::Munmap(reinterpret_cast<void*>(m.map_start), m.map_end - m.map_start);
  return e;
}

// Maps the opened candidate as a new module.
Module* MapCandidate(Candidate& cand, const char* path, const char* name, Module* requester,
                     SearchError* error) {
  // The same file reached by another name: one object. Not the program:
  // glibc keeps no file identity for it (as the kernel ran it, or in
  // command mode as the kernel would have), so its file maps anew, and
  // fails as an executable.
  for (Module* m = g.first; m != nullptr; m = m->next) {
    if (m->ino == cand.st.ino && m->dev == cand.st.dev && !m->is_vdso && !m->is_program) {
      sys::Close(cand.fd);
      AddName(*m, name);
      return m;
    }
  }
  // The path as glibc keeps it (its realname): during a dlopen in the glibc
  // personality a copy from the process's allocator, so an interposed
  // malloc sees dlopen allocate, as under glibc, and may itself dlopen
  // (LoadNew allows for that); it frees with the object. Else the arena's.
  char* path_copy = nullptr;
  if (g.dlopen_call != 0 && g.libc_malloc != nullptr) {
    const size_t n = support::StrLen(path) + 1;
    path_copy = static_cast<char*>(g.libc_malloc(n));
    if (path_copy != nullptr) support::MemCpy(path_copy, path, n);
  }
  auto* m = g.arena.New<Module>();
  if (m == nullptr) {
    sys::Close(cand.fd);
    if (path_copy != nullptr) g.libc_free(path_copy);
    *error = {path, "cannot allocate memory", 12};
    return nullptr;
  }
  m->path_malloced = path_copy != nullptr;
  m->path = path_copy != nullptr ? path_copy : g.arena.Dup(path);
  m->lm.l_name = m->path;
  m->loader = requester;
  LoadError e = MapAndDecode(cand, *m);
  if (!e) {
    // What glibc refuses once an object is mapped, before it joins the list.
    if (m->dyn.flags_1 & DF_1_PIE)
      e = {"cannot dynamically load position-independent executable"};
    else if (g.dlopen_call != 0 && (m->dyn.flags_1 & DF_1_NOOPEN))
      e = {"shared object cannot be dlopen()ed"};
    else if (int err = MakeStacksExecutableFor(*m))
      e = {kExecStackError, err};
    if (e) sys::Munmap(reinterpret_cast<void*>(m->map_start), m->map_end - m->map_start);
  }
  if (e) {
    // Errors past the header checks name the object as it was requested.
    *error = {e.reading_headers ? g.arena.Dup(path) : name, e.text, e.err};
    if (m->path_malloced) g.libc_free(const_cast<char*>(m->path));
    else g.arena.Free(const_cast<char*>(m->path));
    if (m->phdr_owned) g.arena.Free(const_cast<elf::Phdr*>(m->phdr));
    g.arena.Free(m->versions);
    g.arena.Free(m);
    return nullptr;
  }
  AddName(*m, name);
  m->load_call = g.dlopen_call;
  AppendModule(m);
  if (Debugging(kDebugFiles)) {
    DebugLine([&](support::Buffer& b) { b.Str("file=").Str(name).Str(" [0];  generating link map"); });
    DebugLine([&](support::Buffer& b) {
      b.Str("  dynamic: ").Ptr(reinterpret_cast<uint64_t>(m->dynamic)).Str("  base: ").Ptr(m->base)
          .Str("   size: ").Ptr(m->map_end - m->map_start);
    });
    DebugLine([&](support::Buffer& b) {
      b.Str("    entry: ").Ptr(m->entry).Str("  phdr: ").Ptr(reinterpret_cast<uint64_t>(m->phdr))
          .Str("  phnum: ").Dec(m->phnum);
    });
  }
  return m;
}

}  // namespace

bool NameMatches(const Module& m, const char* name) {
  if (m.lm.l_name && support::StrEq(m.lm.l_name, name)) return true;
  if (m.soname && support::StrEq(m.soname, name)) return true;
  for (const ModuleName* n = m.names; n; n = n->next)
    if (support::StrEq(n->name, name)) return true;
  return false;
}

void AppendModule(Module* m) {
  m->listed = true;
  ++g.load_adds;
  m->index = g.nmodules++;
  m->prev = g.last;
  m->lm.l_prev = g.last ? &g.last->lm : nullptr;
  if (g.last) {
    g.last->next = m;
    g.last->lm.l_next = &m->lm;
  } else {
    g.first = m;
  }
  g.last = m;
}

void MoveBefore(Module* m, Module* before) {
  if (m->next == before) return;
  // Out of the list...
  if (m->prev) {
    m->prev->next = m->next;
    m->prev->lm.l_next = m->next ? &m->next->lm : nullptr;
  } else {
    g.first = m->next;
  }
  if (m->next) {
    m->next->prev = m->prev;
    m->next->lm.l_prev = m->prev ? &m->prev->lm : nullptr;
  } else {
    g.last = m->prev;
  }
  // ...and back in before `before`.
  m->prev = before->prev;
  m->next = before;
  m->lm.l_prev = m->prev ? &m->prev->lm : nullptr;
  m->lm.l_next = &before->lm;
  if (m->prev) {
    m->prev->next = m;
    m->prev->lm.l_next = &m->lm;
  } else {
    g.first = m;
  }
  before->prev = m;
  before->lm.l_prev = &m->lm;
  // m->index stays its mapping position (the symbol cache's layouts place
  // objects by it as they are mapped).
}

const char* OriginOf(Module& m) {
  if (m.origin_known) return m.origin;
  m.origin_known = true;
  char buf[kPathMax];
  size_t n = 0;
  if (m.is_program && (m.path == nullptr || m.path[0] == 0)) {
    long r = sys::Readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (r <= 0) return nullptr;
    n = static_cast<size_t>(r);
  } else {
    const char* p = m.path;
    if (p == nullptr || p[0] == 0) return nullptr;
    if (p[0] != '/') {
      long r = sys::Getcwd(buf, sizeof buf);
      if (r <= 0) return nullptr;
      n = support::StrLen(buf);
      if (n + 1 >= sizeof buf) return nullptr;
      if (n > 1 || buf[0] != '/') buf[n++] = '/';
    }
    size_t len = support::StrLen(p);
    if (n + len >= sizeof buf) return nullptr;
    support::MemCpy(buf + n, p, len);
    n += len;
  }
  buf[n] = 0;
  // Strip the file name; the root directory keeps its slash.
  const char* slash = support::StrRChr(buf, '/');
  if (slash == nullptr) return nullptr;
  size_t dir_len = slash == buf ? 1 : static_cast<size_t>(slash - buf);
  m.origin = g.arena.Dup(buf, dir_len);
  return m.origin;
}

Module* LoadObject(const char* name, Module* requester, SearchError* error, bool setuid_only) {
  if (Debugging(kDebugFiles) && requester != nullptr)
    DebugLine([&](support::Buffer& b) {
      b.Str("file=").Str(name).Str(" [0];  needed by ").Str(DisplayName(*requester)).Str(" [0]");
    });
  if (Module* m = AlreadyLoaded(name)) {
    if (!m->listed) AppendModule(m);  // the loader joins the list when first needed
    return m;
  }
  Candidate cand;
  cand.setuid_only = setuid_only;
  char path[kPathMax];
  Probe p;
  if (support::StrChr(name, '/') != nullptr) {
    // A name with a slash is a path (tokens expanded), not searched.
    const elf::DstValues v = TokensFor(name, requester ? requester : g.program);
    elf::ExpandResult r = elf::ExpandDst(name, support::StrLen(name), v, g.secure, path, sizeof path);
    if (r != elf::ExpandResult::kOk) {
      *error = {name, "cannot open shared object file", 2};
      return nullptr;
    }
    if (Module* m = AlreadyLoaded(path)) return m;
    p = TryFile(path, cand);
  } else {
    p = Search(name, requester, path, cand);
  }
  if (p == Probe::kFatal) {
    *error = {g.arena.Dup(path), cand.error_text, cand.error_err};
    return nullptr;
  }
  if (p == Probe::kMissing) {
    if (cand.other_class)
      *error = {name, "wrong ELF class: ELFCLASS32", 0};
    else
      *error = {name, "cannot open shared object file", 2};
    return nullptr;
  }
  return MapCandidate(cand, path, name, requester, error);
}

namespace {

// Calls fn for each directory of one search list, tokens expanded, empty
// and unexpandable elements as glibc treats them, duplicates once.
template <typename Fn>
void ForEachListDir(const char* list, const char* separators, Module* owner, Fn&& fn) {
  const elf::DstValues v = TokensFor(list, owner);
  const char* seen[64];
  unsigned nseen = 0;
  elf::ForEachPathElement(list, separators, [&](const char* start, size_t n) {
    char dir[kPathMax];
    if (elf::ExpandDst(start, n, v, g.secure, dir, sizeof dir) != elf::ExpandResult::kOk) return true;
    size_t len = support::StrLen(dir);
    while (len > 1 && dir[len - 1] == '/') --len;
    dir[len] = 0;
    for (unsigned i = 0; i < nseen; ++i)
      if (support::StrEq(seen[i], dir)) return true;
    char* copy = g.arena.Dup(dir, len);
    if (copy != nullptr && nseen < 64) seen[nseen++] = copy;
    fn(dir, len);
    return true;
  });
  for (unsigned i = 0; i < nseen; ++i) g.arena.Free(const_cast<char*>(seen[i]));
}

}  // namespace

void FillSerinfo(Module& loader, Serinfo* si, bool counting) {
  if (counting) {
    si->dls_size = 0;
    si->dls_cnt = 0;
  }
  unsigned idx = 0;
  char* strings = reinterpret_cast<char*>(&si->dls_serpath[si->dls_cnt]);
  auto add = [&](const char* dir, size_t len) {
    if (counting) {
      ++si->dls_cnt;
      si->dls_size += len < 1 ? 2 : len + 1;
      return;
    }
    si->dls_serpath[idx].dls_name = strings;
    si->dls_serpath[idx].dls_flags = 0;
    ++idx;
    if (len == 0) *strings++ = '.';
    support::MemCpy(strings, dir, len);
    strings += len;
    *strings++ = 0;
  };
  if (RunpathOf(loader) == nullptr) {
    for (Module* m = &loader; m != nullptr; m = m->loader)
      if (const char* rp = RpathOf(*m)) ForEachListDir(rp, ":", m, add);
    Module* prog = g.program;
    if (prog != nullptr && prog != &loader && !prog->dlopened)
      if (const char* rp = RpathOf(*prog)) ForEachListDir(rp, ":", prog, add);
  }
  if (g.opt.library_path != nullptr) ForEachListDir(g.opt.library_path, ":;", g.program, add);
  if (const char* rp = RunpathOf(loader)) ForEachListDir(rp, ":", &loader, add);
  if ((loader.dyn.flags_1 & DF_1_NODEFLIB) == 0)
    for (const char* dir : kDefaultDirs) add(dir, support::StrLen(dir));
  if (counting) si->dls_size += reinterpret_cast<char*>(&si->dls_serpath[si->dls_cnt]) - reinterpret_cast<char*>(si);
}

Module* FindLoadedObject(const char* name, Module* requester, SearchError* error) {
  if (Module* m = AlreadyLoaded(name)) return m->listed ? m : nullptr;
  // As glibc, the file is looked for: one not found is an error, one
  // found but not loaded is not.
  Candidate cand;
  char path[kPathMax];
  Probe p;
  if (support::StrChr(name, '/') != nullptr) {
    const elf::DstValues v = TokensFor(name, requester ? requester : g.program);
    if (elf::ExpandDst(name, support::StrLen(name), v, g.secure, path, sizeof path) != elf::ExpandResult::kOk) {
      *error = {name, "cannot open shared object file", 2};
      return nullptr;
    }
    if (Module* m = AlreadyLoaded(path)) return m->listed ? m : nullptr;
    p = TryFile(path, cand);
  } else {
    p = Search(name, requester, path, cand);
  }
  if (p == Probe::kMissing) {
    *error = {name, "cannot open shared object file", 2};
    return nullptr;
  }
  if (p == Probe::kFatal) {
    *error = {g.arena.Dup(path), cand.error_text, cand.error_err};
    return nullptr;
  }
  sys::Close(cand.fd);
  for (Module* m = g.first; m != nullptr; m = m->next)
    if (m->ino == cand.st.ino && m->dev == cand.st.dev && !m->is_vdso && !m->is_missing && !m->is_program) return m;
  return nullptr;
}

Module* LoadProgram(const char* path, SearchError* error) {
  Candidate cand;
  Probe p = TryFile(path, cand);
  if (p == Probe::kMissing) {
    *error = {path, cand.other_class ? "wrong ELF class: ELFCLASS32" : "cannot open shared object file",
              cand.other_class ? 0 : 2};
    return nullptr;
  }
  if (p == Probe::kFatal) {
    *error = {path, cand.error_text, cand.error_err};
    return nullptr;
  }
  auto* m = g.arena.New<Module>();
  if (m == nullptr) {
    *error = {path, "cannot allocate memory", 12};
    return nullptr;
  }
  m->is_program = true;
  m->path = path;
  LoadError e = MapAndDecode(cand, *m);
  if (!e)
    if (int err = MakeStacksExecutableFor(*m)) e = {kExecStackError, err};
  if (e) {
    *error = {path, e.text, e.err};
    return nullptr;
  }
  // Like a program the kernel started, the program's link-map name is
  // empty (messages then use argv[0]); $ORIGIN still comes from its path.
  m->lm.l_name = "";
  return m;
}

}  // namespace rtld
