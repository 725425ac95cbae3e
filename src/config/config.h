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
 * The keys, their types, ranges and defaults are one table, the schema
 * (ur_config_schema below, defined in config.c): the parser, the
 * defaults, ur_config_free and the CONFIGURATION section of man/urunc.8
 * (checked by the unit test config_doc) all come from it.  The monitors of
 * [monitors.NAME] are vm/pairs.c's VMM names (ur_pair_vmm_names), with their default
 * overhead_mb.  Unknown tables, keys and monitor names are logged as
 * warnings and ignored (forward compatible); a wrong type, a bad enum value
 * or an out of range number is an error naming the file, the line, the key
 * and the value.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/time.h"
#include "vm/vm.h"

#define UR_CONFIG_DEFAULT_PATH "/etc/urunc/config.toml"
#define UR_CONFIG_ENV "URUNC_CONFIG"

/* Defaults of [monitors.NAME] (also when there is no config at all). */
#define UR_DEFAULT_MEMORY_MIB 256
#define UR_DEFAULT_VCPUS 1

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
int ur_config_load(const char *path, struct ur_config **ret, struct ur_err **err);
/* Parse from memory; name is used in messages. */
int ur_config_parse(const char *text, const char *name, struct ur_config **ret, struct ur_err **err);
/* A config with all defaults. */
int ur_config_defaults(struct ur_config **ret, struct ur_err **err);
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

/* ---- the schema --------------------------------------------------------- */

enum ur_config_type {
        UR_CFG_BOOL,       /* bool */
        UR_CFG_UINT,       /* unsigned, in [min, max] */
        UR_CFG_U64,        /* uint64_t, in [min, max] */
        UR_CFG_STRING,     /* char *, checked by check (expect says what is valid) */
        UR_CFG_OPT_STRING, /* char *, "" = unset (NULL) */
        UR_CFG_WORD,       /* char *, one of names */
        UR_CFG_ENUM,       /* an enum: the index of the value in names */
};

/* The table of [monitors.NAME]: its keys' offsets are in struct ur_vmm_cfg. */
#define UR_CONFIG_MONITORS "monitors"

struct ur_config_key {
        const char *table; /* "log", ..., UR_CONFIG_MONITORS */
        const char *key;
        enum ur_config_type type;
        size_t offset;          /* in struct ur_config, or struct ur_vmm_cfg */
        int64_t def;            /* default of BOOL, UINT, U64 and ENUM (an index in names) */
        const char *def_string; /* default of the strings, NULL = unset */
        /* Default per monitor instead of def (from the monitor registry). */
        uint64_t (*monitor_default)(const char *monitor);
        int64_t min, max;             /* UINT, U64 */
        const char *const *names;     /* WORD, ENUM: the values, NULL-terminated */
        bool (*check)(const char *s); /* STRING */
        const char *expect;           /* STRING: a valid value, for messages and the man page */
        const char *only;             /* a monitor key only this monitor uses (a warning elsewhere) */
        size_t set_offset;            /* 0, or the offset of a bool set when the file gives the key */
        const char *doc;              /* one line for the man page */
};

/* The schema, in the order of the man page; *ret_n entries. */
const struct ur_config_key *ur_config_schema(size_t *ret_n);
