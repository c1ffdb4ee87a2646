// The symbol cache format (rtld/elf/symcache.h) and its hosted writer
// (tools/symcache): round trip, every kind of corruption rejected, key
// mismatch is a miss, keys that survive copies (SameObject), layouts and
// pre-relocated images (runs, patches, the program table), the recording
// parser, the trust rules, the env hash. Recordings come from a small fake
// generator here, not from the loader.
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "rtld/elf/hash.h"
#include "rtld/elf/symcache.h"
#include "tools/symcache/elfsyms.h"
#include "tools/symcache/recording.h"
#include "tools/symcache/writer.h"

namespace sc = rtld::elf::symcache;
using symcache::CacheModel;
using symcache::ClosureData;
using symcache::Recording;

namespace {

// --- Fake recording generator ---------------------------------------------

// Whether FakeRecording gives object i a build ID: the even ones (the
// program among them), so every closure mixes both kinds of key.
bool HasBuildId(uint32_t i) { return i % 2 == 0; }

// A program of n objects with pseudo-random keys and bindings: references
// below each object's "symoffset" (dense) and a few high ones (sparse),
// some unresolved weak.
Recording FakeRecording(uint32_t seed, uint32_t nobjects, uint64_t env_hash = 0x1234) {
  std::mt19937 rng(seed);
  Recording r;
  r.env_hash = env_hash;
  for (uint32_t i = 0; i < nobjects; ++i) {
    symcache::RecObject o;
    o.key = sc::ObjectKey{1000 + seed, 50000 + seed * 100 + i, 4096u * (i + 1), 1700000000000000000ull + i * 1000,
                          1700000000000000001ull + seed,
                          HasBuildId(i) ? 0xb1d0000000000000ull + seed * 1000 + i : 0};
    o.nsyms = 20 + rng() % 500;
    o.has_soname = i != 0;
    if (o.has_soname) o.soname = "libfake" + std::to_string(i) + ".so";
    o.path = i == 0 ? "/usr/bin/fake" + std::to_string(seed) : "/usr/lib/libfake" + std::to_string(i) + ".so";
    r.objects.push_back(o);
  }
  for (uint32_t i = 0; i < nobjects; ++i) {
    const uint32_t nsyms = r.objects[i].nsyms;
    const uint32_t symoffset = 1 + nsyms / 4;
    for (uint32_t s = 1; s < nsyms; ++s) {
      const bool low = s < symoffset;
      if (!(low ? rng() % 4 != 0 : rng() % 40 == 0)) continue;
      symcache::RecBind b;
      b.object = i;
      b.symndx = s;
      if (rng() % 17 == 0) {
        b.def_index = sc::kUnresolvedWeak;
        b.def_symndx = 0;
      } else {
        b.def_index = rng() % nobjects;
        b.def_symndx = rng() % r.objects[b.def_index].nsyms;
      }
      r.binds.push_back(b);
    }
  }
  return r;
}

std::vector<sc::ObjectKey> KeysOf(const Recording& r) {
  std::vector<sc::ObjectKey> k;
  for (const auto& o : r.objects) k.push_back(o.key);
  return k;
}

// Gives r a layout from base: every library (not the program) placed 1 MiB
// apart; with images, every object but each third has an image (one or two
// runs of pseudo-random bytes, sorted patches, a lazy PLT slot on some);
// the others are placed only (as an object with DT_TEXTREL would be).
void AddLayout(Recording& r, uint64_t base, bool images = true) {
  std::mt19937 rng(static_cast<uint32_t>(base >> 20));
  r.has_layout = true;
  r.has_images = images;
  for (uint32_t i = 1; i < r.objects.size(); ++i) {
    symcache::RecObject& o = r.objects[i];
    o.bias = base + uint64_t{i} * 0x100000;
    if (!images || i % 3 == 0) continue;
    o.imaged = true;
    const uint32_t nruns = 1 + i % 2;
    for (uint32_t k = 0; k < nruns; ++k) {
      symcache::RecRun run;
      run.vaddr = 0x3000 + uint64_t{k} * 0x5000;
      run.npages = 1 + (i + k) % 2;
      run.first_page = r.npages;
      r.npages += run.npages;
      run.bytes.resize(uint64_t{run.npages} * sc::kImagePage);
      for (char& c : run.bytes) c = static_cast<char>(rng());
      o.runs.push_back(std::move(run));
    }
    const uint32_t npatches = i % 4;
    for (uint32_t k = 0; k < npatches; ++k) {
      o.patches.push_back(sc::Patch{0x3000 + uint64_t{k} * 0x18, 0x8 /* R_X86_64_RELATIVE */,
                                    static_cast<int64_t>(rng() % 0x10000)});
      const bool lazy = k == 0 && i % 5 == 1;
      o.patch_lazy.push_back(lazy);
      o.lazy_plt |= lazy;
    }
  }
}

// The base AddLayout drew from (0 without a layout).
uint64_t LayoutBaseOf(const Recording& r) {
  return r.has_layout && r.objects.size() > 1 ? r.objects[1].bias - 0x100000 : 0;
}

// Like FakeRecording, with a layout and images drawn from base.
Recording FakeImaged(uint32_t seed, uint32_t nobjects, uint64_t base, uint64_t env_hash = 0x1234) {
  Recording r = FakeRecording(seed, nobjects, env_hash);
  AddLayout(r, base);
  return r;
}

// A cache image in exactly-sized heap storage (ASan sees any read past it).
struct Image {
  std::vector<uint64_t> words;
  size_t size() const { return words.size() * 8; }
  unsigned char* bytes() { return reinterpret_cast<unsigned char*>(words.data()); }
  sc::Header* header() { return reinterpret_cast<sc::Header*>(words.data()); }
};

Image Build(const std::vector<Recording>& recs, bool symbols = false, uint64_t generation = 7) {
  CacheModel m;
  m.symbol_index = symbols;
  m.generation = generation;
  for (size_t i = 0; i < recs.size(); ++i) {
    m.Merge(symcache::FromRecording(recs[i], recs[i].objects[0].path, 1000 + i, "", LayoutBaseOf(recs[i])));
  }
  Image im;
  im.words = m.Build(symcache::Limits(), 42, nullptr);
  return im;
}

// Recomputes the index checksum after a deliberate edit (the adversarial
// case: a corrupt file that is nevertheless self-consistent): the header,
// then the slot table, then the program table.
void ResealIndex(Image& im) {
  sc::Header* h = im.header();
  h->index_checksum = 0;
  uint64_t c = sc::Checksum64(h, sizeof(sc::Header));
  for (unsigned id : {unsigned{sc::kSecSlots}, unsigned{sc::kSecPrograms}}) {
    const sc::Section& s = h->sections[id];
    if (s.offset % 8 == 0 && s.offset <= im.size() && s.size <= im.size() - s.offset)
      c = sc::Checksum64(im.bytes() + s.offset, s.size, c);
  }
  h->index_checksum = c;
}

// Recomputes every slot's record checksum, in both tables (for records
// still in bounds), then the index checksum.
void ResealAll(Image& im) {
  sc::Header* h = im.header();
  for (unsigned id : {unsigned{sc::kSecSlots}, unsigned{sc::kSecPrograms}}) {
    const sc::Section& s = h->sections[id];
    if (s.offset % 8 != 0 || s.offset > im.size() || s.count > (im.size() - s.offset) / sizeof(sc::ClosureSlot))
      continue;
    auto* slots = reinterpret_cast<sc::ClosureSlot*>(im.bytes() + s.offset);
    for (uint64_t i = 0; i < s.count; ++i) {
      if (slots[i].record_off8 == 0) continue;
      const uint64_t off = uint64_t{slots[i].record_off8} * 8;
      if (off + sizeof(sc::ClosureRecord) > im.size()) continue;
      const auto* r = reinterpret_cast<const sc::ClosureRecord*>(im.bytes() + off);
      if (r->record_size > im.size() - off) continue;
      slots[i].record_check = sc::Fold32(sc::Checksum64(r, r->record_size));
    }
  }
  ResealIndex(im);
}

// The parts of a closure record in an image (for deliberate edits).
struct RecordParts {
  sc::ClosureRecord* rec;
  sc::ClosureObject* objs;
  sc::DenseEntry* dense;
  sc::SparseEntry* sparse;
  sc::ImageRun* runs;
  sc::Patch* patches;
};
RecordParts PartsAt(Image& im, size_t roff) {
  RecordParts p;
  p.rec = reinterpret_cast<sc::ClosureRecord*>(im.bytes() + roff);
  p.objs = reinterpret_cast<sc::ClosureObject*>(p.rec + 1);
  p.dense = reinterpret_cast<sc::DenseEntry*>(p.objs + p.rec->nobjects);
  p.sparse = reinterpret_cast<sc::SparseEntry*>(p.dense + p.rec->ndense);
  p.runs = reinterpret_cast<sc::ImageRun*>(p.sparse + p.rec->nsparse);
  p.patches = reinterpret_cast<sc::Patch*>(p.runs + p.rec->nruns);
  return p;
}

// Every image run of every object of a validated closure lies inside the
// image section, page-aligned, non-empty; every patch range inside the
// record's patch array. What RecordAt promises, whatever the bytes.
void CheckRunsInBounds(const sc::Reader& r, const sc::Closure& cl) {
  const sc::Section& images = r.header()->sections[sc::kSecImages];
  const sc::ClosureRecord* rec = cl.record();
  const auto* rec_end = reinterpret_cast<const unsigned char*>(rec) + rec->record_size;
  for (uint32_t i = 0; i < cl.nobjects(); ++i) {
    REQUIRE(cl.object(i)->bias % sc::kImagePage == 0);
    uint32_t n;
    const sc::ImageRun* runs = cl.runs(i, &n);
    for (uint32_t k = 0; k < n; ++k) {
      REQUIRE(reinterpret_cast<const unsigned char*>(runs + k + 1) <= rec_end);
      REQUIRE(runs[k].npages > 0);
      REQUIRE(runs[k].vaddr % sc::kImagePage == 0);
      REQUIRE(runs[k].file_offset % sc::kImagePage == 0);
      REQUIRE(runs[k].file_offset >= images.offset);
      REQUIRE(runs[k].file_offset + uint64_t{runs[k].npages} * sc::kImagePage <= images.offset + images.size);
    }
    const sc::Patch* patches = cl.patches(i, &n);
    if (n) REQUIRE(reinterpret_cast<const unsigned char*>(patches + n) <= rec_end);
  }
}

// A closure's layout and images are exactly the recording's: biases,
// flags, runs (their bytes read at their file offsets) and patches.
void CheckImages(const sc::Reader& r, const sc::Closure& cl, const Recording& rec, const unsigned char* file) {
  REQUIRE(cl.has_layout() == rec.has_layout);
  REQUIRE(cl.has_images() == (rec.has_layout && rec.has_images));
  CheckRunsInBounds(r, cl);
  for (uint32_t i = 0; i < rec.objects.size(); ++i) {
    const symcache::RecObject& o = rec.objects[i];
    const sc::ClosureObject* obj = cl.object(i);
    const bool imaged = cl.has_images() && o.imaged;
    INFO("object " << i);
    REQUIRE(obj->bias == (rec.has_layout ? o.bias : 0));
    REQUIRE(((obj->flags & sc::kObjImage) != 0) == imaged);
    REQUIRE(((obj->flags & sc::kObjLazyPlt) != 0) == (imaged && o.lazy_plt));
    uint32_t nruns, npatches;
    const sc::ImageRun* runs = cl.runs(i, &nruns);
    const sc::Patch* patches = cl.patches(i, &npatches);
    REQUIRE(nruns == (imaged ? o.runs.size() : 0));
    REQUIRE(npatches == (imaged ? o.patches.size() : 0));
    for (uint32_t k = 0; k < nruns; ++k) {
      REQUIRE(runs[k].vaddr == o.runs[k].vaddr);
      REQUIRE(runs[k].npages == o.runs[k].npages);
      REQUIRE(memcmp(file + runs[k].file_offset, o.runs[k].bytes.data(), o.runs[k].bytes.size()) == 0);
    }
    for (uint32_t k = 0; k < npatches; ++k) {
      REQUIRE(patches[k].offset == o.patches[k].offset);
      REQUIRE(patches[k].info == o.patches[k].info);
      REQUIRE(patches[k].addend == o.patches[k].addend);
    }
  }
  // Out of range: empty.
  uint32_t n = 7;
  REQUIRE(cl.runs(cl.nobjects(), &n) == nullptr);
  REQUIRE(n == 0);
  n = 7;
  REQUIRE(cl.patches(cl.nobjects(), &n) == nullptr);
  REQUIRE(n == 0);
}

// Every answer a closure gives must be either "not recorded" or exactly
// the recorded binding; and never an index out of range.
void CheckAnswers(const sc::Closure& c, const Recording& r, bool allow_misses) {
  REQUIRE(c.nobjects() == r.objects.size());
  std::map<std::pair<uint32_t, uint32_t>, std::pair<uint32_t, uint32_t>> want;
  for (const auto& b : r.binds) want[{b.object, b.symndx}] = {b.def_index, b.def_symndx};
  // (One REQUIRE at the end, naming the first wrong answer: a REQUIRE per
  // lookup makes the corruption tests, which check every hit, far slower.)
  std::string wrong;
  for (uint32_t o = 0; o < r.objects.size() + 2 && wrong.empty(); ++o) {
    const uint32_t nsyms = o < r.objects.size() ? r.objects[o].nsyms : 10;
    for (uint32_t s = 0; s < nsyms + 3 && wrong.empty(); ++s) {
      uint32_t di = 77, ds = 77;
      const bool hit = c.Lookup(o, s, &di, &ds);
      auto it = want.find({o, s});
      const char* what = nullptr;
      if (hit) {
        if (it == want.end()) what = "a binding that was not recorded";
        else if (di != it->second.first || ds != it->second.second) what = "another binding";
        else if (di != sc::kUnresolvedWeak && di >= c.nobjects()) what = "an object out of range";
      } else if (!allow_misses && it != want.end()) {
        what = "a recorded binding not found";
      }
      if (what) wrong = "object " + std::to_string(o) + " symbol " + std::to_string(s) + ": " + what;
    }
  }
  INFO(wrong);
  REQUIRE(wrong.empty());
}

// Four closures: two with layouts and images (recs[2], 12 objects, is the
// one the record-level edits use), two without.
std::vector<Recording> Sample() {
  return {FakeImaged(1, 5, 0x7c0000000000ull), FakeRecording(2, 1), FakeImaged(3, 12, 0x7d1234200000ull, 0xfeed),
          FakeRecording(4, 3)};
}

}  // namespace

TEST_CASE("round trip: every recorded binding is found, nothing else", "[symcache-format]") {
  const std::vector<Recording> recs = Sample();
  Image im = Build(recs);
  sc::Reader r;
  REQUIRE(r.Open(im.words.data(), im.size()));
  REQUIRE(r.generation() == 7);
  REQUIRE(r.header()->sections[sc::kSecClosures].count == recs.size());
  for (const Recording& rec : recs) {
    const auto keys = KeysOf(rec);
    sc::Closure c = r.FindClosure(rec.env_hash, keys.data(), static_cast<unsigned>(keys.size()));
    REQUIRE(c.valid());
    CheckAnswers(c, rec, false);
    for (uint32_t i = 0; i < keys.size(); ++i) REQUIRE(c.nsyms(i) == rec.objects[i].nsyms);
    CheckImages(r, c, rec, im.bytes());
    REQUIRE(c.record()->layout_base == LayoutBaseOf(rec));
    // The program table lists exactly the closures with a layout, under
    // their program's key, and gives the same record.
    const sc::Closure p = r.FindByProgram(rec.env_hash, keys[0]);
    REQUIRE(p.valid() == rec.has_layout);
    if (p.valid()) REQUIRE(p.record() == c.record());
  }
  // The image section: page-aligned, exactly the recorded pages, right after
  // the header's page; two program slots for two layouts.
  const sc::Section& images = r.header()->sections[sc::kSecImages];
  uint64_t pages = 0;
  for (const Recording& rec : recs) pages += rec.npages;
  REQUIRE(pages > 0);
  REQUIRE(images.offset == sc::kImagePage);
  REQUIRE(images.count == pages);
  REQUIRE(images.size == pages * sc::kImagePage);
  REQUIRE(r.header()->sections[sc::kSecPrograms].count == 4);
  // Objects and strings.
  REQUIRE(r.VerifyObjects());
  REQUIRE(r.object_count() == 5 + 1 + 12 + 3);
  for (const Recording& rec : recs) {
    for (const auto& o : rec.objects) {
      const int64_t id = r.FindObject(o.key);
      REQUIRE(id >= 0);
      const sc::ObjectEntry* e = r.Object(static_cast<uint32_t>(id));
      REQUIRE(std::string(r.String(e->path)) == o.path);
      if (o.has_soname) REQUIRE(std::string(r.String(e->soname)) == o.soname);
      else REQUIRE(e->soname == sc::kNoString);
    }
  }
  // The model loads back to the same file (byte for byte, same generation
  // and times).
  CacheModel m;
  m.symbol_index = false;
  REQUIRE(m.Load(im.words.data(), im.size()));
  REQUIRE(m.closures.size() == recs.size());
  std::vector<uint64_t> again = m.Build(symcache::Limits(), 42, nullptr);
  REQUIRE(again == im.words);
}

TEST_CASE("dense and sparse tables both answer", "[symcache-format]") {
  Recording rec = FakeRecording(9, 2);
  rec.objects[0].nsyms = 100000;
  rec.binds.clear();
  // Dense low references, and two far-away ones (sparse).
  for (uint32_t s = 1; s < 40; ++s) rec.binds.push_back({0, s, 1, s % rec.objects[1].nsyms});
  rec.binds.push_back({0, 50000, 1, 3});
  rec.binds.push_back({0, 99999, sc::kUnresolvedWeak, 0});
  Image im = Build({rec});
  sc::Reader r;
  REQUIRE(r.Open(im.words.data(), im.size()));
  const auto keys = KeysOf(rec);
  sc::Closure c = r.FindClosure(rec.env_hash, keys.data(), 2);
  REQUIRE(c.valid());
  REQUIRE(c.object(0)->dense_count == 40);
  REQUIRE(c.object(0)->sparse_count == 2);
  CheckAnswers(c, rec, false);
  REQUIRE(im.size() < 4096);  // not 800 KB of dense table
}

TEST_CASE("key mismatch is a miss", "[symcache-format]") {
  const std::vector<Recording> recs = Sample();
  Image im = Build(recs);
  sc::Reader r;
  REQUIRE(r.Open(im.words.data(), im.size()));
  const Recording& rec = recs[0];
  auto keys = KeysOf(rec);
  REQUIRE(r.FindClosure(rec.env_hash, keys.data(), 5).valid());
  SECTION("another env hash") { REQUIRE_FALSE(r.FindClosure(rec.env_hash ^ 1, keys.data(), 5).valid()); }
  SECTION("a prefix of the objects") { REQUIRE_FALSE(r.FindClosure(rec.env_hash, keys.data(), 4).valid()); }
  SECTION("no objects") { REQUIRE_FALSE(r.FindClosure(rec.env_hash, keys.data(), 0).valid()); }
  SECTION("one more object") {
    keys.push_back(sc::ObjectKey{1, 2, 3, 4, 5});
    REQUIRE_FALSE(r.FindClosure(rec.env_hash, keys.data(), 6).valid());
  }
  SECTION("objects in another order") {
    std::swap(keys[1], keys[2]);
    REQUIRE_FALSE(r.FindClosure(rec.env_hash, keys.data(), 5).valid());
  }
  SECTION("each field of each key") {
    // Without a build ID every stat field counts; with one, what survives a
    // copy: the build ID, the size, the mtime second (the keys that do not
    // are in "keys that survive copying").
    for (size_t i = 0; i < keys.size(); ++i) {
      for (int f = 0; f < 6; ++f) {
        auto k = keys;
        uint64_t* field = &k[i].dev + f;
        *field += f == 3 && HasBuildId(static_cast<uint32_t>(i)) ? 1000000000u : 1;
        const bool survives = HasBuildId(static_cast<uint32_t>(i)) && (f == 0 || f == 1 || f == 4);
        INFO("object " << i << " field " << f);
        REQUIRE(r.FindClosure(rec.env_hash, k.data(), 5).valid() == survives);
      }
    }
  }
  SECTION("a build ID where none was recorded, none where one was") {
    for (size_t i = 0; i < keys.size(); ++i) {
      auto k = keys;
      k[i].build_id = k[i].build_id ? 0 : 0x1234;
      REQUIRE_FALSE(r.FindClosure(rec.env_hash, k.data(), 5).valid());
    }
  }
  SECTION("a key-hash collision with different keys is still a miss") {
    // Point the slot's stored hash at the mismatching key list's hash: the
    // full comparison must reject it.
    auto k = keys;
    k[3].ino ^= 0x40;  // object 3 has no build ID: its inode counts
    const uint64_t h = sc::ClosureKeyHash(rec.env_hash, k.data(), 5);
    const uint64_t h0 = sc::ClosureKeyHash(rec.env_hash, keys.data(), 5);
    auto* slots = reinterpret_cast<sc::ClosureSlot*>(im.bytes() + im.header()->sections[sc::kSecSlots].offset);
    for (uint64_t i = 0; i < im.header()->sections[sc::kSecSlots].count; ++i)
      if (slots[i].key_hash == h0) slots[i].key_hash = h;
    ResealIndex(im);
    sc::Reader r2;
    REQUIRE(r2.Open(im.words.data(), im.size()));
    REQUIRE_FALSE(r2.FindClosure(rec.env_hash, k.data(), 5).valid());
  }
}

// The 8-byte boundaries of an image worth cutting at: every one outside the
// image pages, and inside them the first and last words of each page and
// one in the middle (the image pages are plain data: what matters is that a
// cut anywhere there is still seen).
std::vector<size_t> CutPoints(Image& im) {
  const sc::Section images = im.header()->sections[sc::kSecImages];
  std::vector<size_t> out;
  for (size_t n = 0; n < im.size(); n += 8) {
    const bool in_images = n >= images.offset && n < images.offset + images.size;
    const size_t in_page = (n - images.offset) % sc::kImagePage;
    if (!in_images || in_page < 16 || in_page >= sc::kImagePage - 16 || in_page == sc::kImagePage / 2) out.push_back(n);
  }
  return out;
}

TEST_CASE("truncation at every 8-byte boundary is rejected", "[symcache-corrupt]") {
  Image im = Build(Sample());
  REQUIRE(im.header()->sections[sc::kSecImages].size > 0);
  const std::vector<size_t> cuts = CutPoints(im);
  for (size_t n : cuts) {
    std::vector<uint64_t> cut(im.words.begin(), im.words.begin() + n / 8);
    sc::Reader r;
    REQUIRE_FALSE(r.Open(cut.data(), n));
  }
  // Also at odd sizes near the end and inside the header.
  for (size_t n : {size_t{1}, size_t{255}, size_t{257}, sizeof(sc::Header) - 1, sizeof(sc::Header) + 1, im.size() - 1,
                   im.size() - 7}) {
    sc::Reader r;
    REQUIRE_FALSE(r.Open(im.words.data(), n));
  }
  // Truncated, with the header resealed to claim the shorter size: sections
  // now reach past the end, which Open must see.
  for (size_t n : cuts) {
    if (n < sizeof(sc::Header)) continue;
    Image t;
    t.words.assign(im.words.begin(), im.words.begin() + n / 8);
    t.header()->file_size = n;
    ResealIndex(t);
    sc::Reader r;
    REQUIRE_FALSE(r.Open(t.words.data(), n));
  }
}

TEST_CASE("a flipped byte in the header, slot table or program table is rejected", "[symcache-corrupt]") {
  Image im = Build(Sample());
  const sc::Section slots = im.header()->sections[sc::kSecSlots];
  const sc::Section progs = im.header()->sections[sc::kSecPrograms];
  REQUIRE(slots.size > 0);
  REQUIRE(progs.size > 0);
  std::vector<std::pair<size_t, size_t>> ranges = {
      {0, sizeof(sc::Header)}, {slots.offset, slots.offset + slots.size}, {progs.offset, progs.offset + progs.size}};
  for (const auto& [from, to] : ranges) {
    for (size_t i = from; i < to; ++i) {
      for (unsigned char bit : {0x01, 0x80, 0xff}) {
        im.bytes()[i] ^= bit;  // flipped in place, restored below (no copy per byte)
        sc::Reader r;
        INFO("byte " << i << " ^ " << int(bit));
        const bool opened = r.Open(im.words.data(), im.size());
        im.bytes()[i] ^= bit;
        REQUIRE_FALSE(opened);
      }
    }
  }
  sc::Reader r;
  REQUIRE(r.Open(im.words.data(), im.size()));
}

TEST_CASE("a flipped byte in a closure record makes that closure a miss", "[symcache-corrupt]") {
  const std::vector<Recording> recs = Sample();
  Image im = Build(recs);
  const sc::Section cs = im.header()->sections[sc::kSecClosures];
  // Where each record lies, from the intact file (whose answers are checked
  // in full once: the records a flip does not touch keep their bytes).
  std::vector<std::pair<size_t, size_t>> extent(recs.size());
  {
    sc::Reader r;
    REQUIRE(r.Open(im.words.data(), im.size()));
    for (size_t k = 0; k < recs.size(); ++k) {
      const auto keys = KeysOf(recs[k]);
      const sc::Closure cl = r.FindClosure(recs[k].env_hash, keys.data(), static_cast<unsigned>(keys.size()));
      REQUIRE(cl.valid());
      CheckAnswers(cl, recs[k], false);
      CheckImages(r, cl, recs[k], im.bytes());
      const size_t off = static_cast<size_t>(reinterpret_cast<const unsigned char*>(cl.record()) - im.bytes());
      extent[k] = {off, off + cl.record()->record_size};
    }
  }
  for (size_t i = cs.offset; i < cs.offset + cs.size; ++i) {
    const auto bit = static_cast<unsigned char>(1u << (i % 8));
    im.bytes()[i] ^= bit;  // flipped in place, restored below
    sc::Reader r;
    const bool opened = r.Open(im.words.data(), im.size());  // records are not part of the index checksum
    std::string wrong;
    for (size_t k = 0; k < recs.size() && opened; ++k) {
      const Recording& rec = recs[k];
      const auto keys = KeysOf(rec);
      const bool flipped = i >= extent[k].first && i < extent[k].second;
      const sc::Closure cl = r.FindClosure(rec.env_hash, keys.data(), static_cast<unsigned>(keys.size()));
      // The program table reaches the same records through the same check.
      const sc::Closure p = r.FindByProgram(rec.env_hash, keys[0]);
      if (cl.valid() == flipped) wrong = "closure " + std::to_string(k) + (flipped ? " hit" : " lost");
      else if (p.valid() != (rec.has_layout && !flipped)) wrong = "closure " + std::to_string(k) + " by program";
      else if (p.valid() && p.record() != cl.record()) wrong = "closure " + std::to_string(k) + ": another record";
    }
    im.bytes()[i] ^= bit;
    INFO("byte " << i << ": " << wrong);
    REQUIRE(opened);
    REQUIRE(wrong.empty());
  }
}

TEST_CASE("image pages are not checksummed: a flipped byte there leaves every closure found", "[symcache-corrupt]") {
  // The contract (rtld/elf/symcache.h): image pages are covered by the trust
  // rules and `rtld-symcache verify`, not by a checksum the loader would have
  // to compute over every page it maps. Flipping one must not make Open or a
  // lookup fail, nor change any binding or descriptor.
  const std::vector<Recording> recs = Sample();
  Image im = Build(recs);
  const sc::Section images = im.header()->sections[sc::kSecImages];
  std::mt19937 rng(5);
  for (int t = 0; t < 64; ++t) {
    Image c = im;
    c.bytes()[images.offset + rng() % images.size] ^= static_cast<unsigned char>(1 + rng() % 255);
    sc::Reader r;
    REQUIRE(r.Open(c.words.data(), c.size()));
    for (const Recording& rec : recs) {
      const auto keys = KeysOf(rec);
      sc::Closure cl = r.FindClosure(rec.env_hash, keys.data(), static_cast<unsigned>(keys.size()));
      REQUIRE(cl.valid());
      CheckAnswers(cl, rec, false);
      CheckRunsInBounds(r, cl);
    }
  }
}

TEST_CASE("a flipped byte in objects, strings or symbols fails their verification", "[symcache-corrupt]") {
  // A symbol index over a real object: this test binary's libc.
  Recording rec = FakeRecording(5, 2);
  rec.binds.clear();
  const std::string libc = "/lib/x86_64-linux-gnu/libc.so.6";
  sc::ObjectKey k;
  REQUIRE(symcache::StatKey(libc, &k));
  symcache::ElfSymbols es;
  REQUIRE(symcache::ReadElfSymbols(libc, &k, &es));
  rec.objects[1].key = k;
  rec.objects[1].path = libc;
  rec.objects[1].nsyms = static_cast<uint32_t>(es.syms.size());
  Image im = Build({rec}, true);
  {
    sc::Reader r;
    REQUIRE(r.Open(im.words.data(), im.size()));
    REQUIRE(r.VerifySymbols());
    const sc::SymDefs d = r.FindSymbol("printf", "GLIBC_2.2.5", rtld::elf::GnuHash("printf"));
    REQUIRE(d.count == 1);
    REQUIRE(r.VerifyObjects());
    REQUIRE(d.defs[0].object_id == r.FindObject(k));
    REQUIRE(es.syms.at(d.defs[0].symndx).name == "printf");
    REQUIRE(r.FindSymbol("printf", nullptr, rtld::elf::GnuHash("printf")).count == 0);
    REQUIRE(r.FindSymbol("no_such_symbol_here", nullptr, rtld::elf::GnuHash("no_such_symbol_here")).count == 0);
  }
  std::mt19937 rng(11);
  for (unsigned id : {unsigned{sc::kSecObjects}, unsigned{sc::kSecStrings}, unsigned{sc::kSecSymbols}}) {
    const sc::Section s = im.header()->sections[id];
    REQUIRE(s.size > 0);
    for (int t = 0; t < 300; ++t) {
      Image c = im;
      const size_t at = s.offset + rng() % s.size;
      c.bytes()[at] ^= static_cast<unsigned char>(1 + rng() % 255);
      sc::Reader r;
      REQUIRE(r.Open(c.words.data(), c.size()));
      if (id == sc::kSecSymbols) {
        REQUIRE_FALSE(r.VerifySymbols());
        REQUIRE(r.FindSymbol("printf", "GLIBC_2.2.5", rtld::elf::GnuHash("printf")).count == 0);
      } else {
        REQUIRE_FALSE(r.VerifyObjects());
        REQUIRE(r.Object(0) == nullptr);
        REQUIRE(r.String(0) == nullptr);
      }
    }
  }
}

TEST_CASE("random corruption anywhere never yields a wrong binding", "[symcache-corrupt]") {
  const std::vector<Recording> recs = Sample();
  Image im = Build(recs);
  std::mt19937 rng(1234);
  unsigned opened = 0;
  // Most of the file is image pages (not checksummed, see above): three
  // flips in four land outside them, so the tables get most of the damage.
  const sc::Section images = im.header()->sections[sc::kSecImages];
  auto position = [&]() -> size_t {
    if (rng() % 4 == 0) return rng() % im.size();
    const size_t outside = im.size() - images.size;
    const size_t k = rng() % outside;
    return k < images.offset ? k : k + images.size;
  };
  for (int t = 0; t < 3000; ++t) {
    Image c = im;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) c.bytes()[position()] ^= static_cast<unsigned char>(1 + rng() % 255);
    // Half the time the attacker also fixes up every checksum.
    if (t % 2) ResealAll(c);
    sc::Reader r;
    if (!r.Open(c.words.data(), c.size())) continue;
    ++opened;
    r.VerifyObjects();
    r.VerifySymbols();
    for (const Recording& rec : recs) {
      const auto keys = KeysOf(rec);
      // Through the program table: a validated record, with the program's
      // key at position 0, in bounds.
      const sc::Closure p = r.FindByProgram(rec.env_hash, keys[0]);
      if (p.valid()) {
        REQUIRE(p.has_layout());
        REQUIRE(sc::SameObject(p.object(0)->key, keys[0]));
        CheckRunsInBounds(r, p);
      }
      sc::Closure cl = r.FindClosure(rec.env_hash, keys.data(), static_cast<unsigned>(keys.size()));
      if (!cl.valid()) continue;
      CheckRunsInBounds(r, cl);
      if (t % 2 == 0) {
        CheckAnswers(cl, rec, false);  // checksums intact: a hit is exact
        REQUIRE(cl.has_layout() == rec.has_layout);
      } else {
        // Resealed: the record may be altered, but lookups stay in bounds.
        bool in_bounds = true;
        for (uint32_t o = 0; o < cl.nobjects(); ++o)
          for (uint32_t s = 0; s < rec.objects[o].nsyms; ++s) {
            uint32_t di, ds;
            if (cl.Lookup(o, s, &di, &ds))
              in_bounds &= di == sc::kUnresolvedWeak ? ds == 0 : di < cl.nobjects() && ds < cl.nsyms(di);
          }
        REQUIRE(in_bounds);
      }
    }
    for (uint32_t i = 0; i < r.object_count(); ++i) r.String(r.Object(i)->path);
  }
  REQUIRE(opened > 0);
}

TEST_CASE("out-of-range offsets and counts are rejected", "[symcache-corrupt]") {
  const std::vector<Recording> recs = Sample();
  const Image im = Build(recs);
  const sc::Section images = reinterpret_cast<const sc::Header*>(im.words.data())->sections[sc::kSecImages];
  auto opens = [](Image& c) {
    sc::Reader r;
    return r.Open(c.words.data(), c.size());
  };
  for (unsigned id = 0; id < sc::kNumSections; ++id) {
    for (uint64_t bad : {uint64_t{im.size()} + 8, ~uint64_t{0} - 7, uint64_t{8}, uint64_t{3}}) {
      Image c = im;
      c.header()->sections[id].offset = bad;
      ResealIndex(c);
      if (id == sc::kSecSlots && bad == 8) continue;  // resealing reads it
      INFO("section " << id << " offset " << bad);
      if (bad == 8 && c.header()->sections[id].size == 0) continue;
      REQUIRE_FALSE(opens(c));
    }
    for (uint64_t bad : {uint64_t{im.size()} + 8, ~uint64_t{0} - 7, uint64_t{5}}) {
      Image c = im;
      c.header()->sections[id].size = bad;
      ResealIndex(c);
      INFO("section " << id << " size " << bad);
      REQUIRE_FALSE(opens(c));
    }
  }
  {
    Image c = im;
    c.header()->sections[sc::kSecSlots].count = 3;  // not a power of two
    ResealIndex(c);
    REQUIRE_FALSE(opens(c));
  }
  {
    Image c = im;
    c.header()->sections[sc::kSecObjects].count += 1;
    ResealIndex(c);
    REQUIRE_FALSE(opens(c));
  }
  {
    Image c = im;
    c.header()->sections[sc::kSecPrograms].count = 3;  // not a power of two
    ResealIndex(c);
    REQUIRE_FALSE(opens(c));
  }
  {
    Image c = im;
    c.header()->sections[sc::kSecPrograms].count *= 2;  // the size no longer says count slots
    ResealIndex(c);
    REQUIRE_FALSE(opens(c));
  }
  // The image section: its count is its pages, its offset page-aligned.
  for (uint64_t bad_count : {uint64_t{0}, (uint64_t{1} << 52) + images.count, images.count + 1}) {
    Image c = im;
    c.header()->sections[sc::kSecImages].count = bad_count;  // (2^52 more pages: 2^64 more bytes, wrapping)
    ResealIndex(c);
    INFO("image count " << bad_count);
    REQUIRE_FALSE(opens(c));
  }
  {
    Image c = im;
    c.header()->sections[sc::kSecImages].size -= 8;  // not whole pages
    ResealIndex(c);
    REQUIRE_FALSE(opens(c));
  }
  {
    Image c = im;
    c.header()->sections[sc::kSecImages].offset += 8;  // 8-aligned but not page-aligned
    ResealIndex(c);
    REQUIRE_FALSE(opens(c));
  }
  {
    Image c = im;
    c.header()->sections[sc::kSecImages] = sc::Section{0, 0, 1, 0};  // empty with a page counted
    ResealIndex(c);
    REQUIRE_FALSE(opens(c));
  }
  // Another format version (the previous one included), another header size.
  for (uint32_t v : {sc::kFormatVersion - 1, sc::kFormatVersion + 1}) {
    Image c = im;
    c.header()->version = v;
    ResealIndex(c);
    REQUIRE_FALSE(opens(c));
  }
  {
    Image c = im;
    c.header()->header_size = 256;  // format 1's
    ResealIndex(c);
    REQUIRE_FALSE(opens(c));
  }
  // Unaligned storage is refused.
  {
    std::vector<unsigned char> raw(im.size() + 1);
    memcpy(raw.data() + 1, im.words.data(), im.size());
    sc::Reader r;
    REQUIRE_FALSE(r.Open(raw.data() + 1, im.size()));
  }
  // Record-level ranges, resealed so only the range checks can catch them.
  const Recording& rec = recs[2];
  const auto keys = KeysOf(rec);
  auto record_of = [&](Image& c) {
    sc::Reader r;
    REQUIRE(r.Open(c.words.data(), c.size()));
    sc::Closure cl = r.FindClosure(rec.env_hash, keys.data(), static_cast<unsigned>(keys.size()));
    REQUIRE(cl.valid());
    return static_cast<size_t>(reinterpret_cast<const unsigned char*>(cl.record()) - c.bytes());
  };
  Image base = im;
  const size_t roff = record_of(base);
  auto edit = [&](auto fn) {
    Image c = im;
    auto* rr = reinterpret_cast<sc::ClosureRecord*>(c.bytes() + roff);
    auto* objs = reinterpret_cast<sc::ClosureObject*>(rr + 1);
    fn(rr, objs);
    ResealAll(c);
    sc::Reader r;
    REQUIRE(r.Open(c.words.data(), c.size()));
    return r.FindClosure(rec.env_hash, keys.data(), static_cast<unsigned>(keys.size())).valid();
  };
  using R = sc::ClosureRecord;
  using O = sc::ClosureObject;
  REQUIRE(edit([](R*, O*) {}));
  REQUIRE_FALSE(edit([](R* r, O*) { r->record_size += 8; }));
  REQUIRE_FALSE(edit([](R* r, O*) { r->record_size = ~uint64_t{0}; }));
  REQUIRE_FALSE(edit([](R* r, O*) { r->ndense += 1; }));
  REQUIRE_FALSE(edit([](R* r, O*) { r->nobjects += 1; }));
  REQUIRE_FALSE(edit([](R*, O* o) { o[3].dense_first = 0xfffffff0u; }));
  REQUIRE_FALSE(edit([](R* r, O* o) { o[3].dense_count = r->ndense + 1; }));
  REQUIRE_FALSE(edit([](R*, O* o) { o[3].dense_count = o[3].nsyms + 1; }));
  REQUIRE_FALSE(edit([](R*, O* o) { o[1].sparse_first = 0x7fffffffu; }));
  REQUIRE_FALSE(edit([](R* r, O* o) { o[1].sparse_count = r->nsparse + 1; }));
  // Images: the run and patch ranges of each object inside the record's
  // arrays; each run page-aligned, non-empty and inside the image section;
  // each bias page-aligned. The same edits make FindByProgram miss too.
  auto edit_parts = [&](auto fn) {
    Image c = im;
    RecordParts p = PartsAt(c, roff);
    fn(p);
    ResealAll(c);
    sc::Reader r;
    REQUIRE(r.Open(c.words.data(), c.size()));
    const sc::Closure cl = r.FindClosure(rec.env_hash, keys.data(), static_cast<unsigned>(keys.size()));
    const sc::Closure byp = r.FindByProgram(rec.env_hash, keys[0]);
    REQUIRE(cl.valid() == byp.valid());
    if (cl.valid()) CheckRunsInBounds(r, cl);
    return cl.valid();
  };
  using P = RecordParts;
  REQUIRE(edit_parts([](P&) {}));
  REQUIRE(rec.objects[1].runs.size() == 2);  // object 1: two runs, one patch
  REQUIRE(rec.objects[2].patches.size() == 2);
  REQUIRE_FALSE(edit_parts([](P& p) { p.rec->nruns += 1; }));     // record size no longer adds up
  REQUIRE_FALSE(edit_parts([](P& p) { p.rec->npatches += 1; }));
  REQUIRE_FALSE(edit_parts([](P& p) { p.objs[1].run_first = p.rec->nruns; }));
  REQUIRE_FALSE(edit_parts([](P& p) { p.objs[1].run_first = 0xffffffffu; }));
  REQUIRE_FALSE(edit_parts([](P& p) { p.objs[1].run_count = p.rec->nruns + 1; }));
  REQUIRE_FALSE(edit_parts([](P& p) { p.objs[11].run_count += 1; }));  // the last object: past the array
  REQUIRE_FALSE(edit_parts([](P& p) { p.objs[2].patch_first = p.rec->npatches; }));
  REQUIRE_FALSE(edit_parts([](P& p) { p.objs[2].patch_count = p.rec->npatches + 1; }));
  REQUIRE_FALSE(edit_parts([](P& p) { p.objs[11].patch_count += 1; }));
  REQUIRE_FALSE(edit_parts([](P& p) { p.objs[4].bias += 8; }));  // a bias off the page grid
  REQUIRE_FALSE(edit_parts([](P& p) { p.objs[3].bias += 0x800; }));  // (a placed object without an image too)
  auto run_of = [](P& p, uint32_t obj, uint32_t k) -> sc::ImageRun& { return p.runs[p.objs[obj].run_first + k]; };
  REQUIRE_FALSE(edit_parts([&](P& p) { run_of(p, 1, 0).npages = 0; }));  // zero pages
  REQUIRE_FALSE(edit_parts([&](P& p) { run_of(p, 1, 1).vaddr += 8; }));  // misaligned
  REQUIRE_FALSE(edit_parts([&](P& p) { run_of(p, 1, 1).file_offset += 8; }));
  REQUIRE_FALSE(edit_parts([&](P& p) { run_of(p, 1, 0).file_offset += sc::kImagePage / 2; }));
  REQUIRE_FALSE(edit_parts([&](P& p) { run_of(p, 2, 0).file_offset = 0; }));  // the header's page
  REQUIRE_FALSE(edit_parts([&](P& p) { run_of(p, 2, 0).file_offset = images.offset - sc::kImagePage; }));
  REQUIRE_FALSE(edit_parts([&](P& p) { run_of(p, 2, 0).file_offset = images.offset + images.size; }));  // just past
  REQUIRE_FALSE(edit_parts([&](P& p) { run_of(p, 2, 0).file_offset = ~uint64_t{0} & ~(sc::kImagePage - 1); }));
  REQUIRE_FALSE(edit_parts([&](P& p) {  // starts inside, ends one page past the section
    sc::ImageRun& run = run_of(p, 2, 0);
    run.npages = static_cast<uint32_t>((images.offset + images.size - run.file_offset) / sc::kImagePage) + 1;
  }));
  REQUIRE_FALSE(edit_parts([&](P& p) { run_of(p, 2, 0).npages = 0xffffffffu; }));
  REQUIRE_FALSE(edit_parts([&](P& p) { run_of(p, 2, 0).vaddr = ~uint64_t{0} & ~(sc::kImagePage - 1); }));  // wraps
  // Boundaries that are valid: a run ending exactly at the section's end, a
  // run at its first page, an object with its runs taken away.
  REQUIRE(edit_parts([&](P& p) {
    sc::ImageRun& run = run_of(p, 2, 0);
    run.npages = static_cast<uint32_t>((images.offset + images.size - run.file_offset) / sc::kImagePage);
  }));
  REQUIRE(edit_parts([&](P& p) { run_of(p, 2, 0).file_offset = images.offset; }));
  REQUIRE(edit_parts([](P& p) { p.objs[1].run_count = 0; }));
  // A slot pointing outside the closures section.
  for (uint32_t bad : {1u, 0xffffffffu, static_cast<uint32_t>(im.size() / 8)}) {
    Image c = im;
    const sc::Section s = c.header()->sections[sc::kSecSlots];
    auto* slots = reinterpret_cast<sc::ClosureSlot*>(c.bytes() + s.offset);
    for (uint64_t i = 0; i < s.count; ++i)
      if (slots[i].record_off8) slots[i].record_off8 = bad;
    ResealIndex(c);
    sc::Reader r;
    REQUIRE(r.Open(c.words.data(), c.size()));
    REQUIRE_FALSE(r.FindClosure(rec.env_hash, keys.data(), static_cast<unsigned>(keys.size())).valid());
  }
  // Entries naming an object or symbol out of range: Lookup says "not
  // recorded", never an index >= nkeys.
  {
    Image c = im;
    auto* rr = reinterpret_cast<sc::ClosureRecord*>(c.bytes() + roff);
    auto* objs = reinterpret_cast<sc::ClosureObject*>(rr + 1);
    auto* dense = reinterpret_cast<sc::DenseEntry*>(objs + rr->nobjects);
    auto* sparse = reinterpret_cast<sc::SparseEntry*>(dense + rr->ndense);
    for (uint32_t i = 0; i < rr->ndense; ++i) {
      if (dense[i].def_index == sc::kNotRecorded || dense[i].def_index == sc::kUnresolvedWeak) continue;
      if (i % 2) dense[i].def_index = rr->nobjects + i;
      else dense[i].def_symndx = 0xfffffff0u;
    }
    for (uint32_t i = 0; i < rr->nsparse; ++i) sparse[i].def_index = rr->nobjects;
    ResealAll(c);
    sc::Reader r;
    REQUIRE(r.Open(c.words.data(), c.size()));
    sc::Closure cl = r.FindClosure(rec.env_hash, keys.data(), static_cast<unsigned>(keys.size()));
    REQUIRE(cl.valid());
    for (uint32_t o = 0; o < cl.nobjects(); ++o)
      for (uint32_t s = 0; s < rec.objects[o].nsyms; ++s) {
        uint32_t di, ds;
        if (cl.Lookup(o, s, &di, &ds)) REQUIRE(di == sc::kUnresolvedWeak);
      }
  }
  // A closure whose object nsyms shrank makes higher symbols not recorded.
  {
    Image c = im;
    auto* objs = reinterpret_cast<sc::ClosureObject*>(c.bytes() + roff + sizeof(sc::ClosureRecord));
    for (uint32_t o = 0; o < rec.objects.size(); ++o) objs[o].nsyms = objs[o].dense_count;
    ResealAll(c);
    sc::Reader r;
    REQUIRE(r.Open(c.words.data(), c.size()));
    sc::Closure cl = r.FindClosure(rec.env_hash, keys.data(), static_cast<unsigned>(keys.size()));
    REQUIRE(cl.valid());
    CheckAnswers(cl, rec, true);
  }
}

TEST_CASE("an empty cache and a missing cache are valid and miss", "[symcache-format]") {
  Image im = Build({});
  sc::Reader r;
  REQUIRE(r.Open(im.words.data(), im.size()));
  sc::ObjectKey k{1, 2, 3, 4, 5};
  REQUIRE_FALSE(r.FindClosure(0, &k, 1).valid());
  REQUIRE_FALSE(r.Open(nullptr, 0));
  REQUIRE_FALSE(r.FindClosure(0, &k, 1).valid());
  REQUIRE_FALSE(r.FindByProgram(0, k).valid());
  REQUIRE(im.size() == sizeof(sc::Header));
}

TEST_CASE("without images the tables follow the header: no page of padding", "[symcache-format]") {
  // Closures with no image pages (none recorded, or --no-images) keep the
  // file as small as format 1's; the image section is empty at offset 0.
  Recording placed = FakeRecording(31, 4);
  AddLayout(placed, 0x7c0000200000ull, false);  // a layout, no images
  Image im = Build({FakeRecording(30, 3), placed});
  const sc::Section& images = im.header()->sections[sc::kSecImages];
  REQUIRE(images.offset == 0);
  REQUIRE(images.size == 0);
  REQUIRE(images.count == 0);
  // The other sections tile the file from the header's end, without a gap.
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (unsigned id = 0; id < sc::kNumSections; ++id)
    if (id != sc::kSecImages) spans.emplace_back(im.header()->sections[id].offset, im.header()->sections[id].size);
  std::sort(spans.begin(), spans.end());
  uint64_t end = sizeof(sc::Header);
  for (const auto& [off, size] : spans) {
    REQUIRE(off == end);
    end += size;
  }
  REQUIRE(end == im.size());
  sc::Reader r;
  REQUIRE(r.Open(im.words.data(), im.size()));
  const auto keys = KeysOf(placed);
  const sc::Closure c = r.FindClosure(placed.env_hash, keys.data(), 4);
  REQUIRE(c.valid());
  REQUIRE(c.has_layout());
  REQUIRE_FALSE(c.has_images());
  CheckImages(r, c, placed, im.bytes());  // biases, and no runs, patches or image flags
  REQUIRE(r.FindByProgram(placed.env_hash, keys[0]).record() == c.record());
}

TEST_CASE("images without a layout are dropped", "[symcache-writer]") {
  // A recording whose objects carry runs but that has no layout (never made
  // by the loader; the writer must not place pages no record can use).
  Recording rec = FakeImaged(32, 5, 0x7c0000400000ull);
  rec.has_layout = false;
  Image im = Build({rec});
  REQUIRE(im.header()->sections[sc::kSecImages].size == 0);
  REQUIRE(im.header()->sections[sc::kSecPrograms].count == 0);
  sc::Reader r;
  REQUIRE(r.Open(im.words.data(), im.size()));
  const auto keys = KeysOf(rec);
  const sc::Closure c = r.FindClosure(rec.env_hash, keys.data(), 5);
  REQUIRE(c.valid());
  CheckImages(r, c, rec, im.bytes());
  REQUIRE_FALSE(r.FindByProgram(rec.env_hash, keys[0]).valid());
}

TEST_CASE("SameObject: keys that survive copying", "[symcache-format]") {
  const uint64_t sec = 1000000000ull;
  const sc::ObjectKey a{10, 20, 4096, 1700000000 * sec + 5, 1700000001 * sec, 0xabcdef};
  // cp -a, a tar round trip, a package install: new device, inode and
  // ctime; the mtime kept (GNU tar keeps only its second).
  sc::ObjectKey copy = a;
  copy.dev = 11;
  copy.ino = 99;
  copy.ctime_ns = 1800000000 * sec;
  REQUIRE(sc::SameObject(a, copy));
  REQUIRE(sc::SameObject(copy, a));
  sc::ObjectKey tar = copy;
  tar.mtime_ns = 1700000000 * sec;  // nanoseconds dropped
  REQUIRE(sc::SameObject(a, tar));
  REQUIRE_FALSE(a == copy);  // the exact identity differs all the same
  // What must differ for another object: the build ID, the size, the mtime
  // second (the same second's last nanosecond is still the same second).
  sc::ObjectKey k = a;
  k.build_id ^= 1;
  REQUIRE_FALSE(sc::SameObject(a, k));
  k = a;
  k.size += 1;
  REQUIRE_FALSE(sc::SameObject(a, k));
  k = a;
  k.mtime_ns = 1700000000 * sec + 999999999;
  REQUIRE(sc::SameObject(a, k));
  k.mtime_ns += 1;
  REQUIRE_FALSE(sc::SameObject(a, k));
  k = a;
  k.build_id = 0;  // one with a build ID, one without: never the same
  REQUIRE_FALSE(sc::SameObject(a, k));
  REQUIRE_FALSE(sc::SameObject(k, a));
  // Without a build ID: the whole stat identity, every field.
  const sc::ObjectKey b{10, 20, 4096, 1700000000 * sec + 5, 1700000001 * sec, 0};
  REQUIRE(sc::SameObject(b, b));
  for (int f = 0; f < 5; ++f) {
    sc::ObjectKey c = b;
    *(&c.dev + f) += 1;
    INFO("field " << f);
    REQUIRE_FALSE(sc::SameObject(b, c));
  }
  // The hashes closures and programs are filed under see what SameObject
  // sees, and nothing else.
  REQUIRE(sc::ClosureKeyHash(7, &a, 1) == sc::ClosureKeyHash(7, &tar, 1));
  REQUIRE(sc::ProgramKeyHash(7, a) == sc::ProgramKeyHash(7, tar));
  REQUIRE(sc::ClosureKeyHash(7, &a, 1) != sc::ClosureKeyHash(7, &k, 1));

  // A whole closure, its files copied: every object with a build ID gets a
  // new dev, ino and ctime, and the closure and its layout still hit; an
  // object without a build ID copied the same way makes it a miss.
  const Recording rec = FakeImaged(40, 6, 0x7c0000600000ull);
  Image im = Build({rec});
  sc::Reader r;
  REQUIRE(r.Open(im.words.data(), im.size()));
  auto copied = [](std::vector<sc::ObjectKey> keys, bool also_without_build_id) {
    for (auto& key : keys) {
      if (key.build_id == 0 && !also_without_build_id) continue;
      key.dev += 100;
      key.ino += 7777;
      key.ctime_ns += 3 * 1000000000ull + 17;
      key.mtime_ns -= key.mtime_ns % 1000000000ull;  // tar: the second only
    }
    return keys;
  };
  const auto keys = copied(KeysOf(rec), false);
  const sc::Closure c = r.FindClosure(rec.env_hash, keys.data(), 6);
  REQUIRE(c.valid());
  CheckAnswers(c, rec, false);
  CheckImages(r, c, rec, im.bytes());
  REQUIRE(r.FindByProgram(rec.env_hash, keys[0]).record() == c.record());
  REQUIRE(sc::Reader::Matches(c, rec.env_hash, keys.data(), 6));
  const auto all = copied(KeysOf(rec), true);
  REQUIRE_FALSE(r.FindClosure(rec.env_hash, all.data(), 6).valid());
  REQUIRE_FALSE(sc::Reader::Matches(c, rec.env_hash, all.data(), 6));
  // (The program has a build ID: its table entry still finds the layout;
  // the loader then sees the copied library differ and keeps it unplaced.)
  REQUIRE(r.FindByProgram(rec.env_hash, all[0]).valid());
}

TEST_CASE("ProgramKeyHash: the env hash and the program's surviving key", "[symcache-format]") {
  const uint64_t sec = 1000000000ull;
  const sc::ObjectKey p{3, 4, 8192, 1700000000 * sec, 1700000002 * sec, 0x77};
  const uint64_t h = sc::ProgramKeyHash(0x1234, p);
  REQUIRE(h == sc::ProgramKeyHash(0x1234, p));  // a pure function
  REQUIRE(h != sc::ProgramKeyHash(0x1235, p));
  // Its own domain: not the closure hash of the program alone.
  REQUIRE(h != sc::ClosureKeyHash(0x1234, &p, 1));
  sc::ObjectKey q = p;
  q.build_id = 0x78;
  REQUIRE(h != sc::ProgramKeyHash(0x1234, q));
  q = p;
  q.size += 4096;
  REQUIRE(h != sc::ProgramKeyHash(0x1234, q));
  q = p;
  q.mtime_ns += sec;
  REQUIRE(h != sc::ProgramKeyHash(0x1234, q));
  q = p;  // what a copy changes
  q.dev = 9;
  q.ino = 9;
  q.ctime_ns = 9;
  q.mtime_ns += 123;
  REQUIRE(h == sc::ProgramKeyHash(0x1234, q));
  // Without a build ID, every stat field.
  sc::ObjectKey n = p;
  n.build_id = 0;
  const uint64_t hn = sc::ProgramKeyHash(0x1234, n);
  REQUIRE(hn != h);
  for (int f = 0; f < 5; ++f) {
    sc::ObjectKey m = n;
    *(&m.dev + f) += 1;
    INFO("field " << f);
    REQUIRE(hn != sc::ProgramKeyHash(0x1234, m));
  }
}

TEST_CASE("FindByProgram: the layout by program and environment", "[symcache-format]") {
  // Three closures of one program (the same key at position 0): two with
  // layouts in one environment (other libraries, recorded at different
  // times), one in another environment; and one without a layout.
  Recording older = FakeImaged(50, 4, 0x7c0000800000ull);
  Recording newer = FakeImaged(51, 5, 0x7d0000800000ull);
  Recording other_env = FakeImaged(52, 3, 0x7c8000800000ull, 0x9999);
  Recording plain = FakeRecording(53, 3, 0x5555);
  for (Recording* x : {&newer, &other_env, &plain}) x->objects[0].key = older.objects[0].key;
  const sc::ObjectKey prog = older.objects[0].key;
  for (int order = 0; order < 2; ++order) {
    // The newest (created later) keeps the program's slot, whatever the
    // merge order.
    CacheModel m;
    m.symbol_index = false;
    const ClosureData d_old = symcache::FromRecording(older, "/p", 1000, "", LayoutBaseOf(older));
    const ClosureData d_new = symcache::FromRecording(newer, "/p", 2000, "", LayoutBaseOf(newer));
    if (order == 0) {
      m.Merge(d_old);
      m.Merge(d_new);
    } else {
      m.Merge(d_new);
      m.Merge(d_old);
    }
    m.Merge(symcache::FromRecording(other_env, "/p", 1500, "", LayoutBaseOf(other_env)));
    m.Merge(symcache::FromRecording(plain, "/p", 3000));
    Image im;
    im.words = m.Build(symcache::Limits(), 42, nullptr);
    sc::Reader r;
    REQUIRE(r.Open(im.words.data(), im.size()));
    REQUIRE(r.header()->sections[sc::kSecPrograms].count == 8);  // three closures with layouts, two programs listed
    INFO("merge order " << order);
    const auto kn = KeysOf(newer), ko = KeysOf(older);
    const sc::Closure cn = r.FindClosure(newer.env_hash, kn.data(), 5);
    const sc::Closure co = r.FindClosure(older.env_hash, ko.data(), 4);
    REQUIRE(cn.valid());
    REQUIRE(co.valid());  // still found by its own key
    const sc::Closure p = r.FindByProgram(newer.env_hash, prog);
    REQUIRE(p.record() == cn.record());
    CheckImages(r, p, newer, im.bytes());
    const sc::Closure pe = r.FindByProgram(0x9999, prog);
    REQUIRE(pe.valid());
    REQUIRE(pe.nobjects() == 3);
    REQUIRE(pe.record()->env_hash == 0x9999);
    // No layout for this environment (a closure without one is not listed),
    // none for an environment never recorded, none for another program.
    REQUIRE_FALSE(r.FindByProgram(0x5555, prog).valid());
    const auto kp = KeysOf(plain);
    REQUIRE(r.FindClosure(0x5555, kp.data(), 3).valid());
    REQUIRE_FALSE(r.FindByProgram(0x4444, prog).valid());
    REQUIRE_FALSE(r.FindByProgram(newer.env_hash, newer.objects[1].key).valid());
    sc::ObjectKey changed = prog;
    changed.size += 1;
    REQUIRE_FALSE(r.FindByProgram(newer.env_hash, changed).valid());
  }
  // Adversarial program tables, resealed: a slot filed under the program's
  // hash that points at a record without a layout, or at another program's
  // record, is not an answer.
  CacheModel m;
  m.symbol_index = false;
  m.Merge(symcache::FromRecording(older, "/p", 1000, "", LayoutBaseOf(older)));
  m.Merge(symcache::FromRecording(plain, "/p", 3000));
  Recording stranger = FakeImaged(54, 3, 0x7c0000a00000ull, older.env_hash);
  m.Merge(symcache::FromRecording(stranger, "/q", 3000, "", LayoutBaseOf(stranger)));
  Image im;
  im.words = m.Build(symcache::Limits(), 42, nullptr);
  sc::Reader r0;
  REQUIRE(r0.Open(im.words.data(), im.size()));
  const auto kp = KeysOf(plain), ks = KeysOf(stranger);
  const sc::ClosureRecord* plain_rec = r0.FindClosure(plain.env_hash, kp.data(), 3).record();
  const sc::ClosureRecord* stranger_rec = r0.FindByProgram(stranger.env_hash, ks[0]).record();
  REQUIRE(plain_rec != nullptr);
  REQUIRE(stranger_rec != nullptr);
  auto redirect = [&](const sc::ClosureRecord* target, uint64_t env_hash) {
    Image c = im;
    const sc::Section& ps = c.header()->sections[sc::kSecPrograms];
    auto* slots = reinterpret_cast<sc::ClosureSlot*>(c.bytes() + ps.offset);
    const uint64_t kh = sc::ProgramKeyHash(env_hash, prog);
    const uint32_t off8 = static_cast<uint32_t>((reinterpret_cast<const unsigned char*>(target) - im.bytes()) / 8);
    for (uint64_t i = 0; i < ps.count; ++i) slots[i] = sc::ClosureSlot{kh, off8, 0};
    ResealAll(c);
    sc::Reader r;
    REQUIRE(r.Open(c.words.data(), c.size()));
    return r.FindByProgram(env_hash, prog).valid();
  };
  REQUIRE(redirect(r0.FindByProgram(older.env_hash, prog).record(), older.env_hash));  // the control
  REQUIRE_FALSE(redirect(plain_rec, plain.env_hash));        // no layout
  REQUIRE_FALSE(redirect(stranger_rec, stranger.env_hash));  // another program's
  REQUIRE_FALSE(redirect(stranger_rec, older.env_hash));
}

TEST_CASE("merge replaces a closure with the same key; LRU eviction", "[symcache-writer]") {
  CacheModel m;
  m.symbol_index = false;
  for (uint32_t i = 0; i < 10; ++i) m.Merge(symcache::FromRecording(FakeRecording(100 + i, 4), "", 1000 + i));
  REQUIRE(m.closures.size() == 10);
  // Same key again, newer: replaced, not added.
  Recording again = FakeRecording(100, 4);
  REQUIRE(m.Merge(symcache::FromRecording(again, "", 5000)));
  REQUIRE(m.closures.size() == 10);
  symcache::Limits lim;
  lim.max_closures = 3;
  symcache::BuildStats st;
  std::vector<uint64_t> out = m.Build(lim, 0, &st);
  REQUIRE(st.closures == 3);
  REQUIRE(st.evicted == 7);
  sc::Reader r;
  REQUIRE(r.Open(out.data(), out.size() * 8));
  // Kept: seeds 100 (used at 5000), 109, 108.
  for (uint32_t seed : {100u, 109u, 108u, 107u}) {
    const Recording rec = FakeRecording(seed, 4);
    const auto keys = KeysOf(rec);
    REQUIRE(r.FindClosure(rec.env_hash, keys.data(), 4).valid() == (seed != 107));
  }
  // A byte bound.
  CacheModel m2;
  m2.symbol_index = false;
  for (uint32_t i = 0; i < 20; ++i) m2.Merge(symcache::FromRecording(FakeRecording(200 + i, 6), "", 1000 + i));
  lim = symcache::Limits();
  lim.max_bytes = 20000;
  out = m2.Build(lim, 0, &st);
  REQUIRE(out.size() * 8 <= 20000);
  REQUIRE(st.closures > 0);
  REQUIRE(st.closures < 20);
  REQUIRE(r.Open(out.data(), out.size() * 8));
  const Recording newest = FakeRecording(219, 6);
  REQUIRE(r.FindClosure(newest.env_hash, KeysOf(newest).data(), 6).valid());
  // The byte bound counts image pages: closures with ~10 pages each.
  CacheModel m3;
  m3.symbol_index = false;
  uint64_t one = 0;
  for (uint32_t i = 0; i < 6; ++i) {
    const Recording rec = FakeImaged(300 + i, 6, 0x7c0000000000ull + (uint64_t{i} << 32));
    one = std::max<uint64_t>(one, rec.npages * sc::kImagePage);
    m3.Merge(symcache::FromRecording(rec, "", 1000 + i, "", LayoutBaseOf(rec)));
  }
  lim = symcache::Limits();
  lim.max_bytes = 3 * one;
  out = m3.Build(lim, 0, &st);
  REQUIRE(out.size() * 8 <= lim.max_bytes);
  REQUIRE(st.closures > 0);
  REQUIRE(st.closures < 3);
  REQUIRE(st.images == st.closures);
  REQUIRE(r.Open(out.data(), out.size() * 8));
  REQUIRE(r.header()->sections[sc::kSecImages].count == st.image_pages);
  const Recording newest_imaged = FakeImaged(305, 6, 0x7c0000000000ull + (uint64_t{5} << 32));
  const sc::Closure ci = r.FindClosure(newest_imaged.env_hash, KeysOf(newest_imaged).data(), 6);
  REQUIRE(ci.valid());
  CheckImages(r, ci, newest_imaged, reinterpret_cast<const unsigned char*>(out.data()));
}

TEST_CASE("merge replaces a closure whose files were copied", "[symcache-writer]") {
  // Recorded again after `cp -a` of every file: the keys are SameObject,
  // the stat identities new. One closure remains (the new one), not two
  // records the loader would find under one key hash.
  Recording rec = FakeImaged(60, 4, 0x7c0000c00000ull);
  for (auto& o : rec.objects) o.key.build_id = o.key.build_id ? o.key.build_id : 0xc0ffee00u + o.nsyms;
  Recording again = rec;
  for (auto& o : again.objects) {
    o.key.ino += 500;
    o.key.ctime_ns += 1000;
  }
  CacheModel m;
  m.symbol_index = false;
  REQUIRE_FALSE(m.Merge(symcache::FromRecording(rec, "/p", 1000, "", LayoutBaseOf(rec))));
  REQUIRE(m.Merge(symcache::FromRecording(again, "/p", 2000, "", LayoutBaseOf(again))));
  REQUIRE(m.closures.size() == 1);
  REQUIRE(m.closures[0].objects[1].key.ino == again.objects[1].key.ino);
  // Another environment, or one object really different: added.
  Recording other = again;
  other.env_hash ^= 1;
  REQUIRE_FALSE(m.Merge(symcache::FromRecording(other, "/p", 2000)));
  Recording changed = again;
  changed.objects[2].key.size += 8;
  REQUIRE_FALSE(m.Merge(symcache::FromRecording(changed, "/p", 2000)));
  REQUIRE(m.closures.size() == 3);
}

TEST_CASE("recording parser: valid text and every malformation", "[symcache-recording]") {
  const Recording rec = FakeRecording(7, 3);
  const std::string text = symcache::FormatRecording(rec);
  Recording out;
  std::string err;
  REQUIRE(symcache::ParseRecording(text, &out, &err));
  REQUIRE(out.env_hash == rec.env_hash);
  REQUIRE(out.objects.size() == 3);
  REQUIRE(out.binds.size() == rec.binds.size());
  for (size_t i = 0; i < 3; ++i) REQUIRE(out.objects[i].key == rec.objects[i].key);  // build IDs included
  REQUIRE(out.objects[0].key.build_id != 0);
  REQUIRE(out.objects[1].key.build_id == 0);
  REQUIRE_FALSE(out.has_layout);
  REQUIRE_FALSE(out.has_images);
  REQUIRE(symcache::FormatRecording(out) == text);
  // A path with spaces survives.
  {
    Recording r2 = rec;
    r2.objects[1].path = "/opt/my dir/lib x.so";
    REQUIRE(symcache::ParseRecording(symcache::FormatRecording(r2), &out, &err));
    REQUIRE(out.objects[1].path == "/opt/my dir/lib x.so");
  }
  // Truncated anywhere: rejected.
  for (size_t n = 0; n < text.size(); ++n) {
    INFO("truncated at " << n);
    REQUIRE_FALSE(symcache::ParseRecording(text.substr(0, n), &out, &err));
  }
#define HDR "rtld-bindings 2\nenv 0000000000000000\n"
#define OBJ0 "object 0 1 2 3 4 5 00000000000000ab 10 - /p\n"
#define OBJ1 "object 1 6 7 8 9 10 0000000000000000 10 libq.so /q\n"
  const char* bad[] = {
      // Format 1, and format 1's object line (no build ID).
      "rtld-bindings 1\nenv 0000000000000000\n" OBJ0 "end\n",
      HDR "object 0 1 2 3 4 5 10 - /p\nend\n",
      "rtld-bindings 3\nenv 0000000000000000\n" OBJ0 "end\n",
      "rtld-bindings 2\nenv 00000000000000\n" OBJ0 "end\n",
      "rtld-bindings 2\nenv 000000000000000g\n" OBJ0 "end\n",
      HDR "end\n",
      HDR "object 1 1 2 3 4 5 00000000000000ab 10 - /p\nend\n",
      HDR "object 0 1 2 3 4 5 00000000000000ab 10 - \nend\n",
      HDR "object 0 1 2 3 4 5 00000000000000ab 10 -\nend\n",
      HDR "object 0 1 2 3 4 99999999999999999999 00000000000000ab 10 - /p\nend\n",
      // The build ID hash: exactly 16 hex digits.
      HDR "object 0 1 2 3 4 5 0000000000000ab 10 - /p\nend\n",
      HDR "object 0 1 2 3 4 5 00000000000000abc 10 - /p\nend\n",
      HDR "object 0 1 2 3 4 5 00000000000000ag 10 - /p\nend\n",
      HDR "object 0 1 2 3 4 5 -0000000000000ab 10 - /p\nend\n",
      HDR OBJ0 "bind 1 1 0 0\nend\n",
      HDR OBJ0 "bind 0 10 0 0\nend\n",
      HDR OBJ0 "bind 0 0 0 0\nend\n",
      HDR OBJ0 "bind 0 1 1 0\nend\n",
      HDR OBJ0 "bind 0 1 0 10\nend\n",
      HDR OBJ0 "bind 0 1 -2 0\nend\n",
      HDR OBJ0 "bind 0 1 0 1\nbind 0 1 0 2\nend\n",
      HDR OBJ0 "bind 0 1 0 1 \nend\n",
      HDR OBJ0 "bind 0 1 0 1\nobject 1 1 2 3 4 5 00000000000000ab 10 - /q\nend\n",
      HDR OBJ0 "end\nend\n",
      HDR OBJ0 "foo\nend\n",
      HDR OBJ0 "end",
      // Layouts: a known object other than the program, once, a nonzero
      // page-aligned hexadecimal bias.
      HDR OBJ0 OBJ1 "layout 2 7c0000000000\nend\n",
      HDR OBJ0 OBJ1 "layout 0 7c0000000000\nend\n",
      HDR OBJ0 OBJ1 "layout 1 0\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000800\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c000000000g\nend\n",
      HDR OBJ0 OBJ1 "layout 1 17c0000000000000000\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000 \nend\n",
      HDR OBJ0 OBJ1 "layout 1\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nlayout 1 7d0000000000\nend\n",
      // imaged: a placed object, once.
      HDR OBJ0 OBJ1 "imaged 1\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 2\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\nimaged 1\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1 x\nend\n",
      // image runs: of an imaged object, nonzero pages, a page-aligned
      // address, pages numbered in order from 0.
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimage 1 3000 1 0\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\nimage 1 3000 0 0\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\nimage 1 3008 1 0\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\nimage 1 3000 1 1\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\nimage 1 3000 2 0\nimage 1 8000 1 1\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\nimage 1 3000 1\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\nimage 1 3000 1 0 \nend\n",
      // patches and lazy slots: of an imaged object, three hex fields,
      // sorted by offset.
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\npatch 1 3000 8 0\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\npatch 2 3000 8 0\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\npatch 1 3000 8\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\npatch 1 3000 8 z\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\npatch 1 3010 8 0\npatch 1 3008 8 0\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\npatch 1 3010 8 0\nlazy 1 3008 8 0\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\nlazy 1 3000 8 0 0\nend\n",
      HDR OBJ0 OBJ1 "layout 1 7c0000000000\nimaged 1\nlazy  1 3000 8 0\nend\n",
  };
  for (const char* b : bad) {
    INFO(b);
    REQUIRE_FALSE(symcache::ParseRecording(b, &out, &err));
  }
  REQUIRE(symcache::ParseRecording(HDR OBJ0 "bind 0 1 -1 0\nbind 0 2 0 9\nend\n", &out, &err));
  REQUIRE(out.binds[0].def_index == sc::kUnresolvedWeak);
  REQUIRE(out.objects[0].key.build_id == 0xab);
  // A layout and images, as the loader writes them.
  const char* imaged = HDR OBJ0 OBJ1
      "layout 1 7c0000200000\nimaged 1\nimage 1 3000 2 0\nimage 1 9000 1 2\n"
      "patch 1 3008 100000006 0\nlazy 1 3010 8 1036\npatch 1 3010 7 0\nbind 0 1 1 2\nend\n";
  REQUIRE(symcache::ParseRecording(imaged, &out, &err));
  REQUIRE(out.has_layout);
  REQUIRE(out.has_images);
  REQUIRE(out.no_images.empty());
  REQUIRE(out.npages == 3);
  const symcache::RecObject& o = out.objects[1];
  REQUIRE(o.bias == 0x7c0000200000ull);
  REQUIRE(o.imaged);
  REQUIRE(o.lazy_plt);
  REQUIRE(o.runs.size() == 2);
  REQUIRE((o.runs[1].vaddr == 0x9000 && o.runs[1].npages == 1 && o.runs[1].first_page == 2));
  REQUIRE(o.patches.size() == 3);  // equal offsets kept (the loader keeps the first when it applies them)
  REQUIRE((o.patches[1].offset == 0x3010 && o.patches[1].info == 8 && o.patches[1].addend == 0x1036));
  REQUIRE(o.patches[0].info == 0x100000006ull);
  REQUIRE_FALSE(out.objects[0].imaged);
  REQUIRE(out.objects[0].bias == 0);
  REQUIRE(symcache::FormatRecording(out) == imaged);  // "lazy" survives the round trip
  // A layout only (no object imaged), and "noimages": no images.
  REQUIRE(symcache::ParseRecording(HDR OBJ0 OBJ1 "layout 1 7c0000200000\nend\n", &out, &err));
  REQUIRE((out.has_layout && !out.has_images && out.objects[1].bias == 0x7c0000200000ull));
  REQUIRE(symcache::ParseRecording(
      HDR OBJ0 OBJ1 "layout 1 7c0000200000\nimaged 1\nimage 1 3000 1 0\nnoimages a reference is undefined\nend\n",
      &out, &err));
  REQUIRE(out.has_layout);
  REQUIRE_FALSE(out.has_images);
  REQUIRE(out.no_images == "a reference is undefined");
  // A generated recording with images: the text round trip.
  const Recording big = FakeImaged(8, 9, 0x7c0000e00000ull);
  const std::string bt = symcache::FormatRecording(big);
  REQUIRE(symcache::ParseRecording(bt, &out, &err));
  REQUIRE(symcache::FormatRecording(out) == bt);
  REQUIRE(out.npages == big.npages);
  for (size_t i = 0; i < big.objects.size(); ++i) {
    REQUIRE(out.objects[i].bias == big.objects[i].bias);
    REQUIRE(out.objects[i].imaged == big.objects[i].imaged);
    REQUIRE(out.objects[i].lazy_plt == big.objects[i].lazy_plt);
    REQUIRE(out.objects[i].runs.size() == big.objects[i].runs.size());
    REQUIRE(out.objects[i].patches.size() == big.objects[i].patches.size());
  }
#undef HDR
#undef OBJ0
#undef OBJ1
}

TEST_CASE("trust rules", "[symcache-trust]") {
  const uint32_t reg = 0100000, sock = 0140000, dir = 0040000;
  // uid, mode, current uid, secure, system path
  REQUIRE(sc::CacheFileTrusted(0, reg | 0644, 1000, false, true));
  REQUIRE(sc::CacheFileTrusted(0, reg | 0644, 1000, false, false));
  REQUIRE(sc::CacheFileTrusted(1000, reg | 0600, 1000, false, false));
  REQUIRE_FALSE(sc::CacheFileTrusted(1001, reg | 0644, 1000, false, false));  // someone else's
  REQUIRE_FALSE(sc::CacheFileTrusted(0, reg | 0664, 1000, false, true));      // group-writable
  REQUIRE_FALSE(sc::CacheFileTrusted(0, reg | 0646, 1000, false, true));      // world-writable
  REQUIRE_FALSE(sc::CacheFileTrusted(1000, reg | 0666, 1000, false, false));
  REQUIRE_FALSE(sc::CacheFileTrusted(0, dir | 0755, 1000, false, true));      // not a regular file
  REQUIRE_FALSE(sc::CacheFileTrusted(0, 0020644, 1000, false, true));         // a device
  // Secure mode: root-owned system cache only.
  REQUIRE(sc::CacheFileTrusted(0, reg | 0644, 1000, true, true));
  REQUIRE_FALSE(sc::CacheFileTrusted(0, reg | 0644, 1000, true, false));
  REQUIRE_FALSE(sc::CacheFileTrusted(1000, reg | 0644, 1000, true, true));
  REQUIRE_FALSE(sc::CacheFileTrusted(0, reg | 0666, 0, true, true));
  // Sockets: writable by all by design; owner and directory checked.
  REQUIRE(sc::SocketTrusted(0, sock | 0666, 0, dir | 0755, 1000, false, true));
  REQUIRE(sc::SocketTrusted(1000, sock | 0666, 1000, dir | 0700, 1000, false, false));
  REQUIRE_FALSE(sc::SocketTrusted(1001, sock | 0666, 0, dir | 0755, 1000, false, true));
  REQUIRE_FALSE(sc::SocketTrusted(0, sock | 0666, 0, dir | 01777, 1000, false, true));  // /tmp-like directory
  REQUIRE_FALSE(sc::SocketTrusted(0, sock | 0666, 1001, dir | 0755, 1000, false, true));
  REQUIRE_FALSE(sc::SocketTrusted(0, reg | 0666, 0, dir | 0755, 1000, false, true));
  REQUIRE(sc::SocketTrusted(0, sock | 0666, 0, dir | 0755, 1000, true, true));
  REQUIRE_FALSE(sc::SocketTrusted(0, sock | 0666, 0, dir | 0755, 1000, true, false));
  REQUIRE_FALSE(sc::SocketTrusted(1000, sock | 0666, 0, dir | 0755, 1000, true, true));
}

TEST_CASE("env hash: FNV-1a 64 over NAME=VALUE NUL in list order, then the mode", "[symcache-env]") {
  // An independent FNV-1a over the concatenated bytes.
  auto fnv = [](const std::string& bytes) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
    return h;
  };
  const char* none[sc::kNumEnvVars] = {};
  REQUIRE(sc::EnvHash(none, 0) == fnv(std::string(1, '\0')));
  const char* some[sc::kNumEnvVars] = {"/opt/lib", nullptr, "", nullptr, nullptr};
  REQUIRE(sc::EnvHash(some, sc::kModeBindNow) ==
          fnv(std::string("LD_LIBRARY_PATH=/opt/lib") + '\0' + "LD_BIND_NOW=" + '\0' + '\x02'));
  REQUIRE(sc::EnvHash(some, 0) != sc::EnvHash(some, sc::kModeSecure));
  const char* absent_vs_empty[sc::kNumEnvVars] = {"", nullptr, nullptr, nullptr, nullptr};
  REQUIRE(sc::EnvHash(absent_vs_empty, 0) != sc::EnvHash(none, 0));
  REQUIRE(sc::EnvHash(none, 0) == 0xaf63bd4c8601b7dfull);  // what an empty environment records
  REQUIRE(sc::EnvVarIndex("LD_PRELOAD=x") == 1);
  REQUIRE(sc::EnvVarIndex("LD_PRELOADX=x") == -1);
  REQUIRE(sc::EnvVarIndex("LD_PRELOAD") == -1);
  REQUIRE(sc::EnvVarIndex("LD_AUDIT=") == 4);
}

TEST_CASE("checksum: every single-word change is detected", "[symcache-format]") {
  std::vector<uint64_t> w(37);
  for (size_t i = 0; i < w.size(); ++i) w[i] = i * 0x9e3779b97f4a7c15ull;
  const uint64_t c0 = sc::Checksum64(w.data(), w.size() * 8);
  for (size_t i = 0; i < w.size(); ++i)
    for (int b = 0; b < 64; b += 7) {
      auto v = w;
      v[i] ^= uint64_t{1} << b;
      REQUIRE(sc::Checksum64(v.data(), v.size() * 8) != c0);
    }
  // Length matters, tail bytes count.
  REQUIRE(sc::Checksum64(w.data(), 8) != sc::Checksum64(w.data(), 9));
  REQUIRE(sc::Checksum64(w.data(), 0, 1) != sc::Checksum64(w.data(), 0, 2));
}
