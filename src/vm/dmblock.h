/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * useDMBlock (urunc(8) STORAGE): a snapshotter that gives the container a
 * block device (devmapper's thin device, or the blockfile snapshotter's
 * image on a loop device) mounts it at the rootfs; the guest boots from
 * that device instead.  create copies the kernel and the initrd out of the
 * rootfs into the state directory and unmounts the rootfs, so that only
 * the guest has the filesystem mounted.
 */

#include <stdbool.h>

#include "util/error.h"
#include "vm/vm.h"

#define UR_MOUNTINFO "/proc/self/mountinfo"

/* Where the kernel and initrd copied out of the rootfs go. */
#define UR_DM_BOOT_DIR "boot"

/*
 * Is the directory rootfs the root of a filesystem mounted from a block
 * device, according to mountinfo (a /proc/PID/mountinfo file)?  1 with
 * *ret_dev (the device node) and *ret_fstype, 0 when not (a directory of
 * an overlay, a subdirectory of a mount, no such mount), negative on error.
 */
int ur_rootfs_block(const char *mountinfo, const char *rootfs, char **ret_dev, char **ret_fstype,
                    struct ur_err **err);

/* vm->dm_root: copy vm->kernel and vm->initrd into state_dir/UR_DM_BOOT_DIR
 * (they then name the copies) and unmount vm->rootfs. */
int ur_vm_dm_detach(struct ur_vm *vm, const char *state_dir, struct ur_err **err);
