/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>
#include <time.h>

/* The bound of every internal wait unless [runtime] timeout says otherwise. */
#define UR_DEFAULT_TIMEOUT_SEC 30
#define UR_DEFAULT_TIMEOUT_USEC (UR_DEFAULT_TIMEOUT_SEC * UINT64_C(1000000))

/* The time of clock in ns (CLOCK_MONOTONIC for deadlines, CLOCK_REALTIME
 * for records, CLOCK_MONOTONIC_RAW for calibration). */
uint64_t ur_clock_ns(clockid_t clock);

/* Monotonic µs and ms, for deadlines. */
static inline uint64_t ur_now_usec(void)
{
        return ur_clock_ns(CLOCK_MONOTONIC) / 1000u;
}

static inline long long ur_now_ms(void)
{
        return (long long) (ur_clock_ns(CLOCK_MONOTONIC) / 1000000u);
}
