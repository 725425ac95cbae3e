/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A watcher on QEMU's QMP socket, for the supervisor: it connects (retrying
 * until QEMU has created the socket, never blocking), negotiates, asks
 * query-status once and whenever QEMU reports STOP, GUEST_PANICKED or
 * SHUTDOWN, and tells when the VM is stopped for good (a run state from
 * which nothing in the container will resume it).
 */

#include <stdbool.h>

struct ur_qmp;

struct ur_qmp *ur_qmp_new(const char *path, long long now_ms);
void ur_qmp_free(struct ur_qmp *q);
/* The fd to poll for input, -1 when not connected. */
int ur_qmp_fd(const struct ur_qmp *q);
/* Milliseconds until the next connection attempt is due (0: now), -1 when
 * none is (connected, or given up). */
long long ur_qmp_timeout(const struct ur_qmp *q, long long now_ms);
/* Attempt to connect when one is due. */
void ur_qmp_tick(struct ur_qmp *q, long long now_ms);
/* The fd is readable: read and act on what QEMU said. */
void ur_qmp_input(struct ur_qmp *q);
/* QEMU's run state when it is one the VM never leaves by itself
 * (internal-error, guest-panicked, io-error, shutdown, watchdog), else NULL. */
const char *ur_qmp_stopped_for_good(const struct ur_qmp *q);
/* QEMU reported a guest panic (GUEST_PANICKED, or SHUTDOWN for a panic). */
bool ur_qmp_panicked(const struct ur_qmp *q);
/* The socket was ever connected and negotiated. */
bool ur_qmp_ready(const struct ur_qmp *q);
