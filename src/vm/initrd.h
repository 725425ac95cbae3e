/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Bind mounts copied into the guest's initrd (urunc(8) STORAGE), for a
 * guest whose root filesystem is its initrd and that cannot share them:
 * the container's initrd followed by a newc cpio archive of the copies
 * (the Linux kernel unpacks concatenated archives, compressed or not).
 * When the initrd is itself an uncompressed newc archive, the copies go
 * into that archive before its trailer, so that an extractor that stops
 * at the first trailer (Unikraft's) reads them too.
 *
 * Each copy is the destination's parent directories (mode 0755), then the
 * source: a file, or a directory with its tree (directories, regular
 * files, symbolic links as links; anything else is an error), owned by
 * root, with its host mode bits, the write bits cleared for a read-only
 * mount.  Later members replace earlier ones of the same name.
 */

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"
#include "vm/vm.h"

/* At most this many bytes of file data are copied into one initrd. */
#define UR_INITRD_COPY_MAX (64u << 20)
/* The extended initrd's name in the monitor's state dir. */
#define UR_INITRD_NAME "initrd.img"

/* Check source (a file or a directory tree) as a copy would take it and
 * add its file data to *bytes; what names the mount in messages. */
int ur_initrd_copy_check(const char *source, const char *what, uint64_t *bytes, struct ur_err **err);

/* True when the file at path starts as a newc cpio archive. */
bool ur_initrd_is_newc(const char *path);

/* Write to out_fd the initrd read from in_fd followed by vm->copies. */
int ur_initrd_write(const struct ur_vm *vm, int in_fd, int out_fd, struct ur_err **err);

/* When vm has copies: write the extended initrd into dir (a file of
 * UR_INITRD_NAME, mode 0644) from the initrd vm names (from *pin_fd, its
 * pin, when there is one), and make vm->initrd name
 * <vm->state_dir>/UR_INITRD_NAME, where the monitor sees dir (and *pin_fd
 * the new file). */
int ur_initrd_extend(struct ur_vm *vm, int *pin_fd, const char *dir, struct ur_err **err);
