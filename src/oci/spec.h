/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The subset of an OCI runtime-spec config.json that urunc uses, as typed
 * data.  Parsing is defensive: sizes are bounded, types checked, and every
 * error names the file and the key (e.g. "config.json: process.args[2]:
 * expected a string").
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"
#include "util/strv.h" /* struct ur_kv */

#define UR_SPEC_MAX_SIZE (4u << 20) /* config.json larger than this is refused */

enum ur_hook_stage {
        UR_HOOK_PRESTART,
        UR_HOOK_CREATE_RUNTIME,
        UR_HOOK_CREATE_CONTAINER,
        UR_HOOK_START_CONTAINER,
        UR_HOOK_POSTSTART,
        UR_HOOK_POSTSTOP,
        _UR_HOOK_MAX,
};

struct ur_hook {
        char *path;
        char **args;  /* NULL-terminated, may be NULL */
        char **env;   /* NULL-terminated, may be NULL */
        int timeout;  /* seconds, 0 = none */
};

struct ur_hook_list {
        struct ur_hook *v;
        size_t n;
};

enum ur_ns_type {
        UR_NS_PID,
        UR_NS_NETWORK,
        UR_NS_MOUNT,
        UR_NS_IPC,
        UR_NS_UTS,
        UR_NS_USER,
        UR_NS_CGROUP,
        UR_NS_TIME,
        _UR_NS_MAX,
};

struct ur_namespace {
        bool present;   /* listed in linux.namespaces */
        char *path;     /* join this one; NULL = create a new one */
};

struct ur_mount {
        char *destination;
        char *source;
        char *type;
        char **options;
};

struct ur_resources {
        int64_t memory_limit;      /* bytes, -1 = unset (0 or negative in the spec = unset) */
        int64_t memory_reservation;/* bytes, -1 = unset */
        int64_t cpu_quota;         /* us, -1 = unset */
        uint64_t cpu_period;       /* us, 0 = unset */
        uint64_t cpu_shares;       /* 0 = unset */
        char *cpu_cpus;            /* cpuset list "0-3,5", NULL = unset */
        char *cpu_mems;
        int64_t pids_limit;        /* -1 = unset (0 or negative in the spec = unset) */
        int64_t memory_swap;       /* memory+swap bytes (OCI); 0 = unset, -1 = unlimited */
        /* Fields urunc cannot apply to the monitor's cgroup (v2): present
         * in the spec, they are refused by ur_resources_check. */
        bool has_swappiness;       /* linux.resources.memory.swappiness */
        bool disable_oom_killer;   /* linux.resources.memory.disableOOMKiller: true */
        bool has_block_io;         /* linux.resources.blockIO, not empty */
        bool has_network;          /* linux.resources.network, not empty */
};

struct ur_rlimit {
        char *type;                /* "RLIMIT_NOFILE" */
        uint64_t soft, hard;
};

struct ur_process {
        bool present;        /* "process" is in the spec (required to start) */
        bool terminal;
        char **args;
        char **env;
        char *cwd;
        uid_t uid;
        gid_t gid;
        gid_t *additional_gids;
        size_t n_additional_gids;
        bool no_new_privileges;
        struct ur_rlimit *rlimits;
        size_t n_rlimits;
};

struct ur_spec {
        char *oci_version;
        char *bundle;        /* absolute path of the bundle directory */
        char *root_path;     /* absolute path of the rootfs (root.path resolved against bundle) */
        bool root_readonly;
        struct ur_process process;
        char *hostname;
        struct ur_kv *annotations;
        size_t n_annotations;
        struct ur_mount *mounts;
        size_t n_mounts;
        struct ur_hook_list hooks[_UR_HOOK_MAX];
        struct ur_namespace namespaces[_UR_NS_MAX];
        struct ur_resources resources;
        char *cgroups_path;
        bool has_seccomp;    /* linux.seccomp present */
};

/* Load <bundle>/config.json.  bundle may be relative; it is made absolute. */
int ur_spec_load(const char *bundle, struct ur_spec **ret, struct ur_err **err);
/* Parse a config.json held in memory; bundle is used to resolve root.path;
 * name is used in error messages.  bundle (NULL = ".") is made absolute:
 * canonical (realpath) when it exists, else only absolute, so that a saved
 * config.json still parses after the bundle is gone.  root_path is the
 * bundle joined with a relative root.path (not canonicalized).  Unknown
 * fields are ignored, JSON null counts as absent, ociVersion is optional. */
int ur_spec_parse(const char *json, size_t len, const char *bundle, const char *name, struct ur_spec **ret,
                  struct ur_err **err);
void ur_spec_free(struct ur_spec *spec);
static inline void ur_spec_freep(struct ur_spec **s)
{
        ur_spec_free(*s);
}
#define _cleanup_spec_ __attribute__((cleanup(ur_spec_freep)))

/* Value of an annotation, or NULL. */
const char *ur_spec_annotation(const struct ur_spec *spec, const char *key);

/* Parse a linux.resources JSON object (the form `update --resources` takes);
 * fields absent from the document keep the values already in *res. */
int ur_resources_parse(const char *json, size_t len, const char *name, struct ur_resources *res,
                       struct ur_err **err);
void ur_resources_init(struct ur_resources *res);

/*
 * What a unikernel container needs of a spec beyond parsing (OCI
 * runtime.md: every field is applied or the create fails): ociVersion 1.x,
 * a "process", resources urunc can apply (ur_resources_check) and known
 * rlimit types.  Not part of parsing: a spec handed to the fallback
 * runtime is that runtime's to judge.
 */
int ur_spec_check(const struct ur_spec *spec, const char *name, struct ur_err **err);
/* Refuse the fields of linux.resources that cannot be applied to the
 * monitor's cgroup (v2): swappiness, disableOOMKiller true, blockIO,
 * network; swap below the memory limit or without one.  path prefixes
 * the field names in messages ("linux.resources", or "" for update). */
int ur_resources_check(const struct ur_resources *res, const char *path, struct ur_err **err);
/* The cgroup v2 memory.swap.max for res (OCI's swap is memory+swap):
 * 0 = not set, 1 = *ret set (UINT64_MAX = unlimited). */
int ur_resources_swap_max(const struct ur_resources *res, uint64_t *ret);
/* The RLIMIT_* number of an OCI rlimit type, or -1. */
int ur_rlimit_resource(const char *type);
void ur_resources_done(struct ur_resources *res);

const char *ur_hook_stage_name(enum ur_hook_stage stage); /* "prestart", "createRuntime", ... */
const char *ur_ns_type_name(enum ur_ns_type type);        /* "pid", "network", ... */
