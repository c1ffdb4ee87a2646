#!/usr/bin/python3
"""Check rtld/glibc/layout.h against glibc's own debug information.

Two modes, one source of truth (gdb's `ptype /o` of glibc's types):

  layout_test.py gen --output probe.cpp [--gdb GDB]
      (build time) writes a hosted C++ program that, for each of our
      structures, tries every field path glibc's structure has (and every
      `pad_<offset>` name), detects with C++20 requires-expressions which
      names ours declares, and prints their offsets and sizes (bit positions
      and widths for bitfields, measured at run time).

  layout_test.py check --probe PROBE [--gdb GDB]
      (test) runs gdb again, runs the probe and compares: every member we
      declare must sit where glibc's does with glibc's size (bit position and
      width for bitfields), every structure must have glibc's size and
      alignment, every REQUIRED field (contract §2: fields libc reads or
      writes) must be declared, and every bit glibc gives a field must be
      covered by one of our glibc-named members or a pad_ member (so a
      misspelt name cannot hide). Glibc fields we leave unnamed are listed
      for information.

The debug files are found by build-id under /usr/lib/debug/.build-id. The
check exits 77 (skip) when gdb, libc6-dbg or glibc 2.36 is missing.
"""

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys

SKIP = 77
LDSO = '/lib64/ld-linux-x86-64.so.2'
LIBC = '/lib/x86_64-linux-gnu/libc.so.6'
DEBUG_ROOT = '/usr/lib/debug/.build-id'
GLIBC_VERSION = '2.36'

# Our structure (in rtld::glibc) <- glibc's type, as gdb names it, and which
# debug file describes it ('ld': ld.so's, 'libc': libc.so.6's). An expression
# instead of a type name has no alignment to compare.
STRUCTS = [
    ('RtldGlobal', 'struct rtld_global', 'ld'),
    ('RtldGlobalRo', 'struct rtld_global_ro', 'ld'),
    ('LinkMap', 'struct link_map', 'ld'),
    ('LinkNamespaces', 'struct link_namespaces', 'ld'),
    ('RScopeElem', 'struct r_scope_elem', 'ld'),
    ('RSearchPath', 'struct r_search_path_struct', 'ld'),
    ('RSearchPathElem', 'struct r_search_path_elem', 'ld'),
    ('LibnameList', 'struct libname_list', 'ld'),
    ('RFileId', 'struct r_file_id', 'ld'),
    ('RFoundVersion', 'struct r_found_version', 'ld'),
    ('LinkMapMachine', 'struct link_map_machine', 'ld'),
    ('ReldepList', 'struct link_map_reldeps', 'ld'),
    ('RelocResult', 'struct reloc_result', 'ld'),
    ('AuditState', 'struct auditstate', 'ld'),
    ('RDebug', 'struct r_debug', 'ld'),
    ('RDebugExtended', 'struct r_debug_extended', 'ld'),
    ('UniqueSym', 'struct unique_sym', 'ld'),
    ('UniqueSymTable', 'struct unique_sym_table', 'ld'),
    ('DtvPointer', 'struct dtv_pointer', 'ld'),
    ('Dtv', 'dtv_t', 'ld'),
    ('DtvSlotinfo', 'struct dtv_slotinfo', 'ld'),
    ('DtvSlotinfoList', 'struct dtv_slotinfo_list', 'ld'),
    ('DlScopeFreeList', 'struct dl_scope_free_list', 'ld'),
    ('DlException', 'struct dl_exception', 'ld'),
    ('DlFindObject', 'struct dl_find_object', 'ld'),
    ('DlX86FeatureControl', 'struct dl_x86_feature_control', 'ld'),
    ('ListT', 'list_t', 'ld'),
    ('PthreadInternalList', '__pthread_list_t', 'ld'),
    ('PthreadMutex', 'pthread_mutex_t', 'ld'),
    ('PthreadMutex::PthreadMutexData', 'struct __pthread_mutex_s', 'ld'),
    ('RtldLockRecursive', '__rtld_lock_recursive_t', 'ld'),
    ('Pthread', 'struct pthread', 'libc'),
    ('Tcbhead', 'tcbhead_t', 'libc'),
    ('Int128Bits', '__128bits', 'libc'),
    ('RobustListHead', 'struct robust_list_head', 'libc'),
    ('PthreadKeyData', 'struct pthread_key_data', 'libc'),
    ('TdThrEvents', 'td_thr_events_t', 'libc'),
    ('TdEventbuf', 'td_eventbuf_t', 'libc'),
    ('SchedParam', 'struct sched_param', 'libc'),
    ('UnwindException', 'struct _Unwind_Exception', 'libc'),
    ('InternalSigset', 'internal_sigset_t', 'libc'),
    ('TlsInternal', 'struct tls_internal_t', 'libc'),
    ('Rseq', '((struct pthread *) 0)->rseq_area', 'libc'),
]

# Fields named in contract §2 as read or written by libc (or set by the
# loader for libc, or read by gdb/libthread_db): they must be declared.
REQUIRED = {
    'RtldGlobal': [
        '_dl_ns', '_dl_ns[0]._ns_loaded', '_dl_ns[0]._ns_nloaded', '_dl_ns[0]._ns_main_searchlist',
        '_dl_ns[0]._ns_global_scope_alloc', '_dl_nns', '_dl_load_lock', '_dl_load_write_lock',
        '_dl_load_tls_lock', '_dl_load_adds', '_dl_profile_map', '_dl_all_dirs', '_dl_rtld_map',
        '_dl_stack_flags', '_dl_tls_max_dtv_idx', '_dl_tls_dtv_slotinfo_list', '_dl_tls_static_used',
        '_dl_tls_static_optional', '_dl_initial_dtv', '_dl_tls_generation', '_dl_scope_free_list',
        '_dl_stack_used', '_dl_stack_user', '_dl_stack_cache', '_dl_stack_cache_actsize',
        '_dl_in_flight_stack', '_dl_stack_cache_lock', '_dl_num_relocations', '_dl_x86_feature_1',
        '_dl_load_lock.mutex.__data.__kind',
    ],
    'RtldGlobalRo': [
        '_dl_debug_mask', '_dl_platform', '_dl_pagesize', '_dl_minsigstacksize',
        '_dl_initial_searchlist', '_dl_clktck', '_dl_fpu_control', '_dl_hwcap', '_dl_auxv',
        '_dl_x86_cpu_features', '_dl_tls_static_size', '_dl_tls_static_align', '_dl_tls_static_surplus',
        '_dl_init_all_dirs', '_dl_sysinfo_dso', '_dl_sysinfo_map', '_dl_vdso_clock_gettime64',
        '_dl_vdso_gettimeofday', '_dl_vdso_time', '_dl_vdso_getcpu', '_dl_vdso_clock_getres_time64',
        '_dl_hwcap2', '_dl_debug_printf', '_dl_mcount', '_dl_lookup_symbol_x', '_dl_open', '_dl_close',
        '_dl_catch_error', '_dl_error_free', '_dl_tls_get_addr_soft', '_dl_libc_freeres',
        '_dl_find_object', '_dl_dlfcn_hook', '_dl_audit', '_dl_naudit',
    ],
    'LinkMap': [
        'l_addr', 'l_name', 'l_ld', 'l_next', 'l_prev', 'l_real', 'l_ns', 'l_libname', 'l_info',
        'l_phdr', 'l_phnum', 'l_searchlist', 'l_searchlist.r_list', 'l_searchlist.r_nlist', 'l_loader',
        'l_nbuckets', 'l_gnu_buckets', 'l_chain', 'l_gnu_chain_zero', 'l_buckets', 'l_type',
        'l_relocated', 'l_init_called', 'l_contiguous', 'l_free_initfini', 'l_ld_readonly', 'l_origin',
        'l_map_start', 'l_map_end', 'l_scope_mem', 'l_scope', 'l_local_scope', 'l_initfini',
        'l_tls_offset', 'l_tls_modid', 'l_tls_dtor_count',
    ],
    'LinkNamespaces': ['_ns_loaded', '_ns_nloaded', '_ns_main_searchlist', '_ns_global_scope_alloc',
                       '_ns_debug'],
    'RScopeElem': ['r_list', 'r_nlist'],
    'LibnameList': ['name', 'next', 'dont_free'],
    'RFoundVersion': ['name', 'hash', 'hidden', 'filename'],
    'RSearchPathElem': ['next'],
    'RDebug': ['r_version', 'r_map', 'r_brk', 'r_state', 'r_ldbase'],
    'RDebugExtended': ['base', 'r_next'],
    'DtvPointer': ['val', 'to_free'],
    'Dtv': ['counter', 'pointer', 'pointer.val', 'pointer.to_free'],
    'DtvSlotinfo': ['gen', 'map'],
    'DtvSlotinfoList': ['len', 'next', 'slotinfo'],
    'DlScopeFreeList': ['count', 'list'],
    'DlException': ['objname', 'errstring', 'message_buffer'],
    'DlFindObject': ['dlfo_flags', 'dlfo_map_start', 'dlfo_map_end', 'dlfo_link_map', 'dlfo_eh_frame'],
    'ListT': ['next', 'prev'],
    'PthreadMutex': ['__data', '__data.__lock', '__data.__count', '__data.__owner', '__data.__nusers',
                     '__data.__kind', '__data.__spins', '__data.__elision', '__data.__list'],
    'RtldLockRecursive': ['mutex'],
    'Pthread': [
        'header', 'header.tcb', 'header.dtv', 'header.self', 'header.multiple_threads',
        'header.gscope_flag', 'header.stack_guard', 'header.pointer_guard', 'header.feature_1', 'list',
        'tid', 'robust_prev', 'robust_head', 'robust_head.list', 'robust_head.futex_offset',
        'robust_head.list_op_pending', 'specific_1stblock', 'specific', 'report_events', 'user_stack',
        'stackblock', 'stackblock_size', 'rseq_area', 'rseq_area.cpu_id_start', 'rseq_area.cpu_id',
        'rseq_area.rseq_cs', 'rseq_area.flags',
    ],
    'Tcbhead': ['tcb', 'dtv', 'self', 'multiple_threads', 'gscope_flag', 'sysinfo', 'stack_guard',
                'pointer_guard', 'feature_1'],
    'RobustListHead': ['list', 'futex_offset', 'list_op_pending'],
    'Rseq': ['cpu_id_start', 'cpu_id', 'rseq_cs', 'flags'],
}

SCALAR_WORDS = {'unsigned', 'signed', 'char', 'short', 'int', 'long', 'float', 'double', '_Bool', 'void'}


class Skip(Exception):
    pass


# --- Locating the debug information -------------------------------------------

def build_id(path):
    """The NT_GNU_BUILD_ID of an ELF64 little-endian file, as hex."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        raise Skip(f'{path} is not an ELF64 little-endian file')
    e_phoff, = struct.unpack_from('<Q', data, 32)
    e_phentsize, e_phnum = struct.unpack_from('<HH', data, 54)
    for i in range(e_phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from('<IIQQQQ', data, e_phoff + i * e_phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        pos, end = p_offset, p_offset + p_filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from('<III', data, pos)
            name = data[pos + 12:pos + 12 + namesz]
            desc_at = pos + 12 + ((namesz + 3) & ~3)
            if ntype == 3 and name == b'GNU\0':  # NT_GNU_BUILD_ID
                return data[desc_at:desc_at + descsz].hex()
            pos = desc_at + ((descsz + 3) & ~3)
    raise Skip(f'{path} has no GNU build-id note')


def debug_file(path):
    bid = build_id(path)
    dbg = os.path.join(DEBUG_ROOT, bid[:2], bid[2:] + '.debug')
    if not os.path.isfile(dbg):
        raise Skip(f'no debug information for {path} (build-id {bid}): expected {dbg}; '
                   'install libc6-dbg (the version matching libc6)')
    return dbg, bid


def environment(gdb):
    try:
        version = os.confstr('CS_GNU_LIBC_VERSION') or ''
    except (ValueError, OSError):
        version = ''
    if version != 'glibc ' + GLIBC_VERSION:
        raise Skip(f'the installed C library is "{version or "not glibc"}", not glibc {GLIBC_VERSION}')
    gdb = gdb or shutil.which('gdb')
    if not gdb or not os.access(gdb, os.X_OK):
        raise Skip('gdb is not installed')
    files = {}
    for key, path in (('ld', LDSO), ('libc', LIBC)):
        if not os.path.exists(path):
            raise Skip(f'{path} does not exist')
        files[key] = debug_file(os.path.realpath(path))
    return gdb, files


# --- gdb -------------------------------------------------------------------

class Gdb:
    """One gdb process on one debug file, driven through a pipe."""

    def __init__(self, gdb, path):
        self.p = subprocess.Popen(
            [gdb, '-q', '-nx', '-ex', 'set width 0', '-ex', 'set height 0', '-ex', 'set prompt',
             '-ex', 'set confirm off', '-ex', 'set pagination off', path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, LC_ALL='C', TERM='dumb'))
        self.query('echo')  # swallow "Reading symbols from ..."

    def query(self, cmd):
        self.p.stdin.write(cmd + '\necho @@END@@\\n\n')
        self.p.stdin.flush()
        out = []
        for line in self.p.stdout:
            if line.rstrip('\n').endswith('@@END@@'):
                head = line.rstrip('\n')[:-len('@@END@@')]
                if head:
                    out.append(head)
                return ''.join(out)
            out.append(line)
        raise RuntimeError(f'gdb exited during "{cmd}": {"".join(out)}')

    def close(self):
        self.p.stdin.close()
        self.p.wait()


# --- Parsing `ptype /o` ------------------------------------------------------

class Node:
    def __init__(self, name=None, dims=(), off=0, bitpos=None, size=0, bitsize=None, typ=None,
                 kind='field', children=None):
        self.name, self.dims, self.off, self.bitpos = name, dims, off, bitpos
        self.size, self.bitsize, self.typ, self.kind = size, bitsize, typ, kind
        self.children = children  # None: not expanded inline

    def shift(self, delta):
        self.off += delta
        for c in self.children or ():
            c.shift(delta)


LINE_RE = re.compile(r'^/\*\s*(?:(\d+)(?::\s*(\d+))?\s*\|)?\s*(\d+)\s*\*/\s?(.*)$')
CLOSE_RE = re.compile(r'^\}\s*(\w+)?\s*((?:\[\d*\])*)\s*;?\s*$')
DIMS_RE = re.compile(r'\[(\d*)\]')


def parse_dims(text):
    return tuple(int(d) if d else None for d in DIMS_RE.findall(text or ''))


def parse_decl(decl):
    """-> (name, dims, bitsize, type or None for pointers/functions)."""
    decl = decl.strip().rstrip(';').strip()
    m = re.search(r'\(\*\s*(\w+)\)\s*((?:\[\d*\])*)\s*\(', decl)
    if m:  # pointer to function
        return m.group(1), parse_dims(m.group(2)), None, None
    bitsize = None
    m = re.match(r'^(.*?)\s*:\s*(\d+)$', decl)
    if m:
        decl, bitsize = m.group(1), int(m.group(2))
    m = re.match(r'^(.*?)(\w+)\s*((?:\[\d*\])*)$', decl)
    if not m:
        raise ValueError(f'cannot parse declaration "{decl}"')
    typ = m.group(1).strip()
    if typ.endswith('*'):
        typ = None
    return m.group(2), parse_dims(m.group(3)), bitsize, typ


def parse_ptype(text):
    """The root Node of one `ptype /o` output, or None if not a struct/union."""
    lines = text.splitlines()
    root, stack = None, []
    for raw in lines:
        line = raw.strip()
        if root is None:
            m = re.search(r'type = (struct|union)\b[^{]*\{$', line)
            if m:
                root = Node(kind=m.group(1), size=None, children=[])
                stack = [root]
            elif 'type = ' in line:
                return None
            continue
        if not stack:
            break
        if line.startswith('}'):
            node = stack.pop()
            m = CLOSE_RE.match(line)
            if m and node is not root:
                node.name = m.group(1)
                node.dims = parse_dims(m.group(2))
                # gdb restarts offsets at 0 inside an array of unnamed structs.
                if node.dims and node.children and min(c.off for c in node.children) < node.off:
                    for c in node.children:
                        c.shift(node.off)
            continue
        m = re.match(r'^/\*\s*total size \(bytes\):\s*(\d+)\s*\*/$', line)
        if m:
            stack[-1].size = int(m.group(1))
            continue
        m = LINE_RE.match(line)
        if not m:
            continue  # holes, padding, blank lines
        parent = stack[-1]
        if m.group(1) is None:  # member of a union
            off, bitpos = parent.off, None
        else:
            off, bitpos = int(m.group(1)), (int(m.group(2)) if m.group(2) is not None else None)
        size, decl = int(m.group(3)), m.group(4).strip()
        if decl.endswith('{'):
            kind = 'union' if decl.startswith('union') else 'struct'
            node = Node(off=off, size=size, kind=kind, children=[])
            parent.children.append(node)
            stack.append(node)
            continue
        name, dims, bitsize, typ = parse_decl(decl)
        if bitsize is not None and bitpos is None:
            bitpos = 0
        parent.children.append(Node(name, dims, off, bitpos, size, bitsize, typ))
    if root is None or root.size is None:
        return None
    return root


class Field:
    def __init__(self, path, parent, off, size, bitpos=None, bitsize=None):
        self.path, self.parent, self.off, self.size = path, parent, off, size
        self.bitpos, self.bitsize = bitpos, bitsize  # absolute bit offset, width
        self.leaf = True

    def bit_range(self):
        if self.bitsize is not None:
            return self.bitpos, self.bitpos + self.bitsize
        return self.off * 8, (self.off + self.size) * 8


class Extractor:
    """Flattens glibc types into field paths, resolving unexpanded members."""

    def __init__(self, gdbs):
        self.gdbs = gdbs
        self.cache = {}

    def type_root(self, key, typ):
        ck = (key, typ)
        if ck not in self.cache:
            self.cache[ck] = parse_ptype(self.gdbs[key].query('ptype /o ' + typ))
        return self.cache[ck]

    def sizeof(self, key, typ):
        out = self.gdbs[key].query(f'print sizeof({typ})')
        m = re.search(r'= (\d+)', out)
        return int(m.group(1)) if m else None

    def alignof(self, key, typ):
        out = self.gdbs[key].query(f'print _Alignof({typ})')
        m = re.search(r'= (\d+)', out)
        return int(m.group(1)) if m else None

    def resolve(self, key, typ):
        """The root Node of a member's type if it is a struct or union
        (gdb does not expand typedefs and arrays inline), else None."""
        if typ is None or typ.startswith('enum'):
            return None
        words = typ.replace('const ', '').replace('volatile ', '').strip()
        if set(words.split()) <= SCALAR_WORDS:
            return None
        return self.type_root(key, words)

    def flatten(self, key, nodes, prefix, parent, out, base=0):
        for n in nodes:
            if n.name is None:  # unnamed struct/union: its members are ours
                self.flatten(key, n.children, prefix, parent, out, base)
                continue
            path = prefix + n.name
            off = n.off + base
            bitpos = off * 8 + n.bitpos if n.bitsize is not None else None
            f = Field(path, parent, off, n.size, bitpos, n.bitsize)
            out.append(f)
            children, child_base, esize = n.children, base, None
            if children is None:
                root = self.resolve(key, n.typ)
                if root is not None:
                    children, child_base, esize = root.children, off, root.size
            if n.dims:
                count = 1
                for d in n.dims:
                    count = count * d if d is not None and count is not None else None
                if count:
                    esize = n.size // count
                elif esize is None:  # flexible array of scalars or pointers
                    esize = self.sizeof(key, n.typ) if n.typ else 8
                epath = path + '[0]' * len(n.dims)
                e = Field(epath, path, off, esize)
                out.append(e)
                f.leaf = False
                if children is not None:
                    e.leaf = False
                    self.flatten(key, children, epath + '.', epath, out, child_base)
            elif children is not None:
                f.leaf = False
                self.flatten(key, children, path + '.', path, out, child_base)


def extract(gdb, files):
    gdbs = {key: Gdb(gdb, dbg) for key, (dbg, _) in files.items()}
    try:
        ex = Extractor(gdbs)
        result = {}
        for ours, typ, key in STRUCTS:
            root = ex.type_root(key, typ)
            if root is None:
                raise RuntimeError(f'gdb knows no struct or union "{typ}" in the {key} debug file')
            fields = []
            ex.flatten(key, root.children, '', '', fields)
            align = None if typ.startswith('(') else ex.alignof(key, typ)
            result[ours] = {'type': typ, 'size': root.size, 'align': align, 'fields': fields}
        return result
    finally:
        for g in gdbs.values():
            g.close()


# --- The probe (generated C++) -------------------------------------------------

PROBE_HEAD = r'''// Generated by tests/layout/layout_test.py from glibc's debug information
// (ld.so build-id @LDID@, libc.so.6 build-id @LIBCID@). Do not edit.
#include <cstdio>
#include <cstring>
#include <new>

#include "rtld/glibc/layout.h"

namespace {

alignas(64) unsigned char g_buf[16384];

void bits(const char* s, const char* path, size_t size) {
  size_t first = ~size_t(0), count = 0;
  for (size_t i = 0; i < size * 8; i++)
    if (g_buf[i / 8] >> (i % 8) & 1) {
      if (first == ~size_t(0)) first = i;
      count++;
    }
  std::printf("B %s %s %zu %zu\n", s, path, first, count);
}

}  // namespace

// F: member (byte offset, size); B: bitfield (bit offset, width); A: absent.
#define RTLD_PROBE(S, NAME, ...)                                                        \
  [&]<class U>(U* p) {                                                                 \
    if constexpr (requires { p->__VA_ARGS__; }) {                                      \
      if constexpr (requires { &p->__VA_ARGS__; }) {                                   \
        size_t off = size_t(reinterpret_cast<const unsigned char*>(&p->__VA_ARGS__) -  \
                            reinterpret_cast<const unsigned char*>(p));               \
        size_t size = 0;                                                               \
        if constexpr (requires { sizeof(p->__VA_ARGS__); }) size = sizeof(p->__VA_ARGS__); \
        std::printf("F %s %s %zu %zu\n", S, NAME, off, size);                          \
      } else {                                                                         \
        std::memset(g_buf, 0, sizeof g_buf);                                           \
        p = new (g_buf) U{};                                                           \
        volatile unsigned long long ones = ~0ull;                                      \
        p->__VA_ARGS__ = ones;                                                         \
        bits(S, NAME, sizeof(U));                                                      \
      }                                                                                \
    } else {                                                                           \
      std::printf("A %s %s\n", S, NAME);                                               \
    }                                                                                  \
  }(p0)

'''


def generate(layouts, ids):
    out = [PROBE_HEAD.replace('@LDID@', ids['ld']).replace('@LIBCID@', ids['libc'])]
    mains = []
    for i, (ours, _, _) in enumerate(STRUCTS):
        lay = layouts[ours]
        fn = f'probe_{i}'
        mains.append(fn)
        out.append(f'static void {fn}() {{\n')
        out.append(f'  using S = rtld::glibc::{ours};\n')
        out.append('  static_assert(sizeof(S) <= sizeof g_buf && alignof(S) <= 64);\n')
        out.append('  std::memset(g_buf, 0, sizeof g_buf);\n')
        out.append('  S* p0 = new (g_buf) S{};\n')
        out.append(f'  std::printf("S {ours} %zu %zu\\n", sizeof(S), alignof(S));\n')
        for f in lay['fields']:
            out.append(f'  RTLD_PROBE("{ours}", "{f.path}", {f.path});\n')
        for off in pad_candidates(lay):
            out.append(f'  RTLD_PROBE("{ours}", "pad_{off}", pad_{off});\n')
        out.append('}\n\n')
    out.append('int main() {\n')
    out.append(f'  std::printf("G {ids["ld"]} {ids["libc"]}\\n");\n')
    for fn in mains:
        out.append(f'  {fn}();\n')
    out.append('  return 0;\n}\n')
    return ''.join(out)


def pad_candidates(lay):
    """Offsets where a pad_<offset> member of ours may start: where a glibc
    field starts or ends."""
    offs = set()
    for f in lay['fields']:
        offs.add(f.off)
        offs.add(f.off + f.size)
    return sorted(o for o in offs if 0 <= o < lay['size'])


STUB = '''// Generated by tests/layout/layout_test.py: glibc's debug information was
// not available when this was generated.
#include <cstdio>
int main() {{ std::puts("X {reason}"); return 0; }}
'''


def cmd_gen(args):
    try:
        gdb, files = environment(args.gdb)
        layouts = extract(gdb, files)
        text = generate(layouts, {k: bid for k, (_, bid) in files.items()})
    except Skip as e:
        text = STUB.format(reason=str(e).replace('\\', '\\\\').replace('"', '\\"'))
    old = None
    if os.path.exists(args.output):
        with open(args.output) as f:
            old = f.read()
    if old != text:
        with open(args.output, 'w') as f:
            f.write(text)
    return 0


# --- The check -----------------------------------------------------------------

def cmd_check(args):
    try:
        gdb, files = environment(args.gdb)
    except Skip as e:
        print(f'SKIP: {e}')
        return SKIP
    ids = {k: bid for k, (_, bid) in files.items()}
    print(f'glibc {GLIBC_VERSION}: ld.so debug {files["ld"][0]}')
    print(f'              libc debug  {files["libc"][0]}')
    layouts = extract(gdb, files)

    run = subprocess.run([args.probe], stdout=subprocess.PIPE, text=True, check=True)
    lines = run.stdout.splitlines()
    regen = (f'regenerate it: rm {os.path.join(os.path.dirname(args.probe), "layout_probe.cpp")} '
             'and run the test again')
    if lines and lines[0].startswith('X '):
        print(f'FAIL: the probe was built without glibc\'s debug information ({lines[0][2:]}); {regen}')
        return 1

    ours_size, present, bits, absent, probe_ids = {}, {}, {}, {}, {}
    for line in lines:
        w = line.split()
        if w[0] == 'G':
            probe_ids = {'ld': w[1], 'libc': w[2]}
        elif w[0] == 'S':
            ours_size[w[1]] = (int(w[2]), int(w[3]))
        elif w[0] == 'F':
            present.setdefault(w[1], {})[w[2]] = (int(w[3]), int(w[4]))
        elif w[0] == 'B':
            bits.setdefault(w[1], {})[w[2]] = (int(w[3]), int(w[4]))
        elif w[0] == 'A':
            absent.setdefault(w[1], set()).add(w[2])

    failures = []
    stale = False
    if probe_ids != ids:
        print(f'note: the probe was generated from other debug files ({probe_ids}); '
              'its field list is compared with the current one')
    checked = nbits = 0
    for ours, typ, _ in STRUCTS:
        lay = layouts[ours]
        fields = lay['fields']
        by_path = {f.path: f for f in fields}
        mine = present.get(ours, {})
        mybits = bits.get(ours, {})
        tried = set(mine) | set(mybits) | absent.get(ours, set())
        expected = {f.path for f in fields} | {f'pad_{o}' for o in pad_candidates(lay)}
        if ours not in ours_size or tried != expected:
            stale = True
            continue
        size, align = ours_size[ours]
        if size != lay['size']:
            failures.append(f'{ours}: sizeof is {size}, glibc\'s {typ} is {lay["size"]}')
        if lay['align'] is not None and align != lay['align']:
            failures.append(f'{ours}: alignof is {align}, glibc\'s {typ} has {lay["align"]}')

        covered = []
        for path, (off, sz) in mine.items():
            if path.startswith('pad_') and path not in by_path:
                if off != int(path[4:]):
                    failures.append(f'{ours}: {path} is at offset {off}')
                covered.append((off * 8, (off + sz) * 8))
                continue
            f = by_path[path]
            checked += 1
            if f.bitsize is not None:
                failures.append(f'{ours}.{path}: glibc declares a {f.bitsize}-bit bitfield at bit '
                                f'{f.bitpos} ({f.bitpos // 8}:{f.bitpos % 8}); ours is a plain member')
                continue
            if off != f.off:
                failures.append(f'{ours}.{path}: offset {off}, glibc has {f.off}')
            if sz != f.size and not (sz == 0 and f.size == 0):
                failures.append(f'{ours}.{path}: size {sz}, glibc has {f.size}')
            covered.append((off * 8, (off + sz) * 8))
        for path, (bitpos, width) in mybits.items():
            f = by_path[path]
            checked += 1
            nbits += 1
            if f.bitsize is None:
                failures.append(f'{ours}.{path}: ours is a bitfield, glibc\'s is a plain member')
                continue
            if (bitpos, width) != (f.bitpos, f.bitsize):
                failures.append(f'{ours}.{path}: bits {bitpos // 8}:{bitpos % 8} width {width}, '
                                f'glibc has {f.bitpos // 8}:{f.bitpos % 8} width {f.bitsize}')
            covered.append((bitpos, bitpos + width))

        for path in REQUIRED.get(ours, ()):
            if path not in by_path:
                failures.append(f'{ours}: REQUIRED field {path} does not exist in glibc\'s {typ}')
            elif path not in mine and path not in mybits:
                failures.append(f'{ours}: REQUIRED field {path} (contract §2) is not declared')

        # Every bit of every glibc field must be covered by one of ours.
        need = set()
        limit = lay['size'] * 8
        for f in fields:
            if f.leaf:
                lo, hi = f.bit_range()
                need.update(range(lo, min(hi, limit)))
        for lo, hi in covered:
            need.difference_update(range(lo, hi))
        for lo, hi in runs(sorted(need)):
            names = [f.path for f in fields if f.leaf and f.bit_range()[0] < hi and lo < f.bit_range()[1]]
            failures.append(f'{ours}: bits {lo}..{hi} (bytes {lo // 8}..{(hi + 7) // 8}) hold glibc\'s '
                            f'{", ".join(names[:4])}{" ..." if len(names) > 4 else ""} but no member '
                            'of ours named after a glibc field or pad_<offset> covers them')

        unnamed = unnamed_report(fields, set(mine) | set(mybits))
        if unnamed:
            print(f'  {ours}: glibc fields not declared (information): ' + '; '.join(unnamed))

    if stale:
        print(f'FAIL: the probe is stale: it was generated from debug information whose field '
              f'lists differ from the installed glibc\'s ({probe_ids} vs {ids}); {regen}')
        return 1
    for f in failures:
        print('FAIL: ' + f)
    print(f'{len(STRUCTS)} structures, {checked} declared members checked '
          f'({nbits} bitfields by bit position), {len(failures)} failures')
    return 1 if failures else 0


def runs(sorted_bits):
    out = []
    for b in sorted_bits:
        if out and out[-1][1] == b:
            out[-1][1] = b + 1
        else:
            out.append([b, b + 1])
    return [tuple(r) for r in out]


def unnamed_report(fields, declared):
    """Glibc fields we do not declare: the topmost ones, with their
    sub-fields counted; members we declare opaquely are summarised."""
    children = {}
    for f in fields:
        children.setdefault(f.parent, []).append(f)

    def count(path):
        return sum(1 + count(c.path) for c in children.get(path, ()))

    out = []
    for f in fields:
        if f.path in declared:
            continue
        if f.parent and f.parent not in declared:
            continue
        if f.parent and all(c.path not in declared for c in children.get(f.parent, ())):
            if f is children[f.parent][0]:
                out.append(f'{f.parent} declared opaque ({count(f.parent)} sub-fields not named)')
            continue
        n = count(f.path)
        out.append(f.path + (f' (+{n} sub-fields)' if n else ''))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    g = sub.add_parser('gen')
    g.add_argument('--output', required=True)
    g.add_argument('--gdb', default='')
    c = sub.add_parser('check')
    c.add_argument('--probe', required=True)
    c.add_argument('--gdb', default='')
    args = ap.parse_args()
    return cmd_gen(args) if args.cmd == 'gen' else cmd_check(args)


if __name__ == '__main__':
    sys.exit(main())
