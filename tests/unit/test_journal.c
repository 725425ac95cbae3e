/* SPDX-License-Identifier: Apache-2.0 */
/* The fields of a journal entry (no journald needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cmocka.h>

#include "cgroup/cgroup.h"
#include "systemd/journal.h"
#include "util/strv.h"

static void test_fields_with_container(void **state)
{
        char **v = ur_journal_fields(LOG_INFO, "web-1", NULL, "created\nsecond line");
        char *scope = ur_scope_name("web-1");

        assert_non_null(v);
        assert_string_equal(v[0], "MESSAGE=created\nsecond line");
        assert_string_equal(v[1], "PRIORITY=6");
        assert_string_equal(v[2], "SYSLOG_IDENTIFIER=urunc");
        assert_string_equal(v[3], "URUNC_CONTAINER_ID=web-1");
        /* Same escaping as the scope itself, so journalctl -u finds it. */
        assert_string_equal(v[4], "OBJECT_SYSTEMD_UNIT=urunc-web\\x2d1.scope");
        assert_string_equal(v[4] + strlen("OBJECT_SYSTEMD_UNIT="), scope);
        assert_null(v[5]);
        assert_false(ur_strv_contains(v, "UNIT=urunc-web\\x2d1.scope"));
        ur_strv_free(v);
        free(scope);
}

static void test_fields_with_unit(void **state)
{
        char **v = ur_journal_fields(LOG_ERR, "abc", "libpod-abc.scope", "boom");

        assert_string_equal(v[1], "PRIORITY=3");
        assert_string_equal(v[4], "OBJECT_SYSTEMD_UNIT=libpod-abc.scope");
        ur_strv_free(v);
}

static void test_fields_without_container(void **state)
{
        char **v = ur_journal_fields(LOG_DEBUG | LOG_DAEMON, NULL, NULL, NULL);

        assert_string_equal(v[0], "MESSAGE=");
        assert_string_equal(v[1], "PRIORITY=7");
        assert_string_equal(v[2], "SYSLOG_IDENTIFIER=urunc");
        assert_null(v[3]);
        ur_strv_free(v);
}

static void test_log_without_journald(void **state)
{
        /* Must neither crash nor block where journald is missing. */
        ur_journal_set_unit("abc", "libpod-abc.scope");
        ur_journal_log(LOG_INFO, "abc", "hello");
        ur_journal_set_unit("abc", NULL);
        ur_journal_log(LOG_INFO, NULL, "hello");
        (void) ur_journal_available();
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fields_with_container),
                cmocka_unit_test(test_fields_with_unit),
                cmocka_unit_test(test_fields_without_container),
                cmocka_unit_test(test_log_without_journald),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
