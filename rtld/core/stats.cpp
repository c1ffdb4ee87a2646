#include "rtld/core/stats.h"

#include "arch/x86_64/syscall.h"
#include "rtld/core/debug.h"
#include "rtld/core/diag.h"
#include "rtld/core/lookup.h"
#include "rtld/core/relocate.h"
#include "rtld/core/state.h"
#include "rtld/core/symcache.h"
#include "rtld/support/string.h"
#include "rtld/support/sys.h"

namespace rtld {

Stats g_stats;

namespace {

constexpr const char* kPhaseNames[] = {"bootstrap", "load", "tls", "relocate", "init"};

uint64_t MonotonicNs() {
  struct {
    int64_t sec, nsec;
  } ts{};
  sys::Call(sys::kClockGettime, 1 /* CLOCK_MONOTONIC */, reinterpret_cast<long>(&ts));
  return static_cast<uint64_t>(ts.sec) * 1000000000u + static_cast<uint64_t>(ts.nsec);
}

template <typename ToNs>
void PrintJson(ToNs&& to_ns, uint64_t total_tsc) {
  Print(2, [&](support::Buffer& b) {
    b.Str("{\"rtld_stats\":{\"bootstrap_ns\":").Dec(to_ns(g_stats.phase_tsc[0]))
        .Str(",\"load_ns\":").Dec(to_ns(g_stats.phase_tsc[1]))
        .Str(",\"tls_ns\":").Dec(to_ns(g_stats.phase_tsc[2]))
        .Str(",\"relocate_ns\":").Dec(to_ns(g_stats.phase_tsc[3]))
        .Str(",\"init_ns\":").Dec(to_ns(g_stats.phase_tsc[4]))
        .Str(",\"total_ns\":").Dec(to_ns(total_tsc)).Str(",\"total_ticks\":").Dec(total_tsc)
        .Str(",\"objects\":").Dec(g.nscope)
        .Str(",\"relative\":").Dec(g_reloc_stats.relative)
        .Str(",\"symbolic\":").Dec(g_reloc_stats.symbolic)
        .Str(",\"irelative\":").Dec(g_reloc_stats.irelative)
        .Str(",\"tls\":").Dec(g_reloc_stats.tls)
        .Str(",\"lazy\":").Dec(g_reloc_stats.lazy)
        .Str(",\"lookups\":").Dec(g_lookups)
        .Str(",\"cache_hits\":").Dec(g_reloc_stats.cache_hits)
        .Str(",\"binding_ns\":").Dec(to_ns(g_stats.binding_tsc))
        .Str(",\"symcache\":\"").Str(symcache::g_stats.state).Str("\",\"symcache_hits\":").Dec(symcache::g_stats.hits)
        .Str(",\"symcache_not_recorded\":").Dec(symcache::g_stats.misses)
        .Str(",\"images\":\"").Str(symcache::g_stats.images).Str("\",\"image_objects\":")
        .Dec(symcache::g_stats.image_objects).Str(",\"image_bytes\":").Dec(symcache::g_stats.image_bytes)
        .Str(",\"image_patches\":").Dec(symcache::g_stats.image_patches)
        .Str(",\"image_pages_copied\":").Dec(symcache::g_stats.image_pages_copied).Str("}}\n");
  });
}

// System calls of the start-up path, most expensive first.
template <typename ToNs, typename Line>
void PrintSyscallHistogram(ToNs&& to_ns, Line&& line) {
  const sys::SyscallStats& s = sys::g_syscall_stats;
  uint64_t total_count = 0, total_ticks = 0;
  for (unsigned nr = 0; nr < sys::SyscallStats::kMaxNr; ++nr) total_count += s.count[nr], total_ticks += s.ticks[nr];
  line([&](support::Buffer& b) {
    b.Str("  system calls: ").Dec(total_count).Str(", ").Dec(to_ns(total_ticks)).Str(" ns");
  });
  bool shown[sys::SyscallStats::kMaxNr] = {};
  for (;;) {
    unsigned best = sys::SyscallStats::kMaxNr;
    for (unsigned nr = 0; nr < sys::SyscallStats::kMaxNr; ++nr)
      if (s.count[nr] && !shown[nr] && (best == sys::SyscallStats::kMaxNr || s.ticks[nr] > s.ticks[best])) best = nr;
    if (best == sys::SyscallStats::kMaxNr) break;
    shown[best] = true;
    line([&](support::Buffer& b) {
      b.Str("    ").Str(sys::Name(best));
      for (size_t i = support::StrLen(sys::Name(best)); i < 14; ++i) b.Char(' ');
      b.Dec(s.count[best]).Str(" calls, ").Dec(to_ns(s.ticks[best])).Str(" ns");
    });
  }
}

}  // namespace

void EndPhase(Phase p) {
  const uint64_t now = arch::ReadTsc();
  g_stats.phase_tsc[static_cast<unsigned>(p)] += now - g_stats.mark_tsc;
  g_stats.mark_tsc = now;
}

void StartStatistics() {
  if (!g_stats.enabled) return;
  g_stats.start_ns = MonotonicNs();
  sys::g_syscall_stats.on = true;
}

void ReportStatistics() {
  if (!g_stats.enabled) return;
  sys::g_syscall_stats.on = false;  // frozen at the program's entry
  const uint64_t end_ns = MonotonicNs();
  const uint64_t end_tsc = arch::ReadTsc();
  uint64_t total_tsc = end_tsc - g_stats.start_tsc;
  // Ticks to ns: the interval from RtldMain to now is measured both ways.
  const uint64_t main_tsc = end_tsc - (g_stats.start_tsc + g_stats.phase_tsc[0]);
  const uint64_t main_ns = end_ns - g_stats.start_ns;
  auto to_ns = [&](uint64_t ticks) -> uint64_t {
    if (main_tsc == 0) return 0;
    return static_cast<uint64_t>(static_cast<double>(ticks) * static_cast<double>(main_ns) /
                                 static_cast<double>(main_tsc));
  };
  auto line = [&](auto&& fn) { DebugLine(fn); };
  if (g_stats.json) {
    PrintJson(to_ns, total_tsc);
    return;
  }
  line([&](support::Buffer& b) { b.Str("rtld start-up statistics:"); });
  for (unsigned i = 0; i < static_cast<unsigned>(Phase::kCount); ++i) {
    const uint64_t t = g_stats.phase_tsc[i];
    line([&](support::Buffer& b) {
      b.Str("  phase ").Str(kPhaseNames[i]).Str(": ").Dec(to_ns(t)).Str(" ns, ").Dec(t).Str(" ticks");
    });
  }
  line([&](support::Buffer& b) {
    b.Str("  total: ").Dec(to_ns(total_tsc)).Str(" ns, ").Dec(total_tsc).Str(" ticks");
  });
  line([&](support::Buffer& b) { b.Str("  objects loaded: ").Dec(g.nscope); });
  PrintSyscallHistogram(to_ns, line);
  line([&](support::Buffer& b) {
    b.Str("  relocations: relative ").Dec(g_reloc_stats.relative).Str(", symbolic ")
        .Dec(g_reloc_stats.symbolic).Str(", irelative ").Dec(g_reloc_stats.irelative).Str(", tls ")
        .Dec(g_reloc_stats.tls).Str(", lazy PLT slots left unbound ").Dec(g_reloc_stats.lazy);
  });
  line([&](support::Buffer& b) {
    b.Str("  symbol lookups: ").Dec(g_lookups).Str(", one-entry cache hits: ")
        .Dec(g_reloc_stats.cache_hits);
  });
  line([&](support::Buffer& b) {
    b.Str("  symbol binding (lookups or closure reads): ").Dec(to_ns(g_stats.binding_tsc)).Str(" ns, ")
        .Dec(g_stats.binding_tsc).Str(" ticks");
  });
  line([&](support::Buffer& b) {
    b.Str("  symbol cache: ").Str(symcache::g_stats.state).Str(", closure hits ").Dec(symcache::g_stats.hits)
        .Str(", not recorded ").Dec(symcache::g_stats.misses);
  });
  line([&](support::Buffer& b) {
    b.Str("  images: ").Str(symcache::g_stats.images).Str(", objects ").Dec(symcache::g_stats.image_objects)
        .Str(", bytes mapped ").Dec(symcache::g_stats.image_bytes).Str(", patches ")
        .Dec(symcache::g_stats.image_patches).Str(", pages copied ").Dec(symcache::g_stats.image_pages_copied);
  });
}

}  // namespace rtld
