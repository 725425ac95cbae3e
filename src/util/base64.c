/* SPDX-License-Identifier: Apache-2.0 */
#include "util/base64.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int value_of(char c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

/* Validates and, when out is non-NULL, decodes.  Returns the decoded length
 * or -EINVAL. */
static long decode(const char *in, size_t len, unsigned char *out)
{
        size_t o = 0;

        if (len % 4 != 0)
                return -EINVAL;
        for (size_t i = 0; i < len; i += 4) {
                int v[4];
                int pad = 0;
                bool last = i + 4 == len;

                for (int j = 0; j < 4; j++) {
                        char c = in[i + j];
                        if (c == '=' && last && j >= 2) {
                                v[j] = 0;
                                pad++;
                                continue;
                        }
                        if (pad > 0) /* data after padding */
                                return -EINVAL;
                        v[j] = value_of(c);
                        if (v[j] < 0)
                                return -EINVAL;
                }
                /* Canonical: the bits dropped by padding must be zero. */
                if (pad == 2 && (v[1] & 0x0f))
                        return -EINVAL;
                if (pad == 1 && (v[2] & 0x03))
                        return -EINVAL;
                uint32_t g = (uint32_t) v[0] << 18 | (uint32_t) v[1] << 12 | (uint32_t) v[2] << 6 |
                             (uint32_t) v[3];
                if (out) {
                        out[o] = (unsigned char) (g >> 16);
                        if (pad < 2)
                                out[o + 1] = (unsigned char) (g >> 8);
                        if (pad < 1)
                                out[o + 2] = (unsigned char) g;
                }
                o += (size_t) (3 - pad);
        }
        return (long) o;
}

bool ur_base64_valid(const char *in, size_t len)
{
        return decode(in, len, NULL) >= 0;
}

int ur_base64_decode(const char *in, size_t len, unsigned char **ret, size_t *ret_len)
{
        long n = decode(in, len, NULL);
        unsigned char *buf;

        if (n < 0)
                return -EINVAL;
        buf = malloc((size_t) n + 1);
        if (!buf)
                return -ENOMEM;
        decode(in, len, buf);
        buf[n] = '\0';
        *ret = buf;
        if (ret_len)
                *ret_len = (size_t) n;
        return 0;
}

char *ur_base64_encode(const void *data, size_t len)
{
        const unsigned char *p = data;
        char *out = malloc((len + 2) / 3 * 4 + 1);
        size_t o = 0;

        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i += 3) {
                uint32_t g = (uint32_t) p[i] << 16;
                if (i + 1 < len)
                        g |= (uint32_t) p[i + 1] << 8;
                if (i + 2 < len)
                        g |= p[i + 2];
                out[o++] = alphabet[(g >> 18) & 63];
                out[o++] = alphabet[(g >> 12) & 63];
                out[o++] = i + 1 < len ? alphabet[(g >> 6) & 63] : '=';
                out[o++] = i + 2 < len ? alphabet[g & 63] : '=';
        }
        out[o] = '\0';
        return out;
}
