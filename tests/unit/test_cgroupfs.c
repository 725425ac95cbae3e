/* SPDX-License-Identifier: Apache-2.0 */
/*
 * src/cgroup/cgroupfs.c against the fake cgroup filesystem of
 * fake-cgroupfs.c (a tree in a temporary directory that acts like the
 * kernel's): v2, v1 (legacy) and hybrid layouts.
 */
#include <errno.h>
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

#include "cgroup/cgroupfs.h"
#include "fake-cgroupfs.h"
#include "util/error.h"
#include "util/fs.h"

static char root[64];

static int setup(void **state)
{
        strcpy(root, "/tmp/urunc-cgfs-XXXXXX");
        assert_non_null(mkdtemp(root));
        return 0;
}

static int teardown(void **state)
{
        struct ur_err *err = NULL;
        ur_rm_rf(root, &err);
        ur_err_free(&err);
        return 0;
}

static void put(const char *rel, const char *content)
{
        char p[512];
        FILE *f;

        snprintf(p, sizeof(p), "%s/%s", root, rel);
        f = fopen(p, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static void dir(const char *rel)
{
        char p[512];
        struct ur_err *err = NULL;

        snprintf(p, sizeof(p), "%s/%s", root, rel);
        assert_int_equal(ur_mkdir_p(p, 0755, &err), 0);
}

static int has(const char *rel)
{
        char p[512];

        snprintf(p, sizeof(p), "%s/%s", root, rel);
        return access(p, F_OK) == 0;
}

/* Content without the trailing newline. */
static void is(const char *rel, const char *want)
{
        char p[512], *s = NULL;
        size_t n = 0;
        struct ur_err *err = NULL;

        snprintf(p, sizeof(p), "%s/%s", root, rel);
        if (ur_read_file(p, 4096, &s, &n, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        while (n && s[n - 1] == '\n')
                s[--n] = 0;
        if (strcmp(s, want) != 0)
                fail_msg("%s: '%s', expected '%s'", rel, s, want);
        free(s);
}

static const char *at(const char *rel)
{
        static char p[512];

        snprintf(p, sizeof(p), "%s/%s", root, rel);
        return p;
}

static void fill(struct ur_resources *res)
{
        ur_resources_init(res);
        res->memory_limit = 1073741824;
        res->cpu_quota = 50000;
        res->cpu_period = 100000;
        res->cpu_shares = 1024;
        res->pids_limit = 100;
        res->cpu_cpus = strdup("1");
}

static void test_layout(void **state)
{
        struct ur_cgfs fs;
        struct ur_err *err = NULL;

        assert_int_equal(ur_cgfs_open(root, &fake_cgfs_io, &fs, &err), 0);
        assert_int_equal(fs.layout, UR_CGFS_LEGACY);
        dir("unified");
        put("unified/cgroup.controllers", "");
        assert_int_equal(ur_cgfs_open(root, &fake_cgfs_io, &fs, &err), 0);
        assert_int_equal(fs.layout, UR_CGFS_HYBRID);
        put("cgroup.controllers", "cpu memory");
        assert_int_equal(ur_cgfs_open(root, &fake_cgfs_io, &fs, &err), 0);
        assert_int_equal(fs.layout, UR_CGFS_UNIFIED);
        assert_true(ur_cgfs_open("/nonexistent/cg", NULL, &fs, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "/nonexistent/cg"));
        ur_err_free(&err);
}

static void test_v2(void **state)
{
        struct ur_cgfs fs;
        struct ur_resources res;
        pid_t *pids = NULL;
        size_t n = 0;
        struct ur_err *err = NULL;

        fake_cgfs_v2_root(root, "cpuset cpu io memory hugetlb pids rdma misc");
        fill(&res);
        res.memory_swap = res.memory_limit + (512 << 20); /* OCI: memory + swap */
        assert_int_equal(ur_cgfs_open(root, &fake_cgfs_io, &fs, &err), 0);
        if (ur_cgfs_enter(&fs, "/urunc/c1", &res, 1234, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        is("urunc/c1/memory.swap.max", "536870912");
        /* The four controllers urunc uses, in the kernel's order; io and
         * the others stay off. */
        is("cgroup.subtree_control", "cpuset cpu memory pids");
        is("urunc/cgroup.controllers", "cpuset cpu memory pids");
        is("urunc/cgroup.subtree_control", "cpuset cpu memory pids");
        is("urunc/c1/cgroup.controllers", "cpuset cpu memory pids");
        is("urunc/c1/memory.max", "1073741824");
        is("urunc/c1/memory.low", "0"); /* not set, not written */
        is("urunc/c1/cpu.max", "50000 100000");
        is("urunc/c1/cpu.weight", "39");
        is("urunc/c1/pids.max", "100");
        is("urunc/c1/cpuset.cpus", "1");
        is("urunc/c1/cpuset.mems", "");
        is("urunc/c1/cgroup.subtree_control", ""); /* leaf: no internal-process trouble */
        is("urunc/c1/cgroup.procs", "1234");
        is("urunc/cgroup.procs", "");

        assert_int_equal(ur_cgfs_pids(&fs, "/urunc/c1", &pids, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(pids[0], 1234);
        free(pids);

        assert_int_equal(ur_cgfs_is_frozen(&fs, "/urunc/c1", &err), 0);
        assert_int_equal(ur_cgfs_freeze(&fs, "/urunc/c1", true, 1000000, &err), 0);
        is("urunc/c1/cgroup.freeze", "1");
        is("urunc/c1/cgroup.events", "populated 1\nfrozen 1");
        assert_int_equal(ur_cgfs_is_frozen(&fs, "/urunc/c1", &err), 1);
        assert_int_equal(ur_cgfs_freeze(&fs, "/urunc/c1", false, 1000000, &err), 0);
        assert_int_equal(ur_cgfs_is_frozen(&fs, "/urunc/c1", &err), 0);

        /* update: only what is set is written */
        ur_resources_done(&res);
        ur_resources_init(&res);
        res.cpu_period = 20000;
        res.memory_swap = -1;
        assert_int_equal(ur_cgfs_apply(&fs, "/urunc/c1", &res, &err), 0);
        is("urunc/c1/cpu.max", "max 20000");
        is("urunc/c1/memory.swap.max", "max");
        is("urunc/c1/memory.max", "1073741824");

        /* A process inside: rmdir says EBUSY until the bound. */
        assert_true(ur_cgfs_destroy(&fs, "/urunc/c1", 50000, &err) < 0);
        assert_int_equal(err->errnum, EBUSY);
        assert_non_null(strstr(ur_err_msg(err), "urunc/c1"));
        ur_err_free(&err);
        assert_true(has("urunc/c1"));
        /* The process exits. */
        put("urunc/c1/cgroup.procs", "");
        assert_int_equal(ur_cgfs_destroy(&fs, "/urunc/c1", 1000000, &err), 0);
        assert_false(has("urunc/c1"));
        assert_true(has("urunc"));
        /* Idempotent. */
        assert_int_equal(ur_cgfs_destroy(&fs, "/urunc/c1", 1000000, &err), 0);
        assert_true(ur_cgfs_destroy(&fs, "/", 1000000, &err) < 0);
        ur_err_free(&err);
        ur_resources_done(&res);
}

static void test_v2_missing_controller(void **state)
{
        struct ur_cgfs fs;
        struct ur_resources res;
        struct ur_err *err = NULL;

        fake_cgfs_v2_root(root, "cpu pids");
        fill(&res);
        free(res.cpu_cpus);
        res.cpu_cpus = NULL;
        assert_int_equal(ur_cgfs_open(root, &fake_cgfs_io, &fs, &err), 0);
        assert_true(ur_cgfs_enter(&fs, "/a/b", &res, 1, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "'memory' is not available"));
        assert_non_null(strstr(ur_err_msg(err), "/a/b"));
        ur_err_free(&err);
        /* Nothing left behind. */
        assert_false(has("a"));
        ur_resources_done(&res);
}

/* v2: the cgroup made and limited without a process (for clone3
 * CLONE_INTO_CGROUP), its directory fd returned; the pid written later
 * only when the clone could not place it. */
static void test_v2_prepare(void **state)
{
        struct ur_cgfs fs;
        struct ur_resources res;
        struct stat a, b;
        char p[512];
        struct ur_err *err = NULL;
        int fd = -1;

        fake_cgfs_v2_root(root, "cpuset cpu io memory hugetlb pids rdma misc");
        fill(&res);
        assert_int_equal(ur_cgfs_open(root, &fake_cgfs_io, &fs, &err), 0);
        if (ur_cgfs_prepare(&fs, "/urunc/c2", &res, &fd, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        assert_true(fd >= 0);
        snprintf(p, sizeof(p), "%s/urunc/c2", root);
        assert_int_equal(fstat(fd, &a), 0);
        assert_int_equal(stat(p, &b), 0);
        assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
        close(fd);
        is("urunc/c2/memory.max", "1073741824");
        is("urunc/c2/pids.max", "100");
        is("urunc/c2/cgroup.procs", ""); /* no process moved */
        assert_int_equal(ur_cgfs_add_pid(&fs, "/urunc/c2", 4321, &err), 0);
        is("urunc/c2/cgroup.procs", "4321");
        put("urunc/c2/cgroup.procs", ""); /* the process exits */
        assert_int_equal(ur_cgfs_destroy(&fs, "/urunc/c2", 1000000, &err), 0);
        assert_false(has("urunc/c2"));

        /* A refused limit leaves nothing. */
        fake_cgfs_v2_root(root, "cpu pids");
        assert_true(ur_cgfs_prepare(&fs, "/x/y", &res, &fd, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "'memory' is not available"));
        ur_err_free(&err);
        assert_false(has("x"));
        ur_resources_done(&res);
}

static void v1_tree(void)
{
        static const char *const c[] = { "memory", "cpu", "cpuacct", "pids", "cpuset", "freezer", "systemd" };

        for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
                fake_cgfs_v1_root(at(c[i]), c[i]);
}

/* v1 has no CLONE_INTO_CGROUP: prepare refuses, makes nothing. */
static void test_v1_prepare_refused(void **state)
{
        struct ur_cgfs fs;
        struct ur_resources res;
        struct ur_err *err = NULL;
        int fd = -1;

        v1_tree();
        ur_resources_init(&res);
        assert_int_equal(ur_cgfs_open(root, &fake_cgfs_io, &fs, &err), 0);
        assert_true(ur_cgfs_prepare(&fs, "/urunc/c3", &res, &fd, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "not a cgroup v2 hierarchy"));
        assert_int_equal(fd, -1);
        assert_false(has("memory/urunc"));
        ur_err_free(&err);
        ur_resources_done(&res);
}

static void test_v1(void **state)
{
        struct ur_cgfs fs;
        struct ur_resources res;
        pid_t *pids = NULL;
        size_t n = 0;
        struct ur_err *err = NULL;

        v1_tree();
        fill(&res);
        res.memory_reservation = 4096;
        res.memory_swap = 2147483648;
        assert_int_equal(ur_cgfs_open(root, &fake_cgfs_io, &fs, &err), 0);
        assert_int_equal(fs.layout, UR_CGFS_LEGACY);
        if (ur_cgfs_enter(&fs, "/k/c1", &res, 77, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        is("memory/k/c1/memory.limit_in_bytes", "1073741824");
        is("memory/k/c1/memory.memsw.limit_in_bytes", "2147483648");
        is("memory/k/c1/memory.soft_limit_in_bytes", "4096");
        is("cpu/k/c1/cpu.cfs_period_us", "100000");
        is("cpu/k/c1/cpu.cfs_quota_us", "50000");
        is("cpu/k/c1/cpu.shares", "1024");
        is("pids/k/c1/pids.max", "100");
        /* cpuset: ancestors inherit, so that tasks can join. */
        is("cpuset/k/cpuset.cpus", "0-3");
        is("cpuset/k/cpuset.mems", "0");
        is("cpuset/k/c1/cpuset.mems", "0");
        is("cpuset/k/c1/cpuset.cpus", "1");
        static const char *const procs[] = { "memory", "cpu", "cpuacct", "pids", "cpuset", "freezer" };
        for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
                char p[64];
                snprintf(p, sizeof(p), "%s/k/c1/cgroup.procs", procs[i]);
                is(p, "77");
        }
        assert_false(has("systemd/k")); /* name=systemd is systemd's */

        assert_int_equal(ur_cgfs_pids(&fs, "/k/c1", &pids, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(pids[0], 77);
        free(pids);

        assert_int_equal(ur_cgfs_freeze(&fs, "/k/c1", true, 1000000, &err), 0);
        is("freezer/k/c1/freezer.state", "FROZEN");
        assert_int_equal(ur_cgfs_is_frozen(&fs, "/k/c1", &err), 1);

        /* Destroy thaws first (a frozen task cannot die), then waits for
         * the process to leave: here it stays, past the bound. */
        assert_true(ur_cgfs_destroy(&fs, "/k/c1", 50000, &err) < 0);
        assert_int_equal(err->errnum, EBUSY);
        ur_err_free(&err);
        is("freezer/k/c1/freezer.state", "THAWED");
        /* The process exits: the leaf goes everywhere. */
        for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
                char p[64];
                snprintf(p, sizeof(p), "%s/k/c1/cgroup.procs", procs[i]);
                put(p, "");
        }
        assert_int_equal(ur_cgfs_destroy(&fs, "/k/c1", 1000000, &err), 0);
        for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
                char p[64];
                snprintf(p, sizeof(p), "%s/k/c1", procs[i]);
                assert_false(has(p));
        }
        assert_true(has("memory/k"));
        ur_resources_done(&res);
}

/* A value refused in a later controller (cpuset here) leaves nothing in the
 * earlier ones: the process goes in only once every value is written. */
static void test_v1_refused_value(void **state)
{
        struct ur_cgfs fs;
        struct ur_resources res;
        struct ur_err *err = NULL;

        v1_tree();
        fill(&res);
        dir("cpuset/k/c2/cpuset.cpus"); /* a directory: writing it fails */
        assert_int_equal(ur_cgfs_open(root, &fake_cgfs_io, &fs, &err), 0);
        assert_true(ur_cgfs_enter(&fs, "/k/c2", &res, 88, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "cpuset.cpus"));
        ur_err_free(&err);
        static const char *const made[] = { "memory/k/c2", "cpu/k/c2", "cpuacct/k/c2", "pids/k/c2" };
        for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
                if (has(made[i]))
                        fail_msg("'%s' left behind", made[i]);
        is("memory/cgroup.procs", ""); /* never entered, so never moved back */
        ur_resources_done(&res);
}

static void test_v1_missing_controller(void **state)
{
        struct ur_cgfs fs;
        struct ur_resources res;
        struct ur_err *err = NULL;

        fake_cgfs_v1_root(at("cpu"), "cpu");
        fake_cgfs_v1_root(at("freezer"), "freezer");
        ur_resources_init(&res);
        res.pids_limit = 5;
        assert_int_equal(ur_cgfs_open(root, &fake_cgfs_io, &fs, &err), 0);
        assert_true(ur_cgfs_enter(&fs, "/x", &res, 1, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "'pids' is not mounted"));
        ur_err_free(&err);
        assert_false(has("cpu/x"));
        assert_false(has("freezer/x"));

        /* Without limits the missing ones are skipped. */
        res.pids_limit = -1;
        assert_int_equal(ur_cgfs_enter(&fs, "/x", &res, 1, &err), 0);
        is("cpu/x/cgroup.procs", "1");
        ur_resources_done(&res);
}

static void test_hybrid_freezer_join(void **state)
{
        struct ur_cgfs fs;
        struct ur_err *err = NULL;

        v1_tree();
        dir("unified/urunc.slice/u.scope");
        put("unified/cgroup.controllers", "");
        put("unified/urunc.slice/u.scope/cgroup.procs", "11\n12\n");
        assert_int_equal(ur_cgfs_open(root, &fake_cgfs_io, &fs, &err), 0);
        assert_int_equal(fs.layout, UR_CGFS_HYBRID);
        assert_int_equal(ur_cgfs_is_frozen(&fs, "/urunc.slice/u.scope", &err), 0);
        if (ur_cgfs_freezer_join(&fs, "/urunc.slice/u.scope", &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        assert_true(has("freezer/urunc.slice/u.scope"));
        is("freezer/urunc.slice/u.scope/cgroup.procs", "11\n12");
        assert_int_equal(ur_cgfs_freeze(&fs, "/urunc.slice/u.scope", true, 1000000, &err), 0);
        assert_int_equal(ur_cgfs_is_frozen(&fs, "/urunc.slice/u.scope", &err), 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
                cmocka_unit_test_setup_teardown(test_v2, setup, teardown),
                cmocka_unit_test_setup_teardown(test_v2_missing_controller, setup, teardown),
                cmocka_unit_test_setup_teardown(test_v2_prepare, setup, teardown),
                cmocka_unit_test_setup_teardown(test_v1_prepare_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_v1, setup, teardown),
                cmocka_unit_test_setup_teardown(test_v1_refused_value, setup, teardown),
                cmocka_unit_test_setup_teardown(test_v1_missing_controller, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hybrid_freezer_join, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
