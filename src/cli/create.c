/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdlib.h>

#include "util/cleanup.h"

int cmd_create(struct ur_context *ctx, int argc, char **argv)
{
        struct ur_create_opts o = { .bundle = "." };
        bool no_pivot = false, no_new_keyring = false;
        const struct cli_opt opts[] = {
                { "bundle", 'b', CLI_STRING, &o.bundle },
                { "pid-file", 0, CLI_STRING, &o.pid_file },
                { "console-socket", 0, CLI_STRING, &o.console_socket },
                { "no-pivot", 0, CLI_FLAG, &no_pivot },
                { "no-new-keyring", 0, CLI_FLAG, &no_new_keyring },
                { "preserve-fds", 0, CLI_INT, &o.preserve_fds },
                { NULL, 0, 0, NULL },
        };
        _cleanup_err_ struct ur_err *err = NULL;
        pid_t pid;

        if (cli_parse_id(argc, argv, opts, &o.id) < 0)
                return 1;
        o.no_pivot = no_pivot;
        o.no_new_keyring = no_new_keyring;
        if (ur_create(ctx, &o, &pid, &err) < 0)
                return cli_fail(&err);
        return 0;
}
