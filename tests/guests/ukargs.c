/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command line as a Unikraft application would see it, printed for the
 * tests (README.md): words split by Unikraft's rules ('…' literal, "…" and
 * bare text with \ escapes, no empty words), then the libparam rules: the
 * first word is argv[0]; parameters before a "--" (outside a list) are
 * removed when at least one word stands between argv[0] and "--";
 * env.vars values (single or "[ … ]" list) are the environment.
 */
#include "guest.h"

#define UK_BUF 4096
#define UK_WORDS 128

static char buf[UK_BUF];
static const char *words[UK_WORDS];

static unsigned split(const char *s)
{
        unsigned n = 0;
        size_t o = 0;
        bool in = false, esc = false;
        char q = 0;

        for (;; s++) {
                char c = *s;

                if (o + 2 >= UK_BUF || n + 1 >= UK_WORDS)
                        break;
                if (!c) {
                        if (esc)
                                buf[o++] = '\\';
                        if (in) {
                                buf[o++] = '\0';
                                n++;
                        }
                        break;
                }
                if (!in && (q == '\'' ? c != '\'' : q == '"' ? c != '"' : !(c == '\'' || c == '"' ||
                                                                          c == ' ' || c == '\t' || c == '\n' ||
                                                                          c == '\r' || c == '\v'))) {
                        words[n] = &buf[o];
                        in = true;
                }
                if (q == '\'') {
                        if (c == '\'')
                                q = 0;
                        else
                                buf[o++] = c;
                } else if (esc) {
                        esc = false;
                        if (q == '"' && c != '"' && c != '\\')
                                buf[o++] = '\\';
                        buf[o++] = c;
                } else if (c == '\\') {
                        esc = true;
                } else if (q == '"') {
                        if (c == '"')
                                q = 0;
                        else
                                buf[o++] = c;
                } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v') {
                        if (in) {
                                buf[o++] = '\0';
                                n++;
                        }
                        in = false;
                } else if (c == '\'' || c == '"') {
                        q = c;
                } else {
                        buf[o++] = c;
                }
        }
        return n;
}

static const char *str_chr(const char *s, char c)
{
        for (; *s; s++)
                if (*s == c)
                        return s;
        return NULL;
}

void print_uk_view(const char *cmdline)
{
        unsigned argc = split(cmdline), stop = argc ? argc - 1 : 0, k = 0;
        bool list = false;

        if (argc == 0)
                return;
        for (unsigned i = 1; i < argc; i++) {
                const char *t = words[i];
                size_t l = strlen(t);

                if (list) {
                        list = !(l && t[l - 1] == ']');
                        continue;
                }
                if (l == 2 && t[0] == '-' && t[1] == '-') {
                        stop = i - 1;
                        break;
                }
                const char *dot = str_chr(t, '.'), *eq = dot ? str_chr(dot + 1, '=') : NULL;
                if (eq && eq[1] == '[')
                        list = !(eq[2] && t[l - 1] == ']');
        }
        if (!(stop > 0 && stop < argc - 1)) {
                for (unsigned i = 0; i < argc; i++)
                        con_printf("uk.argv[%u]=<%s>\n", i, words[i]);
                return;
        }
        con_printf("uk.argv[0]=<%s>\n", words[0]);
        for (unsigned i = stop + 2, j = 1; i < argc; i++, j++)
                con_printf("uk.argv[%u]=<%s>\n", j, words[i]);
        list = false;
        bool env = false;
        for (unsigned i = 1; i <= stop; i++) {
                const char *t = words[i], *val;
                size_t vl;

                if (!list) {
                        const char *dot = str_chr(t, '.'), *eq = dot ? str_chr(dot + 1, '=') : NULL;
                        if (!eq)
                                continue;
                        env = eq - t == 8 && strncmp(t, "env.vars", 8) == 0;
                        val = eq + 1;
                        if (*val == '[') {
                                list = true;
                                if (!*++val)
                                        continue;
                        }
                } else {
                        val = t;
                }
                vl = strlen(val);
                if (list && vl && val[vl - 1] == ']') {
                        list = false;
                        if (--vl == 0)
                                continue;
                }
                if (env)
                        con_printf("uk.env[%u]=<%.*s>\n", k++, (int)vl, val);
        }
}
