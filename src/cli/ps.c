/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/strv.h"

int cmd_ps(struct ur_context *ctx, int argc, char **argv)
{
        const char *format = "table";
        const struct cli_opt opts[] = {
                { "format", 'f', CLI_STRING, &format },
                { NULL, 0, 0, NULL },
        };
        _cleanup_free_ char **args = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        size_t n = 0;
        int nargs;

        if (cli_parse(argc, argv, opts, &args, &nargs, &err) < 0)
                return cli_fail(&err);
        if (nargs < 1) {
                cli_want_args("ps", nargs, 1, "container-id");
                return 1;
        }
        if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
                ur_err_set(&err, 0, "ps: invalid --format '%s' (table or json)", format);
                return cli_fail(&err);
        }
        if (ur_ps(ctx, args[0], &pids, &n, &err) < 0)
                return cli_fail(&err);
        if (strcmp(format, "json") == 0) {
                printf("[");
                for (size_t i = 0; i < n; i++)
                        printf("%s%d", i ? "," : "", (int) pids[i]);
                printf("]\n");
                return 0;
        }
        /* Table: ps(1) over the container's pids, with the caller's ps
         * options if any (runc passes "-ef" by default). */
        {
                _cleanup_strv_ char **cmd = NULL;
                _cleanup_free_ char *list = NULL;
                int status = 0;
                pid_t child;

                if (n == 0)
                        return 0;
                for (size_t i = 0; i < n; i++) {
                        char *nl = NULL;
                        if (asprintf(&nl, "%s%s%d", list ? list : "", list ? "," : "", (int) pids[i]) < 0)
                                return 1;
                        free(list);
                        list = nl;
                }
                ur_strv_add(&cmd, "ps");
                if (nargs > 1)
                        for (int i = 1; i < nargs; i++)
                                ur_strv_add(&cmd, args[i]);
                else
                        ur_strv_add(&cmd, "-f");
                ur_strv_add(&cmd, "-p");
                ur_strv_add(&cmd, list);
                fflush(stdout);
                child = fork();
                if (child == 0) {
                        execvp("ps", cmd);
                        _exit(127);
                }
                if (child < 0 || waitpid(child, &status, 0) < 0)
                        return 1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
        }
}
