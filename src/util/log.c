/* SPDX-License-Identifier: Apache-2.0 */
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

static struct {
        int fd;
        enum ur_log_format format;
        bool debug;
        bool quiet_stderr;
        bool stderr_errors_only;
        ur_log_journal_fn journal;
        char *container;
} log_state = { .fd = -1 };

int ur_log_init(const struct ur_log_options *opts)
{
        if (log_state.fd >= 0) {
                close(log_state.fd);
                log_state.fd = -1;
        }
        log_state.format = opts->format;
        log_state.debug = opts->debug;
        log_state.quiet_stderr = opts->quiet_stderr;
        log_state.stderr_errors_only = opts->stderr_errors_only;
        if (opts->path && *opts->path) {
                log_state.fd = open(opts->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (log_state.fd < 0)
                        return -errno;
        }
        return 0;
}

void ur_log_set_journal(ur_log_journal_fn fn)
{
        log_state.journal = fn;
}

void ur_log_set_quiet_stderr(bool quiet)
{
        log_state.quiet_stderr = quiet;
}

void ur_log_set_container(const char *id)
{
        free(log_state.container);
        log_state.container = id ? strdup(id) : NULL;
}

const char *ur_log_container(void)
{
        return log_state.container;
}

int ur_log_fd(void)
{
        return log_state.fd;
}

bool ur_log_debug_enabled(void)
{
        return log_state.debug;
}

void ur_rfc3339_now(char *buf, unsigned long size)
{
        struct timespec ts;
        struct tm tm;
        char base[32];

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf, size, "%s.%09ldZ", base, ts.tv_nsec);
}

static const char *level_name(int prio)
{
        switch (prio) {
        case LOG_EMERG:
        case LOG_ALERT:
        case LOG_CRIT:
        case LOG_ERR:
                return "error";
        case LOG_WARNING:
                return "warning";
        case LOG_NOTICE:
        case LOG_INFO:
                return "info";
        default:
                return "debug";
        }
}

static void write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return;
                }
                buf += n;
                len -= (size_t) n;
        }
}

/*
 * Messages quote user-supplied values (ids, paths, annotation values): on
 * a terminal or in a line-based log, control characters in them could
 * forge lines or drive the terminal.  The text sinks show them as \xNN
 * (JSON escapes them itself; the journal takes any bytes).  NULL when
 * nothing needs escaping.
 */
static char *escape_controls(const char *msg)
{
        size_t n = 0;
        char *out, *o;

        for (const unsigned char *p = (const unsigned char *) msg; *p; p++)
                if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
                        n++;
        if (n == 0)
                return NULL;
        out = malloc(strlen(msg) + 3 * n + 1);
        if (!out)
                return NULL;
        o = out;
        for (const unsigned char *p = (const unsigned char *) msg; *p; p++) {
                if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
                        o += sprintf(o, "\\x%02x", *p);
                else
                        *o++ = (char) *p;
        }
        *o = '\0';
        return out;
}

static void log_to_file(int prio, const char *msg)
{
        char ts[48];
        char *line = NULL;
        int n;

        ur_rfc3339_now(ts, sizeof(ts));
        if (log_state.format == UR_LOG_JSON) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "level", json_object_new_string(level_name(prio)));
                json_object_object_add(o, "msg", json_object_new_string(msg));
                json_object_object_add(o, "time", json_object_new_string(ts));
                n = asprintf(&line, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(o);
        } else {
                char *esc = escape_controls(msg);
                n = asprintf(&line, "time=\"%s\" level=%s msg=\"%s\"\n", ts, level_name(prio), esc ? esc : msg);
                free(esc);
        }
        if (n > 0)
                write_all(log_state.fd, line, (size_t) n);
        free(line);
}

/* Below errors: warnings (everything with --debug), unless --log has them. */
static bool stderr_wants(int prio)
{
        return !log_state.stderr_errors_only && (prio <= LOG_WARNING || log_state.debug);
}

void ur_log(int prio, const char *fmt, ...)
{
        int saved = errno;
        char *msg = NULL;
        va_list ap;

        if (prio >= LOG_DEBUG && !log_state.debug)
                goto out;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg)
                goto out;

        if (log_state.fd >= 0)
                log_to_file(prio, msg);
        if (!log_state.quiet_stderr && (prio <= LOG_ERR || stderr_wants(prio))) {
                char *line = NULL, *esc = escape_controls(msg);
                int n = asprintf(&line, "urunc: %s%s\n",
                                 prio <= LOG_ERR ? "" : prio == LOG_WARNING ? "warning: " : "",
                                 esc ? esc : msg);
                free(esc);
                if (n > 0)
                        write_all(STDERR_FILENO, line, (size_t) n);
                free(line);
        }
        if (log_state.journal && prio <= LOG_INFO)
                log_state.journal(prio, log_state.container, msg);
        free(msg);
out:
        errno = saved;
}
