#!/usr/bin/env python3
"""The linker matrix: one C++ program built by every linker with every option.

    linker_matrix.py            the cells, one a line, for meson.build:
                                NAME LINKER pie|nopie gnu|gnu2 [LINK-FLAG;...]

The program (src/matrix_main.cpp), its library (src/matrix_lib.cpp:
exceptions, an IFUNC, data, TLS with and without a destructor) and its
dlopen'ed plugin (src/matrix_plugin.cpp: 64-byte aligned TLS) are compiled
once per flavour (the program -fPIE or -fno-PIE; each with the traditional
TLS dialect or -mtls-dialect=gnu2) and linked per cell: all three with the
cell's linker and link flags, the program as PIE or not. Each cell is a
compat case `matrix_NAME` (cases.py): the same output under the system
loader and ours, as a command and as PT_INTERP.

The cross product (4 linkers x PIE/non-PIE x lazy/-z now x relro/norelro x
RELR or not x two TLS dialects, plus hash styles) is 256+ builds; these 12
cells cover every linker and every option, each linker with PIE and non-PIE,
-z now, -z relro and -z norelro, both TLS dialects and a SysV-only hash
table (a SysV-only program once got wrong TLS values), and RELR (-z
pack-relative-relocs) with ld.bfd, the one linker here whose RELR output
glibc 2.36 runs: it checks that an object with DT_RELR needs the version
GLIBC_ABI_DT_RELR, which ld.bfd adds and mold 1.10 does not ("DT_RELR
without GLIBC_ABI_DT_RELR dependency"); gold has no RELR, lld 14 only
--pack-dyn-relocs=relr, also without that version.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    name: str
    linker: str       # -fuse-ld=
    pie: bool         # the program: -pie (objects -fPIE) or -no-pie (-fno-PIE)
    dialect: str      # 'gnu' (general/initial-exec TLS code) or 'gnu2' (TLS descriptors)
    flags: tuple[str, ...] = ()  # link flags of the library, the plugin and the program


CELLS = [
    Cell("bfd_pie", "bfd", True, "gnu"),
    Cell("bfd_nopie_norelro", "bfd", False, "gnu", ("-Wl,-z,norelro",)),
    Cell("bfd_relr_now", "bfd", True, "gnu", ("-Wl,-z,pack-relative-relocs", "-Wl,-z,now")),
    Cell("bfd_gnu2_sysv", "bfd", True, "gnu2", ("-Wl,--hash-style=sysv", "-Wl,-z,relro")),
    Cell("gold_pie_now_relro", "gold", True, "gnu", ("-Wl,-z,now", "-Wl,-z,relro")),
    Cell("gold_nopie_gnu2_sysv", "gold", False, "gnu2", ("-Wl,-z,norelro", "-Wl,--hash-style=sysv")),
    Cell("lld_pie_relro_sysv", "lld", True, "gnu", ("-Wl,-z,relro", "-Wl,--hash-style=sysv")),
    Cell("lld_nopie_now_norelro", "lld", False, "gnu", ("-Wl,-z,now", "-Wl,-z,norelro")),
    Cell("lld_pie_gnu2_both", "lld", True, "gnu2", ("-Wl,--hash-style=both",)),
    Cell("mold_pie_gnu2_relro", "mold", True, "gnu2", ("-Wl,-z,relro",)),
    Cell("mold_nopie_now_sysv", "mold", False, "gnu", ("-Wl,-z,now", "-Wl,--hash-style=sysv")),
    Cell("mold_pie_norelro", "mold", True, "gnu", ("-Wl,-z,norelro",)),
]


def built_files(cell: Cell) -> list[str]:
    """The files meson builds for a cell: program, library, plugin."""
    return [f"matrix_{cell.name}", f"libmatrix_{cell.name}.so", f"matrix_plugin_{cell.name}.so"]


def main() -> int:
    for cell in CELLS:
        print(" ".join([cell.name, cell.linker, "pie" if cell.pie else "nopie", cell.dialect,
                        ";".join(cell.flags)]).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
