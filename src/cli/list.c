/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

static const char *field(json_object *o, const char *k)
{
        json_object *v;

        if (!json_object_object_get_ex(o, k, &v))
                return "";
        return json_object_get_string(v);
}

int cmd_list(struct ur_context *ctx, int argc, char **argv)
{
        const char *format = "table";
        bool quiet = false;
        const struct cli_opt opts[] = {
                { "format", 'f', CLI_STRING, &format },
                { "quiet", 'q', CLI_FLAG, &quiet },
                { NULL, 0, 0, NULL },
        };
        _cleanup_free_ char **args = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        json_object *all = NULL;
        int nargs;

        if (cli_parse(argc, argv, opts, &args, &nargs, &err) < 0)
                return cli_fail(&err);
        if (cli_want_args("list", nargs, 0, "nothing") < 0)
                return 1;
        if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
                ur_err_set(&err, 0, "list: invalid --format '%s' (table or json)", format);
                return cli_fail(&err);
        }
        if (ur_list(ctx, &all, &err) < 0)
                return cli_fail(&err);
        if (quiet) {
                for (size_t i = 0; i < json_object_array_length(all); i++)
                        printf("%s\n", field(json_object_array_get_idx(all, i), "id"));
        } else if (strcmp(format, "json") == 0) {
                printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
        } else {
                printf("%-20s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
                for (size_t i = 0; i < json_object_array_length(all); i++) {
                        json_object *c = json_object_array_get_idx(all, i);
                        printf("%-20s %-8s %-10s %-40s %-32s %s\n", field(c, "id"), field(c, "pid"),
                               field(c, "status"), field(c, "bundle"), field(c, "created"),
                               *field(c, "owner") ? field(c, "owner") : "root");
                }
        }
        json_object_put(all);
        return 0;
}
