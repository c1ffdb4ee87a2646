// rtld-symcache: builds and inspects the shared symbol cache (DESIGN §6).
//
//   rtld-symcache build [--cache FILE] [--loader LD_SO] [--max-bytes N]
//                       [--max-closures N] [--no-symbol-index] [--check]
//                       [--recording FILE]... [PROGRAM]...
//   rtld-symcache stat   [--cache FILE]
//   rtld-symcache dump   [--cache FILE] [--names]
//   rtld-symcache verify [--cache FILE]
//   rtld-symcache relayout [--cache FILE] [--no-images]
//   rtld-symcache clear  [--cache FILE]
//   rtld-symcache check  [--loader LD_SO] [--layout-base ADDRESS] RECORDING PROGRAM
//
// build runs `LD_SO --record-bindings` for each program in the current
// environment (so LD_LIBRARY_PATH, LD_PRELOAD, ... apply as they would at
// run time), merges the closures into the cache and publishes a new
// generation atomically. --recording adds a recording made elsewhere.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "rtld/elf/symcache.h"
#include "tools/symcache/common.h"
#include "tools/symcache/elfsyms.h"
#include "tools/symcache/recording.h"
#include "tools/symcache/runner.h"
#include "tools/symcache/validate.h"
#include "tools/symcache/writer.h"

namespace sc = rtld::elf::symcache;
using namespace symcache;

namespace {

const char kUsage[] =
    "Usage: rtld-symcache COMMAND [OPTION]... [PROGRAM]...\n"
    "Builds and inspects the shared symbol cache of the rtld loader.\n"
    "\n"
    "Commands:\n"
    "  build PROGRAM...   record each program's binding closure (no daemon needed)\n"
    "                     and publish a new cache generation atomically\n"
    "  stat               summary: generation, size, counts, layouts, images, trust\n"
    "  dump               every closure, object and binding; per placed object its\n"
    "                     load bias, image runs, pages and patches\n"
    "  verify             full validation; re-stat every object (stale entries);\n"
    "                     re-record every closure and compare bindings and images\n"
    "  relayout           re-record every closure at a newly drawn layout\n"
    "  clear              publish an empty generation\n"
    "  check RECORDING PROGRAM\n"
    "                     check a recording (`LD_SO --record-bindings RECORDING\n"
    "                     [--record-layout ADDRESS] PROGRAM`, in this environment)\n"
    "                     against the files, as the daemon checks what its\n"
    "                     recording processes write: exit 0 if it holds in full,\n"
    "                     2 if bindings or images were dropped, 1 if refused\n"
    "\n"
    "Options:\n"
    "  --cache FILE       the cache (default: $RTLD_SYMCACHE, else /var/cache/rtld/symcache)\n"
    "  --loader LD_SO     the loader that records bindings (build)\n"
    "  --recording FILE   also merge this recording (build)\n"
    "  --check            build: check each recording against the files as the\n"
    "                     daemon does; one that does not hold in full is an error\n"
    "  --max-bytes N      bound the file size (K/M/G suffixes; default 1G)\n"
    "  --max-closures N   bound the number of closures (default 4096)\n"
    "  --no-symbol-index  do not build the name -> objects index\n"
    "  --no-images        build and relayout: closures without layouts or images\n"
    "  --names            dump: show symbol names (reads the objects)\n"
    "  --timeout SECONDS  per recording (default 60)\n"
    "  --layout-base ADDRESS\n"
    "                     check: the --record-layout address (hexadecimal)\n"
    "\n"
    "Exit status: 0 success; 1 error or (verify) an invalid cache; 2 (verify) stale entries.\n";

struct Options {
  std::string command;
  std::string cache = DefaultCachePath();
  std::string loader = DefaultLoader();
  std::vector<std::string> programs, recordings;
  Limits limits;
  bool symbol_index = true;
  bool images = true;
  bool names = false;
  int timeout = 60;
  uint64_t layout_base = 0;
  bool check = false;
};

[[noreturn]] void Usage(const char* msg) {
  if (msg) fprintf(stderr, "rtld-symcache: %s\n", msg);
  fputs(kUsage, msg ? stderr : stdout);
  exit(msg ? 1 : 0);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  if (argc < 2) Usage("no command");
  o.command = argv[1];
  if (o.command == "--help" || o.command == "-h" || o.command == "help") Usage(nullptr);
  bool opts = true;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (opts && a == "--") opts = false;
    else if (opts && a == "--cache") o.cache = value();
    else if (opts && a == "--loader") o.loader = value();
    else if (opts && a == "--recording") o.recordings.push_back(value());
    else if (opts && a == "--max-bytes") {
      if (!ParseSize(value(), &o.limits.max_bytes)) Usage("bad --max-bytes");
    } else if (opts && a == "--max-closures") {
      if (!ParseSize(value(), &o.limits.max_closures)) Usage("bad --max-closures");
    } else if (opts && a == "--timeout") o.timeout = atoi(value());
    else if (opts && a == "--no-symbol-index") o.symbol_index = false;
    else if (opts && a == "--no-images") o.images = false;
    else if (opts && a == "--names") o.names = true;
    else if (opts && a == "--check") o.check = true;
    else if (opts && a == "--layout-base") {
      char* end;
      const char* v = value();
      o.layout_base = strtoull(v, &end, 16);
      if (*v == 0 || *end != 0) Usage("bad --layout-base");
    }
    else if (opts && a == "--help") Usage(nullptr);
    else if (opts && a.size() > 1 && a[0] == '-') Usage(("unknown option " + a).c_str());
    else o.programs.push_back(a);
  }
  if (o.command == "check" && o.programs.size() != 2) Usage("check: RECORDING PROGRAM");
  if (o.command != "build" && o.command != "check" && !o.programs.empty()) Usage("unexpected argument");
  if (o.command != "build" && o.command != "relayout" && !o.images) Usage("--no-images is for build and relayout");
  if (o.timeout <= 0) o.timeout = 60;
  return o;
}

// "N objects imaged, P pages, Q patches".
std::string ImageSummary(const ClosureData& c) {
  size_t objs = 0, patches = 0;
  uint64_t pages = 0;
  for (const RecObject& o : c.objects) {
    if (!o.imaged) continue;
    ++objs;
    patches += o.patches.size();
    for (const RecRun& r : o.runs) pages += r.npages;
  }
  char b[160];
  snprintf(b, sizeof b, "images: %zu objects, %" PRIu64 " pages, %zu patches", objs, pages, patches);
  return b;
}

// Why a recomputed closure differs from the stored one ("" if it does not).
std::string CompareClosure(const ClosureData& a, const ClosureData& b) {
  if (a.objects.size() != b.objects.size()) return "another number of objects";
  for (size_t i = 0; i < a.objects.size(); ++i) {
    const RecObject& x = a.objects[i];
    const RecObject& y = b.objects[i];
    const std::string name = " of " + (x.path.empty() ? "object " + std::to_string(i) : x.path);
    if (!sc::SameObject(x.key, y.key)) return "another object" + name;
    if (a.binds[i].size() != b.binds[i].size()) return "other bindings" + name;
    for (size_t k = 0; k < a.binds[i].size(); ++k) {
      const Binding& p = a.binds[i][k];
      const Binding& q = b.binds[i][k];
      if (p.symndx != q.symndx || p.def_index != q.def_index || p.def_symndx != q.def_symndx)
        return "other bindings" + name;
    }
    if (!a.has_images) continue;
    if (x.bias != y.bias) return "another layout address" + name;
    if (x.imaged != y.imaged || x.lazy_plt != y.lazy_plt || x.runs.size() != y.runs.size())
      return "another image" + name;
    if (x.patches.size() != y.patches.size()) return "other patches" + name;
    for (size_t k = 0; k < x.patches.size(); ++k)
      if (x.patches[k].offset != y.patches[k].offset || x.patches[k].info != y.patches[k].info ||
          x.patches[k].addend != y.patches[k].addend)
        return "other patches" + name;
    for (size_t k = 0; k < x.runs.size(); ++k) {
      const RecRun& p = x.runs[k];
      const RecRun& q = y.runs[k];
      if (p.vaddr != q.vaddr || p.npages != q.npages || p.bytes.size() != q.bytes.size())
        return "another image" + name;
      for (size_t byte = 0; byte < p.bytes.size(); ++byte) {
        if (p.bytes[byte] == q.bytes[byte]) continue;
        // A byte a patch rewrites at start (up to a TLS descriptor's 16).
        const uint64_t at = p.vaddr + byte;
        bool patched = false;
        for (const sc::Patch& pt : x.patches) patched |= at >= pt.offset && at < pt.offset + 16;
        if (!patched) {
          char b[96];
          snprintf(b, sizeof b, "image bytes differ at 0x%" PRIx64, at);
          return b + name;
        }
      }
    }
  }
  return "";
}

std::string TimeString(uint64_t s) {
  if (s == 0) return "-";
  time_t t = static_cast<time_t>(s);
  struct tm tm;
  char buf[64];
  gmtime_r(&t, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// check: ValidateRecording on a recording file and its pages.
int Check(const Options& o) {
  const std::string& file = o.programs[0];
  const std::string program = ResolveProgram(o.programs[1]);
  std::vector<uint64_t> w;
  size_t n = 0;
  if (!ReadFileAligned(file, &w, &n)) {
    fprintf(stderr, "rtld-symcache: cannot read %s: %s\n", file.c_str(), strerror(errno));
    return 1;
  }
  Recording r;
  std::string err;
  if (!ParseRecording(std::string(reinterpret_cast<const char*>(w.data()), n), &r, &err)) {
    printf("refused: malformed recording: %s\n", err.c_str());
    return 1;
  }
  if (r.has_images) {
    std::vector<uint64_t> pw;
    size_t pn = 0;
    const char* pages = ReadFileAligned(file + ".pages", &pw, &pn) ? reinterpret_cast<const char*>(pw.data()) : "";
    if (r.npages * sc::kImagePage != pn) {
      printf("refused: %s.pages does not hold the %" PRIu64 " image pages\n", file.c_str(), r.npages);
      return 1;
    }
    for (RecObject& obj : r.objects)
      for (RecRun& run : obj.runs) run.bytes.assign(pages + run.first_page * sc::kImagePage, run.npages * sc::kImagePage);
  }
  const std::vector<std::string> env = CurrentEnvironment();
  const char* bind_now = getenv("LD_BIND_NOW");
  ValidationInput in;
  in.program = program;
  in.loader = o.loader;
  in.env_hash = EnvHashOf(env, bind_now != nullptr && *bind_now != 0 ? sc::kModeBindNow : 0);
  in.layout_base = o.layout_base;
  in.open = [](const std::string& path, std::string* e) { return OpenAs(Sandbox(), path, e); };
  const ValidationResult v = ValidateRecording(in, &r);
  if (!v.ok) {
    printf("refused: %s\n", v.error.c_str());
    return 1;
  }
  if (!v.unchecked.empty()) printf("not checked: %s\n", v.unchecked.c_str());
  else if (v.dropped_binds) printf("dropped %zu bindings (first: %s)\n", v.dropped_binds, v.dropped_example.c_str());
  if (!v.images_refused.empty()) printf("images refused: %s\n", v.images_refused.c_str());
  printf("usable: %zu objects, %zu bindings, %s\n", r.objects.size(), r.binds.size(),
         r.has_images ? "images" : "no images");
  return v.dropped_binds || !v.images_refused.empty() ? 2 : 0;
}

int Build(const Options& o) {
  std::vector<ClosureData> add;
  int failures = 0;
  const uint64_t now_s = NowNs() / 1000000000ull;
  for (const std::string& f : o.recordings) {
    std::vector<uint64_t> w;
    size_t n;
    if (!ReadFileAligned(f, &w, &n)) {
      fprintf(stderr, "rtld-symcache: cannot read %s: %s\n", f.c_str(), strerror(errno));
      ++failures;
      continue;
    }
    Recording r;
    std::string err;
    if (!ParseRecording(std::string(reinterpret_cast<const char*>(w.data()), n), &r, &err)) {
      fprintf(stderr, "rtld-symcache: %s: %s\n", f.c_str(), err.c_str());
      ++failures;
      continue;
    }
    add.push_back(FromRecording(r, r.objects[0].path, now_s));
  }
  const std::vector<std::string> env = CurrentEnvironment();
  for (const std::string& p : o.programs) {
    const std::string prog = ResolveProgram(p);
    ClosureData c;
    std::string err, note;
    RecordPolicy policy;
    policy.validate = policy.strict = o.check;
    if (!RecordClosure(o.loader, prog, env, o.timeout, o.images, now_s, &c, &err, &note, policy)) {
      fprintf(stderr, "rtld-symcache: %s: %s\n", prog.c_str(), err.c_str());
      ++failures;
      continue;
    }
    size_t nb = 0;
    for (const auto& v : c.binds) nb += v.size();
    printf("recorded %s: %zu objects, %zu bindings, env %s", prog.c_str(), c.objects.size(), nb,
           Hex16(c.env_hash).c_str());
    if (c.has_images) printf(", %s", ImageSummary(c).c_str());
    printf("\n");
    if (!note.empty()) fprintf(stderr, "rtld-symcache: %s: %s\n", prog.c_str(), note.c_str());
    add.push_back(std::move(c));
  }
  if (add.empty() && failures > 0) return 1;
  UpdateResult u = UpdateCache(o.cache, std::move(add), o.limits, o.symbol_index);
  if (!u.ok) {
    fprintf(stderr, "rtld-symcache: %s\n", u.error.c_str());
    return 1;
  }
  if (u.previous_invalid) fprintf(stderr, "rtld-symcache: note: the previous %s was not a valid cache; replaced\n", o.cache.c_str());
  printf("published %s generation %" PRIu64 ": %zu closures, %zu objects, %zu symbols, %" PRIu64 " bytes",
         o.cache.c_str(), u.generation, u.stats.closures, u.stats.objects, u.stats.symbols, u.stats.file_size);
  if (u.stats.evicted) printf(", %zu evicted", u.stats.evicted);
  printf("\n");
  return failures ? 1 : 0;
}

int Clear(const Options& o) {
  UpdateResult u;
  {
    CacheLock lock(o.cache);
    CacheModel m;
    std::vector<uint64_t> w;
    size_t n;
    if (ReadFileAligned(o.cache, &w, &n)) m.Load(w.data(), n);
    m.closures.clear();
    m.generation += 1;
    std::vector<uint64_t> out = m.Build(o.limits, NowNs(), nullptr);
    if (!PublishAtomically(o.cache, out.data(), out.size() * 8, &u.error)) {
      fprintf(stderr, "rtld-symcache: %s\n", u.error.c_str());
      return 1;
    }
    printf("cleared %s: generation %" PRIu64 "\n", o.cache.c_str(), m.generation);
  }
  return 0;
}

struct Opened {
  std::vector<uint64_t> words;
  size_t size = 0;
  sc::Reader reader;
};

bool OpenCache(const std::string& path, Opened* o, bool quiet = false) {
  if (!ReadFileAligned(path, &o->words, &o->size)) {
    if (!quiet) fprintf(stderr, "rtld-symcache: cannot read %s: %s\n", path.c_str(), strerror(errno));
    return false;
  }
  if (!o->reader.Open(o->words.data(), o->size)) {
    if (!quiet) fprintf(stderr, "rtld-symcache: %s is not a valid cache (magic, version, bounds or checksum)\n", path.c_str());
    return false;
  }
  return true;
}

int Stat(const Options& o) {
  Opened c;
  if (!OpenCache(o.cache, &c)) return 1;
  const sc::Header* h = c.reader.header();
  c.reader.VerifyObjects();
  const bool syms = c.reader.VerifySymbols();
  printf("cache:      %s\n", o.cache.c_str());
  printf("format:     %u\n", h->version);
  printf("generation: %" PRIu64 "\n", h->generation);
  printf("published:  %s\n", TimeString(h->created_ns / 1000000000ull).c_str());
  printf("size:       %" PRIu64 " bytes\n", h->file_size);
  printf("closures:   %" PRIu64 " (%" PRIu64 " slots, %" PRIu64 " bytes)\n", h->sections[sc::kSecClosures].count,
         h->sections[sc::kSecSlots].count, h->sections[sc::kSecClosures].size);
  printf("objects:    %u\n", c.reader.object_count());
  printf("symbols:    %" PRIu64 " names%s (%" PRIu64 " bytes)\n", h->sections[sc::kSecSymbols].count,
         syms ? "" : " (no index)", h->sections[sc::kSecSymbols].size);
  // Layouts and images: per closure with a layout, its placed and imaged
  // objects, runs and patches.
  uint64_t layouts = 0, with_images = 0, placed = 0, imaged = 0, runs = 0, patches = 0;
  for (uint32_t s = 0; s < c.reader.slot_count(); ++s) {
    const sc::Closure cl = c.reader.ClosureInSlot(s);
    if (!cl.has_layout()) continue;
    ++layouts;
    with_images += cl.has_images();
    for (uint32_t k = 0; k < cl.nobjects(); ++k) {
      const sc::ClosureObject* obj = cl.object(k);
      placed += obj->bias != 0;
      imaged += (obj->flags & sc::kObjImage) != 0;
      runs += obj->run_count;
      patches += obj->patch_count;
    }
  }
  printf("layouts:    %" PRIu64 " closures (%" PRIu64 " with images, %" PRIu64 " program slots), %" PRIu64
         " objects placed\n",
         layouts, with_images, h->sections[sc::kSecPrograms].count, placed);
  printf("images:     %" PRIu64 " objects, %" PRIu64 " runs, %" PRIu64 " pages (%" PRIu64 " bytes), %" PRIu64
         " patches\n",
         imaged, runs, h->sections[sc::kSecImages].count, h->sections[sc::kSecImages].size, patches);
  printf("trust:      %s\n", TrustVerdict(o.cache).c_str());
  return 0;
}

std::string KeyString(const sc::ObjectKey& k) {
  char b[160];
  snprintf(b, sizeof b,
           "dev %" PRIu64 " ino %" PRIu64 " size %" PRIu64 " mtime %" PRIu64 " ctime %" PRIu64 " build-id %016" PRIx64,
           k.dev, k.ino, k.size, k.mtime_ns, k.ctime_ns, k.build_id);
  return b;
}

int Dump(const Options& o) {
  Opened c;
  if (!OpenCache(o.cache, &c)) return 1;
  sc::Reader& r = c.reader;
  r.VerifyObjects();
  printf("generation %" PRIu64 "\n", r.generation());
  std::map<uint32_t, ElfSymbols> names;  // by object id
  auto name_of = [&](const sc::ClosureObject* obj, uint32_t symndx) -> std::string {
    if (!o.names || obj == nullptr) return "";
    auto it = names.find(obj->object_id);
    if (it == names.end()) {
      ElfSymbols es;
      const sc::ObjectEntry* e = r.Object(obj->object_id);
      if (e && e->path != sc::kNoString && r.String(e->path)) ReadElfSymbols(r.String(e->path), &obj->key, &es);
      it = names.emplace(obj->object_id, std::move(es)).first;
    }
    if (symndx < it->second.syms.size()) {
      const ElfSymbol& s = it->second.syms[symndx];
      return " " + s.name + (s.has_version ? "@" + s.version : "");
    }
    return "";
  };
  for (uint32_t i = 0; i < r.object_count(); ++i) {
    const sc::ObjectEntry* e = r.Object(i);
    printf("object %u %s nsyms %u soname %s path %s\n", i, KeyString(e->key).c_str(), e->nsyms,
           e->soname != sc::kNoString && r.String(e->soname) ? r.String(e->soname) : "-",
           e->path != sc::kNoString && r.String(e->path) ? r.String(e->path) : "-");
  }
  for (uint32_t s = 0; s < r.slot_count(); ++s) {
    sc::Closure cl = r.ClosureInSlot(s);
    if (!cl.valid()) {
      if (r.header() && reinterpret_cast<const sc::ClosureSlot*>(reinterpret_cast<const char*>(r.header()) +
                                                               r.header()->sections[sc::kSecSlots].offset)[s]
                                .record_off8 != 0)
        printf("closure in slot %u: INVALID\n", s);
      continue;
    }
    const sc::ClosureRecord* rec = cl.record();
    printf("closure %s env %s objects %u last-used %s created %s\n",
           rec->program != sc::kNoString && r.String(rec->program) ? r.String(rec->program) : "-",
           Hex16(rec->env_hash).c_str(), rec->nobjects, TimeString(rec->last_used_s).c_str(),
           TimeString(rec->created_s).c_str());
    if (cl.has_layout()) {
      // Whether the loader finds this closure's layout by its program (the
      // newest closure of a program and environment).
      const bool listed = r.FindByProgram(rec->env_hash, cl.object(0)->key).record() == rec;
      printf("  layout base 0x%" PRIx64 "%s%s\n", rec->layout_base, cl.has_images() ? ", images" : ", no images",
             listed ? "" : " (not in the program table: a newer closure of the program is)");
    }
    for (uint32_t k = 0; k < rec->nobjects; ++k) {
      const sc::ClosureObject* obj = cl.object(k);
      const sc::ObjectEntry* e = r.Object(obj->object_id);
      printf("  [%u] object %u %s (dense %u, sparse %u%s)\n", k, obj->object_id,
             e && e->path != sc::kNoString && r.String(e->path) ? r.String(e->path) : "?", obj->dense_count,
             obj->sparse_count, (obj->flags & sc::kObjExactKey) ? ", exact key" : "");
      if (obj->bias != 0 || obj->run_count != 0 || obj->patch_count != 0) {
        // "bias B, runs R, pages P, patches Q[, lazy plt]" then each run.
        uint32_t nruns, npatches;
        const sc::ImageRun* runs = cl.runs(k, &nruns);
        cl.patches(k, &npatches);
        uint64_t pages = 0;
        for (uint32_t q = 0; q < nruns; ++q) pages += runs[q].npages;
        printf("      bias 0x%" PRIx64 ", %s, runs %u, pages %" PRIu64 ", patches %u%s\n", obj->bias,
               (obj->flags & sc::kObjImage) ? "image" : "no image", nruns, pages, npatches,
               (obj->flags & sc::kObjLazyPlt) ? ", lazy plt" : "");
        for (uint32_t q = 0; q < nruns; ++q)
          printf("      run 0x%" PRIx64 " %u pages at file offset 0x%" PRIx64 "\n", runs[q].vaddr, runs[q].npages,
                 runs[q].file_offset);
      }
      for (uint32_t sym = 1; sym < obj->nsyms; ++sym) {
        uint32_t di, ds;
        if (!cl.Lookup(k, sym, &di, &ds)) continue;
        if (di == sc::kUnresolvedWeak)
          printf("    %u%s -> unresolved weak\n", sym, name_of(obj, sym).c_str());
        else
          printf("    %u%s -> [%u] %u%s\n", sym, name_of(obj, sym).c_str(), di, ds, name_of(cl.object(di), ds).c_str());
      }
    }
  }
  return 0;
}

int Verify(const Options& o) {
  Opened c;
  if (!OpenCache(o.cache, &c)) return 1;
  sc::Reader& r = c.reader;
  int bad = 0, stale = 0;
  if (!r.VerifyObjects()) {
    printf("objects/strings: checksum mismatch\n");
    ++bad;
  }
  if (r.header()->sections[sc::kSecSymbols].size != 0 && !r.VerifySymbols()) {
    printf("symbol index: invalid\n");
    ++bad;
  }
  const sc::ClosureSlot* slots = reinterpret_cast<const sc::ClosureSlot*>(
      reinterpret_cast<const char*>(r.header()) + r.header()->sections[sc::kSecSlots].offset);
  uint64_t nclosures = 0;
  for (uint32_t s = 0; s < r.slot_count(); ++s) {
    if (slots[s].record_off8 == 0) continue;
    sc::Closure cl = r.ClosureInSlot(s);
    if (!cl.valid()) {
      printf("closure in slot %u: invalid record\n", s);
      ++bad;
      continue;
    }
    ++nclosures;
    // It must be found by its own key.
    std::vector<sc::ObjectKey> keys;
    for (uint32_t k = 0; k < cl.nobjects(); ++k) keys.push_back(cl.object(k)->key);
    sc::Closure again = r.FindClosure(cl.record()->env_hash, keys.data(), static_cast<unsigned>(keys.size()));
    if (again.record() != cl.record()) {
      printf("closure in slot %u: not found by its key\n", s);
      ++bad;
    }
    // Every recorded binding within range.
    for (uint32_t k = 0; k < cl.nobjects(); ++k) {
      const sc::ClosureObject* obj = cl.object(k);
      const sc::DenseEntry* dense = reinterpret_cast<const sc::DenseEntry*>(cl.object(0) + cl.nobjects());
      for (uint32_t d = 0; d < obj->dense_count; ++d) {
        const sc::DenseEntry& e = dense[obj->dense_first + d];
        if (e.def_index == sc::kNotRecorded || e.def_index == sc::kUnresolvedWeak) continue;
        uint32_t di, ds;
        if (!cl.Lookup(k, d, &di, &ds)) {
          printf("closure in slot %u: object %u symbol %u: binding out of range\n", s, k, d);
          ++bad;
        }
      }
    }
  }
  if (nclosures != r.header()->sections[sc::kSecClosures].count) {
    printf("closure count %" PRIu64 " != header's %" PRIu64 "\n", nclosures, r.header()->sections[sc::kSecClosures].count);
    ++bad;
  }
  // Re-stat every object.
  for (uint32_t i = 0; i < r.object_count(); ++i) {
    const sc::ObjectEntry* e = r.Object(i);
    // The vDSO (all zeros) and identities that are not a file's (the
    // loader's own key is derived from its build id: device and inode 0).
    if (e->key.dev == 0 && e->key.ino == 0) continue;
    const char* path = e->path != sc::kNoString ? r.String(e->path) : nullptr;
    sc::ObjectKey now;
    if (path == nullptr) {
      printf("object %u: no path\n", i);
      ++stale;
    } else if (!StatKey(path, &now)) {
      printf("stale: object %u %s: %s\n", i, path, strerror(errno));
      ++stale;
    } else if (!sc::SameObject(now, e->key)) {
      printf("stale: object %u %s: changed (was %s, now %s)\n", i, path, KeyString(e->key).c_str(),
             KeyString(now).c_str());
      ++stale;
    }
  }
  // Recompute every closure that has a layout (at its own layout, in its
  // own environment) and compare bindings, biases, patches and image bytes
  // (bytes a patch rewrites at start excepted).
  int differ = 0;
  if (!bad && stale == 0) {
    CacheModel model;
    model.Load(c.words.data(), c.size);
    const std::vector<std::string> base_env = CurrentEnvironment();
    for (const ClosureData& cd : model.closures) {
      if (!cd.has_layout) continue;
      const std::vector<std::string> env = EnvironmentFor(base_env, EnvAssignments(cd.env_text));
      RecordResult rr = RecordBindings(o.loader, cd.program, env, o.timeout, cd.layout_base);
      std::string why;
      if (!rr.ok) why = "cannot record again: " + rr.error;
      else why = CompareClosure(cd, FromRecording(rr.recording, cd.program, 0, cd.env_text, cd.layout_base));
      if (!why.empty()) {
        printf("closure %s: %s\n", cd.program.c_str(), why.c_str());
        ++differ;
      }
    }
  }
  printf("%s: generation %" PRIu64 ", %" PRIu64 " closures, %u objects: %s, %d stale, %d differ\n", o.cache.c_str(),
         r.generation(), nclosures, r.object_count(), bad ? "INVALID" : "valid", stale, differ);
  return bad ? 1 : stale || differ ? 2 : 0;
}

int Relayout(const Options& o) {
  RelayoutResult r = RelayoutCache(o.cache, o.loader, o.timeout, o.images, o.limits, o.symbol_index,
                                   [](const std::string& line) { printf("%s\n", line.c_str()); });
  if (!r.ok) {
    fprintf(stderr, "rtld-symcache: %s\n", r.error.c_str());
    return 1;
  }
  printf("published %s generation %" PRIu64 ": %zu closures, %zu with images\n", o.cache.c_str(), r.generation,
         r.closures, r.with_images);
  return r.failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseArgs(argc, argv);
  if (o.command == "build") {
    if (o.programs.empty() && o.recordings.empty()) Usage("build: no program");
    return Build(o);
  }
  if (o.command == "stat") return Stat(o);
  if (o.command == "dump") return Dump(o);
  if (o.command == "verify") return Verify(o);
  if (o.command == "check") return Check(o);
  if (o.command == "clear") return Clear(o);
  if (o.command == "relayout") return Relayout(o);
  Usage(("unknown command " + o.command).c_str());
}
