/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Small Solo5 kernels for the unit tests: an ELF64 whose one PT_NOTE
 * segment holds Solo5's ABI1 note (the target) and its MFT1 note (the
 * manifest), laid out as solo5's include/elf_abi.h and mft_abi.h define
 * them on x86-64:
 *
 *   ABI1: namesz 6, descsz 16, type "ABI1", "Solo5\0" + 2 bytes of
 *         padding, then uint32 target, version, 2 reserved;
 *   MFT1: namesz 6, descsz 12 + entries * 104, type "MFT1", "Solo5\0" +
 *         padding, 4 bytes of padding (the manifest is 8-aligned), then
 *         uint32 version 1, uint32 entries, and the entries (name[68],
 *         uint32 type at 68, properties, host fd, bool attached at 96),
 *         entry 0 being the reserved one (type 1 << 30, empty name).
 *
 * This is written from the layout, independently of src/vm/kernel.c's
 * reader.  The stand-in kernels (tests/integration/stand-in/solo5-note.S) use the
 * same layout, and real Solo5 binaries were checked against the reader.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <elf.h>

struct t_solo5_dev {
        const char *name;
        uint32_t type; /* 1 block, 2 net (anything, to test refusals) */
};

/* Spoilers for malformed manifests. */
enum t_solo5_spoil {
        T_SOLO5_OK,
        T_SOLO5_VERSION,     /* version 2 */
        T_SOLO5_SIZE,        /* descsz one entry short */
        T_SOLO5_NO_RESERVED, /* entry 0 is an ordinary one */
        T_SOLO5_LONG_NAME,   /* a name filling all 68 bytes */
        T_SOLO5_ATTACHED,    /* attached set */
};

static inline void t_put32(unsigned char *p, uint32_t v)
{
        memcpy(p, &v, 4);
}

/* The ELF64 header of an x86-64 executable with one program header right
 * after it (the unit tests' kernels), at the start of img. */
static inline Elf64_Ehdr *t_elf64_header(unsigned char *img)
{
        Elf64_Ehdr *eh = (Elf64_Ehdr *) img;
        memcpy(eh->e_ident, ELFMAG, SELFMAG);
        eh->e_ident[EI_CLASS] = ELFCLASS64;
        eh->e_ident[EI_DATA] = ELFDATA2LSB;
        eh->e_ident[EI_VERSION] = EV_CURRENT;
        eh->e_type = ET_EXEC;
        eh->e_machine = EM_X86_64;
        eh->e_version = EV_CURRENT;
        eh->e_ehsize = sizeof(Elf64_Ehdr);
        eh->e_phentsize = sizeof(Elf64_Phdr);
        eh->e_phoff = sizeof(Elf64_Ehdr);
        eh->e_phnum = 1;
        return eh;
}

/* Writes path: target 0 = no ABI1 note; n_devs < 0 = no MFT1 note. */
static inline void t_write_solo5_elf(const char *path, uint32_t target, const struct t_solo5_dev *devs,
                                     int n_devs, enum t_solo5_spoil spoil)
{
        size_t entries = n_devs < 0 ? 0 : (size_t) n_devs + 1;
        size_t size = 1024 + 64 + 32 + entries * 104 + 64;
        unsigned char *img = calloc(1, size);
        if (!img)
                abort();
        Elf64_Ehdr *eh = t_elf64_header(img);

        unsigned char *n = img + 1024;
        size_t off = 0;
        if (target) {
                t_put32(n + off, 6);
                t_put32(n + off + 4, 16);
                t_put32(n + off + 8, 0x31494241u); /* "ABI1" */
                memcpy(n + off + 12, "Solo5", 6);
                t_put32(n + off + 20, target);
                t_put32(n + off + 24, 1);
                off += 36;
        }
        if (n_devs >= 0) {
                uint32_t descsz = (uint32_t) (12 + entries * 104);
                if (spoil == T_SOLO5_SIZE)
                        descsz -= 104;
                t_put32(n + off, 6);
                t_put32(n + off + 4, descsz);
                t_put32(n + off + 8, 0x3154464du); /* "MFT1" */
                memcpy(n + off + 12, "Solo5", 6);
                unsigned char *m = n + off + 24; /* 20-byte header, 4 bytes of padding */
                t_put32(m, spoil == T_SOLO5_VERSION ? 2 : 1);
                t_put32(m + 4, (uint32_t) entries);
                for (size_t i = 0; i < entries; i++) {
                        unsigned char *e = m + 8 + i * 104;
                        if (i == 0) {
                                t_put32(e + 68, spoil == T_SOLO5_NO_RESERVED ? 2 : 1u << 30);
                                if (spoil == T_SOLO5_NO_RESERVED)
                                        memcpy(e, "first", 6);
                                continue;
                        }
                        const struct t_solo5_dev *d = &devs[i - 1];
                        snprintf((char *) e, 68, "%s", d->name);
                        if (spoil == T_SOLO5_LONG_NAME && i == 1)
                                memset(e, 'x', 68);
                        t_put32(e + 68, d->type);
                        if (spoil == T_SOLO5_ATTACHED && i == 1)
                                e[96] = 1;
                }
                off += 20 + descsz;
        }
        Elf64_Phdr *ph = (Elf64_Phdr *) (img + eh->e_phoff);
        ph->p_type = PT_NOTE;
        ph->p_offset = 1024;
        ph->p_filesz = off;
        FILE *f = fopen(path, "w");
        if (!f || fwrite(img, 1, size, f) != size || fclose(f) != 0)
                abort();
        free(img);
}
