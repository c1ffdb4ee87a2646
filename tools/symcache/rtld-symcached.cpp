// rtld-symcached: the symbol cache daemon (DESIGN §6).
//
// Listens on a Unix datagram socket for the loader's miss reports
//   "rtld-miss 1\n" PROGRAM "\n" ENVHASH "\n" ("NAME=VALUE\n")*
// (format and variables: rtld/elf/symcache.h), checks the sender's
// credentials, rate-limits per uid, records the program's binding closure
// by running the loader (`--record-bindings`) with the sender's
// resolution-relevant environment, merges it into the cache (evicting the
// least recently requested closures beyond the limits) and publishes a new
// generation atomically. One log line per action (stderr in the
// foreground, syslog otherwise). SIGTERM/SIGINT: clean exit.
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "rtld/elf/symcache.h"
#include "tools/symcache/common.h"
#include "tools/symcache/runner.h"
#include "tools/symcache/writer.h"

namespace sc = rtld::elf::symcache;
using namespace symcache;

namespace {

const char kUsage[] =
    "Usage: rtld-symcached [OPTION]...\n"
    "The rtld symbol cache daemon: records the binding closures of programs\n"
    "the loader reports as cache misses and publishes them in the cache.\n"
    "\n"
    "  --foreground         stay in the foreground, log to stderr\n"
    "  --socket PATH        the socket (default /run/rtld/symcache.sock)\n"
    "  --cache PATH         the cache (default $RTLD_SYMCACHE, else /var/cache/rtld/symcache)\n"
    "  --loader PATH        the loader that records bindings\n"
    "  --max-bytes N        bound the cache file (K/M/G; default 1G)\n"
    "  --max-closures N     bound the number of closures (default 4096)\n"
    "  --rate N             requests per minute per uid (default 30; burst = N)\n"
    "  --min-interval S     ignore a repeated (program, env) for S seconds (default 60)\n"
    "  --timeout S          wall time per recording: killed after S seconds (default 30)\n"
    "  --record-user NAME   the unprivileged user that records when the requester\n"
    "                       is root or unknown, and at relayouts (default nobody)\n"
    "  --record-memory N    address-space limit of a recording (K/M/G; default 4G)\n"
    "  --record-cpu S       CPU-time limit of a recording (default: --timeout)\n"
    "  --record-file-size N size limit of what a recording writes (default 1G)\n"
    "  --record-files N     open-descriptor limit of a recording (default 256)\n"
    "  --batch-ms MS        wait this long for more misses before publishing (default 200)\n"
    "  --no-symbol-index    do not build the name -> objects index\n"
    "  --no-images          record closures without layouts or pre-relocated images\n"
    "  --relayout-period S  draw new layouts for every closure every S seconds\n"
    "                       (default 86400; 0: only at start)\n"
    "\n"
    "At start the daemon draws new layouts for every closure in the cache (so each\n"
    "boot has its own addresses), then again every --relayout-period.\n"
    "\n"
    "A recording runs the loader as the user whose program missed (root's misses\n"
    "and relayouts: as --record-user), in a session of its own, without the\n"
    "right to fork, within the limits above; what it writes is checked against\n"
    "the files before it enters the cache. A recording that crashes, hangs or\n"
    "does not check out is logged and the program is not recorded again for\n"
    "that user and environment until it changes or the next relayout.\n";

bool g_foreground = false;

void Log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void Log(const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (g_foreground) {
    fprintf(stderr, "rtld-symcached: %s\n", buf);
    fflush(stderr);
  } else {
    syslog(LOG_INFO, "%s", buf);
  }
}

struct Options {
  std::string socket = sc::kDefaultSocketPath;
  std::string cache = DefaultCachePath();
  std::string loader = DefaultLoader();
  Limits limits;
  double rate_per_min = 30;
  int min_interval = 60;
  int timeout = 30;
  std::string record_user = "nobody";
  uint64_t record_memory = 4ull << 30;
  uint64_t record_cpu = 0;  // 0: the timeout
  uint64_t record_file_size = 1ull << 30;
  uint64_t record_files = 256;
  int batch_ms = 200;
  bool symbol_index = true;
  bool images = true;
  int relayout_period = 86400;
};

[[noreturn]] void Usage(const char* msg) {
  if (msg) fprintf(stderr, "rtld-symcached: %s\n", msg);
  fputs(kUsage, msg ? stderr : stdout);
  exit(msg ? 1 : 0);
}

uint64_t MonoMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

// A parsed miss report.
struct Miss {
  bool has_creds = false;
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
  std::string program;
  uint64_t env_hash;
  std::vector<std::string> env;  // NAME=VALUE, kEnvVars only
};

// Strict parse; nullptr on success, else what is wrong.
const char* ParseMiss(const char* data, size_t n, Miss* m) {
  if (n == 0 || n > sc::kMaxDatagram) return "bad size";
  if (memchr(data, 0, n) != nullptr) return "NUL byte";
  const std::string s(data, n);
  if (s.compare(0, strlen(sc::kMissMagic), sc::kMissMagic) != 0) return "bad magic";
  size_t pos = strlen(sc::kMissMagic);
  auto line = [&](std::string* out) {
    const size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) return false;
    *out = s.substr(pos, nl - pos);
    pos = nl + 1;
    return true;
  };
  std::string hash;
  if (!line(&m->program) || m->program.empty() || m->program[0] != '/') return "program path not absolute";
  if (!line(&hash) || hash.size() != 16) return "bad env hash";
  m->env_hash = 0;
  for (char c : hash) {
    unsigned d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return "bad env hash";
    m->env_hash = m->env_hash << 4 | d;
  }
  int last = -1;
  while (pos < s.size()) {
    std::string a;
    if (!line(&a)) return "unterminated line";
    const int i = sc::EnvVarIndex(a.c_str());
    if (i < 0) return "variable not in the list";
    if (i <= last) return "variables out of order or repeated";
    last = i;
    m->env.push_back(a);
  }
  return nullptr;
}

// Token bucket per uid.
class RateLimiter {
 public:
  explicit RateLimiter(double per_min) : per_ms_(per_min / 60000.0), burst_(per_min < 1 ? 1 : per_min) {}
  bool Allow(uid_t uid, uint64_t now_ms) {
    Bucket& b = buckets_[uid];
    if (b.last_ms == 0) b.tokens = burst_;
    else b.tokens = std::min(burst_, b.tokens + static_cast<double>(now_ms - b.last_ms) * per_ms_);
    b.last_ms = now_ms;
    if (buckets_.size() > 4096) Prune(now_ms);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

 private:
  struct Bucket {
    double tokens = 0;
    uint64_t last_ms = 0;
  };
  void Prune(uint64_t now_ms) {
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = now_ms - it->second.last_ms > 600000 ? buckets_.erase(it) : std::next(it);
  }
  double per_ms_, burst_;
  std::map<uid_t, Bucket> buckets_;
};

// The supplementary groups of uid as its user-database entry gives them
// (with gid), else gid alone.
std::vector<gid_t> GroupsOf(uid_t uid, gid_t gid) {
  struct passwd pw, *found = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) return {gid};
  int n = 32;
  std::vector<gid_t> groups(static_cast<size_t>(n));
  while (getgrouplist(pw.pw_name, gid, groups.data(), &n) < 0) {
    if (n <= static_cast<int>(groups.size()) || n > 65536) return {gid};
    groups.resize(static_cast<size_t>(n));
  }
  groups.resize(static_cast<size_t>(n));
  return groups;
}

// The file identity of an open file (a program's, for the not-cacheable
// list: a changed file is tried again).
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileId& o) const {
    return dev == o.dev && ino == o.ino && size == o.size && mtime_ns == o.mtime_ns && ctime_ns == o.ctime_ns;
  }
};

// Whether the user the recording runs as may read program (the kernel's
// check, with that user's credentials: the daemon never makes a file
// readable to someone who could not read it), and its identity.
bool MayRecord(const Sandbox& as, const std::string& program, FileId* id, std::string* why) {
  const int fd = OpenAs(as, program, why);
  if (fd < 0) return false;
  struct stat st;
  const bool ok = fstat(fd, &st) == 0;
  close(fd);
  if (!ok || !S_ISREG(st.st_mode)) {
    *why = "not a regular file";
    return false;
  }
  id->dev = st.st_dev;
  id->ino = st.st_ino;
  id->size = st.st_size;
  id->mtime_ns = st.st_mtim.tv_sec * 1000000000ll + st.st_mtim.tv_nsec;
  id->ctime_ns = st.st_ctim.tv_sec * 1000000000ll + st.st_ctim.tv_nsec;
  return true;
}

int OpenSocket(const std::string& path) {
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    Log("socket path too long: %s", path.c_str());
    return -1;
  }
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    const std::string dir = path.substr(0, slash);
    struct stat st;
    if (stat(dir.c_str(), &st) != 0 && mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      Log("cannot create %s: %s", dir.c_str(), strerror(errno));
      return -1;
    }
  }
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      Log("%s exists and is not a socket", path.c_str());
      return -1;
    }
    unlink(path.c_str());  // a previous instance's
  }
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    Log("socket: %s", strerror(errno));
    return -1;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Log("bind %s: %s", path.c_str(), strerror(errno));
    close(fd);
    return -1;
  }
  // Every user's loader sends to it.
  chmod(path.c_str(), 0666);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  return fd;
}

struct Datagram {
  std::string data;
  bool has_creds = false;
  ucred creds{};
};

// Receives one datagram; false when none is waiting.
bool Receive(int fd, Datagram* d) {
  char buf[sc::kMaxDatagram + 1];
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(ucred)) + 64];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctl;
  msg.msg_controllen = sizeof ctl;
  ssize_t n;
  do n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return false;
  d->data.assign(buf, static_cast<size_t>(n));
  if (msg.msg_flags & MSG_TRUNC) d->data.assign(sc::kMaxDatagram + 1, 'x');  // reported as too large
  d->has_creds = false;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
      memcpy(&d->creds, CMSG_DATA(c), sizeof(ucred));
      d->has_creds = true;
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      // Never keep descriptors someone passed us.
      const size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < nfd; ++i) {
        int f;
        memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof f);
        close(f);
      }
    }
  }
  return true;
}

std::string Printable(const std::string& s) {
  std::string o;
  for (char c : s.substr(0, 600)) o += (c >= 0x20 && c < 0x7f) ? c : '?';
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bool foreground = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--foreground" || a == "-f") foreground = true;
    else if (a == "--socket") o.socket = value();
    else if (a == "--cache") o.cache = value();
    else if (a == "--loader") o.loader = value();
    else if (a == "--max-bytes") {
      if (!ParseSize(value(), &o.limits.max_bytes)) Usage("bad --max-bytes");
    } else if (a == "--max-closures") {
      if (!ParseSize(value(), &o.limits.max_closures)) Usage("bad --max-closures");
    } else if (a == "--rate") o.rate_per_min = atof(value());
    else if (a == "--min-interval") o.min_interval = atoi(value());
    else if (a == "--timeout") o.timeout = atoi(value());
    else if (a == "--record-user") o.record_user = value();
    else if (a == "--record-memory") {
      if (!ParseSize(value(), &o.record_memory)) Usage("bad --record-memory");
    } else if (a == "--record-cpu") {
      if (!ParseSize(value(), &o.record_cpu)) Usage("bad --record-cpu");
    } else if (a == "--record-file-size") {
      if (!ParseSize(value(), &o.record_file_size)) Usage("bad --record-file-size");
    } else if (a == "--record-files") {
      if (!ParseSize(value(), &o.record_files) || o.record_files < 8) Usage("bad --record-files");
    }
    else if (a == "--batch-ms") o.batch_ms = atoi(value());
    else if (a == "--no-symbol-index") o.symbol_index = false;
    else if (a == "--no-images") o.images = false;
    else if (a == "--relayout-period") o.relayout_period = atoi(value());
    else if (a == "--help" || a == "-h") Usage(nullptr);
    else Usage(("unknown argument " + a).c_str());
  }
  if (o.timeout <= 0) o.timeout = 30;
  if (o.record_cpu == 0) o.record_cpu = static_cast<uint64_t>(o.timeout);
  if (o.rate_per_min <= 0) o.rate_per_min = 30;
  if (o.batch_ms < 0) o.batch_ms = 0;
  g_foreground = foreground;
  // Absolute paths: the background mode changes to /.
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd) != nullptr) {
    for (std::string* path : {&o.socket, &o.cache, &o.loader})
      if (!path->empty() && (*path)[0] != '/') *path = std::string(cwd) + "/" + *path;
  }
  if (!foreground) {
    openlog("rtld-symcached", LOG_PID, LOG_DAEMON);
    if (daemon(0, 0) != 0) {
      fprintf(stderr, "rtld-symcached: daemon: %s\n", strerror(errno));
      return 1;
    }
  }
  // Signals through a signalfd: a clean exit between actions.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  const int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  const int fd = OpenSocket(o.socket);
  if (fd < 0 || sfd < 0) return 1;
  Log("listening on %s; cache %s; loader %s; max %" PRIu64 " bytes, %" PRIu64 " closures", o.socket.c_str(),
      o.cache.c_str(), o.loader.c_str(), o.limits.max_bytes, o.limits.max_closures);

  // How recordings run: limited, confined and, as root, as another user.
  Sandbox limited;
  limited.max_address_space = o.record_memory;
  limited.max_cpu_s = o.record_cpu;
  limited.max_file_size = o.record_file_size;
  limited.max_files = o.record_files;
  limited.confine = true;
  const bool as_root = geteuid() == 0;
  Sandbox service = limited;
  if (as_root) {
    struct passwd pw, *found = nullptr;
    std::vector<char> buf(16384);
    if (getpwnam_r(o.record_user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
      Log("unknown --record-user %s", o.record_user.c_str());
      return 1;
    }
    if (pw.pw_uid == 0) Log("warning: --record-user %s is root: recordings from root run as root", o.record_user.c_str());
    service.switch_user = true;
    service.uid = pw.pw_uid;
    service.gid = pw.pw_gid;
    service.groups = GroupsOf(pw.pw_uid, pw.pw_gid);
    Log("recordings run as the requesting user; root's and relayouts as %s (uid %u)", o.record_user.c_str(),
        static_cast<unsigned>(service.uid));
  } else {
    Log("not running as root: recordings run as uid %u", static_cast<unsigned>(geteuid()));
  }
  // The user a miss is recorded as.
  auto sandbox_for = [&](const Miss& m) {
    if (!as_root || !m.has_creds || m.uid == 0) return service;
    Sandbox s = limited;
    s.switch_user = true;
    s.uid = m.uid;
    s.gid = m.gid;
    s.groups = GroupsOf(m.uid, m.gid);
    return s;
  };
  RecordPolicy relayout_policy;
  relayout_policy.sandbox = service;
  relayout_policy.validate = true;
  // (uid, program, env hash) whose recording crashed, hung or did not
  // check out, with the program's identity then: not recorded again until
  // the program changes or the next relayout. Per requester: a user who
  // stops or kills the recording process (theirs) blocks only themselves.
  struct NotCacheable {
    FileId id;
    std::string reason;
  };
  std::map<std::string, NotCacheable> not_cacheable;

  // A missing or invalid cache is replaced by an empty generation at once:
  // loaders send misses only once they have a valid file to miss in.
  {
    std::vector<uint64_t> words;
    size_t size = 0;
    rtld::elf::symcache::Reader reader;
    if (!ReadFileAligned(o.cache, &words, &size) || !reader.Open(words.data(), size)) {
      UpdateResult u = UpdateCache(o.cache, {}, o.limits, o.symbol_index);
      if (u.ok) Log("no valid cache at %s: published an empty generation %" PRIu64, o.cache.c_str(), u.generation);
      else Log("cannot create the cache %s: %s", o.cache.c_str(), u.error.c_str());
    }
  }

  // New layouts at every start (each boot), then every relayout_period.
  auto relayout = [&]() {
    not_cacheable.clear();
    RelayoutResult r = RelayoutCache(o.cache, o.loader, o.timeout, o.images, o.limits, o.symbol_index,
                                     [](const std::string& line) { Log("%s", Printable(line).c_str()); },
                                     relayout_policy);
    if (r.ok)
      Log("relayout: published generation %" PRIu64 ": %zu closures, %zu with images", r.generation, r.closures,
          r.with_images);
    else
      Log("relayout failed: %s", r.error.c_str());
  };
  relayout();
  uint64_t next_relayout =
      o.relayout_period > 0 ? MonoMs() + static_cast<uint64_t>(o.relayout_period) * 1000 : UINT64_MAX;

  const std::vector<std::string> base_env = CurrentEnvironment();
  RateLimiter limiter(o.rate_per_min);
  std::map<std::string, uint64_t> recent;  // program + env hash -> when handled (ms)
  std::deque<Miss> queue;
  std::vector<ClosureData> batch;
  uint64_t batch_since = 0;
  bool stop = false;
  const size_t kMaxQueue = 256, kMaxBatch = 64;

  auto publish = [&]() {
    if (batch.empty()) return;
    const size_t n = batch.size();
    UpdateResult u = UpdateCache(o.cache, std::move(batch), o.limits, o.symbol_index);
    batch.clear();
    if (!u.ok) {
      Log("publish failed: %s", u.error.c_str());
      return;
    }
    if (u.previous_invalid) Log("the previous cache file was not valid; replaced");
    Log("published generation %" PRIu64 ": %zu new, %zu closures, %zu objects, %" PRIu64 " bytes, %zu evicted",
        u.generation, n, u.stats.closures, u.stats.objects, u.stats.file_size, u.stats.evicted);
  };

  while (!stop) {
    int wait_ms = -1;
    if (!queue.empty()) wait_ms = 0;
    else if (!batch.empty()) {
      const uint64_t due = batch_since + static_cast<uint64_t>(o.batch_ms), now = MonoMs();
      wait_ms = due > now ? static_cast<int>(due - now) : 0;
    }
    if (next_relayout != UINT64_MAX) {
      const uint64_t now = MonoMs();
      if (now >= next_relayout) {
        publish();
        relayout();
        next_relayout = MonoMs() + static_cast<uint64_t>(o.relayout_period) * 1000;
      }
      const uint64_t left = next_relayout > now ? next_relayout - now : 0;
      if (wait_ms < 0 || static_cast<uint64_t>(wait_ms) > left) wait_ms = static_cast<int>(std::min<uint64_t>(left, 1u << 30));
    }
    pollfd p[2] = {{sfd, POLLIN, 0}, {fd, POLLIN, 0}};
    const int r = poll(p, 2, wait_ms);
    if (r < 0 && errno != EINTR) {
      Log("poll: %s", strerror(errno));
      break;
    }
    signalfd_siginfo si;
    if (read(sfd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
      if (si.ssi_signo == SIGHUP) {
        Log("SIGHUP: publishing now");
        publish();
      } else {
        Log("signal %u: exiting", si.ssi_signo);
        stop = true;
        break;
      }
    }
    // Drain the socket into the bounded queue.
    Datagram d;
    for (int k = 0; k < 64 && Receive(fd, &d); ++k) {
      // (The kernel attaches them with SO_PASSCRED; without, the miss is
      // recorded as the service user, rate-limited as uid -1.)
      Miss m;
      m.has_creds = d.has_creds;
      m.uid = d.has_creds ? d.creds.uid : static_cast<uid_t>(-1);
      m.gid = d.has_creds ? d.creds.gid : static_cast<gid_t>(-1);
      m.pid = d.has_creds ? d.creds.pid : 0;
      if (const char* why = ParseMiss(d.data.data(), d.data.size(), &m)) {
        Log("ignored a malformed datagram from uid %u pid %d: %s", static_cast<unsigned>(m.uid), m.pid, why);
        continue;
      }
      const uint64_t now = MonoMs();
      if (!limiter.Allow(m.uid, now)) {
        Log("rate limit: uid %u, dropped %s", static_cast<unsigned>(m.uid), Printable(m.program).c_str());
        continue;
      }
      const std::string key = m.program + '\n' + Hex16(m.env_hash);
      auto it = recent.find(key);
      if (it != recent.end() && now - it->second < static_cast<uint64_t>(o.min_interval) * 1000) {
        Log("recently handled: %s env %s, skipped", Printable(m.program).c_str(), Hex16(m.env_hash).c_str());
        continue;
      }
      if (queue.size() >= kMaxQueue) {
        Log("queue full, dropped %s", Printable(m.program).c_str());
        continue;
      }
      recent[key] = now;
      queue.push_back(std::move(m));
    }
    if (recent.size() > 10000) {
      const uint64_t now = MonoMs();
      for (auto it = recent.begin(); it != recent.end();)
        it = now - it->second >= static_cast<uint64_t>(o.min_interval) * 1000 ? recent.erase(it) : std::next(it);
    }
    // One recording per turn, so signals and the socket stay served.
    if (!queue.empty()) {
      Miss m = std::move(queue.front());
      queue.pop_front();
      const Sandbox as = sandbox_for(m);
      char who[64];
      snprintf(who, sizeof who, "uid %u (as uid %u)", static_cast<unsigned>(m.uid),
               static_cast<unsigned>(as.switch_user ? as.uid : geteuid()));
      const std::string nc_key = std::to_string(m.uid) + '\n' + m.program + '\n' + Hex16(m.env_hash);
      std::string why;
      FileId id;
      if (!MayRecord(as, m.program, &id, &why)) {
        Log("refused %s for %s: %s", Printable(m.program).c_str(), who, why.c_str());
      } else if (auto nc = not_cacheable.find(nc_key); nc != not_cacheable.end() && nc->second.id == id) {
        Log("not cacheable: %s env %s for uid %u: %s (until it changes or the next relayout)",
            Printable(m.program).c_str(), Hex16(m.env_hash).c_str(), static_cast<unsigned>(m.uid),
            Printable(nc->second.reason).c_str());
      } else {
        const uint64_t t0 = MonoMs();
        ClosureData c;
        std::string err, note;
        RecordPolicy policy;
        policy.sandbox = as;
        policy.validate = true;
        bool untrusted = false;
        if (!RecordClosure(o.loader, m.program, EnvironmentFor(base_env, m.env), o.timeout, o.images,
                           NowNs() / 1000000000ull, &c, &err, &note, policy, &untrusted)) {
          Log("recording %s for %s failed: %s", Printable(m.program).c_str(), who, Printable(err).c_str());
          if (untrusted) {
            if (not_cacheable.size() >= 4096) not_cacheable.clear();
            not_cacheable[nc_key] = NotCacheable{id, err};
            Log("marked not cacheable: %s env %s for uid %u", Printable(m.program).c_str(), Hex16(m.env_hash).c_str(),
                static_cast<unsigned>(m.uid));
          }
        } else {
          not_cacheable.erase(nc_key);
          if (c.env_hash != m.env_hash)
            Log("note: %s: recorded env %s, reported %s (secure mode or a different environment)",
                Printable(m.program).c_str(), Hex16(c.env_hash).c_str(), Hex16(m.env_hash).c_str());
          size_t nb = 0;
          for (const auto& v : c.binds) nb += v.size();
          Log("recorded %s for %s: %zu objects, %zu bindings, env %s, %s, %" PRIu64 " ms",
              Printable(m.program).c_str(), who, c.objects.size(), nb, Hex16(c.env_hash).c_str(),
              c.has_images ? "images" : "no images", MonoMs() - t0);
          if (!note.empty()) Log("%s: %s", Printable(m.program).c_str(), Printable(note).c_str());
          if (batch.empty()) batch_since = MonoMs();
          batch.push_back(std::move(c));
        }
      }
    }
    if (!batch.empty() && (batch.size() >= kMaxBatch ||
                           (queue.empty() && MonoMs() >= batch_since + static_cast<uint64_t>(o.batch_ms))))
      publish();
  }
  publish();
  close(fd);
  unlink(o.socket.c_str());
  Log("stopped");
  return 0;
}
