#!/usr/bin/env python3
"""Generate the malformed-ELF corpus from the valid base files we build.

Every variant is derived from our own valid program and library (built by
tests/malformed/meson.build) by patching fields with `struct`: the ELF
header, the program headers and the dynamic section are parsed here, so the
tool needs nothing but Python. No binary is committed; the corpus is
regenerated at build time.

Layout written under --out-dir:

    prog/<mutation>/prog         the base program, corrupted
    lib/<mutation>/libbad.so     the base library, corrupted

A variant may be a regular file, an empty file, a text file or a directory
(the "directory named like the file" case). A stamp file (--stamp) records
the completed generation for the build system.

`--list` prints the cases as MUTATION:ROLE lines for meson, which registers
one test per line. The roles are
    prog        the corrupted program, run as `LOADER ./prog`
    lib         the corrupted libbad.so needed by the valid program,
                run as `LOADER ./prog`
    lib-interp  the same, with the program's PT_INTERP naming the loader
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys
from dataclasses import dataclass
from typing import Callable

# --- ELF constants (only those the mutations use) ---------------------------

ELFCLASS32 = 1
ELFDATA2MSB = 2
EM_386 = 3
EM_AARCH64 = 183
ET_REL = 1
ET_EXEC = 2
ET_CORE = 4

PT_NULL = 0
PT_LOAD = 1
PT_DYNAMIC = 2
PT_INTERP = 3
PT_NOTE = 4
PT_TLS = 7

PF_X = 1

DT_NULL = 0
DT_NEEDED = 1
DT_PLTRELSZ = 2
DT_STRTAB = 5
DT_SYMTAB = 6
DT_RELA = 7
DT_RELASZ = 8
DT_RELAENT = 9
DT_STRSZ = 10
DT_JMPREL = 23
DT_FLAGS = 30
DT_RELACOUNT = 0x6FFFFFF9
DT_FLAGS_1 = 0x6FFFFFFB
DT_VERDEF = 0x6FFFFFFC
DT_VERDEFNUM = 0x6FFFFFFD
DT_GNU_HASH = 0x6FFFFEF5
DT_VERNEED = 0x6FFFFFFE
DT_VERNEEDNUM = 0x6FFFFFFF

DF_BIND_NOW = 0x8
DF_1_NOW = 0x1

R_X86_64_GLOB_DAT = 6
R_X86_64_JUMP_SLOT = 7
R_X86_64_RELATIVE = 8

PAGE = 0x1000
# Far beyond every mapping of our small base files (they are a few pages),
# so a pointer moved by this much lands in unmapped memory.
FAR = 0x10000000

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
DYN = struct.Struct("<qQ")
RELA = struct.Struct("<QQq")
VERNEED = struct.Struct("<HHIII")
VERNAUX = struct.Struct("<IHHII")
VERDEF = struct.Struct("<HHHHIII")
VERDAUX = struct.Struct("<II")

EHDR_FIELDS = ("e_ident", "e_type", "e_machine", "e_version", "e_entry", "e_phoff",
               "e_shoff", "e_flags", "e_ehsize", "e_phentsize", "e_phnum",
               "e_shentsize", "e_shnum", "e_shstrndx")
PHDR_FIELDS = ("p_type", "p_flags", "p_offset", "p_vaddr", "p_paddr", "p_filesz",
               "p_memsz", "p_align")

EI_CLASS = 4
EI_DATA = 5
EI_VERSION = 6
EI_OSABI = 7
EI_PAD = 9


class ElfError(Exception):
    """The base file is not the kind of ELF file the mutations expect."""


@dataclass
class Phdr:
    index: int
    p_type: int
    p_flags: int
    p_offset: int
    p_vaddr: int
    p_paddr: int
    p_filesz: int
    p_memsz: int
    p_align: int


@dataclass
class Dyn:
    index: int   # position in the dynamic array, for patching in place
    tag: int
    val: int


class Elf:
    """A mutable ELF64 little-endian x86-64 image with its headers parsed.

    Setters patch the bytes in place and keep the parsed view in step, so
    mutations can be composed and later lookups see earlier changes.
    """

    def __init__(self, data: bytes):
        self.data = bytearray(data)
        if len(self.data) < EHDR.size or self.data[:4] != b"\x7fELF":
            raise ElfError("not an ELF file")
        if self.data[EI_CLASS] != 2 or self.data[EI_DATA] != 1:
            raise ElfError("not ELF64 little-endian")
        self.ehdr = dict(zip(EHDR_FIELDS, EHDR.unpack_from(self.data, 0)))
        if self.ehdr["e_phentsize"] != PHDR.size:
            raise ElfError("unexpected e_phentsize")
        self.phdrs = [Phdr(i, *PHDR.unpack_from(self.data, self.phdr_offset(i)))
                      for i in range(self.ehdr["e_phnum"])]
        self.dyns = self._parse_dynamic()

    # -- parsing ------------------------------------------------------------

    def phdr_offset(self, index: int) -> int:
        return self.ehdr["e_phoff"] + index * PHDR.size

    def _parse_dynamic(self) -> list[Dyn]:
        dyn = self.first_phdr(PT_DYNAMIC)
        dyns = []
        for i in range(dyn.p_filesz // DYN.size):
            tag, val = DYN.unpack_from(self.data, dyn.p_offset + i * DYN.size)
            dyns.append(Dyn(i, tag, val))
            if tag == DT_NULL:
                break
        return dyns

    # -- lookups ------------------------------------------------------------

    def loads(self) -> list[Phdr]:
        return [p for p in self.phdrs if p.p_type == PT_LOAD]

    def first_phdr(self, p_type: int) -> Phdr:
        for p in self.phdrs:
            if p.p_type == p_type:
                return p
        raise ElfError(f"no program header of type {p_type:#x}")

    def text_load(self) -> Phdr:
        """The executable PT_LOAD: corrupting it breaks code that must run."""
        for p in self.loads():
            if p.p_flags & PF_X:
                return p
        raise ElfError("no executable PT_LOAD")

    def dyn(self, tag: int) -> Dyn:
        for d in self.dyns:
            if d.tag == tag:
                return d
        raise ElfError(f"no dynamic entry with tag {tag:#x}")

    def offset_of(self, vaddr: int) -> int:
        """File offset of a virtual address inside a PT_LOAD's file part."""
        for p in self.loads():
            if p.p_vaddr <= vaddr < p.p_vaddr + p.p_filesz:
                return p.p_offset + (vaddr - p.p_vaddr)
        raise ElfError(f"address {vaddr:#x} is not in the file image")

    def relas(self) -> list[tuple[int, int, int, int]]:
        """(file offset, r_offset, r_info, r_addend) of each DT_RELA entry."""
        start = self.offset_of(self.dyn(DT_RELA).val)
        out = []
        for i in range(self.dyn(DT_RELASZ).val // RELA.size):
            off = start + i * RELA.size
            out.append((off, *RELA.unpack_from(self.data, off)))
        return out

    def symbolic_rela(self) -> tuple[int, int, int, int]:
        """The first DT_RELA entry that names a symbol (not RELATIVE).

        The RELATIVE ones are avoided on purpose: glibc applies the first
        DT_RELACOUNT entries as RELATIVE without reading their type or symbol,
        so corrupting them would test nothing.
        """
        for rela in self.relas():
            if (rela[2] >> 32) != 0 and (rela[2] & 0xFFFFFFFF) != R_X86_64_RELATIVE:
                return rela
        raise ElfError("no symbolic relocation in DT_RELA")

    def jmprels(self) -> list[tuple[int, int, int, int]]:
        """(file offset, r_offset, r_info, r_addend) of each DT_JMPREL entry."""
        start = self.offset_of(self.dyn(DT_JMPREL).val)
        return [(start + i * RELA.size, *RELA.unpack_from(self.data, start + i * RELA.size))
                for i in range(self.dyn(DT_PLTRELSZ).val // RELA.size)]

    def rela_of_type(self, r_type: int) -> tuple[int, int, int, int]:
        """The first DT_RELA entry of relocation type r_type."""
        for rela in self.relas():
            if (rela[2] & 0xFFFFFFFF) == r_type:
                return rela
        raise ElfError(f"no relocation of type {r_type} in DT_RELA")

    def plt_push_offset(self) -> int:
        """File offset of the immediate of the first PLT entry's `push $index`.

        A lazily bound GOT slot holds, as linked, the address of its PLT
        entry's push instruction (the jump through the slot falls through
        to it until the slot is bound).
        """
        _, r_offset, _, _ = self.jmprels()[0]
        push = struct.unpack_from("<Q", self.data, self.offset_of(r_offset))[0]
        off = self.offset_of(push)
        if self.data[off] != 0x68:  # push imm32
            raise ElfError("the JUMP_SLOT's GOT slot does not lead to a push")
        return off + 1

    def clear_bind_now(self) -> None:
        """Drops DF_BIND_NOW and DF_1_NOW, so both loaders bind lazily."""
        for tag, bit in ((DT_FLAGS, DF_BIND_NOW), (DT_FLAGS_1, DF_1_NOW)):
            try:
                self.set_dyn(tag, self.dyn(tag).val & ~bit)
            except ElfError:
                pass

    def verdefs(self) -> list[int]:
        """File offsets of the Verdef entries, following vd_next."""
        out, off = [], self.offset_of(self.dyn(DT_VERDEF).val)
        for _ in range(self.dyn(DT_VERDEFNUM).val):
            out.append(off)
            vd_next = VERDEF.unpack_from(self.data, off)[6]
            if vd_next == 0:
                break
            off += vd_next
        return out

    def verneed_aux(self) -> tuple[int, int]:
        """File offsets of the first Verneed entry and of its first Vernaux."""
        off = self.offset_of(self.dyn(DT_VERNEED).val)
        return off, off + VERNEED.unpack_from(self.data, off)[3]

    def patch(self, fmt: struct.Struct, offset: int, index: int, value: int) -> None:
        """Sets field `index` of the `fmt` record at file offset `offset`."""
        fields = list(fmt.unpack_from(self.data, offset))
        fields[index] = value
        fmt.pack_into(self.data, offset, *fields)

    # -- patching -----------------------------------------------------------

    def set_ehdr(self, name: str, value: int) -> None:
        self.ehdr[name] = value
        EHDR.pack_into(self.data, 0, *(self.ehdr[f] for f in EHDR_FIELDS))

    def set_ident(self, index: int, value: int) -> None:
        self.data[index] = value
        self.ehdr["e_ident"] = bytes(self.data[:16])

    def set_phdr(self, phdr: Phdr, **fields: int) -> None:
        for name, value in fields.items():
            setattr(phdr, name, value)
        PHDR.pack_into(self.data, self.phdr_offset(phdr.index),
                       *(getattr(phdr, f) for f in PHDR_FIELDS))

    def set_dyn(self, tag: int, value: int) -> None:
        d = self.dyn(tag)
        d.val = value
        base = self.first_phdr(PT_DYNAMIC).p_offset
        DYN.pack_into(self.data, base + d.index * DYN.size, d.tag, d.val)

    def move_dyn(self, tag: int, delta: int) -> None:
        self.set_dyn(tag, self.dyn(tag).val + delta)

    def spare_phdr(self) -> Phdr:
        """A program header that can be repurposed without changing how the
        object loads: PT_NOTE (the build-id note) is only informative."""
        return self.first_phdr(PT_NOTE)


# --- Mutations ---------------------------------------------------------------

# A mutation returns the bytes of the variant, or DIRECTORY to ask for a
# directory in place of the file.
DIRECTORY = object()

ROLES_ALL = ("prog", "lib", "lib-interp")
ROLES_LIB = ("lib", "lib-interp")


@dataclass
class Mutation:
    name: str
    description: str
    apply: Callable[[Elf], object]
    roles: tuple[str, ...] = ROLES_ALL
    # What we require from our loader when glibc accepts the variant and runs
    # the program correctly: "accept" (exit 0 with the valid output) or
    # "either" (accept, or fail with a clear load error). A variant glibc
    # rejects with a message must get the same message from us; one glibc
    # crashes on must get a clear error from us.
    if_glibc_accepts: str = "either"
    # What we require when glibc rejects the variant with a diagnostic:
    # "exact" (its message and exit status) or "exact-or-error" (its message,
    # or a clear load error of our own), the latter where glibc's message is
    # a consequence of reading or mapping past what the file declares rather
    # than a check of it, so a stricter loader may stop earlier. (An internal
    # assertion of glibc's is no diagnostic: there we require a clear error.)
    if_glibc_rejects: str = "exact"
    note: str = ""


MUTATIONS: list[Mutation] = []


def mutation(description: str, **kwargs) -> Callable:
    def register(fn: Callable[[Elf], object]) -> Callable[[Elf], object]:
        MUTATIONS.append(Mutation(fn.__name__, description, fn, **kwargs))
        return fn
    return register


def truncate(elf: Elf, size: int) -> bytes:
    assert 0 < size < len(elf.data)
    return bytes(elf.data[:size])


# The baseline: proves the base files load, so that a failure elsewhere is
# the mutation's doing.

@mutation("the valid file, unchanged (baseline)", if_glibc_accepts="accept")
def unchanged(elf: Elf) -> bytes:
    return elf.data


# File-level variants.

@mutation("empty file")
def empty_file(elf: Elf) -> bytes:
    return b""


@mutation("a text file (a shell script) in place of the ELF file")
def text_file(elf: Elf) -> bytes:
    # Longer than an ELF header, so that it is the magic number, not the
    # size, that gives it away.
    return (b"#!/bin/sh\n# This is a shell script, not an ELF file: a loader must say so\n"
            b"echo hello\n")


@mutation("a directory with the file's name")
def directory(elf: Elf) -> object:
    return DIRECTORY


@mutation("truncated to 1 byte")
def truncated_1(elf: Elf) -> bytes:
    return truncate(elf, 1)


@mutation("truncated to 16 bytes (e_ident only)")
def truncated_16(elf: Elf) -> bytes:
    return truncate(elf, 16)


@mutation("truncated to 63 bytes (one short of the ELF header)")
def truncated_63(elf: Elf) -> bytes:
    return truncate(elf, 63)


@mutation("truncated to 64 bytes (the ELF header alone)")
def truncated_64(elf: Elf) -> bytes:
    return truncate(elf, 64)


@mutation("truncated in the middle of the program headers")
def truncated_mid_phdrs(elf: Elf) -> bytes:
    return truncate(elf, elf.phdr_offset(elf.ehdr["e_phnum"] // 2) + 20)


@mutation("truncated in the middle of the executable PT_LOAD")
def truncated_mid_text(elf: Elf) -> bytes:
    text = elf.text_load()
    return truncate(elf, text.p_offset + text.p_filesz // 2)


@mutation("truncated in the middle of the last PT_LOAD (through .dynamic)")
def truncated_mid_data(elf: Elf) -> bytes:
    last = elf.loads()[-1]
    return truncate(elf, last.p_offset + last.p_filesz // 2)


# e_ident.

@mutation("bad magic number")
def bad_magic(elf: Elf) -> bytes:
    elf.set_ident(1, ord("X"))
    return elf.data


@mutation("EI_CLASS is ELFCLASS32")
def class32(elf: Elf) -> bytes:
    elf.set_ident(EI_CLASS, ELFCLASS32)
    return elf.data


@mutation("EI_DATA is big-endian")
def big_endian(elf: Elf) -> bytes:
    elf.set_ident(EI_DATA, ELFDATA2MSB)
    return elf.data


@mutation("EI_VERSION is 2")
def bad_ei_version(elf: Elf) -> bytes:
    elf.set_ident(EI_VERSION, 2)
    return elf.data


@mutation("EI_OSABI is 97 (ARM)")
def bad_osabi(elf: Elf) -> bytes:
    elf.set_ident(EI_OSABI, 97)
    return elf.data


@mutation("nonzero byte in the e_ident padding")
def ident_padding(elf: Elf) -> bytes:
    elf.set_ident(EI_PAD + 3, 1)
    return elf.data


# ELF header fields.

@mutation("e_version is 0")
def bad_e_version(elf: Elf) -> bytes:
    elf.set_ehdr("e_version", 0)
    return elf.data


@mutation("e_machine is EM_AARCH64")
def machine_aarch64(elf: Elf) -> bytes:
    elf.set_ehdr("e_machine", EM_AARCH64)
    return elf.data


@mutation("e_machine is EM_386")
def machine_i386(elf: Elf) -> bytes:
    elf.set_ehdr("e_machine", EM_386)
    return elf.data


@mutation("e_type is ET_REL")
def type_rel(elf: Elf) -> bytes:
    elf.set_ehdr("e_type", ET_REL)
    return elf.data


@mutation("e_type is ET_CORE")
def type_core(elf: Elf) -> bytes:
    elf.set_ehdr("e_type", ET_CORE)
    return elf.data


# Library roles only: as the program, whether address 0 can be mapped depends
# on privilege (mmap_min_addr), not on the file; glibc accepts it as root.
@mutation("e_type is ET_EXEC although the segments are linked at address 0",
          roles=ROLES_LIB)
def type_exec_at_zero(elf: Elf) -> bytes:
    elf.set_ehdr("e_type", ET_EXEC)
    return elf.data


@mutation("e_phentsize is 32 instead of 56")
def phentsize_wrong(elf: Elf) -> bytes:
    elf.set_ehdr("e_phentsize", 32)
    return elf.data


@mutation("e_phoff points beyond the end of the file")
def phoff_beyond_file(elf: Elf) -> bytes:
    elf.set_ehdr("e_phoff", len(elf.data) + PAGE)
    return elf.data


@mutation("e_phnum is 0xffff (program headers run far past the file)")
def phnum_huge(elf: Elf) -> bytes:
    elf.set_ehdr("e_phnum", 0xFFFF)
    return elf.data


@mutation("e_phnum is 0")
def phnum_zero(elf: Elf) -> bytes:
    elf.set_ehdr("e_phnum", 0)
    return elf.data


# Program headers.

@mutation("no PT_LOAD (every PT_LOAD turned into PT_NULL)")
def no_load(elf: Elf) -> bytes:
    for p in elf.loads():
        elf.set_phdr(p, p_type=PT_NULL)
    return elf.data


@mutation("executable PT_LOAD's p_offset beyond the end of the file "
          "(still congruent with p_vaddr)")
def load_offset_beyond_file(elf: Elf) -> bytes:
    text = elf.text_load()
    elf.set_phdr(text, p_offset=text.p_offset + FAR)
    return elf.data


@mutation("last PT_LOAD has p_filesz > p_memsz",
          note="glibc maps the extra file bytes and zero-fills nothing; harmless here")
def load_filesz_gt_memsz(elf: Elf) -> bytes:
    last = elf.loads()[-1]
    elf.set_phdr(last, p_filesz=last.p_memsz + 0x100)
    return elf.data


@mutation("executable PT_LOAD's p_offset not congruent with p_vaddr modulo the page")
def load_misaligned(elf: Elf) -> bytes:
    text = elf.text_load()
    elf.set_phdr(text, p_offset=text.p_offset + 0x10)
    return elf.data


@mutation("PT_LOADs out of address order (second and third swapped)",
          note="glibc takes the extent from the first and last PT_LOAD only, so "
               "swapping the middle ones is harmless to it; the ELF spec requires "
               "ascending order, so rejecting is right too")
def load_unsorted(elf: Elf) -> bytes:
    a, b = elf.loads()[1:3]
    fields_a = {f: getattr(a, f) for f in PHDR_FIELDS}
    fields_b = {f: getattr(b, f) for f in PHDR_FIELDS}
    elf.set_phdr(a, **fields_b)
    elf.set_phdr(b, **fields_a)
    return elf.data


@mutation("third PT_LOAD overlaps the executable one (same page)")
def load_overlapping(elf: Elf) -> bytes:
    text = elf.text_load()
    nxt = elf.loads()[elf.loads().index(text) + 1]
    # Keep p_vaddr congruent with p_offset so only the overlap is wrong.
    vaddr = text.p_vaddr + (nxt.p_offset % PAGE)
    elf.set_phdr(nxt, p_vaddr=vaddr, p_paddr=vaddr)
    return elf.data


@mutation("PT_LOAD p_align is 0x3000 (not a power of two)",
          note="glibc 2.36 checks only the page congruence of p_offset and p_vaddr")
def load_align_not_pow2(elf: Elf) -> bytes:
    for p in elf.loads():
        elf.set_phdr(p, p_align=0x3000)
    return elf.data


@mutation("first PT_LOAD's p_align is 1", if_glibc_accepts="accept",
          note="glibc 2.36 checks only the page congruence of p_offset and p_vaddr; "
               "p_align only asks for more alignment when it is a larger power of two")
def load_align_one(elf: Elf) -> bytes:
    elf.set_phdr(elf.loads()[0], p_align=1)
    return elf.data


@mutation("last PT_LOAD's p_memsz is 1 TiB", if_glibc_rejects="exact-or-error",
          note="glibc fails to map the zero-fill pages (it depends on the overcommit "
               "policy); a loader may refuse the size before mapping")
def load_memsz_huge(elf: Elf) -> bytes:
    elf.set_phdr(elf.loads()[-1], p_memsz=1 << 40)
    return elf.data


@mutation("PT_DYNAMIC's address outside every PT_LOAD")
def dynamic_outside_load(elf: Elf) -> bytes:
    dyn = elf.first_phdr(PT_DYNAMIC)
    elf.set_phdr(dyn, p_vaddr=dyn.p_vaddr + FAR, p_paddr=dyn.p_paddr + FAR)
    return elf.data


@mutation("PT_DYNAMIC with p_filesz 0")
def dynamic_filesz_zero(elf: Elf) -> bytes:
    elf.set_phdr(elf.first_phdr(PT_DYNAMIC), p_filesz=0)
    return elf.data


@mutation("no PT_DYNAMIC (turned into PT_NULL)")
def dynamic_missing(elf: Elf) -> bytes:
    elf.set_phdr(elf.first_phdr(PT_DYNAMIC), p_type=PT_NULL)
    return elf.data


@mutation("a second PT_DYNAMIC (the PT_NOTE header made a copy of the first)",
          note="both describe the same dynamic section; glibc uses the last")
def dynamic_second(elf: Elf) -> bytes:
    dyn = elf.first_phdr(PT_DYNAMIC)
    elf.set_phdr(elf.spare_phdr(), **{f: getattr(dyn, f) for f in PHDR_FIELDS})
    return elf.data


@mutation("PT_INTERP in a library (the PT_NOTE header made a PT_INTERP)",
          roles=ROLES_LIB, if_glibc_accepts="accept",
          note="the interpreter of a library is never used")
def interp_in_library(elf: Elf) -> bytes:
    # Point it at an existing NUL-terminated string: the DT_NEEDED name.
    strtab = elf.offset_of(elf.dyn(DT_STRTAB).val)
    name_off = strtab + elf.dyn(DT_NEEDED).val
    name_len = elf.data.index(0, name_off) - name_off + 1
    vaddr = elf.dyn(DT_STRTAB).val + elf.dyn(DT_NEEDED).val
    elf.set_phdr(elf.spare_phdr(), p_type=PT_INTERP, p_flags=4, p_offset=name_off,
                 p_vaddr=vaddr, p_paddr=vaddr, p_filesz=name_len, p_memsz=name_len,
                 p_align=1)
    return elf.data


@mutation("PT_TLS p_align is 24 (not a power of two)",
          note="glibc does not check it; with a 4-byte block it does no harm")
def tls_align_not_pow2(elf: Elf) -> bytes:
    elf.set_phdr(elf.first_phdr(PT_TLS), p_align=24)
    return elf.data


# Dynamic section.

@mutation("DT_STRTAB points outside the mapped image")
def strtab_outside(elf: Elf) -> bytes:
    elf.move_dyn(DT_STRTAB, FAR)
    return elf.data


@mutation("DT_NEEDED name offset far past DT_STRSZ")
def needed_past_strsz(elf: Elf) -> bytes:
    elf.set_dyn(DT_NEEDED, elf.dyn(DT_STRSZ).val + FAR)
    return elf.data


@mutation("DT_NEEDED name offset just past DT_STRSZ (inside the image)")
def needed_at_strsz(elf: Elf) -> bytes:
    elf.set_dyn(DT_NEEDED, elf.dyn(DT_STRSZ).val + 1)
    return elf.data


@mutation("string table not NUL-terminated (its last byte made 'X')",
          if_glibc_rejects="exact-or-error",
          note="glibc reads the last string past DT_STRSZ (up to the next NUL in the "
               "image) and reports a missing version of that name")
def strtab_unterminated(elf: Elf) -> bytes:
    strtab = elf.offset_of(elf.dyn(DT_STRTAB).val)
    elf.data[strtab + elf.dyn(DT_STRSZ).val - 1] = ord("X")
    return elf.data


@mutation("DT_SYMTAB points outside the mapped image")
def symtab_outside(elf: Elf) -> bytes:
    elf.move_dyn(DT_SYMTAB, FAR)
    return elf.data


@mutation("DT_GNU_HASH points outside the mapped image")
def gnu_hash_outside(elf: Elf) -> bytes:
    elf.move_dyn(DT_GNU_HASH, FAR)
    return elf.data


@mutation("DT_GNU_HASH with nbuckets 0", if_glibc_rejects="exact-or-error",
          note="glibc treats the object as defining no symbols (harmless for the "
               "program, which defines none that are looked up); a loader may "
               "instead reject the table")
def gnu_hash_nbuckets_zero(elf: Elf) -> bytes:
    struct.pack_into("<I", elf.data, elf.offset_of(elf.dyn(DT_GNU_HASH).val), 0)
    return elf.data


@mutation("DT_GNU_HASH with a bloom filter of 3 words (not a power of two)")
def gnu_hash_bloom_not_pow2(elf: Elf) -> bytes:
    struct.pack_into("<I", elf.data, elf.offset_of(elf.dyn(DT_GNU_HASH).val) + 8, 3)
    return elf.data


@mutation("DT_RELA points outside the mapped image")
def rela_outside(elf: Elf) -> bytes:
    elf.move_dyn(DT_RELA, FAR)
    return elf.data


@mutation("DT_RELASZ is huge (0x18000000, a multiple of the entry size)")
def relasz_huge(elf: Elf) -> bytes:
    elf.set_dyn(DT_RELASZ, RELA.size * 0x1000000)
    return elf.data


@mutation("DT_RELAENT is 16 instead of 24")
def relaent_wrong(elf: Elf) -> bytes:
    elf.set_dyn(DT_RELAENT, 16)
    return elf.data


@mutation("symbolic relocation with a symbol index far past the symbol table")
def reloc_sym_past_symtab(elf: Elf) -> bytes:
    off, r_offset, r_info, r_addend = elf.symbolic_rela()
    RELA.pack_into(elf.data, off, r_offset, (0xFFFFFF << 32) | (r_info & 0xFFFFFFFF), r_addend)
    return elf.data


@mutation("relocation of unknown type 200")
def reloc_unknown_type(elf: Elf) -> bytes:
    off, r_offset, r_info, r_addend = elf.symbolic_rela()
    RELA.pack_into(elf.data, off, r_offset, (r_info & ~0xFFFFFFFF) | 200, r_addend)
    return elf.data


@mutation("DT_VERNEEDNUM is 0x100000 (more entries than exist)",
          note="glibc follows the vn_next chain and never reads DT_VERNEEDNUM")
def verneed_num_huge(elf: Elf) -> bytes:
    elf.set_dyn(DT_VERNEEDNUM, 0x100000)
    return elf.data


@mutation("DT_VERNEEDNUM is 2 and the first Verneed's vn_next points past the "
          "end of the image")
def verneed_next_past_end(elf: Elf) -> bytes:
    # Both ways of walking the entries (glibc follows vn_next, a loader may
    # count to DT_VERNEEDNUM) must reach the second entry, which is not there.
    off = elf.offset_of(elf.dyn(DT_VERNEED).val)
    fields = list(VERNEED.unpack_from(elf.data, off))
    fields[4] = FAR  # vn_next
    VERNEED.pack_into(elf.data, off, *fields)
    elf.set_dyn(DT_VERNEEDNUM, 2)
    return elf.data


@mutation("DT_VERNEED points outside the mapped image")
def verneed_outside(elf: Elf) -> bytes:
    elf.move_dyn(DT_VERNEED, FAR)
    return elf.data


# Version definitions (libbad.so: the base entry, then BAD_1) and needs (the
# program needs BAD_1 of libbad.so, libbad.so DEP_1 of libdep.so): every
# offset a loader follows. glibc reads the first Verdaux of every Verdef,
# the base one included, when it builds an object's version table.

@mutation("the base Verdef's vd_aux points past the end of the image", roles=ROLES_LIB)
def verdef_aux_past_end(elf: Elf) -> bytes:
    elf.patch(VERDEF, elf.verdefs()[0], 5, FAR)
    return elf.data


@mutation("the second Verdef's vd_aux points past the end of the image", roles=ROLES_LIB)
def verdef2_aux_past_end(elf: Elf) -> bytes:
    elf.patch(VERDEF, elf.verdefs()[1], 5, FAR)
    return elf.data


@mutation("the first Verdef's vd_next points past the end of the image", roles=ROLES_LIB)
def verdef_next_past_end(elf: Elf) -> bytes:
    elf.patch(VERDEF, elf.verdefs()[0], 6, FAR)
    return elf.data


@mutation("the second Verdef's version name (vda_name) is far past DT_STRSZ",
          roles=ROLES_LIB)
def verdaux_name_past_strsz(elf: Elf) -> bytes:
    second = elf.verdefs()[1]
    aux = second + VERDEF.unpack_from(elf.data, second)[5]
    elf.patch(VERDAUX, aux, 0, elf.dyn(DT_STRSZ).val + FAR)
    return elf.data


@mutation("the first Verneed's vn_aux points past the end of the image")
def verneed_aux_past_end(elf: Elf) -> bytes:
    elf.patch(VERNEED, elf.verneed_aux()[0], 3, FAR)
    return elf.data


@mutation("the first Verneed has vn_cnt 2 and its Vernaux's vna_next points past "
          "the end of the image")
def vernaux_next_past_end(elf: Elf) -> bytes:
    vn, aux = elf.verneed_aux()
    elf.patch(VERNEED, vn, 1, 2)
    elf.patch(VERNAUX, aux, 4, FAR)
    return elf.data


@mutation("the first Verneed's file name (vn_file) is far past DT_STRSZ")
def verneed_file_past_strsz(elf: Elf) -> bytes:
    elf.patch(VERNEED, elf.verneed_aux()[0], 2, elf.dyn(DT_STRSZ).val + FAR)
    return elf.data


@mutation("the first Vernaux's version name (vna_name) is far past DT_STRSZ")
def vernaux_name_past_strsz(elf: Elf) -> bytes:
    elf.patch(VERNAUX, elf.verneed_aux()[1], 3, elf.dyn(DT_STRSZ).val + FAR)
    return elf.data


# Relocation values and lazy binding.

@mutation("R_X86_64_GLOB_DAT with addend 8 (the psABI's GLOB_DAT is S: the addend "
          "is not used)", if_glibc_accepts="accept")
def glob_dat_addend(elf: Elf) -> bytes:
    off, r_offset, r_info, _ = elf.rela_of_type(R_X86_64_GLOB_DAT)
    RELA.pack_into(elf.data, off, r_offset, r_info, 8)
    return elf.data


@mutation("lazy binding (BIND_NOW cleared) through a PLT entry that pushes the index "
          "just past DT_PLTRELSZ",
          note="glibc's _dl_fixup reads the relocation past the table without a check")
def plt_index_past_pltrelsz(elf: Elf) -> bytes:
    elf.clear_bind_now()
    struct.pack_into("<I", elf.data, elf.plt_push_offset(), len(elf.jmprels()))
    return elf.data


@mutation("PT_TLS with p_filesz greater than p_memsz",
          note="glibc fails an assertion when it copies the TLS image (dl-tls.c)")
def tls_filesz_gt_memsz(elf: Elf) -> bytes:
    tls = elf.first_phdr(PT_TLS)
    elf.set_phdr(tls, p_filesz=tls.p_memsz + 0x1000)
    return elf.data


@mutation("PT_TLS image (p_vaddr) outside every PT_LOAD")
def tls_outside_load(elf: Elf) -> bytes:
    tls = elf.first_phdr(PT_TLS)
    elf.set_phdr(tls, p_vaddr=tls.p_vaddr + FAR, p_paddr=tls.p_paddr + FAR)
    return elf.data


# --- Driver -------------------------------------------------------------------

ROLE_TARGET = {"prog": ("prog", "prog"), "lib": ("lib", "libbad.so"),
               "lib-interp": ("lib", "libbad.so")}


def by_name(name: str) -> Mutation:
    for m in MUTATIONS:
        if m.name == name:
            return m
    raise KeyError(name)


def cases() -> list[tuple[str, str]]:
    return [(m.name, role) for m in MUTATIONS for role in m.roles]


def variant_path(corpus: str, role: str, name: str) -> str:
    """Where the corrupted file of (mutation, role) lives in the corpus."""
    kind, filename = ROLE_TARGET[role]
    return os.path.join(corpus, kind, name, filename)


def write_variant(m: Mutation, base: bytes, mode: int, path: str) -> None:
    result = m.apply(Elf(base))
    parent = os.path.dirname(path)
    if os.path.isdir(parent):
        shutil.rmtree(parent)
    os.makedirs(parent)
    if result is DIRECTORY:
        os.mkdir(path)
        return
    with open(path, "wb") as f:
        f.write(bytes(result))
    # Keep the base file's permissions: a loader's complaint must be about
    # the contents, never a missing execute bit.
    os.chmod(path, mode)


def generate(prog: str, lib: str, out_dir: str, only: list[str] | None) -> int:
    bases = {}
    for kind, path in (("prog", prog), ("lib", lib)):
        with open(path, "rb") as f:
            bases[kind] = (f.read(), os.stat(path).st_mode & 0o777)
    count = 0
    for m in MUTATIONS:
        if only and m.name not in only:
            continue
        for kind in sorted({ROLE_TARGET[r][0] for r in m.roles}):
            role = kind if kind == "prog" else "lib"
            data, mode = bases[kind]
            write_variant(m, data, mode, variant_path(out_dir, role, m.name))
            count += 1
    return count


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true",
                        help="print the test cases as MUTATION:ROLE lines and exit")
    parser.add_argument("--describe", action="store_true",
                        help="print each mutation with its description and exit")
    parser.add_argument("--prog", help="the valid base program")
    parser.add_argument("--lib", help="the valid base library (libbad.so)")
    parser.add_argument("--out-dir", help="directory to write the corpus into")
    parser.add_argument("--stamp", help="file to touch when the corpus is complete")
    parser.add_argument("--only", action="append", metavar="MUTATION",
                        help="generate only this mutation (repeatable)")
    args = parser.parse_args(argv)

    if args.list:
        for name, role in cases():
            print(f"{name}:{role}")
        return 0
    if args.describe:
        for m in MUTATIONS:
            print(f"{m.name:28} {m.description}")
        return 0
    if not (args.prog and args.lib and args.out_dir):
        parser.error("--prog, --lib and --out-dir are required to generate")
    if args.only:
        unknown = [n for n in args.only if n not in {m.name for m in MUTATIONS}]
        if unknown:
            parser.error(f"unknown mutation(s): {', '.join(unknown)}")
    try:
        count = generate(args.prog, args.lib, args.out_dir, args.only)
    except ElfError as e:
        print(f"gen_corpus.py: base file unusable: {e}", file=sys.stderr)
        return 1
    if args.stamp:
        with open(args.stamp, "w") as f:
            f.write(f"{count} variants\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
