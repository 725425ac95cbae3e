/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The command line, runc-style: urunc [global options] COMMAND [options] ARGS.
 * Long options are accepted as --name, -name, --name=value, --name value;
 * boolean options also as --name=true|false (as urfave/cli does).
 */

#include <stdbool.h>

#include "runtime/runtime.h"
#include "util/error.h"

enum cli_opt_kind {
        CLI_FLAG,   /* bool */
        CLI_STRING, /* const char * */
        CLI_INT,    /* int */
};

struct cli_opt {
        const char *name;  /* long name, without dashes */
        char short_name;   /* 0 for none */
        enum cli_opt_kind kind;
        void *target;
};

/* Parse options of argv[0..argc) (argv[0] is the command name), up to the
 * first positional argument or "--" (later options are also accepted, as
 * runc does).  Positional arguments are returned in order. */
int cli_parse(int argc, char **argv, const struct cli_opt *opts, char ***ret_args, int *ret_nargs,
              struct ur_err **err);

struct cli_command {
        const char *name;
        const char *summary;
        int (*run)(struct ur_context *ctx, int argc, char **argv);
};

/* cli_parse for a verb that takes exactly one container id: 0 and *ret_id,
 * or -1 with the error already reported. */
int cli_parse_id(int argc, char **argv, const struct cli_opt *opts, const char **ret_id);

/* Prints the error (through the log sinks) and returns the exit status 1. */
int cli_fail(struct ur_err **err);
/* Exactly n positional arguments, named for the message (e.g. "container id"). */
int cli_want_args(const char *cmd, int nargs, int n, const char *what);

int cmd_create(struct ur_context *ctx, int argc, char **argv);
int cmd_start(struct ur_context *ctx, int argc, char **argv);
int cmd_run(struct ur_context *ctx, int argc, char **argv);
int cmd_state(struct ur_context *ctx, int argc, char **argv);
int cmd_kill(struct ur_context *ctx, int argc, char **argv);
int cmd_delete(struct ur_context *ctx, int argc, char **argv);
int cmd_list(struct ur_context *ctx, int argc, char **argv);
int cmd_ps(struct ur_context *ctx, int argc, char **argv);
int cmd_features(struct ur_context *ctx, int argc, char **argv);
int cmd_exec(struct ur_context *ctx, int argc, char **argv);
int cmd_pause(struct ur_context *ctx, int argc, char **argv);
int cmd_resume(struct ur_context *ctx, int argc, char **argv);
int cmd_update(struct ur_context *ctx, int argc, char **argv);
