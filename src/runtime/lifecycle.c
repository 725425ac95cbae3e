/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/runtime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "net/net.h"
#include "runtime/channel.h"
#include "runtime/crash.h"
#include "runtime/hooks.h"
#include "runtime/internal.h"
#include "runtime/proc.h"
#include "runtime/state.h"
#include "systemd/machine.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/path.h"
#include "util/strv.h"
#include "util/time.h"
#include "util/timestamps.h"

/* How long delete waits for a killed monitor to die. */
#define KILL_WAIT_MS 10000

int ur_state_spec(const struct ur_state *st, struct ur_spec **ret, ur_err *err)
{
        _cleanup_free_ char *path = ur_path_join(st->dir, UR_STATE_CONFIG);
        _cleanup_free_ char *text = NULL;
        size_t len;

        if (ur_read_file(path, UR_SPEC_MAX_SIZE, &text, &len, err) < 0)
                return -1;
        return ur_spec_parse(text, len, st->bundle, path, ret, err);
}

static int load(struct ur_context *ctx, const char *id, struct ur_state **ret, ur_err *err)
{
        if (ur_validate_id(id, err) < 0)
                return -1;
        ur_log_set_container(id);
        if (ur_fallback_dispatch(ctx, id, err) < 0)
                return -1;
        return ur_state_load(ctx->root, id, ret, err);
}

/*
 * load() under the container's lock, for the commands that change it: the
 * state read is then the one acted on (create holds the lock until it is
 * done, so such a command waits for a create in progress).
 */
static int load_locked(struct ur_context *ctx, const char *id, struct ur_state **ret, int *ret_lock, ur_err *err)
{
        _cleanup_free_ char *dir = NULL;

        if (ur_validate_id(id, err) < 0)
                return -1;
        ur_log_set_container(id);
        if (ur_fallback_dispatch(ctx, id, err) < 0)
                return -1;
        dir = ur_state_dir(ctx->root, id);
        if (!dir)
                return ur_err_set(err, ENOMEM, "container '%s'", id);
        for (int attempt = 0;; attempt++) {
                _cleanup_close_ int lock = -1;
                struct stat a, b;
                int r;

                lock = ur_state_lock(dir, err);
                if (lock == -ENOENT || lock == -ENOTDIR) {
                        ur_err_free(err);
                        return ur_err_set(err, 0, "container '%s' does not exist", id), -ENOENT;
                }
                if (lock < 0)
                        return -1;
                r = ur_state_load(ctx->root, id, ret, err);
                if (r < 0)
                        return r;
                /* The directory locked must be the one read: not one that a
                 * delete removed and a create made anew meanwhile. */
                if ((fstat(lock, &a) == 0 && stat(dir, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) ||
                    attempt == 3) {
                        *ret_lock = TAKE_FD(lock);
                        return 0;
                }
                ur_state_free(*ret);
                *ret = NULL;
        }
}

/* The status under the lock: no create is running then, so a state it did
 * not commit is what a killed create left. */
static enum ur_status status_locked(const struct ur_state *st)
{
        if (st->bare || st->uncommitted)
                return UR_STATUS_STOPPED;
        return ur_state_status(st);
}

int ur_start(struct ur_context *ctx, const char *id, ur_err *err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        _cleanup_spec_ struct ur_spec *spec = NULL;
        _cleanup_free_ char *sock = NULL, *created_json = NULL, *running_json = NULL;
        _cleanup_close_ int lock = -1;
        sd_bus *bus = NULL;
        uint64_t timeout;
        enum ur_status status;
        bool announced = false;
        int r;

        ur_ts_mark(id, "start-begin");
        if (load_locked(ctx, id, &st, &lock, err) < 0)
                return -1;
        status = status_locked(st);
        if (status == UR_STATUS_RUNNING)
                return ur_err_set(err, 0, "cannot start an already running container '%s'", id);
        if (status == UR_STATUS_PAUSED)
                return ur_err_set(err, 0, "cannot start a container in the paused state: '%s'", id);
        if (status == UR_STATUS_STOPPED)
                return ur_err_set(err, 0, "cannot start a container that has stopped: '%s'", id);
        if (ur_state_spec(st, &spec, err) < 0)
                return -1;
        timeout = ur_timeout_usec(ctx) + ur_hooks_timeout_usec(spec, UR_HOOK_START_CONTAINER);

        sock = ur_path_join(st->dir, UR_STATE_SOCKET);
        if (ur_channel_open_path(sock, &bus, err) < 0)
                return ur_err_wrap(err, "start container '%s'", id);
        sd_bus_set_method_call_timeout(bus, timeout);
        created_json = ur_state_text(st, UR_STATUS_CREATED);
        r = ur_channel_call(bus, "Start", timeout, err, "s", created_json);
        if (r >= 0)
                r = ur_channel_wait_exec(bus, ur_timeout_usec(ctx), &announced, err);
        sd_bus_flush_close_unref(bus);
        /* A monitor process that never said Exec (one from an older urunc
         * does not) exec'd only if it runs something else now. */
        if (r >= 0 && !announced) {
                enum ur_status now = ur_state_status(st);
                if (now != UR_STATUS_RUNNING && now != UR_STATUS_PAUSED)
                        r = ur_err_set(err, 0, "the monitor process (pid %d) died before exec", (int) st->pid);
        }
        if (r < 0)
                return ur_err_wrap(err, "start container '%s'", id);

        ur_crash_point("start-after-exec", st->pid);
        st->started = true;
        if (ur_state_save(st, err) < 0)
                return -1;
        ur_log_info("started container '%s' (%s on %s, pid %d)", id, st->guest, st->monitor, (int) st->pid);
        running_json = ur_state_text(st, UR_STATUS_RUNNING);
        ur_hooks_run_warn(spec, UR_HOOK_POSTSTART, running_json);
        ur_ts_mark(id, "start-end");
        return 0;
}

/* How long kill waits for the monitor to install its handler. */
#define HANDLER_WAIT_MS 3000

/*
 * As the init of its own pid namespace, the monitor only receives the
 * signals it handles: the kernel drops others sent from outside.  Right
 * after exec QEMU has not installed its SIGTERM handler yet, so a kill at
 * that moment would be lost.  Returns true when pid is such an init and
 * does not catch sig (yet).
 */
static bool signal_would_be_dropped(pid_t pid, int sig)
{
        _cleanup_free_ char *text = NULL;
        char path[64];
        const char *p;
        unsigned n = 0;
        bool last_is_one = false;

        if (sig == SIGKILL || sig == SIGSTOP)
                return false;
        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        if (ur_read_file(path, 1 << 16, &text, NULL, NULL) < 0)
                return false;
        /* "NSpid:\t<pid here>\t...\t<pid in its own namespace>" */
        p = strstr(text, "\nNSpid:");
        if (!p)
                return false;
        for (p += 7; *p && *p != '\n';) {
                char *end;
                unsigned long v = strtoul(p, &end, 10);
                if (end == p)
                        break;
                n++;
                last_is_one = v == 1;
                p = end;
        }
        if (n < 2 || !last_is_one)
                return false;
        p = strstr(text, "\nSigCgt:");
        return p && !(strtoull(p + 9, NULL, 16) & (1ULL << (sig - 1)));
}

/* -ESRCH with runc's wording when the monitor is gone. */
static int signal_monitor(const struct ur_state *st, int sig, ur_err *err)
{
        _cleanup_close_ int pidfd = st->pid > 0 ? ur_pidfd_open(st->pid) : -1;
        int r;

        if (pidfd < 0)
                return ur_err_set(err, 0, "container not running"), -ESRCH;
        /* The pidfd pins the process: check it is still the one we created. */
        if (!ur_proc_alive(st->pid, st->pid_start))
                return ur_err_set(err, 0, "container not running"), -ESRCH;
        if (sig <= 64 && signal_would_be_dropped(st->pid, sig)) {
                long long deadline = ur_now_ms() + HANDLER_WAIT_MS;
                while (signal_would_be_dropped(st->pid, sig) && ur_now_ms() < deadline)
                        usleep(5000);
        }
        r = ur_pidfd_send_signal(pidfd, sig);
        if (r == -ESRCH)
                return ur_err_set(err, 0, "container not running"), -ESRCH;
        if (r < 0)
                return ur_err_set(err, -r, "send signal %d to container '%s'", sig, st->id);
        return 0;
}

/*
 * kill --all: also every other process left in the container's cgroup (the
 * monitor's own children, or what outlived it), as runc signals the whole
 * cgroup.  Best effort: a process may be gone by the time it is signalled.
 */
static void signal_cgroup_rest(const struct ur_state *st, int sig)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        ur_err e = NULL;

        if (st->cgroup.manager == UR_CGROUP_NONE || ur_cgroup_pids(&st->cgroup, &pids, &n, &e) < 0) {
                ur_err_free(&e);
                return;
        }
        for (size_t i = 0; i < n; i++)
                if (pids[i] > 0 && pids[i] != st->pid && kill(pids[i], sig) == 0)
                        ur_log_debug("kill --all: signal %d to pid %d of container '%s'", sig, (int) pids[i],
                                     st->id);
}

int ur_kill(struct ur_context *ctx, const char *id, int sig, bool all, ur_err *err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        int r;

        if (load(ctx, id, &st, err) < 0)
                return -1;
        ur_ts_mark(id, "kill-begin");
        /* As runc: kill --all of a container that has stopped succeeds (the
         * containerd shim sends it after the task exited, and Kubernetes'
         * StopContainer fails if it does not), plain kill says "container
         * not running". */
        if (ur_state_status(st) == UR_STATUS_STOPPED)
                r = (ur_err_set(err, 0, "container not running"), -ESRCH);
        else
                r = signal_monitor(st, sig, err);
        if (all) {
                signal_cgroup_rest(st, sig);
                if (r == -ESRCH) {
                        ur_err_free(err);
                        ur_log_debug("kill --all: container '%s' is not running, nothing to signal", id);
                        return 0;
                }
        }
        if (r < 0)
                return -1;
        ur_ts_mark(id, "kill-end");
        ur_log_info("delivered signal %s (%d) to container '%s'%s", ur_signal_name(sig), sig, id, all ? " (--all)" : "");
        return 0;
}

/*
 * Tear a container down and remove its record.  When the cgroup (scope) or
 * the network plumbing cannot be removed, the record stays -- with what
 * delete --force needs to retry -- and the error is returned: removing it
 * would leave a scope or a tap that nothing knows about any more.
 */
static int forget(const struct ur_state *st, ur_err *err)
{
        _cleanup_spec_ struct ur_spec *spec = NULL;
        _cleanup_free_ char *netfile = ur_path_join(st->dir, UR_STATE_NETWORK);
        _cleanup_free_ char *ifname = NULL;
        _cleanup_free_ char *stopped_json = NULL;
        ur_err e = NULL;
        int r = 0;

        if (st->machine && ur_machine_unregister(st->machine, &e) < 0)
                ur_log_warning("delete '%s': %s", st->id, ur_err_msg(e));
        ur_err_free(&e);
        if (ur_cgroup_destroy(&st->cgroup, err) < 0)
                r = -1;
        if (st->netns_path && ur_read_file(netfile, 64, &ifname, NULL, NULL) >= 0) {
                ifname[strcspn(ifname, "\n")] = '\0';
                if (ur_net_teardown(st->netns_path, st->id, ifname, r < 0 ? &e : err) < 0) {
                        if (r < 0)
                                ur_log_warning("delete '%s': %s", st->id, ur_err_msg(e));
                        r = -1;
                }
                ur_err_free(&e);
        }
        if (r < 0)
                return ur_err_wrap(err, "delete '%s' (its state is kept: retry with delete --force)", st->id);
        if (st->bare || st->uncommitted) {
                /* A create killed half-way: as after a failed create, no
                 * poststop hooks (the container never existed). */
        } else if (ur_state_spec(st, &spec, &e) >= 0) {
                stopped_json = ur_state_text(st, UR_STATUS_STOPPED);
                ur_hooks_run_warn(spec, UR_HOOK_POSTSTOP, stopped_json);
        } else {
                ur_log_warning("delete '%s': poststop hooks not run: %s", st->id, ur_err_msg(e));
        }
        ur_err_free(&e);
        /* The directory leaves the id's name in one step: removed file by
         * file in place, a racing `state` would see it without its
         * state.json but locked, which reads as "creating".  A hidden name
         * (list skips dot names) then goes at leisure. */
        _cleanup_free_ char *gone = NULL;
        const char *slash = strrchr(st->dir, '/');
        if (slash && asprintf(&gone, "%.*s/.deleted-%s-%d", (int) (slash - st->dir), st->dir, st->id,
                              (int) getpid()) >= 0 &&
            rename(st->dir, gone) == 0) {
                if (ur_rm_rf(gone, err) < 0)
                        return ur_err_wrap(err, "delete '%s'", st->id);
                return 0;
        }
        if (ur_rm_rf(st->dir, err) < 0)
                return ur_err_wrap(err, "delete '%s'", st->id);
        return 0;
}

/* run has logged the container's exit with its status: delete does not
 * log a second, vaguer line. */
static bool exit_logged;

int ur_delete(struct ur_context *ctx, const char *id, bool force, ur_err *err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        _cleanup_close_ int lock = -1;
        enum ur_status status;
        bool killed = false;
        int r;

        r = load_locked(ctx, id, &st, &lock, err);
        if (r == -ENOENT && force) {
                ur_err_free(err);
                return 0;
        }
        if (r < 0)
                return -1;
        ur_ts_mark(id, "delete-begin");
        status = status_locked(st);
        if ((status == UR_STATUS_RUNNING || status == UR_STATUS_PAUSED) && !force)
                return ur_err_set(err, 0, "cannot delete container '%s' that is not stopped: %s", id,
                                  ur_status_name(status));
        /* Also the monitor process of a killed create: it leaves by itself
         * once create is gone, but may not have yet. */
        if (status != UR_STATUS_STOPPED || (st->uncommitted && st->pid > 0)) {
                _cleanup_close_ int pidfd = ur_pidfd_open(st->pid);
                if (pidfd >= 0 && ur_proc_alive(st->pid, st->pid_start)) {
                        ur_pidfd_send_signal(pidfd, SIGKILL);
                        if (status == UR_STATUS_PAUSED) {
                                ur_err e = NULL;
                                ur_cgroup_freeze(&st->cgroup, false, &e);
                                ur_err_free(&e);
                                kill(st->pid, SIGCONT);
                        }
                        if (ur_wait_gone(st->pid, st->pid_start, pidfd, KILL_WAIT_MS) < 0)
                                return ur_err_set(err, 0, "container '%s': the monitor (pid %d) did not die after SIGKILL",
                                                  id, (int) st->pid);
                        killed = true;
                }
        }
        /* The exit status of a detached container goes to whoever reaps the
         * monitor (the engine's shim, conmon): only run knows it. */
        if (killed)
                ur_log_info("container '%s' exited: killed by SIGKILL (delete%s)", id, force ? " --force" : "");
        else if (!st->uncommitted && st->pid > 0 && !exit_logged)
                ur_log_info("container '%s' exited (monitor pid %d; its exit status went to the process that reaped it)",
                            id, (int) st->pid);
        if (forget(st, err) < 0)
                return -1;
        ur_log_info("deleted container '%s'", id);
        ur_ts_mark(id, "delete-end");
        return 0;
}

int ur_exec(struct ur_context *ctx, const char *id, ur_err *err)
{
        _cleanup_state_ struct ur_state *st = NULL;

        if (load(ctx, id, &st, err) < 0)
                return -1;
        return ur_err_set(
                err, 0,
                "exec is not supported for unikernel container '%s': its only process is the virtual "
                "machine monitor, and the guest has no way to start another process",
                id);
}

int ur_state_json(struct ur_context *ctx, const char *id, json_object **ret, ur_err *err)
{
        _cleanup_state_ struct ur_state *st = NULL;

        if (load(ctx, id, &st, err) < 0)
                return -1;
        *ret = ur_state_to_oci(st, ur_state_status(st));
        return 0;
}

int ur_list(struct ur_context *ctx, json_object **ret, ur_err *err)
{
        _cleanup_strv_ char **ids = NULL;
        json_object *arr;

        if (ur_state_list(ctx->root, &ids, err) < 0)
                return -1;
        arr = json_object_new_array();
        for (size_t i = 0; ids[i]; i++) {
                struct ur_state *st = NULL;
                ur_err e = NULL;
                if (ur_state_load(ctx->root, ids[i], &st, &e) < 0) {
                        ur_err_free(&e);
                        continue; /* deleted meanwhile */
                }
                json_object_array_add(arr, ur_state_to_oci(st, ur_state_status(st)));
                ur_state_free(st);
        }
        *ret = arr;
        return 0;
}

int ur_ps(struct ur_context *ctx, const char *id, pid_t **ret, size_t *ret_n, ur_err *err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        pid_t *pids = NULL;
        size_t n = 0;

        if (load(ctx, id, &st, err) < 0)
                return -1;
        if (ur_state_status(st) == UR_STATUS_STOPPED) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (st->cgroup.manager != UR_CGROUP_NONE) {
                ur_err e = NULL;
                if (ur_cgroup_pids(&st->cgroup, &pids, &n, &e) >= 0 && n > 0) {
                        *ret = pids;
                        *ret_n = n;
                        return 0;
                }
                free(pids);
                ur_err_free(&e);
        }
        pids = malloc(sizeof(pid_t));
        if (!pids)
                return ur_err_set(err, ENOMEM, "ps");
        pids[0] = st->pid;
        *ret = pids;
        *ret_n = 1;
        return 0;
}

int ur_pause(struct ur_context *ctx, const char *id, bool pause, ur_err *err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        _cleanup_close_ int lock = -1;
        enum ur_status status;

        if (load_locked(ctx, id, &st, &lock, err) < 0)
                return -1;
        status = status_locked(st);
        if (pause && status != UR_STATUS_RUNNING)
                return ur_err_set(err, 0, "container not running");
        if (!pause && status != UR_STATUS_PAUSED)
                return ur_err_set(err, 0, "container not paused");
        if (st->cgroup.manager != UR_CGROUP_NONE) {
                if (ur_cgroup_freeze(&st->cgroup, pause, err) < 0)
                        return ur_err_wrap(err, "%s container '%s'", pause ? "pause" : "resume", id);
        } else {
                /* Without a cgroup to freeze: the supervisor and the VMM it
                 * forked, the VMM first (a stopped supervisor forwards
                 * nothing); on resume the supervisor passes SIGCONT on. */
                _cleanup_free_ pid_t *kids = NULL;
                size_t n = 0;
                if (pause && ur_proc_children(st->pid, &kids, &n) >= 0)
                        for (size_t i = 0; i < n; i++)
                                kill(kids[i], SIGSTOP);
                if (signal_monitor(st, pause ? SIGSTOP : SIGCONT, err) < 0)
                        return -1;
        }
        ur_log_info("%s container '%s'", pause ? "paused" : "resumed", id);
        return 0;
}

int ur_update(struct ur_context *ctx, const char *id, const char *resources_json, size_t len, ur_err *err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        _cleanup_spec_ struct ur_spec *spec = NULL;
        _cleanup_close_ int lock = -1;

        if (load_locked(ctx, id, &st, &lock, err) < 0)
                return -1;
        if (status_locked(st) == UR_STATUS_STOPPED)
                return ur_err_set(err, 0, "container not running");
        if (ur_state_spec(st, &spec, err) < 0)
                return -1;
        if (ur_resources_parse(resources_json, len, "--resources", &spec->resources, err) < 0)
                return -1;
        if (ur_resources_check(&spec->resources, "", err) < 0)
                return ur_err_wrap(err, "--resources");
        if (st->cgroup.manager == UR_CGROUP_NONE)
                return ur_err_set(err, 0, "container '%s' has no cgroup to update", id);
        if (ur_cgroup_update(&st->cgroup, &spec->resources, err) < 0)
                return ur_err_wrap(err, "update container '%s'", id);
        ur_log_info("updated the limits of container '%s'", id);
        return 0;
}

static volatile pid_t run_pid;

/* The signal that asked run to stop (TERM, INT, HUP, QUIT), if any. */
static volatile sig_atomic_t stop_signal;

static void forward_signal(int sig)
{
        if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT)
                stop_signal = sig;
        if (run_pid > 0)
                kill(run_pid, sig);
}

/*
 * sd_notify for run.  runc hands $NOTIFY_SOCKET to the container, whose
 * process then says READY=1 itself; a unikernel cannot, so urunc run keeps
 * the socket to itself (the monitor and the VMM never see it) and speaks for
 * the guest.
 */
static char *notify_socket;

static void notify(const char *msg)
{
        int r;

        if (!notify_socket)
                return;
        if (setenv("NOTIFY_SOCKET", notify_socket, 1) < 0)
                return;
        r = sd_notify(1, msg);
        if (r < 0)
                ur_log_warning("sd_notify '%s': %s", msg, strerror(-r));
}

/* The guest's IPv4 address: the one urunc gave it, found on the interface
 * of its network namespace (joined in a child: this process stays put). */
static int guest_address(const char *netns, char ret[16], ur_err *err)
{
        int fd, p[2], status = 0;
        ssize_t n;
        pid_t pid;

        fd = open(netns, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return ur_err_set(err, errno, "open network namespace '%s'", netns);
        if (pipe2(p, O_CLOEXEC) < 0) {
                close(fd);
                return ur_err_set(err, errno, "pipe");
        }
        pid = fork();
        if (pid < 0) {
                close(fd);
                close(p[0]);
                close(p[1]);
                return ur_err_set(err, errno, "fork");
        }
        if (pid == 0) {
                struct ur_net_info info = { 0 };

                close(p[0]);
                if (setns(fd, CLONE_NEWNET) < 0 || ur_net_discover(&info, NULL) < 0 || !info.found)
                        _exit(1);
                _exit(write(p[1], info.ip, strlen(info.ip)) > 0 ? 0 : 1);
        }
        close(fd);
        close(p[1]);
        n = RETRY_EINTR(read(p[0], ret, 15));
        close(p[0]);
        RETRY_EINTR(waitpid(pid, &status, 0));
        if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return ur_err_set(err, 0, "no IPv4 address in network namespace '%s'", netns);
        ret[n] = '\0';
        return 0;
}

/* One connect() to ip:port, bounded by 100 ms: 1 when it is accepted. */
static int port_answers(const char *ip, unsigned port)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
        struct pollfd pfd;
        int fd, r = 0, e = 0;
        socklen_t len = sizeof(e);

        if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
                return 0;
        fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return 0;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0) {
                r = 1;
        } else if (errno == EINPROGRESS) {
                pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
                if (poll(&pfd, 1, 100) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 && e == 0)
                        r = 1;
        }
        close(fd);
        return r;
}

/*
 * Until the guest's port answers (1), or the container exits first (0,
 * *status set).  No bound of its own: the unit's TimeoutStartSec= is it.
 */
static int wait_port(struct ur_context *ctx, const char *id, pid_t pid, unsigned port, int *status, ur_err *err)
{
        _cleanup_state_ struct ur_state *st = NULL;
        _cleanup_free_ char *ns = NULL;
        char ip[16];

        if (load(ctx, id, &st, err) < 0)
                return -1;
        if (st->netns_path)
                ns = strdup(st->netns_path);
        else if (asprintf(&ns, "/proc/%d/ns/net", (int) pid) < 0)
                ns = NULL;
        if (!ns)
                return ur_err_set(err, ENOMEM, "run");
        if (guest_address(ns, ip, err) < 0)
                return ur_err_wrap(err, "waiting for port %u of container '%s'", port, id);
        ur_log_info("container '%s': waiting for %s:%u to answer", id, ip, port);
        for (;;) {
                pid_t w = waitpid(pid, status, WNOHANG);

                if (w == pid)
                        return 0;
                if (port_answers(ip, port)) {
                        ur_log_info("container '%s': %s:%u answers", id, ip, port);
                        return 1;
                }
                usleep(20000);
        }
}

int ur_run(struct ur_context *ctx, const struct ur_create_opts *o, bool detach, bool keep, int *ret_status,
           ur_err *err)
{
        static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
        struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };
        pid_t pid = 0;
        int status = 0;
        bool exited = false;

        if (getenv("NOTIFY_SOCKET")) {
                free(notify_socket);
                notify_socket = strdup(getenv("NOTIFY_SOCKET"));
                unsetenv("NOTIFY_SOCKET");
        }
        if (ur_create(ctx, o, &pid, err) < 0)
                return -1;
        run_pid = pid;
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaction(forwarded[i], &sa, NULL);
        if (ur_start(ctx, o->id, err) < 0) {
                ur_err e = NULL;
                int stopped_by = stop_signal;
                if (ur_delete(ctx, o->id, true, &e) < 0)
                        ur_log_warning("%s", ur_err_msg(e));
                ur_err_free(&e);
                if (stopped_by) {
                        /* Asked to stop while starting (systemctl stop during
                         * a restart, ^C): what was asked happened, no error. */
                        ur_log_info("container '%s' stopped by %s while starting (%s)", o->id,
                                    strsignal(stopped_by), ur_err_msg(*err));
                        ur_err_free(err);
                        run_pid = 0;
                        *ret_status = 128 + stopped_by;
                        exit_logged = true;
                        return 0;
                }
                return -1;
        }
        if (notify_socket && o->ready_port > 0 && !detach) {
                ur_err e = NULL;
                int r = wait_port(ctx, o->id, pid, o->ready_port, &status, &e);

                if (r < 0) {
                        ur_log_warning("%s", ur_err_msg(e));
                        ur_err_free(&e);
                }
                exited = r == 0;
        }
        if (!exited) {
                _cleanup_free_ char *msg = NULL;

                if (asprintf(&msg, "READY=1\nSTATUS=container '%s' is running%s", o->id,
                             o->ready_port > 0 ? ", its port answers" : "") < 0)
                        msg = NULL;
                notify(msg ? msg : "READY=1");
        }
        if (detach) {
                *ret_status = 0;
                return 0;
        }
        if (!exited && RETRY_EINTR(waitpid(pid, &status, 0)) < 0)
                return ur_err_set(err, errno, "wait for container '%s'", o->id);
        notify("STOPPING=1");
        run_pid = 0;
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        ur_log_info("container '%s' exited with status %d", o->id, *ret_status);
        exit_logged = true;
        if (!keep) {
                ur_err e = NULL;
                if (ur_delete(ctx, o->id, true, &e) < 0)
                        ur_log_warning("%s", ur_err_msg(e));
                ur_err_free(&e);
        }
        return 0;
}
