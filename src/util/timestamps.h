/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Lifecycle timestamps, the [timestamps] section of config.toml (upstream
 * urunc has the same switch).  When enabled, every phase of create, start,
 * kill and delete appends one line to the destination file:
 *
 *     <container id> <phase> <CLOCK_REALTIME ns> <pid>\n
 *
 * e.g. "web1 create-cloned 1767225600123456789 4242".  The pid is the one
 * the host sees, also for the monitor process (the init of its own pid
 * namespace).  One write(2) per line on an O_APPEND descriptor, so the
 * runtime's processes (create, the monitor process, start) can append to
 * the same file at the same time without tearing lines.
 *
 * Off by default, and free when off: ur_ts_mark() is one branch on a cached
 * bool, no syscall.  A destination that cannot be opened is reported once
 * as a warning and disables the timestamps; it never fails a lifecycle
 * step.  Phases are listed in urunc(8) and tests/bench/README.md.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Longest line ur_ts_format() writes (ids are at most 1024 bytes). */
#define UR_TS_LINE_MAX 1200

extern bool ur_ts_enabled;

/* Called once by the CLI after reading the config; destination is copied.
 * No syscall: the file is opened at the first mark. */
void ur_ts_configure(bool enabled, const char *destination);

/* Append the line for phase now (slow path of ur_ts_mark). */
void ur_ts_record(const char *id, const char *phase);

static inline void ur_ts_mark(const char *id, const char *phase)
{
        if (__builtin_expect(ur_ts_enabled, 0))
                ur_ts_record(id, phase);
}

/* The line for one mark, NUL-terminated, into buf; returns its length
 * without the NUL, or -1 when it does not fit.  A NULL or empty id is "-";
 * bytes of id or phase that would break the line (whitespace, control
 * characters) become '_'. */
int ur_ts_format(char *buf, size_t size, const char *id, const char *phase, uint64_t realtime_ns, pid_t pid);
