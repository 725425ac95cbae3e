/* SPDX-License-Identifier: Apache-2.0 */
#include "util/strv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t ur_strv_len(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

void ur_strv_free(char **v)
{
        if (!v)
                return;
        for (size_t i = 0; v[i]; i++)
                free(v[i]);
        free(v);
}

int ur_strv_push(char ***v, char *s)
{
        size_t n = ur_strv_len(*v);
        char **nv;

        if (!s)
                return -1;
        nv = realloc(*v, (n + 2) * sizeof(char *));
        if (!nv) {
                free(s);
                return -1;
        }
        nv[n] = s;
        nv[n + 1] = NULL;
        *v = nv;
        return 0;
}

int ur_strv_add(char ***v, const char *s)
{
        return ur_strv_push(v, s ? strdup(s) : NULL);
}

int ur_strv_addf(char ***v, const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -1;
        return ur_strv_push(v, s);
}

int ur_strv_extend(char ***v, char *const *other)
{
        for (size_t i = 0; other && other[i]; i++)
                if (ur_strv_add(v, other[i]) < 0)
                        return -1;
        return 0;
}

char **ur_strv_copy(char *const *v)
{
        char **r = calloc(1, sizeof(char *));

        if (!r)
                return NULL;
        if (ur_strv_extend(&r, v) < 0) {
                ur_strv_free(r);
                return NULL;
        }
        return r;
}

char *ur_strv_join(char *const *v, const char *sep)
{
        size_t len = 1, seplen = strlen(sep);
        char *r, *p;

        for (size_t i = 0; v && v[i]; i++)
                len += strlen(v[i]) + seplen;
        r = malloc(len);
        if (!r)
                return NULL;
        p = r;
        for (size_t i = 0; v && v[i]; i++) {
                if (i > 0) {
                        memcpy(p, sep, seplen);
                        p += seplen;
                }
                size_t l = strlen(v[i]);
                memcpy(p, v[i], l);
                p += l;
        }
        *p = '\0';
        return r;
}

int ur_strv_contains(char *const *v, const char *s)
{
        for (size_t i = 0; v && v[i]; i++)
                if (strcmp(v[i], s) == 0)
                        return 1;
        return 0;
}
