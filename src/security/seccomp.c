/* SPDX-License-Identifier: Apache-2.0 */
#include "security/seccomp.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"

#if HAVE_SECCOMP
#include <seccomp.h>
#endif

bool ur_seccomp_supported(void)
{
        return HAVE_SECCOMP;
}

static const struct {
        const char *name;
        int value;
} errno_names[] = {
        {"EPERM", EPERM},
        {"ENOENT", ENOENT},
        {"EINTR", EINTR},
        {"EIO", EIO},
        {"EBADF", EBADF},
        {"EAGAIN", EAGAIN},
        {"ENOMEM", ENOMEM},
        {"EACCES", EACCES},
        {"EFAULT", EFAULT},
        {"EBUSY", EBUSY},
        {"EEXIST", EEXIST},
        {"ENODEV", ENODEV},
        {"EINVAL", EINVAL},
        {"ENOSPC", ENOSPC},
        {"EROFS", EROFS},
        {"ENOSYS", ENOSYS},
        {"ENOTSUP", ENOTSUP},
        {"EOPNOTSUPP", EOPNOTSUPP},
        {"EAFNOSUPPORT", EAFNOSUPPORT},
        {"EPROTONOSUPPORT", EPROTONOSUPPORT},
};

static int errno_from_string(const char *s, int *ret)
{
        char *end;
        long v;

        for (size_t i = 0; i < ELEMENTSOF(errno_names); i++)
                if (strcmp(errno_names[i].name, s) == 0) {
                        *ret = errno_names[i].value;
                        return 0;
                }
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < 1 || v > 4095)
                return -1;
        *ret = (int) v;
        return 0;
}

/* Names a policy may use as argument values. */
static const struct {
        const char *name;
        uint64_t value;
} value_names[] = {
        /* clone flags */
        { "CLONE_NEWNS", 0x00020000 },       { "CLONE_NEWCGROUP", 0x02000000 }, { "CLONE_NEWUTS", 0x04000000 },
        { "CLONE_NEWIPC", 0x08000000 },      { "CLONE_NEWUSER", 0x10000000 },   { "CLONE_NEWPID", 0x20000000 },
        { "CLONE_NEWNET", 0x40000000 },      { "CLONE_THREAD", 0x00010000 },    { "CLONE_VM", 0x00000100 },
        /* socket families */
        { "AF_UNIX", 1 },                    { "AF_LOCAL", 1 },                 { "AF_INET", 2 },
        { "AF_INET6", 10 },                  { "AF_NETLINK", 16 },              { "AF_PACKET", 17 },
        { "AF_VSOCK", 40 },
        /* terminal ioctls */
        { "TCGETS", 0x5401 },                { "TCSETS", 0x5402 },              { "TCSETSW", 0x5403 },
        { "TCSETSF", 0x5404 },               { "TCGETA", 0x5405 },              { "TCSETA", 0x5406 },
        { "TCSBRK", 0x5409 },                { "TCXONC", 0x540A },              { "TCFLSH", 0x540B },
        { "TIOCSCTTY", 0x540E },             { "TIOCGPGRP", 0x540F },           { "TIOCSPGRP", 0x5410 },
        { "TIOCOUTQ", 0x5411 },              { "TIOCSTI", 0x5412 },             { "TIOCGWINSZ", 0x5413 },
        { "TIOCSWINSZ", 0x5414 },            { "TIOCMGET", 0x5415 },            { "TIOCMSET", 0x5418 },
        { "FIONREAD", 0x541B },              { "TIOCLINUX", 0x541C },           { "TIOCNOTTY", 0x5422 },
        { "TIOCGPTN", 0x80045430 },          { "TIOCSPTLCK", 0x40045431 },      { "TIOCGPTPEER", 0x5441 },
        { "FIONBIO", 0x5421 },               { "FIONCLEX", 0x5450 },            { "FIOCLEX", 0x5451 },
        { "FIOASYNC", 0x5452 },
        /* tun */
        { "TUNSETIFF", 0x400454ca },         { "TUNGETIFF", 0x800454d2 },       { "TUNSETPERSIST", 0x400454cb },
        { "TUNGETFEATURES", 0x800454cf },    { "TUNSETOFFLOAD", 0x400454d0 },   { "TUNGETSNDBUF", 0x800454d3 },
        { "TUNSETSNDBUF", 0x400454d4 },      { "TUNGETVNETHDRSZ", 0x800454d7 }, { "TUNSETVNETHDRSZ", 0x400454d8 },
        { "TUNSETQUEUE", 0x400454d9 },       { "TUNSETVNETLE", 0x400454dc },    { "TUNGETVNETLE", 0x800454dd },
        { "TUNSETVNETBE", 0x400454de },      { "TUNGETVNETBE", 0x800454df },
        /* network devices (sockets) */
        { "SIOCGIFFLAGS", 0x8913 },          { "SIOCSIFFLAGS", 0x8914 },        { "SIOCGIFMTU", 0x8921 },
        { "SIOCSIFMTU", 0x8922 },            { "SIOCGIFHWADDR", 0x8927 },       { "SIOCGIFINDEX", 0x8933 },
        /* block devices and files */
        { "BLKGETSIZE64", 0x80081272 },      { "BLKSSZGET", 0x1268 },           { "BLKBSZGET", 0x80081270 },
        { "BLKPBSZGET", 0x127b },            { "BLKIOMIN", 0x1278 },            { "BLKIOOPT", 0x1279 },
        { "BLKDISCARD", 0x1277 },            { "BLKZEROOUT", 0x127f },          { "BLKFLSBUF", 0x1261 },
        { "BLKROGET", 0x125e },              { "BLKDISCARDZEROES", 0x127c },    { "FS_IOC_FIEMAP", 0xc020660b },
        { "FS_IOC_GETVERSION", 0x80087601 }, { "BLKSECTGET", 0x1267 },         { "CDROM_DRIVE_STATUS", 0x5326 },
        { "FIGETBSZ", 0x2 },                 { "FICLONE", 0x40049409 },
        /* KVM: the ioctl type byte (match with "& 0xff00 == KVM_IOCTL_TYPE") */
        { "KVM_IOCTL_TYPE", 0xae00 },        { "IOCTL_TYPE_MASK", 0xff00 },
};

/* "123", "0x7b", "NAME" or "A|B|0x10": 0, or -1 when not a value. */
static int value_from_string(const char *s, uint64_t *ret)
{
        _cleanup_free_ char *copy = strdup(s);
        char *save = NULL;
        uint64_t v = 0;
        int n = 0;

        if (!copy)
                return -1;
        for (char *t = strtok_r(copy, "|", &save); t; t = strtok_r(NULL, "|", &save), n++) {
                bool found = false;
                for (size_t i = 0; i < ELEMENTSOF(value_names); i++)
                        if (strcmp(value_names[i].name, t) == 0) {
                                v |= value_names[i].value;
                                found = true;
                                break;
                        }
                if (found)
                        continue;
                if (!(*t >= '0' && *t <= '9'))
                        return -1;
                char *end;
                errno = 0;
                unsigned long long x = strtoull(t, &end, 0);
                if (errno || *end)
                        return -1;
                v |= x;
        }
        if (n == 0 || s[strlen(s) - 1] == '|' || s[0] == '|' || strstr(s, "||"))
                return -1;
        *ret = v;
        return 0;
}

static bool valid_name(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
                        return false;
        return true;
}

/* Syscall number as libseccomp knows it (native, or a negative pseudo
 * number for a name that exists on another architecture only). */
static int resolve_name(const char *name, int *ret)
{
#if HAVE_SECCOMP
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
                return -1;
        *ret = nr;
#else
        /* Without libseccomp nothing is loaded: only the syntax is checked. */
        *ret = -1;
#endif
        return 0;
}

struct parser {
        const char *name;
        unsigned line;
        struct ur_err **err;
};

/* An error about the current line. */
#define perr(p, ...) ur_err_set_at((p)->err, (p)->name, (p)->line, __VA_ARGS__)

/* words[0..n) after the subject: an action.  Returns 0 and fills *act and *eno. */
static int parse_action(struct parser *p, const char *subject, char **words, size_t n,
                        enum ur_seccomp_action *act, int *eno)
{
        if (n == 0)
                return perr(p, "'%s': expected an action (kill, log, allow or errno E)", subject);
        if (strcmp(words[0], "kill") == 0)
                *act = UR_SECCOMP_KILL;
        else if (strcmp(words[0], "log") == 0)
                *act = UR_SECCOMP_LOG;
        else if (strcmp(words[0], "allow") == 0)
                *act = UR_SECCOMP_ALLOW;
        else if (strcmp(words[0], "errno") == 0) {
                *act = UR_SECCOMP_ERRNO;
                if (n < 2)
                        return perr(p,
                                    "'%s': 'errno' needs a value (an errno name such as EPERM, or 1..4095)",
                                    subject);
                if (errno_from_string(words[1], eno) < 0)
                        return perr(p, "'%s': unknown errno '%s' (an errno name such as EPERM, or 1..4095)",
                                    subject, words[1]);
                if (n > 2)
                        return perr(p, "'%s': unexpected '%s' after the action", subject, words[2]);
                return 0;
        } else
                return perr(p, "'%s': unknown action '%s' (expected kill, log, allow or errno E)", subject,
                            words[0]);
        if (n > 1)
                return perr(p, "'%s': unexpected '%s' after the action", subject, words[1]);
        return 0;
}

/* words[0..n): "argN OP VALUE [and argN OP VALUE ...]". */
static int parse_conds(struct parser *p, const char *subject, char **w, size_t n, struct ur_seccomp_rule *r)
{
        static const struct {
                const char *s;
                enum ur_seccomp_op op;
        } ops[] = {
                { "==", UR_SECCOMP_EQ }, { "!=", UR_SECCOMP_NE }, { "<", UR_SECCOMP_LT },
                { "<=", UR_SECCOMP_LE }, { ">", UR_SECCOMP_GT },  { ">=", UR_SECCOMP_GE },
        };
        size_t i = 0;

        if (n == 0)
                return perr(p, "'%s': 'if' needs a condition (argN OP VALUE)", subject);
        while (i < n) {
                struct ur_seccomp_cond c = { 0 };
                bool have_op = false;

                if (r->n_conds == UR_SECCOMP_MAX_CONDS)
                        return perr(p, "'%s': more than %d conditions", subject, UR_SECCOMP_MAX_CONDS);
                if (strlen(w[i]) != 4 || strncmp(w[i], "arg", 3) != 0 || w[i][3] < '0' || w[i][3] > '5')
                        return perr(p, "'%s': expected arg0..arg5, got '%s'", subject, w[i]);
                c.arg = (unsigned) (w[i][3] - '0');
                for (unsigned k = 0; k < r->n_conds; k++)
                        if (r->conds[k].arg == c.arg)
                                return perr(p, "'%s': two conditions on %s (write a second line instead)",
                                            subject, w[i]);
                i++;
                if (i < n && strcmp(w[i], "&") == 0) {
                        if (i + 2 >= n || strcmp(w[i + 2], "==") != 0)
                                return perr(p, "'%s': expected 'argN & MASK == VALUE'", subject);
                        if (value_from_string(w[i + 1], &c.mask) < 0)
                                return perr(p, "'%s': unknown value '%s'", subject, w[i + 1]);
                        c.op = UR_SECCOMP_MASKED_EQ;
                        have_op = true;
                        i += 3;
                } else if (i < n) {
                        for (size_t k = 0; k < ELEMENTSOF(ops); k++)
                                if (strcmp(w[i], ops[k].s) == 0) {
                                        c.op = ops[k].op;
                                        have_op = true;
                                }
                        if (!have_op)
                                return perr(p, "'%s': unknown comparison '%s' (expected ==, !=, <, <=, >, >= or "
                                               "& MASK ==)", subject, w[i]);
                        i++;
                }
                if (!have_op || i >= n)
                        return perr(p, "'%s': incomplete condition (expected argN OP VALUE)", subject);
                if (value_from_string(w[i], &c.value) < 0)
                        return perr(p, "'%s': unknown value '%s'", subject, w[i]);
                i++;
                r->conds[r->n_conds++] = c;
                if (i < n) {
                        if (strcmp(w[i], "and") != 0)
                                return perr(p, "'%s': expected 'and' or the end of the line, got '%s'", subject, w[i]);
                        i++;
                        if (i >= n)
                                return perr(p, "'%s': 'and' needs a condition", subject);
                }
        }
        return 0;
}

static int split_words(char *line, char ***ret)
{
        _cleanup_strv_ char **w = NULL;
        char *save = NULL;

        for (char *t = strtok_r(line, " \t\r\v\f", &save); t; t = strtok_r(NULL, " \t\r\v\f", &save))
                if (ur_strv_add(&w, t) < 0)
                        return -1;
        *ret = TAKE_PTR(w);
        return 0;
}

int ur_seccomp_policy_parse(const char *text, size_t len, const char *name, struct ur_seccomp_policy **ret,
                            struct ur_err **err)
{
        struct parser p = {.name = name, .err = err};
        struct ur_seccomp_policy *pol;
        unsigned default_line = 0;
        size_t cap = 0;
        const char *pos = text, *end = text + len;

        if (memchr(text, '\0', len))
                return ur_err_set(err, 0, "%s: a NUL byte in the policy", name);
        pol = calloc(1, sizeof(*pol));
        if (!pol || !(pol->name = strdup(name))) {
                ur_seccomp_policy_free(pol);
                return ur_err_set(err, ENOMEM, "%s", name);
        }
        pol->default_action = UR_SECCOMP_KILL;

        while (pos < end) {
                const char *nl = memchr(pos, '\n', (size_t) (end - pos));
                size_t l = nl ? (size_t) (nl - pos) : (size_t) (end - pos);
                _cleanup_free_ char *line = strndup(pos, l);
                _cleanup_strv_ char **w = NULL;
                char *hash;
                size_t n;

                p.line++;
                pos += l + (nl ? 1 : 0);
                if (!line) {
                        ur_seccomp_policy_free(pol);
                        return ur_err_set(err, ENOMEM, "%s:%u", name, p.line);
                }
                hash = strchr(line, '#');
                if (hash)
                        *hash = '\0';
                if (split_words(line, &w) < 0) {
                        ur_seccomp_policy_free(pol);
                        return ur_err_set(err, ENOMEM, "%s:%u", name, p.line);
                }
                n = ur_strv_len(w);
                if (n == 0)
                        continue;
                if (strcmp(w[0], "default") == 0) {
                        if (default_line) {
                                perr(&p, "a second 'default' line (the first is on line %u)", default_line);
                                goto fail;
                        }
                        if (parse_action(&p, "default", w + 1, n - 1, &pol->default_action,
                                         &pol->default_errno) < 0)
                                goto fail;
                        default_line = p.line;
                        continue;
                }

                struct ur_seccomp_rule r = {.action = UR_SECCOMP_ALLOW, .line = p.line};
                if (!valid_name(w[0])) {
                        perr(&p, "'%s' is not a syscall name", w[0]);
                        goto fail;
                }
                if (resolve_name(w[0], &r.nr) < 0) {
                        perr(&p, "unknown syscall '%s'", w[0]);
                        goto fail;
                }
                size_t if_at = 1;
                while (if_at < n && strcmp(w[if_at], "if") != 0)
                        if_at++;
                if (if_at > 1 && parse_action(&p, w[0], w + 1, if_at - 1, &r.action, &r.errno_value) < 0)
                        goto fail;
                if (if_at < n && parse_conds(&p, w[0], w + if_at + 1, n - if_at - 1, &r) < 0)
                        goto fail;
                const struct ur_seccomp_rule *dup = ur_seccomp_policy_find(pol, w[0]);
                if (dup && (dup->n_conds == 0 || r.n_conds == 0)) {
                        if (dup->n_conds == 0 && r.n_conds == 0)
                                perr(&p, "syscall '%s' is already listed on line %u", w[0], dup->line);
                        else
                                perr(&p, "syscall '%s' is listed on line %u %s: a syscall has either one "
                                         "unconditional line or only lines with conditions",
                                     w[0], dup->line, dup->n_conds ? "with conditions" : "without conditions");
                        goto fail;
                }
                if (pol->n_rules == cap) {
                        size_t ncap = cap ? cap * 2 : 64;
                        struct ur_seccomp_rule *nr = realloc(pol->rules, ncap * sizeof(*nr));
                        if (!nr) {
                                ur_err_set(err, ENOMEM, "%s:%u", name, p.line);
                                goto fail;
                        }
                        pol->rules = nr;
                        cap = ncap;
                }
                r.name = strdup(w[0]);
                if (!r.name) {
                        ur_err_set(err, ENOMEM, "%s:%u", name, p.line);
                        goto fail;
                }
                pol->rules[pol->n_rules++] = r;
        }
        if (pol->n_rules == 0) {
                ur_err_set(err, 0, "%s: the policy lists no syscalls", name);
                goto fail;
        }
        *ret = pol;
        return 0;
fail:
        ur_seccomp_policy_free(pol);
        return -1;
}

int ur_seccomp_policy_load(const char *dir, const char *monitor, struct ur_seccomp_policy **ret,
                           struct ur_err **err)
{
        _cleanup_free_ char *file = NULL, *path = NULL, *text = NULL;
        size_t len;

        if (!*monitor || strspn(monitor, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(monitor))
                return ur_err_set(err, 0, "no seccomp policy for monitor '%s'", monitor);
        if (asprintf(&file, "%s%s", monitor, UR_SECCOMP_POLICY_SUFFIX) < 0 ||
            !(path = ur_path_join(dir, file)))
                return ur_err_set(err, ENOMEM, "seccomp policy");
        if (ur_read_file(path, UR_SECCOMP_POLICY_MAX, &text, &len, err) < 0)
                return ur_err_wrap(err, "seccomp policy of monitor '%s'", monitor);
        return ur_seccomp_policy_parse(text, len, path, ret, err);
}

const struct ur_seccomp_rule *ur_seccomp_policy_find(const struct ur_seccomp_policy *p, const char *name)
{
        for (size_t i = 0; p && i < p->n_rules; i++)
                if (strcmp(p->rules[i].name, name) == 0)
                        return &p->rules[i];
        return NULL;
}

void ur_seccomp_policy_free(struct ur_seccomp_policy *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n_rules; i++)
                free(p->rules[i].name);
        free(p->rules);
        free(p->name);
        free(p);
}

/* ---- filters ---- */

#if HAVE_SECCOMP

struct ur_seccomp_filter {
        scmp_filter_ctx ctx;
};

static uint32_t scmp_action(enum ur_seccomp_action a, int eno, bool log_only)
{
        switch (a) {
        case UR_SECCOMP_KILL:
                return log_only ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS;
        case UR_SECCOMP_LOG:
                return SCMP_ACT_LOG;
        case UR_SECCOMP_ERRNO:
                return SCMP_ACT_ERRNO((uint16_t) eno);
        case UR_SECCOMP_ALLOW:
        default:
                return SCMP_ACT_ALLOW;
        }
}

int ur_seccomp_filter_build(const struct ur_seccomp_policy *p, bool log_only, struct ur_seccomp_filter **ret,
                            struct ur_err **err)
{
        uint32_t def = scmp_action(p->default_action, p->default_errno, log_only);
        struct ur_seccomp_filter *f;
        int r;

        f = calloc(1, sizeof(*f));
        if (!f)
                return ur_err_set(err, ENOMEM, "seccomp filter");
        f->ctx = seccomp_init(def);
        if (!f->ctx) {
                free(f);
                return ur_err_set(err, 0, "%s: seccomp_init failed", p->name);
        }
        /* A syscall made through another ABI (int 0x80, x32) is as foreign
         * as one not listed. */
        r = seccomp_attr_set(f->ctx, SCMP_FLTATR_ACT_BADARCH,
                             log_only ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS);
        if (r < 0) {
                ur_seccomp_filter_free(f);
                return ur_err_set(err, -r, "%s: seccomp bad-arch action", p->name);
        }
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct ur_seccomp_rule *rule = &p->rules[i];
                uint32_t act = scmp_action(rule->action, rule->errno_value, log_only);

                /* libseccomp refuses a rule that repeats the default. */
                if (act == def)
                        continue;
                struct scmp_arg_cmp cmp[UR_SECCOMP_MAX_CONDS];
                for (unsigned k = 0; k < rule->n_conds; k++) {
                        const struct ur_seccomp_cond *c = &rule->conds[k];
                        static const enum scmp_compare op[] = {
                                [UR_SECCOMP_EQ] = SCMP_CMP_EQ, [UR_SECCOMP_NE] = SCMP_CMP_NE,
                                [UR_SECCOMP_LT] = SCMP_CMP_LT, [UR_SECCOMP_LE] = SCMP_CMP_LE,
                                [UR_SECCOMP_GT] = SCMP_CMP_GT, [UR_SECCOMP_GE] = SCMP_CMP_GE,
                                [UR_SECCOMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
                        };
                        cmp[k] = (struct scmp_arg_cmp){
                                .arg = c->arg,
                                .op = op[c->op],
                                .datum_a = c->op == UR_SECCOMP_MASKED_EQ ? c->mask : c->value,
                                .datum_b = c->op == UR_SECCOMP_MASKED_EQ ? c->value : 0,
                        };
                }
                r = seccomp_rule_add_array(f->ctx, act, rule->nr, rule->n_conds, cmp);
                /* A name that exists on another architecture only. */
                if (r == -EDOM || (r < 0 && rule->nr < 0))
                        continue;
                if (r < 0) {
                        ur_seccomp_filter_free(f);
                        return ur_err_set(err, -r, "%s:%u: adding syscall '%s'", p->name, rule->line,
                                          rule->name);
                }
        }
        *ret = f;
        return 0;
}

int ur_seccomp_filter_allow_eq32(struct ur_seccomp_filter *f, const char *syscall, unsigned arg,
                                 uint32_t value, struct ur_err **err)
{
        struct scmp_arg_cmp cmp = {
                .arg = arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu, .datum_b = value};
        int nr = seccomp_syscall_resolve_name(syscall);
        int r;

        if (nr == __NR_SCMP_ERROR)
                return ur_err_set(err, 0, "seccomp: unknown syscall '%s'", syscall);
        r = seccomp_rule_add_array(f->ctx, SCMP_ACT_ALLOW, nr, 1, &cmp);
        if (r < 0)
                return ur_err_set(err, -r, "seccomp: allow '%s' if arg%u == %u", syscall, arg, value);
        return 0;
}

int ur_seccomp_filter_export(const struct ur_seccomp_filter *f, int fd, struct ur_err **err)
{
        int r = seccomp_export_pfc(f->ctx, fd);
        if (r < 0)
                return ur_err_set(err, -r, "export the seccomp filter");
        return 0;
}

int ur_seccomp_filter_load(const struct ur_seccomp_filter *f, struct ur_err **err)
{
        int r = seccomp_load(f->ctx);
        if (r < 0)
                return ur_err_set(err, -r, "load the monitor's seccomp filter");
        return 0;
}

void ur_seccomp_filter_free(struct ur_seccomp_filter *f)
{
        if (!f)
                return;
        seccomp_release(f->ctx);
        free(f);
}

#else /* !HAVE_SECCOMP */

struct ur_seccomp_filter {
        int unused;
};

int ur_seccomp_filter_build(const struct ur_seccomp_policy *p, bool log_only, struct ur_seccomp_filter **ret,
                            struct ur_err **err)
{
        return ur_err_set(err, 0, "%s: urunc was built without seccomp support (-Dseccomp=disabled)",
                          p->name);
}

int ur_seccomp_filter_allow_eq32(struct ur_seccomp_filter *f, const char *syscall, unsigned arg,
                                 uint32_t value, struct ur_err **err)
{
        return ur_err_set(err, ENOSYS, "seccomp filter");
}

int ur_seccomp_filter_export(const struct ur_seccomp_filter *f, int fd, struct ur_err **err)
{
        return ur_err_set(err, ENOSYS, "export the seccomp filter");
}

int ur_seccomp_filter_load(const struct ur_seccomp_filter *f, struct ur_err **err)
{
        return ur_err_set(err, ENOSYS, "load the monitor's seccomp filter");
}

void ur_seccomp_filter_free(struct ur_seccomp_filter *f)
{
        free(f);
}

#endif
