/* SPDX-License-Identifier: Apache-2.0 */
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

int ur_read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len, struct ur_err **err)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return ur_err_set(err, errno, "open '%s'", path);
        for (;;) {
                if (len + 1 >= cap) {
                        size_t ncap = cap ? cap * 2 : 4096;
                        char *n = realloc(buf, ncap);
                        if (!n)
                                return ur_err_set(err, ENOMEM, "read '%s'", path);
                        buf = n;
                        cap = ncap;
                }
                ssize_t r = read(fd, buf + len, cap - len - 1);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return ur_err_set(err, errno, "read '%s'", path);
                }
                if (r == 0)
                        break;
                len += (size_t) r;
                if (len > max)
                        return ur_err_set(err, EFBIG, "read '%s': larger than %zu bytes", path, max);
        }
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

int ur_read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct ur_err **err)
{
        return ur_read_file_at(AT_FDCWD, path, max, ret, ret_len, err);
}

int ur_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, struct ur_err **err)
{
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        const char *p = data;

        if (asprintf(&tmp, "%s.tmp.%d", path, (int) getpid()) < 0)
                return ur_err_set(err, ENOMEM, "write '%s'", path);
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                return ur_err_set(err, errno, "create '%s'", tmp);
        while (len > 0) {
                ssize_t w = write(fd, p, len);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = errno;
                        unlink(tmp);
                        return ur_err_set(err, e, "write '%s'", tmp);
                }
                p += w;
                len -= (size_t) w;
        }
        if (fchmod(fd, mode) < 0 || close(TAKE_FD(fd)) < 0) {
                int e = errno;
                unlink(tmp);
                return ur_err_set(err, e, "write '%s'", tmp);
        }
        if (rename(tmp, path) < 0) {
                int e = errno;
                unlink(tmp);
                return ur_err_set(err, e, "rename '%s' to '%s'", tmp, path);
        }
        return 0;
}

int ur_mkdir_p(const char *path, mode_t mode, struct ur_err **err)
{
        _cleanup_free_ char *copy = strdup(path);
        char *p;

        if (!copy)
                return ur_err_set(err, ENOMEM, "mkdir '%s'", path);
        for (p = copy + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(copy, mode) < 0 && errno != EEXIST)
                        return ur_err_set(err, errno, "mkdir '%s'", copy);
                *p = '/';
        }
        if (mkdir(copy, mode) < 0 && errno != EEXIST)
                return ur_err_set(err, errno, "mkdir '%s'", copy);
        return 0;
}

static int rm_rf_at(int parent, const char *name, struct ur_err **err)
{
        int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                if (errno == ENOTDIR || errno == ELOOP) {
                        if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
                                return ur_err_set(err, errno, "remove '%s'", name);
                        return 0;
                }
                return ur_err_set(err, errno, "open '%s'", name);
        }
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return ur_err_set(err, errno, "open '%s'", name);
        }
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (de->d_type == DT_DIR) {
                        r = rm_rf_at(dirfd(d), de->d_name, err);
                } else if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
                        r = ur_err_set(err, errno, "remove '%s/%s'", name, de->d_name);
                }
                if (r < 0)
                        break;
        }
        closedir(d);
        if (r < 0)
                return r;
        if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return ur_err_set(err, errno, "remove '%s'", name);
        return 0;
}

int ur_rm_rf(const char *path, struct ur_err **err)
{
        return rm_rf_at(AT_FDCWD, path, err);
}

char *ur_path_join_n(const char *const *parts, size_t n)
{
        size_t len = 1;
        char *out, *o;

        for (size_t i = 0; i < n; i++)
                len += parts[i] ? strlen(parts[i]) + 1 : 0;
        out = o = malloc(len);
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                const char *p = parts[i];

                if (!p || !*p)
                        continue;
                if (o > out) {
                        /* One slash at the joint: none of p's, none of out's. */
                        while (*p == '/')
                                p++;
                        if (!*p)
                                continue;
                        while (o > out + 1 && o[-1] == '/')
                                o--;
                        if (o[-1] != '/')
                                *o++ = '/';
                }
                o = stpcpy(o, p);
        }
        *o = '\0';
        return out;
}

char *ur_find_executable(const char *name)
{
        const char *path = getenv("PATH");
        _cleanup_free_ char *copy = NULL;
        char *save = NULL;

        if (!name || !*name)
                return NULL;
        if (strchr(name, '/')) {
                struct stat sb;
                /* Absolute: the monitor process may run in a confined root. */
                return stat(name, &sb) == 0 && S_ISREG(sb.st_mode) && access(name, X_OK) == 0
                               ? realpath(name, NULL)
                               : NULL;
        }
        copy = strdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        if (!copy)
                return NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                char *full = NULL;
                struct stat sb;
                if (asprintf(&full, "%s/%s", dir, name) < 0)
                        return NULL;
                if (stat(full, &sb) == 0 && S_ISREG(sb.st_mode) && access(full, X_OK) == 0)
                        return full;
                free(full);
        }
        return NULL;
}
