/* SPDX-License-Identifier: Apache-2.0 */
#include "guest/common.h"

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

int ur_split_words(const char *s, char ***ret, struct ur_err **err)
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

int ur_guest_argv(const struct ur_vm *vm, char ***ret, struct ur_err **err)
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

static bool any_of(const char *s, const char *set)
{
        return strpbrk(s, set) != NULL;
}

/* s inside single quotes, each ' written '\'' (POSIX shell, and Unikraft's
 * splitter, where a backslash outside quotes escapes the next character). */
static char *single_quoted(const char *s)
{
        size_t n = 3;
        for (const char *p = s; *p; p++)
                n += *p == '\'' ? 4 : 1;
        char *o = malloc(n), *q = o;
        if (!o)
                return NULL;
        *q++ = '\'';
        for (const char *p = s; *p; p++) {
                if (*p == '\'') {
                        memcpy(q, "'\\''", 4);
                        q += 4;
                } else {
                        *q++ = *p;
                }
        }
        *q++ = '\'';
        *q = '\0';
        return o;
}

static int dup_word(const char *s, char **ret)
{
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

/*
 * Unikraft, lib/ukargparse uk_argnparse(): words end at ' ', \t, \n, \r, \v
 * outside quotes; '…' is literal; "…" and bare text take \ as an escape; a
 * word starts only at its first character, so an empty word ('' or "")
 * does not exist.
 */
int ur_quote_unikraft(const char *s, char **ret, const char **why)
{
        *ret = NULL;
        if (!*s) {
                *why = "it is empty, and Unikraft's command-line splitter drops empty words";
                return 0;
        }
        if (!any_of(s, " \t\n\r\v'\"\\"))
                return dup_word(s, ret);
        *ret = single_quoted(s);
        return *ret ? 0 : -ENOMEM;
}

/*
 * Linux, lib/cmdline.c next_arg(): words end at blanks (isspace) outside
 * "…"; every '"' toggles quoting but only a leading '"' (with the last
 * character) and a '"' right after the first '=' (with the last character)
 * are removed.  So a word with blanks is written "…" and may not contain a
 * '"'; a word without blanks keeps its quotes when they are paired and
 * neither first nor right after the first '='.
 */
int ur_quote_linux(const char *s, char **ret, const char **why)
{
        *ret = NULL;
        bool blank = any_of(s, " \t\n\v\f\r");
        size_t quotes = 0;
        for (const char *p = s; *p; p++)
                quotes += *p == '"';
        if (*s && !blank) {
                const char *eq = strchr(s + 1, '=');
                if (quotes == 0 || (quotes % 2 == 0 && s[0] != '"' && !(eq && eq[1] == '"')))
                        return dup_word(s, ret);
                *why = "the kernel's command-line parser pairs and removes double quotes "
                       "(odd count, leading, or right after '=')";
                return 0;
        }
        if (quotes) {
                *why = "a word with blanks must be in double quotes there, and it cannot "
                       "contain one";
                return 0;
        }
        if (asprintf(ret, "\"%s\"", s) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

/*
 * Rumprun: "cmdline" is the raw text of a JSON string (its jsmn parser
 * checks escapes but never undoes them), split by rumprun_parseargs():
 * words end at ' ', \t, \n outside quotes, \ escapes any character (also
 * inside quotes), '…' and "…" group (and '' is an empty word).  JSON allows
 * only \" \\ \/ \b \f \n \r \t \uXXXX, and a raw " ends the string: so
 * '"' is written \" and '\' \\, which are valid JSON and escapes for
 * rumprun alike, words with blanks go in '…', and a "'" (its escape \' is
 * not JSON) and control characters cannot be written.
 */
int ur_quote_rumprun(const char *s, char **ret, const char **why)
{
        *ret = NULL;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '\'') {
                        *why = "rumprun's JSON configuration cannot carry a single quote (jsmn "
                               "rejects \\' and rumprun does not unescape JSON)";
                        return 0;
                }
                if (*p < 0x20 || *p == 0x7f) {
                        *why = "rumprun's JSON configuration cannot carry control characters";
                        return 0;
                }
        }
        bool quote = !*s || strchr(s, ' ');
        size_t n = strlen(s) * 2 + 3;
        char *o = malloc(n), *q = o;
        if (!o)
                return -ENOMEM;
        if (quote)
                *q++ = '\'';
        for (const char *p = s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        *q++ = '\\';
                *q++ = *p;
        }
        if (quote)
                *q++ = '\'';
        *q = '\0';
        *ret = o;
        return 0;
}

/*
 * MirageOS, mirage-bootvar Parse_argv.parse: words end at ' ' outside
 * "…"; \ escapes the next character inside and outside quotes; empty words
 * are dropped.
 */
int ur_quote_mirage(const char *s, char **ret, const char **why)
{
        *ret = NULL;
        if (!*s) {
                *why = "it is empty, and MirageOS's argument parser drops empty words";
                return 0;
        }
        char *o = malloc(strlen(s) * 2 + 1), *q = o;
        if (!o)
                return -ENOMEM;
        for (const char *p = s; *p; p++) {
                if (*p == ' ' || *p == '"' || *p == '\\')
                        *q++ = '\\';
                *q++ = *p;
        }
        *q = '\0';
        *ret = o;
        return 0;
}

/*
 * POSIX shell words (shell_words::split in the Hermit kernel): only
 * characters that are never special stay bare; anything else, and the
 * empty word, goes in '…'.
 */
int ur_quote_shell(const char *s, char **ret, const char **why)
{
        (void) why;
        *ret = NULL;
        bool plain = *s != '\0';
        for (const char *p = s; *p && plain; p++)
                plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                        strchr("_-./=:,+@%", *p);
        if (plain)
                return dup_word(s, ret);
        *ret = single_quoted(s);
        return *ret ? 0 : -ENOMEM;
}

/*
 * FreeBSD, PVH boot (sys/amd64 pvh / xen pv, boot_parse_cmdline_delim()
 * with ", \t\n", then boot_parse_arg()): strsep at every ',', ' ', \t
 * and \n, empty pieces skipped, no quotes or escapes; a piece starting
 * with '-' is a group of boot flags; any other is split at its first '='
 * into a kernel environment variable (no '=': the value "1").  kenv keeps
 * names and values below KENV_MNAMELEN and KENV_MVALLEN (128 bytes with
 * the NUL).  So a word is carried only as it is, and only as NAME=VALUE.
 */
#define FREEBSD_KENV_MAX 128
int ur_quote_freebsd(const char *s, char **ret, const char **why)
{
        *ret = NULL;
        const char *eq = strchr(s, '=');
        if (strpbrk(s, ", \t\n")) {
                *why = "FreeBSD splits its boot command line at ',', blanks, tabs and newlines, "
                       "and has no quoting";
                return 0;
        }
        if (s[0] == '-') {
                *why = "FreeBSD reads a word starting with '-' as boot flags";
                return 0;
        }
        if (!eq || eq == s) {
                *why = "every word of FreeBSD's boot command line is a kernel environment variable "
                       "NAME=VALUE";
                return 0;
        }
        if ((size_t) (eq - s) >= FREEBSD_KENV_MAX || strlen(eq + 1) >= FREEBSD_KENV_MAX) {
                *why = "FreeBSD's kernel environment keeps names and values of at most 127 bytes";
                return 0;
        }
        return dup_word(s, ret);
}

int ur_words_add(char ***v, ur_quote_fn q, const char *guest, const char *what, const char *s,
                 struct ur_err **err)
{
        char *w = NULL;
        const char *why = "it cannot be written";
        if (q(s, &w, &why) < 0)
                return ur_err_set(err, ENOMEM, "%s command line", guest);
        if (!w)
                return ur_err_set(err, 0, "%s guest: cannot pass %s '%s': %s", guest, what, s, why);
        if (ur_strv_push(v, w) < 0) /* frees w */
                return ur_err_set(err, ENOMEM, "%s command line", guest);
        return 0;
}

int ur_words_add_args(char ***v, ur_quote_fn q, const char *guest, char *const *args, size_t first,
                      struct ur_err **err)
{
        for (size_t i = first; args && args[i]; i++) {
                char what[48];
                snprintf(what, sizeof(what), "argument %zu", i);
                if (ur_words_add(v, q, guest, what, args[i], err) < 0)
                        return -1;
        }
        return 0;
}

int ur_words_join(char *const *v, const char *guest, char **ret, struct ur_err **err)
{
        char *s = ur_strv_join(v, " ");
        if (!s)
                return ur_err_set(err, ENOMEM, "%s command line", guest);
        *ret = s;
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
