#include "tools/symcache/writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "rtld/elf/hash.h"
#include "tools/symcache/elfsyms.h"

namespace symcache {

namespace {

struct KeyLess {
  bool operator()(const sc::ObjectKey& a, const sc::ObjectKey& b) const { return sc::CompareKeys(a, b) < 0; }
};

bool IsZeroKey(const sc::ObjectKey& k) { return k == sc::ObjectKey(); }

// Appends bytes to a byte buffer, 8-byte padded on request.
struct Bytes {
  std::string b;
  template <typename T>
  void Put(const T& v) { b.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void Pad8() { b.append((8 - b.size() % 8) % 8, '\0'); }
  size_t size() const { return b.size(); }
};

// A deduplicating pool of NUL-terminated strings.
struct StringPool {
  std::string bytes;
  std::unordered_map<std::string, uint32_t> index;
  uint32_t Add(const std::string& s) {
    auto it = index.find(s);
    if (it != index.end()) return it->second;
    const uint32_t off = static_cast<uint32_t>(bytes.size());
    bytes += s;
    bytes += '\0';
    index.emplace(s, off);
    return off;
  }
};

// The dense prefix for one object's references (sorted symndx): the D in
// {0} u {r+1} minimizing 8*D + 32*(references >= D). A sparse entry is
// weighted 32 bytes (twice its size) to favour the array read.
uint32_t ChooseDense(const std::vector<Binding>& refs) {
  uint64_t best_cost = 32ull * refs.size();
  uint32_t best = 0;
  for (size_t k = 0; k < refs.size(); ++k) {
    const uint64_t d = uint64_t{refs[k].symndx} + 1;
    const uint64_t cost = 8 * d + 32ull * (refs.size() - k - 1);
    if (cost <= best_cost) {
      best_cost = cost;
      best = static_cast<uint32_t>(d);
    }
  }
  return best;
}

// A closure record; its image runs get file offsets from *next_page on (in
// pages from the start of kSecImages at images_off).
std::string RecordBytes(const ClosureData& c, uint64_t key_hash, uint32_t program, uint32_t env_text,
                        const std::map<sc::ObjectKey, uint32_t, KeyLess>& ids, uint64_t images_off,
                        uint64_t* next_page) {
  const uint32_t n = static_cast<uint32_t>(c.objects.size());
  std::vector<sc::ClosureObject> objs(n);
  std::vector<sc::DenseEntry> dense;
  std::vector<sc::SparseEntry> sparse;
  std::vector<sc::ImageRun> runs;
  std::vector<sc::Patch> patches;
  for (uint32_t i = 0; i < n; ++i) {
    const std::vector<Binding>& refs = c.binds[i];
    const RecObject& ro = c.objects[i];
    sc::ClosureObject& o = objs[i];
    o = sc::ClosureObject{};
    o.key = ro.key;
    o.object_id = ids.at(o.key);
    o.nsyms = ro.nsyms;
    o.dense_first = static_cast<uint32_t>(dense.size());
    o.dense_count = std::min(ChooseDense(refs), o.nsyms);
    o.sparse_first = static_cast<uint32_t>(sparse.size());
    dense.resize(dense.size() + o.dense_count, sc::DenseEntry{sc::kNotRecorded, 0});
    for (const Binding& b : refs) {
      if (b.symndx < o.dense_count) {
        dense[o.dense_first + b.symndx] = sc::DenseEntry{b.def_index, b.def_symndx};
      } else {
        sparse.push_back(sc::SparseEntry{b.symndx, b.def_index, b.def_symndx, 0});
      }
    }
    o.sparse_count = static_cast<uint32_t>(sparse.size() - o.sparse_first);
    o.bias = c.has_layout ? ro.bias : 0;
    o.run_first = static_cast<uint32_t>(runs.size());
    o.patch_first = static_cast<uint32_t>(patches.size());
    if (ro.exact_key) o.flags |= sc::kObjExactKey;
    if (c.has_layout && c.has_images && ro.imaged) {  // as ImagePages counts them
      o.flags |= sc::kObjImage | (ro.lazy_plt ? sc::kObjLazyPlt : 0);
      for (const RecRun& r : ro.runs) {
        runs.push_back(sc::ImageRun{r.vaddr, images_off + *next_page * sc::kImagePage, r.npages, 0});
        *next_page += r.npages;
      }
      patches.insert(patches.end(), ro.patches.begin(), ro.patches.end());
    }
    o.run_count = static_cast<uint32_t>(runs.size() - o.run_first);
    o.patch_count = static_cast<uint32_t>(patches.size() - o.patch_first);
  }
  sc::ClosureRecord r{};
  r.key_hash = key_hash;
  r.env_hash = c.env_hash;
  r.nobjects = n;
  r.program = program;
  r.ndense = static_cast<uint32_t>(dense.size());
  r.nsparse = static_cast<uint32_t>(sparse.size());
  r.nruns = static_cast<uint32_t>(runs.size());
  r.npatches = static_cast<uint32_t>(patches.size());
  r.env_text = env_text;
  r.flags = (c.has_layout ? sc::kRecordLayout : 0) | (c.has_layout && c.has_images ? sc::kRecordImages : 0);
  r.layout_base = c.layout_base;
  r.record_size = sc::RecordSize(n, r.ndense, r.nsparse, r.nruns, r.npatches);
  r.last_used_s = c.last_used_s;
  r.created_s = c.created_s;
  Bytes out;
  out.Put(r);
  for (const auto& o : objs) out.Put(o);
  for (const auto& d : dense) out.Put(d);
  for (const auto& s : sparse) out.Put(s);
  for (const auto& s : runs) out.Put(s);
  for (const auto& s : patches) out.Put(s);
  return out.b;
}

uint64_t ImagePages(const ClosureData& c) {
  uint64_t n = 0;
  if (!c.has_layout || !c.has_images) return 0;
  for (const RecObject& o : c.objects)
    if (o.imaged)
      for (const RecRun& r : o.runs) n += r.npages;
  return n;
}

// Whether the record in slot s is for the same program key and env hash as
// the closure at order position i (a key-hash collision is another program).
bool SameProgram(const std::vector<ClosureData>& closures, const std::vector<std::pair<uint64_t, size_t>>& order,
                 const std::vector<uint64_t>& rec_offsets, uint64_t closures_off, const sc::ClosureSlot& s, size_t i) {
  for (size_t k = 0; k < order.size(); ++k) {
    if ((closures_off + rec_offsets[k]) / 8 != s.record_off8) continue;
    const ClosureData& a = closures[order[k].second];
    const ClosureData& b = closures[order[i].second];
    return a.env_hash == b.env_hash && !a.objects.empty() && !b.objects.empty() &&
           sc::SameObject(a.objects[0].key, b.objects[0].key) && a.objects[0].exact_key == b.objects[0].exact_key;
  }
  return false;
}

std::string SymbolIndexBytes(const std::vector<std::pair<uint32_t, const RecObject*>>& by_rank,
                             size_t* nentries_out) {
  struct Entry {
    std::string name, version;
    bool has_version;
    uint32_t flags;
    std::vector<sc::SymDef> defs;
  };
  std::vector<Entry> entries;
  std::unordered_map<std::string, size_t> where;
  for (const auto& [id, obj] : by_rank) {
    if (IsZeroKey(obj->key) || obj->path.empty()) continue;
    ElfSymbols es;
    if (!ReadElfSymbols(obj->path, &obj->key, &es)) continue;
    for (uint32_t i = 1; i < es.syms.size(); ++i) {
      const ElfSymbol& s = es.syms[i];
      if (!s.exported || s.name.empty()) continue;
      std::string k = s.name;
      k += '\0';
      if (s.has_version) k += "@" + s.version;
      auto [it, inserted] = where.emplace(k, entries.size());
      if (inserted) entries.push_back(Entry{s.name, s.version, s.has_version, 0, {}});
      Entry& e = entries[it->second];
      if (e.defs.empty() && s.default_version) e.flags |= sc::kSymDefault;
      // One definition per object (the first: a name+version is unique in a
      // well-formed object).
      if (e.defs.empty() || e.defs.back().object_id != id) e.defs.push_back(sc::SymDef{id, i});
    }
  }
  *nentries_out = entries.size();
  const uint32_t nb = static_cast<uint32_t>(entries.size() / 2 + 1);
  std::vector<std::vector<uint32_t>> buckets(nb);
  std::vector<uint32_t> hashes(entries.size());
  for (uint32_t i = 0; i < entries.size(); ++i) {
    const uint32_t h = rtld::elf::GnuHash(entries[i].name.c_str());
    hashes[i] = h;
    buckets[h % nb].push_back(i);
  }
  StringPool strs;
  std::vector<uint32_t> starts(nb + 1);
  std::vector<sc::SymIndexEntry> out_entries;
  std::vector<sc::SymDef> defs;
  for (uint32_t b = 0; b < nb; ++b) {
    starts[b] = static_cast<uint32_t>(out_entries.size());
    for (uint32_t i : buckets[b]) {
      const Entry& e = entries[i];
      sc::SymIndexEntry se{};
      se.gnu_hash = hashes[i];
      se.name = strs.Add(e.name);
      se.version = e.has_version ? strs.Add(e.version) : sc::kNoString;
      se.defs_first = static_cast<uint32_t>(defs.size());
      se.ndefs = static_cast<uint32_t>(e.defs.size());
      se.flags = e.flags;
      defs.insert(defs.end(), e.defs.begin(), e.defs.end());
      out_entries.push_back(se);
    }
  }
  starts[nb] = static_cast<uint32_t>(out_entries.size());
  sc::SymIndexHeader h{};
  h.nbuckets = nb;
  h.nentries = static_cast<uint32_t>(out_entries.size());
  h.ndefs = static_cast<uint32_t>(defs.size());
  h.strings_size = static_cast<uint32_t>(strs.bytes.size());
  Bytes out;
  h.buckets_off = sizeof h;
  const uint64_t buckets_bytes = (uint64_t{nb} + 1) * 4;
  h.entries_off = (h.buckets_off + buckets_bytes + 7) & ~uint64_t{7};
  h.defs_off = h.entries_off + out_entries.size() * sizeof(sc::SymIndexEntry);
  h.strings_off = h.defs_off + defs.size() * sizeof(sc::SymDef);
  out.Put(h);
  for (uint32_t s : starts) out.Put(s);
  out.Pad8();
  for (const auto& e : out_entries) out.Put(e);
  for (const auto& d : defs) out.Put(d);
  out.b += strs.bytes;
  out.Pad8();
  return out.b;
}

}  // namespace

std::vector<sc::ObjectKey> ClosureData::Keys() const {
  std::vector<sc::ObjectKey> k;
  k.reserve(objects.size());
  for (const RecObject& o : objects) k.push_back(o.key);
  return k;
}

ClosureData FromRecording(const Recording& r, const std::string& program, uint64_t now_s,
                          const std::string& env_text, uint64_t layout_base) {
  ClosureData c;
  c.env_hash = r.env_hash;
  c.program = program;
  c.env_text = env_text;
  c.has_layout = r.has_layout;
  c.has_images = r.has_layout && r.has_images;
  c.layout_base = layout_base;
  c.last_used_s = c.created_s = now_s;
  c.objects = r.objects;
  c.binds.resize(r.objects.size());
  for (const RecBind& b : r.binds) c.binds[b.object].push_back(Binding{b.symndx, b.def_index, b.def_symndx});
  for (auto& v : c.binds)
    std::sort(v.begin(), v.end(), [](const Binding& a, const Binding& b) { return a.symndx < b.symndx; });
  return c;
}

uint64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

bool CacheModel::Load(const void* data, size_t size) {
  generation = 0;
  closures.clear();
  sc::Reader r;
  if (!r.Open(data, size)) return false;
  generation = r.generation();
  r.VerifyObjects();  // without it, paths and sonames are unknown
  for (uint32_t i = 0; i < r.slot_count(); ++i) {
    sc::Closure c = r.ClosureInSlot(i);
    if (!c.valid()) continue;
    const sc::ClosureRecord* rec = c.record();
    ClosureData d;
    d.env_hash = rec->env_hash;
    if (rec->program != sc::kNoString && r.String(rec->program)) d.program = r.String(rec->program);
    if (rec->env_text != sc::kNoString && r.String(rec->env_text)) d.env_text = r.String(rec->env_text);
    d.has_layout = c.has_layout();
    d.has_images = c.has_images();
    d.layout_base = rec->layout_base;
    d.last_used_s = rec->last_used_s;
    d.created_s = rec->created_s;
    d.objects.resize(rec->nobjects);
    d.binds.resize(rec->nobjects);
    const auto* dense = reinterpret_cast<const sc::DenseEntry*>(c.object(0) + rec->nobjects);
    const auto* sparse = reinterpret_cast<const sc::SparseEntry*>(dense + rec->ndense);
    for (uint32_t k = 0; k < rec->nobjects; ++k) {
      const sc::ClosureObject* o = c.object(k);
      RecObject& ro = d.objects[k];
      ro.key = o->key;
      ro.nsyms = o->nsyms;
      if (const sc::ObjectEntry* e = r.Object(o->object_id); e != nullptr && e->key == o->key) {
        if (e->soname != sc::kNoString && r.String(e->soname)) {
          ro.has_soname = true;
          ro.soname = r.String(e->soname);
        }
        if (e->path != sc::kNoString && r.String(e->path)) ro.path = r.String(e->path);
      }
      ro.bias = o->bias;
      ro.exact_key = (o->flags & sc::kObjExactKey) != 0;
      ro.imaged = (o->flags & sc::kObjImage) != 0;
      ro.lazy_plt = (o->flags & sc::kObjLazyPlt) != 0;
      uint32_t nruns, npatches;
      const sc::ImageRun* runs = c.runs(k, &nruns);
      for (uint32_t q = 0; q < nruns; ++q) {
        RecRun run;
        run.vaddr = runs[q].vaddr;
        run.npages = runs[q].npages;
        run.bytes.assign(static_cast<const char*>(data) + runs[q].file_offset, uint64_t{runs[q].npages} * sc::kImagePage);
        ro.runs.push_back(std::move(run));
      }
      const sc::Patch* patches = c.patches(k, &npatches);
      ro.patches.assign(patches, patches + npatches);
      std::vector<Binding>& bv = d.binds[k];
      for (uint32_t s = 0; s < o->dense_count; ++s) {
        const sc::DenseEntry& e = dense[o->dense_first + s];
        if (e.def_index != sc::kNotRecorded) bv.push_back(Binding{s, e.def_index, e.def_symndx});
      }
      for (uint32_t s = 0; s < o->sparse_count; ++s) {
        const sc::SparseEntry& e = sparse[o->sparse_first + s];
        if (e.def_index != sc::kNotRecorded) bv.push_back(Binding{e.symndx, e.def_index, e.def_symndx});
      }
    }
    closures.push_back(std::move(d));
  }
  return true;
}

bool CacheModel::Merge(ClosureData c) {
  // The same key as the loader compares it: every object SameObject (a
  // closure recorded again after its files were copied replaces the old
  // one, which would otherwise linger, found first by the same lookups).
  // (An object matched exactly and one matched by SameObject are other
  // keys: a user's copy never replaces what it copies.)
  auto same_keys = [](const ClosureData& a, const ClosureData& b) {
    if (a.objects.size() != b.objects.size()) return false;
    for (size_t k = 0; k < a.objects.size(); ++k)
      if (!sc::SameObject(a.objects[k].key, b.objects[k].key) || a.objects[k].exact_key != b.objects[k].exact_key)
        return false;
    return true;
  };
  // The newest merge goes last: among equal times, later in the vector is
  // more recent (Build's tie-break).
  for (size_t i = 0; i < closures.size(); ++i) {
    if (closures[i].env_hash == c.env_hash && same_keys(closures[i], c)) {
      if (c.created_s == 0) c.created_s = closures[i].created_s;
      closures.erase(closures.begin() + static_cast<std::ptrdiff_t>(i));
      closures.push_back(std::move(c));
      return true;
    }
  }
  closures.push_back(std::move(c));
  return false;
}

std::vector<uint64_t> CacheModel::Serialize(uint64_t now_ns, bool with_symbols, BuildStats* stats) const {
  // Objects: every key any closure mentions, sorted by key; rank = the
  // earliest load position seen (the symbol index's link-map order).
  std::map<sc::ObjectKey, const RecObject*, KeyLess> objs;
  std::map<sc::ObjectKey, uint32_t, KeyLess> rank;
  for (const ClosureData& c : closures) {
    for (uint32_t i = 0; i < c.objects.size(); ++i) {
      const RecObject& o = c.objects[i];
      auto [it, inserted] = objs.emplace(o.key, &o);
      if (!inserted && it->second->path.empty() && !o.path.empty()) it->second = &o;
      auto [rt, rins] = rank.emplace(o.key, i);
      if (!rins) rt->second = std::min(rt->second, i);
    }
  }
  std::map<sc::ObjectKey, uint32_t, KeyLess> ids;
  StringPool strs;
  std::vector<sc::ObjectEntry> table;
  for (const auto& [key, o] : objs) {
    ids.emplace(key, static_cast<uint32_t>(table.size()));
    sc::ObjectEntry e{};
    e.key = key;
    e.soname = o->has_soname ? strs.Add(o->soname) : sc::kNoString;
    e.path = o->path.empty() ? sc::kNoString : strs.Add(o->path);
    e.nsyms = o->nsyms;
    table.push_back(e);
  }
  // Closure records and the slot table.
  std::string records;
  const size_t n = closures.size();
  uint64_t nslots = 0;
  if (n > 0) {
    nslots = 1;
    while (nslots < 2 * n) nslots <<= 1;
  }
  std::vector<sc::ClosureSlot> slots(nslots, sc::ClosureSlot{0, 0, 0});
  // Image pages come first, at the first page after the header, so their
  // offsets are known before the records are written. Without any, the
  // tables follow the header (no page of padding) and kSecImages is empty
  // at offset 0.
  uint64_t image_pages = 0;
  for (const ClosureData& c : closures) image_pages += ImagePages(c);
  const uint64_t images_off = image_pages != 0 ? sc::kImagePage : 0;
  uint64_t next_page = 0;
  std::vector<std::pair<uint64_t, size_t>> program_slots;  // (program key hash, record index)
  std::vector<uint64_t> rec_offsets(n);
  std::vector<std::pair<uint64_t, uint32_t>> rec_meta(n);  // key hash, check
  // Records in key-hash order: the same set of closures always makes the
  // same bytes, whatever order they were merged in.
  std::vector<std::pair<uint64_t, size_t>> order(n);
  for (size_t i = 0; i < n; ++i) {
    const std::vector<sc::ObjectKey> keys = closures[i].Keys();
    order[i] = {sc::ClosureKeyHash(closures[i].env_hash, keys.data(), static_cast<unsigned>(keys.size())), i};
  }
  std::sort(order.begin(), order.end());
  for (size_t i = 0; i < n; ++i) {
    const ClosureData& c = closures[order[i].second];
    const uint64_t kh = order[i].first;
    const uint32_t prog = c.program.empty() ? sc::kNoString : strs.Add(c.program);
    const uint32_t env_text = c.env_text.empty() ? sc::kNoString : strs.Add(c.env_text);
    std::string rb = RecordBytes(c, kh, prog, env_text, ids, images_off, &next_page);
    if (c.has_layout && !c.objects.empty()) program_slots.emplace_back(sc::ProgramKeyHash(c.env_hash, c.objects[0].key), i);
    rec_offsets[i] = records.size();
    rec_meta[i] = {kh, sc::Fold32(sc::Checksum64(rb.data(), rb.size()))};
    records += rb;
  }
  std::string symbols;
  size_t nsym_entries = 0;
  if (with_symbols) {
    std::vector<std::pair<uint32_t, const RecObject*>> by_rank;
    for (const auto& [key, o] : objs) by_rank.emplace_back(ids.at(key), o);
    std::stable_sort(by_rank.begin(), by_rank.end(), [&](const auto& a, const auto& b) {
      return rank.at(a.second->key) < rank.at(b.second->key);
    });
    symbols = SymbolIndexBytes(by_rank, &nsym_entries);
  }
  std::string strings = strs.bytes;
  strings.append((8 - strings.size() % 8) % 8, '\0');

  // The program table: one closure per (program, env hash), the newest.
  uint64_t nprogs = 0;
  if (!program_slots.empty()) {
    nprogs = 1;
    while (nprogs < 2 * program_slots.size()) nprogs <<= 1;
  }
  std::vector<sc::ClosureSlot> progs(nprogs, sc::ClosureSlot{0, 0, 0});
  std::vector<uint64_t> prog_created(nprogs, 0);

  // Layout.
  sc::Header h{};
  memcpy(h.magic, sc::kMagic, 8);
  h.version = sc::kFormatVersion;
  h.header_size = sizeof(sc::Header);
  h.generation = generation;
  h.created_ns = now_ns;
  uint64_t off = image_pages != 0 ? images_off : sizeof(sc::Header);
  auto place = [&](unsigned id, uint64_t size, uint64_t count) {
    h.sections[id].offset = off;
    h.sections[id].size = size;
    h.sections[id].count = count;
    off += size;
  };
  if (image_pages != 0) place(sc::kSecImages, image_pages * sc::kImagePage, image_pages);
  place(sc::kSecSlots, nslots * sizeof(sc::ClosureSlot), nslots);
  place(sc::kSecPrograms, nprogs * sizeof(sc::ClosureSlot), nprogs);
  place(sc::kSecClosures, records.size(), n);
  place(sc::kSecObjects, table.size() * sizeof(sc::ObjectEntry), table.size());
  place(sc::kSecStrings, strings.size(), 0);
  place(sc::kSecSymbols, symbols.size(), nsym_entries);
  h.file_size = off;
  const uint64_t closures_off = h.sections[sc::kSecClosures].offset;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t roff = closures_off + rec_offsets[i];
    uint64_t s = rec_meta[i].first & (nslots - 1);
    while (slots[s].record_off8 != 0) s = (s + 1) & (nslots - 1);
    slots[s] = sc::ClosureSlot{rec_meta[i].first, static_cast<uint32_t>(roff / 8), rec_meta[i].second};
  }
  for (const auto& [pkh, i] : program_slots) {
    const uint64_t roff = closures_off + rec_offsets[i];
    const uint64_t created = closures[order[i].second].created_s;
    uint64_t s = pkh & (nprogs - 1);
    bool placed = false;
    // The same program and env hash twice: the newest closure keeps the slot.
    for (uint64_t probe = 0; probe < nprogs && progs[s].record_off8 != 0; ++probe, s = (s + 1) & (nprogs - 1)) {
      if (progs[s].key_hash == pkh && SameProgram(closures, order, rec_offsets, closures_off, progs[s], i)) {
        if (created >= prog_created[s]) {
          progs[s] = sc::ClosureSlot{pkh, static_cast<uint32_t>(roff / 8), rec_meta[i].second};
          prog_created[s] = created;
        }
        placed = true;
        break;
      }
    }
    if (placed) continue;
    while (progs[s].record_off8 != 0) s = (s + 1) & (nprogs - 1);
    progs[s] = sc::ClosureSlot{pkh, static_cast<uint32_t>(roff / 8), rec_meta[i].second};
    prog_created[s] = created;
  }
  h.sections[sc::kSecObjects].checksum = sc::Checksum64(table.data(), table.size() * sizeof(sc::ObjectEntry));
  h.sections[sc::kSecStrings].checksum = sc::Checksum64(strings.data(), strings.size());
  h.sections[sc::kSecSymbols].checksum = sc::Checksum64(symbols.data(), symbols.size());
  h.index_checksum = 0;
  uint64_t c = sc::Checksum64(&h, sizeof h);
  c = sc::Checksum64(slots.data(), slots.size() * sizeof(sc::ClosureSlot), c);
  h.index_checksum = sc::Checksum64(progs.data(), progs.size() * sizeof(sc::ClosureSlot), c);

  std::vector<uint64_t> words(off / 8);
  char* p = reinterpret_cast<char*>(words.data());
  memcpy(p, &h, sizeof h);
  if (nslots) memcpy(p + h.sections[sc::kSecSlots].offset, slots.data(), nslots * sizeof(sc::ClosureSlot));
  if (nprogs) memcpy(p + h.sections[sc::kSecPrograms].offset, progs.data(), nprogs * sizeof(sc::ClosureSlot));
  {
    uint64_t page = 0;
    for (size_t i = 0; i < n; ++i) {
      const ClosureData& c = closures[order[i].second];
      if (ImagePages(c) == 0) continue;
      for (const RecObject& o : c.objects) {
        if (!o.imaged) continue;
        for (const RecRun& r : o.runs) {
          memcpy(p + images_off + page * sc::kImagePage, r.bytes.data(),
                 std::min<size_t>(r.bytes.size(), uint64_t{r.npages} * sc::kImagePage));
          page += r.npages;
        }
      }
    }
  }
  memcpy(p + closures_off, records.data(), records.size());
  if (!table.empty()) memcpy(p + h.sections[sc::kSecObjects].offset, table.data(), table.size() * sizeof(sc::ObjectEntry));
  memcpy(p + h.sections[sc::kSecStrings].offset, strings.data(), strings.size());
  memcpy(p + h.sections[sc::kSecSymbols].offset, symbols.data(), symbols.size());
  if (stats) {
    stats->file_size = off;
    stats->closures = n;
    stats->objects = table.size();
    stats->symbols = nsym_entries;
    stats->symbol_index = with_symbols;
    stats->image_pages = image_pages;
    stats->images = 0;
    for (const ClosureData& c : closures) stats->images += c.has_layout && c.has_images;
  }
  return words;
}

std::vector<uint64_t> CacheModel::Build(const Limits& limits, uint64_t now_ns, BuildStats* stats) {
  BuildStats local;
  BuildStats& st = stats ? *stats : local;
  st = BuildStats();
  // Most recently used first (ties: later in the vector, i.e. merged
  // later, first); evict from the back.
  std::reverse(closures.begin(), closures.end());
  std::stable_sort(closures.begin(), closures.end(), [](const ClosureData& a, const ClosureData& b) {
    return a.last_used_s > b.last_used_s;
  });
  size_t evicted = 0;
  if (closures.size() > limits.max_closures) {
    evicted += closures.size() - limits.max_closures;
    closures.resize(limits.max_closures);
  }
  bool with_symbols = symbol_index;
  for (;;) {
    std::vector<uint64_t> out = Serialize(now_ns, with_symbols, &st);
    if (out.size() * 8 <= limits.max_bytes) {
      st.evicted = evicted;
      return out;
    }
    if (closures.empty()) {
      if (!with_symbols) {
        st.evicted = evicted;
        return out;  // a header alone over the limit: nothing left to drop
      }
      with_symbols = false;
      continue;
    }
    // Drop the oldest closures whose records cover the excess (at least one).
    uint64_t excess = out.size() * 8 - limits.max_bytes, freed = 0;
    while (!closures.empty() && (freed < excess || freed == 0)) {
      const ClosureData& c = closures.back();
      uint64_t nb = 0;
      for (const auto& v : c.binds) nb += v.size();
      freed += sc::RecordSize(c.objects.size(), 0, nb) + 2 * sizeof(sc::ClosureSlot) + ImagePages(c) * sc::kImagePage;
      closures.pop_back();
      ++evicted;
    }
  }
}

bool ReadFileAligned(const std::string& path, std::vector<uint64_t>* words, size_t* size) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1ll << 34)) {
    const int e = errno;
    close(fd);
    errno = e ? e : EINVAL;
    return false;
  }
  const size_t n = static_cast<size_t>(st.st_size);
  words->assign((n + 7) / 8, 0);
  size_t done = 0;
  while (done < n) {
    const ssize_t r = read(fd, reinterpret_cast<char*>(words->data()) + done, n - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    done += static_cast<size_t>(r);
  }
  close(fd);
  *size = done;
  return true;
}

namespace {

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string TempPrefix(const std::string& path) { return "." + BaseOf(path) + ".tmp"; }

// Removes temporary files a killed writer left (called with the lock held,
// so no live writer owns one).
void RemoveStaleTemps(const std::string& path) {
  const std::string dir = DirOf(path), prefix = TempPrefix(path);
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  while (struct dirent* e = readdir(d)) {
    if (strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0) unlinkat(dirfd(d), e->d_name, 0);
  }
  closedir(d);
}

bool MakeDirs(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) return S_ISDIR(st.st_mode);
  const std::string parent = DirOf(dir);
  if (parent != dir && !MakeDirs(parent)) return false;
  return mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST;
}

}  // namespace

bool PublishAtomically(const std::string& path, const void* data, size_t size, std::string* error) {
  const std::string dir = DirOf(path);
  std::string tmp = dir + "/" + TempPrefix(path) + "XXXXXX";
  const int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot create a temporary file in " + dir + ": " + strerror(errno);
    return false;
  }
  auto fail = [&](const char* what) {
    *error = std::string(what) + " " + tmp + ": " + strerror(errno);
    close(fd);
    unlink(tmp.c_str());
    return false;
  };
  if (fchmod(fd, 0644) != 0) return fail("cannot chmod");
  const char* p = static_cast<const char*>(data);
  size_t done = 0;
  while (done < size) {
    const ssize_t w = write(fd, p + done, size - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return fail("cannot write");
    done += static_cast<size_t>(w);
  }
  if (fsync(fd) != 0) return fail("cannot fsync");
  if (close(fd) != 0) {
    *error = "cannot close " + tmp + ": " + strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "cannot rename " + tmp + " to " + path + ": " + strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return true;
}

CacheLock::CacheLock(const std::string& cache_path) {
  MakeDirs(DirOf(cache_path));
  const std::string lock = cache_path + ".lock";
  fd_ = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return;
  while (flock(fd_, LOCK_EX) != 0) {
    if (errno != EINTR) {
      close(fd_);
      fd_ = -1;
      return;
    }
  }
}

CacheLock::~CacheLock() {
  if (fd_ >= 0) close(fd_);
}

UpdateResult UpdateCache(const std::string& path, std::vector<ClosureData> add, const Limits& limits,
                         bool symbol_index, const std::vector<ClosureId>& remove) {
  UpdateResult res;
  CacheLock lock(path);
  if (!lock.locked()) {
    res.error = "cannot lock " + path + ".lock: " + strerror(errno);
    return res;
  }
  RemoveStaleTemps(path);
  CacheModel model;
  model.symbol_index = symbol_index;
  std::vector<uint64_t> words;
  size_t size = 0;
  if (ReadFileAligned(path, &words, &size)) {
    if (!model.Load(words.data(), size)) res.previous_invalid = true;
  } else if (errno != ENOENT) {
    res.previous_invalid = true;
  }
  words.clear();
  words.shrink_to_fit();
  for (const ClosureId& id : remove) {
    for (size_t i = 0; i < model.closures.size(); ++i) {
      if (model.closures[i].env_hash == id.env_hash && model.closures[i].Keys() == id.keys) {
        model.closures.erase(model.closures.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
  }
  for (ClosureData& c : add) model.Merge(std::move(c));
  model.generation += 1;
  const uint64_t now = NowNs();
  std::vector<uint64_t> out = model.Build(limits, now, &res.stats);
  if (!PublishAtomically(path, out.data(), out.size() * 8, &res.error)) return res;
  res.ok = true;
  res.generation = model.generation;
  return res;
}

}  // namespace symcache
