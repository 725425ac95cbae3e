/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Solo5 tenders, hvt (KVM) and spt (seccomp sandbox, no KVM):
 *
 *   solo5-hvt --mem=<MiB> [--net:<name>=<tap> --net-mac:<name>=<mac>]
 *             [--block:<name>=<path>] <kernel> [<guest cmdline>]
 *
 * The device names are those the image's solo5 manifest declares; they
 * come from the guest (rumprun tap/rootfs, mirage service/storage).  A tap
 * is given by name, or as "@<fd>" (an fd the tender inherits) when only an
 * fd is known.  The manifest names one block device, so only one is
 * passed.  Solo5 loads solo5 ELFs only and takes no initrd.
 *
 * The tenders read "--block:NAME=PATH" with sscanf's "%s", which stops at
 * the first blank: "/rootfs/a b" would open "/rootfs/a", a file nobody
 * checked (it may be a symlink out of the rootfs).  Such a path is refused.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "monitors/monitor.h"
#include "util/strv.h"

static int solo5_build(const char *mon, const struct ur_vm *vm, const struct ur_guest_ops *guest,
                       const char *guest_cmdline, struct ur_exec *ret, ur_err *err)
{
        if (!vm->monitor_binary || !vm->kernel)
                return ur_err_set(err, 0, "%s: monitor binary and kernel are required", mon);
        if (vm->initrd)
                return ur_err_set(err, 0, "%s: solo5 takes no initrd ('%s')", mon, vm->initrd);
        if (vm->n_blocks > 1)
                return ur_err_set(err, 0, "%s: %u block devices, a solo5 guest takes one", mon, vm->n_blocks);
        if (vm->n_blocks == 1 && strpbrk(vm->blocks[0].path, " \t\n\r\v\f"))
                return ur_err_set(err, EINVAL,
                                  "%s: block path '%s' contains a blank, which the tender's --block: option cannot "
                                  "carry", mon, vm->blocks[0].path);
        const char *net = guest->solo5_net ? guest->solo5_net : "service";
        const char *blk = guest->solo5_block ? guest->solo5_block : "storage";
        char **a = NULL;
        int r = 0;
        r |= ur_strv_add(&a, vm->monitor_binary);
        r |= ur_strv_addf(&a, "--mem=%llu", (unsigned long long) (vm->mem_mib ? vm->mem_mib : 128));
        if (vm->net.enabled) {
                if (vm->net.tap_name[0]) {
                        r |= ur_strv_addf(&a, "--net:%s=%s", net, vm->net.tap_name);
                } else if (vm->net.tap_fd >= 0) {
                        r |= ur_strv_addf(&a, "--net:%s=@%d", net, vm->net.tap_fd);
                        ret->pass_tap_fd = true;
                } else {
                        ur_strv_free(a);
                        return ur_err_set(err, 0, "%s: network enabled but neither a tap name nor a tap fd given", mon);
                }
                if (vm->net.mac[0])
                        r |= ur_strv_addf(&a, "--net-mac:%s=%s", net, vm->net.mac);
        }
        if (vm->n_blocks == 1)
                r |= ur_strv_addf(&a, "--block:%s=%s", blk, vm->blocks[0].path);
        r |= ur_strv_add(&a, vm->kernel);
        if (guest_cmdline && *guest_cmdline)
                r |= ur_strv_add(&a, guest_cmdline);
        if (r < 0) {
                ur_strv_free(a);
                return ur_err_set(err, ENOMEM, "building the %s command line", mon);
        }
        ret->argv = a;
        return 0;
}

static int hvt_build(const struct ur_vm *vm, const struct ur_guest_ops *guest, const char *guest_cmdline,
                     struct ur_exec *ret, ur_err *err)
{
        if (!vm->kvm)
                return ur_err_set(err, 0, "hvt needs KVM, which is not in use (use spt without KVM)");
        return solo5_build("hvt", vm, guest, guest_cmdline, ret, err);
}

static int spt_build(const struct ur_vm *vm, const struct ur_guest_ops *guest, const char *guest_cmdline,
                     struct ur_exec *ret, ur_err *err)
{
        return solo5_build("spt", vm, guest, guest_cmdline, ret, err);
}

const struct ur_monitor_ops ur_monitor_hvt = {
        .name = "hvt",
        .default_binary = "solo5-hvt",
        .default_overhead_mib = 8,
        .stop_signal = SIGTERM,
        .build = hvt_build,
        .boot_formats = UR_BOOT_FORMAT_BIT(UR_BOOT_SOLO5),
};

const struct ur_monitor_ops ur_monitor_spt = {
        .name = "spt",
        .default_binary = "solo5-spt",
        .default_overhead_mib = 8,
        .stop_signal = SIGTERM,
        .build = spt_build,
        .boot_formats = UR_BOOT_FORMAT_BIT(UR_BOOT_SOLO5),
};
