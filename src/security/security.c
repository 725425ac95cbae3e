/* SPDX-License-Identifier: Apache-2.0 */
#include "security/security.h"

#include <errno.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "config.h"
#include "security/confine.h"
#include "security/privs.h"
#include "security/seccomp.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/path.h"

struct ur_security {
        struct ur_seccomp_filter *filter;     /* NULL: no filter of urunc's */
        struct ur_seccomp_policy *supervisor; /* the supervisor's policy, NULL: none */
        bool log_only;
        bool confine;
        bool proc;
        const struct ur_plan_creds *creds; /* the plan's, which outlives this */
};

/* [security] policy_dir, else the installed policies, else (urunc run from
 * its build directory, not installed) the source tree's. */
static const char *policy_dir(const struct ur_plan *plan)
{
        if (plan->seccomp_dir)
                return plan->seccomp_dir;
        if (access(URUNC_DATADIR "/seccomp", F_OK) < 0 && access(URUNC_SOURCE_POLICY_DIR, F_OK) == 0)
                return URUNC_SOURCE_POLICY_DIR;
        return URUNC_DATADIR "/seccomp";
}

static int prepare_seccomp(const struct ur_plan *plan, struct ur_security *s, struct ur_err **err)
{
        _cleanup_seccomp_policy_ struct ur_seccomp_policy *pol = NULL;
        const char *dir = policy_dir(plan);
        bool log_only = plan->seccomp_log;

        if (!plan->seccomp_policy) {
                ur_log_debug("monitor seccomp: off (annotation " UR_ANNOT_SECCOMP "=unconfined)");
                return 0;
        }
        if (plan->spec_seccomp)
                ur_log_info("monitor seccomp: the spec's linux.seccomp profile is not applied to the monitor "
                            "(it filters a Linux application's syscalls; the monitor gets its own policy)");
        if (!ur_seccomp_supported()) {
                ur_log_warning(
                        "monitor seccomp: urunc was built without libseccomp: the monitor runs without "
                        "urunc's filter (its own sandbox options still apply)");
                return 0;
        }
        if (ur_seccomp_policy_load(dir, plan->seccomp_policy, &pol, err) < 0)
                return -1;
        if (ur_seccomp_filter_build(pol, log_only, &s->filter, err) < 0)
                return -1;
        /* The supervisor's: built once its child's pid is known. */
        if (ur_seccomp_policy_load(dir, UR_SUPERVISOR_POLICY, &s->supervisor, err) < 0)
                return -1;
        s->log_only = log_only;
        ur_log_info("monitor seccomp: policy '%s' (%zu syscalls)%s", pol->name, pol->n_rules,
                    log_only ? ", log only ([security] seccomp_log)" : "");
        return 0;
}

int ur_security_prepare(const struct ur_plan *plan, struct ur_security **ret, struct ur_err **err)
{
        struct ur_security *s = calloc(1, sizeof(*s));

        if (!s)
                return ur_err_set(err, ENOMEM, "security");
        s->creds = &plan->creds;
        /* Every unikernel's monitor is confined (it unshares a mount
         * namespace of its own whether the spec has one or not), unless the
         * host's configuration turns it off. */
        s->confine = plan->confine;
        s->proc = plan->own_proc;
        /* The monitor's own files (QEMU's QMP socket, firecracker's config)
         * live in the state dir, which is root's alone (0700): only the
         * confined root gives another user a directory of its own there. */
        if (s->creds->uid != 0 && !s->confine) {
                ur_security_free(s);
                return ur_err_set(err, 0,
                                  "process.user.uid %u: a monitor running as another user than root needs "
                                  "its confined root, which [security] confine = false turns off",
                                  (unsigned) plan->creds.uid);
        }
        if (prepare_seccomp(plan, s, err) < 0) {
                ur_security_free(s);
                return -1;
        }
        *ret = s;
        return 0;
}

void ur_security_owner(const struct ur_security *s, int *ret_uid, int *ret_gid)
{
        *ret_uid = s ? (int) s->creds->uid : 0;
        *ret_gid = s ? (int) s->creds->gid : 0;
}

bool ur_security_confines(const struct ur_security *s)
{
        return s && s->confine;
}

int ur_security_own_mount_ns(const struct ur_security *s, struct ur_plan *plan, const char *rootfs,
                             struct ur_err **err)
{
        if (!s || !s->confine)
                return 0;
        /* Whether the spec has a mount namespace or not: one of the
         * monitor's own, sharing nothing with the container's (which may be
         * joined by other processes) or the host's. */
        if (unshare(CLONE_NEWNS) < 0)
                return ur_err_set(err, errno, "unshare a mount namespace for the monitor");
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return ur_err_set(err, errno, "make the monitor's mount namespace a slave");
        /* The guest's files, once, in this namespace (a bind needs its
         * source in the caller's): start binds these fds, whatever the
         * paths name by then. */
        return ur_plan_pin(plan, rootfs, err);
}

int ur_security_confine(const struct ur_security *s, const struct ur_plan *plan, const struct ur_exec *ex,
                        const char *state_dir, struct ur_err **err)
{
        struct ur_confine c;

        if (!s || !s->confine)
                return 0;
        c = (struct ur_confine){
                .state_dir = state_dir, .uid = s->creds->uid, .gid = s->creds->gid, .proc = s->proc};
        if (ur_confine_vmm(&c, plan, ex, err) < 0)
                return -1;
        ur_log_debug("monitor confined to a private root (uid %u)", (unsigned) s->creds->uid);
        return 0;
}

/* The monitor's credentials, as the plan says. */
static struct ur_privs privs_of(const struct ur_security *s)
{
        return (struct ur_privs){.uid = s->creds->uid,
                                 .gid = s->creds->gid,
                                 .groups = s->creds->groups,
                                 .n_groups = s->creds->n_groups};
}

int ur_security_apply(const struct ur_security *s, struct ur_err **err)
{
        struct ur_privs p;
        int pdeath = 0;

        if (!s)
                return 0;
        /* A change of credentials clears the parent-death signal (the
         * supervisor's child relies on it): set it again afterwards. */
        if (prctl(PR_GET_PDEATHSIG, &pdeath) < 0)
                pdeath = 0;
        p = privs_of(s);
        if (ur_privs_drop(&p, err) < 0)
                return -1;
        if (pdeath && prctl(PR_SET_PDEATHSIG, pdeath) < 0)
                return ur_err_set(err, errno, "keep the parent-death signal");
        /* Last: from here on only what the policy allows, execve included. */
        if (s->filter && ur_seccomp_filter_load(s->filter, err) < 0)
                return -1;
        return 0;
}

void ur_security_free(struct ur_security *s)
{
        if (!s)
                return;
        ur_seccomp_filter_free(s->filter);
        ur_seccomp_policy_free(s->supervisor);
        free(s);
}

int ur_security_apply_privs(const struct ur_security *s, struct ur_err **err)
{
        struct ur_privs p;

        if (!s)
                return 0;
        p = privs_of(s);
        return ur_privs_drop(&p, err);
}

int ur_security_apply_supervisor(const struct ur_security *s, pid_t child, struct ur_err **err)
{
        struct ur_seccomp_filter *f = NULL;
        int r;

        if (ur_security_apply_privs(s, err) < 0)
                return -1;
        if (!s || !s->supervisor)
                return 0;
        if (ur_seccomp_filter_build(s->supervisor, s->log_only, &f, err) < 0)
                return -1;
        r = ur_seccomp_filter_allow_eq32(f, "kill", 0, (uint32_t) child, err);
        if (r >= 0)
                r = ur_seccomp_filter_load(f, err);
        ur_seccomp_filter_free(f);
        return r;
}
