/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm/build.h"
#include "vmm/vmm.h"
#include "oci/metadata.h"
#include "init/channel.h"
#include "init/console.h"
#include "vm/dmblock.h"
#include "util/crash.h"
#include "init/hooks.h"
#include "runtime/internal.h"
#include "init/init.h"
#include "util/proc.h"
#include "runtime/state.h"
#include "vm/desc.h"
#include "vm/plan.h"
#include "security/seccomp.h"
#include "systemd/machine.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/path.h"
#include "util/time.h"
#include "util/timestamps.h"

uint64_t ur_timeout_usec(const struct ur_context *ctx)
{
        unsigned s = ctx->config && ctx->config->runtime.timeout_sec ? ctx->config->runtime.timeout_sec
                                                                     : UR_DEFAULT_TIMEOUT_SEC;
        return (uint64_t) s * 1000000ULL;
}

static const int clone_flag[_UR_NS_MAX] = {
        [UR_NS_PID] = CLONE_NEWPID,   [UR_NS_NETWORK] = CLONE_NEWNET, [UR_NS_MOUNT] = CLONE_NEWNS,
        [UR_NS_IPC] = CLONE_NEWIPC,   [UR_NS_UTS] = CLONE_NEWUTS,     [UR_NS_CGROUP] = CLONE_NEWCGROUP,
};

/* The kernel's type of a namespace fd, as the OCI name ("network", ...). */
static const char *nstype_name(int nstype)
{
        static const struct {
                int flag;
                const char *name;
        } names[] = {
                { CLONE_NEWPID, "pid" },   { CLONE_NEWNET, "network" },   { CLONE_NEWNS, "mount" },
                { CLONE_NEWIPC, "ipc" },   { CLONE_NEWUTS, "uts" },       { CLONE_NEWUSER, "user" },
                { CLONE_NEWCGROUP, "cgroup" }, { 0x00000080 /* CLONE_NEWTIME */, "time" },
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (names[i].flag == nstype)
                        return names[i].name;
        return "unknown";
}

/* A namespace path must name a namespace of its entry's type: setns()
 * with the fd joins whatever it is (an "ipc" path pointing at a network
 * namespace would be joined as the network). */
static int check_ns_type(int fd, int t, const char *path, struct ur_err **err)
{
        int nstype = ioctl(fd, NS_GET_NSTYPE);

        if (nstype < 0)
                return ur_err_set(err, errno, "linux.namespaces: %s namespace path '%s' is not a namespace",
                                  ur_ns_type_name(t), path);
        if (nstype != clone_flag[t])
                return ur_err_set(err, 0, "linux.namespaces: %s namespace path '%s' is a %s namespace",
                                  ur_ns_type_name(t), path, nstype_name(nstype));
        return 0;
}

/* Everything a failed create must undo. */
struct create_job {
        char *dir;
        bool dir_made;
        int lock_fd;           /* flock on dir, held for the whole create */
        dev_t dev;             /* dir's identity: only this one is ours to remove */
        ino_t ino;
        pid_t pid;
        struct ur_cgroup cgroup;
        bool cgroup_made;
        int ns_fds[_UR_NS_MAX];
        int console_master;
        char *console_slave;
};

/* A delete --force may have removed the directory while this create
 * waited for its lock, and another create may have made a new one. */
static bool still_ours(const struct create_job *j)
{
        struct stat sb;

        return j->lock_fd >= 0 && stat(j->dir, &sb) == 0 && sb.st_dev == j->dev && sb.st_ino == j->ino;
}

static int lock_dir(struct create_job *j, const char *id, struct ur_err **err)
{
        struct stat sb;

        j->lock_fd = ur_state_lock(j->dir, err);
        if (j->lock_fd < 0) {
                /* A delete --force may take the directory away between its
                 * mkdir and the open. */
                if (stat(j->dir, &sb) < 0 && errno == ENOENT) {
                        ur_err_free(err);
                        return ur_err_set(err, 0, "container '%s' was deleted while being created", id);
                }
                return -1;
        }
        if (fstat(j->lock_fd, &sb) < 0)
                return ur_err_set(err, errno, "stat '%s'", j->dir);
        j->dev = sb.st_dev;
        j->ino = sb.st_ino;
        if (!still_ours(j))
                return ur_err_set(err, 0, "container '%s' was deleted while being created", id);
        return 0;
}

static void job_rollback(struct create_job *j)
{
        struct ur_err *e = NULL;

        if (j->pid > 0) {
                kill(j->pid, SIGKILL);
                RETRY_EINTR(waitpid(j->pid, NULL, 0));
        }
        if (j->cgroup_made && ur_cgroup_destroy(&j->cgroup, &e) < 0)
                ur_log_warning("undoing create: %s", ur_err_msg(e));
        ur_err_free(&e);
        if (j->dir_made && still_ours(j) && ur_rm_rf(j->dir, &e) < 0)
                ur_log_warning("undoing create: %s", ur_err_msg(e));
        ur_err_free(&e);
}

static void job_done(struct create_job *j)
{
        for (int i = 0; i < _UR_NS_MAX; i++)
                if (j->ns_fds[i] >= 0)
                        close(j->ns_fds[i]);
        if (j->console_master >= 0)
                close(j->console_master);
        free(j->console_slave);
        ur_cgroup_done(&j->cgroup);
        free(j->dir);
        if (j->lock_fd >= 0)
                close(j->lock_fd);
}

static int open_namespaces(const struct ur_spec *spec, struct create_job *j, int *ret_flags,
                           struct ur_err **err)
{
        int flags = 0;

        for (int t = 0; t < _UR_NS_MAX; t++) {
                const struct ur_namespace *ns = &spec->namespaces[t];
                if (!ns->present)
                        continue;
                if (t == UR_NS_USER)
                        return ur_err_set(err, 0, "linux.namespaces: user namespaces are not supported for unikernel "
                                          "containers (the monitor needs /dev/kvm and tap devices)");
                if (t == UR_NS_TIME) {
                        ur_log_warning("linux.namespaces: the time namespace is ignored (the guest keeps its own clock)");
                        continue;
                }
                if (!ns->path) {
                        flags |= clone_flag[t];
                        continue;
                }
                j->ns_fds[t] = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (j->ns_fds[t] < 0)
                        return ur_err_set(err, errno, "linux.namespaces: %s namespace path '%s'", ur_ns_type_name(t),
                                          ns->path);
                if (check_ns_type(j->ns_fds[t], t, ns->path, err) < 0)
                        return -1;
        }
        *ret_flags = flags;
        return 0;
}

/* process.rlimits apply to the monitor: set on the monitor process before
 * it execs (its limits carry over the exec). */
static int apply_rlimits(const struct ur_spec *spec, pid_t pid, struct ur_err **err)
{
        for (size_t i = 0; i < spec->process.n_rlimits; i++) {
                const struct ur_rlimit *rl = &spec->process.rlimits[i];
                struct rlimit lim = {
                        .rlim_cur = rl->soft >= RLIM_INFINITY ? RLIM_INFINITY : (rlim_t) rl->soft,
                        .rlim_max = rl->hard >= RLIM_INFINITY ? RLIM_INFINITY : (rlim_t) rl->hard,
                };
                if (prlimit(pid, (enum __rlimit_resource) ur_rlimit_resource(rl->type), &lim, NULL) < 0)
                        return ur_err_set(err, errno, "process.rlimits[%zu]: %s soft %llu hard %llu", i, rl->type,
                                          (unsigned long long) rl->soft, (unsigned long long) rl->hard);
        }
        return 0;
}

char *ur_state_text(const struct ur_state *st, enum ur_status status)
{
        json_object *o = ur_state_to_oci(st, status);
        char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return s;
}

static json_object *annotations_json(const struct ur_spec *spec)
{
        json_object *o = json_object_new_object();

        for (size_t i = 0; i < spec->n_annotations; i++)
                json_object_object_add(o, spec->annotations[i].key,
                                       json_object_new_string(spec->annotations[i].value));
        return o;
}

static int write_pid_file(const char *path, pid_t pid, struct ur_err **err)
{
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", (int) pid);

        return ur_write_file_atomic(path, buf, (size_t) n, 0644, err);
}

static int copy_config(const struct ur_spec *spec, const char *dir, struct ur_err **err)
{
        _cleanup_free_ char *src = ur_path_join(spec->bundle, "config.json");
        _cleanup_free_ char *dst = ur_path_join(dir, UR_STATE_CONFIG);
        _cleanup_free_ char *text = NULL;
        size_t len;

        if (ur_read_file(src, UR_SPEC_MAX_SIZE, &text, &len, err) < 0)
                return -1;
        return ur_write_file_atomic(dst, text, len, 0600, err);
}

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#define UR_CLONE_INTO_CGROUP 0x200000000ULL

/* struct clone_args up to its cgroup field (CLONE_ARGS_SIZE_VER2, Linux 5.7). */
struct clone_args_v2 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
                set_tid_size, cgroup;
};

/* Like fork(), with namespace flags; with cgroup_fd >= 0 the child starts
 * in that cgroup v2 (*ret_in_cgroup set) when the kernel can (clone3
 * with CLONE_INTO_CGROUP, Linux >= 5.7, not refused by a seccomp filter
 * urunc itself runs under): else a plain clone, and the caller moves it. */
static pid_t clone_process(int flags, int cgroup_fd, bool *ret_in_cgroup)
{
        *ret_in_cgroup = false;
        if (cgroup_fd >= 0) {
                struct clone_args_v2 a = {
                        .flags = (uint64_t) (unsigned) flags | UR_CLONE_INTO_CGROUP,
                        .exit_signal = SIGCHLD,
                        .cgroup = (uint64_t) cgroup_fd,
                };
                pid_t pid = (pid_t) syscall(SYS_clone3, &a, sizeof(a));

                if (pid >= 0) {
                        *ret_in_cgroup = true;
                        return pid;
                }
                ur_log_debug("clone3 into the cgroup: %s; a plain clone, then a move", strerror(errno));
        }
        return (pid_t) syscall(SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* What the steps of one create share (do_create). */
struct create_run {
        struct ur_context *ctx;
        const struct ur_create_opts *o;
        struct ur_spec *spec;
        struct ur_metadata *md;
        struct create_job *j;
        uint64_t timeout;
        struct ur_plan plan;
        struct ur_state *st;
        struct ur_cgroup_request req;
        char *description;
        int clone_flags; /* CLONE_NEW* of the spec's new namespaces */
        int own_pidns;   /* urunc's pid namespace while create is in the spec's, or -1 */
        int cgroup_fd;   /* the cgroup made before the clone (cgroup v2), or -1 */
        bool in_cgroup;  /* ... and the init process was cloned into it */
        int chan;        /* create's end of the socketpair, until the channel takes it; or -1 */
        sd_bus *bus;
};

/* The state directory, locked: the id is ours from here on. */
static int make_dir(struct create_run *c, struct ur_err **err)
{
        struct create_job *j = c->j;
        const char *id = c->o->id;

        int r;

        r = ur_mkdir_p(c->ctx->root, 0700, err);
        if (r < 0)
                return r;
        if (mkdir(j->dir, 0700) < 0) {
                if (errno == EEXIST)
                        return ur_err_set(err, 0, "container with id '%s' already exists", id);
                return ur_err_set(err, errno, "create state directory '%s'", j->dir);
        }
        j->dir_made = true;
        ur_crash_point("after-mkdir", 0);
        /* Held until create returns: start, delete and the like wait for
         * it, and a directory without a state file that is not locked is
         * what a killed create left. */
        r = lock_dir(j, id, err);
        if (r < 0)
                return r;
        /* A fallback create of the same id writes its marker, then checks
         * for this directory: of the two, at least one sees the other. */
        if (ur_fallback_exists(c->ctx, id))
                return ur_err_set(err, 0, "container with id '%s' already exists", id);
        ur_crash_point("after-lock", 0);
        return 0;
}

/* Everything the VM needs, resolved once; building it also checks the
 * guest/monitor/kernel combination (its argv is built once without
 * network), so that a bad one fails here rather than at start. */
static int plan_vm(struct create_run *c, struct ur_err **err)
{
        const char *id = c->o->id;
        int r;

        r = ur_plan_build(c->ctx->config, c->spec, c->md, id, c->j->dir, &c->plan, err);
        if (r < 0)
                return r;
        /* The opt-outs of the default sandbox, said where the caller sees
         * them (SECURITY in urunc(8)). */
        if (!c->plan.seccomp_policy)
                ur_log_warning("container '%s': monitor seccomp: OFF (annotation " UR_ANNOT_SECCOMP
                               "=unconfined): the monitor runs without urunc's filter and its own sandbox",
                               id);
        if (!c->plan.confine)
                ur_log_warning("container '%s': monitor confinement: OFF ([security] confine = false): the "
                               "monitor sees the host's whole filesystem",
                               id);
        ur_ts_mark(id, "create-vm-built");
        return 0;
}

/* The pty for process.terminal (sent to --console-socket once the init
 * process runs) and the copy of config.json in the state dir. */
static int prepare_files(struct create_run *c, struct ur_err **err)
{
        int r;

        if (c->spec->process.terminal && !c->o->inherit_terminal) {
                if (!c->o->console_socket)
                        return ur_err_set(err, 0,
                                          "process.terminal is true but no --console-socket was given");
                r = ur_console_open(&c->j->console_master, &c->j->console_slave, err);
                if (r < 0)
                        return r;
        }
        return copy_config(c->spec, c->j->dir, err);
}

/* The state as it will be saved, uncommitted (create's own pid), before
 * anything outside the state dir is made. */
static int new_state(struct create_run *c, struct ur_err **err)
{
        const struct ur_spec *spec = c->spec;
        struct ur_state *st;
        char created[48];

        st = c->st = calloc(1, sizeof(*st));
        if (!st)
                return ur_err_set(err, ENOMEM, "state");
        st->id = strdup(c->o->id);
        st->dir = strdup(c->j->dir);
        st->bundle = strdup(spec->bundle);
        st->rootfs = strdup(spec->root_path);
        ur_rfc3339_now(created, sizeof(created));
        st->created = strdup(created);
        st->owner = strdup("");
        st->systemd_cgroup = c->ctx->systemd_cgroup;
        st->guest = strdup(c->md->unikernel_type);
        st->monitor = strdup(c->md->hypervisor);
        if (spec->namespaces[UR_NS_NETWORK].path)
                st->netns_path = strdup(spec->namespaces[UR_NS_NETWORK].path);
        st->annotations = annotations_json(spec);
        st->uncommitted = true;
        st->creator = getpid();
        ur_proc_start_time(st->creator, &st->creator_start);
        return 0;
}

/* The cgroup request and where its cgroup will be; on cgroup v2 with
 * cgroupfs, the cgroup itself, made and limited before the init process,
 * which is cloned straight into it (moving a process waits for an RCU
 * grace period).  The state names it first (no pid yet), for a delete
 * --force after a create killed here. */
static int prepare_cgroup(struct create_run *c, struct ur_err **err)
{
        const struct ur_config *cfg = c->ctx->config;
        struct ur_cgroup_request *req = &c->req;
        int r;

        if (asprintf(&c->description, "urunc unikernel %s (%s on %s)", c->o->id, c->md->unikernel_type,
                     c->md->hypervisor) < 0)
                c->description = NULL;
        req->id = c->o->id;
        req->description = c->description;
        req->res = &c->spec->resources;
        req->cgroups_path = c->spec->cgroups_path;
        req->systemd_cgroup = c->ctx->systemd_cgroup;
        req->annotations = c->spec->annotations;
        req->n_annotations = c->spec->n_annotations;
        req->default_slice = cfg->systemd.slice;
        req->timeout_usec = c->timeout;
        req->service_unit = c->o->service_unit;
        r = ur_cgroup_plan(cfg->systemd.cgroup_manager, req, &c->st->cgroup, err);
        if (r < 0 || !ur_cgroup_preparable(cfg->systemd.cgroup_manager, req))
                return r < 0 ? r : 0;
        r = ur_state_save(c->st, err);
        if (r >= 0)
                r = ur_cgroup_prepare(cfg->systemd.cgroup_manager, req, &c->j->cgroup, &c->cgroup_fd, err);
        if (r < 0)
                return r;
        c->j->cgroup_made = r > 0;
        return 0;
}

/* The spec's namespaces: new ones become clone flags, existing ones are
 * opened (the init process joins them itself), but for a pid namespace:
 * that one is joined by its parent.  setns here sets where create's
 * children go, so clone_init undoes it right after the clone (hooks run
 * in the runtime's namespaces). */
static int open_ns(struct create_run *c, struct ur_err **err)
{
        struct create_job *j = c->j;
        int r;

        r = open_namespaces(c->spec, j, &c->clone_flags, err);
        if (r < 0 || j->ns_fds[UR_NS_PID] < 0)
                return r < 0 ? r : 0;
        c->own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
        if (c->own_pidns < 0)
                return ur_err_set(err, errno, "open /proc/self/ns/pid");
        if (setns(j->ns_fds[UR_NS_PID], CLONE_NEWPID) < 0)
                return ur_err_set(err, errno, "join pid namespace '%s'", c->spec->namespaces[UR_NS_PID].path);
        return 0;
}

/* The init process (init/init.c), cloned with the namespace flags (and
 * into its cgroup when prepare_cgroup made it). */
static int clone_init(struct create_run *c, struct ur_err **err)
{
        struct create_job *j = c->j;
        const struct ur_spec *spec = c->spec;
        struct ur_init mon = {0};
        int sp[2], r = 0;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
                return ur_err_set(err, errno, "socketpair");
        c->chan = sp[0];

        /* Last before the init process: nothing after this can be undone
         * by a failed create (the rootfs stays unmounted). */
        r = ur_vm_dm_detach(&c->plan.vm, j->dir, err);
        if (r >= 0)
                r = ur_plan_rebind(&c->plan, err);
        if (r < 0) {
                close(sp[1]);
                return r;
        }

        mon.timeout_usec = c->timeout;
        mon.spec = spec;
        mon.plan = &c->plan;
        mon.id = c->o->id;
        mon.state_dir = j->dir;
        mon.sock_path = ur_path_join(j->dir, UR_STATE_SOCKET);
        mon.listen_fd = -1;
        mon.console_slave = j->console_slave;
        mon.preserve_fds = c->o->preserve_fds;
        for (int t = 0; t < _UR_NS_MAX; t++)
                mon.ns_fds[t] = t == UR_NS_PID ? -1 : j->ns_fds[t];

        j->pid = clone_process(c->clone_flags, c->cgroup_fd, &c->in_cgroup);
        if (j->pid == 0) {
                close(sp[0]);
                close(j->lock_fd); /* the lock stays with create */
                if (c->cgroup_fd >= 0)
                        close(TAKE_FD(c->cgroup_fd));
                if (c->own_pidns >= 0)
                        close(TAKE_FD(c->own_pidns));
                ur_init_main(&mon, sp[1]);
        }
        if (c->own_pidns >= 0 && setns(c->own_pidns, CLONE_NEWPID) < 0)
                r = ur_err_set(err, errno, "return to urunc's pid namespace");
        else if (j->pid < 0)
                r = ur_err_set(err, errno, "clone the monitor process");
        close(sp[1]);
        free(mon.sock_path);
        if (r < 0)
                return r;
        ur_ts_mark(c->o->id, "create-cloned");
        r = apply_rlimits(spec, j->pid, err);
        if (r < 0)
                return r;
        ur_crash_point("after-clone", j->pid);
        return 0;
}

/* The init process under the container's limits before it can do
 * anything else, recorded first (with the cgroup about to be made): what
 * delete --force needs if create dies from here on. */
static int enter_cgroup(struct create_run *c, struct ur_err **err)
{
        struct create_job *j = c->j;
        struct ur_state *st = c->st;
        int r = 0;

        st->pid = j->pid;
        ur_proc_start_time(j->pid, &st->pid_start);
        c->req.pid = j->pid;
        r = ur_state_save(st, err);
        if (r < 0)
                return r;
        if (c->cgroup_fd >= 0 && !c->in_cgroup)
                r = ur_cgroup_adopt(&j->cgroup, j->pid, err);
        else if (c->cgroup_fd < 0)
                r = ur_cgroup_enter(c->ctx->config->systemd.cgroup_manager, &c->req, &j->cgroup, err);
        if (r < 0)
                return r;
        j->cgroup_made = true;
        ur_ts_mark(c->o->id, "create-cgroup");
        ur_crash_point("after-cgroup", j->pid);
        ur_cgroup_done(&st->cgroup);
        st->cgroup.manager = j->cgroup.manager;
        st->cgroup.unit = j->cgroup.unit ? strdup(j->cgroup.unit) : NULL;
        st->cgroup.path = j->cgroup.path ? strdup(j->cgroup.path) : NULL;
        return 0;
}

/* Opt-in, and not worth failing the container for: a warning. */
static int register_machine(struct create_run *c, struct ur_err **err)
{
        const char *id = c->o->id;
        struct ur_err *e = NULL;

        if (!c->plan.register_machine)
                return 0;
        if (ur_machine_register(id, c->j->pid, &e) < 0) {
                ur_log_warning("%s", ur_err_msg(e));
                ur_err_free(&e);
        } else {
                c->st->machine = strdup(id);
                ur_log_info("container '%s' is machine '%s' (machinectl status %s)", id, id, id);
        }
        return 0;
}

/* The channel to the init process, its namespace setup's result (Init),
 * then the terminal to the console socket. */
static int wait_init(struct create_run *c, struct ur_err **err)
{
        int r;

        r = ur_channel_open_fd(TAKE_FD(c->chan), &c->bus, err);
        if (r < 0)
                return r;
        sd_bus_set_method_call_timeout(c->bus, c->timeout);
        r = ur_channel_call(c->bus, "Init", c->timeout, err, "");
        if (r < 0)
                return r;
        ur_ts_mark(c->o->id, "create-init");
        ur_crash_point("after-init", c->j->pid);
        if (c->j->console_master < 0)
                return 0;
        return ur_console_send(c->o->console_socket, c->j->console_master, c->j->console_slave, err);
}

/* prestart and createRuntime here, createContainer in the init process
 * (a round trip only when there are any). */
static int run_create_hooks(struct create_run *c, struct ur_err **err)
{
        const struct ur_spec *spec = c->spec;
        _cleanup_free_ char *state_json = ur_state_text(c->st, UR_STATUS_CREATING);
        int r;

        r = ur_hooks_run(spec, UR_HOOK_PRESTART, state_json, err);
        if (r < 0)
                return r;
        r = ur_hooks_run(spec, UR_HOOK_CREATE_RUNTIME, state_json, err);
        if (r < 0)
                return r;
        if (spec->hooks[UR_HOOK_CREATE_CONTAINER].n > 0) {
                r = ur_channel_call(c->bus, "RunHooks",
                                    c->timeout + ur_hooks_timeout_usec(spec, UR_HOOK_CREATE_CONTAINER), err,
                                    "ss", ur_hook_stage_name(UR_HOOK_CREATE_CONTAINER), state_json);
                if (r < 0)
                        return r;
        }
        ur_ts_mark(c->o->id, "create-hooks");
        ur_crash_point("after-hooks", c->j->pid);
        return 0;
}

/* The state committed, the pid file, then Commit: the init process waits
 * for start from here on. */
static int commit(struct create_run *c, struct ur_err **err)
{
        const struct ur_metadata *md = c->md;
        const struct ur_vmm_ops *vmm = ur_vmm_find(md->hypervisor);
        pid_t pid = c->j->pid;
        int r;

        c->st->uncommitted = false;
        r = ur_state_save(c->st, err);
        if (r < 0)
                return r;
        ur_crash_point("after-state", pid);
        if (c->o->pid_file) {
                r = write_pid_file(c->o->pid_file, pid, err);
                if (r < 0)
                        return r;
        }
        ur_ts_mark(c->o->id, "create-state");
        ur_crash_point("before-commit", pid);
        r = ur_channel_call(c->bus, "Commit", c->timeout, err, "");
        if (r < 0)
                return r;
        ur_log_info("created container '%s': %s on %s, %u vCPU, %llu MiB, %s, monitor pid %d", c->o->id,
                    md->unikernel_type, md->hypervisor, c->plan.vm.vcpus,
                    (unsigned long long) c->plan.vm.mem_mib,
                    vmm && vmm->no_accel ? "a sandboxed process (no VM, no KVM)"
                    : c->plan.vm.kvm     ? "kvm"
                                         : "tcg",
                    (int) pid);
        return 0;
}

typedef int (*create_step_t)(struct create_run *c, struct ur_err **err);

/* The steps of a create, in order; the first failure stops them and
 * ur_create undoes what the job recorded (job_rollback). */
static const create_step_t create_steps[] = {
        make_dir,         /* the state dir, locked */
        plan_vm,          /* spec + metadata + config -> the plan */
        prepare_files,    /* the pty, config.json's copy */
        new_state,        /* the state, uncommitted */
        prepare_cgroup,   /* the cgroup request (the cgroup itself on v2 cgroupfs) */
        open_ns,          /* the spec's namespaces (its pid namespace joined) */
        clone_init,       /* the init process */
        enter_cgroup,     /* ... in its cgroup, recorded */
        register_machine, /* with machined, when asked */
        wait_init,        /* its namespace setup's result; the terminal sent */
        run_create_hooks, /* prestart, createRuntime, createContainer */
        commit,           /* the state committed, the pid file, Commit */
};

static int do_create(struct ur_context *ctx, const struct ur_create_opts *o, struct ur_spec *spec,
                     struct ur_metadata *md, struct create_job *j, pid_t *ret_pid, struct ur_err **err)
{
        struct create_run c = {
                .ctx = ctx,
                .o = o,
                .spec = spec,
                .md = md,
                .j = j,
                .timeout = ur_timeout_usec(ctx),
                .own_pidns = -1,
                .cgroup_fd = -1,
                .chan = -1,
        };
        int r = 0;

        ur_plan_init(&c.plan);
        for (size_t i = 0; i < ELEMENTSOF(create_steps) && r >= 0; i++)
                r = create_steps[i](&c, err);
        if (r >= 0)
                *ret_pid = j->pid;
        if (c.chan >= 0)
                close(c.chan);
        if (c.bus)
                sd_bus_flush_close_unref(c.bus);
        if (c.own_pidns >= 0)
                close(c.own_pidns);
        if (c.cgroup_fd >= 0)
                close(c.cgroup_fd);
        ur_plan_done(&c.plan);
        ur_state_free(c.st);
        free(c.description);
        return r;
}

/* The id belongs to a unikernel container (its directory: also one being
 * created, or what a killed create left) or to a fallback one (its marker). */
static bool id_taken(const struct ur_context *ctx, const char *dir, const char *id)
{
        struct stat sb;

        return lstat(dir, &sb) == 0 || ur_fallback_exists(ctx, id);
}

int ur_create(struct ur_context *ctx, const struct ur_create_opts *o, pid_t *ret_pid, struct ur_err **err)
{
        _cleanup_spec_ struct ur_spec *spec = NULL;
        _cleanup_metadata_ struct ur_metadata *md = NULL;
        struct create_job j = { .console_master = -1, .lock_fd = -1 };
        int r;

        for (int i = 0; i < _UR_NS_MAX; i++)
                j.ns_fds[i] = -1;
        if (ur_validate_id(o->id, err) < 0)
                return -1;
        ur_ts_mark(o->id, "create-start");
        ur_log_set_container(o->id);
        /* Before anything else, the fallback included: a create of another
         * kind of container must not take over the id of a unikernel one
         * (or the reverse), whatever it is being created from. */
        j.dir = ur_state_dir(ctx->root, o->id);
        if (!j.dir)
                return ur_err_set(err, ENOMEM, "create");
        if (id_taken(ctx, j.dir, o->id)) {
                free(j.dir);
                return ur_err_set(err, 0, "container with id '%s' already exists", o->id);
        }
        free(TAKE_PTR(j.dir));
        if (ur_spec_load(o->bundle ? o->bundle : ".", &spec, err) < 0)
                return -1;
        if (o->netns_path) {
                free(spec->namespaces[UR_NS_NETWORK].path);
                spec->namespaces[UR_NS_NETWORK].path = strdup(o->netns_path);
                if (!spec->namespaces[UR_NS_NETWORK].path)
                        return ur_err_set(err, ENOMEM, "create");
                spec->namespaces[UR_NS_NETWORK].present = true;
        }
        r = ur_metadata_load(spec, &md, err);
        if (r < 0)
                return -1;
        if (r == 0)
                return ur_fallback_create(ctx, o->id,
                                          ur_spec_is_sandbox(spec)
                                                  ? "it is a pod's sandbox container"
                                                  : "no com.urunc.unikernel.* annotations and no /urunc.json",
                                          err);
        if (ur_spec_check(spec, "config.json", err) < 0)
                return -1;
        ur_ts_mark(o->id, "create-parsed");

        j.dir = ur_state_dir(ctx->root, o->id);
        if (!j.dir)
                return ur_err_set(err, ENOMEM, "create");
        r = do_create(ctx, o, spec, md, &j, ret_pid, err);
        if (r < 0)
                job_rollback(&j);
        job_done(&j);
        if (r >= 0)
                ur_ts_mark(o->id, "create-end");
        return r;
}
