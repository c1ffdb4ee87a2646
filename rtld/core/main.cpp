// Stage 2 of start-up (DESIGN §4, steps 3-8). The loader is relocated;
// everything here is ordinary code.
#include "rtld/core/main.h"

#include "rtld/core/debugger.h"
#include "rtld/core/debug.h"
#include "rtld/core/diag.h"
#include "rtld/core/init_fini.h"
#include "rtld/core/map.h"
#include "rtld/core/options.h"
#include "rtld/elf/path.h"
#include "rtld/core/relocate.h"
#include "rtld/core/search.h"
#include "rtld/core/stack.h"
#include "rtld/core/state.h"
#include "rtld/core/stats.h"
#include "rtld/core/symcache.h"
#include "rtld/core/tls.h"
#include "rtld/core/version.h"
#include "rtld/glibc/personality.h"
#include "rtld/support/string.h"
#include "rtld/support/sys.h"

extern "C" {
extern const rtld::elf::Ehdr __ehdr_start __attribute__((visibility("hidden")));
void _start() __attribute__((visibility("hidden")));
}

namespace rtld {

State g;

namespace {

constexpr const char* kSystemInterp = "/lib64/ld-linux-x86-64.so.2";

uint64_t* FindAuxv(char** envp) {
  while (*envp) ++envp;
  return reinterpret_cast<uint64_t*>(envp + 1);
}

void ReadAuxv() {
  for (uint64_t* a = g.auxv; a[0] != AT_NULL; a += 2) {
    switch (a[0]) {
      case AT_PAGESZ: g.page_size = a[1]; break;
      case AT_SECURE: g.secure = a[1] != 0; break;
      case AT_RANDOM: g.random = reinterpret_cast<const uint8_t*>(a[1]); break;
      case AT_SYSINFO_EHDR: g.vdso_base = a[1]; break;
      default: break;
    }
  }
  if (g.page_size == 0 || (g.page_size & (g.page_size - 1)) != 0) g.page_size = 4096;
}

void SetAuxv(uint64_t type, uint64_t value) {
  for (uint64_t* a = g.auxv; a[0] != AT_NULL; a += 2)
    if (a[0] == type) a[1] = value;
}

Module* NewModule() {
  auto* m = g.arena.New<Module>();
  if (m == nullptr) FatalLoad("", "cannot allocate memory", 12);
  return m;
}

void AddAlias(Module& m, const char* name) {
  auto* n = g.arena.New<ModuleName>();
  if (n == nullptr) return;
  n->name = name;
  n->next = m.names;
  m.names = n;
}

// The loader's own record: in the namespace only once something needs it.
void SetUpRtldModule(uint64_t base) {
  Module* m = NewModule();
  m->is_rtld = true;
  m->relocated = true;
  const elf::Ehdr& eh = __ehdr_start;
  AdoptImage(*m, base, reinterpret_cast<const elf::Phdr*>(base + eh.phoff), eh.phnum);
  if (LoadError e = DecodeModule(*m)) FatalLoad("", e.text);
  m->init_called = true;  // the loader has no initialisers of its own
  m->nodelete = true;
  g.rtld = m;
}

void SetUpVdso() {
  if (g.vdso_base == 0) return;
  const auto& eh = *reinterpret_cast<const elf::Ehdr*>(g.vdso_base);
  const auto* phdr = reinterpret_cast<const elf::Phdr*>(g.vdso_base + eh.phoff);
  uint64_t load_vaddr = 0;
  for (unsigned i = 0; i < eh.phnum; ++i)
    if (phdr[i].type == PT_LOAD) {
      load_vaddr = phdr[i].vaddr;
      break;
    }
  Module* m = NewModule();
  m->is_vdso = true;
  m->nodelete = true;
  m->relocated = true;
  m->init_called = true;
  AdoptImage(*m, g.vdso_base - load_vaddr, phdr, eh.phnum);
  if (DecodeModule(*m)) return;  // an unusable vDSO is simply not listed
  m->lm.l_name = m->soname ? m->soname : "linux-vdso.so.1";
  m->path = m->lm.l_name;
  g.vdso = m;
  AppendModule(m);
}

// The program mapped by the kernel (PT_INTERP mode).
void AdoptKernelProgram() {
  Module* m = NewModule();
  m->is_program = true;
  const auto* phdr = reinterpret_cast<const elf::Phdr*>(AuxvValue(AT_PHDR));
  const uint16_t phnum = static_cast<uint16_t>(AuxvValue(AT_PHNUM));
  uint64_t base = 0;
  for (unsigned i = 0; i < phnum; ++i)
    if (phdr[i].type == PT_PHDR) base = reinterpret_cast<uint64_t>(phdr) - phdr[i].vaddr;
  AdoptImage(*m, base, phdr, phnum);
  m->entry = AuxvValue(AT_ENTRY);
  m->lm.l_name = "";
  m->path = "";
  if (LoadError e = DecodeModule(*m)) FatalLoad(ProgramName(), e.text);
  g.program = m;
}

const char* InterpOf(const Module& m) {
  for (unsigned i = 0; i < m.phnum; ++i)
    if (m.phdr[i].type == PT_INTERP) return reinterpret_cast<const char*>(m.base + m.phdr[i].vaddr);
  return nullptr;
}

// glibc's rule for preload failures: a message, and the object is skipped.
void LoadPreloads(const char* list, const char* source) {
  if (list == nullptr) return;
  elf::ForEachPathElement(list, ": ", [&](const char* start, size_t n) {
    if (n == 0) return true;
    // In secure mode only plain names shorter than NAME_MAX (glibc's
    // dso_name_valid_for_suid); the others are skipped silently.
    char* name = g.arena.Dup(start, n);
    if (g.secure && (n >= 255 || support::StrChr(name, '/') != nullptr)) return true;
    SearchError err;
    // Requested by the program, as glibc's do_preload: the program heads a
    // preload's loading chain (its l_loader), so RTLD_NEXT from a preloaded
    // object searches the global scope after it and DT_RPATH searches go on
    // with the program's. Secure: set-user-ID files only, not from the cache.
    Module* m = LoadObject(name, g.program, &err, g.secure);
    if (m == nullptr) {
      Print(2, [&](support::Buffer& b) {
        b.Str("ERROR: ld.so: object '").Str(name).Str("' from ").Str(source)
            .Str(" cannot be preloaded (").Str(err.text).Str("): ignored.\n");
      });
    }
    return true;
  });
}

void BuildScope() {
  g.scope = g.arena.New<Module*>(g.nmodules);
  if (g.scope == nullptr) FatalLoad("", "cannot allocate memory", 12);
  g.scope_cap = g.nmodules;
  for (Module* m = g.first; m; m = m->next) {
    if (m->is_vdso || m->is_missing) continue;
    m->in_scope = true;
    g.scope[g.nscope++] = m;
  }
}

// LD_DEBUG=scopes: the global scope every initial object searches.
void DebugScopes() {
  DebugLine([](support::Buffer& b) { b.Str("Initial object scopes"); });
  for (unsigned i = 0; i < g.nscope; ++i) {
    const Module& m = *g.scope[i];
    DebugLine([&](support::Buffer& b) { b.Str("object=").Str(DisplayName(m)).Str(" [0]"); });
    DebugLine([](support::Buffer& b) {
      b.Str(" scope 0:");
      for (unsigned k = 0; k < g.nscope; ++k) b.Char(' ').Str(DisplayName(*g.scope[k]));
    });
  }
}

void PrintList() {
  if (g.nscope == 1 && g.program->dyn.needed_count == 0) {
    Print(1, [](support::Buffer& b) { b.Str("\tstatically linked\n"); });
    return;
  }
  for (Module* m = g.first; m; m = m->next) {
    if (m->is_program) continue;
    // The loader lists under its own name (PT_INTERP, or how it was invoked).
    const char* name = m->names && !m->is_rtld ? m->names->name : m->lm.l_name;
    if (m->is_missing) {
      Print(1, [&](support::Buffer& b) { b.Char('\t').Str(name).Str(" => not found\n"); });
      continue;
    }
    Print(1, [&](support::Buffer& b) {
      b.Char('\t').Str(name);
      if (!support::StrEq(name, m->lm.l_name)) b.Str(" => ").Str(m->lm.l_name);
      b.Str(" (").Ptr(m->map_start).Str(")\n");
    });
  }
}

}  // namespace

uint64_t AuxvValue(uint64_t type) {
  for (uint64_t* a = g.auxv; a[0] != AT_NULL; a += 2)
    if (a[0] == type) return a[1];
  return 0;
}

namespace {

// Whether m comes after `other` in the load order.
bool LoadedAfter(const Module& m, const Module& other) {
  for (const Module* k = other.next; k != nullptr; k = k->next)
    if (k == &m) return true;
  return false;
}

// The placeholder --list's tracing mode shows for an object not found.
Module* MissingPlaceholder(const char* name) {
  Module* dep = NewModule();
  dep->is_missing = true;
  dep->relocated = dep->init_called = true;
  dep->deps_loaded = true;
  dep->lm.l_name = dep->path = name;
  AddAlias(*dep, name);
  AppendModule(dep);
  return dep;
}

// Loads what m's dynamic section asks for, in its order: each DT_NEEDED
// object is appended to the load order (breadth first); each filtee
// (DT_FILTER, DT_AUXILIARY) is placed just before m unless it is there
// already or earlier, so that lookups find its definitions before m's.
// A missing auxiliary filtee is skipped; a missing filter filtee is as
// fatal as a missing DT_NEEDED object. Returns the first filtee it placed
// before m (not processed yet), or nullptr.
Module* LoadDependenciesOf(Module& m) {
  Module* placed = nullptr;
  const unsigned wanted = m.dyn.needed_count + m.dyn.filter_count;
  if (m.is_vdso || wanted == 0) return nullptr;
  m.deps = g.arena.New<Module*>(wanted);
  if (m.dyn.filter_count != 0) m.filtees = g.arena.New<Module*>(m.dyn.filter_count);
  if (m.deps == nullptr || (m.dyn.filter_count != 0 && m.filtees == nullptr))
    FatalLoad("", "cannot allocate memory", 12);
  const bool tracing = g.opt.list && !g.opt.list_option;
  for (size_t i = 0; i < m.dyn.count; ++i) {
    const int64_t tag = m.dynamic[i].tag;
    const bool filtee = tag == DT_FILTER || tag == DT_AUXILIARY;
    if (tag != DT_NEEDED && !filtee) continue;
    const char* name = m.symtab.String(m.dynamic[i].val);
    if (filtee && Debugging(kDebugLibs))
      DebugLine([&](support::Buffer& b) {
        b.Str("load auxiliary object=").Str(name).Str(" requested by file=").Str(DisplayName(m));
      });
    SearchError err;
    Module* dep = LoadObject(name, &m, &err);
    if (dep == nullptr) {
      if (tag == DT_AUXILIARY && !tracing) continue;  // optional: glibc ignores the error
      // --list stops at a missing object like a normal start; tracing
      // (LD_TRACE_LOADED_OBJECTS, ldd) goes on with a placeholder that
      // keeps the object's place in the list.
      if (!tracing) FatalLoad(err.objname, err.text, err.err);
      dep = MissingPlaceholder(name);
    }
    // (The program stays first: a program that is a filter keeps its place.)
    if (filtee && !m.is_program && dep != &m && LoadedAfter(*dep, m)) {
      MoveBefore(dep, &m);
      if (placed == nullptr && !dep->deps_loaded) placed = dep;
    }
    bool seen = false;
    for (unsigned k = 0; k < m.ndeps; ++k) seen |= m.deps[k] == dep;
    if (!seen) m.deps[m.ndeps++] = dep;
    if (filtee && !dep->is_missing) {
      seen = false;
      for (unsigned k = 0; k < m.nfiltees; ++k) seen |= m.filtees[k] == dep;
      if (!seen) m.filtees[m.nfiltees++] = dep;
    }
  }
  return placed;
}

}  // namespace

void LoadDependencies(Module* first) {
  for (Module* m = first; m != nullptr;) {
    // Only the objects of the dlopen under way (a nested one's are done;
    // an outer one's are left to it).
    const bool ours = m->load_call == g.dlopen_call;
    Module* placed = ours ? LoadDependenciesOf(*m) : nullptr;
    if (ours) m->deps_loaded = true;
    // Filtees placed before m come next, as in glibc; then the objects
    // after m that are not done yet.
    Module* next = placed != nullptr ? placed : m->next;
    while (next != nullptr && next->deps_loaded) next = next->next;
    m = next;
  }
}

EntryAndStack RtldMain(uint64_t* sp, uint64_t base, uint64_t start_tsc) {
  g_stats.start_tsc = g_stats.mark_tsc = start_tsc;
  EndPhase(Phase::kBootstrap);
  g.sp = sp;
  g.argc = static_cast<long>(sp[0]);
  g.argv = reinterpret_cast<char**>(sp + 1);
  g.envp = g.argv + g.argc + 1;
  g.auxv = FindAuxv(g.envp);
  ReadAuxv();
  SetUpRtldModule(base);
  ReadEnvironment();

  const bool command_mode = AuxvValue(AT_ENTRY) == reinterpret_cast<uint64_t>(&_start);
  g.command_mode = command_mode;
  if (command_mode) {
    // The kernel honoured the loader's PT_GNU_STACK; objects mapped from
    // here on, the program first, get an executable stack if they need
    // one (as glibc's loader: the kernel only knows what it ran).
    InitStackState(*g.rtld);
    const char* path = ParseCommandLine();
    SearchError err;
    Module* prog = LoadProgram(path, &err);
    if (prog == nullptr) {
      if (g.opt.verify) sys::ExitGroup(1);
      FatalLoad(err.objname, err.text, err.err);
    }
    // 0: a dynamically linked program with an interpreter; 2: something
    // else that maps (a library, a static program), as glibc's --verify.
    if (g.opt.verify) sys::ExitGroup(prog->dynamic != nullptr && InterpOf(*prog) ? 0 : 2);
    g.program = prog;
    // The program sees its own argv and auxv, as if the kernel had run it.
    SetAuxv(AT_PHDR, reinterpret_cast<uint64_t>(prog->phdr));
    SetAuxv(AT_PHNUM, prog->phnum);
    SetAuxv(AT_ENTRY, prog->entry);
    SetAuxv(AT_EXECFN, reinterpret_cast<uint64_t>(path));
  } else {
    AdoptKernelProgram();
    InitStackState(*g.program);
  }
  Module& prog = *g.program;
  AppendModule(&prog);
  const char* interp = InterpOf(prog);
  const char* interp_path = interp ? interp : kSystemInterp;
  // glibc names itself by its PT_INTERP path, or in command mode by how it
  // was invoked.
  g.rtld->lm.l_name = g.rtld->path = command_mode ? g.rtld_invoked_as : interp_path;
  AddAlias(*g.rtld, kSystemInterp);
  if (interp) AddAlias(*g.rtld, interp);
  SetUpVdso();
  // The symbol cache before any library is mapped: a layout places them.
  symcache::Open();
  PublishRDebug(prog, base);
  NotifyDebugger(RDebug::kAdd);

  LoadPreloads(g.opt.preload_env, "LD_PRELOAD");
  LoadPreloads(g.opt.preload_arg, "--preload");
  LoadDependencies(g.program);
  BuildScope();
  // glibc counts its own link map among the objects ever added, also when
  // nothing needs it in the list.
  if (!g.rtld->listed) ++g.load_adds;
  for (Module* m = g.first; m; m = m->next)
    if (!m->is_program) SetDependencyOrder(*m);
  glibc::SetProcessData(g.sp, g.argv, g.secure);
  if (Debugging(kDebugScopes)) DebugScopes();
  EndPhase(Phase::kLoad);
  if (g.opt.list && g.opt.record_bindings == nullptr) {
    PrintList();
    sys::ExitGroup(0);
  }
  CheckVersions();
  glibc::Detect();
  symcache::Attach();

  glibc::BeforeTls();
  SetUpStaticTls();
  glibc::AfterTls(g.tcb);
  EndPhase(Phase::kTls);
  // Dependencies first, in initialiser order (a library's IFUNC resolvers
  // may call into libc, which must be relocated by then); the loader
  // relocated itself.
  SetScopeOrder(prog, g.scope, g.nscope);
  for (unsigned i = prog.ninitfini; i-- > 0;) RelocateModule(*prog.initfini[i]);
  if (g.opt.record_bindings != nullptr) symcache::WriteRecordingAndExit();
  InitializeStaticTls();
  glibc::AfterRelocation();
  // As glibc's loader: debuggers learn of the objects once they are
  // relocated and the thread structures exist (libthread_db reads them).
  NotifyDebugger(RDebug::kConsistent);
  EndPhase(Phase::kRelocate);

  RunInitializers();
  glibc::ListChanged();
  EndPhase(Phase::kInit);
  if (Debugging(kDebugLibs))
    DebugLine([](support::Buffer& b) { b.Str("transferring control: ").Str(ProgramName()); });
  ReportStatistics();
  return {prog.entry, reinterpret_cast<uint64_t>(g.sp)};
}

}  // namespace rtld
