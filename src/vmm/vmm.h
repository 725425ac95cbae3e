/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Monitor backends: one per VMM, pure builders from a VM description to
 * what the monitor process execs.
 */

#include <stdbool.h>
#include <stdint.h>

#include "guest/guest.h"
#include "vm/pairs.h"
#include "vm/vm.h"
#include "util/error.h"

struct ur_vmm_ops {
        const char *name;              /* "qemu" */
        const char *default_binary;    /* "qemu-system-x86_64", looked up in $PATH */
        int stop_signal;               /* graceful stop signal */
        /* Build argv/env/files for vm; guest_cmdline comes from the guest backend. */
        int (*build)(const struct ur_vm *vm, const struct ur_guest_ops *guest, const char *guest_cmdline,
                     struct ur_exec *ret, struct ur_err **err);
        /* Boot formats it can load: a mask of UR_BOOT_FORMAT_BIT(format). */
        unsigned boot_formats;
        /* Runs the guest as a sandboxed host process (spt): no VM, so
         * accel (KVM or TCG) does not apply and is not resolved. */
        bool no_accel;
        /* Attaches vm->config_disk as the last virtio-blk disk. */
        bool takes_config_disk;
};

#define UR_BOOT_FORMAT_BIT(f) (1u << (unsigned) (f))

const struct ur_vmm_ops *ur_vmm_find(const char *name);
const struct ur_vmm_ops *const *ur_vmm_all(void);

/* What the supervisor knows when the monitor has ended. */
struct ur_exit_facts {
        int wstatus;             /* waitpid's status of the monitor */
        const char *vm_stopped;  /* QEMU's run state when urunc killed a VM QEMU had stopped for good */
        bool guest_panicked;     /* QMP reported GUEST_PANICKED (or a SHUTDOWN for a panic) */
};

/* The container's exit status from how the monitor ended, mapped per
 * monitor and guest family (man/urunc.8, EXIT STATUS); *ret_why (malloc'd,
 * may be NULL on ENOMEM) says why in a sentence. */
int ur_exit_status(const char *monitor, const char *guest, const struct ur_exit_facts *f, char **ret_why);

/* virtiofsd's vhost-user socket for a tag, in the state dir as the monitor
 * sees it (init/virtiofsd.c creates it). */
#define UR_VIRTIOFS_SOCK_FMT "virtiofs-%s.sock"
