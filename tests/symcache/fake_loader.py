#!/usr/bin/python3
"""A stand-in for `ld.so --record-bindings OUTFILE PROGRAM`, so the CLI and
daemon tests do not depend on the loader. Writes a small, valid recording
keyed by the program's real stat and a fake library; the env line is the
env hash of rtld/elf/symcache.h computed here independently.

Behaviour by program name: *fail* exits 1 with a message, *hang* sleeps,
*garbage* writes a malformed recording. FAKE_LOADER_DELAY (seconds) slows
every recording."""
import os
import sys
import time

ENV_VARS = ["LD_LIBRARY_PATH", "LD_PRELOAD", "LD_BIND_NOW", "LD_DYNAMIC_WEAK", "LD_AUDIT"]


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


def key(st):
    return "%d %d %d %d %d" % (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def main():
    if len(sys.argv) != 4 or sys.argv[1] != "--record-bindings":
        print("fake_loader: usage: --record-bindings OUT PROGRAM", file=sys.stderr)
        return 2
    out, prog = sys.argv[2], sys.argv[3]
    delay = float(os.environ.get("FAKE_LOADER_DELAY", "0"))
    if delay:
        time.sleep(delay)
    name = os.path.basename(prog)
    if "fail" in name:
        print("fake_loader: cannot load %s" % prog, file=sys.stderr)
        return 1
    if "hang" in name:
        time.sleep(3600)
    try:
        st = os.stat(prog)
    except OSError as e:
        print("fake_loader: %s: %s" % (prog, e.strerror), file=sys.stderr)
        return 127
    lib = os.stat(sys.executable)
    with open(out, "w") as f:
        if "garbage" in name:
            f.write("rtld-bindings 1\nenv zz\n")
            return 0
        f.write("rtld-bindings 1\n")
        f.write("env %016x\n" % env_hash(os.environ))
        f.write("object 0 %s 40 - %s\n" % (key(st), prog))
        f.write("object 1 0 0 0 0 0 14 linux-vdso.so.1 linux-vdso.so.1\n")
        f.write("object 2 %s 300 libfake.so.1 %s\n" % (key(lib), sys.executable))
        for s in range(1, 30, 3):
            f.write("bind 0 %d 2 %d\n" % (s, s * 7))
        f.write("bind 0 31 -1 0\n")
        f.write("bind 2 250 2 251\n")
        f.write("end\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
