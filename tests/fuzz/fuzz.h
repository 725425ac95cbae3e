/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Shared helpers of the libFuzzer targets: a NUL-terminated copy of the
 * input, a quiet logger, and a private temporary directory under $TMPDIR
 * (run.sh points TMPDIR at a directory it removes afterwards).
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);

        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

static inline void fuzz_quiet(void)
{
        /* Warnings (unknown config keys, ...) would flood the fuzzer's output. */
        ur_log_set_quiet_stderr(true);
}

/* mkdtemp under $TMPDIR (default /tmp); aborts on failure. */
static inline char *fuzz_tempdir(const char *name)
{
        const char *tmp = getenv("TMPDIR");
        char *dir = NULL;

        if (asprintf(&dir, "%s/urunc-fuzz-%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name) < 0 || !mkdtemp(dir))
                abort();
        return dir;
}

#define FUZZ_CHECK(cond)                                                                                     \
        do {                                                                                                 \
                if (!(cond)) {                                                                               \
                        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);         \
                        abort();                                                                             \
                }                                                                                            \
        } while (0)
