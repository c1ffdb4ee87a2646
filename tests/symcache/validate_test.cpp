// The daemon's check of untrusted recordings (tools/symcache/validate.h) and
// what it reads (elfimage.h) on hostile input, under ASan/UBSan: real
// libraries with bytes changed (a fixed seed) are read and looked up within
// bounds, and recordings forged over them are checked without a fault or
// an endless loop. Also the exact keys (kObjExactKey) the daemon gives files
// someone other than root may have written: such an object matches only
// its own stat identity, never a file SameObject would take for it.
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "rtld/elf/dynamic.h"
#include "rtld/elf/hash.h"
#include "rtld/elf/symcache.h"
#include "tools/symcache/elfimage.h"
#include "tools/symcache/elfsyms.h"
#include "tools/symcache/recording.h"
#include "tools/symcache/runner.h"
#include "tools/symcache/validate.h"
#include "tools/symcache/writer.h"

namespace elf = rtld::elf;
namespace sc = rtld::elf::symcache;

namespace {

std::vector<char> ReadFile(const std::string& path) {
  std::vector<char> b;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return b;
  struct stat st;
  if (fstat(fd, &st) == 0) {
    b.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < b.size()) {
      const ssize_t r = pread(fd, b.data() + done, b.size() - done, static_cast<off_t>(done));
      if (r <= 0) break;
      done += static_cast<size_t>(r);
    }
    b.resize(done);
  }
  close(fd);
  return b;
}

// An unnamed file holding bytes.
int MemFile(const std::vector<char>& bytes) {
  const int fd = memfd_create("elf", MFD_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  return fd;
}

sc::ObjectKey KeyOfFd(int fd) {
  struct stat st;
  REQUIRE(fstat(fd, &st) == 0);
  sc::ObjectKey k;
  k.dev = st.st_dev;
  k.ino = st.st_ino;
  k.size = static_cast<uint64_t>(st.st_size);
  k.mtime_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
  k.ctime_ns = static_cast<uint64_t>(st.st_ctim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_ctim.tv_nsec);
  k.build_id = symcache::FileBuildId(fd, k.size);
  return k;
}

// Small system libraries with dynamic symbols, versions and relocations.
std::vector<std::string> Libraries() {
  std::vector<std::string> out;
  for (const char* p : {"/lib/x86_64-linux-gnu/libdl.so.2", "/lib/x86_64-linux-gnu/libutil.so.1",
                        "/lib/x86_64-linux-gnu/librt.so.1", "/lib/x86_64-linux-gnu/libz.so.1"})
    if (access(p, R_OK) == 0) out.push_back(p);
  return out;
}

// Where to change bytes: the headers and the first page (dynamic symbols,
// strings, hash tables), the dynamic section, and anywhere.
size_t MutationOffset(std::mt19937& rng, const std::vector<char>& b, uint64_t dyn_off, uint64_t dyn_size) {
  switch (rng() % 3) {
    case 0: return rng() % std::min<size_t>(b.size(), 8192);
    case 1: return dyn_size ? static_cast<size_t>(dyn_off + rng() % dyn_size) % b.size() : rng() % b.size();
    default: return rng() % b.size();
  }
}

char Interesting(std::mt19937& rng) {
  static const char kValues[] = {0, 1, 2, 7, 8, 16, 24, 0x7f, static_cast<char>(0x80), static_cast<char>(0xff)};
  return rng() % 2 ? kValues[rng() % sizeof kValues] : static_cast<char>(rng());
}

// Every name of the table looked up, every relocation visited.
size_t Exercise(symcache::ElfImage& img) {
  size_t n = 0;
  for (uint32_t i = 1; i < img.symtab.nsyms; ++i) {
    const char* name = img.symtab.SymbolName(img.symtab.syms[i]);
    if (name == nullptr) continue;
    elf::HashedName hn(name);
    n += img.symtab.Find(hn, nullptr, i % 2 == 0) >= 0;
    if (img.symtab.nversions > 2) n += img.symtab.Find(hn, &img.symtab.versions[2]) >= 0;
  }
  for (const elf::Rela& r : img.rela) n += r.symndx() < img.symtab.nsyms;
  for (const elf::Rela& r : img.jmprel) n += r.symndx() < img.symtab.nsyms;
  elf::ForEachRelr(img.relr.data, img.relr.count, [&](uint64_t v) { n += v & 1; });
  return n;
}

}  // namespace

TEST_CASE("ElfImage reads mutated libraries within bounds", "[symcache-validate]") {
  const std::vector<std::string> libs = Libraries();
  if (libs.empty()) WARN("no small system library to mutate");
  std::mt19937 rng(20240612);
  size_t loaded = 0, refused = 0;
  for (const std::string& path : libs) {
    const std::vector<char> original = ReadFile(path);
    symcache::ElfSymbols syms;
    REQUIRE(symcache::ReadElfSymbols(path, nullptr, &syms));
    const uint32_t nsyms = static_cast<uint32_t>(syms.syms.size());
    uint64_t dyn_off = 0, dyn_size = 0;
    {
      const int fd = MemFile(original);
      symcache::ElfImage img;
      std::string err;
      REQUIRE(img.Load(fd, original.size(), nsyms, &err));
      for (const elf::Phdr& ph : img.phdrs)
        if (ph.type == PT_DYNAMIC) dyn_off = ph.offset, dyn_size = ph.filesz;
      REQUIRE(Exercise(img) > 0);
      close(fd);
    }
    for (int round = 0; round < 400; ++round) {
      std::vector<char> b = original;
      const int changes = 1 + static_cast<int>(rng() % 8);
      for (int k = 0; k < changes; ++k) b[MutationOffset(rng, b, dyn_off, dyn_size)] = Interesting(rng);
      if (rng() % 10 == 0) b.resize(rng() % b.size());  // truncated
      const int fd = MemFile(b);
      symcache::ElfImage img;
      std::string err;
      const uint32_t n = rng() % 4 == 0 ? static_cast<uint32_t>(rng() % (2 * nsyms + 2)) : nsyms;
      if (img.Load(fd, b.size(), n, &err)) {
        ++loaded;
        Exercise(img);
      } else {
        ++refused;
        REQUIRE_FALSE(err.empty());
      }
      close(fd);
    }
  }
  if (!libs.empty()) REQUIRE((loaded > 0 && refused > 0));
}

TEST_CASE("forged recordings over mutated libraries are checked without a fault", "[symcache-validate]") {
  const std::vector<std::string> libs = Libraries();
  if (libs.empty()) WARN("no small system library to mutate");
  std::mt19937 rng(77);
  size_t ok = 0;
  for (const std::string& path : libs) {
    const std::vector<char> original = ReadFile(path);
    symcache::ElfSymbols syms;
    REQUIRE(symcache::ReadElfSymbols(path, nullptr, &syms));
    const uint32_t nsyms = static_cast<uint32_t>(syms.syms.size());
    for (int round = 0; round < 150; ++round) {
      std::vector<char> b = original;
      const int changes = static_cast<int>(rng() % 6);  // (none sometimes: a valid file)
      for (int k = 0; k < changes; ++k) b[rng() % std::min<size_t>(b.size(), 16384)] = Interesting(rng);
      // Two objects, the program and a placed library, each a copy of the
      // mutated file (two inodes: a file listed twice is refused).
      const int fds[2] = {MemFile(b), MemFile(b)};
      const uint64_t base = 0x7c0000000000ull;
      symcache::Recording rec;
      rec.env_hash = 0x55;
      symcache::ElfImage img;
      std::string err;
      const bool loads = img.Load(fds[1], b.size(), nsyms, &err);
      for (int i = 0; i < 2; ++i) {
        symcache::RecObject o;
        o.key = KeyOfFd(fds[i]);
        o.nsyms = nsyms;
        o.has_soname = loads && img.soname != nullptr;
        if (o.has_soname) o.soname = img.soname;
        o.path = i == 0 ? "prog" : "lib";
        rec.objects.push_back(o);
      }
      // Bindings: random references, some real ones.
      for (int k = 0; k < 200; ++k) {
        symcache::RecBind bind{static_cast<uint32_t>(rng() % 2), 1 + static_cast<uint32_t>(rng() % (nsyms - 1)),
                               rng() % 7 == 0 ? sc::kUnresolvedWeak : static_cast<uint32_t>(rng() % 2),
                               static_cast<uint32_t>(rng() % nsyms)};
        rec.binds.push_back(bind);
      }
      // The library placed at the base, with images: its writable pages,
      // some bytes changed, and patches at random places and real ones.
      symcache::RecObject& lib = rec.objects[1];
      lib.bias = base;
      rec.has_layout = true;
      if (loads) {
        rec.has_images = true;
        for (const elf::Phdr& ph : img.phdrs) {
          if (ph.type != PT_LOAD || !(ph.flags & PF_W) || ph.filesz == 0) continue;
          symcache::RecRun run;
          run.vaddr = ph.vaddr & ~uint64_t{4095};
          run.npages = static_cast<uint32_t>((((ph.vaddr + ph.filesz + 4095) & ~uint64_t{4095}) - run.vaddr) / 4096);
          if (run.npages == 0 || run.npages > 64 || !img.InBuffer(run.vaddr, uint64_t{run.npages} * 4096)) continue;
          run.bytes.assign(reinterpret_cast<const char*>(img.At(run.vaddr)), uint64_t{run.npages} * 4096);
          for (int k = 0; k < 4; ++k) run.bytes[rng() % run.bytes.size()] = Interesting(rng);
          lib.runs.push_back(run);
        }
        uint64_t at = 0;
        for (int k = 0; k < 20; ++k) {
          at += 1 + rng() % 4096;
          const elf::Rela* real = img.rela.count ? &img.rela[rng() % img.rela.count] : nullptr;
          sc::Patch p = real && rng() % 2 ? sc::Patch{real->offset, real->info, real->addend}
                                          : sc::Patch{at, rng() % 40 | (uint64_t{rng() % 300} << 32),
                                                      static_cast<int64_t>(rng())};
          lib.patches.push_back(p);
          lib.patch_lazy.push_back(rng() % 5 == 0);
        }
        std::sort(lib.patches.begin(), lib.patches.end(),
                  [](const sc::Patch& x, const sc::Patch& y) { return x.offset < y.offset; });
        lib.imaged = !lib.runs.empty();
        lib.lazy_plt = rng() % 2;
      }
      symcache::ValidationInput in;
      in.program = "prog";
      in.loader = "/nonexistent";
      in.env_hash = 0x55;
      in.layout_base = base;
      in.open = [&](const std::string& path, std::string*) { return dup(fds[path == "lib" ? 1 : 0]); };
      const symcache::ValidationResult v = symcache::ValidateRecording(in, &rec);
      ok += v.ok;
      REQUIRE((v.ok || !v.error.empty()));
      close(fds[0]);
      close(fds[1]);
    }
  }
  if (!libs.empty()) REQUIRE(ok > 0);
}

TEST_CASE("an exact-key object matches only its own stat identity", "[symcache-validate]") {
  // A closure of two objects with build IDs; a copy of each (new inode,
  // same build ID, size and mtime second) is SameObject.
  symcache::Recording rec;
  rec.env_hash = 9;
  for (uint32_t i = 0; i < 2; ++i) {
    symcache::RecObject o;
    o.key = sc::ObjectKey{7, 100 + i, 8192, 1700000000000000000ull, 1700000000000000005ull, 0xb1d0 + i};
    o.nsyms = 10;
    o.path = "/o" + std::to_string(i);
    rec.objects.push_back(o);
  }
  rec.binds.push_back(symcache::RecBind{0, 3, 1, 4});
  std::vector<sc::ObjectKey> keys = {rec.objects[0].key, rec.objects[1].key};
  std::vector<sc::ObjectKey> copies = keys;
  for (auto& k : copies) {
    k.ino += 1000;
    k.ctime_ns += 77;
  }
  auto find = [](const symcache::Recording& r, const std::vector<sc::ObjectKey>& want) {
    symcache::CacheModel m;
    m.symbol_index = false;
    m.Merge(symcache::FromRecording(r, "/o0", 1));
    std::vector<uint64_t> words = m.Build(symcache::Limits(), 1, nullptr);
    sc::Reader reader;
    REQUIRE(reader.Open(words.data(), words.size() * 8));
    return reader.FindClosure(9, want.data(), 2).valid();
  };
  REQUIRE(find(rec, keys));
  REQUIRE(find(rec, copies));  // what keys survive copying for
  symcache::Recording exact = rec;
  exact.objects[1].exact_key = true;
  REQUIRE(find(exact, keys));
  REQUIRE_FALSE(find(exact, copies));
  std::vector<sc::ObjectKey> mixed = {copies[0], keys[1]};
  REQUIRE(find(exact, mixed));  // object 0 is not exact: its copy still stands for it
  // The flag survives a load and rebuild of the cache.
  symcache::CacheModel m;
  m.symbol_index = false;
  m.Merge(symcache::FromRecording(exact, "/o0", 1));
  std::vector<uint64_t> words = m.Build(symcache::Limits(), 1, nullptr);
  symcache::CacheModel again;
  REQUIRE(again.Load(words.data(), words.size() * 8));
  REQUIRE(again.closures.size() == 1);
  REQUIRE(again.closures[0].objects[1].exact_key);
  REQUIRE_FALSE(again.closures[0].objects[0].exact_key);
  // A user's exact-key closure does not replace the one it copies.
  symcache::CacheModel both;
  both.symbol_index = false;
  REQUIRE_FALSE(both.Merge(symcache::FromRecording(rec, "/o0", 1)));
  symcache::Recording user = exact;
  for (size_t i = 0; i < 2; ++i) user.objects[i].key = copies[i];
  REQUIRE_FALSE(both.Merge(symcache::FromRecording(user, "/u0", 2)));
  REQUIRE(both.closures.size() == 2);
}
