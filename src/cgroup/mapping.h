/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Pure conversions from OCI resources and cgroupsPath to what systemd (as
 * src/systemd/'s own types: unit names, struct ur_props) and the cgroup
 * filesystem take.  No I/O; unit-tested at the edges in
 * tests/unit/test_resources.c.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup/cgroup.h"
#include "systemd/props.h"
#include "util/error.h"

#define UR_USEC_INFINITY UINT64_MAX
#define UR_CPU_PERIOD_DEFAULT_USEC 100000u /* the kernel's default cfs period */
#define UR_DEFAULT_SLICE "urunc.slice"

/*
 * cgroup v1 cpu.shares [2, 262144] → cgroup v2 / systemd CPUWeight
 * [1, 10000], the kernel's and runc's conversion:
 *     weight = 1 + ((shares - 2) * 9999) / 262142
 * Shares outside the range are clamped first: 2 → 1, 1024 → 39,
 * 262144 → 10000.  0 (unset) → 0.
 */
uint64_t ur_cpu_shares_to_weight(uint64_t shares);

/*
 * quota and period in µs → systemd's CPUQuotaPerSecUSec: quota * 1 s /
 * period, rounded UP to a multiple of 10000 µs.  systemd keeps the quota as
 * a whole percentage of one CPU (1% = 10 ms per second), so rounding up is
 * what lets the kernel's cfs quota be at least what the spec asked for
 * (runc does the same).  period 0 means the default 100 ms; quota <= 0
 * means no limit (UR_USEC_INFINITY).  Saturates instead of overflowing.
 */
uint64_t ur_cpu_quota_per_sec(int64_t quota, uint64_t period);

enum ur_cgroups_path_kind {
        UR_CGPATH_NONE,    /* no cgroupsPath */
        UR_CGPATH_PATH,    /* a path; relative ones are taken from the root */
        UR_CGPATH_SYSTEMD, /* "slice:prefix:name" */
};

struct ur_cgroups_path {
        enum ur_cgroups_path_kind kind;
        char *path;   /* PATH: normalised, absolute, no "." or ".." */
        char *slice;  /* SYSTEMD: may be NULL (empty in the string) */
        char *prefix; /* SYSTEMD: may be NULL */
        char *name;   /* SYSTEMD */
};

int ur_cgroups_path_parse(const char *s, struct ur_cgroups_path *ret, struct ur_err **err);
void ur_cgroups_path_done(struct ur_cgroups_path *p);

/* systemd slice name → its cgroup path, like runc's ExpandSlice:
 * "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice", "-.slice" → "/". */
int ur_slice_expand(const char *slice, char **ret, struct ur_err **err);

/*
 * The scope unit and slice for a request:
 *  - "slice:prefix:name" → unit "prefix-name.scope" (or "name.scope" with
 *    no prefix), slice as given (else the default);
 *  - otherwise ur_scope_name(id) in req->default_slice ("urunc.slice").
 *    A path-form cgroupsPath cannot name a scope: with --systemd-cgroup it
 *    is an error (as in runc), else it is ignored.
 */
int ur_scope_target(const struct ur_cgroup_request *req, char **ret_unit, char **ret_slice,
                    struct ur_err **err);

/*
 * The cgroup path (relative to a hierarchy root, starting with '/') for the
 * cgroupfs manager: the cgroupsPath when it is a path; "slice:prefix:name"
 * expanded the way systemd would lay it out; else "/urunc/<id>".
 */
int ur_cgroupfs_target(const struct ur_cgroup_request *req, char **ret_path, struct ur_err **err);

/*
 * The limits in res as systemd properties, added to p (what is unset is
 * left out):
 *   memory.limit        → MemoryMax (t, bytes)
 *   memory.reservation  → MemoryLow (t, bytes)
 *   memory.swap         → MemorySwapMax (t) = ur_resources_swap_max()
 *   cpu.quota (+period) → CPUQuotaPerSecUSec (t) = ur_cpu_quota_per_sec()
 *   cpu.period          → CPUQuotaPeriodUSec (t)
 *   cpu.shares          → CPUWeight (t) = ur_cpu_shares_to_weight(), or with
 *                         v1_cpu (the host's cpu controller is cgroup v1)
 *                         CPUShares (t) = the shares unchanged: on a v1 cpu
 *                         controller systemd writes CPUWeight as
 *                         weight * 1024 / 100 into cpu.shares, so 512
 *                         shares would become 204 (runc sends CPUShares on
 *                         v1 too)
 *   pids.limit          → TasksMax (t)
 *   cpu.cpus            → AllowedCPUs (ay bitmask)
 *   cpu.mems            → AllowedMemoryNodes (ay bitmask)
 */
int ur_resources_to_props(const struct ur_resources *res, bool v1_cpu, struct ur_props *p,
                          struct ur_err **err);

/* The full property list of a container's scope, as StartTransientUnit
 * gets it: Description, Slice, PIDs (req->pid, which must be set), the
 * accounting switches, the limits of req->res (req->v1_cpu as above), then
 * the org.systemd.property.* annotations (which replace). */
int ur_scope_properties(const struct ur_cgroup_request *req, const char *slice, struct ur_props *ret,
                        struct ur_err **err);
