/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/base64.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/path.h"

static char root[PATH_MAX];

static void mk(const char *rel, const char *content)
{
        char p[2 * PATH_MAX + 2];
        snprintf(p, sizeof(p), "%s/%s", root, rel);
        if (content) {
                FILE *f = fopen(p, "w");
                assert_non_null(f);
                fputs(content, f);
                fclose(f);
        } else {
                assert_int_equal(mkdir(p, 0755), 0);
        }
}

static void ln(const char *target, const char *rel)
{
        char p[2 * PATH_MAX + 2];
        snprintf(p, sizeof(p), "%s/%s", root, rel);
        assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
        char tmpl[] = "/tmp/ur-path-XXXXXX";
        if (!mkdtemp(tmpl))
                return -1;
        /* The root itself through realpath, to compare results exactly. */
        char *r = realpath(tmpl, NULL);
        snprintf(root, sizeof(root), "%s", r);
        free(r);
        mk("a", NULL);
        mk("a/b", NULL);
        mk("a/b/kernel", "k");
        mk("file", "f");
        ln("b/kernel", "a/good");            /* relative, same dir */
        ln("../file", "a/up");               /* relative, goes up but stays inside */
        ln("a/b", "dirlink");                /* symlink to a directory */
        ln("/etc/passwd", "abs");            /* absolute target */
        ln("../../../etc/passwd", "a/esc");  /* relative target escaping */
        ln("../..", "a/b/top");              /* back to the root: fine */
        ln("../../..", "a/b/esc2");          /* one level too far */
        ln("b/esc2", "a/chain");             /* escapes through a chain */
        ln("loop2", "loop1");
        ln("loop1", "loop2");
        ln("missing", "dangling");
        ln(".", "self");
        return 0;
}

static int teardown(void **state)
{
        struct ur_err *err = NULL;
        ur_rm_rf(root, &err);
        ur_err_free(&err);
        return 0;
}

static void expect_ok(const char *path, const char *rel_expected)
{
        _cleanup_free_ char *got = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        char want[PATH_MAX];

        snprintf(want, sizeof(want), "%s%s", root, rel_expected);
        int r = ur_path_resolve_in_root(root, path, &got, &err);
        if (r < 0)
                fail_msg("'%s': %s", path, ur_err_msg(err));
        assert_string_equal(got, want);
}

static void expect_fail(const char *path, int errnum, const char *needle)
{
        _cleanup_free_ char *got = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        int r = ur_path_resolve_in_root(root, path, &got, &err);
        if (r >= 0)
                fail_msg("'%s' resolved to '%s'", path, got);
        assert_null(got);
        assert_non_null(err);
        if (errnum)
                assert_int_equal(err->errnum, errnum);
        if (!strstr(ur_err_msg(err), needle))
                fail_msg("'%s' not in '%s'", needle, ur_err_msg(err));
        /* Every message names the path asked for. */
        char q[PATH_MAX + 2];
        snprintf(q, sizeof(q), "'%s'", path);
        if (!strstr(ur_err_msg(err), q))
                fail_msg("path %s not in '%s'", q, ur_err_msg(err));
}

static void test_plain(void **state)
{
        expect_ok("/a/b/kernel", "/a/b/kernel");
        expect_ok("a/b/kernel", "/a/b/kernel");
        expect_ok("//a/./b//kernel", "/a/b/kernel");
        expect_ok("/a/b/../b/kernel", "/a/b/kernel");
        expect_ok("/", "");
        expect_ok("", "");
        expect_ok("/a/..", "");
}

static void test_good_symlinks(void **state)
{
        expect_ok("/a/good", "/a/b/kernel");
        expect_ok("/a/up", "/file");
        expect_ok("/dirlink/kernel", "/a/b/kernel");
        expect_ok("/self/self/file", "/file");
        expect_ok("/a/b/top/file", "/file");
        expect_ok("/a/b/top", "");
        /* ".." after a symlinked directory is taken from the target. */
        expect_ok("/dirlink/../b/kernel", "/a/b/kernel");
}

static void test_escapes(void **state)
{
        expect_fail("/..", 0, "'..' leads outside the root");
        expect_fail("../file", 0, "'..' leads outside the root");
        expect_fail("/a/../../etc/passwd", 0, "outside the root");
        expect_fail("/abs", 0, "absolute target '/etc/passwd'");
        expect_fail("/a/esc", 0, "symlink '/a/esc' -> '../../../etc/passwd' leads outside the root");
        expect_fail("/a/b/esc2/x", 0, "symlink '/a/b/esc2' -> '../../..' leads outside the root");
        expect_fail("/a/chain", 0, "symlink '/a/b/esc2' -> '../../..' leads outside the root");
}

static void test_loops_and_missing(void **state)
{
        expect_fail("/loop1", ELOOP, "more than 40 symlinks");
        expect_fail("/missing", ENOENT, "'/missing'");
        expect_fail("/a/missing/kernel", ENOENT, "'/a/missing'");
        expect_fail("/dangling", ENOENT, "'/missing'");
        expect_fail("/file/x", ENOTDIR, "'/file'");
}

static void test_bad_root(void **state)
{
        _cleanup_free_ char *got = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        assert_true(ur_path_resolve_in_root("/nonexistent-root-xyz", "/a", &got, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "'/nonexistent-root-xyz'"));
        ur_err_free(&err);
        assert_true(ur_path_resolve_in_root("/", "/", &got, &err) == 0);
        assert_string_equal(got, "/");
}

static void test_validate_id(void **state)
{
        static const char *good[] = {"a", "abc", "A-b_c.d+e", "0123456789abcdef", "x..y"};
        static const char *bad[] = {"", ".", "..", "a/b", "/a", "-a", "_a", ".a", "a b", "a:b", "é"};
        char longid[1026];

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                _cleanup_err_ struct ur_err *err = NULL;
                if (ur_validate_id(good[i], &err) < 0)
                        fail_msg("'%s': %s", good[i], ur_err_msg(err));
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_err_ struct ur_err *err = NULL;
                char q[64];
                if (ur_validate_id(bad[i], &err) >= 0)
                        fail_msg("'%s' accepted", bad[i]);
                snprintf(q, sizeof(q), "'%s'", bad[i]);
                assert_non_null(strstr(ur_err_msg(err), q));
        }
        memset(longid, 'a', 1024);
        longid[1024] = '\0';
        assert_int_equal(ur_validate_id(longid, NULL), 0);
        longid[1024] = 'a';
        longid[1025] = '\0';
        struct ur_err *err = NULL;
        assert_true(ur_validate_id(longid, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "1024"));
        ur_err_free(&err);
        assert_true(ur_validate_id(NULL, NULL) < 0);
}

static void test_base64(void **state)
{
        static const struct {
                const char *in;
                const char *out; /* NULL = invalid */
        } cases[] = {
                {"", ""},
                {"Zg==", "f"},
                {"Zm8=", "fo"},
                {"Zm9v", "foo"},
                {"cWVtdQ==", "qemu"},
                {"Zh==", NULL},     /* non-canonical trailing bits */
                {"Zm9=", NULL},     /* non-canonical trailing bits */
                {"Zm9", NULL},      /* length */
                {"Zm9v\n", NULL},   /* whitespace */
                {"Z===", NULL},     /* too much padding */
                {"Zg==Zm9v", NULL}, /* data after padding */
                {"Zm-v", NULL},     /* URL alphabet */
                {"Zm=v", NULL},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                unsigned char *out = NULL;
                size_t n = 0;
                int r = ur_base64_decode(cases[i].in, strlen(cases[i].in), &out, &n);
                if (cases[i].out) {
                        if (r < 0)
                                fail_msg("'%s' rejected", cases[i].in);
                        assert_int_equal(n, strlen(cases[i].out));
                        assert_string_equal((char *) out, cases[i].out);
                        assert_true(ur_base64_valid(cases[i].in, strlen(cases[i].in)));
                        _cleanup_free_ char *enc = ur_base64_encode(cases[i].out, strlen(cases[i].out));
                        assert_string_equal(enc, cases[i].in);
                } else {
                        if (r != -EINVAL)
                                fail_msg("'%s' accepted", cases[i].in);
                        assert_false(ur_base64_valid(cases[i].in, strlen(cases[i].in)));
                }
                free(out);
        }
        /* Binary round trip. */
        unsigned char bin[256];
        for (int i = 0; i < 256; i++)
                bin[i] = (unsigned char) i;
        for (size_t len = 0; len <= sizeof(bin); len += 37) {
                _cleanup_free_ char *enc = ur_base64_encode(bin, len);
                unsigned char *dec = NULL;
                size_t n;
                assert_int_equal(ur_base64_decode(enc, strlen(enc), &dec, &n), 0);
                assert_int_equal(n, len);
                assert_memory_equal(dec, bin, len);
                free(dec);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain),
                cmocka_unit_test(test_good_symlinks),
                cmocka_unit_test(test_escapes),
                cmocka_unit_test(test_loops_and_missing),
                cmocka_unit_test(test_bad_root),
                cmocka_unit_test(test_validate_id),
                cmocka_unit_test(test_base64),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
