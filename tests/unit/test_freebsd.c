/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The freebsd guest: QEMU (microvm) and Firecracker argv as arrays, the
 * command line as FreeBSD's PVH entry splits it, and urunit's
 * configuration disk byte for byte.  The expected values are written from
 * the formats' definitions (src/guest/freebsd.c, urunc(8)):
 * - command line: words split at ',', ' ', \t, \n; each NAME=VALUE a
 *   kernel environment variable;
 * - configuration: "UES\n" env lines "UEE\n" "UCS\n" "UID:u\n" "GID:g\n"
 *   "WD:d\n" "ARC:n\n" "ARV:a\n"... "UCE\n" "UBS\n" ("ID:i\n" "MP:m\n")...
 *   "UBE\n" "UNS\n" "IP:\n" "GW:\n" "MSK:\n" "UNE\n" "PAD\n", then "\n" up
 *   to a multiple of 512 bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "freebsd-kenv.h"
#include "guest/common.h"
#include "guest/guest.h"
#include "vm/build.h"
#include "argv-assert.h"
#include "vmm/vmm.h"
#include "util/strv.h"

static struct ur_vm_block root_blk = {.path = (char *) "/rootfs/img/root.ufs"};
static struct ur_vm_share vol = {.kind = UR_SHARE_BLOCK,
                                 .tag = (char *) "blk0",
                                 .source = (char *) "/dev/loop7",
                                 .dest = (char *) "/data",
                                 .options = (char *) "auto"};

static void base(struct ur_vm *vm, const char *monitor)
{
        ur_vm_init(vm);
        vm->guest = (char *) "freebsd";
        vm->monitor = (char *) monitor;
        vm->monitor_binary = (char *) "/usr/bin/vmm";
        vm->kernel = (char *) "/rootfs/boot/kernel";
        vm->boot = UR_BOOT_PVH;
        vm->mem_mib = 256;
        vm->vcpus = 1;
        vm->kvm = true;
        vm->seccomp = false;
        vm->state_dir = (char *) "/run/urunc/fb";
        vm->uid = 1001;
        vm->gid = 1002;
        vm->cwd = (char *) "/srv";
        vm->blocks = &root_blk;
        vm->n_blocks = 1;
}

static void with_net(struct ur_vm *vm, const char *gw)
{
        vm->net.enabled = true;
        vm->net.tap_fd = -1;
        strcpy(vm->net.tap_name, "tap7");
        strcpy(vm->net.mac, "02:00:00:00:00:07");
        strcpy(vm->net.ip, "10.0.0.2");
        vm->net.prefix = 24;
        strcpy(vm->net.netmask, "255.255.255.0");
        strcpy(vm->net.gateway, gw);
}



static void build_fails(const struct ur_vm *vm, const char *needle)
{
        struct ur_exec ex = {0};
        struct ur_err *err = NULL;
        assert_true(ur_vm_build_exec(vm, &ex, &err) < 0);
        if (!strstr(ur_err_msg(err), needle))
                fail_msg("error '%s' lacks '%s'", ur_err_msg(err), needle);
        ur_err_free(&err);
        assert_null(ex.argv);
}

static void kenv_is(const char *line, const char *const *want)
{
        char **got = t_freebsd_kenv(line);
        argv_is(got, want);
        ur_strv_free(got);
}

/* want's bytes, then "\n" up to a multiple of 512. */
static void disk_is(const char *got, const char *want)
{
        size_t wl = strlen(want), total = (wl + 511) / 512 * 512;
        assert_int_equal(strlen(got), total);
        assert_memory_equal(got, want, wl);
        for (size_t i = wl; i < total; i++)
                if (got[i] != '\n')
                        fail_msg("padding byte %zu is 0x%02x, want '\\n'", i, (unsigned char) got[i]);
}

static const struct ur_exec_file *file_of(const struct ur_exec *ex, const char *path)
{
        for (unsigned i = 0; i < ex->n_files; i++)
                if (strcmp(ex->files[i].path, path) == 0)
                        return &ex->files[i];
        fail_msg("no file '%s' among the %u files", path, ex->n_files);
        return NULL;
}

static char *urunit_argv[] = {(char *) "/urunit", (char *) "/bin/sh", (char *) "-c",
                              (char *) "echo hello world", NULL};
static char *env2[] = {(char *) "PATH=/bin:/sbin", (char *) "GREETING=a b,c", NULL};

/* QEMU microvm: block root (ufs on vtbd0), urunit, a NIC (gateway on the
 * subnet: no default-route request), the configuration as vtbd1. */
static void test_qemu_block_root(void **state)
{
        (void) state;
        struct ur_vm vm;
        struct ur_exec ex;
        base(&vm, "qemu");
        vm.argv = urunit_argv;
        vm.env = env2;
        with_net(&vm, "10.0.0.1");
        build_ok(&vm, &ex);
        argv_is(ex.argv, (const char *const[]){
                                 "/usr/bin/vmm",
                                 "-nodefaults",
                                 "-no-user-config",
                                 "-display",
                                 "none",
                                 "-no-reboot",
                                 "-accel",
                                 "kvm",
                                 "-cpu",
                                 "host,-arch-capabilities",
                                 "-M",
                                 "microvm,x-option-roms=off,rtc=on",
                                 "-m",
                                 "256M",
                                 "-smp",
                                 "1",
                                 "-device",
                                 "isa-debug-exit,iobase=0xf4,iosize=0x04",
                                 "-chardev",
                                 "stdio,id=char0,signal=off",
                                 "-serial",
                                 "chardev:char0",
                                 "-qmp",
                                 "unix:/run/urunc/fb/qmp.sock,server=on,wait=off",
                                 "-netdev",
                                 "tap,id=n0,ifname=tap7,script=no,downscript=no,vhost=off",
                                 "-device",
                                 "virtio-net-device,netdev=n0,mac=02:00:00:00:00:07",
                                 "-drive",
                                 "file=/rootfs/img/root.ufs,format=raw,if=none,id=blk0",
                                 "-device",
                                 "virtio-blk-device,drive=blk0",
                                 "-drive",
                                 "file=/run/urunc/fb/urunit.conf,format=raw,if=none,id=urunit,readonly=on",
                                 "-device",
                                 "virtio-blk-device,drive=urunit,serial=urunit",
                                 "-kernel",
                                 "/rootfs/boot/kernel",
                                 "-append",
                                 "vfs.root.mountfrom=ufs:/dev/vtbd0 init_path=/urunit "
                                 "URUNIT_CONFIG=/dev/vtbd1",
                                 NULL});
        kenv_is(ex.argv[ur_strv_len(ex.argv) - 1],
                (const char *const[]){"vfs.root.mountfrom=ufs:/dev/vtbd0", "init_path=/urunit",
                                      "URUNIT_CONFIG=/dev/vtbd1", NULL});
        assert_int_equal(ex.n_files, 1);
        disk_is(file_of(&ex, "/run/urunc/fb/urunit.conf")->content,
                "UES\nPATH=/bin:/sbin\nGREETING=a b,c\nUEE\n"
                "UCS\nUID:1001\nGID:1002\nWD:/srv\nARC:3\nARV:/bin/sh\nARV:-c\nARV:echo hello world\nUCE\n"
                "UBS\nUBE\n"
                "UNS\nIP:10.0.0.2\nGW:10.0.0.1\nMSK:255.255.255.0\nUNE\n"
                "PAD\n");
        ur_exec_done(&ex);
}

/* QEMU: the rootfs over 9p (mountRootfs), a block volume (serial blk0,
 * vtbd0), the configuration after it (vtbd1); no NIC: empty network
 * values; no cwd: "/". */
static void test_qemu_9p_root_volume(void **state)
{
        (void) state;
        struct ur_vm vm;
        struct ur_exec ex;
        base(&vm, "qemu");
        vm.blocks = NULL;
        vm.n_blocks = 0;
        vm.share_rootfs = true;
        vm.rootfs = (char *) "/run/c/rootfs";
        vm.shares = &vol;
        vm.n_shares = 1;
        vm.argv = urunit_argv;
        vm.cwd = NULL;
        vm.kvm = false;
        build_ok(&vm, &ex);
        argv_is(ex.argv, (const char *const[]){
                                 "/usr/bin/vmm",
                                 "-nodefaults",
                                 "-no-user-config",
                                 "-display",
                                 "none",
                                 "-no-reboot",
                                 "-accel",
                                 "tcg",
                                 "-M",
                                 "microvm,x-option-roms=off,rtc=on",
                                 "-m",
                                 "256M",
                                 "-smp",
                                 "1",
                                 "-device",
                                 "isa-debug-exit,iobase=0xf4,iosize=0x04",
                                 "-chardev",
                                 "stdio,id=char0,signal=off",
                                 "-serial",
                                 "chardev:char0",
                                 "-qmp",
                                 "unix:/run/urunc/fb/qmp.sock,server=on,wait=off",
                                 "-fsdev",
                                 "local,id=fsrootfs,path=/run/c/rootfs,security_model=none",
                                 "-device",
                                 "virtio-9p-device,fsdev=fsrootfs,mount_tag=rootfs",
                                 "-drive",
                                 "file=/dev/loop7,format=raw,if=none,id=blk0",
                                 "-device",
                                 "virtio-blk-device,drive=blk0,serial=blk0",
                                 "-drive",
                                 "file=/run/urunc/fb/urunit.conf,format=raw,if=none,id=urunit,readonly=on",
                                 "-device",
                                 "virtio-blk-device,drive=urunit,serial=urunit",
                                 "-kernel",
                                 "/rootfs/boot/kernel",
                                 "-append",
                                 "vfs.root.mountfrom=p9fs:rootfs init_path=/urunit URUNIT_CONFIG=/dev/vtbd1",
                                 NULL});
        disk_is(file_of(&ex, "/run/urunc/fb/urunit.conf")->content,
                "UES\nUEE\n"
                "UCS\nUID:1001\nGID:1002\nWD:/\nARC:3\nARV:/bin/sh\nARV:-c\nARV:echo hello world\nUCE\n"
                "UBS\nID:blk0\nMP:/data\nUBE\n"
                "UNS\nIP:\nGW:\nMSK:\nUNE\n"
                "PAD\n");
        ur_exec_done(&ex);
}

/* Block root and a volume: the volume is the second disk (vtbd1, drive
 * and serial blk1 after the root's blk0), the configuration the third. */
static void test_qemu_block_root_volume(void **state)
{
        (void) state;
        struct ur_vm vm;
        struct ur_exec ex;
        struct ur_vm_share v1 = vol;
        v1.tag = (char *) "blk1";
        base(&vm, "qemu");
        vm.shares = &v1;
        vm.n_shares = 1;
        vm.argv = urunit_argv;
        build_ok(&vm, &ex);
        size_t n = ur_strv_len(ex.argv);
        argv_is(&ex.argv[n - 16],
                (const char *const[]){
                        "-drive", "file=/rootfs/img/root.ufs,format=raw,if=none,id=blk0", "-device",
                        "virtio-blk-device,drive=blk0", "-drive",
                        "file=/dev/loop7,format=raw,if=none,id=blk1", "-device",
                        "virtio-blk-device,drive=blk1,serial=blk1", "-drive",
                        "file=/run/urunc/fb/urunit.conf,format=raw,if=none,id=urunit,readonly=on", "-device",
                        "virtio-blk-device,drive=urunit,serial=urunit", "-kernel", "/rootfs/boot/kernel",
                        "-append",
                        "vfs.root.mountfrom=ufs:/dev/vtbd0 init_path=/urunit URUNIT_CONFIG=/dev/vtbd2",
                        NULL});
        disk_is(file_of(&ex, "/run/urunc/fb/urunit.conf")->content,
                "UES\nUEE\n"
                "UCS\nUID:1001\nGID:1002\nWD:/srv\nARC:3\nARV:/bin/sh\nARV:-c\nARV:echo hello world\nUCE\n"
                "UBS\nID:blk1\nMP:/data\nUBE\n"
                "UNS\nIP:\nGW:\nMSK:\nUNE\n"
                "PAD\n");
        ur_exec_done(&ex);
}

static const char *jstr(json_object *o, const char *k)
{
        json_object *v;
        assert_true(json_object_object_get_ex(o, k, &v));
        return json_object_get_string(v);
}

/* Firecracker: the drives in order (root, then the configuration, read
 * only); a gateway outside the subnet asks urunit for a default route. */
static void test_firecracker(void **state)
{
        (void) state;
        struct ur_vm vm;
        struct ur_exec ex;
        base(&vm, "firecracker");
        vm.argv = urunit_argv;
        vm.env = env2;
        with_net(&vm, "169.254.1.1");
        build_ok(&vm, &ex);
        argv_is(ex.argv, (const char *const[]){"/usr/bin/vmm", "--no-api", "--config-file",
                                               "/run/urunc/fb/firecracker.json", "--no-seccomp", NULL});
        assert_int_equal(ex.n_files, 2);
        json_object *o = json_tokener_parse(file_of(&ex, "/run/urunc/fb/firecracker.json")->content);
        assert_non_null(o);
        json_object *bs, *drives;
        assert_true(json_object_object_get_ex(o, "boot-source", &bs));
        const char *args = jstr(bs, "boot_args");
        assert_string_equal(args,
                            "vfs.root.mountfrom=ufs:/dev/vtbd0 init_path=/urunit URUNIT_CONFIG=/dev/vtbd1 "
                            "URUNIT_DEFROUTE=1");
        kenv_is(args, (const char *const[]){"vfs.root.mountfrom=ufs:/dev/vtbd0", "init_path=/urunit",
                                            "URUNIT_CONFIG=/dev/vtbd1", "URUNIT_DEFROUTE=1", NULL});
        assert_true(json_object_object_get_ex(o, "drives", &drives));
        assert_int_equal(json_object_array_length(drives), 2);
        json_object *d0 = json_object_array_get_idx(drives, 0), *d1 = json_object_array_get_idx(drives, 1);
        assert_string_equal(jstr(d0, "drive_id"), "blk0");
        assert_string_equal(jstr(d0, "path_on_host"), "/rootfs/img/root.ufs");
        assert_string_equal(jstr(d1, "drive_id"), "urunit");
        assert_string_equal(jstr(d1, "path_on_host"), "/run/urunc/fb/urunit.conf");
        assert_string_equal(jstr(d1, "is_read_only"), "true");
        assert_string_equal(jstr(d1, "is_root_device"), "false");
        json_object_put(o);
        disk_is(file_of(&ex, "/run/urunc/fb/urunit.conf")->content,
                "UES\nPATH=/bin:/sbin\nGREETING=a b,c\nUEE\n"
                "UCS\nUID:1001\nGID:1002\nWD:/srv\nARC:3\nARV:/bin/sh\nARV:-c\nARV:echo hello world\nUCE\n"
                "UBS\nUBE\n"
                "UNS\nIP:10.0.0.2\nGW:169.254.1.1\nMSK:255.255.255.0\nUNE\n"
                "PAD\n");
        ur_exec_done(&ex);

        /* A long configuration spans several sectors: still whole ones. */
        char *many[202] = {(char *) "/urunit", NULL};
        for (int i = 1; i < 201; i++)
                many[i] = (char *) "argument-of-some-length";
        many[201] = NULL;
        vm.argv = many;
        build_ok(&vm, &ex);
        const char *c = file_of(&ex, "/run/urunc/fb/urunit.conf")->content;
        assert_true(strlen(c) > 512);
        assert_int_equal(strlen(c) % 512, 0);
        assert_non_null(strstr(c, "ARC:200\n"));
        ur_exec_done(&ex);
}

/* Plain init: only init_path, no configuration disk. */
static void test_plain_init(void **state)
{
        (void) state;
        struct ur_vm vm;
        struct ur_exec ex;
        char *argv[] = {(char *) "/sbin/init", NULL};
        base(&vm, "qemu");
        vm.argv = argv;
        vm.env = env2; /* dropped, with a warning */
        build_ok(&vm, &ex);
        assert_int_equal(ex.n_files, 0);
        size_t n = ur_strv_len(ex.argv);
        assert_string_equal(ex.argv[n - 1], "vfs.root.mountfrom=ufs:/dev/vtbd0 init_path=/sbin/init");
        assert_string_equal(ex.argv[n - 6], "-device");
        assert_string_equal(ex.argv[n - 5], "virtio-blk-device,drive=blk0");
        for (size_t i = 0; i < n; i++)
                assert_null(strstr(ex.argv[i], "urunit"));
        ur_exec_done(&ex);

        base(&vm, "firecracker");
        vm.argv = argv;
        build_ok(&vm, &ex);
        assert_int_equal(ex.n_files, 1);
        assert_null(strstr(ex.files[0].content, "urunit"));
        ur_exec_done(&ex);

        /* The metadata's cmdline stands in for an empty process.args. */
        base(&vm, "qemu");
        vm.cmdline = (char *) "/urunit /bin/app 'x y'";
        build_ok(&vm, &ex);
        assert_non_null(strstr(file_of(&ex, "/run/urunc/fb/urunit.conf")->content,
                               "ARC:2\nARV:/bin/app\nARV:x y\nUCE\n"));
        ur_exec_done(&ex);
}

static void test_refusals(void **state)
{
        (void) state;
        struct ur_vm vm;
        char *plain_args[] = {(char *) "/sbin/init", (char *) "-x", NULL};
        char *colon[] = {(char *) "/a:/b", NULL};
        char *blank[] = {(char *) "/my init", NULL};
        char *comma[] = {(char *) "/a,b", NULL};
        char *empty[] = {(char *) "", NULL};
        char *nl_arg[] = {(char *) "/urunit", (char *) "a\nb", NULL};
        char *nl_env[] = {(char *) "A=x\ny", NULL};
        char *uee_env[] = {(char *) "UEE_MODE=1", NULL};

        base(&vm, "qemu");
        vm.argv = plain_args;
        build_fails(&vm, "freebsd guest: cannot pass argument 1 '-x': FreeBSD starts init ('/sbin/init') "
                         "without arguments");
        vm.argv = colon;
        build_fails(&vm, "init '/a:/b'");
        vm.argv = blank;
        build_fails(&vm, "cannot pass argument 0 'init_path=/my init': FreeBSD splits its boot command line");
        vm.argv = comma;
        build_fails(&vm, "'init_path=/a,b'");
        vm.argv = empty;
        vm.cmdline = NULL;
        build_fails(&vm, "no init to start");
        vm.argv = nl_arg;
        build_fails(&vm, "cannot pass argument 1 'a\nb': urunit's configuration is one value per line");
        vm.argv = urunit_argv;
        vm.env = nl_env;
        build_fails(&vm, "environment entry 'A=x\ny'");
        vm.env = uee_env;
        build_fails(&vm, "environment entry 'UEE_MODE=1': urunit ends the environment");
        vm.env = NULL;
        vm.cwd = (char *) " /lead";
        build_fails(&vm, "working directory ' /lead'");

        base(&vm, "qemu");
        vm.argv = urunit_argv;
        vm.boot = UR_BOOT_MULTIBOOT;
        build_fails(&vm, "FreeBSD boots here only through its PVH entry");
        vm.boot = UR_BOOT_PVH;
        vm.initrd = (char *) "/rootfs/initrd";
        build_fails(&vm, "FreeBSD takes no initrd ('/rootfs/initrd')");
        vm.initrd = NULL;
        vm.share_rootfs = true;
        vm.rootfs = (char *) "/r";
        build_fails(&vm, "mountRootfs and a block image ('/rootfs/img/root.ufs') both give the root");
        vm.share_rootfs = false;
        vm.n_blocks = 0;
        build_fails(&vm, "no root filesystem");
        vm.n_blocks = 1;
        struct ur_vm_block mp = {.path = (char *) "/rootfs/img/root.ufs", .mountpoint = (char *) "/data"};
        vm.blocks = &mp;
        build_fails(&vm, "blkMntPoint must be '/' (it is '/data')");

        char *plain[] = {(char *) "/sbin/init", NULL};
        base(&vm, "qemu");
        vm.argv = plain;
        vm.shares = &vol;
        vm.n_shares = 1;
        build_fails(&vm, "block volumes are mounted by urunit, and init is '/sbin/init'");

        /* Pairs: Solo5 and Cloud Hypervisor cannot take it. */
        base(&vm, "cloud-hypervisor");
        vm.argv = urunit_argv;
        build_fails(&vm, "guest 'freebsd' is not supported on monitor 'cloud-hypervisor'");
}

/* The quoting rule against the parser model: a word comes back as the
 * same kernel variable, or is refused with the reason. */
static void test_quote_rule(void **state)
{
        (void) state;
        static const struct {
                const char *in;
                bool ok;
        } t[] = {
                {"init_path=/bin/app", true},
                {"a=b=c", true},
                {"k=", true},
                {"k=\"q\" 'x'", false},
                {"k=a b", false},
                {"k=a,b", false},
                {"k=a\tb", false},
                {"k=a\nb", false},
                {"-s", false},
                {"plain", false},
                {"=v", false},
                {"", false},
                {"k=\\x", true},
                {"k=\xc3\xa9", true},
                {"k=$HOME", true},
                {"k=--", true},
        };
        for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
                char *w = NULL;
                const char *why = NULL;
                assert_int_equal(ur_quote_freebsd(t[i].in, &w, &why), 0);
                if (!t[i].ok) {
                        if (w)
                                fail_msg("'%s' accepted as '%s'", t[i].in, w);
                        assert_non_null(why);
                        continue;
                }
                if (!w)
                        fail_msg("'%s' refused: %s", t[i].in, why);
                char **kv = t_freebsd_kenv(w);
                argv_is(kv, (const char *const[]){t[i].in, NULL});
                ur_strv_free(kv);
                free(w);
        }
        char name[200], *w = NULL;
        const char *why = NULL;
        memset(name, 'n', 127);
        strcpy(name + 127, "=v");
        assert_int_equal(ur_quote_freebsd(name, &w, &why), 0);
        assert_non_null(w);
        free(w);
        memset(name, 'n', 128);
        strcpy(name + 128, "=v");
        assert_int_equal(ur_quote_freebsd(name, &w, &why), 0);
        assert_null(w);
        assert_non_null(strstr(why, "127 bytes"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_qemu_block_root),
                cmocka_unit_test(test_qemu_9p_root_volume),
                cmocka_unit_test(test_qemu_block_root_volume),
                cmocka_unit_test(test_firecracker),
                cmocka_unit_test(test_plain_init),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_quote_rule),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
