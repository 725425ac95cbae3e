/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/cleanup.h"

int cmd_state(struct ur_context *ctx, int argc, char **argv)
{
        const struct cli_opt opts[] = { { NULL, 0, 0, NULL } };
        _cleanup_err_ struct ur_err *err = NULL;
        json_object *st = NULL;
        const char *id;

        if (cli_parse_id(argc, argv, opts, &id) < 0)
                return 1;
        if (ur_state_json(ctx, id, &st, &err) < 0)
                return cli_fail(&err);
        printf("%s\n", json_object_to_json_string_ext(st, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(st);
        return 0;
}
