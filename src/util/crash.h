/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Crash injection, for tests only: URUNC_TEST_CRASH=POINT[:WHO] makes the
 * process that reaches the named point die by SIGKILL there, so that a
 * test can check that whatever a crash at that moment leaves behind is
 * reported truthfully and removed by delete --force.
 *
 * POINT, in create (the urunc create process):
 *   after-mkdir, after-lock, after-clone, after-cgroup, after-init,
 *   after-hooks, after-state, before-commit
 * in start (the urunc start process): start-after-exec (the monitor has
 *   exec'd, the state is not updated yet)
 * in the monitor process (WHO is ignored): monitor-after-setup (bound its
 *   socket, joined its namespaces), monitor-after-network (tap and
 *   redirect made), monitor-before-exec
 * WHO, for create's and start's points: self (default), monitor (SIGKILL
 * the monitor process and carry on: the next step fails), both.
 *
 * The variable is read once, on the first call; unset, a point costs one
 * branch.  A pid namespace's init cannot SIGKILL itself (the kernel drops
 * signals it has no handler for): the monitor process then _exit()s,
 * which runs no cleanup either.
 */

#include <sys/types.h>

#define UR_CRASH_ENV "URUNC_TEST_CRASH"

/* monitor: the monitor process's pid (0 when there is none yet or when the
 * caller is the monitor process). */
void ur_crash_point(const char *point, pid_t monitor);
