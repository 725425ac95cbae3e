/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The names urunc knows and the table of supported guest/VMM pairs
 * (src/vm/pairs.c).  Plain strings, no backend: the OCI layer validates
 * the unikernel metadata against it without including the registries.
 */

#include <stdbool.h>
#include <stdint.h>

/* The guest families and the VMMs ("monitors" in the metadata and the
 * config), NULL-terminated, in the order of the registries (guest/guest.c,
 * vmm/vmm.c; the unit test vmm checks that they agree). */
extern const char *const ur_pair_guest_names[];
extern const char *const ur_pair_vmm_names[];

/* A VMM's own memory beyond guest RAM in MiB, measured (tests/bench), the
 * default of [monitors.NAME] overhead_mb; 0 for a name it does not know. */
uint64_t ur_pair_vmm_overhead_mib(const char *vmm);

/* The table of supported guest/monitor pairs (COMPAT.md, upstream's). */
bool ur_pair_supported(const char *guest, const char *monitor);

struct ur_pair {
        const char *guest;
        const char *monitor;
};
/* Every supported pair, terminated by { NULL, NULL }; for `urunc features`. */
const struct ur_pair *ur_pair_all(void);
