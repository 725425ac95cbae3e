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
 *   bench-probe http [--netns PATH] [--timeout S] [--interval-us N] [--budget-ms N]
 *                    [--inflight K | --once] [--cmd-out FILE] IP PORT [-- CMD...]
 *       A prober that enters the network namespace PATH and, every N us
 *       (default 1000), starts an attempt: connect to IP:PORT, send
 *       "GET / HTTP/1.0", read the answer, until one starts with
 *       "HTTP/1.x 200".  Each attempt is bounded to --budget-ms (default
 *       200); up to K (default 1, at most 64) are in flight at once, so
 *       with K > 1 the figure is when the server first could answer.
 *       --once: one connection at a time bounded only by --timeout, what
 *       a client that connects once and waits sees (the kernel's SYN and
 *       ARP retransmits included); a refused one is retried.  With CMD,
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
                        "       bench-probe http [--netns PATH] [--timeout S] [--interval-us N] [--budget-ms N]\n"
                        "                        [--inflight K | --once] [--cmd-out FILE] IP PORT [-- CMD...]\n"
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

/* Attempts in flight: a non-blocking connect, then "GET /", then the
 * answer's first 12 bytes.  Each has its own deadline (the per-attempt
 * budget); a new one starts every interval while fewer than max are in
 * flight, so a SYN lost to a tap nobody reads yet does not hold the
 * prober for a whole budget. */
struct attempt {
        int fd;
        bool sent;
        size_t got;
        int64_t deadline;
        char buf[64];
};

static void attempt_close(struct attempt *a)
{
        if (a->fd >= 0)
                close(a->fd);
        a->fd = -1;
}

static void attempt_start(struct attempt *a, const struct sockaddr_in *sa, int64_t budget_ns)
{
        a->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        a->sent = false;
        a->got = 0;
        a->deadline = now_ns() + budget_ns;
        if (a->fd >= 0 && connect(a->fd, (const struct sockaddr *) sa, sizeof(*sa)) < 0 &&
            errno != EINPROGRESS)
                attempt_close(a);
}

/* Progress on an attempt whose fd is ready: 1 for a 200 answer, -1 when
 * it failed (closed), 0 to go on. */
static int attempt_step(struct attempt *a, short revents)
{
        static const char req[] = "GET / HTTP/1.0\r\nHost: bench\r\n\r\n";
        ssize_t r;

        if (!a->sent) {
                int e = 0;
                socklen_t l = sizeof(e);
                if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
                        return 0;
                if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0 || e ||
                    send(a->fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t) (sizeof(req) - 1)) {
                        attempt_close(a);
                        return -1;
                }
                a->sent = true;
                return 0;
        }
        if (!(revents & (POLLIN | POLLERR | POLLHUP)))
                return 0;
        r = recv(a->fd, a->buf + a->got, sizeof(a->buf) - 1 - a->got, 0);
        if (r <= 0) {
                attempt_close(a);
                return -1;
        }
        a->got += (size_t) r;
        if (a->got < 12)
                return 0;
        a->buf[a->got] = '\0';
        r = strncmp(a->buf, "HTTP/1.", 7) == 0 && strncmp(a->buf + 8, " 200", 4) == 0;
        attempt_close(a);
        return r ? 1 : -1;
}

#define MAX_INFLIGHT 64

/* Probe until a 200 or the deadline; returns the time of the 200 (-1:
 * none) and counts the attempts started. */
static int64_t probe_loop(const struct sockaddr_in *sa, int64_t deadline, int64_t interval_ns,
                          int64_t budget_ns, int inflight, long *attempts)
{
        struct attempt a[MAX_INFLIGHT];
        struct pollfd pfd[MAX_INFLIGHT];
        int64_t next = now_ns(), t;
        int i, n;

        for (i = 0; i < inflight; i++)
                a[i].fd = -1;
        for (;;) {
                int64_t wake;
                t = now_ns();
                if (t >= deadline)
                        break;
                for (i = 0; i < inflight; i++)
                        if (a[i].fd >= 0 && t >= a[i].deadline)
                                attempt_close(&a[i]);
                if (t >= next) {
                        for (i = 0; i < inflight && a[i].fd >= 0; i++)
                                ;
                        if (i < inflight) {
                                attempt_start(&a[i], sa, budget_ns);
                                (*attempts)++;
                                next = t + interval_ns;
                        }
                }
                wake = deadline;
                n = 0;
                for (i = 0; i < inflight; i++) {
                        if (a[i].fd < 0)
                                continue;
                        pfd[n].fd = a[i].fd;
                        pfd[n].events = a[i].sent ? POLLIN : POLLOUT;
                        pfd[n].revents = 0;
                        n++;
                        if (a[i].deadline < wake)
                                wake = a[i].deadline;
                }
                /* Wake for the next start only when a slot is free. */
                if (n < inflight && next < wake)
                        wake = next;
                t = now_ns();
                if (poll(pfd, (nfds_t) n, wake > t ? (int) ((wake - t + 999999) / 1000000) : 0) < 0 &&
                    errno != EINTR)
                        break;
                n = 0;
                for (i = 0; i < inflight; i++) {
                        if (a[i].fd < 0)
                                continue;
                        if (pfd[n].fd == a[i].fd && pfd[n].revents &&
                            attempt_step(&a[i], pfd[n].revents) == 1) {
                                t = now_ns();
                                for (i = 0; i < inflight; i++)
                                        attempt_close(&a[i]);
                                return t;
                        }
                        n++;
                }
        }
        for (i = 0; i < inflight; i++)
                attempt_close(&a[i]);
        return -1;
}

static int cmd_http(int argc, char **argv)
{
        const char *netns = NULL, *cmd_out = "/dev/null";
        double timeout_s = 60;
        long interval_us = 1000, budget_ms = 200, inflight = 1;
        bool once = false;
        char **cmd = NULL;
        struct sockaddr_in sa = {.sin_family = AF_INET};
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
                } else if (strcmp(argv[i], "--budget-ms") == 0 && i + 1 < argc) {
                        budget_ms = atol(argv[++i]);
                } else if (strcmp(argv[i], "--inflight") == 0 && i + 1 < argc) {
                        inflight = atol(argv[++i]);
                } else if (strcmp(argv[i], "--once") == 0) {
                        once = true;
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
        if (!ip || !port || inet_pton(AF_INET, ip, &sa.sin_addr) != 1 || budget_ms <= 0 || inflight < 1 ||
            inflight > MAX_INFLIGHT)
                usage();
        if (once) /* one connection that waits as long as it takes */
                inflight = 1, budget_ms = (long) (timeout_s * 1000);
        sa.sin_port = htons((uint16_t) atoi(port));
        if (pipe2(p, O_CLOEXEC) < 0)
                return 2;

        t0 = now_ns();
        prober = fork();
        if (prober == 0) {
                int64_t deadline = t0 + (int64_t) (timeout_s * 1e9);
                int64_t result[2] = {-1, 0};
                close(p[0]);
                if (netns) {
                        int fd = open(netns, O_RDONLY | O_CLOEXEC);
                        if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
                                fprintf(stderr, "bench-probe: netns %s: %s\n", netns, strerror(errno));
                                _exit(2);
                        }
                        close(fd);
                }
                result[0] = probe_loop(&sa, deadline, (int64_t) interval_us * 1000,
                                       (int64_t) budget_ms * 1000000, (int) inflight, &result[1]);
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
                int64_t result[2] = {-1, 0};
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
