/* SPDX-License-Identifier: Apache-2.0 */
/*
 * QEMU (x86-64).
 *
 *   qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot
 *     -accel kvm -cpu host,-arch-capabilities | -accel tcg
 *     -M <machine> -m <MiB>M -smp <n>
 *     -device isa-debug-exit,iobase=0xf4,iosize=0x04
 *     -chardev stdio,id=char0,signal=off -serial chardev:char0
 *     -qmp unix:<state_dir>/qmp.sock,server=on,wait=off
 *     [-sandbox on,...] [-L <data_path>]
 *     [-netdev tap,id=n0,fd=N|ifname=T,script=no,downscript=no,vhost=off
 *      -device virtio-net-device|virtio-net-pci,netdev=n0,mac=M]
 *     [-drive file=P,format=raw,if=none,id=blkI -device virtio-blk-…,drive=blkI]
 *     [-fsdev local,id=fsT,path=P,security_model=none[,readonly=on]
 *      -device virtio-9p-device|virtio-9p-pci,fsdev=fsT,mount_tag=T]
 *     -kernel K [-initrd I] [-append C]
 *
 * Machine by boot format (vm->machine overrides):
 *   PVH, LINUX (bzImage) -> microvm: no firmware work, fastest boot.  For
 *     unikernels "microvm,x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off"
 *     (virtio-mmio devices are then described on the kernel command line);
 *     for guests wanting ACPI (Linux: Debian's kernel ignores the command
 *     line description and finds virtio-mmio only via ACPI)
 *     "microvm,x-option-roms=off,rtc=on" with ACPI, PIT and PIC left on (without
 *     the RTC Debian's kernel waits ~3 s under TCG probing it: "Unable to read
 *     current time from RTC", "rtc_cmos: broken or not accessible").
 *   MULTIBOOT -> pc: QEMU loads multiboot only through pc's option ROM.
 * Devices are virtio-*-device (mmio) on microvm and virtio-*-pci elsewhere.
 *
 * microvm without ACPI describes its virtio-mmio devices on the kernel
 * command line, and QEMU appends those "virtio_mmio.device=" words at the
 * END of -append: after a "--", where a unikernel (Unikraft) takes them for
 * application arguments and never sees its devices.  So on such a machine
 * urunc turns QEMU's words off (auto-kernel-cmdline=off) and writes the
 * same words itself, before the first "--" of the guest's command line.
 * The layout is QEMU's (hw/i386/microvm.c, unchanged since 5.0): without
 * ACPI, 8 transports of 512 bytes from 0xfeb00000 with IRQs 5..12, and the
 * devices, in -device order, take the highest free transport first; the
 * root test checks it against what QEMU itself writes.
 *
 * CPU: under KVM "host,-arch-capabilities" (the host model minus the
 * IA32_ARCH_CAPABILITIES MSR, which nested hypervisors like this machine's
 * cannot provide: plain "host" aborts there); under TCG QEMU's default
 * model, which every guest tested boots with.
 *
 * Exit status: guests write their status N to the isa-debug-exit port and
 * QEMU exits (N << 1) | 1; a guest shutdown or reset (-no-reboot) exits 0.
 * The port and what the codes mean are the guest family's (qemu_debug_exit,
 * qemu_exits); ur_exit_status maps them.  The QMP socket is also watched by
 * urunc's supervisor (init/supervise.c): a VM that QEMU stops for good
 * (internal error, guest panic) ends the container.
 *
 * Block volumes (block devices among the mounts) follow, in the spec's
 * order, as -drive file=DEV,format=raw,if=none,id=blkN[,readonly=on]
 * -device virtio-blk-…,drive=blkN,serial=blkN (the guest finds them by
 * serial).  A guest's configuration disk (vm->config_disk) is the last
 * virtio-blk disk: -drive file=P,format=raw,if=none,id=urunit,readonly=on
 * -device virtio-blk-…,drive=urunit,serial=urunit.
 *
 * 9p shares (src/vm/storage.c): the rootfs (tag "rootfs", with
 * mountRootfs) then each bind-mounted directory ("vol0", ...), QEMU's own
 * "local" backend, no helper daemon.  security_model=none: files are
 * created with the monitor's uid and the host's modes, what the host sees
 * is what the guest wrote (ownership changes from the guest are ignored);
 * a read-only mount is a read-only fsdev (QEMU refuses every write with
 * EROFS) on top of a read-only bind in the confined root.
 *
 * virtiofs (annotation com.urunc.sharedfs=virtiofs): the same shares as
 * vhost-user-fs devices on virtiofsd's sockets (<state_dir>/virtiofs-<tag>.sock,
 * init/virtiofsd.c), the guest RAM a shared memfd
 * (-object memory-backend-memfd,id=mem,size=<M>M,share=on and the machine's
 * memory-backend=mem), and on microvm modern virtio-mmio
 * (-global virtio-mmio.force-legacy=false: virtiofsd refuses legacy
 * devices); QEMU itself never opens the shared directory.
 *
 * Values inside QEMU option strings have their commas doubled (QEMU's
 * escape), so paths with commas work.  -kernel and -append are taken
 * verbatim; so is -initrd, except on multiboot machines, where QEMU reads
 * it as a comma-separated module list (",," escaped) whose entries are
 * "FILE ARGS": there a blank in the initrd's path is refused.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vmm.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* QEMU option values: ',' is written ",,". */
static char *qesc(const char *s)
{
        size_t n = strlen(s), commas = 0;
        for (const char *p = s; *p; p++)
                commas += *p == ',';
        char *o = malloc(n + commas + 1), *q = o;
        if (!o)
                return NULL;
        for (const char *p = s; *p; p++) {
                *q++ = *p;
                if (*p == ',')
                        *q++ = ',';
        }
        *q = '\0';
        return o;
}

static const char *default_machine(const struct ur_vm *vm, const struct ur_guest_ops *guest)
{
        switch (vm->boot) {
        case UR_BOOT_PVH:
        case UR_BOOT_LINUX:
                return guest->qemu_acpi ? "microvm,x-option-roms=off,rtc=on"
                                        : "microvm,x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off";
        case UR_BOOT_MULTIBOOT:
                return "pc";
        default:
                return NULL;
        }
}

#define MICROVM_MMIO_BASE 0xfeb00000ull
#define MICROVM_MMIO_SIZE 512u
#define MICROVM_MMIO_IRQ_BASE 5u
#define MICROVM_MMIO_SLOTS 8u

/* A comma-separated option string has the word w (e.g. "acpi=off"), or,
 * with prefix, a word starting with w. */
static bool has_opt(const char *opts, const char *w, bool prefix)
{
        size_t n = strlen(w);
        for (const char *p = opts; p && *p;) {
                const char *e = strchr(p, ',');
                size_t l = e ? (size_t) (e - p) : strlen(p);
                if (prefix ? l >= n && strncmp(p, w, n) == 0 : l == n && strncmp(p, w, n) == 0)
                        return true;
                p = e ? e + 1 : NULL;
        }
        return false;
}

/* The offset of the first word "--" in s, words split as the guests'
 * command lines are (Unikraft's uk_argnparse, and POSIX-shell-like): '…'
 * and "…" group, \ outside '…' escapes the next character.  Its length
 * when there is none. */
static size_t dashdash_offset(const char *s)
{
        char quote = 0;
        bool word_start = true; /* the next character starts a word */
        for (size_t i = 0; s[i]; i++) {
                char c = s[i];
                if (quote) {
                        if (c == quote)
                                quote = 0;
                        else if (c == '\\' && quote == '"' && s[i + 1])
                                i++;
                        continue;
                }
                if (strchr(" \t\n\r\v", c)) {
                        word_start = true;
                        continue;
                }
                if (word_start && c == '-' && s[i + 1] == '-' &&
                    (s[i + 2] == '\0' || strchr(" \t\n\r\v", s[i + 2])))
                        return i;
                word_start = false;
                if (c == '\'' || c == '"')
                        quote = c;
                else if (c == '\\' && s[i + 1])
                        i++;
        }
        return strlen(s);
}

/* cmdline with the virtio_mmio.device words for n devices before its
 * first "--". */
static int mmio_cmdline(const char *cmdline, unsigned n, char **ret, struct ur_err **err)
{
        if (n > MICROVM_MMIO_SLOTS)
                return ur_err_set(err, 0, "qemu: %u virtio devices, microvm without ACPI has %u transports", n,
                                  MICROVM_MMIO_SLOTS);
        _cleanup_strv_ char **w = NULL;
        for (unsigned k = 0; k < n; k++) {
                unsigned slot = MICROVM_MMIO_SLOTS - 1 - k;
                if (ur_strv_addf(&w, "virtio_mmio.device=%u@0x%llx:%u", MICROVM_MMIO_SIZE,
                                 MICROVM_MMIO_BASE + (unsigned long long) slot * MICROVM_MMIO_SIZE,
                                 MICROVM_MMIO_IRQ_BASE + slot) < 0)
                        return ur_err_set(err, ENOMEM, "building the qemu command line");
        }
        _cleanup_free_ char *words = ur_strv_join(w, " ");
        if (!words)
                return ur_err_set(err, ENOMEM, "building the qemu command line");
        const char *c = cmdline ? cmdline : "";
        size_t at = dashdash_offset(c);
        /* before: "<c[0..at) without trailing blank> <words>", then " <rest>" */
        size_t head = at;
        while (head > 0 && c[head - 1] == ' ')
                head--;
        char *s = NULL;
        if (asprintf(&s, "%.*s%s%s%s%s", (int) head, c, head ? " " : "", words, c[at] ? " " : "", c + at) < 0)
                return ur_err_set(err, ENOMEM, "building the qemu command line");
        *ret = s;
        return 0;
}

static int qemu_build(const struct ur_vm *vm, const struct ur_guest_ops *guest, const char *guest_cmdline,
                      struct ur_exec *ret, struct ur_err **err)
{
        if (!vm->monitor_binary || !vm->kernel)
                return ur_err_set(err, 0, "qemu: monitor binary and kernel are required");
        const char *machine = vm->machine ? vm->machine : default_machine(vm, guest);
        if (!machine)
                return ur_err_set(err, 0, "qemu cannot boot kernel '%s' (boot format %s)", vm->kernel,
                                  ur_boot_format_name(vm->boot));
        bool mmio = strstr(machine, "microvm") == machine;
        unsigned n_dev = (vm->net.enabled ? 1u : 0u) + vm->n_blocks + (vm->share_rootfs ? 1u : 0u) +
                         (vm->config_disk ? 1u : 0u);
        bool vfs = vm->virtiofs && vm->share_rootfs;
        for (unsigned i = 0; i < vm->n_shares; i++) {
                n_dev += vm->shares[i].kind != UR_SHARE_TMPFS;
                vfs = vfs || vm->shares[i].kind == UR_SHARE_VIRTIOFS;
        }
        if (vfs && !vm->state_dir)
                return ur_err_set(err, 0, "qemu: virtiofs needs the state directory (virtiofsd's sockets)");
        if (vm->share_rootfs && !vm->rootfs)
                return ur_err_set(err, 0, "qemu: mountRootfs without a container rootfs");
        _cleanup_free_ char *machine_own = NULL, *cmdline_own = NULL, *machine_vfs = NULL;
        if (mmio && n_dev > 0 && has_opt(machine, "acpi=off", false) &&
            !has_opt(machine, "auto-kernel-cmdline=", true)) {
                if (asprintf(&machine_own, "%s,auto-kernel-cmdline=off", machine) < 0)
                        return ur_err_set(err, ENOMEM, "building the qemu command line");
                machine = machine_own;
                if (mmio_cmdline(guest_cmdline, n_dev, &cmdline_own, err) < 0)
                        return -1;
                guest_cmdline = cmdline_own;
        }
        if (vfs) {
                /* vhost-user needs the guest RAM in shared memory. */
                if (asprintf(&machine_vfs, "%s,memory-backend=mem", machine) < 0)
                        return ur_err_set(err, ENOMEM, "building the qemu command line");
                machine = machine_vfs;
        }
        const char *pci = guest->qemu_pci_props;
        char **a = NULL;
        int r = 0;

        r |= ur_strv_add(&a, vm->monitor_binary);
        r |= ur_strv_add(&a, "-nodefaults");
        r |= ur_strv_add(&a, "-no-user-config");
        r |= ur_strv_add(&a, "-display");
        r |= ur_strv_add(&a, "none");
        r |= ur_strv_add(&a, "-no-reboot");
        r |= ur_strv_add(&a, "-accel");
        r |= ur_strv_add(&a, vm->kvm ? "kvm" : "tcg");
        if (vm->kvm) {
                r |= ur_strv_add(&a, "-cpu");
                r |= ur_strv_add(&a, "host,-arch-capabilities");
        }
        r |= ur_strv_add(&a, "-M");
        r |= ur_strv_add(&a, machine);
        r |= ur_strv_add(&a, "-m");
        r |= ur_strv_addf(&a, "%lluM", (unsigned long long) (vm->mem_mib ? vm->mem_mib : 128));
        if (vfs && mmio) {
                /* virtiofsd (libvhost-user) refuses legacy virtio, which
                 * microvm's virtio-mmio transports are by default. */
                r |= ur_strv_add(&a, "-global");
                r |= ur_strv_add(&a, "virtio-mmio.force-legacy=false");
        }
        if (vfs) {
                r |= ur_strv_add(&a, "-object");
                r |= ur_strv_addf(&a, "memory-backend-memfd,id=mem,size=%lluM,share=on",
                                  (unsigned long long) (vm->mem_mib ? vm->mem_mib : 128));
        }
        r |= ur_strv_add(&a, "-smp");
        r |= ur_strv_addf(&a, "%u", vm->vcpus ? vm->vcpus : 1);
        r |= ur_strv_add(&a, "-device");
        r |= ur_strv_addf(&a, "isa-debug-exit,%s",
                          guest->qemu_debug_exit ? guest->qemu_debug_exit : "iobase=0xf4,iosize=0x04");
        r |= ur_strv_add(&a, "-chardev");
        r |= ur_strv_add(&a, "stdio,id=char0,signal=off");
        r |= ur_strv_add(&a, "-serial");
        r |= ur_strv_add(&a, "chardev:char0");
        if (vm->state_dir) {
                _cleanup_free_ char *d = qesc(vm->state_dir);
                r |= d ? 0 : -1;
                r |= ur_strv_add(&a, "-qmp");
                r |= ur_strv_addf(&a, "unix:%s/qmp.sock,server=on,wait=off", d ? d : "");
        }
        if (vm->seccomp) {
                r |= ur_strv_add(&a, "-sandbox");
                r |= ur_strv_add(&a, "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
        }
        if (vm->monitor_data_path) {
                r |= ur_strv_add(&a, "-L");
                r |= ur_strv_add(&a, vm->monitor_data_path);
        }
        if (r < 0)
                goto oom;

        if (vm->net.enabled) {
                r |= ur_strv_add(&a, "-netdev");
                if (vm->net.tap_fd >= 0) {
                        r |= ur_strv_addf(&a, "tap,id=n0,fd=%d,vhost=off", vm->net.tap_fd);
                        ret->pass_tap_fd = true;
                } else if (vm->net.tap_name[0]) {
                        r |= ur_strv_addf(&a, "tap,id=n0,ifname=%s,script=no,downscript=no,vhost=off",
                                          vm->net.tap_name);
                } else {
                        ur_strv_free(a);
                        return ur_err_set(err, 0, "qemu: network enabled but neither a tap fd nor a tap name given");
                }
                r |= ur_strv_add(&a, "-device");
                char mtu[32] = "";
                if (vm->net.mtu > 0)
                        snprintf(mtu, sizeof(mtu), ",host_mtu=%u", vm->net.mtu);
                r |= ur_strv_addf(&a, "%s,netdev=n0,mac=%s%s%s%s", mmio ? "virtio-net-device" : "virtio-net-pci",
                                  vm->net.mac, mtu, !mmio && pci ? "," : "", !mmio && pci ? pci : "");
        }
        for (unsigned i = 0; i < vm->n_blocks; i++) {
                _cleanup_free_ char *p = qesc(vm->blocks[i].path);
                if (!p)
                        goto oom;
                r |= ur_strv_add(&a, "-drive");
                r |= ur_strv_addf(&a, "file=%s,format=raw,if=none,id=blk%u%s", p, i,
                                  vm->blocks[i].readonly ? ",readonly=on" : "");
                r |= ur_strv_add(&a, "-device");
                r |= ur_strv_addf(&a, "%s,drive=blk%u%s%s", mmio ? "virtio-blk-device" : "virtio-blk-pci", i,
                                  !mmio && pci ? "," : "", !mmio && pci ? pci : "");
        }
        /* Shares: the rootfs first, then the mounts in the spec's order. */
        for (unsigned i = 0; i <= vm->n_shares; i++) {
                const char *src, *tag;
                bool ro, virtiofs;
                if (i == 0) {
                        if (!vm->share_rootfs)
                                continue;
                        src = vm->rootfs, tag = UR_ROOTFS_TAG, ro = vm->rootfs_readonly;
                        virtiofs = vm->virtiofs;
                } else {
                        const struct ur_vm_share *sh = &vm->shares[i - 1];
                        if (sh->kind == UR_SHARE_TMPFS)
                                continue;
                        if (sh->kind == UR_SHARE_BLOCK) {
                                _cleanup_free_ char *p = qesc(sh->source);
                                if (!p)
                                        goto oom;
                                r |= ur_strv_add(&a, "-drive");
                                r |= ur_strv_addf(&a, "file=%s,format=raw,if=none,id=%s%s", p, sh->tag,
                                                  sh->readonly ? ",readonly=on" : "");
                                r |= ur_strv_add(&a, "-device");
                                r |= ur_strv_addf(&a, "%s,drive=%s,serial=%s%s%s",
                                                  mmio ? "virtio-blk-device" : "virtio-blk-pci", sh->tag, sh->tag,
                                                  !mmio && pci ? "," : "", !mmio && pci ? pci : "");
                                continue;
                        }
                        src = sh->source, tag = sh->tag, ro = sh->readonly;
                        virtiofs = sh->kind == UR_SHARE_VIRTIOFS;
                }
                if (virtiofs) {
                        _cleanup_free_ char *d = qesc(vm->state_dir);
                        if (!d)
                                goto oom;
                        r |= ur_strv_add(&a, "-chardev");
                        r |= ur_strv_addf(&a, "socket,id=vfs%s,path=%s/" UR_VIRTIOFS_SOCK_FMT, tag, d, tag);
                        r |= ur_strv_add(&a, "-device");
                        r |= ur_strv_addf(&a, "%s,chardev=vfs%s,tag=%s%s%s",
                                          mmio ? "vhost-user-fs-device" : "vhost-user-fs-pci", tag, tag,
                                          !mmio && pci ? "," : "", !mmio && pci ? pci : "");
                        continue;
                }
                _cleanup_free_ char *p = qesc(src);
                if (!p)
                        goto oom;
                r |= ur_strv_add(&a, "-fsdev");
                r |= ur_strv_addf(&a, "local,id=fs%s,path=%s,security_model=none%s", tag, p,
                                  ro ? ",readonly=on" : "");
                r |= ur_strv_add(&a, "-device");
                r |= ur_strv_addf(&a, "%s,fsdev=fs%s,mount_tag=%s%s%s",
                                  mmio ? "virtio-9p-device" : "virtio-9p-pci", tag, tag,
                                  !mmio && pci ? "," : "", !mmio && pci ? pci : "");
        }
        if (vm->config_disk) {
                /* The guest's configuration: the last virtio-blk disk. */
                _cleanup_free_ char *p = qesc(vm->config_disk);
                if (!p)
                        goto oom;
                r |= ur_strv_add(&a, "-drive");
                r |= ur_strv_addf(&a, "file=%s,format=raw,if=none,id=urunit,readonly=on", p);
                r |= ur_strv_add(&a, "-device");
                r |= ur_strv_addf(&a, "%s,drive=urunit,serial=urunit%s%s",
                                  mmio ? "virtio-blk-device" : "virtio-blk-pci", !mmio && pci ? "," : "",
                                  !mmio && pci ? pci : "");
        }
        r |= ur_strv_add(&a, "-kernel");
        r |= ur_strv_add(&a, vm->kernel);
        if (vm->initrd && vm->boot == UR_BOOT_MULTIBOOT) {
                if (strpbrk(vm->initrd, " \t\n\r\v\f")) {
                        ur_strv_free(a);
                        return ur_err_set(err, EINVAL,
                                          "qemu: initrd path '%s' contains a blank, which QEMU's multiboot module "
                                          "list cannot carry", vm->initrd);
                }
                _cleanup_free_ char *i = qesc(vm->initrd);
                if (!i)
                        goto oom;
                r |= ur_strv_add(&a, "-initrd");
                r |= ur_strv_add(&a, i);
        } else if (vm->initrd) {
                r |= ur_strv_add(&a, "-initrd");
                r |= ur_strv_add(&a, vm->initrd);
        }
        if (guest_cmdline && *guest_cmdline) {
                r |= ur_strv_add(&a, "-append");
                r |= ur_strv_add(&a, guest_cmdline);
        }
        if (r < 0)
                goto oom;
        if (vm->state_dir && asprintf(&ret->qmp_path, "%s/qmp.sock", vm->state_dir) < 0) {
                ret->qmp_path = NULL;
                goto oom;
        }
        ret->argv = a;
        return 0;
oom:
        ur_strv_free(a);
        return ur_err_set(err, ENOMEM, "building the qemu command line");
}

const struct ur_vmm_ops ur_vmm_qemu = {
        .name = "qemu",
        .default_binary = "qemu-system-x86_64",
        .stop_signal = SIGTERM,
        .build = qemu_build,
        .boot_formats = UR_BOOT_FORMAT_BIT(UR_BOOT_PVH) | UR_BOOT_FORMAT_BIT(UR_BOOT_MULTIBOOT) |
                        UR_BOOT_FORMAT_BIT(UR_BOOT_LINUX),
        .takes_config_disk = true,
};
