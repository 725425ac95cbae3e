/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/types.h>

#include "util/error.h"

/*
 * Resolve path (absolute or relative, interpreted inside root) to a host
 * path inside root, following symlinks component by component with root as
 * "/" (like openat2 RESOLVE_IN_ROOT would), but refusing rather than
 * clamping: a ".." that would leave root, an absolute symlink target, or a
 * symlink whose target leaves root is an error naming the path.  The final
 * component must exist.  *ret is the resolved absolute host path.
 */
int ur_path_resolve_in_root(const char *root, const char *path, char **ret, struct ur_err **err);

/*
 * Like ur_path_resolve_in_root, then check what the path names with the
 * kernel's own in-root resolution: open the resolved path relative to root
 * with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)
 * (O_PATH: a device or FIFO is not opened) and require a regular file.
 * Anything else -- a device node (the image could name a host disk), a
 * FIFO, a socket, a directory -- is an error naming the path and its type.
 * Falls back to O_PATH | O_NOFOLLOW on kernels without openat2.
 */
int ur_path_resolve_regular_in_root(const char *root, const char *path, char **ret, struct ur_err **err);
/* Pin host (a host path as ur_path_resolve_regular_in_root returns it) with
 * an O_PATH fd: when host is under root, opened inside root (openat2
 * RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS), else (a
 * file of the host's configuration) without following a last symlink; it
 * must be a regular file.  what names it in messages. */
int ur_path_pin_regular(const char *root, const char *host, const char *what, int *ret_fd,
                        struct ur_err **err);

/* "regular file", "directory", "block device", ... for st_mode. */
const char *ur_file_type_name(mode_t mode);

/* Container ids: [A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}, as runc accepts. */
int ur_validate_id(const char *id, struct ur_err **err);
