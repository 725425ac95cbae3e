/* SPDX-License-Identifier: Apache-2.0 */
#include "init/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "util/cleanup.h"

int ur_console_open(int *ret_master, char **ret_slave, struct ur_err **err)
{
        _cleanup_close_ int master = -1;
        char name[128];
        struct termios t;
        int slave;

        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return ur_err_set(err, errno, "open a pseudo-terminal");
        if (grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0)
                return ur_err_set(err, errno, "set up the pseudo-terminal");
        /* Output must arrive as the guest wrote it: no \n -> \r\n on the way out. */
        slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave >= 0) {
                if (tcgetattr(slave, &t) == 0) {
                        t.c_oflag &= ~(tcflag_t) ONLCR;
                        tcsetattr(slave, TCSANOW, &t);
                }
                close(slave);
        }
        *ret_slave = strdup(name);
        if (!*ret_slave)
                return ur_err_set(err, ENOMEM, "pseudo-terminal");
        *ret_master = TAKE_FD(master);
        return 0;
}

int ur_console_send(const char *socket_path, int master, const char *slave, struct ur_err **err)
{
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char cbuf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = (void *) slave, .iov_len = strlen(slave) };
        struct msghdr msg = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = cbuf,
                .msg_controllen = sizeof(cbuf),
        };
        struct cmsghdr *c;

        if (strlen(socket_path) >= sizeof(sa.sun_path))
                return ur_err_set(err, 0, "console socket path '%s' is too long", socket_path);
        strcpy(sa.sun_path, socket_path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return ur_err_set(err, errno, "console socket");
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return ur_err_set(err, errno, "connect to console socket '%s'", socket_path);
        memset(cbuf, 0, sizeof(cbuf));
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &master, sizeof(int));
        if (RETRY_EINTR(sendmsg(fd, &msg, MSG_NOSIGNAL)) < 0)
                return ur_err_set(err, errno, "send the terminal to console socket '%s'", socket_path);
        return 0;
}

int ur_console_attach(const char *slave, struct ur_err **err)
{
        int fd;

        if (setsid() < 0)
                return ur_err_set(err, errno, "setsid");
        fd = open(slave, O_RDWR);
        if (fd < 0)
                return ur_err_set(err, errno, "open terminal '%s'", slave);
        if (ioctl(fd, TIOCSCTTY, 0) < 0) {
                close(fd);
                return ur_err_set(err, errno, "make '%s' the controlling terminal", slave);
        }
        for (int i = 0; i < 3; i++)
                if (dup2(fd, i) < 0) {
                        close(fd);
                        return ur_err_set(err, errno, "terminal as stdio");
                }
        if (fd > 2)
                close(fd);
        return 0;
}
