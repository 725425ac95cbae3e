/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cli/cli.h"
#include "config/config.h"
#include "systemd/journal.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/timestamps.h"

#if HAVE_SECCOMP
#include <seccomp.h>
#endif

static const struct cli_command commands[] = {
        { "create", "create a container", cmd_create },
        { "start", "start a created container", cmd_start },
        { "run", "create and start a container, and wait for it", cmd_run },
        { "state", "print the state of a container", cmd_state },
        { "kill", "send a signal to the container's monitor", cmd_kill },
        { "delete", "delete a container and everything it holds", cmd_delete },
        { "list", "list containers", cmd_list },
        { "ps", "list the processes of a container", cmd_ps },
        { "features", "print the features of the runtime", cmd_features },
        { "exec", "run a process in a container (not possible in a unikernel)", cmd_exec },
        { "pause", "freeze a container", cmd_pause },
        { "resume", "thaw a paused container", cmd_resume },
        { "update", "change the resource limits of a container", cmd_update },
        { NULL, NULL, NULL },
};

static void usage(FILE *f)
{
        fprintf(f, "urunc: an OCI runtime for unikernels\n\n"
                   "Usage: urunc [global options] COMMAND [command options] [arguments...]\n\n"
                   "Commands:\n");
        for (const struct cli_command *c = commands; c->name; c++)
                fprintf(f, "   %-10s %s\n", c->name, c->summary);
        fprintf(f, "\nGlobal options:\n"
                   "   --root DIR              state directory (default %s)\n"
                   "   --log FILE              also log to FILE\n"
                   "   --log-format text|json  format of the --log file (default text)\n"
                   "   --debug                 debug logging\n"
                   "   --systemd-cgroup        the caller uses systemd's cgroup driver\n"
                   "   --rootless VALUE        accepted for compatibility\n"
                   "   --version, -v           print the version\n"
                   "   --help, -h              this help\n\n"
                   "See urunc(8).\n",
                URUNC_STATE_ROOT);
}

static void version(void)
{
        printf("urunc version %s\n", URUNC_VERSION);
        printf("commit: %s\n", *URUNC_COMMIT ? URUNC_COMMIT : "unknown");
        printf("spec: 1.1.0\n");
#if HAVE_SECCOMP
        {
                const struct scmp_version *v = seccomp_version();
                printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
        }
#endif
}

int main(int argc, char **argv)
{
        _cleanup_config_ struct ur_config *config = NULL;
        struct ur_context ctx = { .root = URUNC_STATE_ROOT, .argc = argc, .argv = argv };
        struct ur_log_options lo = { .format = UR_LOG_TEXT };
        const char *log_format = NULL, *rootless = NULL, *criu = NULL;
        bool show_version = false, show_help = false;
        const struct cli_opt globals[] = {
                { "root", 0, CLI_STRING, &ctx.root },
                { "log", 0, CLI_STRING, &lo.path },
                { "log-format", 0, CLI_STRING, &log_format },
                { "debug", 0, CLI_FLAG, &lo.debug },
                { "systemd-cgroup", 0, CLI_FLAG, &ctx.systemd_cgroup },
                { "rootless", 0, CLI_STRING, &rootless },
                { "criu", 0, CLI_STRING, &criu },
                { "version", 'v', CLI_FLAG, &show_version },
                { "help", 'h', CLI_FLAG, &show_help },
                { NULL, 0, 0, NULL },
        };
        _cleanup_err_ struct ur_err *err = NULL;
        int i;

        /* Global options end at the first word that is not an option. */
        for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
                _cleanup_free_ char **rest = NULL;
                int nrest = 0;
                char *pair[3] = { argv[0], argv[i], NULL };
                const char *name = argv[i] + (argv[i][1] == '-' ? 2 : 1);
                bool takes_value = false;

                for (const struct cli_opt *o = globals; o->name; o++)
                        if (o->kind != CLI_FLAG && strcmp(o->name, name) == 0)
                                takes_value = true;
                if (takes_value && i + 1 < argc)
                        pair[2] = argv[++i];
                if (cli_parse(pair[2] ? 3 : 2, pair, globals, &rest, &nrest, &err) < 0) {
                        fprintf(stderr, "urunc: %s\n", ur_err_msg(err));
                        return 1;
                }
        }
        if (log_format) {
                if (strcmp(log_format, "json") == 0)
                        lo.format = UR_LOG_JSON;
                else if (strcmp(log_format, "text") != 0) {
                        fprintf(stderr, "urunc: invalid --log-format '%s' (text or json)\n", log_format);
                        return 1;
                }
        }
        ctx.debug = lo.debug;
        /* As runc: with --log everything goes there, because an engine's
         * shim gives create the container's own stdio as stderr; errors
         * also go to stderr, where the shim reads them (go-runc puts the
         * runtime's output in its error, and containerd matches "container
         * not running" and "does not exist" in it). */
        lo.stderr_errors_only = lo.path && *lo.path;
        if (ur_log_init(&lo) < 0) {
                fprintf(stderr, "urunc: cannot open log file '%s': %s\n", lo.path, strerror(errno));
                return 1;
        }
        if (ur_journal_available())
                ur_log_set_journal(ur_journal_log);

        if (show_version) {
                version();
                return 0;
        }
        if (show_help || i >= argc) {
                usage(show_help ? stdout : stderr);
                return show_help ? 0 : 1;
        }
        if (strcmp(argv[i], "help") == 0) {
                usage(stdout);
                return 0;
        }
        if (strcmp(argv[i], "version") == 0) {
                version();
                return 0;
        }

        for (const struct cli_command *c = commands; c->name; c++) {
                if (strcmp(c->name, argv[i]) != 0)
                        continue;
                if (ur_config_load(NULL, &config, &err) < 0)
                        return cli_fail(&err);
                ctx.config = config;
                ctx.verb = i;
                ur_ts_configure(config->timestamps.enabled, config->timestamps.destination);
                return c->run(&ctx, argc - i, argv + i);
        }
        ur_log_error("unknown command '%s' (see urunc --help)", argv[i]);
        return 1;
}
