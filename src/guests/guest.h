/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Guest backends: one per unikernel family.  Each knows its command-line
 * dialect (COMPAT.md §4) and what it needs from a monitor.
 */

#include <stdbool.h>

#include "vm/vm.h"
#include "util/error.h"

enum ur_boot_format {
        UR_BOOT_PVH,        /* ELF with a PVH note: qemu microvm, firecracker */
        UR_BOOT_MULTIBOOT,  /* multiboot v1: qemu pc (option ROM loader) */
        UR_BOOT_LINUX,      /* bzImage / vmlinux */
        UR_BOOT_SOLO5,      /* solo5 ELF: hvt/spt */
};

struct ur_guest_ops {
        const char *name;
        /* The guest kernel command line (or config document, rumprun) for
         * this VM on the given monitor. */
        int (*cmdline)(const struct ur_vm *vm, char **ret, ur_err *err);
        enum ur_boot_format (*boot_format)(const struct ur_vm *vm);
};

const struct ur_guest_ops *ur_guest_find(const char *name);
/* NULL-terminated list of all guest families. */
const struct ur_guest_ops *const *ur_guest_all(void);
