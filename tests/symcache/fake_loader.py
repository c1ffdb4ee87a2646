#!/usr/bin/python3
"""A stand-in for `ld.so --record-fd 3 [--record-layout ADDRESS] PROGRAM`
(also `--record-bindings OUTFILE` in place of --record-fd), so the CLI and
daemon tests do not depend on the loader. Writes a small, valid recording
(format "rtld-bindings 2") keyed by the program's real stat and build ID and
a fake library (this Python interpreter); the env line is the env hash of
rtld/elf/symcache.h and the build-ID hash its BuildIdHash, both computed here
independently.

With --record-layout the fake library is placed at ADDRESS and imaged: two
runs (three pages, written to descriptor 4 or OUTFILE.pages; their bytes
depend on ADDRESS and the program, as relocated pages would), two patches
and a lazy PLT slot.

Behaviour by program name: *fail* exits 1 with a message, *hang* sleeps,
*garbage* writes a malformed recording, *noimage* says "noimages" instead of
imaging, *layoutfail* exits 1 only when asked for a layout, *crash* kills
itself with SIGSEGV, *whoami* reports its credentials and limits on stderr
and exits 1, *forks* tries to fork, reports and exits 1, *bigwrite* writes
its recording without end (until a file-size limit stops it), *spin* burns
CPU time without end. FAKE_LOADER_DELAY
(seconds) slows every recording. With FAKE_LOADER_REAL set (a loader), any
other program is recorded by that loader (exec, same arguments): the daemon
checks recordings against the files, which only a real loader's pass."""
import os
import resource
import signal
import struct
import sys
import time

ENV_VARS = ["LD_LIBRARY_PATH", "LD_PRELOAD", "LD_BIND_NOW", "LD_DYNAMIC_WEAK", "LD_AUDIT"]
PAGE = 4096
FNV_BASIS, FNV_PRIME, MASK = 0xcbf29ce484222325, 0x100000001b3, 0xFFFFFFFFFFFFFFFF


def fnv(data, h=FNV_BASIS):
    for c in data:
        h = ((h ^ c) * FNV_PRIME) & MASK
    return h


def env_hash(env, mode=0):
    data = b""
    for name in ENV_VARS:
        if name in env:
            data += name.encode() + b"=" + env[name].encode() + b"\0"
    return fnv(data + bytes([mode]))


def build_id_hash(path):
    """FNV-1a 64 of the NT_GNU_BUILD_ID descriptor found through PT_NOTE
    (segments of at most 4096 bytes, as the loader reads them), never 0;
    0 without one."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return 0
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type != 4 or p_filesz == 0 or p_filesz > 4096:  # PT_NOTE
            continue
        note = data[p_offset:p_offset + p_filesz]
        at = 0
        while at + 12 <= len(note):
            namesz, descsz, ntype = struct.unpack_from("<III", note, at)
            name = at + 12
            desc = name + ((namesz + 3) & ~3)
            if desc + descsz > len(note):
                break
            if ntype == 3 and namesz == 4 and note[name:name + 4] == b"GNU\0":  # NT_GNU_BUILD_ID
                return fnv(note[desc:desc + descsz]) or 1
            at = desc + ((descsz + 3) & ~3)
    return 0


def key(path):
    st = os.stat(path)
    return "%d %d %d %d %d %016x" % (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                     build_id_hash(path))


def main():
    args = sys.argv[1:]
    layout = 0
    if len(args) == 5 and args[2] == "--record-layout":
        layout = int(args[3], 16)
        del args[2:4]
    if len(args) != 3 or args[0] not in ("--record-bindings", "--record-fd"):
        print("fake_loader: usage: --record-fd N|--record-bindings OUT [--record-layout ADDRESS] PROGRAM",
              file=sys.stderr)
        return 2
    prog = args[2]
    name = os.path.basename(prog)
    special = ["fail", "hang", "garbage", "noimage", "crash", "whoami", "forks", "bigwrite", "spin"]
    real = os.environ.get("FAKE_LOADER_REAL")
    if real and not any(w in name for w in special):
        os.execv(real, [real] + sys.argv[1:])
    if args[0] == "--record-fd":
        fd = int(args[1])
        out, pages = os.fdopen(fd, "w"), lambda: os.fdopen(fd + 1, "wb")
    else:
        out, pages = open(args[1], "w"), lambda: open(args[1] + ".pages", "wb")
    delay = float(os.environ.get("FAKE_LOADER_DELAY", "0"))
    if delay:
        time.sleep(delay)
    if "fail" in name and ("layoutfail" not in name or layout):
        print("fake_loader: cannot load %s" % prog, file=sys.stderr)
        return 1
    if "hang" in name:
        time.sleep(3600)
    if "crash" in name:
        os.kill(os.getpid(), signal.SIGSEGV)
    if "whoami" in name:
        lim = " ".join("%s=%d/%d" % ((n,) + resource.getrlimit(getattr(resource, "RLIMIT_" + n)))
                       for n in ["AS", "CPU", "FSIZE", "NOFILE", "NPROC", "CORE"])
        print("fake_loader: whoami uid=%d euid=%d gid=%d groups=%s %s" %
              (os.getuid(), os.geteuid(), os.getgid(), sorted(os.getgroups()), lim), file=sys.stderr)
        return 1
    if "bigwrite" in name:
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # (Python ignores it; a loader does not)
        chunk = "bind 0 1 0 1\n" * 4096
        while True:
            out.write(chunk)
            out.flush()
    if "spin" in name:
        while True:
            pass
    if "forks" in name:
        try:
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)
            print("fake_loader: forked", file=sys.stderr)
        except OSError as e:
            print("fake_loader: fork failed: %s" % e.strerror, file=sys.stderr)
        return 1
    try:
        pkey = key(prog)
    except OSError as e:
        print("fake_loader: %s: %s" % (prog, e.strerror), file=sys.stderr)
        return 127
    with out as f:
        if "garbage" in name:
            f.write("rtld-bindings 2\nenv zz\n")
            return 0
        f.write("rtld-bindings 2\n")
        f.write("env %016x\n" % env_hash(os.environ))
        f.write("object 0 %s 40 - %s\n" % (pkey, prog))
        f.write("object 1 0 0 0 0 0 0000000000000000 14 linux-vdso.so.1 linux-vdso.so.1\n")
        f.write("object 2 %s 300 libfake.so.1 %s\n" % (key(sys.executable), sys.executable))
        if layout:
            bias = (layout + 0xfff) & ~0xfff
            f.write("layout 2 %x\n" % bias)
            if "noimage" in name:
                f.write("noimages a reference is undefined\n")
            else:
                f.write("imaged 2\nimage 2 3000 2 0\nimage 2 9000 1 2\n")
                f.write("patch 2 3008 8 10\nlazy 2 3010 7 1036\npatch 2 9000 6 0\n")
                with pages() as p:
                    seed = ("%x %s" % (bias, prog)).encode()
                    for page in range(3):
                        p.write((seed + b" page %d\n" % page).ljust(PAGE, b"\xa5"))
        for s in range(1, 30, 3):
            f.write("bind 0 %d 2 %d\n" % (s, s * 7))
        f.write("bind 0 31 -1 0\n")
        f.write("bind 2 250 2 251\n")
        f.write("end\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
