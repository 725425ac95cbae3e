/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The journal sink of the logger (ur_log_set_journal(ur_journal_log)).
 * Each entry carries MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=urunc,
 * URUNC_CONTAINER_ID=<id> and OBJECT_SYSTEMD_UNIT=<the container's scope>.
 * urunc itself does not run inside that scope, so _SYSTEMD_UNIT is not the
 * scope; `journalctl -u UNIT` also matches "_UID=0 + OBJECT_SYSTEMD_UNIT=UNIT"
 * (messages from privileged daemons about a unit), and urunc runs as root.
 * UNIT= is not set: journalctl only honours it for PID 1.
 */

#include <stdbool.h>

#include "util/error.h"

#define UR_JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Matches ur_log_journal_fn.  container_id may be NULL (no container fields). */
void ur_journal_log(int prio, const char *container_id, const char *msg);

/* From now on send entries on a socket connected now, so that they still
 * reach journald after this process loses sight of its socket's path (the
 * supervisor, inside the monitor's confined root).  -errno on failure. */
int ur_journal_pin(void);
/* That socket, -1 when not pinned. */
int ur_journal_pinned_fd(void);

/* journald's socket exists. */
bool ur_journal_available(void);

/* The scope of container id is unit (a "slice:prefix:name" cgroupsPath
 * named it); otherwise ur_scope_name(id) is assumed.  NULL unit forgets. */
void ur_journal_set_unit(const char *id, const char *unit);

/* The "FIELD=value" strings of one entry (NULL-terminated, free with
 * ur_strv_free), NULL on ENOMEM.  unit NULL = ur_scope_name(container_id). */
char **ur_journal_fields(int prio, const char *container_id, const char *unit, const char *msg);

/* In the init process, once it is in its scope (journald attributes a
 * stream to the unit of the process that opens it): stdout and stderr
 * become a journal stream with SYSLOG_IDENTIFIER=identifier, LOG_INFO. */
int ur_journal_stdio(const char *identifier, struct ur_err **err);
