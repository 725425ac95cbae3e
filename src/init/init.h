/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The init process (comm urunc:created): cloned by create into the container's namespaces,
 * it carries out the plan (vm/plan.h).  An sd-event loop serves create's
 * channel, then the control socket (any number of peers, each under a
 * deadline), until a Start has run its sequence (network, hooks, argv,
 * console, virtiofsd, confine); then the VMM is exec'd under the
 * supervisor, with the plan's credentials and seccomp filter.
 */

#include <stdbool.h>
#include <stdint.h>

#include "oci/spec.h"
#include "init/channel.h"
#include "security/security.h"
#include "vm/plan.h"

#define UR_INIT_MAX_PEERS 16

struct hook_job;

struct ur_init {
        uint64_t timeout_usec;         /* the bound of one step ([runtime] timeout_sec) */
        const struct ur_spec *spec;
        struct ur_plan *plan;          /* what to do, resolved at create (vm/plan.h) */
        const char *id;
        const char *state_dir;
        char *sock_path;
        int listen_fd;
        const char *console_slave;     /* attach this pty as stdio, or NULL */
        int ns_fds[_UR_NS_MAX];        /* namespaces to join (opened by create), -1 */
        int preserve_fds;
        struct ur_err *init_err;       /* failure of the namespace setup, reported by Init() */
        struct ur_security *security;  /* seccomp, confinement, credentials (ur_security_prepare) */
        bool committed;
        bool exec_now;
        bool start_failed;
        bool networked;
        char ifname[16];
        /* The loop (init.c): peers on create's socketpair and on the
         * control socket, served together, each under a deadline. */
        sd_event *event;
        sd_event_source *listen_src, *step_src, *reap_src;
        struct ur_channel_peer *peers[UR_INIT_MAX_PEERS];
        bool peer_gone[UR_INIT_MAX_PEERS];
        struct ur_channel_peer *create_peer; /* create's, until it hangs up */
        struct ur_channel_peer *start_peer;  /* the caller of the start under way */
        bool start_peer_gone;                /* ... which has hung up meanwhile */
        sd_bus_message *start_call;          /* its Start, answered when the sequence ends */
        char *start_state;                   /* the state given to startContainer hooks */
        uint64_t start_budget_usec;
        sd_event_source *start_deadline;
        unsigned step;                       /* the start step next (init.c start_steps) */
        struct hook_job *hooks;              /* a hook stage running in a child, or NULL */
};

_Noreturn void ur_init_main(struct ur_init *m, int chan_fd);
