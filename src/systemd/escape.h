/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Unit-name escaping, the way systemd's unit_name_escape() does it. */

#include <stdbool.h>

/* Longest unit name systemd accepts (UNIT_NAME_MAX - 1). */
#define UR_UNIT_NAME_MAX 255

/* Escape s for use inside a unit name: '/' becomes '-'; '-', '\' and every
 * byte outside [A-Za-z0-9:_.] become "\xNN"; a leading '.' is escaped too.
 * NULL on ENOMEM. */
char *ur_unit_name_escape(const char *s);

/* True when s is a syntactically valid unit name with the given suffix
 * (".scope", ".slice"): only [A-Za-z0-9:_.\-\\] before the suffix, not
 * empty, at most UR_UNIT_NAME_MAX bytes. */
bool ur_unit_name_valid(const char *s, const char *suffix);

/* "urunc-<id>.scope" with the id escaped to unit-name rules. */
char *ur_scope_name(const char *id);
