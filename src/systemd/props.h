/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The a(sv) property list of a transient unit, kept as data so that it can
 * be sent again without a property systemd rejected, and inspected by tests.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "util/error.h"
#include "util/strv.h" /* struct ur_kv */

#define UR_SYSTEMD_PROPERTY_PREFIX "org.systemd.property."

enum ur_prop_type {
        UR_PROP_BOOL,  /* b */
        UR_PROP_U64,   /* t */
        UR_PROP_I64,   /* x */
        UR_PROP_U32,   /* u */
        UR_PROP_I32,   /* i */
        UR_PROP_DOUBLE,/* d */
        UR_PROP_STR,   /* s */
        UR_PROP_PIDS,  /* au, one pid */
        UR_PROP_BYTES, /* ay */
};

struct ur_prop {
        char *name;
        enum ur_prop_type type;
        union {
                bool b;
                uint64_t t;
                int64_t x;
                double d;
        };
        char *s;        /* STR */
        uint8_t *bytes; /* BYTES */
        size_t n;
};

struct ur_props {
        struct ur_prop *v;
        size_t n;
};

void ur_props_done(struct ur_props *p);
/* The property of that name, or NULL. */
const struct ur_prop *ur_props_get(const struct ur_props *p, const char *name);
/* Adding a property replaces one of the same name.  -ENOMEM on failure. */
int ur_props_add_bool(struct ur_props *p, const char *name, bool v);
int ur_props_add_u64(struct ur_props *p, const char *name, uint64_t v);
int ur_props_add_str(struct ur_props *p, const char *name, const char *v);
int ur_props_add_pid(struct ur_props *p, const char *name, uint32_t pid);
int ur_props_add_bytes(struct ur_props *p, const char *name, const uint8_t *v, size_t n);
/* Takes ownership of pr's heap members, also on failure. */
int ur_props_add(struct ur_props *p, struct ur_prop *pr);

/*
 * One "org.systemd.property.<Name>" annotation → a property.  The name must
 * be PascalCase ([A-Z][A-Za-z0-9]+, 3 characters at least); PIDs cannot be
 * overridden.  As in runc, "<x>Sec" (lowercase letter before "Sec") becomes
 * "<x>USec" with the value in seconds.  The value is either typed the way
 * runc's GVariant text takes it — true/false, 'string' or "string",
 * "uint64 N", "int64 N", "uint32 N", "int32 N", "double D", "@t N" (and @x,
 * @u, @i, @b, @s, @d) — or, untyped, typed by the name the way systemd's
 * unit-file syntax would read it:
 *   - *USec / *Sec: a time span, "infinity" or a number with optional units
 *     us, ms, s, min, h, d, w ("1min 30s"); a bare number is µs for *USec
 *     and seconds for *Sec;
 *   - booleans: *Accounting, Delegate, DefaultDependencies, SendSIGKILL,
 *     SendSIGHUP, IgnoreOnIsolate, MemoryOOMGroup (yes/no/true/false/on/off/1/0);
 *   - sizes and counts (t): Memory{Min,Low,High,Max,SwapMax,ZSwapMax,Limit},
 *     TasksMax, CPUWeight, StartupCPUWeight, IOWeight, StartupIOWeight,
 *     CPUShares, StartupCPUShares, BlockIOWeight, StartupBlockIOWeight:
 *     "infinity" or a number with an optional K/M/G/T/P/E (1024-based)
 *     suffix;
 *   - CPUQuota: "NN%" → CPUQuotaPerSecUSec = NN * 10000;
 *   - AllowedCPUs, AllowedMemoryNodes, StartupAllowedCPUs,
 *     StartupAllowedMemoryNodes: a cpuset list → ay bitmask;
 *   - anything else: a string.
 * Errors name the annotation and its value.
 */
int ur_prop_from_annotation(const char *key, const char *value, struct ur_prop *ret, struct ur_err **err);
/* Every org.systemd.property.* annotation of the list, added (replacing). */
int ur_props_from_annotations(struct ur_props *p, const struct ur_kv *a, size_t n, struct ur_err **err);

/* Append the list as a(sv) to m, leaving out names in skip (may be NULL).
 * Returns a negative errno from sd-bus on failure. */
int ur_props_append(sd_bus_message *m, const struct ur_props *p, char *const *skip);
