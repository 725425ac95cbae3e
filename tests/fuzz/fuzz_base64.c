/* SPDX-License-Identifier: Apache-2.0 */
/* Base64: strict decoding, and the round trips that strictness promises. */
#include "fuzz.h"
#include "util/base64.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *in = (const char *) data;
        unsigned char *out = NULL;
        size_t out_len = 0;
        int r = ur_base64_decode(in, size, &out, &out_len);

        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
        FUZZ_CHECK((r == 0) == ur_base64_valid(in, size));
        if (r == 0) {
                /* Canonical: encoding the decoded bytes gives the input back. */
                _cleanup_free_ char *again = ur_base64_encode(out, out_len);
                FUZZ_CHECK(again);
                FUZZ_CHECK(strlen(again) == size && memcmp(again, in, size) == 0);
                FUZZ_CHECK(out[out_len] == '\0');
                free(out);
        }
        /* Any bytes survive encode + decode. */
        {
                _cleanup_free_ char *enc = ur_base64_encode(data, size);
                FUZZ_CHECK(enc);
                FUZZ_CHECK(strlen(enc) == (size + 2) / 3 * 4);
                FUZZ_CHECK(ur_base64_decode(enc, strlen(enc), &out, &out_len) == 0);
                FUZZ_CHECK(out_len == size && memcmp(out, data, size) == 0);
                free(out);
        }
        return 0;
}
