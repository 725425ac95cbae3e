/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VMM registry: the backends by name (ur_vm_build_exec in
 * src/vm/build.c puts guest and VMM together).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vmm.h"

extern const struct ur_vmm_ops ur_vmm_qemu, ur_vmm_firecracker, ur_vmm_hvt,
        ur_vmm_spt, ur_vmm_cloud_hypervisor;

static const struct ur_vmm_ops *const monitors[] = {
        &ur_vmm_qemu, &ur_vmm_firecracker, &ur_vmm_hvt,
        &ur_vmm_spt, &ur_vmm_cloud_hypervisor, NULL,
};

const struct ur_vmm_ops *const *ur_vmm_all(void)
{
        return monitors;
}

const struct ur_vmm_ops *ur_vmm_find(const char *name)
{
        if (!name)
                return NULL;
        for (size_t i = 0; monitors[i]; i++)
                if (strcmp(monitors[i]->name, name) == 0)
                        return monitors[i];
        return NULL;
}
