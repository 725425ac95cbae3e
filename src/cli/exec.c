/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdlib.h>

#include "util/cleanup.h"
#include "util/log.h"

int cmd_exec(struct ur_context *ctx, int argc, char **argv)
{
        const char *process = NULL, *pid_file = NULL, *console_socket = NULL, *cwd = NULL, *user = NULL;
        bool detach = false, tty = false;
        const struct cli_opt opts[] = {
                { "process", 'p', CLI_STRING, &process },
                { "pid-file", 0, CLI_STRING, &pid_file },
                { "console-socket", 0, CLI_STRING, &console_socket },
                { "detach", 'd', CLI_FLAG, &detach },
                { "tty", 't', CLI_FLAG, &tty },
                { "cwd", 0, CLI_STRING, &cwd },
                { "user", 'u', CLI_STRING, &user },
                { NULL, 0, 0, NULL },
        };
        _cleanup_free_ char **args = NULL;
        _cleanup_err_ ur_err err = NULL;
        int nargs;

        if (cli_parse(argc, argv, opts, &args, &nargs, &err) < 0)
                return cli_fail(&err);
        if (nargs < 1) {
                cli_want_args("exec", nargs, 1, "container-id");
                return 1;
        }
        if (ur_fallback_dispatch(ctx, args[0], &err) < 0)
                return cli_fail(&err);
        ur_err_set(&err, 0,
                   "exec is not supported for unikernel container '%s': its only process is the virtual machine "
                   "monitor, and the guest has no way to start another process",
                   args[0]);
        return cli_fail(&err);
}
