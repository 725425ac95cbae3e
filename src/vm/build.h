/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "util/error.h"
#include "vm/vm.h"

/* Build everything for vm: guest cmdline + monitor argv.  Errors name the
 * guest/monitor pair when unsupported. */
int ur_vm_build_exec(const struct ur_vm *vm, struct ur_exec *ret, struct ur_err **err);
