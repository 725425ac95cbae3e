/* SPDX-License-Identifier: Apache-2.0 */
/* The one-of-each helpers of src/util: clocks, booleans, path joining. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "config/config.h"
#include "oci/spec.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/parse.h"
#include "util/time.h"
#include "vm/desc.h"
#include "vm/plan.h"

static void test_clock(void **state)
{
        uint64_t a = ur_clock_ns(CLOCK_MONOTONIC), b;
        struct timespec pause = {.tv_nsec = 2000000};
        long long ms0 = ur_now_ms();
        uint64_t us0 = ur_now_usec();
        time_t wall = time(NULL);
        uint64_t real = ur_clock_ns(CLOCK_REALTIME) / 1000000000u;

        nanosleep(&pause, NULL);
        b = ur_clock_ns(CLOCK_MONOTONIC);
        /* At least the 2 ms slept, and the three units agree. */
        assert_true(b - a >= 2000000u);
        assert_true(ur_now_usec() - us0 >= 2000u);
        assert_true(ur_now_ms() - ms0 >= 2);
        assert_true(ur_now_usec() / 1000u >= (uint64_t) ur_now_ms() - 1);
        assert_true(real + 1 >= (uint64_t) wall && real <= (uint64_t) wall + 1);
        assert_true(ur_clock_ns(CLOCK_MONOTONIC_RAW) > 0);
        /* A clock that does not exist reads 0 rather than garbage. */
        assert_int_equal(ur_clock_ns((clockid_t) 4242), 0);
        assert_int_equal(UR_DEFAULT_TIMEOUT_USEC, UR_DEFAULT_TIMEOUT_SEC * 1000000ull);
}

/* form: the first form that takes s (-1: none does), value: its value. */
static void bool_case(const char *s, int form, bool value)
{
        for (int f = UR_BOOL_STRICT; f <= UR_BOOL_SYSTEMD; f++) {
                bool b = !value;
                int r = ur_parse_bool(s, (enum ur_bool_form) f, &b);

                if (form >= 0 && f >= form) {
                        if (r != 0 || b != value)
                                fail_msg("'%s' in form %d: r %d, %d (want %d)", s, f, r, b, value);
                } else {
                        if (r != -EINVAL || b != !value)
                                fail_msg("'%s' in form %d: accepted (r %d)", s, f, r);
                }
        }
}

static void test_bool(void **state)
{
        bool b = true;

        bool_case("true", UR_BOOL_STRICT, true);
        bool_case("false", UR_BOOL_STRICT, false);
        bool_case("TRUE", UR_BOOL_NUMERIC, true);
        bool_case("False", UR_BOOL_NUMERIC, false);
        bool_case("1", UR_BOOL_NUMERIC, true);
        bool_case("0", UR_BOOL_NUMERIC, false);
        bool_case("yes", UR_BOOL_SYSTEMD, true);
        bool_case("NO", UR_BOOL_SYSTEMD, false);
        bool_case("y", UR_BOOL_SYSTEMD, true);
        bool_case("N", UR_BOOL_SYSTEMD, false);
        bool_case("t", UR_BOOL_SYSTEMD, true);
        bool_case("F", UR_BOOL_SYSTEMD, false);
        bool_case("On", UR_BOOL_SYSTEMD, true);
        bool_case("off", UR_BOOL_SYSTEMD, false);
        /* Nothing takes these. */
        bool_case("", -1, true);
        bool_case(" true", -1, true);
        bool_case("true ", -1, true);
        bool_case("truex", -1, true);
        bool_case("2", -1, true);
        bool_case("01", -1, true);
        bool_case("-1", -1, true);
        bool_case("enable", -1, true);
        bool_case("nope", -1, false);
        assert_int_equal(ur_parse_bool(NULL, UR_BOOL_SYSTEMD, &b), -EINVAL);
        assert_true(b);
}

/* The callers name the key and the value. */
static void test_bool_callers(void **state)
{
        struct ur_kv kv = {.key = (char *) UR_ANNOT_REGISTER_MACHINE, .value = (char *) "yes"};
        struct ur_spec spec = {.annotations = &kv, .n_annotations = 1};
        struct ur_plan p;
        struct ur_err *err = NULL;

        ur_plan_init(&p);
        assert_true(ur_plan_systemd_wishes(NULL, &spec, &p, &err) < 0);
        assert_string_equal(
                ur_err_msg(err),
                "annotation 'com.urunc.register-machine': unknown value 'yes' (expected true or false)");
        ur_err_free(&err);
        kv.value = (char *) "true";
        assert_int_equal(ur_plan_systemd_wishes(NULL, &spec, &p, &err), 0);
        assert_true(p.register_machine);
        kv.value = (char *) "false";
        assert_int_equal(ur_plan_systemd_wishes(NULL, &spec, &p, &err), 0);
        assert_false(p.register_machine);
        ur_plan_done(&p);
}

#define JOIN(want, ...)                                                                                      \
        do {                                                                                                 \
                _cleanup_free_ char *_j = ur_path_join(__VA_ARGS__);                                         \
                assert_non_null(_j);                                                                         \
                assert_string_equal(_j, want);                                                               \
        } while (0)

static void test_path_join(void **state)
{
        JOIN("/run/urunc/id", "/run/urunc", "id");
        JOIN("/run/urunc/id", "/run/urunc/", "/id");
        JOIN("/run/urunc/id", "/run/urunc//", "//id");
        JOIN("/x", "/", "x");
        JOIN("/x", "//", "x");
        JOIN("a/b", "a", "b");
        JOIN("a/b/", "a", "b/");
        JOIN("/sys/fs/cgroup/unified/cgroup.controllers", "/sys/fs/cgroup", "unified", "cgroup.controllers");
        /* NULL and "" are left out (the v2 hierarchy is ""). */
        JOIN("/sys/fs/cgroup/a", "/sys/fs/cgroup", "", "a");
        JOIN("/sys/fs/cgroup/a", "/sys/fs/cgroup", NULL, "/a");
        JOIN("/sys/fs/cgroup", "/sys/fs/cgroup", "", NULL);
        JOIN("/a", "", "/a");
        JOIN("/a", NULL, "/a");
        JOIN("", "", NULL);
        /* Slashes only add nothing after the first component. */
        JOIN("/root", "/root", "/");
        JOIN("/root/b", "/root", "/", "b");
        JOIN("/", "/");
        JOIN("/", "/", "/");
        JOIN("rel", "rel");
        /* Dots are not interpreted. */
        JOIN("a/../b", "a", "../b");
        JOIN("a/./b", "a/.", "b");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clock),
                cmocka_unit_test(test_bool),
                cmocka_unit_test(test_bool_callers),
                cmocka_unit_test(test_path_join),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
