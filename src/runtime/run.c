/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/runtime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "net/net.h"
#include "runtime/internal.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/log.h"

static volatile pid_t run_pid;

/* The signal that asked run to stop (TERM, INT, HUP, QUIT), if any. */
static volatile sig_atomic_t stop_signal;

static void forward_signal(int sig)
{
        if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT)
                stop_signal = sig;
        if (run_pid > 0)
                kill(run_pid, sig);
}

/*
 * sd_notify for run.  runc hands $NOTIFY_SOCKET to the container, whose
 * process then says READY=1 itself; a unikernel cannot, so urunc run keeps
 * the socket to itself (the monitor and the VMM never see it) and speaks for
 * the guest.
 */
static char *notify_socket;

static void notify(const char *msg)
{
        int r;

        if (!notify_socket)
                return;
        if (setenv("NOTIFY_SOCKET", notify_socket, 1) < 0)
                return;
        r = sd_notify(1, msg);
        if (r < 0)
                ur_log_warning("sd_notify '%s': %s", msg, strerror(-r));
}

/* The guest's IPv4 address: the one urunc gave it, found on the interface
 * of its network namespace (joined in a child: this process stays put). */
static int guest_address(const char *netns, char ret[16], struct ur_err **err)
{
        int fd, p[2], status = 0;
        ssize_t n;
        pid_t pid;

        fd = open(netns, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return ur_err_set(err, errno, "open network namespace '%s'", netns);
        if (pipe2(p, O_CLOEXEC) < 0) {
                close(fd);
                return ur_err_set(err, errno, "pipe");
        }
        pid = fork();
        if (pid < 0) {
                close(fd);
                close(p[0]);
                close(p[1]);
                return ur_err_set(err, errno, "fork");
        }
        if (pid == 0) {
                struct ur_net_info info = { 0 };

                close(p[0]);
                if (setns(fd, CLONE_NEWNET) < 0 || ur_net_discover(&info, NULL) < 0 || !info.found)
                        _exit(1);
                _exit(write(p[1], info.ip, strlen(info.ip)) > 0 ? 0 : 1);
        }
        close(fd);
        close(p[1]);
        n = RETRY_EINTR(read(p[0], ret, 15));
        close(p[0]);
        RETRY_EINTR(waitpid(pid, &status, 0));
        if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return ur_err_set(err, 0, "no IPv4 address in network namespace '%s'", netns);
        ret[n] = '\0';
        return 0;
}

/* One connect() to ip:port, bounded by 100 ms: 1 when it is accepted. */
static int port_answers(const char *ip, unsigned port)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
        struct pollfd pfd;
        int fd, r = 0, e = 0;
        socklen_t len = sizeof(e);

        if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
                return 0;
        fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return 0;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0) {
                r = 1;
        } else if (errno == EINPROGRESS) {
                pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
                if (poll(&pfd, 1, 100) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 && e == 0)
                        r = 1;
        }
        close(fd);
        return r;
}

/*
 * Until the guest's port answers (1), or the container exits first (0,
 * *status set).  No bound of its own: the unit's TimeoutStartSec= is it.
 */
static int wait_port(struct ur_context *ctx, const char *id, pid_t pid, unsigned port, int *status,
                     struct ur_err **err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        _cleanup_free_ char *ns = NULL;
        char ip[16];

        if (ur_load(ctx, id, &st, err) < 0)
                return -1;
        if (st->netns_path)
                ns = strdup(st->netns_path);
        else if (asprintf(&ns, "/proc/%d/ns/net", (int) pid) < 0)
                ns = NULL;
        if (!ns)
                return ur_err_set(err, ENOMEM, "run");
        if (guest_address(ns, ip, err) < 0)
                return ur_err_wrap(err, "waiting for port %u of container '%s'", port, id);
        ur_log_info("container '%s': waiting for %s:%u to answer", id, ip, port);
        for (;;) {
                pid_t w = waitpid(pid, status, WNOHANG);

                if (w == pid)
                        return 0;
                if (port_answers(ip, port)) {
                        ur_log_info("container '%s': %s:%u answers", id, ip, port);
                        return 1;
                }
                usleep(20000);
        }
}

int ur_run(struct ur_context *ctx, const struct ur_create_opts *o, bool detach, bool keep, int *ret_status,
           struct ur_err **err)
{
        static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
        struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };
        pid_t pid = 0;
        int status = 0;
        bool exited = false;

        if (getenv("NOTIFY_SOCKET")) {
                free(notify_socket);
                notify_socket = strdup(getenv("NOTIFY_SOCKET"));
                unsetenv("NOTIFY_SOCKET");
        }
        if (ur_create(ctx, o, &pid, err) < 0)
                return -1;
        run_pid = pid;
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaction(forwarded[i], &sa, NULL);
        if (ur_start(ctx, o->id, err) < 0) {
                struct ur_err *e = NULL;
                int stopped_by = stop_signal;
                if (ur_delete(ctx, o->id, true, &e) < 0)
                        ur_log_warning("%s", ur_err_msg(e));
                ur_err_free(&e);
                if (stopped_by) {
                        /* Asked to stop while starting (systemctl stop during
                         * a restart, ^C): what was asked happened, no error. */
                        ur_log_info("container '%s' stopped by %s while starting (%s)", o->id,
                                    strsignal(stopped_by), ur_err_msg(*err));
                        ur_err_free(err);
                        run_pid = 0;
                        *ret_status = 128 + stopped_by;
                        ur_exit_logged = true;
                        return 0;
                }
                return -1;
        }
        if (notify_socket && o->ready_port > 0 && !detach) {
                struct ur_err *e = NULL;
                int r = wait_port(ctx, o->id, pid, o->ready_port, &status, &e);

                if (r < 0) {
                        ur_log_warning("%s", ur_err_msg(e));
                        ur_err_free(&e);
                }
                exited = r == 0;
        }
        if (!exited) {
                _cleanup_free_ char *msg = NULL;

                if (asprintf(&msg, "READY=1\nSTATUS=container '%s' is running%s", o->id,
                             o->ready_port > 0 ? ", its port answers" : "") < 0)
                        msg = NULL;
                notify(msg ? msg : "READY=1");
        }
        if (detach) {
                *ret_status = 0;
                return 0;
        }
        if (!exited && RETRY_EINTR(waitpid(pid, &status, 0)) < 0)
                return ur_err_set(err, errno, "wait for container '%s'", o->id);
        notify("STOPPING=1");
        run_pid = 0;
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        ur_log_info("container '%s' exited with status %d", o->id, *ret_status);
        ur_exit_logged = true;
        if (!keep) {
                struct ur_err *e = NULL;
                if (ur_delete(ctx, o->id, true, &e) < 0)
                        ur_log_warning("%s", ur_err_msg(e));
                ur_err_free(&e);
        }
        return 0;
}
