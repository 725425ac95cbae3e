/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <systemd/sd-login.h>

#include "util/cleanup.h"
#include "util/log.h"

int cmd_run(struct ur_context *ctx, int argc, char **argv)
{
        struct ur_create_opts o = { .bundle = "." };
        bool detach = false, keep = false, no_pivot = false, no_new_keyring = false, no_subreaper = false;
        bool service = false;
        int ready_port = 0;
        _cleanup_free_ char *unit = NULL;
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
                /* urunc's own: a unikernel as a systemd service (urunc@.service) */
                { "service", 0, CLI_FLAG, &service },
                { "netns", 0, CLI_STRING, &o.netns_path },
                { "ready-port", 0, CLI_INT, &ready_port },
                { NULL, 0, 0, NULL },
        };
        _cleanup_err_ struct ur_err *err = NULL;
        int status = 0;

        if (cli_parse_id(argc, argv, opts, &o.id) < 0)
                return 1;
        o.inherit_terminal = !o.console_socket;
        if (ready_port < 0 || ready_port > 65535) {
                ur_log_error("run: --ready-port: invalid port %d (expected 0-65535)", ready_port);
                return 1;
        }
        o.ready_port = (unsigned) ready_port;
        if (service) {
                int r = sd_pid_get_unit(0, &unit);

                if (r < 0 || !unit || strlen(unit) < 9 || strcmp(unit + strlen(unit) - 8, ".service") != 0) {
                        ur_log_error("run: --service: urunc is not in a systemd service (unit: %s)",
                                     r < 0 ? strerror(-r) : unit);
                        return 1;
                }
                o.service_unit = unit;
        }
        if (ur_run(ctx, &o, detach, keep, &status, &err) < 0)
                return cli_fail(&err);
        return status;
}
