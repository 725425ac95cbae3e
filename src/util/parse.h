/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

/*
 * The boolean words a source speaks; each form also takes the ones above it.
 * A caller picks its source's form and names the key and the value in its
 * error message.
 */
enum ur_bool_form {
        /* "true" and "false" exactly: GVariant text (org.systemd.property.*
         * typed values), urunc's own annotations. */
        UR_BOOL_STRICT,
        /* Also "1" and "0", and true/false in any case: upstream urunc's
         * metadata (useDMBlock, mountRootfs), the CLI's flags. */
        UR_BOOL_NUMERIC,
        /* Also yes/no, y/n, t/f, on/off in any case: systemd's
         * parse_boolean, for the untyped values of systemd properties. */
        UR_BOOL_SYSTEMD,
};

/* 0 and *ret on success, -EINVAL (*ret untouched) otherwise; s may be NULL. */
int ur_parse_bool(const char *s, enum ur_bool_form form, bool *ret);
