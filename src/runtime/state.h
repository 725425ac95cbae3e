/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Container state: one directory per container under the state root,
 * <root>/<id>/, holding
 *   urunc-state.json  what create recorded (written atomically)
 *   config.json       a copy of the bundle's config (poststop hooks at delete
 *                     must not depend on the bundle still existing)
 *   control.sock      the monitor process's sd-bus socket while it waits
 * The status is derived from facts every time it is asked for.
 *
 * A fallback (non-unikernel) container is marked by <root>/.fallback-<id>
 * holding the path of the runtime that owns it; its state is that runtime's.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "cgroup/cgroup.h"
#include "util/error.h"

#define UR_STATE_FILE "urunc-state.json"
#define UR_STATE_CONFIG "config.json"
#define UR_STATE_SOCKET "control.sock"
#define UR_FALLBACK_PREFIX ".fallback-"

enum ur_status {
        UR_STATUS_CREATING,
        UR_STATUS_CREATED,
        UR_STATUS_RUNNING,
        UR_STATUS_PAUSED,
        UR_STATUS_STOPPED,
};

struct ur_state {
        char *id;
        char *dir;             /* <root>/<id> */
        char *bundle;
        char *rootfs;
        pid_t pid;
        uint64_t pid_start;    /* /proc/<pid>/stat field 22, against pid reuse */
        char *created;         /* RFC 3339 */
        char *owner;
        bool started;          /* start succeeded (the monitor exec'd) */
        /* Crash safety: create saves the state early, uncommitted, with its
         * own pid and the cgroup it is about to make, and commits it at the
         * end.  An uncommitted state whose creator is gone is what a killed
         * create left: "stopped", and delete --force removes it. */
        bool uncommitted;
        pid_t creator;
        uint64_t creator_start;
        bool bare;             /* a directory without a state file (create died right after mkdir) */
        bool systemd_cgroup;
        char *guest;
        char *monitor;
        char *netns_path;      /* joined network namespace, NULL when new */
        char *machine;         /* registered with systemd-machined under this name */
        char *tap;             /* tap name when networked */
        char *ifname;          /* the interface the guest took over */
        struct ur_cgroup cgroup;
        json_object *annotations; /* owned */
};

void ur_state_free(struct ur_state *st);
static inline void ur_state_freep(struct ur_state **s)
{
        ur_state_free(*s);
}
#define _cleanup_state_ __attribute__((cleanup(ur_state_freep)))

char *ur_state_dir(const char *root, const char *id);
int ur_state_save(const struct ur_state *st, struct ur_err **err);
/* -ENOENT with "container 'id' does not exist" when there is no state
 * directory.  A directory without a state file gives a bare state (pid 0,
 * ->bare set). */
int ur_state_load(const char *root, const char *id, struct ur_state **ret, struct ur_err **err);

/* Derived status.  An uncommitted state is "creating" while its creator
 * lives (a bare one: while its directory is locked), else "stopped". */
enum ur_status ur_state_status(const struct ur_state *st);
const char *ur_status_name(enum ur_status s);
/* The OCI state document ({"ociVersion","id","pid","status",...}). */
json_object *ur_state_to_oci(const struct ur_state *st, enum ur_status status);

/* Exclusive lock on the container directory (flock); returns the fd. */
int ur_state_lock(const char *dir, struct ur_err **err);

/* Ids of all containers with urunc state under root, bare directories
 * included, fallback containers excluded (sorted). */
int ur_state_list(const char *root, char ***ret, struct ur_err **err);
