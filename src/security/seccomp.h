/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Seccomp policies for monitors: policy/seccomp/<monitor>.policy, installed
 * in URUNC_DATADIR/seccomp/.  The format (see man/urunc.8, SECURITY):
 *
 *   # a comment, to the end of the line (anywhere)
 *   default kill            # optional, once: kill | log | allow | errno E
 *   read                    # a syscall the monitor may make
 *   io_uring_setup errno ENOSYS   # ... or one that fails with an errno
 *   ptrace kill | log | allow     # an explicit action
 *
 * One entry per line; words are separated by blanks.  Syscall names are
 * those libseccomp knows (on any architecture: a name that does not exist
 * on this one, such as "open" on aarch64 , is accepted and ignored).  An
 * unknown name, a duplicate entry, an unknown action or errno is an error
 * "FILE:LINE: ...".  E is an errno name (EPERM, ENOSYS, ...) or a number
 * 1..4095.  "kill" kills the whole process with SIGSYS.  The default for
 * everything not listed is "kill" unless a default line says otherwise.
 *
 * Argument conditions (all must hold; a call that matches no line of its
 * syscall gets the default action):
 *
 *   clone if arg0 & CLONE_NEWUSER|CLONE_NEWNS == 0
 *   socket if arg0 == AF_UNIX
 *   ioctl if arg1 == TCGETS
 *   ioctl if arg1 & 0xff00 == 0xae00    # every KVM_* request
 *
 * "if" then one or more "argN OP VALUE" joined by "and": N is 0..5, OP one
 * of == != < <= > >=, or "& MASK ==" (the masked bits equal VALUE).  Values
 * are numbers (decimal, 0x hex) or names from a built-in table (CLONE_*,
 * AF_*, terminal, TUN and block ioctls) joined by "|".  Comparisons are on
 * the full 64-bit register.  A syscall may have several conditional lines
 * (any of them may match) but not also an unconditional one.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define UR_SECCOMP_POLICY_MAX (256u << 10) /* a policy file larger than this is refused */
#define UR_SECCOMP_POLICY_SUFFIX ".policy"
/* The annotation that turns the monitor's seccomp off ("unconfined"). */
#define UR_ANNOT_SECCOMP "com.urunc.seccomp"

enum ur_seccomp_action {
        UR_SECCOMP_KILL, /* kill the process (SIGSYS) */
        UR_SECCOMP_LOG,  /* allow and log (audit) */
        UR_SECCOMP_ALLOW,
        UR_SECCOMP_ERRNO, /* fail with errno_value */
};

enum ur_seccomp_op {
        UR_SECCOMP_EQ,
        UR_SECCOMP_NE,
        UR_SECCOMP_LT,
        UR_SECCOMP_LE,
        UR_SECCOMP_GT,
        UR_SECCOMP_GE,
        UR_SECCOMP_MASKED_EQ, /* (arg & mask) == value */
};

#define UR_SECCOMP_MAX_CONDS 6

struct ur_seccomp_cond {
        unsigned arg; /* 0..5 */
        enum ur_seccomp_op op;
        uint64_t mask;
        uint64_t value;
};

struct ur_seccomp_rule {
        struct ur_seccomp_cond conds[UR_SECCOMP_MAX_CONDS];
        unsigned n_conds; /* 0 = unconditional */
        char *name;
        int nr; /* libseccomp's number (negative: not on this arch) */
        enum ur_seccomp_action action;
        int errno_value;
        unsigned line;
};

struct ur_seccomp_policy {
        char *name; /* the file, for messages */
        enum ur_seccomp_action default_action;
        int default_errno;
        struct ur_seccomp_rule *rules;
        size_t n_rules;
};


/* Parse a policy held in memory; name is used in messages ("FILE:LINE: "). */
int ur_seccomp_policy_parse(const char *text, size_t len, const char *name, struct ur_seccomp_policy **ret,
                            struct ur_err **err);
/* Read DIR/<monitor>.policy. */
int ur_seccomp_policy_load(const char *dir, const char *monitor, struct ur_seccomp_policy **ret,
                           struct ur_err **err);
void ur_seccomp_policy_free(struct ur_seccomp_policy *p);
static inline void ur_seccomp_policy_freep(struct ur_seccomp_policy **p)
{
        ur_seccomp_policy_free(*p);
}
#define _cleanup_seccomp_policy_ __attribute__((cleanup(ur_seccomp_policy_freep)))

/* The first rule for a syscall name, or NULL. */
const struct ur_seccomp_rule *ur_seccomp_policy_find(const struct ur_seccomp_policy *p, const char *name);

/* A filter built from a policy, ready to load (opaque; libseccomp's
 * context).  log_only turns every "kill" into "log" (debugging a policy). */
struct ur_seccomp_filter;
int ur_seccomp_filter_build(const struct ur_seccomp_policy *p, bool log_only, struct ur_seccomp_filter **ret,
                            struct ur_err **err);
/* Add to f: allow syscall when its argument arg, as a 32-bit value, is
 * value (the supervisor's kill of its one child). */
int ur_seccomp_filter_allow_eq32(struct ur_seccomp_filter *f, const char *syscall, unsigned arg,
                                 uint32_t value, struct ur_err **err);
/* Write the filter as libseccomp's pseudo-filter-code text to fd. */
int ur_seccomp_filter_export(const struct ur_seccomp_filter *f, int fd, struct ur_err **err);
/* Install it in the calling process (sets no_new_privs). */
int ur_seccomp_filter_load(const struct ur_seccomp_filter *f, struct ur_err **err);
void ur_seccomp_filter_free(struct ur_seccomp_filter *f);

/* false when urunc was built without libseccomp (-Dseccomp=disabled). */
bool ur_seccomp_supported(void);
