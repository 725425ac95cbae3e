/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unikraft: uk_libparam command line (COMPAT.md §4), two dialects chosen by
 * vm->unikernel_version.
 *
 * >= 0.16.1, unknown or unparsable version (as upstream):
 *   <argv0> [env.vars=[ K=V ... ]] [netdev.ip=<ip>/<prefix>[:<gw>[:<dns>]]]
 *   [vfs.fstab=[ "initrd0:/:extract:::" ]] [-- <args>]
 * older:
 *   <argv0> [netdev.ipv4_addr=<ip> netdev.ipv4_gw_addr=<gw>
 *   netdev.ipv4_subnet_mask=<mask>] [vfs.rootfs=initrd] [-- <args>]
 *   (old versions have no env.vars: the environment is dropped)
 *
 * argv0 is the container's argv[0] ("unikraft" when there is no argv):
 * Unikraft takes the first word as the application's argv[0] and everything
 * after "--" as its arguments.  Words with blanks are double-quoted, which
 * Unikraft's argument parser groups.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guests/common.h"
#include "guests/guest.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strv.h"

static int unikraft_cmdline(const struct ur_vm *vm, char **ret, ur_err *err)
{
        _cleanup_strv_ char **args = NULL;
        if (ur_guest_argv(vm, &args, err) < 0)
                return ur_err_wrap(err, "unikraft guest");
        bool modern = ur_version_at_least(vm->unikernel_version, 0, 16, 1);
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return ur_err_set(err, ENOMEM, "unikraft command line");
        int r = 0;

        if (ur_push_quoted(&v, args[0] ? args[0] : "unikraft", "unikraft guest: argv[0]", err) < 0)
                return -1;

        if (modern && vm->env && vm->env[0]) {
                _cleanup_strv_ char **ev = NULL;
                if (ur_strv_add(&ev, "env.vars=[") < 0)
                        return ur_err_set(err, ENOMEM, "unikraft command line");
                for (char **e = vm->env; *e; e++)
                        if (ur_push_quoted(&ev, *e, "unikraft guest: environment entry", err) < 0)
                                return -1;
                if (ur_strv_add(&ev, "]") < 0)
                        return ur_err_set(err, ENOMEM, "unikraft command line");
                char *s = ur_strv_join(ev, " ");
                if (!s || ur_strv_push(&v, s) < 0)
                        return ur_err_set(err, ENOMEM, "unikraft command line");
        }

        if (vm->net.enabled) {
                if (modern) {
                        if (vm->net.dns[0])
                                r |= ur_strv_addf(&v, "netdev.ip=%s/%u:%s:%s", vm->net.ip, vm->net.prefix,
                                                  vm->net.gateway, vm->net.dns);
                        else if (vm->net.gateway[0])
                                r |= ur_strv_addf(&v, "netdev.ip=%s/%u:%s", vm->net.ip, vm->net.prefix,
                                                  vm->net.gateway);
                        else
                                r |= ur_strv_addf(&v, "netdev.ip=%s/%u", vm->net.ip, vm->net.prefix);
                } else {
                        r |= ur_strv_addf(&v, "netdev.ipv4_addr=%s", vm->net.ip);
                        if (vm->net.gateway[0])
                                r |= ur_strv_addf(&v, "netdev.ipv4_gw_addr=%s", vm->net.gateway);
                        r |= ur_strv_addf(&v, "netdev.ipv4_subnet_mask=%s", vm->net.netmask);
                }
        }
        if (vm->initrd)
                r |= ur_strv_add(&v, modern ? "vfs.fstab=[ \"initrd0:/:extract:::\" ]" : "vfs.rootfs=initrd");
        if (r < 0)
                return ur_err_set(err, ENOMEM, "unikraft command line");

        if (args[0] && args[1]) {
                if (ur_strv_add(&v, "--") < 0)
                        return ur_err_set(err, ENOMEM, "unikraft command line");
                for (size_t i = 1; args[i]; i++)
                        if (ur_push_quoted(&v, args[i], "unikraft guest: argument", err) < 0)
                                return -1;
        }
        char *s = ur_strv_join(v, " ");
        if (!s)
                return ur_err_set(err, ENOMEM, "unikraft command line");
        *ret = s;
        return 0;
}

const struct ur_guest_ops ur_guest_unikraft = {
        .name = "unikraft",
        .cmdline = unikraft_cmdline,
};
