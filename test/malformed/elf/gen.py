#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen.py - makes the malformed ELF objects in this directory from the seed
test/fuzz/corpus/elf/maps_calls.elf (and legacy.elf).  Every output must make
bk_obj__open_mem fail with a BK_E_ELF* / BK_E_BTF* / BK_E_LINK code
(test/unit/uapi/test_elf_malformed.c checks; the fuzz smoke run replays
them).  This script is itself one of the inputs (not an ELF file).
Usage: python3 gen.py   (from this directory)"""
import struct

SEEDS = '../../fuzz/corpus/elf/'
base = bytearray(open(SEEDS + 'maps_calls.elf', 'rb').read())
legacy = bytearray(open(SEEDS + 'legacy.elf', 'rb').read())


def ehdr(b):
    return struct.unpack_from('<16sHHIQQQIHHHHHH', b, 0)


def shdrs(b):
    e = ehdr(b)
    shoff, shnum, shstrndx = e[6], e[12], e[13]
    out = []
    for i in range(shnum):
        out.append(list(struct.unpack_from('<IIQQQQIIQQ', b, shoff + 64 * i)))
    strtab = out[shstrndx]
    names = []
    for s in out:
        o = strtab[4] + s[0]
        names.append(bytes(b[o:b.index(0, o)]).decode())
    return out, names


def put_shdr(b, i, s):
    struct.pack_into('<IIQQQQIIQQ', b, ehdr(b)[6] + 64 * i, *s)


def sec(b, name):
    sh, names = shdrs(b)
    i = names.index(name)
    return i, sh[i]


def w(name, data):
    open(name, 'wb').write(bytes(data))


def mod(b, off, fmt, val):
    c = bytearray(b)
    struct.pack_into(fmt, c, off, val)
    return c


def rels(b, name):
    _, s = sec(b, name)
    return [(s[4] + 16 * k,) + struct.unpack_from('<QQ', b, s[4] + 16 * k)
            for k in range(s[5] // 16)]


w('empty.elf', b'')
w('trunc_ehdr.elf', base[:40])
w('trunc_shdrs.elf', base[:len(base) - 100])
w('trunc_half.elf', base[:len(base) // 2])
w('bad_magic.elf', mod(base, 0, '<I', 0x464c457e))
w('not_bpf.elf', mod(base, 18, '<H', 62))
w('big_endian.elf', mod(base, 5, '<B', 2))
w('elf32.elf', mod(base, 4, '<B', 1))
w('not_rel.elf', mod(base, 16, '<H', 2))
w('shoff_past_end.elf', mod(base, 40, '<Q', len(base) - 10))
w('shnum_huge.elf', mod(base, 60, '<H', 0xfff0))
w('shnum_zero.elf', mod(base, 60, '<H', 0))
w('shentsize.elf', mod(base, 58, '<H', 40))
w('shstrndx.elf', mod(base, 62, '<H', 0x7fff))

i, s = sec(base, 'xdp')
c = bytearray(base); s2 = list(s); s2[5] -= 4; put_shdr(c, i, s2); w('code_size_odd.elf', c)
c = bytearray(base); s2 = list(s); s2[4] = len(base) - 8; put_shdr(c, i, s2); w('code_past_end.elf', c)
c = bytearray(base); s2 = list(s); s2[0] = 0xffffff; put_shdr(c, i, s2); w('sec_name_off.elf', c)

i, s = sec(base, '.symtab')
c = bytearray(base); s2 = list(s); s2[9] = 16; put_shdr(c, i, s2); w('symtab_entsize.elf', c)
c = bytearray(base); s2 = list(s); s2[6] = i; put_shdr(c, i, s2); w('symtab_link.elf', c)
c = bytearray(base); s2 = list(s); s2[5] = s[5] - 5; put_shdr(c, i, s2); w('symtab_size.elf', c)
# symbols: find prog1 (FUNC in xdp)
symoff, nsym = s[4], s[5] // 24
strsec = shdrs(base)[0][s[6]]
def sym_by_name(name):
    for k in range(nsym):
        o = symoff + 24 * k
        no = struct.unpack_from('<I', base, o)[0]
        so = strsec[4] + no
        if bytes(base[so:base.index(0, so)]) == name:
            return o
prog1 = sym_by_name(b'prog1')
w('sym_name_off.elf', mod(base, prog1, '<I', 0xfffffff))
w('sym_shndx.elf', mod(base, prog1 + 6, '<H', 0x2000))
w('sym_value_odd.elf', mod(base, prog1 + 8, '<Q', 4))
w('sym_size_past.elf', mod(base, prog1 + 16, '<Q', 0x100000))
w('sym_xindex.elf', mod(base, prog1 + 6, '<H', 0xffff))
arr = sym_by_name(b'arr')
w('map_sym_size.elf', mod(base, arr + 16, '<Q', 0x1000))

r = rels(base, '.relxdp')
off0, roff, rinfo = r[0]
w('rel_sym_range.elf', mod(base, off0 + 8, '<Q', (0xffff << 32) | (rinfo & 0xffffffff)))
w('rel_sym_zero.elf', mod(base, off0 + 8, '<Q', rinfo & 0xffffffff))
w('rel_off_range.elf', mod(base, off0, '<Q', 0x100000))
w('rel_off_odd.elf', mod(base, off0, '<Q', roff + 3))
w('rel_type_abs64.elf', mod(base, off0 + 8, '<Q', (rinfo & ~0xffffffff) | 2))
# R_BPF_64_64 moved onto a non-ld_imm64 instruction
w('rel_wrong_insn.elf', mod(base, off0, '<Q', roff + 16))
# a call relocation (R_BPF_64_32) on the ld_imm64
w('rel_call_on_lddw.elf', mod(base, off0 + 8, '<Q', (rinfo & ~0xffffffff) | 10))
# two relocations at the same instruction
w('rel_duplicate.elf', mod(base, r[1][0], '<Q', roff))
i, s = sec(base, '.relxdp')
c = bytearray(base); s2 = list(s); s2[6] = 1; put_shdr(c, i, s2); w('rel_link.elf', c)
c = bytearray(base); s2 = list(s); s2[7] = 0x4000; put_shdr(c, i, s2); w('rel_info.elf', c)
c = bytearray(base); s2 = list(s); s2[1] = 4; put_shdr(c, i, s2); w('rela.elf', c)

# calls: the .text call at xdp insn 20 (R_BPF_64_32 .text, imm 9 -> sub)
i, s = sec(base, 'xdp')
call = s[4] + 20 * 8
assert base[call] == 0x85
w('call_nowhere.elf', mod(base, call + 4, '<i', 5000))
w('call_middle.elf', mod(base, call + 4, '<i', 10))

# BTF
i, s = sec(base, '.BTF')
btf = s[4]
w('btf_magic.elf', mod(base, btf, '<H', 0x1234))
w('btf_hdr_len.elf', mod(base, btf + 4, '<I', 0x10000))
hdr_len, toff, tlen, soff, slen = struct.unpack_from('<IIIII', base, btf + 4)
w('btf_str_len.elf', mod(base, btf + 20, '<I', slen + 4096))
# first PTR type: point it past the last type id
p = btf + hdr_len + toff
end = p + tlen
KSIZE = {1: 4, 2: 0, 3: 12, 4: -1, 5: -1, 6: -2, 7: 0, 8: 0, 9: 0, 10: 0, 11: 0, 12: 0, 13: -3,
         14: 4, 15: -4, 16: 0, 17: 4, 18: 0, 19: -2}
ptr_at = None
while p < end:
    name_off, info, sz = struct.unpack_from('<III', base, p)
    kind, vlen = (info >> 24) & 0x1f, info & 0xffff
    if kind == 2 and ptr_at is None:
        ptr_at = p
    extra = KSIZE[kind]
    if extra == -1: extra = 12 * vlen
    elif extra == -2: extra = 8 * vlen
    elif extra == -3: extra = 8 * vlen
    elif extra == -4: extra = 12 * vlen
    if kind == 19: extra = 12 * vlen
    p += 12 + extra
w('btf_type_id.elf', mod(base, ptr_at + 8, '<I', 0x7ffff))
so = btf + hdr_len + soff
strs = bytes(base[so:so + slen])
k = strs.index(b'max_entries\0')
c = bytearray(base); c[so + k + 10] = ord('z'); w('map_unknown_field.elf', c)
k = strs.index(b'.maps\0')
c = bytearray(base); c[so + k + 1] = ord('n'); w('maps_no_datasec.elf', c)

# .BTF.ext
i, s = sec(base, '.BTF.ext')
ext = s[4]
w('btf_ext_magic.elf', mod(base, ext, '<H', 0x1111))
w('btf_ext_func_len.elf', mod(base, ext + 12, '<I', 0x100000))
eh = struct.unpack_from('<HBBIIIII', base, ext)
lo = ext + eh[3] + eh[6]
# first line record's insn_off (after rec_size, sec_name_off, num_info)
w('btf_ext_line_off.elf', mod(base, lo + 12, '<I', 0x7ffff8))
w('btf_ext_line_str.elf', mod(base, lo + 16, '<I', 0xffffff))
w('btf_ext_rec_size.elf', mod(base, lo, '<I', 3))

# legacy maps and version
i, s = sec(legacy, 'maps')
c = bytearray(legacy); s2 = list(s); s2[5] -= 3; put_shdr(c, i, s2); w('legacy_maps_size.elf', c)
i, s = sec(legacy, 'version')
c = bytearray(legacy); s2 = list(s); s2[5] = 3; put_shdr(c, i, s2); w('version_size.elf', c)
