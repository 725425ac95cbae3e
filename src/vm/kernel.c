/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Telling a kernel image's boot format from its headers.
 *
 * Order of the checks (first match wins):
 *   1. ELF with a "Solo5" note (.note.solo5.*)          -> SOLO5
 *   2. ELF with a Xen note of type XEN_ELFNOTE_PHYS32_ENTRY -> PVH
 *      (a kernel with both a PVH note and a multiboot header boots PVH:
 *      microvm needs no firmware and is faster than pc's option ROM)
 *   3. multiboot v1 header in the first 8192 bytes      -> MULTIBOOT
 *   4. "HdrS" at 0x202 (Linux x86 boot protocol)        -> LINUX
 *   5. any other ELF (a plain vmlinux)                  -> ELF
 *
 * A plain vmlinux is not LINUX: QEMU's -kernel cannot load it (it only knows
 * multiboot, PVH ELF and bzImage), only firecracker's 64-bit boot can, so it
 * gets its own format and the monitors that cannot boot it say so.
 *
 * All reads are bounded: the program and section header tables and the
 * notes are only read within the file and within fixed limits.
 */
#include "util/time.h"
#include "vm/vm.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define MULTIBOOT_MAGIC 0x1BADB002u
#define MULTIBOOT_SEARCH 8192
#define MAX_HEADERS 512          /* program or section headers looked at */
#define MAX_NOTES (1u << 20)     /* bytes of notes read per segment/section */

const char *ur_boot_format_name(enum ur_boot_format f)
{
        switch (f) {
        case UR_BOOT_PVH:
                return "pvh";
        case UR_BOOT_MULTIBOOT:
                return "multiboot";
        case UR_BOOT_LINUX:
                return "linux-bzimage";
        case UR_BOOT_SOLO5:
                return "solo5";
        case UR_BOOT_ELF:
                return "elf";
        case UR_BOOT_UNKNOWN:
        default:
                return "unknown";
        }
}

static int pread_full(int fd, void *buf, size_t len, off_t off)
{
        size_t done = 0;
        while (done < len) {
                ssize_t n = RETRY_EINTR(pread(fd, (char *) buf + done, len - done, off + (off_t) done));
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                done += (size_t) n;
        }
        return (int) done;
}

struct notes_seen {
        bool pvh;
        bool solo5;
        struct ur_solo5_info *info; /* non-NULL: parse Solo5's ABI1 and MFT1 notes into it */
        bool abi_seen, mft_seen;    /* the same note is met through a PT_NOTE and a section */
        char bad[192];              /* why a Solo5 note is malformed ("" = fine) */
};

static uint32_t rd32(const unsigned char *p, bool swap)
{
        uint32_t v;
        memcpy(&v, p, 4);
        return swap ? __builtin_bswap32(v) : v;
}

static uint64_t rd64(const unsigned char *p, bool swap)
{
        uint64_t v;
        memcpy(&v, p, 8);
        return swap ? __builtin_bswap64(v) : v;
}

static uint16_t rd16(const unsigned char *p, bool swap)
{
        uint16_t v;
        memcpy(&v, p, 2);
        return swap ? __builtin_bswap16(v) : v;
}

/*
 * Solo5's notes (its include/elf_abi.h and mft_abi.h, x86-64/aarch64
 * layout).  Both are named "Solo5"; the tender finds them in PT_NOTE
 * segments.
 *
 * ABI1 (type "ABI1"): four uint32: target (1 hvt, 2 spt, 3 virtio, 4 muen,
 * 5 genode, 6 xen), version, two reserved.
 *
 * MFT1 (type "MFT1"): the manifest, struct mft, 8-byte aligned: as the
 * 20-byte note header is not, the descriptor starts with 4 bytes of
 * padding.  struct mft is uint32 version (1), uint32 entries, then
 * `entries` struct mft_entry of 104 bytes each:
 *     char name[68]   (NUL-terminated, at most 67 characters)
 *     uint32 type     (1 block, 2 net, 1<<30 the reserved first entry)
 *     16 bytes of properties (union, 8-aligned at offset 72)
 *     8 bytes host fd / pointer (offset 88), bool attached (offset 96),
 *     7 bytes of padding.
 * Entry 0 is the reserved one (type 1<<30, empty name); names are
 * letters and digits (solo5-elftool's rule, and all the tenders' --net:
 * and --block: options accept); at most 64 entries; the descriptor size is exactly 4 + 8 + entries * 104;
 * attached is false in the file.  These are the tender's own checks (mft_validate).
 */
#define SOLO5_ABI1_TYPE 0x31494241u /* "ABI1" */
#define SOLO5_MFT1_TYPE 0x3154464du /* "MFT1" */
#define MFT_VERSION 1u
#define MFT_PAD 4u
#define MFT_HEADER 8u
#define MFT_ENTRY 104u
#define MFT_ENTRY_TYPE 68u
#define MFT_ENTRY_ATTACHED 96u
#define MFT_MAX_ENTRIES 64u
#define MFT_RESERVED_FIRST (1u << 30)

static void parse_abi1(const unsigned char *d, size_t n, bool swap, struct notes_seen *seen)
{
        if (seen->abi_seen)
                return;
        seen->abi_seen = true;
        if (n < 8) {
                snprintf(seen->bad, sizeof(seen->bad), "its Solo5 ABI1 note has %zu bytes, fewer than 8", n);
                return;
        }
        seen->info->target = rd32(d, swap);
        seen->info->abi_version = rd32(d + 4, swap);
}

static void parse_mft1(const unsigned char *d, size_t n, bool swap, struct notes_seen *seen)
{
        struct ur_solo5_info *info = seen->info;

        if (seen->mft_seen)
                return;
        seen->mft_seen = true;
        if (n < MFT_PAD + MFT_HEADER) {
                snprintf(seen->bad, sizeof(seen->bad), "its Solo5 manifest note has %zu bytes, too few", n);
                return;
        }
        const unsigned char *m = d + MFT_PAD;
        uint32_t version = rd32(m, swap), entries = rd32(m + 4, swap);
        if (version != MFT_VERSION) {
                snprintf(seen->bad, sizeof(seen->bad),
                         "its Solo5 manifest has version %u (this urunc reads version %u)", version,
                         MFT_VERSION);
                return;
        }
        if (entries < 1 || entries > MFT_MAX_ENTRIES) {
                snprintf(seen->bad, sizeof(seen->bad), "its Solo5 manifest has %u entries (1 to %u expected)",
                         entries, MFT_MAX_ENTRIES);
                return;
        }
        if (n != MFT_PAD + MFT_HEADER + (size_t) entries * MFT_ENTRY) {
                snprintf(seen->bad, sizeof(seen->bad),
                         "its Solo5 manifest note has %zu bytes, %u entries need %zu (not solo5's layout)", n,
                         entries, (size_t) (MFT_PAD + MFT_HEADER + (size_t) entries * MFT_ENTRY));
                return;
        }
        for (uint32_t i = 0; i < entries; i++) {
                const unsigned char *e = m + MFT_HEADER + (size_t) i * MFT_ENTRY;
                uint32_t type = rd32(e + MFT_ENTRY_TYPE, swap);
                if (e[UR_SOLO5_NAME_MAX] != 0) {
                        snprintf(seen->bad, sizeof(seen->bad),
                                 "its Solo5 manifest entry %u has a name of more than %u characters", i,
                                 UR_SOLO5_NAME_MAX);
                        return;
                }
                if (e[MFT_ENTRY_ATTACHED] != 0) {
                        snprintf(seen->bad, sizeof(seen->bad),
                                 "its Solo5 manifest entry %u is marked attached", i);
                        return;
                }
                if (i == 0) {
                        if (type != MFT_RESERVED_FIRST || e[0] != 0) {
                                snprintf(seen->bad, sizeof(seen->bad),
                                         "its Solo5 manifest does not start with the reserved entry");
                                return;
                        }
                        continue;
                }
                if (type != UR_SOLO5_DEV_BLOCK && type != UR_SOLO5_DEV_NET) {
                        snprintf(
                                seen->bad, sizeof(seen->bad),
                                "its Solo5 manifest entry %u ('%.67s') has device type %u (1 block and 2 net "
                                "are known)",
                                i, (const char *) e, type);
                        return;
                }
                if (e[0] == 0) {
                        snprintf(seen->bad, sizeof(seen->bad),
                                 "its Solo5 manifest entry %u has an empty name", i);
                        return;
                }
                for (const unsigned char *c = e; *c; c++)
                        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                              (*c >= '0' && *c <= '9'))) {
                                snprintf(seen->bad, sizeof(seen->bad),
                                         "its Solo5 manifest entry %u ('%.67s') is not a Solo5 device name "
                                         "(letters and digits only)",
                                         i, (const char *) e);
                                return;
                        }
                struct ur_solo5_dev *dev = &info->devs[info->n_devs++];
                memcpy(dev->name, e, UR_SOLO5_NAME_MAX + 1);
                dev->type = (enum ur_solo5_dev_type) type;
        }
        info->has_manifest = true;
}

/* Walk the notes in buf[0..len) (4-byte aligned, as on x86). */
static void scan_notes(const unsigned char *buf, size_t len, bool swap, struct notes_seen *seen)
{
        size_t off = 0;
        while (len - off >= 12) {
                uint32_t namesz = rd32(buf + off, swap);
                uint32_t descsz = rd32(buf + off + 4, swap);
                uint32_t type = rd32(buf + off + 8, swap);
                size_t name_al = ((size_t) namesz + 3) & ~(size_t) 3;
                size_t desc_al = ((size_t) descsz + 3) & ~(size_t) 3;
                off += 12;
                if (name_al > len - off || desc_al > len - off - name_al)
                        return;
                const char *name = (const char *) buf + off;
                if (namesz == 4 && memcmp(name, "Xen", 4) == 0 && type == XEN_ELFNOTE_PHYS32_ENTRY)
                        seen->pvh = true;
                if (namesz == 6 && memcmp(name, "Solo5", 6) == 0) {
                        seen->solo5 = true;
                        const unsigned char *desc = buf + off + name_al;
                        if (seen->info && !seen->bad[0] && type == SOLO5_ABI1_TYPE)
                                parse_abi1(desc, descsz, swap, seen);
                        else if (seen->info && !seen->bad[0] && type == SOLO5_MFT1_TYPE)
                                parse_mft1(desc, descsz, swap, seen);
                }
                off += name_al + desc_al;
        }
}

static int scan_note_range(int fd, uint64_t off, uint64_t size, uint64_t file_size, bool swap,
                           struct notes_seen *seen)
{
        if (off >= file_size || size == 0)
                return 0;
        if (size > file_size - off)
                size = file_size - off;
        if (size > MAX_NOTES)
                size = MAX_NOTES;
        _cleanup_free_ unsigned char *buf = malloc(size);
        if (!buf)
                return -ENOMEM;
        int n = pread_full(fd, buf, size, (off_t) off);
        if (n < 0)
                return n;
        scan_notes(buf, (size_t) n, swap, seen);
        return 0;
}

/* Reads the ELF's notes via its program headers (PT_NOTE) and its section
 * headers (SHT_NOTE, and the ".note.solo5." names). */
static int elf_notes(int fd, const unsigned char *ehdr, size_t ehdr_len, uint64_t file_size,
                     struct notes_seen *seen, const char **why)
{
        bool is64 = ehdr[EI_CLASS] == ELFCLASS64;
        bool swap = ehdr[EI_DATA] == ELFDATA2MSB;
        if (ehdr[EI_CLASS] != ELFCLASS32 && ehdr[EI_CLASS] != ELFCLASS64) {
                *why = "unknown ELF class";
                return -EINVAL;
        }
        if (ehdr_len < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
                *why = "truncated ELF header";
                return -EINVAL;
        }
        uint64_t phoff, shoff;
        unsigned phentsize, phnum, shentsize, shnum;
        if (is64) {
                phoff = rd64(ehdr + offsetof(Elf64_Ehdr, e_phoff), swap);
                shoff = rd64(ehdr + offsetof(Elf64_Ehdr, e_shoff), swap);
                phentsize = rd16(ehdr + offsetof(Elf64_Ehdr, e_phentsize), swap);
                phnum = rd16(ehdr + offsetof(Elf64_Ehdr, e_phnum), swap);
                shentsize = rd16(ehdr + offsetof(Elf64_Ehdr, e_shentsize), swap);
                shnum = rd16(ehdr + offsetof(Elf64_Ehdr, e_shnum), swap);
        } else {
                phoff = rd32(ehdr + offsetof(Elf32_Ehdr, e_phoff), swap);
                shoff = rd32(ehdr + offsetof(Elf32_Ehdr, e_shoff), swap);
                phentsize = rd16(ehdr + offsetof(Elf32_Ehdr, e_phentsize), swap);
                phnum = rd16(ehdr + offsetof(Elf32_Ehdr, e_phnum), swap);
                shentsize = rd16(ehdr + offsetof(Elf32_Ehdr, e_shentsize), swap);
                shnum = rd16(ehdr + offsetof(Elf32_Ehdr, e_shnum), swap);
        }
        size_t want_ph = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
        size_t want_sh = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
        int r;

        if (phnum > MAX_HEADERS)
                phnum = MAX_HEADERS;
        if (phnum > 0 && phentsize >= want_ph && phoff < file_size) {
                for (unsigned i = 0; i < phnum; i++) {
                        unsigned char ph[sizeof(Elf64_Phdr)];
                        uint64_t at = phoff + (uint64_t) i * phentsize;
                        if (at > file_size || file_size - at < want_ph)
                                break;
                        r = pread_full(fd, ph, want_ph, (off_t) at);
                        if (r < 0)
                                return r;
                        if ((size_t) r < want_ph)
                                break;
                        uint32_t type = rd32(ph, swap); /* p_type is first in both */
                        if (type != PT_NOTE)
                                continue;
                        uint64_t off = is64 ? rd64(ph + offsetof(Elf64_Phdr, p_offset), swap)
                                            : rd32(ph + offsetof(Elf32_Phdr, p_offset), swap);
                        uint64_t sz = is64 ? rd64(ph + offsetof(Elf64_Phdr, p_filesz), swap)
                                           : rd32(ph + offsetof(Elf32_Phdr, p_filesz), swap);
                        r = scan_note_range(fd, off, sz, file_size, swap, seen);
                        if (r < 0)
                                return r;
                }
        }

        /* Section notes: a linker script may keep a note out of every
         * PT_NOTE segment (solo5's manifest is in its own section). */
        if (shnum > MAX_HEADERS)
                shnum = MAX_HEADERS;
        if (shnum == 0 || shentsize < want_sh || shoff >= file_size)
                return 0;
        for (unsigned i = 0; i < shnum; i++) {
                unsigned char sh[sizeof(Elf64_Shdr)];
                uint64_t at = shoff + (uint64_t) i * shentsize;
                if (at > file_size || file_size - at < want_sh)
                        break;
                r = pread_full(fd, sh, want_sh, (off_t) at);
                if (r < 0)
                        return r;
                if ((size_t) r < want_sh)
                        break;
                uint32_t type = rd32(sh + 4, swap); /* sh_type follows sh_name in both */
                if (type != SHT_NOTE)
                        continue;
                uint64_t off = is64 ? rd64(sh + offsetof(Elf64_Shdr, sh_offset), swap)
                                    : rd32(sh + offsetof(Elf32_Shdr, sh_offset), swap);
                uint64_t sz = is64 ? rd64(sh + offsetof(Elf64_Shdr, sh_size), swap)
                                   : rd32(sh + offsetof(Elf32_Shdr, sh_size), swap);
                r = scan_note_range(fd, off, sz, file_size, swap, seen);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool has_multiboot(const unsigned char *buf, size_t len)
{
        for (size_t off = 0; off + 12 <= len && off + 12 <= MULTIBOOT_SEARCH; off += 4) {
                uint32_t magic, flags, sum;
                memcpy(&magic, buf + off, 4);
                if (magic != MULTIBOOT_MAGIC)
                        continue;
                memcpy(&flags, buf + off + 4, 4);
                memcpy(&sum, buf + off + 8, 4);
                if ((uint32_t) (magic + flags + sum) == 0)
                        return true;
        }
        return false;
}

/* The kernel at path, opened for reading: a regular file, or an error. */
static int open_kernel(const char *path, struct stat *ret_st, struct ur_err **err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return ur_err_set(err, errno, "open kernel '%s'", path);
        if (fstat(fd, ret_st) < 0)
                return ur_err_set(err, errno, "stat kernel '%s'", path);
        if (!S_ISREG(ret_st->st_mode))
                return ur_err_set(err, 0, "kernel '%s' is not a regular file", path);
        return TAKE_FD(fd);
}

int ur_kernel_probe(const char *path, enum ur_boot_format *ret, struct ur_err **err)
{
        struct stat st;
        _cleanup_close_ int fd = open_kernel(path, &st, err);
        if (fd < 0)
                return -1;

        unsigned char head[MULTIBOOT_SEARCH];
        int n = pread_full(fd, head, sizeof(head), 0);
        if (n < 0)
                return ur_err_set(err, -n, "read kernel '%s'", path);
        size_t len = (size_t) n;

        bool mb = has_multiboot(head, len);
        if (len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0) {
                struct notes_seen seen = { 0 };
                const char *why = NULL;
                int r = elf_notes(fd, head, len, (uint64_t) st.st_size, &seen, &why);
                if (r < 0) {
                        if (why)
                                return ur_err_set(err, 0, "kernel '%s': %s", path, why);
                        return ur_err_set(err, -r, "read kernel '%s'", path);
                }
                if (seen.solo5)
                        *ret = UR_BOOT_SOLO5;
                else if (seen.pvh)
                        *ret = UR_BOOT_PVH;
                else if (mb)
                        *ret = UR_BOOT_MULTIBOOT;
                else
                        *ret = UR_BOOT_ELF;
                return 0;
        }
        if (mb) {
                *ret = UR_BOOT_MULTIBOOT;
                return 0;
        }
        if (len >= 0x206 && memcmp(head + 0x202, "HdrS", 4) == 0) {
                *ret = UR_BOOT_LINUX;
                return 0;
        }
        return ur_err_set(err, 0,
                          "kernel '%s': unknown format (not ELF, no multiboot header, "
                          "no Linux boot header)", path);
}

const char *ur_solo5_target_name(unsigned target)
{
        static const char *const names[] = {"unknown", "hvt", "spt", "virtio", "muen", "genode", "xen"};
        return target < sizeof(names) / sizeof(names[0]) ? names[target] : "unknown";
}

int ur_solo5_info_read(const char *path, struct ur_solo5_info *ret, struct ur_err **err)
{
        memset(ret, 0, sizeof(*ret));
        struct stat st;
        _cleanup_close_ int fd = open_kernel(path, &st, err);
        if (fd < 0)
                return -1;
        unsigned char head[sizeof(Elf64_Ehdr)];
        int n = pread_full(fd, head, sizeof(head), 0);
        if (n < 0)
                return ur_err_set(err, -n, "read kernel '%s'", path);
        if ((size_t) n < SELFMAG || memcmp(head, ELFMAG, SELFMAG) != 0)
                return ur_err_set(err, 0, "kernel '%s' is not an ELF file (a Solo5 kernel is)", path);
        struct notes_seen seen = {.info = ret};
        const char *why = NULL;
        int r = elf_notes(fd, head, (size_t) n, (uint64_t) st.st_size, &seen, &why);
        if (r < 0) {
                memset(ret, 0, sizeof(*ret));
                if (why)
                        return ur_err_set(err, 0, "kernel '%s': %s", path, why);
                return ur_err_set(err, -r, "read kernel '%s'", path);
        }
        if (seen.bad[0]) {
                memset(ret, 0, sizeof(*ret));
                return ur_err_set(err, 0, "kernel '%s': %s", path, seen.bad);
        }
        return 0;
}

int ur_host_tsc_khz(unsigned *ret, struct ur_err **err)
{
#if defined(__x86_64__) || defined(__i386__)
        /* Best of three 5 ms windows.  The clock readings bracket the TSC
         * readings, so a preemption can only make a window look slower:
         * the fastest-looking one is the least disturbed. */
        double best = 0;
        for (int i = 0; i < 3; i++) {
                uint64_t t0 = ur_clock_ns(CLOCK_MONOTONIC_RAW), c0 = __builtin_ia32_rdtsc();
                struct timespec d = { 0, 5 * 1000 * 1000 };
                while (nanosleep(&d, &d) < 0 && errno == EINTR)
                        ;
                uint64_t c1 = __builtin_ia32_rdtsc(), t1 = ur_clock_ns(CLOCK_MONOTONIC_RAW);
                if (t1 <= t0 || c1 <= c0)
                        continue;
                double khz = (double) (c1 - c0) * 1e6 / (double) (t1 - t0);
                if (khz > best)
                        best = khz;
        }
        if (best < 1000)
                return ur_err_set(err, 0, "measuring the host TSC frequency failed");
        /* Round to 1 MHz: a TSC runs at a round nominal frequency. */
        *ret = (unsigned) ((best + 500) / 1000) * 1000;
        return 0;
#else
        return ur_err_set(err, ENOTSUP, "TSC frequency on this architecture");
#endif
}
