/* SPDX-License-Identifier: Apache-2.0 */
#include "cgroup/mapping.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "systemd/escape.h"
#include "util/cpuset.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

uint64_t ur_cpu_shares_to_weight(uint64_t shares)
{
        if (shares == 0)
                return 0;
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t ur_cpu_quota_per_sec(int64_t quota, uint64_t period)
{
        unsigned __int128 v;

        if (quota <= 0)
                return UR_USEC_INFINITY;
        if (period == 0)
                period = UR_CPU_PERIOD_DEFAULT_USEC;
        v = (unsigned __int128) quota * 1000000u / period;
        if (v % 10000 != 0)
                v = (v / 10000 + 1) * 10000;
        /* UR_USEC_INFINITY itself means "no limit": stay below it. */
        if (v >= UR_USEC_INFINITY)
                return UR_USEC_INFINITY - 1;
        return (uint64_t) v;
}

void ur_cgroups_path_done(struct ur_cgroups_path *p)
{
        if (!p)
                return;
        free(p->path);
        free(p->slice);
        free(p->prefix);
        free(p->name);
        *p = (struct ur_cgroups_path){ 0 };
}

/* "/a//b/" → "/a/b"; refuses "." and ".." components. */
static int normalize_path(const char *s, char **ret, struct ur_err **err)
{
        _cleanup_free_ char *out = malloc(strlen(s) + 2);
        size_t o = 0;
        const char *p = s;

        if (!out)
                return ur_err_set(err, ENOMEM, "cgroupsPath '%s'", s);
        while (*p) {
                size_t len;

                while (*p == '/')
                        p++;
                len = strcspn(p, "/");
                if (len == 0)
                        break;
                if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
                        return ur_err_set(err, EINVAL, "cgroupsPath '%s': '.' and '..' are not allowed", s);
                out[o++] = '/';
                memcpy(out + o, p, len);
                o += len;
                p += len;
        }
        if (o == 0)
                out[o++] = '/';
        out[o] = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

int ur_cgroups_path_parse(const char *s, struct ur_cgroups_path *ret, struct ur_err **err)
{
        struct ur_cgroups_path p = { 0 };
        const char *c1, *c2;

        if (!s || !*s) {
                *ret = p;
                return 0;
        }
        c1 = strchr(s, ':');
        if (s[0] == '/' || !c1) {
                p.kind = UR_CGPATH_PATH;
                if (normalize_path(s, &p.path, err) < 0)
                        return -1;
                *ret = p;
                return 0;
        }
        c2 = strchr(c1 + 1, ':');
        if (!c2 || strchr(c2 + 1, ':'))
                return ur_err_set(err, EINVAL,
                                  "cgroupsPath '%s': expected an absolute path or \"slice:prefix:name\"", s);
        p.kind = UR_CGPATH_SYSTEMD;
        if (c1 > s && !(p.slice = strndup(s, (size_t) (c1 - s))))
                goto oom;
        if (c2 > c1 + 1 && !(p.prefix = strndup(c1 + 1, (size_t) (c2 - c1 - 1))))
                goto oom;
        if (!*(c2 + 1)) {
                ur_cgroups_path_done(&p);
                return ur_err_set(err, EINVAL, "cgroupsPath '%s': the name part is empty", s);
        }
        if (!(p.name = strdup(c2 + 1)))
                goto oom;
        if (p.slice && !ur_unit_name_valid(p.slice, ".slice")) {
                ur_cgroups_path_done(&p);
                return ur_err_set(err, EINVAL, "cgroupsPath '%s': '%.*s' is not a valid slice name", s,
                                  (int) (c1 - s), s);
        }
        *ret = p;
        return 0;
oom:
        ur_cgroups_path_done(&p);
        return ur_err_set(err, ENOMEM, "cgroupsPath '%s'", s);
}

int ur_slice_expand(const char *slice, char **ret, struct ur_err **err)
{
        _cleanup_free_ char *path = NULL, *base = NULL;
        size_t n, plen = 0;
        const char *p;

        if (!ur_unit_name_valid(slice, ".slice"))
                return ur_err_set(err, EINVAL, "invalid slice name '%s'", slice);
        n = strlen(slice) - strlen(".slice");
        base = strndup(slice, n);
        if (!base)
                return ur_err_set(err, ENOMEM, "slice '%s'", slice);
        if (strcmp(base, "-") == 0) {
                if (!(*ret = strdup("/")))
                        return ur_err_set(err, ENOMEM, "slice '%s'", slice);
                return 0;
        }
        /* Each prefix ending before a '-' is an ancestor slice. */
        path = malloc(n * (n + 8) + 2);
        if (!path)
                return ur_err_set(err, ENOMEM, "slice '%s'", slice);
        p = base;
        for (;;) {
                size_t len = strcspn(p, "-");

                if (len == 0)
                        return ur_err_set(err, EINVAL, "invalid slice name '%s' (empty component)", slice);
                plen += (size_t) sprintf(path + plen, "/%.*s.slice", (int) (p + len - base), base);
                if (!p[len])
                        break;
                p += len + 1;
        }
        *ret = TAKE_PTR(path);
        return 0;
}

static int systemd_unit(const struct ur_cgroups_path *p, char **ret, struct ur_err **err)
{
        size_t n = strlen(p->name);
        char *unit = NULL;

        if (n > 6 && strcmp(p->name + n - 6, ".slice") == 0)
                return ur_err_set(err, EINVAL,
                                  "cgroupsPath name '%s' is a slice; urunc runs each container in a scope",
                                  p->name);
        if (asprintf(&unit, "%s%s%s.scope", p->prefix ? p->prefix : "", p->prefix ? "-" : "", p->name) < 0)
                return ur_err_set(err, ENOMEM, "unit name");
        if (!ur_unit_name_valid(unit, ".scope")) {
                ur_err_set(err, EINVAL, "cgroupsPath gives '%s', not a valid scope unit name", unit);
                free(unit);
                return -1;
        }
        *ret = unit;
        return 0;
}

int ur_scope_target(const struct ur_cgroup_request *req, char **ret_unit, char **ret_slice,
                    struct ur_err **err)
{
        struct ur_cgroups_path p;
        _cleanup_free_ char *unit = NULL, *slice = NULL;
        const char *def = req->default_slice && *req->default_slice ? req->default_slice
                                                                     : UR_DEFAULT_SLICE;

        if (ur_cgroups_path_parse(req->cgroups_path, &p, err) < 0)
                return -1;
        if (p.kind == UR_CGPATH_SYSTEMD) {
                if (systemd_unit(&p, &unit, err) < 0) {
                        ur_cgroups_path_done(&p);
                        return -1;
                }
                slice = p.slice ? strdup(p.slice) : strdup(def);
        } else {
                if (p.kind == UR_CGPATH_PATH && req->systemd_cgroup) {
                        ur_cgroups_path_done(&p);
                        return ur_err_set(err, EINVAL,
                                          "cgroupsPath '%s': expected \"slice:prefix:name\" with --systemd-cgroup",
                                          req->cgroups_path);
                }
                unit = ur_scope_name(req->id);
                slice = strdup(def);
                if (unit && !ur_unit_name_valid(unit, ".scope")) {
                        ur_cgroups_path_done(&p);
                        return ur_err_set(err, EINVAL, "container id '%s' gives the unit name '%s', too long or invalid",
                                          req->id, unit);
                }
        }
        ur_cgroups_path_done(&p);
        if (!unit || !slice)
                return ur_err_set(err, ENOMEM, "scope name");
        if (!ur_unit_name_valid(slice, ".slice"))
                return ur_err_set(err, EINVAL, "invalid slice name '%s'", slice);
        *ret_unit = TAKE_PTR(unit);
        *ret_slice = TAKE_PTR(slice);
        return 0;
}

int ur_cgroupfs_target(const struct ur_cgroup_request *req, char **ret_path, struct ur_err **err)
{
        struct ur_cgroups_path p;
        _cleanup_free_ char *unit = NULL, *spath = NULL;
        char *path = NULL;

        if (ur_cgroups_path_parse(req->cgroups_path, &p, err) < 0)
                return -1;
        switch (p.kind) {
        case UR_CGPATH_PATH:
                path = TAKE_PTR(p.path);
                break;
        case UR_CGPATH_SYSTEMD:
                if (systemd_unit(&p, &unit, err) < 0 ||
                    ur_slice_expand(p.slice ? p.slice
                                            : req->default_slice && *req->default_slice ? req->default_slice
                                                                                         : UR_DEFAULT_SLICE,
                                    &spath, err) < 0) {
                        ur_cgroups_path_done(&p);
                        return -1;
                }
                path = ur_path_join(spath, unit);
                break;
        case UR_CGPATH_NONE:
                if (!req->id || !*req->id || strchr(req->id, '/') || strcmp(req->id, ".") == 0 ||
                    strcmp(req->id, "..") == 0) {
                        ur_cgroups_path_done(&p);
                        return ur_err_set(err, EINVAL, "container id '%s' cannot name a cgroup",
                                          req->id ? req->id : "");
                }
                if (asprintf(&path, "/urunc/%s", req->id) < 0)
                        path = NULL;
                break;
        }
        ur_cgroups_path_done(&p);
        if (!path)
                return ur_err_set(err, ENOMEM, "cgroup path");
        *ret_path = path;
        return 0;
}

/* ---- systemd properties ---- */

static int add_cpuset(struct ur_props *p, const char *name, const char *list, struct ur_err **err)
{
        _cleanup_free_ uint8_t *mask = NULL;
        size_t n = 0;

        if (ur_cpuset_to_mask(list, &mask, &n, err) < 0)
                return ur_err_wrap(err, "%s", name);
        if (n == 0)
                return 0;
        if (ur_props_add_bytes(p, name, mask, n) < 0)
                return ur_err_set(err, ENOMEM, "%s", name);
        return 0;
}

int ur_resources_to_props(const struct ur_resources *res, bool v1_cpu, struct ur_props *p,
                          struct ur_err **err)
{
        int r = 0;

        if (!res)
                return 0;
        if (res->memory_limit > 0)
                r = r < 0 ? r : ur_props_add_u64(p, "MemoryMax", (uint64_t) res->memory_limit);
        if (res->memory_reservation > 0)
                r = r < 0 ? r : ur_props_add_u64(p, "MemoryLow", (uint64_t) res->memory_reservation);
        if (res->cpu_quota > 0)
                r = r < 0 ? r
                          : ur_props_add_u64(p, "CPUQuotaPerSecUSec",
                                             ur_cpu_quota_per_sec(res->cpu_quota, res->cpu_period));
        if (res->cpu_period > 0)
                r = r < 0 ? r : ur_props_add_u64(p, "CPUQuotaPeriodUSec", res->cpu_period);
        if (res->cpu_shares > 0)
                r = r < 0    ? r
                    : v1_cpu ? ur_props_add_u64(p, "CPUShares", res->cpu_shares)
                             : ur_props_add_u64(p, "CPUWeight", ur_cpu_shares_to_weight(res->cpu_shares));
        if (res->pids_limit > 0)
                r = r < 0 ? r : ur_props_add_u64(p, "TasksMax", (uint64_t) res->pids_limit);
        uint64_t swap;
        if (ur_resources_swap_max(res, &swap) > 0)
                r = r < 0 ? r : ur_props_add_u64(p, "MemorySwapMax", swap);
        if (r < 0)
                return ur_err_set(err, -r, "scope properties");
        if (res->cpu_cpus && add_cpuset(p, "AllowedCPUs", res->cpu_cpus, err) < 0)
                return -1;
        if (res->cpu_mems && add_cpuset(p, "AllowedMemoryNodes", res->cpu_mems, err) < 0)
                return -1;
        return 0;
}

int ur_scope_properties(const struct ur_cgroup_request *req, const char *slice, struct ur_props *ret,
                        struct ur_err **err)
{
        struct ur_props p = { 0 };
        _cleanup_free_ char *desc = NULL;
        int r = 0;

        if (req->pid <= 0)
                return ur_err_set(err, EINVAL, "scope for '%s': no process to put in it", req->id);
        if (!req->description && asprintf(&desc, "urunc container %s", req->id) < 0)
                return ur_err_set(err, ENOMEM, "scope properties");
        r = r < 0 ? r : ur_props_add_str(&p, "Description", req->description ? req->description : desc);
        r = r < 0 ? r : ur_props_add_str(&p, "Slice", slice);
        r = r < 0 ? r : ur_props_add_pid(&p, "PIDs", (uint32_t) req->pid);
        r = r < 0 ? r : ur_props_add_bool(&p, "DefaultDependencies", false);
        r = r < 0 ? r : ur_props_add_str(&p, "CollectMode", "inactive-or-failed");
        r = r < 0 ? r : ur_props_add_bool(&p, "MemoryAccounting", true);
        r = r < 0 ? r : ur_props_add_bool(&p, "CPUAccounting", true);
        r = r < 0 ? r : ur_props_add_bool(&p, "TasksAccounting", true);
        if (r < 0) {
                ur_props_done(&p);
                return ur_err_set(err, -r, "scope properties");
        }
        if (ur_resources_to_props(req->res, req->v1_cpu, &p, err) < 0 ||
            ur_props_from_annotations(&p, req->annotations, req->n_annotations, err) < 0) {
                ur_props_done(&p);
                return -1;
        }
        *ret = p;
        return 0;
}
