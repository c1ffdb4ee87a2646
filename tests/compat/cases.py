"""The cases of the compatibility tier (run by run_compat.py; README.md).

A case is one program under test (PROG) and the steps that run it: each step
is a command line in which the marker PROG stands for the program. The
runner makes the case's files in a fresh run directory (Case.setup), runs the
steps there in order and records each step's exit status, stdout and stderr.
How PROG is run is the mode's business (run_compat.py):

    system   PROG as it is (its own PT_INTERP: the system loader)
    cmd      LOADER PROG   (our loader as a command)
    interp   a patchelf'ed copy of PROG whose PT_INTERP is LOADER

A step without PROG is a helper (e.g. running what gcc built): it runs the
same way in every mode, under the system loader.

Everything here must be deterministic under the system loader: the system
leg runs each case twice, in two directories, and compares.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import subprocess
from dataclasses import dataclass, field
from typing import Callable

import linker_matrix


class _Prog:
    def __repr__(self) -> str:
        return "PROG"


PROG = _Prog()  # the marker for the program under test in a step's argv


@dataclass
class Step:
    argv: list            # str, or PROG
    cwd: str = "."        # relative to the run directory
    env: dict = field(default_factory=dict)  # added to the case's environment
    status: int = 0       # the exit status the oracle must have
    stdin: bytes = b""


@dataclass
class Case:
    name: str
    what: str             # one line: what the case asserts (README.md has more)
    prog: str             # an absolute path (an installed program), or the
                          # name of a file of `built` (then run as ./NAME)
    steps: list[Step]
    built: list[str] = field(default_factory=list)  # files of --built-dir copied into the run directory
    setup: Callable[[str], None] | None = None      # makes the case's files in the run directory
    env: dict = field(default_factory=dict)          # added to the base environment
    requires: list[str] = field(default_factory=list)  # programs that must exist (else skip)
    probes: list[list[str]] = field(default_factory=list)  # must exit 0 under the system loader (else skip)
    normalise: list[Callable[[str], str]] = field(default_factory=list)  # applied to stdout and stderr
    skip_if: Callable[[str], str | None] | None = None  # oracle transcript -> reason to skip, or None

    @property
    def prog_is_built(self) -> bool:
        return not os.path.isabs(self.prog)


# --- helpers for setup functions ------------------------------------------------

def write(path: str, data: bytes | str, mode: int = 0o644, mtime: int | None = None) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    os.chmod(path, mode)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


# 2020-01-02 03:04:05 UTC and later fixed times: more than six months in the
# past, so ls prints the year, not the time of day.
T0 = 1577934245


def make_ls_tree(run_dir: str) -> None:
    """root/data: files of fixed names, sizes, modes and mtimes, a symbolic
    link, a subdirectory; root is only there to give data/.. fixed
    attributes too."""
    root = os.path.join(run_dir, "root")
    data = os.path.join(root, "data")
    write(os.path.join(data, "alpha.txt"), "alpha\nbeta\n", 0o644, T0)
    write(os.path.join(data, "beta.bin"), bytes(range(256)) * 16, 0o600, T0 + 86400)
    write(os.path.join(data, "run.sh"), "#!/bin/sh\necho hi\n", 0o755, T0 + 2 * 86400)
    write(os.path.join(data, "empty"), b"", 0o444, T0 + 3 * 86400)
    write(os.path.join(data, "with space.txt"), "x" * 1000, 0o640, T0 + 4 * 86400)
    write(os.path.join(data, "sub", "inner.txt"), "inner\n", 0o644, T0 + 5 * 86400)
    os.symlink("alpha.txt", os.path.join(data, "link"))
    os.utime(os.path.join(data, "link"), (T0 + 6 * 86400,) * 2, follow_symlinks=False)
    # Directories last, children first: making an entry changes the mtime.
    for path, mode, when in ((os.path.join(data, "sub"), 0o750, T0 + 7 * 86400),
                             (data, 0o755, T0 + 8 * 86400), (root, 0o755, T0 + 9 * 86400)):
        os.chmod(path, mode)
        os.utime(path, (when, when))


def make_sort_input(run_dir: str) -> None:
    rng = random.Random(20240601)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 12)))
             for _ in range(3000)]
    lines = [f"{rng.choice(words)},{rng.randint(-5000, 5000)},{rng.choice(words).upper()}\n"
             for _ in range(60000)]
    write(os.path.join(run_dir, "input.txt"), "".join(lines))


def make_sha_files(run_dir: str) -> None:
    files = {
        "hello.txt": b"hello\n",
        "empty": b"",
        "big.bin": random.Random(7).randbytes(3 << 20),
        "name with spaces": b"spaces\n",
    }
    for name, data in files.items():
        write(os.path.join(run_dir, name), data)
    good = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files.items())
    write(os.path.join(run_dir, "good.sha256"), good)
    write(os.path.join(run_dir, "bad.sha256"),
          good.replace(hashlib.sha256(b"hello\n").hexdigest(), "0" * 64))


BASH_SCRIPT = r"""
declare -A colour=([sky]=blue [grass]=green)
n=0
for word in alpha be gamma; do n=$(( n + ${#word} * 3 )); done
printf 'n=%d pow=%d mod=%d\n' "$n" $(( 2 ** 40 )) $(( -7 % 3 ))
echo "args: $0 $# $*"
echo "assoc: ${colour[sky]} ${#colour[@]}"
( cd / && echo "subshell in $PWD"; exit 3 ); echo "subshell status $?"
v=$(printf 'c\na\nb\n' | /usr/bin/sort | tr '\n' ,); echo "pipeline: $v"
read -r line < <(echo "process substitution"); echo "$line"
f() { local r=$1; return $(( r + 1 )); }; f 4; echo "function status $?"
arr=(zulu yankee xray); echo "array: ${arr[*]^^} ${#arr[@]} ${arr[1]:1:3}"
printf '%(%Y-%m-%d %H:%M:%S)T\n' 86400
case "$BASH_VERSION" in 5.*) echo "bash 5";; *) echo "bash other";; esac
type -t cd; type -t f; type -t sort
x=$(/usr/bin/expr 6 \* 7); echo "external: $x"
trap 'echo "trap EXIT"' EXIT
exit 5
"""

PERL_SCRIPT = r"""
use strict; use warnings;
$Data::Dumper::Sortkeys = 1; $Data::Dumper::Indent = 1;
print sum(1..100), " ", max(3, 9, 2), " ", first(sub { $_ > 3 }, 1..10), "\n";
print join(",", pairs_to_str(List::Util::pairs(a => 1, b => 2))), "\n";
sub pairs_to_str { map { "$_->[0]=$_->[1]" } @_ }
print floor(-2.5), " ", ceil(2.1), " ", fmod(10, 3), " ", POSIX::strtol("ff", 16), "\n";
print strftime("%Y-%m-%d %H:%M:%S %j", gmtime(86400 * 365)), "\n";
print Dumper({ list => [1, 2, { b => "c" }], n => undef, s => "str" });
print md5_hex("abc"), "\n";
my $t = thaw(freeze({ x => [1..5] })); print join(",", @{ $t->{x} }), "\n";
my %h; $h{$_}++ for split //, "mississippi";
print join(",", map { "$_=$h{$_}" } sort keys %h), "\n";
printf "%.12f %s\n", atan2(1, 1) * 4, "abc" =~ /b/ ? "match" : "no";
exit 3;
"""

PY_MODULES = r"""
import ctypes, ctypes.util, decimal, hashlib, lzma, sqlite3, ssl, zlib

print("ssl:", ssl.OPENSSL_VERSION.split()[0], ssl.OPENSSL_VERSION_INFO[0] >= 3)
ctx = ssl.create_default_context()
print("ssl context:", ctx.verify_mode.name, ctx.check_hostname, ctx.minimum_version.name,
      ctx.protocol.name)
print("ssl ca certificates loaded:", ctx.cert_store_stats()["x509_ca"] > 0)

print("sha256:", hashlib.sha256(b"abc").hexdigest())
print("md5:", hashlib.md5(b"abc").hexdigest())
print("sha3_256:", hashlib.sha3_256(b"abc").hexdigest())
print("blake2b:", hashlib.blake2b(b"abc", digest_size=16).hexdigest())
print("pbkdf2:", hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 1000).hex())
print("openssl sha512:", hashlib.new("sha512", b"abc").hexdigest()[:32])

db = sqlite3.connect(":memory:")
db.execute("create table t (k text primary key, v integer)")
db.executemany("insert into t values (?, ?)", [(f"k{i:03d}", i * i) for i in range(200)])
print("sqlite:", sqlite3.sqlite_version_info >= (3, 0, 0),
      db.execute("select count(*), sum(v), max(k) from t where v % 3 = 0").fetchone(),
      db.execute("select upper('abc') || printf('%05.1f', 3.14159)").fetchone()[0])

libc = ctypes.CDLL(None)
libc.strlen.restype = ctypes.c_size_t
print("ctypes strlen (CDLL(None)):", libc.strlen(b"hello ctypes"))
libc6 = ctypes.CDLL("libc.so.6")
print("ctypes abs (libc.so.6):", libc6.abs(-42))
print("find_library('c'):", ctypes.util.find_library("c"))
CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
values = (ctypes.c_int * 8)(5, 3, 8, 1, 9, 2, 7, 4)
libc6.qsort(values, len(values), ctypes.sizeof(ctypes.c_int),
            CMP(lambda a, b: a[0] - b[0]))
print("ctypes qsort with a Python callback:", list(values))

decimal.getcontext().prec = 40
print("decimal:", decimal.Decimal(1) / decimal.Decimal(7), decimal.Decimal(2).sqrt(),
      decimal.Decimal("1.10") + decimal.Decimal("2.20"))

data = b"compat " * 5000 + bytes(range(256))
packed = lzma.compress(data, preset=6)
print("lzma:", len(data), "->", len(packed), lzma.decompress(packed) == data,
      hashlib.sha256(packed).hexdigest()[:16])
print("zlib crc32:", hex(zlib.crc32(data)))
"""

PY_THREADS = r"""
import hashlib, multiprocessing, threading

local = threading.local()
N = 64
barrier = threading.Barrier(N)
results = [None] * N

def worker(i):
    local.value = i
    local.items = [i * k for k in range(100)]
    local.digest = hashlib.sha256(str(i).encode()).hexdigest()
    barrier.wait()  # all 64 alive at once, each having set its own local data
    ok = (local.value == i and sum(local.items) == i * 4950
          and local.digest == hashlib.sha256(str(i).encode()).hexdigest())
    results[i] = (ok, threading.current_thread().name)

threads = [threading.Thread(target=worker, args=(i,), name=f"worker-{i:02d}") for i in range(N)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads:", len(results), "all saw their own local data:", all(r[0] for r in results))
print("names:", results[0][1], results[-1][1])
print("main thread has no local.value:", not hasattr(local, "value"))

def square(x):
    return x * x

def digest(x):
    return hashlib.md5(str(x).encode()).hexdigest()[:8]

if __name__ == "__main__":
    print("start method:", multiprocessing.get_start_method())
    with multiprocessing.Pool(4) as pool:
        print("pool sum of squares:", sum(pool.map(square, range(1000))))
        print("pool digests:", pool.map(digest, range(5)))
"""

HELLO_C = r"""
#include <math.h>
#include <stdio.h>
int main(int argc, char **argv) {
  printf("hello, world: argc=%d sqrt(2)=%.6f\n", argc, sqrt(argc + 1.0));
  return 0;
}
"""

# --- normalisations (each applied to stdout and stderr of every run) ----------

def gdb_normalise(text: str) -> str:
    """Addresses, process and thread ids: they vary from run to run."""
    text = re.sub(r"0x[0-9a-f]+", "0xADDR", text)
    text = re.sub(r"\b(process|LWP) [0-9]+", r"\1 N", text)
    return text


def gdb_skip_if(transcript: str) -> str | None:
    if "ptrace:" in transcript or "Could not trace" in transcript \
            or "Operation not permitted" in transcript:
        return "gdb cannot trace processes here (ptrace refused)"
    return None


def loader_normalise(text: str) -> str:
    """ldd-style lists: the loader's own path (glibc's, or ours) and load
    addresses differ between the loaders by design."""
    text = re.sub(r"\(0x[0-9a-f]+\)", "(ADDR)", text)
    text = re.sub(r"\S*/(ld\.so|ld-linux-x86-64\.so\.2)\b", "LOADER", text)
    return text


_debug_symbols: dict[str, dict[int, str] | None] = {}


def _symbols_of(library: str) -> dict[int, str] | None:
    """offset -> name of the functions in LIBRARY's separate debug file
    (libc6-dbg), or None. Uses readelf and nm from binutils."""
    if library in _debug_symbols:
        return _debug_symbols[library]
    table = None
    path = os.path.join("/lib/x86_64-linux-gnu", library)
    try:
        notes = subprocess.run(["readelf", "-n", path], capture_output=True, text=True,
                               timeout=30).stdout
        match = re.search(r"Build ID: ([0-9a-f]+)", notes)
        if match:
            build_id = match.group(1)
            debug = f"/usr/lib/debug/.build-id/{build_id[:2]}/{build_id[2:]}.debug"
            if os.path.exists(debug):
                listing = subprocess.run(["nm", "--defined-only", debug], capture_output=True,
                                         text=True, timeout=60).stdout
                table = {}
                for line in listing.splitlines():
                    parts = line.split()
                    if len(parts) == 3 and parts[1] in "tTiW":
                        table.setdefault(int(parts[0], 16), parts[2])
    except (OSError, subprocess.SubprocessError):
        table = None
    _debug_symbols[library] = table
    return table


def ifunc_annotate(text: str) -> str:
    """Adds the debug symbol name to each "LIB+0xOFFSET" (when libc6-dbg is
    installed): the same annotation of both outputs, for readable diffs."""
    def name(match: re.Match) -> str:
        table = _symbols_of(match.group(1))
        symbol = table.get(int(match.group(2), 16)) if table else None
        return match.group(0) + (f" <{symbol}>" if symbol else "")
    return re.sub(r"\b(lib[a-z0-9_]+\.so\.[0-9]+)\+(0x[0-9a-f]+)", name, text)


# --- the cases --------------------------------------------------------------------

GIT_ID = ["-c", "user.name=Compat Test", "-c", "user.email=compat@example.invalid",
          "-c", "maintenance.auto=false"]

CASES = [
    Case("ls_la", "ls -la of a tree with fixed names, sizes, modes and mtimes; a missing file",
         "/usr/bin/ls",
         [Step([PROG, "-la", "root/data"]),
          Step([PROG, "-lRn", "--time-style=full-iso", "root"]),
          Step([PROG, "-la", "root/missing"], status=2)],
         setup=make_ls_tree),
    Case("sort", "sort of 60000 generated lines by two keys, two threads, temporary files",
         "/usr/bin/sort",
         [Step([PROG, "--parallel=2", "-S", "256K", "-t,", "-k2,2n", "-k1,1", "-k3,3r",
                "input.txt"]),
          Step([PROG, "-u", "-t,", "-k3,3", "input.txt", "-o", "unique.txt"]),
          Step(["/usr/bin/sha256sum", "unique.txt"])],
         setup=make_sort_input),
    Case("sha256sum", "sha256sum of generated files; --check passing and failing",
         "/usr/bin/sha256sum",
         [Step([PROG, "hello.txt", "empty", "big.bin", "name with spaces"]),
          Step([PROG, "--check", "--strict", "good.sha256"]),
          Step([PROG, "--check", "bad.sha256"], status=1),
          Step([PROG, "-"], stdin=b"from stdin\n")],
         setup=make_sha_files),
    Case("date", "date -u -d @0, parsing and formatting, a time zone from tzdata",
         "/usr/bin/date",
         [Step([PROG, "-u", "-d", "@0"]),
          Step([PROG, "-u", "-d", "2001-02-03 04:05:06", "+%s %A %j %B"]),
          Step([PROG, "-d", "@1234567890", "+%F %T %Z %z"], env={"TZ": "Europe/Paris"}),
          Step([PROG, "-d", "not a date"], status=1)]),
    Case("bash", "bash -c: builtins, arithmetic, arrays, a subshell, a pipeline, external commands",
         "/usr/bin/bash",
         [Step([PROG, "-c", BASH_SCRIPT, "argzero", "one", "two"], status=5)]),
    Case("perl_xs", "perl with XS modules: List::Util, POSIX, Data::Dumper, Digest::MD5, Storable",
         "/usr/bin/perl",
         [Step([PROG, "-MList::Util=sum,max,first", "-MPOSIX=floor,ceil,fmod,strftime",
                "-MData::Dumper", "-MDigest::MD5=md5_hex", "-MStorable=freeze,thaw",
                "-e", PERL_SCRIPT], status=3)],
         env={"PERL_HASH_SEED": "0", "PERL_PERTURB_KEYS": "0"},
         probes=[["/usr/bin/perl", "-MList::Util", "-MPOSIX", "-MData::Dumper",
                  "-MDigest::MD5", "-MStorable", "-e", "1"]]),
    Case("python_modules", "python3 using ssl, hashlib, sqlite3, ctypes, decimal, lzma",
         "/usr/bin/python3",
         [Step([PROG, "-I", "-B", "modules.py"])],
         setup=lambda d: write(os.path.join(d, "modules.py"), PY_MODULES),
         probes=[["/usr/bin/python3", "-I", "-c",
                  "import ssl, hashlib, sqlite3, ctypes, decimal, lzma"]]),
    Case("python_threads", "python3: 64 threads with threading.local data, a multiprocessing Pool(4)",
         "/usr/bin/python3",
         [Step([PROG, "-I", "-B", "threads.py"])],
         setup=lambda d: write(os.path.join(d, "threads.py"), PY_THREADS),
         probes=[["/usr/bin/python3", "-I", "-c", "import multiprocessing.pool"]]),
    Case("cxx_exceptions", "C++: exceptions across a library and a dlopen'ed plugin, "
         "thread_local destructors, static constructors and destructors",
         "cxx_prog",
         [Step([PROG, "./libcompat_plugin.so"])],
         built=["cxx_prog", "libcompat_cxx.so", "libcompat_plugin.so"]),
    Case("c_tls_auxv", "C: pthreads with __thread (local-exec, initial-exec, global-dynamic, "
         "dynamic), errno, getauxval",
         "tls_prog",
         [Step([PROG, "./libcompat_tls_dyn.so"])],
         built=["tls_prog", "libcompat_tls.so", "libcompat_tls_dyn.so"]),
    Case("ifunc_choice", "the implementations IFUNC resolvers chose: memcpy, strlen, memset, "
         "strchr, ... and libm's sin, exp, log, pow, floor",
         "ifunc_choice",
         [Step([PROG])],
         built=["ifunc_choice"],
         normalise=[ifunc_annotate]),
    Case("dl_semantics", "glibc's lookup rules: a DT_FILTER's filtee first, one instance of a "
         "unique C++ static in two RTLD_LOCAL plugins, RTLD_NEXT along LD_PRELOAD, scopes "
         "extended by a later dlopen",
         "sem_prog",
         [Step([PROG, "filter"]),
          Step([PROG, "unique"]),
          Step([PROG, "next"], env={"LD_PRELOAD": "./libcompat_sem_pre1.so ./libcompat_sem_pre2.so "
                                                  "./libcompat_sem_pre3.so"}),
          Step([PROG, "rescope"])],
         built=["sem_prog", "libcompat_sem_filter.so", "libcompat_sem_filtee.so",
                "libcompat_sem_base.so", "libcompat_sem_pre1.so", "libcompat_sem_pre2.so",
                "libcompat_sem_pre3.so", "libcompat_sem_u1.so", "libcompat_sem_u2.so",
                "libcompat_sem_rdep.so", "libcompat_sem_ra.so", "libcompat_sem_rc.so"]),
    Case("dladdr_hash", "dladdr, dladdr1, backtrace_symbols in libraries with a GNU, a SysV "
         "and both hash tables; glibc's link_map l_info slots and hash fields",
         "dladdr_prog",
         [Step([PROG])],
         built=["dladdr_prog", "libcompat_dladdr_gnu.so", "libcompat_dladdr_sysv.so",
                "libcompat_dladdr_both.so"]),
    Case("gcc_hello", "gcc compiles and links hello world (gcc's own children: system loader)",
         "/usr/bin/gcc",
         [Step([PROG, "-print-prog-name=cc1"]),
          Step([PROG, "-O2", "-Wall", "-Werror", "-o", "hello", "hello.c", "-lm"]),
          Step(["./hello", "x"]),
          Step(["/usr/bin/sha256sum", "hello"]),
          Step([PROG, "-Wall", "-Werror", "-c", "broken.c"], status=1)],
         setup=lambda d: (write(os.path.join(d, "hello.c"), HELLO_C),
                          write(os.path.join(d, "broken.c"), "int main(void) { return x; }\n")),
         requires=["/usr/bin/gcc"]),
    Case("git", "git init, add, commit (fixed identities and dates), log, status, cat-file",
         "/usr/bin/git",
         [Step([PROG, "init", "-b", "main", "repo"]),
          Step([PROG, "add", "a.txt", "dir/b.txt"], cwd="repo"),
          Step([PROG] + GIT_ID + ["commit", "-m", "first"], cwd="repo"),
          Step([PROG] + GIT_ID + ["commit", "--allow-empty", "-m", "x"], cwd="repo"),
          Step([PROG, "log", "--format=%H %an <%ae> %ad %s", "--date=iso-strict"], cwd="repo"),
          Step([PROG, "status", "--short", "--branch"], cwd="repo"),
          Step([PROG, "cat-file", "-p", "HEAD~1^{tree}"], cwd="repo"),
          Step([PROG, "no-such-command"], cwd="repo", status=1)],
         setup=lambda d: (write(os.path.join(d, "repo", "a.txt"), "a\n"),
                          write(os.path.join(d, "repo", "dir", "b.txt"), "b\n" * 100),
                          write(os.path.join(d, "repo", "untracked"), "u\n")),
         env={"GIT_AUTHOR_DATE": "2005-04-07T22:13:13+0000",
              "GIT_COMMITTER_DATE": "2005-04-07T22:13:13+0000",
              "GIT_CONFIG_NOSYSTEM": "1", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"},
         requires=["/usr/bin/git"]),
    Case("gdb_batch", "gdb -batch (under the loader tested) stops a normal program in puts, bt",
         "/usr/bin/gdb",
         [Step([PROG, "-nx", "-batch", "-iex", "set debuginfod enabled off",
                "-ex", "set startup-with-shell off", "-ex", "break puts", "-ex", "run",
                "-ex", "bt", "-ex", "info sharedlibrary", "-ex", "continue",
                "--args", "./gdb_target"])],
         built=["gdb_target"],
         requires=["/usr/bin/gdb"],
         normalise=[gdb_normalise],
         skip_if=gdb_skip_if),
    Case("nss", "getent through libc's NSS (modules libc loads itself): passwd, group, hosts",
         "/usr/bin/getent",
         [Step([PROG, "passwd", "root"]),
          Step([PROG, "group", "root"]),
          Step([PROG, "hosts", "localhost"]),
          Step([PROG, "passwd", "no-such-user-here"], status=2)]),
    Case("iconv", "iconv through gconv modules libc dlopens: IBM850 and EBCDIC-US to and from UTF-8",
         "/usr/bin/iconv",
         [Step([PROG, "-f", "IBM850", "-t", "UTF-8"], stdin=b"caf\x82 na\x8bve\n"),
          Step([PROG, "-f", "UTF-8", "-t", "EBCDIC-US"], stdin=b"hello, world\n"),
          Step([PROG, "-f", "UTF-8", "-t", "NO-SUCH-CHARSET"], stdin=b"x\n", status=1)]),
    Case("ldd_trace", "LD_TRACE_LOADED_OBJECTS=1 (what ldd runs): the same list of objects and paths",
         "/usr/bin/python3",
         [Step([PROG], env={"LD_TRACE_LOADED_OBJECTS": "1"})],
         normalise=[loader_normalise]),
    Case("valgrind_ls", "valgrind --error-exitcode=1 -q (itself unchanged) runs ls under the loader",
         "/usr/bin/ls",
         [Step(["/usr/bin/valgrind", "--error-exitcode=1", "-q", PROG, "-la", "root/data"])],
         setup=make_ls_tree,
         requires=["/usr/bin/valgrind"]),
    Case("dl_lifecycle", "objects coming and going: executable stacks for threads after a dlopen, "
         "dl_iterate_phdr counts, -z nodlopen and -z nodelete, destructors that dlclose or exit, "
         "a dlopen inside malloc, DT_RELR without GLIBC_ABI_DT_RELR",
         "lifecycle",
         [Step([PROG, "execstack"]),
          Step([PROG, "counts"]),
          Step([PROG, "nodlopen"]),
          Step([PROG, "nodelete"]),
          Step([PROG, "atexit"]),
          Step([PROG, "exit"], status=3),
          Step([PROG, "recursive"], env={"LD_PRELOAD": "./libcompat_lc_malloc.so"}),
          Step([PROG, "relr"])],
         built=["lifecycle", "libcompat_lc_init.so", "libcompat_lc_dep.so", "libcompat_lc_noopen.so",
                "libcompat_lc_execstack.so", "libcompat_lc_outer.so", "libcompat_lc_inner.so",
                "libcompat_lc_nodelete.so", "libcompat_lc_exit.so", "libcompat_lc_user.so",
                "libcompat_lc_malloc.so", "libcompat_lc_relr.so"]),
    Case("tags_hostile", "dynamic tags glibc ignores (0x80000000, 0x17ffffc17, -16) in the program, "
         "its library and a dlopen'ed plugin: calls, dlsym, TLS, dladdr, dlinfo, dlclose",
         "tags_prog",
         [Step([PROG, "./libcompat_tags_plugin.so"])],
         built=["tags_prog", "libcompat_tags.so", "libcompat_tags_plugin.so"]),
    Case("dl_cycles", "100,000 dlopen/dlclose cycles (after 1,000) grow RssAnon by less than 64 KiB",
         "dl_cycles",
         [Step([PROG, "./libcompat_cycle.so"])],
         built=["dl_cycles", "libcompat_cycle.so"]),
]

# The linker matrix (linker_matrix.py): one case per cell.
CASES += [
    Case(f"matrix_{cell.name}",
         f"C++ (exceptions, thread_local, IFUNC, TLS, 64-byte aligned plugin TLS, threads) "
         f"linked by {cell.linker}, {'PIE' if cell.pie else 'non-PIE'}, TLS dialect {cell.dialect}"
         + (", " + " ".join(f.removeprefix("-Wl,") for f in cell.flags) if cell.flags else ""),
         f"matrix_{cell.name}",
         [Step([PROG, f"./matrix_plugin_{cell.name}.so"])],
         built=linker_matrix.built_files(cell))
    for cell in linker_matrix.CELLS
]

CASES_BY_NAME = {case.name: case for case in CASES}
