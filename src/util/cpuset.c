/* SPDX-License-Identifier: Apache-2.0 */
#include "util/cpuset.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

static bool blank(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Decimal digits up to end, below UR_CPUSET_MAX. */
static int parse_uint(const char *s, const char *end, unsigned *ret)
{
        unsigned long v = 0;

        if (s == end)
                return -1;
        for (; s < end; s++) {
                if (*s < '0' || *s > '9')
                        return -1;
                v = v * 10 + (unsigned) (*s - '0');
                if (v >= UR_CPUSET_MAX)
                        return -1;
        }
        *ret = (unsigned) v;
        return 0;
}

int ur_cpuset_to_mask(const char *list, uint8_t **ret, size_t *ret_n, struct ur_err **err)
{
        _cleanup_free_ uint8_t *mask = NULL;
        bool any_item = false;
        const char *p = list;
        size_t n = 0;

        mask = calloc(UR_CPUSET_MAX / 8, 1);
        if (!mask)
                return ur_err_set(err, ENOMEM, "cpuset '%s'", list);
        for (;;) {
                const char *end = p + strcspn(p, ","), *a = p, *z = end, *dash;
                unsigned lo, hi;

                while (a < z && blank(*a))
                        a++;
                while (z > a && blank(z[-1]))
                        z--;
                if (a < z) {
                        dash = memchr(a, '-', (size_t) (z - a));
                        if (parse_uint(a, dash ? dash : z, &lo) < 0)
                                goto bad;
                        hi = lo;
                        if (dash && (parse_uint(dash + 1, z, &hi) < 0 || hi < lo))
                                goto bad;
                        for (unsigned i = lo; i <= hi; i++)
                                mask[i / 8] |= (uint8_t) (1u << (i % 8));
                        if (hi / 8 + 1 > n)
                                n = hi / 8 + 1;
                }
                if (*end != ',')
                        break;
                any_item = true;
                p = end + 1;
        }
        if (n == 0) {
                /* "" and blanks are unset; "," names no CPU at all (runc: "empty value"). */
                if (any_item)
                        goto bad;
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        *ret = TAKE_PTR(mask);
        *ret_n = n;
        return 0;
bad:
        return ur_err_set(err, EINVAL, "invalid cpuset list '%s' (expected e.g. '0-3,5', numbers below %u)",
                          list, UR_CPUSET_MAX);
}

int ur_cpuset_count(const char *list, unsigned *ret, struct ur_err **err)
{
        _cleanup_free_ uint8_t *mask = NULL;
        unsigned count = 0;
        size_t n = 0;

        if (ur_cpuset_to_mask(list, &mask, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++)
                count += (unsigned) __builtin_popcount(mask[i]);
        *ret = count;
        return 0;
}
