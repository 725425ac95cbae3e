/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-probe: the timing helper of tests/bench/urunc-bench.  Times are
 * CLOCK_MONOTONIC, printed in milliseconds with microsecond digits, counted
 * from the moment just before fork+exec of the command.
 *
 *   bench-probe exec [--match TEXT] [--out FILE] [--timeout S] [--mntns PATH] -- CMD...
 *       Run CMD with its stdout on a pipe (stdin and stderr inherited),
 *       in the mount namespace PATH when given (joined after the fork, so
 *       it costs no extra exec).
 *       Prints "first=MS match=MS exit=MS status=N": first byte on stdout,
 *       first time TEXT was seen on stdout, exit of CMD (-1: never).  CMD's
 *       stdout is copied to FILE (else discarded).  Stops when CMD exits:
 *       a process it leaves behind (urunc create's monitor process) may
 *       hold the pipe open.  --timeout (default 120 s) kills CMD.
 *
 *   bench-probe http [--netns PATH] [--timeout S] [--interval-us N] [--cmd-out FILE] IP PORT [-- CMD...]
 *       A prober that enters the network namespace PATH and, every N us
 *       (default 1000), connects to IP:PORT, sends "GET / HTTP/1.0" and
 *       reads the answer, until one starts with "HTTP/1.x 200".  With CMD,
 *       CMD runs meanwhile (in the caller's namespaces), stdin from
 *       /dev/null, stdout and stderr to FILE (default /dev/null: a monitor
 *       it leaves running must not hold the caller's pipes).  Prints
 *       "cmd=MS status=N http=MS attempts=N" (cmd/status only with CMD).
 *       Exit status 0 when the answer came within the timeout (default 60).
 *
 *   bench-probe wait PID [TIMEOUT_S]
 *       Wait until PID is gone (pidfd); prints "gone=MS".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void print_ms(const char *key, int64_t t0, int64_t t)
{
        if (t < 0)
                printf("%s=-1", key);
        else
                printf("%s=%.3f", key, (double) (t - t0) / 1e6);
}

static int pidfd_open(pid_t pid)
{
        return (int) syscall(SYS_pidfd_open, pid, 0);
}

static int status_code(int st)
{
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static _Noreturn void usage(void)
{
        fprintf(stderr, "usage: bench-probe exec [--match TEXT] [--out FILE] [--timeout S] [--mntns PATH] -- CMD...\n"
                        "       bench-probe http [--netns PATH] [--timeout S] [--interval-us N] [--cmd-out FILE]\n"
                        "                        IP PORT [-- CMD...]\n"
                        "       bench-probe wait PID [TIMEOUT_S]\n");
        exit(2);
}

static const char *spawn_mntns;

/* out_fd becomes stdout; err_fd (when >= 0) stdin's /dev/null and stderr. */
static pid_t spawn(char **argv, int out_fd, int err_fd)
{
        pid_t pid = fork();

        if (pid == 0) {
                if (spawn_mntns) {
                        int fd = open(spawn_mntns, O_RDONLY | O_CLOEXEC);
                        if (fd < 0 || setns(fd, CLONE_NEWNS) < 0) {
                                fprintf(stderr, "bench-probe: mount namespace %s: %s\n", spawn_mntns,
                                        strerror(errno));
                                _exit(127);
                        }
                        close(fd);
                }
                if (err_fd >= 0) {
                        int null = open("/dev/null", O_RDONLY);
                        if (null >= 0 && null != 0) {
                                dup2(null, 0);
                                close(null);
                        }
                        dup2(err_fd, 2);
                }
                if (out_fd >= 0)
                        dup2(out_fd, 1);
                execvp(argv[0], argv);
                fprintf(stderr, "bench-probe: exec %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        return pid;
}

/* ---- exec ---- */

static int cmd_exec(int argc, char **argv)
{
        const char *match = NULL, *out = NULL;
        double timeout_s = 120;
        int i, p[2], out_fd = -1, pidfd, st = 0;
        int64_t t0, t_first = -1, t_match = -1, t_exit = -1;
        size_t mlen, seen = 0;
        char *tail = NULL;
        pid_t pid;

        for (i = 0; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0) {
                        i++;
                        break;
                } else if (strcmp(argv[i], "--match") == 0 && i + 1 < argc) {
                        match = argv[++i];
                } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
                        out = argv[++i];
                } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
                        timeout_s = atof(argv[++i]);
                } else if (strcmp(argv[i], "--mntns") == 0 && i + 1 < argc) {
                        spawn_mntns = argv[++i];
                } else {
                        usage();
                }
        }
        if (i >= argc)
                usage();
        if (out && (out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
                fprintf(stderr, "bench-probe: %s: %s\n", out, strerror(errno));
                return 2;
        }
        mlen = match ? strlen(match) : 0;
        /* Keep the last mlen-1 bytes across reads so a match split between
         * two reads is found. */
        tail = calloc(1, mlen + 4096 + 1);
        if (!tail || pipe2(p, O_CLOEXEC) < 0)
                return 2;

        t0 = now_ns();
        pid = spawn(argv + i, p[1], -1);
        if (pid < 0)
                return 2;
        close(p[1]);
        pidfd = pidfd_open(pid);
        fcntl(p[0], F_SETFL, O_NONBLOCK);

        for (bool pipe_open = true;;) {
                struct pollfd fds[2] = { { pidfd, POLLIN, 0 }, { pipe_open ? p[0] : -1, POLLIN, 0 } };
                int64_t left = (int64_t) (timeout_s * 1000) - (now_ns() - t0) / 1000000;
                int n;

                if (left <= 0) {
                        kill(pid, SIGKILL);
                        left = 1000;
                }
                n = poll(fds, 2, (int) left);
                if (n < 0 && errno != EINTR)
                        break;
                if (fds[1].revents) {
                        char buf[4096];
                        ssize_t r = read(p[0], buf, sizeof(buf));
                        int64_t t = now_ns();
                        if (r > 0) {
                                if (t_first < 0)
                                        t_first = t;
                                if (out_fd >= 0 && write(out_fd, buf, (size_t) r) < 0)
                                        out_fd = -1;
                                if (match && t_match < 0) {
                                        memcpy(tail + seen, buf, (size_t) r);
                                        tail[seen + (size_t) r] = '\0';
                                        if (memmem(tail, seen + (size_t) r, match, mlen)) {
                                                t_match = t;
                                        } else {
                                                size_t keep = mlen > 1 ? mlen - 1 : 0;
                                                size_t have = seen + (size_t) r;
                                                if (keep > have)
                                                        keep = have;
                                                memmove(tail, tail + have - keep, keep);
                                                seen = keep;
                                        }
                                }
                        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                                pipe_open = false;
                        }
                }
                if (fds[0].revents) {
                        t_exit = now_ns();
                        waitpid(pid, &st, 0);
                        break;
                }
        }
        /* Whatever the command wrote just before it exited. */
        for (;;) {
                char buf[4096];
                ssize_t r = read(p[0], buf, sizeof(buf));
                if (r <= 0)
                        break;
                if (t_first < 0)
                        t_first = t_exit;
                if (out_fd >= 0 && write(out_fd, buf, (size_t) r) < 0)
                        out_fd = -1;
                if (match && t_match < 0 && memmem(buf, (size_t) r, match, mlen))
                        t_match = t_exit;
        }
        print_ms("first", t0, t_first);
        putchar(' ');
        print_ms("match", t0, t_match);
        putchar(' ');
        print_ms("exit", t0, t_exit);
        printf(" status=%d\n", status_code(st));
        return 0;
}

/* ---- http ---- */

/* One attempt: 1 for a 200 answer, 0 otherwise. */
static int http_try(const struct sockaddr_in *sa, int budget_ms)
{
        static const char req[] = "GET / HTTP/1.0\r\nHost: bench\r\n\r\n";
        char buf[64];
        size_t got = 0;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), ok = 0;
        int64_t deadline = now_ns() + (int64_t) budget_ms * 1000000;
        struct pollfd pfd = { fd, POLLOUT, 0 };

        if (fd < 0)
                return 0;
        if (connect(fd, (const struct sockaddr *) sa, sizeof(*sa)) < 0 && errno != EINPROGRESS)
                goto out;
        if (poll(&pfd, 1, budget_ms) <= 0 || !(pfd.revents & POLLOUT))
                goto out;
        {
                int e = 0;
                socklen_t l = sizeof(e);
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0 || e)
                        goto out;
        }
        if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t) (sizeof(req) - 1))
                goto out;
        while (got < 12) {
                int left = (int) ((deadline - now_ns()) / 1000000);
                ssize_t r;
                pfd.events = POLLIN;
                if (left <= 0 || poll(&pfd, 1, left) <= 0)
                        goto out;
                r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
                if (r <= 0)
                        goto out;
                got += (size_t) r;
        }
        buf[got] = '\0';
        ok = strncmp(buf, "HTTP/1.", 7) == 0 && strncmp(buf + 8, " 200", 4) == 0;
out:
        close(fd);
        return ok;
}

static int cmd_http(int argc, char **argv)
{
        const char *netns = NULL, *cmd_out = "/dev/null";
        double timeout_s = 60;
        long interval_us = 1000;
        char **cmd = NULL;
        struct sockaddr_in sa = { .sin_family = AF_INET };
        int i, pos = 0, p[2], st = 0, cmd_status = -1;
        const char *ip = NULL, *port = NULL;
        int64_t t0, t_cmd = -1, t_http = -1;
        long attempts = 0;
        pid_t prober, pid = -1;

        for (i = 0; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0) {
                        cmd = argv + i + 1;
                        break;
                } else if (strcmp(argv[i], "--netns") == 0 && i + 1 < argc) {
                        netns = argv[++i];
                } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
                        timeout_s = atof(argv[++i]);
                } else if (strcmp(argv[i], "--interval-us") == 0 && i + 1 < argc) {
                        interval_us = atol(argv[++i]);
                } else if (strcmp(argv[i], "--cmd-out") == 0 && i + 1 < argc) {
                        cmd_out = argv[++i];
                } else if (pos == 0) {
                        ip = argv[i];
                        pos++;
                } else if (pos == 1) {
                        port = argv[i];
                        pos++;
                } else {
                        usage();
                }
        }
        if (!ip || !port || inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
                usage();
        sa.sin_port = htons((uint16_t) atoi(port));
        if (pipe2(p, O_CLOEXEC) < 0)
                return 2;

        t0 = now_ns();
        prober = fork();
        if (prober == 0) {
                int64_t deadline = t0 + (int64_t) (timeout_s * 1e9);
                int64_t result[2] = { -1, 0 };
                close(p[0]);
                if (netns) {
                        int fd = open(netns, O_RDONLY | O_CLOEXEC);
                        if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
                                fprintf(stderr, "bench-probe: netns %s: %s\n", netns, strerror(errno));
                                _exit(2);
                        }
                        close(fd);
                }
                while (now_ns() < deadline) {
                        result[1]++;
                        if (http_try(&sa, 200)) {
                                result[0] = now_ns();
                                break;
                        }
                        usleep((useconds_t) interval_us);
                }
                if (write(p[1], result, sizeof(result)) < 0)
                        _exit(2);
                _exit(result[0] >= 0 ? 0 : 1);
        }
        close(p[1]);
        if (cmd && cmd[0]) {
                int out = open(cmd_out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (out < 0) {
                        fprintf(stderr, "bench-probe: %s: %s\n", cmd_out, strerror(errno));
                        kill(prober, SIGKILL);
                        return 2;
                }
                pid = spawn(cmd, out, out);
                close(out);
                if (pid > 0 && waitpid(pid, &st, 0) == pid) {
                        t_cmd = now_ns();
                        cmd_status = status_code(st);
                }
        }
        {
                int64_t result[2] = { -1, 0 };
                if (read(p[0], result, sizeof(result)) == (ssize_t) sizeof(result)) {
                        t_http = result[0];
                        attempts = result[1];
                }
                waitpid(prober, NULL, 0);
        }
        if (cmd) {
                print_ms("cmd", t0, t_cmd);
                printf(" status=%d ", cmd_status);
        }
        print_ms("http", t0, t_http);
        printf(" attempts=%ld\n", attempts);
        return t_http >= 0 ? 0 : 1;
}

/* ---- wait ---- */

static int cmd_wait(int argc, char **argv)
{
        int64_t t0 = now_ns();
        double timeout_s = argc > 1 ? atof(argv[1]) : 30;
        pid_t pid;
        int fd;

        if (argc < 1)
                usage();
        pid = (pid_t) atoi(argv[0]);
        fd = pidfd_open(pid);
        if (fd >= 0) {
                struct pollfd pfd = { fd, POLLIN, 0 };
                if (poll(&pfd, 1, (int) (timeout_s * 1000)) <= 0) {
                        printf("gone=-1\n");
                        return 1;
                }
        } else if (errno != ESRCH) {
                fprintf(stderr, "bench-probe: pidfd_open %d: %s\n", (int) pid, strerror(errno));
                return 2;
        }
        print_ms("gone", t0, now_ns());
        putchar('\n');
        return 0;
}

int main(int argc, char **argv)
{
        if (argc < 2)
                usage();
        /* A probe never dies of a closed pipe: it reports instead. */
        signal(SIGPIPE, SIG_IGN);
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (strcmp(argv[1], "exec") == 0)
                return cmd_exec(argc - 2, argv + 2);
        if (strcmp(argv[1], "http") == 0)
                return cmd_http(argc - 2, argv + 2);
        if (strcmp(argv[1], "wait") == 0)
                return cmd_wait(argc - 2, argv + 2);
        usage();
}
