/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/runtime.h"

#include <stdbool.h>
#include <stdint.h>

#include "oci/spec.h"
#include "init/channel.h"
#include "util/crash.h"
#include "init/hooks.h"
#include "runtime/internal.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/timestamps.h"

int ur_start(struct ur_context *ctx, const char *id, struct ur_err **err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        _cleanup_spec_ struct ur_spec *spec = NULL;
        _cleanup_free_ char *sock = NULL, *created_json = NULL, *running_json = NULL;
        _cleanup_close_ int lock = -1;
        sd_bus *bus = NULL;
        uint64_t timeout;
        enum ur_status status;
        bool announced = false;
        int r;

        ur_ts_mark(id, "start-begin");
        if (ur_load_locked(ctx, id, &st, &lock, err) < 0)
                return -1;
        status = ur_status_locked(st);
        if (status == UR_STATUS_RUNNING)
                return ur_err_set(err, 0, "cannot start an already running container '%s'", id);
        if (status == UR_STATUS_PAUSED)
                return ur_err_set(err, 0, "cannot start a container in the paused state: '%s'", id);
        if (status == UR_STATUS_STOPPED)
                return ur_err_set(err, 0, "cannot start a container that has stopped: '%s'", id);
        if (ur_state_spec(st, &spec, err) < 0)
                return -1;
        timeout = ur_timeout_usec(ctx) + ur_hooks_timeout_usec(spec, UR_HOOK_START_CONTAINER);

        sock = ur_path_join(st->dir, UR_STATE_SOCKET);
        if (ur_channel_open_path(sock, &bus, err) < 0)
                return ur_err_wrap(err, "start container '%s'", id);
        sd_bus_set_method_call_timeout(bus, timeout);
        created_json = ur_state_text(st, UR_STATUS_CREATED);
        r = ur_channel_call(bus, "Start", timeout, err, "s", created_json);
        if (r >= 0)
                r = ur_channel_wait_exec(bus, ur_timeout_usec(ctx), &announced, err);
        sd_bus_flush_close_unref(bus);
        /* A monitor process that never said Exec (one from an older urunc
         * does not) exec'd only if it runs something else now. */
        if (r >= 0 && !announced) {
                enum ur_status now = ur_state_status(st);
                if (now != UR_STATUS_RUNNING && now != UR_STATUS_PAUSED)
                        r = ur_err_set(err, 0, "the monitor process (pid %d) died before exec", (int) st->pid);
        }
        if (r < 0)
                return ur_err_wrap(err, "start container '%s'", id);

        ur_crash_point("start-after-exec", st->pid);
        st->started = true;
        if (ur_state_save(st, err) < 0)
                return -1;
        ur_log_info("started container '%s' (%s on %s, pid %d)", id, st->guest, st->monitor, (int) st->pid);
        running_json = ur_state_text(st, UR_STATUS_RUNNING);
        ur_hooks_run_warn(spec, UR_HOOK_POSTSTART, running_json);
        ur_ts_mark(id, "start-end");
        return 0;
}
