/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
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

#include "oci/metadata.h"
#include "oci/spec.h"
#include "util/base64.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"

#define K(x) UR_ANNOT_PREFIX x

static char *tmpdir;
static char rootfs[PATH_MAX];

static void put(const char *rel, const char *content)
{
        char p[PATH_MAX * 2];
        struct ur_err *err = NULL;

        snprintf(p, sizeof(p), "%s/%s", rootfs, rel);
        assert_int_equal(ur_write_file_atomic(p, content, strlen(content), 0644, &err), 0);
}

static void rm(const char *rel)
{
        char p[PATH_MAX * 2];
        snprintf(p, sizeof(p), "%s/%s", rootfs, rel);
        unlink(p);
}

static int setup(void **state)
{
        char tmpl[] = "/tmp/ur-md-XXXXXX";
        char p[PATH_MAX * 2];

        if (!mkdtemp(tmpl))
                return -1;
        tmpdir = realpath(tmpl, NULL);
        snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmpdir);
        if (mkdir(rootfs, 0755) < 0)
                return -1;
        snprintf(p, sizeof(p), "%s/unikernel", rootfs);
        mkdir(p, 0755);
        snprintf(p, sizeof(p), "%s/unikernel/dir", rootfs);
        mkdir(p, 0755);
        put("unikernel/kernel", "ELF");
        put("unikernel/initrd", "cpio");
        put("unikernel/disk.img", "disk");
        snprintf(p, sizeof(p), "%s/unikernel/abs", rootfs);
        if (symlink("/etc/passwd", p) < 0)
                return -1;
        snprintf(p, sizeof(p), "%s/unikernel/rel", rootfs);
        if (symlink("kernel", p) < 0)
                return -1;
        put("../passwd", "outside");
        snprintf(p, sizeof(p), "%s/unikernel/fifo", rootfs);
        if (mkfifo(p, 0600) < 0)
                return -1;
        return 0;
}

static int teardown(void **state)
{
        struct ur_err *err = NULL;
        ur_rm_rf(tmpdir, &err);
        ur_err_free(&err);
        free(tmpdir);
        return 0;
}

/* A spec whose annotations are the NULL-terminated key/value list. */
static struct ur_spec *mkspec(const char *const *kv)
{
        struct ur_spec *s = calloc(1, sizeof(*s));
        size_t n = 0;

        assert_non_null(s);
        s->root_path = strdup(rootfs);
        s->bundle = strdup(tmpdir);
        while (kv && kv[2 * n])
                n++;
        s->annotations = calloc(n + 1, sizeof(struct ur_kv));
        for (size_t i = 0; i < n; i++) {
                s->annotations[i].key = strdup(kv[2 * i]);
                s->annotations[i].value = strdup(kv[2 * i + 1]);
        }
        s->n_annotations = n;
        return s;
}

static struct ur_metadata *load_ok(const char *const *kv)
{
        _cleanup_spec_ struct ur_spec *s = mkspec(kv);
        _cleanup_err_ struct ur_err *err = NULL;
        struct ur_metadata *md = NULL;
        int r = ur_metadata_load(s, &md, &err);

        if (r != 1)
                fail_msg("load returned %d: %s", r, ur_err_msg(err));
        assert_non_null(md);
        return md;
}

static void load_fail(const char *const *kv, const char *n1, const char *n2, const char *n3)
{
        _cleanup_spec_ struct ur_spec *s = mkspec(kv);
        _cleanup_err_ struct ur_err *err = NULL;
        struct ur_metadata *md = NULL;
        const char *needles[] = {n1, n2, n3};

        if (ur_metadata_load(s, &md, &err) >= 0)
                fail_msg("accepted");
        assert_null(md);
        for (size_t i = 0; i < ELEMENTSOF(needles); i++)
                if (needles[i] && !strstr(ur_err_msg(err), needles[i]))
                        fail_msg("'%s' not in '%s'", needles[i], ur_err_msg(err));
}

static void decode_is(const char *value, const char *want)
{
        _cleanup_free_ char *got = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        if (ur_metadata_decode(K("x"), value, &got, &err) < 0)
                fail_msg("'%s': %s", value, ur_err_msg(err));
        if (strcmp(got, want) != 0)
                fail_msg("'%s' decoded to '%s', want '%s'", value, got, want);
}

static void decode_fails(const char *value, const char *needle)
{
        _cleanup_free_ char *got = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        char q[256];

        if (ur_metadata_decode(K("binary"), value, &got, &err) >= 0)
                fail_msg("'%s' accepted as '%s'", value, got);
        assert_null(got);
        snprintf(q, sizeof(q), "'%s'", value);
        assert_non_null(strstr(ur_err_msg(err), q));
        assert_non_null(strstr(ur_err_msg(err), "'" K("binary") "'"));
        if (!strstr(ur_err_msg(err), needle))
                fail_msg("'%s' not in '%s'", needle, ur_err_msg(err));
}

static void test_decode(void **state)
{
        /* Upstream's format: standard base64. */
        decode_is("cWVtdQ==", "qemu");
        decode_is("dW5pa3JhZnQ=", "unikraft");
        decode_is("L3VuaWtlcm5lbC9rZXJuZWw=", "/unikernel/kernel");
        decode_is("Y29uc29sZT10dHlTMCBuZXRkZXYuaXA9MTAuMC4wLjIvMjQ=", "console=ttyS0 netdev.ip=10.0.0.2/24");
        decode_is("aMOpbGxv", "h\xc3\xa9llo"); /* UTF-8 text */
        /* b64: prefix. */
        decode_is("b64:cWVtdQ==", "qemu");
        decode_is("b64:", "");
        decode_is("b64:Zm9v", "foo");
        /* Plain values: not valid base64 (length, alphabet)... */
        decode_is("linux", "linux");
        decode_is("hvt", "hvt");
        decode_is("firecracker", "firecracker");
        decode_is("cloud-hypervisor", "cloud-hypervisor");
        decode_is("/unikernel/kernel", "/unikernel/kernel");
        decode_is("/.boot/kernel", "/.boot/kernel");
        decode_is("0.16.1", "0.16.1");
        decode_is("console=ttyS0 init=/bin/sh", "console=ttyS0 init=/bin/sh");
        decode_is("1", "1");
        decode_is("", "");
        /* ...or valid base64 that decodes to binary, not text. */
        decode_is("qemu", "qemu");   /* a9 e9 ae: invalid UTF-8 */
        decode_is("mewz", "mewz");
        decode_is("true", "true");
        decode_is("TRUE", "TRUE");   /* "M\x15\x04": control characters */
        decode_is("/usr", "/usr");
        decode_is("AAAA", "AAAA");   /* NUL bytes */
        decode_is("Zh==", "Zh==");   /* non-canonical padding bits: not base64 */
        /* The documented ambiguity: plain text that happens to be base64 of
         * text is decoded.  "b64:" makes base64 explicit; nothing else does. */
        decode_is("Zm9v", "foo");
        decode_is("abcd1234", "abcd1234"); /* decodes to binary: plain */

        decode_fails("b64:qemu!", "not valid base64 after the 'b64:' prefix");
        decode_fails("b64:cWVtdQ", "not valid base64");
        decode_fails("b64:AAEC", "decodes to binary data");
        decode_fails("b64:YQBi", "decodes to binary data"); /* "a\0b" */
        {
                _cleanup_err_ struct ur_err *err = NULL;
                char *got = NULL;
                assert_true(ur_metadata_decode(K("binary"), NULL, &got, &err) < 0);
        }
}

static const char *good[] = {
        K("unikernelType"), "unikraft",
        K("hypervisor"), "qemu",
        K("binary"), "/unikernel/kernel",
        NULL,
};

static void test_annotations(void **state)
{
        {
                _cleanup_metadata_ struct ur_metadata *md = load_ok(good);
                char want[PATH_MAX * 2];
                assert_string_equal(md->source, "annotations");
                assert_string_equal(md->unikernel_type, "unikraft");
                assert_string_equal(md->hypervisor, "qemu");
                assert_string_equal(md->binary, "/unikernel/kernel");
                snprintf(want, sizeof(want), "%s/unikernel/kernel", rootfs);
                assert_string_equal(md->binary_path, want);
                assert_null(md->cmdline);
                assert_null(md->initrd);
                assert_null(md->initrd_path);
                assert_null(md->block_path);
                assert_false(md->use_dm_block);
                assert_false(md->mount_rootfs);
        }
        {
                /* Everything, base64-encoded the way bunny/bima write it. */
                const char *kv[] = {
                        K("unikernelType"), "bGludXg=",
                        K("hypervisor"), "ZmlyZWNyYWNrZXI=",
                        K("binary"), "L3VuaWtlcm5lbC9yZWw=",  /* /unikernel/rel, a symlink */
                        K("cmdline"), "Y29uc29sZT10dHlTMA==",  /* console=ttyS0 */
                        K("unikernelVersion"), "b64:MC4xNy4w", /* 0.17.0 */
                        K("initrd"), "/unikernel/initrd",
                        K("block"), "/unikernel/disk.img",
                        K("blkMntPoint"), "/data",
                        K("useDMBlock"), "dHJ1ZQ==", /* true */
                        K("mountRootfs"), "TRUE",
                        "org.other", "x",
                        NULL,
                };
                _cleanup_metadata_ struct ur_metadata *md = load_ok(kv);
                char want[PATH_MAX * 2];
                assert_string_equal(md->unikernel_type, "linux");
                assert_string_equal(md->hypervisor, "firecracker");
                assert_string_equal(md->binary, "/unikernel/rel");
                snprintf(want, sizeof(want), "%s/unikernel/kernel", rootfs);
                assert_string_equal(md->binary_path, want);
                assert_string_equal(md->cmdline, "console=ttyS0");
                assert_string_equal(md->unikernel_version, "0.17.0");
                snprintf(want, sizeof(want), "%s/unikernel/initrd", rootfs);
                assert_string_equal(md->initrd_path, want);
                snprintf(want, sizeof(want), "%s/unikernel/disk.img", rootfs);
                assert_string_equal(md->block_path, want);
                assert_string_equal(md->block_mnt_point, "/data");
                assert_true(md->use_dm_block);
                assert_true(md->mount_rootfs);
        }
}

static void test_booleans(void **state)
{
        static const struct {
                const char *v;
                bool want;
        } cases[] = {{"true", true}, {"True", true}, {"1", true}, {"false", false}, {"FALSE", false},
                     {"0", false},   {"b64:dHJ1ZQ==", true}, {"ZmFsc2U=", false}};
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *kv[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                                    K("binary"), "/unikernel/kernel", K("mountRootfs"), cases[i].v,
                                    K("useDMBlock"), cases[i].v, NULL};
                _cleanup_metadata_ struct ur_metadata *md = load_ok(kv);
                assert_int_equal(md->mount_rootfs, cases[i].want);
                assert_int_equal(md->use_dm_block, cases[i].want);
        }
        const char *kv[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                            K("binary"), "/unikernel/kernel", K("useDMBlock"), "yes", NULL};
        load_fail(kv, "annotation '" K("useDMBlock") "'", "'yes'", "expected true, false, 1 or 0");
        const char *kv2[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                             K("binary"), "/unikernel/kernel", K("mountRootfs"), "b64:eWVz", NULL};
        load_fail(kv2, "annotation '" K("mountRootfs") "'", "'yes' (decoded from 'b64:eWVz')", NULL);
}

/* solo5NetDev / solo5BlkDev: Solo5 device names (letters and digits,
 * at most 67), from annotations or urunc.json, base64 or plain. */
static void test_solo5_devs(void **state)
{
        const char *kv[] = {K("unikernelType"),
                            "mirage",
                            K("hypervisor"),
                            "spt",
                            K("binary"),
                            "/unikernel/kernel",
                            K("solo5NetDev"),
                            "bWFuYWdlbWVudA==", /* management */
                            K("solo5BlkDev"),
                            "database",
                            NULL};
        _cleanup_metadata_ struct ur_metadata *md = load_ok(kv);
        assert_string_equal(md->solo5_net_dev, "management");
        assert_string_equal(md->solo5_blk_dev, "database");
        const char *none[] = {K("unikernelType"),  "mirage", K("hypervisor"), "spt", K("binary"),
                              "/unikernel/kernel", NULL};
        _cleanup_metadata_ struct ur_metadata *md2 = load_ok(none);
        assert_null(md2->solo5_net_dev);
        assert_null(md2->solo5_blk_dev);
        const char *blank[] = {K("unikernelType"),  "mirage",         K("hypervisor"), "spt", K("binary"),
                               "/unikernel/kernel", K("solo5NetDev"), "my net",        NULL};
        load_fail(blank, "annotation '" K("solo5NetDev") "'", "'my net' is not a Solo5 device name",
                  "letters and digits only");
        const char *under[] = {K("unikernelType"),  "mirage",         K("hypervisor"), "spt", K("binary"),
                               "/unikernel/kernel", K("solo5BlkDev"), "b64:ZGlza19h",  NULL}; /* disk_a */
        load_fail(under, "annotation '" K("solo5BlkDev") "'", "'disk_a' (decoded from 'b64:ZGlza19h')", NULL);
        const char *lng[] = {K("unikernelType"),
                             "mirage",
                             K("hypervisor"),
                             "spt",
                             K("binary"),
                             "/unikernel/kernel",
                             K("solo5BlkDev"),
                             "a123456789b123456789c123456789d123456789e123456789f123456789g12345678",
                             NULL};
        load_fail(lng, "annotation '" K("solo5BlkDev") "'", "longer than a Solo5 device name (67 characters)",
                  NULL);
}

static void test_validation(void **state)
{
        const char *no_type[] = {K("hypervisor"), "qemu", K("binary"), "/unikernel/kernel", NULL};
        load_fail(no_type, "annotations: missing required key '" K("unikernelType") "'", NULL, NULL);
        const char *no_hv[] = {K("unikernelType"), "unikraft", K("binary"), "/unikernel/kernel", NULL};
        load_fail(no_hv, "annotations: missing required key '" K("hypervisor") "'", NULL, NULL);
        const char *no_bin[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu", K("binary"), "", NULL};
        load_fail(no_bin, "annotations: missing required key '" K("binary") "'", NULL, NULL);
        const char *only_cmdline[] = {K("cmdline"), "x", NULL};
        load_fail(only_cmdline, "missing required key '" K("unikernelType") "'", NULL, NULL);

        const char *bad_type[] = {K("unikernelType"), "osv", K("hypervisor"), "qemu",
                                  K("binary"), "/unikernel/kernel", NULL};
        load_fail(bad_type, "annotation '" K("unikernelType") "'", "unknown unikernel type 'osv'", "known: unikraft");
        const char *bad_type64[] = {K("unikernelType"), "b3N2", K("hypervisor"), "qemu",
                                    K("binary"), "/unikernel/kernel", NULL};
        load_fail(bad_type64, "unknown unikernel type 'osv' (decoded from 'b3N2')", NULL, NULL);
        const char *bad_hv[] = {K("unikernelType"), "unikraft", K("hypervisor"), "xen",
                                K("binary"), "/unikernel/kernel", NULL};
        load_fail(bad_hv, "annotation '" K("hypervisor") "'", "unknown hypervisor 'xen'", "cloud-hypervisor");
        const char *bad_pair[] = {K("unikernelType"), "mewz", K("hypervisor"), "hvt",
                                  K("binary"), "/unikernel/kernel", NULL};
        load_fail(bad_pair, "unikernel type 'mewz'", "not supported on hypervisor 'hvt'", K("hypervisor"));
        /* Base64 values: the message shows them decoded, and where from. */
        const char *bad_pair64[] = {K("unikernelType"), "dW5pa3JhZnQ=", K("hypervisor"), "b64:aHZ0",
                                    K("binary"), "/unikernel/kernel", NULL};
        load_fail(bad_pair64, "unikernel type 'unikraft' is not supported on hypervisor 'hvt'",
                  "(annotation '" K("unikernelType") "', decoded from 'dW5pa3JhZnQ='; ",
                  "annotation '" K("hypervisor") "', decoded from 'b64:aHZ0')");
        const char *bad_b64[] = {K("unikernelType"), "unikraft", K("hypervisor"), "b64:###",
                                 K("binary"), "/unikernel/kernel", NULL};
        load_fail(bad_b64, "annotation '" K("hypervisor") "'", "'b64:###'", "not valid base64");

        const char *rel[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                             K("binary"), "unikernel/kernel", NULL};
        load_fail(rel, "annotation '" K("binary") "'", "'unikernel/kernel'", "not absolute");
        const char *dotdot[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                                K("binary"), "/../passwd", NULL};
        load_fail(dotdot, "annotation '" K("binary") "'", "'/../passwd'", "outside the root");
        const char *abslink[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                                 K("binary"), "/unikernel/abs", NULL};
        load_fail(abslink, "annotation '" K("binary") "'", "'/unikernel/abs'", "absolute target");
        const char *missing[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                                 K("binary"), "/unikernel/nope", NULL};
        load_fail(missing, "annotation '" K("binary") "'", "'/unikernel/nope'", "No such file");
        const char *dir[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                             K("binary"), "/unikernel/dir", NULL};
        load_fail(dir, "annotation '" K("binary") "'", "'/unikernel/dir' is a directory, not a regular file", NULL);
        const char *initrd[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                                K("binary"), "/unikernel/kernel", K("initrd"), "/unikernel/nope", NULL};
        load_fail(initrd, "annotation '" K("initrd") "'", "'/unikernel/nope'", NULL);
        const char *initrd2[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                                 K("binary"), "/unikernel/kernel", K("initrd"), "/unikernel/dir", NULL};
        load_fail(initrd2, "annotation '" K("initrd") "'", "is a directory, not a regular file", NULL);
        const char *block[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                               K("binary"), "/unikernel/kernel", K("block"), "/unikernel/dir", NULL};
        load_fail(block, "annotation '" K("block") "'", "'/unikernel/dir' is a directory, not a regular file", NULL);
        /* Only regular files: a FIFO (or a device node, tests/integration/
         * security.sh) in the image is refused for every path key. */
        const char *fifo_bin[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                                  K("binary"), "/unikernel/fifo", NULL};
        load_fail(fifo_bin, "annotation '" K("binary") "'", "'/unikernel/fifo' is a FIFO, not a regular file", NULL);
        const char *fifo_keys[] = {K("initrd"), K("block")};
        for (size_t i = 0; i < ELEMENTSOF(fifo_keys); i++) {
                const char *kv[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                                    K("binary"), "/unikernel/kernel", fifo_keys[i], "/unikernel/fifo", NULL};
                char want[128];
                snprintf(want, sizeof(want), "annotation '%s'", fifo_keys[i]);
                load_fail(kv, want, "'/unikernel/fifo' is a FIFO, not a regular file", NULL);
        }
        const char *block2[] = {K("unikernelType"), "unikraft", K("hypervisor"), "qemu",
                                K("binary"), "/unikernel/kernel", K("block"), "disk.img", NULL};
        load_fail(block2, "annotation '" K("block") "'", "'disk.img'", "not absolute");
}

static void test_no_metadata(void **state)
{
        _cleanup_spec_ struct ur_spec *s = mkspec(NULL);
        _cleanup_err_ struct ur_err *err = NULL;
        struct ur_metadata *md = (void *) 1;

        assert_int_equal(ur_metadata_load(s, &md, &err), 0);
        assert_null(md);
        assert_null(err);

        /* Unrelated and empty annotations do not count. */
        const char *kv[] = {"org.opencontainers.image.title", "x", K("binary"), "", NULL};
        _cleanup_spec_ struct ur_spec *s2 = mkspec(kv);
        assert_int_equal(ur_metadata_load(s2, &md, &err), 0);
        assert_null(md);

        /* A rootfs that does not exist: no metadata either. */
        free(s2->root_path);
        s2->root_path = strdup("/nonexistent/rootfs");
        assert_int_equal(ur_metadata_load(s2, &md, &err), 0);
}

static int load_json(struct ur_metadata **md, struct ur_err **err)
{
        _cleanup_spec_ struct ur_spec *s = mkspec(NULL);
        return ur_metadata_load(s, md, err);
}

static void json_fail(const char *content, const char *n1, const char *n2)
{
        struct ur_metadata *md = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        put("urunc.json", content);
        if (load_json(&md, &err) >= 0)
                fail_msg("accepted: %s", content);
        assert_null(md);
        if (!strstr(ur_err_msg(err), n1))
                fail_msg("'%s' not in '%s'", n1, ur_err_msg(err));
        if (n2 && !strstr(ur_err_msg(err), n2))
                fail_msg("'%s' not in '%s'", n2, ur_err_msg(err));
}

static void test_urunc_json(void **state)
{
        struct ur_metadata *md = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        char want[PATH_MAX * 2];

        /* What bima writes: base64 values under the full keys. */
        put("urunc.json", "{\n \"com.urunc.unikernel.unikernelType\": \"cnVtcHJ1bg==\",\n"
                          " \"com.urunc.unikernel.cmdline\": \"aGVsbG8gd29ybGQ=\",\n"
                          " \"com.urunc.unikernel.binary\": \"L3VuaWtlcm5lbC9rZXJuZWw=\",\n"
                          " \"com.urunc.unikernel.hypervisor\": \"aHZ0\",\n"
                          " \"com.urunc.unikernel.mountRootfs\": false,\n"
                          " \"com.urunc.unikernel.solo5NetDev\": \"dGFw\",\n"
                          " \"com.urunc.unikernel.solo5BlkDev\": \"cm9vdGZz\",\n"
                          " \"other\": 5\n}\n");
        assert_int_equal(load_json(&md, &err), 1);
        assert_string_equal(md->source, "urunc.json");
        assert_string_equal(md->unikernel_type, "rumprun");
        assert_string_equal(md->hypervisor, "hvt");
        assert_string_equal(md->cmdline, "hello world");
        snprintf(want, sizeof(want), "%s/unikernel/kernel", rootfs);
        assert_string_equal(md->binary_path, want);
        assert_false(md->mount_rootfs);
        assert_string_equal(md->solo5_net_dev, "tap");
        assert_string_equal(md->solo5_blk_dev, "rootfs");
        ur_metadata_free(TAKE_PTR(md));

        /* Annotations win over urunc.json. */
        {
                _cleanup_spec_ struct ur_spec *s = mkspec(good);
                assert_int_equal(ur_metadata_load(s, &md, &err), 1);
                assert_string_equal(md->source, "annotations");
                assert_string_equal(md->unikernel_type, "unikraft");
                ur_metadata_free(TAKE_PTR(md));
        }

        /* No known key in it: not a unikernel. */
        put("urunc.json", "{\"something\": \"else\"}");
        assert_int_equal(load_json(&md, &err), 0);
        assert_null(md);

        json_fail("{\"com.urunc.unikernel.hypervisor\": \"qemu\",\n  \"com.urunc.unikernel.binary\" \"x\"}",
                  "/urunc.json: malformed JSON at line 2 column", NULL);
        json_fail("[\"com.urunc.unikernel.binary\"]", "/urunc.json: expected a JSON object, got an array", NULL);
        json_fail("{\"com.urunc.unikernel.binary\": 42}", "/urunc.json: key '" K("binary") "': expected a string",
                  NULL);
        json_fail("{\"com.urunc.unikernel.binary\": \"/unikernel/kernel\", \"com.urunc.unikernel.hypervisor\": \"qemu\"}",
                  "/urunc.json: missing required key '" K("unikernelType") "'", NULL);
        json_fail("{\"com.urunc.unikernel.binary\": \"/unikernel/kernel\", \"com.urunc.unikernel.hypervisor\": \"kvm\","
                  "\"com.urunc.unikernel.unikernelType\": \"unikraft\"}",
                  "/urunc.json key '" K("hypervisor") "'", "unknown hypervisor 'kvm'");
        json_fail("{\"com.urunc.unikernel.binary\": \"/../passwd\", \"com.urunc.unikernel.hypervisor\": \"qemu\","
                  "\"com.urunc.unikernel.unikernelType\": \"unikraft\"}",
                  "/urunc.json key '" K("binary") "'", "outside the root");

        /* Too large. */
        {
                size_t n = UR_URUNC_JSON_MAX_SIZE + 10;
                char *big = malloc(n + 1);
                memset(big, ' ', n);
                big[0] = '{';
                big[n - 1] = '}';
                big[n] = '\0';
                json_fail(big, "urunc.json", "larger than");
                free(big);
        }

        /* A urunc.json that is no regular file is refused (a FIFO would
         * hang create reading it). */
        rm("urunc.json");
        {
                char p[PATH_MAX * 2];
                snprintf(p, sizeof(p), "%s/urunc.json", rootfs);
                assert_int_equal(mkfifo(p, 0600), 0);
                assert_true(load_json(&md, &err) < 0);
                if (!strstr(ur_err_msg(err), "'/urunc.json' is a FIFO, not a regular file"))
                        fail_msg("%s", ur_err_msg(err));
                ur_err_free(&err);
                unlink(p);
        }

        /* A urunc.json that escapes the rootfs is refused, not followed. */
        rm("urunc.json");
        {
                char p[PATH_MAX * 2];
                snprintf(p, sizeof(p), "%s/urunc.json", rootfs);
                assert_int_equal(symlink("../passwd", p), 0);
                assert_true(load_json(&md, &err) < 0);
                assert_non_null(strstr(ur_err_msg(err), "outside the root"));
                ur_err_free(&err);
                unlink(p);
                /* A dangling one is "no metadata". */
                assert_int_equal(symlink("nope", p), 0);
                assert_int_equal(load_json(&md, &err), 0);
                unlink(p);
        }
        ur_metadata_free(NULL);
}

/* A pod's sandbox is never a unikernel, whatever the pod's annotations put
 * in its spec (containerd copies them into the pause container's). */
static void test_sandbox(void **state)
{
        /* Key, value pairs. */
        /* clang-format off */
        static const char *const cri_sandbox[] = {
                "io.kubernetes.cri.container-type", "sandbox",
                K("unikernelType"), "unikraft",
                K("hypervisor"), "qemu",
                K("binary"), "/unikernel/net.pvh", /* not in this rootfs: the reported failure */
                NULL,
        };
        static const char *const crio_sandbox[] = {
                "io.kubernetes.cri-o.ContainerType", "sandbox",
                K("unikernelType"), "unikraft",
                K("hypervisor"), "qemu",
                K("binary"), "/unikernel/kernel",
                NULL,
        };
        static const char *const cri_container[] = {
                "io.kubernetes.cri.container-type", "container",
                "io.kubernetes.cri.sandbox-id", "0123abcd",
                K("unikernelType"), "unikraft",
                K("hypervisor"), "qemu",
                K("binary"), "/unikernel/kernel",
                NULL,
        };
        static const char *const crio_container[] = {
                "io.kubernetes.cri-o.ContainerType", "container",
                K("unikernelType"), "unikraft",
                K("hypervisor"), "qemu",
                K("binary"), "/unikernel/kernel",
                NULL,
        };
        /* Another key's "sandbox", or another value: not a sandbox. */
        static const char *const not_marks[] = {
                "io.kubernetes.cri.container-type", "Sandbox",
                "io.kubernetes.cri.sandbox-id", "sandbox",
                "io.kubernetes.cri-o.ContainerType", "",
                NULL,
        };
        /* clang-format on */
        static const char *const plain_sandbox[] = {"io.kubernetes.cri.container-type", "sandbox", NULL};
        const char *const *sandboxes[] = {cri_sandbox, crio_sandbox, plain_sandbox};
        struct ur_metadata *md = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        for (size_t i = 0; i < ELEMENTSOF(sandboxes); i++) {
                _cleanup_spec_ struct ur_spec *s = mkspec(sandboxes[i]);
                md = (void *) 1;
                assert_true(ur_spec_is_sandbox(s));
                assert_int_equal(ur_metadata_load(s, &md, &err), 0);
                assert_null(md);
                assert_null(err);
        }
        {
                _cleanup_spec_ struct ur_spec *s = mkspec(not_marks);
                assert_false(ur_spec_is_sandbox(s));
                assert_int_equal(ur_metadata_load(s, &md, &err), 0);
                assert_null(md);
        }
        {
                _cleanup_spec_ struct ur_spec *s = mkspec(NULL);
                assert_false(ur_spec_is_sandbox(s));
        }
        assert_false(ur_spec_is_sandbox(NULL));

        /* A pod's other containers keep the pod's metadata. */
        md = load_ok(cri_container);
        assert_string_equal(md->source, "annotations");
        ur_metadata_free(TAKE_PTR(md));
        md = load_ok(crio_container);
        ur_metadata_free(TAKE_PTR(md));

        /* A container of a pod whose image has /urunc.json (no metadata
         * annotations): a unikernel; the same rootfs as a sandbox is not. */
        put("urunc.json", "{\"com.urunc.unikernel.unikernelType\": \"unikraft\", "
                          "\"com.urunc.unikernel.hypervisor\": \"qemu\", "
                          "\"com.urunc.unikernel.binary\": \"/unikernel/kernel\"}");
        {
                static const char *const ctr[] = {"io.kubernetes.cri.container-type", "container", NULL};
                _cleanup_spec_ struct ur_spec *s = mkspec(ctr);
                assert_int_equal(ur_metadata_load(s, &md, &err), 1);
                assert_string_equal(md->source, "urunc.json");
                ur_metadata_free(TAKE_PTR(md));
        }
        {
                _cleanup_spec_ struct ur_spec *s = mkspec(plain_sandbox);
                assert_int_equal(ur_metadata_load(s, &md, &err), 0);
                assert_null(md);
        }
        rm("urunc.json");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_decode),     cmocka_unit_test(test_annotations),
                cmocka_unit_test(test_booleans),   cmocka_unit_test(test_validation),
                cmocka_unit_test(test_solo5_devs), cmocka_unit_test(test_no_metadata),
                cmocka_unit_test(test_urunc_json),
                cmocka_unit_test(test_sandbox),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
