/* SPDX-License-Identifier: Apache-2.0 */
/* The cgroupfs manager: a directory of the cgroup filesystem per container
 * (src/cgroup/cgroupfs.c does the filesystem work). */
#include <errno.h>

#include "cgroup/manager.h"
#include "cgroup/mapping.h"
#include "util/cleanup.h"
#include "util/log.h"

#define CGFS_DESTROY_TIMEOUT_USEC (2ull * 1000000ull)

static int cgfs_plan(const struct ur_cgroup_request *req, struct ur_cgroup *ret, struct ur_err **err)
{
        char *path = NULL;

        if (ur_cgroupfs_target(req, &path, err) < 0)
                return -1;
        *ret = (struct ur_cgroup){ .manager = UR_CGROUP_CGROUPFS, .path = path };
        return 0;
}

static int cgfs_enter(const struct ur_cgroup_request *req, struct ur_cgroup *ret, struct ur_err **err)
{
        _cleanup_free_ char *path = NULL;
        struct ur_cgfs fs;

        if (ur_cgroupfs_target(req, &path, err) < 0 || ur_cgroup_open_fs(&fs, err) < 0 ||
            ur_cgfs_enter(&fs, path, req->res, req->pid, err) < 0)
                return ur_err_wrap(err, "placing container '%s' in a cgroup", req->id);
        ur_log_info("container '%s' is in cgroup '%s'", req->id, path);
        *ret = (struct ur_cgroup){ .manager = UR_CGROUP_CGROUPFS, .path = TAKE_PTR(path) };
        return 0;
}

static bool cgfs_preparable(const struct ur_cgroup_request *req)
{
        struct ur_cgfs fs;

        /* v1 hierarchies have no CLONE_INTO_CGROUP. */
        return ur_cgroup_open_fs(&fs, NULL) == 0 && fs.layout == UR_CGFS_UNIFIED;
}

static int cgfs_prepare(const struct ur_cgroup_request *req, struct ur_cgroup *ret, int *ret_fd,
                        struct ur_err **err)
{
        _cleanup_free_ char *path = NULL;
        struct ur_cgfs fs;

        if (ur_cgroupfs_target(req, &path, err) < 0 || ur_cgroup_open_fs(&fs, err) < 0 ||
            ur_cgfs_prepare(&fs, path, req->res, ret_fd, err) < 0)
                return ur_err_wrap(err, "placing container '%s' in a cgroup", req->id);
        ur_log_info("container '%s' is in cgroup '%s'", req->id, path);
        *ret = (struct ur_cgroup){ .manager = UR_CGROUP_CGROUPFS, .path = TAKE_PTR(path) };
        return 1;
}

static int cgfs_adopt(const struct ur_cgroup *cg, pid_t pid, struct ur_err **err)
{
        struct ur_cgfs fs;

        if (ur_cgroup_open_fs(&fs, err) < 0 || ur_cgfs_add_pid(&fs, cg->path, pid, err) < 0)
                return ur_err_wrap(err, "placing the monitor process %d in a cgroup", (int) pid);
        return 0;
}

static int cgfs_destroy(const struct ur_cgroup *cg, struct ur_err **err)
{
        struct ur_cgfs fs;

        if (!cg->path)
                return 0;
        if (ur_cgroup_open_fs(&fs, err) < 0 ||
            ur_cgfs_destroy(&fs, cg->path, CGFS_DESTROY_TIMEOUT_USEC, err) < 0)
                return ur_err_wrap(err, "removing cgroup '%s'", cg->path);
        return 0;
}

static int cgfs_freeze(const struct ur_cgroup *cg, bool freeze, struct ur_err **err)
{
        struct ur_cgfs fs;

        if (ur_cgroup_open_fs(&fs, err) < 0 || ur_cgfs_freeze(&fs, cg->path, freeze, 0, err) < 0)
                return -1;
        return 0;
}

static int cgfs_is_frozen(const struct ur_cgroup *cg, struct ur_err **err)
{
        struct ur_cgfs fs;

        if (ur_cgroup_open_fs(&fs, err) < 0)
                return -1;
        return ur_cgfs_is_frozen(&fs, cg->path, err);
}

static int cgfs_update(const struct ur_cgroup *cg, const struct ur_resources *res, struct ur_err **err)
{
        struct ur_cgfs fs;

        if (ur_cgroup_open_fs(&fs, err) < 0 || ur_cgfs_apply(&fs, cg->path, res, err) < 0)
                return -1;
        return 0;
}

static int cgfs_pids(const struct ur_cgroup *cg, pid_t **ret, size_t *ret_n, struct ur_err **err)
{
        struct ur_cgfs fs;

        if (ur_cgroup_open_fs(&fs, err) < 0)
                return -1;
        return ur_cgfs_pids(&fs, cg->path, ret, ret_n, err);
}

const struct ur_cgroup_ops ur_cgroup_cgroupfs = {
        .manager = UR_CGROUP_CGROUPFS,
        .plan = cgfs_plan,
        .enter = cgfs_enter,
        .destroy = cgfs_destroy,
        .freeze = cgfs_freeze,
        .is_frozen = cgfs_is_frozen,
        .update = cgfs_update,
        .pids = cgfs_pids,
        .preparable = cgfs_preparable,
        .prepare = cgfs_prepare,
        .adopt = cgfs_adopt,
};
