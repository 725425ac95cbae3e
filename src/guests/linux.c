/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linux: the kernel command line (COMPAT.md §4).
 *
 *   panic=-1 console=ttyS0 [monitor tuning] [root=/dev/vda rw]
 *   [ip=<ip>::<gw>:<mask>:<hostname>:eth0:off[:<dns>]] [K=V ...]
 *   [rdinit=|init=]<argv0> [-- <args>]
 *
 * - console=ttyS0 on every monitor: qemu's isa-serial, firecracker's and
 *   cloud-hypervisor's 8250 are all ttyS0 (upstream does the same).
 * - The kernel passes bare K=V parameters it does not know to init as its
 *   environment; note that a key the kernel knows (root, init, console, a
 *   "module.param") is consumed by the kernel instead.
 * - Words follow the kernel's own parser (lib/cmdline.c next_arg,
 *   ur_quote_linux): a word with blanks is written "…" and the kernel
 *   strips those quotes, so init receives one argument `a b` (and an
 *   environment entry "K=a b" becomes K=a b); a '"' inside such a word, or
 *   one the kernel would pair or strip, is refused.  An environment key
 *   with '.' is refused (the kernel drops it as a module parameter), and an
 *   argument "--" too (the kernel stops passing arguments to init there).
 * - A block device is the root: root=/dev/vda (rw, or ro when read-only)
 *   and init=<argv0>, the program on that root.  With an initrd as well,
 *   the initrd's own /init runs first, mounts the root and switches to
 *   init= (as Debian's initramfs and the test kit's do): kernels that build
 *   virtio_blk or the filesystem as modules need that.  With an initrd and
 *   no block device the program is the initrd's (rdinit=).  Without argv
 *   and metadata cmdline no init= is given: the kernel's default search
 *   applies.
 * - init=/rdinit= comes last before "--": the kernel drops every bare word
 *   seen before it (init/main.c), so nothing may follow it but "--".
 * - On qemu under TCG the kernel is told the TSC frequency
 *   (tsc_early_khz=, from vm->tsc_khz): on microvm it otherwise hangs
 *   calibrating against the PIT (PLATFORM.md).
 * - On firecracker: reboot=k (the i8042 reset is how firecracker learns of a
 *   guest's reboot/panic and exits) and pci=off (no PCI bus there).
 * - The x86 limits are checked: 2048 bytes of command line, 32 init
 *   arguments and 32 environment entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guests/common.h"
#include "guests/guest.h"
#include "util/cleanup.h"
#include "util/strv.h"

#define LINUX_CMDLINE_MAX 2048
#define LINUX_MAX_INIT_ARGS 32
#define LINUX_MAX_INIT_ENVS 32

static bool hostname_ok(const char *h)
{
        return h && *h && !strpbrk(h, ": \t\n\"");
}

static int linux_cmdline(const struct ur_vm *vm, char **ret, ur_err *err)
{
        _cleanup_strv_ char **args = NULL;
        if (ur_guest_argv(vm, &args, err) < 0)
                return ur_err_wrap(err, "linux guest");
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return ur_err_set(err, ENOMEM, "linux command line");
        int r = 0;

        r |= ur_strv_add(&v, "panic=-1");
        r |= ur_strv_add(&v, "console=ttyS0");
        if (ur_streq(vm->monitor, "qemu") && !vm->kvm && vm->tsc_khz > 0)
                r |= ur_strv_addf(&v, "tsc_early_khz=%u", vm->tsc_khz);
        if (ur_streq(vm->monitor, "firecracker")) {
                r |= ur_strv_add(&v, "reboot=k");
                r |= ur_strv_add(&v, "pci=off");
        }
        if (vm->n_blocks > 0)
                r |= ur_strv_add(&v, vm->blocks[0].readonly ? "root=/dev/vda ro" : "root=/dev/vda rw");
        if (vm->net.enabled)
                r |= ur_strv_addf(&v, "ip=%s::%s:%s:%s:eth0:off%s%s", vm->net.ip, vm->net.gateway,
                                  vm->net.netmask, hostname_ok(vm->hostname) ? vm->hostname : "",
                                  vm->net.dns[0] ? ":" : "", vm->net.dns);
        if (r < 0)
                return ur_err_set(err, ENOMEM, "linux command line");

        size_t n_env = 0;
        for (char **e = vm->env; e && *e; e++) {
                const char *eq = strchr(*e, '=');
                size_t kl = eq ? (size_t) (eq - *e) : 0;
                if (!eq || kl == 0 || memchr(*e, '"', kl) || strcspn(*e, " \t\n\v\f\r") < kl)
                        return ur_err_set(err, 0, "linux guest: environment entry '%s' is not KEY=VALUE", *e);
                if (memchr(*e, '.', kl))
                        return ur_err_set(err, 0,
                                          "linux guest: cannot pass environment entry '%s': the kernel "
                                          "takes a key with '.' for a module parameter and drops it",
                                          *e);
                if (ur_words_add(&v, ur_quote_linux, "linux", "environment entry", *e, err) < 0)
                        return -1;
                n_env++;
        }
        if (n_env > LINUX_MAX_INIT_ENVS)
                return ur_err_set(err, 0, "linux guest: %zu environment variables, the kernel passes at most %d to init",
                                  n_env, LINUX_MAX_INIT_ENVS);

        size_t n_args = ur_strv_len(args);
        if (n_args > 0) {
                if (ur_has_blank(args[0]) || !*args[0] || strchr(args[0], '"'))
                        return ur_err_set(err, 0, "linux guest: init '%s' must be a path without blanks or quotes",
                                          args[0]);
                if (ur_strv_addf(&v, "%s=%s", vm->initrd && vm->n_blocks == 0 ? "rdinit" : "init", args[0]) < 0)
                        return ur_err_set(err, ENOMEM, "linux command line");
                if (n_args > 1 && ur_strv_add(&v, "--") < 0)
                        return ur_err_set(err, ENOMEM, "linux command line");
                for (size_t i = 1; i < n_args; i++)
                        if (strcmp(args[i], "--") == 0)
                                return ur_err_set(
                                        err, 0,
                                        "linux guest: cannot pass argument %zu '--': the kernel stops "
                                        "passing arguments to init at a second '--'",
                                        i);
                if (ur_words_add_args(&v, ur_quote_linux, "linux", args, 1, err) < 0)
                        return -1;
                if (n_args > LINUX_MAX_INIT_ARGS)
                        return ur_err_set(err, 0, "linux guest: %zu arguments, the kernel passes at most %d to init",
                                          n_args, LINUX_MAX_INIT_ARGS);
        }

        char *s = ur_strv_join(v, " ");
        if (!s)
                return ur_err_set(err, ENOMEM, "linux command line");
        if (strlen(s) >= LINUX_CMDLINE_MAX) {
                size_t l = strlen(s);
                free(s);
                return ur_err_set(err, 0, "linux guest: command line is %zu bytes, the limit is %d", l,
                                  LINUX_CMDLINE_MAX - 1);
        }
        *ret = s;
        return 0;
}

const struct ur_guest_ops ur_guest_linux = {
        .name = "linux",
        .cmdline = linux_cmdline,
        .qemu_acpi = true,
};
