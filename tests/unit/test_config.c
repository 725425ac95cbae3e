/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "vmm/vmm.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"

#define FIXTURE TEST_SRCDIR "/fixtures/config.toml"

/* Warnings reach the journal sink; collect them. */
static char warnings[8192];

static void journal(int prio, const char *id, const char *msg)
{
        if (prio == LOG_WARNING) {
                strncat(warnings, msg, sizeof(warnings) - strlen(warnings) - 2);
                strcat(warnings, "\n");
        }
}

static int setup(void **state)
{
        struct ur_log_options o = {.quiet_stderr = true};
        ur_log_init(&o);
        ur_log_set_journal(journal);
        return 0;
}

static struct ur_config *parse_ok(const char *text)
{
        struct ur_config *cfg = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        warnings[0] = '\0';
        if (ur_config_parse(text, "config.toml", &cfg, &err) < 0)
                fail_msg("parse failed: %s\n%s", ur_err_msg(err), text);
        return cfg;
}

static void parse_fail(const char *text, const char *n1, const char *n2)
{
        struct ur_config *cfg = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        if (ur_config_parse(text, "config.toml", &cfg, &err) >= 0)
                fail_msg("accepted:\n%s", text);
        assert_null(cfg);
        if (!strstr(ur_err_msg(err), n1))
                fail_msg("'%s' not in '%s'", n1, ur_err_msg(err));
        if (n2 && !strstr(ur_err_msg(err), n2))
                fail_msg("'%s' not in '%s'", n2, ur_err_msg(err));
}

static void check_defaults(const struct ur_config *cfg)
{
        static const struct {
                const char *name;
                uint64_t overhead;
        } mons[] = {{"qemu", 40}, {"firecracker", 16}, {"hvt", 8}, {"spt", 8}, {"cloud-hypervisor", 32}};

        assert_string_equal(cfg->log.level, "info");
        assert_false(cfg->log.syslog);
        assert_false(cfg->timestamps.enabled);
        assert_non_null(cfg->timestamps.destination);
        assert_null(cfg->runtime.fallback);
        assert_int_equal(cfg->runtime.timeout_sec, 30);
        assert_int_equal(cfg->systemd.cgroup_manager, UR_CGROUP_AUTO);
        assert_string_equal(cfg->systemd.slice, "urunc.slice");
        assert_false(cfg->systemd.console_to_journal);
        assert_false(cfg->systemd.register_machine);
        assert_int_equal(cfg->n_monitors, 5);
        for (size_t i = 0; i < ELEMENTSOF(mons); i++) {
                const struct ur_vmm_cfg *m = ur_config_monitor(cfg, mons[i].name);
                assert_non_null(m);
                assert_string_equal(m->name, mons[i].name);
                assert_int_equal(m->default_memory_mib, 256);
                assert_int_equal(m->default_vcpus, 1);
                assert_int_equal(m->overhead_mib, mons[i].overhead);
                assert_int_equal(m->accel, UR_ACCEL_AUTO);
                assert_null(m->binary_path);
                assert_null(m->data_path);
                assert_null(m->machine);
        }
        assert_null(ur_config_monitor(cfg, "xen"));
        assert_null(ur_config_monitor(cfg, NULL));
        /* The monitors are the registry's, with its default overheads. */
        unsigned n = 0;
        for (const struct ur_vmm_ops *const *o = ur_vmm_all(); *o; o++, n++) {
                const struct ur_vmm_cfg *m = ur_config_monitor(cfg, (*o)->name);
                assert_non_null(m);
                assert_int_equal(m->overhead_mib, ur_pair_vmm_overhead_mib((*o)->name));
                assert_true(m->overhead_mib > 0);
                assert_false(m->overhead_set);
        }
        assert_int_equal(cfg->n_monitors, n);
}

static void test_defaults(void **state)
{
        _cleanup_config_ struct ur_config *cfg = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        assert_int_equal(ur_config_defaults(&cfg, &err), 0);
        check_defaults(cfg);
        assert_null(cfg->path);

        _cleanup_config_ struct ur_config *empty = parse_ok("");
        check_defaults(empty);
        _cleanup_config_ struct ur_config *blank = parse_ok("\n\n   # only comments\n\t\n#x = 1\n");
        check_defaults(blank);
        assert_string_equal(warnings, "");
        ur_config_free(NULL);
}

static void test_full(void **state)
{
        _cleanup_config_ struct ur_config *cfg = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        const struct ur_vmm_cfg *m;

        warnings[0] = '\0';
        assert_int_equal(ur_config_load(FIXTURE, &cfg, &err), 0);
        assert_string_equal(cfg->path, FIXTURE);
        assert_string_equal(cfg->log.level, "debug");
        assert_true(cfg->log.syslog);
        assert_true(cfg->timestamps.enabled);
        assert_string_equal(cfg->timestamps.destination, "/var/log/urunc/ts.log");
        m = ur_config_monitor(cfg, "qemu");
        assert_int_equal(m->default_memory_mib, 1024);
        assert_int_equal(m->default_vcpus, 4);
        assert_string_equal(m->binary_path, "/opt/qemu/bin/qemu-system-x86_64");
        assert_string_equal(m->data_path, "/opt/qemu/share");
        assert_int_equal(m->overhead_mib, 96);
        assert_true(m->overhead_set);
        assert_int_equal(m->accel, UR_ACCEL_TCG);
        assert_string_equal(m->machine, "pc");
        m = ur_config_monitor(cfg, "firecracker");
        assert_int_equal(m->default_memory_mib, 128);
        assert_null(m->binary_path);
        assert_int_equal(m->overhead_mib, 16);
        assert_false(m->overhead_set);
        m = ur_config_monitor(cfg, "hvt");
        assert_int_equal(m->overhead_mib, 0);
        assert_true(m->overhead_set);
        assert_string_equal(cfg->runtime.fallback, "crun");
        assert_int_equal(cfg->runtime.timeout_sec, 45);
        assert_int_equal(cfg->systemd.cgroup_manager, UR_CGROUP_CGROUPFS);
        assert_string_equal(cfg->systemd.slice, "machine-urunc.slice");
        assert_true(cfg->systemd.console_to_journal);
        assert_true(cfg->systemd.register_machine);
        assert_string_equal(warnings, "");
}

static void test_syntax(void **state)
{
        {
                /* Strings: escapes, literal strings, quoted keys, dotted keys, CRLF. */
                _cleanup_config_ struct ur_config *cfg = parse_ok(
                        "[timestamps]\r\n"
                        "destination = \"/tmp/a\\tb\\\"c\\\\d\\u00e9\\U0001F600\"\r\n"
                        "\"enabled\" = true\r\n"
                        "[runtime]\n"
                        "fallback = 'C:\\no\\escapes'\n"
                        "[systemd]\n"
                        "'slice' = \"a#b.slice\" # the # inside quotes is not a comment\n"
                        "[monitors]\n"
                        "qemu.default_vcpus = +2\n"
                        "spt.\"overhead_mb\" = 0\n");
                assert_string_equal(cfg->timestamps.destination, "/tmp/a\tb\"c\\d\xc3\xa9\xf0\x9f\x98\x80");
                assert_true(cfg->timestamps.enabled);
                assert_string_equal(cfg->runtime.fallback, "C:\\no\\escapes");
                assert_string_equal(cfg->systemd.slice, "a#b.slice");
                assert_int_equal(ur_config_monitor(cfg, "qemu")->default_vcpus, 2);
                assert_int_equal(ur_config_monitor(cfg, "spt")->overhead_mib, 0);
                assert_string_equal(warnings, "");
        }
        {
                /* Top-level dotted keys reach the same tables. */
                _cleanup_config_ struct ur_config *cfg = parse_ok("log.level = \"warn\"\nsystemd.cgroup_manager = \"none\"\n");
                assert_string_equal(cfg->log.level, "warn");
                assert_int_equal(cfg->systemd.cgroup_manager, UR_CGROUP_NONE);
        }
        {
                _cleanup_config_ struct ur_config *cfg = parse_ok("\xef\xbb\xbf[runtime]\ntimeout = 1\n");
                assert_int_equal(cfg->runtime.timeout_sec, 1);
        }
}

static void test_unknown_is_a_warning(void **state)
{
        _cleanup_config_ struct ur_config *cfg = parse_ok(
                "top = 1\n"
                "[log]\n"
                "colour = \"always\"\n"
                "[extra_binaries]\n"
                "virtiofsd = \"/usr/libexec/virtiofsd\"\n"
                "[monitors.xen]\n"
                "default_vcpus = 2\n"
                "[monitors.hvt]\n"
                "accel = \"kvm\"\n"
                "machine = \"q35\"\n"
                "future = true\n");
        assert_non_null(strstr(warnings, "config.toml:1: unknown key 'top'"));
        assert_non_null(strstr(warnings, "config.toml:3: unknown key 'colour' in [log]"));
        assert_non_null(strstr(warnings, "config.toml:5: unknown key 'virtiofsd' in [extra_binaries]"));
        assert_non_null(strstr(warnings, "config.toml:7: unknown monitor [monitors.xen]"));
        assert_non_null(strstr(warnings, "config.toml:9: [monitors.hvt] accel is only used by qemu"));
        assert_non_null(strstr(warnings, "config.toml:10: [monitors.hvt] machine is only used by qemu"));
        assert_non_null(strstr(warnings, "config.toml:11: unknown key 'future' in [monitors.hvt]"));
        assert_int_equal(ur_config_monitor(cfg, "hvt")->accel, UR_ACCEL_KVM);
}

static void test_errors(void **state)
{
        /* Syntax. */
        parse_fail("[log]\nlevel = \"info\"\nsyslog\n", "config.toml:3:", "expected '=' after key 'log.syslog'");
        parse_fail("\n[log\n", "config.toml:2:", "expected ']'");
        parse_fail("[log] x\n", "config.toml:1:", "unexpected text 'x' after table header");
        parse_fail("[[monitors]]\n", "config.toml:1:", "arrays of tables");
        parse_fail("[]\n", "config.toml:1:", "missing key");
        parse_fail("[lo g]\n", "config.toml:1:", "expected ']' after table name");
        parse_fail("[a.@]\n", "config.toml:1:", "invalid character '@' in a key");
        parse_fail("[log]\n= 1\n", "config.toml:2:", "missing key");
        parse_fail("[log]\nle vel = 1\n", "config.toml:2:", "expected '=' after key 'log.le'");
        parse_fail("[log]\nlevel = \n", "config.toml:2:", "key 'log.level': missing value");
        parse_fail("[log]\nlevel = \"info\n", "config.toml:2:", "unterminated string in log.level");
        parse_fail("[log]\nlevel = 'info\n", "config.toml:2:", "unterminated string");
        parse_fail("[log]\nlevel = \"a\\qb\"\n", "config.toml:2:", "invalid escape '\\q'");
        parse_fail("[log]\nlevel = \"\\u12\"\n", "config.toml:2:", "invalid \\u escape");
        parse_fail("[log]\nlevel = \"\\u0000\"\n", "config.toml:2:", "invalid code point U+0000");
        parse_fail("[log]\nlevel = \"\\uD800\"\n", "config.toml:2:", "invalid code point");
        parse_fail("[log]\nlevel = \"\"\"x\"\"\"\n", "config.toml:2:", "multi-line strings");
        parse_fail("[log]\nlevel = \"info\" \"x\"\n", "config.toml:2:", "unexpected text '\"x\"' after the value");
        parse_fail("[log]\nlev@l = 1\n", "config.toml:2:", "expected '=' after key 'log.lev', got '@l = 1'");
        parse_fail("[log]\nlevel = info\n", "config.toml:2:", "key 'log.level': unsupported value 'info'");
        parse_fail("[runtime]\ntimeout = 1.5\n", "config.toml:2:", "unsupported value '1.5'");
        parse_fail("[runtime]\ntimeout = [1, 2]  # no arrays\n", "config.toml:2:", "unsupported value '[1, 2]'");
        parse_fail("[runtime]\ntimeout = {a = 1}\n", "config.toml:2:", "unsupported value");
        parse_fail("[runtime]\ntimeout = 007\n", "config.toml:2:", "unsupported value '007'");
        parse_fail("[runtime]\ntimeout = 1__0\n", "config.toml:2:", "unsupported value '1__0'");
        parse_fail("[runtime]\ntimeout = 10_\n", "config.toml:2:", "unsupported value '10_'");
        parse_fail("[runtime]\ntimeout = 1979-05-27\n", "config.toml:2:", "unsupported value");
        parse_fail("[runtime]\ntimeout = 0x10\n", "config.toml:2:", "unsupported value '0x10'");
        parse_fail("[runtime]\ntimeout = 99999999999999999999\n", "config.toml:2:", "integer out of range");
        parse_fail("[runtime]\ntimeout = truex\n", "config.toml:2:", "unsupported value 'truex'");
        parse_fail("[log]\nlevel = \"a\x01\"\n", "config.toml:2:", "control character");

        /* Duplicates. */
        parse_fail("[log]\nlevel = \"info\"\nlevel = \"debug\"\n", "config.toml:3:", "key 'log.level' defined twice");
        parse_fail("[log]\n[runtime]\n[log]\n", "config.toml:3:", "table 'log' defined twice");
        parse_fail("log.syslog = true\n[log]\nsyslog = false\n", "config.toml:3:", "defined twice");

        /* Types. */
        parse_fail("[log]\nsyslog = \"yes\"\n", "config.toml:2:", "[log] syslog: expected a boolean, got a string '\"yes\"'");
        parse_fail("[log]\nlevel = 3\n", "config.toml:2:", "[log] level: expected a string, got an integer '3'");
        parse_fail("[timestamps]\nenabled = 1\n", "config.toml:2:", "[timestamps] enabled: expected a boolean");
        parse_fail("[timestamps]\ndestination = false\n", "config.toml:2:", "[timestamps] destination: expected a string");
        parse_fail("[monitors.qemu]\ndefault_memory_mb = \"256\"\n", "config.toml:2:",
                   "[monitors.qemu] default_memory_mb: expected an integer, got a string '\"256\"'");
        parse_fail("[monitors.qemu]\ndefault_vcpus = true\n", "config.toml:2:", "[monitors.qemu] default_vcpus: expected an integer");
        parse_fail("[monitors.qemu]\nbinary_path = 1\n", "config.toml:2:", "[monitors.qemu] binary_path: expected a string");
        parse_fail("[monitors.spt]\ndata_path = true\n", "config.toml:2:", "[monitors.spt] data_path: expected a string");
        parse_fail("[monitors.qemu]\noverhead_mb = \"x\"\n", "config.toml:2:", "[monitors.qemu] overhead_mb: expected an integer");
        parse_fail("[monitors.qemu]\nmachine = 1\n", "config.toml:2:", "[monitors.qemu] machine: expected a string");
        parse_fail("[monitors.qemu]\naccel = 1\n", "config.toml:2:", "[monitors.qemu] accel: expected a string");
        parse_fail("[runtime]\nfallback = true\n", "config.toml:2:", "[runtime] fallback: expected a string");
        parse_fail("[runtime]\ntimeout = \"30s\"\n", "config.toml:2:", "[runtime] timeout: expected an integer");
        parse_fail("[systemd]\ncgroup_manager = 1\n", "config.toml:2:", "[systemd] cgroup_manager: expected a string");
        parse_fail("[systemd]\nslice = 1\n", "config.toml:2:", "[systemd] slice: expected a string");
        parse_fail("[systemd]\nconsole_to_journal = \"true\"\n", "config.toml:2:", "[systemd] console_to_journal: expected a boolean");
        parse_fail("[systemd]\nregister_machine = 1\n", "config.toml:2:", "[systemd] register_machine: expected a boolean");

        /* Values. */
        parse_fail("[log]\nlevel = \"verbose\"\n", "config.toml:2:",
                   "[log] level: invalid value 'verbose' (expected panic, fatal, error, warn, warning, info, "
                   "debug or trace)");
        parse_fail("[timestamps]\ndestination = \"\"\n", "config.toml:2:",
                   "[timestamps] destination: invalid value '' (expected a non-empty path)");
        parse_fail("[monitors.qemu]\naccel = \"hvf\"\n", "config.toml:2:",
                   "[monitors.qemu] accel: invalid value 'hvf' (expected auto, kvm or tcg)");
        parse_fail("[monitors.qemu]\ndefault_vcpus = 0\n", "config.toml:2:", "[monitors.qemu] default_vcpus: value 0 out of range");
        parse_fail("[monitors.qemu]\ndefault_vcpus = -1\n", "config.toml:2:", "value -1 out of range");
        parse_fail("[monitors.firecracker]\ndefault_memory_mb = 0\n", "config.toml:2:",
                   "[monitors.firecracker] default_memory_mb: value 0 out of range");
        parse_fail("[monitors.qemu]\noverhead_mb = -8\n", "config.toml:2:", "[monitors.qemu] overhead_mb: value -8 out of range");
        parse_fail("[runtime]\ntimeout = 0\n", "config.toml:2:", "[runtime] timeout: value 0 out of range");
        parse_fail("[systemd]\ncgroup_manager = \"cgroupv2\"\n", "config.toml:2:",
                   "[systemd] cgroup_manager: invalid value 'cgroupv2' (expected auto, systemd, cgroupfs or "
                   "none)");
        parse_fail("[systemd]\nslice = \"urunc\"\n", "config.toml:2:", "[systemd] slice: invalid value 'urunc'");
        parse_fail("[systemd]\nslice = \"a/b.slice\"\n", "config.toml:2:", "invalid value 'a/b.slice'");
}

static void test_load(void **state)
{
        char tmpl[] = "/tmp/ur-cfg-XXXXXX";
        char path[PATH_MAX];
        _cleanup_err_ struct ur_err *err = NULL;
        struct ur_config *cfg = NULL;
        const char *bad = "[runtime]\n\ntimeout = \"x\"\n";

        assert_non_null(mkdtemp(tmpl));
        snprintf(path, sizeof(path), "%s/config.toml", tmpl);

        /* Explicit paths (argument or $URUNC_CONFIG) must exist. */
        assert_true(ur_config_load(path, &cfg, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), path));
        assert_int_equal(err->errnum, ENOENT);
        ur_err_free(&err);
        setenv(UR_CONFIG_ENV, path, 1);
        assert_true(ur_config_load(NULL, &cfg, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), path));
        ur_err_free(&err);

        /* Through the environment variable; errors name the file and line. */
        assert_int_equal(ur_write_file_atomic(path, bad, strlen(bad), 0644, &err), 0);
        assert_true(ur_config_load(NULL, &cfg, &err) < 0);
        char want[PATH_MAX + 64];
        snprintf(want, sizeof(want), "%s:3: [runtime] timeout", path);
        if (!strstr(ur_err_msg(err), want))
                fail_msg("'%s' not in '%s'", want, ur_err_msg(err));
        ur_err_free(&err);

        assert_int_equal(ur_write_file_atomic(path, "[runtime]\ntimeout = 7\n", 22, 0644, &err), 0);
        assert_int_equal(ur_config_load(NULL, &cfg, &err), 0);
        assert_string_equal(cfg->path, path);
        assert_int_equal(cfg->runtime.timeout_sec, 7);
        ur_config_free(TAKE_PTR(cfg));

        /* A NUL byte in the file. */
        assert_int_equal(ur_write_file_atomic(path, "[log]\0x", 7, 0644, &err), 0);
        assert_true(ur_config_load(NULL, &cfg, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "NUL"));
        ur_err_free(&err);

        /* The default path: missing means defaults. */
        unsetenv(UR_CONFIG_ENV);
        if (access(UR_CONFIG_DEFAULT_PATH, F_OK) < 0) {
                assert_int_equal(ur_config_load(NULL, &cfg, &err), 0);
                check_defaults(cfg);
                assert_null(cfg->path);
                ur_config_free(TAKE_PTR(cfg));
                setenv(UR_CONFIG_ENV, "", 1);
                assert_int_equal(ur_config_load(NULL, &cfg, &err), 0);
                ur_config_free(TAKE_PTR(cfg));
                unsetenv(UR_CONFIG_ENV);
        }

        unlink(path);
        rmdir(tmpl);
}

static void test_network_mode(void **state)
{
        _cleanup_config_ struct ur_config *def = parse_ok("");
        assert_int_equal(def->network.mode, UR_NET_TAKEOVER);
        _cleanup_config_ struct ur_config *routed = parse_ok("[network]\nmode = \"routed\"\n");
        assert_int_equal(routed->network.mode, UR_NET_ROUTED);
        _cleanup_config_ struct ur_config *takeover = parse_ok("[network]\nmode = 'takeover'\n");
        assert_int_equal(takeover->network.mode, UR_NET_TAKEOVER);
        parse_fail("[network]\nmode = \"bridge\"\n",
                   "config.toml:2:", "[network] mode: invalid value 'bridge' (expected takeover or routed)");
        parse_fail("[network]\nmode = 1\n", "config.toml:2:", "network");
}

static void test_accel(void **state)
{
        enum ur_accel a;

        assert_int_equal(ur_accel_from_string("auto", &a), 0);
        assert_int_equal(a, UR_ACCEL_AUTO);
        assert_int_equal(ur_accel_from_string("kvm", &a), 0);
        assert_int_equal(a, UR_ACCEL_KVM);
        assert_int_equal(ur_accel_from_string("tcg", &a), 0);
        assert_int_equal(a, UR_ACCEL_TCG);
        assert_int_equal(ur_accel_from_string("KVM", &a), -EINVAL);
        assert_int_equal(ur_accel_from_string(NULL, &a), -EINVAL);
        assert_string_equal(ur_accel_to_string(UR_ACCEL_AUTO), "auto");
        assert_string_equal(ur_accel_to_string(UR_ACCEL_KVM), "kvm");
        assert_string_equal(ur_accel_to_string(UR_ACCEL_TCG), "tcg");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults), cmocka_unit_test(test_full),
                cmocka_unit_test(test_syntax),   cmocka_unit_test(test_unknown_is_a_warning),
                cmocka_unit_test(test_errors),   cmocka_unit_test(test_load),
                cmocka_unit_test(test_accel),    cmocka_unit_test(test_network_mode),
        };
        return cmocka_run_group_tests(tests, setup, NULL);
}
