/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources (what `update --resources` reads): ur_resources_parse. */
#include "fuzz.h"
#include "oci/spec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct ur_resources res;
        struct ur_err *err = NULL;

        ur_resources_init(&res);
        if (ur_resources_parse((const char *) data, size, "--resources", &res, &err) < 0) {
                FUZZ_CHECK(err && ur_err_msg(err)[0]);
                ur_err_free(&err);
        }
        /* A second document on top of the first: fields accumulate. */
        if (size > 1 && ur_resources_parse((const char *) data + 1, size - 1, "--resources", &res, &err) < 0)
                ur_err_free(&err);
        ur_resources_done(&res);
        return 0;
}
