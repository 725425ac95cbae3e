/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CONFIGURATION section of man/urunc.8 against the config schema: the
 * text between the BEGIN and END markers must be what the schema renders
 * (every key with its type and default, no key the schema lacks).  With
 * --print, prints the rendering (scripts/update-man-config.sh splices it
 * into the man page).  Also checks the schema itself.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "vmm/vmm.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strv.h"

#define MAN TEST_SRCDIR "/../../man/urunc.8"
#define BEGIN_MARK ".\\\" BEGIN CONFIG KEYS"
#define END_MARK ".\\\" END CONFIG KEYS"

/* Text for roff: '-' and '\' escaped, a leading '.' or '\'' guarded. */
static void roff(FILE *f, const char *s)
{
        if (*s == '.' || *s == '\'')
                fputs("\\&", f);
        for (; *s; s++) {
                if (*s == '-')
                        fputs("\\-", f);
                else if (*s == '\\')
                        fputs("\\e", f);
                else
                        fputc(*s, f);
        }
}

static void names(FILE *f, const char *const *n)
{
        for (size_t i = 0; n[i]; i++) {
                fputs(i ? "|" : "", f);
                roff(f, n[i]);
        }
}

static void type_of(FILE *f, const struct ur_config_key *k)
{
        switch (k->type) {
        case UR_CFG_BOOL:
                fputs("true|false", f);
                break;
        case UR_CFG_UINT:
        case UR_CFG_U64:
                fprintf(f, "an integer, %" PRId64 "..%" PRId64, k->min, k->max);
                break;
        case UR_CFG_STRING:
                roff(f, k->expect);
                break;
        case UR_CFG_OPT_STRING:
                fputs("a string, \"\" = unset", f);
                break;
        case UR_CFG_WORD:
        case UR_CFG_ENUM:
                names(f, k->names);
                break;
        }
}

static void default_of(FILE *f, const struct ur_config_key *k)
{
        if (k->monitor_default) {
                const struct ur_vmm_ops *const *m = ur_vmm_all();
                for (size_t i = 0; m[i]; i++) {
                        fputs(i ? ", " : "", f);
                        roff(f, m[i]->name);
                        fprintf(f, " \\fB%" PRIu64 "\\fR", k->monitor_default(m[i]->name));
                }
                return;
        }
        switch (k->type) {
        case UR_CFG_BOOL:
                fputs(k->def ? "\\fBtrue\\fR" : "\\fBfalse\\fR", f);
                break;
        case UR_CFG_UINT:
        case UR_CFG_U64:
                fprintf(f, "\\fB%" PRId64 "\\fR", k->def);
                break;
        case UR_CFG_ENUM:
                fputs("\\fB\"", f);
                roff(f, k->names[k->def]);
                fputs("\"\\fR", f);
                break;
        case UR_CFG_STRING:
        case UR_CFG_OPT_STRING:
        case UR_CFG_WORD:
                if (!k->def_string) {
                        fputs("unset", f);
                        break;
                }
                fputs("\\fB\"", f);
                roff(f, k->def_string);
                fputs("\"\\fR", f);
                break;
        }
}

/* The keys as the man page shows them, between the markers (excluded). */
static char *render(void)
{
        size_t n, len;
        const struct ur_config_key *s = ur_config_schema(&n);
        const char *table = NULL;
        char *out = NULL;
        FILE *f = open_memstream(&out, &len);

        assert_non_null(f);
        for (size_t i = 0; i < n; i++) {
                const struct ur_config_key *k = &s[i];

                if (!table || strcmp(table, k->table) != 0) {
                        table = k->table;
                        if (strcmp(table, UR_CONFIG_MONITORS) == 0) {
                                const struct ur_vmm_ops *const *m = ur_vmm_all();
                                fputs(".SS [monitors.\\fINAME\\fB]\n\\fINAME\\fR is one of ", f);
                                for (size_t j = 0; m[j]; j++) {
                                        fputs(j == 0 ? "" : m[j + 1] ? ", " : " or ", f);
                                        roff(f, m[j]->name);
                                }
                                fputs(".\n", f);
                        } else {
                                fputs(".SS [", f);
                                roff(f, table);
                                fputs("]\n", f);
                        }
                }
                fputs(".TP\n\\fB", f);
                roff(f, k->key);
                fputs("\\fR (", f);
                type_of(f, k);
                if (k->only) {
                        fputs("; ", f);
                        roff(f, k->only);
                        fputs(" only", f);
                }
                fputs("), default ", f);
                default_of(f, k);
                fputs("\n", f);
                roff(f, k->doc);
                fputs("\n", f);
        }
        assert_int_equal(fclose(f), 0);
        return out;
}

static void test_man_page(void **state)
{
        _cleanup_err_ struct ur_err *err = NULL;
        _cleanup_free_ char *text = NULL, *want = render();
        size_t len;
        char *begin, *end;

        if (ur_read_file(MAN, 1 << 22, &text, &len, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        begin = strstr(text, BEGIN_MARK "\n");
        if (!begin)
                fail_msg("%s: no line '%s'", MAN, BEGIN_MARK);
        begin += strlen(BEGIN_MARK) + 1;
        end = strstr(begin, END_MARK "\n");
        if (!end)
                fail_msg("%s: no line '%s' after '%s'", MAN, END_MARK, BEGIN_MARK);
        *end = '\0';
        if (strcmp(begin, want) == 0)
                return;

        /* Name the first line that differs. */
        const char *a = begin, *b = want;
        unsigned line = 1;
        for (const char *p = text; p < begin; p++)
                line += *p == '\n';
        while (*a && *a == *b) {
                if (*a == '\n')
                        line++;
                a++, b++;
        }
        while (a > begin && a[-1] != '\n')
                a--, b--;
        fail_msg("%s:%u: the config keys differ from the schema (src/config/config.c):\n"
                 "  man page: %.*s\n  schema:   %.*s\n"
                 "run scripts/update-man-config.sh to rewrite them",
                 MAN, line, (int) strcspn(a, "\n"), a, (int) strcspn(b, "\n"), b);
}

static void test_schema(void **state)
{
        size_t n;
        const struct ur_config_key *s = ur_config_schema(&n);

        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
                const struct ur_config_key *k = &s[i];

                assert_non_null(k->table);
                assert_non_null(k->key);
                if (!k->doc || !*k->doc)
                        fail_msg("[%s] %s: no doc line", k->table, k->key);
                for (size_t j = 0; j < i; j++)
                        if (strcmp(s[j].table, k->table) == 0 && strcmp(s[j].key, k->key) == 0)
                                fail_msg("[%s] %s twice", k->table, k->key);
                /* A table's keys together, so that the man page has one subsection each. */
                for (size_t j = 0; i > 0 && j + 1 < i; j++)
                        if (strcmp(s[j].table, k->table) == 0 && strcmp(s[i - 1].table, k->table) != 0)
                                fail_msg("[%s] %s: not next to the table's other keys", k->table, k->key);
                switch (k->type) {
                case UR_CFG_UINT:
                case UR_CFG_U64:
                        assert_true(k->min <= k->max);
                        assert_true(k->min >= 0);
                        if (k->type == UR_CFG_UINT)
                                assert_true(k->max <= UINT32_MAX);
                        if (!k->monitor_default && (k->def < k->min || k->def > k->max))
                                fail_msg("[%s] %s: default %" PRId64 " out of range", k->table, k->key,
                                         k->def);
                        break;
                case UR_CFG_ENUM:
                        assert_non_null(k->names);
                        assert_true(k->def >= 0 && (size_t) k->def < ur_strv_len((char *const *) k->names));
                        break;
                case UR_CFG_WORD:
                        assert_non_null(k->names);
                        assert_true(ur_strv_contains((char *const *) k->names, k->def_string));
                        break;
                case UR_CFG_STRING:
                        assert_non_null(k->check);
                        assert_non_null(k->expect);
                        assert_non_null(k->def_string);
                        assert_true(k->check(k->def_string));
                        break;
                case UR_CFG_BOOL:
                case UR_CFG_OPT_STRING:
                        break;
                }
                if (k->monitor_default)
                        for (const struct ur_vmm_ops *const *m = ur_vmm_all(); *m; m++) {
                                uint64_t d = k->monitor_default((*m)->name);
                                assert_true(d >= (uint64_t) k->min && d <= (uint64_t) k->max);
                        }
                if (k->only)
                        assert_non_null(ur_vmm_find(k->only));
        }
}

int main(int argc, char **argv)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_schema),
                cmocka_unit_test(test_man_page),
        };

        if (argc == 2 && strcmp(argv[1], "--print") == 0) {
                _cleanup_free_ char *text = render();
                fputs(text, stdout);
                return fflush(stdout) == 0 ? 0 : 1;
        }
        return cmocka_run_group_tests(tests, NULL, NULL);
}
