/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The monitor's credentials right before exec: the OCI process.user
 * (uid, gid, additional gids), no capabilities at all (also none regained
 * by a root uid through exec: the bounding set is emptied and
 * SECBIT_NOROOT is locked), and no_new_privs.
 */

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

struct ur_privs {
        uid_t uid;
        gid_t gid;
        const gid_t *groups; /* supplementary groups (setgroups), may be NULL */
        size_t n_groups;
};

/* Needs CAP_SETPCAP, CAP_SETUID and CAP_SETGID; afterwards the process has
 * none left.  On failure the process may be half-way: it must not exec. */
int ur_privs_drop(const struct ur_privs *p, struct ur_err **err);
