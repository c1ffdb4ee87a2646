#include "rtld/core/symcache.h"

#include "rtld/core/debug.h"
#include "rtld/core/diag.h"
#include "rtld/core/main.h"
#include "rtld/core/options.h"
#include "rtld/core/relocate.h"
#include "rtld/core/state.h"
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

uint64_t Encode(const Definition& d) {
  if (d.module == nullptr) return uint64_t{1} << 32;
  const uint64_t defsym = static_cast<uint64_t>(d.sym - d.module->symtab.syms);
  return (static_cast<uint64_t>(d.module->index) + 2) << 32 | defsym;
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
    const char* end = p + ph[i].memsz;
    while (p + 12 <= end) {
      uint32_t namesz, descsz, type;
      support::MemCpy(&namesz, p, 4);
      support::MemCpy(&descsz, p + 4, 4);
      support::MemCpy(&type, p + 8, 4);
      const char* name = p + 12;
      const char* desc = name + ((namesz + 3) & ~3u);
      if (type == 3 /* NT_GNU_BUILD_ID */ && namesz == 4 && support::MemEq(name, "GNU", 4)) {
        support::MemCpy(out, desc, descsz < 16 ? descsz : 16);
        return;
      }
      p = desc + ((descsz + 3) & ~3u);
    }
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
    return k;
  }
  k.dev = m.dev;
  k.ino = m.ino;
  k.size = m.size;
  k.mtime_ns = m.mtime_ns;
  k.ctime_ns = m.ctime_ns;
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

void Attach() {
  if (g.opt.record_bindings != nullptr || g.opt.list) return;
  const char* path = g.secure ? nullptr : GetEnv(sc::kCacheEnvVar);
  const bool system_path = path == nullptr;
  if (path == nullptr) path = sc::kDefaultCachePath;
  if (*path == 0) return;  // RTLD_SYMCACHE= turns it off
  const long fd = sys::Call(sys::kOpenat, -100, reinterpret_cast<long>(path), 02000000 /* O_RDONLY|O_CLOEXEC */);
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
  sys::Close(static_cast<int>(fd));
  if (sys::MmapFailed(map) || !g_reader.Open(reinterpret_cast<const void*>(map), static_cast<size_t>(st.size))) {
    if (!sys::MmapFailed(map)) sys::Munmap(reinterpret_cast<void*>(map), static_cast<size_t>(st.size));
    g_stats.state = "rejected";
    Say("inconsistent file, ignored:", path);
    return;
  }
  // The key: the environment and every object in load order.
  unsigned n = 0;
  for (Module* m = g.first; m; m = m->next) ++n;
  auto* keys = g.arena.New<sc::ObjectKey>(n);
  g_by_index = g.arena.New<Module*>(n);
  if (keys == nullptr || g_by_index == nullptr) return;
  for (Module* m = g.first; m; m = m->next) {
    if (m->index >= n) return;
    g_by_index[m->index] = m;
    keys[m->index] = KeyOf(*m);
  }
  // A program the kernel mapped was not opened by us: one stat for it.
  if (!g.command_mode && keys[g.program->index].ino == 0) {
    const auto* execfn = reinterpret_cast<const char*>(AuxvValue(31 /* AT_EXECFN */));
    sys::Stat ps;
    if (execfn == nullptr ||
        sys::Call(sys::kNewfstatat, -100, reinterpret_cast<long>(execfn), reinterpret_cast<long>(&ps), 0) != 0)
      return;
    g.program->dev = ps.dev;
    g.program->ino = ps.ino;
    g.program->size = static_cast<uint64_t>(ps.size);
    g.program->mtime_ns = ps.mtime * 1000000000ull + ps.mtime_ns;
    g.program->ctime_ns = ps.ctime * 1000000000ull + ps.ctime_ns;
    keys[g.program->index] = KeyOf(*g.program);
  }
  g_count = n;
  const uint64_t env_hash = EnvHash();
  g_closure = g_reader.FindClosure(env_hash, keys, n);
  g.arena.Free(keys);
  bool consistent = g_closure.valid() && g_closure.nobjects() == n;
  for (unsigned i = 0; consistent && i < n; ++i) consistent = g_closure.nsyms(i) == g_by_index[i]->symtab.nsyms;
  if (!consistent) {
    g_closure = sc::Closure();
    g_stats.state = "miss";
    Say("no closure for this program and environment");
    SendMiss(env_hash);
    return;
  }
  g_stats.state = "hit";
  g_closure_usable = true;
  Say("closure found in", path);
}

bool Lookup(const Module& m, uint32_t symndx, Definition* d) {
  if (m.dlopened || m.index >= g_count || g_by_index[m.index] != &m) return false;
  uint32_t di, ds;
  if (!g_closure.Lookup(m.index, symndx, &di, &ds)) {
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
  if (from.dlopened) return;
  if (from.index >= g_nrecords) {
    const unsigned n = from.index + 16;
    auto** grown = g.arena.New<uint64_t*>(n);
    if (grown == nullptr) return;
    for (unsigned i = 0; i < g_nrecords; ++i) grown[i] = g_records[i];
    g_records = grown;
    g_nrecords = n;
  }
  uint64_t*& table = g_records[from.index];
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

void WriteRecordingAndExit() {
  const long fd = sys::Call(sys::kOpenat, -100 /* AT_FDCWD */, reinterpret_cast<long>(g.opt.record_bindings),
                            01 | 0100 | 01000 | 02000000 /* O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC */, 0644);
  if (fd < 0) FatalLoad(g.opt.record_bindings, "cannot write the bindings", static_cast<int>(-fd));
  char storage[8192];
  support::Buffer b(storage, sizeof storage);
  auto flush = [&] {
    sys::WriteAll(static_cast<int>(fd), b.data(), b.size());
    b = support::Buffer(storage, sizeof storage);
  };
  auto line = [&](auto&& fn) {
    if (b.size() + 1200 > sizeof storage) flush();
    fn();
    b.Char('\n');
  };
  line([&] { b.Str("rtld-bindings 1"); });
  line([&] { b.Str("env ").Hex(EnvHash(), 16); });
  for (Module* m = g.first; m; m = m->next) {
    const sc::ObjectKey k = KeyOf(*m);
    line([&] {
      b.Str("object ").Dec(m->index).Char(' ').Dec(k.dev).Char(' ').Dec(k.ino).Char(' ').Dec(k.size)
          .Char(' ').Dec(k.mtime_ns).Char(' ').Dec(k.ctime_ns).Char(' ').Dec(m->symtab.nsyms).Char(' ')
          .Str(m->soname ? m->soname : "-").Char(' ').Str(m->lm.l_name && m->lm.l_name[0] ? m->lm.l_name : m->path);
    });
  }
  for (Module* m = g.first; m; m = m->next) {
    if (m->index >= g_nrecords || g_records[m->index] == nullptr) continue;
    const uint64_t* table = g_records[m->index];
    for (uint32_t i = 0; i < m->symtab.nsyms; ++i) {
      const uint64_t code = table[i];
      if (code == 0 || code == kConflict) continue;
      const uint64_t def = code >> 32;
      line([&] {
        b.Str("bind ").Dec(m->index).Char(' ').Dec(i).Char(' ');
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
