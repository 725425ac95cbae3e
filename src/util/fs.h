/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* Read a whole file (at most max bytes, else -EFBIG) into a NUL-terminated
 * heap buffer. */
int ur_read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct ur_err **err);
int ur_read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len,
                    struct ur_err **err);

/* Write atomically: a temporary file in the same directory, fsync-free
 * (state lives on tmpfs), then rename(2). */
int ur_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, struct ur_err **err);

/* mkdir -p with the given mode for created components. */
int ur_mkdir_p(const char *path, mode_t mode, struct ur_err **err);

/* rm -rf of a directory tree; a missing path is success. */
int ur_rm_rf(const char *path, struct ur_err **err);

/*
 * Join path components with exactly one slash between two of them:
 * ur_path_join("/run/urunc/", "/id", "state.json") is
 * "/run/urunc/id/state.json", ur_path_join("/", "x") is "/x".  NULL and ""
 * components are left out; the first component kept keeps its leading
 * slashes and the last its trailing ones; a component of slashes only adds
 * nothing after the first.  Returns NULL on ENOMEM.
 */
char *ur_path_join_n(const char *const *parts, size_t n);
#define ur_path_join(...)                                                                                    \
        ur_path_join_n((const char *const[]){__VA_ARGS__},                                                   \
                       sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
/* Find an executable in $PATH; a name with a slash is checked and made absolute. */
char *ur_find_executable(const char *name);
