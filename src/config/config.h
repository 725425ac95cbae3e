/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * /etc/urunc/config.toml (URUNC_CONFIG overrides the path).  Upstream urunc's
 * keys ([log], [timestamps], [monitors.<name>]) plus urunc's own
 * ([runtime], [systemd]).  A missing file means defaults; a malformed one is
 * an error naming the file and the line.  The parser accepts the TOML
 * subset these files use: [table] and [table.sub] headers (segments bare
 * or quoted), dotted keys, key = "string" (TOML escapes incl. \uXXXX),
 * 'literal', decimal integer (sign, "_" between digits), boolean, "#"
 * comments, blank lines, CRLF.  Anything else (arrays, inline tables,
 * floats, dates, multi-line strings, [[arrays of tables]]) and duplicate
 * keys/tables are errors "FILE:LINE: ..." naming the key and value.
 *
 * Known keys:
 *   [log]            level (panic|fatal|error|warn|warning|info|debug|trace),
 *                    syslog (bool)
 *   [timestamps]     enabled (bool), destination (non-empty string)
 *   [monitors.NAME]  NAME one of qemu, firecracker, hvt, spt, cloud-hypervisor:
 *                    default_memory_mb (>= 1), default_vcpus (1..1024),
 *                    binary_path, data_path ("" = unset), overhead_mb (>= 0),
 *                    accel (auto|kvm|tcg) and machine (qemu only; a warning
 *                    elsewhere)
 *   [runtime]        fallback ("" = unset), timeout (1..86400 seconds)
 *   [systemd]        cgroup_manager (auto|systemd|cgroupfs|none),
 *                    slice (a unit name ending in ".slice"), console_to_journal,
 *                    register_machine (bool)
 *   [security]       policy_dir (seccomp policies; "" = URUNC_DATADIR/seccomp),
 *                    seccomp_log (bool: log instead of kill, for debugging a
 *                    policy), confine (bool: the monitor's private root)
 * Unknown tables, keys and monitor names are logged as warnings and
 * ignored (forward compatible); a wrong type, a bad enum value or an out of
 * range number is an error naming the line.
 *
 * Defaults: log.level "info", syslog false; timestamps disabled, destination
 * "/var/log/urunc/timestamps.log"; every monitor 256 MiB, 1 vCPU, accel
 * auto, no binary/data path or machine; overheads qemu 64 MiB, firecracker
 * 16, hvt 8, spt 8, cloud-hypervisor 32; runtime.fallback NULL (runc),
 * timeout 30 s; systemd.cgroup_manager auto, slice "urunc.slice",
 * console_to_journal false, register_machine false; security.policy_dir
 * NULL, seccomp_log false, confine true; network.mode takeover.
 */

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"
#include "vm/vm.h"

#define UR_CONFIG_DEFAULT_PATH "/etc/urunc/config.toml"
#define UR_CONFIG_ENV "URUNC_CONFIG"

enum ur_accel {
        UR_ACCEL_AUTO,
        UR_ACCEL_KVM,
        UR_ACCEL_TCG,
};

enum ur_cgroup_manager {
        UR_CGROUP_AUTO,     /* systemd when the host runs it, else cgroupfs */
        UR_CGROUP_SYSTEMD,
        UR_CGROUP_CGROUPFS,
        UR_CGROUP_NONE,     /* no cgroup handling at all */
};

struct ur_vmm_cfg {
        char *name;                 /* "qemu", "firecracker", "hvt", "spt", "cloud-hypervisor" */
        uint64_t default_memory_mib;/* default_memory_mb (upstream's key; read as MiB) */
        unsigned default_vcpus;
        char *binary_path;          /* NULL = search $PATH for the default binary */
        char *data_path;            /* firmware/data dir (qemu -L) */
        uint64_t overhead_mib;      /* monitor's own memory, subtracted from the limit */
        bool overhead_set;          /* overhead_mib comes from the file, not the default */
        enum ur_accel accel;        /* qemu only */
        char *machine;              /* qemu only: override the machine type, NULL = per guest */
};

struct ur_config {
        char *path;                 /* the file read, or NULL for defaults */
        struct {
                char *level;        /* "info" default; "debug" enables debug */
                bool syslog;
        } log;
        struct {
                bool enabled;
                char *destination;  /* file to append timestamps to */
        } timestamps;
        struct {
                char *fallback;     /* runtime for non-unikernel containers, NULL = runc, else crun */
                unsigned timeout_sec;/* bound of every internal wait (default 30) */
        } runtime;
        struct {
                enum ur_cgroup_manager cgroup_manager;
                char *slice;        /* default "urunc.slice" */
                bool console_to_journal;
                bool register_machine; /* systemd-machined, class vm */
        } systemd;
        struct {
                char *policy_dir;   /* NULL = URUNC_DATADIR "/seccomp" */
                bool seccomp_log;   /* SCMP_ACT_LOG instead of killing (default false) */
                bool confine;       /* confined monitor root (default true) */
        } security;
        struct {
                enum ur_net_mode mode; /* default UR_NET_TAKEOVER */
        } network;
        struct ur_vmm_cfg *monitors; /* one per known monitor, defaults filled */
        unsigned n_monitors;
};

/* path NULL: $URUNC_CONFIG when set and non-empty, else the default path.
 * A missing file at the default path means defaults (cfg->path NULL); a
 * path given explicitly (argument or $URUNC_CONFIG) must exist.  The file
 * is bounded to 1 MiB. */
int ur_config_load(const char *path, struct ur_config **ret, ur_err *err);
/* Parse from memory; name is used in messages. */
int ur_config_parse(const char *text, const char *name, struct ur_config **ret, ur_err *err);
/* A config with all defaults. */
int ur_config_defaults(struct ur_config **ret, ur_err *err);
void ur_config_free(struct ur_config *cfg);
static inline void ur_config_freep(struct ur_config **c)
{
        ur_config_free(*c);
}
#define _cleanup_config_ __attribute__((cleanup(ur_config_freep)))

/* Per-monitor settings, NULL for an unknown monitor name. */
const struct ur_vmm_cfg *ur_config_monitor(const struct ur_config *cfg, const char *name);

int ur_accel_from_string(const char *s, enum ur_accel *ret);
const char *ur_accel_to_string(enum ur_accel a);
