/* SPDX-License-Identifier: Apache-2.0 */
#include "util/time.h"

uint64_t ur_clock_ns(clockid_t clock)
{
        struct timespec ts;

        /* Fails only for a clock the kernel lacks: all of ours exist. */
        if (clock_gettime(clock, &ts) < 0)
                return 0;
        return (uint64_t) ts.tv_sec * UINT64_C(1000000000) + (uint64_t) ts.tv_nsec;
}
