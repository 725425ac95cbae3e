/* SPDX-License-Identifier: Apache-2.0 */
#include "systemd/journal.h"

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "systemd/escape.h"
#include "util/cleanup.h"
#include "util/strv.h"

static struct {
        char *id;
        char *unit;
} override;

/* A datagram socket connected to journald (ur_journal_pin), or -1. */
static int pinned_fd = -1;

int ur_journal_pin(void)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        if (pinned_fd >= 0)
                return 0;
        strcpy(sa.sun_path, UR_JOURNAL_SOCKET);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        pinned_fd = fd;
        return 0;
}

int ur_journal_pinned_fd(void)
{
        return pinned_fd;
}

/* journald's native protocol: "KEY=value\n", or for a value with a newline
 * "KEY\n", its length (64-bit little endian), the value, "\n". */
static void send_pinned(char **fields)
{
        size_t size = 0, at = 0;
        char *buf;

        for (size_t i = 0; fields[i]; i++)
                size += strlen(fields[i]) + 1 + 8 + 1;
        buf = malloc(size);
        if (!buf)
                return;
        for (size_t i = 0; fields[i]; i++) {
                const char *f = fields[i], *eq = strchr(f, '='), *val = eq ? eq + 1 : "";
                size_t klen = eq ? (size_t) (eq - f) : strlen(f), vlen = strlen(val);

                memcpy(buf + at, f, klen);
                at += klen;
                if (!strchr(val, '\n')) {
                        buf[at++] = '=';
                } else {
                        uint64_t le = htole64((uint64_t) vlen);
                        buf[at++] = '\n';
                        memcpy(buf + at, &le, 8);
                        at += 8;
                }
                memcpy(buf + at, val, vlen);
                at += vlen;
                buf[at++] = '\n';
        }
        (void) send(pinned_fd, buf, at, MSG_NOSIGNAL | MSG_DONTWAIT);
        free(buf);
}

void ur_journal_set_unit(const char *id, const char *unit)
{
        free(override.id);
        free(override.unit);
        override.id = id && unit ? strdup(id) : NULL;
        override.unit = id && unit ? strdup(unit) : NULL;
}

bool ur_journal_available(void)
{
        return access(UR_JOURNAL_SOCKET, F_OK) == 0;
}

char **ur_journal_fields(int prio, const char *container_id, const char *unit, const char *msg)
{
        _cleanup_strv_ char **v = NULL;
        _cleanup_free_ char *scope = NULL;

        if (ur_strv_addf(&v, "MESSAGE=%s", msg ? msg : "") < 0 ||
            ur_strv_addf(&v, "PRIORITY=%d", LOG_PRI(prio)) < 0 ||
            ur_strv_add(&v, "SYSLOG_IDENTIFIER=urunc") < 0)
                return NULL;
        if (container_id && *container_id) {
                if (!unit) {
                        scope = ur_scope_name(container_id);
                        if (!scope)
                                return NULL;
                        unit = scope;
                }
                if (ur_strv_addf(&v, "URUNC_CONTAINER_ID=%s", container_id) < 0 ||
                    ur_strv_addf(&v, "OBJECT_SYSTEMD_UNIT=%s", unit) < 0)
                        return NULL;
        }
        return TAKE_PTR(v);
}

void ur_journal_log(int prio, const char *container_id, const char *msg)
{
        const char *unit = container_id && ur_streq(container_id, override.id) ? override.unit : NULL;
        _cleanup_strv_ char **v = ur_journal_fields(prio, container_id, unit, msg);
        struct iovec iov[8];
        size_t n = 0;

        if (!v)
                return;
        if (pinned_fd >= 0) {
                send_pinned(v);
                return;
        }
        for (; v[n] && n < ELEMENTSOF(iov); n++)
                iov[n] = (struct iovec){ .iov_base = v[n], .iov_len = strlen(v[n]) };
        (void) sd_journal_sendv(iov, (int) n);
}

int ur_journal_stdio(const char *identifier, struct ur_err **err)
{
        /* No level prefixes: "<3>" in the guest's output is text. */
        _cleanup_close_ int fd = sd_journal_stream_fd(identifier, LOG_INFO, 0);

        if (fd < 0)
                return ur_err_set(err, -fd, "console to the journal: connecting to journald");
        if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
                return ur_err_set(err, errno, "console to the journal");
        return 0;
}
