/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/internal.h"
#include "util/proc.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

char *ur_fallback_runtime(const struct ur_context *ctx)
{
        const char *want = ctx->config ? ctx->config->runtime.fallback : NULL;
        char *p;

        if (want && *want)
                return ur_find_executable(want);
        p = ur_find_executable("runc");
        return p ? p : ur_find_executable("crun");
}

static char *marker_path(const struct ur_context *ctx, const char *id)
{
        char *p = NULL;

        if (asprintf(&p, "%s/%s%s", ctx->root, UR_FALLBACK_PREFIX, id) < 0)
                return NULL;
        return p;
}

static int exec_runtime(const struct ur_context *ctx, const char *runtime, struct ur_err **err)
{
        _cleanup_free_ char **argv = calloc((size_t) ctx->argc + 1, sizeof(char *));

        if (!argv)
                return ur_err_set(err, ENOMEM, "fallback");
        argv[0] = (char *) runtime;
        for (int i = 1; i < ctx->argc; i++)
                argv[i] = ctx->argv[i];
        ur_log_debug("handing over to '%s'", runtime);
        execv(runtime, argv);
        return ur_err_set(err, errno, "exec fallback runtime '%s'", runtime);
}

static volatile pid_t runtime_pid;

/* What is sent to urunc goes on to the runtime (runc run passes it on to
 * the container); a terminal's ^C reaches the runtime's process group by
 * itself (SI_KERNEL), so it is not sent twice. */
static void forward_signal(int sig, siginfo_t *si, void *uc)
{
        (void) uc;
        if (runtime_pid > 0 && si->si_code != SI_KERNEL)
                kill(runtime_pid, sig);
}

static int wait_child(pid_t pid, const char *what, int *ret_status, struct ur_err **err)
{
        int status = 0;

        if (RETRY_EINTR(waitpid(pid, &status, 0)) < 0)
                return ur_err_set(err, errno, "wait for '%s'", what);
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return 0;
}

/* Run the fallback runtime with the original command line and wait for it:
 * *ret_status is its exit status (128+N when killed by signal N).  forward:
 * pass the signals a foreground runtime gets on to it (run). */
static int run_runtime(const struct ur_context *ctx, const char *runtime, bool forward, int *ret_status,
                       struct ur_err **err)
{
        static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
        struct sigaction sa = {.sa_sigaction = forward_signal, .sa_flags = SA_RESTART | SA_SIGINFO};
        pid_t pid;

        if (forward)
                for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                        sigaction(forwarded[i], &sa, NULL);
        pid = fork();
        if (pid < 0)
                return ur_err_set(err, errno, "fork");
        if (pid == 0) {
                struct ur_err *e = NULL;
                exec_runtime(ctx, runtime, &e);
                ur_log_error("%s", ur_err_msg(e));
                _exit(127);
        }
        runtime_pid = pid;
        return wait_child(pid, runtime, ret_status, err);
}

/* Whether the runtime still has the container: its state verb, with the
 * global options urunc was given (--root and the like). */
static bool runtime_has(const struct ur_context *ctx, const char *runtime, const char *id)
{
        _cleanup_free_ char **argv = calloc((size_t) ctx->verb + 3, sizeof(char *));
        int status = 1;
        pid_t pid;

        if (!argv || ctx->verb <= 0)
                return true;
        argv[0] = (char *) runtime;
        for (int i = 1; i < ctx->verb; i++)
                argv[i] = ctx->argv[i];
        argv[ctx->verb] = (char *) "state";
        argv[ctx->verb + 1] = (char *) id;
        pid = fork();
        if (pid < 0)
                return true;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);

                if (null >= 0) {
                        dup2(null, STDOUT_FILENO);
                        dup2(null, STDERR_FILENO);
                }
                execv(runtime, argv);
                _exit(127);
        }
        if (wait_child(pid, runtime, &status, NULL) < 0)
                return true;
        return status == 0;
}

/*
 * Write the marker only if there is none, then check that no unikernel
 * container holds the id: a unikernel create makes its directory, then
 * checks for a marker (ur_create), so of two creates of one id racing, at
 * least one sees the other.
 */
static int claim_marker(const struct ur_context *ctx, const char *id, const char *marker, const char *runtime,
                        struct ur_err **err)
{
        _cleanup_free_ char *tmp = NULL, *dir = ur_state_dir(ctx->root, id);
        struct stat sb;
        int r;

        if (!dir || asprintf(&tmp, "%s.new.%d", marker, (int) getpid()) < 0)
                return ur_err_set(err, ENOMEM, "create");
        if (ur_write_file_atomic(tmp, runtime, strlen(runtime), 0600, err) < 0)
                return -1;
        r = link(tmp, marker);
        if (r < 0) {
                int e = errno;
                unlink(tmp);
                if (e == EEXIST)
                        return ur_err_set(err, 0, "container with id '%s' already exists", id);
                return ur_err_set(err, e, "create '%s'", marker);
        }
        unlink(tmp);
        if (lstat(dir, &sb) == 0) {
                unlink(marker);
                return ur_err_set(err, 0, "container with id '%s' already exists", id);
        }
        return 0;
}

int ur_fallback_create(struct ur_context *ctx, const char *id, const char *why, struct ur_err **err)
{
        _cleanup_free_ char *runtime = ur_fallback_runtime(ctx);
        _cleanup_free_ char *marker = marker_path(ctx, id);

        if (!runtime)
                return ur_err_set(
                        err, 0,
                        "container '%s' is not a unikernel (%s) and no fallback runtime was found (runc, "
                        "crun; set [runtime] fallback in the config)",
                        id, why);
        if (!marker)
                return ur_err_set(err, ENOMEM, "create");
        if (ur_mkdir_p(ctx->root, 0700, err) < 0)
                return -1;
        if (claim_marker(ctx, id, marker, runtime, err) < 0)
                return -1;
        ur_log_info("container '%s' is not a unikernel (%s): handing it to '%s'", id, why, runtime);
        if (ctx->verb > 0 &&
            (strcmp(ctx->argv[ctx->verb], "create") == 0 || strcmp(ctx->argv[ctx->verb], "run") == 0)) {
                bool run = strcmp(ctx->argv[ctx->verb], "run") == 0;
                int status = 0;

                /* The id must be free again once the runtime has no such
                 * container, as with runc alone: after a create that failed
                 * (runc destroys what it made), after a run that deleted it
                 * (not --detach, not --keep).  So wait for the runtime
                 * instead of exec'ing it.  The container's init is the
                 * runtime's child either way, not ours. */
                if (run_runtime(ctx, runtime, run, &status, err) < 0)
                        return -1;
                if (run ? !runtime_has(ctx, runtime, id) : status != 0)
                        unlink(marker);
                exit(status);
        }
        exec_runtime(ctx, runtime, err);
        unlink(marker);
        return -1;
}

static int marker_read(const struct ur_context *ctx, const char *id, char **ret)
{
        _cleanup_free_ char *marker = marker_path(ctx, id);
        char *text = NULL;

        if (!marker || ur_read_file(marker, 4096, &text, NULL, NULL) < 0)
                return 0;
        *ret = text;
        return 1;
}

bool ur_fallback_exists(const struct ur_context *ctx, const char *id)
{
        _cleanup_free_ char *marker = marker_path(ctx, id);

        return marker && access(marker, F_OK) == 0;
}

int ur_fallback_dispatch(struct ur_context *ctx, const char *id, struct ur_err **err)
{
        _cleanup_free_ char *runtime = NULL;

        if (!marker_read(ctx, id, &runtime))
                return 0;
        return exec_runtime(ctx, runtime, err);
}

int ur_fallback_delete(struct ur_context *ctx, const char *id, int *ret_status, struct ur_err **err)
{
        _cleanup_free_ char *runtime = NULL, *marker = NULL;

        if (!marker_read(ctx, id, &runtime))
                return 0;
        if (run_runtime(ctx, runtime, false, ret_status, err) < 0)
                return -1;
        if (*ret_status == 0) {
                marker = marker_path(ctx, id);
                if (marker)
                        unlink(marker);
        }
        return 1;
}
