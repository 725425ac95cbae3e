/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Helpers shared by the guest backends (internal to src/guests). */

#include <stdbool.h>

#include "vm/vm.h"
#include "util/error.h"

/*
 * The guest's argv: vm->argv when it has an element, else vm->cmdline (the
 * image metadata's command line) split at blanks, where '…' and "…" group
 * words (the quotes are removed; no other escapes).  An empty result (both
 * missing) is a valid NULL-terminated empty vector.
 */
int ur_guest_argv(const struct ur_vm *vm, char ***ret, ur_err *err);
int ur_split_words(const char *s, char ***ret, ur_err *err);

/* Appends a, wrapped in double quotes when it contains blanks or is empty,
 * for parsers that regroup quoted words (Linux, Unikraft, Hermit).  A word
 * that would need quoting and contains a '"' cannot be expressed: error
 * naming what for. */
int ur_push_quoted(char ***v, const char *a, const char *what, ur_err *err);

bool ur_has_blank(const char *s);

/* unikernel_version >= major.minor.patch; unparsable or NULL -> true. */
bool ur_version_at_least(const char *version, unsigned major, unsigned minor, unsigned patch);
