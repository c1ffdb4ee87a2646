// Start-up statistics (LD_DEBUG=statistics): phase times from the time
// stamp counter, objects, relocations and lookups. Taking the stamps costs
// a few rdtsc instructions; nothing is printed or converted unless asked.
#pragma once

#include <stdint.h>

namespace rtld {

enum class Phase : unsigned { kBootstrap, kLoad, kTls, kRelocate, kInit, kCount };

struct Stats {
  uint64_t start_tsc = 0;  // first instruction of RtldStart
  uint64_t mark_tsc = 0;   // end of the previous phase
  uint64_t phase_tsc[static_cast<unsigned>(Phase::kCount)] = {};
  uint64_t start_ns = 0;   // CLOCK_MONOTONIC at RtldMain (only when requested)
  uint64_t binding_tsc = 0;  // inside symbol resolution (lookups or closure reads), start-up only
  bool enabled = false;
  bool json = false;  // RTLD_STATS=json: one JSON line instead of text
};
extern Stats g_stats;

// Closes the current phase at the current time stamp.
void EndPhase(Phase p);

// Takes the wall-clock reference when statistics were asked for.
void StartStatistics();

// Prints the report to stderr when LD_DEBUG=statistics was given.
void ReportStatistics();

}  // namespace rtld
