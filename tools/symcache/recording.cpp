#include "tools/symcache/recording.h"

#include <inttypes.h>
#include <stdio.h>

#include <set>
#include <utility>

namespace symcache {

namespace {

namespace sc = rtld::elf::symcache;

// A cursor over one line: decimal and hex fields separated by one space.
struct Fields {
  const std::string& s;
  size_t pos;

  bool Space() {
    if (pos >= s.size() || s[pos] != ' ') return false;
    ++pos;
    return true;
  }
  bool Dec(uint64_t* v) {
    size_t start = pos;
    uint64_t x = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      const uint64_t d = static_cast<uint64_t>(s[pos] - '0');
      if (x > (UINT64_MAX - d) / 10) return false;
      x = x * 10 + d;
      ++pos;
    }
    if (pos == start || pos - start > 20) return false;
    *v = x;
    return true;
  }
  bool Dec32(uint32_t* v) {
    uint64_t x;
    if (!Dec(&x) || x > UINT32_MAX) return false;
    *v = static_cast<uint32_t>(x);
    return true;
  }
  bool Hex16(uint64_t* v) {
    if (s.size() - pos < 16) return false;
    uint64_t x = 0;
    for (int i = 0; i < 16; ++i) {
      const char c = s[pos++];
      unsigned d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else return false;
      x = x << 4 | d;
    }
    *v = x;
    return true;
  }
  bool Word(std::string* w) {
    size_t start = pos;
    while (pos < s.size() && s[pos] != ' ') ++pos;
    if (pos == start) return false;
    *w = s.substr(start, pos - start);
    return true;
  }
  bool HexAny(uint64_t* v) {
    size_t start = pos;
    uint64_t x = 0;
    while (pos < s.size()) {
      const char c = s[pos];
      unsigned d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else break;
      if (pos - start >= 16) return false;
      x = x << 4 | d;
      ++pos;
    }
    if (pos == start) return false;
    *v = x;
    return true;
  }
  bool End() const { return pos == s.size(); }
};

}  // namespace

bool ParseRecording(const std::string& text, Recording* out, std::string* error) {
  *out = Recording();
  size_t lineno = 0, at = 0;
  enum { kHeader, kEnv, kBody, kDone } state = kHeader;
  std::set<std::pair<uint32_t, uint32_t>> seen;
  auto fail = [&](const char* what) {
    *error = "line " + std::to_string(lineno) + ": " + what;
    return false;
  };
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) {
      ++lineno;
      return fail("no newline at the end (truncated)");
    }
    const std::string line = text.substr(at, nl - at);
    at = nl + 1;
    ++lineno;
    if (line.find('\0') != std::string::npos) return fail("NUL byte");
    if (state == kDone) return fail("text after 'end'");
    if (state == kHeader) {
      if (line != "rtld-bindings 2") return fail("not 'rtld-bindings 2'");
      state = kEnv;
      continue;
    }
    if (state == kEnv) {
      Fields f{line, 0};
      if (line.compare(0, 4, "env ") != 0) return fail("expected 'env <hash>'");
      f.pos = 4;
      if (!f.Hex16(&out->env_hash) || !f.End()) return fail("bad env hash");
      state = kBody;
      continue;
    }
    if (line == "end") {
      state = kDone;
      continue;
    }
    if (line.compare(0, 7, "object ") == 0) {
      if (!out->binds.empty()) return fail("object after bind");
      Fields f{line, 7};
      uint64_t index;
      RecObject o;
      std::string soname;
      if (!f.Dec(&index) || !f.Space() || !f.Dec(&o.key.dev) || !f.Space() || !f.Dec(&o.key.ino) ||
          !f.Space() || !f.Dec(&o.key.size) || !f.Space() || !f.Dec(&o.key.mtime_ns) || !f.Space() ||
          !f.Dec(&o.key.ctime_ns) || !f.Space() || !f.Hex16(&o.key.build_id) || !f.Space() ||
          !f.Dec32(&o.nsyms) || !f.Space() ||
          !f.Word(&soname) || !f.Space())
        return fail("malformed object line");
      if (index != out->objects.size()) return fail("object indices not consecutive from 0");
      if (out->objects.size() >= 65536) return fail("too many objects");
      o.path = line.substr(f.pos);
      if (o.path.empty()) return fail("empty path");
      o.has_soname = soname != "-";
      if (o.has_soname) o.soname = soname;
      out->objects.push_back(std::move(o));
      continue;
    }
    auto object_at = [&](Fields& f, RecObject** o) {
      uint32_t index;
      if (!f.Dec32(&index) || index >= out->objects.size()) return false;
      *o = &out->objects[index];
      return true;
    };
    if (line.compare(0, 7, "layout ") == 0) {
      Fields f{line, 7};
      RecObject* o;
      // Once per object, and never the program (0): the loader places only
      // the objects it maps itself.
      if (!object_at(f, &o) || o == &out->objects[0] || o->bias != 0 || !f.Space() || !f.HexAny(&o->bias) ||
          !f.End() || o->bias == 0 || o->bias % sc::kImagePage != 0)
        return fail("malformed layout line");
      out->has_layout = true;
      continue;
    }
    if (line.compare(0, 7, "imaged ") == 0) {
      Fields f{line, 7};
      RecObject* o;
      if (!object_at(f, &o) || !f.End() || o->bias == 0 || o->imaged) return fail("malformed imaged line");
      o->imaged = true;
      out->has_images = out->no_images.empty();
      continue;
    }
    if (line.compare(0, 6, "image ") == 0) {
      Fields f{line, 6};
      RecObject* o;
      RecRun run;
      if (!object_at(f, &o) || !f.Space() || !f.HexAny(&run.vaddr) || !f.Space() || !f.Dec32(&run.npages) ||
          !f.Space() || !f.Dec(&run.first_page) || !f.End() || !o->imaged || run.npages == 0 ||
          run.vaddr % sc::kImagePage != 0 || run.first_page != out->npages)
        return fail("malformed image line");
      out->npages += run.npages;
      o->runs.push_back(std::move(run));
      continue;
    }
    if (line.compare(0, 6, "patch ") == 0 || line.compare(0, 5, "lazy ") == 0) {
      const bool lazy = line[0] == 'l';
      Fields f{line, lazy ? 5u : 6u};
      RecObject* o;
      sc::Patch p;
      uint64_t addend;
      if (!object_at(f, &o) || !f.Space() || !f.HexAny(&p.offset) || !f.Space() || !f.HexAny(&p.info) ||
          !f.Space() || !f.HexAny(&addend) || !f.End() || !o->imaged)
        return fail("malformed patch line");
      p.addend = static_cast<int64_t>(addend);
      if (!o->patches.empty() && o->patches.back().offset > p.offset) return fail("patches not sorted");
      o->lazy_plt |= lazy;
      o->patches.push_back(p);
      o->patch_lazy.push_back(lazy);
      continue;
    }
    if (line.compare(0, 9, "noimages ") == 0) {
      out->no_images = line.substr(9);
      out->has_images = false;
      continue;
    }
    if (line.compare(0, 5, "bind ") == 0) {
      Fields f{line, 5};
      RecBind b;
      if (!f.Dec32(&b.object) || !f.Space() || !f.Dec32(&b.symndx) || !f.Space())
        return fail("malformed bind line");
      if (f.pos < line.size() && line[f.pos] == '-') {
        if (line.compare(f.pos, 3, "-1 ") != 0) return fail("malformed bind line");
        f.pos += 2;
        b.def_index = sc::kUnresolvedWeak;
      } else if (!f.Dec32(&b.def_index)) {
        return fail("malformed bind line");
      }
      if (!f.Space() || !f.Dec32(&b.def_symndx) || !f.End()) return fail("malformed bind line");
      const size_t n = out->objects.size();
      if (b.object >= n) return fail("bind: object index out of range");
      if (b.symndx == 0 || b.symndx >= out->objects[b.object].nsyms)
        return fail("bind: symbol index out of range");
      if (b.def_index == sc::kUnresolvedWeak) {
        b.def_symndx = 0;
      } else {
        if (b.def_index >= n) return fail("bind: defining object out of range");
        if (b.def_symndx >= out->objects[b.def_index].nsyms)
          return fail("bind: defining symbol index out of range");
      }
      if (!seen.insert({b.object, b.symndx}).second) return fail("bind: (object, symndx) twice");
      out->binds.push_back(b);
      continue;
    }
    return fail("unknown record");
  }
  if (state != kDone) {
    *error = "no 'end' line (truncated)";
    return false;
  }
  if (out->objects.empty()) {
    *error = "no objects";
    return false;
  }
  return true;
}

std::string FormatRecording(const Recording& r) {
  std::string s = "rtld-bindings 2\n";
  char buf[256];
  snprintf(buf, sizeof buf, "env %016" PRIx64 "\n", r.env_hash);
  s += buf;
  for (size_t i = 0; i < r.objects.size(); ++i) {
    const RecObject& o = r.objects[i];
    snprintf(buf, sizeof buf, "object %zu %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %016" PRIx64 " %u ",
             i, o.key.dev, o.key.ino, o.key.size, o.key.mtime_ns, o.key.ctime_ns, o.key.build_id, o.nsyms);
    s += buf;
    s += o.has_soname ? o.soname : "-";
    s += ' ';
    s += o.path;
    s += '\n';
  }
  uint64_t page = 0;
  for (size_t i = 0; i < r.objects.size(); ++i) {
    const RecObject& o = r.objects[i];
    if (o.bias == 0) continue;
    snprintf(buf, sizeof buf, "layout %zu %" PRIx64 "\n", i, o.bias);
    s += buf;
    if (!o.imaged) continue;
    snprintf(buf, sizeof buf, "imaged %zu\n", i);
    s += buf;
    for (const RecRun& run : o.runs) {
      snprintf(buf, sizeof buf, "image %zu %" PRIx64 " %u %" PRIu64 "\n", i, run.vaddr, run.npages, page);
      page += run.npages;
      s += buf;
    }
    for (size_t k = 0; k < o.patches.size(); ++k) {
      const auto& p = o.patches[k];
      const bool lazy = k < o.patch_lazy.size() && o.patch_lazy[k];
      snprintf(buf, sizeof buf, "%s %zu %" PRIx64 " %" PRIx64 " %" PRIx64 "\n", lazy ? "lazy" : "patch", i, p.offset,
               p.info, static_cast<uint64_t>(p.addend));
      s += buf;
    }
  }
  if (!r.no_images.empty()) s += "noimages " + r.no_images + "\n";
  for (const RecBind& b : r.binds) {
    if (b.def_index == sc::kUnresolvedWeak)
      snprintf(buf, sizeof buf, "bind %u %u -1 0\n", b.object, b.symndx);
    else
      snprintf(buf, sizeof buf, "bind %u %u %u %u\n", b.object, b.symndx, b.def_index, b.def_symndx);
    s += buf;
  }
  s += "end\n";
  return s;
}

}  // namespace symcache
