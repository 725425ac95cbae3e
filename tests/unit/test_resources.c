/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pure conversions of src/systemd at their edges: shares → CPUWeight,
 * quota → CPUQuotaPerSecUSec, cpuset lists → bitmasks, cgroupsPath forms,
 * slice expansion, unit-name escaping, org.systemd.property.* values and
 * the resource → property table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgroup/cgroup.h"
#include "systemd/escape.h"
#include "cgroup/mapping.h"
#include "systemd/props.h"
#include "util/cpuset.h"
#include "util/error.h"

static void test_shares_to_weight(void **state)
{
        assert_int_equal(ur_cpu_shares_to_weight(0), 0);       /* unset */
        assert_int_equal(ur_cpu_shares_to_weight(1), 1);       /* clamped to 2 */
        assert_int_equal(ur_cpu_shares_to_weight(2), 1);
        assert_int_equal(ur_cpu_shares_to_weight(3), 1);
        assert_int_equal(ur_cpu_shares_to_weight(1024), 39);
        assert_int_equal(ur_cpu_shares_to_weight(262143), 9999);
        assert_int_equal(ur_cpu_shares_to_weight(262144), 10000);
        assert_int_equal(ur_cpu_shares_to_weight(1000000), 10000); /* clamped */
}

static void test_quota_per_sec(void **state)
{
        assert_int_equal(ur_cpu_quota_per_sec(50000, 100000), 500000);
        assert_int_equal(ur_cpu_quota_per_sec(100000, 100000), 1000000);
        assert_int_equal(ur_cpu_quota_per_sec(200000, 100000), 2000000);
        /* 123450 µs/s is not a whole percent: up to 130000. */
        assert_int_equal(ur_cpu_quota_per_sec(12345, 100000), 130000);
        assert_int_equal(ur_cpu_quota_per_sec(1, 100000), 10000);
        assert_int_equal(ur_cpu_quota_per_sec(10001, 100000), 110000);
        /* period 0: the kernel's default 100 ms. */
        assert_int_equal(ur_cpu_quota_per_sec(25000, 0), 250000);
        assert_int_equal(ur_cpu_quota_per_sec(1000, 1000), 1000000);
        assert_true(ur_cpu_quota_per_sec(0, 100000) == UR_USEC_INFINITY);
        assert_true(ur_cpu_quota_per_sec(-1, 100000) == UR_USEC_INFINITY);
        /* Huge quotas saturate below "infinity". */
        assert_true(ur_cpu_quota_per_sec(INT64_MAX, 1) == UR_USEC_INFINITY - 1);
}

static void mask_ok(const char *list, const uint8_t *want, size_t n)
{
        uint8_t *m = NULL;
        size_t got = 99;
        struct ur_err *err = NULL;

        assert_int_equal(ur_cpuset_to_mask(list, &m, &got, &err), 0);
        assert_null(err);
        assert_int_equal(got, n);
        if (n)
                assert_memory_equal(m, want, n);
        free(m);
}

static void mask_bad(const char *list)
{
        uint8_t *m = NULL;
        size_t n = 0;
        struct ur_err *err = NULL;

        assert_true(ur_cpuset_to_mask(list, &m, &n, &err) < 0);
        assert_non_null(err);
        assert_non_null(strstr(ur_err_msg(err), list));
        ur_err_free(&err);
}

static void test_cpuset_mask(void **state)
{
        mask_ok("0-3,5", (const uint8_t[]){ 0x2f }, 1);
        mask_ok("0", (const uint8_t[]){ 0x01 }, 1);
        mask_ok("7", (const uint8_t[]){ 0x80 }, 1);
        mask_ok("8", (const uint8_t[]){ 0x00, 0x01 }, 2);
        mask_ok(" 1 , 2-3 ", (const uint8_t[]){ 0x0e }, 1);
        mask_ok("0-9", (const uint8_t[]){ 0xff, 0x03 }, 2);
        mask_ok("3,1", (const uint8_t[]){ 0x0a }, 1);
        mask_ok("", NULL, 0);
        {
                uint8_t *m = NULL;
                size_t n = 0;
                struct ur_err *err = NULL;
                assert_int_equal(ur_cpuset_to_mask("0-8191", &m, &n, &err), 0);
                assert_int_equal(n, 1024);
                assert_int_equal(m[0], 0xff);
                assert_int_equal(m[1023], 0xff);
                free(m);
        }
        /* runc's RangeToBits: empty items are ignored. */
        mask_ok("1,", (const uint8_t[]){0x02}, 1);
        mask_ok(",1", (const uint8_t[]){0x02}, 1);
        mask_ok("0,,2, ,", (const uint8_t[]){0x05}, 1);
        mask_ok("\t0-1\n", (const uint8_t[]){0x03}, 1);
        mask_ok("1-1", (const uint8_t[]){0x02}, 1);
        mask_ok("00,0007", (const uint8_t[]){0x81}, 1);
        mask_ok("   ", NULL, 0);
        mask_bad("3-1");
        mask_bad("a");
        mask_bad(",");
        mask_bad(" , ,");
        mask_bad("1-");
        mask_bad("-");
        mask_bad("8192");
        mask_bad("0-8192");
        mask_bad("99999999999999999999");
        mask_bad("1;2");
        mask_bad("-1");
        mask_bad("+1");
        mask_bad("1 2");
        /* Neither the kernel nor runc takes blanks inside a range. */
        mask_bad("1 - 3");
        mask_bad("1- 3");
        /* The kernel's stride form is not runc's. */
        mask_bad("0-7:2/4");
        mask_bad("1-2-3");
}

static void test_cpuset_count(void **state)
{
        unsigned n = 99;
        struct ur_err *err = NULL;

        assert_int_equal(ur_cpuset_count("0-3,5", &n, &err), 0);
        assert_int_equal(n, 5);
        /* Overlaps count once. */
        assert_int_equal(ur_cpuset_count("0-3,2-5,4", &n, &err), 0);
        assert_int_equal(n, 6);
        assert_int_equal(ur_cpuset_count("", &n, &err), 0);
        assert_int_equal(n, 0);
        assert_int_equal(ur_cpuset_count("0-8191", &n, &err), 0);
        assert_int_equal(n, 8192);
        n = 99;
        assert_true(ur_cpuset_count("x", &n, &err) < 0);
        assert_int_equal(n, 99);
        assert_non_null(strstr(ur_err_msg(err), "'x'"));
        ur_err_free(&err);
}

static void test_cgroups_path_parse(void **state)
{
        struct ur_cgroups_path p;
        struct ur_err *err = NULL;

        assert_int_equal(ur_cgroups_path_parse(NULL, &p, &err), 0);
        assert_int_equal(p.kind, UR_CGPATH_NONE);
        assert_int_equal(ur_cgroups_path_parse("", &p, &err), 0);
        assert_int_equal(p.kind, UR_CGPATH_NONE);

        assert_int_equal(ur_cgroups_path_parse("/a//b/", &p, &err), 0);
        assert_int_equal(p.kind, UR_CGPATH_PATH);
        assert_string_equal(p.path, "/a/b");
        ur_cgroups_path_done(&p);
        assert_int_equal(ur_cgroups_path_parse("a/b", &p, &err), 0);
        assert_string_equal(p.path, "/a/b");
        ur_cgroups_path_done(&p);
        assert_int_equal(ur_cgroups_path_parse("/", &p, &err), 0);
        assert_string_equal(p.path, "/");
        ur_cgroups_path_done(&p);
        /* An absolute path may contain ':'. */
        assert_int_equal(ur_cgroups_path_parse("/a:b:c", &p, &err), 0);
        assert_int_equal(p.kind, UR_CGPATH_PATH);
        ur_cgroups_path_done(&p);

        assert_int_equal(ur_cgroups_path_parse("machine.slice:libpod:abc", &p, &err), 0);
        assert_int_equal(p.kind, UR_CGPATH_SYSTEMD);
        assert_string_equal(p.slice, "machine.slice");
        assert_string_equal(p.prefix, "libpod");
        assert_string_equal(p.name, "abc");
        ur_cgroups_path_done(&p);
        assert_int_equal(ur_cgroups_path_parse("::abc", &p, &err), 0);
        assert_null(p.slice);
        assert_null(p.prefix);
        assert_string_equal(p.name, "abc");
        ur_cgroups_path_done(&p);

        static const char *const bad[] = { "/a/../b", "/a/./b", "a:b", "a:b:c:d", "x.slice:p:",
                                           "notaslice:p:n", "../x" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_true(ur_cgroups_path_parse(bad[i], &p, &err) < 0);
                assert_non_null(strstr(ur_err_msg(err), bad[i]));
                ur_err_free(&err);
        }
}

static void slice_is(const char *slice, const char *want)
{
        char *got = NULL;
        struct ur_err *err = NULL;

        if (want) {
                assert_int_equal(ur_slice_expand(slice, &got, &err), 0);
                assert_string_equal(got, want);
                free(got);
        } else {
                assert_true(ur_slice_expand(slice, &got, &err) < 0);
                assert_non_null(strstr(ur_err_msg(err), slice));
                ur_err_free(&err);
        }
}

static void test_slice_expand(void **state)
{
        slice_is("-.slice", "/");
        slice_is("system.slice", "/system.slice");
        slice_is("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice");
        slice_is("kubepods-besteffort-pod12.slice",
                 "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice");
        slice_is("a--b.slice", NULL);
        slice_is("-a.slice", NULL);
        slice_is("a-.slice", NULL);
        slice_is("foo", NULL);
        slice_is(".slice", NULL);
        slice_is("a/b.slice", NULL);
}

static void test_escape(void **state)
{
        char *s;

        s = ur_scope_name("abc");
        assert_string_equal(s, "urunc-abc.scope");
        free(s);
        s = ur_scope_name("a-b");
        assert_string_equal(s, "urunc-a\\x2db.scope");
        free(s);
        s = ur_scope_name("a+b");
        assert_string_equal(s, "urunc-a\\x2bb.scope");
        free(s);
        s = ur_scope_name(".x.y");
        assert_string_equal(s, "urunc-\\x2ex.y.scope");
        free(s);
        s = ur_scope_name("A.b_c:9");
        assert_string_equal(s, "urunc-A.b_c:9.scope");
        free(s);
        s = ur_unit_name_escape("a/b\\c d");
        assert_string_equal(s, "a-b\\x5cc\\x20d");
        free(s);
        assert_null(ur_scope_name(NULL));

        assert_true(ur_unit_name_valid("urunc-a\\x2db.scope", ".scope"));
        assert_false(ur_unit_name_valid(".scope", ".scope"));
        assert_false(ur_unit_name_valid("a b.scope", ".scope"));
        assert_false(ur_unit_name_valid("a.slice", ".scope"));
        {
                char longname[300];
                memset(longname, 'a', sizeof(longname));
                strcpy(longname + 250, ".scope");
                assert_false(ur_unit_name_valid(longname, ".scope"));
        }
}

static void test_scope_target(void **state)
{
        struct ur_cgroup_request req = { .id = "c-1", .pid = 1 };
        char *unit = NULL, *slice = NULL, *path = NULL;
        struct ur_err *err = NULL;

        assert_int_equal(ur_scope_target(&req, &unit, &slice, &err), 0);
        assert_string_equal(unit, "urunc-c\\x2d1.scope");
        assert_string_equal(slice, "urunc.slice");
        free(unit);
        free(slice);

        req.default_slice = "my.slice";
        assert_int_equal(ur_scope_target(&req, &unit, &slice, &err), 0);
        assert_string_equal(slice, "my.slice");
        free(unit);
        free(slice);

        req.cgroups_path = "machine.slice:libpod:abc";
        assert_int_equal(ur_scope_target(&req, &unit, &slice, &err), 0);
        assert_string_equal(unit, "libpod-abc.scope");
        assert_string_equal(slice, "machine.slice");
        free(unit);
        free(slice);

        req.cgroups_path = ":cri-containerd:xyz";
        assert_int_equal(ur_scope_target(&req, &unit, &slice, &err), 0);
        assert_string_equal(unit, "cri-containerd-xyz.scope");
        assert_string_equal(slice, "my.slice");
        free(unit);
        free(slice);

        req.cgroups_path = "a.slice::plain";
        assert_int_equal(ur_scope_target(&req, &unit, &slice, &err), 0);
        assert_string_equal(unit, "plain.scope");
        free(unit);
        free(slice);

        /* A path cannot name a scope: ignored, or refused with --systemd-cgroup. */
        req.cgroups_path = "/default/c-1";
        assert_int_equal(ur_scope_target(&req, &unit, &slice, &err), 0);
        assert_string_equal(unit, "urunc-c\\x2d1.scope");
        free(unit);
        free(slice);
        req.systemd_cgroup = true;
        assert_true(ur_scope_target(&req, &unit, &slice, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "slice:prefix:name"));
        ur_err_free(&err);

        req.cgroups_path = "a.slice:p:sub.slice";
        assert_true(ur_scope_target(&req, &unit, &slice, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "sub.slice"));
        ur_err_free(&err);
        req.cgroups_path = "a.slice:p:bad name";
        assert_true(ur_scope_target(&req, &unit, &slice, &err) < 0);
        ur_err_free(&err);

        /* cgroupfs paths */
        req = (struct ur_cgroup_request){ .id = "c1" };
        assert_int_equal(ur_cgroupfs_target(&req, &path, &err), 0);
        assert_string_equal(path, "/urunc/c1");
        free(path);
        req.cgroups_path = "/kubepods/pod1/c1";
        assert_int_equal(ur_cgroupfs_target(&req, &path, &err), 0);
        assert_string_equal(path, "/kubepods/pod1/c1");
        free(path);
        req.cgroups_path = "kubepods-pod1.slice:cri:c1";
        assert_int_equal(ur_cgroupfs_target(&req, &path, &err), 0);
        assert_string_equal(path, "/kubepods.slice/kubepods-pod1.slice/cri-c1.scope");
        free(path);
        req.cgroups_path = "-.slice:cri:c1";
        assert_int_equal(ur_cgroupfs_target(&req, &path, &err), 0);
        assert_string_equal(path, "/cri-c1.scope");
        free(path);
        req.cgroups_path = "::c1";
        assert_int_equal(ur_cgroupfs_target(&req, &path, &err), 0);
        assert_string_equal(path, "/urunc.slice/c1.scope");
        free(path);
        req.cgroups_path = "/x/../../etc";
        assert_true(ur_cgroupfs_target(&req, &path, &err) < 0);
        ur_err_free(&err);
}

/* ---- org.systemd.property.* ---- */

static struct ur_prop ann_ok(const char *name, const char *value)
{
        struct ur_prop pr;
        char key[128];
        struct ur_err *err = NULL;

        snprintf(key, sizeof(key), "org.systemd.property.%s", name);
        if (ur_prop_from_annotation(key, value, &pr, &err) < 0)
                fail_msg("%s=%s: %s", key, value, ur_err_msg(err));
        return pr;
}

static void ann_bad(const char *name, const char *value)
{
        struct ur_prop pr;
        char key[128];
        struct ur_err *err = NULL;

        snprintf(key, sizeof(key), "org.systemd.property.%s", name);
        assert_true(ur_prop_from_annotation(key, value, &pr, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), key));
        ur_err_free(&err);
}

static void prop_free(struct ur_prop *pr)
{
        free(pr->name);
        free(pr->s);
        free(pr->bytes);
}

#define ANN_T(n_, v_, want_name, want)                                                         \
        do {                                                                                       \
                struct ur_prop _p = ann_ok(n_, v_);                                           \
                assert_string_equal(_p.name, want_name);                                           \
                assert_int_equal(_p.type, UR_PROP_U64);                                            \
                assert_true(_p.t == (uint64_t) (want));                                            \
                prop_free(&_p);                                                                    \
        } while (0)

#define ANN_B(n_, v_, want)                                                                   \
        do {                                                                                       \
                struct ur_prop _p = ann_ok(n_, v_);                                           \
                assert_int_equal(_p.type, UR_PROP_BOOL);                                           \
                assert_int_equal(_p.b, want);                                                      \
                prop_free(&_p);                                                                    \
        } while (0)

#define ANN_S(n_, v_, want)                                                                   \
        do {                                                                                       \
                struct ur_prop _p = ann_ok(n_, v_);                                           \
                assert_int_equal(_p.type, UR_PROP_STR);                                            \
                assert_string_equal(_p.s, want);                                                   \
                prop_free(&_p);                                                                    \
        } while (0)

static void test_annotations(void **state)
{
        /* *Sec → *USec, in seconds (as runc). */
        ANN_T("TimeoutStopSec", "10", "TimeoutStopUSec", 10000000);
        ANN_T("TimeoutStopSec", "uint64 3", "TimeoutStopUSec", 3000000);
        ANN_T("TimeoutStopSec", "double 1.5", "TimeoutStopUSec", 1500000);
        ANN_T("TimeoutStopSec", "1min 30s", "TimeoutStopUSec", 90000000);
        ANN_T("RuntimeMaxUSec", "5s", "RuntimeMaxUSec", 5000000);
        ANN_T("RuntimeMaxUSec", "250", "RuntimeMaxUSec", 250);
        ANN_T("RuntimeMaxUSec", "500ms", "RuntimeMaxUSec", 500000);
        ANN_T("RuntimeMaxUSec", "infinity", "RuntimeMaxUSec", UINT64_MAX);
        /* Typed GVariant forms. */
        ANN_T("TimeoutStopUSec", "uint64 123456789", "TimeoutStopUSec", 123456789);
        ANN_T("MemoryHigh", "@t 4096", "MemoryHigh", 4096);
        /* Sizes and counts. */
        ANN_T("MemoryHigh", "1G", "MemoryHigh", 1073741824ull);
        ANN_T("MemorySwapMax", "512K", "MemorySwapMax", 524288);
        ANN_T("TasksMax", "infinity", "TasksMax", UINT64_MAX);
        ANN_T("IOWeight", "200", "IOWeight", 200);
        ANN_T("CPUQuota", "50%", "CPUQuotaPerSecUSec", 500000);
        ANN_T("CPUQuota", "250%", "CPUQuotaPerSecUSec", 2500000);
        /* Booleans. */
        ANN_B("IOAccounting", "yes", true);
        ANN_B("Delegate", "false", false);
        ANN_B("SendSIGKILL", "off", false);
        ANN_B("DefaultDependencies", "1", true);
        ANN_B("Whatever", "true", true);
        /* Strings. */
        ANN_S("CollectMode", "inactive", "inactive");
        ANN_S("CollectMode", "'inactive-or-failed'", "inactive-or-failed");
        ANN_S("KillMode", "\"mixed\"", "mixed");
        ANN_S("Documentation", "@s 'a\\'b'", "a'b");
        {
                struct ur_prop p = ann_ok("AllowedCPUs", "0-1");
                assert_int_equal(p.type, UR_PROP_BYTES);
                assert_int_equal(p.n, 1);
                assert_int_equal(p.bytes[0], 0x03);
                prop_free(&p);
        }
        {
                struct ur_prop p = ann_ok("OOMScoreAdjust", "int32 -5");
                assert_int_equal(p.type, UR_PROP_I32);
                assert_int_equal(p.x, -5);
                prop_free(&p);
        }
        ann_bad("TimeoutStopSec", "soon");
        ann_bad("MemoryHigh", "lots");
        ann_bad("MemoryHigh", "1Q");
        ann_bad("Delegate", "maybe");
        ann_bad("CPUQuota", "50");
        ann_bad("TasksMax", "uint64 x");
        ann_bad("TasksMax", "int32 99999999999");
        ann_bad("PIDs", "1");
        ann_bad("lowercase", "1");
        ann_bad("AB", "1");
        ann_bad("Bad-Name", "1");
        ann_bad("AllowedCPUs", "3-1");
}

static void test_props_from_resources(void **state)
{
        struct ur_resources res;
        struct ur_props p = { 0 };
        const struct ur_prop *q;
        struct ur_err *err = NULL;

        ur_resources_init(&res);
        assert_int_equal(ur_resources_to_props(&res, false, &p, &err), 0);
        assert_int_equal(p.n, 0); /* nothing set, nothing sent */

        res.memory_limit = 256 << 20;
        res.memory_reservation = 128 << 20;
        res.cpu_quota = 150000;
        res.cpu_period = 100000;
        res.cpu_shares = 2;
        res.pids_limit = 64;
        res.cpu_cpus = strdup("1,3");
        res.cpu_mems = strdup("0");
        assert_int_equal(ur_resources_to_props(&res, false, &p, &err), 0);
        assert_non_null(q = ur_props_get(&p, "MemoryMax"));
        assert_true(q->t == 256u << 20);
        assert_non_null(q = ur_props_get(&p, "MemoryLow"));
        assert_true(q->t == 128u << 20);
        assert_non_null(q = ur_props_get(&p, "CPUQuotaPerSecUSec"));
        assert_int_equal(q->t, 1500000);
        assert_non_null(q = ur_props_get(&p, "CPUQuotaPeriodUSec"));
        assert_int_equal(q->t, 100000);
        assert_non_null(q = ur_props_get(&p, "CPUWeight"));
        assert_int_equal(q->t, 1);
        assert_non_null(q = ur_props_get(&p, "TasksMax"));
        assert_int_equal(q->t, 64);
        assert_non_null(q = ur_props_get(&p, "AllowedCPUs"));
        assert_int_equal(q->n, 1);
        assert_int_equal(q->bytes[0], 0x0a);
        assert_non_null(q = ur_props_get(&p, "AllowedMemoryNodes"));
        assert_int_equal(q->bytes[0], 0x01);
        ur_props_done(&p);

        /* Adding replaces. */
        assert_int_equal(ur_props_add_u64(&p, "TasksMax", 1), 0);
        assert_int_equal(ur_props_add_u64(&p, "TasksMax", 2), 0);
        assert_int_equal(p.n, 1);
        assert_int_equal(ur_props_get(&p, "TasksMax")->t, 2);
        ur_props_done(&p);

        free(res.cpu_cpus);
        res.cpu_cpus = strdup("x");
        assert_true(ur_resources_to_props(&res, false, &p, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "AllowedCPUs"));
        ur_err_free(&err);
        ur_props_done(&p);
        ur_resources_done(&res);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shares_to_weight),
                cmocka_unit_test(test_quota_per_sec),
                cmocka_unit_test(test_cpuset_mask),
                cmocka_unit_test(test_cpuset_count),
                cmocka_unit_test(test_cgroups_path_parse),
                cmocka_unit_test(test_slice_expand),
                cmocka_unit_test(test_escape),
                cmocka_unit_test(test_scope_target),
                cmocka_unit_test(test_annotations),
                cmocka_unit_test(test_props_from_resources),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
