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
#include "util/fs.h"
#include "vm/pairs.h"
#include "vmm/vmm.h"

int ur_vm_build_exec(const struct ur_vm *vm_in, struct ur_exec *ret, struct ur_err **err)
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

        _cleanup_free_ char *cmdline = NULL, *disk = NULL, *disk_path = NULL;
        if (guest->cmdline(&vm, &cmdline, err) < 0)
                return -1;
        if (guest->config_disk && guest->config_disk(&vm, &disk, err) < 0)
                return -1;
        if (disk) {
                if (!mon->takes_config_disk)
                        return ur_err_set(err, 0,
                                          "the %s guest needs a configuration disk, which %s cannot attach",
                                          guest->name, mon->name);
                if (!vm.state_dir)
                        return ur_err_set(err, 0,
                                          "the %s guest's configuration disk needs the state directory",
                                          guest->name);
                disk_path = ur_path_join(vm.state_dir, guest->config_disk_name);
                if (!disk_path)
                        return ur_err_set(err, ENOMEM, "%s guest", guest->name);
                vm.config_disk = disk_path;
        }
        struct ur_exec ex = { 0 };
        if (mon->build(&vm, guest, cmdline, &ex, err) < 0) {
                ur_exec_done(&ex);
                return ur_err_wrap(err, "%s guest on %s", guest->name, mon->name);
        }
        if (disk) {
                /* Written at start with the monitor's other files (text: the
                 * format has no NUL byte). */
                struct ur_exec_file *f = realloc(ex.files, (ex.n_files + 1) * sizeof(*f));
                if (!f) {
                        ur_exec_done(&ex);
                        return ur_err_set(err, ENOMEM, "%s guest", guest->name);
                }
                ex.files = f;
                f[ex.n_files].path = TAKE_PTR(disk_path);
                f[ex.n_files].content = TAKE_PTR(disk);
                ex.n_files++;
        }
        *ret = ex;
        return 0;
}
