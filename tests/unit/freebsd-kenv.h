/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * A model of FreeBSD's PVH command-line parser, for the unit tests:
 * boot_parse_cmdline_delim() with the delimiters ", \t\n" (strsep, empty
 * pieces skipped), then boot_parse_arg(): a piece starting with '-' is a
 * group of boot flags (returned as "-FLAGS"), any other a kernel
 * environment variable split at its first '=' (no '=': the value "1").
 * Returns the pieces as "NAME=VALUE" (or "-FLAGS") strings, in order.
 */
#include <stdlib.h>
#include <string.h>

#include "util/strv.h"

static inline char **t_freebsd_kenv(const char *line)
{
        char *copy = strdup(line), *p = copy, *tok;
        char **v = calloc(1, sizeof(char *));
        while (v && (tok = strsep(&p, ", \t\n")) != NULL) {
                if (!*tok)
                        continue;
                if (tok[0] == '-' || strchr(tok, '='))
                        ur_strv_add(&v, tok);
                else
                        ur_strv_addf(&v, "%s=1", tok);
        }
        free(copy);
        return v;
}
