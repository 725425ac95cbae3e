/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloud-hypervisor:
 *
 *   cloud-hypervisor --kernel K [--initramfs I] --cmdline C --cpus boot=N
 *     --memory size=<MiB>M [--net tap=T,mac=M | fd=N,mac=M]
 *     [--disk path=P[,readonly=on] ...] --console off --serial tty
 *     [--seccomp false]
 *
 * It direct-boots PVH ELF kernels only on x86-64.
 *
 * Values inside its "key=value,key=value" options (--disk path=...) cannot
 * be escaped portably: its option parser splits at ',' outside brackets,
 * '[' ']' nest, and '"' quotes -- but only since v48 are the quotes removed
 * from the value (before, they stay in the path).  A path with one of
 * those characters (or leading/trailing blanks, which it trims) could add
 * options (a,vhost_user=true,socket=...): it is refused.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vmm.h"
#include "util/strv.h"

static int check_option_value(const char *what, const char *v, struct ur_err **err)
{
        size_t n = strlen(v);

        if (strpbrk(v, ",\"[]") || (n > 0 && (strchr(" \t\n\r\v\f", v[0]) || strchr(" \t\n\r\v\f", v[n - 1]))))
                return ur_err_set(err, EINVAL,
                                  "cloud-hypervisor: %s '%s' cannot be passed in its option syntax (it contains ',', "
                                  "'\"', '[' or ']', or starts or ends with a blank)",
                                  what, v);
        return 0;
}

static int ch_build(const struct ur_vm *vm, const struct ur_guest_ops *guest, const char *guest_cmdline,
                    struct ur_exec *ret, struct ur_err **err)
{
        if (!vm->monitor_binary || !vm->kernel)
                return ur_err_set(err, 0, "cloud-hypervisor: monitor binary and kernel are required");
        for (unsigned i = 0; i < vm->n_blocks; i++)
                if (check_option_value("block path", vm->blocks[i].path, err) < 0)
                        return -1;
        if (vm->net.enabled && (check_option_value("tap name", vm->net.tap_name, err) < 0 ||
                                check_option_value("MAC address", vm->net.mac, err) < 0))
                return -1;
        char **a = NULL;
        int r = 0;
        r |= ur_strv_add(&a, vm->monitor_binary);
        r |= ur_strv_add(&a, "--kernel");
        r |= ur_strv_add(&a, vm->kernel);
        if (vm->initrd) {
                r |= ur_strv_add(&a, "--initramfs");
                r |= ur_strv_add(&a, vm->initrd);
        }
        r |= ur_strv_add(&a, "--cmdline");
        r |= ur_strv_add(&a, guest_cmdline ? guest_cmdline : "");
        r |= ur_strv_add(&a, "--cpus");
        r |= ur_strv_addf(&a, "boot=%u", vm->vcpus ? vm->vcpus : 1);
        r |= ur_strv_add(&a, "--memory");
        r |= ur_strv_addf(&a, "size=%lluM", (unsigned long long) (vm->mem_mib ? vm->mem_mib : 128));
        if (vm->net.enabled) {
                r |= ur_strv_add(&a, "--net");
                if (vm->net.tap_name[0]) {
                        r |= ur_strv_addf(&a, "tap=%s,mac=%s", vm->net.tap_name, vm->net.mac);
                } else if (vm->net.tap_fd >= 0) {
                        r |= ur_strv_addf(&a, "fd=%d,mac=%s", vm->net.tap_fd, vm->net.mac);
                        ret->pass_tap_fd = true;
                } else {
                        ur_strv_free(a);
                        return ur_err_set(err, 0, "cloud-hypervisor: network enabled but neither a tap name nor a tap fd given");
                }
        }
        for (unsigned i = 0; i < vm->n_blocks; i++) {
                r |= ur_strv_add(&a, "--disk");
                r |= ur_strv_addf(&a, "path=%s%s", vm->blocks[i].path, vm->blocks[i].readonly ? ",readonly=on" : "");
        }
        r |= ur_strv_add(&a, "--console");
        r |= ur_strv_add(&a, "off");
        r |= ur_strv_add(&a, "--serial");
        r |= ur_strv_add(&a, "tty");
        if (!vm->seccomp) {
                r |= ur_strv_add(&a, "--seccomp");
                r |= ur_strv_add(&a, "false");
        }
        if (r < 0) {
                ur_strv_free(a);
                return ur_err_set(err, ENOMEM, "building the cloud-hypervisor command line");
        }
        ret->argv = a;
        return 0;
}

const struct ur_vmm_ops ur_vmm_cloud_hypervisor = {
        .name = "cloud-hypervisor",
        .default_binary = "cloud-hypervisor",
        .stop_signal = SIGTERM,
        .build = ch_build,
        .boot_formats = UR_BOOT_FORMAT_BIT(UR_BOOT_PVH),
};
