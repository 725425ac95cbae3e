/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void ur_freep(void *p)
{
        free(*(void **) p);
}

static inline void ur_closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}

static inline void ur_fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}

#define _cleanup_free_ _cleanup_(ur_freep)
#define _cleanup_close_ _cleanup_(ur_closep)
#define _cleanup_fclose_ _cleanup_(ur_fclosep)

/* Hand ownership over: return the value and reset the variable. */
#define TAKE_PTR(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define TAKE_FD(fd) ({ int _t = (fd); (fd) = -1; _t; })

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Retry a system call on EINTR. */
#define RETRY_EINTR(expr) ({ __typeof__(expr) _r; do { _r = (expr); } while (_r < 0 && errno == EINTR); _r; })

static inline int ur_streq(const char *a, const char *b)
{
        return a && b && __builtin_strcmp(a, b) == 0;
}
