/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/runtime.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/internal.h"
#include "util/proc.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/signals.h"
#include "util/time.h"
#include "util/timestamps.h"

/* How long kill waits for the monitor to install its handler. */
#define HANDLER_WAIT_MS 3000

/*
 * As the init of its own pid namespace, the monitor only receives the
 * signals it handles: the kernel drops others sent from outside.  Right
 * after exec QEMU has not installed its SIGTERM handler yet, so a kill at
 * that moment would be lost.  Returns true when pid is such an init and
 * does not catch sig (yet).
 */
static bool signal_would_be_dropped(pid_t pid, int sig)
{
        _cleanup_free_ char *text = NULL;
        char path[64];
        const char *p;
        unsigned n = 0;
        bool last_is_one = false;

        if (sig == SIGKILL || sig == SIGSTOP)
                return false;
        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        if (ur_read_file(path, 1 << 16, &text, NULL, NULL) < 0)
                return false;
        /* "NSpid:\t<pid here>\t...\t<pid in its own namespace>" */
        p = strstr(text, "\nNSpid:");
        if (!p)
                return false;
        for (p += 7; *p && *p != '\n';) {
                char *end;
                unsigned long v = strtoul(p, &end, 10);
                if (end == p)
                        break;
                n++;
                last_is_one = v == 1;
                p = end;
        }
        if (n < 2 || !last_is_one)
                return false;
        p = strstr(text, "\nSigCgt:");
        return p && !(strtoull(p + 9, NULL, 16) & (1ULL << (sig - 1)));
}

/* -ESRCH with runc's wording when the monitor is gone. */
int ur_signal_container(const struct ur_state *st, int sig, struct ur_err **err)
{
        _cleanup_close_ int pidfd = st->pid > 0 ? ur_pidfd_open(st->pid) : -1;
        int r;

        if (pidfd < 0)
                return ur_err_set(err, 0, "container not running"), -ESRCH;
        /* The pidfd pins the process: check it is still the one we created. */
        if (!ur_proc_alive(st->pid, st->pid_start))
                return ur_err_set(err, 0, "container not running"), -ESRCH;
        if (sig <= 64 && signal_would_be_dropped(st->pid, sig)) {
                long long deadline = ur_now_ms() + HANDLER_WAIT_MS;
                while (signal_would_be_dropped(st->pid, sig) && ur_now_ms() < deadline)
                        usleep(5000);
        }
        r = ur_pidfd_send_signal(pidfd, sig);
        if (r == -ESRCH)
                return ur_err_set(err, 0, "container not running"), -ESRCH;
        if (r < 0)
                return ur_err_set(err, -r, "send signal %d to container '%s'", sig, st->id);
        return 0;
}

/*
 * kill --all: also every other process left in the container's cgroup (the
 * monitor's own children, or what outlived it), as runc signals the whole
 * cgroup.  Best effort: a process may be gone by the time it is signalled.
 */
static void signal_cgroup_rest(const struct ur_state *st, int sig)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        struct ur_err *e = NULL;

        if (st->cgroup.manager == UR_CGROUP_NONE || ur_cgroup_pids(&st->cgroup, &pids, &n, &e) < 0) {
                ur_err_free(&e);
                return;
        }
        for (size_t i = 0; i < n; i++)
                if (pids[i] > 0 && pids[i] != st->pid && kill(pids[i], sig) == 0)
                        ur_log_debug("kill --all: signal %d to pid %d of container '%s'", sig, (int) pids[i],
                                     st->id);
}

int ur_kill(struct ur_context *ctx, const char *id, int sig, bool all, struct ur_err **err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        int r;

        if (ur_load(ctx, id, &st, err) < 0)
                return -1;
        ur_ts_mark(id, "kill-begin");
        /* As runc: kill --all of a container that has stopped succeeds (the
         * containerd shim sends it after the task exited, and Kubernetes'
         * StopContainer fails if it does not), plain kill says "container
         * not running". */
        if (ur_state_status(st) == UR_STATUS_STOPPED)
                r = (ur_err_set(err, 0, "container not running"), -ESRCH);
        else
                r = ur_signal_container(st, sig, err);
        if (all) {
                signal_cgroup_rest(st, sig);
                if (r == -ESRCH) {
                        ur_err_free(err);
                        ur_log_debug("kill --all: container '%s' is not running, nothing to signal", id);
                        return 0;
                }
        }
        if (r < 0)
                return -1;
        ur_ts_mark(id, "kill-end");
        ur_log_info("delivered signal %s (%d) to container '%s'%s", ur_signal_name(sig), sig, id, all ? " (--all)" : "");
        return 0;
}
