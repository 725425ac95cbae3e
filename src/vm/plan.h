/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The plan: everything the container's VM needs, resolved once at create
 * from the spec, the unikernel metadata and the config.  The pre-exec
 * process (src/init/init.c) only carries it out: it joins the
 * namespaces, opens the pins (ur_plan_pin), plumbs the network the plan
 * wishes for, confines the monitor to the plan's binds, takes the plan's
 * credentials and seccomp policy and execs the plan's argv.
 *
 * ur_plan_build has no side effect: it reads the inputs (spec, metadata,
 * config, the kernel's headers, $PATH, /dev/kvm) and writes nothing.
 * ur_plan_pin is the one step that opens something: O_PATH fds of the
 * guest's files, taken in the mount namespace they are bound from.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "config/config.h"
#include "oci/metadata.h"
#include "oci/spec.h"
#include "util/error.h"
#include "vm/vm.h"

/* How a bind of the confined root is made. */
enum {
        UR_BIND_RO = 1 << 0,     /* read-only */
        UR_BIND_NOEXEC = 1 << 1, /* nothing there is executed */
        UR_BIND_DEV = 1 << 2,    /* a device node used as such (no nodev) */
        UR_BIND_PIN = 1 << 3,    /* a file of the guest's, pinned (ur_plan_pin) and bound from its fd */
};

/* A path of the guest's that the confined monitor sees at the same path. */
struct ur_plan_bind {
        char *path;       /* absolute host path */
        unsigned flags;   /* UR_BIND_* */
        const char *what; /* "kernel", "initrd", "block image", "shared directory", ... (messages) */
        int fd;           /* UR_BIND_PIN: O_PATH fd opened by ur_plan_pin, else -1 */
};

/* Who the monitor runs as (process.user). */
struct ur_plan_creds {
        uid_t uid;
        gid_t gid;
        gid_t *groups;
        size_t n_groups;
};

struct ur_plan {
        char *id;
        /* Sizing (mem_mib, vcpus, kvm), guest and monitor, kernel, initrd,
         * block images, shares, the network wishes (net.mode, net.ports,
         * net_possible): the input of the backends. */
        struct ur_vm vm;
        /* The monitor's argv and files as built at create, without a NIC:
         * start rebuilds them once the network is decided. */
        struct ur_exec exec;
        /* What the confined root holds of the guest's, in bind order:
         * shared directories first, then the pinned files over them. */
        struct ur_plan_bind *binds;
        unsigned n_binds;
        struct ur_plan_creds creds;
        bool confine;          /* the monitor gets its confined root ([security] confine) */
        bool own_proc;         /* it has a pid namespace of its own: a /proc in its root */
        char *seccomp_policy;  /* the policy's name (the monitor's), NULL: no filter of urunc's */
        bool seccomp_log;      /* log only ([security] seccomp_log) */
        char *seccomp_dir;     /* where the policies are ([security] policy_dir), NULL: the installed ones */
        bool spec_seccomp;     /* the spec has a linux.seccomp profile (not the monitor's: a log line says so) */
        bool console_journal;  /* console to the journal too (com.urunc.console) */
        bool register_machine; /* register with systemd-machined (com.urunc.register-machine) */
        bool set_hostname;     /* a UTS namespace of its own and a hostname (vm.hostname) */
        char *resolv_conf;     /* host source of the spec's /etc/resolv.conf mount, or NULL */
};

void ur_plan_init(struct ur_plan *p);
int ur_plan_build(const struct ur_config *cfg, const struct ur_spec *spec, const struct ur_metadata *md,
                  const char *id, const char *state_dir, struct ur_plan *p, struct ur_err **err);
/* The journal's and machined's wishes (console_journal, register_machine)
 * from the annotations, else the config; ur_plan_build calls it. */
int ur_plan_systemd_wishes(const struct ur_config *cfg, const struct ur_spec *spec, struct ur_plan *p,
                           struct ur_err **err);
/* The binds again from vm, after create changed its files (useDMBlock's
 * copies of the kernel and initrd in the state dir, ur_vm_dm_detach). */
int ur_plan_rebind(struct ur_plan *p, struct ur_err **err);
/* The bind of path, or NULL. */
struct ur_plan_bind *ur_plan_find_bind(struct ur_plan *p, const char *path);
/* Open the UR_BIND_PIN binds (O_PATH, regular files, resolved under rootfs
 * without leaving it): from here on the guest's files are these fds,
 * whatever the paths name later. */
int ur_plan_pin(struct ur_plan *p, const char *rootfs, struct ur_err **err);
void ur_plan_done(struct ur_plan *p);
