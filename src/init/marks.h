/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * What the init process leaves for the verbs to see: its comm (status
 * "created" while it waits for start, the supervisor after) and the file
 * it writes in the container's state directory.
 */

/* comm of the init process while it waits for start (before exec). */
#define UR_INIT_COMM "urunc:created"
/* comm of the same process after start, supervising the VMM it forked. */
#define UR_SUPERVISOR_COMM "urunc:supervise"
/* <state dir>/network: the interface the guest took over, written at start
 * (delete gives it back). */
#define UR_STATE_NETWORK "network"
