#!/usr/bin/python3
"""Drivers for the symbol cache tools: the CLI (rtld-symcache) and the
daemon (rtld-symcached), with a fake loader (fake_loader.py) so they do not
depend on the loader; and end to end with the real loader's
--record-bindings (skipped, exit 77, when the loader lacks it)."""
import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ENV_VARS = ["LD_LIBRARY_PATH", "LD_PRELOAD", "LD_BIND_NOW", "LD_DYNAMIC_WEAK", "LD_AUDIT"]
A = None


def env_hash(env, mode=0):
    h = 0xcbf29ce484222325
    data = b""
    for name in ENV_VARS:
        if name in env:
            data += name.encode() + b"=" + env[name].encode() + b"\0"
    data += bytes([mode])
    for c in data:
        h = ((h ^ c) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS and k != "RTLD_SYMCACHE"}
    env.update(extra)
    return env


def cli(*args, env=None, expect=0):
    p = subprocess.run([A.cli] + list(args), capture_output=True, text=True, env=env or clean_env(), timeout=120)
    if expect is not None and p.returncode != expect:
        fail("rtld-symcache %s: exit %d (want %s)\nstdout:\n%s\nstderr:\n%s" %
             (" ".join(args), p.returncode, expect, p.stdout, p.stderr))
    return p


def generation(cache):
    p = cli("stat", "--cache", cache, expect=None)
    if p.returncode != 0:
        return None
    m = re.search(r"^generation: (\d+)", p.stdout, re.M)
    return int(m.group(1)) if m else None


def closures(cache):
    """(program, env hash) of every closure in the dump."""
    p = cli("dump", "--cache", cache)
    return set(re.findall(r"^closure (\S+) env ([0-9a-f]{16})", p.stdout, re.M))


def make_programs(d, n, prefix="prog"):
    out = []
    for i in range(n):
        p = os.path.join(d, "%s%d" % (prefix, i))
        shutil.copy("/bin/true", p)
        out.append(p)
    return out


def verify_ok(cache, allow_stale=True):
    p = cli("verify", "--cache", cache, expect=None)
    ok = p.returncode == 0 or (allow_stale and p.returncode == 2)
    check(ok, "verify %s: exit %d\n%s%s" % (cache, p.returncode, p.stdout, p.stderr))


# --- CLI ---------------------------------------------------------------------

def test_cli(tmp):
    cache = os.path.join(tmp, "sub", "cache")
    progs = make_programs(tmp, 3)
    cli("build", "--cache", cache, "--loader", A.fake_loader, *progs)
    check(oct(os.stat(cache).st_mode & 0o777) == "0o644", "cache mode not 0644")
    check(generation(cache) == 1, "generation 1 after the first build")
    h0 = "%016x" % env_hash({})
    check(closures(cache) == {(p, h0) for p in progs}, "closures after build: %s" % closures(cache))
    verify_ok(cache, allow_stale=False)
    st = cli("stat", "--cache", cache).stdout
    check("closures:   3" in st and "trusted" in st, "stat output:\n" + st)
    # Another environment: another closure for the same program.
    cli("build", "--cache", cache, "--loader", A.fake_loader, progs[0],
        env=clean_env(LD_LIBRARY_PATH="/nonexistent"))
    h1 = "%016x" % env_hash({"LD_LIBRARY_PATH": "/nonexistent"})
    check((progs[0], h1) in closures(cache), "closure for the LD_LIBRARY_PATH environment")
    check(len(closures(cache)) == 4 and generation(cache) == 2, "4 closures, generation 2")
    # Rebuilding the same program replaces its closure.
    cli("build", "--cache", cache, "--loader", A.fake_loader, progs[1])
    check(len(closures(cache)) == 4 and generation(cache) == 3, "rebuild replaces")
    # A changed program: stale in verify (exit 2).
    with open(progs[2], "ab") as f:
        f.write(b"\0")
    p = cli("verify", "--cache", cache, expect=2)
    check("stale: object" in p.stdout and progs[2] in p.stdout, "verify names the stale object:\n" + p.stdout)
    # Failures: reported, exit 1, the good ones still published.
    bad = os.path.join(tmp, "fail-prog")
    shutil.copy("/bin/true", bad)
    garbage = os.path.join(tmp, "garbage-prog")
    shutil.copy("/bin/true", garbage)
    p = cli("build", "--cache", cache, "--loader", A.fake_loader, bad, garbage, progs[0], expect=1)
    check("cannot load" in p.stderr and "malformed recording" in p.stderr, "failure messages:\n" + p.stderr)
    check(generation(cache) == 4, "the good recording still published")
    p = cli("build", "--cache", cache, "--loader", "/nonexistent/ld.so", progs[0], expect=1)
    # Limits.
    cli("build", "--cache", cache, "--loader", A.fake_loader, "--max-closures", "2", progs[0])
    check(len(closures(cache)) == 2, "--max-closures 2")
    # A corrupt file: stat/verify fail, build replaces it.
    with open(cache, "r+b") as f:
        f.seek(40)
        f.write(b"\xff")
    cli("verify", "--cache", cache, expect=1)
    cli("stat", "--cache", cache, expect=1)
    p = cli("build", "--cache", cache, "--loader", A.fake_loader, progs[0])
    check("not a valid cache" in p.stderr, "build notes the invalid file")
    verify_ok(cache)
    # clear.
    cli("clear", "--cache", cache)
    check(closures(cache) == set(), "clear empties")
    verify_ok(cache, allow_stale=False)
    # RTLD_SYMCACHE is the default cache path.
    other = os.path.join(tmp, "envcache")
    cli("build", "--loader", A.fake_loader, progs[0], env=clean_env(RTLD_SYMCACHE=other))
    check(os.path.exists(other), "RTLD_SYMCACHE names the default cache")
    # --recording merges a recording made elsewhere.
    rec = os.path.join(tmp, "rec.txt")
    subprocess.run([A.fake_loader, "--record-bindings", rec, progs[1]], check=True, env=clean_env())
    cli("build", "--cache", other, "--recording", rec)
    check(len(closures(other)) == 2, "--recording merged")
    no_tmp = [f for f in os.listdir(os.path.dirname(cache)) if ".tmp" in f]
    check(not no_tmp, "temporary files left: %s" % no_tmp)


# --- Daemon ------------------------------------------------------------------

class Daemon:
    def __init__(self, tmp, *extra, env=None):
        self.sock = os.path.join(tmp, "run", "symcache.sock")
        self.cache = os.path.join(tmp, "cache", "symcache")
        self.log = open(os.path.join(tmp, "daemon.log"), "a+")
        if os.path.exists(self.sock):
            os.unlink(self.sock)  # a killed daemon's
        self.proc = subprocess.Popen(
            [A.daemon, "--foreground", "--socket", self.sock, "--cache", self.cache,
             "--loader", A.fake_loader, "--batch-ms", "20"] + list(extra),
            stdout=self.log, stderr=self.log, env=env or clean_env())
        deadline = time.time() + 10
        while not os.path.exists(self.sock):
            if time.time() > deadline or self.proc.poll() is not None:
                fail("the daemon did not start:\n" + self.logtext())
            time.sleep(0.01)

    def send(self, data):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            s.sendto(data, self.sock)
        finally:
            s.close()

    def miss(self, prog, env=None):
        env = env or {}
        d = "rtld-miss 1\n%s\n%016x\n" % (prog, env_hash(env))
        for name in ENV_VARS:
            if name in env:
                d += "%s=%s\n" % (name, env[name])
        self.send(d.encode())

    def logtext(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def wait_for(self, pred, what, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                fail("the daemon exited (%d) while waiting for %s:\n%s" % (self.proc.returncode, what, self.logtext()))
            if os.path.exists(self.cache) and pred():
                return
            time.sleep(0.05)
        fail("timed out waiting for %s\n%s" % (what, self.logtext()))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=20)
        check(rc == 0, "the daemon's exit status on SIGTERM: %d\n%s" % (rc, self.logtext()))
        check(not os.path.exists(self.sock), "the socket is removed on exit")


def test_daemon(tmp):
    progs = make_programs(tmp, 2)
    d = Daemon(tmp)
    try:
        st = os.stat(d.sock)
        check(st.st_mode & 0o777 == 0o666, "the socket is writable by all")
        d.miss(progs[0])
        h0 = "%016x" % env_hash({})
        d.wait_for(lambda: (progs[0], h0) in closures(d.cache), "the first closure")
        g1 = generation(d.cache)
        check(g1 >= 1, "a generation")
        env = {"LD_LIBRARY_PATH": "/opt/x", "LD_PRELOAD": "libnothing.so"}
        d.miss(progs[0], env)
        d.miss(progs[1])
        want = {(progs[0], h0), (progs[0], "%016x" % env_hash(env)), (progs[1], h0)}
        d.wait_for(lambda: closures(d.cache) == want, "three closures")
        check(generation(d.cache) > g1, "a newer generation")
        verify_ok(d.cache)
        # A repeated request within --min-interval is skipped.
        d.miss(progs[1])
        d.wait_for(lambda: "recently handled" in d.logtext(), "the repeat skipped")
        log = d.logtext()
        check("recorded %s" % progs[0] in log and "published generation" in log, "log lines:\n" + log)
    finally:
        d.stop()
    # A restarted daemon keeps the closures and adds to them.
    progs2 = make_programs(tmp, 1, "again")
    d = Daemon(tmp, "--max-closures", "3")
    try:
        d.miss(progs2[0])
        d.wait_for(lambda: (progs2[0], "%016x" % env_hash({})) in closures(d.cache), "a closure after restart")
        check(len(closures(d.cache)) == 3, "LRU eviction to --max-closures 3: %s" % closures(d.cache))
    finally:
        d.stop()


def test_daemon_malformed(tmp):
    progs = make_programs(tmp, 1)
    d = Daemon(tmp, "--timeout", "2", "--rate", "600")
    try:
        h = "%016x" % env_hash({})
        bad = [
            b"",
            b"rtld-miss 2\n/bin/true\n%s\n" % h.encode(),
            b"hello",
            b"rtld-miss 1\nrelative/prog\n%s\n" % h.encode(),
            b"rtld-miss 1\n/bin/true\n1234\n",
            b"rtld-miss 1\n/bin/true\nzzzzzzzzzzzzzzzz\n",
            b"rtld-miss 1\n/bin/true\n%s\nPATH=/bin\n" % h.encode(),
            b"rtld-miss 1\n/bin/true\n%s\nLD_PRELOAD=a\nLD_LIBRARY_PATH=b\n" % h.encode(),
            b"rtld-miss 1\n/bin/true\n%s\nLD_PRELOAD=a\nLD_PRELOAD=a\n" % h.encode(),
            b"rtld-miss 1\n/bin/true\n%s\nLD_PRELOAD=a" % h.encode(),
            b"rtld-miss 1\n/bin/\0true\n%s\n" % h.encode(),
            b"rtld-miss 1\n/bin/true\n%s\n" % h.encode() + b"LD_PRELOAD=" + b"x" * 9000 + b"\n",
            bytes(random.Random(5).getrandbits(8) for _ in range(500)),
        ]
        for b in bad:
            d.send(b)
        # Programs that are missing, fail, hang or write garbage.
        for name in ["fail-x", "hang-x", "garbage-x"]:
            p = os.path.join(tmp, name)
            shutil.copy("/bin/true", p)
            d.miss(p)
        d.miss(os.path.join(tmp, "does-not-exist"))
        d.miss("/dev/null")
        d.miss(progs[0])
        d.wait_for(lambda: (progs[0], h) in closures(d.cache), "the valid request after the bad ones", timeout=30)
        check(closures(d.cache) == {(progs[0], h)}, "only the valid closure: %s" % closures(d.cache))
        log = d.logtext()
        check(log.count("ignored a malformed datagram") == len(bad), "each malformed datagram logged once:\n" + log)
        for what in ["cannot load", "did not finish", "malformed recording", "does-not-exist", "not a regular file"]:
            check(what in log, "log mentions %r:\n%s" % (what, log))
    finally:
        d.stop()
    # Rate limit per uid.
    tmp2 = os.path.join(tmp, "rate")
    os.mkdir(tmp2)
    many = make_programs(tmp2, 12)
    d = Daemon(tmp2, "--rate", "4")
    try:
        for p in many:
            d.miss(p)
        d.wait_for(lambda: "rate limit" in d.logtext() and len(closures(d.cache)) == 4, "rate limiting")
        time.sleep(0.3)
        check(len(closures(d.cache)) == 4, "4 requests served at --rate 4: %s" % closures(d.cache))
    finally:
        d.stop()


def big_recording(tmp, prog):
    """A recording of 300 objects and ~120000 bindings (a multi-MB cache:
    publication takes a while, so kills land inside it)."""
    rec = os.path.join(tmp, "big.txt")
    st = os.stat(prog)
    lines = ["rtld-bindings 1", "env %016x" % env_hash({})]
    nobj = 300
    for i in range(nobj):
        lines.append("object %d 1 %d 4096 %d 0 4000 - /fake/lib%d.so" % (i, 1000 + i, st.st_mtime_ns, i))
    for i in range(nobj):
        for s in range(1, 400):
            lines.append("bind %d %d %d %d" % (i, s, (i + s) % nobj, s))
    lines.append("end")
    with open(rec, "w") as f:
        f.write("\n".join(lines) + "\n")
    return rec


def test_daemon_kill(tmp):
    """SIGKILL the daemon at random moments while it records and publishes
    (into a multi-MB cache): the cache is always a valid generation, never
    going backwards."""
    rng = random.Random(7)
    seed = make_programs(tmp, 1, "seed")
    d = Daemon(tmp, "--rate", "6000", "--batch-ms", "0", "--no-symbol-index")
    cli("build", "--cache", d.cache, "--recording", big_recording(tmp, seed[0]), "--no-symbol-index")
    last = generation(d.cache)
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    os.unlink(d.sock)
    killed_after_recording = 0
    for round_ in range(16):
        progs = make_programs(tmp, 2, "r%d-" % round_)
        d = Daemon(tmp, "--rate", "6000", "--batch-ms", "0", "--no-symbol-index")
        before = d.logtext().count("recorded ")
        for p in progs:
            d.miss(p)
        # Wait for a recording, then kill within the next few hundred ms:
        # while recording more, merging or writing the new generation.
        deadline = time.time() + 20
        while d.logtext().count("recorded ") == before and time.time() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.4))
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        killed_after_recording += d.logtext().count("recorded ") > before
        os.unlink(d.sock)
        verify_ok(d.cache)
        g = generation(d.cache)
        check(g is not None and g >= last, "generation %s after %s" % (g, last))
        last = g
    check(killed_after_recording > 0, "kills landed after recordings")
    published = d.logtext().count("published generation")
    check(published > 0, "some rounds published before the kill")
    print("daemon-kill: 16 rounds, %d publications, last generation %d" % (published, last))


def test_publish_kill(tmp):
    """SIGKILL the CLI at random moments of a large publication."""
    cache = os.path.join(tmp, "cache")
    progs = make_programs(tmp, 1)
    rec = big_recording(tmp, progs[0])
    cli("build", "--cache", cache, "--recording", rec, "--no-symbol-index")
    size = os.path.getsize(cache)
    rng = random.Random(3)
    last = generation(cache)
    kills = 0
    for i in range(40):
        p = subprocess.Popen([A.cli, "build", "--cache", cache, "--recording", rec, "--no-symbol-index"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=clean_env())
        time.sleep(rng.uniform(0.0, 0.25))
        p.send_signal(signal.SIGKILL)
        rc = p.wait()
        kills += rc == -signal.SIGKILL
        verify_ok(cache)
        g = generation(cache)
        check(g is not None and g >= last, "generation %s after %s" % (g, last))
        last = g
    print("publish-kill: %d killed, %d bytes per generation, last generation %d" % (kills, size, last))
    # The next writer removes what killed writers left.
    cli("build", "--cache", cache, "--recording", rec, "--no-symbol-index")
    check(not [f for f in os.listdir(tmp) if ".tmp" in f], "stale temporary files removed")


# --- End to end with the real loader ----------------------------------------

def test_e2e(tmp):
    probe = os.path.join(tmp, "probe.txt")
    p = subprocess.run([A.loader, "--record-bindings", probe, "/bin/true"], capture_output=True, env=clean_env())
    if p.returncode != 0 or not os.path.exists(probe):
        print("SKIP: the loader has no working --record-bindings (%d): %s" % (p.returncode, p.stderr[:200]))
        sys.exit(77)
    cache = os.path.join(tmp, "cache")
    truebin = os.path.realpath("/bin/true")
    cli("build", "--cache", cache, "--loader", A.loader, A.hello, truebin)
    verify_ok(cache, allow_stale=False)
    got = closures(cache)
    h0 = "%016x" % env_hash({})
    check((A.hello, h0) in got and (truebin, h0) in got, "closures for hello and true: %s" % got)
    dump = cli("dump", "--cache", cache, "--names").stdout
    check(re.search(r"\d+ __libc_start_main -> \[\d+\] \d+ __libc_start_main@GLIBC_2\.34\n", dump), "true binds __libc_start_main:\n" + dump[:3000])
    # The loader with the cache configured still runs both programs.
    env = clean_env(RTLD_SYMCACHE=cache)
    p = subprocess.run([A.loader, truebin], env=env, capture_output=True, timeout=30)
    check(p.returncode == 0, "true under the loader with the cache: %d %s" % (p.returncode, p.stderr))
    p0 = subprocess.run([A.hello], env=clean_env(), capture_output=True, timeout=30)
    p1 = subprocess.run([A.hello], env=env, capture_output=True, timeout=30)
    check(p1.returncode == p0.returncode and p1.stdout == p0.stdout, "hello with the cache behaves the same")
    # The daemon with the real loader.
    prog = os.path.realpath("/bin/ls")
    sock = os.path.join(tmp, "run", "sock")
    log = open(os.path.join(tmp, "daemon.log"), "w+")
    d = subprocess.Popen([A.daemon, "--foreground", "--socket", sock, "--cache", cache, "--loader", A.loader,
                          "--batch-ms", "0"], stdout=log, stderr=log, env=clean_env())
    try:
        deadline = time.time() + 10
        while not os.path.exists(sock) and time.time() < deadline:
            time.sleep(0.01)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(("rtld-miss 1\n%s\n%s\n" % (prog, h0)).encode(), sock)
        s.close()
        deadline = time.time() + 30
        while time.time() < deadline and (prog, h0) not in closures(cache):
            time.sleep(0.05)
        log.seek(0)
        check((prog, h0) in closures(cache), "the daemon recorded ls with the real loader:\n" + log.read())
    finally:
        d.send_signal(signal.SIGTERM)
        d.wait(timeout=20)
    verify_ok(cache, allow_stale=False)


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("test")
    ap.add_argument("--cli", required=True)
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--fake-loader", required=True)
    ap.add_argument("--loader", required=True)
    ap.add_argument("--hello", required=True)
    A = ap.parse_args()
    A.fake_loader = os.path.abspath(A.fake_loader)
    A.hello = os.path.realpath(A.hello)
    tests = {"cli": test_cli, "daemon": test_daemon, "daemon-malformed": test_daemon_malformed,
             "daemon-kill": test_daemon_kill, "publish-kill": test_publish_kill, "e2e": test_e2e}
    tmp = tempfile.mkdtemp(prefix="rtld-symcache-test.")
    try:
        tests[A.test](tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
