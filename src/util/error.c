/* SPDX-License-Identifier: Apache-2.0 */
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The contract's return value: -errnum, -EINVAL for errnum 0 (an error
 * about the input, not from a system call). */
static int err_ret(int errnum)
{
        return errnum > 0 ? -errnum : -EINVAL;
}

int ur_err_setv(struct ur_err **err, int errnum, const char *fmt, va_list ap)
{
        char *msg = NULL;
        struct ur_err *e;

        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        if (msg && errnum > 0) {
                char *full = NULL;

                if (asprintf(&full, "%s: %s", msg, strerror(errnum)) >= 0) {
                        free(msg);
                        msg = full;
                }
        }
        e = calloc(1, sizeof(*e));
        if (!e) {
                free(msg);
                return err_ret(errnum);
        }
        e->errnum = errnum;
        e->msg = msg;
        if (err) {
                ur_err_free(err);
                *err = e;
        } else {
                free(e->msg);
                free(e);
        }
        return err_ret(errnum);
}

int ur_err_set(struct ur_err **err, int errnum, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = ur_err_setv(err, errnum, fmt, ap);
        va_end(ap);
        return r;
}

int ur_err_set_at(struct ur_err **err, const char *name, unsigned line, const char *fmt, ...)
{
        char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return ur_err_set(err, ENOMEM, "%s:%u", name, line);
        r = ur_err_set(err, 0, "%s:%u: %s", name, line, msg);
        free(msg);
        return r;
}

int ur_err_wrap(struct ur_err **err, const char *fmt, ...)
{
        char *ctx = NULL, *full = NULL;
        va_list ap;

        if (!err)
                return -EINVAL;
        if (!*err)
                return ur_err_set(err, 0, "internal error: failure without a message");
        va_start(ap, fmt);
        if (vasprintf(&ctx, fmt, ap) < 0)
                ctx = NULL;
        va_end(ap);
        if (ctx && asprintf(&full, "%s: %s", ctx, (*err)->msg ? (*err)->msg : "unknown error") >= 0) {
                free((*err)->msg);
                (*err)->msg = full;
        }
        free(ctx);
        return err_ret((*err)->errnum);
}

void ur_err_free(struct ur_err **err)
{
        if (!err || !*err)
                return;
        free((*err)->msg);
        free(*err);
        *err = NULL;
}

const char *ur_err_msg(const struct ur_err *err)
{
        if (!err || !err->msg)
                return "unknown error";
        return err->msg;
}
