/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /urunc.json through the metadata loader: each input is written as the
 * urunc.json of a temporary rootfs (which holds a kernel, an initrd and a
 * symlink leaving the rootfs) of a bundle without annotations.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "oci/metadata.h"
#include "oci/spec.h"
#include "util/fs.h"

static char *base, *json_path;
static struct ur_spec *spec;

static void cleanup(void)
{
        ur_spec_free(spec);
        ur_rm_rf(base, NULL);
}

static void put(const char *rel, const char *content)
{
        _cleanup_free_ char *p = ur_path_join(base, rel);

        if (!p || ur_write_file_atomic(p, content, strlen(content), 0644, NULL) < 0)
                abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        static const char config[] = "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"hello\"], \"cwd\": \"/\"},"
                                     " \"root\": {\"path\": \"rootfs\"}}";
        _cleanup_free_ char *dir = NULL, *link = NULL;
        struct ur_err *err = NULL;

        fuzz_quiet();
        base = fuzz_tempdir("urunc-json");
        atexit(cleanup);
        dir = ur_path_join(base, "rootfs/unikernel");
        if (ur_mkdir_p(dir, 0755, NULL) < 0)
                abort();
        put("rootfs/unikernel/kernel", "not really a kernel\n");
        put("rootfs/unikernel/initrd", "initrd\n");
        put("rootfs/disk.img", "disk\n");
        link = ur_path_join(base, "rootfs/unikernel/out");
        if (symlink("../../../../etc/passwd", link) < 0)
                abort();
        put("config.json", config);
        if (ur_spec_parse(config, strlen(config), base, "config.json", &spec, &err) < 0)
                abort();
        json_path = ur_path_join(base, "rootfs/urunc.json");
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ur_metadata *md = NULL;
        struct ur_err *err = NULL;
        int r;

        if (ur_write_file_atomic(json_path, data, size, 0644, NULL) < 0)
                abort();
        r = ur_metadata_load(spec, &md, &err);
        if (r < 0) {
                FUZZ_CHECK(err && ur_err_msg(err)[0]);
                FUZZ_CHECK(!md);
                ur_err_free(&err);
                return 0;
        }
        if (r == 0) {
                FUZZ_CHECK(!md);
                return 0;
        }
        FUZZ_CHECK(md && md->unikernel_type && md->hypervisor && md->binary && md->binary_path);
        ur_metadata_free(md);
        return 0;
}
