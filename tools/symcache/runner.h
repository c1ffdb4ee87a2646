// Running the loader in its recording mode:
//   LOADER --record-bindings OUTFILE PROGRAM
// with a given environment, bounded in time, and parsing what it wrote.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "tools/symcache/recording.h"

namespace symcache {

// How a recording process runs. The recording loader reads files named by
// whoever asked for the recording (a program, LD_PRELOAD, LD_LIBRARY_PATH):
// the daemon runs it with that user's credentials (or an unprivileged
// service user), never as root, within resource limits, and trusts nothing
// it writes before checking it (verify.h).
struct Sandbox {
  bool switch_user = false;  // become uid/gid/groups (the caller is root)
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  // Limits (0: left as they are): address space, CPU seconds, the size any
  // file written may reach (the outputs), open descriptors.
  uint64_t max_address_space = 0, max_cpu_s = 0, max_file_size = 0, max_files = 0;
  // No child processes (RLIMIT_NPROC 0: nothing outlives the kill at the
  // deadline), no core dumps, no privilege gained by exec (no_new_privs).
  bool confine = false;
};

struct RecordResult {
  bool ok = false;
  std::string error;      // why not (exit status, the loader's message, parse error)
  bool timed_out = false; // killed at the deadline
  // The recording process misbehaved: killed by a signal (a crash, a
  // limit), timed out, or wrote something that is not a recording. The
  // daemon does not try such a program again soon.
  bool crashed = false;
  Recording recording;
};

// env: the complete environment ("NAME=VALUE") for the loader. The
// variable RTLD_SYMCACHE is removed from it: a recording must see every
// lookup, not a closure's answers.
// layout_base: 0 for bindings only, else where the libraries are placed
// (--record-layout) for a recording with images.
// The loader writes into two unnamed files this process creates and passes
// as descriptors 3 and 4 (--record-fd 3): it needs no access to any
// directory of ours, and nothing it does outlives its exit.
RecordResult RecordBindings(const std::string& loader, const std::string& program,
                            const std::vector<std::string>& env, int timeout_s, uint64_t layout_base = 0,
                            const Sandbox& sandbox = Sandbox());

// Layouts are drawn in [kLayoutStart, kLayoutEnd): below the lowest base the
// kernel gives the top-down mmap area (47-bit task size, 28 bits of mmap
// randomisation, 8 MiB stack limit: above 0x7efb00000000) and far above a
// PIE program and its heap (0x555555554000 + 2^28 pages at most). A layout
// takes at most kLayoutSpan; bases are kLayoutAlign-aligned.
inline constexpr uint64_t kLayoutStart = 0x7c0000000000ull;
inline constexpr uint64_t kLayoutEnd = 0x7e0000000000ull;
inline constexpr uint64_t kLayoutSpan = 64ull << 30;
inline constexpr uint64_t kLayoutAlign = 2ull << 20;
// A random layout base (getrandom).
uint64_t DrawLayoutBase();

// The keying variables of env (kEnvVars), "NAME=VALUE\n" each, in list order.
std::string EnvText(const std::vector<std::string>& env);
// The assignments of an EnvText.
std::vector<std::string> EnvAssignments(const std::string& env_text);

// Opens path for reading (O_NONBLOCK: a FIFO does not block) with the
// sandbox's credentials when it switches user: this process's file-system
// uid, gid and groups are the user's for the open only. -1 with *error set.
int OpenAs(const Sandbox& sandbox, const std::string& path, std::string* error);

// How RecordClosure runs the loader and what it believes of its output.
struct RecordPolicy {
  Sandbox sandbox;
  // Check the recording against the files (validate.h), opened with the
  // sandbox's credentials: the recording process is not trusted.
  bool validate = false;
  // With validate: a binding or image the check drops fails the recording
  // (`rtld-symcache build --check`: the tests hold the check to every
  // recording the loader makes).
  bool strict = false;
};

struct ClosureData;
struct Limits;
// Records program in env (with images: at a layout drawn now) and converts
// the recording. A recording whose images failed still gives the closure
// (bindings only; *note says why). *untrusted (if given) is set when the
// recording process crashed, hung or wrote what does not check out.
bool RecordClosure(const std::string& loader, const std::string& program, const std::vector<std::string>& env,
                   int timeout_s, bool images, uint64_t now_s, ClosureData* out, std::string* error,
                   std::string* note, const RecordPolicy& policy = RecordPolicy(), bool* untrusted = nullptr);

// The current environment as a vector.
std::vector<std::string> CurrentEnvironment();

// The environment for a recording requested by a miss datagram: base with
// every kEnvVars variable removed, then the given assignments added.
std::vector<std::string> EnvironmentFor(const std::vector<std::string>& base,
                                        const std::vector<std::string>& assignments);

// The env hash of an environment (mode: its kMode* bits).
uint64_t EnvHashOf(const std::vector<std::string>& env, uint8_t mode);

// Re-records every closure of the cache that names its program, each in its
// own recorded environment and at a newly drawn layout, and publishes a new
// generation. log gets one line per closure (and per failure).
struct RelayoutResult {
  bool ok = false;
  std::string error;
  uint64_t generation = 0;
  size_t closures = 0, with_images = 0, failures = 0;
};
RelayoutResult RelayoutCache(const std::string& cache, const std::string& loader, int timeout_s, bool images,
                             const Limits& limits, bool symbol_index,
                             const std::function<void(const std::string&)>& log,
                             const RecordPolicy& policy = RecordPolicy());

}  // namespace symcache
