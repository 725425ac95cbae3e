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
        _cleanup_err_ struct ur_err *err = NULL;
        const char *id;
        int status = 0;

        if (cli_parse_id(argc, argv, opts, &id) < 0)
                return 1;
        switch (ur_fallback_delete(ctx, id, &status, &err)) {
        case 1:
                return status;
        case 0:
                break;
        default:
                return cli_fail(&err);
        }
        if (ur_delete(ctx, id, force, &err) < 0)
                return cli_fail(&err);
        return 0;
}
