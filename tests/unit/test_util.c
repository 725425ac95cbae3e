/* SPDX-License-Identifier: Apache-2.0 */
/* The one-of-each helpers of src/util: clocks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util/cleanup.h"
#include "util/error.h"
#include "util/time.h"

static void test_clock(void **state)
{
        uint64_t a = ur_clock_ns(CLOCK_MONOTONIC), b;
        struct timespec pause = {.tv_nsec = 2000000};
        long long ms0 = ur_now_ms();
        uint64_t us0 = ur_now_usec();
        time_t wall = time(NULL);
        uint64_t real = ur_clock_ns(CLOCK_REALTIME) / 1000000000u;

        nanosleep(&pause, NULL);
        b = ur_clock_ns(CLOCK_MONOTONIC);
        /* At least the 2 ms slept, and the three units agree. */
        assert_true(b - a >= 2000000u);
        assert_true(ur_now_usec() - us0 >= 2000u);
        assert_true(ur_now_ms() - ms0 >= 2);
        assert_true(ur_now_usec() / 1000u >= (uint64_t) ur_now_ms() - 1);
        assert_true(real + 1 >= (uint64_t) wall && real <= (uint64_t) wall + 1);
        assert_true(ur_clock_ns(CLOCK_MONOTONIC_RAW) > 0);
        /* A clock that does not exist reads 0 rather than garbage. */
        assert_int_equal(ur_clock_ns((clockid_t) 4242), 0);
        assert_int_equal(UR_DEFAULT_TIMEOUT_USEC, UR_DEFAULT_TIMEOUT_SEC * 1000000ull);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clock),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
