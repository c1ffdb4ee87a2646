#!/usr/bin/python3
"""Drivers for the symbol cache tools: the CLI (rtld-symcache), with a fake
loader (fake_loader.py) so it does not depend on the loader; the daemon
(rtld-symcached), whose recordings must check out against the files, with
the fake loader for misbehaving recordings (failing, hanging, crashing,
garbage, reporting its credentials) and the real loader for the rest;
`rtld-symcache check` on real recordings and forged ones; and end to end
with the real loader's --record-bindings (skipped, exit 77, when the loader
lacks it). The daemon records as the requesting user, or as nobody for
root: the tests' directories are readable by all."""
import argparse
import array
import os
import pwd
import random
import re
import select
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


_programs_made = [0]


def make_programs(d, n, prefix="prog"):
    """n copies of /bin/true, each another object for the cache: copies with
    one build ID and size, so each gets its own mtime second (else they are
    the same object, as a file and its `cp -a` copy are, and share one
    closure)."""
    out = []
    for i in range(n):
        p = os.path.join(d, "%s%d" % (prefix, i))
        shutil.copy("/bin/true", p)
        _programs_made[0] += 1
        t = 1600000000 + 1000 * _programs_made[0]
        os.utime(p, (t, t))
        out.append(p)
    return out


def verify_ok(cache, allow_stale=True, loader=None):
    """verify (which re-records every closure with a layout: with the loader
    that recorded it, the fake one by default)."""
    p = cli("verify", "--cache", cache, "--loader", loader or A.fake_loader, expect=None)
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
        b = f.read(1)
        f.seek(40)
        f.write(bytes([b[0] ^ 0xff]))
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


def dump_layouts(cache):
    """{program: {"base": int, "images": bool, "objects": {position: {...}}}}
    from `dump`: each closure's layout line and, per placed object, its bias,
    image flag, runs, pages, patches, lazy PLT and runs (vaddr, pages, file
    offset)."""
    out, cur, obj = {}, None, None
    for line in cli("dump", "--cache", cache).stdout.splitlines():
        m = re.match(r"closure (\S+) env ([0-9a-f]{16})", line)
        if m:
            cur = out.setdefault(m.group(1), {"base": None, "images": False, "objects": {}})
            continue
        m = re.match(r"  layout base 0x([0-9a-f]+), (images|no images)", line)
        if m and cur is not None:
            cur["base"], cur["images"] = int(m.group(1), 16), m.group(2) == "images"
            continue
        m = re.match(r"  \[(\d+)\] object", line)
        if m:
            obj = int(m.group(1))
            continue
        m = re.match(r"      bias 0x([0-9a-f]+), (image|no image), runs (\d+), pages (\d+), "
                     r"patches (\d+)(, lazy plt)?$", line)
        if m:
            cur["objects"][obj] = {"bias": int(m.group(1), 16), "image": m.group(2) == "image",
                                   "runs": int(m.group(3)), "pages": int(m.group(4)), "patches": int(m.group(5)),
                                   "lazy": bool(m.group(6)), "run_list": []}
            continue
        m = re.match(r"      run 0x([0-9a-f]+) (\d+) pages at file offset 0x([0-9a-f]+)$", line)
        if m:
            cur["objects"][obj]["run_list"].append((int(m.group(1), 16), int(m.group(2)), int(m.group(3), 16)))
    return out


def test_cli_images(tmp):
    """Layouts and images through the CLI (fake loader): build records them
    by default, stat and dump show them, verify recomputes and compares them,
    two builds and relayout draw different layouts, --no-images and the
    loader's "noimages" leave closures without them."""
    cache = os.path.join(tmp, "cache")
    progs = make_programs(tmp, 2)
    noimage = os.path.join(tmp, "noimage-prog")
    layoutfail = os.path.join(tmp, "layoutfail-prog")
    for p in (noimage, layoutfail):
        shutil.copy("/bin/true", p)
        _programs_made[0] += 1
        os.utime(p, (1600000000 + 1000 * _programs_made[0],) * 2)
    p = cli("build", "--cache", cache, "--loader", A.fake_loader, *progs, noimage, layoutfail)
    for prog in progs:
        check(re.search(r"^recorded %s: 3 objects, 12 bindings, env [0-9a-f]{16}, images: 1 objects, 3 pages, "
                        r"3 patches$" % re.escape(prog), p.stdout, re.M), "build output:\n" + p.stdout)
    check("%s: images not recorded: a reference is undefined" % noimage in p.stderr, "noimages note:\n" + p.stderr)
    check("%s: images not recorded: the loader exited with status 1" % layoutfail in p.stderr,
          "layout failure note:\n" + p.stderr)
    check(re.search(r"^recorded %s: 3 objects, 12 bindings, env [0-9a-f]{16}$" % re.escape(layoutfail), p.stdout,
                    re.M), "the closure without images is still recorded:\n" + p.stdout)
    st = cli("stat", "--cache", cache).stdout
    check("format:     2" in st, "stat format:\n" + st)
    check("layouts:    3 closures (2 with images, 8 program slots), 3 objects placed" in st, "stat layouts:\n" + st)
    check("images:     2 objects, 4 runs, 6 pages (24576 bytes), 6 patches" in st, "stat images:\n" + st)
    lay = dump_layouts(cache)
    for prog in progs:
        c = lay[prog]
        check(c["images"] and c["base"] is not None and 0x7c0000000000 <= c["base"] < 0x7e0000000000,
              "%s: layout %s" % (prog, c))
        o = c["objects"].get(2)
        check(o is not None and set(c["objects"]) == {2}, "%s: only the library is placed: %s" % (prog, c))
        check(o["bias"] == c["base"] and o["image"] and o["runs"] == 2 and o["pages"] == 3 and o["patches"] == 3
              and o["lazy"], "%s: object 2: %s" % (prog, o))
        check([(v, n) for v, n, _ in o["run_list"]] == [(0x3000, 2), (0x9000, 1)], "%s: runs %s" % (prog, o))
        check(all(off % 4096 == 0 for _, _, off in o["run_list"]), "runs page-aligned: %s" % o)
    check(lay[noimage]["base"] is not None and not lay[noimage]["images"]
          and lay[noimage]["objects"][2]["image"] is False and lay[noimage]["objects"][2]["runs"] == 0,
          "noimage: a layout without images: %s" % lay[noimage])
    check(lay[layoutfail]["base"] is None and not lay[layoutfail]["objects"],
          "layoutfail: no layout: %s" % lay[layoutfail])
    verify_ok(cache, allow_stale=False)
    # The image pages are not checksummed: verify recomputes them and finds
    # a changed byte (not one a patch rewrites).
    off = lay[progs[0]]["objects"][2]["run_list"][0][2]
    data = open(cache, "rb").read()
    with open(cache, "r+b") as f:
        f.seek(off + 0x100)
        f.write(bytes([data[off + 0x100] ^ 0x5a]))
    p = cli("verify", "--cache", cache, "--loader", A.fake_loader, expect=2)
    check("closure %s: image bytes differ at 0x3100" % progs[0] in p.stdout and "1 differ" in p.stdout,
          "verify finds the changed image byte:\n" + p.stdout)
    # Two builds of a program: two generations, two layouts (drawn at random
    # over 2^24 bases: equal by chance once in 16 million).
    before = lay[progs[0]]["base"]
    g = generation(cache)
    cli("build", "--cache", cache, "--loader", A.fake_loader, progs[0])
    lay2 = dump_layouts(cache)
    check(generation(cache) == g + 1 and lay2[progs[0]]["base"] != before,
          "a rebuild draws another layout: %x -> %x" % (before, lay2[progs[0]]["base"]))
    check(lay2[progs[0]]["objects"][2]["bias"] == lay2[progs[0]]["base"], "the bias follows the new base")
    verify_ok(cache, allow_stale=False)  # the rebuilt closure replaced the corrupt pages
    # relayout: every closure recorded again at a new layout.
    p = cli("relayout", "--cache", cache, "--loader", A.fake_loader)
    lay3 = dump_layouts(cache)
    for prog in progs + [noimage]:
        check(lay3[prog]["base"] is not None and lay3[prog]["base"] != lay2[prog]["base"],
              "relayout moved %s: %s -> %s" % (prog, lay2[prog]["base"], lay3[prog]["base"]))
        check(re.search(r"^relayout %s: base 0x%x" % (re.escape(prog), lay3[prog]["base"]), p.stdout, re.M),
              "relayout output:\n" + p.stdout)
    check(lay3[progs[1]]["images"] and not lay3[noimage]["images"], "relayout keeps what has images")
    check(len(closures(cache)) == 4, "relayout replaces, does not add: %s" % closures(cache))
    verify_ok(cache, allow_stale=False)
    # --no-images: the closure without a layout.
    cli("build", "--cache", cache, "--loader", A.fake_loader, "--no-images", progs[1])
    lay4 = dump_layouts(cache)
    check(lay4[progs[1]]["base"] is None and not lay4[progs[1]]["objects"], "--no-images: %s" % lay4[progs[1]])
    check(lay4[progs[0]]["base"] == lay3[progs[0]]["base"], "the other closures keep their layouts")
    # A program copied over itself (cp -a: new inode and ctime, same build
    # ID, size and mtime): its new recording replaces the old closure.
    n = len(closures(cache))
    copy = os.path.join(tmp, "copy-of-prog0")
    subprocess.run(["cp", "-a", progs[0], copy], check=True)
    os.rename(copy, progs[0])
    verify_ok(cache, allow_stale=False)  # not stale: the same object
    cli("build", "--cache", cache, "--loader", A.fake_loader, progs[0])
    check(len(closures(cache)) == n, "the copied program's closure replaced: %d -> %d" % (n, len(closures(cache))))
    st = os.stat(progs[0])
    d = cli("dump", "--cache", cache).stdout
    check(re.search(r"^object \d+ dev \d+ ino %d .* path %s$" % (st.st_ino, re.escape(progs[0])), d, re.M),
          "the new inode is recorded:\n" + d[:2000])


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
            stdout=self.log, stderr=self.log, env=env or clean_env(FAKE_LOADER_REAL=A.loader))
        deadline = time.time() + 10
        while not os.path.exists(self.sock):
            if time.time() > deadline or self.proc.poll() is not None:
                fail("the daemon did not start:\n" + self.logtext())
            time.sleep(0.01)

    def send(self, data, uid=None, fds=None):
        """One datagram; with uid, sent by a child process that is that
        user (all groups dropped); with fds, those descriptors attached."""
        if uid is not None:
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    os.setgroups([])
                    os.setgid(uid)
                    os.setuid(uid)
                    self.send(data)
                    code = 0
                finally:
                    os._exit(code)
            _, status = os.waitpid(pid, 0)
            check(os.waitstatus_to_exitcode(status) == 0, "the datagram from uid %d was not sent" % uid)
            return
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            if fds:
                s.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))], 0, self.sock)
            else:
                s.sendto(data, self.sock)
        finally:
            s.close()

    def miss(self, prog, env=None, uid=None):
        env = env or {}
        d = "rtld-miss 1\n%s\n%016x\n" % (prog, env_hash(env))
        for name in ENV_VARS:
            if name in env:
                d += "%s=%s\n" % (name, env[name])
        self.send(d.encode(), uid=uid)

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
        # The daemon records images (the libraries placed from the base).
        lay = dump_layouts(d.cache)
        for p in progs:
            biases = [o["bias"] for o in lay[p]["objects"].values()]
            check(lay[p]["images"] and biases and min(biases) == lay[p]["base"], "daemon images: %s" % lay[p])
    finally:
        d.stop()
    # A restarted daemon keeps the closures and adds to them, and draws new
    # layouts for them at start (each boot its own addresses).
    progs2 = make_programs(tmp, 1, "again")
    relayouts = d.logtext().count("relayout: published generation")  # (one log for both daemons)
    d = Daemon(tmp, "--max-closures", "3")
    try:
        d.wait_for(lambda: d.logtext().count("relayout: published generation") > relayouts, "the relayout at start")
        lay2 = dump_layouts(d.cache)
        for p in progs:
            check(lay2[p]["images"] and lay2[p]["base"] != lay[p]["base"],
                  "%s: a new layout at start: %s -> %s" % (p, lay[p]["base"], lay2[p]["base"]))
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
        # The same from an unprivileged user.
        for b in bad[:4]:
            d.send(b, uid=4242)
        # Programs that are missing, fail, hang or write garbage.
        for name in ["fail-x", "hang-x", "garbage-x"]:
            p = os.path.join(tmp, name)
            shutil.copy("/bin/true", p)
            d.miss(p)
        d.miss(os.path.join(tmp, "does-not-exist"))
        d.miss("/dev/null")
        # Paths that are no program: a FIFO (opened, it would block), a
        # directory, a symlink loop, control characters, a path too long.
        fifo = os.path.join(tmp, "fifo")
        os.mkfifo(fifo, 0o666)
        d.miss(fifo)
        d.miss(tmp)
        loop = os.path.join(tmp, "loop")
        os.symlink(loop, loop)
        d.miss(loop)
        d.miss(os.path.join(tmp, "esc\x1b[31mape\x01"))
        d.miss("/" + "x" * 5000)
        # Descriptors passed along: closed at once (the pipe reads EOF once
        # the daemon's copy of its write end is gone).
        r, w = os.pipe()
        d.send(b"rtld-miss 1\n/nonexistent/passed-fds\n%s\n" % h.encode(), fds=[w, w])
        os.close(w)
        d.miss(progs[0])
        d.wait_for(lambda: (progs[0], h) in closures(d.cache), "the valid request after the bad ones", timeout=30)
        check(closures(d.cache) == {(progs[0], h)}, "only the valid closure: %s" % closures(d.cache))
        ready, _, _ = select.select([r], [], [], 30)
        check(ready and os.read(r, 1) == b"", "the daemon keeps descriptors passed with a datagram")
        os.close(r)
        log = d.logtext()
        nobody = pwd.getpwnam("nobody").pw_uid
        nbad = len(bad) + 4
        check(log.count("ignored a malformed datagram") == nbad, "each malformed datagram logged once:\n" + log)
        check(log.count("ignored a malformed datagram from uid 4242") == 4, "the sender's uid logged:\n" + log)
        for what in ["cannot load", "did not finish", "malformed recording", "does-not-exist",
                     "refused /dev/null for uid 0 (as uid %d): not a regular file" % nobody,
                     "refused %s for uid 0 (as uid %d): not a regular file" % (fifo, nobody),
                     "refused %s for uid 0 (as uid %d): not a regular file" % (tmp, nobody),
                     "refused %s for uid 0 (as uid %d): Too many levels of symbolic links" % (loop, nobody),
                     "refused %s for uid 0 (as uid %d): No such file or directory" % (os.path.join(tmp, "esc?[31mape?"),
                                                                                        nobody),
                     "refused /xxxxxxxx", "refused /nonexistent/passed-fds"]:
            check(what in log, "log mentions %r:\n%s" % (what, log))
        check("\x1b" not in log and "\x01" not in log, "control characters reach the log:\n" + log)
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


def copy_program(d, name, src="/bin/true"):
    p = os.path.join(d, name)
    shutil.copy(src, p)
    return p


def processes_running(path):
    """Processes whose command line mentions path."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if path.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def test_daemon_sandbox(tmp):
    """Recordings run as the user who sent the miss (root's as nobody), in
    their own session, within limits; one that crashes, hangs or exceeds a
    limit is logged and its program not recorded again until it changes;
    the daemon keeps serving; a program or library the requester cannot
    read is not recorded."""
    if os.geteuid() != 0:
        print("SKIP: the daemon switches users only as root")
        sys.exit(77)
    nobody = pwd.getpwnam("nobody")
    user = 4242  # no user-database entry: its gid is the one it sent with
    d = Daemon(tmp, "--timeout", "3", "--min-interval", "0", "--rate", "6000", "--record-file-size", "1M")
    lines = lambda pat: [l for l in d.logtext().splitlines() if re.search(pat, l)]
    try:
        # Whose credentials and limits a recording has.
        who = copy_program(tmp, "whoami-x")
        d.miss(who, uid=user)
        d.miss(who, uid=nobody.pw_uid)
        d.miss(who)
        d.wait_for(lambda: len(lines(r"whoami uid=")) == 3, "three recordings that report their credentials")
        for sender, uid, groups in [(user, user, [user]), (nobody.pw_uid, nobody.pw_uid, None), (0, nobody.pw_uid, None)]:
            got = lines(r"for uid %d \(as uid %d\) failed: .*whoami uid=%d euid=%d gid=" % (sender, uid, uid, uid))
            check(len(got) == 1, "the recording for uid %d ran as uid %d:\n%s" % (sender, uid, d.logtext()))
            if groups is not None:
                check("groups=%s" % groups in got[0], "groups of uid %d: %s" % (uid, got[0]))
        got = lines(r"for uid %d .*whoami" % user)[0]
        for limit, value in [("AS", (4 << 30, 4 << 30)), ("CPU", (3, 4)), ("FSIZE", (1 << 20, 1 << 20)),
                             ("NOFILE", (256, 256)), ("NPROC", (0, 0)), ("CORE", (0, 0))]:
            check(" %s=%d/%d" % ((limit,) + value) in got, "limit %s %s: %s" % (limit, value, got))
        check(not lines("marked not cacheable.*whoami"), "a recording that fails is tried again")
        # No child processes.
        d.miss(copy_program(tmp, "forks-x"), uid=user)
        d.wait_for(lambda: lines("fork failed"), "the recording's fork refused")
        # A crash: logged with the signal, not cacheable, the daemon serving.
        crash = copy_program(tmp, "crash-x")
        good = copy_program(tmp, "good-x")
        h0 = "%016x" % env_hash({})
        d.miss(crash, uid=user)
        d.miss(good, uid=user)
        d.wait_for(lambda: (good, h0) in closures(d.cache), "a closure after the crash")
        check(len(lines(r"crash-x for uid %d .* killed by signal 11 \(SIGSEGV\)" % user)) == 1, d.logtext())
        check(len(lines(r"marked not cacheable: %s" % re.escape(crash))) == 1, d.logtext())
        # Asked again: not recorded (by this user); by another user: recorded.
        d.miss(crash, uid=user)
        d.wait_for(lambda: lines(r"not cacheable: %s .* for uid %d: the loader was killed" % (re.escape(crash), user)),
                   "the crashing program skipped")
        d.miss(crash, uid=nobody.pw_uid)
        d.wait_for(lambda: len(lines("crash-x for uid .* killed by signal 11")) == 2, "another user's request recorded")
        # The program changed: recorded again.
        os.utime(crash, (1500000000, 1500000000))
        d.miss(crash, uid=user)
        d.wait_for(lambda: len(lines("crash-x for uid %d .* killed by signal 11" % user)) == 2, "the changed program")
        # A hang: killed at --timeout with everything in its session.
        hang = copy_program(tmp, "hang-x")
        d.miss(hang, uid=user)
        d.wait_for(lambda: lines(r"hang-x for uid %d .* did not finish within 3 s \(killed\)" % user), "the hang killed")
        check(lines("marked not cacheable: %s" % re.escape(hang)), d.logtext())
        check(not processes_running(hang), "a killed recording left processes: %s" % processes_running(hang))
        # The file-size limit.
        d.miss(copy_program(tmp, "bigwrite-x"), uid=user)
        d.wait_for(lambda: lines(r"bigwrite-x for uid %d .* killed by signal 25 \(SIGXFSZ" % user), "the file size limit")
        # Files the requester cannot read.
        secret = os.path.join(tmp, "secret")
        os.mkdir(secret, 0o700)
        hidden = copy_program(secret, "prog")
        d.miss(hidden, uid=user)
        d.wait_for(lambda: lines(r"refused %s for uid %d \(as uid %d\): Permission denied" % (re.escape(hidden), user, user)),
                   "an unreadable program refused")
        lib = os.path.realpath("/lib/x86_64-linux-gnu/libm.so.6")
        hidden_lib = copy_program(secret, "libsecret.so", lib)
        public_lib = copy_program(tmp, "libpublic.so", lib)
        for env in [{"LD_PRELOAD": hidden_lib}, {"LD_PRELOAD": public_lib}]:
            d.miss(good, env, uid=user)
            h = "%016x" % env_hash(env)
            d.wait_for(lambda: (good, h) in closures(d.cache), "the closure with %s" % env)
        dump = cli("dump", "--cache", d.cache).stdout
        check(public_lib in dump, "a readable preloaded library is in the closure:\n" + dump[:3000])
        check(hidden_lib not in dump, "a library the requester cannot read is in the cache:\n" + dump[:3000])
    finally:
        d.stop()
    # The CPU-time limit (SIGXCPU at the soft limit, SIGKILL a second later),
    # well before the wall-time limit.
    d = Daemon(tmp, "--timeout", "300", "--record-cpu", "1")
    try:
        d.miss(copy_program(tmp, "spin-x"), uid=user)
        d.wait_for(lambda: lines(r"spin-x for uid %d .* killed by signal (24 \(SIGXCPU|9 \(SIGKILL)" % user),
                   "the CPU limit", timeout=300)
        check(lines("marked not cacheable: .*spin-x"), d.logtext())
    finally:
        d.stop()


def test_check(tmp):
    """`rtld-symcache check` (the daemon's check of what its recording
    processes write) on a real recording, and on forged ones: another key,
    environment or layout is refused; a binding the files do not give is
    dropped; a changed image byte, a forged or a missing patch removes the
    images."""
    prog = os.path.realpath("/usr/bin/python3")
    rec = os.path.join(tmp, "rec")
    base = "7c0000000000"
    subprocess.run([A.loader, "--record-bindings", rec, "--record-layout", base, prog], check=True, env=clean_env())
    with open(rec) as f:
        text = f.read()
    with open(rec + ".pages", "rb") as f:
        pages = f.read()

    def check_rec(t, pg=pages, want_rc=None, want=None, base_=base):
        with open(rec, "w") as f:
            f.write(t)
        with open(rec + ".pages", "wb") as f:
            f.write(pg)
        p = cli("check", "--loader", A.loader, "--layout-base", base_, rec, prog, expect=want_rc)
        if want is not None:
            check(re.search(want, p.stdout), "check: want %r:\n%s" % (want, p.stdout))
        return p

    nbind = len(re.findall(r"^bind ", text, re.M))
    check_rec(text, want_rc=0, want=r"usable: \d+ objects, %d bindings, images" % nbind)
    lines = text.splitlines(keepends=True)
    idx = lambda prefix, k=0: [i for i, l in enumerate(lines) if l.startswith(prefix)][k]
    def edit(i, fn):
        t = list(lines)
        t[i] = fn(t[i])
        return "".join(t)
    # Refused outright.
    check_rec(edit(1, lambda l: "env %016x\n" % (int(l.split()[1], 16) ^ 1)), want_rc=1, want=r"refused: the environment")
    def bump(l, field):
        f = l.split(" ")
        f[field] = str(int(f[field]) + 1)
        return " ".join(f)
    check_rec(edit(idx("object 1 "), lambda l: bump(l, 3)), want_rc=1, want=r"refused: object 1 .*key is not the file's")
    check_rec(edit(idx("object 0 "), lambda l: l.replace(prog, os.path.realpath("/bin/true"))), want_rc=1,
              want=r"refused: ")
    check_rec(text, want_rc=1, want=r"refused: .*placed outside the layout", base_="7d0000000000")
    check_rec(edit(idx("layout "), lambda l: l.split()[0] + " " + l.split()[1] + " 10000\n"), want_rc=1,
              want=r"refused: .*placed outside the layout")
    # A binding to another definition: dropped, the rest kept.
    b = idx("bind 0 ", 3)
    f = lines[b].split()
    other = edit(b, lambda l: "bind %s %s %s %d\n" % (f[1], f[2], f[3], int(f[4]) + 1))
    check_rec(other, want_rc=2, want=r"dropped 1 bindings.*\n.*usable: \d+ objects, %d bindings, images" % (nbind - 1))
    check_rec(edit(b, lambda l: "bind %s %s -1 0\n" % (f[1], f[2])), want_rc=2, want=r"dropped 1 bindings")
    # Images: a changed byte, a forged patch, a missing patch.
    flipped = bytearray(pages)
    flipped[len(pages) // 2] ^= 1
    check_rec(text, bytes(flipped), want_rc=2, want=r"images refused: .*differs from the relocated file.*\n.*no images")
    pt = idx("patch ")
    check_rec(edit(pt, lambda l: " ".join(l.split()[:4] + ["ff"]) + "\n"), want_rc=2,
              want=r"images refused: .*not one of the object's relocations")
    check_rec(edit(pt, lambda l: ""), want_rc=2, want=r"images refused: .*not patched")
    # Truncated or garbage: malformed.
    check_rec(text[:len(text) // 2], want_rc=1, want=r"refused: malformed recording")


def big_recording(tmp, prog):
    """A recording of 300 objects and ~120000 bindings (a multi-MB cache:
    publication takes a while, so kills land inside it)."""
    rec = os.path.join(tmp, "big.txt")
    st = os.stat(prog)
    lines = ["rtld-bindings 2", "env %016x" % env_hash({})]
    nobj = 300
    for i in range(nobj):
        lines.append("object %d 1 %d 4096 %d 0 %016x 4000 - /fake/lib%d.so" % (i, 1000 + i, st.st_mtime_ns,
                                                                           0xb1d00000 + i if i % 2 else 0, i))
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
    verify_ok(cache, allow_stale=False, loader=A.loader)
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
    verify_ok(cache, allow_stale=False, loader=A.loader)


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
    tests = {"cli": test_cli, "cli-images": test_cli_images, "daemon": test_daemon,
             "daemon-malformed": test_daemon_malformed, "daemon-sandbox": test_daemon_sandbox, "check": test_check,
             "daemon-kill": test_daemon_kill, "publish-kill": test_publish_kill, "e2e": test_e2e}
    tmp = tempfile.mkdtemp(prefix="rtld-symcache-test.")
    os.chmod(tmp, 0o755)  # the daemon's recording processes are other users
    try:
        tests[A.test](tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
