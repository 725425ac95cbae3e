/* SPDX-License-Identifier: Apache-2.0 */
#include "systemd/escape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

#define UNIT_VALID_CHARS                                                                       \
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:-_.\\"

static char *escape_char(char c, char *t)
{
        static const char hex[] = "0123456789abcdef";

        *t++ = '\\';
        *t++ = 'x';
        *t++ = hex[((unsigned char) c >> 4) & 0xf];
        *t++ = hex[(unsigned char) c & 0xf];
        return t;
}

char *ur_unit_name_escape(const char *s)
{
        char *ret, *t;

        ret = malloc(strlen(s) * 4 + 1);
        if (!ret)
                return NULL;
        t = ret;
        /* systemd never makes a unit name start with '.', like "/.dotdir". */
        if (*s == '.')
                t = escape_char(*s++, t);
        for (; *s; s++) {
                if (*s == '/')
                        *t++ = '-';
                else if (*s == '-' || *s == '\\' || !strchr(UNIT_VALID_CHARS, *s))
                        t = escape_char(*s, t);
                else
                        *t++ = *s;
        }
        *t = '\0';
        return ret;
}

bool ur_unit_name_valid(const char *s, const char *suffix)
{
        size_t n, ns;

        if (!s || !suffix)
                return false;
        n = strlen(s);
        ns = strlen(suffix);
        if (n <= ns || n > UR_UNIT_NAME_MAX || strcmp(s + n - ns, suffix) != 0)
                return false;
        for (size_t i = 0; i < n - ns; i++)
                if (!strchr(UNIT_VALID_CHARS, s[i]))
                        return false;
        return true;
}

char *ur_scope_name(const char *id)
{
        _cleanup_free_ char *e = NULL;
        char *ret = NULL;

        if (!id)
                return NULL;
        e = ur_unit_name_escape(id);
        if (!e || asprintf(&ret, "urunc-%s.scope", e) < 0)
                return NULL;
        return ret;
}
