/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "util/error.h"

/* Signal names: "TERM", "SIGTERM", "15", "sigkill"; 0 and *ret on success. */
int ur_signal_parse(const char *s, int *ret, struct ur_err **err);
/* The name without "SIG" ("TERM"), "?" for a number without one. */
const char *ur_signal_name(int sig);
