/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/runtime.h"

#include "oci/spec.h"
#include "runtime/internal.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/log.h"

int ur_update(struct ur_context *ctx, const char *id, const char *resources_json, size_t len,
              struct ur_err **err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        _cleanup_spec_ struct ur_spec *spec = NULL;
        _cleanup_close_ int lock = -1;

        if (ur_load_locked(ctx, id, &st, &lock, err) < 0)
                return -1;
        if (ur_status_locked(st) == UR_STATUS_STOPPED)
                return ur_err_set(err, 0, "container not running");
        if (ur_state_spec(st, &spec, err) < 0)
                return -1;
        if (ur_resources_parse(resources_json, len, "--resources", &spec->resources, err) < 0)
                return -1;
        if (ur_resources_check(&spec->resources, "", err) < 0)
                return ur_err_wrap(err, "--resources");
        if (st->cgroup.manager == UR_CGROUP_NONE)
                return ur_err_set(err, 0, "container '%s' has no cgroup to update", id);
        if (ur_cgroup_update(&st->cgroup, &spec->resources, err) < 0)
                return ur_err_wrap(err, "update container '%s'", id);
        ur_log_info("updated the limits of container '%s'", id);
        return 0;
}
