/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * Base64, standard alphabet (RFC 4648 §4), strict: the length is a multiple
 * of 4, "=" padding is required and only at the end, no whitespace, and the
 * unused bits of the last group must be zero (canonical encoding, what
 * every encoder emits).  Strictness matters for the metadata heuristic:
 * the fewer plain strings that pass as base64, the better.
 */

/* Decode in[0..len) into a NUL-terminated heap buffer (*ret_len excludes the
 * NUL).  Returns 0, -EINVAL for invalid input, -ENOMEM. */
int ur_base64_decode(const char *in, size_t len, unsigned char **ret, size_t *ret_len);
/* True when in[0..len) is valid (strict) base64. */
bool ur_base64_valid(const char *in, size_t len);
/* Encode; returns a heap string or NULL on ENOMEM. */
char *ur_base64_encode(const void *data, size_t len);
