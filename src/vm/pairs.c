/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table of supported guest/monitor pairs, in one place.  It follows
 * upstream urunc's support matrix (urunc.io, pkg/unikontainers):
 *
 *   rumprun  - hvt, spt            (solo5 only: its images are solo5 ELFs)
 *   unikraft - qemu, firecracker
 *   mirage   - qemu, hvt, spt
 *   mewz     - qemu
 *   linux    - qemu, firecracker, cloud-hypervisor
 *   hermit   - qemu
 *   freebsd  - qemu (microvm), firecracker
 *
 * `urunc features`, the man page and the metadata validation all read it
 * from here.
 */
#include <stddef.h>
#include <string.h>

#include "vm/pairs.h"

const char *const ur_pair_guest_names[] = {
        "unikraft", "rumprun", "mirage", "mewz", "linux", "hermit", "freebsd", NULL,
};

const char *const ur_pair_vmm_names[] = {
        "qemu", "firecracker", "hvt", "spt", "cloud-hypervisor", NULL,
};

static const struct {
        const char *vmm;
        uint64_t mib;
} overheads[] = {
        { "qemu", 40 }, { "firecracker", 16 }, { "hvt", 8 }, { "spt", 8 }, { "cloud-hypervisor", 32 },
};

uint64_t ur_pair_vmm_overhead_mib(const char *vmm)
{
        for (size_t i = 0; vmm && i < sizeof(overheads) / sizeof(overheads[0]); i++)
                if (strcmp(overheads[i].vmm, vmm) == 0)
                        return overheads[i].mib;
        return 0;
}

static const struct ur_pair pairs[] = {
        { "unikraft", "qemu" },
        { "unikraft", "firecracker" },
        { "rumprun", "hvt" },
        { "rumprun", "spt" },
        { "mirage", "qemu" },
        { "mirage", "hvt" },
        { "mirage", "spt" },
        { "mewz", "qemu" },
        { "linux", "qemu" },
        { "linux", "firecracker" },
        { "linux", "cloud-hypervisor" },
        { "hermit", "qemu" },
        { "freebsd", "qemu" },
        { "freebsd", "firecracker" },
        { NULL, NULL },
};

const struct ur_pair *ur_pair_all(void)
{
        return pairs;
}

bool ur_pair_supported(const char *guest, const char *monitor)
{
        if (!guest || !monitor)
                return false;
        for (const struct ur_pair *p = pairs; p->guest; p++)
                if (strcmp(p->guest, guest) == 0 && strcmp(p->monitor, monitor) == 0)
                        return true;
        return false;
}
