/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The cgroup managers behind src/cgroup/cgroup.c, one table entry each:
 *   manager-systemd.c   a transient scope over the system bus (src/systemd/)
 *   manager-cgroupfs.c  a directory of the cgroup filesystem (cgroupfs.c)
 *   manager-none.c      nothing
 * ur_cgroup_enter/plan pick one by the config's cgroup_manager (AUTO
 * resolved first, an unknown value taken as cgroupfs); the other verbs by
 * the manager recorded in the container's state (unknown: none).
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "cgroup/cgroup.h"
#include "cgroup/cgroupfs.h"
#include "util/error.h"

struct ur_cgroup_ops {
        enum ur_cgroup_manager manager;
        /* What enter would make (ret->unit or ret->path), making nothing. */
        int (*plan)(const struct ur_cgroup_request *req, struct ur_cgroup *ret, struct ur_err **err);
        /* Place req->pid with its limits; on failure nothing remains. */
        int (*enter)(const struct ur_cgroup_request *req, struct ur_cgroup *ret, struct ur_err **err);
        int (*destroy)(const struct ur_cgroup *cg, struct ur_err **err);
        int (*freeze)(const struct ur_cgroup *cg, bool freeze, struct ur_err **err);
        int (*is_frozen)(const struct ur_cgroup *cg, struct ur_err **err);
        int (*update)(const struct ur_cgroup *cg, const struct ur_resources *res, struct ur_err **err);
        int (*pids)(const struct ur_cgroup *cg, pid_t **ret, size_t *ret_n, struct ur_err **err);
        /* For clone3(CLONE_INTO_CGROUP): can prepare work on this host
         * (no side effects)?  prepare makes the cgroup with its limits and
         * no process yet, sets ret as enter would and *ret_fd to its
         * directory; adopt moves pid into it when the clone could not.
         * NULL where the manager cannot (systemd refuses an empty scope,
         * systemd#18843; none has nothing): enter after the fork. */
        bool (*preparable)(const struct ur_cgroup_request *req);
        int (*prepare)(const struct ur_cgroup_request *req, struct ur_cgroup *ret, int *ret_fd,
                       struct ur_err **err);
        int (*adopt)(const struct ur_cgroup *cg, pid_t pid, struct ur_err **err);
};

extern const struct ur_cgroup_ops ur_cgroup_systemd;
extern const struct ur_cgroup_ops ur_cgroup_cgroupfs;
extern const struct ur_cgroup_ops ur_cgroup_none;

/* The host's cgroup filesystem (UR_CGFS_ROOT). */
int ur_cgroup_open_fs(struct ur_cgfs *fs, struct ur_err **err);
/* Is the cpu controller a v1 hierarchy here (legacy or hybrid layout)? */
bool ur_cgroup_v1_cpu(void);

/* run --service (manager-systemd.c): the bundle's limits become runtime
 * properties of req->service_unit, which already holds req->pid; recorded
 * as manager none. */
int ur_cgroup_enter_service(const struct ur_cgroup_request *req, struct ur_cgroup *ret, struct ur_err **err);

/* The systemd manager's steps over a given bus (the unit tests pass a fake
 * systemd): the scope of ur_scope_target(req) with ur_scope_properties(req),
 * and SetUnitProperties of res. */
int ur_cgroup_scope_start(sd_bus *bus, const struct ur_cgroup_request *req, uint64_t timeout_usec,
                          char **ret_unit, struct ur_err **err);
int ur_cgroup_scope_update(sd_bus *bus, const char *unit, const struct ur_resources *res, bool v1_cpu,
                           uint64_t timeout_usec, struct ur_err **err);
