/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "config/config.h"
#include "oci/metadata.h"
#include "oci/spec.h"
#include "util/error.h"
#include "vm/vm.h"

/* Runtime knobs a container can set by annotation (plain text values). */
#define UR_ANNOT_ACCEL "com.urunc.accel"         /* auto | kvm | tcg */
#define UR_ANNOT_MACHINE "com.urunc.machine"     /* qemu machine type */
#define UR_ANNOT_CONSOLE "com.urunc.console"     /* journal | stdio: the guest console to the journal */
#define UR_ANNOT_REGISTER_MACHINE "com.urunc.register-machine" /* true | false */
#define UR_ANNOT_SHAREDFS "com.urunc.sharedfs"   /* 9p (default) | virtiofs: how directories are shared */

/* Smallest guest RAM we accept after subtracting the monitor's overhead. */
#define UR_MIN_GUEST_MIB 16

/*
 * Fill a VM description (of the network only the mode and published ports,
 * annotations com.urunc.network[.ports] or [network] mode) from the spec, the
 * metadata and the config: kernel, initrd, block, argv/env, memory
 * (limit - overhead, else the default), vCPUs (ceil(quota/period), else the
 * cpuset's size, else the default), accel, monitor binary.
 */
int ur_vm_from_spec(const struct ur_config *cfg, const struct ur_spec *spec, const struct ur_metadata *md,
                    const char *state_dir, struct ur_vm *vm, struct ur_err **err);

/* Whether the monitor gets seccomp: always, unless the annotation
 * com.urunc.seccomp is "unconfined" (any value other than "unconfined" or
 * "default" is an error naming it).  The spec's linux.seccomp plays no
 * part (see SECURITY in urunc(8)). */
int ur_vm_seccomp_wanted(const struct ur_spec *spec, bool *ret, struct ur_err **err);

/* Guest RAM in MiB for a memory limit in bytes (-1 = none). */
int ur_vm_memory(int64_t limit, uint64_t overhead_mib, uint64_t default_mib, uint64_t *ret_mib,
                 struct ur_err **err);
/* vCPUs: ceil(quota / period) (period 0 = the kernel's default 100 ms, as
 * for the scope), else the cpuset's size, else the default (else 1);
 * computed without overflow and clamped to host_cpus (0 = no clamp), which
 * *ret_clamped (may be NULL) reports. */
unsigned ur_vm_vcpus(int64_t quota, uint64_t period, const char *cpus, unsigned default_vcpus, unsigned host_cpus,
                     bool *ret_clamped);
/* 1 when /dev/kvm can create VMs here, 0 otherwise. */
int ur_kvm_usable(void);
