/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A fake cgroup filesystem for the unit tests: a tree of plain files in a
 * temporary directory that struct ur_cgfs_io operations change the way the
 * kernel would (see fake-cgroupfs.c for what is imitated and what is not).
 */

#include "cgroup/cgroupfs.h"

extern const struct ur_cgfs_io fake_cgfs_io;

/* A cgroup2 root at dir: cgroup.controllers = controllers (space
 * separated), an empty cgroup.subtree_control and cgroup.procs. */
void fake_cgfs_v2_root(const char *dir, const char *controllers);
/* A v1 hierarchy root for controller ctl at dir (made if missing), with an
 * empty cgroup.procs; a cpuset root gets cpuset.cpus "0-3", mems "0". */
void fake_cgfs_v1_root(const char *dir, const char *ctl);
