/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/internal.h"

#include <errno.h>
#include <sys/stat.h>

#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/path.h"

int ur_state_spec(const struct ur_state *st, struct ur_spec **ret, struct ur_err **err)
{
        _cleanup_free_ char *path = ur_path_join(st->dir, UR_STATE_CONFIG);
        _cleanup_free_ char *text = NULL;
        size_t len;

        if (ur_read_file(path, UR_SPEC_MAX_SIZE, &text, &len, err) < 0)
                return -1;
        return ur_spec_parse(text, len, st->bundle, path, ret, err);
}

int ur_load(struct ur_context *ctx, const char *id, struct ur_state **ret, struct ur_err **err)
{
        if (ur_validate_id(id, err) < 0)
                return -1;
        ur_log_set_container(id);
        if (ur_fallback_dispatch(ctx, id, err) < 0)
                return -1;
        return ur_state_load(ctx->root, id, ret, err);
}

/*
 * ur_load() under the container's lock, for the commands that change it: the
 * state read is then the one acted on (create holds the lock until it is
 * done, so such a command waits for a create in progress).
 */
int ur_load_locked(struct ur_context *ctx, const char *id, struct ur_state **ret, int *ret_lock,
                   struct ur_err **err)
{
        _cleanup_free_ char *dir = NULL;

        if (ur_validate_id(id, err) < 0)
                return -1;
        ur_log_set_container(id);
        if (ur_fallback_dispatch(ctx, id, err) < 0)
                return -1;
        dir = ur_state_dir(ctx->root, id);
        if (!dir)
                return ur_err_set(err, ENOMEM, "container '%s'", id);
        for (int attempt = 0;; attempt++) {
                _cleanup_close_ int lock = -1;
                struct stat a, b;
                int r;

                lock = ur_state_lock(dir, err);
                if (lock == -ENOENT || lock == -ENOTDIR) {
                        ur_err_free(err);
                        return ur_err_set(err, 0, "container '%s' does not exist", id), -ENOENT;
                }
                if (lock < 0)
                        return -1;
                r = ur_state_load(ctx->root, id, ret, err);
                if (r < 0)
                        return r;
                /* The directory locked must be the one read: not one that a
                 * delete removed and a create made anew meanwhile. */
                if ((fstat(lock, &a) == 0 && stat(dir, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) ||
                    attempt == 3) {
                        *ret_lock = TAKE_FD(lock);
                        return 0;
                }
                ur_state_free(*ret);
                *ret = NULL;
        }
}

/* The status under the lock: no create is running then, so a state it did
 * not commit is what a killed create left. */
enum ur_status ur_status_locked(const struct ur_state *st)
{
        if (st->bare || st->uncommitted)
                return UR_STATUS_STOPPED;
        return ur_state_status(st);
}
