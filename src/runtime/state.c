/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/marks.h"
#include "systemd/journal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/path.h"
#include "util/proc.h"
#include "util/strv.h"

#define OCI_VERSION "1.1.0"

void ur_state_free(struct ur_state *st)
{
        if (!st)
                return;
        free(st->id);
        free(st->dir);
        free(st->bundle);
        free(st->rootfs);
        free(st->created);
        free(st->owner);
        free(st->guest);
        free(st->monitor);
        free(st->netns_path);
        free(st->machine);
        free(st->tap);
        free(st->ifname);
        ur_cgroup_done(&st->cgroup);
        if (st->annotations)
                json_object_put(st->annotations);
        free(st);
}

char *ur_state_dir(const char *root, const char *id)
{
        return ur_path_join(root, id);
}

static void add_str(json_object *o, const char *k, const char *v)
{
        if (v)
                json_object_object_add(o, k, json_object_new_string(v));
}

int ur_state_save(const struct ur_state *st, struct ur_err **err)
{
        _cleanup_free_ char *path = ur_path_join(st->dir, UR_STATE_FILE);
        json_object *o = json_object_new_object();
        json_object *cg = json_object_new_object();
        const char *text;
        int r;

        add_str(o, "id", st->id);
        add_str(o, "bundle", st->bundle);
        add_str(o, "rootfs", st->rootfs);
        json_object_object_add(o, "pid", json_object_new_int64(st->pid));
        json_object_object_add(o, "pidStartTime", json_object_new_uint64(st->pid_start));
        add_str(o, "created", st->created);
        add_str(o, "owner", st->owner);
        json_object_object_add(o, "started", json_object_new_boolean(st->started));
        json_object_object_add(o, "committed", json_object_new_boolean(!st->uncommitted));
        if (st->uncommitted) {
                json_object_object_add(o, "creatorPid", json_object_new_int64(st->creator));
                json_object_object_add(o, "creatorStartTime", json_object_new_uint64(st->creator_start));
        }
        json_object_object_add(o, "systemdCgroup", json_object_new_boolean(st->systemd_cgroup));
        add_str(o, "guest", st->guest);
        add_str(o, "monitor", st->monitor);
        add_str(o, "netnsPath", st->netns_path);
        add_str(o, "machine", st->machine);
        add_str(o, "tap", st->tap);
        add_str(o, "ifname", st->ifname);
        json_object_object_add(cg, "manager", json_object_new_string(ur_cgroup_manager_name(st->cgroup.manager)));
        add_str(cg, "unit", st->cgroup.unit);
        add_str(cg, "path", st->cgroup.path);
        json_object_object_add(o, "cgroup", cg);
        if (st->annotations)
                json_object_object_add(o, "annotations", json_object_get(st->annotations));

        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        r = ur_write_file_atomic(path, text, strlen(text), 0600, err);
        json_object_put(o);
        return r;
}

static char *get_str(json_object *o, const char *k)
{
        json_object *v;

        if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return strdup(json_object_get_string(v));
}

static enum ur_cgroup_manager manager_from_name(const char *s)
{
        if (ur_streq(s, "systemd"))
                return UR_CGROUP_SYSTEMD;
        if (ur_streq(s, "cgroupfs"))
                return UR_CGROUP_CGROUPFS;
        return UR_CGROUP_NONE;
}

int ur_state_load(const char *root, const char *id, struct ur_state **ret, struct ur_err **err)
{
        _cleanup_free_ char *dir = ur_state_dir(root, id);
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_state_ struct ur_state *st = NULL;
        json_object *o, *v, *cg;
        int r;

        if (!dir)
                return ur_err_set(err, ENOMEM, "state of '%s'", id);
        path = ur_path_join(dir, UR_STATE_FILE);
        r = ur_read_file(path, 1 << 20, &text, NULL, NULL);
        if (r == -ENOENT) {
                struct stat sb;

                if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
                        return ur_err_set(err, 0, "container '%s' does not exist", id), -ENOENT;
                /* A create killed before its first state save. */
                st = calloc(1, sizeof(*st));
                if (!st || !(st->id = strdup(id)))
                        return ur_err_set(err, ENOMEM, "state of '%s'", id);
                st->dir = TAKE_PTR(dir);
                st->bare = true;
                st->uncommitted = true;
                st->cgroup.manager = UR_CGROUP_NONE;
                *ret = TAKE_PTR(st);
                return 0;
        }
        if (r < 0) {
                if (r == -ENOTDIR)
                        return ur_err_set(err, 0, "container '%s' does not exist", id), -ENOENT;
                return ur_err_set(err, -r, "read state of container '%s'", id);
        }
        o = json_tokener_parse(text);
        if (!o || !json_object_is_type(o, json_type_object)) {
                if (o)
                        json_object_put(o);
                return ur_err_set(err, 0, "state of container '%s' is corrupt ('%s')", id, path);
        }
        st = calloc(1, sizeof(*st));
        if (!st) {
                json_object_put(o);
                return ur_err_set(err, ENOMEM, "state of '%s'", id);
        }
        st->id = strdup(id);
        st->dir = TAKE_PTR(dir);
        st->bundle = get_str(o, "bundle");
        st->rootfs = get_str(o, "rootfs");
        if (json_object_object_get_ex(o, "pid", &v))
                st->pid = (pid_t) json_object_get_int64(v);
        if (json_object_object_get_ex(o, "pidStartTime", &v))
                st->pid_start = json_object_get_uint64(v);
        st->created = get_str(o, "created");
        st->owner = get_str(o, "owner");
        if (json_object_object_get_ex(o, "started", &v))
                st->started = json_object_get_boolean(v);
        /* States written before crash safety have no such key: committed. */
        if (json_object_object_get_ex(o, "committed", &v))
                st->uncommitted = !json_object_get_boolean(v);
        if (json_object_object_get_ex(o, "creatorPid", &v))
                st->creator = (pid_t) json_object_get_int64(v);
        if (json_object_object_get_ex(o, "creatorStartTime", &v))
                st->creator_start = json_object_get_uint64(v);
        if (json_object_object_get_ex(o, "systemdCgroup", &v))
                st->systemd_cgroup = json_object_get_boolean(v);
        st->guest = get_str(o, "guest");
        st->monitor = get_str(o, "monitor");
        st->netns_path = get_str(o, "netnsPath");
        st->machine = get_str(o, "machine");
        st->tap = get_str(o, "tap");
        st->ifname = get_str(o, "ifname");
        if (json_object_object_get_ex(o, "cgroup", &cg)) {
                _cleanup_free_ char *m = get_str(cg, "manager");
                st->cgroup.manager = manager_from_name(m);
                st->cgroup.unit = get_str(cg, "unit");
                st->cgroup.path = get_str(cg, "path");
        } else {
                st->cgroup.manager = UR_CGROUP_NONE;
        }
        if (json_object_object_get_ex(o, "annotations", &v))
                st->annotations = json_object_get(v);
        json_object_put(o);
        /* Whatever command loads the state logs about the container: its
         * journal entries belong to the scope a cgroupsPath may have named. */
        if (st->cgroup.manager == UR_CGROUP_SYSTEMD && st->cgroup.unit)
                ur_journal_set_unit(st->id, st->cgroup.unit);
        *ret = TAKE_PTR(st);
        return 0;
}

static int proc_comm_is(pid_t pid, const char *comm)
{
        char path[64], buf[64];
        _cleanup_close_ int fd = -1;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        n = RETRY_EINTR(read(fd, buf, sizeof(buf) - 1));
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        if (buf[n - 1] == '\n')
                buf[n - 1] = '\0';
        return strcmp(buf, comm) == 0;
}

/* True when someone holds the lock of dir (a create that has not saved its
 * state yet, or a command working on it). */
static bool dir_locked(const char *dir)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return false;
        return flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

enum ur_status ur_state_status(const struct ur_state *st)
{
        if (st->bare)
                return dir_locked(st->dir) ? UR_STATUS_CREATING : UR_STATUS_STOPPED;
        if (st->uncommitted)
                return ur_proc_alive(st->creator, st->creator_start) ? UR_STATUS_CREATING : UR_STATUS_STOPPED;
        if (!ur_proc_alive(st->pid, st->pid_start))
                return UR_STATUS_STOPPED;
        if (proc_comm_is(st->pid, UR_INIT_COMM))
                return UR_STATUS_CREATED;
        if (st->cgroup.manager != UR_CGROUP_NONE) {
                struct ur_err *e = NULL;
                int r = ur_cgroup_is_frozen(&st->cgroup, &e);
                ur_err_free(&e);
                if (r > 0)
                        return UR_STATUS_PAUSED;
        }
        if (ur_proc_state(st->pid) == 'T')
                return UR_STATUS_PAUSED;
        return UR_STATUS_RUNNING;
}

const char *ur_status_name(enum ur_status s)
{
        switch (s) {
        case UR_STATUS_CREATING:
                return "creating";
        case UR_STATUS_CREATED:
                return "created";
        case UR_STATUS_RUNNING:
                return "running";
        case UR_STATUS_PAUSED:
                return "paused";
        case UR_STATUS_STOPPED:
        default:
                return "stopped";
        }
}

json_object *ur_state_to_oci(const struct ur_state *st, enum ur_status status)
{
        json_object *o = json_object_new_object();

        json_object_object_add(o, "ociVersion", json_object_new_string(OCI_VERSION));
        json_object_object_add(o, "id", json_object_new_string(st->id));
        json_object_object_add(o, "pid", json_object_new_int64(status == UR_STATUS_STOPPED ? 0 : st->pid));
        json_object_object_add(o, "status", json_object_new_string(ur_status_name(status)));
        add_str(o, "bundle", st->bundle);
        add_str(o, "rootfs", st->rootfs);
        add_str(o, "created", st->created);
        add_str(o, "owner", st->owner ? st->owner : "");
        json_object_object_add(o, "annotations",
                               st->annotations ? json_object_get(st->annotations) : json_object_new_object());
        return o;
}

int ur_state_lock(const char *dir, struct ur_err **err)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return ur_err_set(err, errno, "open state directory '%s'", dir);
        if (RETRY_EINTR(flock(fd, LOCK_EX)) < 0) {
                int e = errno;
                close(fd);
                return ur_err_set(err, e, "lock state directory '%s'", dir);
        }
        return fd;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int ur_state_list(const char *root, char ***ret, struct ur_err **err)
{
        _cleanup_strv_ char **ids = calloc(1, sizeof(char *));
        DIR *d = opendir(root);
        struct dirent *de;

        if (!ids)
                return ur_err_set(err, ENOMEM, "list");
        if (!d) {
                if (errno == ENOENT) {
                        *ret = TAKE_PTR(ids);
                        return 0;
                }
                return ur_err_set(err, errno, "open state root '%s'", root);
        }
        while ((de = readdir(d))) {
                char path[4096];
                struct stat sb;

                if (de->d_name[0] == '.' || ur_validate_id(de->d_name, NULL) < 0)
                        continue;
                /* A fallback runtime given the same --root keeps its own
                 * directories here. */
                snprintf(path, sizeof(path), "%s/%s%s", root, UR_FALLBACK_PREFIX, de->d_name);
                if (access(path, F_OK) == 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
                if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
                        continue;
                if (ur_strv_add(&ids, de->d_name) < 0) {
                        closedir(d);
                        return ur_err_set(err, ENOMEM, "list");
                }
        }
        closedir(d);
        qsort(ids, ur_strv_len(ids), sizeof(char *), cmp_str);
        *ret = TAKE_PTR(ids);
        return 0;
}
