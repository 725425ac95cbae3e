/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: ur_spec_parse, then the annotations through the metadata
 * loader (the rootfs does not exist, so paths fail to resolve). */
#include "fuzz.h"
#include "oci/metadata.h"
#include "oci/spec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ur_spec *spec = NULL;
        struct ur_metadata *md = NULL;
        struct ur_err *err = NULL;

        if (ur_spec_parse((const char *) data, size, "/nonexistent/urunc-fuzz-bundle", "config.json", &spec,
                          &err) < 0) {
                FUZZ_CHECK(err && ur_err_msg(err)[0]);
                FUZZ_CHECK(!spec);
                ur_err_free(&err);
                return 0;
        }
        FUZZ_CHECK(spec);
        /* What create asks of a unikernel spec beyond parsing. */
        if (ur_spec_check(spec, "config.json", &err) < 0) {
                FUZZ_CHECK(err && ur_err_msg(err)[0]);
                ur_err_free(&err);
        }
        if (ur_metadata_load(spec, &md, &err) < 0) {
                FUZZ_CHECK(err && ur_err_msg(err)[0]);
                ur_err_free(&err);
        }
        ur_metadata_free(md);
        ur_spec_free(spec);
        return 0;
}
