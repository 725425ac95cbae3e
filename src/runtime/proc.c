/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/proc.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/state.h"
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

static const struct {
        const char *name;
        int sig;
} signals[] = {
        { "HUP", SIGHUP },   { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },
        { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },     { "IOT", SIGIOT },     { "BUS", SIGBUS },
        { "FPE", SIGFPE },   { "KILL", SIGKILL },     { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
        { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },   { "TERM", SIGTERM },
        { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },   { "STOP", SIGSTOP },
        { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },   { "URG", SIGURG },
        { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
        { "WINCH", SIGWINCH }, { "IO", SIGIO },       { "POLL", SIGPOLL },   { "PWR", SIGPWR },
        { "SYS", SIGSYS },
};

int ur_signal_parse(const char *s, int *ret, ur_err *err)
{
        const char *name = s;
        char *end;
        long n;

        if (!s || !*s)
                return ur_err_set(err, 0, "invalid signal ''");
        if (isdigit((unsigned char) s[0])) {
                errno = 0;
                n = strtol(s, &end, 10);
                if (errno || *end || n <= 0 || n > SIGRTMAX)
                        return ur_err_set(err, 0, "invalid signal '%s'", s);
                *ret = (int) n;
                return 0;
        }
        if (strncasecmp(name, "SIG", 3) == 0)
                name += 3;
        for (size_t i = 0; i < ELEMENTSOF(signals); i++) {
                if (strcasecmp(name, signals[i].name) == 0) {
                        *ret = signals[i].sig;
                        return 0;
                }
        }
        if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
                bool min = strncasecmp(name, "RTMIN", 5) == 0;
                const char *off = name + 5;
                long o = 0;
                if (*off) {
                        errno = 0;
                        o = strtol(off, &end, 10);
                        if (errno || *end || (min && o < 0) || (!min && o > 0))
                                return ur_err_set(err, 0, "invalid signal '%s'", s);
                }
                int sig = (int) ((min ? SIGRTMIN : SIGRTMAX) + o);
                if (sig < SIGRTMIN || sig > SIGRTMAX)
                        return ur_err_set(err, 0, "invalid signal '%s'", s);
                *ret = sig;
                return 0;
        }
        return ur_err_set(err, 0, "unknown signal '%s'", s);
}

const char *ur_signal_name(int sig)
{
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                if (signals[i].sig == sig)
                        return signals[i].name;
        return "?";
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
