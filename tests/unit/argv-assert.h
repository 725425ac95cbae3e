/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Golden-argv helpers shared by the unit tests of the VMM backends: an argv
 * is compared with the expected array element by element (never as a
 * joined string).  Include after <cmocka.h> and "vm/build.h".
 */

#include <string.h>

/* argv equals want[] (NULL-terminated), element by element. */
static inline void argv_is(char *const *argv, const char *const *want)
{
        size_t i = 0;

        assert_non_null(argv);
        for (; want[i]; i++) {
                if (!argv[i])
                        fail_msg("argv ends at %zu, want '%s'", i, want[i]);
                if (strcmp(argv[i], want[i]) != 0)
                        fail_msg("argv[%zu] = '%s', want '%s'", i, argv[i], want[i]);
        }
        if (argv[i])
                fail_msg("argv[%zu] = '%s' is one too many", i, argv[i]);
}

/* ur_vm_build_exec(vm) succeeds into *ex. */
static inline void build_ok(const struct ur_vm *vm, struct ur_exec *ex)
{
        struct ur_err *err = NULL;

        memset(ex, 0, sizeof(*ex));
        if (ur_vm_build_exec(vm, ex, &err) < 0)
                fail_msg("build: %s", ur_err_msg(err));
}
