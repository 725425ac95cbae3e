/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The error contract (see docs/HACKING.md).
 *
 * A function that can fail returns -errno and, on failure, fills the error
 * object passed as its last parameter (-EINVAL for an error about its
 * input, not from a system call).  Callers add context on
 * the way up with ur_err_wrap().  Only the CLI prints errors and chooses the
 * exit status.  An error object is either NULL (no error) or owns a
 * heap-allocated message.
 */

#include <stdarg.h>

struct ur_err {
        int errnum;        /* errno value, 0 when not from a system call */
        char *msg;         /* full message, "context: ...: strerror" */
};

/* Set *err (which must be NULL) and return -errnum, or -EINVAL when errnum
 * is 0 (bad input).  When errnum is non-zero ": strerror(errnum)" is
 * appended. */
int ur_err_set(struct ur_err **err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int ur_err_setv(struct ur_err **err, int errnum, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));

/* An error about a line of a file: "name:line: message". Returns -EINVAL. */
int ur_err_set_at(struct ur_err **err, const char *name, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Prefix the message of an existing error with "context: " and return its
 * -errnum (-EINVAL for errnum 0).  When *err is NULL (a caller forgot to
 * fill it), makes a generic error. */
int ur_err_wrap(struct ur_err **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Free the error and set *err = NULL.  Accepts NULL and *err == NULL. */
void ur_err_free(struct ur_err **err);

/* The message, or "unknown error". */
const char *ur_err_msg(const struct ur_err *err);

#define _cleanup_err_ __attribute__((cleanup(ur_err_free)))
