/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The init process (was "the monitor process"; comm urunc:created): cloned
 * by create into the container's namespaces, it waits (serving the channel) until start, then sets up the network and
 * execs the VMM, becoming the container's process.
 */

#include <stdbool.h>

#include "oci/spec.h"
#include "runtime/runtime.h"
#include "security/security.h"
#include "vm/vm.h"

struct ur_init {
        const struct ur_context *ctx;
        const struct ur_spec *spec;
        struct ur_vm *vm;
        const char *id;
        const char *state_dir;
        char *sock_path;
        int listen_fd;
        const char *console_slave;     /* attach this pty as stdio, or NULL */
        bool console_journal;          /* at start, stdout/stderr to the journal (com.urunc.console) */
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

_Noreturn void ur_init_main(struct ur_init *m, int chan_fd);
