/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitors/monitor.h"
#include "net/net.h"
#include "runtime/channel.h"
#include "runtime/console.h"
#include "runtime/crash.h"
#include "runtime/hooks.h"
#include "runtime/internal.h"
#include "runtime/state.h"
#include "runtime/supervise.h"
#include "runtime/virtiofsd.h"
#include "security/confine.h"
#include "systemd/journal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/timestamps.h"

static void on_term(int sig)
{
        /* Before exec the monitor process holds nothing that needs undoing;
         * as a pid namespace's init it would otherwise ignore these. */
        _exit(128 + sig);
}

static int join_namespaces(struct ur_monitor *m, ur_err *err)
{
        /* The mount namespace last: joining it changes what paths mean. */
        static const enum ur_ns_type order[] = { UR_NS_NETWORK, UR_NS_IPC, UR_NS_UTS, UR_NS_CGROUP, UR_NS_MOUNT };

        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                enum ur_ns_type t = order[i];
                if (m->ns_fds[t] < 0)
                        continue;
                if (setns(m->ns_fds[t], 0) < 0)
                        return ur_err_set(err, errno, "join %s namespace '%s'", ur_ns_type_name(t),
                                          m->spec->namespaces[t].path);
                close(m->ns_fds[t]);
                m->ns_fds[t] = -1;
        }
        return 0;
}

static int listen_control(struct ur_monitor *m, ur_err *err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        if (strlen(m->sock_path) >= sizeof(sa.sun_path))
                return ur_err_set(err, 0, "control socket path '%s' is too long (use a shorter --root)",
                                  m->sock_path);
        strcpy(sa.sun_path, m->sock_path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return ur_err_set(err, errno, "control socket");
        unlink(m->sock_path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || chmod(m->sock_path, 0600) < 0 ||
            listen(fd, 8) < 0) {
                int e = errno;
                close(fd);
                return ur_err_set(err, e, "control socket '%s'", m->sock_path);
        }
        m->listen_fd = fd;
        return 0;
}

static int setup(struct ur_monitor *m, ur_err *err)
{
        const struct ur_spec *spec = m->spec;

        if (prctl(PR_SET_NAME, UR_MONITOR_COMM) < 0)
                return ur_err_set(err, errno, "prctl");
        /* The control socket lives in the host's state dir: bind it before
         * joining a mount namespace. */
        if (listen_control(m, err) < 0)
                return -1;
        /* The seccomp policy is read from the host's filesystem. */
        if (ur_security_prepare(m->ctx->config, spec, m->plan, &m->security, err) < 0)
                return -1;
        if (join_namespaces(m, err) < 0)
                return -1;
        if (spec->namespaces[UR_NS_MOUNT].present && !spec->namespaces[UR_NS_MOUNT].path &&
            mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return ur_err_set(err, errno, "make the mount namespace a slave of the host's");
        if (ur_security_own_mount_ns(m->security, m->plan, spec->root_path, err) < 0)
                return -1;
        if (m->plan->set_hostname && sethostname(m->plan->vm.hostname, strlen(m->plan->vm.hostname)) < 0)
                return ur_err_set(err, errno, "set hostname '%s'", m->plan->vm.hostname);
        if (m->console_slave && ur_console_attach(m->console_slave, err) < 0)
                return -1;
        return 0;
}

/* ---- methods ---- */

static int method_init(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
        struct ur_monitor *m = userdata;
        static bool setup_done;

        /* create calls Init once this process is in its scope or cgroup:
         * only then may it do anything (journald attributes a process's
         * entries, and the guest console's stream, by the cgroup it saw at
         * the process's first message). */
        if (!setup_done) {
                setup_done = true;
                if (setup(m, &m->init_err) < 0)
                        ur_log_debug("monitor process setup failed: %s", ur_err_msg(m->init_err));
                ur_crash_point("monitor-after-setup", 0);
        }
        if (m->init_err)
                return ur_channel_reply_error(msg, m->init_err);
        return sd_bus_reply_method_return(msg, "");
}

static int stage_from_name(const char *s)
{
        for (int i = 0; i < _UR_HOOK_MAX; i++)
                if (strcmp(ur_hook_stage_name(i), s) == 0)
                        return i;
        return -1;
}

static int method_run_hooks(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
        struct ur_monitor *m = userdata;
        _cleanup_err_ ur_err e = NULL;
        const char *stage, *state;
        int s, r;

        r = sd_bus_message_read(msg, "ss", &stage, &state);
        if (r < 0)
                return r;
        s = stage_from_name(stage);
        if (s < 0) {
                ur_err_set(&e, 0, "unknown hook stage '%s'", stage);
                return ur_channel_reply_error(msg, e);
        }
        if (ur_hooks_run(m->spec, s, state, &e) < 0)
                return ur_channel_reply_error(msg, e);
        return sd_bus_reply_method_return(msg, "");
}

static int method_commit(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
        struct ur_monitor *m = userdata;

        m->committed = true;
        return sd_bus_reply_method_return(msg, "");
}

static void forget_network_record(struct ur_monitor *m)
{
        _cleanup_free_ char *path = ur_path_join(m->state_dir, UR_STATE_NETWORK);

        if (path)
                unlink(path);
}

static int setup_network(struct ur_monitor *m, ur_err *err)
{
        struct ur_net_info info = { 0 };
        const char *resolv;
        int uid, gid;

        /* Without a network namespace of its own the container shares the
         * host's: taking over the host's interface is never what is meant. */
        if (!m->spec->namespaces[UR_NS_NETWORK].present) {
                ur_log_info("container '%s' has no network namespace: the guest gets no network", m->id);
                return 0;
        }
        if (ur_net_discover(&info, err) < 0)
                return ur_err_wrap(err, "network discovery");
        if (!info.found) {
                ur_log_info("no interface with an IPv4 address in the network namespace: the guest boots without a NIC");
                return 0;
        }
        /* The tap belongs to the monitor's user: it can attach by name. */
        ur_security_owner(m->security, &uid, &gid);
        {
                /* delete tears the plumbing down from this record when the
                 * namespace outlives the container; written first, so that
                 * it is there whenever this process dies (teardown is
                 * idempotent). */
                _cleanup_free_ char *path = ur_path_join(m->state_dir, UR_STATE_NETWORK);
                if (!path || ur_write_file_atomic(path, info.ifname, strlen(info.ifname), 0600, err) < 0)
                        return ur_err_wrap(err, "record the network setup");
        }
        if (ur_net_setup(m->id, &info, uid, gid, &m->plan->vm.net, err) < 0) {
                /* ur_net_setup left nothing behind: neither does the record. */
                forget_network_record(m);
                return ur_err_wrap(err, "network setup");
        }
        m->networked = true;
        snprintf(m->ifname, sizeof(m->ifname), "%s", info.ifname);
        resolv = m->plan->resolv_conf;
        if (resolv) {
                ur_err e = NULL;
                if (ur_net_resolv_nameserver(resolv, m->plan->vm.net.dns, &e) < 0)
                        ur_log_debug("resolv.conf '%s': %s", resolv, ur_err_msg(e));
                ur_err_free(&e);
        }
        return 0;
}

static void undo_network(struct ur_monitor *m)
{
        ur_err e = NULL;

        if (!m->networked)
                return;
        if (m->plan->vm.net.tap_fd >= 0) {
                close(m->plan->vm.net.tap_fd);
                m->plan->vm.net.tap_fd = -1;
        }
        if (ur_net_teardown(NULL, m->id, m->ifname, &e) < 0)
                ur_log_warning("%s", ur_err_msg(e));
        else
                forget_network_record(m);
        ur_err_free(&e);
        m->networked = false;
}

static int prepare_start(struct ur_monitor *m, const char *state, ur_err *err)
{
        if (setup_network(m, err) < 0)
                return -1;
        /* From here on whether the guest has a NIC is known. */
        m->plan->vm.net_decided = true;
        ur_ts_mark(m->id, "start-network");
        ur_crash_point("monitor-after-network", 0);
        if (ur_hooks_run(m->spec, UR_HOOK_START_CONTAINER, state, err) < 0)
                return -1;
        ur_ts_mark(m->id, "start-hooks");
        /* Again, now with the network decided. */
        ur_exec_done(&m->plan->exec);
        if (ur_vm_build_exec(&m->plan->vm, &m->plan->exec, err) < 0)
                return -1;
        if (m->networked && !m->plan->exec.pass_tap_fd && m->plan->vm.net.tap_fd >= 0) {
                /* Monitors that open the tap by name (firecracker, solo5)
                 * cannot attach while we hold it: keep the device without
                 * our fd.  delete removes it. */
                if (ur_net_tap_persist(&m->plan->vm.net, true, err) < 0)
                        return -1;
                close(m->plan->vm.net.tap_fd);
                m->plan->vm.net.tap_fd = -1;
        }
        for (unsigned i = 0; i < m->plan->exec.n_files; i++)
                if (ur_write_file_atomic(m->plan->exec.files[i].path, m->plan->exec.files[i].content,
                                         strlen(m->plan->exec.files[i].content), 0600, err) < 0)
                        return -1;
        if (m->plan->console_journal) {
                _cleanup_free_ char *ident = NULL;

                if (asprintf(&ident, "urunc-%s", m->id) < 0)
                        return ur_err_set(err, ENOMEM, "console to the journal");
                if (ur_console_journal(ident, err) < 0)
                        return ur_err_wrap(err, "container '%s'", m->id);
        }
        /* Nothing on the host's filesystem is needed after this; the
         * supervisor's log entries still reach the journal (when there is
         * one) on a socket connected now. */
        unlink(m->sock_path);
        if (ur_journal_available() && ur_journal_pin() < 0)
                ur_log_debug("container '%s': the supervisor cannot log to the journal", m->id);
        if (m->plan->vm.virtiofsd) {
                /* Before the confinement: the daemons need the host's view.
                 * Their sockets go where the monitor sees its state dir. */
                _cleanup_free_ char *dir = ur_security_confines(m->security)
                                                   ? ur_path_join(m->state_dir, UR_CONFINE_OWN_DIR)
                                                   : strdup(m->state_dir);
                int uid, gid;
                ur_security_owner(m->security, &uid, &gid);
                if (!dir)
                        return ur_err_set(err, ENOMEM, "virtiofsd");
                if (ur_virtiofsd_start(&m->plan->vm, dir, (uid_t) uid, (gid_t) gid, err) < 0)
                        return ur_err_wrap(err, "container '%s'", m->id);
        }
        if (ur_security_confine(m->security, m->plan, &m->plan->exec, m->state_dir, err) < 0)
                return ur_err_wrap(err, "confine the monitor");
        return 0;
}

static int method_start(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
        struct ur_monitor *m = userdata;
        _cleanup_err_ ur_err e = NULL;
        const char *state;
        int r;

        r = sd_bus_message_read(msg, "s", &state);
        if (r < 0)
                return r;
        if (prepare_start(m, state, &e) < 0) {
                undo_network(m);
                m->start_failed = true;
                return ur_channel_reply_error(msg, e);
        }
        m->exec_now = true;
        return sd_bus_reply_method_return(msg, "");
}

/* Access control is the socket itself (0600, in a 0700 directory): a peer
 * connection carries no sender credentials for sd-bus to check. */
static const sd_bus_vtable monitor_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Init", "", "", method_init, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("RunHooks", "ss", "", method_run_hooks, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Commit", "", "", method_commit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Start", "s", "", method_start, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL("Exec", "", 0),
        SD_BUS_SIGNAL("ExecFailed", "s", 0),
        SD_BUS_VTABLE_END,
};

static void clear_cloexec(int fd)
{
        int flags = fcntl(fd, F_GETFD);

        if (flags >= 0)
                fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Every fd from first up, except `keep` (-1: none): close-on-exec (cloexec)
 * or closed.  Whatever the caller of create left open (runc's callers rely
 * on the runtime for this) must not reach the VMM nor stay in the
 * supervisor. */
static void fds_from(int first, const int *keep, size_t n_keep, bool cloexec)
{
        unsigned flags = cloexec ? CLOSE_RANGE_CLOEXEC : 0;
        int lo = first;

        for (;;) {
                int next = -1;
                /* The lowest kept fd at or above lo. */
                for (size_t i = 0; i < n_keep; i++)
                        if (keep[i] >= lo && (next < 0 || keep[i] < next))
                                next = keep[i];
                unsigned hi = next < 0 ? ~0U : (unsigned) next - 1;
                if (next != lo && syscall(SYS_close_range, (unsigned) lo, hi, flags) < 0) {
                        /* Kernels before 5.11: one by one, as far as the limit. */
                        long max = sysconf(_SC_OPEN_MAX);
                        int end = next < 0 ? (max > 0 && max < 65536 ? (int) max : 65536) : next;
                        for (int fd = lo; fd < end; fd++)
                                if (cloexec)
                                        fcntl(fd, F_SETFD, FD_CLOEXEC);
                                else
                                        close(fd);
                }
                if (next < 0)
                        return;
                lo = next + 1;
        }
}

static void ignore_signal(int sig)
{
        /* Never runs: the signal is blocked and read from a signalfd.  A
         * handler makes it "caught", which a pid namespace's init needs for
         * a signal from outside to be queued at all (and kill looks for). */
        (void) sig;
}

/* The child: the VMM.  Reports a failure on errfd (close-on-exec: EOF
 * means the exec happened). */
static _Noreturn void exec_vmm(struct ur_monitor *m, pid_t parent, int errfd)
{
        char *const default_env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        _cleanup_err_ ur_err se = NULL;
        char msg[1024];
        sigset_t none;
        int n;

        for (int sig = 1; sig < NSIG; sig++)
                sigaction(sig, &dfl, NULL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        /* Never outlive the supervisor (without a pid namespace nothing
         * else would kill the VMM when it dies); it may already be gone. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(127);
        {
                int tap = m->plan->exec.pass_tap_fd ? m->plan->vm.net.tap_fd : -1;
                fds_from(3 + m->preserve_fds, &tap, 1, true);
                if (tap >= 0)
                        clear_cloexec(tap);
        }
        for (int fd = 3; fd < 3 + m->preserve_fds; fd++)
                clear_cloexec(fd);
        /* Credentials, capabilities, no_new_privs, seccomp: last. */
        if (ur_security_apply(m->security, &se) < 0) {
                n = snprintf(msg, sizeof(msg), "%s", ur_err_msg(se));
        } else {
                execve(m->plan->exec.argv[0], m->plan->exec.argv, m->plan->exec.env ? m->plan->exec.env : default_env);
                n = snprintf(msg, sizeof(msg), "exec monitor '%s': %s", m->plan->exec.argv[0], strerror(errno));
        }
        if (n > 0)
                (void) !write(errfd, msg, (size_t) n < sizeof(msg) ? (size_t) n : sizeof(msg) - 1);
        _exit(127);
}

/* The exec's outcome: NULL when the child exec'd, else its message. */
static char *read_exec_error(int fd)
{
        char buf[1024];
        size_t len = 0;

        for (;;) {
                ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0 || (len += (size_t) n) == sizeof(buf) - 1)
                        break;
        }
        if (len == 0)
                return NULL;
        buf[len] = '\0';
        return strdup(buf);
}

static _Noreturn void exec_failed(struct ur_monitor *m, sd_bus *bus, const char *msg)
{
        sd_bus_emit_signal(bus, UR_BUS_PATH, UR_BUS_IFACE, "ExecFailed", "s", msg);
        sd_bus_flush(bus);
        undo_network(m);
        _exit(127);
}

static _Noreturn void do_exec(struct ur_monitor *m, sd_bus *bus)
{
        struct sigaction caught = { .sa_handler = ignore_signal };
        struct ur_supervise sup = { .id = m->id, .monitor = m->plan->vm.monitor, .guest = m->plan->vm.guest };
        _cleanup_free_ char *failure = NULL, *qmp_path = NULL;
        int errpipe[2], devnull;
        sigset_t sigs;
        pid_t self = getpid(), child;

        unlink(m->sock_path);
        if (m->listen_fd >= 0)
                close(m->listen_fd);
        sd_bus_flush(bus);
        /* From here on M forwards these (ur_supervise); blocked first, so
         * that none is lost between the fork and the signalfd. */
        ur_supervise_signals(&sigs);
        sigprocmask(SIG_BLOCK, &sigs, NULL);
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGCHLD && sigismember(&sigs, sig) == 1)
                        sigaction(sig, &caught, NULL);
        signal(SIGPIPE, SIG_IGN);
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (pipe2(errpipe, O_CLOEXEC) < 0) {
                char msg[128];
                snprintf(msg, sizeof(msg), "start the monitor: pipe: %s", strerror(errno));
                exec_failed(m, bus, msg);
        }
        ur_ts_mark(m->id, "start-exec");
        ur_crash_point("monitor-before-exec", 0);

        child = fork();
        if (child < 0) {
                char msg[128];
                snprintf(msg, sizeof(msg), "start the monitor: fork: %s", strerror(errno));
                exec_failed(m, bus, msg);
        }
        if (child == 0) {
                close(errpipe[0]);
                exec_vmm(m, self, errpipe[1]);
        }
        /* "created" is told from "running" by this name (state.c). */
        prctl(PR_SET_NAME, UR_SUPERVISOR_COMM);
        close(errpipe[1]);
        failure = read_exec_error(errpipe[0]);
        close(errpipe[0]);
        if (failure) {
                int st;
                while (waitpid(child, &st, 0) < 0 && errno == EINTR)
                        ;
                exec_failed(m, bus, failure);
        }
        /* start returns once the channel closes after this. */
        sd_bus_emit_signal(bus, UR_BUS_PATH, UR_BUS_IFACE, "Exec", "");
        sd_bus_flush_close_unref(bus);

        qmp_path = m->plan->exec.qmp_path ? strdup(m->plan->exec.qmp_path) : NULL;
        /* Keep only what supervising needs: stderr (the container's, for
         * the line that says why it ended), the log, the journal. */
        if (devnull >= 0) {
                dup2(devnull, STDIN_FILENO);
                dup2(devnull, STDOUT_FILENO);
        }
        {
                int keep[] = { ur_log_fd(), ur_journal_pinned_fd() };
                fds_from(3, keep, ELEMENTSOF(keep), false);
        }
        m->plan->vm.net.tap_fd = -1;
        ur_exec_done(&m->plan->exec);
        malloc_trim(0);
        sup.child = child;
        sup.qmp_path = qmp_path;
        ur_supervise_drop_privileges(m->security, m->id, child);
        ur_supervise(&sup, &sigs);
}

_Noreturn void ur_monitor_main(struct ur_monitor *m, int chan_fd)
{
        struct sigaction sa = { .sa_handler = on_term };
        _cleanup_err_ ur_err e = NULL;
        sd_bus *bus = NULL;

        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        /* Whatever the monitor process says from now on goes to the log
         * file and the channel, never to the container's stderr. */
        ur_log_set_quiet_stderr(true);

        /* Serve create until it hangs up; without its Commit, create failed
         * or died and this process has nothing to wait for. */
        ur_channel_serve(chan_fd, monitor_vtable, m, NULL, NULL, &e);
        if (!m->committed || m->init_err)
                _exit(1);

        for (;;) {
                int c = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        _exit(1);
                }
                ur_err_free(&e);
                ur_channel_serve(c, monitor_vtable, m, &m->exec_now, &bus, &e);
                if (m->exec_now)
                        do_exec(m, bus);
                if (m->start_failed)
                        _exit(1);
        }
}
