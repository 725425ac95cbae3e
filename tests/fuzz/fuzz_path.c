/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ur_path_resolve_in_root against a small fixed tree with symlinks that
 * stay inside, leave the root, loop or dangle.  Whatever the input, a
 * resolved path must name an existing file inside the root, and must still
 * be inside the root after the kernel resolves it (realpath).
 */
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "util/fs.h"
#include "util/path.h"

static char *base, *root, *real_root;

static void cleanup(void)
{
        ur_rm_rf(base, NULL);
}

static void mk(const char *rel, bool dir)
{
        _cleanup_free_ char *p = ur_path_join(base, rel);
        FILE *f;

        if (dir) {
                if (mkdir(p, 0755) < 0)
                        abort();
                return;
        }
        f = fopen(p, "w");
        if (!f)
                abort();
        fputs("x\n", f);
        fclose(f);
}

static void ln(const char *target, const char *rel)
{
        _cleanup_free_ char *p = ur_path_join(base, rel);

        if (symlink(target, p) < 0)
                abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        base = fuzz_tempdir("path");
        atexit(cleanup);
        mk("root", true);
        mk("root/a", true);
        mk("root/a/b", true);
        mk("root/a/f", false);
        mk("root/unikernel", true);
        mk("root/unikernel/kernel", false);
        mk("outside", true);
        mk("outside/secret", false);
        ln("b", "root/a/rel");
        ln("..", "root/a/up");
        ln("../..", "root/a/up2");
        ln("../../outside/secret", "root/a/esc");
        ln("/etc/passwd", "root/abs");
        ln("/", "root/slash");
        ln("loop", "root/loop");
        ln("l3", "root/l2");
        ln("l2", "root/l3");
        ln("a/rel/../f", "root/chain");
        ln("a/up/a/up/unikernel/kernel", "root/k");
        ln("missing", "root/dangling");
        ln("a/b/../../..", "root/deep");
        root = ur_path_join(base, "root");
        real_root = realpath(root, NULL);
        if (!root || !real_root)
                abort();
        return 0;
}

static bool inside(const char *p, const char *r)
{
        size_t n = strlen(r);

        return strncmp(p, r, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *path = fuzz_strndup(data, size);
        _cleanup_free_ char *res = NULL, *real = NULL;
        struct ur_err *err = NULL;
        struct stat sb;

        if (ur_path_resolve_in_root(root, path, &res, &err) < 0) {
                FUZZ_CHECK(err && ur_err_msg(err)[0]);
                FUZZ_CHECK(!res);
                ur_err_free(&err);
                return 0;
        }
        FUZZ_CHECK(res);
        FUZZ_CHECK(inside(res, root));
        FUZZ_CHECK(lstat(res, &sb) == 0);
        real = realpath(res, NULL);
        FUZZ_CHECK(real);
        FUZZ_CHECK(inside(real, real_root));
        return 0;
}
