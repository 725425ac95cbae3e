/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * virtiofsd for the VM's virtiofs shares (annotation com.urunc.sharedfs=
 * virtiofs, urunc(8) STORAGE): one daemon per share (the rootfs with
 * mountRootfs, then each bind mount), started by the monitor process at
 * start, before it confines itself, as its children:
 *
 *   virtiofsd --socket-path=<sock_dir>/virtiofs-<tag>.sock
 *     -o source=<directory> -o sandbox=namespace -o log_level=warn --syslog
 *
 * - in the container's scope (the monitor process's cgroup: listed by
 *   `urunc ps`, its memory counted), as root, confined by its own sandbox
 *   (namespace: new mount, pid and net namespaces, pivot_root into the
 *   shared directory, capabilities dropped) and its own seccomp filter;
 * - a read-only mount: the directory is bound read-only onto itself in a
 *   mount namespace of the daemon's own before the exec, so the share
 *   itself refuses writes (this virtiofsd has no read-only option);
 * - its messages go to syslog (the journal), not the container's stderr;
 * - it dies with the monitor process (parent-death signal SIGKILL) and
 *   exits by itself when QEMU disconnects; its socket is in the state dir
 *   (removed at delete), chowned to the monitor's uid/gid.
 *
 * Returns once every socket exists (at most 5 s each); on failure the
 * daemons started are killed and reaped.
 */

#include <sys/types.h>

#include "util/error.h"
#include "vm/vm.h"

int ur_virtiofsd_start(const struct ur_vm *vm, const char *sock_dir, uid_t uid, gid_t gid,
                       struct ur_err **err);
