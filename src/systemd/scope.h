/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Transient scopes over an injected sd-bus connection (the system bus in
 * production, a fake systemd peer on a socketpair in the unit tests).
 * Every call is bounded by timeout_usec.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "cgroup/cgroup.h"
#include "systemd/props.h"
#include "util/error.h"
#include "util/time.h"

/* The full property list StartTransientUnit is sent (before any drop). */
int ur_scope_properties(const struct ur_cgroup_request *req, const char *slice, struct ur_props *ret,
                        ur_err *err);

/*
 * StartTransientUnit(unit, "fail", props) and wait for the job's JobRemoved
 * signal.  A property systemd rejects as unknown/read-only/invalid is
 * dropped (with a warning) and the call retried; UnitExists leads to
 * ResetFailedUnit and one more try.  On failure nothing is left running
 * under that name by us (the unit is stopped/reset when we started it).
 */
int ur_scope_start(sd_bus *bus, const struct ur_cgroup_request *req, uint64_t timeout_usec,
                   char **ret_unit, ur_err *err);

/* StopUnit(unit, "replace") (NoSuchUnit is fine), wait for the job, then
 * ResetFailedUnit. */
int ur_scope_stop(sd_bus *bus, const char *unit, uint64_t timeout_usec, ur_err *err);

/* FreezeUnit/ThawUnit (systemd >= 246, cgroup v2 only); the caller falls
 * back to the cgroup freezer on failure. */
int ur_scope_freeze(sd_bus *bus, const char *unit, bool freeze, uint64_t timeout_usec, ur_err *err);
/* FreezerState: 1 frozen, 0 otherwise ("running", "thawing", "freezing"). */
int ur_scope_is_frozen(sd_bus *bus, const char *unit, uint64_t timeout_usec, ur_err *err);
/* SetUnitProperties(unit, runtime=true, resources mapped as for start,
 * v1_cpu as in struct ur_props); rejected properties are dropped with a
 * warning like at start. */
int ur_scope_update(sd_bus *bus, const char *unit, const struct ur_resources *res, bool v1_cpu,
                    uint64_t timeout_usec, ur_err *err);
/* The unit's ControlGroup property ("/urunc.slice/urunc-x.scope"). */
int ur_scope_control_group(sd_bus *bus, const char *unit, uint64_t timeout_usec, char **ret, ur_err *err);
