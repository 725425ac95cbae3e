/* SPDX-License-Identifier: Apache-2.0 */
#include "vm/initrd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/path.h"
#include "util/strv.h"

#define NEWC_MAGIC "070701"
#define NEWC_HDR 110
#define NEWC_TRAILER "TRAILER!!!"

/* An archive being written (out_fd < 0: only checked and counted). */
struct cpio {
        int out_fd;
        uint64_t off;   /* bytes written */
        uint32_t ino;   /* the next inode number */
        uint64_t bytes; /* file data so far */
        const char *what;
        struct ur_err **err;
};

static int put(struct cpio *c, const void *buf, size_t n)
{
        const char *p = buf;

        if (c->out_fd < 0) {
                c->off += n;
                return 0;
        }
        while (n > 0) {
                ssize_t w = write(c->out_fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return ur_err_set(c->err, errno, "initrd: write");
                p += w, n -= (size_t) w, c->off += (uint64_t) w;
        }
        return 0;
}

static int pad4(struct cpio *c)
{
        static const char zero[4];
        return put(c, zero, (size_t) ((4 - c->off % 4) % 4));
}

static int header(struct cpio *c, const char *name, uint32_t mode, uint32_t size, uint32_t mtime)
{
        char h[160];
        uint32_t nl = (uint32_t) strlen(name) + 1;

        snprintf(h, sizeof(h), NEWC_MAGIC "%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                 name[0] ? ++c->ino : 0, mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, mtime, size, 0u, 0u, 0u, 0u,
                 nl, 0u);
        if (put(c, h, NEWC_HDR) < 0 || put(c, name, (size_t) nl) < 0)
                return -1;
        return pad4(c);
}

static uint32_t mode_of(const struct stat *st, bool ro)
{
        uint32_t m = st->st_mode & (S_IFMT | 07777);
        return ro ? m & ~(uint32_t) (S_IWUSR | S_IWGRP | S_IWOTH) : m;
}

/* The data of the regular file fd (size bytes, as stat saw it). */
static int file_data(struct cpio *c, int fd, uint64_t size, const char *path)
{
        char buf[65536];
        uint64_t left = size;

        if (c->out_fd < 0) {
                c->off += size;
                return pad4(c);
        }
        while (left > 0) {
                ssize_t r = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return ur_err_set(c->err, errno, "%s: read '%s'", c->what, path);
                if (r == 0)
                        return ur_err_set(c->err, 0, "%s: '%s' shrank while being copied", c->what, path);
                if (put(c, buf, (size_t) r) < 0)
                        return -1;
                left -= (uint64_t) r;
        }
        return pad4(c);
}

/* One entry: fd is open on it (O_PATH for a symbolic link), st its stat;
 * name its archive name, path its host path (for messages). */
static int entry(struct cpio *c, int fd, const struct stat *st, const char *name, const char *path, bool ro);

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int tree(struct cpio *c, int dfd, const char *name, const char *path, bool ro)
{
        _cleanup_close_ int dup_fd = dup(dfd);
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (dup_fd < 0 || !(d = fdopendir(dup_fd)))
                return ur_err_set(c->err, errno, "%s: read directory '%s'", c->what, path);
        dup_fd = -1;
        /* The entries in a stable order, so that the archive is too. */
        _cleanup_strv_ char **names = NULL;
        while ((errno = 0, de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
                    ur_strv_add(&names, de->d_name) < 0) {
                        closedir(d);
                        return ur_err_set(c->err, ENOMEM, "initrd");
                }
        if (errno) {
                r = ur_err_set(c->err, errno, "%s: read directory '%s'", c->what, path);
                closedir(d);
                return r;
        }
        if (names)
                qsort(names, ur_strv_len(names), sizeof(*names), cmp_names);
        for (char **n = names; n && *n && r == 0; n++) {
                _cleanup_free_ char *cn = NULL, *cp = NULL;
                _cleanup_close_ int fd = openat(dfd, *n, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                struct stat st;
                if (fd < 0 || fstat(fd, &st) < 0) {
                        r = ur_err_set(c->err, errno, "%s: '%s/%s'", c->what, path, *n);
                        break;
                }
                if (asprintf(&cn, "%s/%s", name, *n) < 0 || asprintf(&cp, "%s/%s", path, *n) < 0) {
                        r = ur_err_set(c->err, ENOMEM, "initrd");
                        break;
                }
                r = entry(c, fd, &st, cn, cp, ro);
        }
        closedir(d);
        return r;
}

static int entry(struct cpio *c, int fd, const struct stat *st, const char *name, const char *path, bool ro)
{
        uint32_t mtime = (uint32_t) st->st_mtime;

        if (S_ISDIR(st->st_mode)) {
                _cleanup_close_ int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        return ur_err_set(c->err, errno, "%s: open directory '%s'", c->what, path);
                if (header(c, name, mode_of(st, ro), 0, mtime) < 0)
                        return -1;
                return tree(c, dfd, name, path, ro);
        }
        if (S_ISLNK(st->st_mode)) {
                char target[4096];
                ssize_t n = readlinkat(fd, "", target, sizeof(target));
                if (n < 0 || (size_t) n >= sizeof(target))
                        return ur_err_set(c->err, n < 0 ? errno : ENAMETOOLONG, "%s: read link '%s'", c->what,
                                          path);
                if (header(c, name, mode_of(st, false), (uint32_t) n, mtime) < 0 ||
                    put(c, target, (size_t) n) < 0)
                        return -1;
                c->bytes += (uint64_t) n;
                return pad4(c);
        }
        if (!S_ISREG(st->st_mode))
                return ur_err_set(c->err, 0,
                                  "%s: '%s' is a %s: only directories, regular files and symbolic links "
                                  "can be copied into the initrd",
                                  c->what, path, ur_file_type_name(st->st_mode));
        if ((uint64_t) st->st_size > UR_INITRD_COPY_MAX - c->bytes || c->bytes > UR_INITRD_COPY_MAX)
                return ur_err_set(c->err, 0, "%s: '%s' takes the copies past %u MiB, what an initrd takes",
                                  c->what, path, UR_INITRD_COPY_MAX >> 20);
        c->bytes += (uint64_t) st->st_size;
        _cleanup_close_ int rfd = -1;
        if (c->out_fd >= 0) {
                char p[64];
                snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
                rfd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (rfd < 0)
                        return ur_err_set(c->err, errno, "%s: open '%s'", c->what, path);
        }
        if (header(c, name, mode_of(st, ro), (uint32_t) st->st_size, mtime) < 0)
                return -1;
        return file_data(c, rfd, (uint64_t) st->st_size, path);
}

/* The copy of source at dest ("/etc/app.conf": archive name "etc/app.conf"),
 * its parent directories first. */
static int copy_one(struct cpio *c, const char *source, const char *dest, bool ro)
{
        _cleanup_close_ int fd = open(source, O_PATH | O_CLOEXEC);
        _cleanup_free_ char *name = strdup(dest + 1);
        struct stat st;

        if (!name)
                return ur_err_set(c->err, ENOMEM, "initrd");
        if (fd < 0 || fstat(fd, &st) < 0)
                return ur_err_set(c->err, errno, "%s", c->what);
        for (char *s = strchr(name, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                int r = header(c, name, S_IFDIR | 0755, 0, 0);
                *s = '/';
                if (r < 0)
                        return -1;
        }
        return entry(c, fd, &st, name, source, ro);
}

int ur_initrd_copy_check(const char *source, const char *what, uint64_t *bytes, struct ur_err **err)
{
        struct cpio c = {.out_fd = -1, .bytes = *bytes, .what = what, .err = err};

        if (copy_one(&c, source, "/x", false) < 0)
                return -1;
        *bytes = c.bytes;
        return 0;
}

bool ur_initrd_is_newc(const char *path)
{
        char m[6];
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

        return fd >= 0 && pread(fd, m, sizeof(m), 0) == (ssize_t) sizeof(m) && memcmp(m, NEWC_MAGIC, 6) == 0;
}

static int hexfield(const char *h, unsigned i, uint32_t *ret)
{
        char f[9];
        char *end;

        memcpy(f, h + 6 + 8 * i, 8);
        f[8] = '\0';
        *ret = (uint32_t) strtoul(f, &end, 16);
        return *end ? -1 : 0;
}

/* The offset of the trailer of the newc archive in fd when nothing but
 * zeros follows it; -1 otherwise (not newc, or more after it). */
static off_t newc_trailer(int fd, off_t size)
{
        off_t off = 0;
        char h[NEWC_HDR], name[sizeof(NEWC_TRAILER)];
        uint32_t ns, fs;

        for (;;) {
                if (pread(fd, h, sizeof(h), off) != (ssize_t) sizeof(h) || memcmp(h, NEWC_MAGIC, 6) != 0 ||
                    hexfield(h, 6, &fs) < 0 || hexfield(h, 11, &ns) < 0)
                        return -1;
                if (ns == sizeof(NEWC_TRAILER) &&
                    pread(fd, name, sizeof(name), off + NEWC_HDR) == (ssize_t) sizeof(name) &&
                    memcmp(name, NEWC_TRAILER, sizeof(name)) == 0)
                        break;
                off += ((NEWC_HDR + (off_t) ns + 3) & ~(off_t) 3) + (((off_t) fs + 3) & ~(off_t) 3);
                if (off >= size)
                        return -1;
        }
        /* Only zeros (padding) after it. */
        char buf[4096];
        for (off_t p = off + NEWC_HDR; p < size;) {
                ssize_t r = pread(fd, buf, sizeof(buf), p);
                if (r <= 0)
                        return -1;
                for (ssize_t i = 0; i < r; i++)
                        if (buf[i] && p + i >= off + NEWC_HDR + (off_t) sizeof(NEWC_TRAILER))
                                return -1;
                p += r;
        }
        return off;
}

int ur_initrd_write(const struct ur_vm *vm, int in_fd, int out_fd, struct ur_err **err)
{
        struct cpio c = {.out_fd = out_fd, .err = err};
        struct stat st;
        off_t keep, trailer;
        char buf[65536];

        if (fstat(in_fd, &st) < 0)
                return ur_err_set(err, errno, "initrd '%s'", vm->initrd);
        trailer = newc_trailer(in_fd, st.st_size);
        keep = trailer >= 0 ? trailer : st.st_size;
        for (off_t off = 0; off < keep;) {
                ssize_t r =
                        pread(in_fd, buf,
                              (size_t) (keep - off) < sizeof(buf) ? (size_t) (keep - off) : sizeof(buf), off);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return ur_err_set(err, r < 0 ? errno : 0, "initrd '%s': read", vm->initrd);
                if (put(&c, buf, (size_t) r) < 0)
                        return -1;
                off += r;
        }
        /* The kernel skips zeros between archives; members start on 4 bytes. */
        if (pad4(&c) < 0)
                return -1;
        for (unsigned i = 0; i < vm->n_copies; i++) {
                _cleanup_free_ char *what = NULL;
                if (asprintf(&what, "mount '%s' (source '%s')", vm->copies[i].dest, vm->copies[i].source) < 0)
                        return ur_err_set(err, ENOMEM, "initrd");
                c.what = what;
                if (copy_one(&c, vm->copies[i].source, vm->copies[i].dest, vm->copies[i].readonly) < 0)
                        return -1;
                c.what = NULL;
        }
        if (header(&c, NEWC_TRAILER, 0, 0, 0) < 0)
                return -1;
        /* Whole 512-byte blocks, as cpio writes them. */
        while (c.off % 512)
                if (put(&c, "", 1) < 0)
                        return -1;
        return 0;
}

int ur_initrd_extend(struct ur_vm *vm, int *pin_fd, const char *dir, struct ur_err **err)
{
        _cleanup_free_ char *out = NULL, *tmp = NULL, *seen = NULL;
        _cleanup_close_ int in = -1, ofd = -1;
        char p[64];

        if (vm->n_copies == 0)
                return 0;
        if (!vm->initrd)
                return ur_err_set(err, 0, "initrd: copies but no initrd (internal error)");
        if (pin_fd && *pin_fd >= 0) {
                snprintf(p, sizeof(p), "/proc/self/fd/%d", *pin_fd);
                in = open(p, O_RDONLY | O_CLOEXEC);
        } else {
                in = open(vm->initrd, O_RDONLY | O_CLOEXEC);
        }
        if (in < 0)
                return ur_err_set(err, errno, "initrd '%s'", vm->initrd);
        out = ur_path_join(dir, UR_INITRD_NAME);
        seen = ur_path_join(vm->state_dir, UR_INITRD_NAME);
        if (!out || !seen || asprintf(&tmp, "%s.tmp", out) < 0)
                return ur_err_set(err, ENOMEM, "initrd");
        ofd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (ofd < 0)
                return ur_err_set(err, errno, "initrd: create '%s'", tmp);
        if (ur_initrd_write(vm, in, ofd, err) < 0 || fchmod(ofd, 0644) < 0 || rename(tmp, out) < 0) {
                if (!*err)
                        ur_err_set(err, errno, "initrd: '%s'", out);
                unlink(tmp);
                return -1;
        }
        if (pin_fd && *pin_fd >= 0) {
                int fd = open(out, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return ur_err_set(err, errno, "initrd '%s'", out);
                close(*pin_fd);
                *pin_fd = fd;
        }
        free(vm->initrd);
        vm->initrd = TAKE_PTR(seen);
        return 0;
}
