/* SPDX-License-Identifier: Apache-2.0 */
#include "init/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/proc.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/time.h"

/*
 * Write the whole state to the hook's stdin, however large (a pipe holds
 * 64 KiB by default), while watching the hook: stop when it exits or closes
 * its end (the rest of the state is of no use to it) and when its timeout
 * runs out.  Returns 0 (written, or the hook no longer reads), -ETIMEDOUT,
 * or a negative errno.
 */
static int write_state(int fd, pid_t pid, int pidfd, const char *state_json, long long deadline)
{
        size_t len = state_json ? strlen(state_json) : 0, off = 0;

        if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
                return -errno;
        while (off < len) {
                ssize_t n = write(fd, state_json + off, len - off);
                if (n > 0) {
                        off += (size_t) n;
                        continue;
                }
                if (n < 0 && errno == EPIPE)
                        return 0;
                if (n < 0 && errno != EAGAIN && errno != EINTR)
                        return -errno;

                long long left = deadline < 0 ? 100 : deadline - ur_now_ms();
                if (deadline >= 0 && left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p[2] = { { .fd = fd, .events = POLLOUT }, { .fd = pidfd, .events = POLLIN } };
                /* Without a pidfd, look at the child every 100 ms. */
                int timeout = pidfd < 0 ? (left < 100 ? (int) left : 100) : deadline < 0 ? -1 : (int) left;
                if (poll(p, pidfd < 0 ? 1 : 2, timeout) < 0 && errno != EINTR)
                        return -errno;
                if (pidfd >= 0 && (p[1].revents & POLLIN))
                        return 0;
                if (pidfd < 0) {
                        siginfo_t si = { 0 };
                        if (waitid(P_PID, (id_t) pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
                                return 0;
                }
        }
        return 0;
}

static int run_one(const struct ur_hook *h, const char *stage, const char *state_json, struct ur_err **err)
{
        _cleanup_close_ int pidfd = -1;
        int in[2] = { -1, -1 };
        int status = 0;
        pid_t pid;
        int r;

        if (pipe2(in, O_CLOEXEC) < 0)
                return ur_err_set(err, errno, "%s hook '%s': pipe", stage, h->path);
        pid = fork();
        if (pid < 0) {
                int e = errno;
                close(in[0]);
                close(in[1]);
                return ur_err_set(err, e, "%s hook '%s': fork", stage, h->path);
        }
        if (pid == 0) {
                char *const empty[] = { NULL };
                char *argv0[] = { (char *) h->path, NULL };

                dup2(in[0], STDIN_FILENO);
                /* The hook's stdout must not mix with the container's output. */
                dup2(STDERR_FILENO, STDOUT_FILENO);
                sigset_t all;
                sigemptyset(&all);
                sigprocmask(SIG_SETMASK, &all, NULL);
                execve(h->path, h->args && h->args[0] ? h->args : argv0, h->env ? h->env : empty);
                _exit(127);
        }
        close(in[0]);
        pidfd = ur_pidfd_open(pid);

        /* A hook may exit (or close its stdin) before reading the state:
         * the write then fails with EPIPE, which must not kill urunc with
         * SIGPIPE.  Ignoring it only here keeps the default for the hook
         * (forked above) and for everything urunc execs later. */
        struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGPIPE, &ign, &old_pipe);
        long long deadline = h->timeout > 0 ? ur_now_ms() + (long long) h->timeout * 1000 : -1;
        r = write_state(in[1], pid, pidfd, state_json, deadline);
        close(in[1]);
        sigaction(SIGPIPE, &old_pipe, NULL);

        if (r == 0) {
                long long left = deadline < 0 ? -1 : deadline - ur_now_ms();
                r = ur_wait_child(pid, pidfd, deadline < 0 ? -1 : (left > 0 ? (int) left : 0), &status);
        }
        if (r < 0) {
                kill(pid, SIGKILL);
                RETRY_EINTR(waitpid(pid, NULL, 0));
                if (r == -ETIMEDOUT)
                        return ur_err_set(err, 0, "%s hook '%s' timed out after %d s", stage, h->path,
                                          h->timeout);
                return ur_err_set(err, -r, "%s hook '%s': passing the state", stage, h->path);
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return ur_err_set(err, 0, "%s hook '%s' could not be executed (exit status 127)", stage, h->path);
        if (WIFEXITED(status))
                return ur_err_set(err, 0, "%s hook '%s' failed with exit status %d", stage, h->path,
                                  WEXITSTATUS(status));
        return ur_err_set(err, 0, "%s hook '%s' was killed by signal %d", stage, h->path, WTERMSIG(status));
}

int ur_hooks_run(const struct ur_spec *spec, enum ur_hook_stage stage, const char *state_json,
                 struct ur_err **err)
{
        const struct ur_hook_list *l = &spec->hooks[stage];

        for (size_t i = 0; i < l->n; i++) {
                ur_log_debug("running %s hook %zu: %s", ur_hook_stage_name(stage), i, l->v[i].path);
                if (run_one(&l->v[i], ur_hook_stage_name(stage), state_json, err) < 0)
                        return -1;
        }
        return 0;
}

void ur_hooks_run_warn(const struct ur_spec *spec, enum ur_hook_stage stage, const char *state_json)
{
        const struct ur_hook_list *l = &spec->hooks[stage];

        for (size_t i = 0; i < l->n; i++) {
                struct ur_err *e = NULL;
                if (run_one(&l->v[i], ur_hook_stage_name(stage), state_json, &e) < 0)
                        ur_log_warning("%s", ur_err_msg(e));
                ur_err_free(&e);
        }
}

uint64_t ur_hooks_timeout_usec(const struct ur_spec *spec, enum ur_hook_stage stage)
{
        uint64_t t = 0;

        /* Saturating: a sum of INT_MAX-second timeouts must not wrap into
         * a short bound. */
        for (size_t i = 0; i < spec->hooks[stage].n; i++)
                if (__builtin_add_overflow(t, (uint64_t) spec->hooks[stage].v[i].timeout * 1000000ULL, &t))
                        return UINT64_MAX / 2;
        return t > UINT64_MAX / 2 ? UINT64_MAX / 2 : t;
}
