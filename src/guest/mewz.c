/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mewz: `ip=<ip>/<prefix> gateway=<gw>` and nothing else (COMPAT.md §4):
 * its command-line parser knows only these two keys, so the argv is not
 * passed (upstream does the same).  Mewz reports its exit through an
 * isa-debug-exit at port 0x501 and drives a modern-only virtio-net-pci.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest/guest.h"

static int mewz_cmdline(const struct ur_vm *vm, char **ret, struct ur_err **err)
{
        char *s = NULL;
        int r;
        if (!vm->net.enabled)
                r = asprintf(&s, "%s", "");
        else if (vm->net.gateway[0])
                r = asprintf(&s, "ip=%s/%u gateway=%s", vm->net.ip, vm->net.prefix, vm->net.gateway);
        else
                r = asprintf(&s, "ip=%s/%u", vm->net.ip, vm->net.prefix);
        if (r < 0)
                return ur_err_set(err, ENOMEM, "mewz command line");
        *ret = s;
        return 0;
}

const struct ur_guest_ops ur_guest_mewz = {
        .name = "mewz",
        .cmdline = mewz_cmdline,
        .qemu_debug_exit = "iobase=0x501,iosize=2",
        .qemu_pci_props = "disable-legacy=on,disable-modern=off",
};
