/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * systemd-machined registration (opt-in: [systemd] register_machine, or the
 * annotation com.urunc.register-machine): the container as a machine of
 * class "vm", service "urunc", leader the monitor process, its unit the
 * scope (or service) the leader is in; so machinectl list/status/terminate
 * see it.  machined forgets a machine when its unit stops; delete also
 * unregisters it.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* RegisterMachine(name, leader) on the system bus. */
int ur_machine_register(const char *name, pid_t leader, struct ur_err **err);
/* UnregisterMachine(name); a machine machined does not know is fine. */
int ur_machine_unregister(const char *name, struct ur_err **err);
