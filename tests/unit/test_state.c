/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/state.h"
#include "init/marks.h"
#include "util/fs.h"
#include "util/proc.h"

static char root[] = "/tmp/urunc-test-state.XXXXXX";

static int setup(void **state)
{
        return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
        struct ur_err *err = NULL;
        ur_rm_rf(root, &err);
        ur_err_free(&err);
        return 0;
}

static struct ur_state *make_state(const char *id, pid_t pid)
{
        struct ur_state *st = calloc(1, sizeof(*st));

        st->id = strdup(id);
        st->dir = ur_state_dir(root, id);
        mkdir(st->dir, 0700);
        st->bundle = strdup("/bundles/b");
        st->rootfs = strdup("/bundles/b/rootfs");
        st->pid = pid;
        assert_int_equal(ur_proc_start_time(pid, &st->pid_start), 0);
        st->created = strdup("2026-11-23T05:00:00.000000000Z");
        st->owner = strdup("");
        st->started = true;
        st->systemd_cgroup = true;
        st->guest = strdup("unikraft");
        st->monitor = strdup("qemu");
        st->netns_path = strdup("/var/run/netns/pod");
        st->cgroup.manager = UR_CGROUP_SYSTEMD;
        st->cgroup.unit = strdup("urunc-a.scope");
        st->cgroup.path = strdup("/urunc.slice/urunc-a.scope");
        st->annotations = json_object_new_object();
        json_object_object_add(st->annotations, "k", json_object_new_string("v/w"));
        return st;
}

static void test_round_trip(void **state)
{
        struct ur_state *st = make_state("a", getpid()), *back = NULL;
        struct ur_err *err = NULL;

        assert_int_equal(ur_state_save(st, &err), 0);
        assert_int_equal(ur_state_load(root, "a", &back, &err), 0);
        assert_null(err);
        assert_string_equal(back->id, "a");
        assert_string_equal(back->bundle, st->bundle);
        assert_string_equal(back->rootfs, st->rootfs);
        assert_int_equal(back->pid, st->pid);
        assert_true(back->pid_start == st->pid_start);
        assert_string_equal(back->created, st->created);
        assert_true(back->started);
        assert_true(back->systemd_cgroup);
        assert_string_equal(back->guest, "unikraft");
        assert_string_equal(back->monitor, "qemu");
        assert_string_equal(back->netns_path, "/var/run/netns/pod");
        assert_null(back->tap);
        assert_int_equal(back->cgroup.manager, UR_CGROUP_SYSTEMD);
        assert_string_equal(back->cgroup.unit, "urunc-a.scope");
        assert_string_equal(back->cgroup.path, "/urunc.slice/urunc-a.scope");
        assert_string_equal(json_object_get_string(json_object_object_get(back->annotations, "k")), "v/w");
        ur_state_free(st);
        ur_state_free(back);
}

static void test_missing_and_corrupt(void **state)
{
        struct ur_state *st = NULL;
        struct ur_err *err = NULL;
        char path[512];

        assert_int_equal(ur_state_load(root, "nosuch", &st, &err), -ENOENT);
        assert_string_equal(ur_err_msg(err), "container 'nosuch' does not exist");
        ur_err_free(&err);

        snprintf(path, sizeof(path), "%s/bad", root);
        mkdir(path, 0700);
        snprintf(path, sizeof(path), "%s/bad/%s", root, UR_STATE_FILE);
        assert_int_equal(ur_write_file_atomic(path, "{not json", 9, 0600, &err), 0);
        assert_true(ur_state_load(root, "bad", &st, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "corrupt"));
        ur_err_free(&err);
}

static void test_status_from_facts(void **state)
{
        struct ur_state *st;
        pid_t child;
        int status;

        /* A live process that is not the waiting monitor: running. */
        st = make_state("live", getpid());
        st->cgroup.manager = UR_CGROUP_NONE;
        assert_int_equal(ur_state_status(st), UR_STATUS_RUNNING);
        /* Pid reuse: same pid, other start time → stopped. */
        st->pid_start += 1;
        assert_int_equal(ur_state_status(st), UR_STATUS_STOPPED);
        ur_state_free(st);

        /* A process named like the waiting monitor: created. */
        child = fork();
        if (child == 0) {
                prctl(PR_SET_NAME, UR_INIT_COMM);
                pause();
                _exit(0);
        }
        usleep(100000);
        st = make_state("created", child);
        st->cgroup.manager = UR_CGROUP_NONE;
        assert_int_equal(ur_state_status(st), UR_STATUS_CREATED);
        kill(child, SIGSTOP);
        usleep(50000);
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        /* Dead: stopped, and the OCI state has pid 0. */
        assert_int_equal(ur_state_status(st), UR_STATUS_STOPPED);
        json_object *o = ur_state_to_oci(st, UR_STATUS_STOPPED);
        assert_int_equal(json_object_get_int(json_object_object_get(o, "pid")), 0);
        assert_string_equal(json_object_get_string(json_object_object_get(o, "status")), "stopped");
        assert_string_equal(json_object_get_string(json_object_object_get(o, "id")), "created");
        json_object_put(o);
        ur_state_free(st);
}

/* What a create killed half-way leaves (crash safety). */
static void test_uncommitted_and_bare(void **state)
{
        struct ur_state *st, *back = NULL;
        struct ur_err *err = NULL;
        char path[512];
        pid_t child;
        int status, fd;

        /* Saved before commit, with its creator alive: creating. */
        st = make_state("unc", getpid());
        st->uncommitted = true;
        st->creator = getpid();
        assert_int_equal(ur_proc_start_time(getpid(), &st->creator_start), 0);
        assert_int_equal(ur_state_save(st, &err), 0);
        assert_int_equal(ur_state_load(root, "unc", &back, &err), 0);
        assert_true(back->uncommitted);
        assert_false(back->bare);
        assert_int_equal(back->creator, getpid());
        assert_true(back->creator_start == st->creator_start);
        assert_int_equal(ur_state_status(back), UR_STATUS_CREATING);
        ur_state_free(back);
        back = NULL;
        /* Its creator gone (the monitor process may live on a moment): stopped. */
        child = fork();
        if (child == 0)
                _exit(0);
        waitpid(child, &status, 0);
        st->creator = child;
        assert_int_equal(ur_state_save(st, &err), 0);
        assert_int_equal(ur_state_load(root, "unc", &back, &err), 0);
        assert_int_equal(ur_state_status(back), UR_STATUS_STOPPED);
        ur_state_free(back);
        back = NULL;
        /* Committed: no creator recorded, the status is the monitor's. */
        st->uncommitted = false;
        st->cgroup.manager = UR_CGROUP_NONE;
        assert_int_equal(ur_state_save(st, &err), 0);
        assert_int_equal(ur_state_load(root, "unc", &back, &err), 0);
        assert_false(back->uncommitted);
        assert_int_equal(back->creator, 0);
        assert_int_equal(ur_state_status(back), UR_STATUS_RUNNING);
        ur_state_free(back);
        back = NULL;
        ur_state_free(st);

        /* A state file from before crash safety (no "committed"): committed. */
        snprintf(path, sizeof(path), "%s/old", root);
        mkdir(path, 0700);
        snprintf(path, sizeof(path), "%s/old/%s", root, UR_STATE_FILE);
        assert_int_equal(ur_write_file_atomic(path, "{\"pid\": 0}", 10, 0600, &err), 0);
        assert_int_equal(ur_state_load(root, "old", &back, &err), 0);
        assert_false(back->uncommitted);
        assert_int_equal(ur_state_status(back), UR_STATUS_STOPPED);
        ur_state_free(back);
        back = NULL;

        /* A directory without a state file: bare, pid 0; creating while
         * locked (create holds the lock), stopped otherwise. */
        snprintf(path, sizeof(path), "%s/bare", root);
        mkdir(path, 0700);
        assert_int_equal(ur_state_load(root, "bare", &back, &err), 0);
        assert_true(back->bare);
        assert_int_equal(back->pid, 0);
        assert_int_equal(ur_state_status(back), UR_STATUS_STOPPED);
        fd = ur_state_lock(path, &err);
        assert_true(fd >= 0);
        assert_int_equal(ur_state_status(back), UR_STATUS_CREATING);
        close(fd);
        assert_int_equal(ur_state_status(back), UR_STATUS_STOPPED);
        json_object *o = ur_state_to_oci(back, UR_STATUS_STOPPED);
        assert_string_equal(json_object_get_string(json_object_object_get(o, "id")), "bare");
        json_object_put(o);
        ur_state_free(back);
        back = NULL;

        /* No directory: does not exist. */
        assert_int_equal(ur_state_load(root, "nodir", &back, &err), -ENOENT);
        ur_err_free(&err);
}

static void test_list(void **state)
{
        char **ids = NULL;
        struct ur_err *err = NULL;
        char path[512];
        struct ur_state *st = make_state("b2", getpid());

        assert_int_equal(ur_state_save(st, &err), 0);
        ur_state_free(st);
        st = make_state("b1", getpid());
        assert_int_equal(ur_state_save(st, &err), 0);
        ur_state_free(st);
        /* A fallback runtime's directory (marked) and junk are not listed. */
        snprintf(path, sizeof(path), "%s/fb", root);
        mkdir(path, 0700);
        snprintf(path, sizeof(path), "%s/%sfb", root, UR_FALLBACK_PREFIX);
        assert_int_equal(ur_write_file_atomic(path, "/usr/sbin/runc", 14, 0600, &err), 0);
        snprintf(path, sizeof(path), "%s/not-a-dir", root);
        assert_int_equal(ur_write_file_atomic(path, "x", 1, 0600, &err), 0);
        assert_int_equal(ur_state_list(root, &ids, &err), 0);
        /* Sorted; a directory without a state file ("live") is listed: a
         * create killed before its first save left it. */
        size_t n = 0;
        bool live = false;
        for (; ids[n]; n++) {
                live |= strcmp(ids[n], "live") == 0;
                assert_string_not_equal(ids[n], "fb");
                assert_string_not_equal(ids[n], "not-a-dir");
        }
        assert_true(n >= 3);
        assert_true(live);
        for (size_t i = 1; i < n; i++)
                assert_true(strcmp(ids[i - 1], ids[i]) < 0);
        for (size_t i = 0; i < n; i++)
                free(ids[i]);
        free(ids);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_missing_and_corrupt),
                cmocka_unit_test(test_status_from_facts),
                cmocka_unit_test(test_uncommitted_and_bare),
                cmocka_unit_test(test_list),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
