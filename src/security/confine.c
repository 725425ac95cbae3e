/* SPDX-License-Identifier: Apache-2.0 */
#include "security/confine.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strv.h"

#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#else
#define MULTIARCH NULL
#endif

enum {
        F_RO = 1 << 0,       /* read-only */
        F_OPTIONAL = 1 << 1, /* a missing path is skipped */
        F_NOEXEC = 1 << 2,   /* nothing there is executed */
        F_OWN = 1 << 3,      /* chown to the monitor's uid/gid (its own files) */
        F_DEV = 1 << 4,      /* a device node used as such (no nodev) */
};

/* The dynamic loader's directories, each only when it exists. */
static const char *const lib_dirs[] = {
        "/lib64",
        "/usr/lib64",
        "/usr/local/lib",
        "/etc/ld.so.cache",
};

/* Data a monitor opens besides its argv: firmware, option ROMs, keymaps. */
static const struct {
        const char *monitor;
        const char *path;
} data_dirs[] = {
        {"qemu", "/usr/share/qemu"},
        {"qemu", "/usr/share/seabios"},
        {"qemu", "/usr/lib/ipxe/qemu"},
        {"qemu", "/usr/share/ovmf"},
};

struct ctx {
        const struct ur_confine *c;
        char *root;   /* host path of the new root (a tmpfs) */
        char **bound; /* paths already bound */
        struct ur_err **err;
};

/* Bind source (default: host) at host's path inside the new root. */
static int bind_one(struct ctx *x, const char *host, const char *source, unsigned flags)
{
        const char *src = source ? source : host;
        _cleanup_free_ char *target = ur_path_join(x->root, host);
        _cleanup_close_ int fd = -1;
        char proc[64], seen[PATH_MAX];
        struct stat st, tst;
        unsigned long rflags;
        ssize_t n;

        if (!target)
                return ur_err_set(x->err, ENOMEM, "confine");
        if (ur_strv_contains(x->bound, host))
                return 0;
        /* Pin what is bound and check it is what the path named. */
        fd = open(src, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return ur_err_set(x->err, errno, "confine: open '%s'", src);
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        n = readlink(proc, seen, sizeof(seen) - 1);
        if (n < 0)
                return ur_err_set(x->err, errno, "confine: readlink '%s' ('%s')", proc, src);
        seen[n] = '\0';
        if (strcmp(seen, src) != 0)
                return ur_err_set(x->err, 0, "confine: '%s' changed while being bound (now '%s')", src, seen);
        if ((flags & F_OWN) && fchownat(fd, "", x->c->uid, x->c->gid, AT_EMPTY_PATH) < 0)
                return ur_err_set(x->err, errno, "confine: chown '%s' to %u:%u", src, (unsigned) x->c->uid,
                                  (unsigned) x->c->gid);

        if (lstat(target, &tst) < 0) {
                if (errno != ENOENT)
                        return ur_err_set(x->err, errno, "confine: '%s'", target);
                if (S_ISDIR(st.st_mode)) {
                        if (mkdir(target, 0755) < 0)
                                return ur_err_set(x->err, errno, "confine: mkdir '%s'", target);
                } else {
                        int t = open(target, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
                        if (t < 0)
                                return ur_err_set(x->err, errno, "confine: create '%s'", target);
                        close(t);
                }
        }
        if (mount(proc, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return ur_err_set(x->err, errno, "confine: bind '%s' at '%s'", src, host);
        rflags = MS_REMOUNT | MS_BIND | MS_NOSUID | ((flags & F_DEV) ? 0 : MS_NODEV);
        if (flags & F_RO)
                rflags |= MS_RDONLY;
        if (flags & F_NOEXEC)
                rflags |= MS_NOEXEC;
        if (mount(NULL, target, NULL, rflags, NULL) < 0)
                return ur_err_set(x->err, errno, "confine: remount '%s'%s", host,
                                  flags & F_RO ? " read-only" : "");
        if (ur_strv_add(&x->bound, host) < 0)
                return ur_err_set(x->err, ENOMEM, "confine");
        return 0;
}

/* An O_PATH fd of root/inner (inner relative, canonical), each missing
 * directory made and the last component made a regular file when missing;
 * no symlink is followed (the part of the new root that is the shared
 * rootfs is the image's to write). */
static int open_target(struct ctx *x, const char *inner, struct ur_err **err)
{
        _cleanup_free_ char *copy = strdup(inner);
        _cleanup_close_ int dir = -1;
        char *save = NULL, *comp, *next;
        struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS};

        if (!copy)
                return ur_err_set(err, ENOMEM, "confine");
        dir = open(x->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return ur_err_set(err, errno, "confine: '%s'", x->root);
        comp = strtok_r(copy, "/", &save);
        while (comp) {
                int fd;
                next = strtok_r(NULL, "/", &save);
                if (next) {
                        if (mkdirat(dir, comp, 0755) < 0 && errno != EEXIST)
                                return ur_err_set(err, errno, "confine: mkdir '%s' (for '/%s')", comp, inner);
                        how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
                } else {
                        int t = openat(dir, comp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
                        if (t >= 0)
                                close(t);
                        else if (errno != EEXIST)
                                return ur_err_set(err, errno, "confine: create '/%s'", inner);
                        how.flags = O_PATH | O_CLOEXEC;
                }
                fd = (int) syscall(SYS_openat2, dir, comp, &how, sizeof(how));
                if (fd < 0)
                        return ur_err_set(err, errno, "confine: '%s' (for '/%s')", comp, inner);
                close(dir);
                dir = fd;
                comp = next;
        }
        return TAKE_FD(dir);
}

/*
 * Bind the file pinned by fd (opened at create) at its host path inside
 * the new root: made a mount of its own on a staging file in the state
 * dir (root's, out of the image's reach), given its flags there, then
 * moved onto the target, opened without following symlinks.  What the
 * path names on the host by now plays no part.
 */
static int bind_pinned(struct ctx *x, const char *host, int fd, unsigned flags)
{
        _cleanup_free_ char *stage = NULL;
        _cleanup_close_ int target = -1;
        char src[64], dst[64];
        unsigned long rflags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV;
        int t;

        if (!host || host[0] != '/')
                return ur_err_set(x->err, 0, "confine: '%s' is not an absolute path", host ? host : "");
        if (ur_strv_contains(x->bound, host))
                return 0;
        if (asprintf(&stage, "%s/%s.%zu", x->c->state_dir, UR_CONFINE_PIN_PREFIX, ur_strv_len(x->bound)) < 0)
                return ur_err_set(x->err, ENOMEM, "confine");
        t = open(stage, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (t < 0)
                return ur_err_set(x->err, errno, "confine: create '%s'", stage);
        close(t);
        snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
        if (mount(src, stage, NULL, MS_BIND, NULL) < 0) {
                ur_err_set(x->err, errno, "confine: bind the pinned '%s'", host);
                goto fail;
        }
        if (flags & F_RO)
                rflags |= MS_RDONLY;
        if (flags & F_NOEXEC)
                rflags |= MS_NOEXEC;
        if (mount(NULL, stage, NULL, rflags, NULL) < 0) {
                ur_err_set(x->err, errno, "confine: remount '%s'%s", host, flags & F_RO ? " read-only" : "");
                goto fail_mounted;
        }
        target = open_target(x, host + 1, x->err);
        if (target < 0)
                goto fail_mounted;
        snprintf(dst, sizeof(dst), "/proc/self/fd/%d", target);
        if (mount(stage, dst, NULL, MS_MOVE, NULL) < 0) {
                ur_err_set(x->err, errno, "confine: move the pinned '%s' into place", host);
                goto fail_mounted;
        }
        unlink(stage);
        if (ur_strv_add(&x->bound, host) < 0)
                return ur_err_set(x->err, ENOMEM, "confine");
        return 0;
fail_mounted:
        umount2(stage, MNT_DETACH);
fail:
        unlink(stage);
        return -1;
}

/*
 * Make path exist inside the new root as it does on the host: walk it one
 * component at a time, recreating directories and symlinks (whose targets
 * are walked in turn), and bind the last component (or source there).
 */
static int replicate(struct ctx *x, const char *path, const char *source, unsigned flags)
{
        _cleanup_free_ char *rest = NULL, *cur = strdup("");
        unsigned links = 0;
        char *p;

        if (!path || path[0] != '/')
                return ur_err_set(x->err, 0, "confine: '%s' is not an absolute path", path ? path : "");
        rest = strdup(path);
        if (!rest || !cur)
                return ur_err_set(x->err, ENOMEM, "confine");
        p = rest;
        for (;;) {
                _cleanup_free_ char *next = NULL, *inside = NULL;
                struct stat st;
                size_t len;
                bool last;

                while (*p == '/')
                        p++;
                if (!*p)
                        return 0; /* the root itself */
                len = strcspn(p, "/");
                last = p[len + strspn(p + len, "/")] == '\0';
                if (len == 1 && p[0] == '.') {
                        p += len;
                        continue;
                }
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        char *slash = strrchr(cur, '/');
                        if (slash)
                                *slash = '\0';
                        p += len;
                        continue;
                }
                if (asprintf(&next, "%s/%.*s", cur, (int) len, p) < 0 ||
                    !(inside = ur_path_join(x->root, next)))
                        return ur_err_set(x->err, ENOMEM, "confine");
                p += len;
                if (lstat(next, &st) < 0) {
                        if (errno == ENOENT && (flags & F_OPTIONAL))
                                return 0;
                        return ur_err_set(x->err, errno, "confine: '%s' (for '%s')", next, path);
                }
                if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t n = readlink(next, target, sizeof(target) - 1);
                        char *nrest;

                        if (n < 0)
                                return ur_err_set(x->err, errno, "confine: readlink '%s'", next);
                        target[n] = '\0';
                        if (++links > 40)
                                return ur_err_set(x->err, ELOOP, "confine: '%s'", path);
                        if (symlink(target, inside) < 0 && errno != EEXIST)
                                return ur_err_set(x->err, errno, "confine: symlink '%s'", next);
                        if (asprintf(&nrest, "%s/%s", target, p) < 0)
                                return ur_err_set(x->err, ENOMEM, "confine");
                        free(rest);
                        p = rest = nrest;
                        if (target[0] == '/')
                                cur[0] = '\0';
                        continue;
                }
                if (last)
                        return bind_one(x, next, source, flags);
                if (!S_ISDIR(st.st_mode))
                        return ur_err_set(x->err, ENOTDIR, "confine: '%s' (for '%s')", next, path);
                if (mkdir(inside, 0755) < 0 && errno != EEXIST)
                        return ur_err_set(x->err, errno, "confine: mkdir '%s'", inside);
                free(cur);
                cur = TAKE_PTR(next);
        }
}

/* The ELF interpreter (PT_INTERP) of a 64-bit executable, or NULL. */
static char *elf_interp(const char *path)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        Elf64_Ehdr eh;

        if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != (ssize_t) sizeof(eh) ||
            memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
            eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256)
                return NULL;
        for (unsigned i = 0; i < eh.e_phnum; i++) {
                Elf64_Phdr ph;
                if (pread(fd, &ph, sizeof(ph), (off_t) (eh.e_phoff + i * sizeof(ph))) != (ssize_t) sizeof(ph))
                        return NULL;
                if (ph.p_type != PT_INTERP)
                        continue;
                if (ph.p_filesz < 2 || ph.p_filesz > PATH_MAX)
                        return NULL;
                char *s = calloc(1, ph.p_filesz + 1);
                if (!s || pread(fd, s, ph.p_filesz, (off_t) ph.p_offset) != (ssize_t) ph.p_filesz ||
                    s[0] != '/') {
                        free(s);
                        return NULL;
                }
                return s;
        }
        return NULL;
}

static int make_dev(struct ctx *x, const char *host, mode_t mode, bool own)
{
        _cleanup_free_ char *target = ur_path_join(x->root, host);
        struct stat st;

        if (!target)
                return ur_err_set(x->err, ENOMEM, "confine");
        if (stat(host, &st) < 0 || !S_ISCHR(st.st_mode))
                return 0; /* the host has none: neither has the monitor */
        if (mknod(target, S_IFCHR | mode, st.st_rdev) < 0 || chmod(target, mode) < 0)
                return ur_err_set(x->err, errno, "confine: device node '%s'", host);
        if (own && chown(target, x->c->uid, x->c->gid) < 0)
                return ur_err_set(x->err, errno, "confine: chown '%s'", host);
        return 0;
}

static int make_dir(struct ctx *x, const char *host)
{
        _cleanup_free_ char *target = ur_path_join(x->root, host);

        if (!target)
                return ur_err_set(x->err, ENOMEM, "confine");
        if (mkdir(target, 0755) < 0 && errno != EEXIST)
                return ur_err_set(x->err, errno, "confine: mkdir '%s'", target);
        return 0;
}

/* The plan's binds of the guest's (vm/plan.h): those inside the state dir
 * (in_state: made there by create, bound once the own dir is in place) or
 * the others.  Pinned files are bound from their fds; a block device
 * (useDMBlock's) and the shared directories are replicated. */
static int guest_binds(struct ctx *x, const struct ur_plan *plan, bool in_state)
{
        size_t n = strlen(x->c->state_dir);

        for (unsigned i = 0; i < plan->n_binds; i++) {
                const struct ur_plan_bind *b = &plan->binds[i];
                unsigned f = (b->flags & UR_BIND_RO ? F_RO : 0) | (b->flags & UR_BIND_NOEXEC ? F_NOEXEC : 0) |
                             (b->flags & UR_BIND_DEV ? F_DEV : 0);
                bool here = strncmp(b->path, x->c->state_dir, n) == 0 && b->path[n] == '/';
                if (here != in_state)
                        continue;
                if (b->flags & UR_BIND_PIN) {
                        if (b->fd < 0)
                                return ur_err_set(x->err, 0, "confine: the %s '%s' was not pinned", b->what,
                                                  b->path);
                        if (bind_pinned(x, b->path, b->fd, f) < 0)
                                return -1;
                } else if (replicate(x, b->path, NULL, f) < 0)
                        return -1;
        }
        return 0;
}

static int populate(struct ctx *x, const struct ur_plan *plan, const struct ur_exec *ex)
{
        const struct ur_vm *vm = &plan->vm;
        const struct ur_confine *c = x->c;
        _cleanup_free_ char *interp = NULL, *own = NULL;
        int r = 0;

        /* The monitor, its loader and libraries. */
        for (size_t i = 0; i < ELEMENTSOF(lib_dirs); i++)
                if (replicate(x, lib_dirs[i], NULL, F_RO | F_OPTIONAL) < 0)
                        return -1;
        if (MULTIARCH && (replicate(x, "/lib/" MULTIARCH, NULL, F_RO | F_OPTIONAL) < 0 ||
                          replicate(x, "/usr/lib/" MULTIARCH, NULL, F_RO | F_OPTIONAL) < 0))
                return -1;
        interp = elf_interp(ex->argv[0]);
        if (interp && replicate(x, interp, NULL, F_RO) < 0)
                return -1;
        if (replicate(x, ex->argv[0], NULL, F_RO) < 0)
                return -1;

        /* Its data. */
        for (size_t i = 0; i < ELEMENTSOF(data_dirs); i++)
                if (ur_streq(vm->monitor, data_dirs[i].monitor) &&
                    replicate(x, data_dirs[i].path, NULL, F_RO | F_OPTIONAL | F_NOEXEC) < 0)
                        return -1;
        if (vm->monitor_data_path && replicate(x, vm->monitor_data_path, NULL, F_RO | F_NOEXEC) < 0)
                return -1;

        /* The guest's, as the plan lists them: shared directories first,
         * then the files pinned at setup, bound from their fds whatever
         * the paths name by now. */
        if (guest_binds(x, plan, false) < 0)
                return -1;

        /* Its own files: a private directory in place of the state dir. */
        own = ur_path_join(c->state_dir, UR_CONFINE_OWN_DIR);
        if (!own)
                return ur_err_set(x->err, ENOMEM, "confine");
        if (mkdir(own, 0700) < 0 && errno != EEXIST)
                return ur_err_set(x->err, errno, "confine: mkdir '%s'", own);
        {
                _cleanup_free_ char *real = realpath(own, NULL);
                if (!real)
                        return ur_err_set(x->err, errno, "confine: '%s'", own);
                if (chown(real, c->uid, c->gid) < 0)
                        return ur_err_set(x->err, errno, "confine: chown '%s'", real);
                if (replicate(x, c->state_dir, real, F_NOEXEC) < 0)
                        return -1;
        }
        for (unsigned i = 0; i < ex->n_files; i++)
                if (replicate(x, ex->files[i].path, NULL, F_RO | F_NOEXEC | F_OWN) < 0)
                        return -1;
        /* The guest's files made in the state dir (useDMBlock's copies out
         * of the rootfs), bound where the monitor now sees it. */
        if (guest_binds(x, plan, true) < 0)
                return -1;

        /* Devices: fresh nodes, so that ownership can be the monitor's. */
        if (make_dir(x, "/dev") < 0 || make_dir(x, "/dev/net") < 0)
                return -1;
        r |= make_dev(x, "/dev/null", 0666, false);
        r |= make_dev(x, "/dev/zero", 0666, false);
        r |= make_dev(x, "/dev/full", 0666, false);
        r |= make_dev(x, "/dev/random", 0666, false);
        r |= make_dev(x, "/dev/urandom", 0666, false);
        r |= make_dev(x, "/dev/net/tun", 0666, false);
        r |= make_dev(x, "/dev/kvm", 0600, true);
        r |= make_dev(x, "/dev/vhost-net", 0600, true);
        if (r < 0)
                return -1;

        if (c->proc) {
                _cleanup_free_ char *target = ur_path_join(x->root, "/proc");
                if (!target || make_dir(x, "/proc") < 0)
                        return target ? -1 : ur_err_set(x->err, ENOMEM, "confine");
                if (mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL) < 0)
                        return ur_err_set(x->err, errno, "confine: mount /proc");
        }
        return 0;
}

int ur_confine_vmm(const struct ur_confine *c, const struct ur_plan *plan, const struct ur_exec *ex,
                       struct ur_err **err)
{
        struct ctx x = {.c = c, .err = err};
        mode_t old_umask;
        int r = -1;

        if (!ex->argv || !ex->argv[0])
                return ur_err_set(err, 0, "confine: empty exec plan");
        x.root = ur_path_join(c->state_dir, UR_CONFINE_ROOT_DIR);
        if (!x.root)
                return ur_err_set(err, ENOMEM, "confine");
        old_umask = umask(022);
        if (mkdir(x.root, 0700) < 0 && errno != EEXIST) {
                ur_err_set(err, errno, "confine: mkdir '%s'", x.root);
                goto out;
        }
        /* The caller is in a mount namespace of its own since setup
         * (ur_security_own_mount_ns): nothing here reaches another's. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                ur_err_set(err, errno, "confine: make the mounts private");
                goto out;
        }
        if (mount("tmpfs", x.root, "tmpfs", MS_NOSUID, "mode=0755,size=1m,nr_inodes=4096") < 0) {
                ur_err_set(err, errno, "confine: mount a tmpfs on '%s'", x.root);
                goto out;
        }
        if (populate(&x, plan, ex) < 0)
                goto out;
        if (mount(NULL, x.root, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID, NULL) < 0) {
                ur_err_set(err, errno, "confine: remount the new root read-only");
                goto out;
        }
        if (chdir(x.root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
            chdir("/") < 0) {
                ur_err_set(err, errno, "confine: pivot_root into '%s'", x.root);
                goto out;
        }
        ur_log_debug("monitor confined: %zu paths bound", ur_strv_len(x.bound));
        r = 0;
out:
        umask(old_umask);
        ur_strv_free(x.bound);
        free(x.root);
        return r;
}
