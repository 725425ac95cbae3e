/* SPDX-License-Identifier: Apache-2.0 */
/* Golden QEMU argv for VM descriptions (through ur_vm_build_exec). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vm/build.h"
#include "vmm/vmm.h"
#include "util/strv.h"

static void base(struct ur_vm *vm, const char *guest, enum ur_boot_format boot)
{
        ur_vm_init(vm);
        vm->guest = (char *) guest;
        vm->monitor = (char *) "qemu";
        vm->monitor_binary = (char *) "/usr/bin/qemu-system-x86_64";
        vm->kernel = (char *) "/k/kernel";
        vm->boot = boot;
        vm->mem_mib = 256;
        vm->vcpus = 2;
        vm->kvm = false;
        vm->state_dir = (char *) "/run/urunc/c1";
}

#define HEAD(accel_and_cpu, machine)                                                   \
        "/usr/bin/qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot " \
        accel_and_cpu " -M " machine " -m 256M -smp 2 "

#define TAIL_DEV "-chardev stdio,id=char0,signal=off -serial chardev:char0 " \
                 "-qmp unix:/run/urunc/c1/qmp.sock,server=on,wait=off "

#define UNIKERNEL_MICROVM "microvm,x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off"
#define LINUX_MICROVM "microvm,x-option-roms=off,rtc=on"

/*
 * argv compared element by element (a joined string cannot tell "a b" from
 * "a" "b").  want is written as one string for readability: its words are
 * the elements, except that everything after "-append " is one element
 * (the guest's command line, which the builder always puts last).
 */
static void expect(const struct ur_vm *vm, const char *want, bool pass_fd)
{
        struct ur_exec ex = { 0 };
        struct ur_err *err = NULL;
        char **w = NULL;
        const char *app = strstr(want, " -append ");
        char *head = app ? strndup(want, (size_t) (app - want)) : strdup(want);

        assert_non_null(head);
        for (char *save = NULL, *t = strtok_r(head, " ", &save); t; t = strtok_r(NULL, " ", &save))
                assert_int_equal(ur_strv_add(&w, t), 0);
        if (app) {
                assert_int_equal(ur_strv_add(&w, "-append"), 0);
                assert_int_equal(ur_strv_add(&w, app + strlen(" -append ")), 0);
        }
        free(head);
        if (ur_vm_build_exec(vm, &ex, &err) < 0)
                fail_msg("build: %s", ur_err_msg(err));
        for (size_t i = 0; w[i] || ex.argv[i]; i++) {
                if (!w[i] || !ex.argv[i])
                        fail_msg("argv has %zu elements, want %zu", ur_strv_len(ex.argv), ur_strv_len(w));
                if (strcmp(w[i], ex.argv[i]) != 0)
                        fail_msg("argv[%zu] = '%s', want '%s'", i, ex.argv[i], w[i]);
        }
        assert_int_equal(ex.pass_tap_fd, pass_fd);
        assert_int_equal(ex.n_files, 0);
        ur_strv_free(w);
        ur_exec_done(&ex);
}

static void test_unikraft_pvh(void **state)
{
        (void) state;
        struct ur_vm vm;
        base(&vm, "unikraft", UR_BOOT_PVH);
        char *argv[] = { (char *) "hello", NULL };
        vm.argv = argv;
        expect(&vm, HEAD("-accel tcg", UNIKERNEL_MICROVM)
                    "-device isa-debug-exit,iobase=0x501,iosize=2 " TAIL_DEV
                    "-kernel /k/kernel -append hello urunc --", false);

        /* KVM, seccomp, data path, network by fd, initrd. */
        vm.kvm = true;
        vm.seccomp = true;
        vm.monitor_data_path = (char *) "/usr/share/qemu";
        vm.initrd = (char *) "/k/initrd";
        vm.net.enabled = true;
        vm.net.tap_fd = 7;
        strcpy(vm.net.tap_name, "tap0");
        strcpy(vm.net.mac, "02:00:00:00:00:01");
        strcpy(vm.net.ip, "10.0.0.2");
        vm.net.prefix = 24;
        strcpy(vm.net.netmask, "255.255.255.0");
        strcpy(vm.net.gateway, "10.0.0.1");
        /* microvm without ACPI: QEMU's own virtio_mmio.device words are
         * off, urunc's come before "--". */
        expect(&vm, HEAD("-accel kvm -cpu host,-arch-capabilities", UNIKERNEL_MICROVM ",auto-kernel-cmdline=off")
                    "-device isa-debug-exit,iobase=0x501,iosize=2 " TAIL_DEV
                    "-sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny "
                    "-L /usr/share/qemu "
                    "-netdev tap,id=n0,fd=7,vhost=off -device virtio-net-device,netdev=n0,mac=02:00:00:00:00:01 "
                    "-kernel /k/kernel -initrd /k/initrd "
                    "-append hello netdev.ip=10.0.0.2/24:10.0.0.1 vfs.fstab=[ \"initrd0:/:extract:::\" ] "
                    "virtio_mmio.device=512@0xfeb00e00:12 --",
               true);

        /* Net and two blocks, application arguments (a quoted "--" inside
         * argv[0] and inside an environment entry with a '"'): the words go
         * before the real "--", one transport each from the top, in
         * -device order. */
        {
                char *argv2[] = { (char *) "my -- app", (char *) "--", (char *) "x y", NULL };
                char *env2[] = { (char *) "Q=a \" -- b", NULL };
                vm.env = env2;
                struct ur_vm_block blocks[] = {
                        { .path = (char *) "/img/a" },
                        { .path = (char *) "/img/b", .readonly = true },
                };
                struct ur_vm v2 = vm;
                v2.argv = argv2;
                v2.kvm = false;
                v2.seccomp = false;
                v2.monitor_data_path = NULL;
                v2.initrd = NULL;
                v2.blocks = blocks;
                v2.n_blocks = 2;
                expect(&v2, HEAD("-accel tcg", UNIKERNEL_MICROVM ",auto-kernel-cmdline=off")
                            "-device isa-debug-exit,iobase=0x501,iosize=2 " TAIL_DEV
                            "-netdev tap,id=n0,fd=7,vhost=off -device virtio-net-device,netdev=n0,mac=02:00:00:00:00:01 "
                            "-drive file=/img/a,format=raw,if=none,id=blk0 -device virtio-blk-device,drive=blk0 "
                            "-drive file=/img/b,format=raw,if=none,id=blk1,readonly=on "
                            "-device virtio-blk-device,drive=blk1 "
                            "-kernel /k/kernel "
                            "-append 'my -- app' 'env.vars=Q=a \" -- b' netdev.ip=10.0.0.2/24:10.0.0.1 "
                            "virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11 "
                            "virtio_mmio.device=512@0xfeb00a00:10 -- -- 'x y'",
                       true);
                /* A machine that says auto-kernel-cmdline itself is left alone. */
                v2.machine = (char *) "microvm,acpi=off,auto-kernel-cmdline=on";
                v2.n_blocks = 0;
                expect(&v2, HEAD("-accel tcg", "microvm,acpi=off,auto-kernel-cmdline=on")
                            "-device isa-debug-exit,iobase=0x501,iosize=2 " TAIL_DEV
                            "-netdev tap,id=n0,fd=7,vhost=off -device virtio-net-device,netdev=n0,mac=02:00:00:00:00:01 "
                            "-kernel /k/kernel "
                            "-append 'my -- app' 'env.vars=Q=a \" -- b' netdev.ip=10.0.0.2/24:10.0.0.1 -- -- 'x y'",
                       true);
                /* More devices than transports. */
                struct ur_vm_block many[9] = { { 0 } };
                for (int i = 0; i < 9; i++)
                        many[i].path = (char *) "/img/x";
                v2.machine = NULL;
                v2.blocks = many;
                v2.n_blocks = 9;
                struct ur_exec ex = { 0 };
                struct ur_err *err = NULL;
                assert_true(ur_vm_build_exec(&v2, &ex, &err) < 0);
                assert_non_null(strstr(ur_err_msg(err), "10 virtio devices, microvm without ACPI has 8 transports"));
                ur_err_free(&err);
        }

        /* Network by name; multiboot -> pc with virtio-net-pci; MTU. */
        vm.env = NULL;
        vm.net.tap_fd = -1;
        vm.net.mtu = 1400;
        vm.boot = UR_BOOT_MULTIBOOT;
        vm.kvm = false;
        vm.seccomp = false;
        vm.monitor_data_path = NULL;
        vm.initrd = NULL;
        expect(&vm, HEAD("-accel tcg", "pc")
                    "-device isa-debug-exit,iobase=0x501,iosize=2 " TAIL_DEV
                    "-netdev tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=off "
                    "-device virtio-net-pci,netdev=n0,mac=02:00:00:00:00:01,host_mtu=1400 "
                    "-kernel /k/kernel -append hello netdev.ip=10.0.0.2/24:10.0.0.1 --", false);
}

static void test_linux(void **state)
{
        (void) state;
        struct ur_vm vm;
        base(&vm, "linux", UR_BOOT_LINUX);
        vm.tsc_khz = 2000000;
        char *argv[] = { (char *) "/init", NULL };
        vm.argv = argv;
        struct ur_vm_block blocks[] = {
                { .path = (char *) "/img/root,1.ext4" },
                { .path = (char *) "/img/data.img", .readonly = true },
        };
        vm.blocks = blocks;
        vm.n_blocks = 2;
        expect(&vm, HEAD("-accel tcg", LINUX_MICROVM)
                    "-device isa-debug-exit,iobase=0xf4,iosize=0x04 " TAIL_DEV
                    "-drive file=/img/root,,1.ext4,format=raw,if=none,id=blk0 -device virtio-blk-device,drive=blk0 "
                    "-drive file=/img/data.img,format=raw,if=none,id=blk1,readonly=on "
                    "-device virtio-blk-device,drive=blk1 "
                    "-kernel /k/kernel -append panic=-1 console=ttyS0 tsc_early_khz=2000000 root=/dev/vda rw init=/init",
               false);
        /* Machine override: q35 -> pci devices. */
        vm.machine = (char *) "q35";
        vm.n_blocks = 1;
        vm.state_dir = NULL;
        vm.vcpus = 0;
        vm.mem_mib = 0;
        expect(&vm, "/usr/bin/qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot "
                    "-accel tcg -M q35 -m 128M -smp 1 -device isa-debug-exit,iobase=0xf4,iosize=0x04 "
                    "-chardev stdio,id=char0,signal=off -serial chardev:char0 "
                    "-drive file=/img/root,,1.ext4,format=raw,if=none,id=blk0 -device virtio-blk-pci,drive=blk0 "
                    "-kernel /k/kernel -append panic=-1 console=ttyS0 tsc_early_khz=2000000 root=/dev/vda rw init=/init",
               false);
}

static void test_mewz_hermit(void **state)
{
        (void) state;
        struct ur_vm vm;
        base(&vm, "mewz", UR_BOOT_MULTIBOOT);
        vm.net.enabled = true;
        strcpy(vm.net.tap_name, "tap9");
        strcpy(vm.net.mac, "02:00:00:00:00:09");
        strcpy(vm.net.ip, "10.1.0.2");
        vm.net.prefix = 16;
        strcpy(vm.net.gateway, "10.1.0.1");
        expect(&vm, HEAD("-accel tcg", "pc")
                    "-device isa-debug-exit,iobase=0x501,iosize=2 " TAIL_DEV
                    "-netdev tap,id=n0,ifname=tap9,script=no,downscript=no,vhost=off "
                    "-device virtio-net-pci,netdev=n0,mac=02:00:00:00:00:09,disable-legacy=on,disable-modern=off "
                    "-kernel /k/kernel -append ip=10.1.0.2/16 gateway=10.1.0.1", false);

        base(&vm, "hermit", UR_BOOT_MULTIBOOT);
        vm.initrd = (char *) "/k/app";
        expect(&vm, HEAD("-accel tcg", "pc")
                    "-device isa-debug-exit,iobase=0xf4,iosize=0x04 " TAIL_DEV
                    "-kernel /k/kernel -initrd /k/app", false);
}

static void test_errors(void **state)
{
        (void) state;
        struct ur_vm vm;
        struct ur_exec ex = { 0 };
        struct ur_err *err = NULL;
        base(&vm, "unikraft", UR_BOOT_PVH);
        vm.net.enabled = true;
        assert_true(ur_vm_build_exec(&vm, &ex, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "neither a tap fd nor a tap name"));
        ur_err_free(&err);

        base(&vm, "linux", UR_BOOT_SOLO5);
        assert_true(ur_vm_build_exec(&vm, &ex, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "monitor 'qemu' cannot boot kernel '/k/kernel'"));
        assert_non_null(strstr(ur_err_msg(err), "solo5"));
        ur_err_free(&err);

        base(&vm, "linux", UR_BOOT_ELF);
        assert_true(ur_vm_build_exec(&vm, &ex, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "boot format is elf"));
        ur_err_free(&err);

        base(&vm, "rumprun", UR_BOOT_PVH);
        assert_true(ur_vm_build_exec(&vm, &ex, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "guest 'rumprun' is not supported on monitor 'qemu'"));
        ur_err_free(&err);

        /* Not probed: probed here, and a missing file is named. */
        base(&vm, "linux", UR_BOOT_UNKNOWN);
        vm.kernel = (char *) "/nonexistent/vmlinuz";
        assert_true(ur_vm_build_exec(&vm, &ex, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "'/nonexistent/vmlinuz'"));
        ur_err_free(&err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unikraft_pvh),
                cmocka_unit_test(test_linux),
                cmocka_unit_test(test_mewz_hermit),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
