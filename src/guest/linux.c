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
 * - Storage (urunc(8) STORAGE): with mountRootfs the root is the 9p share
 *   "rootfs" (root=rootfs rootfstype=9p rootflags=trans=virtio,version=
 *   9p2000.L rw) and init=<argv0> is on it, as for a block root.  Each
 *   other mount is one word urunc.mount=TYPE:SOURCE:OPTIONS:DEST, in the
 *   spec's order (parents first): TYPE 9p or virtiofs (SOURCE its tag,
 *   "vol0", ...) or tmpfs (SOURCE "tmpfs"); with virtiofs the root is
 *   root=rootfs rootfstype=virtiofs rw; any other TYPE (ext4, ..., auto)
 *   is a block volume whose SOURCE is its virtio serial ("blk0", ...): the
 *   init finds the /dev/vdX whose /sys/block/vdX/serial it is (device
 *   order is not stable on virtio-mmio); OPTIONS starts with ro or rw; DEST is the
 *   rest of the word (no blanks, quotes or control characters).  The
 *   guest's init runs `mkdir -p DEST; mount -t TYPE -o OPTIONS SOURCE DEST`
 *   for each before the application.  The '.' in the key keeps the kernel
 *   from passing it to init's environment; it stays in /proc/cmdline.
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

#include "guest/common.h"
#include "guest/guest.h"
#include "util/cleanup.h"
#include "util/strv.h"

#define LINUX_CMDLINE_MAX 2048
#define LINUX_MAX_INIT_ARGS 32
#define LINUX_MAX_INIT_ENVS 32

static bool hostname_ok(const char *h)
{
        return h && *h && !strpbrk(h, ": \t\n\"");
}

/* The 9p mount options: the kernel's 9p over virtio, 9P2000.L (POSIX
 * semantics), no cache (the host's changes are seen at once). */
#define LINUX_9P_OPTS "trans=virtio,version=9p2000.L"

/* One urunc.mount=TYPE:SOURCE:OPTIONS:DEST word per share, in order. */
static int mount_words(const struct ur_vm *vm, char ***v, struct ur_err **err)
{
        for (unsigned i = 0; i < vm->n_shares; i++) {
                const struct ur_vm_share *sh = &vm->shares[i];
                const char *mode = sh->readonly ? "ro" : "rw";
                int r;

                for (const char *p = sh->dest; *p; p++)
                        if (*p == '"' || (unsigned char) *p <= ' ' || *p == 0x7f)
                                return ur_err_set(err, 0,
                                                  "linux guest: mount '%s' (source '%s'): a destination with "
                                                  "blanks, quotes or control characters cannot be passed",
                                                  sh->dest, sh->source ? sh->source : "tmpfs");
                if (sh->kind == UR_SHARE_9P)
                        r = ur_strv_addf(v, "urunc.mount=9p:%s:%s," LINUX_9P_OPTS ":%s", sh->tag, mode, sh->dest);
                else if (sh->kind == UR_SHARE_VIRTIOFS)
                        r = ur_strv_addf(v, "urunc.mount=virtiofs:%s:%s:%s", sh->tag, mode, sh->dest);
                else if (sh->kind == UR_SHARE_BLOCK)
                        r = ur_strv_addf(v, "urunc.mount=%s:%s:%s:%s", sh->options, sh->tag, mode, sh->dest);
                else
                        r = ur_strv_addf(v, "urunc.mount=tmpfs:tmpfs:%s%s%s:%s", mode, sh->options ? "," : "",
                                         sh->options ? sh->options : "", sh->dest);
                if (r < 0)
                        return ur_err_set(err, ENOMEM, "linux command line");
        }
        return 0;
}

static int linux_cmdline(const struct ur_vm *vm, char **ret, struct ur_err **err)
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
        bool has_root = vm->share_rootfs || vm->n_blocks > 0;
        const char *root_mode = vm->rootfs_readonly ? "ro" : "rw";
        if (vm->share_rootfs && vm->virtiofs)
                r |= ur_strv_addf(&v, "root=" UR_ROOTFS_TAG " rootfstype=virtiofs %s", root_mode);
        else if (vm->share_rootfs)
                r |= ur_strv_addf(&v, "root=" UR_ROOTFS_TAG " rootfstype=9p rootflags=" LINUX_9P_OPTS " %s",
                                  root_mode);
        else if (vm->n_blocks > 0)
                r |= ur_strv_add(&v, vm->blocks[0].readonly ? "root=/dev/vda ro" : "root=/dev/vda rw");
        if (vm->net.enabled)
                r |= ur_strv_addf(&v, "ip=%s::%s:%s:%s:eth0:off%s%s", vm->net.ip, vm->net.gateway,
                                  vm->net.netmask, hostname_ok(vm->hostname) ? vm->hostname : "",
                                  vm->net.dns[0] ? ":" : "", vm->net.dns);
        if (r < 0)
                return ur_err_set(err, ENOMEM, "linux command line");
        if (mount_words(vm, &v, err) < 0)
                return -1;

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
                if (ur_strv_addf(&v, "%s=%s", vm->initrd && !has_root ? "rdinit" : "init", args[0]) < 0)
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
        .takes_9p = true,
        .takes_tmpfs = true,
        .takes_9p_root = true,
        .takes_virtiofs = true,
        .takes_volumes = true,
        .takes_initrd_files = true,
        .takes_dm_root = true,
};
