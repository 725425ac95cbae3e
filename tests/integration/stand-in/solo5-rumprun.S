/* SPDX-License-Identifier: Apache-2.0 */
/* Rumprun on solo5 declares its NIC "tap" and its disk "rootfs". */
#define MANIFEST "net:tap block:rootfs"
#include "solo5-note.S"
