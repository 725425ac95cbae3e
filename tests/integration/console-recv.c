/* SPDX-License-Identifier: Apache-2.0 */
/*
 * console-recv SOCKET TIMEOUT_S [INPUT]: what a shim does with
 * --console-socket.  Listens on SOCKET, receives the pty master over
 * SCM_RIGHTS, writes INPUT (if any) to it, and copies everything the guest
 * prints to stdout until the pty closes or TIMEOUT_S pass.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char data[256], cbuf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        struct cmsghdr *c;
        int lfd, cfd, master = -1;
        time_t deadline;

        if (argc < 3) {
                fprintf(stderr, "usage: console-recv SOCKET TIMEOUT_S [INPUT]\n");
                return 2;
        }
        deadline = time(NULL) + atoi(argv[2]);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
        lfd = socket(AF_UNIX, SOCK_STREAM, 0);
        unlink(argv[1]);
        if (lfd < 0 || bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0) {
                perror("console-recv: listen");
                return 1;
        }
        /* Tell the test we are listening. */
        fprintf(stderr, "listening\n");
        cfd = accept(lfd, NULL, NULL);
        if (cfd < 0) {
                perror("console-recv: accept");
                return 1;
        }
        if (recvmsg(cfd, &msg, 0) < 0) {
                perror("console-recv: recvmsg");
                return 1;
        }
        for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(&master, CMSG_DATA(c), sizeof(int));
        if (master < 0) {
                fprintf(stderr, "console-recv: no fd received\n");
                return 1;
        }
        fprintf(stderr, "received pty\n");
        if (argc > 3) {
                /* Give the guest time to boot before typing. */
                sleep(1);
                if (write(master, argv[3], strlen(argv[3])) < 0)
                        perror("console-recv: write");
        }
        for (;;) {
                struct pollfd p = { .fd = master, .events = POLLIN };
                int left = (int) (deadline - time(NULL));
                char buf[4096];
                ssize_t n;

                if (left <= 0)
                        break;
                if (poll(&p, 1, left * 1000) <= 0)
                        break;
                n = read(master, buf, sizeof(buf));
                if (n <= 0)
                        break; /* EIO: the last slave fd closed */
                fwrite(buf, 1, (size_t) n, stdout);
                fflush(stdout);
        }
        return 0;
}
