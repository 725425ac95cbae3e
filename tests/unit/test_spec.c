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

#include "oci/spec.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"

#define FIXTURE TEST_SRCDIR "/fixtures/config.json"

static char *tmpdir;

static int setup(void **state)
{
        char tmpl[] = "/tmp/ur-spec-XXXXXX";
        if (!mkdtemp(tmpl))
                return -1;
        tmpdir = realpath(tmpl, NULL);
        return tmpdir ? 0 : -1;
}

static int teardown(void **state)
{
        struct ur_err *err = NULL;
        ur_rm_rf(tmpdir, &err);
        ur_err_free(&err);
        free(tmpdir);
        return 0;
}

static struct ur_spec *parse_ok(const char *json)
{
        struct ur_spec *s = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        if (ur_spec_parse(json, strlen(json), tmpdir, "config.json", &s, &err) < 0)
                fail_msg("parse failed: %s\n%s", ur_err_msg(err), json);
        return s;
}

/* Parse json and expect an error whose message contains every needle. */
static void parse_fail(const char *json, const char *needle1, const char *needle2)
{
        struct ur_spec *s = NULL;
        _cleanup_err_ struct ur_err *err = NULL;

        if (ur_spec_parse(json, strlen(json), tmpdir, "config.json", &s, &err) >= 0)
                fail_msg("accepted: %s", json);
        assert_null(s);
        assert_non_null(err);
        if (!strstr(ur_err_msg(err), "config.json"))
                fail_msg("no file name in '%s'", ur_err_msg(err));
        if (needle1 && !strstr(ur_err_msg(err), needle1))
                fail_msg("'%s' not in '%s'", needle1, ur_err_msg(err));
        if (needle2 && !strstr(ur_err_msg(err), needle2))
                fail_msg("'%s' not in '%s'", needle2, ur_err_msg(err));
}

#define ROOT "\"root\":{\"path\":\"rootfs\"}"

static void test_fixture(void **state)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_spec_ struct ur_spec *s = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        char want[PATH_MAX * 2];
        size_t len;

        assert_int_equal(ur_read_file(FIXTURE, UR_SPEC_MAX_SIZE, &text, &len, &err), 0);
        assert_int_equal(ur_spec_parse(text, len, tmpdir, "config.json", &s, &err), 0);

        assert_string_equal(s->oci_version, "1.0.2");
        assert_string_equal(s->bundle, tmpdir);
        snprintf(want, sizeof(want), "%s/rootfs", tmpdir);
        assert_string_equal(s->root_path, want);
        assert_true(s->root_readonly);

        assert_true(s->process.terminal);
        assert_int_equal(s->process.uid, 1000);
        assert_int_equal(s->process.gid, 1001);
        assert_int_equal(s->process.n_additional_gids, 3);
        assert_int_equal(s->process.additional_gids[2], 7);
        assert_string_equal(s->process.args[0], "/bin/app");
        assert_string_equal(s->process.args[2], "value");
        assert_null(s->process.args[3]);
        assert_string_equal(s->process.env[1], "HOME=/root");
        assert_string_equal(s->process.cwd, "/work");
        assert_true(s->process.no_new_privileges);
        assert_string_equal(s->hostname, "uni");

        assert_int_equal(s->n_mounts, 2);
        assert_string_equal(s->mounts[1].destination, "/data");
        assert_string_equal(s->mounts[1].source, "/srv/data");
        assert_string_equal(s->mounts[1].type, "bind");
        assert_string_equal(s->mounts[1].options[1], "ro");
        assert_null(s->mounts[0].options);

        assert_int_equal(s->hooks[UR_HOOK_PRESTART].n, 1);
        assert_string_equal(s->hooks[UR_HOOK_PRESTART].v[0].path, "/usr/bin/old-hook");
        assert_int_equal(s->hooks[UR_HOOK_PRESTART].v[0].timeout, 0);
        assert_int_equal(s->hooks[UR_HOOK_CREATE_RUNTIME].n, 1);
        assert_string_equal(s->hooks[UR_HOOK_CREATE_RUNTIME].v[0].args[1], "up");
        assert_string_equal(s->hooks[UR_HOOK_CREATE_RUNTIME].v[0].env[0], "A=1");
        assert_int_equal(s->hooks[UR_HOOK_CREATE_RUNTIME].v[0].timeout, 5);
        assert_int_equal(s->hooks[UR_HOOK_CREATE_CONTAINER].n, 0);
        assert_int_equal(s->hooks[UR_HOOK_START_CONTAINER].n, 1);
        assert_int_equal(s->hooks[UR_HOOK_POSTSTART].n, 2);
        assert_string_equal(s->hooks[UR_HOOK_POSTSTART].v[1].path, "/bin/false");
        assert_int_equal(s->hooks[UR_HOOK_POSTSTOP].v[0].timeout, 10);

        assert_int_equal(s->n_annotations, 2);
        assert_string_equal(ur_spec_annotation(s, "com.urunc.unikernel.hypervisor"), "qemu");
        assert_string_equal(ur_spec_annotation(s, "org.example"), "");
        assert_null(ur_spec_annotation(s, "nope"));

        assert_true(s->namespaces[UR_NS_PID].present);
        assert_null(s->namespaces[UR_NS_PID].path);
        assert_true(s->namespaces[UR_NS_NETWORK].present);
        assert_string_equal(s->namespaces[UR_NS_NETWORK].path, "/var/run/netns/x");
        assert_true(s->namespaces[UR_NS_CGROUP].present);
        assert_false(s->namespaces[UR_NS_USER].present);
        assert_false(s->namespaces[UR_NS_TIME].present);

        assert_int_equal(s->resources.memory_limit, 536870912);
        assert_int_equal(s->resources.memory_reservation, -1);
        assert_int_equal(s->resources.cpu_quota, 150000);
        assert_int_equal(s->resources.cpu_period, 100000);
        assert_int_equal(s->resources.cpu_shares, 1024);
        assert_string_equal(s->resources.cpu_cpus, "0-3,5");
        assert_null(s->resources.cpu_mems);
        assert_int_equal(s->resources.pids_limit, -1);
        assert_string_equal(s->cgroups_path, "system.slice:urunc:abc");
        assert_true(s->has_seccomp);
}

static void test_minimal_and_root(void **state)
{
        char want[PATH_MAX * 2];

        {
                _cleanup_spec_ struct ur_spec *s = parse_ok("{" ROOT "}");
                assert_null(s->oci_version);
                assert_null(s->process.args);
                assert_null(s->hostname);
                assert_int_equal(s->n_annotations, 0);
                assert_int_equal(s->resources.memory_limit, -1);
                assert_int_equal(s->resources.cpu_quota, -1);
                assert_int_equal(s->resources.cpu_period, 0);
                assert_int_equal(s->resources.pids_limit, -1);
                assert_false(s->has_seccomp);
                assert_false(s->namespaces[UR_NS_PID].present);
                assert_false(s->root_readonly);
        }
        {
                _cleanup_spec_ struct ur_spec *s = parse_ok("{\"root\":{\"path\":\"/abs/rootfs\"}}");
                assert_string_equal(s->root_path, "/abs/rootfs");
        }
        {
                _cleanup_spec_ struct ur_spec *s = parse_ok("{\"root\":{\"path\":\"./rootfs\"}}");
                snprintf(want, sizeof(want), "%s/rootfs", tmpdir);
                assert_string_equal(s->root_path, want);
        }
        {
                /* null counts as absent */
                _cleanup_spec_ struct ur_spec *s =
                        parse_ok("{" ROOT ",\"hostname\":null,\"process\":null,\"linux\":{\"seccomp\":null}}");
                assert_null(s->hostname);
                assert_false(s->has_seccomp);
        }
        {
                /* A bundle that is gone (a saved config.json) is kept, absolute. */
                _cleanup_spec_ struct ur_spec *s = NULL;
                _cleanup_err_ struct ur_err *err = NULL;
                const char *j = "{" ROOT "}";
                assert_int_equal(ur_spec_parse(j, strlen(j), "/nonexistent/bundle", "config.json", &s, &err), 0);
                assert_string_equal(s->bundle, "/nonexistent/bundle");
                assert_string_equal(s->root_path, "/nonexistent/bundle/rootfs");
        }
        {
                /* A relative bundle is made absolute. */
                _cleanup_spec_ struct ur_spec *s = NULL;
                _cleanup_err_ struct ur_err *err = NULL;
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                const char *j = "{" ROOT "}";
                assert_int_equal(chdir(tmpdir), 0);
                assert_int_equal(ur_spec_parse(j, strlen(j), ".", "config.json", &s, &err), 0);
                assert_int_equal(chdir(cwd), 0);
                assert_string_equal(s->bundle, tmpdir);
        }
}

static void test_malformed(void **state)
{
        parse_fail("{\n  \"root\": {\"path\": \"rootfs\"},\n  \"hostname\": \"x\",,\n}",
                   "malformed JSON at line 3 column 19", NULL);
        parse_fail("{\"root\": ", "malformed JSON at line 1 column 10: unexpected end", NULL);
        parse_fail("", "malformed JSON at line 1 column 1", NULL);
        parse_fail("{" ROOT "} x", "malformed JSON at line 1 column 28", NULL);
        parse_fail("{" ROOT "}\n{}", "malformed JSON at line 2 column 1", NULL);
        parse_fail("{\"a\": tru}", "malformed JSON at line 1 column", NULL);
        parse_fail("{\"a\": 'x'}", "malformed JSON", NULL);
        parse_fail("{\"a\": 1, /* comment */ " ROOT "}", "malformed JSON", NULL);
        parse_fail("[]", "expected a JSON object at the top level, got an array", NULL);
        parse_fail("{\"root\":{\"path\":\"a\\u0000b\"}}", "root.path", "NUL");

        /* A NUL byte in the document. */
        {
                struct ur_spec *s = NULL;
                _cleanup_err_ struct ur_err *err = NULL;
                const char j[] = "{\n \0}";
                assert_true(ur_spec_parse(j, sizeof(j) - 1, tmpdir, "config.json", &s, &err) < 0);
                assert_non_null(strstr(ur_err_msg(err), "line 2 column 2: NUL"));
        }
        /* Nesting depth is bounded. */
        {
                char deep[400];
                size_t n = 0;
                n += (size_t) snprintf(deep, sizeof(deep), "{" ROOT ",\"x\":");
                for (int i = 0; i < 100; i++)
                        deep[n++] = '[';
                for (int i = 0; i < 100; i++)
                        deep[n++] = ']';
                deep[n++] = '}';
                deep[n] = '\0';
                parse_fail(deep, "malformed JSON", "nesting too deep");
        }
        /* Size bound. */
        {
                struct ur_spec *s = NULL;
                _cleanup_err_ struct ur_err *err = NULL;
                assert_true(ur_spec_parse("{}", UR_SPEC_MAX_SIZE + 1, tmpdir, "config.json", &s, &err) < 0);
                assert_non_null(strstr(ur_err_msg(err), "larger than"));
        }
}

static void test_type_errors(void **state)
{
        parse_fail("{\"ociVersion\": 1," ROOT "}", "ociVersion: expected a string, got an integer", NULL);
        parse_fail("{}", "missing 'root'", NULL);
        parse_fail("{\"root\": \"rootfs\"}", "root: expected an object, got a string", NULL);
        parse_fail("{\"root\": {}}", "root.path: missing", NULL);
        parse_fail("{\"root\": {\"path\": \"\"}}", "root.path: missing", NULL);
        parse_fail("{\"root\": {\"path\": 3}}", "root.path: expected a string", NULL);
        parse_fail("{\"root\": {\"path\": \"r\", \"readonly\": \"yes\"}}", "root.readonly: expected a boolean",
                   NULL);
        parse_fail("{" ROOT ",\"process\": []}", "process: expected an object, got an array", NULL);
        parse_fail("{" ROOT ",\"process\": {\"terminal\": 1}}", "process.terminal: expected a boolean", NULL);
        parse_fail("{" ROOT ",\"process\": {\"args\": \"sh\"}}", "process.args: expected an array", NULL);
        parse_fail("{" ROOT ",\"process\": {\"args\": [\"a\", \"b\", 3]}}", "process.args[2]: expected a string",
                   NULL);
        parse_fail("{" ROOT ",\"process\": {\"env\": [null]}}", "process.env[0]: expected a string, got null",
                   NULL);
        parse_fail("{" ROOT ",\"process\": {\"cwd\": false}}", "process.cwd: expected a string", NULL);
        parse_fail("{" ROOT ",\"process\": {\"noNewPrivileges\": \"true\"}}",
                   "process.noNewPrivileges: expected a boolean", NULL);
        parse_fail("{" ROOT ",\"process\": {\"user\": 0}}", "process.user: expected an object", NULL);
        parse_fail("{" ROOT ",\"process\": {\"user\": {\"uid\": \"0\"}}}", "process.user.uid: expected an integer",
                   NULL);
        parse_fail("{" ROOT ",\"process\": {\"user\": {\"uid\": -1}}}", "process.user.uid: value -1 out of range",
                   NULL);
        parse_fail("{" ROOT ",\"process\": {\"user\": {\"gid\": 4294967296}}}",
                   "process.user.gid: value 4294967296 out of range", NULL);
        parse_fail("{" ROOT ",\"process\": {\"user\": {\"uid\": 1.5}}}", "process.user.uid: expected an integer, got a number",
                   NULL);
        parse_fail("{" ROOT ",\"process\": {\"user\": {\"additionalGids\": {}}}}",
                   "process.user.additionalGids: expected an array", NULL);
        parse_fail("{" ROOT ",\"process\": {\"user\": {\"additionalGids\": [1, \"2\"]}}}",
                   "process.user.additionalGids[1]: expected an integer", NULL);
        parse_fail("{" ROOT ",\"process\": {\"user\": {\"additionalGids\": [1, -2]}}}",
                   "process.user.additionalGids[1]: value -2 out of range", NULL);
        parse_fail("{" ROOT ",\"hostname\": 5}", "hostname: expected a string", NULL);
        parse_fail("{" ROOT ",\"annotations\": []}", "annotations: expected an object", NULL);
        parse_fail("{" ROOT ",\"annotations\": {\"a\": \"x\", \"b.c\": 1}}", "annotations['b.c']: expected a string",
                   NULL);
        parse_fail("{" ROOT ",\"annotations\": {\"a\": true}}", "annotations['a']: expected a string, got a boolean",
                   NULL);
        parse_fail("{" ROOT ",\"mounts\": {}}", "mounts: expected an array", NULL);
        parse_fail("{" ROOT ",\"mounts\": [\"/proc\"]}", "mounts[0]: expected an object", NULL);
        parse_fail("{" ROOT ",\"mounts\": [{\"destination\": \"/a\"}, {\"type\": \"proc\"}]}",
                   "mounts[1]: missing 'destination'", NULL);
        parse_fail("{" ROOT ",\"mounts\": [{\"destination\": \"/a\", \"options\": [\"ro\", 1]}]}",
                   "mounts[0].options[1]: expected a string", NULL);
        parse_fail("{" ROOT ",\"mounts\": [{\"destination\": \"/a\", \"source\": 1}]}",
                   "mounts[0].source: expected a string", NULL);
        parse_fail("{" ROOT ",\"linux\": []}", "linux: expected an object", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"cgroupsPath\": 1}}", "linux.cgroupsPath: expected a string", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"seccomp\": true}}", "linux.seccomp: expected an object", NULL);
}

static void test_hooks(void **state)
{
        parse_fail("{" ROOT ",\"hooks\": []}", "hooks: expected an object", NULL);
        parse_fail("{" ROOT ",\"hooks\": {\"poststop\": {}}}", "hooks.poststop: expected an array", NULL);
        parse_fail("{" ROOT ",\"hooks\": {\"prestart\": [1]}}", "hooks.prestart[0]: expected an object", NULL);
        parse_fail("{" ROOT ",\"hooks\": {\"createRuntime\": [{\"args\": []}]}}",
                   "hooks.createRuntime[0]: missing 'path'", NULL);
        parse_fail("{" ROOT ",\"hooks\": {\"createContainer\": [{\"path\": \"/x\", \"timeout\": 0}]}}",
                   "hooks.createContainer[0].timeout: must be a positive number of seconds, got 0", NULL);
        parse_fail("{" ROOT ",\"hooks\": {\"startContainer\": [{\"path\": \"/x\", \"timeout\": -3}]}}",
                   "hooks.startContainer[0].timeout", "got -3");
        parse_fail("{" ROOT ",\"hooks\": {\"poststart\": [{\"path\": \"/x\", \"timeout\": \"5\"}]}}",
                   "hooks.poststart[0].timeout: expected an integer", NULL);
        parse_fail("{" ROOT ",\"hooks\": {\"poststop\": [{\"path\": \"/x\", \"args\": [1]}]}}",
                   "hooks.poststop[0].args[0]: expected a string", NULL);
        parse_fail("{" ROOT ",\"hooks\": {\"poststop\": [{\"path\": \"/x\", \"env\": \"A=1\"}]}}",
                   "hooks.poststop[0].env: expected an array", NULL);

        /* Unknown hook stages are ignored. */
        _cleanup_spec_ struct ur_spec *s = parse_ok("{" ROOT ",\"hooks\": {\"later\": [1]}}");
        for (int i = 0; i < _UR_HOOK_MAX; i++)
                assert_int_equal(s->hooks[i].n, 0);
}

static void test_namespaces(void **state)
{
        parse_fail("{" ROOT ",\"linux\": {\"namespaces\": {}}}", "linux.namespaces: expected an array", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"namespaces\": [\"pid\"]}}", "linux.namespaces[0]: expected an object",
                   NULL);
        parse_fail("{" ROOT ",\"linux\": {\"namespaces\": [{\"path\": \"/x\"}]}}",
                   "linux.namespaces[0]: missing 'type'", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"net\"}]}}",
                   "linux.namespaces[1].type: unknown namespace type 'net'", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}]}}",
                   "linux.namespaces[2].type: namespace type 'uts' listed twice", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"netns/x\"}]}}",
                   "linux.namespaces[0].path: 'netns/x' is not an absolute path", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"namespaces\": [{\"type\": 1}]}}",
                   "linux.namespaces[0].type: expected a string", NULL);

        _cleanup_spec_ struct ur_spec *s = parse_ok(
                "{" ROOT ",\"linux\": {\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"time\"}, {\"type\": \"network\", \"path\": null}]}}");
        assert_true(s->namespaces[UR_NS_USER].present);
        assert_true(s->namespaces[UR_NS_TIME].present);
        assert_true(s->namespaces[UR_NS_NETWORK].present);
        assert_null(s->namespaces[UR_NS_NETWORK].path);
        assert_false(s->namespaces[UR_NS_PID].present);

        static const char *names[] = {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"};
        for (int i = 0; i < _UR_NS_MAX; i++)
                assert_string_equal(ur_ns_type_name((enum ur_ns_type) i), names[i]);
        assert_null(ur_ns_type_name(_UR_NS_MAX));
        static const char *stages[] = {"prestart",       "createRuntime", "createContainer",
                                       "startContainer", "poststart",     "poststop"};
        for (int i = 0; i < _UR_HOOK_MAX; i++)
                assert_string_equal(ur_hook_stage_name((enum ur_hook_stage) i), stages[i]);
        assert_null(ur_hook_stage_name(_UR_HOOK_MAX));
}

static void test_resources_in_spec(void **state)
{
        {
                _cleanup_spec_ struct ur_spec *s = parse_ok(
                        "{" ROOT ",\"linux\": {\"resources\": {\"memory\": {\"limit\": -1, \"reservation\": 1048576},"
                        "\"cpu\": {\"quota\": -1, \"cpus\": \"\"}, \"pids\": {\"limit\": 64}}}}");
                assert_int_equal(s->resources.memory_limit, -1);
                assert_int_equal(s->resources.memory_reservation, 1048576);
                assert_int_equal(s->resources.cpu_quota, -1);
                assert_null(s->resources.cpu_cpus);
                assert_int_equal(s->resources.pids_limit, 64);
        }
        {
                _cleanup_spec_ struct ur_spec *s =
                        parse_ok("{" ROOT ",\"linux\": {\"resources\": {\"memory\": {\"limit\": 0}, \"pids\": {\"limit\": -5}}}}");
                assert_int_equal(s->resources.memory_limit, -1);
                assert_int_equal(s->resources.pids_limit, -1);
        }
        parse_fail("{" ROOT ",\"linux\": {\"resources\": []}}", "linux.resources: expected an object", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"resources\": {\"memory\": 5}}}",
                   "linux.resources.memory: expected an object", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"resources\": {\"memory\": {\"limit\": \"1G\"}}}}",
                   "linux.resources.memory.limit: expected an integer, got a string", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"resources\": {\"memory\": {\"reservation\": 1.0}}}}",
                   "linux.resources.memory.reservation: expected an integer", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"resources\": {\"cpu\": {\"quota\": true}}}}",
                   "linux.resources.cpu.quota: expected an integer", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"resources\": {\"cpu\": {\"period\": -100}}}}",
                   "linux.resources.cpu.period: negative value -100", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"resources\": {\"cpu\": {\"shares\": -1}}}}",
                   "linux.resources.cpu.shares: negative value", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"resources\": {\"cpu\": {\"cpus\": 3}}}}",
                   "linux.resources.cpu.cpus: expected a string", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"resources\": {\"cpu\": {\"mems\": [0]}}}}",
                   "linux.resources.cpu.mems: expected a string", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"resources\": {\"pids\": {\"limit\": \"max\"}}}}",
                   "linux.resources.pids.limit: expected an integer", NULL);
        parse_fail("{" ROOT ",\"linux\": {\"resources\": {\"pids\": []}}}",
                   "linux.resources.pids: expected an object", NULL);
        /* uint64 beyond INT64_MAX is accepted for unsigned fields */
        _cleanup_spec_ struct ur_spec *s =
                parse_ok("{" ROOT ",\"linux\": {\"resources\": {\"cpu\": {\"shares\": 18446744073709551615}}}}");
        assert_true(s->resources.cpu_shares == UINT64_MAX);
}

static void test_resources_parse(void **state)
{
        struct ur_resources res;
        _cleanup_err_ struct ur_err *err = NULL;
        const char *j;

        ur_resources_init(&res);
        assert_int_equal(res.memory_limit, -1);
        res.cpu_cpus = strdup("0-1");
        res.cpu_period = 100000;

        j = "{\"memory\": {\"limit\": 268435456}, \"cpu\": {\"quota\": 50000}}";
        assert_int_equal(ur_resources_parse(j, strlen(j), "resources.json", &res, &err), 0);
        assert_int_equal(res.memory_limit, 268435456);
        assert_int_equal(res.cpu_quota, 50000);
        assert_int_equal(res.cpu_period, 100000); /* kept */
        assert_string_equal(res.cpu_cpus, "0-1"); /* kept */
        assert_int_equal(res.pids_limit, -1);

        j = "{\"cpu\": {\"cpus\": \"2-3\", \"mems\": \"0\"}, \"pids\": {\"limit\": 10}, \"blockIO\": {}}";
        assert_int_equal(ur_resources_parse(j, strlen(j), "resources.json", &res, &err), 0);
        assert_string_equal(res.cpu_cpus, "2-3");
        assert_string_equal(res.cpu_mems, "0");
        assert_int_equal(res.pids_limit, 10);
        assert_int_equal(res.memory_limit, 268435456);

        /* A failure leaves *res unchanged. */
        j = "{\"memory\": {\"limit\": 1}, \"cpu\": {\"cpus\": \"5\", \"period\": \"x\"}}";
        assert_true(ur_resources_parse(j, strlen(j), "resources.json", &res, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "resources.json: cpu.period: expected an integer"));
        ur_err_free(&err);
        assert_int_equal(res.memory_limit, 268435456);
        assert_string_equal(res.cpu_cpus, "2-3");

        j = "{\"memory\": ";
        assert_true(ur_resources_parse(j, strlen(j), "resources.json", &res, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "resources.json: malformed JSON at line 1"));
        ur_err_free(&err);
        j = "42";
        assert_true(ur_resources_parse(j, strlen(j), "resources.json", &res, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "expected a JSON object"));
        ur_err_free(&err);

        ur_resources_done(&res);
        ur_resources_done(&res); /* idempotent */
        ur_resources_done(NULL);
}

static void test_load(void **state)
{
        char bundle[PATH_MAX], path[PATH_MAX * 2], want[PATH_MAX * 2];
        _cleanup_spec_ struct ur_spec *s = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_err_ struct ur_err *err = NULL;
        size_t len;

        snprintf(bundle, sizeof(bundle), "%s/bundle", tmpdir);
        assert_int_equal(mkdir(bundle, 0755), 0);

        /* Missing config.json. */
        assert_true(ur_spec_load(bundle, &s, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "config.json"));
        assert_int_equal(err->errnum, ENOENT);
        ur_err_free(&err);

        assert_int_equal(ur_read_file(FIXTURE, UR_SPEC_MAX_SIZE, &text, &len, &err), 0);
        snprintf(path, sizeof(path), "%s/config.json", bundle);
        assert_int_equal(ur_write_file_atomic(path, text, len, 0644, &err), 0);
        assert_int_equal(ur_spec_load(bundle, &s, &err), 0);
        assert_string_equal(s->bundle, bundle);
        snprintf(want, sizeof(want), "%s/rootfs", bundle);
        assert_string_equal(s->root_path, want);
        ur_spec_free(TAKE_PTR(s));

        /* Errors from a loaded file name the file. */
        assert_int_equal(ur_write_file_atomic(path, "{\"root\": 1}", 11, 0644, &err), 0);
        assert_true(ur_spec_load(bundle, &s, &err) < 0);
        assert_non_null(strstr(ur_err_msg(err), "/config.json: root: expected an object"));
        ur_err_free(&err);

        ur_spec_free(NULL);
}

/* The spec of a unikernel container is applied or refused (OCI runtime.md). */
static void check_is(const char *json, const char *needle)
{
        _cleanup_spec_ struct ur_spec *s = parse_ok(json);
        struct ur_err *err = NULL;
        int r = ur_spec_check(s, "config.json", &err);

        if (!needle) {
                if (r < 0)
                        fail_msg("refused: %s\n%s", ur_err_msg(err), json);
                return;
        }
        if (r >= 0)
                fail_msg("accepted: %s", json);
        if (!strstr(ur_err_msg(err), needle))
                fail_msg("'%s' not in '%s'", needle, ur_err_msg(err));
        ur_err_free(&err);
}

#define SPEC(ver, proc, res) \
        "{" ver "\"root\": {\"path\": \"rootfs\"}" proc ", \"linux\": {\"resources\": " res "}}"
#define V1 "\"ociVersion\": \"1.0.2\", "
#define PROC ", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\"}"

static void test_spec_check(void **state)
{
        (void) state;
        check_is(SPEC(V1, PROC, "{}"), NULL);
        check_is(SPEC("\"ociVersion\": \"1.2.0-rc.1\", ", PROC, "{}"), NULL);
        check_is(SPEC("\"ociVersion\": \"1\", ", PROC, "{}"), NULL);
        check_is(SPEC("", PROC, "{}"), "config.json: missing 'ociVersion'");
        check_is(SPEC("\"ociVersion\": \"invalid\", ", PROC, "{}"),
                 "ociVersion 'invalid': urunc supports runtime-spec 1.x");
        check_is(SPEC("\"ociVersion\": \"2.0.0\", ", PROC, "{}"), "ociVersion '2.0.0'");
        check_is(SPEC("\"ociVersion\": \"10.0\", ", PROC, "{}"), "ociVersion '10.0'");
        check_is(SPEC("\"ociVersion\": \"1.0 x\", ", PROC, "{}"), "ociVersion '1.0 x' is not a version");
        check_is(SPEC(V1, "", "{}"), "missing 'process'");

        /* What engines always send is accepted (devices, hugepage limits
         * of 0, RLIMIT_NOFILE, disableOOMKiller false, swap = limit). */
        check_is(SPEC(V1,
                      ", \"process\": {\"args\": [\"a\"], \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", "
                      "\"hard\": 1048576, \"soft\": 1024}]}",
                      "{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}], \"hugepageLimits\": "
                      "[{\"pageSize\": \"2MB\", \"limit\": 0}], \"memory\": {\"limit\": 268435456, \"swap\": "
                      "268435456, \"disableOOMKiller\": false}, \"blockIO\": {}}"),
                 NULL);
        check_is(SPEC(V1, ", \"process\": {\"rlimits\": [{\"type\": \"RLIMIT_BOGUS\", \"hard\": 1, \"soft\": 1}]}",
                      "{}"),
                 "process.rlimits[0].type: unknown rlimit 'RLIMIT_BOGUS'");
        check_is(SPEC(V1, ", \"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1, \"soft\": 2}]}",
                      "{}"),
                 "soft 2 is above hard 1");
        check_is(SPEC(V1, PROC, "{\"memory\": {\"swappiness\": 0}}"), "linux.resources.memory.swappiness");
        check_is(SPEC(V1, PROC, "{\"memory\": {\"disableOOMKiller\": true}}"),
                 "linux.resources.memory.disableOOMKiller: true cannot be applied");
        check_is(SPEC(V1, PROC, "{\"blockIO\": {\"weight\": 10}}"), "linux.resources.blockIO");
        check_is(SPEC(V1, PROC, "{\"network\": {\"classID\": 1}}"), "linux.resources.network");
        check_is(SPEC(V1, PROC, "{\"memory\": {\"swap\": 1000}}"),
                 "linux.resources.memory.swap: 1000 cannot be set without memory.limit");
        check_is(SPEC(V1, PROC, "{\"memory\": {\"limit\": 2000, \"swap\": 1000}}"),
                 "memory.swap: 1000 is below memory.limit 2000");

        /* Swap: OCI's memory+swap to cgroup v2's swap alone. */
        struct ur_resources res;
        uint64_t v = 7;
        ur_resources_init(&res);
        assert_int_equal(ur_resources_swap_max(&res, &v), 0);
        res.memory_limit = 1000;
        res.memory_swap = 1500;
        assert_int_equal(ur_resources_swap_max(&res, &v), 1);
        assert_int_equal(v, 500);
        res.memory_swap = 1000;
        assert_int_equal(ur_resources_swap_max(&res, &v), 1);
        assert_int_equal(v, 0);
        res.memory_swap = -1;
        assert_int_equal(ur_resources_swap_max(&res, &v), 1);
        assert_true(v == UINT64_MAX);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fixture),
                cmocka_unit_test(test_minimal_and_root),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_type_errors),
                cmocka_unit_test(test_hooks),
                cmocka_unit_test(test_namespaces),
                cmocka_unit_test(test_resources_in_spec),
                cmocka_unit_test(test_resources_parse),
                cmocka_unit_test(test_load),
                cmocka_unit_test(test_spec_check),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
