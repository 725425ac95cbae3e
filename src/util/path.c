/* SPDX-License-Identifier: Apache-2.0 */
#include "util/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

#define MAX_SYMLINK_HOPS 40

/*
 * The components still to walk, as a stack: the next component is on top.
 * Each remembers which symlink expansion it came from (-1 = the path
 * itself), so that a ".." escaping the root can blame the right symlink.
 */
struct pending {
        char *name;
        int link;
};

struct walk {
        struct pending *v;
        size_t n, cap;
        /* Expanded symlinks: path inside root and target, for messages. */
        char **link_path;
        char **link_target;
        int n_links;
};

static void walk_done(struct walk *w)
{
        for (size_t i = 0; i < w->n; i++)
                free(w->v[i].name);
        free(w->v);
        for (int i = 0; i < w->n_links; i++) {
                free(w->link_path[i]);
                free(w->link_target[i]);
        }
        free(w->link_path);
        free(w->link_target);
}

/* Push the components of s so that the first one ends on top. */
static int push_components(struct walk *w, const char *s, int link)
{
        size_t count = 0;
        const char *p;

        for (p = s; *p;) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                count++;
                while (*p && *p != '/')
                        p++;
        }
        if (w->n + count > w->cap) {
                size_t ncap = w->cap ? w->cap : 16;
                while (ncap < w->n + count)
                        ncap *= 2;
                struct pending *nv = realloc(w->v, ncap * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                w->v = nv;
                w->cap = ncap;
        }
        /* Fill slots [n, n + count) in reverse order. */
        size_t i = w->n + count;
        for (p = s; *p;) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                const char *start = p;
                while (*p && *p != '/')
                        p++;
                char *name = strndup(start, (size_t) (p - start));
                if (!name) {
                        /* Free what was filled so far; those slots are above n. */
                        for (size_t j = i; j < w->n + count; j++)
                                free(w->v[j].name);
                        return -ENOMEM;
                }
                i--;
                w->v[i].name = name;
                w->v[i].link = link;
        }
        w->n += count;
        return 0;
}

static int record_link(struct walk *w, const char *path, const char *target)
{
        char **np = realloc(w->link_path, (size_t) (w->n_links + 1) * sizeof(char *));
        if (!np)
                return -ENOMEM;
        w->link_path = np;
        char **nt = realloc(w->link_target, (size_t) (w->n_links + 1) * sizeof(char *));
        if (!nt)
                return -ENOMEM;
        w->link_target = nt;
        w->link_path[w->n_links] = strdup(path);
        w->link_target[w->n_links] = strdup(target);
        if (!w->link_path[w->n_links] || !w->link_target[w->n_links]) {
                free(w->link_path[w->n_links]);
                free(w->link_target[w->n_links]);
                return -ENOMEM;
        }
        return w->n_links++;
}

/* The path inside root ("/a/b") of a host path under root. */
static const char *inner(const char *host, size_t root_len)
{
        return host[root_len] ? host + root_len : "/";
}

int ur_path_resolve_in_root(const char *root, const char *path, char **ret, struct ur_err **err)
{
        _cleanup_free_ char *rroot = NULL, *cur = NULL;
        struct walk w = {0};
        size_t root_len, cur_len, cap;
        int hops = 0, r;

        if (!root || !*root)
                return ur_err_set(err, EINVAL, "resolve '%s': empty root", path ? path : "");
        if (!path)
                return ur_err_set(err, EINVAL, "resolve in '%s': no path", root);

        rroot = realpath(root, NULL);
        if (!rroot)
                return ur_err_set(err, errno, "resolve '%s': root '%s'", path, root);
        /* "/" as root: keep the walk uniform by using "" as the prefix. */
        if (strcmp(rroot, "/") == 0)
                rroot[0] = '\0';
        root_len = strlen(rroot);

        cap = root_len + 256;
        cur = malloc(cap);
        if (!cur)
                return ur_err_set(err, ENOMEM, "resolve '%s'", path);
        memcpy(cur, rroot, root_len + 1);
        cur_len = root_len;

        if (push_components(&w, path, -1) < 0) {
                r = ur_err_set(err, ENOMEM, "resolve '%s'", path);
                goto out;
        }

        while (w.n > 0) {
                struct pending c = w.v[--w.n];
                _cleanup_free_ char *name = c.name;
                struct stat st;

                if (strcmp(name, ".") == 0)
                        continue;
                if (strcmp(name, "..") == 0) {
                        if (cur_len == root_len) {
                                if (c.link >= 0)
                                        r = ur_err_set(err, 0,
                                                       "path '%s' in '%s': symlink '%s' -> '%s' leads outside the root",
                                                       path, root, w.link_path[c.link], w.link_target[c.link]);
                                else
                                        r = ur_err_set(err, 0, "path '%s' in '%s': '..' leads outside the root",
                                                       path, root);
                                goto out;
                        }
                        while (cur_len > root_len && cur[cur_len - 1] != '/')
                                cur_len--;
                        cur_len--; /* the slash */
                        cur[cur_len] = '\0';
                        continue;
                }

                size_t nlen = strlen(name);
                if (cur_len + 1 + nlen + 1 > cap) {
                        size_t ncap = (cur_len + 1 + nlen + 1) * 2;
                        char *n = realloc(cur, ncap);
                        if (!n) {
                                r = ur_err_set(err, ENOMEM, "resolve '%s'", path);
                                goto out;
                        }
                        cur = n;
                        cap = ncap;
                }
                size_t saved_len = cur_len;
                cur[cur_len++] = '/';
                memcpy(cur + cur_len, name, nlen + 1);
                cur_len += nlen;

                if (lstat(cur, &st) < 0) {
                        r = ur_err_set(err, errno, "path '%s' in '%s': '%s'", path, root, inner(cur, root_len));
                        goto out;
                }
                if (S_ISLNK(st.st_mode)) {
                        _cleanup_free_ char *target = NULL;
                        ssize_t l;

                        if (++hops > MAX_SYMLINK_HOPS) {
                                r = ur_err_set(err, ELOOP, "path '%s' in '%s': more than %d symlinks",
                                               path, root, MAX_SYMLINK_HOPS);
                                goto out;
                        }
                        target = malloc(PATH_MAX);
                        if (!target) {
                                r = ur_err_set(err, ENOMEM, "resolve '%s'", path);
                                goto out;
                        }
                        l = readlink(cur, target, PATH_MAX - 1);
                        if (l < 0) {
                                r = ur_err_set(err, errno, "path '%s' in '%s': readlink '%s'", path, root,
                                               inner(cur, root_len));
                                goto out;
                        }
                        target[l] = '\0';
                        if (target[0] == '/') {
                                r = ur_err_set(err, 0,
                                               "path '%s' in '%s': symlink '%s' has an absolute target '%s'",
                                               path, root, inner(cur, root_len), target);
                                goto out;
                        }
                        int link = record_link(&w, inner(cur, root_len), target);
                        if (link < 0 || push_components(&w, target, link) < 0) {
                                r = ur_err_set(err, ENOMEM, "resolve '%s'", path);
                                goto out;
                        }
                        /* A relative target is relative to the symlink's directory. */
                        cur_len = saved_len;
                        cur[cur_len] = '\0';
                        continue;
                }
                if (w.n > 0 && !S_ISDIR(st.st_mode)) {
                        r = ur_err_set(err, ENOTDIR, "path '%s' in '%s': '%s'", path, root,
                                       inner(cur, root_len));
                        goto out;
                }
        }

        if (cur_len == 0) {
                /* The root was "/" and the path resolved to it. */
                free(cur);
                cur = strdup("/");
                if (!cur) {
                        r = ur_err_set(err, ENOMEM, "resolve '%s'", path);
                        goto out;
                }
        }
        *ret = TAKE_PTR(cur);
        r = 0;
out:
        walk_done(&w);
        return r;
}

const char *ur_file_type_name(mode_t mode)
{
        switch (mode & S_IFMT) {
        case S_IFREG: return "regular file";
        case S_IFDIR: return "directory";
        case S_IFBLK: return "block device";
        case S_IFCHR: return "character device";
        case S_IFIFO: return "FIFO";
        case S_IFSOCK: return "socket";
        case S_IFLNK: return "symlink";
        default: return "unknown file type";
        }
}

static int open_in_root(int rootfd, const char *inner_path, const char *host)
{
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS,
        };
        int fd = (int) syscall(SYS_openat2, rootfd, inner_path, &how, sizeof(how));

        if (fd >= 0)
                return fd;
        /* No openat2 (before Linux 5.6, or filtered): the walk above has
         * already refused escapes; open its result without following. */
        if (errno == ENOSYS || errno == EPERM)
                fd = open(host, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int ur_path_resolve_regular_in_root(const char *root, const char *path, char **ret, struct ur_err **err)
{
        _cleanup_free_ char *host = NULL, *rroot = NULL;
        _cleanup_close_ int rootfd = -1, fd = -1;
        struct stat st;
        size_t root_len;
        int r;

        r = ur_path_resolve_in_root(root, path, &host, err);
        if (r < 0)
                return r;
        rroot = realpath(root, NULL);
        if (!rroot)
                return ur_err_set(err, errno, "resolve '%s': root '%s'", path, root);
        root_len = strcmp(rroot, "/") == 0 ? 0 : strlen(rroot);
        if (strncmp(host, rroot, root_len) != 0)
                return ur_err_set(err, EXDEV, "path '%s' in '%s': the root moved while resolving", path, root);
        rootfd = open(rroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return ur_err_set(err, errno, "resolve '%s': root '%s'", path, root);
        fd = open_in_root(rootfd, host[root_len] ? host + root_len : "/", host);
        if (fd < 0)
                return ur_err_set(err, -fd, "path '%s' in '%s'", path, root);
        if (fstat(fd, &st) < 0)
                return ur_err_set(err, errno, "path '%s' in '%s'", path, root);
        if (!S_ISREG(st.st_mode))
                return ur_err_set(err, 0, "path '%s' is a %s, not a regular file", path,
                                  ur_file_type_name(st.st_mode));
        *ret = TAKE_PTR(host);
        return 0;
}

int ur_path_pin_regular(const char *root, const char *host, const char *what, int *ret_fd,
                        struct ur_err **err)
{
        _cleanup_free_ char *rroot = root ? realpath(root, NULL) : NULL;
        _cleanup_close_ int rootfd = -1, fd = -1;
        size_t root_len = rroot && strcmp(rroot, "/") != 0 ? strlen(rroot) : 0;
        struct stat st;

        if (rroot && strncmp(host, rroot, root_len) == 0 && host[root_len] == '/') {
                rootfd = open(rroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (rootfd < 0)
                        return ur_err_set(err, errno, "%s '%s': root '%s'", what, host, rroot);
                fd = open_in_root(rootfd, host + root_len, host);
                if (fd < 0)
                        return ur_err_set(err, -fd, "%s: open '%s' in '%s'", what, host + root_len, rroot);
        } else {
                fd = open(host, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return ur_err_set(err, errno, "%s: open '%s'", what, host);
        }
        if (fstat(fd, &st) < 0)
                return ur_err_set(err, errno, "%s '%s'", what, host);
        if (!S_ISREG(st.st_mode))
                return ur_err_set(err, 0, "%s '%s' is a %s, not a regular file", what, host,
                                  ur_file_type_name(st.st_mode));
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static bool id_char(char c, bool first)
{
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                return true;
        if (first)
                return false;
        return c == '_' || c == '.' || c == '+' || c == '-';
}

int ur_validate_id(const char *id, struct ur_err **err)
{
        size_t len;

        if (!id || !*id)
                return ur_err_set(err, EINVAL, "invalid container id '': empty");
        len = strlen(id);
        if (len > 1024)
                return ur_err_set(err, EINVAL, "invalid container id '%.32s...': longer than 1024 characters", id);
        /* "." and ".." (and anything with "/") are excluded by the character set. */
        for (size_t i = 0; i < len; i++)
                if (!id_char(id[i], i == 0))
                        return ur_err_set(err, EINVAL,
                                          "invalid container id '%s': only [A-Za-z0-9_.+-] allowed, starting with a letter or digit",
                                          id);
        return 0;
}
