/* SPDX-License-Identifier: Apache-2.0 */
#include "init/qmp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "util/log.h"
#include "util/cleanup.h"

/* QEMU creates its socket early in its start-up, but under load (TCG, a
 * busy host) that can take seconds: retry with a growing pause, for this
 * long, then give up (the container still works, only unwatched). */
#define CONNECT_FOR_MS 60000
#define RETRY_MIN_MS 1
#define RETRY_MAX_MS 100
#define LINE_MAX_BYTES 65536

struct ur_qmp {
        char *path;
        int fd;
        long long give_up_at;
        long long next_try;
        int pause_ms;
        bool ready;          /* capabilities negotiated */
        bool status_pending; /* a query-status is on its way */
        bool closed;         /* QEMU hung up: no more attempts */
        bool panicked;
        char *stopped; /* a run state the VM never leaves */
        char buf[LINE_MAX_BYTES];
        size_t len;
};

struct ur_qmp *ur_qmp_new(const char *path, long long now_ms)
{
        struct ur_qmp *q = calloc(1, sizeof(*q));

        if (!q)
                return NULL;
        q->path = strdup(path);
        if (!q->path) {
                free(q);
                return NULL;
        }
        q->fd = -1;
        q->give_up_at = now_ms + CONNECT_FOR_MS;
        q->next_try = now_ms;
        q->pause_ms = RETRY_MIN_MS;
        return q;
}

void ur_qmp_free(struct ur_qmp *q)
{
        if (!q)
                return;
        if (q->fd >= 0)
                close(q->fd);
        free(q->path);
        free(q->stopped);
        free(q);
}

int ur_qmp_fd(const struct ur_qmp *q)
{
        return q ? q->fd : -1;
}

long long ur_qmp_timeout(const struct ur_qmp *q, long long now_ms)
{
        if (!q || q->fd >= 0 || q->closed || q->next_try < 0)
                return -1;
        return q->next_try > now_ms ? q->next_try - now_ms : 0;
}

static void hang_up(struct ur_qmp *q)
{
        if (q->fd >= 0)
                close(q->fd);
        q->fd = -1;
        q->closed = true;
        q->next_try = -1;
}

void ur_qmp_tick(struct ur_qmp *q, long long now_ms)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd;

        if (!q || q->fd >= 0 || q->closed || q->next_try < 0 || now_ms < q->next_try)
                return;
        if (strlen(q->path) >= sizeof(sa.sun_path)) {
                ur_log_debug("QMP socket path '%s' is too long: the VM is not watched", q->path);
                q->next_try = -1;
                return;
        }
        strcpy(sa.sun_path, q->path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0) {
                q->fd = fd;
                q->next_try = -1;
                return;
        }
        if (fd >= 0)
                close(fd);
        if (now_ms >= q->give_up_at) {
                ur_log_debug("QMP socket '%s': %s; the VM is not watched", q->path, strerror(errno));
                q->next_try = -1;
                return;
        }
        q->next_try = now_ms + q->pause_ms;
        q->pause_ms = q->pause_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : q->pause_ms * 2;
}

static void send_cmd(struct ur_qmp *q, const char *text)
{
        size_t n = strlen(text);
        ssize_t w = send(q->fd, text, n, MSG_NOSIGNAL);

        /* A few dozen bytes into an empty socket buffer: all or nothing. */
        if (w != (ssize_t) n)
                hang_up(q);
}

static void ask_status(struct ur_qmp *q)
{
        if (q->status_pending || q->fd < 0)
                return;
        q->status_pending = true;
        send_cmd(q, "{\"execute\":\"query-status\",\"id\":\"status\"}\n");
}

static bool state_is_final(const char *s)
{
        static const char *const final[] = {"internal-error", "guest-panicked", "io-error", "shutdown",
                                            "watchdog"};

        for (size_t i = 0; i < ELEMENTSOF(final); i++)
                if (strcmp(s, final[i]) == 0)
                        return true;
        return false;
}

static const char *get_string(json_object *o, const char *k)
{
        json_object *v;

        if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static void handle(struct ur_qmp *q, json_object *o)
{
        json_object *v, *data = NULL;
        const char *ev, *id;

        if (json_object_object_get_ex(o, "QMP", &v)) {
                send_cmd(q, "{\"execute\":\"qmp_capabilities\",\"id\":\"caps\"}\n");
                return;
        }
        if ((ev = get_string(o, "event"))) {
                json_object_object_get_ex(o, "data", &data);
                if (strcmp(ev, "GUEST_PANICKED") == 0)
                        q->panicked = true;
                if (strcmp(ev, "SHUTDOWN") == 0 && ur_streq(get_string(data, "reason"), "guest-panic"))
                        q->panicked = true;
                if (strcmp(ev, "STOP") == 0 || strcmp(ev, "GUEST_PANICKED") == 0 ||
                    strcmp(ev, "SHUTDOWN") == 0)
                        ask_status(q);
                return;
        }
        id = get_string(o, "id");
        if (ur_streq(id, "caps") && json_object_object_get_ex(o, "return", &v)) {
                q->ready = true;
                /* Whatever happened before we were listening. */
                ask_status(q);
                return;
        }
        if (ur_streq(id, "status")) {
                const char *st = NULL;
                q->status_pending = false;
                if (json_object_object_get_ex(o, "return", &v))
                        st = get_string(v, "status");
                if (st && state_is_final(st) && !q->stopped)
                        q->stopped = strdup(st);
        }
}

void ur_qmp_input(struct ur_qmp *q)
{
        char *nl;
        ssize_t n;

        if (!q || q->fd < 0)
                return;
        n = recv(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n <= 0) {
                hang_up(q);
                return;
        }
        q->len += (size_t) n;
        q->buf[q->len] = '\0';
        while ((nl = memchr(q->buf, '\n', q->len))) {
                size_t line = (size_t) (nl - q->buf) + 1;
                json_object *o;

                *nl = '\0';
                o = json_tokener_parse(q->buf);
                if (o && json_object_is_type(o, json_type_object))
                        handle(q, o);
                if (o)
                        json_object_put(o);
                memmove(q->buf, q->buf + line, q->len - line);
                q->len -= line;
                if (q->fd < 0)
                        return;
        }
        /* QEMU's messages are small: a line this long is not QMP. */
        if (q->len >= sizeof(q->buf) - 1)
                hang_up(q);
}

const char *ur_qmp_stopped_for_good(const struct ur_qmp *q)
{
        return q ? q->stopped : NULL;
}

bool ur_qmp_panicked(const struct ur_qmp *q)
{
        return q && q->panicked;
}

bool ur_qmp_ready(const struct ur_qmp *q)
{
        return q && q->ready;
}
