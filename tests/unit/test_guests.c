/* SPDX-License-Identifier: Apache-2.0 */
/* Guest command-line dialects (COMPAT.md §4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "guests/guest.h"
#include "util/strv.h"

static struct ur_vm_block blk = { .path = (char *) "/img/rootfs.ext2", .mountpoint = (char *) "/data" };

static void base(struct ur_vm *vm, const char *guest, const char *monitor)
{
        ur_vm_init(vm);
        vm->guest = (char *) guest;
        vm->monitor = monitor ? (char *) monitor : (char *) "qemu";
        vm->kernel = (char *) "/k/kernel";
        vm->mem_mib = 256;
        vm->vcpus = 1;
        vm->kvm = true;
}

static void with_net(struct ur_vm *vm)
{
        vm->net.enabled = true;
        strcpy(vm->net.tap_name, "tap0");
        strcpy(vm->net.mac, "02:00:00:00:00:01");
        strcpy(vm->net.ip, "10.0.0.2");
        vm->net.prefix = 24;
        strcpy(vm->net.netmask, "255.255.255.0");
        strcpy(vm->net.gateway, "10.0.0.1");
}

static char *cmdline(const struct ur_vm *vm)
{
        const struct ur_guest_ops *g = ur_guest_find(vm->guest);
        assert_non_null(g);
        char *s = NULL;
        ur_err err = NULL;
        if (g->cmdline(vm, &s, &err) < 0)
                fail_msg("%s cmdline: %s", vm->guest, ur_err_msg(err));
        return s;
}

static void expect(const struct ur_vm *vm, const char *want)
{
        char *s = cmdline(vm);
        assert_string_equal(s, want);
        free(s);
}

static void expect_error(const struct ur_vm *vm, const char *needle)
{
        const struct ur_guest_ops *g = ur_guest_find(vm->guest);
        char *s = NULL;
        ur_err err = NULL;
        assert_true(g->cmdline(vm, &s, &err) < 0);
        assert_null(s);
        if (!strstr(ur_err_msg(err), needle))
                fail_msg("error '%s' lacks '%s'", ur_err_msg(err), needle);
        ur_err_free(&err);
}

static char *argv_nginx[] = { (char *) "nginx", (char *) "-c", (char *) "/nginx/conf/nginx.conf", NULL };
static char *env2[] = { (char *) "PATH=/bin", (char *) "GREETING=hello world", NULL };

static void test_registry(void **state)
{
        (void) state;
        const char *names[] = { "unikraft", "rumprun", "mirage", "mewz", "linux", "hermit" };
        size_t n = 0;
        for (const struct ur_guest_ops *const *g = ur_guest_all(); *g; g++)
                n++;
        assert_int_equal(n, 6);
        for (size_t i = 0; i < 6; i++)
                assert_ptr_equal(ur_guest_find(names[i])->name, ur_guest_find(names[i])->name);
        assert_null(ur_guest_find("osv"));
        assert_null(ur_guest_find(NULL));
}

static void test_unikraft(void **state)
{
        (void) state;
        struct ur_vm vm;
        base(&vm, "unikraft", "qemu");
        expect(&vm, "unikraft");
        vm.argv = argv_nginx;
        expect(&vm, "nginx -- -c /nginx/conf/nginx.conf");
        with_net(&vm);
        vm.env = env2;
        vm.initrd = (char *) "/k/initrd";
        expect(&vm, "nginx env.vars=[ PATH=/bin \"GREETING=hello world\" ] netdev.ip=10.0.0.2/24:10.0.0.1 "
                    "vfs.fstab=[ \"initrd0:/:extract:::\" ] -- -c /nginx/conf/nginx.conf");
        strcpy(vm.net.dns, "10.0.0.53");
        vm.unikernel_version = (char *) "0.16.1";
        expect(&vm, "nginx env.vars=[ PATH=/bin \"GREETING=hello world\" ] netdev.ip=10.0.0.2/24:10.0.0.1:10.0.0.53 "
                    "vfs.fstab=[ \"initrd0:/:extract:::\" ] -- -c /nginx/conf/nginx.conf");
        /* Unparsable version: the new dialect, as upstream. */
        vm.unikernel_version = (char *) "latest";
        expect(&vm, "nginx env.vars=[ PATH=/bin \"GREETING=hello world\" ] netdev.ip=10.0.0.2/24:10.0.0.1:10.0.0.53 "
                    "vfs.fstab=[ \"initrd0:/:extract:::\" ] -- -c /nginx/conf/nginx.conf");
        /* Old dialect: no env, ipv4_* keys, vfs.rootfs. */
        vm.unikernel_version = (char *) "0.15.0";
        expect(&vm, "nginx netdev.ipv4_addr=10.0.0.2 netdev.ipv4_gw_addr=10.0.0.1 "
                    "netdev.ipv4_subnet_mask=255.255.255.0 vfs.rootfs=initrd -- -c /nginx/conf/nginx.conf");
        vm.unikernel_version = (char *) "v0.16.0";
        vm.net.enabled = false;
        vm.initrd = NULL;
        expect(&vm, "nginx -- -c /nginx/conf/nginx.conf");
        /* Metadata cmdline when argv is empty, quotes grouping. */
        char *empty[] = { NULL };
        vm.argv = empty;
        vm.cmdline = (char *) "app 'a b' c";
        expect(&vm, "app -- \"a b\" c");
}

static void test_linux(void **state)
{
        (void) state;
        struct ur_vm vm;
        base(&vm, "linux", "qemu");
        expect(&vm, "panic=-1 console=ttyS0");
        char *argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) "echo hi there", NULL };
        vm.argv = argv;
        vm.initrd = (char *) "/k/initrd";
        expect(&vm, "panic=-1 console=ttyS0 rdinit=/bin/sh -- -c \"echo hi there\"");
        vm.initrd = NULL;
        vm.blocks = &blk;
        vm.n_blocks = 1;
        with_net(&vm);
        vm.hostname = (char *) "box";
        vm.env = env2;
        expect(&vm, "panic=-1 console=ttyS0 root=/dev/vda rw ip=10.0.0.2::10.0.0.1:255.255.255.0:box:eth0:off "
                    "PATH=/bin GREETING=\"hello world\" init=/bin/sh -- -c \"echo hi there\"");
        strcpy(vm.net.dns, "1.1.1.1");
        vm.hostname = NULL;
        vm.env = NULL;
        char *one[] = { (char *) "/init", NULL };
        vm.argv = one;
        expect(&vm, "panic=-1 console=ttyS0 root=/dev/vda rw ip=10.0.0.2::10.0.0.1:255.255.255.0::eth0:off:1.1.1.1 "
                    "init=/init");
        /* Block root and an initrd: the initrd's /init mounts the root and
         * switches to init= (not rdinit=), which stays last before "--". */
        vm.initrd = (char *) "/k/initrd";
        vm.argv = argv;
        expect(&vm, "panic=-1 console=ttyS0 root=/dev/vda rw ip=10.0.0.2::10.0.0.1:255.255.255.0::eth0:off:1.1.1.1 "
                    "init=/bin/sh -- -c \"echo hi there\"");
        vm.initrd = NULL;
        vm.argv = one;
        /* TCG on qemu: the TSC frequency; firecracker: reboot=k pci=off. */
        vm.kvm = false;
        vm.tsc_khz = 2100000;
        vm.net.enabled = false;
        vm.n_blocks = 0;
        expect(&vm, "panic=-1 console=ttyS0 tsc_early_khz=2100000 init=/init");
        vm.monitor = (char *) "firecracker";
        expect(&vm, "panic=-1 console=ttyS0 reboot=k pci=off init=/init");
        /* Errors name what was wrong. */
        char *q[] = { (char *) "/init", (char *) "say \"hi\" now", NULL };
        vm.argv = q;
        expect_error(&vm, "'say \"hi\" now'");
        char *bad_env[] = { (char *) "NOVALUE", NULL };
        vm.argv = one;
        vm.env = bad_env;
        expect_error(&vm, "'NOVALUE'");
        vm.env = NULL;
        char *many[40];
        for (int i = 0; i < 39; i++)
                many[i] = (char *) "x";
        many[39] = NULL;
        vm.argv = many;
        expect_error(&vm, "39 arguments");
        char *big = malloc(3000);
        memset(big, 'a', 2999);
        big[2999] = '\0';
        char *longa[] = { (char *) "/init", big, NULL };
        vm.argv = longa;
        expect_error(&vm, "limit is 2047");
        free(big);
}

static void test_rumprun(void **state)
{
        (void) state;
        struct ur_vm vm;
        base(&vm, "rumprun", "hvt");
        char *argv[] = { (char *) "/redis-server", (char *) "/data/conf/redis.conf", NULL };
        vm.argv = argv;
        expect(&vm, "{\"cmdline\":\"/redis-server /data/conf/redis.conf\"}");
        with_net(&vm);
        vm.blocks = &blk;
        vm.n_blocks = 1;
        char *env[] = { (char *) "A=1", (char *) "B=x\"y", NULL };
        vm.env = env;
        char *s = cmdline(&vm);
        assert_string_equal(s, "{\"cmdline\":\"/redis-server /data/conf/redis.conf\",\"env\":\"A=1\","
                               "\"env\":\"B=x\\\"y\",\"net\":{\"if\":\"ukvmif0\",\"cloner\":\"True\","
                               "\"type\":\"inet\",\"method\":\"static\",\"addr\":\"10.0.0.2\",\"mask\":\"1\","
                               "\"gw\":\"10.0.0.1\"},\"blk\":{\"source\":\"etfs\",\"path\":\"/dev/ld0a\","
                               "\"fstype\":\"blk\",\"mountpoint\":\"/data\"}}");
        /* It is valid JSON (json-c keeps the last "env"). */
        json_object *o = json_tokener_parse(s);
        assert_non_null(o);
        json_object *net;
        assert_true(json_object_object_get_ex(o, "net", &net));
        json_object_put(o);
        free(s);
}

static void test_mirage_mewz_hermit(void **state)
{
        (void) state;
        struct ur_vm vm;
        base(&vm, "mirage", "spt");
        char *argv[] = { (char *) "--hello=world", NULL };
        vm.argv = argv;
        expect(&vm, "--hello=world");
        with_net(&vm);
        expect(&vm, "--ipv4=10.0.0.2/24 --ipv4-gateway=10.0.0.1 --hello=world");
        /* solo5NetDev: Mirage's options carry the device's name (upstream's rule). */
        vm.solo5_net_dev = (char *) "management";
        expect(&vm, "--management-ipv4=10.0.0.2/24 --management-ipv4-gateway=10.0.0.1 --hello=world");
        vm.solo5_net_dev = (char *) "service";
        expect(&vm, "--ipv4=10.0.0.2/24 --ipv4-gateway=10.0.0.1 --hello=world");
        vm.solo5_net_dev = NULL;
        assert_string_equal(ur_guest_find("mirage")->solo5_net, "service");
        assert_string_equal(ur_guest_find("mirage")->solo5_block, "storage");
        assert_string_equal(ur_guest_find("rumprun")->solo5_net, "tap");
        assert_string_equal(ur_guest_find("rumprun")->solo5_block, "rootfs");

        base(&vm, "mewz", "qemu");
        expect(&vm, "");
        with_net(&vm);
        vm.argv = argv;
        expect(&vm, "ip=10.0.0.2/24 gateway=10.0.0.1");

        base(&vm, "hermit", "qemu");
        vm.argv = argv;
        expect(&vm, "-- --hello=world");
        with_net(&vm);
        char *env[] = { (char *) "RUST_LOG=info", NULL };
        vm.env = env;
        expect(&vm, "env=HERMIT_IP=10.0.0.2 env=HERMIT_GATEWAY=10.0.0.1 env=HERMIT_MASK=255.255.255.0 "
                    "env=RUST_LOG=info -- --hello=world");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_registry),
                cmocka_unit_test(test_unikraft),
                cmocka_unit_test(test_linux),
                cmocka_unit_test(test_rumprun),
                cmocka_unit_test(test_mirage_mewz_hermit),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
