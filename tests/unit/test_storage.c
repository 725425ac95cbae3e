/* SPDX-License-Identifier: Apache-2.0 */
/* The spec's mounts as the guest gets them (src/vm/storage.c), and
 * what QEMU and the Linux guest are given for them: argv arrays. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest/guest.h"
#include "vm/build.h"
#include "solo5-elf.h"
#include "vmm/vmm.h"
#include "vm/dmblock.h"
#include "vm/initrd.h"
#include "vm/storage.h"
#include "util/cleanup.h"
#include "util/strv.h"

static char dir[] = "/tmp/urunc-test-storage.XXXXXX";
static char file[256];

static int setup(void **state)
{
        (void) state;
        if (!mkdtemp(dir))
                return -1;
        snprintf(file, sizeof(file), "%s/file", dir);
        FILE *f = fopen(file, "w");
        if (!f)
                return -1;
        fclose(f);
        return 0;
}

static int teardown(void **state)
{
        (void) state;
        unlink(file);
        rmdir(dir);
        return 0;
}

static void assert_strv_equal(char *const *got, const char *const *want)
{
        size_t i = 0;
        for (; got && got[i] && want[i]; i++)
                if (strcmp(got[i], want[i]) != 0)
                        fail_msg("element %zu: got '%s', want '%s'", i, got[i], want[i]);
        if ((got && got[i]) || want[i])
                fail_msg("length differs at element %zu: got '%s', want '%s'", i,
                         got && got[i] ? got[i] : "(end)", want[i] ? want[i] : "(end)");
}

static char *o_rbind_ro[] = {(char *) "rbind", (char *) "ro", NULL};
static char *o_rbind_rw[] = {(char *) "rbind", (char *) "rw", NULL};
static char *o_ro_then_rw[] = {(char *) "ro", (char *) "bind", (char *) "rw", NULL};
static char *o_tmpfs[] = {(char *) "nosuid", (char *) "size=8m", (char *) "mode=1777", (char *) "noexec",
                          NULL};
static char *o_none[] = {NULL};

static void vm_base(struct ur_vm *vm, const char *guest, const char *monitor)
{
        ur_vm_init(vm);
        vm->guest = strdup(guest);
        vm->monitor = strdup(monitor);
}

static void test_classify(void **state)
{
        (void) state;
        struct ur_mount m[] = {
                {(char *) "/proc", (char *) "proc", (char *) "proc", o_none},
                {(char *) "/dev", (char *) "tmpfs", (char *) "tmpfs", o_tmpfs},
                {(char *) "/dev/pts", (char *) "devpts", (char *) "devpts", o_none},
                {(char *) "/dev/shm", (char *) "shm", (char *) "tmpfs", o_tmpfs},
                {(char *) "/dev/mqueue", (char *) "mqueue", (char *) "mqueue", o_none},
                {(char *) "/dev/termination-log", file, (char *) "bind", o_rbind_rw},
                {(char *) "/sys", (char *) "sysfs", (char *) "sysfs", o_none},
                {(char *) "/sys/fs/cgroup", (char *) "cgroup", (char *) "cgroup", o_none},
                {(char *) "/etc/hosts", file, (char *) "bind", o_rbind_ro},
                {(char *) "/etc/hostname", file, (char *) "bind", o_rbind_ro},
                {(char *) "/etc/resolv.conf", file, (char *) "bind", o_rbind_ro},
                {(char *) "/data", dir, (char *) "bind", o_rbind_rw},
                {(char *) "/config", dir, NULL, o_rbind_ro},
                {(char *) "/cache", (char *) "tmpfs", (char *) "tmpfs", o_tmpfs},
                {(char *) "/other", dir, (char *) "none", o_ro_then_rw},
        };
        struct ur_spec spec = {.mounts = m, .n_mounts = ELEMENTSOF(m)};
        struct ur_vm vm;
        struct ur_err *err = NULL;

        vm_base(&vm, "linux", "qemu");
        if (ur_vm_storage(&spec, &vm, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        assert_int_equal(vm.n_shares, 4);
        assert_int_equal(vm.shares[0].kind, UR_SHARE_9P);
        assert_string_equal(vm.shares[0].tag, "vol0");
        assert_string_equal(vm.shares[0].source, dir);
        assert_string_equal(vm.shares[0].dest, "/data");
        assert_false(vm.shares[0].readonly);
        assert_string_equal(vm.shares[1].tag, "vol1");
        assert_string_equal(vm.shares[1].dest, "/config");
        assert_true(vm.shares[1].readonly);
        assert_int_equal(vm.shares[2].kind, UR_SHARE_TMPFS);
        assert_null(vm.shares[2].tag);
        assert_null(vm.shares[2].source);
        assert_string_equal(vm.shares[2].options, "size=8m,mode=1777");
        assert_string_equal(vm.shares[2].dest, "/cache");
        assert_string_equal(vm.shares[3].tag, "vol2");
        assert_false(vm.shares[3].readonly); /* "ro" then "rw": the last wins */
        ur_vm_done(&vm);

        /* The service-account token: shared with linux, skipped for mirage. */
        struct ur_mount sa[] = {
                {(char *) "/var/run/secrets/kubernetes.io/serviceaccount", dir, (char *) "bind", o_rbind_ro}};
        struct ur_spec spec2 = {.mounts = sa, .n_mounts = 1};
        vm_base(&vm, "linux", "qemu");
        assert_int_equal(ur_vm_storage(&spec2, &vm, &err), 0);
        assert_int_equal(vm.n_shares, 1);
        assert_string_equal(vm.shares[0].dest, "/var/run/secrets/kubernetes.io/serviceaccount");
        assert_true(vm.shares[0].readonly);
        ur_vm_done(&vm);
        vm_base(&vm, "mirage", "hvt");
        assert_int_equal(ur_vm_storage(&spec2, &vm, &err), 0);
        assert_int_equal(vm.n_shares, 0);
        ur_vm_done(&vm);
}

static void refused(const char *guest, const char *monitor, struct ur_mount *m, bool rootfs,
                    const char *needle)
{
        struct ur_spec spec = {.mounts = m, .n_mounts = m ? 1 : 0};
        struct ur_vm vm;
        struct ur_err *err = NULL;

        vm_base(&vm, guest, monitor);
        vm.share_rootfs = rootfs;
        assert_true(ur_vm_storage(&spec, &vm, &err) < 0);
        if (!strstr(ur_err_msg(err), needle))
                fail_msg("error '%s' lacks '%s'", ur_err_msg(err), needle);
        ur_err_free(&err);
        ur_vm_done(&vm);
}

static void test_refusals(void **state)
{
        (void) state;
        char want[512];
        struct ur_mount f = {(char *) "/etc/app.conf", file, (char *) "bind", o_rbind_ro};
        snprintf(want, sizeof(want),
                 "mount '/etc/app.conf' (source '%s', type 'bind'): the source is not a directory", file);
        refused("linux", "qemu", &f, false, want);

        struct ur_mount e = {(char *) "/mnt", (char *) "/dev/urunc-no-such-disk", (char *) "ext4", o_none};
        refused("linux", "qemu", &e, false,
                "mount '/mnt' (source '/dev/urunc-no-such-disk', type 'ext4'): only bind mounts of "
                "directories, block devices and tmpfs");

        struct ur_mount d = {(char *) "/data", dir, (char *) "bind", o_rbind_rw};
        snprintf(want, sizeof(want),
                 "mount '/data' (source '%s', type 'bind'): this guest family cannot take a "
                 "shared directory",
                 dir);
        refused("mirage", "qemu", &d, false, want);
        refused("linux", "firecracker", &d, false, "(the linux guest on firecracker)");

        struct ur_mount t = {(char *) "/cache", (char *) "tmpfs", (char *) "tmpfs", o_none};
        refused("mirage", "hvt", &t, false,
                "mount '/cache' (source 'tmpfs', type 'tmpfs'): this guest family "
                "cannot make a tmpfs");

        struct ur_mount rel = {(char *) "data", dir, (char *) "bind", o_rbind_rw};
        refused("linux", "qemu", &rel, false, "mount 'data'");
        struct ur_mount root = {(char *) "/", dir, (char *) "bind", o_rbind_rw};
        refused("linux", "qemu", &root, false, "mount '/' (source '");
        struct ur_mount dots = {(char *) "/proc/../data", dir, (char *) "bind", o_rbind_rw};
        refused("linux", "qemu", &dots, false, "mount '/proc/../data'");
        struct ur_mount missing = {(char *) "/data", (char *) "/nonexistent/urunc", (char *) "bind",
                                   o_rbind_rw};
        refused("linux", "qemu", &missing, false, "mount '/data' (source '/nonexistent/urunc')");

        refused("mirage", "qemu", NULL, true, "mountRootfs' is true, but the mirage guest on qemu cannot");
        refused("linux", "firecracker", NULL, true, "the linux guest on firecracker cannot");
}

/* The argv elements from the first "-fsdev" up to "-kernel". */
static char **fsdev_args(const struct ur_vm *vm)
{
        struct ur_exec ex = {0};
        struct ur_err *err = NULL;
        char **out = calloc(1, sizeof(char *));
        bool in = false;

        if (ur_vm_build_exec(vm, &ex, &err) < 0)
                fail_msg("build: %s", ur_err_msg(err));
        for (char **a = ex.argv; *a; a++) {
                if (strcmp(*a, "-kernel") == 0)
                        break;
                in = in || strcmp(*a, "-fsdev") == 0;
                if (in)
                        assert_int_equal(ur_strv_add(&out, *a), 0);
        }
        ur_exec_done(&ex);
        return out;
}

static char **linux_words(const struct ur_vm *vm)
{
        char *line = NULL, **w = NULL;
        struct ur_err *err = NULL;
        if (ur_guest_find("linux")->cmdline(vm, &line, &err) < 0)
                fail_msg("cmdline: %s", ur_err_msg(err));
        /* no word here has blanks or quotes: split at blanks */
        for (char *s = strtok(line, " "); s; s = strtok(NULL, " "))
                assert_int_equal(ur_strv_add(&w, s), 0);
        free(line);
        return w;
}

static void test_qemu_and_linux(void **state)
{
        (void) state;
        struct ur_vm_share sh[] = {
                {UR_SHARE_9P, (char *) "vol0", (char *) "/srv/da,ta", (char *) "/data", NULL, false},
                {UR_SHARE_TMPFS, NULL, NULL, (char *) "/cache", (char *) "size=8m", false},
                {UR_SHARE_9P, (char *) "vol1", (char *) "/srv/config", (char *) "/etc/app", NULL, true},
        };
        char *argv[] = {(char *) "/bin/app", (char *) "x", NULL};
        struct ur_vm vm;
        ur_vm_init(&vm);
        vm.guest = (char *) "linux";
        vm.monitor = (char *) "qemu";
        vm.monitor_binary = (char *) "/usr/bin/qemu-system-x86_64";
        vm.kernel = (char *) "/k/vmlinux";
        vm.initrd = (char *) "/k/initrd";
        vm.boot = UR_BOOT_PVH;
        vm.argv = argv;
        vm.shares = sh;
        vm.n_shares = ELEMENTSOF(sh);

        char **a = fsdev_args(&vm);
        assert_strv_equal(
                a, (const char *const[]){"-fsdev", "local,id=fsvol0,path=/srv/da,,ta,security_model=none",
                                         "-device", "virtio-9p-device,fsdev=fsvol0,mount_tag=vol0", "-fsdev",
                                         "local,id=fsvol1,path=/srv/config,security_model=none,readonly=on",
                                         "-device", "virtio-9p-device,fsdev=fsvol1,mount_tag=vol1", NULL});
        ur_strv_free(a);
        char **w = linux_words(&vm);
        assert_strv_equal(
                w, (const char *const[]){"panic=-1", "console=ttyS0",
                                         "urunc.mount=9p:vol0:rw,trans=virtio,version=9p2000.L:/data",
                                         "urunc.mount=tmpfs:tmpfs:rw,size=8m:/cache",
                                         "urunc.mount=9p:vol1:ro,trans=virtio,version=9p2000.L:/etc/app",
                                         "rdinit=/bin/app", "--", "x", NULL});
        ur_strv_free(w);

        /* mountRootfs: the rootfs share first, the root over 9p, init= on it;
         * on pc, virtio-9p-pci. */
        vm.share_rootfs = true;
        vm.rootfs = (char *) "/b/rootfs";
        vm.machine = (char *) "pc";
        vm.n_shares = 1;
        a = fsdev_args(&vm);
        assert_strv_equal(
                a, (const char *const[]){"-fsdev", "local,id=fsrootfs,path=/b/rootfs,security_model=none",
                                         "-device", "virtio-9p-pci,fsdev=fsrootfs,mount_tag=rootfs", "-fsdev",
                                         "local,id=fsvol0,path=/srv/da,,ta,security_model=none", "-device",
                                         "virtio-9p-pci,fsdev=fsvol0,mount_tag=vol0", NULL});
        ur_strv_free(a);
        w = linux_words(&vm);
        assert_strv_equal(w,
                          (const char *const[]){"panic=-1", "console=ttyS0", "root=rootfs", "rootfstype=9p",
                                                "rootflags=trans=virtio,version=9p2000.L", "rw",
                                                "urunc.mount=9p:vol0:rw,trans=virtio,version=9p2000.L:/data",
                                                "init=/bin/app", "--", "x", NULL});
        ur_strv_free(w);

        /* A read-only root (spec root.readonly). */
        vm.rootfs_readonly = true;
        a = fsdev_args(&vm);
        assert_string_equal(a[1], "local,id=fsrootfs,path=/b/rootfs,security_model=none,readonly=on");
        ur_strv_free(a);
        w = linux_words(&vm);
        assert_string_equal(w[5], "ro");
        ur_strv_free(w);
        vm.rootfs_readonly = false;

        /* A destination the guest's parser cannot carry. */
        sh[0].dest = (char *) "/my data";
        char *line = NULL;
        struct ur_err *err = NULL;
        assert_true(ur_guest_find("linux")->cmdline(&vm, &line, &err) < 0);
        assert_non_null(
                strstr(ur_err_msg(err), "mount '/my data' (source '/srv/da,ta'): a destination with blanks"));
        ur_err_free(&err);
}

/* Unikraft on microvm without ACPI: the 9p device takes a virtio-mmio
 * transport that urunc describes on the command line before "--". */
static void test_qemu_unikraft(void **state)
{
        (void) state;
        struct ur_vm_share sh[] = {
                {UR_SHARE_9P, (char *) "vol0", (char *) "/srv/data", (char *) "/data", NULL, true},
        };
        char *argv[] = {(char *) "app", NULL};
        struct ur_vm vm;
        struct ur_exec ex = {0};
        struct ur_err *err = NULL;
        ur_vm_init(&vm);
        vm.guest = (char *) "unikraft";
        vm.monitor = (char *) "qemu";
        vm.monitor_binary = (char *) "/usr/bin/qemu-system-x86_64";
        vm.kernel = (char *) "/k/app";
        vm.boot = UR_BOOT_PVH;
        vm.argv = argv;
        vm.shares = sh;
        vm.n_shares = 1;

        char **a = fsdev_args(&vm);
        assert_strv_equal(
                a, (const char *const[]){"-fsdev",
                                         "local,id=fsvol0,path=/srv/data,security_model=none,readonly=on",
                                         "-device", "virtio-9p-device,fsdev=fsvol0,mount_tag=vol0", NULL});
        ur_strv_free(a);
        if (ur_vm_build_exec(&vm, &ex, &err) < 0)
                fail_msg("build: %s", ur_err_msg(err));
        const char *append = NULL, *machine = NULL;
        for (char **p = ex.argv; *p && p[1]; p++) {
                if (strcmp(*p, "-append") == 0)
                        append = p[1];
                if (strcmp(*p, "-M") == 0)
                        machine = p[1];
        }
        assert_non_null(append);
        assert_non_null(machine);
        assert_non_null(strstr(machine, ",auto-kernel-cmdline=off"));
        char **w = NULL;
        char *copy = strdup(append);
        for (char *t = strtok(copy, " "); t; t = strtok(NULL, " "))
                assert_int_equal(ur_strv_add(&w, t), 0);
        assert_strv_equal(w, (const char *const[]){"app", "vfs.fstab=[", "\"vol0:/data:9pfs:1::mkmp\"", "]",
                                                   "virtio_mmio.device=512@0xfeb00e00:12", "--", NULL});
        ur_strv_free(w);
        free(copy);
        ur_exec_done(&ex);
}

/* com.urunc.sharedfs=virtiofs: the kind, the refusals, QEMU's and the
 * Linux guest's words. */
static void test_virtiofs(void **state)
{
        (void) state;
        struct ur_mount m[] = {{(char *) "/data", dir, (char *) "bind", o_rbind_ro}};
        struct ur_kv annot[] = {{(char *) "com.urunc.sharedfs", (char *) "virtiofs"}};
        struct ur_spec spec = {.mounts = m, .n_mounts = 1, .annotations = annot, .n_annotations = 1};
        struct ur_vm vm;
        struct ur_err *err = NULL;

        vm_base(&vm, "linux", "qemu");
        if (ur_vm_storage(&spec, &vm, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        assert_true(vm.virtiofs);
        assert_int_equal(vm.n_shares, 1);
        assert_int_equal(vm.shares[0].kind, UR_SHARE_VIRTIOFS);
        assert_string_equal(vm.shares[0].tag, "vol0");
        assert_true(vm.shares[0].readonly);
        ur_vm_done(&vm);

        vm_base(&vm, "unikraft", "qemu");
        assert_true(ur_vm_storage(&spec, &vm, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err),
                               "annotation 'com.urunc.sharedfs' is 'virtiofs', but the unikraft "
                               "guest on qemu cannot take it"));
        ur_err_free(&err);
        ur_vm_done(&vm);
        annot[0].value = (char *) "nfs";
        vm_base(&vm, "linux", "qemu");
        assert_true(ur_vm_storage(&spec, &vm, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "annotation 'com.urunc.sharedfs': unknown value 'nfs'"));
        ur_err_free(&err);
        ur_vm_done(&vm);

        struct ur_vm_share sh[] = {
                {UR_SHARE_VIRTIOFS, (char *) "vol0", (char *) "/srv/data", (char *) "/data", NULL, true},
        };
        char *argv[] = {(char *) "/bin/app", NULL};
        struct ur_exec ex = {0};
        ur_vm_init(&vm);
        vm.guest = (char *) "linux";
        vm.monitor = (char *) "qemu";
        vm.monitor_binary = (char *) "/usr/bin/qemu-system-x86_64";
        vm.kernel = (char *) "/k/vmlinux";
        vm.initrd = (char *) "/k/initrd";
        vm.boot = UR_BOOT_PVH;
        vm.mem_mib = 200;
        vm.state_dir = (char *) "/run/urunc/c1";
        vm.argv = argv;
        vm.shares = sh;
        vm.n_shares = 1;
        vm.virtiofs = true;
        vm.share_rootfs = true;
        vm.rootfs = (char *) "/b/rootfs";
        if (ur_vm_build_exec(&vm, &ex, &err) < 0)
                fail_msg("build: %s", ur_err_msg(err));
        /* From -M to -smp, and from the first -chardev socket to -kernel. */
        char **head = NULL, **devs = NULL;
        bool in_head = false, in_devs = false;
        for (char **p = ex.argv; *p; p++) {
                if (strcmp(*p, "-M") == 0)
                        in_head = true;
                if (strcmp(*p, "-smp") == 0)
                        in_head = false;
                if (strcmp(*p, "-chardev") == 0 && p[1] && strncmp(p[1], "socket,", 7) == 0)
                        in_devs = true;
                if (strcmp(*p, "-kernel") == 0)
                        in_devs = false;
                if (in_head)
                        assert_int_equal(ur_strv_add(&head, *p), 0);
                if (in_devs)
                        assert_int_equal(ur_strv_add(&devs, *p), 0);
        }
        assert_strv_equal(
                head, (const char *const[]){"-M", "microvm,x-option-roms=off,rtc=on,memory-backend=mem", "-m",
                                            "200M", "-global", "virtio-mmio.force-legacy=false", "-object",
                                            "memory-backend-memfd,id=mem,size=200M,share=on", NULL});
        assert_strv_equal(devs,
                          (const char *const[]){
                                  "-chardev", "socket,id=vfsrootfs,path=/run/urunc/c1/virtiofs-rootfs.sock",
                                  "-device", "vhost-user-fs-device,chardev=vfsrootfs,tag=rootfs", "-chardev",
                                  "socket,id=vfsvol0,path=/run/urunc/c1/virtiofs-vol0.sock", "-device",
                                  "vhost-user-fs-device,chardev=vfsvol0,tag=vol0", NULL});
        ur_strv_free(head);
        ur_strv_free(devs);
        ur_exec_done(&ex);
        char **w = linux_words(&vm);
        assert_strv_equal(
                w, (const char *const[]){"panic=-1", "console=ttyS0", "root=rootfs", "rootfstype=virtiofs",
                                         "rw", "urunc.mount=virtiofs:vol0:ro:/data", "init=/bin/app", NULL});
        ur_strv_free(w);
}

/* Block devices among the mounts: volumes in the spec's order, by serial. */
static void test_block_volumes(void **state)
{
        (void) state;
        const char *cand[] = {"/dev/loop0", "/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/ram0"};
        const char *dev = NULL;
        struct stat st;
        for (size_t i = 0; i < ELEMENTSOF(cand) && !dev; i++)
                if (stat(cand[i], &st) == 0 && S_ISBLK(st.st_mode))
                        dev = cand[i];
        if (dev) {
                struct ur_mount m[] = {
                        {(char *) "/vol/a", (char *) dev, (char *) "ext4", o_none},
                        {(char *) "/data", dir, (char *) "bind", o_rbind_rw},
                        {(char *) "/vol/b", (char *) dev, (char *) "bind", o_rbind_ro},
                };
                struct ur_spec spec = {.mounts = m, .n_mounts = ELEMENTSOF(m)};
                struct ur_vm vm;
                struct ur_err *err = NULL;
                vm_base(&vm, "linux", "qemu");
                if (ur_vm_storage(&spec, &vm, &err) < 0)
                        fail_msg("%s", ur_err_msg(err));
                assert_int_equal(vm.n_shares, 3);
                assert_int_equal(vm.shares[0].kind, UR_SHARE_BLOCK);
                assert_string_equal(vm.shares[0].tag, "blk0");
                assert_string_equal(vm.shares[0].options, "ext4");
                assert_false(vm.shares[0].readonly);
                assert_string_equal(vm.shares[1].tag, "vol0");
                assert_string_equal(vm.shares[2].tag, "blk1");
                assert_string_equal(vm.shares[2].options, "auto");
                assert_true(vm.shares[2].readonly);
                ur_vm_done(&vm);
                vm_base(&vm, "unikraft", "qemu");
                spec.n_mounts = 1;
                assert_true(ur_vm_storage(&spec, &vm, &err) < 0);
                assert_non_null(strstr(ur_err_msg(err), "cannot take a block volume"));
                ur_err_free(&err);
                ur_vm_done(&vm);
        } else {
                print_message("no block device node here: classification not checked\n");
        }

        struct ur_vm_share sh[] = {
                {UR_SHARE_BLOCK, (char *) "blk0", (char *) "/dev/lo,op3", (char *) "/vol/a", (char *) "ext4",
                 false},
                {UR_SHARE_BLOCK, (char *) "blk1", (char *) "/dev/loop4", (char *) "/vol/b", (char *) "auto",
                 true},
        };
        char *argv[] = {(char *) "/bin/app", NULL};
        struct ur_vm vm;
        ur_vm_init(&vm);
        vm.guest = (char *) "linux";
        vm.monitor = (char *) "qemu";
        vm.monitor_binary = (char *) "/usr/bin/qemu-system-x86_64";
        vm.kernel = (char *) "/k/vmlinux";
        vm.initrd = (char *) "/k/initrd";
        vm.boot = UR_BOOT_PVH;
        vm.machine = (char *) "pc";
        vm.argv = argv;
        vm.shares = sh;
        vm.n_shares = 2;
        struct ur_exec ex = {0};
        struct ur_err *err = NULL;
        if (ur_vm_build_exec(&vm, &ex, &err) < 0)
                fail_msg("build: %s", ur_err_msg(err));
        char **drives = NULL;
        for (char **p = ex.argv; *p && p[1]; p++)
                if (strcmp(*p, "-drive") == 0 || (strcmp(*p, "-device") == 0 && strstr(p[1], "virtio-blk"))) {
                        assert_int_equal(ur_strv_add(&drives, p[0]), 0);
                        assert_int_equal(ur_strv_add(&drives, p[1]), 0);
                }
        assert_strv_equal(drives,
                          (const char *const[]){"-drive", "file=/dev/lo,,op3,format=raw,if=none,id=blk0",
                                                "-device", "virtio-blk-pci,drive=blk0,serial=blk0", "-drive",
                                                "file=/dev/loop4,format=raw,if=none,id=blk1,readonly=on",
                                                "-device", "virtio-blk-pci,drive=blk1,serial=blk1", NULL});
        ur_strv_free(drives);
        ur_exec_done(&ex);
        char **w = linux_words(&vm);
        assert_strv_equal(
                w, (const char *const[]){"panic=-1", "console=ttyS0", "urunc.mount=ext4:blk0:rw:/vol/a",
                                         "urunc.mount=auto:blk1:ro:/vol/b", "rdinit=/bin/app", NULL});
        ur_strv_free(w);
}

/* The members of the newc archive(s) in buf: "name mode size" (mode in
 * octal), one per member, trailers as "TRAILER!!!"; "garbage@OFF" where
 * something other than a header or zero padding stands. */
static char **newc_list(const char *buf, size_t len)
{
        char **out = NULL;
        size_t off = 0;

        while (off < len) {
                if (buf[off] == '\0') {
                        off++;
                        continue;
                }
                if (len - off < 110 || memcmp(buf + off, "070701", 6) != 0) {
                        assert_int_equal(ur_strv_addf(&out, "garbage@%zu", off), 0);
                        break;
                }
                char f[9] = {0};
                unsigned long mode, size, ns;
                memcpy(f, buf + off + 14, 8);
                mode = strtoul(f, NULL, 16);
                memcpy(f, buf + off + 54, 8);
                size = strtoul(f, NULL, 16);
                memcpy(f, buf + off + 94, 8);
                ns = strtoul(f, NULL, 16);
                assert_int_equal(off % 4, 0);
                const char *name = buf + off + 110;
                if (strcmp(name, "TRAILER!!!") == 0)
                        assert_int_equal(ur_strv_add(&out, name), 0);
                else if (S_ISLNK(mode))
                        assert_int_equal(ur_strv_addf(&out, "%s %lo -> %.*s", name, mode, (int) size,
                                                      buf + ((off + 110 + ns + 3) & ~(size_t) 3)),
                                         0);
                else
                        assert_int_equal(ur_strv_addf(&out, "%s %lo %lu", name, mode, size), 0);
                off = ((off + 110 + ns + 3) & ~(size_t) 3) + ((size + 3) & ~(size_t) 3);
        }
        return out;
}

static void write_at(const char *path, const char *content, mode_t mode)
{
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
        assert_int_equal(chmod(path, mode), 0);
}

/* The extended initrd of vm, read back: its length, its first 8 bytes in
 * head, the members from offset skip on. */
static char **extended(const struct ur_vm *vm, size_t *ret_len, char head[8], size_t skip)
{
        char out[512];
        struct ur_err *err = NULL;
        snprintf(out, sizeof(out), "%s/out.img", dir);
        int in = open(vm->initrd, O_RDONLY), o = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600);
        assert_true(in >= 0 && o >= 0);
        if (ur_initrd_write(vm, in, o, &err) < 0)
                fail_msg("initrd: %s", ur_err_msg(err));
        off_t len = lseek(o, 0, SEEK_END);
        char *buf = malloc((size_t) len);
        assert_int_equal(pread(o, buf, (size_t) len, 0), len);
        close(in);
        close(o);
        unlink(out);
        assert_true((size_t) len >= skip + 8);
        memcpy(head, buf, 8);
        char **l = newc_list(buf + skip, (size_t) len - skip);
        free(buf);
        *ret_len = (size_t) len;
        return l;
}

static void test_initrd_copies(void **state)
{
        (void) state;
        char tree[100], cm[100], sub[100], key[100], link[100], conf[100], newc[100], gz[100], want[4][1024];
        snprintf(tree, sizeof(tree), "%s/cm", dir);
        snprintf(sub, sizeof(sub), "%s/cm/..data", dir);
        snprintf(cm, sizeof(cm), "%s/cm/..data/app.conf", dir);
        snprintf(key, sizeof(key), "%s/cm/app.conf", dir);
        snprintf(link, sizeof(link), "%s/cm/fifo", dir);
        snprintf(conf, sizeof(conf), "%s/hosts", dir);
        snprintf(newc, sizeof(newc), "%s/newc.img", dir);
        snprintf(gz, sizeof(gz), "%s/gz.img", dir);
        assert_int_equal(mkdir(tree, 0755), 0);
        assert_int_equal(mkdir(sub, 0750), 0);
        write_at(cm, "setting=1\n", 0644);
        assert_int_equal(symlink("..data/app.conf", key), 0);
        write_at(conf, "10.0.0.1 db\n", 0600);
        /* A newc initrd: one file and the trailer, padded to 512 bytes
         * (what cpio -H newc writes); a "gzip" one (its magic). */
        {
                FILE *f = fopen(newc, "w");
                fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s%c%c", 1, 0100755, 0,
                        0, 1, 0, 0, 0, 0, 0, 0, 5, 0, "init", 0, 0);
                fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s%c%c%c", 0, 0, 0, 0,
                        1, 0, 0, 0, 0, 0, 0, 11, 0, "TRAILER!!!", 0, 0, 0);
                for (long n = ftell(f); n < 512; n++)
                        fputc(0, f);
                fclose(f);
        }
        write_at(gz, "\x1f\x8b\x08zzz", 0644);

        struct ur_mount m[] = {
                {(char *) "/etc/config", tree, (char *) "bind", o_rbind_ro},
                {(char *) "/etc/db/hosts", conf, (char *) "bind", o_rbind_rw},
        };
        struct ur_kv none = {(char *) "com.urunc.sharedfs", (char *) "none"};
        struct ur_spec spec = {.mounts = m, .n_mounts = 2, .annotations = &none, .n_annotations = 1};
        struct ur_vm vm;
        struct ur_err *err = NULL;

        /* Linux on qemu with sharedfs=none: both copied, nothing shared. */
        vm_base(&vm, "linux", "qemu");
        vm.initrd = strdup(newc);
        if (ur_vm_storage(&spec, &vm, &err) < 0)
                fail_msg("storage: %s", ur_err_msg(err));
        assert_int_equal(vm.n_shares, 0);
        assert_int_equal(vm.n_copies, 2);
        assert_int_equal(vm.copies_bytes, 10 + 15 + 12);
        size_t len;
        char head[8];
        char **l = extended(&vm, &len, head, 0);
        assert_int_equal(len % 512, 0);
        /* The original's trailer is dropped: one archive, read-only copies
         * without write bits, the link kept, parents 0755. */
        assert_strv_equal(
                l, (const char *const[]){"init 100755 0", "etc 40755 0", "etc/config 40555 0",
                                         "etc/config/..data 40550 0", "etc/config/..data/app.conf 100444 10",
                                         "etc/config/app.conf 120777 -> ..data/app.conf", "etc 40755 0",
                                         "etc/db 40755 0", "etc/db/hosts 100600 12", "TRAILER!!!", NULL});
        ur_strv_free(l);
        /* The linux command line says nothing of them. */
        char **w = linux_words(&vm);
        for (char **x = w; *x; x++)
                assert_null(strstr(*x, "urunc.mount"));
        ur_strv_free(w);

        /* A compressed initrd is kept whole (6 bytes here), the archive
         * follows on 4 bytes (offset 8), zeros between. */
        free(vm.initrd);
        vm.initrd = strdup(gz);
        l = extended(&vm, &len, head, 8);
        assert_int_equal(len % 512, 0);
        assert_memory_equal(head, "\x1f\x8b\x08zzz\0\0", 8);
        assert_strv_equal(
                l, (const char *const[]){"etc 40755 0", "etc/config 40555 0", "etc/config/..data 40550 0",
                                         "etc/config/..data/app.conf 100444 10",
                                         "etc/config/app.conf 120777 -> ..data/app.conf", "etc 40755 0",
                                         "etc/db 40755 0", "etc/db/hosts 100600 12", "TRAILER!!!", NULL});
        ur_strv_free(l);
        ur_vm_done(&vm);

        /* Unikraft reads one newc archive: a compressed initrd is refused;
         * without sharedfs=none on qemu the directory is shared over 9p and
         * only the file is copied. */
        vm_base(&vm, "unikraft", "qemu");
        vm.initrd = strdup(gz);
        spec.n_annotations = 0;
        assert_true(ur_vm_storage(&spec, &vm, &err) < 0);
        snprintf(want[0], sizeof(want[0]),
                 "mount '/etc/db/hosts' (source '%s', type 'bind'): the source is not a directory, and 9p "
                 "shares "
                 "only directories; nor can it be copied into the guest's initrd: the family reads only an "
                 "uncompressed newc cpio archive (the unikraft guest on qemu)",
                 conf);
        assert_string_equal(ur_err_msg(err), want[0]);
        ur_err_free(&err);
        ur_vm_done(&vm);
        vm_base(&vm, "unikraft", "qemu");
        vm.initrd = strdup(newc);
        if (ur_vm_storage(&spec, &vm, &err) < 0)
                fail_msg("storage: %s", ur_err_msg(err));
        assert_int_equal(vm.n_shares, 1);
        assert_int_equal(vm.n_copies, 1);
        assert_string_equal(vm.copies[0].dest, "/etc/db/hosts");
        ur_vm_done(&vm);

        /* Refusals: a family without an initrd root, no initrd, a root that
         * is not the initrd, a fifo in the tree, sharedfs=none with
         * mountRootfs. */
        spec.n_annotations = 1;
        vm_base(&vm, "mirage", "hvt");
        vm.initrd = strdup(newc);
        assert_true(ur_vm_storage(&spec, &vm, &err) < 0);
        snprintf(
                want[1], sizeof(want[1]),
                "mount '/etc/config' (source '%s', type 'bind'): annotation com.urunc.sharedfs is 'none'; "
                "nor "
                "can it be copied into the initrd of this guest family (linux and unikraft only) (the mirage "
                "guest on hvt)",
                tree);
        assert_string_equal(ur_err_msg(err), want[1]);
        ur_err_free(&err);
        ur_vm_done(&vm);
        vm_base(&vm, "linux", "firecracker");
        assert_true(ur_vm_storage(&spec, &vm, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "the container has none (com.urunc.unikernel.initrd)"));
        ur_err_free(&err);
        ur_vm_done(&vm);
        vm_base(&vm, "linux", "firecracker");
        vm.initrd = strdup(newc);
        vm.n_blocks = 1;
        assert_true(ur_vm_storage(&spec, &vm, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "its root is the shared rootfs or a block image"));
        ur_err_free(&err);
        vm.n_blocks = 0;
        ur_vm_done(&vm);
        /* ... with its initrd as the root: copied (firecracker has no 9p). */
        vm_base(&vm, "linux", "firecracker");
        vm.initrd = strdup(newc);
        spec.n_annotations = 0;
        if (ur_vm_storage(&spec, &vm, &err) < 0)
                fail_msg("storage: %s", ur_err_msg(err));
        assert_int_equal(vm.n_shares, 0);
        assert_int_equal(vm.n_copies, 2);
        assert_string_equal(vm.copies[0].dest, "/etc/config");
        assert_true(vm.copies[0].readonly);
        assert_false(vm.copies[1].readonly);
        spec.n_annotations = 1;
        ur_vm_done(&vm);
        assert_int_equal(mkfifo(link, 0600), 0);
        vm_base(&vm, "linux", "firecracker");
        vm.initrd = strdup(newc);
        assert_true(ur_vm_storage(&spec, &vm, &err) < 0);
        snprintf(want[2], sizeof(want[2]),
                 "mount '/etc/config' (source '%s'): '%s' is a FIFO: only directories, regular files and "
                 "symbolic links can be copied into the initrd",
                 tree, link);
        assert_string_equal(ur_err_msg(err), want[2]);
        ur_err_free(&err);
        ur_vm_done(&vm);
        vm_base(&vm, "linux", "qemu");
        vm.initrd = strdup(newc);
        vm.share_rootfs = true;
        assert_true(ur_vm_storage(&spec, &vm, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "'none', but 'com.urunc.unikernel.mountRootfs' is true"));
        ur_err_free(&err);
        ur_vm_done(&vm);
        (void) want[3];

        unlink(link);
        unlink(key);
        unlink(cm);
        rmdir(sub);
        rmdir(tree);
        unlink(conf);
        unlink(newc);
        unlink(gz);
}

/* A block device node of this machine (its stat in *st), to name in a
 * mount; the test is skipped when there is none. */
static const char *block_node(struct stat *st)
{
        static const char *const cands[] = {"/dev/loop0", "/dev/loop1", "/dev/vda", "/dev/sda",
                                            "/dev/nvme0n1"};
        for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
                if (stat(cands[i], st) == 0 && S_ISBLK(st->st_mode))
                        return cands[i];
        print_message("skip: no block device node among /dev/loop0, /dev/loop1, /dev/vda, /dev/sda, "
                      "/dev/nvme0n1 to name\n");
        skip();
        return NULL;
}

/* useDMBlock's test of the rootfs: the top mount at the path, the whole
 * filesystem, from a block device whose numbers match. */
static void test_rootfs_block(void **state)
{
        (void) state;
        char mi[200], root[200], spaced[200], text[2048];
        const char *blk = NULL;
        struct stat st;
        char *dev = NULL, *fstype = NULL;
        struct ur_err *err = NULL;

        blk = block_node(&st);
        snprintf(mi, sizeof(mi), "%s/mountinfo", dir);
        snprintf(root, sizeof(root), "%s/rootfs", dir);
        snprintf(spaced, sizeof(spaced), "%s/root fs", dir);
        assert_int_equal(mkdir(root, 0755), 0);
        assert_int_equal(mkdir(spaced, 0755), 0);
        unsigned ma = major(st.st_rdev), mi_ = minor(st.st_rdev);

        /* An overlay at the path, then the block device on top: found. */
        snprintf(text, sizeof(text),
                 "20 1 0:50 / %s rw - overlay overlay rw,lowerdir=/a\n"
                 "21 20 %u:%u / %s rw,relatime shared:9 master:1 - ext4 %s rw\n",
                 root, ma, mi_, root, blk);
        write_at(mi, text, 0644);
        assert_int_equal(ur_rootfs_block(mi, root, &dev, &fstype, &err), 1);
        assert_string_equal(dev, blk);
        assert_string_equal(fstype, "ext4");
        free(dev);
        free(fstype);
        /* The block device below an overlay on top: not. */
        snprintf(text, sizeof(text),
                 "21 1 %u:%u / %s rw - ext4 %s rw\n20 21 0:50 / %s rw - overlay overlay rw\n", ma, mi_, root,
                 blk, root);
        write_at(mi, text, 0644);
        assert_int_equal(ur_rootfs_block(mi, root, &dev, &fstype, &err), 0);
        assert_null(dev);
        /* A subdirectory of the filesystem, other numbers, another path: not. */
        snprintf(text, sizeof(text), "21 1 %u:%u /sub %s rw - ext4 %s rw\n", ma, mi_, root, blk);
        write_at(mi, text, 0644);
        assert_int_equal(ur_rootfs_block(mi, root, &dev, &fstype, &err), 0);
        snprintf(text, sizeof(text), "21 1 %u:%u / %s rw - ext4 %s rw\n", ma, mi_ + 1, root, blk);
        write_at(mi, text, 0644);
        assert_int_equal(ur_rootfs_block(mi, root, &dev, &fstype, &err), 0);
        snprintf(text, sizeof(text), "21 1 %u:%u / %s/other rw - ext4 %s rw\n", ma, mi_, dir, blk);
        write_at(mi, text, 0644);
        assert_int_equal(ur_rootfs_block(mi, root, &dev, &fstype, &err), 0);
        /* mountinfo's escapes: a blank is \040. */
        snprintf(text, sizeof(text), "21 1 %u:%u / %s/root\\040fs rw - xfs %s rw\n", ma, mi_, dir, blk);
        write_at(mi, text, 0644);
        assert_int_equal(ur_rootfs_block(mi, spaced, &dev, &fstype, &err), 1);
        assert_string_equal(fstype, "xfs");
        free(dev);
        free(fstype);
        /* A missing rootfs is an error naming it. */
        assert_true(ur_rootfs_block(mi, "/nonexistent/urunc-rootfs", &dev, &fstype, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "rootfs '/nonexistent/urunc-rootfs'"));
        ur_err_free(&err);
        unlink(mi);
        rmdir(root);
        rmdir(spaced);
}

/* Mirage on Solo5: block devices among the mounts follow the metadata's
 * block image, each to the next block device the manifest declares. */
static void test_solo5_volumes(void **state)
{
        (void) state;
        const char *blk = NULL;
        struct stat st;
        char kernel[200], img[200], want[600];
        blk = block_node(&st);
        snprintf(kernel, sizeof(kernel), "%s/mirage.hvt", dir);
        snprintf(img, sizeof(img), "%s/disk.img", dir);
        static const struct t_solo5_dev devs[] = {{"storage", 1}, {"logs", 1}};
        t_write_solo5_elf(kernel, 1, devs, 2, T_SOLO5_OK);
        write_at(img, "", 0644);

        struct ur_mount m[] = {{(char *) "/logs", (char *) blk, (char *) "bind", o_rbind_rw}};
        struct ur_spec spec = {.mounts = m, .n_mounts = 1};
        struct ur_vm vm;
        struct ur_exec ex = {0};
        struct ur_err *err = NULL;

        vm_base(&vm, "mirage", "hvt");
        vm.kernel = strdup(kernel);
        vm.monitor_binary = strdup("/usr/bin/solo5-hvt");
        vm.boot = UR_BOOT_SOLO5;
        vm.mem_mib = 64;
        vm.kvm = true;
        vm.blocks = calloc(1, sizeof(*vm.blocks));
        vm.blocks[0] = (struct ur_vm_block){.path = strdup(img)};
        vm.n_blocks = 1;
        if (ur_vm_storage(&spec, &vm, &err) < 0)
                fail_msg("storage: %s", ur_err_msg(err));
        assert_int_equal(vm.n_shares, 0);
        assert_int_equal(vm.n_blocks, 2);
        assert_true(vm.blocks[1].device);
        if (ur_vm_build_exec(&vm, &ex, &err) < 0)
                fail_msg("build: %s", ur_err_msg(err));
        char b0[300], b1[300];
        snprintf(b0, sizeof(b0), "--block:storage=%s", img);
        snprintf(b1, sizeof(b1), "--block:logs=%s", blk);
        assert_strv_equal(ex.argv,
                          (const char *const[]){"/usr/bin/solo5-hvt", "--mem=64", b0, b1, kernel, NULL});
        ur_exec_done(&ex);
        ur_vm_done(&vm);

        /* Read-only: refused (the tenders open block devices read-write);
         * on qemu: refused for mirage. */
        m[0].options = o_rbind_ro;
        snprintf(want, sizeof(want),
                 "mount '/logs' (source '%s', type 'bind'): a Solo5 tender opens every block device "
                 "read-write: "
                 "a read-only block volume cannot be given (the mirage guest on spt)",
                 blk);
        refused("mirage", "spt", &m[0], false, want);
        m[0].options = o_rbind_rw;
        refused("mirage", "qemu", &m[0], false,
                "this guest family cannot take a block volume (linux and freebsd on qemu, mirage on hvt and spt) (the "
                "mirage guest on qemu)");
        unlink(kernel);
        unlink(img);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_classify),       cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_qemu_and_linux), cmocka_unit_test(test_qemu_unikraft),
                cmocka_unit_test(test_virtiofs),       cmocka_unit_test(test_block_volumes),
                cmocka_unit_test(test_initrd_copies),  cmocka_unit_test(test_rootfs_block),
                cmocka_unit_test(test_solo5_volumes),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
