/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

int cmd_update(struct ur_context *ctx, int argc, char **argv)
{
        const char *resources = NULL;
        const struct cli_opt opts[] = {
                { "resources", 'r', CLI_STRING, &resources },
                { NULL, 0, 0, NULL },
        };
        _cleanup_free_ char *text = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        const char *id;
        size_t len = 0;

        if (cli_parse_id(argc, argv, opts, &id) < 0)
                return 1;
        if (!resources) {
                ur_err_set(&err, 0, "update: --resources FILE (or - for stdin) is required");
                return cli_fail(&err);
        }
        if (ur_read_file(strcmp(resources, "-") == 0 ? "/dev/stdin" : resources, 1 << 20, &text, &len, &err) < 0)
                return cli_fail(&err);
        if (ur_update(ctx, id, text, len, &err) < 0)
                return cli_fail(&err);
        return 0;
}
