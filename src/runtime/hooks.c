/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/hooks.h"

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

#include "runtime/proc.h"
#include "util/cleanup.h"
#include "util/log.h"

static int run_one(const struct ur_hook *h, const char *stage, const char *state_json, ur_err *err)
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
        /* The state is small (well under a pipe buffer); a hook that does not
         * read it must not block us, so write without waiting. */
        fcntl(in[1], F_SETFL, O_NONBLOCK);
        if (state_json) {
                ssize_t n = write(in[1], state_json, strlen(state_json));
                (void) n;
        }
        close(in[1]);

        pidfd = ur_pidfd_open(pid);
        r = ur_wait_child(pid, pidfd, h->timeout > 0 ? h->timeout * 1000 : -1, &status);
        if (r == -ETIMEDOUT) {
                kill(pid, SIGKILL);
                RETRY_EINTR(waitpid(pid, NULL, 0));
                return ur_err_set(err, 0, "%s hook '%s' timed out after %d s", stage, h->path, h->timeout);
        }
        if (r < 0)
                return ur_err_set(err, -r, "%s hook '%s': wait", stage, h->path);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return ur_err_set(err, 0, "%s hook '%s' could not be executed (exit status 127)", stage, h->path);
        if (WIFEXITED(status))
                return ur_err_set(err, 0, "%s hook '%s' failed with exit status %d", stage, h->path,
                                  WEXITSTATUS(status));
        return ur_err_set(err, 0, "%s hook '%s' was killed by signal %d", stage, h->path, WTERMSIG(status));
}

int ur_hooks_run(const struct ur_spec *spec, enum ur_hook_stage stage, const char *state_json, ur_err *err)
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
                ur_err e = NULL;
                if (run_one(&l->v[i], ur_hook_stage_name(stage), state_json, &e) < 0)
                        ur_log_warning("%s", ur_err_msg(e));
                ur_err_free(&e);
        }
}
