/* SPDX-License-Identifier: Apache-2.0 */
#include "cgroup/cgroup.h"

#include <errno.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "cgroup/manager.h"
#include "util/cleanup.h"

void ur_cgroup_done(struct ur_cgroup *cg)
{
        if (!cg)
                return;
        free(cg->unit);
        free(cg->path);
        cg->unit = cg->path = NULL;
}

enum ur_cgroup_manager ur_cgroup_resolve(enum ur_cgroup_manager m)
{
        if (m != UR_CGROUP_AUTO)
                return m;
        return sd_booted() > 0 ? UR_CGROUP_SYSTEMD : UR_CGROUP_CGROUPFS;
}

const char *ur_cgroup_manager_name(enum ur_cgroup_manager m)
{
        switch (m) {
        case UR_CGROUP_AUTO:
                return "auto";
        case UR_CGROUP_SYSTEMD:
                return "systemd";
        case UR_CGROUP_CGROUPFS:
                return "cgroupfs";
        case UR_CGROUP_NONE:
                return "none";
        }
        return "unknown";
}

int ur_cgroup_open_fs(struct ur_cgfs *fs, struct ur_err **err)
{
        return ur_cgfs_open(UR_CGFS_ROOT, NULL, fs, err);
}

bool ur_cgroup_v1_cpu(void)
{
        struct ur_cgfs fs;

        return ur_cgroup_open_fs(&fs, NULL) == 0 && fs.layout != UR_CGFS_UNIFIED;
}

static const struct ur_cgroup_ops *const managers[] = {
        &ur_cgroup_systemd,
        &ur_cgroup_cgroupfs,
        &ur_cgroup_none,
};

static const struct ur_cgroup_ops *find(enum ur_cgroup_manager m)
{
        for (size_t i = 0; i < ELEMENTSOF(managers); i++)
                if (managers[i]->manager == m)
                        return managers[i];
        return NULL;
}

/* The manager that makes a container's cgroup: m resolved; an unknown value
 * is cgroupfs. */
static const struct ur_cgroup_ops *for_create(enum ur_cgroup_manager m)
{
        const struct ur_cgroup_ops *ops = find(ur_cgroup_resolve(m));

        return ops ? ops : &ur_cgroup_cgroupfs;
}

/* The manager of a made (recorded) cgroup: an unknown one is none. */
static const struct ur_cgroup_ops *of(const struct ur_cgroup *cg)
{
        const struct ur_cgroup_ops *ops = find(cg->manager);

        return ops ? ops : &ur_cgroup_none;
}

int ur_cgroup_enter(enum ur_cgroup_manager m, const struct ur_cgroup_request *req, struct ur_cgroup *ret,
                    struct ur_err **err)
{
        const struct ur_cgroup_ops *ops = for_create(m);

        if (req->service_unit && ops != &ur_cgroup_none)
                return ur_cgroup_enter_service(req, ret, err);
        return ops->enter(req, ret, err);
}

bool ur_cgroup_preparable(enum ur_cgroup_manager m, const struct ur_cgroup_request *req)
{
        const struct ur_cgroup_ops *ops = req->service_unit ? &ur_cgroup_none : for_create(m);

        return ops->preparable && ops->preparable(req);
}

int ur_cgroup_prepare(enum ur_cgroup_manager m, const struct ur_cgroup_request *req, struct ur_cgroup *ret,
                      int *ret_fd, struct ur_err **err)
{
        const struct ur_cgroup_ops *ops = req->service_unit ? &ur_cgroup_none : for_create(m);

        /* Callers ask ur_cgroup_preparable() first (create saves its state
         * in between), so the host is not probed twice here. */
        *ret_fd = -1;
        if (!ops->prepare)
                return 0;
        return ops->prepare(req, ret, ret_fd, err);
}

int ur_cgroup_adopt(const struct ur_cgroup *cg, pid_t pid, struct ur_err **err)
{
        const struct ur_cgroup_ops *ops = of(cg);

        if (!ops->adopt)
                return ur_err_set(err, EOPNOTSUPP, "placing process %d in cgroup manager '%s'", (int) pid,
                                  ur_cgroup_manager_name(cg->manager));
        return ops->adopt(cg, pid, err);
}

int ur_cgroup_plan(enum ur_cgroup_manager m, const struct ur_cgroup_request *req, struct ur_cgroup *ret,
                   struct ur_err **err)
{
        const struct ur_cgroup_ops *ops = req->service_unit ? &ur_cgroup_none : for_create(m);

        return ops->plan(req, ret, err);
}

int ur_cgroup_destroy(const struct ur_cgroup *cg, struct ur_err **err)
{
        return of(cg)->destroy(cg, err);
}

int ur_cgroup_freeze(const struct ur_cgroup *cg, bool freeze, struct ur_err **err)
{
        return of(cg)->freeze(cg, freeze, err);
}

int ur_cgroup_is_frozen(const struct ur_cgroup *cg, struct ur_err **err)
{
        return of(cg)->is_frozen(cg, err);
}

int ur_cgroup_update(const struct ur_cgroup *cg, const struct ur_resources *res, struct ur_err **err)
{
        return of(cg)->update(cg, res, err);
}

int ur_cgroup_pids(const struct ur_cgroup *cg, pid_t **ret, size_t *ret_n, struct ur_err **err)
{
        return of(cg)->pids(cg, ret, ret_n, err);
}
