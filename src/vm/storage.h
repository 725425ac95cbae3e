/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The container's storage as the guest gets it (urunc(8) STORAGE): the
 * spec's mounts become the VM's shares, in the spec's order.
 *
 * - Skipped (documented, logged at debug level): the mounts engines always
 *   add for a process container, which a guest has of its own or gets by
 *   other means: every destination at or below /proc, /sys or /dev (proc,
 *   sysfs, cgroup, devpts, mqueue, shm, Kubernetes' /dev/termination-log),
 *   and /etc/hosts, /etc/hostname, /etc/resolv.conf (the guest gets its
 *   hostname and nameserver on its command line: the resolv.conf source is
 *   read for that, src/init/init.c), podman's /run/.containerenv.
 * - Shared when the guest can take them, else skipped with a warning: the
 *   engines' secrets at or below /var/run/secrets and /run/secrets
 *   (Kubernetes' service-account token), so that such pods still run;
 *   copied into the initrd like any bind mount when they can be.
 * - A bind mount (type "bind", or an option "bind"/"rbind") of a
 *   directory: a 9p share (tag "vol<N>", N counting the 9p shares from 0),
 *   read-only when the last of the options "ro"/"rw" is "ro".
 * - A bind mount of a file, or of a directory the guest cannot share (or
 *   every bind mount with com.urunc.sharedfs=none): vm->copies, copied
 *   into the initrd (src/vm/initrd.c) when the family reads its
 *   initrd as its root and the VM's root is its initrd.
 * - A mount whose source is a block device (a bind mount of it, or a
 *   filesystem type on it): a virtio-blk volume, in the spec's order,
 *   serial "blk<N>", the guest mounting it with that type ("auto" for a
 *   bind mount); linux on qemu only.
 * - A tmpfs: a tmpfs made inside the guest (options size=, mode=,
 *   nr_inodes= kept, "ro" honoured); nothing on the host.
 * - mountRootfs: the container rootfs is the guest's root over 9p (tag
 *   UR_ROOTFS_TAG).
 * - With the annotation com.urunc.sharedfs=virtiofs (linux on qemu), the
 *   bind mounts and the rootfs go through virtiofsd instead of 9p (kind
 *   UR_SHARE_VIRTIOFS, the same tags); src/init/virtiofsd.c runs it.
 * Anything else (a file that cannot be copied, another type, a family or monitor
 * that cannot take the kind) is an error naming the mount's destination
 * and source.
 */

#include "oci/spec.h"
#include "util/error.h"
#include "vm/vm.h"

#define UR_VIRTIOFSD_DEFAULT "/usr/lib/qemu/virtiofsd" /* Debian's qemu-system-common */

/* True when the spec mount at destination d is one urunc skips. */
bool ur_mount_skipped(const char *d);

/* Fill vm->shares from spec->mounts (vm->guest, vm->monitor and
 * vm->share_rootfs already set); check mountRootfs against the family. */
int ur_vm_storage(const struct ur_spec *spec, struct ur_vm *vm, struct ur_err **err);
/* vm->virtiofsd when virtiofs is used: the configured path, else
 * UR_VIRTIOFSD_DEFAULT, else "virtiofsd" in $PATH. */
int ur_vm_virtiofsd(struct ur_vm *vm, const char *configured, struct ur_err **err);
