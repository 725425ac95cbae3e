/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "util/error.h"

/*
 * Resolve path (absolute or relative, interpreted inside root) to a host
 * path inside root, following symlinks component by component with root as
 * "/" (like openat2 RESOLVE_IN_ROOT would), but refusing rather than
 * clamping: a ".." that would leave root, an absolute symlink target, or a
 * symlink whose target leaves root is an error naming the path.  The final
 * component must exist.  *ret is the resolved absolute host path.
 */
int ur_path_resolve_in_root(const char *root, const char *path, char **ret, ur_err *err);

/* Container ids: [A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}, as runc accepts. */
int ur_validate_id(const char *id, ur_err *err);
