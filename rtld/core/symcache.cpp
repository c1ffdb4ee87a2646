#include "rtld/core/symcache.h"

#include "rtld/core/debug.h"
#include "rtld/core/diag.h"
#include "rtld/core/main.h"
#include "rtld/core/options.h"
#include "arch/x86_64/reloc.h"
#include "rtld/core/map.h"
#include "rtld/core/relocate.h"
#include "rtld/core/state.h"
#include "rtld/elf/notes.h"
#include "rtld/elf/symcache.h"
#include "rtld/support/string.h"
#include "rtld/support/sys.h"

extern "C" {
extern const rtld::elf::Ehdr __ehdr_start __attribute__((visibility("hidden")));
}

namespace rtld::symcache {

bool g_closure_usable = false;
Stats g_stats;

namespace {

// --- Recording -------------------------------------------------------------

// Per module, indexed by symbol index: 0 = not resolved, kConflict = two
// different answers, else ((definer index + 2) << 32) | definer's symndx
// (definer index -1, an unresolved weak reference, is stored as 1 << 32).
constexpr uint64_t kConflict = ~uint64_t{0};
uint64_t** g_records = nullptr;
unsigned g_nrecords = 0;

// A closure lists the initial objects in load order without the vDSO: the
// kernel gives it, or not (valgrind gives none), and nothing binds to it by
// relocation. An object's closure position is its load position, less one
// past the vDSO.
unsigned Position(const Module& m) {
  return g.vdso != nullptr && m.index > g.vdso->index ? m.index - 1 : m.index;
}
bool InClosure(const Module& m) { return !m.is_vdso && !m.dlopened; }

uint64_t Encode(const Definition& d) {
  if (d.module == nullptr) return uint64_t{1} << 32;
  if (!InClosure(*d.module)) return kConflict;  // not recordable: looked up at start
  const uint64_t defsym = static_cast<uint64_t>(d.sym - d.module->symtab.syms);
  return (static_cast<uint64_t>(Position(*d.module)) + 2) << 32 | defsym;
}

// The identity the loader keys a closure by, for each object in load
// order: the fstat of each opened file; the loader itself by its build id
// (its symbol indices change with every build); the vDSO and the kernel-
// mapped program as zeros (the program is the one file the key cannot
// tell: a PT_INTERP start stats it when the cache is on).
void BuildId(uint64_t out[2]) {
  out[0] = out[1] = 0;
  const elf::Ehdr& eh = __ehdr_start;
  const auto base = reinterpret_cast<uint64_t>(&eh);
  const auto* ph = reinterpret_cast<const elf::Phdr*>(base + eh.phoff);
  for (unsigned i = 0; i < eh.phnum; ++i) {
    if (ph[i].type != PT_NOTE) continue;
    const char* p = reinterpret_cast<const char*>(base + ph[i].vaddr);
    if (elf::FindBuildIdNote(p, p + ph[i].memsz, [&](const char* desc, uint32_t n) {
          support::MemCpy(out, desc, n < 16 ? n : 16);
        }))
      return;
  }
}

namespace sc = elf::symcache;

// The values of the variables that key a closure, as the loader sees its
// environment (secure mode already removed the unsafe ones).
uint64_t EnvHash() {
  const char* values[sc::kNumEnvVars] = {};
  for (char** e = g.envp; *e; ++e) {
    const int i = sc::EnvVarIndex(*e);
    if (i >= 0 && values[i] == nullptr) values[i] = support::StrChr(*e, '=') + 1;
  }
  uint8_t mode = g.secure ? sc::kModeSecure : 0;
  const char* bind_now = values[2];  // LD_BIND_NOW
  if (bind_now != nullptr && *bind_now != 0) mode |= sc::kModeBindNow;
  return sc::EnvHash(values, mode);
}

sc::ObjectKey KeyOf(const Module& m) {
  sc::ObjectKey k{};
  if (m.is_rtld) {
    uint64_t id[2];
    BuildId(id);
    k.mtime_ns = id[0];
    k.ctime_ns = id[1];
    k.build_id = 0;  // compared whole: a rebuilt loader is another object
    return k;
  }
  k.dev = m.dev;
  k.ino = m.ino;
  k.size = m.size;
  k.mtime_ns = m.mtime_ns;
  k.ctime_ns = m.ctime_ns;
  k.build_id = m.build_id;
  return k;
}

// --- Using a closure ---------------------------------------------------------

sc::Reader g_reader;
sc::Closure g_closure;
Module** g_by_index = nullptr;  // the initial objects by load position
unsigned g_count = 0;

void Say(const char* what, const char* detail = nullptr) {
  if (!Debugging(kDebugSymcache)) return;
  DebugLine([&](support::Buffer& b) {
    b.Str("symcache: ").Str(what);
    if (detail) b.Str(" ").Str(detail);
  });
}

// The program's absolute path for the daemon (it runs the program's
// bindings from its own working directory).
size_t ProgramPath(char* out, size_t cap) {
  const char* p = g.command_mode ? g.program->path : reinterpret_cast<const char*>(AuxvValue(31 /* AT_EXECFN */));
  if (p == nullptr || *p == 0) return 0;
  size_t n = 0;
  if (p[0] != '/') {
    if (sys::Getcwd(out, cap) <= 0) return 0;
    n = support::StrLen(out);
    if (n + 1 < cap) out[n++] = '/';
  }
  const size_t len = support::StrLen(p);
  if (n + len + 1 > cap) return 0;
  support::MemCpy(out + n, p, len + 1);
  return n + len;
}

// One non-blocking datagram to the daemon: "compute this program's closure".
void SendMiss(uint64_t env_hash) {
  const char* sock_path = g.secure ? nullptr : GetEnv("RTLD_SYMCACHE_SOCKET");
  const bool system_path = sock_path == nullptr;
  if (sock_path == nullptr) sock_path = sc::kDefaultSocketPath;
  // The socket and its directory must pass the trust rules.
  sys::Stat st, dir;
  char dir_path[256];
  const size_t plen = support::StrLen(sock_path);
  const char* slash = support::StrRChr(sock_path, '/');
  if (slash == nullptr || plen >= sizeof dir_path || plen >= 108) return;
  const size_t dlen = slash == sock_path ? 1 : static_cast<size_t>(slash - sock_path);
  support::MemCpy(dir_path, sock_path, dlen);
  dir_path[dlen] = 0;
  if (sys::Call(sys::kNewfstatat, -100, reinterpret_cast<long>(sock_path), reinterpret_cast<long>(&st), 0) != 0 ||
      sys::Call(sys::kNewfstatat, -100, reinterpret_cast<long>(dir_path), reinterpret_cast<long>(&dir), 0) != 0)
    return;
  if (!sc::SocketTrusted(st.uid, st.mode, dir.uid, dir.mode, static_cast<uint32_t>(AuxvValue(12 /* AT_EUID */)),
                         g.secure, system_path)) {
    Say("socket not trusted:", sock_path);
    return;
  }
  char msg[sc::kMaxDatagram];
  support::Buffer b(msg, sizeof msg);
  char path[1024];
  if (ProgramPath(path, sizeof path) == 0 || support::StrChr(path, '\n')) return;
  b.Str(sc::kMissMagic).Str(path).Char('\n').Hex(env_hash, 16).Char('\n');
  for (int i = 0; i < sc::kNumEnvVars; ++i) {
    const char* v = GetEnv(sc::kEnvVars[i]);
    if (v == nullptr) continue;
    if (support::StrChr(v, '\n')) return;
    b.Str(sc::kEnvVars[i]).Char('=').Str(v).Char('\n');
  }
  if (b.size() + 1 >= sizeof msg) return;  // too long: not sent
  struct {
    uint16_t family;
    char path[108];
  } addr{};
  addr.family = 1;  // AF_UNIX
  support::MemCpy(addr.path, sock_path, plen + 1);
  const long fd = sys::Call(41 /* socket */, 1, 2 | 04000 | 02000000 /* DGRAM|NONBLOCK|CLOEXEC */, 0);
  if (fd < 0) return;
  sys::Call(44 /* sendto */, fd, reinterpret_cast<long>(b.data()), static_cast<long>(b.size()), 0x40 /* DONTWAIT */,
            reinterpret_cast<long>(&addr), static_cast<long>(sizeof addr));
  sys::Close(static_cast<int>(fd));
  Say("miss sent to", sock_path);
}

}  // namespace

namespace {

// --- Layout and images -----------------------------------------------------

bool g_want_keys = false;
int g_fd = -1;                   // the cache file, open until images are mapped
uint64_t g_env_hash = 0;
sc::Closure g_candidate;         // the closure with a layout for this program
const char* g_layout_broken = nullptr;  // why the layout cannot be used
uint64_t g_record_cursor = 0;    // --record-layout: the next free address
constexpr uint64_t kLayoutGap = 0x10000;  // between placed objects (recording)

void BreakLayout(const char* why) {
  if (g_layout_broken == nullptr) g_layout_broken = why;
}

bool ImagesDisabled() {
  const char* v = GetEnv("RTLD_SYMCACHE_IMAGES");
  return v != nullptr && (support::StrEq(v, "0") || support::StrEq(v, "off"));
}

// The program's key: its stat identity (a PT_INTERP start stats the path the
// kernel ran) and its build ID, read from its notes in memory.
bool ProgramKey() {
  Module& p = *g.program;
  if (p.ino == 0) {
    const auto* execfn = reinterpret_cast<const char*>(AuxvValue(31 /* AT_EXECFN */));
    sys::Stat ps;
    if (execfn == nullptr ||
        sys::Call(sys::kNewfstatat, -100, reinterpret_cast<long>(execfn), reinterpret_cast<long>(&ps), 0) != 0)
      return false;
    SetFileKey(p, ps);
  }
  p.build_id = BuildIdInMemory(p.base, p.phdr, p.phnum);
  return true;
}

// The segment of m whose file-backed pages hold [vaddr, vaddr + len), if it
// is writable; nullptr otherwise.
const elf::Phdr* WritableFilePages(const Module& m, uint64_t vaddr, uint64_t len) {
  const uint64_t page = sc::kImagePage;
  for (unsigned i = 0; i < m.phnum; ++i) {
    const elf::Phdr& ph = m.phdr[i];
    if (ph.type != PT_LOAD || (ph.flags & PF_W) == 0 || ph.filesz == 0) continue;
    const uint64_t lo = ph.vaddr & ~(page - 1);
    const uint64_t hi = (ph.vaddr + ph.filesz + page - 1) & ~(page - 1);
    if (vaddr >= lo && vaddr + len >= vaddr && vaddr + len <= hi) return &ph;
  }
  return nullptr;
}

int ProtOfSegment(const elf::Phdr& ph) {
  int prot = 0;
  if (ph.flags & PF_R) prot |= sys::kProtRead;
  if (ph.flags & PF_W) prot |= sys::kProtWrite;
  if (ph.flags & PF_X) prot |= sys::kProtExec;
  return prot;
}

// Maps every image of the closure over its object, or nothing: all checks
// come first. Returns why not, or nullptr.
const char* MapImages() {
  if (ImagesDisabled()) return "disabled by RTLD_SYMCACHE_IMAGES";
  if (g.opt.bind_not) return "LD_BIND_NOT is set (images bind every PLT slot)";
  if (!g_candidate.valid()) return "no layout for this program and environment";
  if (g_closure.record() != g_candidate.record()) return "the layout was recorded for other objects";
  if (g_layout_broken) return g_layout_broken;
  if (!g_closure.has_images()) return "the closure has no images";
  for (unsigned i = 0; i < g_count; ++i) {
    const Module& m = *g_by_index[i];
    const sc::ClosureObject& o = *g_closure.object(i);
    if (o.bias != 0 && (!m.placed || m.base != o.bias)) return "an object is not at its layout address";
    if (o.bias == 0 && m.placed) return "an object was placed that the layout does not place";
    if ((o.flags & sc::kObjImage) == 0) continue;
    if (o.bias == 0 || m.dyn.textrel) return "an image for an object that cannot have one";
    uint32_t nruns;
    const sc::ImageRun* runs = g_closure.runs(i, &nruns);
    for (uint32_t k = 0; k < nruns; ++k)
      if (WritableFilePages(m, runs[k].vaddr, uint64_t{runs[k].npages} * sc::kImagePage) == nullptr)
        return "an image run is outside its object's writable pages";
  }
  for (unsigned i = 0; i < g_count; ++i) {
    Module& m = *g_by_index[i];
    const sc::ClosureObject& o = *g_closure.object(i);
    if ((o.flags & sc::kObjImage) == 0) continue;
    uint32_t nruns, npatches;
    const sc::ImageRun* runs = g_closure.runs(i, &nruns);
    for (uint32_t k = 0; k < nruns; ++k) {
      const uint64_t len = uint64_t{runs[k].npages} * sc::kImagePage;
      const elf::Phdr* ph = WritableFilePages(m, runs[k].vaddr, len);
      // Read-write private: page-cache pages shared until written (RELRO
      // is made read-only after the patches, as after relocation).
      long r = sys::Mmap(reinterpret_cast<void*>(m.base + runs[k].vaddr), len, ProtOfSegment(*ph),
                         sys::kMapPrivate | sys::kMapFixed, g_fd, runs[k].file_offset);
      if (sys::MmapFailed(r)) FatalLoad(DisplayName(m), "cannot map the pre-relocated image", static_cast<int>(-r));
      g_stats.image_bytes += len;
    }
    const sc::Patch* patches = g_closure.patches(i, &npatches);
    m.image = true;
    m.image_patches = reinterpret_cast<const elf::Rela*>(patches);
    m.image_npatches = npatches;
    m.image_lazy_plt = (o.flags & sc::kObjLazyPlt) != 0;
    ++g_stats.image_objects;
    if (Debugging(kDebugSymcache))
      DebugLine([&](support::Buffer& b) {
        b.Str("symcache: image for ").Str(DisplayName(m)).Str(": ").Dec(nruns).Str(" runs, ").Dec(npatches)
            .Str(" patches");
      });
  }
  return nullptr;
}

}  // namespace

bool WantKeys() { return g_want_keys; }

uint64_t BuildIdInMemory(uint64_t base, const elf::Phdr* phdr, unsigned phnum) {
  uint64_t h = 0;
  for (unsigned i = 0; i < phnum && h == 0; ++i) {
    if (phdr[i].type != PT_NOTE) continue;
    const char* p = reinterpret_cast<const char*>(base + phdr[i].vaddr);
    elf::FindBuildIdNote(p, p + phdr[i].memsz, [&](const char* desc, uint32_t n) { h = sc::BuildIdHash(desc, n); });
  }
  return h;
}

uint64_t BuildIdInFile(int fd, const FileHead& head, const elf::Phdr* phdr, unsigned phnum) {
  uint64_t h = 0;
  for (unsigned i = 0; i < phnum && h == 0; ++i) {
    const elf::Phdr& ph = phdr[i];
    if (ph.type != PT_NOTE || ph.filesz == 0 || ph.filesz > 4096) continue;
    const char* p;
    char buf[4096];
    if (ph.offset <= head.size && ph.filesz <= head.size - ph.offset) {
      p = head.bytes + ph.offset;
    } else {
      if (sys::Pread(fd, buf, ph.filesz, ph.offset) != static_cast<long>(ph.filesz)) continue;
      p = buf;
    }
    elf::FindBuildIdNote(p, p + ph.filesz, [&](const char* desc, uint32_t n) { h = sc::BuildIdHash(desc, n); });
  }
  return h;
}

void Open() {
  if (g.opt.record_bindings != nullptr) {
    g_want_keys = true;
    g_record_cursor = g.opt.record_layout;
    g.program->build_id = BuildIdInMemory(g.program->base, g.program->phdr, g.program->phnum);
    return;
  }
  if (g.opt.list) return;
  const char* path = g.secure ? nullptr : GetEnv(sc::kCacheEnvVar);
  const bool system_path = path == nullptr;
  if (path == nullptr) path = sc::kDefaultCachePath;
  if (*path == 0) return;  // RTLD_SYMCACHE= turns it off
  const long fd = sys::Call(sys::kOpenat, -100, reinterpret_cast<long>(path),
                            02000000 | 04000 /* O_RDONLY|O_CLOEXEC|O_NONBLOCK */);
  if (fd < 0) {
    if (!system_path) {
      g_stats.state = "no file";
      Say("cannot open", path);
    }
    return;
  }
  sys::Stat st;
  long r = sys::Fstat(static_cast<int>(fd), &st);
  if (r != 0 || !sc::CacheFileTrusted(st.uid, st.mode, static_cast<uint32_t>(AuxvValue(12 /* AT_EUID */)), g.secure,
                                      system_path) || st.size <= 0) {
    sys::Close(static_cast<int>(fd));
    g_stats.state = "rejected";
    Say("not trusted or empty, ignored:", path);
    return;
  }
  const long map = sys::Mmap(nullptr, static_cast<size_t>(st.size), sys::kProtRead, sys::kMapPrivate,
                             static_cast<int>(fd), 0);
  if (sys::MmapFailed(map) || !g_reader.Open(reinterpret_cast<const void*>(map), static_cast<size_t>(st.size))) {
    if (!sys::MmapFailed(map)) sys::Munmap(reinterpret_cast<void*>(map), static_cast<size_t>(st.size));
    sys::Close(static_cast<int>(fd));
    g_stats.state = "rejected";
    Say("inconsistent file, ignored:", path);
    return;
  }
  g_fd = static_cast<int>(fd);
  g_want_keys = true;
  g_env_hash = EnvHash();
  if (!ProgramKey()) {
    BreakLayout("the program cannot be identified");
    return;
  }
  // With images off nothing is placed: the libraries keep the kernel's
  // per-process randomisation (MapImages says why there are no images).
  if (ImagesDisabled() || g.opt.bind_not) return;
  sc::ObjectKey pk = KeyOf(*g.program);
  g_candidate = g_reader.FindByProgram(g_env_hash, pk);
  if (g_candidate.valid()) Say("layout found for this program");
}

uint64_t Placement(Module& m, uint64_t lo, uint64_t span, uint64_t align) {
  const uint64_t page = sc::kImagePage;
  if (g_record_cursor != 0) {
    if (align < page) align = page;
    const uint64_t at = (g_record_cursor + align - 1) & ~(align - 1);
    g_record_cursor = ((at + span + page - 1) & ~(page - 1)) + kLayoutGap;
    return at;
  }
  // Only the initial objects, while the cache is open (until Attach).
  if (g_fd < 0 || !g_candidate.valid() || g_layout_broken != nullptr) return 0;
  // The object about to be appended: load position g.nmodules.
  const sc::ClosureObject* o = g_candidate.object(g.vdso != nullptr ? g.nmodules - 1 : g.nmodules);
  if (o == nullptr || o->bias == 0 || !sc::ObjectMatches(*o, KeyOf(m))) {
    BreakLayout("an object differs from the layout's");
    Say("layout: not placed, another object than recorded at this position:", m.path);
    return 0;
  }
  return o->bias + lo;
}

void Placed(Module& m, bool ok) {
  if (ok) {
    m.placed = true;
    return;
  }
  BreakLayout("an object's layout address is taken");
  Say("layout: address taken, placed elsewhere:", m.path);
  if (g_record_cursor != 0) RecordNoImages("an object's layout address is taken");
}

void Attach() {
  if (g_fd < 0) return;
  // The key: the environment and every object in load order.
  unsigned n = 0;
  for (Module* m = g.first; m; m = m->next) n += InClosure(*m);
  auto* keys = g.arena.New<sc::ObjectKey>(n);
  g_by_index = g.arena.New<Module*>(n);
  if (keys == nullptr || g_by_index == nullptr) return;
  for (Module* m = g.first; m; m = m->next) {
    if (!InClosure(*m)) continue;
    if (Position(*m) >= n) return;
    g_by_index[Position(*m)] = m;
    keys[Position(*m)] = KeyOf(*m);
  }
  g_count = n;
  if (sc::Reader::Matches(g_candidate, g_env_hash, keys, n)) g_closure = g_candidate;
  else g_closure = g_reader.FindClosure(g_env_hash, keys, n);
  g.arena.Free(keys);
  bool consistent = g_closure.valid() && g_closure.nobjects() == n;
  for (unsigned i = 0; consistent && i < n; ++i) consistent = g_closure.nsyms(i) == g_by_index[i]->symtab.nsyms;
  if (!consistent) {
    g_closure = sc::Closure();
    g_stats.state = "miss";
    Say("no closure for this program and environment");
    // Why no image either: the layout's own reason if an object broke it,
    // else whether there was a layout at all.
    g_stats.images = g_layout_broken             ? g_layout_broken
                     : ImagesDisabled()          ? "disabled by RTLD_SYMCACHE_IMAGES"
                     : g.opt.bind_not            ? "LD_BIND_NOT is set (images bind every PLT slot)"
                     : !g_candidate.valid()      ? "no layout for this program and environment"
                                                 : "the layout was recorded for other objects";
    Say("images not used:", g_stats.images);
    SendMiss(g_env_hash);
    sys::Close(g_fd);
    g_fd = -1;
    return;
  }
  g_stats.state = "hit";
  g_closure_usable = true;
  Say("closure found");
  const char* why = MapImages();
  g_stats.images = why ? why : "used";
  if (why) {
    Say("images not used:", why);
    // And per object that had one.
    for (unsigned i = 0; i < g_count && Debugging(kDebugSymcache); ++i) {
      const sc::ClosureObject* o = g_closure.object(i);
      if (o == nullptr || (o->flags & sc::kObjImage) == 0) continue;
      DebugLine([&](support::Buffer& b) {
        b.Str("symcache: no image for ").Str(DisplayName(*g_by_index[i])).Str(": ").Str(why);
      });
    }
  } else if (Debugging(kDebugSymcache)) {
    for (unsigned i = 0; i < g_count; ++i) {
      if (g_by_index[i]->image) continue;
      const sc::ClosureObject* o = g_closure.object(i);
      const Module& m = *g_by_index[i];
      const char* reason = m.is_program ? "the program (placed by the kernel or mapped first)"
                           : m.is_rtld ? "the loader itself"
                           : m.is_vdso ? "the vDSO"
                           : m.dyn.textrel ? "text relocations"
                           : o != nullptr && o->bias != 0 ? "nothing to relocate or not recorded"
                                                          : "not placed by the layout";
      DebugLine([&](support::Buffer& b) { b.Str("symcache: no image for ").Str(DisplayName(m)).Str(": ").Str(reason); });
    }
  }
  sys::Close(g_fd);
  g_fd = -1;
}

bool Lookup(const Module& m, uint32_t symndx, Definition* d) {
  if (!InClosure(m) || Position(m) >= g_count || g_by_index[Position(m)] != &m) return false;
  uint32_t di, ds;
  if (!g_closure.Lookup(Position(m), symndx, &di, &ds)) {
    ++g_stats.misses;
    return false;
  }
  ++g_stats.hits;
  if (di == sc::kUnresolvedWeak) {
    *d = {};
    return true;
  }
  const Module* def = g_by_index[di];
  *d = {def, &def->symtab.syms[ds]};
  return true;
}

void Record(Module& from, uint32_t symndx, const Definition& d) {
  if (!InClosure(from)) return;
  const unsigned pos = Position(from);
  if (pos >= g_nrecords) {
    const unsigned n = pos + 16;
    auto** grown = g.arena.New<uint64_t*>(n);
    if (grown == nullptr) return;
    for (unsigned i = 0; i < g_nrecords; ++i) grown[i] = g_records[i];
    g_records = grown;
    g_nrecords = n;
  }
  uint64_t*& table = g_records[pos];
  if (table == nullptr) {
    table = g.arena.New<uint64_t>(from.symtab.nsyms);
    if (table == nullptr) return;
  }
  if (symndx >= from.symtab.nsyms) return;
  const uint64_t code = Encode(d);
  uint64_t& slot = table[symndx];
  if (slot == 0) slot = code;
  else if (slot != code) slot = kConflict;
}

namespace {

// --- Recording images (--record-layout) ------------------------------------

struct RecPatch {
  unsigned module;
  elf::Rela r;
  bool lazy;  // a PLT slot kept lazy: restored to its PLT stub at start
};
RecPatch* g_rec_patches = nullptr;
size_t g_nrec_patches = 0, g_rec_cap = 0;
const char* g_no_images = nullptr;

void AddRecPatch(const Module& m, const elf::Rela& r, bool lazy) {
  if (!m.placed) return;  // only placed objects have images
  if (g_nrec_patches == g_rec_cap) {
    const size_t cap = g_rec_cap ? 2 * g_rec_cap : 256;
    auto* grown = static_cast<RecPatch*>(g.arena.Allocate(cap * sizeof(RecPatch), 8));
    if (grown == nullptr) {
      RecordNoImages("out of memory");
      return;
    }
    if (g_nrec_patches) support::MemCpy(grown, g_rec_patches, g_nrec_patches * sizeof(RecPatch));
    g_rec_patches = grown;
    g_rec_cap = cap;
  }
  g_rec_patches[g_nrec_patches++] = {Position(m), r, lazy};
}

// Sorts p[0, n) by (module, offset), keeping the first of equal offsets
// (recorded patches come before the post-pass's), and returns the new count.
size_t SortUnique(RecPatch* p, size_t n) {
  // Insertion sort is too slow for big programs; a bottom-up merge sort
  // through a scratch array keeps the order of equal keys.
  auto* tmp = static_cast<RecPatch*>(g.arena.Allocate((n ? n : 1) * sizeof(RecPatch), 8));
  if (tmp == nullptr) return 0;
  auto less = [](const RecPatch& a, const RecPatch& b) {
    return a.module != b.module ? a.module < b.module : a.r.offset < b.r.offset;
  };
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      const size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = less(p[j], p[i]) ? p[j++] : p[i++];
      while (i < mid) tmp[k++] = p[i++];
      while (j < hi) tmp[k++] = p[j++];
    }
    support::MemCpy(p, tmp, n * sizeof(RecPatch));
  }
  size_t out = 0;
  for (size_t i = 0; i < n; ++i) {
    if (out > 0 && p[out - 1].module == p[i].module && p[out - 1].r.offset == p[i].r.offset) continue;
    p[out++] = p[i];
  }
  return out;
}

// Per placed object: which of its pages relocation wrote (differ from the
// file), as a bitmap over [map_start, map_end).
struct Written {
  uint8_t* bits = nullptr;
  uint64_t first_page = 0, npages = 0;
  bool Test(uint64_t vaddr) const {
    const uint64_t pg = vaddr / sc::kImagePage;
    return pg >= first_page && pg - first_page < npages && (bits[(pg - first_page) / 8] >> ((pg - first_page) % 8)) & 1;
  }
  void Set(uint64_t vaddr) {
    const uint64_t pg = vaddr / sc::kImagePage - first_page;
    bits[pg / 8] = static_cast<uint8_t>(bits[pg / 8] | (1u << (pg % 8)));
  }
};

// Compares every file-backed page of m's writable segments with the file.
bool FindWrittenPages(const Module& m, Written* w) {
  const uint64_t page = sc::kImagePage;
  const uint64_t lo = (m.map_start - m.base) / page, hi = (m.map_end - m.base + page - 1) / page;
  w->first_page = lo;
  w->npages = hi - lo;
  w->bits = static_cast<uint8_t*>(g.arena.Allocate(w->npages / 8 + 1, 8));
  if (w->bits == nullptr) return false;
  support::MemSet(w->bits, 0, w->npages / 8 + 1);
  const long fd = sys::Open(m.path, sys::kOpenReadOnly);
  if (fd < 0) return false;
  sys::Stat st;
  if (sys::Fstat(static_cast<int>(fd), &st) != 0 || st.ino != m.ino || st.dev != m.dev) {
    sys::Close(static_cast<int>(fd));
    return false;
  }
  static char buf[4096];
  for (unsigned i = 0; i < m.phnum; ++i) {
    const elf::Phdr& ph = m.phdr[i];
    if (ph.type != PT_LOAD || (ph.flags & PF_W) == 0 || ph.filesz == 0) continue;
    const uint64_t start = ph.vaddr & ~(page - 1), end = (ph.vaddr + ph.filesz + page - 1) & ~(page - 1);
    const uint64_t off0 = ph.offset & ~(page - 1);
    for (uint64_t v = start; v < end; v += page) {
      const long n = sys::Pread(static_cast<int>(fd), buf, page, off0 + (v - start));
      if (n < 0) {
        sys::Close(static_cast<int>(fd));
        return false;
      }
      if (static_cast<uint64_t>(n) < page) support::MemSet(buf + n, 0, page - static_cast<uint64_t>(n));
      if (support::MemCmp(buf, reinterpret_cast<const void*>(m.base + v), page) != 0) w->Set(v);
    }
  }
  sys::Close(static_cast<int>(fd));
  return true;
}

// Adds a patch for every relocation of m whose target is not on a written
// page (its value equals the file's, or it lies in the zero-fill): the
// image does not carry it.
void PatchUnwritten(const Module& m, const Written& w) {
  elf::ForEachRelr(m.relr.data, m.relr.count, [&](uint64_t vaddr) {
    if (w.Test(vaddr) && w.Test(vaddr + 7)) return;
    uint64_t addend;
    support::MemCpy(&addend, reinterpret_cast<const void*>(m.base + vaddr), 8);
    elf::Rela r{vaddr, arch::kRelocRelative, static_cast<int64_t>(addend - m.base)};
    AddRecPatch(m, r, false);
  });
  auto table = [&](const elf::Table<elf::Rela>& t) {
    for (size_t i = 0; i < t.count; ++i) {
      const elf::Rela& r = t[i];
      if (arch::KindOf(r.type()) == arch::RelocKind::kNone) continue;
      if (w.Test(r.offset) && w.Test(r.offset + 15)) continue;  // up to a TLS descriptor's width
      AddRecPatch(m, r, false);
    }
  };
  table(m.rela);
  table(m.jmprel);
}

}  // namespace

void RecordPatch(const Module& m, const elf::Rela& r) { AddRecPatch(m, r, false); }

void RecordLazySlot(const Module& m, const elf::Rela& r) {
  // The slot keeps its lazy value: the PLT stub (the file's word) + bias.
  uint64_t stub = 0;
  const uint64_t where = m.base + r.offset;
  support::MemCpy(&stub, reinterpret_cast<const void*>(where), 8);
  AddRecPatch(m, elf::Rela{r.offset, arch::kRelocRelative, static_cast<int64_t>(stub)}, true);
}

void RecordNoImages(const char* why) {
  if (g_no_images == nullptr) g_no_images = why;
}

namespace {

// The image part of a recording: "layout", "image" and "patch" lines (the
// pages themselves go to FILE.pages), or "noimages REASON".
template <typename Line>
void WriteImages(support::Buffer& b, Line& line) {
  for (Module* m = g.first; m; m = m->next)
    if (m->placed) line([&] { b.Str("layout ").Dec(Position(*m)).Char(' ').Hex(m->base); });
  long pfd;
  if (g.opt.record_fd >= 0) {
    pfd = g.opt.record_fd + 1;
  } else {
    char pages_path[4096];
    support::Buffer pb(pages_path, sizeof pages_path);
    pb.Str(g.opt.record_bindings).Str(".pages");
    pfd = sys::Call(sys::kOpenat, -100, reinterpret_cast<long>(pb.CStr()),
                    01 | 0100 | 01000 | 02000000 /* O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC */, 0644);
  }
  if (pfd < 0) RecordNoImages("cannot write the image pages");
  uint64_t next_page = 0;
  for (Module* m = g.first; m && g_no_images == nullptr; m = m->next) {
    if (!m->placed || m->dyn.textrel) continue;
    Written w;
    if (!FindWrittenPages(*m, &w)) {
      RecordNoImages("cannot reread an object");
      break;
    }
    PatchUnwritten(*m, w);
    line([&] { b.Str("imaged ").Dec(Position(*m)); });
    // Runs: consecutive written pages of one segment.
    for (unsigned i = 0; i < m->phnum; ++i) {
      const elf::Phdr& ph = m->phdr[i];
      if (ph.type != PT_LOAD || (ph.flags & PF_W) == 0 || ph.filesz == 0) continue;
      const uint64_t page = sc::kImagePage;
      const uint64_t start = ph.vaddr & ~(page - 1), end = (ph.vaddr + ph.filesz + page - 1) & ~(page - 1);
      for (uint64_t v = start; v < end;) {
        if (!w.Test(v)) {
          v += page;
          continue;
        }
        uint64_t e = v;
        while (e < end && w.Test(e)) e += page;
        const uint64_t npages = (e - v) / page;
        if (!sys::WriteAll(static_cast<int>(pfd), reinterpret_cast<const char*>(m->base + v), e - v)) {
          RecordNoImages("cannot write the image pages");
          break;
        }
        line([&] { b.Str("image ").Dec(Position(*m)).Char(' ').Hex(v).Char(' ').Dec(npages).Char(' ').Dec(next_page); });
        next_page += npages;
        v = e;
      }
    }
  }
  if (pfd >= 0 && g.opt.record_fd < 0) sys::Close(static_cast<int>(pfd));
  if (g_no_images != nullptr) {
    line([&] { b.Str("noimages ").Str(g_no_images); });
    return;
  }
  const size_t n = SortUnique(g_rec_patches, g_nrec_patches);
  for (size_t i = 0; i < n; ++i) {
    const RecPatch& p = g_rec_patches[i];
    Module* m = nullptr;
    for (Module* k = g.first; k; k = k->next)
      if (InClosure(*k) && Position(*k) == p.module) m = k;
    if (m == nullptr || m->dyn.textrel) continue;
    line([&] {
      b.Str(p.lazy ? "lazy " : "patch ").Dec(p.module).Char(' ').Hex(p.r.offset).Char(' ').Hex(p.r.info).Char(' ')
          .Hex(static_cast<uint64_t>(p.r.addend));
    });
  }
}

}  // namespace

void WriteRecordingAndExit() {
  const long fd = g.opt.record_fd >= 0
                      ? g.opt.record_fd
                      : sys::Call(sys::kOpenat, -100 /* AT_FDCWD */, reinterpret_cast<long>(g.opt.record_bindings),
                                  01 | 0100 | 01000 | 02000000 /* O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC */, 0644);
  if (fd < 0) FatalLoad(g.opt.record_bindings, "cannot write the bindings", static_cast<int>(-fd));
  char storage[8192];
  support::Buffer b(storage, sizeof storage);
  // A short write (a full disk, a file-size limit) is an error, not a
  // truncated recording.
  auto flush = [&] {
    if (!sys::WriteAll(static_cast<int>(fd), b.data(), b.size()))
      FatalLoad(g.opt.record_bindings, "cannot write the bindings");
    b = support::Buffer(storage, sizeof storage);
  };
  auto line = [&](auto&& fn) {
    if (b.size() + 1200 > sizeof storage) flush();
    fn();
    b.Char('\n');
  };
  line([&] { b.Str("rtld-bindings 2"); });
  line([&] { b.Str("env ").Hex(EnvHash(), 16); });
  // Objects by position (a filtee listed before its filter keeps the
  // position it was mapped at).
  unsigned n = 0;
  for (Module* m = g.first; m; m = m->next) n += InClosure(*m);
  Module* by_position[n];
  for (unsigned i = 0; i < n; ++i) by_position[i] = nullptr;
  for (Module* m = g.first; m; m = m->next)
    if (InClosure(*m) && Position(*m) < n) by_position[Position(*m)] = m;
  for (unsigned i = 0; i < n; ++i) {
    Module* m = by_position[i];
    if (m == nullptr) continue;
    const sc::ObjectKey k = KeyOf(*m);
    line([&] {
      b.Str("object ").Dec(Position(*m)).Char(' ').Dec(k.dev).Char(' ').Dec(k.ino).Char(' ').Dec(k.size)
          .Char(' ').Dec(k.mtime_ns).Char(' ').Dec(k.ctime_ns).Char(' ').Hex(k.build_id, 16).Char(' ')
          .Dec(m->symtab.nsyms).Char(' ')
          .Str(m->soname ? m->soname : "-").Char(' ').Str(m->lm.l_name && m->lm.l_name[0] ? m->lm.l_name : m->path);
    });
  }
  if (g.opt.record_layout != 0) WriteImages(b, line);
  for (Module* m = g.first; m; m = m->next) {
    if (!InClosure(*m) || Position(*m) >= g_nrecords || g_records[Position(*m)] == nullptr) continue;
    const uint64_t* table = g_records[Position(*m)];
    for (uint32_t i = 0; i < m->symtab.nsyms; ++i) {
      const uint64_t code = table[i];
      if (code == 0 || code == kConflict) continue;
      const uint64_t def = code >> 32;
      line([&] {
        b.Str("bind ").Dec(Position(*m)).Char(' ').Dec(i).Char(' ');
        if (def == 1) b.Str("-1 0");
        else b.Dec(def - 2).Char(' ').Dec(code & 0xffffffff);
      });
    }
  }
  line([&] { b.Str("end"); });
  flush();
  sys::Close(static_cast<int>(fd));
  sys::ExitGroup(0);
}

}  // namespace rtld::symcache
