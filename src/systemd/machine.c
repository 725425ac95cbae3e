/* SPDX-License-Identifier: Apache-2.0 */
#include "systemd/machine.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "util/cleanup.h"
#include "util/parse.h"

#define MACHINED_TIMEOUT_USEC (10ull * 1000000ull)

static int call(const char *member, struct ur_err **err, const char *types, ...)
{
        __attribute__((cleanup(sd_bus_flush_close_unrefp))) sd_bus *bus = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        va_list ap;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return ur_err_set(err, -r, "connecting to the system bus");
        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.machine1", "/org/freedesktop/machine1",
                                           "org.freedesktop.machine1.Manager", member);
        if (r >= 0) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
        }
        if (r >= 0)
                r = sd_bus_call(bus, m, MACHINED_TIMEOUT_USEC, &e, &reply);
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        if (r < 0) {
                if (sd_bus_error_has_name(&e, "org.freedesktop.machine1.NoSuchMachine"))
                        r = -ESRCH;
                ur_err_set(err, -r, "systemd-machined %s: %s", member, e.message ? e.message : strerror(-r));
        }
        sd_bus_error_free(&e);
        return r < 0 ? r : 0;
}

int ur_machine_register(const char *name, pid_t leader, struct ur_err **err)
{
        /* An empty id: machined takes the null id; no root directory. */
        if (call("RegisterMachine", err, "sayssus", name, 0, "urunc", "vm", (uint32_t) leader, "") < 0)
                return ur_err_wrap(err, "registering machine '%s'", name);
        return 0;
}

int ur_machine_unregister(const char *name, struct ur_err **err)
{
        struct ur_err *e = NULL;
        int r = call("UnregisterMachine", &e, "s", name);

        if (r == -ESRCH || r >= 0) {
                ur_err_free(&e);
                return 0;
        }
        *err = e;
        return ur_err_wrap(err, "unregistering machine '%s'", name);
}
