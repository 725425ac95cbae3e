/* SPDX-License-Identifier: Apache-2.0 */
/* The seccomp policy parser, the shipped policies, filter building. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "config/config.h"
#include "oci/spec.h"
#include "security/seccomp.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "vm/desc.h"

#define POLICY_DIR TEST_SRCDIR "/../../policy/seccomp"

static int setup(void **state)
{
        struct ur_log_options o = {.quiet_stderr = true};
        ur_log_init(&o);
        return 0;
}

static struct ur_seccomp_policy *parse_ok(const char *text)
{
        struct ur_seccomp_policy *p = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        if (ur_seccomp_policy_parse(text, strlen(text), "t.policy", &p, &err) < 0)
                fail_msg("parse failed: %s\n%s", ur_err_msg(err), text);
        return p;
}

/* Fails to parse, with a message holding want. */
static void parse_fail(const char *text, const char *want)
{
        struct ur_seccomp_policy *p = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        if (ur_seccomp_policy_parse(text, strlen(text), "t.policy", &p, &err) >= 0) {
                ur_seccomp_policy_free(p);
                fail_msg("accepted:\n%s", text);
        }
        assert_null(p);
        if (!strstr(ur_err_msg(err), want))
                fail_msg("message '%s' lacks '%s'", ur_err_msg(err), want);
}

static void test_good(void **state)
{
        _cleanup_seccomp_policy_ struct ur_seccomp_policy *p =
                parse_ok("# a policy\n"
                         "\n"
                         "default kill   # everything else\n"
                         "read\n"
                         "  write\t# indented, tab, comment\r\n"
                         "io_uring_setup errno ENOSYS\n"
                         "openat errno 13\n"
                         "getpid log\n"
                         "mmap allow\n"
                         "ptrace kill\n"
                         "   # only a comment\n"
                         "exit_group"); /* no newline at the end */
        const struct ur_seccomp_rule *r;

        assert_int_equal(p->default_action, UR_SECCOMP_KILL);
        assert_int_equal(p->n_rules, 8);
        assert_string_equal(p->rules[0].name, "read");
        assert_int_equal(p->rules[0].action, UR_SECCOMP_ALLOW);
        assert_int_equal(p->rules[0].line, 4);
        r = ur_seccomp_policy_find(p, "write");
        assert_non_null(r);
        assert_int_equal(r->line, 5);
        r = ur_seccomp_policy_find(p, "io_uring_setup");
        assert_int_equal(r->action, UR_SECCOMP_ERRNO);
        assert_int_equal(r->errno_value, ENOSYS);
        assert_int_equal(ur_seccomp_policy_find(p, "openat")->errno_value, 13);
        assert_int_equal(ur_seccomp_policy_find(p, "getpid")->action, UR_SECCOMP_LOG);
        assert_int_equal(ur_seccomp_policy_find(p, "mmap")->action, UR_SECCOMP_ALLOW);
        assert_int_equal(ur_seccomp_policy_find(p, "ptrace")->action, UR_SECCOMP_KILL);
        assert_int_equal(ur_seccomp_policy_find(p, "exit_group")->line, 12);
        assert_null(ur_seccomp_policy_find(p, "close"));
}

static void test_defaults(void **state)
{
        _cleanup_seccomp_policy_ struct ur_seccomp_policy *a = parse_ok("read\n");
        _cleanup_seccomp_policy_ struct ur_seccomp_policy *b = parse_ok("default errno EPERM\nread\n");
        _cleanup_seccomp_policy_ struct ur_seccomp_policy *c = parse_ok("read\ndefault log\n");

        assert_int_equal(a->default_action, UR_SECCOMP_KILL);
        assert_int_equal(b->default_action, UR_SECCOMP_ERRNO);
        assert_int_equal(b->default_errno, EPERM);
        assert_int_equal(c->default_action, UR_SECCOMP_LOG);
}

static void test_errors(void **state)
{
        if (ur_seccomp_supported())
                parse_fail("read\nwrite\nnot_a_syscall\n", "t.policy:3: unknown syscall 'not_a_syscall'");
        parse_fail("read\n\n# c\nwrite\nread  # again\n",
                   "t.policy:5: syscall 'read' is already listed on line 1");
        parse_fail("read\nRead\n", "t.policy:2: 'Read' is not a syscall name");
        parse_fail("read\nsys-call\n", "t.policy:2: 'sys-call' is not a syscall name");
        parse_fail("read maybe\n", "t.policy:1: 'read': unknown action 'maybe'");
        parse_fail("read errno\n", "t.policy:1: 'read': 'errno' needs a value");
        parse_fail("read errno EWHAT\n", "t.policy:1: 'read': unknown errno 'EWHAT'");
        parse_fail("read errno 0\n", "t.policy:1: 'read': unknown errno '0'");
        parse_fail("read errno 4096\n", "unknown errno '4096'");
        parse_fail("read errno EPERM now\n", "t.policy:1: 'read': unexpected 'now' after the action");
        parse_fail("read kill now\n", "'read': unexpected 'now'");
        parse_fail("default kill\nread\ndefault log\n",
                   "t.policy:3: a second 'default' line (the first is on line 1)");
        parse_fail("default\nread\n", "t.policy:1: 'default': expected an action");
        parse_fail("# nothing\n\n", "t.policy: the policy lists no syscalls");
        parse_fail("default allow\n", "lists no syscalls");
        {
                static const char nul[] = "read\0write\n";
                struct ur_seccomp_policy *p = NULL;
                _cleanup_err_ struct ur_err *err = NULL;
                assert_true(ur_seccomp_policy_parse(nul, sizeof(nul) - 1, "t.policy", &p, &err) < 0);
                assert_non_null(strstr(ur_err_msg(err), "NUL"));
        }
}

/* A name that exists on another architecture only is accepted: policies
 * are portable. */
static void test_foreign_names(void **state)
{
        if (!ur_seccomp_supported())
                skip();
        _cleanup_seccomp_policy_ struct ur_seccomp_policy *p = parse_ok("read\nsocketcall\n");
        assert_int_equal(p->n_rules, 2);
}

static const char *const monitors[] = {"qemu", "firecracker", "hvt", "spt", "cloud-hypervisor"};

/* Every shipped policy parses, and none allows what no monitor needs. */
static void test_shipped(void **state)
{
        static const char *const never[] = {"ptrace",          "kexec_load",
                                            "kexec_file_load", "mount",
                                            "umount2",         "pivot_root",
                                            "unshare",         "setns",
                                            "init_module",     "finit_module",
                                            "delete_module",   "bpf",
                                            "perf_event_open", "process_vm_writev",
                                            "keyctl",          "add_key",
                                            "swapon",          "reboot",
                                            "setuid",          "chroot"};

        for (size_t i = 0; i < sizeof(monitors) / sizeof(monitors[0]); i++) {
                _cleanup_seccomp_policy_ struct ur_seccomp_policy *p = NULL;
                _cleanup_err_ struct ur_err *err = NULL;

                if (ur_seccomp_policy_load(POLICY_DIR, monitors[i], &p, &err) < 0)
                        fail_msg("%s: %s", monitors[i], ur_err_msg(err));
                assert_int_equal(p->default_action, UR_SECCOMP_KILL);
                assert_non_null(ur_seccomp_policy_find(p, "execve"));
                assert_non_null(ur_seccomp_policy_find(p, "ioctl"));
                assert_non_null(ur_seccomp_policy_find(p, "exit_group"));
                for (size_t k = 0; k < sizeof(never) / sizeof(never[0]); k++)
                        if (ur_seccomp_policy_find(p, never[k]))
                                fail_msg("%s.policy allows '%s'", monitors[i], never[k]);
        }
}

/*
 * The Solo5 tenders' policies against what the real tenders do.  The
 * *_traced lists are the syscalls `strace -f` saw Solo5 v0.12.1's
 * solo5-spt / solo5-hvt (built from source with gcc, Debian 12, glibc
 * 2.36) make on its tests: test_hello, test_quiet, test_globals,
 * test_fpu, test_time, test_tls, test_ssp, test_exception, test_blk with
 * a block image, test_net with a tap and a flood ping, test_net_mtu with
 * an MTU 9000 tap (hvt on KVM).  CI cannot run Solo5; this keeps the
 * policies from losing any of it.  The *_extra lists are the entries
 * the files mark [tender] or [margin] (the tender's own filter, other
 * glibc versions): anything else in a policy is a syscall no trace
 * justifies, and fails here, so that the policies stay as tight as the
 * tenders allow.
 */
static const char *const spt_traced[] = {
        "access",
        "arch_prctl",
        "bind",
        "brk",
        "clock_gettime",
        "close",
        "epoll_create1",
        "epoll_ctl",
        "epoll_pwait",
        "execve",
        "exit_group",
        "getrandom",
        "getsockname",
        "ioctl",
        "lseek",
        "memfd_create",
        "mmap",
        "mprotect",
        "munmap",
        "newfstatat",
        "openat",
        "personality",
        "prctl",
        "pread64",
        "prlimit64",
        "pwrite64",
        "read",
        "recvmsg",
        "rseq",
        "seccomp",
        "sendto",
        "set_robust_list",
        "set_tid_address",
        "socket",
        "timerfd_create",
        "timerfd_settime",
        "write",
        NULL,
};
static const char *const spt_extra[] = {"fstat", NULL};
static const char *const hvt_traced[] = {
        "access",
        "arch_prctl",
        "bind",
        "brk",
        "clone3",
        "close",
        "epoll_create1",
        "epoll_ctl",
        "epoll_pwait",
        "eventfd2",
        "execve",
        "exit",
        "exit_group",
        "futex",
        "getrandom",
        "getsockname",
        "ioctl",
        "lseek",
        "madvise",
        "memfd_create",
        "mmap",
        "mprotect",
        "munmap",
        "newfstatat",
        "openat",
        "personality",
        "prctl",
        "pread64",
        "prlimit64",
        "pwrite64",
        "read",
        "recvmsg",
        "rseq",
        "rt_sigaction",
        "rt_sigprocmask",
        "seccomp",
        "sendto",
        "set_robust_list",
        "set_tid_address",
        "socket",
        "timerfd_create",
        "timerfd_settime",
        "write",
        NULL,
};
static const char *const hvt_extra[] = {"fstat", "clone", "rt_sigreturn", "clock_gettime", NULL};

static bool in_list(const char *const *l, const char *name)
{
        for (; *l; l++)
                if (strcmp(*l, name) == 0)
                        return true;
        return false;
}

static void check_tender_policy(const char *monitor, const char *const *traced, const char *const *extra)
{
        _cleanup_seccomp_policy_ struct ur_seccomp_policy *p = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        if (ur_seccomp_policy_load(POLICY_DIR, monitor, &p, &err) < 0)
                fail_msg("%s: %s", monitor, ur_err_msg(err));
        assert_int_equal(p->default_action, UR_SECCOMP_KILL);
        for (const char *const *t = traced; *t; t++) {
                const struct ur_seccomp_rule *r = ur_seccomp_policy_find(p, *t);
                if (!r || r->action != UR_SECCOMP_ALLOW)
                        fail_msg("%s.policy does not allow '%s', which the real solo5-%s makes", monitor, *t,
                                 monitor);
        }
        for (const char *const *t = extra; *t; t++)
                if (!ur_seccomp_policy_find(p, *t))
                        fail_msg("%s.policy lacks '%s' (its [tender]/[margin] entry)", monitor, *t);
        for (size_t i = 0; i < p->n_rules; i++)
                if (!in_list(traced, p->rules[i].name) && !in_list(extra, p->rules[i].name))
                        fail_msg("%s.policy line %u: '%s' is neither traced nor a [tender]/[margin] entry",
                                 monitor, p->rules[i].line, p->rules[i].name);
}

static void test_solo5_policies(void **state)
{
        (void) state;
        check_tender_policy("spt", spt_traced, spt_extra);
        check_tender_policy("hvt", hvt_traced, hvt_extra);
}

static void test_load_errors(void **state)
{
        struct ur_seccomp_policy *p = NULL;
        _cleanup_err_ struct ur_err *e1 = NULL, *e2 = NULL;

        assert_true(ur_seccomp_policy_load(POLICY_DIR, "vmware", &p, &e1) < 0);
        assert_non_null(strstr(ur_err_msg(e1), "seccomp policy of monitor 'vmware'"));
        assert_non_null(strstr(ur_err_msg(e1), "vmware.policy"));
        assert_true(ur_seccomp_policy_load(POLICY_DIR, "../qemu", &p, &e2) < 0);
        assert_non_null(strstr(ur_err_msg(e2), "no seccomp policy for monitor '../qemu'"));
        assert_null(p);
}

/* The filter built from qemu.policy: listed syscalls allowed, the errno
 * rules in place, the default kills (as libseccomp's PFC text shows). */
static void test_filter(void **state)
{
        _cleanup_seccomp_policy_ struct ur_seccomp_policy *p = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        struct ur_seccomp_filter *f = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -1;
        size_t len;
        char path[64];

        if (!ur_seccomp_supported())
                skip();
        if (ur_seccomp_policy_load(POLICY_DIR, "qemu", &p, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        if (ur_seccomp_filter_build(p, false, &f, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        fd = memfd_create("pfc", MFD_CLOEXEC);
        assert_true(fd >= 0);
        if (ur_seccomp_filter_export(f, fd, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        ur_seccomp_filter_free(f);
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        if (ur_read_file(path, 1 << 20, &text, &len, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        assert_non_null(strstr(text, "filter for syscall \"ioctl\""));
        assert_non_null(strstr(text, "filter for syscall \"io_uring_setup\""));
        assert_non_null(strstr(text, "action ERRNO(38)")); /* ENOSYS */
        assert_null(strstr(text, "\"ptrace\""));
        assert_non_null(strstr(text, "action KILL_PROCESS"));

        /* log_only: nothing kills. */
        free(text);
        text = NULL;
        assert_true(ftruncate(fd, 0) == 0);
        assert_true(lseek(fd, 0, SEEK_SET) == 0);
        if (ur_seccomp_filter_build(p, true, &f, &err) < 0 || ur_seccomp_filter_export(f, fd, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        ur_seccomp_filter_free(f);
        if (ur_read_file(path, 1 << 20, &text, &len, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        assert_null(strstr(text, "KILL"));
        assert_non_null(strstr(text, "action LOG"));
}

/* Argument conditions: the syntax, and old lines keep working. */
static void test_conditions(void **state)
{
        _cleanup_seccomp_policy_ struct ur_seccomp_policy *p = parse_ok(
                "read\n"
                "clone if arg0 & CLONE_NEWUSER|CLONE_NEWNET == 0\n"
                "socket if arg0 == AF_UNIX\n"
                "socket if arg0 == 2 and arg1 != 0x3   # inet, not raw\n"
                "ioctl errno EPERM if arg1 == TIOCSTI\n"
                "ioctl if arg1 & 0xff00 == 0xae00\n");
        assert_int_equal(p->n_rules, 6);
        const struct ur_seccomp_rule *r = &p->rules[1];
        assert_int_equal(r->n_conds, 1);
        assert_int_equal(r->conds[0].arg, 0);
        assert_int_equal(r->conds[0].op, UR_SECCOMP_MASKED_EQ);
        assert_true(r->conds[0].mask == 0x50000000);
        assert_true(r->conds[0].value == 0);
        r = &p->rules[3];
        assert_int_equal(r->n_conds, 2);
        assert_true(r->conds[0].value == 2);
        assert_int_equal(r->conds[1].arg, 1);
        assert_int_equal(r->conds[1].op, UR_SECCOMP_NE);
        assert_true(r->conds[1].value == 3);
        r = &p->rules[4];
        assert_int_equal(r->action, UR_SECCOMP_ERRNO);
        assert_int_equal(r->errno_value, EPERM);
        assert_true(r->conds[0].value == 0x5412);
        assert_int_equal(p->rules[0].n_conds, 0);

        parse_fail("read\nioctl if\n", "t.policy:2: 'ioctl': 'if' needs a condition");
        parse_fail("ioctl if arg6 == 1\n", "t.policy:1: 'ioctl': expected arg0..arg5, got 'arg6'");
        parse_fail("ioctl if arg1 =~ 1\n", "unknown comparison '=~'");
        parse_fail("ioctl if arg1 == TIOCNOPE\n", "unknown value 'TIOCNOPE'");
        parse_fail("ioctl if arg1 == 1|\n", "unknown value '1|'");
        parse_fail("ioctl if arg1 & 0xff == \n", "incomplete condition");
        parse_fail("ioctl if arg1 & 0xff\n", "expected 'argN & MASK == VALUE'");
        parse_fail("ioctl if arg1 == 1 or arg1 == 2\n", "expected 'and' or the end of the line, got 'or'");
        parse_fail("ioctl if arg1 == 1 and arg1 == 2\n", "two conditions on arg1");
        parse_fail("ioctl\nioctl if arg1 == 1\n",
                   "t.policy:2: syscall 'ioctl' is listed on line 1 without conditions");
        parse_fail("ioctl if arg1 == 1\nioctl\n", "t.policy:2: syscall 'ioctl' is listed on line 1 with conditions");
}

/* Runs probe in a child under the filter of the shipped qemu.policy;
 * returns its wait status. */
static int under_qemu_filter(int (*probe)(void))
{
        pid_t pid = fork();
        int status = 0;

        assert_true(pid >= 0);
        if (pid == 0) {
                _cleanup_seccomp_policy_ struct ur_seccomp_policy *p = NULL;
                struct ur_seccomp_filter *f = NULL;
                struct ur_err *err = NULL;
                if (ur_seccomp_policy_load(POLICY_DIR, "qemu", &p, &err) < 0 ||
                    ur_seccomp_filter_build(p, false, &f, &err) < 0 || ur_seccomp_filter_load(f, &err) < 0)
                        _exit(100);
                _exit(probe());
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return status;
}

static int probe_tiocsti(void)
{
        char c = 'x';
        ioctl(0, TIOCSTI, &c);
        return 0;
}
static int probe_tcgets(void)
{
        struct termios t;
        ioctl(0, TCGETS, &t); /* ENOTTY is fine: it was allowed */
        return 0;
}
static int probe_clone_newuser(void)
{
        long r = syscall(SYS_clone, (unsigned long) (CLONE_NEWUSER | SIGCHLD), NULL, NULL, NULL, 0);
        if (r == 0)
                _exit(0);
        return 0;
}
static int probe_clone_thread_flags(void)
{
        /* A plain fork through clone: allowed. */
        long r = syscall(SYS_clone, (unsigned long) SIGCHLD, NULL, NULL, NULL, 0);
        if (r == 0)
                _exit(0);
        return r > 0 ? 0 : 1;
}
static int probe_clone3(void)
{
        long r = syscall(SYS_clone3, NULL, 0);
        return r < 0 && errno == ENOSYS ? 0 : 1;
}
static int probe_packet_socket(void)
{
        socket(AF_PACKET, SOCK_RAW, 0);
        return 0;
}
static int probe_unix_socket(void)
{
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        return fd >= 0 ? 0 : 1;
}

/* The shipped qemu.policy filters arguments: namespaces in clone, clone3
 * (ENOSYS), tty ioctls outside the allow-list, socket families. */
static void test_argument_filter(void **state)
{
        if (!ur_seccomp_supported())
                skip();
        static const struct {
                const char *what;
                int (*probe)(void);
                int sigsys;
        } cases[] = {
                { "ioctl TIOCSTI", probe_tiocsti, 1 },
                { "ioctl TCGETS", probe_tcgets, 0 },
                { "clone CLONE_NEWUSER", probe_clone_newuser, 1 },
                { "clone (fork)", probe_clone_thread_flags, 0 },
                { "clone3 -> ENOSYS", probe_clone3, 0 },
                { "socket AF_PACKET", probe_packet_socket, 1 },
                { "socket AF_UNIX", probe_unix_socket, 0 },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int st = under_qemu_filter(cases[i].probe);
                if (cases[i].sigsys) {
                        if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
                                fail_msg("%s: expected SIGSYS, got status 0x%x", cases[i].what, st);
                } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                        fail_msg("%s: expected exit 0, got status 0x%x", cases[i].what, st);
                }
        }
}

static void test_wanted(void **state)
{
        static const char *const docs[] = {
                "{\"root\": {\"path\": \"r\"}, \"linux\": {\"seccomp\": {}}}",
                "{\"root\": {\"path\": \"r\"}, \"linux\": {}}",
                "{\"root\": {\"path\": \"r\"}, \"linux\": {\"seccomp\": {}}, \"annotations\": "
                "{\"com.urunc.seccomp\": \"unconfined\"}}",
                "{\"root\": {\"path\": \"r\"}, \"linux\": {\"seccomp\": {}}, \"annotations\": "
                "{\"com.urunc.seccomp\": \"default\"}}",
                "{\"root\": {\"path\": \"r\"}, \"linux\": {\"seccomp\": {}}, \"annotations\": "
                "{\"com.urunc.seccomp\": \"off\"}}",
                "{\"root\": {\"path\": \"r\"}, \"annotations\": {\"com.urunc.seccomp\": \"unconfined\"}}",
        };
        /* On whether the spec has linux.seccomp or not (issue 13); off only
         * with the annotation. */
        static const int want[] = {1, 1, 0, 1, -1, 0};

        for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
                _cleanup_spec_ struct ur_spec *spec = NULL;
                _cleanup_err_ struct ur_err *err = NULL;
                bool on = false;

                if (ur_spec_parse(docs[i], strlen(docs[i]), "/tmp", "config.json", &spec, &err) < 0)
                        fail_msg("%s: %s", docs[i], ur_err_msg(err));
                if (want[i] < 0) {
                        assert_true(ur_vm_seccomp_wanted(spec, &on, &err) < 0);
                        assert_non_null(strstr(ur_err_msg(err),
                                               "annotation 'com.urunc.seccomp': unknown value 'off'"));
                } else {
                        assert_int_equal(ur_vm_seccomp_wanted(spec, &on, &err), 0);
                        assert_int_equal(on, want[i]);
                }
        }
}

static void test_config_keys(void **state)
{
        _cleanup_config_ struct ur_config *d = NULL, *c = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        struct ur_config *bad = NULL;

        assert_int_equal(ur_config_defaults(&d, &err), 0);
        assert_null(d->security.policy_dir);
        assert_false(d->security.seccomp_log);
        assert_true(d->security.confine);
        if (ur_config_parse("[security]\npolicy_dir = \"/p\"\nseccomp_log = true\nconfine = false\n",
                            "c.toml", &c, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        assert_string_equal(c->security.policy_dir, "/p");
        assert_true(c->security.seccomp_log);
        assert_false(c->security.confine);
        assert_true(ur_config_parse("[security]\nconfine = 1\n", "c.toml", &bad, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "c.toml:2"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),        cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_errors),      cmocka_unit_test(test_foreign_names),
                cmocka_unit_test(test_shipped),     cmocka_unit_test(test_load_errors),
                cmocka_unit_test(test_filter),      cmocka_unit_test(test_wanted),
                cmocka_unit_test(test_config_keys), cmocka_unit_test(test_solo5_policies),
                cmocka_unit_test(test_conditions),  cmocka_unit_test(test_argument_filter),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}
