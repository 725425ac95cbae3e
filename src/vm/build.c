/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ur_vm_build_exec: guest and monitor by name, the pair table, the boot
 * format against what the monitor can load, then the guest's command line
 * and the monitor's argv.
 */
#include "vm/build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest/guest.h"
#include "util/cleanup.h"
#include "vm/pairs.h"
#include "vmm/vmm.h"

int ur_vm_build_exec(const struct ur_vm *vm_in, struct ur_exec *ret, ur_err *err)
{
        const struct ur_guest_ops *guest = ur_guest_find(vm_in->guest);
        if (!guest)
                return ur_err_set(err, 0, "unknown guest '%s'", vm_in->guest ? vm_in->guest : "");
        const struct ur_vmm_ops *mon = ur_vmm_find(vm_in->monitor);
        if (!mon)
                return ur_err_set(err, 0, "unknown monitor '%s'", vm_in->monitor ? vm_in->monitor : "");
        if (!ur_pair_supported(guest->name, mon->name))
                return ur_err_set(err, 0, "guest '%s' is not supported on monitor '%s'", guest->name, mon->name);
        if (!vm_in->kernel)
                return ur_err_set(err, 0, "no kernel given for guest '%s'", guest->name);

        /* A description the core did not probe: probe here (reads headers only). */
        struct ur_vm vm = *vm_in;
        if (vm.boot == UR_BOOT_UNKNOWN && ur_kernel_probe(vm.kernel, &vm.boot, err) < 0)
                return -1;
        if (!(mon->boot_formats & UR_BOOT_FORMAT_BIT(vm.boot)))
                return ur_err_set(err, 0, "monitor '%s' cannot boot kernel '%s': its boot format is %s",
                                  mon->name, vm.kernel, ur_boot_format_name(vm.boot));

        _cleanup_free_ char *cmdline = NULL;
        if (guest->cmdline(&vm, &cmdline, err) < 0)
                return -1;
        struct ur_exec ex = { 0 };
        if (mon->build(&vm, guest, cmdline, &ex, err) < 0) {
                ur_exec_done(&ex);
                return ur_err_wrap(err, "%s guest on %s", guest->name, mon->name);
        }
        *ret = ex;
        return 0;
}
