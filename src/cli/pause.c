/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

static int pause_or_resume(struct ur_context *ctx, int argc, char **argv, bool pause)
{
        const struct cli_opt opts[] = { { NULL, 0, 0, NULL } };
        _cleanup_err_ struct ur_err *err = NULL;
        const char *id;

        if (cli_parse_id(argc, argv, opts, &id) < 0)
                return 1;
        if (ur_pause(ctx, id, pause, &err) < 0)
                return cli_fail(&err);
        return 0;
}

int cmd_pause(struct ur_context *ctx, int argc, char **argv)
{
        return pause_or_resume(ctx, argc, argv, true);
}

int cmd_resume(struct ur_context *ctx, int argc, char **argv)
{
        return pause_or_resume(ctx, argc, argv, false);
}
