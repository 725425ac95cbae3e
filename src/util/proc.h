/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"
#include "util/fs.h" /* ur_find_executable */

/* Process facts: /proc/PID/stat field 22 (the start time, against pid
 * reuse); -errno. */
int ur_proc_start_time(pid_t pid, uint64_t *ret);
/* 1 alive (not a zombie) with the given start time, 0 gone. */
int ur_proc_alive(pid_t pid, uint64_t start);
/* The state letter of /proc/PID/stat ('R', 'S', 'T', 'Z'...), 0 when gone. */
char ur_proc_state(pid_t pid);

/* pidfd_open(2); -errno on failure. */
int ur_pidfd_open(pid_t pid);
int ur_pidfd_send_signal(int pidfd, int sig);

/* Wait for a child with a bound in ms (-1 = none): 0 and *status on exit,
 * -ETIMEDOUT when it is still running. pidfd may be -1 (then polls). */
int ur_wait_child(pid_t pid, int pidfd, int timeout_ms, int *status);

/* Wait until a (not necessarily child) process has exited (zombie counts),
 * bounded in ms. 0 when gone, -ETIMEDOUT otherwise. */
int ur_wait_gone(pid_t pid, uint64_t start_time, int pidfd, int timeout_ms);

/* The children of pid's main thread (/proc/PID/task/PID/children); -errno. */
int ur_proc_children(pid_t pid, pid_t **ret, size_t *ret_n);
