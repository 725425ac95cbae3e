/* SPDX-License-Identifier: Apache-2.0 */
#include "util/timestamps.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/time.h"

bool ur_ts_enabled;
static char *destination;
static int ts_fd = -1;

void ur_ts_configure(bool enabled, const char *dest)
{
        free(destination);
        destination = dest && *dest ? strdup(dest) : NULL;
        ur_ts_enabled = enabled && destination;
        if (ts_fd >= 0) {
                close(ts_fd);
                ts_fd = -1;
        }
}

static size_t put_word(char *p, size_t room, const char *s)
{
        size_t n = 0;

        if (!s || !*s)
                s = "-";
        for (; s[n]; n++) {
                unsigned char c = (unsigned char) s[n];
                if (n >= room)
                        return (size_t) -1;
                p[n] = c <= ' ' || c == 0x7f ? '_' : (char) c;
        }
        return n;
}

int ur_ts_format(char *buf, size_t size, const char *id, const char *phase, uint64_t realtime_ns, pid_t pid)
{
        size_t len = 0, n;
        int r;

        if (size == 0)
                return -1;
        n = put_word(buf, size - 1, id);
        if (n == (size_t) -1 || n + 1 >= size)
                return -1;
        len = n;
        buf[len++] = ' ';
        n = put_word(buf + len, size - 1 - len, phase);
        if (n == (size_t) -1)
                return -1;
        len += n;
        r = snprintf(buf + len, size - len, " %llu %ld\n", (unsigned long long) realtime_ns, (long) pid);
        if (r < 0 || (size_t) r >= size - len)
                return -1;
        return (int) (len + (size_t) r);
}

/* The pid the host sees: inside its own pid namespace the monitor process
 * is 1, but /proc is still the host's (it is never remounted there). */
static pid_t host_pid(void)
{
        pid_t pid = getpid();
        char buf[32];
        ssize_t n;

        if (pid != 1)
                return pid;
        n = readlink("/proc/self", buf, sizeof(buf) - 1);
        if (n <= 0)
                return pid;
        buf[n] = '\0';
        return (pid_t) strtol(buf, NULL, 10);
}

static int open_destination(void)
{
        int fd = open(destination, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);

        if (fd < 0 && errno == ENOENT) {
                _cleanup_free_ char *dir = strdup(destination);
                char *slash = dir ? strrchr(dir, '/') : NULL;
                struct ur_err *e = NULL;

                if (slash && slash != dir) {
                        *slash = '\0';
                        if (ur_mkdir_p(dir, 0755, &e) < 0)
                                ur_err_free(&e);
                }
                fd = open(destination, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
        }
        return fd;
}

void ur_ts_record(const char *id, const char *phase)
{
        char line[UR_TS_LINE_MAX];
        /* The clock first: the time is that of the phase, not of the open. */
        uint64_t now = ur_clock_ns(CLOCK_REALTIME);
        int n;

        if (ts_fd < 0) {
                ts_fd = open_destination();
                if (ts_fd < 0) {
                        ur_log_warning("timestamps: cannot open '%s': %s (timestamps disabled)", destination,
                                       strerror(errno));
                        ur_ts_enabled = false;
                        return;
                }
        }
        n = ur_ts_format(line, sizeof(line), id, phase, now, host_pid());
        if (n < 0)
                return;
        /* One write: O_APPEND keeps concurrent writers' lines whole. */
        while (write(ts_fd, line, (size_t) n) < 0 && errno == EINTR)
                ;
}
