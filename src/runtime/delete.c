/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/runtime.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/net.h"
#include "oci/spec.h"
#include "init/hooks.h"
#include "init/marks.h"
#include "runtime/internal.h"
#include "util/proc.h"
#include "runtime/state.h"
#include "systemd/machine.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/timestamps.h"

/* How long delete waits for a killed monitor to die. */
#define KILL_WAIT_MS 10000

/*
 * Tear a container down and remove its record.  When the cgroup (scope) or
 * the network plumbing cannot be removed, the record stays -- with what
 * delete --force needs to retry -- and the error is returned: removing it
 * would leave a scope or a tap that nothing knows about any more.
 */
static int forget(const struct ur_state *st, struct ur_err **err)
{
        _cleanup_spec_ struct ur_spec *spec = NULL;
        _cleanup_free_ char *netfile = ur_path_join(st->dir, UR_STATE_NETWORK);
        _cleanup_free_ char *ifname = NULL;
        _cleanup_free_ char *stopped_json = NULL;
        struct ur_err *e = NULL;
        int r = 0;

        if (st->machine && ur_machine_unregister(st->machine, &e) < 0)
                ur_log_warning("delete '%s': %s", st->id, ur_err_msg(e));
        ur_err_free(&e);
        if (ur_cgroup_destroy(&st->cgroup, err) < 0)
                r = -1;
        if (st->netns_path && ur_read_file(netfile, 64, &ifname, NULL, NULL) >= 0) {
                ifname[strcspn(ifname, "\n")] = '\0';
                if (ur_net_teardown(st->netns_path, st->id, ifname, r < 0 ? &e : err) < 0) {
                        if (r < 0)
                                ur_log_warning("delete '%s': %s", st->id, ur_err_msg(e));
                        r = -1;
                }
                ur_err_free(&e);
        }
        if (r < 0)
                return ur_err_wrap(err, "delete '%s' (its state is kept: retry with delete --force)", st->id);
        if (st->bare || st->uncommitted) {
                /* A create killed half-way: as after a failed create, no
                 * poststop hooks (the container never existed). */
        } else if (ur_state_spec(st, &spec, &e) >= 0) {
                stopped_json = ur_state_text(st, UR_STATUS_STOPPED);
                ur_hooks_run_warn(spec, UR_HOOK_POSTSTOP, stopped_json);
        } else {
                ur_log_warning("delete '%s': poststop hooks not run: %s", st->id, ur_err_msg(e));
        }
        ur_err_free(&e);
        /* The directory leaves the id's name in one step: removed file by
         * file in place, a racing `state` would see it without its
         * state.json but locked, which reads as "creating".  A hidden name
         * (list skips dot names) then goes at leisure. */
        _cleanup_free_ char *gone = NULL;
        const char *slash = strrchr(st->dir, '/');
        if (slash && asprintf(&gone, "%.*s/.deleted-%s-%d", (int) (slash - st->dir), st->dir, st->id,
                              (int) getpid()) >= 0 &&
            rename(st->dir, gone) == 0) {
                if (ur_rm_rf(gone, err) < 0)
                        return ur_err_wrap(err, "delete '%s'", st->id);
                return 0;
        }
        if (ur_rm_rf(st->dir, err) < 0)
                return ur_err_wrap(err, "delete '%s'", st->id);
        return 0;
}

/* run has logged the container's exit with its status: delete does not
 * log a second, vaguer line. */
bool ur_exit_logged;

int ur_delete(struct ur_context *ctx, const char *id, bool force, struct ur_err **err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        _cleanup_close_ int lock = -1;
        enum ur_status status;
        bool killed = false;
        int r;

        r = ur_load_locked(ctx, id, &st, &lock, err);
        if (r == -ENOENT && force) {
                ur_err_free(err);
                return 0;
        }
        if (r < 0)
                return -1;
        ur_ts_mark(id, "delete-begin");
        status = ur_status_locked(st);
        if ((status == UR_STATUS_RUNNING || status == UR_STATUS_PAUSED) && !force)
                return ur_err_set(err, 0, "cannot delete container '%s' that is not stopped: %s", id,
                                  ur_status_name(status));
        /* Also the monitor process of a killed create: it leaves by itself
         * once create is gone, but may not have yet. */
        if (status != UR_STATUS_STOPPED || (st->uncommitted && st->pid > 0)) {
                _cleanup_close_ int pidfd = ur_pidfd_open(st->pid);
                if (pidfd >= 0 && ur_proc_alive(st->pid, st->pid_start)) {
                        ur_pidfd_send_signal(pidfd, SIGKILL);
                        if (status == UR_STATUS_PAUSED) {
                                struct ur_err *e = NULL;
                                ur_cgroup_freeze(&st->cgroup, false, &e);
                                ur_err_free(&e);
                                kill(st->pid, SIGCONT);
                        }
                        if (ur_wait_gone(st->pid, st->pid_start, pidfd, KILL_WAIT_MS) < 0)
                                return ur_err_set(err, 0, "container '%s': the monitor (pid %d) did not die after SIGKILL",
                                                  id, (int) st->pid);
                        killed = true;
                }
        }
        /* The exit status of a detached container goes to whoever reaps the
         * monitor (the engine's shim, conmon): only run knows it. */
        if (killed)
                ur_log_info("container '%s' exited: killed by SIGKILL (delete%s)", id, force ? " --force" : "");
        else if (!st->uncommitted && st->pid > 0 && !ur_exit_logged)
                ur_log_info("container '%s' exited (monitor pid %d; its exit status went to the process that reaped it)",
                            id, (int) st->pid);
        if (forget(st, err) < 0)
                return -1;
        ur_log_info("deleted container '%s'", id);
        ur_ts_mark(id, "delete-end");
        return 0;
}
