#include "tools/symcache/runner.h"

#include "tools/symcache/writer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/random.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rtld/elf/symcache.h"

extern char** environ;

namespace symcache {

namespace sc = rtld::elf::symcache;

namespace {

uint64_t MonoMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

bool StartsWithVar(const std::string& s, const char* name) {
  const size_t n = strlen(name);
  return s.size() > n && s.compare(0, n, name) == 0 && s[n] == '=';
}

}  // namespace

std::vector<std::string> CurrentEnvironment() {
  std::vector<std::string> v;
  for (char** e = environ; e && *e; ++e) v.emplace_back(*e);
  return v;
}

std::vector<std::string> EnvironmentFor(const std::vector<std::string>& base,
                                        const std::vector<std::string>& assignments) {
  std::vector<std::string> v;
  for (const std::string& s : base)
    if (sc::EnvVarIndex(s.c_str()) < 0) v.push_back(s);
  for (const std::string& a : assignments) v.push_back(a);
  return v;
}

uint64_t EnvHashOf(const std::vector<std::string>& env, uint8_t mode) {
  const char* values[sc::kNumEnvVars] = {};
  for (const std::string& s : env) {
    const int i = sc::EnvVarIndex(s.c_str());
    if (i >= 0 && values[i] == nullptr) values[i] = s.c_str() + strlen(sc::kEnvVars[i]) + 1;
  }
  return sc::EnvHash(values, mode);
}

uint64_t DrawLayoutBase() {
  uint64_t r = 0;
  if (getrandom(&r, sizeof r, 0) != sizeof r) r = static_cast<uint64_t>(MonoMs()) * 0x9e3779b97f4a7c15ull;
  const uint64_t slots = (kLayoutEnd - kLayoutStart - kLayoutSpan) / kLayoutAlign;
  return kLayoutStart + (r % slots) * kLayoutAlign;
}

RecordResult RecordBindings(const std::string& loader, const std::string& program,
                            const std::vector<std::string>& env, int timeout_s, uint64_t layout_base) {
  RecordResult res;
  const char* tmpdir = getenv("TMPDIR");
  std::string dir = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/rtld-symcache.XXXXXX";
  if (!mkdtemp(dir.data())) {
    res.error = "cannot create a temporary directory: " + std::string(strerror(errno));
    return res;
  }
  const std::string out = dir + "/bindings";
  std::vector<std::string> envs;
  for (const std::string& s : env)
    if (!StartsWithVar(s, sc::kCacheEnvVar)) envs.push_back(s);
  std::vector<char*> envp;
  for (std::string& s : envs) envp.push_back(s.data());
  envp.push_back(nullptr);
  char base_hex[32];
  snprintf(base_hex, sizeof base_hex, "%" PRIx64, layout_base);
  std::vector<std::string> args = {loader, "--record-bindings", out};
  if (layout_base != 0) {
    args.push_back("--record-layout");
    args.push_back(base_hex);
  }
  args.push_back(program);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    res.error = "pipe: " + std::string(strerror(errno));
    rmdir(dir.c_str());
    return res;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    res.error = "fork: " + std::string(strerror(errno));
    close(pipefd[0]);
    close(pipefd[1]);
    rmdir(dir.c_str());
    return res;
  }
  if (pid == 0) {
    const int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
    }
    dup2(pipefd[1], 2);
    // Default signal dispositions and mask for the loader.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[0], argv.data(), envp.data());
    const char msg[] = "cannot execute the loader\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(127);
  }
  close(pipefd[1]);
  // Collect stderr (bounded) until EOF or the deadline.
  std::string err;
  const uint64_t deadline = MonoMs() + static_cast<uint64_t>(timeout_s) * 1000;
  bool timed_out = false;
  for (;;) {
    const uint64_t now = MonoMs();
    if (now >= deadline) {
      timed_out = true;
      break;
    }
    struct pollfd p = {pipefd[0], POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(deadline - now));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[1024];
    const ssize_t n = read(pipefd[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (err.size() < 4096) err.append(buf, static_cast<size_t>(n));
  }
  close(pipefd[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
  if (err.size() > 400) err = err.substr(0, 400) + "...";
  std::string text;
  bool have_text = false;
  if (!timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    const int fd = open(out.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      char buf[65536];
      ssize_t n;
      have_text = true;
      while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 || text.size() > (512u << 20)) {
          have_text = false;
          break;
        }
        text.append(buf, static_cast<size_t>(n));
      }
      close(fd);
    }
  }
  std::string pages;
  const std::string pages_path = out + ".pages";
  if (have_text && layout_base != 0) {
    std::vector<uint64_t> w;
    size_t n = 0;
    if (ReadFileAligned(pages_path, &w, &n)) pages.assign(reinterpret_cast<const char*>(w.data()), n);
  }
  unlink(out.c_str());
  unlink(pages_path.c_str());
  rmdir(dir.c_str());
  if (timed_out) {
    res.timed_out = true;
    res.error = "the loader did not finish within " + std::to_string(timeout_s) + " s";
  } else if (WIFSIGNALED(status)) {
    res.error = "the loader was killed by signal " + std::to_string(WTERMSIG(status));
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    res.error = "the loader exited with status " + std::to_string(WEXITSTATUS(status));
  } else if (!have_text) {
    res.error = "the loader wrote no recording";
  }
  if (!res.error.empty()) {
    if (!err.empty()) res.error += ": " + err;
    return res;
  }
  std::string perr;
  if (!ParseRecording(text, &res.recording, &perr)) {
    res.error = "malformed recording: " + perr;
    return res;
  }
  // The image pages, in the order of the image lines.
  Recording& rec = res.recording;
  if (rec.npages * sc::kImagePage != pages.size()) {
    rec.has_images = false;
    if (rec.no_images.empty() && rec.npages != 0) rec.no_images = "the image pages are missing or short";
  }
  for (RecObject& o : rec.objects) {
    for (RecRun& run : o.runs) {
      if (rec.has_images) run.bytes = pages.substr(run.first_page * sc::kImagePage, run.npages * sc::kImagePage);
    }
    if (!rec.has_images) {
      o.runs.clear();
      o.patches.clear();
      o.patch_lazy.clear();
      o.imaged = o.lazy_plt = false;
    }
  }
  res.ok = true;
  return res;
}

std::string EnvText(const std::vector<std::string>& env) {
  std::string values[sc::kNumEnvVars];
  bool present[sc::kNumEnvVars] = {};
  for (const std::string& s : env) {
    const int i = sc::EnvVarIndex(s.c_str());
    if (i >= 0 && !present[i]) {
      present[i] = true;
      values[i] = s;
    }
  }
  std::string t;
  for (int i = 0; i < sc::kNumEnvVars; ++i)
    if (present[i] && values[i].find('\n') == std::string::npos) t += values[i] + "\n";
  return t;
}

std::vector<std::string> EnvAssignments(const std::string& env_text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < env_text.size()) {
    size_t nl = env_text.find('\n', at);
    if (nl == std::string::npos) nl = env_text.size();
    if (nl > at) out.push_back(env_text.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

bool RecordClosure(const std::string& loader, const std::string& program, const std::vector<std::string>& env,
                   int timeout_s, bool images, uint64_t now_s, ClosureData* out, std::string* error,
                   std::string* note) {
  uint64_t base = images ? DrawLayoutBase() : 0;
  RecordResult rr = RecordBindings(loader, program, env, timeout_s, base);
  if (!rr.ok && images && !rr.timed_out) {
    // A layout the recording process could not use: bindings alone. (Not
    // after a timeout: the program would only hang as long again.)
    *note = "images not recorded: " + rr.error;
    base = 0;
    rr = RecordBindings(loader, program, env, timeout_s, 0);
  }
  if (!rr.ok) {
    *error = rr.error;
    return false;
  }
  if (images && !rr.recording.has_images && note->empty())  // (not over the retry's reason)
    *note = "images not recorded: " + (rr.recording.no_images.empty() ? std::string("none") : rr.recording.no_images);
  *out = FromRecording(rr.recording, program, now_s, EnvText(env), base);
  return true;
}

RelayoutResult RelayoutCache(const std::string& cache, const std::string& loader, int timeout_s, bool images,
                             const Limits& limits, bool symbol_index,
                             const std::function<void(const std::string&)>& log) {
  RelayoutResult res;
  CacheModel model;
  {
    CacheLock lock(cache);
    std::vector<uint64_t> w;
    size_t n = 0;
    if (!ReadFileAligned(cache, &w, &n) || !model.Load(w.data(), n)) {
      res.error = "cannot read a valid cache at " + cache;
      return res;
    }
  }
  // Recorded outside the lock; the update merges them (same key: replaced).
  std::vector<ClosureData> add;
  std::vector<ClosureId> replaced;
  const std::vector<std::string> base_env = CurrentEnvironment();
  const uint64_t now_s = NowNs() / 1000000000ull;
  for (const ClosureData& cd : model.closures) {
    if (cd.program.empty()) continue;
    ClosureData fresh;
    std::string err, note;
    const std::vector<std::string> env = EnvironmentFor(base_env, EnvAssignments(cd.env_text));
    if (!RecordClosure(loader, cd.program, env, timeout_s, images, now_s, &fresh, &err, &note)) {
      log("relayout " + cd.program + " failed: " + err);
      ++res.failures;
      continue;
    }
    if (!(fresh.Keys() == cd.Keys()) || fresh.env_hash != cd.env_hash)
      log("note: " + cd.program + ": its objects changed since it was recorded; recorded anew");
    fresh.last_used_s = cd.last_used_s;
    replaced.push_back(ClosureId{cd.env_hash, cd.Keys()});
    char base[32];
    snprintf(base, sizeof base, "0x%" PRIx64, fresh.layout_base);
    log("relayout " + cd.program + ": base " + base + (fresh.has_images ? "" : " (no images)"));
    add.push_back(std::move(fresh));
  }
  UpdateResult u = UpdateCache(cache, std::move(add), limits, symbol_index, replaced);
  if (!u.ok) {
    res.error = u.error;
    return res;
  }
  res.ok = true;
  res.generation = u.generation;
  res.closures = u.stats.closures;
  res.with_images = u.stats.images;
  return res;
}

}  // namespace symcache
