/* SPDX-License-Identifier: Apache-2.0 */
/* Signal names and numbers (kill ID SIGNAL): ur_signal_parse. */
#include <signal.h>

#include "fuzz.h"
#include "util/signals.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        fuzz_quiet();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = fuzz_strndup(data, size);
        struct ur_err *err = NULL;
        int sig = -1;

        if (ur_signal_parse(s, &sig, &err) < 0) {
                FUZZ_CHECK(err && ur_err_msg(err)[0]);
                FUZZ_CHECK(sig == -1);
                ur_err_free(&err);
                return 0;
        }
        FUZZ_CHECK(sig >= 1 && sig <= SIGRTMAX);
        FUZZ_CHECK(ur_signal_name(sig) != NULL);
        return 0;
}
