/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <signal.h>
#include <stdlib.h>

#include "util/cleanup.h"
#include "util/signals.h"

int cmd_kill(struct ur_context *ctx, int argc, char **argv)
{
        bool all = false;
        const struct cli_opt opts[] = {
                { "all", 'a', CLI_FLAG, &all },
                { NULL, 0, 0, NULL },
        };
        _cleanup_free_ char **args = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        int nargs, sig = SIGTERM;

        if (cli_parse(argc, argv, opts, &args, &nargs, &err) < 0)
                return cli_fail(&err);
        if (nargs < 1 || nargs > 2) {
                cli_want_args("kill", nargs, nargs < 1 ? 1 : 2, "container-id [signal]");
                return 1;
        }
        if (nargs == 2 && ur_signal_parse(args[1], &sig, &err) < 0)
                return cli_fail(&err);
        if (ur_kill(ctx, args[0], sig, all, &err) < 0)
                return cli_fail(&err);
        return 0;
}
