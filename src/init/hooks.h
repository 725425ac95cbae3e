/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "oci/spec.h"
#include "util/error.h"

/*
 * Run the hooks of one stage in the order given, each with the container's
 * state JSON on stdin, its args and env, bounded by its timeout (killed
 * with SIGKILL when it runs over).  The first failure stops the stage and
 * returns an error naming the stage, the hook and how it failed.
 */
int ur_hooks_run(const struct ur_spec *spec, enum ur_hook_stage stage, const char *state_json,
                 struct ur_err **err);

/* Like ur_hooks_run, but every hook runs and failures are logged as
 * warnings (poststart, poststop). */
void ur_hooks_run_warn(const struct ur_spec *spec, enum ur_hook_stage stage, const char *state_json);

/* The sum of a stage's hook timeouts (saturating), for the bound of a call
 * that runs the stage. */
uint64_t ur_hooks_timeout_usec(const struct ur_spec *spec, enum ur_hook_stage stage);
