/* SPDX-License-Identifier: Apache-2.0 */
#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/time.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

int ur_pidfd_open(pid_t pid)
{
        int fd = (int) syscall(SYS_pidfd_open, pid, 0);
        return fd < 0 ? -errno : fd;
}

int ur_pidfd_send_signal(int pidfd, int sig)
{
        return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

int ur_wait_child(pid_t pid, int pidfd, int timeout_ms, int *status)
{
        long long deadline = timeout_ms >= 0 ? ur_now_ms() + timeout_ms : -1;

        for (;;) {
                pid_t r = waitpid(pid, status, WNOHANG);
                if (r == pid)
                        return 0;
                if (r < 0 && errno != EINTR)
                        return -errno;
                long long left = deadline < 0 ? 100 : deadline - ur_now_ms();
                if (deadline >= 0 && left <= 0)
                        return -ETIMEDOUT;
                if (pidfd >= 0) {
                        struct pollfd p = { .fd = pidfd, .events = POLLIN };
                        poll(&p, 1, deadline < 0 ? -1 : (int) left);
                } else {
                        usleep(left > 10 ? 10000 : (useconds_t) left * 1000);
                }
        }
}

/* Read /proc/<pid>/stat into buf; *ret_state points at field 3 (the state).
 * comm may hold spaces and parentheses: the fields start after the last ')'. */
static int read_proc_stat(pid_t pid, char *buf, size_t size, char **ret_state)
{
        char path[64];
        _cleanup_close_ int fd = -1;
        ssize_t n;
        char *p;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = RETRY_EINTR(read(fd, buf, size - 1));
        if (n <= 0)
                return n < 0 ? -errno : -EIO;
        buf[n] = '\0';
        p = strrchr(buf, ')');
        if (!p || !p[1] || !p[2])
                return -EIO;
        *ret_state = p + 2;
        return 0;
}

int ur_proc_start_time(pid_t pid, uint64_t *ret)
{
        char buf[1024], *p;
        int r = read_proc_stat(pid, buf, sizeof(buf), &p);

        if (r < 0)
                return r;
        for (int field = 3; field < 22; field++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EIO;
                p++;
        }
        *ret = strtoull(p, NULL, 10);
        return 0;
}

char ur_proc_state(pid_t pid)
{
        char buf[1024], *p;

        return read_proc_stat(pid, buf, sizeof(buf), &p) < 0 ? 0 : p[0];
}

int ur_proc_alive(pid_t pid, uint64_t start)
{
        uint64_t now;
        char s;

        if (pid <= 0)
                return 0;
        if (ur_proc_start_time(pid, &now) < 0 || now != start)
                return 0;
        s = ur_proc_state(pid);
        return s != 0 && s != 'Z' && s != 'X';
}

int ur_wait_gone(pid_t pid, uint64_t start_time, int pidfd, int timeout_ms)
{
        long long deadline = ur_now_ms() + timeout_ms;

        for (;;) {
                if (!ur_proc_alive(pid, start_time))
                        return 0;
                long long left = deadline - ur_now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                if (pidfd >= 0) {
                        struct pollfd p = { .fd = pidfd, .events = POLLIN };
                        poll(&p, 1, left > 100 ? 100 : (int) left);
                } else {
                        usleep(10000);
                }
        }
}

int ur_proc_children(pid_t pid, pid_t **ret, size_t *ret_n)
{
        _cleanup_free_ char *text = NULL;
        char path[64];
        pid_t *v = NULL;
        size_t n = 0;
        int r;

        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int) pid, (int) pid);
        r = ur_read_file(path, 1 << 16, &text, NULL, NULL);
        if (r < 0)
                return r;
        for (char *p = text, *end; *p; p = end) {
                long c = strtol(p, &end, 10);
                pid_t *nv;
                if (end == p)
                        break;
                nv = realloc(v, (n + 1) * sizeof(*v));
                if (!nv) {
                        free(v);
                        return -ENOMEM;
                }
                v = nv;
                v[n++] = (pid_t) c;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}
