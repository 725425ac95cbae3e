/* SPDX-License-Identifier: Apache-2.0 */
/* ur_kernel_probe on small synthetic kernels; ur_host_tsc_khz; the plan
 * built from a spec, metadata and config fixture (fixtures/plan). */
#include <elf.h>
#include <limits.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "solo5-elf.h"
#include "config/config.h"
#include "oci/metadata.h"
#include "oci/spec.h"
#include "vm/desc.h"
#include "util/cleanup.h"
#include "vm/plan.h"
#include "vm/vm.h"

static char dir[] = "/tmp/urunc-test-vm-XXXXXX";

static char *write_file(const char *name, const void *data, size_t len)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        fclose(f);
        return p;
}

/* A note: namesz, descsz, type, name (padded), desc (4 bytes). */
static size_t put_note(unsigned char *at, const char *name, uint32_t type)
{
        uint32_t namesz = (uint32_t) strlen(name) + 1, descsz = 4;
        memcpy(at, &namesz, 4);
        memcpy(at + 4, &descsz, 4);
        memcpy(at + 8, &type, 4);
        memcpy(at + 12, name, namesz);
        size_t off = 12 + ((namesz + 3) & ~3u);
        memset(at + off, 0x11, 4);
        return off + 4;
}

/* ELF64 with one PT_NOTE (when note_name) and optionally a multiboot header. */
static char *make_elf64(const char *fname, const char *note_name, uint32_t note_type, bool multiboot,
                        bool note_in_section_only)
{
        unsigned char img[4096] = { 0 };
        Elf64_Ehdr *eh = t_elf64_header(img);
        eh->e_shentsize = sizeof(Elf64_Shdr);
        Elf64_Phdr *ph = (Elf64_Phdr *) (img + eh->e_phoff);
        ph->p_type = PT_LOAD;
        if (note_name) {
                size_t n = put_note(img + 1024, note_name, note_type);
                if (note_in_section_only) {
                        eh->e_shoff = 2048;
                        eh->e_shnum = 2;
                        Elf64_Shdr *sh = (Elf64_Shdr *) (img + 2048);
                        sh[1].sh_type = SHT_NOTE;
                        sh[1].sh_offset = 1024;
                        sh[1].sh_size = n;
                } else {
                        ph->p_type = PT_NOTE;
                        ph->p_offset = 1024;
                        ph->p_filesz = n;
                }
        }
        if (multiboot) {
                uint32_t mb[3] = { 0x1BADB002u, 0x3, (uint32_t) -(0x1BADB002u + 0x3) };
                memcpy(img + 512, mb, sizeof(mb));
        }
        return write_file(fname, img, sizeof(img));
}

static enum ur_boot_format probe_ok(const char *path)
{
        enum ur_boot_format f = UR_BOOT_UNKNOWN;
        struct ur_err *err = NULL;
        int r = ur_kernel_probe(path, &f, &err);
        if (r < 0)
                fail_msg("probe '%s': %s", path, ur_err_msg(err));
        return f;
}

static void test_pvh(void **state)
{
        (void) state;
        char *p = make_elf64("pvh", "Xen", 18, false, false);
        assert_int_equal(probe_ok(p), UR_BOOT_PVH);
        free(p);
        /* Both PVH and multiboot: PVH wins. */
        p = make_elf64("pvh-mb", "Xen", 18, true, false);
        assert_int_equal(probe_ok(p), UR_BOOT_PVH);
        free(p);
        /* A Xen note of another type is not PVH. */
        p = make_elf64("xen-other", "Xen", 6, false, false);
        assert_int_equal(probe_ok(p), UR_BOOT_ELF);
        free(p);
        /* The note found through the section headers too. */
        p = make_elf64("pvh-sect", "Xen", 18, false, true);
        assert_int_equal(probe_ok(p), UR_BOOT_PVH);
        free(p);
}

static void test_multiboot(void **state)
{
        (void) state;
        char *p = make_elf64("mb-elf", NULL, 0, true, false);
        assert_int_equal(probe_ok(p), UR_BOOT_MULTIBOOT);
        free(p);

        unsigned char raw[8192] = { 0 };
        uint32_t mb[3] = { 0x1BADB002u, 0x10003, (uint32_t) -(0x1BADB002u + 0x10003) };
        memcpy(raw + 4096, mb, sizeof(mb));
        p = write_file("mb-raw", raw, sizeof(raw));
        assert_int_equal(probe_ok(p), UR_BOOT_MULTIBOOT);
        free(p);

        /* Bad checksum, or not 4-byte aligned: not multiboot. */
        unsigned char bad[8192] = { 0 };
        uint32_t badmb[3] = { 0x1BADB002u, 0x3, 0 };
        memcpy(bad + 64, badmb, sizeof(badmb));
        memcpy(bad + 130, mb, sizeof(mb));
        p = write_file("mb-bad", bad, sizeof(bad));
        enum ur_boot_format f;
        struct ur_err *err = NULL;
        assert_true(ur_kernel_probe(p, &f, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), p));
        assert_non_null(strstr(ur_err_msg(err), "unknown format"));
        ur_err_free(&err);
        free(p);

        /* Beyond the first 8192 bytes: not looked at. */
        unsigned char far[16384] = { 0 };
        memcpy(far + 8192, mb, sizeof(mb));
        p = write_file("mb-far", far, sizeof(far));
        assert_true(ur_kernel_probe(p, &f, &err) < 0);
        ur_err_free(&err);
        free(p);
}

static void test_solo5_bzimage_elf(void **state)
{
        (void) state;
        char *p = make_elf64("solo5", "Solo5", 0x3154464d, false, true);
        assert_int_equal(probe_ok(p), UR_BOOT_SOLO5);
        free(p);

        unsigned char bz[1024] = { 0 };
        memcpy(bz + 0x202, "HdrS", 4);
        p = write_file("bzImage", bz, sizeof(bz));
        assert_int_equal(probe_ok(p), UR_BOOT_LINUX);
        free(p);

        p = make_elf64("vmlinux", NULL, 0, false, false);
        assert_int_equal(probe_ok(p), UR_BOOT_ELF);
        free(p);
        assert_string_equal(ur_boot_format_name(UR_BOOT_PVH), "pvh");
}

static void test_broken(void **state)
{
        (void) state;
        enum ur_boot_format f = UR_BOOT_UNKNOWN;
        struct ur_err *err = NULL;

        assert_true(ur_kernel_probe("/nonexistent/kernel", &f, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "'/nonexistent/kernel'"));
        ur_err_free(&err);

        char *p = write_file("empty", "", 0);
        assert_true(ur_kernel_probe(p, &f, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), p));
        ur_err_free(&err);
        free(p);

        /* Truncated ELF, and program headers pointing past the end. */
        unsigned char elf[40] = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, 1 };
        p = write_file("trunc", elf, sizeof(elf));
        assert_true(ur_kernel_probe(p, &f, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "truncated"));
        ur_err_free(&err);
        free(p);

        unsigned char img[256] = { 0 };
        Elf64_Ehdr *eh = (Elf64_Ehdr *) img;
        memcpy(eh->e_ident, ELFMAG, SELFMAG);
        eh->e_ident[EI_CLASS] = ELFCLASS64;
        eh->e_phoff = 0xffffffffffff0000ull;
        eh->e_phnum = 0xffff;
        eh->e_phentsize = sizeof(Elf64_Phdr);
        eh->e_shoff = 100;
        eh->e_shnum = 0xffff;
        eh->e_shentsize = sizeof(Elf64_Shdr);
        p = write_file("wild", img, sizeof(img));
        assert_int_equal(probe_ok(p), UR_BOOT_ELF);
        free(p);

        assert_true(ur_kernel_probe(dir, &f, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "not a regular file"));
        ur_err_free(&err);
}

static void test_tsc(void **state)
{
        (void) state;
        unsigned khz = 0;
        struct ur_err *err = NULL;
        assert_int_equal(ur_host_tsc_khz(&khz, &err), 0);
        assert_true(khz > 100000 && khz < 10000000);
        assert_int_equal(khz % 1000, 0);
}

static char *solo5_path(const char *name)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static void solo5_bad(const char *name, enum t_solo5_spoil spoil, const char *needle)
{
        static const struct t_solo5_dev devs[] = {{"service0", 2}, {"storage", 1}};
        char *p = solo5_path(name);
        struct ur_solo5_info info;
        struct ur_err *err = NULL;
        t_write_solo5_elf(p, 2, devs, 2, spoil);
        assert_true(ur_solo5_info_read(p, &info, &err) < 0);
        if (!strstr(ur_err_msg(err), needle) || !strstr(ur_err_msg(err), p))
                fail_msg("%s: error '%s' lacks '%s' or the path", name, ur_err_msg(err), needle);
        assert_int_equal(info.n_devs, 0);
        ur_err_free(&err);
        free(p);
}

/* Solo5's ABI1 and MFT1 notes: target and devices in declared order. */
static void test_solo5_manifest(void **state)
{
        (void) state;
        static const struct t_solo5_dev devs[] = {
                {"diskA", 1},
                {"uplink0", 2},
                {"service1", 2},
                {"Aname0of0sixtyseven0characters0is0the0longest0a0Solo50manifest0has0", 1},
        };
        struct ur_solo5_info info;
        struct ur_err *err = NULL;
        char *p = solo5_path("s5-four");
        t_write_solo5_elf(p, 1, devs, 4, T_SOLO5_OK);
        assert_int_equal(probe_ok(p), UR_BOOT_SOLO5);
        if (ur_solo5_info_read(p, &info, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        assert_int_equal(info.target, UR_SOLO5_TARGET_HVT);
        assert_int_equal(info.abi_version, 1);
        assert_true(info.has_manifest);
        assert_int_equal(info.n_devs, 4);
        for (unsigned i = 0; i < 4; i++) {
                assert_string_equal(info.devs[i].name, devs[i].name);
                assert_int_equal(info.devs[i].type, devs[i].type);
        }
        assert_string_equal(ur_solo5_target_name(info.target), "hvt");
        assert_string_equal(ur_solo5_target_name(2), "spt");
        assert_string_equal(ur_solo5_target_name(99), "unknown");
        free(p);

        /* No devices (test_hello's manifest): the reserved entry only. */
        p = solo5_path("s5-none");
        t_write_solo5_elf(p, 2, NULL, 0, T_SOLO5_OK);
        assert_int_equal(ur_solo5_info_read(p, &info, &err), 0);
        assert_int_equal(info.target, UR_SOLO5_TARGET_SPT);
        assert_true(info.has_manifest);
        assert_int_equal(info.n_devs, 0);
        free(p);

        /* No ABI1 note: target unknown; no MFT1 note: no manifest. */
        p = solo5_path("s5-noabi");
        t_write_solo5_elf(p, 0, devs, 1, T_SOLO5_OK);
        assert_int_equal(ur_solo5_info_read(p, &info, &err), 0);
        assert_int_equal(info.target, UR_SOLO5_TARGET_UNKNOWN);
        assert_int_equal(info.n_devs, 1);
        free(p);
        p = solo5_path("s5-nomft");
        t_write_solo5_elf(p, 1, NULL, -1, T_SOLO5_OK);
        assert_int_equal(ur_solo5_info_read(p, &info, &err), 0);
        assert_false(info.has_manifest);
        assert_int_equal(probe_ok(p), UR_BOOT_SOLO5);
        free(p);

        /* What the tender's mft_validate refuses, refused with the reason. */
        solo5_bad("s5-version", T_SOLO5_VERSION, "manifest has version 2");
        solo5_bad("s5-size", T_SOLO5_SIZE, "3 entries need");
        solo5_bad("s5-reserved", T_SOLO5_NO_RESERVED, "does not start with the reserved entry");
        solo5_bad("s5-long", T_SOLO5_LONG_NAME, "more than 67 characters");
        solo5_bad("s5-attached", T_SOLO5_ATTACHED, "marked attached");
        static const struct t_solo5_dev odd[] = {{"gpu0", 7}};
        p = solo5_path("s5-type");
        t_write_solo5_elf(p, 2, odd, 1, T_SOLO5_OK);
        assert_true(ur_solo5_info_read(p, &info, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "entry 1 ('gpu0') has device type 7"));
        ur_err_free(&err);
        free(p);

        static const struct t_solo5_dev under[] = {{"disk_a", 1}};
        p = solo5_path("s5-underscore");
        t_write_solo5_elf(p, 2, under, 1, T_SOLO5_OK);
        assert_true(ur_solo5_info_read(p, &info, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err),
                               "entry 1 ('disk_a') is not a Solo5 device name (letters and digits only)"));
        ur_err_free(&err);
        free(p);

        /* Not ELF. */
        p = write_file("s5-text", "hello", 5);
        assert_true(ur_solo5_info_read(p, &info, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "is not an ELF file"));
        ur_err_free(&err);
        free(p);
}

static int setup(void **state)
{
        (void) state;
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
        (void) state;
        char *cmd = NULL;
        if (asprintf(&cmd, "rm -rf '%s'", dir) > 0 && system(cmd) != 0)
                fprintf(stderr, "cleanup failed\n");
        free(cmd);
        return 0;
}

/* vCPUs: saturating, period 0 as the scope reads it, clamped to the host. */
static void test_vcpus(void **state)
{
        (void) state;
        bool clamped = true;

        assert_int_equal(ur_vm_vcpus(150000, 100000, NULL, 1, 0, &clamped), 2);
        assert_false(clamped);
        /* 4294967297000 / 1000 = 2^32 + 1: no longer wraps to 1. */
        assert_int_equal(ur_vm_vcpus(4294967297000LL, 1000, NULL, 1, 0, &clamped), UINT_MAX);
        assert_false(clamped);
        assert_int_equal(ur_vm_vcpus(4294967297000LL, 1000, NULL, 1, 8, &clamped), 8);
        assert_true(clamped);
        assert_int_equal(ur_vm_vcpus(INT64_MAX, 1, NULL, 1, 4, &clamped), 4);
        assert_true(clamped);
        /* Period 0 is the kernel's default 100 ms, as for the scope's
         * CPUQuotaPerSecUSec (was: the quota ignored). */
        assert_int_equal(ur_vm_vcpus(250000, 0, NULL, 1, 0, NULL), 3);
        assert_int_equal(ur_vm_vcpus(-1, 0, NULL, 2, 0, NULL), 2);
        assert_int_equal(ur_vm_vcpus(-1, 0, NULL, 0, 0, NULL), 1);
        /* Cpusets: counted bits, no overflow in huge or bad lists. */
        assert_int_equal(ur_vm_vcpus(-1, 0, "0-3,8", 1, 0, NULL), 5);
        assert_int_equal(ur_vm_vcpus(-1, 0, "0-3,2-5", 1, 0, NULL), 6);
        assert_int_equal(ur_vm_vcpus(-1, 0, "0-4294967296", 7, 0, NULL), 7);
        assert_int_equal(ur_vm_vcpus(-1, 0, "0-9223372036854775807", 7, 0, NULL), 7);
        assert_int_equal(ur_vm_vcpus(-1, 0, "0-8191", 1, 16, &clamped), 16);
        assert_true(clamped);
        assert_int_equal(ur_vm_vcpus(-1, 0, "x", 3, 0, NULL), 3);
}


#define PLAN_FIXTURES TEST_SRCDIR "/fixtures/plan"

/* The index of s in the NULL-terminated v, or -1. */
static int argv_index(char **v, const char *s)
{
        for (int i = 0; v && v[i]; i++)
                if (strcmp(v[i], s) == 0)
                        return i;
        return -1;
}

/* A bundle directory holding fixtures/plan/config.json; returns its path. */
static char *plan_bundle(void)
{
        _cleanup_free_ char *text = calloc(1, 1 << 16);
        char *bundle = NULL;
        FILE *f;
        size_t len;

        assert_non_null(text);
        assert_true(asprintf(&bundle, "%s/plan", dir) > 0);
        assert_int_equal(mkdir(bundle, 0755), 0);
        f = fopen(PLAN_FIXTURES "/config.json", "r");
        assert_non_null(f);
        len = fread(text, 1, (1 << 16) - 1, f);
        fclose(f);
        free(write_file("plan/config.json", text, len));
        return bundle;
}

static void test_plan(void **state)
{
        (void) state;
        _cleanup_config_ struct ur_config *cfg = NULL;
        _cleanup_spec_ struct ur_spec *spec = NULL;
        _cleanup_metadata_ struct ur_metadata *md = NULL;
        _cleanup_free_ char *bundle = NULL, *kernel = NULL, *initrd = NULL, *other = NULL;
        _cleanup_free_ char *want_kernel = NULL, *want_initrd = NULL, *want_binary = NULL, *rootfs = NULL;
        struct ur_err *err = NULL;
        struct ur_plan p;
        struct stat st, pst;
        int i;

        bundle = plan_bundle();
        assert_true(asprintf(&rootfs, "%s/rootfs", bundle) > 0);
        assert_int_equal(mkdir(rootfs, 0755), 0);
        {
                _cleanup_free_ char *d = NULL;
                assert_true(asprintf(&d, "%s/unikernel", rootfs) > 0);
                assert_int_equal(mkdir(d, 0755), 0);
        }
        kernel = make_elf64("plan/rootfs/unikernel/kernel", "Xen", 18, false, false);
        initrd = write_file("plan/rootfs/unikernel/initrd", "initrd", 6);

        if (ur_config_load(PLAN_FIXTURES "/urunc.toml", &cfg, &err) < 0 || ur_spec_load(bundle, &spec, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        if (ur_metadata_load(spec, &md, &err) != 1)
                fail_msg("metadata: %s", err ? ur_err_msg(err) : "none");
        if (ur_plan_build(cfg, spec, md, "plan-test", dir, &p, &err) < 0)
                fail_msg("plan: %s", ur_err_msg(err));

        /* Sizing and backends. */
        assert_string_equal(p.id, "plan-test");
        assert_string_equal(p.vm.guest, "unikraft");
        assert_string_equal(p.vm.monitor, "qemu");
        /* binary_path as found (symlinks resolved: /bin may be /usr/bin). */
        want_binary = realpath("/bin/true", NULL);
        assert_non_null(want_binary);
        assert_string_equal(p.vm.monitor_binary, want_binary);
        assert_true(asprintf(&want_kernel, "%s/unikernel/kernel", rootfs) > 0);
        assert_true(asprintf(&want_initrd, "%s/unikernel/initrd", rootfs) > 0);
        assert_string_equal(p.vm.kernel, want_kernel);
        assert_string_equal(p.vm.initrd, want_initrd);
        assert_int_equal(p.vm.boot, UR_BOOT_PVH);
        assert_int_equal(p.vm.mem_mib, 512 - 64);
        assert_int_equal(p.vm.vcpus, 1);
        assert_false(p.vm.kvm);
        assert_string_equal(p.vm.hostname, "uni");
        assert_true(p.set_hostname);
        /* The monitor's argv and files, built without a NIC. */
        assert_non_null(p.exec.argv);
        assert_string_equal(p.exec.argv[0], want_binary);
        i = argv_index(p.exec.argv, "-kernel");
        assert_true(i > 0);
        assert_string_equal(p.exec.argv[i + 1], want_kernel);
        i = argv_index(p.exec.argv, "-initrd");
        assert_true(i > 0);
        assert_string_equal(p.exec.argv[i + 1], want_initrd);
        assert_int_equal(argv_index(p.exec.argv, "-netdev"), -1);
        /* Network wishes. */
        assert_true(p.vm.net_possible);
        assert_false(p.vm.net_decided);
        assert_int_equal(p.vm.net.mode, UR_NET_ROUTED);
        assert_string_equal(p.vm.net.ports, "tcp/80,udp/53"); /* normalised */
        assert_string_equal(p.resolv_conf, "/run/plan-test/resolv.conf");
        /* Credentials, confinement, seccomp. */
        assert_int_equal(p.creds.uid, 1000);
        assert_int_equal(p.creds.gid, 1001);
        assert_int_equal(p.creds.n_groups, 2);
        assert_int_equal(p.creds.groups[0], 5);
        assert_int_equal(p.creds.groups[1], 6);
        assert_true(p.confine);
        assert_true(p.own_proc);
        assert_string_equal(p.seccomp_policy, "qemu");
        assert_true(p.seccomp_log);
        assert_false(p.console_journal);
        assert_false(p.register_machine);
        /* Binds: the kernel and the initrd, to be pinned; nothing shared. */
        assert_int_equal(p.n_binds, 2);
        assert_string_equal(p.binds[0].path, want_kernel);
        assert_int_equal(p.binds[0].flags, UR_BIND_PIN | UR_BIND_RO | UR_BIND_NOEXEC);
        assert_int_equal(p.binds[0].fd, -1);
        assert_string_equal(p.binds[1].path, want_initrd);
        assert_int_equal(p.binds[1].flags, UR_BIND_PIN | UR_BIND_RO | UR_BIND_NOEXEC);
        assert_int_equal(p.binds[1].fd, -1);

        /* Pinned, the kernel is the file it was, whatever the path names
         * afterwards. */
        if (ur_plan_pin(&p, rootfs, &err) < 0)
                fail_msg("pin: %s", ur_err_msg(err));
        assert_true(p.binds[0].fd >= 0 && p.binds[1].fd >= 0);
        assert_int_equal(stat(want_kernel, &st), 0);
        other = write_file("plan/rootfs/unikernel/other", "x", 1);
        assert_int_equal(rename(other, want_kernel), 0);
        assert_int_equal(fstat(p.binds[0].fd, &pst), 0);
        assert_int_equal(pst.st_ino, st.st_ino);
        assert_int_equal(stat(want_kernel, &st), 0);
        assert_int_not_equal(pst.st_ino, st.st_ino);
        ur_plan_done(&p);
        assert_null(p.binds);

        /* A bad value fails the build naming the annotation and the value,
         * and what was built so far is undone by ur_plan_done. */
        free(make_elf64("plan/rootfs/unikernel/kernel", "Xen", 18, false, false));
        for (size_t k = 0; k < spec->n_annotations; k++)
                if (strcmp(spec->annotations[k].key, "com.urunc.accel") == 0) {
                        free(spec->annotations[k].value);
                        spec->annotations[k].value = strdup("warp");
                }
        assert_true(ur_plan_build(cfg, spec, md, "plan-test", dir, &p, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "com.urunc.accel"));
        assert_non_null(strstr(ur_err_msg(err), "'warp'"));
        ur_err_free(&err);
        ur_plan_done(&p);
        assert_null(p.vm.kernel);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pvh),
                cmocka_unit_test(test_multiboot),
                cmocka_unit_test(test_solo5_bzimage_elf),
                cmocka_unit_test(test_broken),
                cmocka_unit_test(test_solo5_manifest),
                cmocka_unit_test(test_tsc),
                cmocka_unit_test(test_vcpus),
                cmocka_unit_test(test_plan),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
