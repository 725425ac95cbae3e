/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The cgroup filesystem directly: v2 (unified) and v1 (legacy or hybrid).
 * The mount root and the writing operations are injectable so that unit
 * tests can run against a fake cgroup tree in a temporary directory.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "util/error.h"

#define UR_CGFS_ROOT "/sys/fs/cgroup"

enum ur_cgfs_layout {
        UR_CGFS_UNIFIED, /* root is cgroup2 */
        UR_CGFS_HYBRID,  /* v1 controllers, cgroup2 at <root>/unified */
        UR_CGFS_LEGACY,  /* v1 controllers only */
};

struct ur_cgfs;

/*
 * What cgroupfs.c does to the cgroup filesystem beyond reading files and
 * testing that paths exist, on full paths; each returns 0 or a negative
 * errno.  ur_cgfs_kernel is the real thing.  The unit tests pass a fake
 * (tests/unit/fake-cgroupfs.c) that keeps a cgroup tree in a temporary
 * directory and acts like the kernel: mkdir makes the interface files,
 * writes go to existing files only, "+cpu" enables a controller, rmdir
 * refuses a cgroup with processes.
 */
struct ur_cgfs_io {
        /* Write value to the existing file path in one go. */
        int (*write)(const struct ur_cgfs *fs, const char *path, const char *value);
        /* Make a cgroup (-EEXIST when it is there). */
        int (*mkdir)(const struct ur_cgfs *fs, const char *path);
        /* Remove an empty cgroup (-EBUSY while processes remain). */
        int (*rmdir)(const struct ur_cgfs *fs, const char *path);
};

extern const struct ur_cgfs_io ur_cgfs_kernel;

struct ur_cgfs {
        const char *root;
        const struct ur_cgfs_io *io;
        enum ur_cgfs_layout layout;
};

/* Detect the layout: <root>/cgroup.controllers → unified; else
 * <root>/unified/cgroup.controllers → hybrid; else legacy.  io NULL is
 * ur_cgfs_kernel. */
int ur_cgfs_open(const char *root, const struct ur_cgfs_io *io, struct ur_cgfs *ret, struct ur_err **err);

/*
 * Create path (absolute, relative to the hierarchy roots) in every
 * hierarchy that is used, apply res, move pid in.  On failure what was
 * created is removed again.
 *   v2: controllers enabled in each ancestor's cgroup.subtree_control;
 *       memory.max, memory.low, cpu.max "quota|max period", cpu.weight
 *       (from shares), pids.max, cpuset.cpus, cpuset.mems.
 *   v1: memory.limit_in_bytes, memory.soft_limit_in_bytes,
 *       cpu.cfs_period_us, cpu.cfs_quota_us, cpu.shares, pids.max,
 *       cpuset.cpus/cpuset.mems (new cpuset dirs get their parent's values
 *       first: the kernel refuses tasks in an empty cpuset); the freezer
 *       hierarchy too.  A controller that a limit needs but that is not
 *       mounted is an error; others are skipped.
 */
int ur_cgfs_enter(const struct ur_cgfs *fs, const char *path, const struct ur_resources *res, pid_t pid,
                  struct ur_err **err);
/* v2 only: create path and apply res as ur_cgfs_enter() does, but without
 * a process: *ret_fd is the new cgroup's directory, for a clone3()
 * CLONE_INTO_CGROUP that starts the process in it (no migration: the
 * first cgroup.procs write after a quiet moment waits for an RCU grace
 * period, 7-15 ms).  On failure what was created is removed again. */
int ur_cgfs_prepare(const struct ur_cgfs *fs, const char *path, const struct ur_resources *res, int *ret_fd,
                    struct ur_err **err);
/* v2: move pid into a prepared cgroup (when the clone could not). */
int ur_cgfs_add_pid(const struct ur_cgfs *fs, const char *path, pid_t pid, struct ur_err **err);
/* Apply res to an existing cgroup (update). */
int ur_cgfs_apply(const struct ur_cgfs *fs, const char *path, const struct ur_resources *res,
                  struct ur_err **err);
/* rmdir path in every hierarchy (thawing first), retrying while the kernel
 * says EBUSY (a dying process still inside) up to timeout_usec.  A missing
 * directory is success. */
int ur_cgfs_destroy(const struct ur_cgfs *fs, const char *path, uint64_t timeout_usec, struct ur_err **err);
/* v2 cgroup.freeze (waiting for cgroup.events "frozen"), v1 freezer.state
 * FROZEN/THAWED (waiting for the state to settle), bounded. */
int ur_cgfs_freeze(const struct ur_cgfs *fs, const char *path, bool freeze, uint64_t timeout_usec,
                   struct ur_err **err);
/* 1 frozen, 0 not (also when there is no freezer cgroup), negative on error. */
int ur_cgfs_is_frozen(const struct ur_cgfs *fs, const char *path, struct ur_err **err);
/* Pids of cgroup.procs: v2 the cgroup; v1 the first hierarchy among
 * systemd (name=systemd), pids, memory, cpu, freezer that has path. */
int ur_cgfs_pids(const struct ur_cgfs *fs, const char *path, pid_t **ret, size_t *ret_n, struct ur_err **err);
/* v1/hybrid under systemd: systemd does not manage the v1 freezer, so
 * create path in the freezer hierarchy and move the cgroup's pids there. */
int ur_cgfs_freezer_join(const struct ur_cgfs *fs, const char *path, struct ur_err **err);
