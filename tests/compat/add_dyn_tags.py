#!/usr/bin/env python3
"""Copy an ELF file, writing extra entries into its dynamic section.

    add_dyn_tags.py IN OUT TAG[=VALUE]...

Each TAG (decimal or 0x hexadecimal, a 64-bit two's complement pattern, so
0xfffffffffffffff0 is -16) takes the place of one of the spare DT_NULL
entries that ld.bfd leaves at the end of .dynamic; one DT_NULL always stays,
so the array remains terminated. VALUE defaults to 0. ELF64 little-endian
only. Used to give a glibc program and its libraries dynamic tags that no
linker writes and glibc 2.36 ignores (tags_hostile).
"""

import shutil
import struct
import sys

PT_DYNAMIC = 2
DT_NULL = 0
DYN = struct.Struct("<qQ")


def parse(arg: str) -> tuple[int, int]:
    tag, _, value = arg.partition("=")
    t = int(tag, 0) & (2**64 - 1)
    return (t - 2**64 if t >= 2**63 else t), int(value or "0", 0)


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    source, target, entries = sys.argv[1], sys.argv[2], [parse(a) for a in sys.argv[3:]]
    shutil.copy2(source, target)
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
                dynamic = (p_offset, p_filesz // DYN.size)
        if dynamic is None:
            print(f"{source}: no PT_DYNAMIC", file=sys.stderr)
            return 1
        offset, count = dynamic
        tags = [DYN.unpack_from(data, offset + i * DYN.size)[0] for i in range(count)]
        first_null = tags.index(DT_NULL) if DT_NULL in tags else count
        if count - first_null < len(entries) + 1:
            print(f"{source}: {count - first_null} DT_NULL entries at the end of .dynamic, "
                  f"{len(entries) + 1} needed", file=sys.stderr)
            return 1
        for i, (tag, value) in enumerate(entries):
            DYN.pack_into(data, offset + (first_null + i) * DYN.size, tag, value)
        f.seek(0)
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
