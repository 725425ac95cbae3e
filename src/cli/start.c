/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdlib.h>

#include "util/cleanup.h"

int cmd_start(struct ur_context *ctx, int argc, char **argv)
{
        const struct cli_opt opts[] = { { NULL, 0, 0, NULL } };
        _cleanup_err_ struct ur_err *err = NULL;
        const char *id;

        if (cli_parse_id(argc, argv, opts, &id) < 0)
                return 1;
        if (ur_start(ctx, id, &err) < 0)
                return cli_fail(&err);
        return 0;
}
