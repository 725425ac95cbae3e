/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The runtime core: one function per lifecycle verb.  The CLI parses
 * options into these structs and calls one function; nothing here exits or
 * prints (except the fallback path, which execs another runtime).
 */

#include <stdbool.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "util/error.h"

struct ur_config;

struct ur_context {
        const char *root;          /* --root */
        bool systemd_cgroup;       /* --systemd-cgroup */
        bool rootless;             /* --rootless (accepted) */
        bool debug;
        struct ur_config *config;
        int argc;                  /* the original command line, for the fallback runtime */
        char **argv;
        int verb;                  /* index of the verb in argv (0: unknown) */
};

struct ur_create_opts {
        const char *id;
        const char *bundle;
        const char *pid_file;
        const char *console_socket;
        bool no_pivot;
        bool no_new_keyring;
        int preserve_fds;
        /* run: the terminal, if any, is our own stdio (no console socket). */
        bool inherit_terminal;
        /* run --netns: join this network namespace instead of the bundle's. */
        const char *netns_path;
        /* run --service: urunc run is the main process of this systemd
         * service: the monitor stays in the service's cgroup and the
         * bundle's limits are set on the service (no scope). */
        const char *service_unit;
        /* run under $NOTIFY_SOCKET: READY=1 once the guest runs and, when
         * non-zero, once this TCP port of the guest's address answers. */
        unsigned ready_port;
};

int ur_create(struct ur_context *ctx, const struct ur_create_opts *o, pid_t *ret_pid, struct ur_err **err);
int ur_start(struct ur_context *ctx, const char *id, struct ur_err **err);
/* create + start, then (unless detach) wait: *ret_status is the container's
 * exit status (128+N when the monitor was killed by signal N). */
int ur_run(struct ur_context *ctx, const struct ur_create_opts *o, bool detach, bool keep, int *ret_status,
           struct ur_err **err);
int ur_kill(struct ur_context *ctx, const char *id, int sig, bool all, struct ur_err **err);
int ur_delete(struct ur_context *ctx, const char *id, bool force, struct ur_err **err);
/* exec: hands a fallback container to its runtime (no return); otherwise
 * always fails, with "does not exist" for an unknown id as runc. */
int ur_exec(struct ur_context *ctx, const char *id, struct ur_err **err);
/* The OCI state document. */
int ur_state_json(struct ur_context *ctx, const char *id, json_object **ret, struct ur_err **err);
/* All containers' OCI state documents, sorted by id. */
int ur_list(struct ur_context *ctx, json_object **ret, struct ur_err **err);
int ur_ps(struct ur_context *ctx, const char *id, pid_t **ret, size_t *ret_n, struct ur_err **err);
int ur_pause(struct ur_context *ctx, const char *id, bool pause, struct ur_err **err);
int ur_update(struct ur_context *ctx, const char *id, const char *resources_json, size_t len,
              struct ur_err **err);

/* delete of a fallback container: run it, then forget the id.  Returns 1
 * and *ret_status when id was a fallback container. */
int ur_fallback_delete(struct ur_context *ctx, const char *id, int *ret_status, struct ur_err **err);
