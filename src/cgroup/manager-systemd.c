/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The systemd manager: a transient scope per container over the system bus.
 * The unit name and its properties are worked out here (cgroup/mapping.c);
 * src/systemd/scope.c only speaks to systemd, in its own types.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/manager.h"
#include "cgroup/mapping.h"
#include "systemd/escape.h"
#include "systemd/journal.h"
#include "systemd/scope.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/time.h"

#define _cleanup_bus_ _cleanup_(sd_bus_flush_close_unrefp)

static int open_bus(sd_bus **ret, struct ur_err **err)
{
        int r = sd_bus_open_system(ret);

        if (r < 0)
                return ur_err_set(err, -r, "connecting to the system bus");
        (void) sd_bus_set_method_call_timeout(*ret, UR_DEFAULT_TIMEOUT_USEC);
        return 0;
}

int ur_cgroup_scope_start(sd_bus *bus, const struct ur_cgroup_request *req, uint64_t timeout_usec,
                          char **ret_unit, struct ur_err **err)
{
        _cleanup_free_ char *unit = NULL, *slice = NULL;
        struct ur_props props = { 0 };
        int r;

        if (ur_scope_target(req, &unit, &slice, err) < 0 || ur_scope_properties(req, slice, &props, err) < 0)
                return -1;
        r = ur_scope_start(bus, unit, &props, timeout_usec, err);
        ur_props_done(&props);
        if (r < 0)
                return -1;
        *ret_unit = TAKE_PTR(unit);
        return 0;
}

int ur_cgroup_scope_update(sd_bus *bus, const char *unit, const struct ur_resources *res, bool v1_cpu,
                           uint64_t timeout_usec, struct ur_err **err)
{
        struct ur_props props = { 0 };
        int r;

        if (ur_resources_to_props(res, v1_cpu, &props, err) < 0) {
                ur_props_done(&props);
                return -1;
        }
        r = ur_scope_update(bus, unit, &props, timeout_usec, err);
        ur_props_done(&props);
        return r;
}

/* run --service: the monitor, forked by urunc run, is already in the
 * service's cgroup; the bundle's limits become runtime properties of the
 * service.  Nothing to remove later: the service ends with urunc run. */
int ur_cgroup_enter_service(const struct ur_cgroup_request *req, struct ur_cgroup *ret, struct ur_err **err)
{
        _cleanup_bus_ sd_bus *bus = NULL;

        if (open_bus(&bus, err) < 0 || ur_cgroup_scope_update(bus, req->service_unit, req->res,
                                                              ur_cgroup_v1_cpu(), req->timeout_usec, err) < 0)
                return ur_err_wrap(err, "setting the limits of container '%s' on service '%s'", req->id,
                                   req->service_unit);
        ur_log_info("container '%s' is in service '%s'", req->id, req->service_unit);
        *ret = (struct ur_cgroup){ .manager = UR_CGROUP_NONE };
        return 0;
}

static int scope_plan(const struct ur_cgroup_request *req, struct ur_cgroup *ret, struct ur_err **err)
{
        _cleanup_free_ char *slice = NULL;
        char *unit = NULL;

        if (ur_scope_target(req, &unit, &slice, err) < 0)
                return -1;
        *ret = (struct ur_cgroup){ .manager = UR_CGROUP_SYSTEMD, .unit = unit };
        return 0;
}

static int scope_enter(const struct ur_cgroup_request *req, struct ur_cgroup *ret, struct ur_err **err)
{
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_free_ char *unit = NULL, *path = NULL, *def = NULL;
        struct ur_cgroup_request q = *req;
        struct ur_err *e = NULL;

        q.v1_cpu = ur_cgroup_v1_cpu();
        if (open_bus(&bus, err) < 0 || ur_cgroup_scope_start(bus, &q, req->timeout_usec, &unit, err) < 0)
                return ur_err_wrap(err, "placing container '%s' in a systemd scope", req->id);
        /* Only used for the freezer fallback and ps: not fatal. */
        if (ur_scope_control_group(bus, unit, req->timeout_usec, &path, &e) < 0) {
                ur_log_debug("%s", ur_err_msg(e));
                ur_err_free(&e);
        }
        def = ur_scope_name(req->id);
        if (!ur_streq(def, unit))
                ur_journal_set_unit(req->id, unit);
        ur_log_info("container '%s' is in scope '%s'", req->id, unit);
        *ret = (struct ur_cgroup){
                .manager = UR_CGROUP_SYSTEMD, .unit = TAKE_PTR(unit), .path = TAKE_PTR(path) };
        return 0;
}

/* The unit's cgroup path: recorded, else asked for. */
static int unit_path(sd_bus *bus, const struct ur_cgroup *cg, char **ret, struct ur_err **err)
{
        if (cg->path) {
                *ret = strdup(cg->path);
                return *ret ? 0 : ur_err_set(err, ENOMEM, "cgroup path");
        }
        return ur_scope_control_group(bus, cg->unit, 0, ret, err);
}

static int scope_destroy(const struct ur_cgroup *cg, struct ur_err **err)
{
        _cleanup_bus_ sd_bus *bus = NULL;
        struct ur_cgfs fs;

        if (!cg->unit)
                return 0;
        if (open_bus(&bus, err) < 0 || ur_scope_stop(bus, cg->unit, 0, err) < 0)
                return ur_err_wrap(err, "removing scope '%s'", cg->unit);
        /* The v1 freezer cgroup the freeze fallback may have made. */
        if (cg->path && ur_cgroup_open_fs(&fs, NULL) == 0 && fs.layout != UR_CGFS_UNIFIED) {
                _cleanup_free_ char *dir = NULL;

                if (asprintf(&dir, "%s/freezer%s", UR_CGFS_ROOT, cg->path) >= 0 && rmdir(dir) < 0 &&
                    errno != ENOENT)
                        ur_log_debug("rmdir '%s': %s", dir, strerror(errno));
        }
        return 0;
}

/* FreezeUnit needs systemd >= 246 on a unified hierarchy: else the cgroup
 * freezer itself (joining the v1 freezer hierarchy first). */
static int freeze_fallback(sd_bus *bus, const struct ur_cgroup *cg, bool freeze, struct ur_err **err)
{
        _cleanup_free_ char *path = NULL;
        struct ur_cgfs fs;

        if (unit_path(bus, cg, &path, err) < 0 || ur_cgroup_open_fs(&fs, err) < 0)
                return -1;
        if (fs.layout != UR_CGFS_UNIFIED) {
                if (!freeze) {
                        if (ur_cgfs_is_frozen(&fs, path, NULL) <= 0)
                                return 0;
                } else if (ur_cgfs_freezer_join(&fs, path, err) < 0)
                        return -1;
        }
        return ur_cgfs_freeze(&fs, path, freeze, 0, err);
}

static int scope_freeze(const struct ur_cgroup *cg, bool freeze, struct ur_err **err)
{
        _cleanup_bus_ sd_bus *bus = NULL;
        struct ur_err *e = NULL;

        if (open_bus(&bus, err) < 0)
                return -1;
        if (ur_scope_freeze(bus, cg->unit, freeze, 0, &e) == 0)
                return 0;
        ur_log_debug("%s; using the cgroup freezer", ur_err_msg(e));
        if (freeze_fallback(bus, cg, freeze, err) < 0) {
                ur_err_wrap(err, "%s (and %s)", ur_err_msg(e), freeze ? "freezing" : "thawing");
                ur_err_free(&e);
                return -1;
        }
        ur_err_free(&e);
        return 0;
}

static int scope_is_frozen(const struct ur_cgroup *cg, struct ur_err **err)
{
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_free_ char *path = NULL;
        struct ur_cgfs fs;
        struct ur_err *e = NULL;
        int r;

        if (open_bus(&bus, err) < 0)
                return -1;
        r = ur_scope_is_frozen(bus, cg->unit, 0, &e);
        if (r > 0)
                return 1;
        /* The fallback freezer is invisible to systemd. */
        if (unit_path(bus, cg, &path, r < 0 ? err : NULL) < 0 ||
            ur_cgroup_open_fs(&fs, r < 0 ? err : NULL) < 0) {
                if (r < 0)
                        ur_err_free(&e);
                return r < 0 ? -1 : 0;
        }
        ur_err_free(&e);
        return ur_cgfs_is_frozen(&fs, path, err);
}

static int scope_update(const struct ur_cgroup *cg, const struct ur_resources *res, struct ur_err **err)
{
        _cleanup_bus_ sd_bus *bus = NULL;

        if (open_bus(&bus, err) < 0 ||
            ur_cgroup_scope_update(bus, cg->unit, res, ur_cgroup_v1_cpu(), 0, err) < 0)
                return -1;
        return 0;
}

static int scope_pids(const struct ur_cgroup *cg, pid_t **ret, size_t *ret_n, struct ur_err **err)
{
        _cleanup_bus_ sd_bus *bus = NULL;
        _cleanup_free_ char *path = NULL;
        struct ur_cgfs fs;

        if (!cg->path && (open_bus(&bus, err) < 0 || unit_path(bus, cg, &path, err) < 0))
                return -1;
        if (ur_cgroup_open_fs(&fs, err) < 0)
                return -1;
        return ur_cgfs_pids(&fs, path ? path : cg->path, ret, ret_n, err);
}

const struct ur_cgroup_ops ur_cgroup_systemd = {
        .manager = UR_CGROUP_SYSTEMD,
        .plan = scope_plan,
        .enter = scope_enter,
        .destroy = scope_destroy,
        .freeze = scope_freeze,
        .is_frozen = scope_is_frozen,
        .update = scope_update,
        .pids = scope_pids,
};
