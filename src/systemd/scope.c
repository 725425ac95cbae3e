/* SPDX-License-Identifier: Apache-2.0 */
#include "systemd/scope.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/cleanup.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/time.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_UNIT_PREFIX "/org/freedesktop/systemd1/unit"
#define SD_ERROR_UNIT_EXISTS "org.freedesktop.systemd1.UnitExists"
#define SD_ERROR_NO_SUCH_UNIT "org.freedesktop.systemd1.NoSuchUnit"
#define SD_ERROR_UNKNOWN_PROPERTY "org.freedesktop.DBus.Error.UnknownProperty"

/* Properties whose rejection is fatal: without them the scope is wrong, or
 * the container would run without a limit its spec sets (the create then
 * fails with systemd's message).  Others (MemoryLow, CPUWeight, the quota
 * period, Description, annotations' properties) are dropped with a
 * warning when this systemd does not know them. */
static const char *const essential[] = { "PIDs",        "Slice",     "MemoryMax",          "MemorySwapMax",
                                         "TasksMax",    "AllowedCPUs", "AllowedMemoryNodes", "CPUQuotaPerSecUSec",
                                         NULL };

static bool isalnum_c(char c)
{
        return isalnum((unsigned char) c);
}

static uint64_t deadline_of(uint64_t timeout_usec)
{
        return ur_now_usec() + (timeout_usec ? timeout_usec : UR_DEFAULT_TIMEOUT_USEC);
}

static uint64_t remaining(uint64_t deadline)
{
        uint64_t n = ur_now_usec();
        return n >= deadline ? 0 : deadline - n;
}

#define _cleanup_msg_ _cleanup_(sd_bus_message_unrefp)
#define _cleanup_slot_ _cleanup_(sd_bus_slot_unrefp)
#define _cleanup_bus_error_ _cleanup_(sd_bus_error_free)

static const char *bus_error_text(const sd_bus_error *e, int r)
{
        if (e && e->message)
                return e->message;
        if (e && e->name)
                return e->name;
        return strerror(r < 0 ? -r : r);
}

/* Fill err from a failed bus call: "what: message (error name)". */
static int bus_fail(struct ur_err **err, const sd_bus_error *e, int r, const char *what, const char *unit)
{
        if (e && e->name)
                return ur_err_set(err, 0, "%s '%s': %s (%s)", what, unit, bus_error_text(e, r), e->name);
        return ur_err_set(err, r < 0 ? -r : EIO, "%s '%s'", what, unit);
}

static int new_manager_call(sd_bus *bus, const char *member, sd_bus_message **ret)
{
        return sd_bus_message_new_method_call(bus, ret, SD_DEST, SD_PATH, SD_MANAGER, member);
}

static int call(sd_bus *bus, sd_bus_message *m, uint64_t deadline, sd_bus_error *e, sd_bus_message **reply)
{
        uint64_t left = remaining(deadline);

        if (left == 0)
                return -ETIMEDOUT;
        return sd_bus_call(bus, m, left, e, reply);
}

/* A manager method taking one unit name and, optionally, a mode. */
static int call_unit(sd_bus *bus, const char *member, const char *unit, const char *mode,
                     uint64_t deadline, sd_bus_error *e, sd_bus_message **reply)
{
        _cleanup_msg_ sd_bus_message *m = NULL;
        int r = new_manager_call(bus, member, &m);

        if (r >= 0)
                r = mode ? sd_bus_message_append(m, "ss", unit, mode) : sd_bus_message_append(m, "s", unit);
        if (r < 0)
                return r;
        return call(bus, m, deadline, e, reply);
}

/* ---- JobRemoved ---- */

struct job_wait {
        const char *unit;
        char *job;    /* our job's path, once the reply told us */
        char **early; /* path, result, path, result...: signals seen before that */
        char *result;
        int oom;
};

static void job_wait_done(struct job_wait *w)
{
        free(w->job);
        ur_strv_free(w->early);
        free(w->result);
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct job_wait *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (!ur_streq(unit, w->unit))
                return 0;
        if (w->job) {
                if (!w->result && strcmp(path, w->job) == 0 && !(w->result = strdup(result)))
                        w->oom = 1;
        } else if (ur_strv_add(&w->early, path) < 0 || ur_strv_add(&w->early, result) < 0)
                w->oom = 1;
        return 0;
}

static int job_wait_set(struct job_wait *w, const char *job)
{
        if (!(w->job = strdup(job)))
                return -ENOMEM;
        for (size_t i = 0; w->early && w->early[i] && w->early[i + 1]; i += 2)
                if (strcmp(w->early[i], job) == 0)
                        return (w->result = strdup(w->early[i + 1])) ? 0 : -ENOMEM;
        return 0;
}

static int job_match(sd_bus *bus, struct job_wait *w, sd_bus_slot **ret)
{
        /* On a direct connection (no bus daemon) messages carry no sender. */
        const char *sender = sd_bus_is_bus_client(bus) > 0 ? SD_DEST : NULL;

        return sd_bus_match_signal(bus, ret, sender, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed, w);
}

static int job_wait_run(sd_bus *bus, struct job_wait *w, uint64_t deadline, uint64_t timeout_usec,
                        struct ur_err **err)
{
        for (;;) {
                uint64_t left;
                int r;

                if (w->oom)
                        return ur_err_set(err, ENOMEM, "waiting for job of unit '%s'", w->unit);
                if (w->result)
                        return 0;
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return ur_err_set(err, -r, "waiting for job '%s' of unit '%s'", w->job, w->unit);
                if (r > 0)
                        continue;
                left = remaining(deadline);
                if (left == 0)
                        return ur_err_set(err, ETIMEDOUT,
                                          "job '%s' of unit '%s' did not finish within %llu ms", w->job,
                                          w->unit, (unsigned long long) (timeout_usec / 1000));
                r = sd_bus_wait(bus, left);
                if (r < 0 && r != -EINTR)
                        return ur_err_set(err, -r, "waiting for job '%s' of unit '%s'", w->job, w->unit);
        }
}

/* ---- properties ---- */

/* Does the error name one of the sent properties that we may leave out?
 * Then add it to *skip and return 1. */
static int droppable(const sd_bus_error *e, const struct ur_props *p, char ***skip)
{
        const char *best = NULL;
        size_t best_len = 0;

        if (!sd_bus_error_has_names(e, SD_BUS_ERROR_PROPERTY_READ_ONLY, SD_BUS_ERROR_INVALID_ARGS,
                                    SD_ERROR_UNKNOWN_PROPERTY) ||
            !e->message)
                return 0;
        for (size_t i = 0; i < p->n; i++) {
                const char *name = p->v[i].name, *at = e->message;
                size_t len = strlen(name);

                if (ur_strv_contains(*skip, name))
                        continue;
                while ((at = strstr(at, name))) {
                        bool start = at == e->message || !isalnum_c(at[-1]);
                        bool end = !isalnum_c(at[len]);

                        if (start && end && len > best_len) {
                                best = name;
                                best_len = len;
                        }
                        at += len;
                }
        }
        if (!best || ur_strv_contains((char *const *) essential, best))
                return 0;
        return ur_strv_add(skip, best) < 0 ? -ENOMEM : 1;
}

/* ---- start ---- */

static void stop_quietly(sd_bus *bus, const char *unit, uint64_t timeout_usec)
{
        uint64_t deadline = deadline_of(timeout_usec < 5000000 ? timeout_usec : 5000000);
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        r = call_unit(bus, "StopUnit", unit, "replace", deadline, &e, NULL);
        if (r < 0)
                ur_log_debug("stopping '%s' after a failed start: %s", unit, bus_error_text(&e, r));
        sd_bus_error_free(&e);
        r = call_unit(bus, "ResetFailedUnit", unit, NULL, deadline, &e, NULL);
        if (r < 0)
                ur_log_debug("reset-failed '%s': %s", unit, bus_error_text(&e, r));
}

int ur_scope_start(sd_bus *bus, const char *unit, const struct ur_props *props, uint64_t timeout_usec,
                   struct ur_err **err)
{
        _cleanup_strv_ char **skip = NULL;
        _cleanup_slot_ sd_bus_slot *slot = NULL;
        const struct ur_prop *slice = ur_props_get(props, "Slice");
        struct job_wait w = { .unit = unit };
        bool reset_done = false;
        uint64_t deadline;
        int r;

        if (!timeout_usec)
                timeout_usec = UR_DEFAULT_TIMEOUT_USEC;
        deadline = deadline_of(timeout_usec);
        /* Subscribe before the call: the signal can come before the reply. */
        r = job_match(bus, &w, &slot);
        if (r < 0)
                return ur_err_set(err, -r, "scope '%s': matching JobRemoved", unit);
        for (unsigned attempt = 0;; attempt++) {
                _cleanup_msg_ sd_bus_message *m = NULL, *reply = NULL;
                _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
                const char *job;

                r = new_manager_call(bus, "StartTransientUnit", &m);
                if (r >= 0)
                        r = sd_bus_message_append(m, "ss", unit, "fail");
                if (r >= 0)
                        r = ur_props_append(m, props, skip);
                if (r >= 0)
                        r = sd_bus_message_append(m, "a(sa(sv))", 0);
                if (r < 0) {
                        r = ur_err_set(err, -r, "scope '%s': building StartTransientUnit", unit);
                        goto out;
                }
                r = call(bus, m, deadline, &e, &reply);
                if (r >= 0) {
                        r = sd_bus_message_read(reply, "o", &job);
                        if (r < 0) {
                                r = ur_err_set(err, -r, "scope '%s': reading the job of StartTransientUnit",
                                               unit);
                                goto out;
                        }
                        if (job_wait_set(&w, job) < 0) {
                                r = ur_err_set(err, ENOMEM, "scope '%s'", unit);
                                goto out;
                        }
                        break;
                }
                if (r == -ETIMEDOUT && !sd_bus_error_is_set(&e)) {
                        r = ur_err_set(err, ETIMEDOUT, "StartTransientUnit '%s'", unit);
                        goto out;
                }
                if (sd_bus_error_has_name(&e, SD_ERROR_UNIT_EXISTS) && !reset_done) {
                        _cleanup_bus_error_ sd_bus_error e2 = SD_BUS_ERROR_NULL;

                        /* A failed scope of the same name (an earlier container with
                         * this id) stays loaded until reset.  An active one is left
                         * alone: stopping it would kill whatever runs in it. */
                        ur_log_debug("unit '%s' exists, resetting it and retrying", unit);
                        reset_done = true;
                        int r2 = call_unit(bus, "ResetFailedUnit", unit, NULL, deadline, &e2, NULL);
                        if (r2 < 0)
                                ur_log_debug("reset-failed '%s': %s", unit, bus_error_text(&e2, r2));
                        continue;
                }
                if (sd_bus_error_has_name(&e, SD_ERROR_UNIT_EXISTS)) {
                        r = ur_err_set(err, EEXIST,
                                       "scope '%s' already exists and is active (another container with the same id?)",
                                       unit);
                        goto out;
                }
                if (attempt <= props->n) {
                        int d = droppable(&e, props, &skip);

                        if (d < 0) {
                                r = ur_err_set(err, ENOMEM, "scope '%s'", unit);
                                goto out;
                        }
                        if (d > 0) {
                                ur_log_warning("systemd refused property %s of scope '%s' (%s); starting it without",
                                               skip[ur_strv_len(skip) - 1], unit, bus_error_text(&e, r));
                                continue;
                        }
                }
                r = bus_fail(err, &e, r, "StartTransientUnit", unit);
                goto out;
        }
        r = job_wait_run(bus, &w, deadline, timeout_usec, err);
        if (r < 0) {
                ur_err_wrap(err, "starting scope '%s'", unit);
                stop_quietly(bus, unit, timeout_usec);
                goto out;
        }
        if (strcmp(w.result, "done") != 0) {
                r = ur_err_set(err, 0, "starting scope '%s': job '%s' finished with result '%s'", unit, w.job,
                               w.result);
                stop_quietly(bus, unit, timeout_usec);
                goto out;
        }
        ur_log_debug("scope '%s' started in '%s'", unit, slice && slice->s ? slice->s : "?");
        r = 0;
out:
        slot = sd_bus_slot_unref(slot);
        job_wait_done(&w);
        return r;
}

/* ---- stop, freeze, properties ---- */

int ur_scope_stop(sd_bus *bus, const char *unit, uint64_t timeout_usec, struct ur_err **err)
{
        _cleanup_slot_ sd_bus_slot *slot = NULL;
        _cleanup_msg_ sd_bus_message *reply = NULL;
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        struct job_wait w = { .unit = unit };
        uint64_t deadline;
        const char *job;
        int r;

        if (!timeout_usec)
                timeout_usec = UR_DEFAULT_TIMEOUT_USEC;
        deadline = deadline_of(timeout_usec);
        r = job_match(bus, &w, &slot);
        if (r < 0)
                return ur_err_set(err, -r, "stopping '%s': matching JobRemoved", unit);
        r = call_unit(bus, "StopUnit", unit, "replace", deadline, &e, &reply);
        if (r < 0 && !sd_bus_error_has_name(&e, SD_ERROR_NO_SUCH_UNIT)) {
                r = bus_fail(err, &e, r, "StopUnit", unit);
                goto out;
        }
        if (r >= 0) {
                if (sd_bus_message_read(reply, "o", &job) < 0 || job_wait_set(&w, job) < 0) {
                        r = ur_err_set(err, EIO, "StopUnit '%s': bad reply", unit);
                        goto out;
                }
                r = job_wait_run(bus, &w, deadline, timeout_usec, err);
                if (r < 0) {
                        ur_err_wrap(err, "stopping '%s'", unit);
                        goto out;
                }
                if (strcmp(w.result, "done") != 0)
                        ur_log_debug("stop job of '%s' finished with result '%s'", unit, w.result);
        }
        sd_bus_error_free(&e);
        r = call_unit(bus, "ResetFailedUnit", unit, NULL, deadline, &e, NULL);
        if (r < 0 && !sd_bus_error_has_name(&e, SD_ERROR_NO_SUCH_UNIT)) {
                r = bus_fail(err, &e, r, "ResetFailedUnit", unit);
                goto out;
        }
        r = 0;
out:
        slot = sd_bus_slot_unref(slot);
        job_wait_done(&w);
        return r;
}

int ur_scope_freeze(sd_bus *bus, const char *unit, bool freeze, uint64_t timeout_usec, struct ur_err **err)
{
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        const char *member = freeze ? "FreezeUnit" : "ThawUnit";
        int r;

        r = call_unit(bus, member, unit, NULL, deadline_of(timeout_usec), &e, NULL);
        if (r < 0)
                return bus_fail(err, &e, r, member, unit);
        return 0;
}

/* Properties.Get on the unit's object. */
static int get_property(sd_bus *bus, const char *unit, const char *iface, const char *name,
                        uint64_t timeout_usec, char **ret, struct ur_err **err)
{
        _cleanup_msg_ sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        const char *s;
        char *dup;
        int r;

        r = sd_bus_path_encode(SD_UNIT_PREFIX, unit, &path);
        if (r < 0)
                return ur_err_set(err, -r, "unit '%s'", unit);
        r = sd_bus_message_new_method_call(bus, &m, SD_DEST, path, "org.freedesktop.DBus.Properties", "Get");
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", iface, name);
        if (r < 0)
                return ur_err_set(err, -r, "reading %s of '%s'", name, unit);
        r = call(bus, m, deadline_of(timeout_usec), &e, &reply);
        if (r < 0) {
                bus_fail(err, &e, r, "reading property of", unit);
                return ur_err_wrap(err, "%s", name);
        }
        r = sd_bus_message_read(reply, "v", "s", &s);
        if (r < 0)
                return ur_err_set(err, -r, "reading %s of '%s'", name, unit);
        if (!(dup = strdup(s)))
                return ur_err_set(err, ENOMEM, "reading %s of '%s'", name, unit);
        *ret = dup;
        return 0;
}

int ur_scope_is_frozen(sd_bus *bus, const char *unit, uint64_t timeout_usec, struct ur_err **err)
{
        _cleanup_free_ char *state = NULL;

        if (get_property(bus, unit, "org.freedesktop.systemd1.Unit", "FreezerState", timeout_usec, &state,
                         err) < 0)
                return -1;
        return strcmp(state, "frozen") == 0;
}

int ur_scope_control_group(sd_bus *bus, const char *unit, uint64_t timeout_usec, char **ret,
                           struct ur_err **err)
{
        return get_property(bus, unit, "org.freedesktop.systemd1.Scope", "ControlGroup", timeout_usec, ret,
                            err);
}

int ur_scope_update(sd_bus *bus, const char *unit, const struct ur_props *props, uint64_t timeout_usec,
                    struct ur_err **err)
{
        _cleanup_strv_ char **skip = NULL;
        uint64_t deadline = deadline_of(timeout_usec);
        int r;

        if (props->n == 0)
                return 0;
        for (unsigned attempt = 0;; attempt++) {
                _cleanup_msg_ sd_bus_message *m = NULL;
                _cleanup_bus_error_ sd_bus_error e = SD_BUS_ERROR_NULL;
                int d;

                r = new_manager_call(bus, "SetUnitProperties", &m);
                if (r >= 0)
                        r = sd_bus_message_append(m, "sb", unit, 1);
                if (r >= 0)
                        r = ur_props_append(m, props, skip);
                if (r < 0)
                        return ur_err_set(err, -r, "updating '%s'", unit);
                r = call(bus, m, deadline, &e, NULL);
                if (r >= 0)
                        return 0;
                d = attempt <= props->n ? droppable(&e, props, &skip) : 0;
                if (d > 0) {
                        ur_log_warning("systemd refused property %s of '%s' (%s); updating without",
                                       skip[ur_strv_len(skip) - 1], unit, bus_error_text(&e, r));
                        continue;
                }
                return d < 0 ? ur_err_set(err, ENOMEM, "updating '%s'", unit)
                             : bus_fail(err, &e, r, "SetUnitProperties", unit);
        }
}
