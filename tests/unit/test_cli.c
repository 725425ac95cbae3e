/* SPDX-License-Identifier: Apache-2.0 */
/* The runc-style option parser, with the exact argv containerd and podman send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"

struct create_opts {
        const char *bundle, *pid_file, *console;
        bool no_pivot, no_new_keyring;
        int preserve;
};

static int parse_create(int argc, char **argv, struct create_opts *o, char ***args, int *nargs,
                        struct ur_err **err)
{
        const struct cli_opt opts[] = {
                { "bundle", 'b', CLI_STRING, &o->bundle },
                { "pid-file", 0, CLI_STRING, &o->pid_file },
                { "console-socket", 0, CLI_STRING, &o->console },
                { "no-pivot", 0, CLI_FLAG, &o->no_pivot },
                { "no-new-keyring", 0, CLI_FLAG, &o->no_new_keyring },
                { "preserve-fds", 0, CLI_INT, &o->preserve },
                { NULL, 0, 0, NULL },
        };
        return cli_parse(argc, argv, opts, args, nargs, err);
}

static void test_containerd_create(void **state)
{
        char *argv[] = { "create", "--bundle", "/run/containerd/b", "--pid-file", "/run/containerd/b/init.pid",
                         "--console-socket", "/tmp/pty.sock", "--no-pivot", "--no-new-keyring", "ctr-id", NULL };
        struct create_opts o = { 0 };
        char **args = NULL;
        int nargs = 0;
        struct ur_err *err = NULL;

        assert_int_equal(parse_create(10, argv, &o, &args, &nargs, &err), 0);
        assert_string_equal(o.bundle, "/run/containerd/b");
        assert_string_equal(o.pid_file, "/run/containerd/b/init.pid");
        assert_string_equal(o.console, "/tmp/pty.sock");
        assert_true(o.no_pivot);
        assert_true(o.no_new_keyring);
        assert_int_equal(nargs, 1);
        assert_string_equal(args[0], "ctr-id");
        free(args);
}

static void test_forms(void **state)
{
        /* --x=v, -x v (Go-style single dash), -b short, options after the id, bool=false. */
        char *argv[] = { "create", "-bundle=/b1", "id1", "--preserve-fds", "3", "-no-pivot=false", NULL };
        struct create_opts o = { .no_pivot = true };
        char **args = NULL;
        int nargs = 0;
        struct ur_err *err = NULL;

        assert_int_equal(parse_create(6, argv, &o, &args, &nargs, &err), 0);
        assert_string_equal(o.bundle, "/b1");
        assert_int_equal(o.preserve, 3);
        assert_false(o.no_pivot);
        assert_int_equal(nargs, 1);
        assert_string_equal(args[0], "id1");
        free(args);

        char *argv2[] = { "create", "-b", "/b2", "--", "--weird-id", NULL };
        assert_int_equal(parse_create(5, argv2, &o, &args, &nargs, &err), 0);
        assert_string_equal(o.bundle, "/b2");
        assert_int_equal(nargs, 1);
        assert_string_equal(args[0], "--weird-id");
        free(args);
}

static void test_errors(void **state)
{
        struct create_opts o = { 0 };
        char **args = NULL;
        int nargs = 0;
        struct ur_err *err = NULL;

        char *unknown[] = { "create", "--bundel", "/b", "id", NULL };
        assert_true(parse_create(4, unknown, &o, &args, &nargs, &err) < 0);
        assert_string_equal(ur_err_msg(err), "create: unknown option '--bundel'");
        ur_err_free(&err);

        char *novalue[] = { "create", "id", "--pid-file", NULL };
        assert_true(parse_create(3, novalue, &o, &args, &nargs, &err) < 0);
        assert_string_equal(ur_err_msg(err), "create: option '--pid-file' needs a value");
        ur_err_free(&err);

        char *badint[] = { "create", "--preserve-fds", "many", "id", NULL };
        assert_true(parse_create(4, badint, &o, &args, &nargs, &err) < 0);
        assert_string_equal(ur_err_msg(err), "invalid value 'many' for --preserve-fds (a number)");
        ur_err_free(&err);

        char *badbool[] = { "create", "--no-pivot=maybe", "id", NULL };
        assert_true(parse_create(3, badbool, &o, &args, &nargs, &err) < 0);
        assert_string_equal(ur_err_msg(err), "invalid value 'maybe' for flag --no-pivot (true or false)");
        ur_err_free(&err);
}

static void test_kill_all(void **state)
{
        bool all = false;
        const struct cli_opt opts[] = { { "all", 'a', CLI_FLAG, &all }, { NULL, 0, 0, NULL } };
        char *argv[] = { "kill", "--all", "id", "9", NULL };
        char **args = NULL;
        int nargs = 0;
        struct ur_err *err = NULL;

        assert_int_equal(cli_parse(4, argv, opts, &args, &nargs, &err), 0);
        assert_true(all);
        assert_int_equal(nargs, 2);
        assert_string_equal(args[1], "9");
        free(args);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_containerd_create),
                cmocka_unit_test(test_forms),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_kill_all),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
