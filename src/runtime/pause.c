/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/runtime.h"

#include <signal.h>

#include "runtime/internal.h"
#include "util/proc.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/log.h"

int ur_pause(struct ur_context *ctx, const char *id, bool pause, struct ur_err **err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        _cleanup_close_ int lock = -1;
        enum ur_status status;

        if (ur_load_locked(ctx, id, &st, &lock, err) < 0)
                return -1;
        status = ur_status_locked(st);
        if (pause && status != UR_STATUS_RUNNING)
                return ur_err_set(err, 0, "container not running");
        if (!pause && status != UR_STATUS_PAUSED)
                return ur_err_set(err, 0, "container not paused");
        if (st->cgroup.manager != UR_CGROUP_NONE) {
                if (ur_cgroup_freeze(&st->cgroup, pause, err) < 0)
                        return ur_err_wrap(err, "%s container '%s'", pause ? "pause" : "resume", id);
        } else {
                /* Without a cgroup to freeze: the supervisor and the VMM it
                 * forked, the VMM first (a stopped supervisor forwards
                 * nothing); on resume the supervisor passes SIGCONT on. */
                _cleanup_free_ pid_t *kids = NULL;
                size_t n = 0;
                if (pause && ur_proc_children(st->pid, &kids, &n) >= 0)
                        for (size_t i = 0; i < n; i++)
                                kill(kids[i], SIGSTOP);
                if (ur_signal_container(st, pause ? SIGSTOP : SIGCONT, err) < 0)
                        return -1;
        }
        ur_log_info("%s container '%s'", pause ? "paused" : "resumed", id);
        return 0;
}
