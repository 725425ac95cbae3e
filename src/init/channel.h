/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The private sd-bus peer connection between a urunc command (create, start)
 * and the monitor process that will exec the VMM.  No bus daemon: create
 * talks over a socketpair, later commands over <state>/control.sock.
 *
 * Object /org/urunc/Monitor, interface org.urunc.Monitor1:
 *   Init()                 → the monitor process's namespace setup result
 *   RunHooks(s stage, s state)  runs a hook stage inside the container's namespaces
 *   Commit()               → create finished; keep waiting for Start
 *   Start(s state)         → network, startContainer hooks, confinement, then
 *                            (after the reply) execve of the monitor
 *   State()  → s           where the monitor process is: "creating",
 *                            "created", "starting" or "start-failed"
 *   signal ExecFailed(s message)  execve failed after the reply
 * Failures come back as the error org.urunc.Error.Failed with the message.
 */

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "util/error.h"

#define UR_BUS_PATH "/org/urunc/Monitor"
#define UR_BUS_IFACE "org.urunc.Monitor1"
#define UR_BUS_ERROR "org.urunc.Error.Failed"

/* Client side: over an fd (socketpair) or a socket path. */
int ur_channel_open_fd(int fd, sd_bus **ret, struct ur_err **err);
int ur_channel_open_path(const char *path, sd_bus **ret, struct ur_err **err);
/* Call a method with string arguments (types "" or "s" or "ss"), bounded. */
int ur_channel_call(sd_bus *bus, const char *method, uint64_t timeout_usec, struct ur_err **err,
                    const char *types, ...);
/* After Start() returned: wait until the peer disconnects (its fds close
 * on exec) or says ExecFailed, bounded.  *ret_announced: the peer said
 * Exec right before its execve (a disconnect without it is a death). */
int ur_channel_wait_exec(sd_bus *bus, uint64_t timeout_usec, bool *ret_announced, struct ur_err **err);

/*
 * Server side on an sd-event loop: any number of peers at a time, each an
 * sd-bus server connection attached to the loop.  A peer is given up when
 * it hangs up or when idle_usec (0: never; then its life bounds the wait)
 * passes without a message from it; either way gone() is called once
 * (timed_out tells which), after which the owner frees the peer with
 * ur_channel_peer_free (not from within gone: later, e.g. from a defer
 * source, or when the loop has ended).  Takes fd in all cases.
 */
struct ur_channel_peer;
/* A one-shot CLOCK_MONOTONIC timer usec_from_now; set again from now. */
int ur_event_add_timer(sd_event *e, sd_event_source **ret, uint64_t usec_from_now, sd_event_time_handler_t cb,
                       void *userdata);
int ur_event_rearm(sd_event_source *s, uint64_t usec_from_now);
typedef void (*ur_channel_gone_t)(struct ur_channel_peer *p, bool timed_out, void *userdata);
int ur_channel_peer_add(sd_event *e, int fd, const sd_bus_vtable *vtable, void *userdata, uint64_t idle_usec,
                        ur_channel_gone_t gone, struct ur_channel_peer **ret, struct ur_err **err);
sd_bus *ur_channel_peer_bus(const struct ur_channel_peer *p);
/* Off (hold) or back on (re-armed from now) the idle deadline: a call of
 * the peer's is worked on, under a deadline of its own. */
void ur_channel_peer_hold(struct ur_channel_peer *p, bool hold);
void ur_channel_peer_free(struct ur_channel_peer *p);
/* Free the peer but keep its connection, out of the loop: the caller's. */
sd_bus *ur_channel_peer_steal(struct ur_channel_peer *p);

/* Reply an error with a message (for method handlers). */
int ur_channel_reply_error(sd_bus_message *m, const struct ur_err *e);
