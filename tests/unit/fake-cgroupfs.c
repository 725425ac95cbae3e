/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fake cgroup filesystem of fake-cgroupfs.h.  Imitated:
 *  - mkdir makes the interface files: cgroup.procs everywhere; in cgroup2
 *    cgroup.controllers (= the parent's cgroup.subtree_control),
 *    cgroup.subtree_control, cgroup.freeze, cgroup.events and the files of
 *    each controller the child has (memory.max, cpu.max, ...); in a v1
 *    hierarchy (the first path component names the controller) that
 *    controller's files, cpuset.cpus/mems empty as the kernel makes them;
 *  - writes go to existing regular files only (ENOENT, EISDIR);
 *    cgroup.subtree_control takes "+c"/"-c" for a c of cgroup.controllers
 *    and lists the enabled ones in cgroup.controllers order;
 *    cgroup.procs takes a pid and appends it; cgroup.freeze takes 0/1 and
 *    updates "frozen" in cgroup.events; freezer.state takes FROZEN/THAWED;
 *  - rmdir refuses a cgroup with children or processes (EBUSY) and takes
 *    its interface files with it.
 * Not imitated: moving a pid out of its former cgroup, limits checks.
 */
#include "fake-cgroupfs.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_PATH 1024

static int put_file(const char *path, const char *value)
{
        FILE *f = fopen(path, "w");

        if (!f)
                return -errno;
        fputs(value, f);
        return fclose(f) == 0 ? 0 : -errno;
}

static int put_in(const char *dir, const char *file, const char *value)
{
        char p[2 * MAX_PATH];

        snprintf(p, sizeof(p), "%s/%s", dir, file);
        return put_file(p, value);
}

/* Contents without trailing newlines and blanks, "" when unreadable. */
static void get(const char *path, char *buf, size_t size)
{
        FILE *f = fopen(path, "r");
        size_t n = 0;

        if (f) {
                n = fread(buf, 1, size - 1, f);
                fclose(f);
        }
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
                n--;
        buf[n] = '\0';
}

static void get_in(const char *dir, const char *file, char *buf, size_t size)
{
        char p[2 * MAX_PATH];

        snprintf(p, sizeof(p), "%s/%s", dir, file);
        get(p, buf, size);
}

static bool has_word(const char *list, const char *w)
{
        char l[512], x[64];

        snprintf(l, sizeof(l), " %s ", list);
        snprintf(x, sizeof(x), " %s ", w);
        return strstr(l, x) != NULL;
}

/* The v1 controller of path ("memory", ...), or "" for cgroup2. */
static void hierarchy(const struct ur_cgfs *fs, const char *path, char *ret, size_t size)
{
        const char *rel = path + strlen(fs->root);
        size_t len;

        rel += strspn(rel, "/");
        len = strcspn(rel, "/");
        ret[0] = '\0';
        if (fs->layout == UR_CGFS_UNIFIED || (fs->layout == UR_CGFS_HYBRID && len == 7 &&
                                               strncmp(rel, "unified", 7) == 0))
                return;
        snprintf(ret, size, "%.*s", (int) len, rel);
}

static const struct {
        const char *ctl, *file, *value;
} files[] = {
        { "memory", "memory.max", "max" },         { "memory", "memory.low", "0" },
        { "memory", "memory.swap.max", "max" },    { "cpu", "cpu.max", "max 100000" },
        { "cpu", "cpu.weight", "100" },            { "pids", "pids.max", "max" },
        { "cpuset", "cpuset.cpus", "" },           { "cpuset", "cpuset.mems", "" },
}, v1_files[] = {
        { "memory", "memory.limit_in_bytes", "9223372036854771712" },
        { "memory", "memory.soft_limit_in_bytes", "9223372036854771712" },
        { "memory", "memory.memsw.limit_in_bytes", "9223372036854771712" },
        { "cpu", "cpu.cfs_period_us", "100000" },  { "cpu", "cpu.cfs_quota_us", "-1" },
        { "cpu", "cpu.shares", "1024" },           { "pids", "pids.max", "max" },
        { "cpuset", "cpuset.cpus", "" },           { "cpuset", "cpuset.mems", "" },
        { "freezer", "freezer.state", "THAWED" },
};

static int fake_mkdir(const struct ur_cgfs *fs, const char *path)
{
        char hier[64], parent[MAX_PATH], ctls[256];
        char *slash;
        int r = 0;

        if (mkdir(path, 0755) < 0)
                return -errno;
        hierarchy(fs, path, hier, sizeof(hier));
        snprintf(parent, sizeof(parent), "%s", path);
        slash = strrchr(parent, '/');
        *slash = '\0';
        r = r < 0 ? r : put_in(path, "cgroup.procs", "");
        if (*hier) {
                for (size_t i = 0; i < sizeof(v1_files) / sizeof(v1_files[0]); i++)
                        if (strcmp(v1_files[i].ctl, hier) == 0)
                                r = r < 0 ? r : put_in(path, v1_files[i].file, v1_files[i].value);
                return r;
        }
        get_in(parent, "cgroup.subtree_control", ctls, sizeof(ctls));
        r = r < 0 ? r : put_in(path, "cgroup.controllers", ctls);
        r = r < 0 ? r : put_in(path, "cgroup.subtree_control", "");
        r = r < 0 ? r : put_in(path, "cgroup.freeze", "0");
        r = r < 0 ? r : put_in(path, "cgroup.events", "populated 0\nfrozen 0\n");
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
                if (has_word(ctls, files[i].ctl))
                        r = r < 0 ? r : put_in(path, files[i].file, files[i].value);
        return r;
}

/* "+a -b" against the directory's cgroup.controllers. */
static int subtree_control(const char *dir, const char *value)
{
        char avail[256], enabled[256], out[256] = "";
        char want[16][32];
        bool on[16] = { false };
        size_t n = 0;

        get_in(dir, "cgroup.controllers", avail, sizeof(avail));
        get_in(dir, "cgroup.subtree_control", enabled, sizeof(enabled));
        for (const char *p = avail; *p && n < 16;) {
                size_t len;

                p += strspn(p, " ");
                len = strcspn(p, " ");
                if (len == 0 || len >= sizeof(want[0]))
                        break;
                snprintf(want[n], sizeof(want[n]), "%.*s", (int) len, p);
                on[n] = has_word(enabled, want[n]);
                n++;
                p += len;
        }
        for (const char *p = value; *p;) {
                size_t len, i;

                p += strspn(p, " \n");
                len = strcspn(p, " \n");
                if (len == 0)
                        break;
                if ((p[0] != '+' && p[0] != '-') || len < 2)
                        return -EINVAL;
                for (i = 0; i < n; i++)
                        if (strlen(want[i]) == len - 1 && strncmp(want[i], p + 1, len - 1) == 0)
                                break;
                if (i == n)
                        return -ENOENT;
                on[i] = p[0] == '+';
                p += len;
        }
        for (size_t i = 0; i < n; i++)
                if (on[i])
                        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", *out ? " " : "", want[i]);
        return put_in(dir, "cgroup.subtree_control", out);
}

static int fake_write(const struct ur_cgfs *fs, const char *path, const char *value)
{
        char dir[MAX_PATH], cur[4096];
        const char *name = strrchr(path, '/') + 1;
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        snprintf(dir, sizeof(dir), "%.*s", (int) (name - 1 - path), path);
        if (strcmp(name, "cgroup.subtree_control") == 0)
                return subtree_control(dir, value);
        if (strcmp(name, "cgroup.procs") == 0) {
                char *end;
                long pid = strtol(value, &end, 10);

                if (end == value || *end || pid <= 0)
                        return -EINVAL;
                get(path, cur, sizeof(cur));
                snprintf(cur + strlen(cur), sizeof(cur) - strlen(cur), "%s%ld", *cur ? "\n" : "", pid);
                return put_file(path, cur);
        }
        if (strcmp(name, "cgroup.freeze") == 0) {
                if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
                        return -EINVAL;
                get_in(dir, "cgroup.procs", cur, sizeof(cur));
                snprintf(cur, sizeof(cur), "populated %d\nfrozen %s\n", *cur != '\0', value);
                if (put_in(dir, "cgroup.events", cur) < 0)
                        return -EIO;
        }
        if (strcmp(name, "freezer.state") == 0 && strcmp(value, "FROZEN") != 0 && strcmp(value, "THAWED") != 0)
                return -EINVAL;
        return put_file(path, value);
}

static int fake_rmdir(const struct ur_cgfs *fs, const char *path)
{
        char procs[64];
        struct dirent *de;
        DIR *d = opendir(path);

        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                        closedir(d);
                        return -EBUSY;
                }
        get_in(path, "cgroup.procs", procs, sizeof(procs));
        if (*procs) {
                closedir(d);
                return -EBUSY;
        }
        rewinddir(d);
        while ((de = readdir(d)))
                if (de->d_type == DT_REG)
                        unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
        return rmdir(path) < 0 ? -errno : 0;
}

const struct ur_cgfs_io fake_cgfs_io = {
        .write = fake_write,
        .mkdir = fake_mkdir,
        .rmdir = fake_rmdir,
};

void fake_cgfs_v2_root(const char *dir, const char *controllers)
{
        if ((mkdir(dir, 0755) < 0 && errno != EEXIST) || put_in(dir, "cgroup.controllers", controllers) < 0 ||
            put_in(dir, "cgroup.subtree_control", "") < 0 || put_in(dir, "cgroup.procs", "") < 0)
                abort();
}

void fake_cgfs_v1_root(const char *dir, const char *ctl)
{
        if ((mkdir(dir, 0755) < 0 && errno != EEXIST) || put_in(dir, "cgroup.procs", "") < 0)
                abort();
        if (strcmp(ctl, "cpuset") == 0 &&
            (put_in(dir, "cpuset.cpus", "0-3") < 0 || put_in(dir, "cpuset.mems", "0") < 0))
                abort();
}
