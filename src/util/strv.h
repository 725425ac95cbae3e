/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

/* NULL-terminated vectors of heap strings. */

size_t ur_strv_len(char *const *v);
void ur_strv_free(char **v);
/* Appends s (taking ownership).  On allocation failure frees s, returns -1. */
int ur_strv_push(char ***v, char *s);
/* Appends a copy of s. */
int ur_strv_add(char ***v, const char *s);
int ur_strv_addf(char ***v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends copies of every string of other. */
int ur_strv_extend(char ***v, char *const *other);
char **ur_strv_copy(char *const *v);
/* Joins with sep; never returns NULL for a NULL or empty vector ("" then). */
char *ur_strv_join(char *const *v, const char *sep);
int ur_strv_contains(char *const *v, const char *s);

/* A key and its value (annotations, labels). */
struct ur_kv {
        char *key;
        char *value;
};

static inline void ur_strv_freep(char ***v)
{
        ur_strv_free(*v);
}
#define _cleanup_strv_ __attribute__((cleanup(ur_strv_freep)))
