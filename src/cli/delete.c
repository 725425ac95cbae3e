/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdlib.h>

#include "util/cleanup.h"

int cmd_delete(struct ur_context *ctx, int argc, char **argv)
{
        bool force = false;
        const struct cli_opt opts[] = {
                { "force", 'f', CLI_FLAG, &force },
                { NULL, 0, 0, NULL },
        };
        _cleanup_free_ char **args = NULL;
        _cleanup_err_ ur_err err = NULL;
        int nargs, status = 0;

        if (cli_parse(argc, argv, opts, &args, &nargs, &err) < 0)
                return cli_fail(&err);
        if (cli_want_args("delete", nargs, 1, "container-id") < 0)
                return 1;
        switch (ur_fallback_delete(ctx, args[0], &status, &err)) {
        case 1:
                return status;
        case 0:
                break;
        default:
                return cli_fail(&err);
        }
        if (ur_delete(ctx, args[0], force, &err) < 0)
                return cli_fail(&err);
        return 0;
}
