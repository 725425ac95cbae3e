/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The VM description: the meeting point of the OCI spec, the unikernel
 * metadata, the config and the network.  Monitor and guest backends turn
 * it into an argv (and config files) without touching the system.
 */

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

/* How the guest gets the container's network (src/net/net.h). */
enum ur_net_mode {
        UR_NET_TAKEOVER, /* default: the guest takes over the pod's interface (tc redirect) */
        UR_NET_ROUTED,   /* the guest sits behind the namespace on a private /30, DNAT + masquerade */
};

/* The modes' names, indexed by enum ur_net_mode, NULL-terminated (also the
 * config's network.mode values). */
extern const char *const ur_net_mode_names[];
/* "takeover" / "routed" <-> enum; -1 for an unknown name (NULL for an
 * unknown mode). */
int ur_net_mode_from_string(const char *s, enum ur_net_mode *ret);
const char *ur_net_mode_to_string(enum ur_net_mode m);

struct ur_vm_net {
        bool enabled;
        enum ur_net_mode mode; /* input of ur_net_setup */
        char ports[384];       /* routed mode: published ports ("80,udp/53"), "" = all TCP and UDP */
        char tap_name[16];   /* host tap device */
        int tap_fd;          /* an open tap fd to hand to the monitor, or -1 */
        char mac[18];        /* guest MAC "aa:bb:cc:dd:ee:ff" */
        char ip[16];         /* guest IPv4 dotted quad */
        unsigned prefix;     /* 0..32 */
        char netmask[16];    /* dotted quad of prefix */
        char gateway[16];    /* may be "" */
        unsigned mtu;        /* 0 = default */
        char dns[16];        /* first nameserver, may be "" */
};

struct ur_vm_block {
        char *path;          /* host path of the image */
        char *mountpoint;    /* where the guest mounts it, may be NULL */
        bool readonly;
        bool device;         /* a host block device (useDMBlock's rootfs device): bound into the
                              * confined root as a device node, not pinned */
};

/* A directory or filesystem the guest mounts (from the spec's mounts,
 * src/vm/storage.c). */
enum ur_share_kind {
        UR_SHARE_9P,    /* a host directory over virtio-9p (QEMU's local fsdev) */
        UR_SHARE_TMPFS, /* a fresh tmpfs inside the guest: nothing on the host */
        UR_SHARE_VIRTIOFS, /* a host directory through virtiofsd (vhost-user-fs) */
        UR_SHARE_BLOCK, /* a host block device as a virtio-blk disk (serial = tag) */
};

struct ur_vm_share {
        enum ur_share_kind kind;
        char *tag;      /* 9p/virtiofs tag ("vol0", ...), block: virtio serial ("blk0", ...);
                         * NULL for tmpfs */
        char *source;   /* host directory (9p, virtiofs) or block device; NULL for tmpfs */
        char *dest;     /* where the guest mounts it (absolute) */
        char *options;  /* tmpfs: the size=/mode=/nr_inodes= options kept, may be NULL;
                         * block: the filesystem type ("ext4", "auto") */
        bool readonly;  /* the share itself is read-only (9p: readonly=on, bound ro) */
};

/* A bind mount copied into the guest's initrd (src/vm/initrd.c), for
 * a guest that cannot share it: a snapshot taken at create. */
struct ur_vm_copy {
        char *source;  /* host file or directory */
        char *dest;    /* its path in the guest (absolute) */
        bool readonly; /* the write bits are cleared */
};

/* The 9p/virtiofs tag of the shared rootfs (mountRootfs). */
#define UR_ROOTFS_TAG "rootfs"

/* What kind of image the kernel file is (ur_kernel_probe reads it). */
enum ur_boot_format {
        UR_BOOT_UNKNOWN,
        UR_BOOT_PVH,        /* ELF with a Xen PVH entry note: qemu microvm, firecracker */
        UR_BOOT_MULTIBOOT,  /* multiboot v1 header: qemu pc (option-ROM loader) */
        UR_BOOT_LINUX,      /* bzImage (or vmlinux without PVH note) */
        UR_BOOT_SOLO5,      /* solo5 ELF (hvt/spt) */
        UR_BOOT_ELF,        /* ELF with neither PVH note nor multiboot header (a plain
                             * vmlinux): firecracker's 64-bit Linux boot only */
};

/* "pvh", "multiboot", ... for messages. */
const char *ur_boot_format_name(enum ur_boot_format f);

struct ur_solo5_info;

struct ur_vm {
        char *id;               /* container id */
        char *hostname;         /* may be NULL */
        char *guest;            /* guest family: "unikraft", "linux", ... */
        char *monitor;          /* "qemu", "firecracker", "hvt", "spt", "cloud-hypervisor" */
        char *monitor_binary;   /* absolute path of the monitor executable */
        char *monitor_data_path;/* e.g. qemu -L, may be NULL */
        char *kernel;           /* host path */
        enum ur_boot_format boot; /* probed from the kernel file by the core */
        char *initrd;           /* host path or NULL */
        char *unikernel_version;/* may be NULL */
        char *cmdline;          /* metadata cmdline, used when argv is empty; may be NULL */
        char **argv;            /* guest argv (process.args), may be NULL/empty */
        char **env;             /* guest env (process.env) */
        char *rootfs;           /* container rootfs host path (for shared fs), may be NULL */
        bool share_rootfs;      /* pass rootfs to the guest (mountRootfs): a 9p share
                                 * tagged UR_ROOTFS_TAG, the guest's root */
        struct ur_vm_share *shares; /* the spec's mounts the guest takes, in the spec's order */
        unsigned n_shares;
        struct ur_vm_copy *copies; /* bind mounts copied into the initrd, in the spec's order */
        unsigned n_copies;
        uint64_t copies_bytes;  /* what the copies add to the initrd (at create) */
        bool dm_root;           /* blocks[0] is the block device the rootfs is mounted from
                                 * (useDMBlock): create copies the kernel and initrd out and
                                 * unmounts the rootfs (src/vm/dmblock.c) */
        bool rootfs_readonly;   /* the shared rootfs is read-only (spec root.readonly) */
        bool virtiofs;          /* shared directories (and the shared rootfs) go through
                                 * virtiofsd rather than 9p (annotation com.urunc.sharedfs) */
        char *virtiofsd;        /* absolute path of virtiofsd when virtiofs is used */
        struct ur_solo5_info *solo5; /* a Solo5 kernel's notes, read once at create; NULL: the
                                      * backend reads them from kernel */
        struct ur_vm_block *blocks;
        unsigned n_blocks;
        uint64_t mem_mib;       /* guest RAM */
        unsigned vcpus;
        bool kvm;               /* true: KVM, false: TCG/emulation (accel already resolved) */
        char *machine;          /* qemu machine override or NULL (backend picks) */
        char *state_dir;        /* container state dir: qmp socket, config files */
        bool seccomp;           /* monitor's own sandbox (qemu -sandbox, firecracker seccomp) */
        struct ur_vm_net net;
        unsigned tsc_khz;       /* host TSC frequency (ur_host_tsc_khz), 0 = unknown; a
                                 * Linux guest on qemu microvm under TCG needs it */
        bool net_possible;      /* the container has a network namespace of its own, so
                                 * start may give the guest a NIC (vm->net is only filled
                                 * in at start): create's dry build checks against it */
        bool net_decided;       /* start has set vm->net up (or found nothing to set up):
                                 * vm->net.enabled is final */
        char *solo5_net_dev;    /* solo5 NIC name (annotation solo5NetDev), may be NULL */
        char *solo5_blk_dev;    /* solo5 block device name (annotation solo5BlkDev), may be NULL */
        /* The application's user and working directory (spec process.user,
         * process.cwd; cwd may be NULL), for guests whose init applies them. */
        unsigned uid, gid;
        char *cwd;
        /* A raw disk holding the guest's configuration (guest config_disk),
         * attached read-only after every other virtio-blk disk; set by
         * ur_vm_build_exec in its copy of the description, else NULL. */
        const char *config_disk;
};

/*
 * A Solo5 kernel's notes (solo5 include/elf_abi.h, mft_abi.h): the ABI1
 * note says which tender it is built for, the MFT1 note (the manifest)
 * lists the devices it declares, in order.  The tender refuses a kernel
 * for another target and any declared device left unattached.
 */
enum ur_solo5_target {
        UR_SOLO5_TARGET_UNKNOWN = 0, /* no ABI1 note */
        UR_SOLO5_TARGET_HVT = 1,
        UR_SOLO5_TARGET_SPT = 2,
        UR_SOLO5_TARGET_VIRTIO = 3,
        UR_SOLO5_TARGET_MUEN = 4,
        UR_SOLO5_TARGET_GENODE = 5,
        UR_SOLO5_TARGET_XEN = 6,
};
#define UR_SOLO5_NAME_MAX 67    /* characters of a device name */
#define UR_SOLO5_MAX_DEVICES 63 /* 64 entries, the first one reserved */

enum ur_solo5_dev_type {
        UR_SOLO5_DEV_BLOCK = 1, /* MFT_DEV_BLOCK_BASIC */
        UR_SOLO5_DEV_NET = 2,   /* MFT_DEV_NET_BASIC */
};

struct ur_solo5_dev {
        char name[UR_SOLO5_NAME_MAX + 1];
        enum ur_solo5_dev_type type;
};

struct ur_solo5_info {
        unsigned target; /* enum ur_solo5_target (raw value when unknown to us) */
        unsigned abi_version;
        bool has_manifest; /* an MFT1 note was found (and is valid) */
        unsigned n_devs;   /* devices in declared order, without the reserved entry */
        struct ur_solo5_dev devs[UR_SOLO5_MAX_DEVICES];
};

/* Read the ABI1 and MFT1 notes of the Solo5 kernel at path.  A kernel
 * without an ABI1 note gets target UNKNOWN; without an MFT1 note,
 * has_manifest false; a malformed note is an error naming the kernel. */
int ur_solo5_info_read(const char *path, struct ur_solo5_info *ret, struct ur_err **err);
/* "hvt", "spt", "virtio", ..., or "unknown". */
const char *ur_solo5_target_name(unsigned target);

void ur_vm_init(struct ur_vm *vm);
/* Read the kernel's headers and tell its boot format. */
int ur_kernel_probe(const char *path, enum ur_boot_format *ret, struct ur_err **err);
/* The host's TSC frequency in kHz (what a TCG guest's TSC runs at), measured
 * against CLOCK_MONOTONIC_RAW over a few milliseconds.  For vm->tsc_khz. */
int ur_host_tsc_khz(unsigned *ret, struct ur_err **err);
void ur_vm_done(struct ur_vm *vm);

/* A file a monitor needs written before exec (e.g. firecracker's config). */
struct ur_exec_file {
        char *path;
        char *content;
};

/* What the monitor process execs. */
struct ur_exec {
        char **argv;
        char **env;              /* NULL = inherit nothing special (empty env + PATH) */
        struct ur_exec_file *files;
        unsigned n_files;
        bool pass_tap_fd;        /* the tap fd must stay open across exec */
        char *qmp_path;          /* QEMU's QMP socket, which the supervisor watches; NULL = none */
};

void ur_exec_done(struct ur_exec *ex);
