/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Putting the monitor process under the container's cgroup limits:
 *  - systemd: a transient scope urunc-<escaped id>.scope in urunc.slice (or
 *    the slice of a "slice:prefix:name" cgroupsPath), over the system bus;
 *  - cgroupfs: a cgroup directory (v2 or v1/hybrid), honouring cgroupsPath;
 *  - none.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"
#include "oci/spec.h"
#include "util/error.h"

struct ur_cgroup_request {
        const char *id;
        const char *description;        /* "urunc unikernel <id> (unikraft on qemu)" */
        const struct ur_resources *res;
        const char *cgroups_path;       /* linux.cgroupsPath, may be NULL */
        bool systemd_cgroup;            /* --systemd-cgroup given */
        const struct ur_kv *annotations;/* org.systemd.property.* are passed through */
        size_t n_annotations;
        pid_t pid;
        const char *default_slice;      /* config systemd.slice */
        uint64_t timeout_usec;          /* bound of the systemd waits, 0 = UR_DEFAULT_TIMEOUT_USEC */
        const char *service_unit;       /* run --service: the systemd manager sets the
                                         * limits on this unit, which already holds pid;
                                         * recorded as manager none (the unit is not ours) */
        bool v1_cpu;                    /* set by ur_cgroup_enter: the cpu controller is
                                         * cgroup v1 (CPUShares instead of CPUWeight) */
};

/* What was made, recorded in the container state. */
struct ur_cgroup {
        enum ur_cgroup_manager manager; /* resolved: SYSTEMD, CGROUPFS or NONE */
        char *unit;                     /* scope unit name (systemd) */
        char *path;                     /* cgroup path relative to the hierarchy root */
};

void ur_cgroup_done(struct ur_cgroup *cg);

/* AUTO → SYSTEMD when /run/systemd/system exists, else CGROUPFS. */
enum ur_cgroup_manager ur_cgroup_resolve(enum ur_cgroup_manager m);
const char *ur_cgroup_manager_name(enum ur_cgroup_manager m);

/* Place req->pid with its limits; bounded waits; on failure nothing remains. */
int ur_cgroup_enter(enum ur_cgroup_manager m, const struct ur_cgroup_request *req, struct ur_cgroup *ret,
                    struct ur_err **err);
/* What ur_cgroup_enter() would make for req (unit or path), without making
 * anything: create records it before entering, so that delete --force can
 * remove what a create killed half-way left behind. */
int ur_cgroup_plan(enum ur_cgroup_manager m, const struct ur_cgroup_request *req, struct ur_cgroup *ret,
                   struct ur_err **err);
/* ur_cgroup_prepare() can make the cgroup before the process here. */
bool ur_cgroup_preparable(enum ur_cgroup_manager m, const struct ur_cgroup_request *req);
/* cgroupfs on a v2 hierarchy: make the cgroup with its limits before the
 * process exists, for clone3(CLONE_INTO_CGROUP) on *ret_fd.  1 when made
 * (ret as ur_cgroup_enter() sets it, to be removed with
 * ur_cgroup_destroy()), 0 when the manager cannot (systemd, none): then
 * ur_cgroup_enter() after the clone; negative on error.  Call it only when
 * ur_cgroup_preparable() said yes (it does not probe the host again). */
int ur_cgroup_prepare(enum ur_cgroup_manager m, const struct ur_cgroup_request *req, struct ur_cgroup *ret,
                      int *ret_fd, struct ur_err **err);
/* Move pid into a prepared cgroup: the clone did not (no clone3 here). */
int ur_cgroup_adopt(const struct ur_cgroup *cg, pid_t pid, struct ur_err **err);
/* Remove what enter made (stop the scope / rmdir the cgroup).  Idempotent. */
int ur_cgroup_destroy(const struct ur_cgroup *cg, struct ur_err **err);
int ur_cgroup_freeze(const struct ur_cgroup *cg, bool freeze, struct ur_err **err);
/* 1 when frozen, 0 when not, negative on error. */
int ur_cgroup_is_frozen(const struct ur_cgroup *cg, struct ur_err **err);
int ur_cgroup_update(const struct ur_cgroup *cg, const struct ur_resources *res, struct ur_err **err);
/* Pids in the cgroup (for ps). */
int ur_cgroup_pids(const struct ur_cgroup *cg, pid_t **ret, size_t *ret_n, struct ur_err **err);
