/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/runtime.h"

#include "runtime/internal.h"
#include "runtime/state.h"

int ur_exec(struct ur_context *ctx, const char *id, struct ur_err **err)
{
        _cleanup_state_ struct ur_state *st = NULL;

        if (ur_load(ctx, id, &st, err) < 0)
                return -1;
        return ur_err_set(
                err, 0,
                "exec is not supported for unikernel container '%s': its only process is the virtual "
                "machine monitor, and the guest has no way to start another process",
                id);
}
