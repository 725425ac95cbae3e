/* SPDX-License-Identifier: Apache-2.0 */
#include "util/crash.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

static struct {
        bool read;
        char point[64];
        char who[16];
} crash;

static void crash_read(void)
{
        const char *v = getenv(UR_CRASH_ENV);
        const char *colon;
        size_t n;

        crash.read = true;
        if (!v || !*v)
                return;
        colon = strchr(v, ':');
        n = colon ? (size_t) (colon - v) : strlen(v);
        if (n >= sizeof(crash.point))
                return;
        memcpy(crash.point, v, n);
        crash.point[n] = '\0';
        if (colon && strlen(colon + 1) < sizeof(crash.who))
                strcpy(crash.who, colon + 1);
}

static _Noreturn void die(void)
{
        kill(getpid(), SIGKILL);
        _exit(128 + SIGKILL);
}

void ur_crash_point(const char *point, pid_t monitor)
{
        bool self, other;

        if (!crash.read)
                crash_read();
        if (!crash.point[0] || strcmp(crash.point, point) != 0)
                return;
        other = monitor > 0 && (strcmp(crash.who, "monitor") == 0 || strcmp(crash.who, "both") == 0);
        self = monitor <= 0 || strcmp(crash.who, "monitor") != 0;
        ur_log_debug("test crash at '%s'%s%s", point, other ? ": SIGKILL the monitor process" : "",
                     self ? ": SIGKILL" : "");
        if (other)
                kill(monitor, SIGKILL);
        if (self)
                die();
}
