/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/monitor.h"

#include <errno.h>
#include <fcntl.h>
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
#include <unistd.h>

#include "monitors/monitor.h"
#include "net/net.h"
#include "runtime/channel.h"
#include "runtime/console.h"
#include "runtime/crash.h"
#include "runtime/hooks.h"
#include "runtime/internal.h"
#include "runtime/state.h"
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
        if (ur_security_prepare(m->ctx->config, spec, m->vm->monitor, &m->security, err) < 0)
                return -1;
        if (join_namespaces(m, err) < 0)
                return -1;
        if (spec->namespaces[UR_NS_MOUNT].present && !spec->namespaces[UR_NS_MOUNT].path &&
            mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return ur_err_set(err, errno, "make the mount namespace a slave of the host's");
        if (spec->namespaces[UR_NS_UTS].present && spec->hostname &&
            sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                return ur_err_set(err, errno, "set hostname '%s'", spec->hostname);
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

static const char *find_resolv_conf(const struct ur_spec *spec)
{
        for (size_t i = 0; i < spec->n_mounts; i++)
                if (ur_streq(spec->mounts[i].destination, "/etc/resolv.conf"))
                        return spec->mounts[i].source;
        return NULL;
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
        if (ur_net_setup(m->id, &info, uid, gid, &m->vm->net, err) < 0) {
                /* ur_net_setup left nothing behind: neither does the record. */
                forget_network_record(m);
                return ur_err_wrap(err, "network setup");
        }
        m->networked = true;
        snprintf(m->ifname, sizeof(m->ifname), "%s", info.ifname);
        resolv = find_resolv_conf(m->spec);
        if (resolv) {
                ur_err e = NULL;
                if (ur_net_resolv_nameserver(resolv, m->vm->net.dns, &e) < 0)
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
        if (m->vm->net.tap_fd >= 0) {
                close(m->vm->net.tap_fd);
                m->vm->net.tap_fd = -1;
        }
        if (ur_net_teardown(NULL, m->id, m->ifname, &e) < 0)
                ur_log_warning("%s", ur_err_msg(e));
        else
                forget_network_record(m);
        ur_err_free(&e);
        m->networked = false;
}

static struct ur_exec exec_plan;

static int prepare_start(struct ur_monitor *m, const char *state, ur_err *err)
{
        if (setup_network(m, err) < 0)
                return -1;
        /* From here on whether the guest has a NIC is known. */
        m->vm->net_decided = true;
        ur_ts_mark(m->id, "start-network");
        ur_crash_point("monitor-after-network", 0);
        if (ur_hooks_run(m->spec, UR_HOOK_START_CONTAINER, state, err) < 0)
                return -1;
        ur_ts_mark(m->id, "start-hooks");
        if (ur_vm_build_exec(m->vm, &exec_plan, err) < 0)
                return -1;
        if (m->networked && !exec_plan.pass_tap_fd && m->vm->net.tap_fd >= 0) {
                /* Monitors that open the tap by name (firecracker, solo5)
                 * cannot attach while we hold it: keep the device without
                 * our fd.  delete removes it. */
                if (ur_net_tap_persist(&m->vm->net, true, err) < 0)
                        return -1;
                close(m->vm->net.tap_fd);
                m->vm->net.tap_fd = -1;
        }
        for (unsigned i = 0; i < exec_plan.n_files; i++)
                if (ur_write_file_atomic(exec_plan.files[i].path, exec_plan.files[i].content,
                                         strlen(exec_plan.files[i].content), 0600, err) < 0)
                        return -1;
        if (m->console_journal) {
                _cleanup_free_ char *ident = NULL;

                if (asprintf(&ident, "urunc-%s", m->id) < 0)
                        return ur_err_set(err, ENOMEM, "console to the journal");
                if (ur_console_journal(ident, err) < 0)
                        return ur_err_wrap(err, "container '%s'", m->id);
        }
        /* Nothing on the host's filesystem is needed after this. */
        unlink(m->sock_path);
        if (ur_security_confine(m->security, m->vm, &exec_plan, m->state_dir, err) < 0)
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

static _Noreturn void do_exec(struct ur_monitor *m, sd_bus *bus)
{
        char *const default_env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        char *msg = NULL;
        sigset_t none;

        unlink(m->sock_path);
        if (m->listen_fd >= 0)
                close(m->listen_fd);
        if (exec_plan.pass_tap_fd && m->vm->net.tap_fd >= 0)
                clear_cloexec(m->vm->net.tap_fd);
        for (int fd = 3; fd < 3 + m->preserve_fds; fd++)
                clear_cloexec(fd);
        sd_bus_flush(bus);

        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        ur_ts_mark(m->id, "start-exec");
        ur_crash_point("monitor-before-exec", 0);
        /* start tells an exec (the channel closes on it) from a death (it
         * closes too) by this. */
        sd_bus_emit_signal(bus, UR_BUS_PATH, UR_BUS_IFACE, "Exec", "");
        sd_bus_flush(bus);
        {
                /* Credentials, capabilities, no_new_privs, seccomp: last. */
                _cleanup_err_ ur_err se = NULL;
                if (ur_security_apply(m->security, &se) < 0) {
                        sd_bus_emit_signal(bus, UR_BUS_PATH, UR_BUS_IFACE, "ExecFailed", "s", ur_err_msg(se));
                        sd_bus_flush(bus);
                        _exit(127);
                }
        }
        execve(exec_plan.argv[0], exec_plan.argv, exec_plan.env ? exec_plan.env : default_env);

        if (asprintf(&msg, "exec monitor '%s': %s", exec_plan.argv[0], strerror(errno)) < 0)
                msg = NULL;
        sd_bus_emit_signal(bus, UR_BUS_PATH, UR_BUS_IFACE, "ExecFailed", "s", msg ? msg : "exec failed");
        sd_bus_flush(bus);
        undo_network(m);
        _exit(127);
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
