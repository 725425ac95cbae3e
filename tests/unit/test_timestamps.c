/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <limits.h>
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

#include "util/fs.h"
#include "util/timestamps.h"

static void test_format(void **state)
{
        char buf[UR_TS_LINE_MAX];
        int n = ur_ts_format(buf, sizeof(buf), "web1", "create-cloned", 1767225600123456789ULL, 4242);

        assert_string_equal(buf, "web1 create-cloned 1767225600123456789 4242\n");
        assert_int_equal(n, (int) strlen(buf));
}

static void test_format_zero_and_missing_id(void **state)
{
        char buf[64];

        assert_true(ur_ts_format(buf, sizeof(buf), NULL, "kill-begin", 0, 1) > 0);
        assert_string_equal(buf, "- kill-begin 0 1\n");
        assert_true(ur_ts_format(buf, sizeof(buf), "", "x", 5, 7) > 0);
        assert_string_equal(buf, "- x 5 7\n");
}

static void test_format_sanitizes(void **state)
{
        char buf[64];

        /* Whitespace or control bytes would make a second field or line. */
        assert_true(ur_ts_format(buf, sizeof(buf), "a b\nc", "ph\tase", 1, 2) > 0);
        assert_string_equal(buf, "a_b_c ph_ase 1 2\n");
}

static void test_format_too_small(void **state)
{
        char buf[16];

        assert_int_equal(ur_ts_format(buf, sizeof(buf), "0123456789abcdef", "p", 1, 2), -1);
        assert_int_equal(ur_ts_format(buf, sizeof(buf), "id", "phase", UINT64_MAX, 2), -1);
        assert_int_equal(ur_ts_format(buf, 0, "id", "phase", 1, 2), -1);
        /* Exactly fitting: "ab c 1 2\n" is 9 bytes + NUL. */
        assert_int_equal(ur_ts_format(buf, 10, "ab", "c", 1, 2), 9);
        assert_int_equal(ur_ts_format(buf, 9, "ab", "c", 1, 2), -1);
}

static void test_format_longest_id(void **state)
{
        char id[1025], buf[UR_TS_LINE_MAX];

        memset(id, 'x', 1024);
        id[1024] = '\0';
        assert_true(ur_ts_format(buf, sizeof(buf), id, "create-end", UINT64_MAX, INT_MAX) > 0);
}

static void test_record(void **state)
{
        char tmpl[] = "/tmp/ur-ts-XXXXXX", path[PATH_MAX];
        char *text = NULL;
        size_t len;
        char id[64], phase[64];
        unsigned long long ns;
        long pid;

        assert_non_null(mkdtemp(tmpl));
        /* The parent directory is made when missing. */
        snprintf(path, sizeof(path), "%s/sub/ts.log", tmpl);

        ur_ts_configure(false, path);
        ur_ts_mark("c1", "off");
        assert_int_equal(access(path, F_OK), -1);

        ur_ts_configure(true, path);
        assert_true(ur_ts_enabled);
        ur_ts_mark("c1", "create-start");
        ur_ts_mark("c1", "create-end");
        assert_int_equal(ur_read_file(path, 4096, &text, &len, NULL), 0);
        assert_int_equal(sscanf(text, "%63s %63s %llu %ld\n", id, phase, &ns, &pid), 4);
        assert_string_equal(id, "c1");
        assert_string_equal(phase, "create-start");
        assert_true(ns > 1500000000ULL * 1000000000ULL);
        assert_int_equal(pid, (long) getpid());
        assert_non_null(strstr(text, "\nc1 create-end "));
        free(text);

        /* An unwritable destination disables them, without failing. */
        ur_ts_configure(true, "/proc/ur-ts-nonexistent/x");
        ur_ts_mark("c1", "lost");
        assert_false(ur_ts_enabled);
        ur_ts_configure(false, NULL);

        unlink(path);
        snprintf(path, sizeof(path), "%s/sub", tmpl);
        rmdir(path);
        rmdir(tmpl);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format),
                cmocka_unit_test(test_format_zero_and_missing_id),
                cmocka_unit_test(test_format_sanitizes),
                cmocka_unit_test(test_format_too_small),
                cmocka_unit_test(test_format_longest_id),
                cmocka_unit_test(test_record),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
