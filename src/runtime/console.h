/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "config/config.h"
#include "oci/spec.h"
#include "util/error.h"

/* A new pty: the master fd and the slave's path. */
int ur_console_open(int *ret_master, char **ret_slave, ur_err *err);
/* Send the master over the unix socket at path with SCM_RIGHTS (as runc
 * does, with the slave's name as the data). */
int ur_console_send(const char *socket_path, int master, const char *slave, ur_err *err);
/* In the monitor process: new session, the slave as controlling terminal
 * and stdio. */
int ur_console_attach(const char *slave, ur_err *err);

/*
 * Does the guest console go to the journal?  The annotation
 * com.urunc.console ("journal" or "stdio") decides, else the config's
 * [systemd] console_to_journal.  An unknown value, or "journal" asked by
 * annotation together with process.terminal, is an error naming the
 * annotation; the config key gives way to a terminal.
 */
int ur_console_to_journal(const struct ur_config *cfg, const struct ur_spec *spec, bool *ret, ur_err *err);
/* In the monitor process, once it is in its scope (journald attributes a
 * stream to the unit of the process that opens it): stdout and stderr
 * become a journal stream with SYSLOG_IDENTIFIER=identifier, LOG_INFO. */
int ur_console_journal(const char *identifier, ur_err *err);
