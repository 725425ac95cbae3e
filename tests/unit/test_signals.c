/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "util/signals.h"

static void parse_ok(const char *s, int want)
{
        struct ur_err *err = NULL;
        int sig = -1;

        assert_int_equal(ur_signal_parse(s, &sig, &err), 0);
        assert_null(err);
        assert_int_equal(sig, want);
}

static void parse_bad(const char *s, const char *msg_part)
{
        struct ur_err *err = NULL;
        int sig = -1;

        assert_true(ur_signal_parse(s, &sig, &err) < 0);
        assert_non_null(err);
        assert_non_null(strstr(ur_err_msg(err), msg_part));
        assert_int_equal(sig, -1);
        ur_err_free(&err);
}

static void test_names(void **state)
{
        parse_ok("TERM", SIGTERM);
        parse_ok("SIGTERM", SIGTERM);
        parse_ok("sigkill", SIGKILL);
        parse_ok("KILL", SIGKILL);
        parse_ok("hup", SIGHUP);
        parse_ok("USR1", SIGUSR1);
        parse_ok("SIGWINCH", SIGWINCH);
        parse_ok("RTMIN", SIGRTMIN);
        parse_ok("RTMIN+2", SIGRTMIN + 2);
        parse_ok("SIGRTMAX-1", SIGRTMAX - 1);
}

static void test_numbers(void **state)
{
        parse_ok("9", SIGKILL);
        parse_ok("15", SIGTERM);
        parse_ok("1", SIGHUP);
}

static void test_bad(void **state)
{
        parse_bad("", "invalid signal");
        parse_bad("0", "invalid signal '0'");
        parse_bad("999", "invalid signal '999'");
        parse_bad("15x", "invalid signal '15x'");
        parse_bad("TERMINATE", "unknown signal 'TERMINATE'");
        parse_bad("SIG", "unknown signal 'SIG'");
        parse_bad("RTMIN-1", "invalid signal 'RTMIN-1'");
        parse_bad("RTMAX+1", "invalid signal 'RTMAX+1'");
}

static void test_names_back(void **state)
{
        assert_string_equal(ur_signal_name(SIGTERM), "TERM");
        assert_string_equal(ur_signal_name(SIGKILL), "KILL");
        assert_string_equal(ur_signal_name(SIGRTMIN + 3), "?");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_numbers),
                cmocka_unit_test(test_bad),
                cmocka_unit_test(test_names_back),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
