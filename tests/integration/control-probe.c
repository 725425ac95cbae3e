/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control-probe SOCKET state: call State() on a monitor process's control
 * socket (a peer sd-bus connection, as start makes) and print the answer.
 * control-probe SOCKET hold SECONDS: connect and say nothing for SECONDS
 * (a peer that holds a connection open).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

static int hold(const char *path, unsigned seconds)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "control-probe: socket '%s'\n", path);
                return 1;
        }
        strcpy(sa.sun_path, path);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                perror("control-probe: connect");
                return 1;
        }
        sleep(seconds);
        close(fd);
        return 0;
}

static int state(const char *path)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        sd_bus *bus = NULL;
        const char *s = NULL;
        char *addr = NULL;
        int r;

        if (asprintf(&addr, "unix:path=%s", path) < 0)
                return 1;
        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, addr);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, 0);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0)
                r = sd_bus_set_method_call_timeout(bus, 5 * 1000000ULL);
        if (r >= 0)
                r = sd_bus_call_method(bus, NULL, "/org/urunc/Monitor", "org.urunc.Monitor1", "State", &e, &reply,
                                       "");
        if (r >= 0)
                r = sd_bus_message_read(reply, "s", &s);
        if (r < 0)
                fprintf(stderr, "control-probe: State on '%s': %s\n", path,
                        sd_bus_error_is_set(&e) ? e.message : strerror(-r));
        else
                printf("%s\n", s);
        sd_bus_message_unref(reply);
        sd_bus_error_free(&e);
        sd_bus_flush_close_unref(bus);
        free(addr);
        return r < 0;
}

int main(int argc, char **argv)
{
        if (argc == 3 && strcmp(argv[2], "state") == 0)
                return state(argv[1]);
        if (argc == 4 && strcmp(argv[2], "hold") == 0)
                return hold(argv[1], (unsigned) atoi(argv[3]));
        fprintf(stderr, "usage: control-probe SOCKET state | control-probe SOCKET hold SECONDS\n");
        return 2;
}
