/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <string.h>

#include "guest/guest.h"

extern const struct ur_guest_ops ur_guest_unikraft, ur_guest_rumprun, ur_guest_mirage,
        ur_guest_mewz, ur_guest_linux, ur_guest_hermit, ur_guest_freebsd;

static const struct ur_guest_ops *const guests[] = {
        &ur_guest_unikraft, &ur_guest_rumprun, &ur_guest_mirage,
        &ur_guest_mewz, &ur_guest_linux, &ur_guest_hermit, &ur_guest_freebsd, NULL,
};

const struct ur_guest_ops *const *ur_guest_all(void)
{
        return guests;
}

const struct ur_guest_ops *ur_guest_find(const char *name)
{
        if (!name)
                return NULL;
        for (size_t i = 0; guests[i]; i++)
                if (strcmp(guests[i]->name, name) == 0)
                        return guests[i];
        return NULL;
}
