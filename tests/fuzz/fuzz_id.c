/* SPDX-License-Identifier: Apache-2.0 */
/* Container ids: ur_validate_id against an independent statement of the
 * rule, [A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}. */
#include <stdbool.h>

#include "fuzz.h"
#include "util/path.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

static bool alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool expected_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > 1024 || !alnum(s[0]))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!alnum(s[i]) && !strchr("_.+-", s[i]))
                        return false;
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *id = fuzz_strndup(data, size);
        struct ur_err *err = NULL;
        int r = ur_validate_id(id, &err);

        FUZZ_CHECK((r == 0) == expected_valid(id));
        if (r < 0) {
                FUZZ_CHECK(err && ur_err_msg(err)[0]);
                ur_err_free(&err);
        }
        return 0;
}
