/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Unikernel metadata: the com.urunc.unikernel.* keys, read from config.json
 * annotations first, else from /urunc.json at the root of the rootfs.
 * Values may be base64 (standard alphabet), "b64:"-prefixed base64, or
 * plain text.  See COMPAT.md §3.
 */

#include <stdbool.h>

#include "oci/spec.h"
#include "util/error.h"

#define UR_ANNOT_PREFIX "com.urunc.unikernel."
#define UR_URUNC_JSON "urunc.json"
#define UR_URUNC_JSON_MAX_SIZE (64u << 10)

struct ur_metadata {
        char *source;            /* "annotations" or "urunc.json" (for messages) */
        char *unikernel_type;    /* required: unikraft|rumprun|mirage|mewz|linux|hermit */
        char *hypervisor;        /* required: qemu|firecracker|hvt|spt|cloud-hypervisor */
        char *binary;            /* required: kernel path inside the rootfs */
        char *cmdline;           /* optional */
        char *unikernel_version; /* optional */
        char *initrd;            /* optional, inside the rootfs */
        char *block;             /* optional, inside the rootfs */
        char *block_mnt_point;   /* optional */
        char *solo5_net_dev;     /* optional: solo5NetDev, the Solo5 NIC name */
        char *solo5_blk_dev;     /* optional: solo5BlkDev, the Solo5 block device name */
        bool use_dm_block;
        bool mount_rootfs;

        /* Host paths, resolved inside the rootfs (never outside it). */
        char *binary_path;
        char *initrd_path;
        char *block_path;
};

/* The annotations by which the CRI implementations mark a pod's sandbox
 * (pause) container: containerd's CRI plugin, and CRI-O. */
#define UR_ANNOT_CRI_CONTAINER_TYPE "io.kubernetes.cri.container-type"
#define UR_ANNOT_CRIO_CONTAINER_TYPE "io.kubernetes.cri-o.ContainerType"
#define UR_CRI_SANDBOX "sandbox"

/*
 * True when the spec is a pod's sandbox container (either annotation above
 * is "sandbox").  A sandbox is never a unikernel: containerd copies the
 * pod's annotations, com.urunc.unikernel.* included, into the pause
 * container's spec as well as into every container of the pod.
 */
bool ur_spec_is_sandbox(const struct ur_spec *spec);

/*
 * Returns 1 and sets *ret when the container is a unikernel, 0 (and *ret =
 * NULL) when there is no metadata at all or the container is a pod's
 * sandbox (ur_spec_is_sandbox; the fallback runtime's cases), and
 * a negative value with *err filled when metadata is present but wrong.
 * Validation: required keys, known guest and monitor names, supported
 * pair (ur_pair_supported), existing kernel/initrd/block files inside the
 * rootfs.  Messages name the source, the key and the value.
 */
int ur_metadata_load(const struct ur_spec *spec, struct ur_metadata **ret, struct ur_err **err);
void ur_metadata_free(struct ur_metadata *md);
static inline void ur_metadata_freep(struct ur_metadata **m)
{
        ur_metadata_free(*m);
}
#define _cleanup_metadata_ __attribute__((cleanup(ur_metadata_freep)))

/*
 * Decode one metadata value (base64, b64:-prefixed, or plain).  The rule,
 * in order:
 *   1. "b64:" prefix: the rest must be valid base64 and decode to text,
 *      else an error naming the key and the value.
 *   2. Otherwise, when the whole value is valid strict base64 (standard
 *      alphabet, "=" padding, length a multiple of 4, canonical trailing
 *      bits, no whitespace) and decodes to non-empty printable text (valid
 *      UTF-8 without control characters other than tab/CR/LF): the decoded
 *      text.  This is upstream's format (bunny/bima write base64).
 *   3. Otherwise the value as is (plain text).
 * So "qemu", "mewz", "true", "TRUE" (valid base64 but decoding to binary),
 * "linux", "hvt", "/unikernel/kernel", "0.16.1" (not valid base64) stay
 * plain.  The one ambiguity: plain text that happens to be base64 of
 * printable text (e.g. "Zm9v" -> "foo") is decoded; nothing marks a value
 * as plain, but no guest, monitor or absolute path name is affected (they
 * are not valid base64 or decode to binary).  key is used in messages.
 *
 * ur_metadata_load() also accepts JSON booleans for useDMBlock/mountRootfs
 * in /urunc.json; string booleans are "true"/"false" (any case), "1"/"0".
 * A key with an empty value counts as absent.  A /urunc.json that is
 * missing (or a dangling symlink) means no metadata; one that escapes the
 * rootfs, is malformed or larger than UR_URUNC_JSON_MAX_SIZE is an error;
 * one holding none of the keys means no metadata.
 */
int ur_metadata_decode(const char *key, const char *value, char **ret, struct ur_err **err);
