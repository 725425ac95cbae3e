/* SPDX-License-Identifier: Apache-2.0 */
#include "guests/common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/strv.h"

bool ur_has_blank(const char *s)
{
        return strpbrk(s, " \t\n\r\f\v") != NULL;
}

int ur_split_words(const char *s, char ***ret, ur_err *err)
{
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return ur_err_set(err, ENOMEM, "splitting command line");
        size_t len = s ? strlen(s) : 0;
        _cleanup_free_ char *word = malloc(len + 1);
        if (!word)
                return ur_err_set(err, ENOMEM, "splitting command line");
        const char *p = s ? s : "";
        for (;;) {
                while (*p && strchr(" \t\n\r\f\v", *p))
                        p++;
                if (!*p)
                        break;
                size_t n = 0;
                char quote = 0;
                for (; *p; p++) {
                        if (quote) {
                                if (*p == quote)
                                        quote = 0;
                                else
                                        word[n++] = *p;
                        } else if (*p == '\'' || *p == '"') {
                                quote = *p;
                        } else if (strchr(" \t\n\r\f\v", *p)) {
                                break;
                        } else {
                                word[n++] = *p;
                        }
                }
                if (quote)
                        return ur_err_set(err, 0, "unterminated %c quote in command line '%s'",
                                          quote, s);
                word[n] = '\0';
                if (ur_strv_add(&v, word) < 0)
                        return ur_err_set(err, ENOMEM, "splitting command line");
        }
        *ret = TAKE_PTR(v);
        return 0;
}

int ur_guest_argv(const struct ur_vm *vm, char ***ret, ur_err *err)
{
        if (vm->argv && vm->argv[0]) {
                char **v = ur_strv_copy(vm->argv);
                if (!v)
                        return ur_err_set(err, ENOMEM, "copying guest argv");
                *ret = v;
                return 0;
        }
        return ur_split_words(vm->cmdline, ret, err);
}

int ur_push_quoted(char ***v, const char *a, const char *what, ur_err *err)
{
        if (*a && !ur_has_blank(a)) {
                if (ur_strv_add(v, a) < 0)
                        return ur_err_set(err, ENOMEM, "building command line");
                return 0;
        }
        if (strchr(a, '"'))
                return ur_err_set(err, 0,
                                  "%s '%s' has both blanks and a double quote, which a kernel "
                                  "command line cannot carry", what, a);
        if (ur_strv_addf(v, "\"%s\"", a) < 0)
                return ur_err_set(err, ENOMEM, "building command line");
        return 0;
}

bool ur_version_at_least(const char *version, unsigned major, unsigned minor, unsigned patch)
{
        if (!version)
                return true;
        const char *p = version;
        if (*p == 'v' || *p == 'V')
                p++;
        unsigned a = 0, b = 0, c = 0;
        int n = sscanf(p, "%u.%u.%u", &a, &b, &c);
        if (n < 1)
                return true;
        if (a != major)
                return a > major;
        if (b != minor)
                return b > minor;
        return c >= patch;
}
