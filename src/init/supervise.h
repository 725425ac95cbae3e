/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The supervisor: what the monitor process M becomes at start, once its
 * child has exec'd the VMM.  M stays the container's process (its pid is
 * the one in the state and the pid file, the one the engine reaps), so it
 *   - forwards every signal it gets to the VMM (sigs, read on a signalfd);
 *   - watches QEMU's QMP socket and ends a VM that QEMU stopped for good
 *     (KVM internal error, guest panic), which would otherwise wait forever;
 *   - reaps the VMM and exits with the container's status, mapped per
 *     monitor and guest family (ur_exit_status), logging why.
 * A bounded event loop: poll on the signalfd and the QMP socket.
 */

#include <signal.h>
#include <sys/types.h>

struct ur_supervise {
        const char *id;
        pid_t child;          /* the VMM */
        const char *monitor;  /* "qemu", ... */
        const char *guest;    /* "unikraft", ... */
        const char *qmp_path; /* NULL: nothing to watch */
};

/* Signals M forwards, and SIGCHLD: block them (before fork) and pass the
 * set to ur_supervise. */
void ur_supervise_signals(sigset_t *ret);

struct ur_security;
/* Take the VMM's credentials (uid, gids, no capabilities, no_new_privs)
 * and, when the VMM gets seccomp, the supervisor's own filter (kill only
 * of child). */
void ur_supervise_drop_privileges(const struct ur_security *sec, const char *id, pid_t child);

_Noreturn void ur_supervise(const struct ur_supervise *s, const sigset_t *sigs);
