/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "util/error.h"

/* A new pty: the master fd and the slave's path. */
int ur_console_open(int *ret_master, char **ret_slave, struct ur_err **err);
/* Send the master over the unix socket at path with SCM_RIGHTS (as runc
 * does, with the slave's name as the data). */
int ur_console_send(const char *socket_path, int master, const char *slave, struct ur_err **err);
/* In the monitor process: new session, the slave as controlling terminal
 * and stdio. */
int ur_console_attach(const char *slave, struct ur_err **err);
