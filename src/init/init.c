/* SPDX-License-Identifier: Apache-2.0 */
#include "init/init.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/channel.h"
#include "init/console.h"
#include "init/hooks.h"
#include "init/marks.h"
#include "init/supervise.h"
#include "init/virtiofsd.h"
#include "net/net.h"
#include "security/confine.h"
#include "systemd/journal.h"
#include "util/cleanup.h"
#include "util/crash.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strv.h"
#include "util/timestamps.h"
#include "vm/build.h"
#include "vm/initrd.h"

static void on_term(int sig)
{
        /* Before exec the monitor process holds nothing that needs undoing;
         * as a pid namespace's init it would otherwise ignore these. */
        _exit(128 + sig);
}

static int join_namespaces(struct ur_init *m, struct ur_err **err)
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

static int listen_control(struct ur_init *m, struct ur_err **err)
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

static int setup(struct ur_init *m, struct ur_err **err)
{
        const struct ur_spec *spec = m->spec;

        if (prctl(PR_SET_NAME, UR_INIT_COMM) < 0)
                return ur_err_set(err, errno, "prctl");
        /* The control socket lives in the host's state dir: bind it before
         * joining a mount namespace. */
        if (listen_control(m, err) < 0)
                return -1;
        /* The seccomp policy is read from the host's filesystem. */
        if (ur_security_prepare(m->plan, &m->security, err) < 0)
                return -1;
        if (join_namespaces(m, err) < 0)
                return -1;
        if (spec->namespaces[UR_NS_MOUNT].present && !spec->namespaces[UR_NS_MOUNT].path &&
            mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return ur_err_set(err, errno, "make the mount namespace a slave of the host's");
        if (ur_security_own_mount_ns(m->security, m->plan, spec->root_path, err) < 0)
                return -1;
        if (m->plan->vm.n_copies > 0) {
                /* The bind mounts copied into the initrd, read in the
                 * container's view of the host, written where the monitor
                 * sees its state dir. */
                _cleanup_free_ char *dir = ur_security_confines(m->security)
                                                   ? ur_path_join(m->state_dir, UR_CONFINE_OWN_DIR)
                                                   : strdup(m->state_dir);
                if (!dir)
                        return ur_err_set(err, ENOMEM, "initrd");
                if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                        return ur_err_set(err, errno, "mkdir '%s'", dir);
                struct ur_plan_bind *b = ur_plan_find_bind(m->plan, m->plan->vm.initrd);
                if (ur_initrd_extend(&m->plan->vm, b ? &b->fd : NULL, dir, err) < 0)
                        return -1;
                /* The confined root binds the extended one (in the state dir). */
                if (b) {
                        free(b->path);
                        b->path = strdup(m->plan->vm.initrd);
                        if (!b->path)
                                return ur_err_set(err, ENOMEM, "initrd");
                }
        }
        if (m->plan->set_hostname && sethostname(m->plan->vm.hostname, strlen(m->plan->vm.hostname)) < 0)
                return ur_err_set(err, errno, "set hostname '%s'", m->plan->vm.hostname);
        if (m->console_slave && ur_console_attach(m->console_slave, err) < 0)
                return -1;
        return 0;
}

/* ---- hooks in a child: the loop keeps serving while they run ---- */

/* A hook stage run by a child of this process (in its namespaces, as
 * before); its error message comes back on a pipe, empty on success. */
struct hook_job {
        struct ur_init *m;
        pid_t pid;
        int pidfd;                 /* -1: the child is looked at on a timer */
        int errfd;
        sd_event_source *exit_src; /* the pidfd, or the timer */
        sd_event_source *deadline; /* NULL: none */
        uint64_t budget_usec;
        void (*done)(struct hook_job *j, struct ur_err *e); /* e NULL: the stage succeeded */
        sd_bus_message *call;      /* RunHooks: the call to answer */
};

#define HOOK_POLL_USEC (20 * 1000)

static void hook_job_free(struct hook_job *j)
{
        if (!j)
                return;
        sd_event_source_disable_unref(j->exit_src);
        sd_event_source_disable_unref(j->deadline);
        if (j->pidfd >= 0)
                close(j->pidfd);
        if (j->errfd >= 0)
                close(j->errfd);
        sd_bus_message_unref(j->call);
        free(j);
}

/* The child has ended (reaped): its message, if any, is the error. */
static void hook_job_finish(struct hook_job *j)
{
        _cleanup_err_ struct ur_err *e = NULL;
        char buf[4096];
        ssize_t n;

        n = read(j->errfd, buf, sizeof(buf) - 1);
        if (n > 0) {
                buf[n] = '\0';
                ur_err_set(&e, 0, "%s", buf);
        }
        j->m->hooks = NULL;
        j->done(j, e);
        hook_job_free(j);
}

static int on_hook_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct hook_job *j = userdata;

        RETRY_EINTR(waitpid(j->pid, NULL, 0));
        hook_job_finish(j);
        return 0;
}

static int on_hook_poll(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct hook_job *j = userdata;
        pid_t r = waitpid(j->pid, NULL, WNOHANG);

        if (r == 0 || (r < 0 && errno == EINTR)) {
                ur_event_rearm(s, HOOK_POLL_USEC);
                return 0;
        }
        hook_job_finish(j);
        return 0;
}

static int on_hook_deadline(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct hook_job *j = userdata;
        _cleanup_err_ struct ur_err *e = NULL;

        kill(j->pid, SIGKILL);
        RETRY_EINTR(waitpid(j->pid, NULL, 0));
        ur_err_set(&e, 0, "the container's hooks did not finish within %llu s",
                   (unsigned long long) (j->budget_usec / 1000000));
        j->m->hooks = NULL;
        j->done(j, e);
        hook_job_free(j);
        return 0;
}

/* Start the stage's hooks in a child; done() is called from the loop. */
static int hook_job_start(struct ur_init *m, enum ur_hook_stage stage, const char *state,
                          uint64_t budget_usec, void (*done)(struct hook_job *j, struct ur_err *e),
                          sd_bus_message *call, struct ur_err **err)
{
        struct hook_job *j;
        int p[2], r;

        if (m->hooks)
                return ur_err_set(err, 0, "hooks are already running");
        j = calloc(1, sizeof(*j));
        if (!j)
                return ur_err_set(err, ENOMEM, "hooks");
        *j = (struct hook_job){.m = m, .pidfd = -1, .errfd = -1, .done = done, .budget_usec = budget_usec};
        if (pipe2(p, O_CLOEXEC) < 0) {
                free(j);
                return ur_err_set(err, errno, "hooks: pipe");
        }
        j->pid = fork();
        if (j->pid < 0) {
                r = errno;
                close(p[0]);
                close(p[1]);
                free(j);
                return ur_err_set(err, r, "hooks: fork");
        }
        if (j->pid == 0) {
                _cleanup_err_ struct ur_err *e = NULL;
                close(p[0]);
                if (ur_hooks_run(m->spec, stage, state, &e) < 0) {
                        const char *msg = ur_err_msg(e);
                        (void) !write(p[1], msg, strlen(msg));
                        _exit(1);
                }
                _exit(0);
        }
        close(p[1]);
        j->errfd = p[0];
        j->pidfd = ur_pidfd_open(j->pid);
        if (j->pidfd >= 0)
                r = sd_event_add_io(m->event, &j->exit_src, j->pidfd, EPOLLIN, on_hook_exit, j);
        else {
                j->pidfd = -1;
                r = ur_event_add_timer(m->event, &j->exit_src, HOOK_POLL_USEC, on_hook_poll, j);
        }
        if (r >= 0 && budget_usec > 0)
                r = ur_event_add_timer(m->event, &j->deadline, budget_usec, on_hook_deadline, j);
        if (r < 0) {
                kill(j->pid, SIGKILL);
                RETRY_EINTR(waitpid(j->pid, NULL, 0));
                hook_job_free(j);
                return ur_err_set(err, -r, "hooks: watch the child");
        }
        j->call = sd_bus_message_ref(call);
        m->hooks = j;
        return 0;
}

/* ---- methods ---- */

static int method_init(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
        struct ur_init *m = userdata;
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

static void run_hooks_done(struct hook_job *j, struct ur_err *e)
{
        if (e)
                ur_channel_reply_error(j->call, e);
        else
                sd_bus_reply_method_return(j->call, "");
}

static int method_run_hooks(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
        struct ur_init *m = userdata;
        _cleanup_err_ struct ur_err *e = NULL;
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
        /* Answered when the child is done, within what create waits. */
        if (hook_job_start(m, s, state, m->timeout_usec + ur_hooks_timeout_usec(m->spec, s), run_hooks_done,
                           msg, &e) < 0)
                return ur_channel_reply_error(msg, e);
        return 1;
}

static int method_commit(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
        struct ur_init *m = userdata;

        m->committed = true;
        return sd_bus_reply_method_return(msg, "");
}

/* Where this process is, for a peer that asks. */
static int method_state(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
        struct ur_init *m = userdata;

        return sd_bus_reply_method_return(msg, "s",
                                          !m->committed     ? "creating"
                                          : m->start_failed ? "start-failed"
                                          : m->start_call   ? "starting"
                                                            : "created");
}

static void forget_network_record(struct ur_init *m)
{
        _cleanup_free_ char *path = ur_path_join(m->state_dir, UR_STATE_NETWORK);

        if (path)
                unlink(path);
}

static int setup_network(struct ur_init *m, struct ur_err **err)
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
                struct ur_err *e = NULL;
                if (ur_net_resolv_nameserver(resolv, m->plan->vm.net.dns, &e) < 0)
                        ur_log_debug("resolv.conf '%s': %s", resolv, ur_err_msg(e));
                ur_err_free(&e);
        }
        return 0;
}

static void undo_network(struct ur_init *m)
{
        struct ur_err *e = NULL;

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

/* ---- start: the plan carried out, one step per turn of the loop ---- */

/* Each returns 0 (next step), 1 (it resumes the sequence itself) or -1. */
static int step_network(struct ur_init *m, struct ur_err **err)
{
        if (setup_network(m, err) < 0)
                return -1;
        /* From here on whether the guest has a NIC is known. */
        m->plan->vm.net_decided = true;
        ur_ts_mark(m->id, "start-network");
        ur_crash_point("monitor-after-network", 0);
        return 0;
}

static void start_fail(struct ur_init *m, struct ur_err *e);
static void start_next(struct ur_init *m);

static void start_hooks_done(struct hook_job *j, struct ur_err *e)
{
        if (e) {
                start_fail(j->m, e);
                return;
        }
        ur_ts_mark(j->m->id, "start-hooks");
        start_next(j->m);
}

static int step_hooks(struct ur_init *m, struct ur_err **err)
{
        if (m->spec->hooks[UR_HOOK_START_CONTAINER].n == 0) {
                ur_ts_mark(m->id, "start-hooks");
                return 0;
        }
        /* Bounded by the start's own deadline. */
        if (hook_job_start(m, UR_HOOK_START_CONTAINER, m->start_state, 0, start_hooks_done, NULL, err) < 0)
                return -1;
        return 1;
}

static int step_argv(struct ur_init *m, struct ur_err **err)
{
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
        return 0;
}

static int step_console(struct ur_init *m, struct ur_err **err)
{
        if (m->plan->console_journal) {
                _cleanup_free_ char *ident = NULL;

                if (asprintf(&ident, "urunc-%s", m->id) < 0)
                        return ur_err_set(err, ENOMEM, "console to the journal");
                if (ur_journal_stdio(ident, err) < 0)
                        return ur_err_wrap(err, "container '%s'", m->id);
        }
        /* Nothing on the host's filesystem is needed after this; the
         * supervisor's log entries still reach the journal (when there is
         * one) on a socket connected now. */
        unlink(m->sock_path);
        if (ur_journal_available() && ur_journal_pin() < 0)
                ur_log_debug("container '%s': the supervisor cannot log to the journal", m->id);
        return 0;
}

static int step_virtiofsd(struct ur_init *m, struct ur_err **err)
{
        _cleanup_free_ char *dir = NULL;
        int uid, gid;

        if (!m->plan->vm.virtiofsd)
                return 0;
        /* Before the confinement: the daemons need the host's view.
         * Their sockets go where the monitor sees its state dir. */
        dir = ur_security_confines(m->security) ? ur_path_join(m->state_dir, UR_CONFINE_OWN_DIR)
                                                : strdup(m->state_dir);
        ur_security_owner(m->security, &uid, &gid);
        if (!dir)
                return ur_err_set(err, ENOMEM, "virtiofsd");
        if (ur_virtiofsd_start(&m->plan->vm, dir, (uid_t) uid, (gid_t) gid, err) < 0)
                return ur_err_wrap(err, "container '%s'", m->id);
        return 0;
}

static int step_confine(struct ur_init *m, struct ur_err **err)
{
        if (ur_security_confine(m->security, m->plan, &m->plan->exec, m->state_dir, err) < 0)
                return ur_err_wrap(err, "confine the monitor");
        return 0;
}

/* What start does before the exec, in order (the namespaces were joined
 * and the guest's files pinned at Init; credentials and seccomp come last,
 * in the VMM's child: exec_vmm). */
static const struct {
        const char *name;
        int (*run)(struct ur_init *m, struct ur_err **err);
} start_steps[] = {
        { "network", step_network }, { "hooks", step_hooks },       { "argv", step_argv },
        { "console", step_console }, { "virtiofsd", step_virtiofsd }, { "confine", step_confine },
};

static void start_done(struct ur_init *m)
{
        sd_event_source_disable_unref(TAKE_PTR(m->start_deadline));
        sd_bus_reply_method_return(m->start_call, "");
        m->exec_now = true;
        sd_event_exit(m->event, 0);
}

static void start_fail(struct ur_init *m, struct ur_err *e)
{
        sd_event_source_disable_unref(TAKE_PTR(m->start_deadline));
        sd_event_source_set_enabled(m->step_src, SD_EVENT_OFF);
        undo_network(m);
        m->start_failed = true;
        ur_channel_reply_error(m->start_call, e);
        /* This process has nothing left to do once the caller has the
         * answer: it ends when the caller hangs up (or stays silent). */
        if (m->start_peer && !m->start_peer_gone)
                ur_channel_peer_hold(m->start_peer, false);
        else
                sd_event_exit(m->event, 1);
}

static void start_next(struct ur_init *m)
{
        if (++m->step == ELEMENTSOF(start_steps))
                start_done(m);
        else
                sd_event_source_set_enabled(m->step_src, SD_EVENT_ONESHOT);
}

static int on_step(sd_event_source *s, void *userdata)
{
        struct ur_init *m = userdata;
        _cleanup_err_ struct ur_err *e = NULL;
        int r;

        ur_log_debug("start: %s", start_steps[m->step].name);
        r = start_steps[m->step].run(m, &e);
        if (r < 0)
                start_fail(m, e);
        else if (r == 0)
                start_next(m);
        return 0;
}

static int on_start_deadline(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct ur_init *m = userdata;
        _cleanup_err_ struct ur_err *e = NULL;

        ur_err_set(&e, 0, "start did not finish within %llu s (at step '%s')",
                   (unsigned long long) (m->start_budget_usec / 1000000), start_steps[m->step].name);
        if (m->hooks) {
                kill(m->hooks->pid, SIGKILL);
                RETRY_EINTR(waitpid(m->hooks->pid, NULL, 0));
                hook_job_free(TAKE_PTR(m->hooks));
        }
        start_fail(m, e);
        return 0;
}

static struct ur_channel_peer *peer_of(struct ur_init *m, sd_bus_message *msg);

static int method_start(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
        struct ur_init *m = userdata;
        _cleanup_err_ struct ur_err *e = NULL;
        const char *state;
        int r;

        r = sd_bus_message_read(msg, "s", &state);
        if (r < 0)
                return r;
        if (!m->committed || m->start_call) {
                ur_err_set(&e, 0, "container '%s': %s", m->id,
                           !m->committed ? "it is still being created" : "a start is already under way");
                return ur_channel_reply_error(msg, e);
        }
        m->start_state = strdup(state);
        if (!m->start_state)
                return -ENOMEM;
        /* The caller waits this long for the answer: so long the sequence
         * may take. */
        m->start_budget_usec = m->timeout_usec + ur_hooks_timeout_usec(m->spec, UR_HOOK_START_CONTAINER);
        r = ur_event_add_timer(m->event, &m->start_deadline, m->start_budget_usec, on_start_deadline, m);
        if (r < 0)
                return r;
        m->start_call = sd_bus_message_ref(msg);
        m->start_peer = peer_of(m, msg);
        if (m->start_peer)
                ur_channel_peer_hold(m->start_peer, true);
        m->step = 0;
        sd_event_source_set_enabled(m->step_src, SD_EVENT_ONESHOT);
        return 1;
}

/* Access control is the socket itself (0600, in a 0700 directory): a peer
 * connection carries no sender credentials for sd-bus to check. */
static const sd_bus_vtable init_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Init", "", "", method_init, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("RunHooks", "ss", "", method_run_hooks, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Commit", "", "", method_commit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Start", "s", "", method_start, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("State", "", "s", method_state, SD_BUS_VTABLE_UNPRIVILEGED),
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
static _Noreturn void exec_vmm(struct ur_init *m, pid_t parent, int errfd)
{
        char *const default_env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        _cleanup_err_ struct ur_err *se = NULL;
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

static _Noreturn void exec_failed(struct ur_init *m, sd_bus *bus, const char *msg)
{
        sd_bus_emit_signal(bus, UR_BUS_PATH, UR_BUS_IFACE, "ExecFailed", "s", msg);
        sd_bus_flush(bus);
        undo_network(m);
        _exit(127);
}

static _Noreturn void do_exec(struct ur_init *m, sd_bus *bus)
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

/* ---- the loop ---- */

static struct ur_channel_peer *peer_of(struct ur_init *m, sd_bus_message *msg)
{
        sd_bus *bus = sd_bus_message_get_bus(msg);

        for (unsigned i = 0; i < UR_INIT_MAX_PEERS; i++)
                if (m->peers[i] && ur_channel_peer_bus(m->peers[i]) == bus)
                        return m->peers[i];
        return NULL;
}

static void peer_drop(struct ur_init *m, unsigned i)
{
        if (m->peers[i] == m->start_peer)
                m->start_peer = NULL;
        ur_channel_peer_free(TAKE_PTR(m->peers[i]));
}

/* Free the peers that went away (not from within their own callbacks). */
static int on_reap(sd_event_source *s, void *userdata)
{
        struct ur_init *m = userdata;

        for (unsigned i = 0; i < UR_INIT_MAX_PEERS; i++)
                if (m->peer_gone[i]) {
                        m->peer_gone[i] = false;
                        peer_drop(m, i);
                }
        return 0;
}

static int listen_peers(struct ur_init *m);

static void on_peer_gone(struct ur_channel_peer *p, bool timed_out, void *userdata)
{
        struct ur_init *m = userdata;
        unsigned i;

        for (i = 0; i < UR_INIT_MAX_PEERS; i++)
                if (m->peers[i] == p)
                        break;
        if (i == UR_INIT_MAX_PEERS)
                return;
        if (p == m->create_peer) {
                /* create hung up: without its Commit, create failed or
                 * died and this process has nothing to wait for. */
                m->create_peer = NULL;
                if (!m->committed || m->init_err || listen_peers(m) < 0)
                        sd_event_exit(m->event, 1);
        } else if (p == m->start_peer && m->start_failed) {
                sd_event_exit(m->event, 1);
        } else if (p == m->start_peer) {
                /* The start goes on without anyone to tell (as before). */
                m->start_peer_gone = true;
                return;
        }
        m->peer_gone[i] = true;
        sd_event_source_set_enabled(m->reap_src, SD_EVENT_ONESHOT);
}

static int add_peer(struct ur_init *m, int fd, uint64_t idle_usec, struct ur_channel_peer **ret)
{
        _cleanup_err_ struct ur_err *e = NULL;

        for (unsigned i = 0; i < UR_INIT_MAX_PEERS; i++)
                if (!m->peers[i]) {
                        if (ur_channel_peer_add(m->event, fd, init_vtable, m, idle_usec, on_peer_gone, &m->peers[i],
                                                &e) < 0) {
                                ur_log_debug("%s", ur_err_msg(e));
                                return -1;
                        }
                        if (ret)
                                *ret = m->peers[i];
                        return 0;
                }
        ur_log_debug("control socket: more than %d connections at a time, one refused", UR_INIT_MAX_PEERS);
        close(fd);
        return -1;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct ur_init *m = userdata;
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

        if (c < 0) {
                if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
                        return 0;
                ur_log_debug("control socket: accept: %s", strerror(errno));
                sd_event_exit(m->event, 1);
                return 0;
        }
        /* A peer gets what a urunc command waits for an answer to say
         * something. */
        add_peer(m, c, m->timeout_usec, NULL);
        return 0;
}

static int listen_peers(struct ur_init *m)
{
        int flags = fcntl(m->listen_fd, F_GETFL);

        if (flags < 0 || fcntl(m->listen_fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return -1;
        return sd_event_add_io(m->event, &m->listen_src, m->listen_fd, EPOLLIN, on_accept, m) < 0 ? -1 : 0;
}

/* How long create may stay silent on its channel: what it may spend
 * between two calls (its own steps, each bounded by the timeout, and its
 * hooks).  0 when one of its hooks has no timeout: then only create's
 * life (its end of the socketpair) bounds the wait, as for runc. */
static uint64_t create_budget(const struct ur_init *m)
{
        static const enum ur_hook_stage stages[] = { UR_HOOK_PRESTART, UR_HOOK_CREATE_RUNTIME,
                                                     UR_HOOK_CREATE_CONTAINER };
        uint64_t t = 4 * m->timeout_usec;

        for (size_t i = 0; i < ELEMENTSOF(stages); i++) {
                for (size_t k = 0; k < m->spec->hooks[stages[i]].n; k++)
                        if (m->spec->hooks[stages[i]].v[k].timeout <= 0)
                                return 0;
                t += ur_hooks_timeout_usec(m->spec, stages[i]);
        }
        return t;
}

/* Serve create, then the control socket, until a start has done its
 * sequence (returns the start caller's bus) or this process has nothing
 * left to do (exits). */
static sd_bus *serve(struct ur_init *m, int chan_fd)
{
        sd_bus *bus = NULL;
        int r;

        if (sd_event_new(&m->event) < 0 || sd_event_add_defer(m->event, &m->step_src, on_step, m) < 0 ||
            sd_event_source_set_enabled(m->step_src, SD_EVENT_OFF) < 0 ||
            sd_event_add_defer(m->event, &m->reap_src, on_reap, m) < 0 ||
            sd_event_source_set_enabled(m->reap_src, SD_EVENT_OFF) < 0 ||
            add_peer(m, chan_fd, create_budget(m), &m->create_peer) < 0)
                _exit(1);
        r = sd_event_loop(m->event);
        if (r != 0 || !m->exec_now) {
                ur_log_debug("monitor process: the loop ended (%d)%s", r, m->exec_now ? "" : " without a start");
                _exit(1);
        }
        /* Everyone but the start's caller is let go; its bus leaves the loop. */
        sd_event_source_disable_unref(TAKE_PTR(m->listen_src));
        for (unsigned i = 0; i < UR_INIT_MAX_PEERS; i++) {
                if (!m->peers[i])
                        continue;
                if (m->peers[i] == m->start_peer) {
                        bus = ur_channel_peer_steal(TAKE_PTR(m->peers[i]));
                        m->start_peer = NULL;
                } else
                        peer_drop(m, i);
        }
        sd_event_source_disable_unref(TAKE_PTR(m->step_src));
        sd_event_source_disable_unref(TAKE_PTR(m->reap_src));
        sd_bus_message_unref(TAKE_PTR(m->start_call));
        free(TAKE_PTR(m->start_state));
        m->event = sd_event_unref(m->event);
        return bus;
}

_Noreturn void ur_init_main(struct ur_init *m, int chan_fd)
{
        struct sigaction sa = { .sa_handler = on_term };

        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        /* Whatever the monitor process says from now on goes to the log
         * file and the channel, never to the container's stderr. */
        ur_log_set_quiet_stderr(true);

        do_exec(m, serve(m, chan_fd));
}
