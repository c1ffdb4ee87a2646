#include "tools/symcache/runner.h"

#include "tools/symcache/validate.h"
#include "tools/symcache/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

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

namespace {

// An unnamed file in TMPDIR (else /tmp) for the recording process to write
// through an inherited descriptor; -1 with *error set.
int UnnamedFile(std::string* error) {
  const char* tmpdir = getenv("TMPDIR");
  const std::string dir = tmpdir && *tmpdir ? tmpdir : "/tmp";
  int fd = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  // A file system without O_TMPFILE: a named file, unlinked at once.
  std::string path = dir + "/rtld-symcache.XXXXXX";
  fd = mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot create a temporary file in " + dir + ": " + strerror(errno);
    return -1;
  }
  unlink(path.c_str());
  return fd;
}

// Reads all of fd (from offset 0) if it is at most max bytes.
bool ReadAll(int fd, uint64_t max, std::string* out) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > max) return false;
  out->assign(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out->size()) {
    const ssize_t r = pread(fd, out->data() + done, out->size() - done, static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    done += static_cast<size_t>(r);
  }
  out->resize(done);
  return true;
}

// In the child between fork and exec: only system calls, no allocation.
[[noreturn]] void ChildFail(const char* what) {
  char msg[256];
  const int n = snprintf(msg, sizeof msg, "cannot start the recording: %s: %s\n", what, strerror(errno));
  if (n > 0) {
    ssize_t ignored = write(2, msg, static_cast<size_t>(n) < sizeof msg ? static_cast<size_t>(n) : sizeof msg - 1);
    (void)ignored;
  }
  _exit(126);
}

void Limit(int resource, uint64_t soft, uint64_t hard, const char* what) {
  const rlimit r{static_cast<rlim_t>(soft), static_cast<rlim_t>(hard)};
  if (setrlimit(resource, &r) != 0) ChildFail(what);
}

[[noreturn]] void RunChild(const Sandbox& sb, pid_t parent, int devnull, int err_w, int text_fd, int pages_fd,
                           char** argv, char** envp) {
  // Descriptors 0-4 as the loader expects them; nothing else of ours.
  const int from[5] = {devnull, devnull, err_w, text_fd, pages_fd};
  int high[5];
  for (int i = 0; i < 5; ++i)
    if ((high[i] = fcntl(from[i], F_DUPFD_CLOEXEC, 10)) < 0) ChildFail("dup");
  for (int i = 0; i < 5; ++i)
    if (dup2(high[i], i) != i) ChildFail("dup2");
  if (close_range(5, ~0u, 0) != 0)
    for (int f = 5; f < 1024; ++f) close(f);
  // A session of its own: the deadline kills the whole process group, and
  // no terminal signals reach it.
  if (setsid() < 0) ChildFail("setsid");
  if (sb.switch_user) {
    if (setgroups(sb.groups.size(), sb.groups.data()) != 0) ChildFail("setgroups");
    if (setresgid(sb.gid, sb.gid, sb.gid) != 0) ChildFail("setresgid");
    if (setresuid(sb.uid, sb.uid, sb.uid) != 0) ChildFail("setresuid");
    uid_t r, e, s;
    if (getresuid(&r, &e, &s) != 0 || r != sb.uid || e != sb.uid || s != sb.uid) ChildFail("setresuid");
  }
  // (After the credentials change, which clears it.) The daemon's death
  // ends the recording.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) ChildFail("PR_SET_PDEATHSIG");
  if (getppid() != parent) _exit(126);
  if (sb.max_address_space) Limit(RLIMIT_AS, sb.max_address_space, sb.max_address_space, "RLIMIT_AS");
  // SIGXCPU at the soft limit, SIGKILL a second later.
  if (sb.max_cpu_s) Limit(RLIMIT_CPU, sb.max_cpu_s, sb.max_cpu_s + 1, "RLIMIT_CPU");
  if (sb.max_file_size) Limit(RLIMIT_FSIZE, sb.max_file_size, sb.max_file_size, "RLIMIT_FSIZE");
  if (sb.max_files) Limit(RLIMIT_NOFILE, sb.max_files, sb.max_files, "RLIMIT_NOFILE");
  if (sb.confine) {
    Limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
    // (Set after the uid change: set_user() would flag the process as over
    // the limit and make execve fail.)
    Limit(RLIMIT_NPROC, 0, 0, "RLIMIT_NPROC");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ChildFail("PR_SET_NO_NEW_PRIVS");
  }
  // Default signal dispositions and mask for the loader (the daemon
  // ignores SIGPIPE and blocks the signals its signalfd reads).
  for (int sig : {SIGPIPE, SIGXFSZ, SIGXCPU}) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execve(argv[0], argv, envp);
  ChildFail("cannot execute the loader");
}

const char* SignalName(int sig) {
  switch (sig) {
    case SIGSEGV: return " (SIGSEGV)";
    case SIGBUS: return " (SIGBUS)";
    case SIGILL: return " (SIGILL)";
    case SIGFPE: return " (SIGFPE)";
    case SIGABRT: return " (SIGABRT)";
    case SIGKILL: return " (SIGKILL)";
    case SIGXCPU: return " (SIGXCPU: CPU time limit)";
    case SIGXFSZ: return " (SIGXFSZ: file size limit)";
    case SIGSYS: return " (SIGSYS)";
    default: return "";
  }
}

}  // namespace

RecordResult RecordBindings(const std::string& loader, const std::string& program,
                            const std::vector<std::string>& env, int timeout_s, uint64_t layout_base,
                            const Sandbox& sandbox) {
  RecordResult res;
  std::vector<std::string> envs;
  for (const std::string& s : env)
    if (!StartsWithVar(s, sc::kCacheEnvVar)) envs.push_back(s);
  std::vector<char*> envp;
  for (std::string& s : envs) envp.push_back(s.data());
  envp.push_back(nullptr);
  char base_hex[32];
  snprintf(base_hex, sizeof base_hex, "%" PRIx64, layout_base);
  std::vector<std::string> args = {loader, "--record-fd", "3"};
  if (layout_base != 0) {
    args.push_back("--record-layout");
    args.push_back(base_hex);
  }
  args.push_back(program);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // Everything the child needs exists before the fork.
  const int text_fd = UnnamedFile(&res.error);
  const int pages_fd = text_fd < 0 ? -1 : UnnamedFile(&res.error);
  const int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  int pipefd[2] = {-1, -1};
  auto close_all = [&] {
    for (int f : {text_fd, pages_fd, devnull, pipefd[0], pipefd[1]})
      if (f >= 0) close(f);
  };
  if (text_fd < 0 || pages_fd < 0) {
    close_all();
    return res;
  }
  if (devnull < 0 || pipe2(pipefd, O_CLOEXEC) != 0) {
    res.error = "cannot set up the recording: " + std::string(strerror(errno));
    close_all();
    return res;
  }
  if (sandbox.switch_user) {
    // Only the recording process may write to the outputs, and only
    // through the descriptors: they have no name.
    if (fchown(text_fd, sandbox.uid, static_cast<gid_t>(-1)) != 0 ||
        fchown(pages_fd, sandbox.uid, static_cast<gid_t>(-1)) != 0) {
      res.error = "cannot set up the recording: " + std::string(strerror(errno));
      close_all();
      return res;
    }
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    res.error = "fork: " + std::string(strerror(errno));
    close_all();
    return res;
  }
  if (pid == 0) RunChild(sandbox, parent, devnull, pipefd[1], text_fd, pages_fd, argv.data(), envp.data());
  close(pipefd[1]);
  pipefd[1] = -1;
  // Until the child has exited (its pidfd is readable) and its stderr is at
  // EOF, or the deadline. stderr is collected (bounded) for the log.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  std::string err;
  const uint64_t deadline = MonoMs() + static_cast<uint64_t>(timeout_s) * 1000;
  bool exited = false, eof = false, timed_out = false;
  int status = 0;
  while (!(exited && eof)) {
    const uint64_t now = MonoMs();
    if (now >= deadline) {
      timed_out = true;
      break;
    }
    if (!exited && pidfd < 0) {
      // (A kernel without pidfd_open: the pipe's EOF, then polling.)
      const pid_t w = waitpid(pid, &status, WNOHANG);
      if (w == pid) exited = true;
    }
    pollfd p[2] = {{eof ? -1 : pipefd[0], POLLIN, 0}, {exited ? -1 : pidfd, POLLIN, 0}};
    int wait_ms = static_cast<int>(std::min<uint64_t>(deadline - now, 1000));
    if (pidfd < 0 && eof) wait_ms = std::min(wait_ms, 10);
    const int r = poll(p, 2, wait_ms);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      exited = true;
      // What is already in the pipe; a descendant holding it open does
      // not keep us waiting (there is none under Sandbox::confine).
      const int fl = fcntl(pipefd[0], F_GETFL);
      if (fl >= 0) fcntl(pipefd[0], F_SETFL, fl | O_NONBLOCK);
      char buf[1024];
      ssize_t n;
      while ((n = read(pipefd[0], buf, sizeof buf)) > 0)
        if (err.size() < 4096) err.append(buf, static_cast<size_t>(n));
      eof = true;
      continue;
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[1024];
      const ssize_t n = read(pipefd[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof = true;
        continue;
      }
      if (err.size() < 4096) err.append(buf, static_cast<size_t>(n));
    }
  }
  if (!exited) {
    // The deadline (or a poll error): the child and anything it started.
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (pidfd >= 0) close(pidfd);
  while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
  if (err.size() > 400) err = err.substr(0, 400) + "...";
  std::string text, pages;
  bool have_text = false, too_big = false;
  if (!timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    // (Bounded before reading: the child chose the sizes.)
    const uint64_t max_text = 512u << 20;
    const uint64_t max_pages = sandbox.max_file_size ? sandbox.max_file_size : (uint64_t{1} << 34);
    too_big = !ReadAll(text_fd, max_text, &text) || (layout_base != 0 && !ReadAll(pages_fd, max_pages, &pages));
    have_text = !too_big && !text.empty();
  }
  close_all();
  if (timed_out) {
    res.timed_out = res.crashed = true;
    res.error = "the loader did not finish within " + std::to_string(timeout_s) + " s (killed)";
  } else if (WIFSIGNALED(status)) {
    res.crashed = true;
    res.error = "the loader was killed by signal " + std::to_string(WTERMSIG(status)) + SignalName(WTERMSIG(status));
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    res.error = "the loader exited with status " + std::to_string(WEXITSTATUS(status));
  } else if (too_big) {
    res.crashed = true;
    res.error = "the recording is too large";
  } else if (!have_text) {
    res.error = "the loader wrote no recording";
  }
  if (!res.error.empty()) {
    if (!err.empty()) res.error += ": " + err;
    return res;
  }
  std::string perr;
  if (!ParseRecording(text, &res.recording, &perr)) {
    res.crashed = true;
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

int OpenAs(const Sandbox& sb, const std::string& path, std::string* error) {
  const int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  if (!sb.switch_user) {
    const int fd = open(path.c_str(), flags);
    if (fd < 0) *error = strerror(errno);
    return fd;
  }
  // The file-system ids (setfsuid: this thread; the daemon has one) and the
  // groups; root's capabilities to override permissions go with fsuid 0.
  const uid_t my_uid = geteuid();
  const gid_t my_gid = getegid();
  const int ngroups = getgroups(0, nullptr);
  std::vector<gid_t> saved(ngroups > 0 ? static_cast<size_t>(ngroups) : 0);
  if (ngroups < 0 || getgroups(ngroups, saved.data()) != ngroups ||
      setgroups(sb.groups.size(), sb.groups.data()) != 0) {
    *error = std::string("cannot take the user's groups: ") + strerror(errno);
    return -1;
  }
  setfsgid(sb.gid);
  setfsuid(sb.uid);
  int fd = -1, err = EPERM;
  // (setfsuid returns the previous id: an invalid id changes nothing.)
  if (static_cast<uid_t>(setfsuid(static_cast<uid_t>(-1))) == sb.uid &&
      static_cast<gid_t>(setfsgid(static_cast<gid_t>(-1))) == sb.gid) {
    fd = open(path.c_str(), flags);
    err = errno;
  }
  setfsuid(my_uid);
  setfsgid(my_gid);
  if (setgroups(saved.size(), saved.data()) != 0 ||
      static_cast<uid_t>(setfsuid(static_cast<uid_t>(-1))) != my_uid ||
      static_cast<gid_t>(setfsgid(static_cast<gid_t>(-1))) != my_gid) {
    // Going on with another user's credentials is not an option.
    fprintf(stderr, "cannot restore the credentials after opening %s\n", path.c_str());
    abort();
  }
  if (fd < 0) *error = strerror(err);
  return fd;
}

bool RecordClosure(const std::string& loader, const std::string& program, const std::vector<std::string>& env,
                   int timeout_s, bool images, uint64_t now_s, ClosureData* out, std::string* error,
                   std::string* note, const RecordPolicy& policy, bool* untrusted) {
  if (untrusted != nullptr) *untrusted = false;
  uint64_t base = images ? DrawLayoutBase() : 0;
  RecordResult rr = RecordBindings(loader, program, env, timeout_s, base, policy.sandbox);
  if (!rr.ok && images && !rr.crashed) {
    // A layout the recording process could not use: bindings alone. (Not
    // after a crash or a timeout: it would only do that again.)
    *note = "images not recorded: " + rr.error;
    base = 0;
    rr = RecordBindings(loader, program, env, timeout_s, 0, policy.sandbox);
  }
  if (!rr.ok) {
    *error = rr.error;
    if (untrusted != nullptr) *untrusted = rr.crashed;
    return false;
  }
  if (policy.validate) {
    ValidationInput in;
    in.program = program;
    in.loader = loader;
    // The environment the loader saw (RecordBindings removes RTLD_SYMCACHE,
    // which is not a keying variable), not in secure mode.
    const char* bind_now = nullptr;
    for (const std::string& s : env)
      if (StartsWithVar(s, "LD_BIND_NOW") && bind_now == nullptr) bind_now = s.c_str() + strlen("LD_BIND_NOW=");
    in.env_hash = EnvHashOf(env, bind_now != nullptr && *bind_now != 0 ? sc::kModeBindNow : 0);
    in.layout_base = base;
    in.open = [&](const std::string& path, std::string* err) { return OpenAs(policy.sandbox, path, err); };
    const ValidationResult v = ValidateRecording(in, &rr.recording);
    if (!v.ok) {
      *error = "the recording does not check out: " + v.error;
      if (untrusted != nullptr) *untrusted = true;
      return false;
    }
    if (!v.unchecked.empty()) {
      if (!note->empty()) *note += "; ";
      *note += "bindings and images not kept: " + v.unchecked;
    } else if (policy.strict && (v.dropped_binds != 0 || !v.images_refused.empty())) {
      *error = "the recording does not check out in full: " +
               (v.dropped_binds != 0 ? std::to_string(v.dropped_binds) + " bindings dropped (first: " +
                                           v.dropped_example + ")"
                                     : "images refused: " + v.images_refused);
      if (untrusted != nullptr) *untrusted = true;
      return false;
    }
    if (v.dropped_binds != 0 && v.unchecked.empty()) {
      if (!note->empty()) *note += "; ";
      *note += std::to_string(v.dropped_binds) + " bindings the files do not give were dropped (first: " +
               v.dropped_example + ")";
    }
    if (!v.images_refused.empty()) {
      if (!note->empty()) *note += "; ";
      *note += "images refused: " + v.images_refused;
    }
  }
  if (images && !rr.recording.has_images && note->empty())  // (not over the retry's reason)
    *note = "images not recorded: " + (rr.recording.no_images.empty() ? std::string("none") : rr.recording.no_images);
  *out = FromRecording(rr.recording, program, now_s, EnvText(env), base);
  return true;
}

RelayoutResult RelayoutCache(const std::string& cache, const std::string& loader, int timeout_s, bool images,
                             const Limits& limits, bool symbol_index,
                             const std::function<void(const std::string&)>& log, const RecordPolicy& policy) {
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
    if (!RecordClosure(loader, cd.program, env, timeout_s, images, now_s, &fresh, &err, &note, policy)) {
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
