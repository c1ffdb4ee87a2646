#!/usr/bin/python3
"""Checks rtld/glibc/cpu_features.{h,cpp} against glibc 2.36's own loader.

    compare.py --gdb=GDB --dump=DUMP [--layout-only]

DUMP is tests/cpu/dump.cpp built hosted: an ordinary glibc-linked program
whose main() computes CpuFeatures with our code and writes every member's
name, offset and size, then the 480 bytes (see dump.cpp).

1. Layout: each member's offset and size as gdb reads them from the debug
   file of glibc's ld.so (found by build-id under /usr/lib/debug/.build-id),
   and every byte of every glibc member covered by one of ours.
2. Values: DUMP runs under gdb with glibc's loader, pinned to one CPU; at
   main, gdb dumps _rtld_global_ro._dl_x86_cpu_features, then main computes
   ours in the same process. Every field must be equal; each mismatch is
   printed with the field's name.

The initial APIC ID (features[0].cpuid.ebx bits 24..31) is whatever cpuid
reports on the CPU executing it, and a hypervisor may change it between two
calls on the same vCPU; a difference there is reported but is not counted.

Exit status: 0 pass, 1 mismatch, 77 skipped (no gdb, no glibc 2.36, no
debug information for the loader).
"""

import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile

SKIP = 77
DEBUG_ROOT = '/usr/lib/debug/.build-id'
CPU_FEATURES_SIZE = 480


def skip(why):
    print('SKIP: ' + why)
    sys.exit(SKIP)


def elf_interp_and_build_id(path):
    """(PT_INTERP string or None, GNU build-id hex or None) of a 64-bit ELF."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        return None, None
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
    interp = build_id = None
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from('<IIQQQQ', data, phoff + i * phentsize)
        seg = data[p_offset:p_offset + p_filesz]
        if p_type == 3:  # PT_INTERP
            interp = seg.split(b'\0', 1)[0].decode()
        elif p_type == 4:  # PT_NOTE
            pos = 0
            while pos + 12 <= len(seg):
                namesz, descsz, ntype = struct.unpack_from('<III', seg, pos)
                name_start = pos + 12
                desc_start = name_start + ((namesz + 3) & ~3)
                if ntype == 3 and seg[name_start:name_start + namesz] == b'GNU\0':
                    build_id = seg[desc_start:desc_start + descsz].hex()
                pos = desc_start + ((descsz + 3) & ~3)
    return interp, build_id


def run_gdb(gdb, commands, args, env=None):
    with tempfile.NamedTemporaryFile('w', suffix='.gdb', delete=False) as script:
        script.write('\n'.join(['set pagination off', 'set confirm off', 'set width 0'] + commands) + '\n')
        name = script.name
    try:
        r = subprocess.run([gdb, '-nx', '-q', '-batch', '-x', name] + args, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    finally:
        os.unlink(name)
    return r.stdout


def read_dump(path):
    fields, raw, tunables = [], None, {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts and parts[0] == 'field':
                fields.append((parts[1], int(parts[2]), int(parts[3])))
            elif parts and parts[0] == 'raw':
                raw = bytes.fromhex(parts[1])
            elif parts and parts[0] == 'tunable':
                tunables[parts[1]] = tuple(int(x) for x in parts[2:5])
    if raw is None or len(raw) != CPU_FEATURES_SIZE:
        sys.exit('FAIL: malformed dump output in ' + path)
    return fields, raw, tunables


def check_layout(gdb, debug_file, fields):
    """Number of layout errors (printed)."""
    cmds = ['ptype /o struct cpu_features', 'printf "SIZEOF %d\\n", sizeof(struct cpu_features)']
    for name, _, _ in fields:
        expr = '((struct cpu_features *) 0)->' + name
        cmds.append('printf "FIELD %s %%d %%d\\n", (long) &%s, sizeof(%s)' % (name, expr, expr))
    out = run_gdb(gdb, cmds, [debug_file])
    errors = 0
    m = re.search(r'^SIZEOF (\d+)$', out, re.M)
    if not m:
        print(out)
        sys.exit('FAIL: gdb could not read struct cpu_features from ' + debug_file)
    if int(m.group(1)) != CPU_FEATURES_SIZE:
        print('LAYOUT: sizeof(struct cpu_features) is %s in glibc, %d here' % (m.group(1), CPU_FEATURES_SIZE))
        errors += 1
    got = {mm.group(1): (int(mm.group(2)), int(mm.group(3)))
           for mm in re.finditer(r'^FIELD (\S+) (-?\d+) (\d+)$', out, re.M)}
    for name, off, size in fields:
        if name not in got:
            print('LAYOUT: glibc has no member %s' % name)
            errors += 1
        elif got[name] != (off, size):
            print('LAYOUT: %s at offset %d size %d in glibc, offset %d size %d here'
                  % (name, got[name][0], got[name][1], off, size))
            errors += 1
    # Every byte of every leaf member in `ptype /o` must belong to one of ours.
    ours = set()
    for _, off, size in fields:
        ours.update(range(off, off + size))
    leaf = re.compile(r'^/\*\s+(\d+)\s+\|\s+(\d+) \*/\s+(?!struct|union)[^{}]*?(\w+)(\[\d+\])?;$')
    members = 0
    for line in out.splitlines():
        mm = leaf.match(line)
        if not mm:
            continue
        members += 1
        off, size = int(mm.group(1)), int(mm.group(2))
        missing = [b for b in range(off, off + size) if b not in ours]
        if missing:
            print('LAYOUT: glibc member %s (offset %d, size %d) is not covered here' % (mm.group(3), off, size))
            errors += 1
    if members < 20:
        print(out)
        print('LAYOUT: could not parse ptype /o output (%d members)' % members)
        errors += 1
    print('layout: %d fields checked against %s, %d error(s)' % (len(fields), debug_file, errors))
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--gdb', default='')
    ap.add_argument('--dump', required=True)
    ap.add_argument('--layout-only', action='store_true')
    opts = ap.parse_args()

    if not opts.gdb or not os.access(opts.gdb, os.X_OK):
        skip('gdb not found')
    try:
        version = os.confstr('CS_GNU_LIBC_VERSION') or ''
    except (ValueError, OSError):
        version = ''
    if version != 'glibc 2.36':
        skip('the oracle must be glibc 2.36 (this system has %r)' % version)
    interp, _ = elf_interp_and_build_id(opts.dump)
    if not interp:
        sys.exit('FAIL: %s has no PT_INTERP' % opts.dump)
    _, build_id = elf_interp_and_build_id(os.path.realpath(interp))
    if not build_id:
        skip('%s has no build-id note' % interp)
    debug_file = os.path.join(DEBUG_ROOT, build_id[:2], build_id[2:] + '.debug')
    if not os.path.exists(debug_file):
        skip('no debug information for %s (%s missing: install libc6-dbg)' % (interp, debug_file))

    dump_fd, dump_out = tempfile.mkstemp(suffix='.txt')
    os.close(dump_fd)
    try:
        # Layout needs only the field list; a plain run gives it.
        r = subprocess.run([opts.dump, '--out', dump_out], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            print(r.stdout)
            sys.exit('FAIL: %s exited with %d' % (opts.dump, r.returncode))
        fields, _, _ = read_dump(dump_out)
        errors = check_layout(opts.gdb, debug_file, fields)
        if opts.layout_only:
            return 1 if errors else 0

        # Values: one CPU, one process, no tunables.
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[0]})
        env = dict(os.environ)
        env.pop('GLIBC_TUNABLES', None)
        env.pop('LD_HWCAP_MASK', None)
        os.unlink(dump_out)
        out = run_gdb(opts.gdb, [
            'set startup-with-shell off',
            'set debug-file-directory /usr/lib/debug',
            'break main',
            'run',
            'printf "OFFSET %d\\n", (long) ((char *) &_rtld_global_ro._dl_x86_cpu_features - (char *) &_rtld_global_ro)',
            'x/60gx &_rtld_global_ro._dl_x86_cpu_features',
        ] + [
            # The x86 cache tunables glibc's loader wrote back (ids of this build, contract §6.2;
            # the name printed with each guards against another numbering).
            'printf "TUN %%s %%ld %%ld %%ld\\n", tunable_list[%d].name, tunable_list[%d].val.numval, '
            'tunable_list[%d].type.min, tunable_list[%d].type.max' % ((i,) * 4) for i in (4, 10, 15, 16, 29)
        ] + [
            'continue',
        ], ['--args', opts.dump, '--out', dump_out], env=env)
        words = re.findall(r'0x([0-9a-f]{16})', ''.join(
            line.split(':', 1)[1] for line in out.splitlines()
            if '<_rtld_global_ro+' in line and ':' in line))
        if len(words) != CPU_FEATURES_SIZE // 8:
            print(out)
            sys.exit('FAIL: could not read _rtld_global_ro._dl_x86_cpu_features under gdb')
        theirs = b''.join(struct.pack('<Q', int(w, 16)) for w in words)
        if not os.path.exists(dump_out) or os.path.getsize(dump_out) == 0:
            print(out)
            sys.exit('FAIL: %s did not run to completion under gdb' % opts.dump)
        m = re.search(r'^OFFSET (\d+)$', out, re.M)
        if not m or int(m.group(1)) != 112:
            print('LAYOUT: _dl_x86_cpu_features is not at _rtld_global_ro + 112')
            errors += 1
        fields, ours, our_tunables = read_dump(dump_out)
    finally:
        if os.path.exists(dump_out):
            os.unlink(dump_out)

    mismatches = 0
    covered = set()
    for name, off, size in fields:
        covered.update(range(off, off + size))
        a = int.from_bytes(ours[off:off + size], 'little')
        b = int.from_bytes(theirs[off:off + size], 'little')
        if name == 'features[0].cpuid.ebx' and (a ^ b) & ~0xff000000 == 0 and a != b:
            print('note: %s differs only in the initial APIC ID byte (ours 0x%x, glibc 0x%x): '
                  'not counted' % (name, a, b))
            continue
        if a != b:
            print('MISMATCH %-32s ours 0x%x glibc 0x%x (xor 0x%x)' % (name, a, b, a ^ b))
            mismatches += 1
    for i in range(CPU_FEATURES_SIZE):
        if i not in covered and ours[i] != theirs[i]:
            print('MISMATCH padding byte %d: ours 0x%02x glibc 0x%02x' % (i, ours[i], theirs[i]))
            mismatches += 1
    their_tunables = {mm.group(1): (int(mm.group(2)), int(mm.group(3)), int(mm.group(4)))
                      for mm in re.finditer(r'^TUN (\S+) (-?\d+) (-?\d+) (-?\d+)$', out, re.M)}
    def signed(v):
        return v - (1 << 64) if v >= 1 << 63 else v
    for name, vals in sorted(our_tunables.items()):
        vals = tuple(signed(v) for v in vals)
        if name not in their_tunables:
            print('MISMATCH tunable %s: not found in glibc\'s tunable_list' % name)
            mismatches += 1
        elif their_tunables[name] != vals:
            print('MISMATCH tunable %s (value, min, max): ours %s glibc %s' % (name, vals, their_tunables[name]))
            mismatches += 1
    print('values: %d fields and %d tunables compared on CPU %d, %d mismatch(es)'
          % (len(fields), len(our_tunables), cpus[0], mismatches))
    for name in ('basic.kind', 'basic.family', 'basic.model', 'preferred[0]', 'isa_1',
                 'data_cache_size', 'shared_cache_size', 'non_temporal_threshold',
                 'rep_movsb_threshold', 'rep_movsb_stop_threshold', 'rep_stosb_threshold'):
        off, size = next((o, s) for n, o, s in fields if n == name)
        print('  %-26s 0x%x' % (name, int.from_bytes(ours[off:off + size], 'little')))
    return 1 if (errors or mismatches) else 0


if __name__ == '__main__':
    sys.exit(main())
