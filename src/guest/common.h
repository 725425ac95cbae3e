/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Helpers shared by the guest backends (internal to src/guest): the argv,
 * and one command-line builder with a quoting rule per dialect.
 *
 * Every guest splits its command line with its own parser; a quoting rule
 * writes a word so that this parser gives back exactly the original string,
 * or refuses it with the reason.  The rules are written from each parser's
 * source (summed up below and in urunc(8)); the unit tests re-implement
 * each parser and check the round trip.
 */

#include <stdbool.h>
#include <stddef.h>

#include "vm/vm.h"
#include "util/error.h"

/*
 * The guest's argv: vm->argv when it has an element, else vm->cmdline (the
 * image metadata's command line) split at blanks, where '…' and "…" group
 * words (the quotes are removed; no other escapes).  An empty result (both
 * missing) is a valid NULL-terminated empty vector.
 */
int ur_guest_argv(const struct ur_vm *vm, char ***ret, struct ur_err **err);
int ur_split_words(const char *s, char ***ret, struct ur_err **err);

/*
 * A dialect's quoting rule.  Returns 0 with the word in *ret (malloc'd), or
 * 0 with *ret NULL and a static reason in *why when the dialect cannot
 * carry s, or -ENOMEM.
 */
typedef int (*ur_quote_fn)(const char *s, char **ret, const char **why);

/* Unikraft (uk_argnparse): bare, or '…' with ' written '\''; empty refused. */
int ur_quote_unikraft(const char *s, char **ret, const char **why);
/* Linux (lib/cmdline.c next_arg): bare, or "…"; a '"' only in a word that
 * needs no quotes and keeps it (even count, not first, not after the first
 * '='). */
int ur_quote_linux(const char *s, char **ret, const char **why);
/* Rumprun (rumprun_parseargs inside a JSON string that jsmn does not
 * unescape): '…' for blanks, \" and \\ everywhere; ' and control characters
 * refused.  The result is also valid JSON string content. */
int ur_quote_rumprun(const char *s, char **ret, const char **why);
/* MirageOS (mirage-bootvar's Parse_argv): \ before ' ', '"' and '\';
 * empty refused. */
int ur_quote_mirage(const char *s, char **ret, const char **why);
/* POSIX shell words (Hermit's shell_words::split): bare, or '…' with '
 * written '\''. */
int ur_quote_shell(const char *s, char **ret, const char **why);

/* FreeBSD's PVH entry (boot_parse_cmdline_delim): no quoting at all; a
 * word is NAME=VALUE, a kernel environment variable: refused with ',',
 * blanks, tabs or newlines (the separators), a leading '-' (boot flags),
 * no '=' or an empty name, a name or value of 128 bytes or more. */
int ur_quote_freebsd(const char *s, char **ret, const char **why);

/* Appends s to *v quoted by q.  A refusal is an error naming the guest,
 * what s is ("argument 2", "environment entry") and s itself. */
int ur_words_add(char ***v, ur_quote_fn q, const char *guest, const char *what, const char *s,
                 struct ur_err **err);
/* Appends args[first..] quoted by q, each named "argument <index>". */
int ur_words_add_args(char ***v, ur_quote_fn q, const char *guest, char *const *args, size_t first,
                      struct ur_err **err);
/* The words joined by blanks (malloc'd), or an ENOMEM error naming guest. */
int ur_words_join(char *const *v, const char *guest, char **ret, struct ur_err **err);

bool ur_has_blank(const char *s);

/* unikernel_version >= major.minor.patch; unparsable or NULL -> true. */
bool ur_version_at_least(const char *version, unsigned major, unsigned minor, unsigned patch);
