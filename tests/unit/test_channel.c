/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sd-bus channel between a urunc command and the monitor process, over
 * socketpairs with a forked server serving a test object on an sd-event
 * loop (as the monitor process does): calls, error propagation with the
 * message, the exec handshake (disconnect = exec'd, ExecFailed = error),
 * bounded waits, more than one peer at a time and the idle deadline.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "init/channel.h"
#include "util/proc.h"
#include "util/time.h"

static bool stop;
static int mode; /* what Start does */
static sd_event *event;

enum { START_EXEC_OK, START_EXEC_ANNOUNCED, START_EXEC_FAIL, START_HANG };

static int m_ok(sd_bus_message *m, void *u, sd_bus_error *e)
{
        return sd_bus_reply_method_return(m, "");
}

static int m_fail(sd_bus_message *m, void *u, sd_bus_error *e)
{
        struct ur_err *err = NULL;
        const char *arg;
        int r;

        sd_bus_message_read(m, "s", &arg);
        ur_err_set(&err, 0, "createRuntime hook '%s' failed with exit status 1", arg);
        r = ur_channel_reply_error(m, err);
        ur_err_free(&err);
        return r;
}

static int m_slow(sd_bus_message *m, void *u, sd_bus_error *e)
{
        sleep(3);
        return sd_bus_reply_method_return(m, "");
}

static int m_start(sd_bus_message *m, void *u, sd_bus_error *e)
{
        stop = true;
        sd_event_exit(event, 0);
        return sd_bus_reply_method_return(m, "");
}

/* The server's loop ends when its last peer is gone: 0 on hang-up, 2 when
 * a peer's idle deadline passed. */
static unsigned n_peers;

static void on_gone(struct ur_channel_peer *p, bool timed_out, void *userdata)
{
        if (timed_out)
                sd_event_exit(event, 2);
        else if (--n_peers == 0)
                sd_event_exit(event, 0);
}

static const sd_bus_vtable vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Ok", "", "", m_ok, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Fail", "s", "", m_fail, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Slow", "", "", m_slow, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Start", "", "", m_start, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL("Exec", "", 0),
        SD_BUS_SIGNAL("ExecFailed", "s", 0),
        SD_BUS_VTABLE_END,
};

/* Fork a server with n peers (socketpairs; the client's ends in fds),
 * each given up after idle_usec without a message (0: never).  It exits
 * with its loop's code, or goes on as a monitor process after Start. */
static pid_t serve_n(int *fds, unsigned n, uint64_t idle_usec, int what)
{
        int sp[4][2];
        pid_t pid;

        assert_true(n <= 4);
        for (unsigned i = 0; i < n; i++)
                assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp[i]), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct ur_channel_peer *peers[4] = { NULL };
                sd_bus *bus = NULL;
                struct ur_err *err = NULL;
                int r;

                mode = what;
                if (sd_event_new(&event) < 0)
                        _exit(3);
                for (unsigned i = 0; i < n; i++) {
                        close(sp[i][0]);
                        if (ur_channel_peer_add(event, sp[i][1], vtable, NULL, idle_usec, on_gone, &peers[i],
                                                &err) < 0)
                                _exit(3);
                }
                n_peers = n;
                r = sd_event_loop(event);
                if (!stop)
                        _exit(r);
                bus = ur_channel_peer_steal(peers[0]);
                /* Start was answered: what a monitor process does next. */
                sd_bus_flush(bus);
                if (mode == START_EXEC_OK)
                        _exit(0); /* like execve (or a death): our end of the socket closes */
                if (mode == START_EXEC_ANNOUNCED) {
                        sd_bus_emit_signal(bus, UR_BUS_PATH, UR_BUS_IFACE, "Exec", "");
                        sd_bus_flush(bus);
                        _exit(0); /* then execve */
                }
                if (mode == START_EXEC_FAIL) {
                        sd_bus_emit_signal(bus, UR_BUS_PATH, UR_BUS_IFACE, "ExecFailed", "s",
                                           "exec monitor '/nonexistent': No such file or directory");
                        sd_bus_flush(bus);
                        _exit(127);
                }
                sleep(5); /* START_HANG: neither exec nor report */
                _exit(0);
        }
        for (unsigned i = 0; i < n; i++) {
                close(sp[i][1]);
                fds[i] = sp[i][0];
        }
        return pid;
}

static pid_t serve(int *ret_fd, int what)
{
        return serve_n(ret_fd, 1, 0, what);
}

static void reap(pid_t pid)
{
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

static void test_call_ok_and_error(void **state)
{
        sd_bus *bus = NULL;
        struct ur_err *err = NULL;
        int fd;
        pid_t pid = serve(&fd, START_EXEC_OK);

        assert_int_equal(ur_channel_open_fd(fd, &bus, &err), 0);
        assert_int_equal(ur_channel_call(bus, "Ok", 5000000, &err, ""), 0);
        assert_null(err);
        /* The peer's error comes back with its message, not a generic one. */
        assert_true(ur_channel_call(bus, "Fail", 5000000, &err, "s", "/bin/false") < 0);
        assert_string_equal(ur_err_msg(err), "createRuntime hook '/bin/false' failed with exit status 1");
        ur_err_free(&err);
        /* Unknown method: an error naming it. */
        assert_true(ur_channel_call(bus, "Nope", 5000000, &err, "") < 0);
        assert_non_null(strstr(ur_err_msg(err), "Nope"));
        ur_err_free(&err);
        sd_bus_flush_close_unref(bus);
        reap(pid);
}

static void test_call_timeout(void **state)
{
        sd_bus *bus = NULL;
        struct ur_err *err = NULL;
        int fd;
        pid_t pid = serve(&fd, START_EXEC_OK);
        long long t0;

        assert_int_equal(ur_channel_open_fd(fd, &bus, &err), 0);
        t0 = ur_now_ms();
        assert_true(ur_channel_call(bus, "Slow", 300000, &err, "") < 0);
        assert_true(ur_now_ms() - t0 < 2000);
        assert_non_null(strstr(ur_err_msg(err), "did not answer Slow"));
        ur_err_free(&err);
        sd_bus_flush_close_unref(bus);
        reap(pid);
}

static void test_peer_gone(void **state)
{
        sd_bus *bus = NULL;
        struct ur_err *err = NULL;
        int fd;
        pid_t pid = serve(&fd, START_EXEC_OK);

        assert_int_equal(ur_channel_open_fd(fd, &bus, &err), 0);
        reap(pid);
        assert_true(ur_channel_call(bus, "Ok", 2000000, &err, "") < 0);
        assert_non_null(strstr(ur_err_msg(err), "went away"));
        ur_err_free(&err);
        sd_bus_flush_close_unref(bus);
}

static void test_exec_handshake(void **state)
{
        sd_bus *bus = NULL;
        struct ur_err *err = NULL;
        int fd, status;
        bool announced = true;
        pid_t pid;

        /* Reply, then the connection closes (the fds close on exec, or the
         * process died): success, not announced. */
        pid = serve(&fd, START_EXEC_OK);
        assert_int_equal(ur_channel_open_fd(fd, &bus, &err), 0);
        assert_int_equal(ur_channel_call(bus, "Start", 5000000, &err, ""), 0);
        assert_int_equal(ur_channel_wait_exec(bus, 5000000, &announced, &err), 0);
        assert_null(err);
        assert_false(announced);
        sd_bus_flush_close_unref(bus);
        waitpid(pid, &status, 0);

        /* Reply, Exec, then the connection closes: an exec. */
        pid = serve(&fd, START_EXEC_ANNOUNCED);
        assert_int_equal(ur_channel_open_fd(fd, &bus, &err), 0);
        assert_int_equal(ur_channel_call(bus, "Start", 5000000, &err, ""), 0);
        assert_int_equal(ur_channel_wait_exec(bus, 5000000, &announced, &err), 0);
        assert_true(announced);
        sd_bus_flush_close_unref(bus);
        waitpid(pid, &status, 0);

        /* Reply, then ExecFailed: the message reaches the caller. */
        pid = serve(&fd, START_EXEC_FAIL);
        assert_int_equal(ur_channel_open_fd(fd, &bus, &err), 0);
        assert_int_equal(ur_channel_call(bus, "Start", 5000000, &err, ""), 0);
        assert_true(ur_channel_wait_exec(bus, 5000000, NULL, &err) < 0);
        assert_string_equal(ur_err_msg(err), "exec monitor '/nonexistent': No such file or directory");
        ur_err_free(&err);
        sd_bus_flush_close_unref(bus);
        waitpid(pid, &status, 0);

        /* Reply, then nothing: bounded. */
        pid = serve(&fd, START_HANG);
        assert_int_equal(ur_channel_open_fd(fd, &bus, &err), 0);
        assert_int_equal(ur_channel_call(bus, "Start", 5000000, &err, ""), 0);
        assert_true(ur_channel_wait_exec(bus, 300000, NULL, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "did not exec"));
        ur_err_free(&err);
        sd_bus_flush_close_unref(bus);
        reap(pid);
}

/* A peer that stays silent does not keep another from being answered. */
static void test_two_peers(void **state)
{
        sd_bus *quiet = NULL, *bus = NULL;
        struct ur_err *err = NULL;
        int fds[2], status;
        pid_t pid = serve_n(fds, 2, 0, START_EXEC_OK);

        assert_int_equal(ur_channel_open_fd(fds[0], &quiet, &err), 0);
        assert_int_equal(ur_channel_open_fd(fds[1], &bus, &err), 0);
        assert_int_equal(ur_channel_call(bus, "Ok", 2000000, &err, ""), 0);
        assert_null(err);
        assert_int_equal(ur_channel_call(quiet, "Ok", 2000000, &err, ""), 0);
        sd_bus_flush_close_unref(bus);
        sd_bus_flush_close_unref(quiet);
        /* Both gone: the server's loop ends on its own. */
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

/* A peer silent for longer than its deadline is given up. */
static void test_idle_deadline(void **state)
{
        sd_bus *bus = NULL;
        struct ur_err *err = NULL;
        int fd, status;
        long long t0 = ur_now_ms();
        pid_t pid = serve_n(&fd, 1, 400000, START_EXEC_OK);

        assert_int_equal(ur_channel_open_fd(fd, &bus, &err), 0);
        /* A message re-arms the deadline. */
        usleep(150000);
        assert_int_equal(ur_channel_call(bus, "Ok", 2000000, &err, ""), 0);
        usleep(150000);
        assert_int_equal(ur_channel_call(bus, "Ok", 2000000, &err, ""), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 2);
        assert_true(ur_now_ms() - t0 >= 700);
        assert_true(ur_channel_call(bus, "Ok", 2000000, &err, "") < 0);
        assert_non_null(strstr(ur_err_msg(err), "went away"));
        ur_err_free(&err);
        sd_bus_flush_close_unref(bus);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_call_ok_and_error),
                cmocka_unit_test(test_call_timeout),
                cmocka_unit_test(test_peer_gone),
                cmocka_unit_test(test_exec_handshake),
                cmocka_unit_test(test_two_peers),
                cmocka_unit_test(test_idle_deadline),
        };
        signal(SIGPIPE, SIG_IGN);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
