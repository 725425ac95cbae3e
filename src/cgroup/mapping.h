/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Pure conversions from OCI resources and cgroupsPath to what systemd and
 * the cgroup filesystem take.  No I/O; unit-tested at the edges in
 * tests/unit/test_resources.c.
 */

#include <stddef.h>
#include <stdint.h>

#include "cgroup/cgroup.h"
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

int ur_cgroups_path_parse(const char *s, struct ur_cgroups_path *ret, ur_err *err);
void ur_cgroups_path_done(struct ur_cgroups_path *p);

/* systemd slice name → its cgroup path, like runc's ExpandSlice:
 * "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice", "-.slice" → "/". */
int ur_slice_expand(const char *slice, char **ret, ur_err *err);

/*
 * The scope unit and slice for a request:
 *  - "slice:prefix:name" → unit "prefix-name.scope" (or "name.scope" with
 *    no prefix), slice as given (else the default);
 *  - otherwise ur_scope_name(id) in req->default_slice ("urunc.slice").
 *    A path-form cgroupsPath cannot name a scope: with --systemd-cgroup it
 *    is an error (as in runc), else it is ignored.
 */
int ur_scope_target(const struct ur_cgroup_request *req, char **ret_unit, char **ret_slice,
                    ur_err *err);

/*
 * The cgroup path (relative to a hierarchy root, starting with '/') for the
 * cgroupfs manager: the cgroupsPath when it is a path; "slice:prefix:name"
 * expanded the way systemd would lay it out; else "/urunc/<id>".
 */
int ur_cgroupfs_target(const struct ur_cgroup_request *req, char **ret_path, ur_err *err);
