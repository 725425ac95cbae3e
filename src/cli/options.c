/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strv.h"

static const struct cli_opt *find_long(const struct cli_opt *opts, const char *name, size_t len)
{
        for (const struct cli_opt *o = opts; o && o->name; o++)
                if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
                        return o;
        return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *opts, char c)
{
        for (const struct cli_opt *o = opts; o && o->name; o++)
                if (o->short_name && o->short_name == c)
                        return o;
        return NULL;
}

static int set_value(const struct cli_opt *o, const char *value, struct ur_err **err)
{
        char *end;
        long n;

        switch (o->kind) {
        case CLI_FLAG:
                if (!value)
                        *(bool *) o->target = true;
                else if (ur_parse_bool(value, UR_BOOL_NUMERIC, (bool *) o->target) < 0)
                        return ur_err_set(err, 0, "invalid value '%s' for flag --%s (true or false)", value, o->name);
                return 0;
        case CLI_STRING:
                *(const char **) o->target = value;
                return 0;
        case CLI_INT:
                errno = 0;
                n = strtol(value, &end, 10);
                if (errno || *end || !*value || n < 0 || n > 1 << 20)
                        return ur_err_set(err, 0, "invalid value '%s' for --%s (a number)", value, o->name);
                *(int *) o->target = (int) n;
                return 0;
        }
        return 0;
}

int cli_parse(int argc, char **argv, const struct cli_opt *opts, char ***ret_args, int *ret_nargs,
              struct ur_err **err)
{
        _cleanup_free_ char **args = calloc((size_t) argc + 1, sizeof(char *));
        int nargs = 0;

        if (!args)
                return ur_err_set(err, ENOMEM, "arguments");
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                const struct cli_opt *o;
                const char *name, *eq, *value = NULL;

                if (strcmp(a, "--") == 0) {
                        while (++i < argc)
                                args[nargs++] = argv[i];
                        break;
                }
                if (a[0] != '-' || a[1] == '\0') {
                        args[nargs++] = argv[i];
                        continue;
                }
                name = a + (a[1] == '-' ? 2 : 1);
                eq = strchr(name, '=');
                o = find_long(opts, name, eq ? (size_t) (eq - name) : strlen(name));
                if (!o && a[1] != '-' && strlen(name) >= 1)
                        o = (eq ? (size_t) (eq - name) : strlen(name)) == 1 ? find_short(opts, name[0]) : NULL;
                if (!o)
                        return ur_err_set(err, 0, "%s: unknown option '%s'", argv[0], a);
                if (eq)
                        value = eq + 1;
                else if (o->kind != CLI_FLAG) {
                        if (i + 1 >= argc)
                                return ur_err_set(err, 0, "%s: option '%s' needs a value", argv[0], a);
                        value = argv[++i];
                }
                if (set_value(o, value, err) < 0)
                        return -1;
        }
        *ret_args = TAKE_PTR(args);
        *ret_nargs = nargs;
        return 0;
}

int cli_fail(struct ur_err **err)
{
        ur_log_error("%s", ur_err_msg(*err));
        ur_err_free(err);
        return 1;
}

int cli_want_args(const char *cmd, int nargs, int n, const char *what)
{
        if (nargs == n)
                return 0;
        if (nargs < n)
                ur_log_error("%s: missing %s; usage: urunc %s [options] <%s>", cmd, what, cmd, what);
        else
                ur_log_error("%s: expects %d argument(s) (%s), got %d", cmd, n, what, nargs);
        return -1;
}

int cli_parse_id(int argc, char **argv, const struct cli_opt *opts, const char **ret_id)
{
        _cleanup_free_ char **args = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        int nargs;

        if (cli_parse(argc, argv, opts, &args, &nargs, &err) < 0) {
                cli_fail(&err);
                return -1;
        }
        if (cli_want_args(argv[0], nargs, 1, "container-id") < 0)
                return -1;
        *ret_id = args[0];
        return 0;
}
