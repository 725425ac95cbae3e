/* SPDX-License-Identifier: Apache-2.0 */
#include "systemd/cgroup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include "systemd/cgroupfs.h"
#include "systemd/journal.h"
#include "systemd/mapping.h"
#include "systemd/scope.h"
#include "util/cleanup.h"
#include "util/log.h"

#define CGFS_DESTROY_TIMEOUT_USEC (2ull * 1000000ull)

static void busp(sd_bus **b)
{
        sd_bus_flush_close_unref(*b);
}
#define _cleanup_bus_ _cleanup_(busp)

void ur_cgroup_done(struct ur_cgroup *cg)
{
        if (!cg)
                return;
        free(cg->unit);
        free(cg->path);
        cg->unit = cg->path = NULL;
}

enum ur_cgroup_manager ur_cgroup_resolve(enum ur_cgroup_manager m)
{
        if (m != UR_CGROUP_AUTO)
                return m;
        return sd_booted() > 0 ? UR_CGROUP_SYSTEMD : UR_CGROUP_CGROUPFS;
}

const char *ur_cgroup_manager_name(enum ur_cgroup_manager m)
{
        switch (m) {
        case UR_CGROUP_AUTO:
                return "auto";
        case UR_CGROUP_SYSTEMD:
                return "systemd";
        case UR_CGROUP_CGROUPFS:
                return "cgroupfs";
        case UR_CGROUP_NONE:
                return "none";
        }
        return "unknown";
}

static int open_bus(sd_bus **ret, ur_err *err)
{
        int r = sd_bus_open_system(ret);

        if (r < 0)
                return ur_err_set(err, -r, "connecting to the system bus");
        (void) sd_bus_set_method_call_timeout(*ret, UR_SCOPE_TIMEOUT_USEC);
        return 0;
}

static int open_fs(struct ur_cgfs *fs, ur_err *err)
{
        return ur_cgfs_open(UR_CGFS_ROOT, 0, fs, err);
}

/* Is the cpu controller a v1 hierarchy here (legacy or hybrid layout)? */
static bool v1_cpu(void)
{
        struct ur_cgfs fs;

        return open_fs(&fs, NULL) == 0 && fs.layout != UR_CGFS_UNIFIED;
}

/* run --service: the monitor, forked by urunc run, is already in the
 * service's cgroup; the bundle's limits become runtime properties of the
 * service.  Nothing to remove later: the service ends with urunc run. */
static int enter_service(const struct ur_cgroup_request *req, struct ur_cgroup *ret, ur_err *err)
{
        _cleanup_bus_ sd_bus *bus = NULL;

        if (open_bus(&bus, err) < 0 ||
            ur_scope_update(bus, req->service_unit, req->res, v1_cpu(), req->timeout_usec, err) < 0)
                return ur_err_wrap(err, "setting the limits of container '%s' on service '%s'", req->id,
                                   req->service_unit);
        ur_log_info("container '%s' is in service '%s'", req->id, req->service_unit);
        *ret = (struct ur_cgroup){ .manager = UR_CGROUP_NONE };
        return 0;
}

int ur_cgroup_enter(enum ur_cgroup_manager m, const struct ur_cgroup_request *req, struct ur_cgroup *ret,
                    ur_err *err)
{
        _cleanup_free_ char *unit = NULL, *path = NULL;

        m = ur_cgroup_resolve(m);
        if (req->service_unit && m != UR_CGROUP_NONE)
                return enter_service(req, ret, err);
        switch (m) {
        case UR_CGROUP_NONE:
                *ret = (struct ur_cgroup){ .manager = m };
                return 0;
        case UR_CGROUP_SYSTEMD: {
                _cleanup_bus_ sd_bus *bus = NULL;
                _cleanup_free_ char *def = NULL;
                struct ur_cgroup_request q = *req;
                ur_err e = NULL;

                q.v1_cpu = v1_cpu();
                if (open_bus(&bus, err) < 0 || ur_scope_start(bus, &q, req->timeout_usec, &unit, err) < 0)
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
                break;
        }
        case UR_CGROUP_CGROUPFS:
        default: {
                struct ur_cgfs fs;

                if (ur_cgroupfs_target(req, &path, err) < 0 || open_fs(&fs, err) < 0 ||
                    ur_cgfs_enter(&fs, path, req->res, req->pid, err) < 0)
                        return ur_err_wrap(err, "placing container '%s' in a cgroup", req->id);
                ur_log_info("container '%s' is in cgroup '%s'", req->id, path);
                m = UR_CGROUP_CGROUPFS;
                break;
        }
        }
        *ret = (struct ur_cgroup){ .manager = m, .unit = TAKE_PTR(unit), .path = TAKE_PTR(path) };
        return 0;
}

int ur_cgroup_plan(enum ur_cgroup_manager m, const struct ur_cgroup_request *req, struct ur_cgroup *ret,
                   ur_err *err)
{
        _cleanup_free_ char *unit = NULL, *slice = NULL, *path = NULL;

        m = ur_cgroup_resolve(m);
        if (req->service_unit)
                m = UR_CGROUP_NONE;
        switch (m) {
        case UR_CGROUP_NONE:
                break;
        case UR_CGROUP_SYSTEMD:
                if (ur_scope_target(req, &unit, &slice, err) < 0)
                        return -1;
                break;
        case UR_CGROUP_CGROUPFS:
        default:
                if (ur_cgroupfs_target(req, &path, err) < 0)
                        return -1;
                m = UR_CGROUP_CGROUPFS;
                break;
        }
        *ret = (struct ur_cgroup){ .manager = m, .unit = TAKE_PTR(unit), .path = TAKE_PTR(path) };
        return 0;
}

bool ur_cgroup_preparable(enum ur_cgroup_manager m, const struct ur_cgroup_request *req)
{
        struct ur_cgfs fs;

        /* A systemd scope is made with its processes (systemd refuses an
         * empty one: systemd#18843) and v1 hierarchies have no
         * CLONE_INTO_CGROUP. */
        return ur_cgroup_resolve(m) == UR_CGROUP_CGROUPFS && !req->service_unit && open_fs(&fs, NULL) == 0 &&
               fs.layout == UR_CGFS_UNIFIED;
}

int ur_cgroup_prepare(enum ur_cgroup_manager m, const struct ur_cgroup_request *req, struct ur_cgroup *ret,
                      int *ret_fd, ur_err *err)
{
        _cleanup_free_ char *path = NULL;
        struct ur_cgfs fs;

        *ret_fd = -1;
        if (!ur_cgroup_preparable(m, req) || open_fs(&fs, err) < 0)
                return 0;
        if (ur_cgroupfs_target(req, &path, err) < 0 || ur_cgfs_prepare(&fs, path, req->res, ret_fd, err) < 0)
                return ur_err_wrap(err, "placing container '%s' in a cgroup", req->id);
        ur_log_info("container '%s' is in cgroup '%s'", req->id, path);
        *ret = (struct ur_cgroup){.manager = UR_CGROUP_CGROUPFS, .path = TAKE_PTR(path)};
        return 1;
}

int ur_cgroup_adopt(const struct ur_cgroup *cg, pid_t pid, ur_err *err)
{
        struct ur_cgfs fs;

        if (open_fs(&fs, err) < 0 || ur_cgfs_add_pid(&fs, cg->path, pid, err) < 0)
                return ur_err_wrap(err, "placing the monitor process %d in a cgroup", (int) pid);
        return 0;
}

/* The unit's cgroup path: recorded, else asked for. */
static int unit_path(sd_bus *bus, const struct ur_cgroup *cg, char **ret, ur_err *err)
{
        if (cg->path) {
                *ret = strdup(cg->path);
                return *ret ? 0 : ur_err_set(err, ENOMEM, "cgroup path");
        }
        return ur_scope_control_group(bus, cg->unit, 0, ret, err);
}

int ur_cgroup_destroy(const struct ur_cgroup *cg, ur_err *err)
{
        struct ur_cgfs fs;

        switch (cg->manager) {
        case UR_CGROUP_SYSTEMD: {
                _cleanup_bus_ sd_bus *bus = NULL;

                if (!cg->unit)
                        return 0;
                if (open_bus(&bus, err) < 0 || ur_scope_stop(bus, cg->unit, 0, err) < 0)
                        return ur_err_wrap(err, "removing scope '%s'", cg->unit);
                /* The v1 freezer cgroup the freeze fallback may have made. */
                if (cg->path && open_fs(&fs, NULL) == 0 && fs.layout != UR_CGFS_UNIFIED) {
                        _cleanup_free_ char *dir = NULL;

                        if (asprintf(&dir, "%s/freezer%s", UR_CGFS_ROOT, cg->path) >= 0 && rmdir(dir) < 0 &&
                            errno != ENOENT)
                                ur_log_debug("rmdir '%s': %s", dir, strerror(errno));
                }
                return 0;
        }
        case UR_CGROUP_CGROUPFS:
                if (!cg->path)
                        return 0;
                if (open_fs(&fs, err) < 0 || ur_cgfs_destroy(&fs, cg->path, CGFS_DESTROY_TIMEOUT_USEC, err) < 0)
                        return ur_err_wrap(err, "removing cgroup '%s'", cg->path);
                return 0;
        default:
                return 0;
        }
}

/* FreezeUnit needs systemd >= 246 on a unified hierarchy: else the cgroup
 * freezer itself (joining the v1 freezer hierarchy first). */
static int freeze_fallback(sd_bus *bus, const struct ur_cgroup *cg, bool freeze, ur_err *err)
{
        _cleanup_free_ char *path = NULL;
        struct ur_cgfs fs;

        if (unit_path(bus, cg, &path, err) < 0 || open_fs(&fs, err) < 0)
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

int ur_cgroup_freeze(const struct ur_cgroup *cg, bool freeze, ur_err *err)
{
        struct ur_cgfs fs;

        switch (cg->manager) {
        case UR_CGROUP_SYSTEMD: {
                _cleanup_bus_ sd_bus *bus = NULL;
                ur_err e = NULL;

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
        case UR_CGROUP_CGROUPFS:
                if (open_fs(&fs, err) < 0 || ur_cgfs_freeze(&fs, cg->path, freeze, 0, err) < 0)
                        return -1;
                return 0;
        default:
                return ur_err_set(err, EOPNOTSUPP, "%s without a cgroup manager", freeze ? "pause" : "resume");
        }
}

int ur_cgroup_is_frozen(const struct ur_cgroup *cg, ur_err *err)
{
        struct ur_cgfs fs;

        switch (cg->manager) {
        case UR_CGROUP_SYSTEMD: {
                _cleanup_bus_ sd_bus *bus = NULL;
                _cleanup_free_ char *path = NULL;
                ur_err e = NULL;
                int r;

                if (open_bus(&bus, err) < 0)
                        return -1;
                r = ur_scope_is_frozen(bus, cg->unit, 0, &e);
                if (r > 0)
                        return 1;
                /* The fallback freezer is invisible to systemd. */
                if (unit_path(bus, cg, &path, r < 0 ? err : NULL) < 0 || open_fs(&fs, r < 0 ? err : NULL) < 0) {
                        if (r < 0)
                                ur_err_free(&e);
                        return r < 0 ? -1 : 0;
                }
                ur_err_free(&e);
                return ur_cgfs_is_frozen(&fs, path, err);
        }
        case UR_CGROUP_CGROUPFS:
                if (open_fs(&fs, err) < 0)
                        return -1;
                return ur_cgfs_is_frozen(&fs, cg->path, err);
        default:
                return 0;
        }
}

int ur_cgroup_update(const struct ur_cgroup *cg, const struct ur_resources *res, ur_err *err)
{
        struct ur_cgfs fs;

        switch (cg->manager) {
        case UR_CGROUP_SYSTEMD: {
                _cleanup_bus_ sd_bus *bus = NULL;

                if (open_bus(&bus, err) < 0 || ur_scope_update(bus, cg->unit, res, v1_cpu(), 0, err) < 0)
                        return -1;
                return 0;
        }
        case UR_CGROUP_CGROUPFS:
                if (open_fs(&fs, err) < 0 || ur_cgfs_apply(&fs, cg->path, res, err) < 0)
                        return -1;
                return 0;
        default:
                return ur_err_set(err, EOPNOTSUPP, "update without a cgroup manager");
        }
}

int ur_cgroup_pids(const struct ur_cgroup *cg, pid_t **ret, size_t *ret_n, ur_err *err)
{
        _cleanup_free_ char *path = NULL;
        struct ur_cgfs fs;

        switch (cg->manager) {
        case UR_CGROUP_SYSTEMD: {
                _cleanup_bus_ sd_bus *bus = NULL;

                if (!cg->path && (open_bus(&bus, err) < 0 || unit_path(bus, cg, &path, err) < 0))
                        return -1;
                break;
        }
        case UR_CGROUP_CGROUPFS:
                break;
        default:
                return ur_err_set(err, EOPNOTSUPP, "listing processes without a cgroup manager");
        }
        if (open_fs(&fs, err) < 0)
                return -1;
        return ur_cgfs_pids(&fs, path ? path : cg->path, ret, ret_n, err);
}
