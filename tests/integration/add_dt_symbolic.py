#!/usr/bin/env python3
"""Copy a shared object, adding a DT_SYMBOLIC entry to its dynamic section.

    add_dt_symbolic.py IN OUT

Linkers that set DT_SYMBOLIC (-Bsymbolic) also bind the object's references
to its own symbols at link time, leaving the loader nothing to do; an object
linked with a dynamic list keeps those references as symbolic relocations but
loses DT_SYMBOLIC. This adds the tag afterwards, so that the loader's own
DT_SYMBOLIC lookup (the object itself first, then the global scope) is what
gets tested. The tag takes the place of the first of the spare DT_NULL
entries that ld.bfd leaves at the end of .dynamic (there must be at least
two, so that the array stays terminated). ELF64 little-endian only.

The hash-style variants link.py made of IN (hash-sysv/, hash-both/ beside
it) get the same treatment, into the same places beside OUT.
"""

import os
import shutil
import struct
import sys

PT_DYNAMIC = 2
DT_NULL = 0
DT_SYMBOLIC = 16
DYN_SIZE = 16


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    source, target = sys.argv[1], sys.argv[2]
    status = add_tag(source, target)
    for style in ("sysv", "both"):
        variant = os.path.join(os.path.dirname(source), "hash-" + style, os.path.basename(source))
        if status == 0 and os.path.exists(variant):
            out = os.path.join(os.path.dirname(target), "hash-" + style, os.path.basename(target))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            status = add_tag(variant, out)
    return status


def add_tag(source: str, target: str) -> int:
    shutil.copyfile(source, target)
    with open(target, "r+b") as f:
        data = bytearray(f.read())
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            print(f"{source}: not an ELF64 little-endian file", file=sys.stderr)
            return 1
        e_phoff, = struct.unpack_from("<Q", data, 0x20)
        e_phentsize, e_phnum = struct.unpack_from("<HH", data, 0x36)
        dynamic = None
        for i in range(e_phnum):
            p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, e_phoff + i * e_phentsize)
            if p_type == PT_DYNAMIC:
                dynamic = (p_offset, p_filesz // DYN_SIZE)
        if dynamic is None:
            print(f"{source}: no PT_DYNAMIC", file=sys.stderr)
            return 1
        offset, count = dynamic
        tags = [struct.unpack_from("<q", data, offset + i * DYN_SIZE)[0] for i in range(count)]
        if DT_SYMBOLIC in tags:
            print(f"{source}: already has DT_SYMBOLIC", file=sys.stderr)
            return 1
        first_null = tags.index(DT_NULL) if DT_NULL in tags else count
        if first_null + 1 >= count or tags[first_null + 1] != DT_NULL:
            print(f"{source}: no spare DT_NULL entry in .dynamic", file=sys.stderr)
            return 1
        struct.pack_into("<qQ", data, offset + first_null * DYN_SIZE, DT_SYMBOLIC, 0)
        f.seek(0)
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
