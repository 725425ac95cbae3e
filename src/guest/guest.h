/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Guest backends: one per unikernel family.  Each knows its command-line
 * dialect (COMPAT.md §4) and what it needs from a monitor.
 */

#include <stdbool.h>

#include "vm/vm.h"
#include "util/error.h"

/* The container's exit status when its guest crashed, or when the monitor
 * stopped the VM for good (QEMU: internal error, guest panic): 128 +
 * SIGABRT, what a process that aborts gets. */
#define UR_EXIT_CRASH 134

/* One exit code of a family's QEMU exit protocol: when QEMU exits with
 * status `qemu` (the guest wrote (qemu - 1) / 2 to its isa-debug-exit
 * port), the container's status is `status`, and `what` says why. */
struct ur_qemu_exit {
        int qemu;
        int status;
        const char *what;
};

struct ur_guest_ops {
        const char *name;
        /* The guest kernel command line (or config document, rumprun) for
         * this VM on the given monitor. */
        int (*cmdline)(const struct ur_vm *vm, char **ret, struct ur_err **err);

        /* Hints for monitors; NULL/false = the monitor's default. */
        const char *solo5_net;       /* the family's usual solo5 device names (upstream's defaults); */
        const char *solo5_block;     /* the solo5 monitors take them from the kernel's manifest */
        const char *qemu_debug_exit; /* isa-debug-exit properties, e.g. "iobase=0x501,iosize=2" */
        /* The family's exit codes through that port, ended by what == NULL;
         * other statuses are QEMU's as they are (see man/urunc.8). */
        const struct ur_qemu_exit *qemu_exits;
        const char *qemu_pci_props;  /* extra properties for virtio-*-pci devices */
        bool qemu_acpi;            /* on microvm: keep ACPI (and the legacy PIC/PIT) on */
        /* Storage the family can mount (src/vm/storage.c, urunc(8)
         * STORAGE): host directories over virtio-9p (QEMU only), a tmpfs of
         * its own, the container rootfs as its root over 9p (mountRootfs). */
        bool takes_9p;
        bool takes_tmpfs;
        bool takes_9p_root;
        bool takes_virtiofs; /* the same shares (and root) through virtiofs, QEMU only */
        bool takes_volumes;  /* block devices from the mounts as extra virtio-blk disks, QEMU only */
        /* A configuration disk (freebsd: urunit's configuration): the raw
         * bytes of a disk attached read-only after every other virtio-blk
         * disk, as the file config_disk_name in the state dir (written at
         * start, gone with the state dir at delete).  *ret NULL: this VM
         * needs none.  Only monitors with takes_config_disk attach it. */
        int (*config_disk)(const struct ur_vm *vm, char **ret, struct ur_err **err);
        const char *config_disk_name;
        /* Bind mounts it cannot share are copied into its initrd when the
         * initrd is its root filesystem (src/vm/initrd.c); newc_only:
         * its extractor reads one uncompressed newc archive. */
        bool takes_initrd_files;
        bool initrd_newc_only;
        /* Boots from a block device as its root (root=/dev/vda): takes the
         * rootfs's own block device with useDMBlock (src/vm/dmblock.c). */
        bool takes_dm_root;
        /* Takes block devices from the mounts as more Solo5 block devices,
         * in the manifest's order (hvt, spt). */
        bool takes_solo5_volumes;
};

const struct ur_guest_ops *ur_guest_find(const char *name);
/* NULL-terminated list of all guest families. */
const struct ur_guest_ops *const *ur_guest_all(void);
