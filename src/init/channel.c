/* SPDX-License-Identifier: Apache-2.0 */
#include "init/channel.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/proc.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/time.h"

static int finish_open(sd_bus *b, sd_bus **ret, const char *what, struct ur_err **err)
{
        int r;

        /* Peer connection: no Hello(), no bus daemon. */
        sd_bus_set_bus_client(b, 0);
        r = sd_bus_start(b);
        if (r < 0) {
                sd_bus_unref(b);
                return ur_err_set(err, -r, "connect to the monitor process (%s)", what);
        }
        *ret = b;
        return 0;
}

int ur_channel_open_fd(int fd, sd_bus **ret, struct ur_err **err)
{
        sd_bus *b = NULL;
        int r;

        r = sd_bus_new(&b);
        if (r < 0)
                return ur_err_set(err, -r, "sd_bus_new");
        r = sd_bus_set_fd(b, fd, fd);
        if (r < 0) {
                sd_bus_unref(b);
                return ur_err_set(err, -r, "sd_bus_set_fd");
        }
        return finish_open(b, ret, "socketpair", err);
}

int ur_channel_open_path(const char *path, sd_bus **ret, struct ur_err **err)
{
        _cleanup_free_ char *addr = NULL;
        sd_bus *b = NULL;
        int r;

        if (access(path, F_OK) < 0)
                return ur_err_set(err, errno, "control socket '%s'", path);
        if (asprintf(&addr, "unix:path=%s", path) < 0)
                return ur_err_set(err, ENOMEM, "control socket");
        r = sd_bus_new(&b);
        if (r < 0)
                return ur_err_set(err, -r, "sd_bus_new");
        r = sd_bus_set_address(b, addr);
        if (r < 0) {
                sd_bus_unref(b);
                return ur_err_set(err, -r, "control socket address '%s'", path);
        }
        return finish_open(b, ret, path, err);
}

int ur_channel_call(sd_bus *bus, const char *method, uint64_t timeout_usec, struct ur_err **err,
                    const char *types, ...)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, NULL, UR_BUS_PATH, UR_BUS_IFACE, method);
        if (r < 0)
                return ur_err_set(err, -r, "%s: build the call", method);
        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        if (r < 0) {
                sd_bus_message_unref(m);
                return ur_err_set(err, -r, "%s: build the call", method);
        }
        r = sd_bus_call(bus, m, timeout_usec, &e, &reply);
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        if (r < 0) {
                int e_errno = sd_bus_error_is_set(&e) ? sd_bus_error_get_errno(&e) : -r;
                if (e_errno == ENOTCONN || e_errno == ECONNRESET || e_errno == EPIPE) {
                        sd_bus_error_free(&e);
                        return ur_err_set(err, 0, "%s: the monitor process went away", method);
                }
                if (sd_bus_error_is_set(&e) && sd_bus_error_has_name(&e, UR_BUS_ERROR))
                        ur_err_set(err, 0, "%s", e.message ? e.message : "failed");
                else if (r == -ETIMEDOUT)
                        ur_err_set(err, 0, "the monitor process did not answer %s within %llu s", method,
                                   (unsigned long long) (timeout_usec / 1000000));
                else if (sd_bus_error_is_set(&e))
                        ur_err_set(err, 0, "%s: %s", method, e.message ? e.message : e.name);
                else
                        ur_err_set(err, -r, "%s: the monitor process went away", method);
                sd_bus_error_free(&e);
                return -1;
        }
        return 0;
}

struct exec_wait {
        char *failure;
        bool announced;
};

static int on_exec(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct exec_wait *w = userdata;

        w->announced = true;
        return 0;
}

static int on_exec_failed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct exec_wait *w = userdata;
        const char *msg = NULL;

        if (sd_bus_message_read(m, "s", &msg) >= 0 && !w->failure)
                w->failure = strdup(msg ? msg : "exec failed");
        return 0;
}

int ur_channel_wait_exec(sd_bus *bus, uint64_t timeout_usec, bool *ret_announced, struct ur_err **err)
{
        struct exec_wait w = { 0 };
        sd_bus_slot *slot = NULL, *slot_exec = NULL;
        long long deadline = ur_now_ms() + (long long) (timeout_usec / 1000);
        int r;

        r = sd_bus_match_signal(bus, &slot, NULL, UR_BUS_PATH, UR_BUS_IFACE, "ExecFailed", on_exec_failed, &w);
        if (r >= 0)
                r = sd_bus_match_signal(bus, &slot_exec, NULL, UR_BUS_PATH, UR_BUS_IFACE, "Exec", on_exec, &w);
        if (r < 0) {
                sd_bus_slot_unref(slot);
                return ur_err_set(err, -r, "wait for the monitor's exec");
        }
        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break; /* disconnected: the fds closed on exec (or the process died) */
                if (w.failure)
                        break;
                if (r > 0)
                        continue;
                long long left = deadline - ur_now_ms();
                if (left <= 0) {
                        sd_bus_slot_unref(slot);
                        sd_bus_slot_unref(slot_exec);
                        return ur_err_set(err, 0, "the monitor process did not exec within %llu s",
                                          (unsigned long long) (timeout_usec / 1000000));
                }
                r = sd_bus_wait(bus, (uint64_t) left * 1000);
                if (r < 0)
                        break;
        }
        sd_bus_slot_unref(slot);
        sd_bus_slot_unref(slot_exec);
        if (ret_announced)
                *ret_announced = w.announced;
        if (w.failure) {
                ur_err_set(err, 0, "%s", w.failure);
                free(w.failure);
                return -1;
        }
        return 0;
}

int ur_channel_reply_error(sd_bus_message *m, const struct ur_err *e)
{
        return sd_bus_reply_method_errorf(m, UR_BUS_ERROR, "%s", ur_err_msg(e));
}

/* ---- server side, on an sd-event loop ---- */

/* Deadlines on CLOCK_MONOTONIC, from now (sd-event's *_relative calls are
 * newer than the libsystemd urunc builds against). */
static int deadline_of(sd_event *e, uint64_t usec_from_now, uint64_t *ret)
{
        uint64_t now;
        int r = sd_event_now(e, CLOCK_MONOTONIC, &now);

        if (r < 0)
                return r;
        *ret = usec_from_now > UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + usec_from_now;
        return 0;
}

int ur_event_add_timer(sd_event *e, sd_event_source **ret, uint64_t usec_from_now, sd_event_time_handler_t cb,
                       void *userdata)
{
        uint64_t at;
        int r = deadline_of(e, usec_from_now, &at);

        return r < 0 ? r : sd_event_add_time(e, ret, CLOCK_MONOTONIC, at, 0, cb, userdata);
}

int ur_event_rearm(sd_event_source *s, uint64_t usec_from_now)
{
        uint64_t at;
        int r = deadline_of(sd_event_source_get_event(s), usec_from_now, &at);

        if (r >= 0)
                r = sd_event_source_set_time(s, at);
        return r < 0 ? r : sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

struct ur_channel_peer {
        sd_bus *bus;
        sd_event_source *deadline; /* NULL: none */
        uint64_t idle_usec;        /* the deadline, re-armed by every message from the peer */
        bool held;                 /* the deadline is off (a call of the peer's is being worked on) */
        ur_channel_gone_t gone;
        void *userdata;
};

static void peer_gone(struct ur_channel_peer *p, bool timed_out)
{
        ur_channel_gone_t gone = p->gone;

        p->gone = NULL;
        if (gone)
                gone(p, timed_out, p->userdata);
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct ur_channel_peer *p = userdata;

        ur_log_debug("control connection: no message within %llu s, dropped",
                     (unsigned long long) (p->idle_usec / 1000000));
        peer_gone(p, true);
        return 0;
}

static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        peer_gone(userdata, false);
        return 0;
}

static void rearm(struct ur_channel_peer *p)
{
        if (!p->deadline)
                return;
        if (p->held) {
                sd_event_source_set_enabled(p->deadline, SD_EVENT_OFF);
                return;
        }
        ur_event_rearm(p->deadline, p->idle_usec);
}

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        rearm(userdata);
        return 0; /* dispatch it */
}

int ur_channel_peer_add(sd_event *e, int fd, const sd_bus_vtable *vtable, void *userdata, uint64_t idle_usec,
                        ur_channel_gone_t gone, struct ur_channel_peer **ret, struct ur_err **err)
{
        struct ur_channel_peer *p = calloc(1, sizeof(*p));
        sd_id128_t id;
        int r;

        if (!p) {
                close(fd);
                return ur_err_set(err, ENOMEM, "control connection");
        }
        p->idle_usec = idle_usec;
        p->gone = gone;
        p->userdata = userdata;
        r = sd_bus_new(&p->bus);
        if (r < 0) {
                close(fd);
                free(p);
                return ur_err_set(err, -r, "sd_bus_new");
        }
        sd_id128_randomize(&id);
        if ((r = sd_bus_set_fd(p->bus, fd, fd)) < 0 || (r = sd_bus_set_server(p->bus, 1, id)) < 0 ||
            (r = sd_bus_set_anonymous(p->bus, 1)) < 0 ||
            (r = sd_bus_add_object_vtable(p->bus, NULL, UR_BUS_PATH, UR_BUS_IFACE, vtable, userdata)) < 0 ||
            (r = sd_bus_add_filter(p->bus, NULL, on_message, p)) < 0 ||
            (r = sd_bus_match_signal(p->bus, NULL, NULL, "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
                                     "Disconnected", on_disconnected, p)) < 0 ||
            (r = sd_bus_start(p->bus)) < 0 ||
            /* The owner decides what becomes of the connection when the
             * loop ends (the start's caller waits for Exec on it). */
            (r = sd_bus_set_close_on_exit(p->bus, 0)) < 0 ||
            (r = sd_bus_attach_event(p->bus, e, SD_EVENT_PRIORITY_NORMAL)) < 0 ||
            (idle_usec > 0 && (r = ur_event_add_timer(e, &p->deadline, idle_usec, on_deadline, p)) < 0)) {
                p->gone = NULL;
                ur_channel_peer_free(p);
                return ur_err_set(err, -r, "serve the control connection");
        }
        *ret = p;
        return 0;
}

sd_bus *ur_channel_peer_bus(const struct ur_channel_peer *p)
{
        return p->bus;
}

void ur_channel_peer_hold(struct ur_channel_peer *p, bool hold)
{
        p->held = hold;
        rearm(p);
}

void ur_channel_peer_free(struct ur_channel_peer *p)
{
        if (!p)
                return;
        sd_event_source_disable_unref(p->deadline);
        if (p->bus) {
                /* No flush: it would wait, unbounded, for a peer that never
                 * finished authenticating. */
                sd_bus_detach_event(p->bus);
                sd_bus_close_unref(p->bus);
        }
        free(p);
}

sd_bus *ur_channel_peer_steal(struct ur_channel_peer *p)
{
        sd_bus *bus = TAKE_PTR(p->bus);

        sd_bus_detach_event(bus);
        ur_channel_peer_free(p);
        return bus;
}
