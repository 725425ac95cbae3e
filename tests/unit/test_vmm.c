/* SPDX-License-Identifier: Apache-2.0 */
/* Monitor registry, pair table, firecracker JSON, solo5 and cloud-hypervisor argv. */
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "guest/guest.h"
#include "vm/build.h"
#include "argv-assert.h"
#include "vm/pairs.h"
#include "vmm/vmm.h"
#include "solo5-elf.h"
#include "util/cleanup.h"
#include "util/strv.h"

static void base(struct ur_vm *vm, const char *guest, const char *monitor, enum ur_boot_format boot)
{
        ur_vm_init(vm);
        vm->guest = (char *) guest;
        vm->monitor = (char *) monitor;
        vm->monitor_binary = (char *) "/usr/bin/vmm";
        vm->kernel = (char *) "/k/kernel";
        vm->boot = boot;
        vm->mem_mib = 512;
        vm->vcpus = 3;
        vm->kvm = true;
        vm->seccomp = true;
        vm->state_dir = (char *) "/run/urunc/c2";
}

static void net(struct ur_vm *vm, int fd, const char *name)
{
        vm->net.enabled = true;
        vm->net.tap_fd = fd;
        strcpy(vm->net.tap_name, name);
        strcpy(vm->net.mac, "02:00:00:00:00:02");
        strcpy(vm->net.ip, "10.0.0.2");
        vm->net.prefix = 24;
        strcpy(vm->net.netmask, "255.255.255.0");
        strcpy(vm->net.gateway, "10.0.0.1");
}

/* Builds into *ex (compare ex->argv with argv_is); returns the argv joined,
 * for messages only. */
static char *build(const struct ur_vm *vm, struct ur_exec *ex)
{
        struct ur_err *err = NULL;
        memset(ex, 0, sizeof(*ex));
        if (ur_vm_build_exec(vm, ex, &err) < 0)
                fail_msg("build: %s", ur_err_msg(err));
        return ur_strv_join(ex->argv, " ");
}

static void build_fails(const struct ur_vm *vm, const char *needle)
{
        struct ur_exec ex = { 0 };
        struct ur_err *err = NULL;
        assert_true(ur_vm_build_exec(vm, &ex, &err) < 0);
        if (!strstr(ur_err_msg(err), needle))
                fail_msg("error '%s' lacks '%s'", ur_err_msg(err), needle);
        ur_err_free(&err);
        assert_null(ex.argv);
}


static void test_registry_pairs(void **state)
{
        (void) state;
        const char *names[] = { "qemu", "firecracker", "hvt", "spt", "cloud-hypervisor" };
        for (size_t i = 0; i < 5; i++) {
                const struct ur_vmm_ops *m = ur_vmm_find(names[i]);
                assert_non_null(m);
                assert_string_equal(m->name, names[i]);
                assert_non_null(m->default_binary);
                assert_int_equal(m->stop_signal, SIGTERM);
                assert_true(m->boot_formats != 0);
        }
        assert_null(ur_vmm_find("kvmtool"));
        size_t n = 0;
        for (const struct ur_vmm_ops *const *m = ur_vmm_all(); *m; m++)
                n++;
        assert_int_equal(n, 5);

        assert_true(ur_pair_supported("unikraft", "qemu"));
        assert_true(ur_pair_supported("unikraft", "firecracker"));
        assert_false(ur_pair_supported("unikraft", "hvt"));
        assert_true(ur_pair_supported("rumprun", "hvt"));
        assert_true(ur_pair_supported("rumprun", "spt"));
        assert_false(ur_pair_supported("rumprun", "qemu"));
        assert_true(ur_pair_supported("mirage", "qemu"));
        assert_true(ur_pair_supported("mirage", "spt"));
        assert_true(ur_pair_supported("mewz", "qemu"));
        assert_false(ur_pair_supported("mewz", "firecracker"));
        assert_true(ur_pair_supported("linux", "cloud-hypervisor"));
        assert_true(ur_pair_supported("hermit", "qemu"));
        assert_true(ur_pair_supported("freebsd", "qemu"));
        assert_true(ur_pair_supported("freebsd", "firecracker"));
        assert_false(ur_pair_supported("freebsd", "hvt"));
        assert_false(ur_pair_supported("freebsd", "cloud-hypervisor"));
        assert_false(ur_pair_supported(NULL, "qemu"));
        n = 0;
        for (const struct ur_pair *p = ur_pair_all(); p->guest; p++) {
                assert_non_null(ur_guest_find(p->guest));
                assert_non_null(ur_vmm_find(p->monitor));
                n++;
        }
        assert_int_equal(n, 14);
}

static const char *jstr(json_object *o, const char *k)
{
        json_object *v;
        assert_true(json_object_object_get_ex(o, k, &v));
        return json_object_get_string(v);
}

static int64_t jint(json_object *o, const char *k)
{
        json_object *v;
        assert_true(json_object_object_get_ex(o, k, &v));
        assert_true(json_object_is_type(v, json_type_int));
        return json_object_get_int64(v);
}

static void test_firecracker(void **state)
{
        (void) state;
        struct ur_vm vm;
        struct ur_exec ex;
        base(&vm, "linux", "firecracker", UR_BOOT_ELF);
        char *argv[] = { (char *) "/bin/app", (char *) "x", NULL };
        vm.argv = argv;
        vm.initrd = (char *) "/k/initrd";
        struct ur_vm_block b = { .path = (char *) "/img/disk.ext4", .readonly = true };
        vm.blocks = &b;
        vm.n_blocks = 1;
        net(&vm, 5, "tap3");
        free(build(&vm, &ex));
        argv_is(ex.argv, (const char *[]){ "/usr/bin/vmm", "--no-api", "--config-file",
                                           "/run/urunc/c2/firecracker.json", NULL });
        assert_false(ex.pass_tap_fd);
        assert_int_equal(ex.n_files, 1);
        assert_string_equal(ex.files[0].path, "/run/urunc/c2/firecracker.json");
        json_object *o = json_tokener_parse(ex.files[0].content);
        assert_non_null(o);
        json_object *bs, *mc, *drives, *nics;
        assert_true(json_object_object_get_ex(o, "boot-source", &bs));
        assert_string_equal(jstr(bs, "kernel_image_path"), "/k/kernel");
        assert_string_equal(jstr(bs, "initrd_path"), "/k/initrd");
        assert_string_equal(jstr(bs, "boot_args"),
                            "panic=-1 console=ttyS0 reboot=k pci=off root=/dev/vda ro "
                            "ip=10.0.0.2::10.0.0.1:255.255.255.0::eth0:off init=/bin/app -- x");
        assert_true(json_object_object_get_ex(o, "machine-config", &mc));
        assert_int_equal(jint(mc, "vcpu_count"), 3);
        assert_int_equal(jint(mc, "mem_size_mib"), 512);
        assert_true(json_object_object_get_ex(o, "drives", &drives));
        assert_int_equal(json_object_array_length(drives), 1);
        json_object *d = json_object_array_get_idx(drives, 0);
        assert_string_equal(jstr(d, "path_on_host"), "/img/disk.ext4");
        assert_string_equal(jstr(d, "drive_id"), "blk0");
        assert_string_equal(jstr(d, "is_read_only"), "true");
        assert_string_equal(jstr(d, "is_root_device"), "false");
        assert_true(json_object_object_get_ex(o, "network-interfaces", &nics));
        assert_int_equal(json_object_array_length(nics), 1);
        json_object *n = json_object_array_get_idx(nics, 0);
        assert_string_equal(jstr(n, "iface_id"), "eth0");
        assert_string_equal(jstr(n, "guest_mac"), "02:00:00:00:00:02");
        assert_string_equal(jstr(n, "host_dev_name"), "tap3");
        json_object_put(o);
        ur_exec_done(&ex);

        /* No seccomp -> --no-seccomp; PVH unikraft. */
        base(&vm, "unikraft", "firecracker", UR_BOOT_PVH);
        vm.seccomp = false;
        free(build(&vm, &ex));
        argv_is(ex.argv, (const char *[]){ "/usr/bin/vmm", "--no-api", "--config-file",
                                           "/run/urunc/c2/firecracker.json", "--no-seccomp", NULL });
        ur_exec_done(&ex);

        /* Boot formats firecracker cannot load; a tap given only by fd. */
        base(&vm, "unikraft", "firecracker", UR_BOOT_MULTIBOOT);
        build_fails(&vm, "monitor 'firecracker' cannot boot kernel '/k/kernel': its boot format is multiboot");
        base(&vm, "linux", "firecracker", UR_BOOT_LINUX);
        build_fails(&vm, "boot format is linux-bzimage");
        base(&vm, "linux", "firecracker", UR_BOOT_PVH);
        net(&vm, 5, "");
        build_fails(&vm, "no tap name");
        base(&vm, "linux", "firecracker", UR_BOOT_PVH);
        vm.state_dir = NULL;
        build_fails(&vm, "state directory");
}

static char s5dir[] = "/tmp/urunc-test-solo5-XXXXXX";

/* A Solo5 kernel in s5dir (solo5-elf.h); returns its path (static buffer per call site). */
static char *s5kernel(const char *name, uint32_t target, const struct t_solo5_dev *devs, int n)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", s5dir, name) > 0);
        t_write_solo5_elf(p, target, devs, n, T_SOLO5_OK);
        return p;
}



static void test_solo5(void **state)
{
        (void) state;
        struct ur_vm vm;
        struct ur_exec ex;
        assert_non_null(mkdtemp(s5dir));
        static const struct t_solo5_dev rump[] = {{"tap", 2}, {"rootfs", 1}};
        static const struct t_solo5_dev rump2[] = {{"data", 1}, {"rootfs", 1}};
        static const struct t_solo5_dev mir[] = {{"service", 2}, {"storage", 1}};
        static const struct t_solo5_dev custom[] = {{"diskA", 1}, {"uplink0", 2}, {"diskB", 1}};
        static const struct t_solo5_dev two_nics[] = {{"service0", 2}, {"service1", 2}};
        static const struct t_solo5_dev one_nic[] = {{"service0", 2}};
        static const struct t_solo5_dev one_blk[] = {{"storage", 1}};
        char *k_rump = s5kernel("rump.hvt", 1, rump, 2), *k_mir = s5kernel("mirage.spt", 2, mir, 2);
        char *k_rump2 = s5kernel("rump2.hvt", 1, rump2, 2);
        char *k_custom = s5kernel("custom.spt", 2, custom, 3),
             *k_two = s5kernel("net2if.spt", 2, two_nics, 2);
        char *k_net = s5kernel("net.spt", 2, one_nic, 1), *k_blk = s5kernel("blk.hvt", 1, one_blk, 1);
        char *k_hello = s5kernel("hello.spt", 2, NULL, 0), *k_nomft = s5kernel("nomft.spt", 2, NULL, -1);
        char *argv[] = {(char *) "/app", NULL};
        struct ur_vm_block b = { .path = (char *) "/img/r.ext2", .mountpoint = (char *) "/data" };
        struct ur_vm_block two[] = {{.path = (char *) "/img/0"}, {.path = (char *) "/img/1"}};

        /* rumprun's manifest: tap and rootfs, by name. */
        base(&vm, "rumprun", "hvt", UR_BOOT_SOLO5);
        vm.kernel = k_rump;
        vm.argv = argv;
        vm.blocks = &b;
        vm.n_blocks = 1;
        net(&vm, -1, "tap1");
        build_ok(&vm, &ex);
        argv_is(ex.argv,
                    (const char *const[]){
                            "/usr/bin/vmm", "--mem=512", "--net:tap=tap1", "--net-mac:tap=02:00:00:00:00:02",
                            "--block:rootfs=/img/r.ext2", k_rump,
                            "{\"cmdline\":\"/"
                            "app\",\"net\":{\"if\":\"ukvmif0\",\"cloner\":\"True\",\"type\":\"inet\","
                            "\"method\":\"static\",\"addr\":\"10.0.0.2\",\"mask\":\"1\",\"gw\":\"10.0.0.1\"},"
                            "\"blk\":{"
                            "\"source\":\"etfs\",\"path\":\"/dev/ld0a\",\"fstype\":\"blk\",\"mountpoint\":\"/"
                            "data\"}}",
                            NULL});
        ur_exec_done(&ex);

        /* rumprun's block device is "rootfs" (upstream's --block:rootfs=,
         * the disk its "blk" mounts as /dev/ld0a): the first image goes
         * there even when the kernel declares another block device first;
         * the argv stays in the manifest's order. */
        base(&vm, "rumprun", "hvt", UR_BOOT_SOLO5);
        vm.kernel = k_rump2;
        vm.argv = argv;
        vm.blocks = two;
        vm.n_blocks = 2;
        build_ok(&vm, &ex);
        argv_is(ex.argv,
                    (const char *const[]){"/usr/bin/vmm", "--mem=512", "--block:data=/img/1",
                                          "--block:rootfs=/img/0", k_rump2,
                                          "{\"cmdline\":\"/app\",\"blk\":{\"source\":\"etfs\",\"path\":"
                                          "\"/dev/ld0a\",\"fstype\":\"blk\",\"mountpoint\":\"/data\"}}",
                                          NULL});
        ur_exec_done(&ex);
        /* solo5BlkDev still decides. */
        vm.solo5_blk_dev = (char *) "data";
        build_ok(&vm, &ex);
        assert_string_equal(ex.argv[2], "--block:data=/img/0");
        assert_string_equal(ex.argv[3], "--block:rootfs=/img/1");
        ur_exec_done(&ex);
        /* A mirage kernel's first block device is "storage" (its hint) only
         * when declared: custom names keep the manifest's order (below). */

        /* mirage's: service and storage; a tap fd. */
        base(&vm, "mirage", "spt", UR_BOOT_SOLO5);
        vm.kernel = k_mir;
        vm.kvm = false;
        vm.blocks = &b;
        vm.n_blocks = 1;
        net(&vm, 4, "");
        build_ok(&vm, &ex);
        argv_is(ex.argv, (const char *const[]){"/usr/bin/vmm", "--mem=512", "--net:service=@4",
                                                   "--net-mac:service=02:00:00:00:00:02",
                                                   "--block:storage=/img/r.ext2", k_mir,
                                                   "--ipv4=10.0.0.2/24 --ipv4-gateway=10.0.0.1", NULL});
        assert_true(ex.pass_tap_fd);
        ur_exec_done(&ex);

        /* Custom names, in the manifest's order (block, net, block). */
        base(&vm, "mirage", "spt", UR_BOOT_SOLO5);
        vm.kernel = k_custom;
        vm.blocks = two;
        vm.n_blocks = 2;
        net(&vm, -1, "tapX");
        build_ok(&vm, &ex);
        argv_is(ex.argv,
                    (const char *const[]){"/usr/bin/vmm", "--mem=512", "--block:diskA=/img/0",
                                          "--net:uplink0=tapX", "--net-mac:uplink0=02:00:00:00:00:02",
                                          "--block:diskB=/img/1", k_custom,
                                          "--ipv4=10.0.0.2/24 --ipv4-gateway=10.0.0.1", NULL});
        ur_exec_done(&ex);
        /* solo5BlkDev: the first image goes to the named device; solo5NetDev
         * names the NIC (and Mirage's options after it). */
        vm.solo5_blk_dev = (char *) "diskB";
        vm.solo5_net_dev = (char *) "uplink0";
        build_ok(&vm, &ex);
        argv_is(ex.argv,
                    (const char *const[]){"/usr/bin/vmm", "--mem=512", "--block:diskA=/img/1",
                                          "--net:uplink0=tapX", "--net-mac:uplink0=02:00:00:00:00:02",
                                          "--block:diskB=/img/0", k_custom,
                                          "--uplink0-ipv4=10.0.0.2/24 --uplink0-ipv4-gateway=10.0.0.1", NULL});
        ur_exec_done(&ex);
        /* A name the manifest does not declare (or declares with the other type). */
        vm.solo5_blk_dev = (char *) "uplink0";
        build_fails(&vm, "com.urunc.unikernel.solo5BlkDev = 'uplink0': kernel '");
        build_fails(&vm,
                    "declares no block device 'uplink0' in its Solo5 manifest (it declares block 'diskA', "
                    "net 'uplink0', block 'diskB')");
        vm.solo5_blk_dev = NULL;
        vm.solo5_net_dev = (char *) "service";
        build_fails(&vm, "mirage guest on spt: com.urunc.unikernel.solo5NetDev = 'service': kernel '");

        /* A NIC the kernel has no use for is not passed (test_hello in a
         * networked container). */
        base(&vm, "mirage", "spt", UR_BOOT_SOLO5);
        vm.kernel = k_hello;
        net(&vm, -1, "tapY");
        build_ok(&vm, &ex);
        argv_is(ex.argv, (const char *const[]){"/usr/bin/vmm", "--mem=512", k_hello,
                                                   "--ipv4=10.0.0.2/24 --ipv4-gateway=10.0.0.1", NULL});
        ur_exec_done(&ex);

        /* Fewer devices than the manifest declares. */
        base(&vm, "mirage", "spt", UR_BOOT_SOLO5);
        vm.kernel = k_two;
        net(&vm, -1, "tapZ");
        build_fails(&vm,
                    "declares 2 network devices in its Solo5 manifest (net 'service0', net 'service1') and "
                    "the container offers one NIC");
        base(&vm, "mirage", "spt", UR_BOOT_SOLO5);
        vm.kernel = k_net;
        build_fails(&vm, "declares 1 network device in its Solo5 manifest (net 'service0') and the container "
                         "offers none (no network namespace of its own in config.json)");
        /* create's dry build: a network namespace may bring the NIC at start. */
        vm.net_possible = true;
        build_ok(&vm, &ex);
        argv_is(ex.argv, (const char *const[]){"/usr/bin/vmm", "--mem=512", k_net, NULL});
        ur_exec_done(&ex);
        /* start found no interface to give the guest. */
        vm.net_decided = true;
        build_fails(&vm, "declares 1 network device in its Solo5 manifest (net 'service0') and the container "
                         "offers none (no interface with an IPv4 address in its network namespace)");
        base(&vm, "mirage", "hvt", UR_BOOT_SOLO5);
        vm.kernel = k_blk;
        build_fails(
                &vm,
                "declares 1 block device in its Solo5 manifest (block 'storage') and the container offers "
                "0 (com.urunc.unikernel.block)");
        build_fails(&vm, k_blk);
        base(&vm, "mirage", "spt", UR_BOOT_SOLO5);
        vm.kernel = k_net;
        vm.net_possible = true;
        vm.blocks = &b;
        vm.n_blocks = 1;
        build_fails(
                &vm,
                "the container has a block image (com.urunc.unikernel.block = '/img/r.ext2') but kernel '");

        /* Built for the other target. */
        base(&vm, "mirage", "hvt", UR_BOOT_SOLO5);
        vm.kernel = k_hello;
        build_fails(&vm, "mirage guest on hvt: kernel '");
        build_fails(
                &vm,
                "(com.urunc.unikernel.binary) is built for the Solo5 spt target, not for hvt "
                "(com.urunc.unikernel.hypervisor = 'hvt'): run it with spt, or use a kernel built for hvt");
        base(&vm, "rumprun", "spt", UR_BOOT_SOLO5);
        vm.kernel = k_rump;
        build_fails(&vm, "is built for the Solo5 hvt target, not for spt");
        base(&vm, "mirage", "spt", UR_BOOT_SOLO5);
        vm.kernel = k_nomft;
        build_fails(&vm, "has no Solo5 manifest (MFT1 note): solo5-spt refuses it");

        base(&vm, "mirage", "hvt", UR_BOOT_SOLO5);
        vm.kernel = k_blk;
        vm.kvm = false;
        build_fails(&vm, "hvt needs KVM");
        base(&vm, "mirage", "hvt", UR_BOOT_PVH);
        build_fails(&vm, "monitor 'hvt' cannot boot kernel '/k/kernel': its boot format is pvh");
        base(&vm, "mirage", "hvt", UR_BOOT_SOLO5);
        vm.initrd = (char *) "/k/i";
        build_fails(&vm, "no initrd");
        base(&vm, "unikraft", "spt", UR_BOOT_SOLO5);
        build_fails(&vm, "guest 'unikraft' is not supported on monitor 'spt'");

        char *all[] = {k_rump, k_rump2, k_mir, k_custom, k_two, k_net, k_blk, k_hello, k_nomft};
        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
                unlink(all[i]);
                free(all[i]);
        }
        rmdir(s5dir);
}

static void test_cloud_hypervisor_and_names(void **state)
{
        (void) state;
        struct ur_vm vm;
        struct ur_exec ex;
        base(&vm, "linux", "cloud-hypervisor", UR_BOOT_PVH);
        char *argv[] = { (char *) "/init", NULL };
        vm.argv = argv;
        vm.initrd = (char *) "/k/initrd";
        struct ur_vm_block b = { .path = (char *) "/img/d" };
        vm.blocks = &b;
        vm.n_blocks = 1;
        net(&vm, -1, "tap2");
        vm.seccomp = false;
        free(build(&vm, &ex));
        argv_is(ex.argv, (const char *[]){ "/usr/bin/vmm", "--kernel", "/k/kernel", "--initramfs", "/k/initrd",
                                           "--cmdline",
                                           "panic=-1 console=ttyS0 root=/dev/vda rw "
                                           "ip=10.0.0.2::10.0.0.1:255.255.255.0::eth0:off init=/init",
                                           "--cpus", "boot=3", "--memory", "size=512M", "--net",
                                           "tap=tap2,mac=02:00:00:00:00:02", "--disk", "path=/img/d", "--console",
                                           "off", "--serial", "tty", "--seccomp", "false", NULL });
        ur_exec_done(&ex);
        base(&vm, "linux", "cloud-hypervisor", UR_BOOT_LINUX);
        build_fails(&vm, "monitor 'cloud-hypervisor' cannot boot");

        base(&vm, "osv", "qemu", UR_BOOT_PVH);
        build_fails(&vm, "unknown guest 'osv'");
        base(&vm, "linux", "kvmtool", UR_BOOT_PVH);
        build_fails(&vm, "unknown monitor 'kvmtool'");
}

/* The container's status for a monitor's end (man/urunc.8, EXIT STATUS). */
static int exit_of(const char *monitor, const char *guest, int wstatus, const char *stopped, bool panicked,
                   const char *why_has)
{
        struct ur_exit_facts f = { .wstatus = wstatus, .vm_stopped = stopped, .guest_panicked = panicked };
        char *why = NULL;
        int status = ur_exit_status(monitor, guest, &f, &why);

        assert_non_null(why);
        if (!strstr(why, why_has))
                fail_msg("'%s' does not say '%s'", why, why_has);
        free(why);
        return status;
}

#define EXITED(n) ((n) << 8)

static void test_exit_status(void **state)
{
        (void) state;
        /* unikraft on qemu: 83 halted, 85 crashed, the rest as QEMU's. */
        assert_int_equal(exit_of("qemu", "unikraft", EXITED(83), NULL, false, "halted"), 0);
        assert_int_equal(exit_of("qemu", "unikraft", EXITED(85), NULL, false, "crash code 42"), 134);
        assert_int_equal(exit_of("qemu", "unikraft", EXITED(7), NULL, false, "status 7"), 7);
        assert_int_equal(exit_of("qemu", "unikraft", EXITED(0), NULL, false, "status 0"), 0);
        assert_int_equal(exit_of("qemu", "unikraft", EXITED(1), NULL, false, "status 1"), 1);
        /* hermit: 3 success, 1 failure, the rest as QEMU's. */
        assert_int_equal(exit_of("qemu", "hermit", EXITED(3), NULL, false, "success code 1"), 0);
        assert_int_equal(exit_of("qemu", "hermit", EXITED(1), NULL, false, "failure code 0"), 1);
        assert_int_equal(exit_of("qemu", "hermit", EXITED(5), NULL, false, "status 5"), 5);
        /* Families without a protocol, and other monitors: as they are. */
        assert_int_equal(exit_of("qemu", "linux", EXITED(83), NULL, false, "status 83"), 83);
        assert_int_equal(exit_of("firecracker", "unikraft", EXITED(83), NULL, false, "status 83"), 83);
        assert_int_equal(exit_of("spt", "rumprun", EXITED(4), NULL, false, "'spt' exited with status 4"), 4);
        /* Signals: 128+S; SIGSYS named as seccomp's. */
        assert_int_equal(exit_of("qemu", "unikraft", SIGTERM, NULL, false, "killed by SIGTERM"), 143);
        assert_int_equal(exit_of("hvt", "mirage", SIGSYS, NULL, false, "killed by seccomp (SIGSYS)"), 159);
        /* A VM QEMU stopped for good, a panic: never 0. */
        assert_int_equal(exit_of("qemu", "unikraft", SIGKILL, "internal-error", false, "internal-error"), 134);
        assert_int_equal(exit_of("qemu", "unikraft", SIGKILL, "guest-panicked", true, "panic"), 134);
        assert_int_equal(exit_of("qemu", "linux", EXITED(0), NULL, true, "GUEST_PANICKED"), 134);
}

/* Values from the image (block and initrd paths) in each monitor's option
 * syntax: escaped where the syntax can carry them, refused where not. */
static void test_option_syntax(void **state)
{
        (void) state;
        struct ur_vm vm;
        struct ur_exec ex;
        char *argv[] = { (char *) "/init", NULL };
        struct ur_vm_block b = { .path = (char *) "/img/a,vhost_user=true,socket=x.sock" };

        /* cloud-hypervisor: refused (no portable quoting). */
        const char *bad_ch[] = { "/img/a,vhost_user=true,socket=x.sock", "/img/\"q\"", "/img/[1]", "/img/d ",
                                 " /img/d" };
        for (size_t i = 0; i < ELEMENTSOF(bad_ch); i++) {
                base(&vm, "linux", "cloud-hypervisor", UR_BOOT_PVH);
                vm.argv = argv;
                b.path = (char *) bad_ch[i];
                vm.blocks = &b;
                vm.n_blocks = 1;
                char want[256];
                snprintf(want, sizeof(want), "cloud-hypervisor: block path '%s' cannot be passed", bad_ch[i]);
                build_fails(&vm, want);
        }
        /* ... '=' and inner blanks are fine: one element "path=VALUE". */
        base(&vm, "linux", "cloud-hypervisor", UR_BOOT_PVH);
        vm.argv = argv;
        b.path = (char *) "/img/a=b c";
        vm.blocks = &b;
        vm.n_blocks = 1;
        free(build(&vm, &ex));
        argv_is(ex.argv, (const char *[]){ "/usr/bin/vmm", "--kernel", "/k/kernel", "--cmdline",
                                           "panic=-1 console=ttyS0 root=/dev/vda rw init=/init", "--cpus", "boot=3",
                                           "--memory", "size=512M", "--disk", "path=/img/a=b c", "--console", "off",
                                           "--serial", "tty", NULL });
        ur_exec_done(&ex);

        /* solo5: sscanf("%s") stops at a blank. */
        base(&vm, "mirage", "spt", UR_BOOT_SOLO5);
        b.path = (char *) "/img/a b";
        vm.blocks = &b;
        vm.n_blocks = 1;
        build_fails(&vm, "spt: block path '/img/a b' contains a blank");
        /* (test_solo5 made s5dir and removed it again: its name is set.) */
        static const struct t_solo5_dev storage[] = {{"storage", 1}};
        assert_int_equal(mkdir(s5dir, 0700), 0);
        char *k_st = s5kernel("storage.spt", 2, storage, 1);
        base(&vm, "mirage", "spt", UR_BOOT_SOLO5);
        vm.kernel = k_st;
        b.path = (char *) "/img/a,b=c";
        vm.blocks = &b;
        vm.n_blocks = 1;
        free(build(&vm, &ex));
        argv_is(ex.argv, (const char *[]){ "/usr/bin/vmm", "--mem=512", "--block:storage=/img/a,b=c", k_st, NULL });
        ur_exec_done(&ex);
        unlink(k_st);
        free(k_st);
        rmdir(s5dir);

        /* qemu: commas doubled in -drive; a multiboot -initrd is a module
         * list (commas doubled, blanks refused); elsewhere verbatim. */
        base(&vm, "unikraft", "qemu", UR_BOOT_MULTIBOOT);
        vm.seccomp = false;
        vm.state_dir = NULL;
        b.path = (char *) "/img/a,b";
        vm.blocks = &b;
        vm.n_blocks = 1;
        vm.initrd = (char *) "/k/i,x";
        free(build(&vm, &ex));
        bool drive = false, initrd = false;
        for (size_t i = 0; ex.argv[i]; i++) {
                if (strcmp(ex.argv[i], "-drive") == 0) {
                        assert_non_null(ex.argv[i + 1]);
                        assert_string_equal(ex.argv[i + 1], "file=/img/a,,b,format=raw,if=none,id=blk0");
                        drive = true;
                }
                if (strcmp(ex.argv[i], "-initrd") == 0) {
                        assert_non_null(ex.argv[i + 1]);
                        assert_string_equal(ex.argv[i + 1], "/k/i,,x");
                        initrd = true;
                }
        }
        assert_true(drive && initrd);
        ur_exec_done(&ex);
        base(&vm, "unikraft", "qemu", UR_BOOT_MULTIBOOT);
        vm.initrd = (char *) "/k/i x";
        build_fails(&vm, "qemu: initrd path '/k/i x' contains a blank");
        base(&vm, "linux", "qemu", UR_BOOT_PVH);
        vm.argv = argv;
        vm.initrd = (char *) "/k/i x,y";
        free(build(&vm, &ex));
        initrd = false;
        for (size_t i = 0; ex.argv[i]; i++)
                if (strcmp(ex.argv[i], "-initrd") == 0) {
                        assert_string_equal(ex.argv[i + 1], "/k/i x,y");
                        initrd = true;
                }
        assert_true(initrd);
        ur_exec_done(&ex);

        /* firecracker: JSON strings, escaped by json-c. */
        base(&vm, "linux", "firecracker", UR_BOOT_PVH);
        vm.argv = argv;
        b.path = (char *) "/img/\"},{\"x\\y,z";
        vm.blocks = &b;
        vm.n_blocks = 1;
        free(build(&vm, &ex));
        json_object *o = json_tokener_parse(ex.files[0].content), *drives;
        assert_non_null(o);
        assert_true(json_object_object_get_ex(o, "drives", &drives));
        assert_int_equal(json_object_array_length(drives), 1);
        assert_string_equal(jstr(json_object_array_get_idx(drives, 0), "path_on_host"), b.path);
        json_object_put(o);
        ur_exec_done(&ex);
}

/* The name lists in vm/pairs.c (what the metadata check knows) are the
 * registries' names, in their order, and every pair names known backends. */
static void test_name_tables(void **state)
{
        size_t i = 0;
        for (const struct ur_guest_ops *const *g = ur_guest_all(); *g; g++, i++) {
                assert_non_null(ur_pair_guest_names[i]);
                assert_string_equal(ur_pair_guest_names[i], (*g)->name);
        }
        assert_null(ur_pair_guest_names[i]);
        i = 0;
        for (const struct ur_vmm_ops *const *m = ur_vmm_all(); *m; m++, i++) {
                assert_non_null(ur_pair_vmm_names[i]);
                assert_string_equal(ur_pair_vmm_names[i], (*m)->name);
        }
        assert_null(ur_pair_vmm_names[i]);
        for (const struct ur_pair *p = ur_pair_all(); p->guest; p++) {
                assert_non_null(ur_guest_find(p->guest));
                assert_non_null(ur_vmm_find(p->monitor));
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_registry_pairs),
                cmocka_unit_test(test_name_tables),
                cmocka_unit_test(test_firecracker),
                cmocka_unit_test(test_solo5),
                cmocka_unit_test(test_cloud_hypervisor_and_names),
                cmocka_unit_test(test_exit_status),
                cmocka_unit_test(test_option_syntax),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
