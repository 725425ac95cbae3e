/* SPDX-License-Identifier: Apache-2.0 */
#include "oci/spec.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "oci/json.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

static const char *const hook_names[_UR_HOOK_MAX] = {
        [UR_HOOK_PRESTART] = "prestart",
        [UR_HOOK_CREATE_RUNTIME] = "createRuntime",
        [UR_HOOK_CREATE_CONTAINER] = "createContainer",
        [UR_HOOK_START_CONTAINER] = "startContainer",
        [UR_HOOK_POSTSTART] = "poststart",
        [UR_HOOK_POSTSTOP] = "poststop",
};

static const char *const ns_names[_UR_NS_MAX] = {
        [UR_NS_PID] = "pid",
        [UR_NS_NETWORK] = "network",
        [UR_NS_MOUNT] = "mount",
        [UR_NS_IPC] = "ipc",
        [UR_NS_UTS] = "uts",
        [UR_NS_USER] = "user",
        [UR_NS_CGROUP] = "cgroup",
        [UR_NS_TIME] = "time",
};

const char *ur_hook_stage_name(enum ur_hook_stage stage)
{
        return (unsigned) stage < _UR_HOOK_MAX ? hook_names[stage] : NULL;
}

const char *ur_ns_type_name(enum ur_ns_type type)
{
        return (unsigned) type < _UR_NS_MAX ? ns_names[type] : NULL;
}

void ur_resources_init(struct ur_resources *res)
{
        *res = (struct ur_resources){
                .memory_limit = -1,
                .memory_reservation = -1,
                .cpu_quota = -1,
                .pids_limit = -1,
        };
}

int ur_resources_swap_max(const struct ur_resources *res, uint64_t *ret)
{
        if (res->memory_swap == 0)
                return 0;
        if (res->memory_swap < 0) {
                *ret = UINT64_MAX;
                return 1;
        }
        /* Checked by ur_resources_check: a limit, and swap >= limit. */
        *ret = res->memory_limit > 0 && res->memory_swap >= res->memory_limit
                       ? (uint64_t) (res->memory_swap - res->memory_limit)
                       : 0;
        return 1;
}

int ur_resources_check(const struct ur_resources *res, const char *path, struct ur_err **err)
{
        const char *dot = *path ? "." : "";

        if (res->memory_swap > 0 && res->memory_limit <= 0)
                return ur_err_set(err, 0, "%s%smemory.swap: %" PRId64 " cannot be set without memory.limit",
                                  path, dot, res->memory_swap);
        if (res->memory_swap > 0 && res->memory_swap < res->memory_limit)
                return ur_err_set(err, 0,
                                  "%s%smemory.swap: %" PRId64 " is below memory.limit %" PRId64
                                  " (swap is the limit of memory + swap)",
                                  path, dot, res->memory_swap, res->memory_limit);
        if (res->has_swappiness)
                return ur_err_set(err, 0,
                                  "%s%smemory.swappiness: cannot be applied (cgroup v2 has no per-cgroup "
                                  "swappiness); remove it",
                                  path, dot);
        if (res->disable_oom_killer)
                return ur_err_set(err, 0,
                                  "%s%smemory.disableOOMKiller: true cannot be applied (cgroup v2 cannot disable "
                                  "the OOM killer)",
                                  path, dot);
        if (res->has_block_io)
                return ur_err_set(err, 0,
                                  "%s%sblockIO: not supported for unikernel containers (urunc applies no I/O "
                                  "limits to the monitor); remove it",
                                  path, dot);
        if (res->has_network)
                return ur_err_set(err, 0,
                                  "%s%snetwork: classID and priorities cannot be applied (net_cls and net_prio "
                                  "are cgroup v1 controllers); remove it",
                                  path, dot);
        return 0;
}

static const struct {
        const char *name;
        int resource;
} rlimit_names[] = {
        { "RLIMIT_AS", RLIMIT_AS },         { "RLIMIT_CORE", RLIMIT_CORE },
        { "RLIMIT_CPU", RLIMIT_CPU },       { "RLIMIT_DATA", RLIMIT_DATA },
        { "RLIMIT_FSIZE", RLIMIT_FSIZE },   { "RLIMIT_LOCKS", RLIMIT_LOCKS },
        { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
        { "RLIMIT_NICE", RLIMIT_NICE },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
        { "RLIMIT_NPROC", RLIMIT_NPROC },   { "RLIMIT_RSS", RLIMIT_RSS },
        { "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
        { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

int ur_rlimit_resource(const char *type)
{
        for (size_t i = 0; type && i < ELEMENTSOF(rlimit_names); i++)
                if (strcmp(rlimit_names[i].name, type) == 0)
                        return rlimit_names[i].resource;
        return -1;
}

int ur_spec_check(const struct ur_spec *spec, const char *name, struct ur_err **err)
{
        const char *v = spec->oci_version;

        if (!name)
                name = "config.json";
        if (!v)
                return ur_err_set(err, 0, "%s: missing 'ociVersion'", name);
        /* "1", "1.0.2", "1.2.0-rc.1": major version 1. */
        if (v[0] != '1' || (v[1] != '\0' && v[1] != '.'))
                return ur_err_set(err, 0, "%s: ociVersion '%s': urunc supports runtime-spec 1.x", name, v);
        for (const char *p = v + 1; *p; p++)
                if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '+' ||
                      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
                        return ur_err_set(err, 0, "%s: ociVersion '%s' is not a version", name, v);
        if (!spec->process.present)
                return ur_err_set(err, 0, "%s: missing 'process' (required to start the container)", name);
        for (size_t i = 0; i < spec->process.n_rlimits; i++) {
                const struct ur_rlimit *rl = &spec->process.rlimits[i];
                if (ur_rlimit_resource(rl->type) < 0)
                        return ur_err_set(err, 0, "%s: process.rlimits[%zu].type: unknown rlimit '%s'", name, i,
                                          rl->type);
                if (rl->soft > rl->hard)
                        return ur_err_set(err, 0,
                                          "%s: process.rlimits[%zu] (%s): soft %" PRIu64 " is above hard %" PRIu64,
                                          name, i, rl->type, rl->soft, rl->hard);
        }
        if (ur_resources_check(&spec->resources, "linux.resources", err) < 0)
                return ur_err_wrap(err, "%s", name);
        return 0;
}

void ur_resources_done(struct ur_resources *res)
{
        if (!res)
                return;
        free(res->cpu_cpus);
        free(res->cpu_mems);
        res->cpu_cpus = res->cpu_mems = NULL;
}

static void hook_list_done(struct ur_hook_list *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].path);
                ur_strv_free(l->v[i].args);
                ur_strv_free(l->v[i].env);
        }
        free(l->v);
        l->v = NULL;
        l->n = 0;
}

void ur_spec_free(struct ur_spec *spec)
{
        if (!spec)
                return;
        free(spec->oci_version);
        free(spec->bundle);
        free(spec->root_path);
        ur_strv_free(spec->process.args);
        ur_strv_free(spec->process.env);
        free(spec->process.cwd);
        free(spec->process.additional_gids);
        for (size_t i = 0; i < spec->process.n_rlimits; i++)
                free(spec->process.rlimits[i].type);
        free(spec->process.rlimits);
        free(spec->hostname);
        for (size_t i = 0; i < spec->n_annotations; i++) {
                free(spec->annotations[i].key);
                free(spec->annotations[i].value);
        }
        free(spec->annotations);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                free(spec->mounts[i].destination);
                free(spec->mounts[i].source);
                free(spec->mounts[i].type);
                ur_strv_free(spec->mounts[i].options);
        }
        free(spec->mounts);
        for (int i = 0; i < _UR_HOOK_MAX; i++)
                hook_list_done(&spec->hooks[i]);
        for (int i = 0; i < _UR_NS_MAX; i++)
                free(spec->namespaces[i].path);
        ur_resources_done(&spec->resources);
        free(spec->cgroups_path);
        free(spec);
}

const char *ur_spec_annotation(const struct ur_spec *spec, const char *key)
{
        if (!spec || !key)
                return NULL;
        for (size_t i = 0; i < spec->n_annotations; i++)
                if (strcmp(spec->annotations[i].key, key) == 0)
                        return spec->annotations[i].value;
        return NULL;
}

static int oom(struct ur_jctx *c, const char *what)
{
        return ur_err_set(c->err, ENOMEM, "%s: %s", c->name, what);
}

static int parse_uint32(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key,
                        uint32_t *ret)
{
        int64_t v;
        int r = ur_jget_int64(c, obj, path, key, &v);

        if (r <= 0)
                return r;
        if (v < 0 || v > (int64_t) UINT32_MAX - 1)
                return ur_err_set(c->err, 0, "%s: %s.%s: value %" PRId64 " out of range", c->name, path, key, v);
        *ret = (uint32_t) v;
        return 1;
}

static int parse_rlimits(struct ur_jctx *c, struct json_object *proc, struct ur_process *p)
{
        struct json_object *arr;
        size_t n;
        int r;

        r = ur_jget(c, proc, "process", "rlimits", json_type_array, &arr);
        if (r <= 0)
                return r;
        n = json_object_array_length(arr);
        if (n == 0)
                return 0;
        p->rlimits = calloc(n, sizeof(*p->rlimits));
        if (!p->rlimits)
                return oom(c, "process.rlimits");
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(arr, i);
                struct ur_rlimit *rl = &p->rlimits[i];
                char path[64];

                snprintf(path, sizeof(path), "process.rlimits[%zu]", i);
                p->n_rlimits = i + 1;
                if (!json_object_is_type(o, json_type_object))
                        return ur_err_set(c->err, 0, "%s: %s: expected an object, got %s", c->name, path,
                                          ur_jtype_name(json_object_get_type(o)));
                r = ur_jget_string(c, o, path, "type", &rl->type);
                if (r < 0)
                        return r;
                if (r == 0)
                        return ur_err_set(c->err, 0, "%s: %s: missing 'type'", c->name, path);
                if ((r = ur_jget_uint64(c, o, path, "soft", &rl->soft)) < 0)
                        return r;
                if (r == 0)
                        return ur_err_set(c->err, 0, "%s: %s: missing 'soft'", c->name, path);
                if ((r = ur_jget_uint64(c, o, path, "hard", &rl->hard)) < 0)
                        return r;
                if (r == 0)
                        return ur_err_set(c->err, 0, "%s: %s: missing 'hard'", c->name, path);
        }
        return 0;
}

static int parse_process(struct ur_jctx *c, struct json_object *root, struct ur_process *p)
{
        struct json_object *proc, *user, *gids;
        uint32_t id;
        int r;

        r = ur_jget(c, root, "", "process", json_type_object, &proc);
        if (r <= 0)
                return r;
        p->present = true;
        if (ur_jget_bool(c, proc, "process", "terminal", &p->terminal) < 0 ||
            ur_jget_strv(c, proc, "process", "args", &p->args) < 0 ||
            ur_jget_strv(c, proc, "process", "env", &p->env) < 0 ||
            ur_jget_string(c, proc, "process", "cwd", &p->cwd) < 0 ||
            ur_jget_bool(c, proc, "process", "noNewPrivileges", &p->no_new_privileges) < 0)
                return -1;

        if (parse_rlimits(c, proc, p) < 0)
                return -1;
        r = ur_jget(c, proc, "process", "user", json_type_object, &user);
        if (r < 0)
                return r;
        if (r == 0)
                return 0;
        r = parse_uint32(c, user, "process.user", "uid", &id);
        if (r < 0)
                return r;
        if (r > 0)
                p->uid = id;
        r = parse_uint32(c, user, "process.user", "gid", &id);
        if (r < 0)
                return r;
        if (r > 0)
                p->gid = id;
        r = ur_jget(c, user, "process.user", "additionalGids", json_type_array, &gids);
        if (r < 0)
                return r;
        if (r > 0) {
                size_t n = json_object_array_length(gids);
                if (n > 0) {
                        p->additional_gids = calloc(n, sizeof(gid_t));
                        if (!p->additional_gids)
                                return oom(c, "process.user.additionalGids");
                }
                for (size_t i = 0; i < n; i++) {
                        struct json_object *g = json_object_array_get_idx(gids, i);
                        int64_t v;

                        if (!json_object_is_type(g, json_type_int))
                                return ur_err_set(c->err, 0,
                                                  "%s: process.user.additionalGids[%zu]: expected an integer, got %s",
                                                  c->name, i, ur_jtype_name(json_object_get_type(g)));
                        v = json_object_get_int64(g);
                        if (v < 0 || v > (int64_t) UINT32_MAX - 1)
                                return ur_err_set(c->err, 0,
                                                  "%s: process.user.additionalGids[%zu]: value %" PRId64 " out of range",
                                                  c->name, i, v);
                        p->additional_gids[i] = (gid_t) v;
                }
                p->n_additional_gids = n;
        }
        return 0;
}

static int parse_annotations(struct ur_jctx *c, struct json_object *root, struct ur_spec *s)
{
        struct json_object *ann;
        size_t n, i = 0;
        int r;

        r = ur_jget(c, root, "", "annotations", json_type_object, &ann);
        if (r <= 0)
                return r;
        n = (size_t) json_object_object_length(ann);
        if (n == 0)
                return 0;
        s->annotations = calloc(n, sizeof(struct ur_kv));
        if (!s->annotations)
                return oom(c, "annotations");
        json_object_object_foreach(ann, key, val)
        {
                char what[512];

                snprintf(what, sizeof(what), "annotations['%s']", key);
                if (!json_object_is_type(val, json_type_string))
                        return ur_err_set(c->err, 0, "%s: %s: expected a string, got %s", c->name, what,
                                          ur_jtype_name(json_object_get_type(val)));
                s->annotations[i].key = strdup(key);
                if (!s->annotations[i].key)
                        return oom(c, "annotations");
                s->n_annotations = ++i;
                if (ur_jstring(c, val, what, &s->annotations[i - 1].value) < 0)
                        return -1;
        }
        return 0;
}

static int parse_mounts(struct ur_jctx *c, struct json_object *root, struct ur_spec *s)
{
        struct json_object *arr;
        size_t n;
        int r;

        r = ur_jget(c, root, "", "mounts", json_type_array, &arr);
        if (r <= 0)
                return r;
        n = json_object_array_length(arr);
        if (n == 0)
                return 0;
        s->mounts = calloc(n, sizeof(struct ur_mount));
        if (!s->mounts)
                return oom(c, "mounts");
        for (size_t i = 0; i < n; i++) {
                struct json_object *m = json_object_array_get_idx(arr, i);
                struct ur_mount *um = &s->mounts[i];
                char path[64];

                snprintf(path, sizeof(path), "mounts[%zu]", i);
                s->n_mounts = i + 1;
                if (!json_object_is_type(m, json_type_object))
                        return ur_err_set(c->err, 0, "%s: %s: expected an object, got %s", c->name, path,
                                          ur_jtype_name(json_object_get_type(m)));
                r = ur_jget_string(c, m, path, "destination", &um->destination);
                if (r < 0)
                        return r;
                if (r == 0)
                        return ur_err_set(c->err, 0, "%s: %s: missing 'destination'", c->name, path);
                if (ur_jget_string(c, m, path, "source", &um->source) < 0 ||
                    ur_jget_string(c, m, path, "type", &um->type) < 0 ||
                    ur_jget_strv(c, m, path, "options", &um->options) < 0)
                        return -1;
        }
        return 0;
}

static int parse_hooks(struct ur_jctx *c, struct json_object *root, struct ur_spec *s)
{
        struct json_object *hooks;
        int r;

        r = ur_jget(c, root, "", "hooks", json_type_object, &hooks);
        if (r <= 0)
                return r;
        for (int st = 0; st < _UR_HOOK_MAX; st++) {
                struct ur_hook_list *l = &s->hooks[st];
                struct json_object *arr;
                size_t n;

                r = ur_jget(c, hooks, "hooks", hook_names[st], json_type_array, &arr);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                n = json_object_array_length(arr);
                if (n == 0)
                        continue;
                l->v = calloc(n, sizeof(struct ur_hook));
                if (!l->v)
                        return oom(c, "hooks");
                for (size_t i = 0; i < n; i++) {
                        struct json_object *h = json_object_array_get_idx(arr, i);
                        struct ur_hook *uh = &l->v[i];
                        char path[64];
                        int64_t timeout;

                        snprintf(path, sizeof(path), "hooks.%s[%zu]", hook_names[st], i);
                        l->n = i + 1;
                        if (!json_object_is_type(h, json_type_object))
                                return ur_err_set(c->err, 0, "%s: %s: expected an object, got %s", c->name, path,
                                                  ur_jtype_name(json_object_get_type(h)));
                        r = ur_jget_string(c, h, path, "path", &uh->path);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                return ur_err_set(c->err, 0, "%s: %s: missing 'path'", c->name, path);
                        if (ur_jget_strv(c, h, path, "args", &uh->args) < 0 ||
                            ur_jget_strv(c, h, path, "env", &uh->env) < 0)
                                return -1;
                        r = ur_jget_int64(c, h, path, "timeout", &timeout);
                        if (r < 0)
                                return r;
                        if (r > 0) {
                                if (timeout <= 0 || timeout > INT_MAX)
                                        return ur_err_set(c->err, 0,
                                                          "%s: %s.timeout: must be a positive number of seconds, got %" PRId64,
                                                          c->name, path, timeout);
                                uh->timeout = (int) timeout;
                        }
                }
        }
        return 0;
}

static int ns_type_from_string(const char *s)
{
        for (int i = 0; i < _UR_NS_MAX; i++)
                if (strcmp(ns_names[i], s) == 0)
                        return i;
        return -1;
}

static int parse_namespaces(struct ur_jctx *c, struct json_object *linux_obj, struct ur_spec *s)
{
        struct json_object *arr;
        size_t n;
        int r;

        r = ur_jget(c, linux_obj, "linux", "namespaces", json_type_array, &arr);
        if (r <= 0)
                return r;
        n = json_object_array_length(arr);
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(arr, i);
                _cleanup_free_ char *type = NULL, *nspath = NULL;
                char path[64];
                int t;

                snprintf(path, sizeof(path), "linux.namespaces[%zu]", i);
                if (!json_object_is_type(o, json_type_object))
                        return ur_err_set(c->err, 0, "%s: %s: expected an object, got %s", c->name, path,
                                          ur_jtype_name(json_object_get_type(o)));
                r = ur_jget_string(c, o, path, "type", &type);
                if (r < 0)
                        return r;
                if (r == 0)
                        return ur_err_set(c->err, 0, "%s: %s: missing 'type'", c->name, path);
                t = ns_type_from_string(type);
                if (t < 0)
                        return ur_err_set(c->err, 0, "%s: %s.type: unknown namespace type '%s'", c->name, path, type);
                if (s->namespaces[t].present)
                        return ur_err_set(c->err, 0, "%s: %s.type: namespace type '%s' listed twice", c->name, path,
                                          type);
                if (ur_jget_string(c, o, path, "path", &nspath) < 0)
                        return -1;
                if (nspath && nspath[0] != '/')
                        return ur_err_set(c->err, 0, "%s: %s.path: '%s' is not an absolute path", c->name, path,
                                          nspath);
                s->namespaces[t].present = true;
                s->namespaces[t].path = TAKE_PTR(nspath);
        }
        return 0;
}

/* Parse a linux.resources object into res (fields absent keep their value). */
static int parse_resources_obj(struct ur_jctx *c, struct json_object *o, const char *path, struct ur_resources *res)
{
        struct json_object *mem, *cpu, *pids;
        char sub[128];
        int64_t i64;
        uint64_t u64;
        int r;

        snprintf(sub, sizeof(sub), "%s%smemory", path, *path ? "." : "");
        r = ur_jget(c, o, path, "memory", json_type_object, &mem);
        if (r < 0)
                return r;
        if (r > 0) {
                r = ur_jget_int64(c, mem, sub, "limit", &i64);
                if (r < 0)
                        return r;
                if (r > 0)
                        res->memory_limit = i64 > 0 ? i64 : -1;
                r = ur_jget_int64(c, mem, sub, "reservation", &i64);
                if (r < 0)
                        return r;
                if (r > 0)
                        res->memory_reservation = i64 > 0 ? i64 : -1;
                r = ur_jget_int64(c, mem, sub, "swap", &i64);
                if (r < 0)
                        return r;
                if (r > 0)
                        res->memory_swap = i64 < -1 ? -1 : i64;
                struct json_object *v;
                if (json_object_object_get_ex(mem, "swappiness", &v) && v)
                        res->has_swappiness = true;
                bool b = false;
                r = ur_jget_bool(c, mem, sub, "disableOOMKiller", &b);
                if (r < 0)
                        return r;
                if (r > 0)
                        res->disable_oom_killer = b;
        }
        {
                struct json_object *v;
                if (json_object_object_get_ex(o, "blockIO", &v) && v &&
                    !(json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0))
                        res->has_block_io = true;
                if (json_object_object_get_ex(o, "network", &v) && v &&
                    !(json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0))
                        res->has_network = true;
        }

        snprintf(sub, sizeof(sub), "%s%scpu", path, *path ? "." : "");
        r = ur_jget(c, o, path, "cpu", json_type_object, &cpu);
        if (r < 0)
                return r;
        if (r > 0) {
                r = ur_jget_int64(c, cpu, sub, "quota", &i64);
                if (r < 0)
                        return r;
                if (r > 0)
                        res->cpu_quota = i64 > 0 ? i64 : -1;
                r = ur_jget_uint64(c, cpu, sub, "period", &u64);
                if (r < 0)
                        return r;
                if (r > 0)
                        res->cpu_period = u64;
                r = ur_jget_uint64(c, cpu, sub, "shares", &u64);
                if (r < 0)
                        return r;
                if (r > 0)
                        res->cpu_shares = u64;
                if (ur_jget_string(c, cpu, sub, "cpus", &res->cpu_cpus) < 0 ||
                    ur_jget_string(c, cpu, sub, "mems", &res->cpu_mems) < 0)
                        return -1;
                /* An empty cpuset means "all", i.e. unset. */
                if (res->cpu_cpus && !*res->cpu_cpus) {
                        free(res->cpu_cpus);
                        res->cpu_cpus = NULL;
                }
                if (res->cpu_mems && !*res->cpu_mems) {
                        free(res->cpu_mems);
                        res->cpu_mems = NULL;
                }
        }

        snprintf(sub, sizeof(sub), "%s%spids", path, *path ? "." : "");
        r = ur_jget(c, o, path, "pids", json_type_object, &pids);
        if (r < 0)
                return r;
        if (r > 0) {
                r = ur_jget_int64(c, pids, sub, "limit", &i64);
                if (r < 0)
                        return r;
                if (r > 0)
                        res->pids_limit = i64 > 0 ? i64 : -1;
        }
        return 0;
}

static int parse_linux(struct ur_jctx *c, struct json_object *root, struct ur_spec *s)
{
        struct json_object *lx, *res, *seccomp;
        int r;

        r = ur_jget(c, root, "", "linux", json_type_object, &lx);
        if (r <= 0)
                return r;
        if (parse_namespaces(c, lx, s) < 0)
                return -1;
        r = ur_jget(c, lx, "linux", "resources", json_type_object, &res);
        if (r < 0)
                return r;
        if (r > 0 && parse_resources_obj(c, res, "linux.resources", &s->resources) < 0)
                return -1;
        if (ur_jget_string(c, lx, "linux", "cgroupsPath", &s->cgroups_path) < 0)
                return -1;
        r = ur_jget(c, lx, "linux", "seccomp", json_type_object, &seccomp);
        if (r < 0)
                return r;
        s->has_seccomp = r > 0;
        return 0;
}

static int parse_root(struct ur_jctx *c, struct json_object *root, struct ur_spec *s)
{
        _cleanup_free_ char *path = NULL;
        struct json_object *ro;
        const char *p;
        int r;

        r = ur_jget(c, root, "", "root", json_type_object, &ro);
        if (r < 0)
                return r;
        if (r == 0)
                return ur_err_set(c->err, 0, "%s: missing 'root'", c->name);
        r = ur_jget_string(c, ro, "root", "path", &path);
        if (r < 0)
                return r;
        if (r == 0 || !*path)
                return ur_err_set(c->err, 0, "%s: root.path: missing", c->name);
        if (ur_jget_bool(c, ro, "root", "readonly", &s->root_readonly) < 0)
                return -1;
        if (path[0] == '/') {
                s->root_path = TAKE_PTR(path);
                return 0;
        }
        p = path;
        while (p[0] == '.' && p[1] == '/') {
                p += 2;
                while (*p == '/')
                        p++;
        }
        s->root_path = *p && strcmp(p, ".") != 0 ? ur_path_join(s->bundle, p) : strdup(s->bundle);
        if (!s->root_path)
                return oom(c, "root.path");
        return 0;
}

/* The bundle, absolute: canonical when it exists.  A bundle that is gone
 * (a saved config.json parsed at delete time, say) is not an error: it is
 * then only made absolute. */
static int make_bundle_path(const char *bundle, char **ret, struct ur_err **err)
{
        _cleanup_free_ char *cwd = NULL;
        char *p = realpath(bundle, NULL);

        if (p) {
                *ret = p;
                return 0;
        }
        if (errno != ENOENT && errno != ENOTDIR)
                return ur_err_set(err, errno, "bundle '%s'", bundle);
        if (bundle[0] == '/') {
                p = strdup(bundle);
        } else {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return ur_err_set(err, errno, "bundle '%s': current directory", bundle);
                p = ur_path_join(cwd, bundle);
        }
        if (!p)
                return ur_err_set(err, ENOMEM, "bundle '%s'", bundle);
        *ret = p;
        return 0;
}

int ur_spec_parse(const char *json, size_t len, const char *bundle, const char *name, struct ur_spec **ret,
                  struct ur_err **err)
{
        _cleanup_spec_ struct ur_spec *s = NULL;
        struct ur_jctx c = {.name = name ? name : "config.json", .err = err};
        struct json_object *root = NULL;
        int r;

        if (len > UR_SPEC_MAX_SIZE)
                return ur_err_set(err, EFBIG, "%s: larger than %u bytes", c.name, UR_SPEC_MAX_SIZE);
        s = calloc(1, sizeof(*s));
        if (!s)
                return ur_err_set(err, ENOMEM, "%s", c.name);
        ur_resources_init(&s->resources);
        if (make_bundle_path(bundle ? bundle : ".", &s->bundle, err) < 0)
                return -1;

        r = ur_oci_json_parse(json, len, c.name, &root, err);
        if (r < 0)
                return r;
        if (!json_object_is_type(root, json_type_object)) {
                r = ur_err_set(err, 0, "%s: expected a JSON object at the top level, got %s", c.name,
                               ur_jtype_name(json_object_get_type(root)));
                goto out;
        }
        if (ur_jget_string(&c, root, "", "ociVersion", &s->oci_version) < 0 || parse_root(&c, root, s) < 0 ||
            parse_process(&c, root, &s->process) < 0 ||
            ur_jget_string(&c, root, "", "hostname", &s->hostname) < 0 || parse_annotations(&c, root, s) < 0 ||
            parse_mounts(&c, root, s) < 0 || parse_hooks(&c, root, s) < 0 || parse_linux(&c, root, s) < 0) {
                r = -1;
                goto out;
        }
        *ret = TAKE_PTR(s);
        r = 0;
out:
        json_object_put(root);
        return r;
}

int ur_spec_load(const char *bundle, struct ur_spec **ret, struct ur_err **err)
{
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t len;
        int r;

        if (!bundle)
                bundle = ".";
        path = ur_path_join(bundle, "config.json");
        if (!path)
                return ur_err_set(err, ENOMEM, "bundle '%s'", bundle);
        r = ur_read_file(path, UR_SPEC_MAX_SIZE, &text, &len, err);
        if (r < 0)
                return r;
        return ur_spec_parse(text, len, bundle, path, ret, err);
}

int ur_resources_parse(const char *json, size_t len, const char *name, struct ur_resources *res,
                       struct ur_err **err)
{
        struct ur_jctx c = {.name = name ? name : "resources", .err = err};
        struct json_object *root = NULL;
        struct ur_resources tmp = *res;
        int r;

        if (len > UR_SPEC_MAX_SIZE)
                return ur_err_set(err, EFBIG, "%s: larger than %u bytes", c.name, UR_SPEC_MAX_SIZE);
        /* Work on a copy so that *res changes only on success. */
        tmp.cpu_cpus = tmp.cpu_mems = NULL;
        if ((res->cpu_cpus && !(tmp.cpu_cpus = strdup(res->cpu_cpus))) ||
            (res->cpu_mems && !(tmp.cpu_mems = strdup(res->cpu_mems)))) {
                ur_resources_done(&tmp);
                return ur_err_set(err, ENOMEM, "%s", c.name);
        }
        r = ur_oci_json_parse(json, len, c.name, &root, err);
        if (r < 0)
                goto fail;
        if (!json_object_is_type(root, json_type_object)) {
                r = ur_err_set(err, 0, "%s: expected a JSON object at the top level, got %s", c.name,
                               ur_jtype_name(json_object_get_type(root)));
                goto fail;
        }
        r = parse_resources_obj(&c, root, "", &tmp);
        if (r < 0)
                goto fail;
        json_object_put(root);
        ur_resources_done(res);
        *res = tmp;
        return 0;
fail:
        json_object_put(root);
        ur_resources_done(&tmp);
        return r < 0 ? r : -1;
}
