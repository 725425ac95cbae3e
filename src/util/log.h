/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <syslog.h>

/*
 * Logging.  Priorities are syslog's (LOG_ERR ... LOG_DEBUG).  Library code
 * logs lifecycle events at LOG_INFO and details at LOG_DEBUG; only the CLI
 * configures the sinks:
 *   - stderr, text, LOG_WARNING and more severe (LOG_DEBUG with --debug);
 *     with --log only errors (as runc: engines read the error from the
 *     runtime's stderr, e.g. containerd's "container not running");
 *   - the --log file, text or JSON lines {"level","msg","time"}, LOG_INFO
 *     and more severe (all with --debug);
 *   - an optional journal sink (installed by the systemd layer).
 */

enum ur_log_format {
        UR_LOG_TEXT,
        UR_LOG_JSON,
};

struct ur_log_options {
        const char *path;          /* --log, NULL for none */
        enum ur_log_format format; /* --log-format */
        bool debug;                /* --debug */
        bool quiet_stderr;         /* no stderr sink at all */
        bool stderr_errors_only;   /* only LOG_ERR and worse on stderr (--log given) */
};

/* A journal sink: priority, the container id (may be NULL), the message. */
typedef void (*ur_log_journal_fn)(int prio, const char *container_id, const char *msg);

int ur_log_init(const struct ur_log_options *opts);
void ur_log_set_journal(ur_log_journal_fn fn);
/* Stop (or resume) writing to stderr, e.g. once stderr is the container's. */
void ur_log_set_quiet_stderr(bool quiet);
/* The container the next messages are about (copied; NULL clears). */
void ur_log_set_container(const char *id);
const char *ur_log_container(void);
bool ur_log_debug_enabled(void);
/* The --log file's fd, -1 when none (a process that closes its fds keeps it). */
int ur_log_fd(void);

void ur_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ur_log_error(...) ur_log(LOG_ERR, __VA_ARGS__)
#define ur_log_warning(...) ur_log(LOG_WARNING, __VA_ARGS__)
#define ur_log_notice(...) ur_log(LOG_NOTICE, __VA_ARGS__)
#define ur_log_info(...) ur_log(LOG_INFO, __VA_ARGS__)
#define ur_log_debug(...) ur_log(LOG_DEBUG, __VA_ARGS__)

/* RFC 3339 UTC timestamp with nanoseconds into buf (>= 40 bytes). */
void ur_rfc3339_now(char *buf, unsigned long size);
