/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The monitor process: cloned by create into the container's namespaces,
 * it waits (serving the channel) until start, then sets up the network and
 * execs the VMM, becoming the container's process.
 */

#include <stdbool.h>

#include "oci/spec.h"
#include "runtime/runtime.h"
#include "security/security.h"
#include "vm/plan.h"

struct ur_monitor {
        const struct ur_context *ctx;
        const struct ur_spec *spec;
        struct ur_plan *plan;          /* what to do, resolved at create (vm/plan.h) */
        const char *id;
        const char *state_dir;
        char *sock_path;
        int listen_fd;
        const char *console_slave;     /* attach this pty as stdio, or NULL */
        int ns_fds[_UR_NS_MAX];        /* namespaces to join (opened by create), -1 */
        int preserve_fds;
        ur_err init_err;               /* failure of the namespace setup, reported by Init() */
        struct ur_security *security;  /* seccomp, confinement, credentials (ur_security_prepare) */
        bool committed;
        bool exec_now;
        bool start_failed;
        bool networked;
        char ifname[16];
};

_Noreturn void ur_monitor_main(struct ur_monitor *m, int chan_fd);
