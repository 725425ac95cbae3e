/* SPDX-License-Identifier: Apache-2.0 */
/* No cgroup manager: the monitor stays where urunc's caller put it. */
#include <errno.h>

#include "cgroup/manager.h"

static int none_plan(const struct ur_cgroup_request *req, struct ur_cgroup *ret, struct ur_err **err)
{
        *ret = (struct ur_cgroup){ .manager = UR_CGROUP_NONE };
        return 0;
}

static int none_destroy(const struct ur_cgroup *cg, struct ur_err **err)
{
        return 0;
}

static int none_freeze(const struct ur_cgroup *cg, bool freeze, struct ur_err **err)
{
        return ur_err_set(err, EOPNOTSUPP, "%s without a cgroup manager", freeze ? "pause" : "resume");
}

static int none_is_frozen(const struct ur_cgroup *cg, struct ur_err **err)
{
        return 0;
}

static int none_update(const struct ur_cgroup *cg, const struct ur_resources *res, struct ur_err **err)
{
        return ur_err_set(err, EOPNOTSUPP, "update without a cgroup manager");
}

static int none_pids(const struct ur_cgroup *cg, pid_t **ret, size_t *ret_n, struct ur_err **err)
{
        return ur_err_set(err, EOPNOTSUPP, "listing processes without a cgroup manager");
}

const struct ur_cgroup_ops ur_cgroup_none = {
        .manager = UR_CGROUP_NONE,
        .plan = none_plan,
        .enter = none_plan,
        .destroy = none_destroy,
        .freeze = none_freeze,
        .is_frozen = none_is_frozen,
        .update = none_update,
        .pids = none_pids,
};
