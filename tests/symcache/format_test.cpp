// The symbol cache format (rtld/elf/symcache.h) and its hosted writer
// (tools/symcache): round trip, every kind of corruption rejected, key
// mismatch is a miss, the recording parser, the trust rules, the env hash.
// Recordings come from a small fake generator here, not from the loader.
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
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

// A program of n objects with pseudo-random keys and bindings: references
// below each object's "symoffset" (dense) and a few high ones (sparse),
// some unresolved weak.
Recording FakeRecording(uint32_t seed, uint32_t nobjects, uint64_t env_hash = 0x1234) {
  std::mt19937 rng(seed);
  Recording r;
  r.env_hash = env_hash;
  for (uint32_t i = 0; i < nobjects; ++i) {
    symcache::RecObject o;
    o.key = sc::ObjectKey{1000 + seed, 50000 + seed * 100 + i, 4096u * (i + 1), 1700000000000000000ull + i,
                          1700000000000000001ull + seed};
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
  for (size_t i = 0; i < recs.size(); ++i)
    m.Merge(symcache::FromRecording(recs[i], recs[i].objects[0].path, 1000 + i));
  Image im;
  im.words = m.Build(symcache::Limits(), 42, nullptr);
  return im;
}

// Recomputes the index checksum after a deliberate edit (the adversarial
// case: a corrupt file that is nevertheless self-consistent).
void ResealIndex(Image& im) {
  sc::Header* h = im.header();
  h->index_checksum = 0;
  uint64_t c = sc::Checksum64(h, sizeof(sc::Header));
  const sc::Section& s = h->sections[sc::kSecSlots];
  if (s.offset % 8 == 0 && s.offset <= im.size() && s.size <= im.size() - s.offset) c = sc::Checksum64(im.bytes() + s.offset, s.size, c);
  h->index_checksum = c;
}

// Recomputes every slot's record checksum (for records still in bounds),
// then the index checksum.
void ResealAll(Image& im) {
  sc::Header* h = im.header();
  const sc::Section& s = h->sections[sc::kSecSlots];
  if (s.offset % 8 != 0 || s.offset > im.size() || s.count > (im.size() - s.offset) / sizeof(sc::ClosureSlot)) {
    ResealIndex(im);
    return;
  }
  auto* slots = reinterpret_cast<sc::ClosureSlot*>(im.bytes() + s.offset);
  for (uint64_t i = 0; i < s.count; ++i) {
    if (slots[i].record_off8 == 0) continue;
    const uint64_t off = uint64_t{slots[i].record_off8} * 8;
    if (off + sizeof(sc::ClosureRecord) > im.size()) continue;
    const auto* r = reinterpret_cast<const sc::ClosureRecord*>(im.bytes() + off);
    if (r->record_size > im.size() - off) continue;
    slots[i].record_check = sc::Fold32(sc::Checksum64(r, r->record_size));
  }
  ResealIndex(im);
}

// Every answer a closure gives must be either "not recorded" or exactly
// the recorded binding; and never an index out of range.
void CheckAnswers(const sc::Closure& c, const Recording& r, bool allow_misses) {
  REQUIRE(c.nobjects() == r.objects.size());
  std::map<std::pair<uint32_t, uint32_t>, std::pair<uint32_t, uint32_t>> want;
  for (const auto& b : r.binds) want[{b.object, b.symndx}] = {b.def_index, b.def_symndx};
  for (uint32_t o = 0; o < r.objects.size() + 2; ++o) {
    const uint32_t nsyms = o < r.objects.size() ? r.objects[o].nsyms : 10;
    for (uint32_t s = 0; s < nsyms + 3; ++s) {
      uint32_t di = 77, ds = 77;
      const bool hit = c.Lookup(o, s, &di, &ds);
      auto it = want.find({o, s});
      if (hit) {
        REQUIRE(it != want.end());
        REQUIRE(di == it->second.first);
        REQUIRE(ds == it->second.second);
        REQUIRE((di == sc::kUnresolvedWeak || di < c.nobjects()));
      } else if (!allow_misses) {
        REQUIRE(it == want.end());
      }
    }
  }
}

std::vector<Recording> Sample() {
  return {FakeRecording(1, 5), FakeRecording(2, 1), FakeRecording(3, 12, 0xfeed), FakeRecording(4, 3)};
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
  }
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
    for (size_t i = 0; i < keys.size(); ++i) {
      for (int f = 0; f < 5; ++f) {
        auto k = keys;
        uint64_t* field = &k[i].dev + f;
        *field += 1;
        REQUIRE_FALSE(r.FindClosure(rec.env_hash, k.data(), 5).valid());
      }
    }
  }
  SECTION("a key-hash collision with different keys is still a miss") {
    // Point the slot's stored hash at the mismatching key list's hash: the
    // full comparison must reject it.
    auto k = keys;
    k[3].ino ^= 0x40;
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

TEST_CASE("truncation at every 8-byte boundary is rejected", "[symcache-corrupt]") {
  Image im = Build(Sample());
  for (size_t n = 0; n < im.size(); n += 8) {
    std::vector<uint64_t> cut(im.words.begin(), im.words.begin() + n / 8);
    sc::Reader r;
    REQUIRE_FALSE(r.Open(cut.data(), n));
  }
  // Also at odd sizes near the end and inside the header.
  for (size_t n : {size_t{1}, size_t{255}, size_t{257}, im.size() - 1, im.size() - 7}) {
    sc::Reader r;
    REQUIRE_FALSE(r.Open(im.words.data(), n));
  }
  // Truncated, with the header resealed to claim the shorter size: sections
  // now reach past the end, which Open must see.
  for (size_t n = sizeof(sc::Header); n < im.size(); n += 8) {
    Image t;
    t.words.assign(im.words.begin(), im.words.begin() + n / 8);
    t.header()->file_size = n;
    ResealIndex(t);
    sc::Reader r;
    REQUIRE_FALSE(r.Open(t.words.data(), n));
  }
}

TEST_CASE("a flipped byte in the header or slot table is rejected", "[symcache-corrupt]") {
  Image im = Build(Sample());
  const sc::Section slots = im.header()->sections[sc::kSecSlots];
  const size_t end = slots.offset + slots.size;
  for (size_t i = 0; i < end; ++i) {
    for (unsigned char bit : {0x01, 0x80, 0xff}) {
      Image c = im;
      c.bytes()[i] ^= bit;
      sc::Reader r;
      INFO("byte " << i << " ^ " << int(bit));
      REQUIRE_FALSE(r.Open(c.words.data(), c.size()));
    }
  }
}

TEST_CASE("a flipped byte in a closure record makes that closure a miss", "[symcache-corrupt]") {
  const std::vector<Recording> recs = Sample();
  Image im = Build(recs);
  const sc::Section cs = im.header()->sections[sc::kSecClosures];
  for (size_t i = cs.offset; i < cs.offset + cs.size; ++i) {
    Image c = im;
    c.bytes()[i] ^= static_cast<unsigned char>(1u << (i % 8));
    sc::Reader r;
    REQUIRE(r.Open(c.words.data(), c.size()));  // records are not part of the index checksum
    unsigned hits = 0;
    for (const Recording& rec : recs) {
      const auto keys = KeysOf(rec);
      sc::Closure cl = r.FindClosure(rec.env_hash, keys.data(), static_cast<unsigned>(keys.size()));
      if (cl.valid()) {
        ++hits;
        CheckAnswers(cl, rec, false);
      }
    }
    INFO("byte " << i);
    REQUIRE(hits == recs.size() - 1);
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
  for (int t = 0; t < 3000; ++t) {
    Image c = im;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) c.bytes()[rng() % c.size()] ^= static_cast<unsigned char>(1 + rng() % 255);
    // Half the time the attacker also fixes up every checksum.
    if (t % 2) ResealAll(c);
    sc::Reader r;
    if (!r.Open(c.words.data(), c.size())) continue;
    ++opened;
    r.VerifyObjects();
    r.VerifySymbols();
    for (const Recording& rec : recs) {
      const auto keys = KeysOf(rec);
      sc::Closure cl = r.FindClosure(rec.env_hash, keys.data(), static_cast<unsigned>(keys.size()));
      if (!cl.valid()) continue;
      if (t % 2 == 0) {
        CheckAnswers(cl, rec, false);  // checksums intact: a hit is exact
      } else {
        // Resealed: the record may be altered, but lookups stay in bounds.
        for (uint32_t o = 0; o < cl.nobjects(); ++o)
          for (uint32_t s = 0; s < rec.objects[o].nsyms; ++s) {
            uint32_t di, ds;
            if (cl.Lookup(o, s, &di, &ds)) {
              REQUIRE((di == sc::kUnresolvedWeak || di < cl.nobjects()));
              if (di != sc::kUnresolvedWeak) REQUIRE(ds < cl.nsyms(di));
            }
          }
      }
    }
    for (uint32_t i = 0; i < r.object_count(); ++i) r.String(r.Object(i)->path);
  }
  REQUIRE(opened > 0);
}

TEST_CASE("out-of-range offsets and counts are rejected", "[symcache-corrupt]") {
  const std::vector<Recording> recs = Sample();
  const Image im = Build(recs);
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
    c.header()->version = 2;
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
  REQUIRE(im.size() == sizeof(sc::Header));
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
  const char* bad[] = {
      "rtld-bindings 2\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nend\n",
      "rtld-bindings 1\nenv 00000000000000\nobject 0 1 2 3 4 5 10 - /p\nend\n",
      "rtld-bindings 1\nenv 000000000000000g\nobject 0 1 2 3 4 5 10 - /p\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 1 1 2 3 4 5 10 - /p\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - \nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 -\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 99999999999999999999 10 - /p\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nbind 1 1 0 0\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nbind 0 10 0 0\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nbind 0 0 0 0\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nbind 0 1 1 0\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nbind 0 1 0 10\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nbind 0 1 -2 0\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nbind 0 1 0 1\nbind 0 1 0 2\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nbind 0 1 0 1 \nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nbind 0 1 0 1\nobject 1 1 2 3 4 5 10 - /q\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nend\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nfoo\nend\n",
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nend",
  };
  for (const char* b : bad) {
    INFO(b);
    REQUIRE_FALSE(symcache::ParseRecording(b, &out, &err));
  }
  REQUIRE(symcache::ParseRecording(
      "rtld-bindings 1\nenv 0000000000000000\nobject 0 1 2 3 4 5 10 - /p\nbind 0 1 -1 0\nbind 0 2 0 9\nend\n", &out,
      &err));
  REQUIRE(out.binds[0].def_index == sc::kUnresolvedWeak);
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
