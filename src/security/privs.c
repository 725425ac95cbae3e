/* SPDX-License-Identifier: Apache-2.0 */
#include "security/privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

static int capset_none(void)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {{0}};

        return (int) syscall(SYS_capset, &h, d);
}

int ur_privs_drop(const struct ur_privs *p, struct ur_err **err)
{
        /* Empty the bounding set while CAP_SETPCAP is still there: after
         * that, exec gives a root uid no capabilities back. */
        for (int cap = 0; cap < 64; cap++)
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return ur_err_set(err, errno, "drop capability %d from the bounding set", cap);
        if (prctl(PR_SET_SECUREBITS,
                  SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
                          SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
                  0, 0, 0) < 0)
                return ur_err_set(err, errno, "set the securebits");
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return ur_err_set(err, errno, "clear the ambient capabilities");
        if (setgroups(p->n_groups, p->groups) < 0)
                return ur_err_set(err, errno, "setgroups (process.user.additionalGids, %zu groups)",
                                  p->n_groups);
        if (setresgid(p->gid, p->gid, p->gid) < 0)
                return ur_err_set(err, errno, "setgid %u (process.user.gid)", (unsigned) p->gid);
        if (setresuid(p->uid, p->uid, p->uid) < 0)
                return ur_err_set(err, errno, "setuid %u (process.user.uid)", (unsigned) p->uid);
        if (capset_none() < 0)
                return ur_err_set(err, errno, "drop all capabilities");
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return ur_err_set(err, errno, "set no_new_privs");
        return 0;
}
