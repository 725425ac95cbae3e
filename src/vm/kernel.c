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
#include "vm/vm.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
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
                if (namesz == 6 && memcmp(name, "Solo5", 6) == 0)
                        seen->solo5 = true;
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

int ur_kernel_probe(const char *path, enum ur_boot_format *ret, ur_err *err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return ur_err_set(err, errno, "open kernel '%s'", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return ur_err_set(err, errno, "stat kernel '%s'", path);
        if (!S_ISREG(st.st_mode))
                return ur_err_set(err, 0, "kernel '%s' is not a regular file", path);

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

static uint64_t mono_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

int ur_host_tsc_khz(unsigned *ret, ur_err *err)
{
#if defined(__x86_64__) || defined(__i386__)
        /* Best of three 5 ms windows.  The clock readings bracket the TSC
         * readings, so a preemption can only make a window look slower:
         * the fastest-looking one is the least disturbed. */
        double best = 0;
        for (int i = 0; i < 3; i++) {
                uint64_t t0 = mono_ns(), c0 = __builtin_ia32_rdtsc();
                struct timespec d = { 0, 5 * 1000 * 1000 };
                while (nanosleep(&d, &d) < 0 && errno == EINTR)
                        ;
                uint64_t c1 = __builtin_ia32_rdtsc(), t1 = mono_ns();
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
