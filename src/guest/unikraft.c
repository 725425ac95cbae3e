/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unikraft: uk_libparam command line (COMPAT.md §4), two dialects chosen by
 * vm->unikernel_version.
 *
 * >= 0.16.1, unknown or unparsable version (as upstream):
 *   <argv0> [env.vars=<K=V> ...] [netdev.ip=<ip>/<prefix>[:<gw>[:<dns>]]]
 *   [vfs.fstab=[ "initrd0:/:extract:::"|"rootfs:/:9pfs:::"
 *   "vol<N>:<dest>:9pfs:[1]::mkmp" ... ]] -- [<args>]
 * older:
 *   <argv0> [netdev.ipv4_addr=<ip> netdev.ipv4_gw_addr=<gw>
 *   netdev.ipv4_subnet_mask=<mask>] [vfs.rootfs=initrd] -- [<args>]
 *   (old versions have no env.vars: the environment is dropped)
 *
 * How Unikraft reads it (lib/ukargparse, lib/uklibparam, lib/ukboot, the
 * same from 0.15 to 0.17):
 * - uk_argnparse() splits the line into words (ur_quote_unikraft: '…'
 *   literal, \ escapes outside quotes, no empty words).
 * - The first word is the application's argv[0].  On multiboot (QEMU's
 *   -kernel) QEMU writes the kernel's own path in front of -append, so
 *   argv[0] is that path and our first word is read as a parameter: there
 *   the container's argv[0] is written only when the parameter parser
 *   passes over it, else "unikraft".  Other boot protocols (firecracker's
 *   Linux boot) start with our first word: the container's argv[0].
 * - Parameters are stripped only when a "--" follows them with at least one
 *   word between argv[0] and "--"; without "--" every word, env.vars and
 *   netdev.ip included, goes to the application (upstream always writes
 *   "--").  So "--" is always written, and when nothing stands between
 *   argv[0] and "--" the word "urunc" does (no '.': the parser skips it).
 * - Everything after "--" goes to the application untouched.
 * - The environment is one env.vars=K=V word per entry: a list
 *   "env.vars=[ … ]" ends at the first word ending in ']', so an entry like
 *   B=x] would close it.  An entry starting with '[' would open a list and
 *   is refused.  Unikraft keeps at most
 *   CONFIG_LIBPOSIX_ENVIRON_LIBPARAM_MAXCOUNT (default 8) of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/common.h"
#include "guest/guest.h"
#include "util/cleanup.h"
#include "util/strv.h"

#define G "unikraft"

static bool ident_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Unikraft's parameter parser passes over s: not "--" (stop), not "help"
 * (usage, then halt), no list start and no PREFIX.NAME of identifier
 * characters that could name a real parameter. */
static bool libparam_inert(const char *s)
{
        if (!*s || strcmp(s, "--") == 0 || strcmp(s, "help") == 0)
                return false;
        const char *dot = strchr(s, '.');
        if (!dot)
                return true;
        const char *eq = strchr(dot + 1, '=');
        if (eq && eq[1] == '[')
                return false;
        for (const char *p = s; p < dot; p++)
                if (!ident_char(*p))
                        return true;
        return false;
}

/* A vfs.fstab element: fields split at ':' (uk_nextarg), the word split by
 * uk_argnparse (blanks, quotes, backslashes), the list ending at a word
 * ending in ']'. */
static bool fstab_path_ok(const char *d)
{
        size_t n = strlen(d);
        if (n == 0 || d[n - 1] == ']')
                return false;
        for (const char *p = d; *p; p++)
                if (*p == ':' || *p == '"' || *p == '\'' || *p == '\\' || (unsigned char) *p <= ' ' ||
                    *p == 0x7f)
                        return false;
        return true;
}

/*
 * vfs.fstab=[ "E" ... ] (vfscore automount, 0.16.1 to 0.17): each element
 * "<dev>:<mountpoint>:<driver>:<flags>:<opts>:<ukopts>", flags a number
 * (MS_RDONLY = 1), ukopts "mkmp" (make the mount point).  The root first:
 * the initrd extracted ("initrd0:/:extract:::") or the rootfs over 9p
 * ("rootfs:/:9pfs:::"), then each 9p share ("vol0:/data:9pfs:1::mkmp").
 */
static int fstab_word(const struct ur_vm *vm, char ***v, struct ur_err **err)
{
        _cleanup_strv_ char **e = NULL;
        int r = 0;

        if (vm->share_rootfs && vm->initrd)
                return ur_err_set(err, 0, G " guest: mountRootfs and an initrd both give the root '/'");
        if (vm->share_rootfs)
                r |= ur_strv_add(&e, vm->rootfs_readonly ? "\"" UR_ROOTFS_TAG ":/:9pfs:1::\""
                                                         : "\"" UR_ROOTFS_TAG ":/:9pfs:::\"");
        else if (vm->initrd)
                r |= ur_strv_add(&e, "\"initrd0:/:extract:::\"");
        for (unsigned i = 0; i < vm->n_shares; i++) {
                const struct ur_vm_share *sh = &vm->shares[i];
                if (sh->kind != UR_SHARE_9P)
                        return ur_err_set(err, 0, G " guest: mount '%s' is not a shared directory", sh->dest);
                if (!fstab_path_ok(sh->dest))
                        return ur_err_set(err, 0,
                                          G " guest: mount '%s' (source '%s'): vfs.fstab cannot carry a "
                                            "destination with ':', blanks, quotes, backslashes or a final ']'",
                                          sh->dest, sh->source);
                r |= ur_strv_addf(&e, "\"%s:%s:9pfs:%s::mkmp\"", sh->tag, sh->dest, sh->readonly ? "1" : "");
        }
        if (r < 0)
                return ur_err_set(err, ENOMEM, G " command line");
        if (!e)
                return 0;
        _cleanup_free_ char *list = ur_strv_join(e, " ");
        if (!list || ur_strv_addf(v, "vfs.fstab=[ %s ]", list) < 0)
                return ur_err_set(err, ENOMEM, G " command line");
        return 0;
}

static int unikraft_cmdline(const struct ur_vm *vm, char **ret, struct ur_err **err)
{
        _cleanup_strv_ char **args = NULL;
        if (ur_guest_argv(vm, &args, err) < 0)
                return ur_err_wrap(err, G " guest");
        bool modern = ur_version_at_least(vm->unikernel_version, 0, 16, 1);
        bool kernel_path_first = vm->boot == UR_BOOT_MULTIBOOT;
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return ur_err_set(err, ENOMEM, G " command line");
        int r = 0;

        const char *arg0 = args[0] ? args[0] : G;
        if (kernel_path_first && !libparam_inert(arg0))
                arg0 = G;
        if (ur_words_add(&v, ur_quote_unikraft, G, "argument 0", arg0, err) < 0)
                return -1;
        size_t n_before = ur_strv_len(v);

        for (char **e = modern ? vm->env : NULL; e && *e; e++) {
                if (**e == '[')
                        return ur_err_set(err, 0,
                                          G " guest: cannot pass environment entry '%s': a value starting "
                                            "with '[' opens a list for Unikraft's parameter parser",
                                          *e);
                _cleanup_free_ char *w = NULL;
                if (asprintf(&w, "env.vars=%s", *e) < 0)
                        return ur_err_set(err, ENOMEM, G " command line");
                if (ur_words_add(&v, ur_quote_unikraft, G, "environment entry", w, err) < 0)
                        return -1;
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
        if (modern) {
                if (fstab_word(vm, &v, err) < 0)
                        return -1;
        } else if (vm->share_rootfs || vm->n_shares > 0) {
                return ur_err_set(
                        err, 0,
                        G " guest: shared directories (mountRootfs, mount '%s') need Unikraft >= 0.16.1 "
                          "(vfs.fstab with mkmp); unikernelVersion is '%s'",
                        vm->n_shares ? vm->shares[0].dest : "/", vm->unikernel_version);
        } else if (vm->initrd) {
                r |= ur_strv_add(&v, "vfs.rootfs=initrd");
        }
        if (!kernel_path_first && ur_strv_len(v) == n_before)
                r |= ur_strv_add(&v, "urunc");
        r |= ur_strv_add(&v, "--");
        if (r < 0)
                return ur_err_set(err, ENOMEM, G " command line");
        if (args[0] && ur_words_add_args(&v, ur_quote_unikraft, G, args, 1, err) < 0)
                return -1;
        return ur_words_join(v, G, ret, err);
}

/*
 * Unikraft's QEMU exit protocol: its platform code writes 41 to an
 * isa-debug-exit at port 0x501 on a clean halt (right after trying an ACPI
 * power-off, which microvm without ACPI does not have) and 42 on a crash:
 * QEMU exits 83 and 85.
 */
static const struct ur_qemu_exit unikraft_exits[] = {
        { 83, 0, "the guest halted (Unikraft's halt code 41 on port 0x501)" },
        { 85, UR_EXIT_CRASH, "the guest crashed (Unikraft's crash code 42 on port 0x501)" },
        { 0, 0, NULL },
};

const struct ur_guest_ops ur_guest_unikraft = {
        .name = "unikraft",
        .cmdline = unikraft_cmdline,
        .qemu_debug_exit = "iobase=0x501,iosize=2",
        .qemu_exits = unikraft_exits,
        .takes_9p = true,
        .takes_9p_root = true,
        .takes_initrd_files = true,
        .initrd_newc_only = true,
};
