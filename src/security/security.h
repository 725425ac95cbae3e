/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * What the monitor process does to itself between setup and exec (see
 * SECURITY in man/urunc.8):
 *
 *   ur_security_prepare   at setup, before joining the container's mount
 *                         namespace: decide, read and compile the seccomp
 *                         policy (errors fail create);
 *   ur_security_confine   at start, once the exec plan is known: the
 *                         confined root (errors fail start);
 *   ur_security_apply     right before execve: credentials, capabilities,
 *                         no_new_privs, the seccomp filter (errors are
 *                         reported as the exec's failure).
 */

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"
#include "vm/plan.h"

struct ur_security;

/* The credentials, confinement and seccomp policy the plan says (the
 * policy read from [security] policy_dir). */
int ur_security_prepare(const struct ur_plan *plan, struct ur_security **ret, struct ur_err **err);
/* The owner the tap (and the monitor's devices) must have. */
void ur_security_owner(const struct ur_security *s, int *ret_uid, int *ret_gid);
/* The monitor will be confined (its state dir is then <state_dir>/monitor). */
bool ur_security_confines(const struct ur_security *s);
/* At setup, once the spec's namespaces are joined: a mount namespace of the
 * monitor's own (a slave of the one it was in), when it is to be confined,
 * and the guest's files (the plan's pinned binds: kernel, initrd, block
 * images, paths under rootfs) pinned in it (ur_plan_pin):
 * ur_security_confine binds those fds. */
int ur_security_own_mount_ns(const struct ur_security *s, struct ur_plan *plan, const char *rootfs,
                             struct ur_err **err);
int ur_security_confine(const struct ur_security *s, const struct ur_plan *plan, const struct ur_exec *ex,
                        const char *state_dir, struct ur_err **err);
int ur_security_apply(const struct ur_security *s, struct ur_err **err);
/* Only the credentials part of ur_security_apply (no seccomp filter): the
 * supervisor takes the VMM's credentials, so that it holds no more
 * privilege than the process it watches. */
int ur_security_apply_privs(const struct ur_security *s, struct ur_err **err);
/* The supervisor's confinement: ur_security_apply_privs, then (when the
 * monitor gets seccomp) the filter of policy UR_SUPERVISOR_POLICY plus kill
 * of child only. */
#define UR_SUPERVISOR_POLICY "supervisor"
int ur_security_apply_supervisor(const struct ur_security *s, pid_t child, struct ur_err **err);
void ur_security_free(struct ur_security *s);
