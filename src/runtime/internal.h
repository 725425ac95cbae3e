/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Helpers shared by the runtime core's files; not an API (the CLI calls
 * runtime.h only).
 */

#include <stdbool.h>
#include <stdint.h>

#include "oci/spec.h"
#include "runtime/runtime.h"
#include "runtime/state.h"

/* fallback.c */

/*
 * The fallback runtime: when id belongs to it, exec it with the original
 * command line (does not return on success).  Returns 0 when id is not a
 * fallback container.
 */
int ur_fallback_dispatch(struct ur_context *ctx, const char *id, struct ur_err **err);
/* Resolve the fallback runtime executable (config, else runc, else crun). */
char *ur_fallback_runtime(const struct ur_context *ctx);
/* create of a container that is not a unikernel; why says so in messages
 * (e.g. "it is a pod's sandbox").  create and run: runs the
 * fallback runtime, frees the id again when the runtime no longer has the
 * container (create failed; run deleted it), and exits with its status. */
int ur_fallback_create(struct ur_context *ctx, const char *id, const char *why, struct ur_err **err);
bool ur_fallback_exists(const struct ur_context *ctx, const char *id);

/* create.c */

uint64_t ur_timeout_usec(const struct ur_context *ctx);
/* The OCI state as compact JSON text (for hooks). */
char *ur_state_text(const struct ur_state *st, enum ur_status status);

/* load.c: what the verbs after create share */

/* The config.json saved in the state dir at create. */
int ur_state_spec(const struct ur_state *st, struct ur_spec **ret, struct ur_err **err);
/* The verbs' common start: validate id, hand a fallback container to its
 * runtime (ur_fallback_dispatch), load its state. */
int ur_load(struct ur_context *ctx, const char *id, struct ur_state **ret, struct ur_err **err);
/* ur_load() under the container's lock (*ret_lock), for the verbs that
 * change it. */
int ur_load_locked(struct ur_context *ctx, const char *id, struct ur_state **ret, int *ret_lock,
                   struct ur_err **err);
/* The status of a state loaded by ur_load_locked(). */
enum ur_status ur_status_locked(const struct ur_state *st);

/* kill.c: signal the container's process (kill, pause without a cgroup);
 * -ESRCH with "container not running" when it is gone. */
int ur_signal_container(const struct ur_state *st, int sig, struct ur_err **err);

/* delete.c: set by run once it has logged the container's exit, so that
 * delete does not log it again. */
extern bool ur_exit_logged;
