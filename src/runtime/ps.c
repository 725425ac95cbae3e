/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/runtime.h"

#include <errno.h>
#include <stdlib.h>

#include "runtime/internal.h"
#include "runtime/state.h"

int ur_ps(struct ur_context *ctx, const char *id, pid_t **ret, size_t *ret_n, struct ur_err **err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        pid_t *pids = NULL;
        size_t n = 0;

        if (ur_load(ctx, id, &st, err) < 0)
                return -1;
        if (ur_state_status(st) == UR_STATUS_STOPPED) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (st->cgroup.manager != UR_CGROUP_NONE) {
                struct ur_err *e = NULL;
                if (ur_cgroup_pids(&st->cgroup, &pids, &n, &e) >= 0 && n > 0) {
                        *ret = pids;
                        *ret_n = n;
                        return 0;
                }
                free(pids);
                ur_err_free(&e);
        }
        pids = malloc(sizeof(pid_t));
        if (!pids)
                return ur_err_set(err, ENOMEM, "ps");
        pids[0] = st->pid;
        *ret = pids;
        *ret_n = 1;
        return 0;
}
