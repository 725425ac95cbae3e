/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The confined monitor: the calling process, already in a mount namespace
 * of its own (ur_security_own_mount_ns, at setup), gets a root that is a small read-only tmpfs (pivot_root)
 * holding only what the monitor needs, each at its own absolute path so that the exec plan's argv stays
 * valid:
 *
 *   - the monitor binary, its ELF interpreter and the library directories
 *     (/lib64, /usr/lib64, /{usr/,}lib/<multiarch>, /usr/local/lib,
 *     /etc/ld.so.cache), read-only;
 *   - the monitor's data (qemu: /usr/share/qemu, /usr/share/seabios,
 *     /usr/lib/ipxe/qemu, /usr/share/ovmf; plus vm->monitor_data_path),
 *     read-only;
 *   - the plan's binds (plan->binds): the directories shared over 9p and
 *     the block volumes' device nodes (read-only when the mount is; device
 *     nodes without nodev), then the kernel and initrd (read-only) and the
 *     block images (read-write unless read-only), pinned at setup
 *     (ur_plan_pin) and bound from their fds whatever the paths name at
 *     start, over the rootfs when it is shared with the guest;
 *   - at the state dir's path, the directory <state_dir>/monitor (owned by
 *     the monitor's uid/gid, 0700): what the monitor creates there (QEMU's
 *     qmp.sock) appears on the host in <state_dir>/monitor/, and the rest
 *     of the state dir (state, the saved config.json, the control socket)
 *     stays out of its sight; the exec plan's files are bound at their
 *     paths (and owned by the monitor's uid/gid);
 *   - /dev with fresh nodes: null, zero, full, random, urandom (0666),
 *     net/tun (0666), kvm and vhost-net (0600, owned by the monitor's
 *     uid/gid) when the host has them;
 *   - /proc (read-only) when the monitor has its own pid namespace.
 *
 * Symlinks met on the way (/lib -> usr/lib, ...) are recreated as they
 * are; every bind is made from an O_PATH fd checked to be the path asked
 * for.  Nothing else of the host's filesystem is reachable afterwards.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"
#include "vm/plan.h"

#define UR_CONFINE_OWN_DIR "monitor"       /* <state_dir>/monitor: the monitor's own files */
#define UR_CONFINE_ROOT_DIR "monitor-root" /* <state_dir>/monitor-root: where the new root is built */
#define UR_CONFINE_PIN_PREFIX ".pin"       /* <state_dir>/.pin.N: staging of the pinned binds */

struct ur_confine {
        const char *state_dir; /* host state dir of the container */
        uid_t uid;             /* owner of the monitor's own dir, files and device nodes */
        gid_t gid;
        bool proc; /* mount a procfs (the monitor has its own pid namespace) */
};

int ur_confine_vmm(const struct ur_confine *c, const struct ur_plan *plan, const struct ur_exec *ex,
                   struct ur_err **err);
