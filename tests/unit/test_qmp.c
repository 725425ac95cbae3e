/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The supervisor's QMP watcher against a scripted QEMU on a unix socket in
 * a temporary directory: it connects once the socket appears (retrying,
 * never blocking), negotiates, asks query-status at once and after STOP,
 * and reports only the run states the VM never leaves by itself.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/proc.h"
#include "util/time.h"
#include "init/qmp.h"

struct fake {
        char dir[64];
        char path[128];
        int listen_fd;
        int conn;
};

static void fake_listen(struct fake *f)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(f->listen_fd >= 0);
        strcpy(sa.sun_path, f->path);
        assert_int_equal(bind(f->listen_fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(f->listen_fd, 1), 0);
}

static void fake_send(struct fake *f, const char *line)
{
        size_t n = strlen(line);
        assert_int_equal(write(f->conn, line, n), (ssize_t) n);
}

/* What the watcher sent, up to and including the next newline. */
static void fake_expect(struct fake *f, struct ur_qmp *q, const char *has)
{
        char buf[512];
        size_t len = 0;
        long long deadline = ur_now_ms() + 5000;

        while (ur_now_ms() < deadline) {
                struct pollfd p = { .fd = f->conn, .events = POLLIN };
                if (poll(&p, 1, 10) == 1) {
                        ssize_t n = read(f->conn, buf + len, 1);
                        assert_true(n == 1);
                        len++;
                        if (buf[len - 1] == '\n')
                                break;
                } else {
                        /* Let the watcher act on what it was sent. */
                        struct pollfd w = { .fd = ur_qmp_fd(q), .events = POLLIN };
                        if (w.fd >= 0 && poll(&w, 1, 0) == 1)
                                ur_qmp_input(q);
                }
                assert_true(len < sizeof(buf) - 1);
        }
        buf[len] = '\0';
        if (!strstr(buf, has))
                fail_msg("the watcher sent '%s', expected '%s'", buf, has);
}

/* Feed what the fake sent until the watcher has read it all. */
static void pump(struct ur_qmp *q)
{
        for (int i = 0; i < 50; i++) {
                struct pollfd w = { .fd = ur_qmp_fd(q), .events = POLLIN };
                if (w.fd < 0 || poll(&w, 1, 20) != 1)
                        return;
                ur_qmp_input(q);
        }
}

static void test_watch(void **state)
{
        (void) state;
        struct fake f = { .listen_fd = -1, .conn = -1 };
        long long t0 = ur_now_ms();
        struct ur_qmp *q;

        strcpy(f.dir, "/tmp/urunc-test-qmp.XXXXXX");
        assert_non_null(mkdtemp(f.dir));
        snprintf(f.path, sizeof(f.path), "%s/qmp.sock", f.dir);

        /* No socket yet: attempts are due again soon, none blocks. */
        q = ur_qmp_new(f.path, t0);
        assert_non_null(q);
        assert_int_equal(ur_qmp_timeout(q, t0), 0);
        ur_qmp_tick(q, t0);
        assert_int_equal(ur_qmp_fd(q), -1);
        assert_true(ur_qmp_timeout(q, t0) > 0 && ur_qmp_timeout(q, t0) <= 100);
        assert_true(ur_now_ms() - t0 < 50);

        fake_listen(&f);
        for (long long until = ur_now_ms() + 2000; ur_qmp_fd(q) < 0 && ur_now_ms() < until;) {
                usleep(1000);
                ur_qmp_tick(q, ur_now_ms());
        }
        assert_true(ur_qmp_fd(q) >= 0);
        assert_int_equal(ur_qmp_timeout(q, ur_now_ms()), -1);
        f.conn = accept4(f.listen_fd, NULL, NULL, SOCK_CLOEXEC);
        assert_true(f.conn >= 0);

        /* Greeting -> capabilities -> the status, at once. */
        fake_send(&f, "{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}\r\n");
        fake_expect(&f, q, "\"qmp_capabilities\"");
        fake_send(&f, "{\"return\": {}, \"id\": \"caps\"}\r\n");
        fake_expect(&f, q, "\"query-status\"");
        assert_true(ur_qmp_ready(q));
        fake_send(&f, "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": \"status\"}\r\n");
        pump(q);
        assert_null(ur_qmp_stopped_for_good(q));

        /* A plain pause is not the end. */
        fake_send(&f, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}\r\n");
        fake_expect(&f, q, "\"query-status\"");
        fake_send(&f, "{\"return\": {\"status\": \"paused\", \"running\": false}, \"id\": \"status\"}\r\n");
        pump(q);
        assert_null(ur_qmp_stopped_for_good(q));
        assert_false(ur_qmp_panicked(q));

        /* Events split across writes; a panic; then internal-error. */
        fake_send(&f, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"GUEST_PA");
        pump(q);
        fake_send(&f, "NICKED\", \"data\": {\"action\": \"pause\"}}\r\n");
        fake_expect(&f, q, "\"query-status\"");
        assert_true(ur_qmp_panicked(q));
        fake_send(&f, "{\"return\": {\"status\": \"internal-error\", \"running\": false}, \"id\": \"status\"}\r\n");
        pump(q);
        assert_string_equal(ur_qmp_stopped_for_good(q), "internal-error");

        /* QEMU goes away: no more attempts. */
        close(f.conn);
        pump(q);
        assert_int_equal(ur_qmp_fd(q), -1);
        assert_int_equal(ur_qmp_timeout(q, ur_now_ms()), -1);
        ur_qmp_free(q);
        close(f.listen_fd);
        unlink(f.path);
        rmdir(f.dir);
}

static void test_gives_up(void **state)
{
        (void) state;
        long long t0 = ur_now_ms();
        struct ur_qmp *q = ur_qmp_new("/nonexistent/qmp.sock", t0);

        /* After its 60 s, a missing socket is given up (the clock is ours). */
        ur_qmp_tick(q, t0);
        ur_qmp_tick(q, t0 + 61000);
        assert_int_equal(ur_qmp_timeout(q, t0 + 61000), -1);
        assert_int_equal(ur_qmp_fd(q), -1);
        ur_qmp_free(q);
        ur_qmp_free(NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_watch),
                cmocka_unit_test(test_gives_up),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
