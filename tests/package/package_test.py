#!/usr/bin/python3
"""The Debian package, built and installed as a user would get it.

Builds the package from the source tree with tools/build-deb (dpkg-buildpackage
in a scratch copy; lintian must report no error), removes that build tree,
installs the package into an empty scratch root with dpkg (--root, the
maintainer scripts run chrootless with DPKG_ROOT, under fakeroot), and checks,
using only the installed files:

- the files: the loader at usr/lib/rtld/ld-linux-x86-64.so.2 (its soname,
  executable), the CLI, the daemon, the unit naming the installed daemon,
  manual pages that man renders without a warning, the documentation; no
  installed file names the tree it was built in;
- the maintainer scripts' effects: /var/cache/rtld made, the daemon's unit
  enabled (without systemd running: nothing is started);
- a program whose PT_INTERP is the installed loader (patched to its path in
  the scratch root) runs under it, and the loader runs programs as a command;
- the installed rtld-symcache records with the loader installed beside it
  (its closures hit under that loader; RTLD_SYMCACHE_LOADER still
  overrides), and the installed rtld-symcached finds it too and records a
  program the loader reports as a miss;
- dpkg -r leaves only the cache under /var/cache/rtld and the unit's
  enablement (kept until purge, as for every Debian service); dpkg -P leaves
  the root as it was before the installation.
"""
import argparse
import gzip
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

LOADER = "usr/lib/rtld/ld-linux-x86-64.so.2"
CLI = "usr/bin/rtld-symcache"
DAEMON = "usr/sbin/rtld-symcached"
UNIT = "lib/systemd/system/rtld-symcached.service"
WANTS = "etc/systemd/system/multi-user.target.wants/rtld-symcached.service"
MAN_PAGES = ["usr/share/man/man8/rtld.8.gz", "usr/share/man/man1/rtld-symcache.1.gz",
             "usr/share/man/man8/rtld-symcached.8.gz"]
DOCS = ["usr/share/doc/rtld/design.md", "usr/share/doc/rtld/README.md", "usr/share/doc/rtld/copyright"]
# What a Debian system has before the package comes: the purge must return
# the root to exactly this.
BASE_DIRS = ["etc/systemd/system", "var/cache", "var/lib/systemd", "var/log", "run"]


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def step(msg):
    print("== " + msg, flush=True)


def run(cmd, expect=0, timeout=120, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if expect is not None and p.returncode != expect:
        fail("%s: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s" %
             (" ".join(cmd), p.returncode, expect, p.stdout[-4000:], p.stderr[-4000:]))
    return p


def clean_env(**extra):
    """The test's environment without anything that would point the tools or
    the loader elsewhere."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RTLD_", "LD_")) and k != "GLIBC_TUNABLES"}
    env.update(extra)
    return env


def tree(root):
    """Every path under root, relative, except dpkg's own database and log."""
    out = set()
    for d, dirs, files in os.walk(root):
        rel = os.path.relpath(d, root)
        for name in dirs + files:
            p = os.path.normpath(os.path.join(rel, name))
            if p.startswith(("var/lib/dpkg", "var/log/dpkg.log")):
                continue
            out.add(p)
    return out


def dpkg(root, stubs, *args):
    """dpkg on the scratch root: maintainer scripts run without chroot with
    DPKG_ROOT set (debhelper's snippets and ours honour it), under fakeroot
    so that no privilege is needed; systemctl and deb-systemd-invoke are
    stubs, so the host's service manager is never asked anything."""
    env = clean_env(PATH=stubs + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
    return run(["fakeroot", "dpkg", "--root=" + root, "--log=" + os.path.join(root, "var/log/dpkg.log"),
                "--force-script-chrootless", "--force-not-root", "--force-depends"] + list(args), env=env)


def build_package(a, out):
    step("tools/build-deb (dpkg-buildpackage -us -uc -b, lintian)")
    p = run([a.build_deb, "--output", out, "--jobs", str(a.jobs)], timeout=1500)
    print(p.stdout, end="")
    lint = p.stdout[p.stdout.find("build-deb: lintian"):]
    check(not re.search(r"^E: ", lint, re.M), "lintian reported errors:\n" + lint)
    m = re.search(r"^build-deb: building rtld (\S+) in (\S+)$", p.stdout, re.M)
    check(m is not None, "build-deb did not say where it built")
    version, build_tree = m.group(1), m.group(2)
    check(not os.path.exists(build_tree), "the package's build tree %s is still there" % build_tree)
    debs = [f for f in os.listdir(out) if re.fullmatch(r"rtld_%s_amd64\.deb" % re.escape(version), f)]
    check(len(debs) == 1, "no rtld_%s_amd64.deb in %s: %s" % (version, out, os.listdir(out)))
    return os.path.join(out, debs[0]), version, build_tree


def check_files(root, version, build_tree, source_root):
    step("installed files")
    loader = os.path.join(root, LOADER)
    st = os.stat(loader)
    check(stat.S_ISREG(st.st_mode) and st.st_mode & 0o111 == 0o111,
          "%s is not an executable file (mode %o)" % (LOADER, st.st_mode))
    dyn = run(["readelf", "-dW", loader]).stdout
    check("Library soname: [ld-linux-x86-64.so.2]" in dyn, "the installed loader's soname changed:\n" + dyn)
    for f in [CLI, DAEMON]:
        check(os.access(os.path.join(root, f), os.X_OK), f + " missing or not executable")
    unit = open(os.path.join(root, UNIT)).read()
    m = re.search(r"^ExecStart=(\S+)", unit, re.M)
    check(m is not None and m.group(1) == "/" + DAEMON,
          "the unit does not start /%s:\n%s" % (DAEMON, unit))
    check(re.search(r"^Documentation=.*man:rtld-symcached\(8\)", unit, re.M) is not None,
          "the unit's Documentation= does not name the manual page")
    for f in DOCS:
        check(os.path.isfile(os.path.join(root, f)), f + " missing")
    # No installed file names the tree it was built in (it is gone) or this
    # source tree.
    for d, _, files in os.walk(os.path.join(root, "usr")):
        for name in files:
            data = open(os.path.join(d, name), "rb").read()
            for tree_path in (build_tree, source_root):
                check(tree_path.encode() not in data, "%s names %s" % (os.path.join(d, name), tree_path))
    # The manual pages: present, for this version, rendered without warnings.
    for page in MAN_PAGES:
        path = os.path.join(root, page)
        text = gzip.open(path, "rt").read()
        th = next((l for l in text.splitlines() if l.startswith(".TH ")), "")
        check('"rtld %s"' % version in th, page + ": .TH does not name version " + version + ": " + th)
        check(re.search(r"@[A-Z_]+@", text) is None, page + ": a placeholder was left")
        p = run(["man", "--warnings", "-l", path], env=clean_env(MANWIDTH="80", LC_ALL="C.UTF-8"))
        check(p.stderr.strip() == "", page + ": man warns:\n" + p.stderr)
        check(len(p.stdout.splitlines()) > 40, page + ": renders almost nothing")
    rtld8 = run(["man", "-l", os.path.join(root, MAN_PAGES[0])], env=clean_env(MANWIDTH="200")).stdout
    check("/" + LOADER in rtld8, "rtld(8) does not name the installed loader /" + LOADER)


def check_scripts(root):
    step("maintainer scripts' effects")
    cache_dir = os.path.join(root, "var/cache/rtld")
    check(os.path.isdir(cache_dir) and stat.S_IMODE(os.stat(cache_dir).st_mode) == 0o755,
          "postinst did not make /var/cache/rtld (0755)")
    wants = os.path.join(root, WANTS)
    check(os.path.islink(wants) and os.readlink(wants) == "/" + UNIT,
          "rtld-symcached is not enabled (%s)" % WANTS)
    status = run(["dpkg-query", "--root=" + root, "-W", "-f=${Status}", "rtld"]).stdout
    check(status == "install ok installed", "dpkg says: " + status)


def check_programs(root, work, version):
    loader = os.path.join(root, LOADER)
    step("a program with the installed loader as PT_INTERP")
    prog = os.path.join(work, "cat")
    shutil.copy("/bin/cat", prog)
    run(["patchelf", "--set-interpreter", loader, prog])
    # (RTLD_SYMCACHE empty: whatever cache the host has is not used.)
    p = run([prog, "/proc/self/maps"], env=clean_env(RTLD_SYMCACHE=""), cwd=work)
    check(loader in p.stdout, "the patched program's mappings do not show %s:\n%s" % (loader, p.stdout))
    p = run([prog, "/proc/self/maps"], env=clean_env(LD_DEBUG="statistics", RTLD_SYMCACHE=""), cwd=work)
    check("rtld start-up statistics:" in p.stderr, "LD_DEBUG=statistics printed no report:\n" + p.stderr)

    step("the installed loader as a command")
    p = run([loader, "--version"], env=clean_env())
    check(p.stdout.startswith("rtld %s," % version), "--version: " + p.stdout)
    p = run([loader, "/bin/cat", "/proc/self/maps"], env=clean_env(RTLD_SYMCACHE=""), cwd=work)
    check(loader in p.stdout, "the loader run as a command is not mapped:\n" + p.stdout)
    return prog


def stats_json(prog, env):
    p = run([prog, "/dev/null"], env=env)
    lines = [l for l in p.stderr.splitlines() if l.startswith('{"rtld_stats"')]
    check(len(lines) == 1, "no RTLD_STATS=json line:\n" + p.stderr)
    return json.loads(lines[0])["rtld_stats"]


def check_cli(root, work, prog):
    step("the installed rtld-symcache records with the installed loader")
    cli = os.path.join(root, CLI)
    cache = os.path.join(work, "cli.symcache")
    p = run([cli, "build", "--cache", cache, prog], env=clean_env(), cwd="/")
    check(re.search(r"^recorded .*cat: \d+ objects", p.stdout, re.M) and "published" in p.stdout,
          "build:\n" + p.stdout + p.stderr)
    # A closure is keyed by the recording loader's build ID: it hits only
    # under that loader.
    s = stats_json(prog, clean_env(RTLD_SYMCACHE=cache, RTLD_STATS="json"))
    check(s["symcache"] == "hit" and s["symcache_hits"] > 0,
          "the CLI's closure does not hit under the installed loader: %s" % s)
    p = run([cli, "stat", "--cache", cache], env=clean_env())
    check(re.search(r"^closures:\s+1 ", p.stdout, re.M), "stat:\n" + p.stdout)
    # RTLD_SYMCACHE_LOADER still overrides.
    p = run([cli, "build", "--cache", os.path.join(work, "other.symcache"), prog], expect=1,
            env=clean_env(RTLD_SYMCACHE_LOADER=os.path.join(work, "no-such-loader")))
    check("cannot execute the loader" in p.stderr, "RTLD_SYMCACHE_LOADER was not used:\n" + p.stderr)


def check_daemon(root, work, prog):
    step("the installed rtld-symcached records a miss with the installed loader")
    daemon = os.path.join(root, DAEMON)
    sock = os.path.join(work, "run", "symcache.sock")
    cache = os.path.join(work, "daemon.symcache")
    log = open(os.path.join(work, "daemon.log"), "w+")
    d = subprocess.Popen([daemon, "--foreground", "--socket", sock, "--cache", cache, "--batch-ms", "0",
                          "--relayout-period", "0"], stdout=log, stderr=subprocess.STDOUT,
                         env=clean_env(), cwd="/")

    def log_text():
        log.flush()
        return open(log.name).read()

    def wait_for(pattern, what):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if re.search(pattern, log_text(), re.M):
                return
            if d.poll() is not None:
                fail("the daemon exited (%d) waiting for %s:\n%s" % (d.returncode, what, log_text()))
            time.sleep(0.1)
        fail("timed out waiting for %s:\n%s" % (what, log_text()))

    try:
        wait_for(r"^rtld-symcached: relayout", "the daemon's start")
        m = re.search(r"listening on .*; loader (\S+?);", log_text())
        check(m is not None and m.group(1) == os.path.join(root, LOADER),
              "the daemon does not use the installed loader:\n" + log_text())
        env = clean_env(RTLD_SYMCACHE=cache, RTLD_SYMCACHE_SOCKET=sock, RTLD_STATS="json")
        s = stats_json(prog, env)
        check(s["symcache"] == "miss", "first start: %s" % s)
        wait_for(r"published generation \d+: 1 new", "the recording of the miss")
        s = stats_json(prog, env)
        check(s["symcache"] == "hit" and s["symcache_hits"] > 0, "after the daemon recorded it: %s" % s)
    finally:
        d.send_signal(signal.SIGTERM)
        try:
            d.wait(timeout=60)
        except subprocess.TimeoutExpired:
            d.kill()
            d.wait()
    check(d.returncode == 0, "the daemon's exit status on SIGTERM: %d\n%s" % (d.returncode, log_text()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="the source tree")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    a = ap.parse_args()
    a.source = os.path.realpath(a.source)
    a.build_deb = os.path.join(a.source, "tools", "build-deb")
    missing = [t for t in ["dpkg-buildpackage", "dh", "lintian", "fakeroot", "patchelf", "man", "readelf"]
               if shutil.which(t) is None]
    if missing:
        print("SKIP: %s missing (tools/install-deps installs them)" % ", ".join(missing))
        sys.exit(77)

    # Readable by others: the daemon, as root, records as nobody, who must
    # read the program and the installed loader.
    os.umask(0o022)
    work = os.path.realpath(tempfile.mkdtemp(prefix="rtld-package."))
    os.chmod(work, 0o755)
    try:
        deb, version, build_tree = build_package(a, os.path.join(work, "out"))
        root = os.path.join(work, "root")
        for d in ["var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"] + BASE_DIRS:
            os.makedirs(os.path.join(root, d))
        open(os.path.join(root, "var/lib/dpkg/status"), "w").close()
        stubs = os.path.join(work, "stubs")
        os.makedirs(stubs)
        for name in ["systemctl", "deb-systemd-invoke"]:
            with open(os.path.join(stubs, name), "w") as f:
                f.write("#!/bin/sh\nexit 0\n")
            os.chmod(os.path.join(stubs, name), 0o755)
        before = tree(root)

        step("dpkg --root -i " + os.path.basename(deb))
        dpkg(root, stubs, "-i", deb)
        check_files(root, version, build_tree, a.source)
        check_scripts(root)
        prog = check_programs(root, work, version)
        check_cli(root, work, prog)
        check_daemon(root, work, prog)

        step("dpkg -r: the cache stays")
        cache_file = os.path.join(root, "var/cache/rtld/symcache")
        run([os.path.join(root, CLI), "build", "--cache", cache_file, "/bin/true"], env=clean_env())
        dpkg(root, stubs, "-r", "rtld")
        left = tree(root) - before
        expected = {"var/cache/rtld", "var/cache/rtld/symcache", "var/cache/rtld/symcache.lock",
                    "etc/systemd/system/multi-user.target.wants", WANTS}
        helper_state = {p for p in left if p.startswith("var/lib/systemd/deb-systemd-helper-enabled")}
        check(left - helper_state <= expected and {"var/cache/rtld/symcache", WANTS} <= left,
              "after dpkg -r, besides the root's own: %s" % sorted(left))

        step("dpkg -P: nothing stays")
        dpkg(root, stubs, "-P", "rtld")
        check(tree(root) == before, "after dpkg -P: added %s, removed %s" %
              (sorted(tree(root) - before), sorted(before - tree(root))))
        status = run(["dpkg-query", "--root=" + root, "-W", "-f=${Status}", "rtld"], expect=None).stdout
        check(status in ("", "unknown ok not-installed"), "dpkg still knows rtld: " + status)
        print("PASS")
    finally:
        if a.keep:
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
