/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Solo5 tenders, hvt (KVM) and spt (seccomp sandbox, no KVM):
 *
 *   solo5-hvt --mem=<MiB> [--net:<name>=<tap> --net-mac:<name>=<mac>]
 *             [--block:<name>=<path>] <kernel> [<guest cmdline>]
 *
 * The device names are those the kernel's Solo5 manifest (its MFT1 ELF
 * note, ur_solo5_info_read) declares, and the devices are passed in the
 * manifest's order: the container's NIC goes to the declared network
 * device, its block images to the declared block devices, in turn.  The
 * annotations solo5NetDev / solo5BlkDev (upstream's) pick the declared
 * device the NIC / the first block image goes to; without it, the first
 * block image goes to the family's own name for it when the kernel
 * declares that device (rumprun: "rootfs", upstream's --block:rootfs=,
 * which rumprun mounts as /dev/ld0a).  A tender refuses a
 * device the manifest does not declare ("Resource not declared in
 * manifest") and a declared one left unattached, so both are refused
 * here, at create, with the names: a container offers one NIC at most
 * (when it has a network namespace of its own) and the block images of
 * its metadata.  A kernel that declares no NIC boots without one even in
 * a networked container.  The kernel's ABI1 note names the tender it is
 * built for: an spt kernel handed to hvt (or the reverse) is refused.
 *
 * A tap is given by name, or as "@<fd>" (an fd the tender inherits) when
 * only an fd is known.  Solo5 loads Solo5 ELFs only and takes no initrd.
 *
 * The tenders read "--block:NAME=PATH" with sscanf's "%s", which stops at
 * the first blank: "/rootfs/a b" would open "/rootfs/a", a file nobody
 * checked (it may be a symlink out of the rootfs).  Such a path is refused.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vmm.h"
#include "util/strv.h"

#define KEY_BINARY "com.urunc.unikernel.binary"
#define KEY_HYPERVISOR "com.urunc.unikernel.hypervisor"
#define KEY_BLOCK "com.urunc.unikernel.block"
#define KEY_NETDEV "com.urunc.unikernel.solo5NetDev"
#define KEY_BLKDEV "com.urunc.unikernel.solo5BlkDev"

/* "net 'service0', block 'storage'" (or "no devices"), for messages. */
static void describe(const struct ur_solo5_info *info, int only_type, char *buf, size_t size)
{
        size_t off = 0;
        buf[0] = '\0';
        for (unsigned i = 0; i < info->n_devs && off < size; i++) {
                const struct ur_solo5_dev *d = &info->devs[i];
                if (only_type && (int) d->type != only_type)
                        continue;
                int n = snprintf(buf + off, size - off, "%s%s '%s'", off ? ", " : "",
                                 d->type == UR_SOLO5_DEV_NET ? "net" : "block", d->name);
                if (n < 0)
                        break;
                off += (size_t) n;
        }
        if (off == 0)
                snprintf(buf, size, "no devices");
}

static unsigned count(const struct ur_solo5_info *info, enum ur_solo5_dev_type type)
{
        unsigned n = 0;
        for (unsigned i = 0; i < info->n_devs; i++)
                n += info->devs[i].type == type;
        return n;
}

static const struct ur_solo5_dev *find(const struct ur_solo5_info *info, enum ur_solo5_dev_type type,
                                       const char *name)
{
        for (unsigned i = 0; i < info->n_devs; i++)
                if (info->devs[i].type == type && strcmp(info->devs[i].name, name) == 0)
                        return &info->devs[i];
        return NULL;
}

/* A name given by annotation must be declared, with that type. */
static int check_named(const struct ur_solo5_info *info, enum ur_solo5_dev_type type, const char *key,
                       const char *name, const struct ur_vm *vm, struct ur_err **err)
{
        char decl[1024];
        if (find(info, type, name))
                return 0;
        describe(info, 0, decl, sizeof(decl));
        return ur_err_set(err, 0,
                          "%s = '%s': kernel '%s' declares no %s device '%s' in its Solo5 manifest "
                          "(it declares %s)",
                          key, name, vm->kernel, type == UR_SOLO5_DEV_NET ? "network" : "block", name, decl);
}

/*
 * Which declared device each offered one goes to.  net_dev: the NIC's
 * name, or NULL when no NIC is passed.  blk_names[i]: block i's name.
 */
static int plan_devices(const char *mon, const struct ur_vm *vm, const struct ur_guest_ops *guest,
                        const struct ur_solo5_info *info, const char **net_dev, const char **blk_names,
                        struct ur_err **err)
{
        char decl[1024];
        unsigned n_net = count(info, UR_SOLO5_DEV_NET), n_blk = count(info, UR_SOLO5_DEV_BLOCK);
        /* At create the NIC is not known yet (vm->net is filled in at
         * start): a network namespace of its own may bring one. */
        unsigned nics = vm->net.enabled || (vm->net_possible && !vm->net_decided) ? 1 : 0;

        *net_dev = NULL;
        if (vm->solo5_net_dev &&
            check_named(info, UR_SOLO5_DEV_NET, KEY_NETDEV, vm->solo5_net_dev, vm, err) < 0)
                return -1;
        if (vm->solo5_blk_dev &&
            check_named(info, UR_SOLO5_DEV_BLOCK, KEY_BLKDEV, vm->solo5_blk_dev, vm, err) < 0)
                return -1;

        if (n_net > nics) {
                describe(info, UR_SOLO5_DEV_NET, decl, sizeof(decl));
                if (nics == 0)
                        return ur_err_set(
                                err, 0,
                                "kernel '%s' declares %u network device%s in its Solo5 manifest (%s) and "
                                "the container offers none (%s): solo5-%s starts only with every declared "
                                "device attached",
                                vm->kernel, n_net, n_net > 1 ? "s" : "", decl,
                                vm->net_possible
                                        ? "no interface with an IPv4 address in its network namespace"
                                        : "no network namespace of its own in config.json",
                                mon);
                return ur_err_set(
                        err, 0,
                        "kernel '%s' declares %u network devices in its Solo5 manifest (%s) and the "
                        "container offers one NIC: solo5-%s starts only with every declared device "
                        "attached",
                        vm->kernel, n_net, decl, mon);
        }
        if (n_blk != vm->n_blocks) {
                describe(info, UR_SOLO5_DEV_BLOCK, decl, sizeof(decl));
                if (n_blk > vm->n_blocks)
                        return ur_err_set(
                                err, 0,
                                "kernel '%s' declares %u block device%s in its Solo5 manifest (%s) and the "
                                "container offers %u (%s): solo5-%s starts only with every declared "
                                "device attached",
                                vm->kernel, n_blk, n_blk > 1 ? "s" : "", decl, vm->n_blocks, KEY_BLOCK, mon);
                if (n_blk == 0)
                        return ur_err_set(
                                err, 0,
                                "the container has a block image (%s = '%s') but kernel '%s' declares no "
                                "block device in its Solo5 manifest: solo5-%s refuses an undeclared "
                                "device",
                                KEY_BLOCK, vm->blocks[0].path, vm->kernel, mon);
                return ur_err_set(err, 0,
                                  "the container offers %u block images but kernel '%s' declares %u block "
                                  "device%s in its Solo5 manifest (%s)",
                                  vm->n_blocks, vm->kernel, n_blk, n_blk > 1 ? "s" : "", decl);
        }

        /* One declared NIC at most (checked above); the annotation, when
         * given, names it. */
        if (vm->net.enabled && n_net == 1)
                for (unsigned i = 0; i < info->n_devs; i++)
                        if (info->devs[i].type == UR_SOLO5_DEV_NET)
                                *net_dev = info->devs[i].name;
        /* Block i goes to the i-th declared block device; the annotation
         * moves its device to the front, else the family's own name for
         * its first block device when the kernel declares it (rumprun:
         * "rootfs", the disk its configuration's "blk" mounts as ld0a). */
        const char *first = vm->solo5_blk_dev;
        if (!first && guest && guest->solo5_block && find(info, UR_SOLO5_DEV_BLOCK, guest->solo5_block))
                first = guest->solo5_block;
        unsigned b = 0;
        if (first && vm->n_blocks > 0)
                blk_names[b++] = first;
        for (unsigned i = 0; i < info->n_devs && b < vm->n_blocks; i++) {
                const struct ur_solo5_dev *d = &info->devs[i];
                if (d->type != UR_SOLO5_DEV_BLOCK || (first && strcmp(d->name, first) == 0))
                        continue;
                blk_names[b++] = d->name;
        }
        return 0;
}

static int solo5_build(const char *mon, enum ur_solo5_target target, const struct ur_vm *vm,
                       const struct ur_guest_ops *guest, const char *guest_cmdline, struct ur_exec *ret,
                       struct ur_err **err)
{
        if (!vm->monitor_binary || !vm->kernel)
                return ur_err_set(err, 0, "%s: monitor binary and kernel are required", mon);
        if (vm->initrd)
                return ur_err_set(err, 0, "%s: solo5 takes no initrd ('%s')", mon, vm->initrd);
        if (vm->n_blocks > UR_SOLO5_MAX_DEVICES)
                return ur_err_set(err, 0, "%s: %u block devices, more than a Solo5 manifest holds", mon,
                                  vm->n_blocks);

        for (unsigned i = 0; i < vm->n_blocks; i++)
                if (strpbrk(vm->blocks[i].path, " \t\n\r\v\f"))
                        return ur_err_set(err, EINVAL,
                                          "%s: block path '%s' contains a blank, which the tender's --block: "
                                          "option cannot carry",
                                          mon, vm->blocks[i].path);

        struct ur_solo5_info info;
        if (vm->solo5)
                info = *vm->solo5; /* read at create (the plan), not from the path again */
        else if (ur_solo5_info_read(vm->kernel, &info, err) < 0)
                return ur_err_wrap(err, "%s", KEY_BINARY);
        if (info.target != UR_SOLO5_TARGET_UNKNOWN && info.target != target)
                return ur_err_set(
                        err, 0,
                        "kernel '%s' (%s) is built for the Solo5 %s target, not for %s (%s = '%s'): "
                        "run it with %s, or use a kernel built for %s",
                        vm->kernel, KEY_BINARY, ur_solo5_target_name(info.target), mon, KEY_HYPERVISOR, mon,
                        info.target == UR_SOLO5_TARGET_HVT || info.target == UR_SOLO5_TARGET_SPT
                                ? ur_solo5_target_name(info.target)
                                : "a monitor for that target (urunc runs hvt and spt only)",
                        mon);
        if (!info.has_manifest)
                return ur_err_set(err, 0,
                                  "kernel '%s' (%s) has no Solo5 manifest (MFT1 note): solo5-%s refuses it",
                                  vm->kernel, KEY_BINARY, mon);

        const char *net_dev = NULL;
        const char *blk_names[UR_SOLO5_MAX_DEVICES] = {0};
        if (plan_devices(mon, vm, guest, &info, &net_dev, blk_names, err) < 0)
                return -1;

        char **a = NULL;
        int r = 0;
        r |= ur_strv_add(&a, vm->monitor_binary);
        r |= ur_strv_addf(&a, "--mem=%llu", (unsigned long long) (vm->mem_mib ? vm->mem_mib : 128));
        /* In the manifest's order. */
        unsigned b = 0;
        for (unsigned i = 0; i < info.n_devs; i++) {
                const struct ur_solo5_dev *d = &info.devs[i];
                if (d->type == UR_SOLO5_DEV_NET && net_dev && strcmp(d->name, net_dev) == 0) {
                        if (vm->net.tap_name[0]) {
                                r |= ur_strv_addf(&a, "--net:%s=%s", net_dev, vm->net.tap_name);
                        } else if (vm->net.tap_fd >= 0) {
                                r |= ur_strv_addf(&a, "--net:%s=@%d", net_dev, vm->net.tap_fd);
                                ret->pass_tap_fd = true;
                        } else {
                                ur_strv_free(a);
                                return ur_err_set(
                                        err, 0,
                                        "%s: network enabled but neither a tap name nor a tap fd given", mon);
                        }
                        if (vm->net.mac[0])
                                r |= ur_strv_addf(&a, "--net-mac:%s=%s", net_dev, vm->net.mac);
                } else if (d->type == UR_SOLO5_DEV_BLOCK) {
                        for (unsigned k = 0; k < vm->n_blocks; k++)
                                if (strcmp(blk_names[k], d->name) == 0) {
                                        r |= ur_strv_addf(&a, "--block:%s=%s", d->name, vm->blocks[k].path);
                                        b++;
                                }
                }
        }
        r |= ur_strv_add(&a, vm->kernel);
        if (guest_cmdline && *guest_cmdline)
                r |= ur_strv_add(&a, guest_cmdline);
        if (r < 0) {
                ur_strv_free(a);
                return ur_err_set(err, ENOMEM, "building the %s command line", mon);
        }
        if (b != vm->n_blocks) {
                ur_strv_free(a);
                return ur_err_set(err, 0, "%s: %u of %u block images placed (internal error)", mon, b,
                                  vm->n_blocks);
        }
        ret->argv = a;
        return 0;
}

static int hvt_build(const struct ur_vm *vm, const struct ur_guest_ops *guest, const char *guest_cmdline,
                     struct ur_exec *ret, struct ur_err **err)
{
        if (!vm->kvm)
                return ur_err_set(err, 0,
                                  "hvt needs KVM, which is not in use (use spt without KVM): %s = 'hvt', and "
                                  "/dev/kvm cannot create a VM here or accel is 'tcg' (com.urunc.accel or "
                                  "[monitors.hvt] accel)",
                                  KEY_HYPERVISOR);
        return solo5_build("hvt", UR_SOLO5_TARGET_HVT, vm, guest, guest_cmdline, ret, err);
}

static int spt_build(const struct ur_vm *vm, const struct ur_guest_ops *guest, const char *guest_cmdline,
                     struct ur_exec *ret, struct ur_err **err)
{
        return solo5_build("spt", UR_SOLO5_TARGET_SPT, vm, guest, guest_cmdline, ret, err);
}

const struct ur_vmm_ops ur_vmm_hvt = {
        .name = "hvt",
        .default_binary = "solo5-hvt",
        .stop_signal = SIGTERM,
        .build = hvt_build,
        .boot_formats = UR_BOOT_FORMAT_BIT(UR_BOOT_SOLO5),
};

const struct ur_vmm_ops ur_vmm_spt = {
        .name = "spt",
        .default_binary = "solo5-spt",
        .stop_signal = SIGTERM,
        .build = spt_build,
        .boot_formats = UR_BOOT_FORMAT_BIT(UR_BOOT_SOLO5),
        .no_accel = true,
};
