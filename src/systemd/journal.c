/* SPDX-License-Identifier: Apache-2.0 */
#include "systemd/journal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "systemd/cgroup.h"
#include "util/cleanup.h"
#include "util/strv.h"

static struct {
        char *id;
        char *unit;
} override;

void ur_journal_set_unit(const char *id, const char *unit)
{
        free(override.id);
        free(override.unit);
        override.id = id && unit ? strdup(id) : NULL;
        override.unit = id && unit ? strdup(unit) : NULL;
}

bool ur_journal_available(void)
{
        return access(UR_JOURNAL_SOCKET, F_OK) == 0;
}

char **ur_journal_fields(int prio, const char *container_id, const char *unit, const char *msg)
{
        _cleanup_strv_ char **v = NULL;
        _cleanup_free_ char *scope = NULL;

        if (ur_strv_addf(&v, "MESSAGE=%s", msg ? msg : "") < 0 ||
            ur_strv_addf(&v, "PRIORITY=%d", LOG_PRI(prio)) < 0 ||
            ur_strv_add(&v, "SYSLOG_IDENTIFIER=urunc") < 0)
                return NULL;
        if (container_id && *container_id) {
                if (!unit) {
                        scope = ur_scope_name(container_id);
                        if (!scope)
                                return NULL;
                        unit = scope;
                }
                if (ur_strv_addf(&v, "URUNC_CONTAINER_ID=%s", container_id) < 0 ||
                    ur_strv_addf(&v, "OBJECT_SYSTEMD_UNIT=%s", unit) < 0)
                        return NULL;
        }
        return TAKE_PTR(v);
}

void ur_journal_log(int prio, const char *container_id, const char *msg)
{
        const char *unit = container_id && ur_streq(container_id, override.id) ? override.unit : NULL;
        _cleanup_strv_ char **v = ur_journal_fields(prio, container_id, unit, msg);
        struct iovec iov[8];
        size_t n = 0;

        if (!v)
                return;
        for (; v[n] && n < ELEMENTSOF(iov); n++)
                iov[n] = (struct iovec){ .iov_base = v[n], .iov_len = strlen(v[n]) };
        (void) sd_journal_sendv(iov, (int) n);
}
