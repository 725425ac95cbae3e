/* SPDX-License-Identifier: Apache-2.0 */
/* One unikernel metadata value (annotation or urunc.json member):
 * ur_metadata_decode (base64, b64: prefix, plain text). */
#include "fuzz.h"
#include "oci/metadata.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *value = fuzz_strndup(data, size);
        char *out = NULL;
        struct ur_err *err = NULL;

        if (ur_metadata_decode(UR_ANNOT_PREFIX "binary", value, &out, &err) < 0) {
                FUZZ_CHECK(err && ur_err_msg(err)[0]);
                FUZZ_CHECK(!out);
                ur_err_free(&err);
                return 0;
        }
        FUZZ_CHECK(out);
        /* Plain text comes back unchanged; anything else was decoded. */
        free(out);
        return 0;
}
