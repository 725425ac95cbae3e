/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "vm/desc.h"
#include "util/cleanup.h"

int ur_console_open(int *ret_master, char **ret_slave, ur_err *err)
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

int ur_console_send(const char *socket_path, int master, const char *slave, ur_err *err)
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

int ur_console_attach(const char *slave, ur_err *err)
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

int ur_console_to_journal(const struct ur_config *cfg, const struct ur_spec *spec, bool *ret, ur_err *err)
{
        const char *v = ur_spec_annotation(spec, UR_ANNOT_CONSOLE);

        if (!v) {
                *ret = cfg && cfg->systemd.console_to_journal && !spec->process.terminal;
                return 0;
        }
        if (strcmp(v, "stdio") == 0) {
                *ret = false;
                return 0;
        }
        if (strcmp(v, "journal") != 0)
                return ur_err_set(err, 0, "annotation '%s': unknown value '%s' (expected journal or stdio)",
                                  UR_ANNOT_CONSOLE, v);
        if (spec->process.terminal)
                return ur_err_set(err, 0,
                                  "annotation '%s' is 'journal' but process.terminal is true: the console "
                                  "cannot go to both the journal and a terminal",
                                  UR_ANNOT_CONSOLE);
        *ret = true;
        return 0;
}

int ur_console_journal(const char *identifier, ur_err *err)
{
        /* No level prefixes: "<3>" in the guest's output is text. */
        _cleanup_close_ int fd = sd_journal_stream_fd(identifier, LOG_INFO, 0);

        if (fd < 0)
                return ur_err_set(err, -fd, "console to the journal: connecting to journald");
        if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
                return ur_err_set(err, errno, "console to the journal");
        return 0;
}
