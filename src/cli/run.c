/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdlib.h>

#include "util/cleanup.h"

int cmd_run(struct ur_context *ctx, int argc, char **argv)
{
        struct ur_create_opts o = { .bundle = "." };
        bool detach = false, keep = false, no_pivot = false, no_new_keyring = false, no_subreaper = false;
        const struct cli_opt opts[] = {
                { "bundle", 'b', CLI_STRING, &o.bundle },
                { "pid-file", 0, CLI_STRING, &o.pid_file },
                { "console-socket", 0, CLI_STRING, &o.console_socket },
                { "detach", 'd', CLI_FLAG, &detach },
                { "keep", 0, CLI_FLAG, &keep },
                { "no-pivot", 0, CLI_FLAG, &no_pivot },
                { "no-new-keyring", 0, CLI_FLAG, &no_new_keyring },
                { "no-subreaper", 0, CLI_FLAG, &no_subreaper },
                { "preserve-fds", 0, CLI_INT, &o.preserve_fds },
                { NULL, 0, 0, NULL },
        };
        _cleanup_err_ ur_err err = NULL;
        int status = 0;

        if (cli_parse_id(argc, argv, opts, &o.id) < 0)
                return 1;
        o.inherit_terminal = !o.console_socket;
        if (ur_run(ctx, &o, detach, keep, &status, &err) < 0)
                return cli_fail(&err);
        return status;
}
