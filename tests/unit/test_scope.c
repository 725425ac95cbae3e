/* SPDX-License-Identifier: Apache-2.0 */
/*
 * src/systemd/scope.c, fed by the systemd cgroup manager
 * (src/cgroup/manager-systemd.c: unit name and properties from the
 * request), against a fake systemd: a thread serving sd-bus on the other
 * end of a socketpair, implementing the few Manager methods urunc calls,
 * recording what it received, and emitting JobRemoved.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>

#include "cgroup/manager.h"
#include "systemd/scope.h"
#include "util/error.h"
#include "util/strv.h"

/* ---- the fake systemd ---- */

struct fake {
        /* behaviour */
        char **reject;          /* property names answered with PropertyReadOnly */
        const char *reject_error;/* error name for those (default PropertyReadOnly) */
        int unit_exists;        /* answer UnitExists this many times */
        const char *job_result; /* JobRemoved result; NULL: the job never ends */
        int signal_first;       /* emit JobRemoved before the reply */
        int freeze_fails;
        int stop_no_such;
        const char *freezer_state;
        /* records (read after the thread ended) */
        int n_start, n_set;
        char *unit, *mode;
        char **props;           /* "Name=value" of the last StartTransientUnit */
        char **set_props;       /* of the last SetUnitProperties */
        int set_runtime;
        char **calls;           /* "Member arg" */
        /* plumbing */
        int fd;
        pthread_t thread;
        unsigned job_id;
};

static int read_props(sd_bus_message *m, char ***out)
{
        int r = sd_bus_message_enter_container(m, 'a', "(sv)");

        ur_strv_free(*out);
        *out = NULL;
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'r', "sv")) > 0) {
                const char *name, *contents;
                char type;

                assert_true(sd_bus_message_read(m, "s", &name) >= 0);
                assert_true(sd_bus_message_peek_type(m, &type, &contents) >= 0);
                assert_true(sd_bus_message_enter_container(m, 'v', contents) >= 0);
                if (strcmp(contents, "t") == 0) {
                        uint64_t t;
                        sd_bus_message_read(m, "t", &t);
                        ur_strv_addf(out, "%s=%llu", name, (unsigned long long) t);
                } else if (strcmp(contents, "b") == 0) {
                        int b;
                        sd_bus_message_read(m, "b", &b);
                        ur_strv_addf(out, "%s=%s", name, b ? "yes" : "no");
                } else if (strcmp(contents, "s") == 0) {
                        const char *s;
                        sd_bus_message_read(m, "s", &s);
                        ur_strv_addf(out, "%s='%s'", name, s);
                } else if (strcmp(contents, "au") == 0) {
                        uint32_t pid;
                        char buf[256] = "";
                        sd_bus_message_enter_container(m, 'a', "u");
                        while (sd_bus_message_read(m, "u", &pid) > 0)
                                snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%u", *buf ? "," : "", pid);
                        sd_bus_message_exit_container(m);
                        ur_strv_addf(out, "%s=[%s]", name, buf);
                } else if (strcmp(contents, "ay") == 0) {
                        const void *p;
                        size_t n;
                        char buf[256] = "";
                        sd_bus_message_read_array(m, 'y', &p, &n);
                        for (size_t i = 0; i < n && i < 100; i++)
                                snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%02x",
                                         ((const uint8_t *) p)[i]);
                        ur_strv_addf(out, "%s=ay:%s", name, buf);
                } else {
                        sd_bus_message_skip(m, contents);
                        ur_strv_addf(out, "%s=?%s", name, contents);
                }
                sd_bus_message_exit_container(m);
                sd_bus_message_exit_container(m);
        }
        return sd_bus_message_exit_container(m);
}

static int has_prop(char **props, const char *name)
{
        size_t n = strlen(name);
        for (size_t i = 0; props && props[i]; i++)
                if (strncmp(props[i], name, n) == 0 && props[i][n] == '=')
                        return 1;
        return 0;
}

static void job_removed(sd_bus *bus, struct fake *f, const char *job, const char *unit, const char *result)
{
        assert_true(sd_bus_emit_signal(bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                       "JobRemoved", "uoss", f->job_id, job, unit, result) >= 0);
}

static int reply_job(sd_bus_message *m, struct fake *f, const char *unit, const char *result, int first)
{
        sd_bus *bus = sd_bus_message_get_bus(m);
        char job[64];

        snprintf(job, sizeof(job), "/org/freedesktop/systemd1/job/%u", ++f->job_id);
        /* Noise: another unit's job, and another job of ours. */
        job_removed(bus, f, "/org/freedesktop/systemd1/job/9999", "other.scope", "failed");
        if (result && first)
                job_removed(bus, f, job, unit, result);
        assert_true(sd_bus_reply_method_return(m, "o", job) >= 0);
        if (result && !first)
                job_removed(bus, f, job, unit, result);
        return 1;
}

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct fake *f = userdata;
        const char *member = sd_bus_message_get_member(m);
        const char *unit = NULL, *mode = NULL;

        if (!sd_bus_message_is_method_call(m, NULL, NULL) || !member)
                return 0;
        if (strcmp(member, "StartTransientUnit") == 0) {
                assert_true(sd_bus_message_read(m, "ss", &unit, &mode) >= 0);
                f->n_start++;
                free(f->unit);
                free(f->mode);
                f->unit = strdup(unit);
                f->mode = strdup(mode);
                assert_true(read_props(m, &f->props) >= 0);
                ur_strv_addf(&f->calls, "StartTransientUnit %s", unit);
                for (size_t i = 0; f->reject && f->reject[i]; i++)
                        if (has_prop(f->props, f->reject[i]))
                                return sd_bus_reply_method_errorf(
                                        m, f->reject_error ? f->reject_error : SD_BUS_ERROR_PROPERTY_READ_ONLY,
                                        "Cannot set property %s, or unknown property.", f->reject[i]);
                if (f->unit_exists > 0) {
                        f->unit_exists--;
                        return sd_bus_reply_method_errorf(m, "org.freedesktop.systemd1.UnitExists",
                                                          "Unit %s already exists.", unit);
                }
                return reply_job(m, f, unit, f->job_result, f->signal_first);
        }
        if (strcmp(member, "StopUnit") == 0) {
                assert_true(sd_bus_message_read(m, "ss", &unit, &mode) >= 0);
                ur_strv_addf(&f->calls, "StopUnit %s %s", unit, mode);
                if (f->stop_no_such)
                        return sd_bus_reply_method_errorf(m, "org.freedesktop.systemd1.NoSuchUnit",
                                                          "Unit %s not loaded.", unit);
                return reply_job(m, f, unit, "done", 0);
        }
        if (strcmp(member, "ResetFailedUnit") == 0 || strcmp(member, "FreezeUnit") == 0 ||
            strcmp(member, "ThawUnit") == 0) {
                assert_true(sd_bus_message_read(m, "s", &unit) >= 0);
                ur_strv_addf(&f->calls, "%s %s", member, unit);
                if (f->freeze_fails && strcmp(member, "ResetFailedUnit") != 0)
                        return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_NOT_SUPPORTED,
                                                          "Unit does not support freezing.");
                return sd_bus_reply_method_return(m, NULL);
        }
        if (strcmp(member, "SetUnitProperties") == 0) {
                assert_true(sd_bus_message_read(m, "sb", &unit, &f->set_runtime) >= 0);
                f->n_set++;
                assert_true(read_props(m, &f->set_props) >= 0);
                ur_strv_addf(&f->calls, "SetUnitProperties %s", unit);
                for (size_t i = 0; f->reject && f->reject[i]; i++)
                        if (has_prop(f->set_props, f->reject[i]))
                                return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_PROPERTY_READ_ONLY,
                                                                  "Cannot set property %s, or unknown property.",
                                                                  f->reject[i]);
                return sd_bus_reply_method_return(m, NULL);
        }
        if (strcmp(member, "Get") == 0) {
                const char *iface, *name;
                assert_true(sd_bus_message_read(m, "ss", &iface, &name) >= 0);
                ur_strv_addf(&f->calls, "Get %s %s.%s", sd_bus_message_get_path(m), iface, name);
                if (strcmp(name, "FreezerState") == 0)
                        return sd_bus_reply_method_return(m, "v", "s", f->freezer_state);
                if (strcmp(name, "ControlGroup") == 0)
                        return sd_bus_reply_method_return(m, "v", "s", "/urunc.slice/urunc-x.scope");
                return sd_bus_reply_method_errorf(m, "org.freedesktop.DBus.Error.UnknownProperty", "no %s", name);
        }
        return 0;
}

static void *fake_main(void *arg)
{
        struct fake *f = arg;
        sd_bus *bus = NULL;
        sd_id128_t id;

        sd_id128_randomize(&id);
        assert_true(sd_bus_new(&bus) >= 0);
        assert_true(sd_bus_set_fd(bus, f->fd, f->fd) >= 0);
        assert_true(sd_bus_set_server(bus, 1, id) >= 0);
        assert_true(sd_bus_set_anonymous(bus, 1) >= 0);
        assert_true(sd_bus_add_filter(bus, NULL, on_message, f) >= 0);
        assert_true(sd_bus_start(bus) >= 0);
        for (;;) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                if (sd_bus_wait(bus, UINT64_MAX) < 0)
                        break;
        }
        sd_bus_flush_close_unref(bus);
        return NULL;
}

static sd_bus *fake_start(struct fake *f)
{
        int sv[2];
        sd_bus *bus = NULL;

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        f->fd = sv[1];
        assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
        assert_true(sd_bus_new(&bus) >= 0);
        assert_true(sd_bus_set_fd(bus, sv[0], sv[0]) >= 0);
        assert_true(sd_bus_set_anonymous(bus, 1) >= 0);
        assert_true(sd_bus_start(bus) >= 0);
        return bus;
}

/* Close the client end; the fake sees the hang-up and ends. */
static void fake_stop(struct fake *f, sd_bus *bus)
{
        sd_bus_flush_close_unref(bus);
        pthread_join(f->thread, NULL);
}

static void fake_done(struct fake *f)
{
        free(f->unit);
        free(f->mode);
        ur_strv_free(f->props);
        ur_strv_free(f->set_props);
        ur_strv_free(f->calls);
}

static void assert_has(char **v, const char *s)
{
        if (!ur_strv_contains(v, s)) {
                char *all = ur_strv_join(v, "\n  ");
                fail_msg("'%s' missing from:\n  %s", s, all);
        }
}

/* ---- tests ---- */

static struct ur_kv annotations[] = {
        { "org.systemd.property.TimeoutStopSec", "10" },
        { "org.systemd.property.CollectMode", "'inactive'" }, /* overrides ours */
        { "org.systemd.property.IOAccounting", "yes" },
        { "io.kubernetes.cri.container-type", "container" }, /* not ours */
};

static void test_start_maps_everything(void **state)
{
        struct fake f = { .job_result = "done" };
        struct ur_resources res;
        struct ur_cgroup_request req = {
                .id = "web-1", .description = "urunc unikernel web-1 (unikraft on qemu)", .res = &res,
                .pid = 4242, .annotations = annotations, .n_annotations = 4,
        };
        sd_bus *bus = fake_start(&f);
        char *unit = NULL;
        struct ur_err *err = NULL;

        ur_resources_init(&res);
        res.memory_limit = 1073741824;
        res.memory_reservation = 536870912;
        res.cpu_quota = 50000;
        res.cpu_period = 100000;
        res.cpu_shares = 1024;
        res.pids_limit = 100;
        res.cpu_cpus = strdup("0-3,5");
        res.cpu_mems = strdup("0,9");
        if (ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        assert_string_equal(unit, "urunc-web\\x2d1.scope");
        fake_stop(&f, bus);

        assert_int_equal(f.n_start, 1);
        assert_string_equal(f.unit, "urunc-web\\x2d1.scope");
        assert_string_equal(f.mode, "fail");
        assert_has(f.props, "Description='urunc unikernel web-1 (unikraft on qemu)'");
        assert_has(f.props, "Slice='urunc.slice'");
        assert_has(f.props, "PIDs=[4242]");
        assert_has(f.props, "DefaultDependencies=no");
        assert_has(f.props, "CollectMode='inactive'");
        assert_has(f.props, "MemoryAccounting=yes");
        assert_has(f.props, "CPUAccounting=yes");
        assert_has(f.props, "TasksAccounting=yes");
        assert_has(f.props, "MemoryMax=1073741824");
        assert_has(f.props, "MemoryLow=536870912");
        assert_has(f.props, "CPUQuotaPerSecUSec=500000");
        assert_has(f.props, "CPUQuotaPeriodUSec=100000");
        assert_has(f.props, "CPUWeight=39");
        assert_has(f.props, "TasksMax=100");
        assert_has(f.props, "AllowedCPUs=ay:2f");
        assert_has(f.props, "AllowedMemoryNodes=ay:0102");
        assert_has(f.props, "TimeoutStopUSec=10000000");
        assert_has(f.props, "IOAccounting=yes");
        assert_int_equal(ur_strv_len(f.props), 18); /* CollectMode replaced, not added */
        free(unit);
        ur_resources_done(&res);
        fake_done(&f);
}

static void test_start_cpu_edges(void **state)
{
        static const struct {
                uint64_t shares;
                int64_t quota;
                uint64_t period;
                const char *weight, *quota_prop;
        } cases[] = {
                { 2, 12345, 100000, "CPUWeight=1", "CPUQuotaPerSecUSec=130000" },
                { 1024, 1, 0, "CPUWeight=39", "CPUQuotaPerSecUSec=10000" },
                { 262144, 400000, 100000, "CPUWeight=10000", "CPUQuotaPerSecUSec=4000000" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct fake f = { .job_result = "done" };
                struct ur_resources res;
                struct ur_cgroup_request req = { .id = "c", .res = &res, .pid = 7 };
                sd_bus *bus = fake_start(&f);
                char *unit = NULL;
                struct ur_err *err = NULL;

                ur_resources_init(&res);
                res.cpu_shares = cases[i].shares;
                res.cpu_quota = cases[i].quota;
                res.cpu_period = cases[i].period;
                assert_int_equal(ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err), 0);
                fake_stop(&f, bus);
                assert_has(f.props, cases[i].weight);
                assert_has(f.props, cases[i].quota_prop);
                assert_int_equal(has_prop(f.props, "CPUQuotaPeriodUSec"), cases[i].period != 0);
                assert_has(f.props, "Description='urunc container c'");
                assert_false(has_prop(f.props, "MemoryMax"));
                free(unit);
                fake_done(&f);
        }
}

/* A v1 cpu controller: the shares go as CPUShares, unconverted (systemd would
 * turn CPUWeight=20 into cpu.shares 204 there). */
static void test_start_v1_cpu_shares(void **state)
{
        struct fake f = { .job_result = "done" };
        struct ur_resources res;
        struct ur_cgroup_request req = { .id = "c", .res = &res, .pid = 7, .v1_cpu = true };
        sd_bus *bus = fake_start(&f);
        char *unit = NULL;
        struct ur_err *err = NULL;

        ur_resources_init(&res);
        res.cpu_shares = 512;
        assert_int_equal(ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err), 0);
        fake_stop(&f, bus);
        assert_has(f.props, "CPUShares=512");
        assert_false(has_prop(f.props, "CPUWeight"));
        free(unit);
        fake_done(&f);
}

static void test_start_slice_from_cgroups_path(void **state)
{
        struct fake f = { .job_result = "done", .signal_first = 1 };
        struct ur_cgroup_request req = { .id = "abc", .pid = 9, .cgroups_path = "machine.slice:libpod:abc",
                                         .default_slice = "ignored.slice" };
        sd_bus *bus = fake_start(&f);
        char *unit = NULL;
        struct ur_err *err = NULL;

        /* JobRemoved arrives before the reply: still seen. */
        if (ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        fake_stop(&f, bus);
        assert_string_equal(unit, "libpod-abc.scope");
        assert_string_equal(f.unit, "libpod-abc.scope");
        assert_has(f.props, "Slice='machine.slice'");
        free(unit);
        fake_done(&f);
}

static void test_start_default_slice_from_config(void **state)
{
        struct fake f = { .job_result = "done" };
        struct ur_cgroup_request req = { .id = ".hidden", .pid = 9, .default_slice = "machine-urunc.slice" };
        sd_bus *bus = fake_start(&f);
        char *unit = NULL;
        struct ur_err *err = NULL;

        assert_int_equal(ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err), 0);
        fake_stop(&f, bus);
        assert_string_equal(unit, "urunc-\\x2ehidden.scope");
        assert_has(f.props, "Slice='machine-urunc.slice'");
        free(unit);
        fake_done(&f);
}

static void test_start_job_failed(void **state)
{
        struct fake f = { .job_result = "failed" };
        struct ur_cgroup_request req = { .id = "c", .pid = 9 };
        sd_bus *bus = fake_start(&f);
        char *unit = NULL;
        struct ur_err *err = NULL;

        assert_true(ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err) < 0);
        assert_null(unit);
        assert_non_null(strstr(ur_err_msg(err), "'failed'"));
        assert_non_null(strstr(ur_err_msg(err), "urunc-c.scope"));
        fake_stop(&f, bus);
        /* Nothing left behind. */
        assert_has(f.calls, "StopUnit urunc-c.scope replace");
        assert_has(f.calls, "ResetFailedUnit urunc-c.scope");
        ur_err_free(&err);
        fake_done(&f);
}

static void test_start_drops_rejected_property(void **state)
{
        char *reject[] = { "MemoryLow", "CPUWeight", NULL };
        struct fake f = { .job_result = "done", .reject = reject };
        struct ur_resources res;
        struct ur_cgroup_request req = { .id = "c", .pid = 9, .res = &res };
        sd_bus *bus = fake_start(&f);
        char *unit = NULL;
        struct ur_err *err = NULL;

        ur_resources_init(&res);
        res.memory_limit = 1 << 30;
        res.memory_reservation = 1 << 29;
        res.cpu_shares = 512;
        res.cpu_cpus = strdup("1");
        if (ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        fake_stop(&f, bus);
        assert_int_equal(f.n_start, 3);
        assert_false(has_prop(f.props, "MemoryLow"));
        assert_false(has_prop(f.props, "CPUWeight"));
        assert_true(has_prop(f.props, "AllowedCPUs"));
        assert_has(f.props, "MemoryMax=1073741824");
        free(unit);
        ur_resources_done(&res);
        fake_done(&f);
}

static void test_start_drops_invalid_args_property(void **state)
{
        char *reject[] = { "CPUQuotaPeriodUSec", NULL };
        struct fake f = { .job_result = "done", .reject = reject, .reject_error = SD_BUS_ERROR_INVALID_ARGS };
        struct ur_resources res;
        struct ur_cgroup_request req = { .id = "c", .pid = 9, .res = &res };
        sd_bus *bus = fake_start(&f);
        char *unit = NULL;
        struct ur_err *err = NULL;

        ur_resources_init(&res);
        res.cpu_quota = 20000;
        res.cpu_period = 100000;
        assert_int_equal(ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err), 0);
        fake_stop(&f, bus);
        assert_int_equal(f.n_start, 2);
        assert_false(has_prop(f.props, "CPUQuotaPeriodUSec"));
        /* The longest name that matches is the one dropped, not a prefix. */
        assert_has(f.props, "CPUQuotaPerSecUSec=200000");
        free(unit);
        fake_done(&f);
}

static void test_start_essential_rejected(void **state)
{
        char *reject[] = { "Slice", NULL };
        struct fake f = { .job_result = "done", .reject = reject };
        struct ur_cgroup_request req = { .id = "c", .pid = 9 };
        sd_bus *bus = fake_start(&f);
        char *unit = NULL;
        struct ur_err *err = NULL;

        assert_true(ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "Cannot set property Slice"));
        assert_non_null(strstr(ur_err_msg(err), "PropertyReadOnly"));
        fake_stop(&f, bus);
        assert_int_equal(f.n_start, 1);
        ur_err_free(&err);
        fake_done(&f);
}

/* A limit the spec sets is never dropped: the create fails with systemd's
 * message (was: a warning, and the container ran without the limit). */
static void test_start_limit_rejected(void **state)
{
        const char *limits[] = { "MemoryMax", "TasksMax", "CPUQuotaPerSecUSec", "AllowedCPUs", "MemorySwapMax" };

        for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
                char *reject[] = { (char *) limits[i], NULL };
                struct fake f = { .job_result = "done", .reject = reject };
                struct ur_resources res;
                struct ur_cgroup_request req = { .id = "c", .pid = 9, .res = &res };
                sd_bus *bus = fake_start(&f);
                char *unit = NULL;
                struct ur_err *err = NULL;
                char want[128];

                ur_resources_init(&res);
                res.memory_limit = 1 << 30;
                res.memory_swap = 2 << 30;
                res.pids_limit = 100;
                res.cpu_quota = 50000;
                res.cpu_cpus = strdup("0");
                assert_true(ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err) < 0);
                snprintf(want, sizeof(want), "Cannot set property %s", limits[i]);
                if (!strstr(ur_err_msg(err), want))
                        fail_msg("'%s' not in '%s'", want, ur_err_msg(err));
                fake_stop(&f, bus);
                assert_int_equal(f.n_start, 1);
                assert_null(unit);
                ur_err_free(&err);
                ur_resources_done(&res);
                fake_done(&f);
        }
}

static void test_start_unit_exists_once(void **state)
{
        struct fake f = { .job_result = "done", .unit_exists = 1 };
        struct ur_cgroup_request req = { .id = "c", .pid = 9 };
        sd_bus *bus = fake_start(&f);
        char *unit = NULL;
        struct ur_err *err = NULL;

        if (ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        fake_stop(&f, bus);
        assert_int_equal(f.n_start, 2);
        assert_string_equal(f.calls[0], "StartTransientUnit urunc-c.scope");
        assert_string_equal(f.calls[1], "ResetFailedUnit urunc-c.scope");
        assert_string_equal(f.calls[2], "StartTransientUnit urunc-c.scope");
        free(unit);
        fake_done(&f);
}

static void test_start_unit_exists_twice(void **state)
{
        struct fake f = { .job_result = "done", .unit_exists = 5 };
        struct ur_cgroup_request req = { .id = "c", .pid = 9 };
        sd_bus *bus = fake_start(&f);
        char *unit = NULL;
        struct ur_err *err = NULL;

        assert_true(ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "already exists"));
        assert_int_equal(err->errnum, EEXIST);
        fake_stop(&f, bus);
        assert_int_equal(f.n_start, 2); /* retried once only */
        ur_err_free(&err);
        fake_done(&f);
}

static uint64_t mono_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static void test_start_job_never_ends(void **state)
{
        struct fake f = { .job_result = NULL };
        struct ur_cgroup_request req = { .id = "slow", .pid = 9 };
        sd_bus *bus = fake_start(&f);
        char *unit = NULL;
        struct ur_err *err = NULL;
        uint64_t t0 = mono_ms(), dt;

        assert_true(ur_cgroup_scope_start(bus, &req, 300000, &unit, &err) < 0);
        dt = mono_ms() - t0;
        assert_true(dt >= 290 && dt < 3000);
        assert_int_equal(err->errnum, ETIMEDOUT);
        assert_non_null(strstr(ur_err_msg(err), "did not finish within 300 ms"));
        fake_stop(&f, bus);
        assert_has(f.calls, "StopUnit urunc-slow.scope replace");
        ur_err_free(&err);
        fake_done(&f);
}

static void test_start_needs_pid(void **state)
{
        struct fake f = { .job_result = "done" };
        struct ur_cgroup_request req = { .id = "c", .pid = 0 };
        sd_bus *bus = fake_start(&f);
        char *unit = NULL;
        struct ur_err *err = NULL;

        assert_true(ur_cgroup_scope_start(bus, &req, 5000000, &unit, &err) < 0);
        fake_stop(&f, bus);
        assert_int_equal(f.n_start, 0);
        ur_err_free(&err);
        fake_done(&f);
}

static void test_stop(void **state)
{
        struct fake f = { 0 };
        sd_bus *bus = fake_start(&f);
        struct ur_err *err = NULL;

        assert_int_equal(ur_scope_stop(bus, "urunc-c.scope", 5000000, &err), 0);
        fake_stop(&f, bus);
        assert_string_equal(f.calls[0], "StopUnit urunc-c.scope replace");
        assert_string_equal(f.calls[1], "ResetFailedUnit urunc-c.scope");
        fake_done(&f);

        /* Already gone: fine. */
        f = (struct fake){ .stop_no_such = 1 };
        bus = fake_start(&f);
        assert_int_equal(ur_scope_stop(bus, "urunc-c.scope", 5000000, &err), 0);
        fake_stop(&f, bus);
        fake_done(&f);
}

static void test_freeze(void **state)
{
        struct fake f = { .freezer_state = "frozen" };
        sd_bus *bus = fake_start(&f);
        char *cg = NULL;
        struct ur_err *err = NULL;

        assert_int_equal(ur_scope_freeze(bus, "u.scope", true, 5000000, &err), 0);
        assert_int_equal(ur_scope_freeze(bus, "u.scope", false, 5000000, &err), 0);
        assert_int_equal(ur_scope_is_frozen(bus, "urunc-a\\x2db.scope", 5000000, &err), 1);
        assert_int_equal(ur_scope_control_group(bus, "u.scope", 5000000, &cg, &err), 0);
        assert_string_equal(cg, "/urunc.slice/urunc-x.scope");
        fake_stop(&f, bus);
        assert_string_equal(f.calls[0], "FreezeUnit u.scope");
        assert_string_equal(f.calls[1], "ThawUnit u.scope");
        /* The unit's object path is escaped the way systemd does it. */
        assert_string_equal(f.calls[2], "Get /org/freedesktop/systemd1/unit/urunc_2da_5cx2db_2escope "
                                        "org.freedesktop.systemd1.Unit.FreezerState");
        assert_string_equal(f.calls[3], "Get /org/freedesktop/systemd1/unit/u_2escope "
                                        "org.freedesktop.systemd1.Scope.ControlGroup");
        free(cg);
        fake_done(&f);

        f = (struct fake){ .freezer_state = "running", .freeze_fails = 1 };
        bus = fake_start(&f);
        assert_int_equal(ur_scope_is_frozen(bus, "u.scope", 5000000, &err), 0);
        assert_true(ur_scope_freeze(bus, "u.scope", true, 5000000, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "NotSupported"));
        assert_non_null(strstr(ur_err_msg(err), "FreezeUnit 'u.scope'"));
        ur_err_free(&err);
        fake_stop(&f, bus);
        fake_done(&f);
}

static void test_update(void **state)
{
        char *reject[] = { "CPUQuotaPeriodUSec", NULL };
        struct fake f = { .reject = reject };
        struct ur_resources res;
        sd_bus *bus = fake_start(&f);
        struct ur_err *err = NULL;

        ur_resources_init(&res);
        res.memory_limit = 1 << 28;
        res.cpu_quota = 150000;
        res.cpu_period = 100000;
        res.pids_limit = 10;
        if (ur_cgroup_scope_update(bus, "u.scope", &res, false, 5000000, &err) < 0)
                fail_msg("%s", ur_err_msg(err));
        fake_stop(&f, bus);
        assert_int_equal(f.n_set, 2);
        assert_int_equal(f.set_runtime, 1);
        assert_has(f.set_props, "MemoryMax=268435456");
        assert_has(f.set_props, "CPUQuotaPerSecUSec=1500000");
        assert_has(f.set_props, "TasksMax=10");
        assert_false(has_prop(f.set_props, "CPUQuotaPeriodUSec"));
        assert_false(has_prop(f.set_props, "PIDs"));
        fake_done(&f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_start_maps_everything),
                cmocka_unit_test(test_start_cpu_edges),
                cmocka_unit_test(test_start_v1_cpu_shares),
                cmocka_unit_test(test_start_slice_from_cgroups_path),
                cmocka_unit_test(test_start_default_slice_from_config),
                cmocka_unit_test(test_start_job_failed),
                cmocka_unit_test(test_start_drops_rejected_property),
                cmocka_unit_test(test_start_drops_invalid_args_property),
                cmocka_unit_test(test_start_essential_rejected),
                cmocka_unit_test(test_start_limit_rejected),
                cmocka_unit_test(test_start_unit_exists_once),
                cmocka_unit_test(test_start_unit_exists_twice),
                cmocka_unit_test(test_start_job_never_ends),
                cmocka_unit_test(test_start_needs_pid),
                cmocka_unit_test(test_stop),
                cmocka_unit_test(test_freeze),
                cmocka_unit_test(test_update),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
