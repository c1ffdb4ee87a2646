// Running the loader in its recording mode:
//   LOADER --record-bindings OUTFILE PROGRAM
// with a given environment, bounded in time, and parsing what it wrote.
#pragma once

#include <string>
#include <vector>

#include "tools/symcache/recording.h"

namespace symcache {

struct RecordResult {
  bool ok = false;
  std::string error;      // why not (exit status, the loader's message, parse error)
  Recording recording;
};

// env: the complete environment ("NAME=VALUE") for the loader. The
// variable RTLD_SYMCACHE is removed from it: a recording must see every
// lookup, not a closure's answers.
RecordResult RecordBindings(const std::string& loader, const std::string& program,
                            const std::vector<std::string>& env, int timeout_s);

// The current environment as a vector.
std::vector<std::string> CurrentEnvironment();

// The environment for a recording requested by a miss datagram: base with
// every kEnvVars variable removed, then the given assignments added.
std::vector<std::string> EnvironmentFor(const std::vector<std::string>& base,
                                        const std::vector<std::string>& assignments);

// The env hash of an environment (mode: its kMode* bits).
uint64_t EnvHashOf(const std::vector<std::string>& env, uint8_t mode);

}  // namespace symcache
