/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/log.h"

/* The position of the container id: the first argument that is neither an
 * option nor an option's value.  What follows it is the command to run
 * (`exec ID ls -la`), never options of exec. */
static int find_id(int argc, char **argv, const struct cli_opt *opts)
{
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i], *name;
                size_t len;

                if (strcmp(a, "--") == 0)
                        return i + 1 < argc ? i + 1 : -1;
                if (a[0] != '-' || a[1] == '\0')
                        return i;
                name = a + (a[1] == '-' ? 2 : 1);
                len = strcspn(name, "=");
                if (name[len] == '=')
                        continue;
                for (const struct cli_opt *o = opts; o->name; o++)
                        if (o->kind != CLI_FLAG &&
                            ((strlen(o->name) == len && strncmp(o->name, name, len) == 0) ||
                             (a[1] != '-' && len == 1 && o->short_name == name[0]))) {
                                i++;
                                break;
                        }
        }
        return -1;
}

int cmd_exec(struct ur_context *ctx, int argc, char **argv)
{
        const char *process = NULL, *pid_file = NULL, *console_socket = NULL, *cwd = NULL, *user = NULL;
        const char *env = NULL, *gids = NULL, *apparmor = NULL, *label = NULL, *cgroup = NULL, *cap = NULL;
        const char *pidfd_socket = NULL;
        bool detach = false, tty = false, no_new_privs = false, ignore_paused = false, no_subreaper = false;
        int preserve_fds = 0;
        /* runc's exec options: a fallback container gets them all. */
        const struct cli_opt opts[] = {
                { "process", 'p', CLI_STRING, &process },
                { "pid-file", 0, CLI_STRING, &pid_file },
                { "console-socket", 0, CLI_STRING, &console_socket },
                { "pidfd-socket", 0, CLI_STRING, &pidfd_socket },
                { "detach", 'd', CLI_FLAG, &detach },
                { "tty", 't', CLI_FLAG, &tty },
                { "cwd", 0, CLI_STRING, &cwd },
                { "user", 'u', CLI_STRING, &user },
                { "env", 'e', CLI_STRING, &env },
                { "additional-gids", 'g', CLI_STRING, &gids },
                { "apparmor", 0, CLI_STRING, &apparmor },
                { "process-label", 0, CLI_STRING, &label },
                { "cgroup", 0, CLI_STRING, &cgroup },
                { "cap", 'c', CLI_STRING, &cap },
                { "preserve-fds", 0, CLI_INT, &preserve_fds },
                { "no-new-privs", 0, CLI_FLAG, &no_new_privs },
                { "ignore-paused", 0, CLI_FLAG, &ignore_paused },
                { "no-subreaper", 0, CLI_FLAG, &no_subreaper },
                { NULL, 0, 0, NULL },
        };
        _cleanup_free_ char **args = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        int nargs, idx = find_id(argc, argv, opts);

        /* As runc, 255 for every failure: a non-detached exec exits with the
         * process's status, so a failure of the runtime must stand out. */
        if (idx < 0) {
                cli_want_args("exec", 0, 1, "container-id");
                return 255;
        }
        if (cli_parse(idx + 1, argv, opts, &args, &nargs, &err) < 0) {
                cli_fail(&err);
                return 255;
        }
        ur_exec(ctx, argv[idx], &err);
        cli_fail(&err);
        return 255;
}
