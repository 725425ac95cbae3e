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

#include "systemd/props.h"
#include "util/error.h"
#include "util/time.h"

/*
 * StartTransientUnit(unit, "fail", props) and wait for the job's JobRemoved
 * signal.  props is the full property list (Slice, PIDs, limits: the
 * caller, src/cgroup/, builds it).  A property systemd rejects as
 * unknown/read-only/invalid is dropped (with a warning) and the call
 * retried, unless it is essential (PIDs, Slice, the hard limits); UnitExists
 * leads to ResetFailedUnit and one more try.  On failure nothing is left
 * running under that name by us (the unit is stopped/reset when we started
 * it).
 */
int ur_scope_start(sd_bus *bus, const char *unit, const struct ur_props *props, uint64_t timeout_usec,
                   struct ur_err **err);

/* StopUnit(unit, "replace") (NoSuchUnit is fine), wait for the job, then
 * ResetFailedUnit. */
int ur_scope_stop(sd_bus *bus, const char *unit, uint64_t timeout_usec, struct ur_err **err);

/* FreezeUnit/ThawUnit (systemd >= 246, cgroup v2 only); the caller falls
 * back to the cgroup freezer on failure. */
int ur_scope_freeze(sd_bus *bus, const char *unit, bool freeze, uint64_t timeout_usec, struct ur_err **err);
/* FreezerState: 1 frozen, 0 otherwise ("running", "thawing", "freezing"). */
int ur_scope_is_frozen(sd_bus *bus, const char *unit, uint64_t timeout_usec, struct ur_err **err);
/* SetUnitProperties(unit, runtime=true, props); rejected properties are
 * dropped with a warning like at start.  An empty list sends nothing. */
int ur_scope_update(sd_bus *bus, const char *unit, const struct ur_props *props, uint64_t timeout_usec,
                    struct ur_err **err);
/* The unit's ControlGroup property ("/urunc.slice/urunc-x.scope"). */
int ur_scope_control_group(sd_bus *bus, const char *unit, uint64_t timeout_usec, char **ret,
                           struct ur_err **err);
