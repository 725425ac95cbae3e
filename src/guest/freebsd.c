/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FreeBSD (upstream urunc's "freebsd" guest), on QEMU microvm and
 * Firecracker, booted through its PVH entry.
 *
 * The command line: every word a kernel environment variable (FreeBSD's
 * PVH entry splits it at ',', blanks, tabs and newlines and sets each
 * NAME=VALUE in the kernel environment, ur_quote_freebsd):
 *
 *   vfs.root.mountfrom=ufs:/dev/vtbd0     (the metadata's block image)
 *   vfs.root.mountfrom=p9fs:rootfs        (mountRootfs, QEMU: 9p tag "rootfs")
 *   init_path=<argv0>
 *   [URUNIT_CONFIG=/dev/vtbd<N> [URUNIT_DEFROUTE=1]]   (argv0 is urunit)
 *
 * The kernel starts init_path without arguments or environment.  An image
 * whose argv[0] is urunit (by its base name, as upstream) gets the rest in
 * urunit's configuration, a text file on a raw disk attached read-only
 * after every other virtio-blk disk (vtbd<N>, N the number of disks
 * before it; config_disk, <state>/urunit.conf), in upstream's line format:
 *
 *   UES \n <env> \n ... UEE \n
 *   UCS \n UID:<uid> \n GID:<gid> \n WD:<cwd> \n ARC:<n> \n ARV:<arg> \n ... UCE \n
 *   UBS \n ID:<id> \n MP:<dest> \n ... UBE \n      (block volumes, not the root)
 *   UNS \n IP:<ip> \n GW:<gw> \n MSK:<netmask> \n UNE \n   (empty values: no NIC)
 *   PAD \n, then \n up to a multiple of 512 bytes (a disk is whole sectors,
 *   and Firecracker hides a partial last one)
 *
 * ARC/ARV are the arguments after argv[0] (urunit's own path).  A volume's
 * ID is its virtio serial on QEMU (blk0, ...); on Firecracker, which has no
 * serials, "FC" + the ID, which urunit takes as "the next disk in order".
 * URUNIT_DEFROUTE=1 asks urunit for a default route through the gateway
 * when the gateway is outside the interface's subnet (or there is none:
 * an on-link route), as upstream.
 *
 * urunit reads the file line by line and takes values after "KEY:" with
 * leading blanks skipped: a newline in any value, an environment entry
 * starting with "UEE" (it would end the list), and a working directory or
 * mount point starting with a blank cannot be written and are refused.
 * Without urunit there is nowhere to put arguments (refused), the
 * environment (dropped, with a warning: engines always set PATH) and
 * volumes (refused).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/common.h"
#include "guest/guest.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strv.h"

#define G "freebsd"
#define SECTOR 512

static bool is_urunit(const char *argv0)
{
        const char *base = strrchr(argv0, '/');
        return strcmp(base ? base + 1 : argv0, "urunit") == 0;
}

static unsigned n_volumes(const struct ur_vm *vm)
{
        unsigned n = 0;
        for (unsigned i = 0; i < vm->n_shares; i++)
                n += vm->shares[i].kind == UR_SHARE_BLOCK;
        return n;
}

/* The gateway is on the interface's subnet (upstream's IsIPInSubnet); no
 * gateway is not. */
static bool gateway_on_link(const struct ur_vm_net *n)
{
        struct in_addr ip, gw, mask;
        if (inet_pton(AF_INET, n->ip, &ip) != 1 || inet_pton(AF_INET, n->gateway, &gw) != 1 ||
            inet_pton(AF_INET, n->netmask, &mask) != 1)
                return false;
        return (ip.s_addr & mask.s_addr) == (gw.s_addr & mask.s_addr);
}

/* The root and the checks every FreeBSD VM needs, for both outputs. */
static int check_vm(const struct ur_vm *vm, char ***ret_args, struct ur_err **err)
{
        if (vm->boot != UR_BOOT_PVH)
                return ur_err_set(err, 0,
                                  G " guest: kernel '%s' is %s, and FreeBSD boots here only through its PVH "
                                    "entry (an ELF kernel with the Xen PVH note)",
                                  vm->kernel, ur_boot_format_name(vm->boot));
        if (vm->initrd)
                return ur_err_set(err, 0, G " guest: FreeBSD takes no initrd ('%s')", vm->initrd);
        if (vm->share_rootfs && vm->n_blocks > 0)
                return ur_err_set(err, 0,
                                  G " guest: mountRootfs and a block image ('%s') both give the root '/'",
                                  vm->blocks[0].path);
        if (!vm->share_rootfs && vm->n_blocks == 0)
                return ur_err_set(err, 0,
                                  G " guest: no root filesystem: give a block image "
                                    "(com.urunc.unikernel.block) or mountRootfs (QEMU)");
        if (vm->n_blocks > 1)
                return ur_err_set(err, 0, G " guest: %u block images, FreeBSD takes one as its root",
                                  vm->n_blocks);
        if (vm->n_blocks == 1 && vm->blocks[0].mountpoint && strcmp(vm->blocks[0].mountpoint, "/") != 0)
                return ur_err_set(err, 0,
                                  G " guest: the block image is FreeBSD's root, so blkMntPoint must be '/' "
                                    "(it is '%s')",
                                  vm->blocks[0].mountpoint);
        _cleanup_strv_ char **args = NULL;
        if (ur_guest_argv(vm, &args, err) < 0)
                return ur_err_wrap(err, G " guest");
        if (!args[0] || !*args[0])
                return ur_err_set(err, 0,
                                  G " guest: no init to start: process.args and the metadata's cmdline "
                                    "are empty");
        if (!is_urunit(args[0])) {
                if (args[1])
                        return ur_err_set(err, 0,
                                          G " guest: cannot pass argument 1 '%s': FreeBSD starts init "
                                            "('%s') without arguments; use urunit as init to pass them",
                                          args[1], args[0]);
                if (n_volumes(vm) > 0)
                        return ur_err_set(err, 0,
                                          G " guest: block volumes are mounted by urunit, and init is '%s'",
                                          args[0]);
        }
        *ret_args = TAKE_PTR(args);
        return 0;
}

static int freebsd_cmdline(const struct ur_vm *vm, char **ret, struct ur_err **err)
{
        _cleanup_strv_ char **args = NULL;
        if (check_vm(vm, &args, err) < 0)
                return -1;
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));
        _cleanup_free_ char *init = NULL;
        if (!v)
                return ur_err_set(err, ENOMEM, G " command line");
        int r = ur_strv_add(&v, vm->share_rootfs ? "vfs.root.mountfrom=p9fs:" UR_ROOTFS_TAG
                                                 : "vfs.root.mountfrom=ufs:/dev/vtbd0");
        if (r < 0)
                return ur_err_set(err, ENOMEM, G " command line");
        /* init_path is a ':'-separated list of paths to try. */
        if (strchr(args[0], ':'))
                return ur_err_set(err, 0,
                                  G " guest: cannot use init '%s': the kernel reads init_path as a "
                                    "':'-separated list of paths",
                                  args[0]);
        if (asprintf(&init, "init_path=%s", args[0]) < 0) {
                init = NULL;
                return ur_err_set(err, ENOMEM, G " command line");
        }
        if (ur_words_add(&v, ur_quote_freebsd, G, "argument 0", init, err) < 0)
                return -1;
        if (is_urunit(args[0])) {
                /* The configuration disk comes after the root disk and the
                 * volumes (a 9p root has no disk). */
                r |= ur_strv_addf(&v, "URUNIT_CONFIG=/dev/vtbd%u", vm->n_blocks + n_volumes(vm));
                if (vm->net.enabled && !gateway_on_link(&vm->net))
                        r |= ur_strv_add(&v, "URUNIT_DEFROUTE=1");
        } else if (vm->env && vm->env[0]) {
                ur_log_warning(G " guest: init '%s' is not urunit, so the environment (%zu entries, e.g. "
                                 "'%s') does not reach it",
                               args[0], ur_strv_len(vm->env), vm->env[0]);
        }
        if (r < 0)
                return ur_err_set(err, ENOMEM, G " command line");
        return ur_words_join(v, G, ret, err);
}

/* Appends "<key><value>\n" to the buffer; a value urunit cannot read back
 * is refused, naming what it is. */
struct conf {
        char *buf;
        size_t len;
        int oom;
};

static void put(struct conf *c, const char *key, const char *value)
{
        size_t kl = strlen(key), vl = strlen(value);
        char *b = realloc(c->buf, c->len + kl + vl + 2);
        if (!b) {
                c->oom = -1;
                return;
        }
        c->buf = b;
        memcpy(b + c->len, key, kl);
        memcpy(b + c->len + kl, value, vl);
        c->len += kl + vl;
        b[c->len++] = '\n';
        b[c->len] = '\0';
}

static int value_ok(const char *what, const char *s, bool lead_blank_ok, struct ur_err **err)
{
        if (strchr(s, '\n'))
                return ur_err_set(err, 0,
                                  G " guest: cannot pass %s '%s': urunit's configuration is one value per "
                                    "line",
                                  what, s);
        if (!lead_blank_ok && (s[0] == ' ' || s[0] == '\t' || !s[0]))
                return ur_err_set(err, 0,
                                  G " guest: cannot pass %s '%s': urunit skips blanks after the key and "
                                    "refuses an empty value",
                                  what, s);
        return 0;
}

static int freebsd_config_disk(const struct ur_vm *vm, char **ret, struct ur_err **err)
{
        _cleanup_strv_ char **args = NULL;
        if (check_vm(vm, &args, err) < 0)
                return -1;
        if (!is_urunit(args[0])) {
                *ret = NULL;
                return 0;
        }
        struct conf c = {0};
        char num[32];
        const char *cwd = vm->cwd && *vm->cwd ? vm->cwd : "/";

        put(&c, "UES", "");
        for (char **e = vm->env; e && *e; e++) {
                if (value_ok("environment entry", *e, true, err) < 0)
                        goto fail;
                if (strncmp(*e, "UEE", 3) == 0) {
                        ur_err_set(err, 0,
                                   G " guest: cannot pass environment entry '%s': urunit ends the "
                                     "environment at a line starting with 'UEE'",
                                   *e);
                        goto fail;
                }
                put(&c, "", *e);
        }
        put(&c, "UEE", "");
        put(&c, "UCS", "");
        snprintf(num, sizeof(num), "%u", vm->uid);
        put(&c, "UID:", num);
        snprintf(num, sizeof(num), "%u", vm->gid);
        put(&c, "GID:", num);
        if (value_ok("working directory", cwd, false, err) < 0)
                goto fail;
        put(&c, "WD:", cwd);
        snprintf(num, sizeof(num), "%zu", ur_strv_len(args) - 1);
        put(&c, "ARC:", num);
        for (size_t i = 1; args[i]; i++) {
                char what[32];
                snprintf(what, sizeof(what), "argument %zu", i);
                if (value_ok(what, args[i], true, err) < 0)
                        goto fail;
                put(&c, "ARV:", args[i]);
        }
        put(&c, "UCE", "");
        put(&c, "UBS", "");
        bool fc = vm->monitor && strcmp(vm->monitor, "firecracker") == 0;
        for (unsigned i = 0; i < vm->n_shares; i++) {
                const struct ur_vm_share *sh = &vm->shares[i];
                if (sh->kind != UR_SHARE_BLOCK)
                        continue;
                if (value_ok("mount point", sh->dest, false, err) < 0)
                        goto fail;
                put(&c, fc ? "ID:FC" : "ID:", sh->tag);
                put(&c, "MP:", sh->dest);
        }
        put(&c, "UBE", "");
        put(&c, "UNS", "");
        put(&c, "IP:", vm->net.enabled ? vm->net.ip : "");
        put(&c, "GW:", vm->net.enabled ? vm->net.gateway : "");
        put(&c, "MSK:", vm->net.enabled ? vm->net.netmask : "");
        put(&c, "UNE", "");
        put(&c, "PAD", "");
        while (!c.oom && c.len % SECTOR != 0)
                put(&c, "", "");
        if (c.oom) {
                free(c.buf);
                return ur_err_set(err, ENOMEM, G " guest: urunit configuration");
        }
        *ret = c.buf;
        return 0;
fail:
        free(c.buf);
        return -1;
}

const struct ur_guest_ops ur_guest_freebsd = {
        .name = "freebsd",
        .cmdline = freebsd_cmdline,
        /* ACPI, the PIC and the PIT on: FreeBSD finds its devices through
         * ACPI (not the MP table), and QEMU crashes after FreeBSD sets up
         * the I/O APIC with pic=off (upstream's notes). */
        .qemu_acpi = true,
        .takes_9p_root = true,
        .takes_volumes = true,
        .config_disk = freebsd_config_disk,
        .config_disk_name = "urunit.conf",
};
