/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define UR_CPUSET_MAX 8192u /* highest cpu or node number accepted + 1 (the kernel's NR_CPUS bound) */

/*
 * A cpuset list (linux.resources.cpu.cpus/mems, AllowedCPUs) → systemd's
 * "ay" bitmask: byte i bit j set = cpu (or node) 8*i+j; the mask is as long
 * as the highest set bit needs.  The syntax is the kernel's list format as
 * runc reads it (RangeToBits): items "N" or "N-M" (decimal digits, no blanks
 * inside) separated by ',', blanks around an item and empty items ignored.
 * A blank list gives n = 0 (unset); a reversed range, a number >=
 * UR_CPUSET_MAX, anything else, or a list of only empty items is an error
 * naming the list.
 */
int ur_cpuset_to_mask(const char *list, uint8_t **ret, size_t *ret_n, struct ur_err **err);

/* The number of CPUs (or nodes) in a list, 0 for a blank one. */
int ur_cpuset_count(const char *list, unsigned *ret, struct ur_err **err);
