/* SPDX-License-Identifier: Apache-2.0 */
#include "cgroup/cgroupfs.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/mapping.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/time.h"

#define POLL_USEC 10000u

/* v1 hierarchies urunc places a container in. */
static const char *const v1_controllers[] = { "memory", "cpu", "cpuacct", "pids", "cpuset", "freezer" };

static void sleep_usec(uint64_t usec)
{
        struct timespec ts = { .tv_sec = (time_t) (usec / 1000000u), .tv_nsec = (long) (usec % 1000000u) * 1000 };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Hand an error over to the caller's slot (which may be NULL). */
static void move_err(struct ur_err **dst, struct ur_err **src)
{
        if (dst && !*dst) {
                *dst = *src;
                *src = NULL;
        }
        ur_err_free(src);
}

static bool exists(const char *p)
{
        return access(p, F_OK) == 0;
}

/* The directory of path in a hierarchy ("" = the v2 root or hybrid unified). */
static char *hier_dir(const struct ur_cgfs *fs, const char *hier, const char *path)
{
        return ur_path_join(fs->root, hier, path);
}

static int kernel_write(const struct ur_cgfs *fs, const char *path, const char *value)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        size_t len = strlen(value), off = 0;

        if (fd < 0)
                return -errno;
        while (off < len) {
                ssize_t w = write(fd, value + off, len - off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                off += (size_t) w;
        }
        return 0;
}

static int kernel_mkdir(const struct ur_cgfs *fs, const char *path)
{
        return mkdir(path, 0755) < 0 ? -errno : 0;
}

static int kernel_rmdir(const struct ur_cgfs *fs, const char *path)
{
        return rmdir(path) < 0 ? -errno : 0;
}

const struct ur_cgfs_io ur_cgfs_kernel = {
        .write = kernel_write,
        .mkdir = kernel_mkdir,
        .rmdir = kernel_rmdir,
};

static int write_file(const struct ur_cgfs *fs, const char *dir, const char *file, const char *value,
                      struct ur_err **err)
{
        _cleanup_free_ char *p = ur_path_join(dir, file);
        int r;

        if (!p)
                return ur_err_set(err, ENOMEM, "cgroup file");
        r = fs->io->write(fs, p, value);
        if (r < 0)
                return ur_err_set(err, -r, "writing '%s' to '%s'", value, p);
        return 0;
}

static int write_u64(const struct ur_cgfs *fs, const char *dir, const char *file, uint64_t v,
                     struct ur_err **err)
{
        char buf[32];

        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        return write_file(fs, dir, file, buf, err);
}

/* Contents without trailing newlines; NULL (and errno) when unreadable. */
static char *read_trimmed(const char *dir, const char *file)
{
        _cleanup_free_ char *p = ur_path_join(dir, file);
        char *s = NULL;
        size_t n = 0;
        struct ur_err *e = NULL;

        if (!p) {
                errno = ENOMEM;
                return NULL;
        }
        if (ur_read_file(p, 1 << 20, &s, &n, &e) < 0) {
                errno = e && e->errnum ? e->errnum : EIO;
                ur_err_free(&e);
                return NULL;
        }
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
                s[--n] = '\0';
        return s;
}

int ur_cgfs_open(const char *root, const struct ur_cgfs_io *io, struct ur_cgfs *ret, struct ur_err **err)
{
        _cleanup_free_ char *a = ur_path_join(root, "cgroup.controllers");
        _cleanup_free_ char *b = ur_path_join(root, "unified", "cgroup.controllers");

        if (!a || !b)
                return ur_err_set(err, ENOMEM, "cgroup root");
        if (!exists(root))
                return ur_err_set(err, errno, "cgroup root '%s'", root);
        ret->root = root;
        ret->io = io ? io : &ur_cgfs_kernel;
        ret->layout = exists(a) ? UR_CGFS_UNIFIED : exists(b) ? UR_CGFS_HYBRID : UR_CGFS_LEGACY;
        return 0;
}

/* ---- which controllers a resource set needs ---- */

static bool needs_memory(const struct ur_resources *r)
{
        return r && (r->memory_limit > 0 || r->memory_reservation > 0 || r->memory_swap != 0);
}
static bool needs_cpu(const struct ur_resources *r)
{
        return r && (r->cpu_quota > 0 || r->cpu_period > 0 || r->cpu_shares > 0);
}
static bool needs_pids(const struct ur_resources *r)
{
        return r && r->pids_limit > 0;
}
static bool needs_cpuset(const struct ur_resources *r)
{
        return r && ((r->cpu_cpus && *r->cpu_cpus) || (r->cpu_mems && *r->cpu_mems));
}

static bool v1_needed(const char *c, const struct ur_resources *r)
{
        return (strcmp(c, "memory") == 0 && needs_memory(r)) || (strcmp(c, "cpu") == 0 && needs_cpu(r)) ||
               (strcmp(c, "pids") == 0 && needs_pids(r)) || (strcmp(c, "cpuset") == 0 && needs_cpuset(r));
}

/* ---- limits ---- */

static int apply_v2(const struct ur_cgfs *fs, const char *dir, const struct ur_resources *r,
                    struct ur_err **err)
{
        if (!r)
                return 0;
        if (r->memory_limit > 0 && write_u64(fs, dir, "memory.max", (uint64_t) r->memory_limit, err) < 0)
                return -1;
        if (r->memory_reservation > 0 &&
            write_u64(fs, dir, "memory.low", (uint64_t) r->memory_reservation, err) < 0)
                return -1;
        uint64_t swap;
        if (ur_resources_swap_max(r, &swap) > 0 &&
            (swap == UINT64_MAX ? write_file(fs, dir, "memory.swap.max", "max", err)
                                : write_u64(fs, dir, "memory.swap.max", swap, err)) < 0)
                return -1;
        if (r->cpu_quota > 0 || r->cpu_period > 0) {
                char buf[64];
                uint64_t period = r->cpu_period ? r->cpu_period : UR_CPU_PERIOD_DEFAULT_USEC;

                if (r->cpu_quota > 0)
                        snprintf(buf, sizeof(buf), "%" PRId64 " %" PRIu64, r->cpu_quota, period);
                else
                        snprintf(buf, sizeof(buf), "max %" PRIu64, period);
                if (write_file(fs, dir, "cpu.max", buf, err) < 0)
                        return -1;
        }
        if (r->cpu_shares > 0 &&
            write_u64(fs, dir, "cpu.weight", ur_cpu_shares_to_weight(r->cpu_shares), err) < 0)
                return -1;
        if (r->pids_limit > 0 && write_u64(fs, dir, "pids.max", (uint64_t) r->pids_limit, err) < 0)
                return -1;
        if (r->cpu_cpus && *r->cpu_cpus && write_file(fs, dir, "cpuset.cpus", r->cpu_cpus, err) < 0)
                return -1;
        if (r->cpu_mems && *r->cpu_mems && write_file(fs, dir, "cpuset.mems", r->cpu_mems, err) < 0)
                return -1;
        return 0;
}

static int apply_v1(const struct ur_cgfs *fs, const char *c, const char *dir, const struct ur_resources *r,
                    struct ur_err **err)
{
        if (!r)
                return 0;
        if (strcmp(c, "memory") == 0) {
                if (r->memory_limit > 0 &&
                    write_u64(fs, dir, "memory.limit_in_bytes", (uint64_t) r->memory_limit, err) < 0)
                        return -1;
                if (r->memory_reservation > 0 &&
                    write_u64(fs, dir, "memory.soft_limit_in_bytes", (uint64_t) r->memory_reservation, err) < 0)
                        return -1;
                /* v1 takes OCI's memory+swap as it is. */
                if (r->memory_swap != 0) {
                        char buf[32];

                        snprintf(buf, sizeof(buf), "%" PRId64, r->memory_swap < 0 ? (int64_t) -1 : r->memory_swap);
                        if (write_file(fs, dir, "memory.memsw.limit_in_bytes", buf, err) < 0)
                                return -1;
                }
        } else if (strcmp(c, "cpu") == 0) {
                if (r->cpu_period > 0 && write_u64(fs, dir, "cpu.cfs_period_us", r->cpu_period, err) < 0)
                        return -1;
                if (r->cpu_quota > 0) {
                        char buf[32];

                        snprintf(buf, sizeof(buf), "%" PRId64, r->cpu_quota);
                        if (write_file(fs, dir, "cpu.cfs_quota_us", buf, err) < 0)
                                return -1;
                }
                if (r->cpu_shares > 0 && write_u64(fs, dir, "cpu.shares", r->cpu_shares, err) < 0)
                        return -1;
        } else if (strcmp(c, "pids") == 0) {
                if (r->pids_limit > 0 && write_u64(fs, dir, "pids.max", (uint64_t) r->pids_limit, err) < 0)
                        return -1;
        } else if (strcmp(c, "cpuset") == 0) {
                if (r->cpu_cpus && *r->cpu_cpus && write_file(fs, dir, "cpuset.cpus", r->cpu_cpus, err) < 0)
                        return -1;
                if (r->cpu_mems && *r->cpu_mems && write_file(fs, dir, "cpuset.mems", r->cpu_mems, err) < 0)
                        return -1;
        }
        return 0;
}

/* ---- directories ---- */

/* Created directories, deepest last, for rollback. */
struct created {
        char **v;
        size_t n;
};

static void created_rollback(const struct ur_cgfs *fs, struct created *c);

static int remember(struct created *c, const char *dir)
{
        char **nv = realloc(c->v, (c->n + 1) * sizeof(*nv));

        if (!nv)
                return -1;
        c->v = nv;
        if (!(c->v[c->n] = strdup(dir)))
                return -1;
        c->n++;
        return 0;
}

/* After mkdir of a child: what a v1 cpuset needs. */
static int init_child(const struct ur_cgfs *fs, const char *hier, const char *parent, const char *child,
                      struct ur_err **err)
{
        if (hier && strcmp(hier, "cpuset") == 0) {
                static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };

                for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                        _cleanup_free_ char *cur = read_trimmed(child, files[i]);
                        _cleanup_free_ char *par = NULL;

                        if (cur && *cur)
                                continue;
                        par = read_trimmed(parent, files[i]);
                        if (!par)
                                return ur_err_set(err, errno, "reading '%s/%s'", parent, files[i]);
                        if (*par && write_file(fs, child, files[i], par, err) < 0)
                                return -1;
                }
        }
        return 0;
}

static bool word_in(const char *list, const char *word)
{
        size_t n = strlen(word);

        for (const char *p = list; p && *p;) {
                size_t len;

                p += strspn(p, " \n");
                len = strcspn(p, " \n");
                if (len == n && strncmp(p, word, n) == 0)
                        return true;
                p += len;
        }
        return false;
}

/* v2: enable in parent/cgroup.subtree_control those of cpu, memory, pids,
 * cpuset that the parent has; a missing one that a limit needs is an error. */
static int enable_v2(const struct ur_cgfs *fs, const char *parent, const struct ur_resources *r,
                     struct ur_err **err)
{
        static const char *const want[] = { "cpu", "memory", "pids", "cpuset" };
        _cleanup_free_ char *avail = read_trimmed(parent, "cgroup.controllers");
        _cleanup_free_ char *enabled = read_trimmed(parent, "cgroup.subtree_control");

        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                bool needed = (i == 0 && needs_cpu(r)) || (i == 1 && needs_memory(r)) ||
                              (i == 2 && needs_pids(r)) || (i == 3 && needs_cpuset(r));
                char plus[16];
                struct ur_err *e = NULL;

                if (enabled && word_in(enabled, want[i]))
                        continue;
                if (!word_in(avail, want[i])) {
                        if (needed)
                                return ur_err_set(err, EOPNOTSUPP,
                                                  "cgroup controller '%s' is not available in '%s'", want[i],
                                                  parent);
                        continue;
                }
                snprintf(plus, sizeof(plus), "+%s", want[i]);
                if (write_file(fs, parent, "cgroup.subtree_control", plus, &e) < 0) {
                        if (needed) {
                                move_err(err, &e);
                                return ur_err_wrap(err, "enabling controller '%s'", want[i]);
                        }
                        ur_log_debug("%s", ur_err_msg(e));
                        ur_err_free(&e);
                }
        }
        return 0;
}

/* mkdir -p of path under base (a hierarchy root), remembering what was
 * made, preparing each new child; v2 enables controllers on the way. */
static int make_path(const struct ur_cgfs *fs, const char *hier, const char *path,
                     const struct ur_resources *r, struct created *c, struct ur_err **err)
{
        _cleanup_free_ char *cur = ur_path_join(fs->root, hier);
        const char *p = path;
        bool v2 = !*hier;

        if (!cur)
                return ur_err_set(err, ENOMEM, "cgroup path");
        for (;;) {
                _cleanup_free_ char *next = NULL;
                size_t len;
                int rc;

                p += strspn(p, "/");
                len = strcspn(p, "/");
                if (len == 0)
                        return 0;
                if (v2 && enable_v2(fs, cur, r, err) < 0)
                        return -1;
                if (asprintf(&next, "%s/%.*s", cur, (int) len, p) < 0)
                        return ur_err_set(err, ENOMEM, "cgroup path");
                rc = fs->io->mkdir(fs, next);
                if (rc < 0) {
                        if (rc != -EEXIST)
                                return ur_err_set(err, -rc, "mkdir '%s'", next);
                } else {
                        if (remember(c, next) < 0)
                                return ur_err_set(err, ENOMEM, "cgroup path");
                        if (init_child(fs, hier, cur, next, err) < 0)
                                return -1;
                }
                free(cur);
                cur = TAKE_PTR(next);
                p += len;
        }
}

static void created_rollback(const struct ur_cgfs *fs, struct created *c)
{
        for (size_t i = c->n; i > 0; i--) {
                int r = fs->io->rmdir(fs, c->v[i - 1]);

                if (r < 0)
                        ur_log_debug("rollback: rmdir '%s': %s", c->v[i - 1], strerror(-r));
        }
}

static void created_done(struct created *c)
{
        for (size_t i = 0; i < c->n; i++)
                free(c->v[i]);
        free(c->v);
}

static int write_pid(const struct ur_cgfs *fs, const char *dir, pid_t pid, struct ur_err **err)
{
        return write_u64(fs, dir, "cgroup.procs", (uint64_t) pid, err);
}

/* The v1 hierarchy directory for controller c, NULL when not mounted. */
static char *v1_root(const struct ur_cgfs *fs, const char *c)
{
        char *d = ur_path_join(fs->root, c);

        if (d && !exists(d)) {
                free(d);
                return NULL;
        }
        return d;
}

/* Move pid back to the root of hierarchy hier (undoing write_pid), so that
 * the directories made for it can be removed. */
static void move_to_root(const struct ur_cgfs *fs, const char *hier, pid_t pid)
{
        _cleanup_free_ char *root = ur_path_join(fs->root, hier);
        struct ur_err *e = NULL;

        if (root && write_pid(fs, root, pid, &e) < 0)
                ur_log_debug("rollback: %s", ur_err_msg(e));
        ur_err_free(&e);
}

/*
 * Make the directories and write every value first, then put the process
 * in: a value refused in one controller must not leave the process (and so
 * the directories, which cannot be removed while it is there) in the
 * others.
 */
static int apply_or_enter(const struct ur_cgfs *fs, const char *path, const struct ur_resources *res,
                          pid_t pid, bool create, struct ur_err **err)
{
        struct created c = { 0 };
        const char *entered[ELEMENTSOF(v1_controllers) + 1];
        size_t n_entered = 0;
        int r = -1;

        if (fs->layout == UR_CGFS_UNIFIED) {
                _cleanup_free_ char *dir = hier_dir(fs, "", path);

                if (!dir)
                        return ur_err_set(err, ENOMEM, "cgroup path");
                if (create && make_path(fs, "", path, res, &c, err) < 0)
                        goto out;
                if (apply_v2(fs, dir, res, err) < 0)
                        goto out;
                if (create && write_pid(fs, dir, pid, err) < 0)
                        goto out;
                r = 0;
                goto out;
        }
        for (int pass = 0; pass < (create ? 2 : 1); pass++) {
                for (size_t i = 0; i < ELEMENTSOF(v1_controllers); i++) {
                        const char *ctl = v1_controllers[i];
                        _cleanup_free_ char *base = v1_root(fs, ctl);
                        _cleanup_free_ char *dir = NULL;

                        if (!base) {
                                if (v1_needed(ctl, res)) {
                                        ur_err_set(err, EOPNOTSUPP,
                                                   "cgroup v1 controller '%s' is not mounted in '%s'", ctl, fs->root);
                                        goto out;
                                }
                                continue;
                        }
                        if (!(dir = hier_dir(fs, ctl, path))) {
                                ur_err_set(err, ENOMEM, "cgroup path");
                                goto out;
                        }
                        if (pass == 1) {
                                if (write_pid(fs, dir, pid, err) < 0)
                                        goto out;
                                entered[n_entered++] = ctl;
                                continue;
                        }
                        if (create && make_path(fs, ctl, path, res, &c, err) < 0)
                                goto out;
                        if (!create && !exists(dir)) {
                                if (v1_needed(ctl, res)) {
                                        ur_err_set(err, ENOENT, "cgroup '%s'", dir);
                                        goto out;
                                }
                                continue;
                        }
                        if (apply_v1(fs, ctl, dir, res, err) < 0)
                                goto out;
                }
        }
        r = 0;
out:
        if (r < 0) {
                for (size_t i = 0; i < n_entered; i++)
                        move_to_root(fs, entered[i], pid);
                created_rollback(fs, &c);
        }
        created_done(&c);
        return r;
}

int ur_cgfs_enter(const struct ur_cgfs *fs, const char *path, const struct ur_resources *res, pid_t pid,
                  struct ur_err **err)
{
        if (pid <= 0)
                return ur_err_set(err, EINVAL, "cgroup '%s': no process to put in it", path);
        if (apply_or_enter(fs, path, res, pid, true, err) < 0)
                return ur_err_wrap(err, "cgroup '%s'", path);
        return 0;
}

int ur_cgfs_prepare(const struct ur_cgfs *fs, const char *path, const struct ur_resources *res, int *ret_fd,
                    struct ur_err **err)
{
        _cleanup_free_ char *dir = hier_dir(fs, "", path);
        struct created c = {0};
        int fd = -1;

        if (fs->layout != UR_CGFS_UNIFIED)
                return ur_err_set(err, EOPNOTSUPP, "cgroup '%s': not a cgroup v2 hierarchy", path);
        if (!dir)
                return ur_err_set(err, ENOMEM, "cgroup path");
        if (make_path(fs, "", path, res, &c, err) < 0 || apply_v2(fs, dir, res, err) < 0)
                goto fail;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                ur_err_set(err, errno, "open '%s'", dir);
                goto fail;
        }
        created_done(&c);
        *ret_fd = fd;
        return 0;
fail:
        created_rollback(fs, &c);
        created_done(&c);
        return ur_err_wrap(err, "cgroup '%s'", path);
}

int ur_cgfs_add_pid(const struct ur_cgfs *fs, const char *path, pid_t pid, struct ur_err **err)
{
        _cleanup_free_ char *dir = hier_dir(fs, "", path);

        if (!dir)
                return ur_err_set(err, ENOMEM, "cgroup path");
        if (write_pid(fs, dir, pid, err) < 0)
                return ur_err_wrap(err, "cgroup '%s'", path);
        return 0;
}

int ur_cgfs_apply(const struct ur_cgfs *fs, const char *path, const struct ur_resources *res,
                  struct ur_err **err)
{
        if (apply_or_enter(fs, path, res, 0, false, err) < 0)
                return ur_err_wrap(err, "updating cgroup '%s'", path);
        return 0;
}

/* ---- freezer ---- */

static int freezer_dir(const struct ur_cgfs *fs, const char *path, char **ret)
{
        *ret = fs->layout == UR_CGFS_UNIFIED ? hier_dir(fs, "", path) : hier_dir(fs, "freezer", path);
        return *ret ? 0 : -ENOMEM;
}

int ur_cgfs_is_frozen(const struct ur_cgfs *fs, const char *path, struct ur_err **err)
{
        _cleanup_free_ char *dir = NULL, *s = NULL;

        if (freezer_dir(fs, path, &dir) < 0)
                return ur_err_set(err, ENOMEM, "cgroup path");
        if (!exists(dir))
                return 0;
        if (fs->layout == UR_CGFS_UNIFIED) {
                s = read_trimmed(dir, "cgroup.events");
                if (s) {
                        const char *f = strstr(s, "frozen ");
                        return f && (f == s || f[-1] == '\n') && f[7] == '1';
                }
                s = read_trimmed(dir, "cgroup.freeze");
                if (!s)
                        return errno == ENOENT ? 0 : ur_err_set(err, errno, "reading '%s/cgroup.freeze'", dir);
                return strcmp(s, "1") == 0;
        }
        s = read_trimmed(dir, "freezer.state");
        if (!s)
                return errno == ENOENT ? 0 : ur_err_set(err, errno, "reading '%s/freezer.state'", dir);
        return strcmp(s, "FROZEN") == 0;
}

int ur_cgfs_freeze(const struct ur_cgfs *fs, const char *path, bool freeze, uint64_t timeout_usec,
                   struct ur_err **err)
{
        _cleanup_free_ char *dir = NULL;
        uint64_t deadline = ur_now_usec() + (timeout_usec ? timeout_usec : UR_DEFAULT_TIMEOUT_USEC);
        bool v2 = fs->layout == UR_CGFS_UNIFIED;

        if (freezer_dir(fs, path, &dir) < 0)
                return ur_err_set(err, ENOMEM, "cgroup path");
        if (v2 ? write_file(fs, dir, "cgroup.freeze", freeze ? "1" : "0", err) < 0
               : write_file(fs, dir, "freezer.state", freeze ? "FROZEN" : "THAWED", err) < 0)
                return ur_err_wrap(err, "%s cgroup '%s'", freeze ? "freezing" : "thawing", path);
        /* The kernel takes a moment to stop every task. */
        for (;;) {
                int r = ur_cgfs_is_frozen(fs, path, err);

                if (r < 0)
                        return -1;
                if (r == (int) freeze)
                        return 0;
                if (!freeze && !v2) {
                        /* THAWED is immediate; anything but FROZEN is fine. */
                        return 0;
                }
                if (ur_now_usec() >= deadline)
                        return ur_err_set(err, ETIMEDOUT, "%s cgroup '%s'", freeze ? "freezing" : "thawing",
                                          path);
                sleep_usec(POLL_USEC);
        }
}

/* ---- pids ---- */

static int read_pids(const char *dir, pid_t **ret, size_t *ret_n, struct ur_err **err)
{
        _cleanup_free_ char *s = read_trimmed(dir, "cgroup.procs");
        _cleanup_free_ pid_t *v = NULL;
        size_t n = 0, cap = 0;
        char *p, *save = NULL;

        if (!s)
                return ur_err_set(err, errno, "reading '%s/cgroup.procs'", dir);
        for (p = strtok_r(s, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
                char *end;
                long x = strtol(p, &end, 10);

                if (end == p || x <= 0)
                        continue;
                if (n == cap) {
                        pid_t *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*nv));
                        if (!nv)
                                return ur_err_set(err, ENOMEM, "cgroup.procs");
                        v = nv;
                }
                v[n++] = (pid_t) x;
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

int ur_cgfs_pids(const struct ur_cgfs *fs, const char *path, pid_t **ret, size_t *ret_n, struct ur_err **err)
{
        static const char *const v1[] = { "systemd", "pids", "memory", "cpu", "freezer" };

        if (fs->layout == UR_CGFS_UNIFIED) {
                _cleanup_free_ char *dir = hier_dir(fs, "", path);
                return dir ? read_pids(dir, ret, ret_n, err) : ur_err_set(err, ENOMEM, "cgroup path");
        }
        if (fs->layout == UR_CGFS_HYBRID) {
                _cleanup_free_ char *dir = hier_dir(fs, "unified", path);
                if (dir && exists(dir))
                        return read_pids(dir, ret, ret_n, err);
        }
        for (size_t i = 0; i < ELEMENTSOF(v1); i++) {
                _cleanup_free_ char *dir = hier_dir(fs, v1[i], path);
                if (dir && exists(dir))
                        return read_pids(dir, ret, ret_n, err);
        }
        return ur_err_set(err, ENOENT, "cgroup '%s' not found under '%s'", path, fs->root);
}

int ur_cgfs_freezer_join(const struct ur_cgfs *fs, const char *path, struct ur_err **err)
{
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_free_ char *dir = NULL;
        struct created c = { 0 };
        size_t n = 0;
        int r = -1;

        if (fs->layout == UR_CGFS_UNIFIED)
                return 0;
        if (!(dir = hier_dir(fs, "freezer", path)))
                return ur_err_set(err, ENOMEM, "cgroup path");
        if (ur_cgfs_pids(fs, path, &pids, &n, err) < 0)
                return ur_err_wrap(err, "joining the freezer");
        if (make_path(fs, "freezer", path, NULL, &c, err) < 0)
                goto out;
        for (size_t i = 0; i < n; i++) {
                struct ur_err *e = NULL;
                /* A process may have exited since: not an error. */
                if (write_pid(fs, dir, pids[i], &e) < 0) {
                        if (e && e->errnum != ESRCH) {
                                move_err(err, &e);
                                goto out;
                        }
                        ur_err_free(&e);
                }
        }
        r = 0;
out:
        if (r < 0)
                created_rollback(fs, &c);
        created_done(&c);
        return r < 0 ? ur_err_wrap(err, "joining the freezer for '%s'", path) : 0;
}

/* ---- destroy ---- */

static int rmdir_bounded(const struct ur_cgfs *fs, const char *dir, uint64_t deadline, struct ur_err **err)
{
        for (;;) {
                int r = fs->io->rmdir(fs, dir);

                if (r == 0 || r == -ENOENT)
                        return 0;
                if (r != -EBUSY || ur_now_usec() >= deadline)
                        return ur_err_set(err, -r, "rmdir '%s'", dir);
                sleep_usec(POLL_USEC);
        }
}

int ur_cgfs_destroy(const struct ur_cgfs *fs, const char *path, uint64_t timeout_usec, struct ur_err **err)
{
        uint64_t deadline = ur_now_usec() + (timeout_usec ? timeout_usec : 2000000u);
        int ret = 0;

        if (!path || !*path || strcmp(path, "/") == 0)
                return ur_err_set(err, EINVAL, "refusing to remove the root cgroup");
        /* A frozen task cannot die: thaw first, best effort. */
        if (ur_cgfs_is_frozen(fs, path, NULL) > 0)
                (void) ur_cgfs_freeze(fs, path, false, timeout_usec, NULL);
        if (fs->layout == UR_CGFS_UNIFIED) {
                _cleanup_free_ char *dir = hier_dir(fs, "", path);
                if (!dir)
                        return ur_err_set(err, ENOMEM, "cgroup path");
                return rmdir_bounded(fs, dir, deadline, err);
        }
        for (size_t i = 0; i < ELEMENTSOF(v1_controllers); i++) {
                _cleanup_free_ char *dir = hier_dir(fs, v1_controllers[i], path);
                struct ur_err *e = NULL;

                if (!dir)
                        return ur_err_set(err, ENOMEM, "cgroup path");
                if (rmdir_bounded(fs, dir, deadline, &e) < 0) {
                        /* Keep going: remove as much as possible, report the first. */
                        move_err(err, &e);
                        ret = -1;
                }
        }
        return ret;
}
