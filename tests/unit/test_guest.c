/* SPDX-License-Identifier: Apache-2.0 */
/* Guest command-line dialects (COMPAT.md §4). */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "freebsd-kenv.h"
#include "guest/common.h"
#include "guest/guest.h"
#include "util/cleanup.h"
#include "util/strv.h"

/*
 * Test-side models of each guest's own command-line parser, written from
 * the parsers' source (as summed up in src/guest/common.h and each
 * backend): the tests split what urunc writes the way the guest
 * will and compare the resulting arrays with what the container asked for.
 */

/* A growing NULL-terminated vector. */
static void vpush(char ***v, const char *s, size_t n)
{
        size_t l = ur_strv_len(*v);
        *v = realloc(*v, (l + 2) * sizeof(char *));
        assert_non_null(*v);
        (*v)[l] = strndup(s, n);
        (*v)[l + 1] = NULL;
}

static void vpushs(char ***v, const char *s)
{
        vpush(v, s, strlen(s));
}

static void assert_strv_equal(char *const *got, char *const *want, const char *line)
{
        size_t ng = ur_strv_len(got), nw = ur_strv_len(want);
        for (size_t i = 0; i < ng || i < nw; i++) {
                const char *g = i < ng ? got[i] : "(none)", *w = i < nw ? want[i] : "(none)";
                if (i >= ng || i >= nw || strcmp(g, w) != 0)
                        fail_msg("element %zu: got '%s', want '%s' (%zu vs %zu elements) in line: %s", i, g,
                                 w, ng, nw, line);
        }
}

/* --- Unikraft: lib/ukargparse (words), lib/uklibparam and lib/ukboot. */

/* Words: blanks ' ' \t \n \r \v end a word outside quotes; '…' literal;
 * "…" where \" is " and \\ is \ (other \x stay); outside quotes \x is x;
 * a word exists only from its first character on (no empty words). */
static char **uk_words(const char *s)
{
        char **v = calloc(1, sizeof(char *));
        char *buf = malloc(strlen(s) + 2);
        size_t n = 0;
        bool in = false, esc = false;
        char q = 0;
        for (const char *p = s;; p++) {
                char c = *p;
                if (!c) {
                        if (esc)
                                buf[n++] = '\\';
                        if (in)
                                vpush(&v, buf, n);
                        break;
                }
                if (q == '\'') {
                        if (c == '\'')
                                q = 0;
                        else
                                buf[n++] = c, in = true;
                        continue;
                }
                if (esc) {
                        esc = false;
                        if (q == '"' && c != '"' && c != '\\')
                                buf[n++] = '\\';
                        buf[n++] = c;
                        continue;
                }
                if (c == '\\') {
                        esc = true;
                        in = true;
                        continue;
                }
                if (q == '"') {
                        if (c == '"')
                                q = 0;
                        else
                                buf[n++] = c, in = true;
                        continue;
                }
                if (strchr(" \t\n\r\v", c)) {
                        if (in)
                                vpush(&v, buf, n);
                        in = false;
                        n = 0;
                        continue;
                }
                if (c == '\'' || c == '"') {
                        q = c;
                        continue;
                }
                buf[n++] = c;
                in = true;
        }
        free(buf);
        return v;
}

struct uk_boot {
        char **argv;   /* what main() gets */
        char **env;    /* env.vars values */
        char **params; /* other PREFIX.NAME=VALUE assignments, as "name=value" */
};

/* Boot: argv[0] is the first word (multiboot: QEMU's kernel path).
 * Parameters are read only when a stop "--" (outside a list) comes after
 * at least one word following argv[0]; they are then removed. */
static void uk_boot(const char *line, bool multiboot, struct uk_boot *b)
{
        _cleanup_strv_ char **w = uk_words(line);
        _cleanup_strv_ char **a = calloc(1, sizeof(char *));
        if (multiboot)
                vpushs(&a, "/KERNEL");
        ur_strv_extend(&a, w);
        b->argv = calloc(1, sizeof(char *));
        b->env = calloc(1, sizeof(char *));
        b->params = calloc(1, sizeof(char *));
        size_t argc = ur_strv_len(a), stop = argc - 1;
        /* Scan: the stop is a "--" seen outside a list. */
        bool list = false;
        for (size_t i = 1; i < argc; i++) {
                const char *t = a[i];
                size_t l = strlen(t);
                if (list) {
                        list = !(l && t[l - 1] == ']');
                        continue;
                }
                if (strcmp(t, "--") == 0) {
                        stop = i - 1;
                        break;
                }
                const char *dot = strchr(t, '.'), *eq = dot ? strchr(dot + 1, '=') : NULL;
                if (eq && eq[1] == '[')
                        list = !(eq[2] && t[l - 1] == ']');
        }
        if (!(stop > 0 && stop < argc - 1)) {
                ur_strv_extend(&b->argv, a);
                return;
        }
        const char *lname = NULL;
        list = false;
        for (size_t i = 1; i <= stop; i++) {
                const char *t = a[i], *val = NULL;
                size_t vl;
                if (!list) {
                        const char *dot = strchr(t, '.');
                        if (!dot)
                                continue;
                        const char *eq = strchr(dot + 1, '=');
                        if (!eq)
                                continue;
                        lname = t;
                        val = eq + 1;
                        if (*val == '[') {
                                list = true;
                                val++;
                                if (!*val)
                                        continue;
                        }
                } else {
                        val = t;
                }
                vl = strlen(val);
                if (list && vl && val[vl - 1] == ']') {
                        list = false;
                        if (--vl == 0)
                                continue;
                }
                if (strncmp(lname, "env.vars=", 9) == 0) {
                        vpush(&b->env, val, vl);
                } else {
                        char *x = NULL;
                        assert_true(asprintf(&x, "%.*s=%.*s", (int) strcspn(lname, "="), lname, (int) vl,
                                             val) > 0);
                        vpushs(&b->params, x);
                        free(x);
                }
        }
        vpushs(&b->argv, a[0]);
        for (size_t i = stop + 2; i < argc; i++)
                vpushs(&b->argv, a[i]);
}

static void uk_boot_done(struct uk_boot *b)
{
        ur_strv_free(b->argv);
        ur_strv_free(b->env);
        ur_strv_free(b->params);
}

/* --- Linux: lib/cmdline.c next_arg, init/main.c. */

/* One word: returns the rest; param and val point into the modified copy. */
static char *lx_next_arg(char *args, char **param, char **val)
{
        size_t i, equals = 0;
        bool in_quote = false, quoted = false;
        if (*args == '"') {
                args++;
                in_quote = quoted = true;
        }
        for (i = 0; args[i]; i++) {
                if (isspace((unsigned char) args[i]) && !in_quote)
                        break;
                if (equals == 0 && args[i] == '=')
                        equals = i;
                if (args[i] == '"')
                        in_quote = !in_quote;
        }
        *param = args;
        if (!equals) {
                *val = NULL;
        } else {
                args[equals] = '\0';
                *val = args + equals + 1;
                if (**val == '"') {
                        (*val)++;
                        if (args[i - 1] == '"')
                                args[i - 1] = '\0';
                }
        }
        if (quoted && i > 0 && args[i - 1] == '"')
                args[i - 1] = '\0';
        if (args[i]) {
                args[i] = '\0';
                args += i + 1;
        } else {
                args += i;
        }
        while (isspace((unsigned char) *args))
                args++;
        return args;
}

/* param=val back into one string (init/main.c repair_env_string). */
static char *lx_join(const char *param, const char *val)
{
        char *s = NULL;
        if (val)
                assert_true(asprintf(&s, "%s=%s", param, val) > 0);
        else
                s = strdup(param);
        return s;
}

struct lx_boot {
        char **kernel; /* parameters the kernel keeps */
        char **env;    /* init's environment */
        char **argv;   /* init's argv after argv[0] */
        char *init;
};

static void lx_boot(const char *line, struct lx_boot *b)
{
        static const char *const known[] = {
                "panic", "console", "tsc_early_khz", "reboot", "pci", "root", "rw", "ro", "ip", NULL};
        char *copy = strdup(line), *p = copy;
        memset(b, 0, sizeof(*b));
        b->kernel = calloc(1, sizeof(char *));
        b->env = calloc(1, sizeof(char *));
        b->argv = calloc(1, sizeof(char *));
        while (isspace((unsigned char) *p))
                p++;
        bool dashes = false;
        while (*p) {
                char *param, *val;
                p = lx_next_arg(p, &param, &val);
                if (!dashes && !val && strcmp(param, "--") == 0) {
                        dashes = true;
                        continue;
                }
                if (dashes && !val && strcmp(param, "--") == 0)
                        break;
                char *j = lx_join(param, val);
                if (dashes) {
                        vpushs(&b->argv, j);
                } else if (strcmp(param, "init") == 0 || strcmp(param, "rdinit") == 0) {
                        free(b->init);
                        b->init = strdup(val);
                } else if (ur_strv_contains((char **) known, param)) {
                        vpushs(&b->kernel, j);
                } else if (strchr(param, '.')) {
                        /* module parameter: dropped */
                } else if (val) {
                        vpushs(&b->env, j);
                } else {
                        vpushs(&b->argv, j);
                }
                free(j);
        }
        free(copy);
}

static void lx_boot_done(struct lx_boot *b)
{
        ur_strv_free(b->kernel);
        ur_strv_free(b->env);
        ur_strv_free(b->argv);
        free(b->init);
}

/* --- Rumprun: jsmn (raw string text) and rumprun_parseargs. */

/* The raw text of the JSON string value of key (jsmn: between the quotes,
 * a backslash skips the next character, nothing is unescaped). */
static char *raw_json_value(const char *doc, const char *key)
{
        char *pat = NULL;
        assert_true(asprintf(&pat, "\"%s\":\"", key) > 0);
        const char *p = strstr(doc, pat);
        if (!p) {
                free(pat);
                return NULL;
        }
        p += strlen(pat);
        free(pat);
        const char *e = p;
        while (*e && *e != '"')
                e += *e == '\\' ? 2 : 1;
        return strndup(p, (size_t) (e - p));
}

/* Words end at ' ', \t, \n outside quotes; \ takes the next character
 * literally (in and out of quotes); ' and " open a quote (also inside the
 * other kind, which they replace), the same character closes it; '' is an
 * empty word. */
static char **rr_words(const char *s)
{
        char **v = calloc(1, sizeof(char *));
        char *buf = malloc(strlen(s) + 1);
        size_t n = 0;
        int q = -1; /* -1 outside a word, 0 in a word, else the quote */
        for (const char *p = s;;) {
                int ac = *p ? *p++ : 0, c = ac;
                if (ac == '\\')
                        c = *p ? *p++ : 0;
                if (!c || ac == ' ' || ac == '\n' || ac == '\t') {
                        if (!c || q == 0) {
                                if (q >= 0)
                                        vpush(&v, buf, n);
                                n = 0;
                                q = -1;
                        }
                        if (!c)
                                break;
                        if (q < 0)
                                continue;
                }
                if (q < 0)
                        q = 0;
                if (q > 0 && ac == q) {
                        q = 0;
                        continue;
                }
                if (ac == '\'' || ac == '"') {
                        q = ac;
                        continue;
                }
                buf[n++] = (char) c;
        }
        free(buf);
        return v;
}

/* --- MirageOS: mirage-bootvar Parse_argv. */

static char **mirage_words(const char *s)
{
        char **v = calloc(1, sizeof(char *));
        char *buf = malloc(strlen(s) + 1);
        size_t n = 0;
        bool quoted = false, esc = false;
        for (const char *p = s; *p; p++) {
                if (esc) {
                        buf[n++] = *p;
                        esc = false;
                } else if (*p == '\\') {
                        esc = true;
                } else if (*p == '"') {
                        quoted = !quoted;
                } else if (*p == ' ' && !quoted) {
                        if (n)
                                vpush(&v, buf, n);
                        n = 0;
                } else {
                        buf[n++] = *p;
                }
        }
        assert_false(quoted || esc);
        if (n)
                vpush(&v, buf, n);
        free(buf);
        return v;
}

/* --- POSIX shell words (Hermit's shell_words::split). */

static char **shell_words(const char *s)
{
        char **v = calloc(1, sizeof(char *));
        char *buf = malloc(strlen(s) + 1);
        size_t n = 0;
        bool in = false;
        for (const char *p = s; *p; p++) {
                char c = *p;
                if (strchr(" \t\n", c)) {
                        if (in)
                                vpush(&v, buf, n);
                        in = false;
                        n = 0;
                } else if (c == '#' && !in) {
                        break;
                } else if (c == '\'') {
                        in = true;
                        for (p++; *p && *p != '\''; p++)
                                buf[n++] = *p;
                        assert_int_equal(*p, '\'');
                } else if (c == '"') {
                        in = true;
                        for (p++; *p && *p != '"'; p++) {
                                if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1]))
                                        p++;
                                buf[n++] = *p;
                        }
                        assert_int_equal(*p, '"');
                } else if (c == '\\') {
                        in = true;
                        assert_true(p[1] != '\0');
                        buf[n++] = *++p;
                } else {
                        in = true;
                        buf[n++] = c;
                }
        }
        if (in)
                vpush(&v, buf, n);
        free(buf);
        return v;
}

static struct ur_vm_block blk = {.path = (char *) "/img/rootfs.ext2", .mountpoint = (char *) "/data"};

static void base(struct ur_vm *vm, const char *guest, const char *monitor)
{
        ur_vm_init(vm);
        vm->guest = (char *) guest;
        vm->monitor = monitor ? (char *) monitor : (char *) "qemu";
        vm->kernel = (char *) "/k/kernel";
        vm->mem_mib = 256;
        vm->vcpus = 1;
        vm->kvm = true;
}

static void with_net(struct ur_vm *vm)
{
        vm->net.enabled = true;
        strcpy(vm->net.tap_name, "tap0");
        strcpy(vm->net.mac, "02:00:00:00:00:01");
        strcpy(vm->net.ip, "10.0.0.2");
        vm->net.prefix = 24;
        strcpy(vm->net.netmask, "255.255.255.0");
        strcpy(vm->net.gateway, "10.0.0.1");
}

static char *cmdline(const struct ur_vm *vm)
{
        const struct ur_guest_ops *g = ur_guest_find(vm->guest);
        assert_non_null(g);
        char *s = NULL;
        struct ur_err *err = NULL;
        if (g->cmdline(vm, &s, &err) < 0)
                fail_msg("%s cmdline: %s", vm->guest, ur_err_msg(err));
        return s;
}

static void expect(const struct ur_vm *vm, const char *want)
{
        char *s = cmdline(vm);
        assert_string_equal(s, want);
        free(s);
}

static void expect_error(const struct ur_vm *vm, const char *needle)
{
        const struct ur_guest_ops *g = ur_guest_find(vm->guest);
        char *s = NULL;
        struct ur_err *err = NULL;
        assert_true(g->cmdline(vm, &s, &err) < 0);
        assert_null(s);
        if (!strstr(ur_err_msg(err), needle))
                fail_msg("error '%s' lacks '%s'", ur_err_msg(err), needle);
        ur_err_free(&err);
}

static char *argv_nginx[] = {(char *) "nginx", (char *) "-c", (char *) "/nginx/conf/nginx.conf", NULL};
static char *env2[] = {(char *) "PATH=/bin", (char *) "GREETING=hello world", NULL};

static void test_registry(void **state)
{
        (void) state;
        const char *names[] = {"unikraft", "rumprun", "mirage", "mewz", "linux", "hermit", "freebsd"};
        size_t n = 0;
        for (const struct ur_guest_ops *const *g = ur_guest_all(); *g; g++)
                n++;
        assert_int_equal(n, 7);
        for (size_t i = 0; i < 7; i++)
                assert_ptr_equal(ur_guest_find(names[i])->name, ur_guest_find(names[i])->name);
        assert_null(ur_guest_find("osv"));
        assert_null(ur_guest_find(NULL));
}

static void test_unikraft(void **state)
{
        (void) state;
        struct ur_vm vm;
        base(&vm, "unikraft", "qemu");
        /* "--" always, with a word between argv[0] and "--" (Unikraft strips
         * parameters only then): on multiboot QEMU's kernel path is
         * argv[0], elsewhere "urunc" stands there. */
        expect(&vm, "unikraft urunc --");
        vm.boot = UR_BOOT_MULTIBOOT;
        expect(&vm, "unikraft --");
        vm.argv = argv_nginx;
        expect(&vm, "nginx -- -c /nginx/conf/nginx.conf");
        vm.boot = UR_BOOT_PVH;
        expect(&vm, "nginx urunc -- -c /nginx/conf/nginx.conf");
        with_net(&vm);
        vm.env = env2;
        vm.initrd = (char *) "/k/initrd";
        expect(&vm, "nginx env.vars=PATH=/bin 'env.vars=GREETING=hello world' netdev.ip=10.0.0.2/24:10.0.0.1 "
                    "vfs.fstab=[ \"initrd0:/:extract:::\" ] -- -c /nginx/conf/nginx.conf");
        strcpy(vm.net.dns, "10.0.0.53");
        vm.unikernel_version = (char *) "0.16.1";
        expect(&vm, "nginx env.vars=PATH=/bin 'env.vars=GREETING=hello world' "
                    "netdev.ip=10.0.0.2/24:10.0.0.1:10.0.0.53 vfs.fstab=[ \"initrd0:/:extract:::\" ] -- -c "
                    "/nginx/conf/nginx.conf");
        /* Unparsable version: the new dialect, as upstream. */
        vm.unikernel_version = (char *) "latest";
        expect(&vm, "nginx env.vars=PATH=/bin 'env.vars=GREETING=hello world' "
                    "netdev.ip=10.0.0.2/24:10.0.0.1:10.0.0.53 vfs.fstab=[ \"initrd0:/:extract:::\" ] -- -c "
                    "/nginx/conf/nginx.conf");
        /* Old dialect: no env, ipv4_* keys, vfs.rootfs. */
        vm.unikernel_version = (char *) "0.15.0";
        expect(&vm, "nginx netdev.ipv4_addr=10.0.0.2 netdev.ipv4_gw_addr=10.0.0.1 "
                    "netdev.ipv4_subnet_mask=255.255.255.0 vfs.rootfs=initrd -- -c /nginx/conf/nginx.conf");
        vm.unikernel_version = (char *) "v0.16.0";
        vm.net.enabled = false;
        vm.initrd = NULL;
        expect(&vm, "nginx urunc -- -c /nginx/conf/nginx.conf");
        /* Metadata cmdline when argv is empty, quotes grouping. */
        char *empty[] = {NULL};
        vm.argv = empty;
        vm.cmdline = (char *) "app 'a b' c";
        expect(&vm, "app urunc -- 'a b' c");
        vm.cmdline = NULL;
        vm.unikernel_version = NULL;

        /* One-element args: env and network reach Unikraft, not the app. */
        vm.net.dns[0] = '\0';
        char *one[] = {(char *) "app", NULL};
        char *env1[] = {(char *) "A=1", (char *) "B1=x]", (char *) "Q=say \"hi\"", NULL};
        vm.argv = one;
        vm.env = env1;
        with_net(&vm);
        expect(&vm,
               "app env.vars=A=1 env.vars=B1=x] 'env.vars=Q=say \"hi\"' netdev.ip=10.0.0.2/24:10.0.0.1 --");
        for (int mb = 0; mb < 2; mb++) {
                vm.boot = mb ? UR_BOOT_MULTIBOOT : UR_BOOT_PVH;
                char *line = cmdline(&vm);
                struct uk_boot b;
                uk_boot(line, mb, &b);
                char *want_argv[] = {mb ? (char *) "/KERNEL" : (char *) "app", NULL};
                char *want_params[] = {(char *) "netdev.ip=10.0.0.2/24:10.0.0.1", NULL};
                assert_strv_equal(b.argv, want_argv, line);
                assert_strv_equal(b.env, env1, line);
                assert_strv_equal(b.params, want_params, line);
                uk_boot_done(&b);
                free(line);
        }

        /* The example arrives as exactly three strings. */
        char *ex[] = {(char *) "app", (char *) "a\"b", (char *) "c d", NULL};
        vm.argv = ex;
        vm.env = NULL;
        vm.net.enabled = false;
        vm.boot = UR_BOOT_PVH;
        expect(&vm, "app urunc -- 'a\"b' 'c d'");
        {
                char *line = cmdline(&vm);
                struct uk_boot b;
                uk_boot(line, false, &b);
                assert_strv_equal(b.argv, ex, line);
                uk_boot_done(&b);
                free(line);
        }

        /* On multiboot a first word the parameter parser would act on is
         * replaced (the app's argv[0] is QEMU's kernel path there anyway). */
        vm.boot = UR_BOOT_MULTIBOOT;
        const char *odd0[] = {"--", "help", "x.y=[", "netdev.ip=1", ""};
        for (size_t i = 0; i < sizeof(odd0) / sizeof(*odd0); i++) {
                char *o[] = {(char *) odd0[i], (char *) "a", NULL};
                vm.argv = o;
                expect(&vm, "unikraft -- a");
        }
        char *path0[] = {(char *) "/bin/app.v2", (char *) "a", NULL};
        vm.argv = path0;
        expect(&vm, "/bin/app.v2 -- a");

        /* Refusals name the element. */
        vm.boot = UR_BOOT_PVH;
        char *emptyarg[] = {(char *) "app", (char *) "", NULL};
        vm.argv = emptyarg;
        expect_error(&vm, "unikraft guest: cannot pass argument 1 '': it is empty");
        vm.argv = one;
        char *badenv[] = {(char *) "[X=1", NULL};
        vm.env = badenv;
        expect_error(&vm, "environment entry '[X=1'");
}

/* Unikraft's storage (vfs.fstab, vfscore automount 0.16.1..0.17): the
 * words as uk_argnparse splits them, and each list element's fields as
 * vfscore_parse_volume splits them at ':'. */
static char **split_colon(const char *s)
{
        char **v = NULL;
        for (const char *p = s;;) {
                const char *c = strchr(p, ':');
                vpush(&v, p, c ? (size_t) (c - p) : strlen(p));
                if (!c)
                        return v;
                p = c + 1;
        }
}

static void test_unikraft_storage(void **state)
{
        (void) state;
        struct ur_vm vm;
        struct ur_vm_share sh[] = {
                { UR_SHARE_9P, (char *) "vol0", (char *) "/srv/data", (char *) "/data", NULL, false },
                { UR_SHARE_9P, (char *) "vol1", (char *) "/srv/cfg", (char *) "/etc/app", NULL, true },
        };
        base(&vm, "unikraft", "qemu");
        vm.boot = UR_BOOT_PVH;
        vm.argv = argv_nginx;
        vm.initrd = (char *) "/k/initrd";
        vm.shares = sh;
        vm.n_shares = 2;

        char *line = cmdline(&vm);
        char **w = uk_words(line);
        char *want[] = { (char *) "nginx", (char *) "vfs.fstab=[", (char *) "initrd0:/:extract:::",
                         (char *) "vol0:/data:9pfs:::mkmp", (char *) "vol1:/etc/app:9pfs:1::mkmp", (char *) "]",
                         (char *) "--", (char *) "-c", (char *) "/nginx/conf/nginx.conf", NULL };
        assert_strv_equal(w, want, line);
        char **f = split_colon(w[4]);
        char *want_f[] = { (char *) "vol1", (char *) "/etc/app", (char *) "9pfs", (char *) "1", (char *) "",
                           (char *) "mkmp", NULL };
        assert_strv_equal(f, want_f, w[4]);
        ur_strv_free(f);
        ur_strv_free(w);
        free(line);

        /* mountRootfs: the rootfs over 9p is the root (tag "rootfs"). */
        vm.initrd = NULL;
        vm.share_rootfs = true;
        vm.n_shares = 1;
        line = cmdline(&vm);
        w = uk_words(line);
        char *want_root[] = { (char *) "nginx", (char *) "vfs.fstab=[", (char *) "rootfs:/:9pfs:::",
                              (char *) "vol0:/data:9pfs:::mkmp", (char *) "]", (char *) "--", (char *) "-c",
                              (char *) "/nginx/conf/nginx.conf", NULL };
        assert_strv_equal(w, want_root, line);
        ur_strv_free(w);
        free(line);

        vm.rootfs_readonly = true;
        line = cmdline(&vm);
        w = uk_words(line);
        assert_string_equal(w[2], "rootfs:/:9pfs:1::");
        ur_strv_free(w);
        free(line);
        vm.rootfs_readonly = false;

        /* Both roots; a destination vfs.fstab cannot carry; an old Unikraft. */
        vm.initrd = (char *) "/k/initrd";
        expect_error(&vm, "unikraft guest: mountRootfs and an initrd both give the root '/'");
        vm.initrd = NULL;
        vm.share_rootfs = false;
        const char *bad[] = { "/a:b", "/a b", "/list]", "/q\"", "/b\\s" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                sh[0].dest = (char *) bad[i];
                expect_error(&vm, "vfs.fstab cannot carry a destination");
        }
        sh[0].dest = (char *) "/data";
        vm.unikernel_version = (char *) "0.15.0";
        expect_error(&vm, "need Unikraft >= 0.16.1 (vfs.fstab with mkmp); unikernelVersion is '0.15.0'");
}

static void test_linux(void **state)
{
        (void) state;
        struct ur_vm vm;
        base(&vm, "linux", "qemu");
        expect(&vm, "panic=-1 console=ttyS0");
        char *argv[] = {(char *) "/bin/sh", (char *) "-c", (char *) "echo hi there", NULL};
        vm.argv = argv;
        vm.initrd = (char *) "/k/initrd";
        expect(&vm, "panic=-1 console=ttyS0 rdinit=/bin/sh -- -c \"echo hi there\"");
        vm.initrd = NULL;
        vm.blocks = &blk;
        vm.n_blocks = 1;
        with_net(&vm);
        vm.hostname = (char *) "box";
        vm.env = env2;
        expect(&vm,
               "panic=-1 console=ttyS0 root=/dev/vda rw ip=10.0.0.2::10.0.0.1:255.255.255.0:box:eth0:off "
               "PATH=/bin \"GREETING=hello world\" init=/bin/sh -- -c \"echo hi there\"");
        strcpy(vm.net.dns, "1.1.1.1");
        vm.hostname = NULL;
        vm.env = NULL;
        char *one[] = {(char *) "/init", NULL};
        vm.argv = one;
        expect(&vm, "panic=-1 console=ttyS0 root=/dev/vda rw "
                    "ip=10.0.0.2::10.0.0.1:255.255.255.0::eth0:off:1.1.1.1 "
                    "init=/init");
        /* Block root and an initrd: the initrd's /init mounts the root and
         * switches to init= (not rdinit=), which stays last before "--". */
        vm.initrd = (char *) "/k/initrd";
        vm.argv = argv;
        expect(&vm, "panic=-1 console=ttyS0 root=/dev/vda rw "
                    "ip=10.0.0.2::10.0.0.1:255.255.255.0::eth0:off:1.1.1.1 "
                    "init=/bin/sh -- -c \"echo hi there\"");
        vm.initrd = NULL;
        vm.argv = one;
        /* TCG on qemu: the TSC frequency; firecracker: reboot=k pci=off. */
        vm.kvm = false;
        vm.tsc_khz = 2100000;
        vm.net.enabled = false;
        vm.n_blocks = 0;
        expect(&vm, "panic=-1 console=ttyS0 tsc_early_khz=2100000 init=/init");
        vm.monitor = (char *) "firecracker";
        expect(&vm, "panic=-1 console=ttyS0 reboot=k pci=off init=/init");
        /* Errors name what was wrong. */
        char *q[] = {(char *) "/init", (char *) "say \"hi\" now", NULL};
        vm.argv = q;
        expect_error(&vm, "'say \"hi\" now'");
        char *bad_env[] = {(char *) "NOVALUE", NULL};
        vm.argv = one;
        vm.env = bad_env;
        expect_error(&vm, "'NOVALUE'");
        vm.env = NULL;
        char *many[40];
        for (int i = 0; i < 39; i++)
                many[i] = (char *) "x";
        many[39] = NULL;
        vm.argv = many;
        expect_error(&vm, "39 arguments");
        char *big = malloc(3000);
        memset(big, 'a', 2999);
        big[2999] = '\0';
        char *longa[] = {(char *) "/init", big, NULL};
        vm.argv = longa;
        expect_error(&vm, "limit is 2047");
        free(big);
}

static void test_rumprun(void **state)
{
        (void) state;
        struct ur_vm vm;
        base(&vm, "rumprun", "hvt");
        char *argv[] = {(char *) "/redis-server", (char *) "/data/conf/redis.conf", NULL};
        vm.argv = argv;
        expect(&vm, "{\"cmdline\":\"/redis-server /data/conf/redis.conf\"}");
        with_net(&vm);
        vm.blocks = &blk;
        vm.n_blocks = 1;
        char *env[] = {(char *) "A=1", (char *) "B=x y", NULL};
        vm.env = env;
        char *s = cmdline(&vm);
        assert_string_equal(s, "{\"cmdline\":\"/redis-server /data/conf/redis.conf\",\"env\":\"A=1\","
                               "\"env\":\"B=x y\",\"net\":{\"if\":\"ukvmif0\",\"cloner\":\"True\","
                               "\"type\":\"inet\",\"method\":\"static\",\"addr\":\"10.0.0.2\",\"mask\":\"1\","
                               "\"gw\":\"10.0.0.1\"},\"blk\":{\"source\":\"etfs\",\"path\":\"/dev/ld0a\","
                               "\"fstype\":\"blk\",\"mountpoint\":\"/data\"}}");
        /* rumprun cannot mount its block device at '/'. */
        struct ur_vm_block root = {.path = (char *) "/img/rootfs.ext2", .mountpoint = (char *) "/"};
        vm.blocks = &root;
        expect_error(&vm, "rumprun guest: cannot use block mount point '/': rumprun mounts nothing at '/'");
        vm.blocks = &blk;
        /* It is valid JSON (json-c keeps the last "env"). */
        json_object *o = json_tokener_parse(s);
        assert_non_null(o);
        json_object *net;
        assert_true(json_object_object_get_ex(o, "net", &net));
        json_object_put(o);
        free(s);
}

static void test_mirage_mewz_hermit(void **state)
{
        (void) state;
        struct ur_vm vm;
        base(&vm, "mirage", "spt");
        char *argv[] = {(char *) "--hello=world", NULL};
        vm.argv = argv;
        expect(&vm, "--hello=world");
        with_net(&vm);
        expect(&vm, "--ipv4=10.0.0.2/24 --ipv4-gateway=10.0.0.1 --hello=world");
        /* solo5NetDev: Mirage's options carry the device's name (upstream's rule). */
        vm.solo5_net_dev = (char *) "management";
        expect(&vm, "--management-ipv4=10.0.0.2/24 --management-ipv4-gateway=10.0.0.1 --hello=world");
        vm.solo5_net_dev = (char *) "service";
        expect(&vm, "--ipv4=10.0.0.2/24 --ipv4-gateway=10.0.0.1 --hello=world");
        vm.solo5_net_dev = NULL;
        assert_string_equal(ur_guest_find("mirage")->solo5_net, "service");
        assert_string_equal(ur_guest_find("mirage")->solo5_block, "storage");
        assert_string_equal(ur_guest_find("rumprun")->solo5_net, "tap");
        assert_string_equal(ur_guest_find("rumprun")->solo5_block, "rootfs");

        base(&vm, "mewz", "qemu");
        expect(&vm, "");
        with_net(&vm);
        vm.argv = argv;
        expect(&vm, "ip=10.0.0.2/24 gateway=10.0.0.1");

        base(&vm, "hermit", "qemu");
        vm.argv = argv;
        expect(&vm, "-- --hello=world");
        with_net(&vm);
        char *env[] = {(char *) "RUST_LOG=info", NULL};
        vm.env = env;
        expect(&vm, "env=HERMIT_IP=10.0.0.2 env=HERMIT_GATEWAY=10.0.0.1 env=HERMIT_MASK=255.255.255.0 "
                    "env=RUST_LOG=info -- --hello=world");
}

/* Strings that some parser treats specially. */
static const char *const tricky[] = {
        "plain",       "a b",  "a\"b",   "c d",   "",      "'",        "it's",  "\\",
        "a\\ b",       "--",   "x]",     "[x",    "a=b",   "k=\"v\"",  "\"q\"", "a\"b\"c",
        " ",           "\t",   "tail\\", "#c",    "$HOME", "\xc3\xa9", "help",  "env.vars=[ X",
        "two  spaces", "-- x", "a'b'c",  "'\\''",
};
#define N_TRICKY (sizeof(tricky) / sizeof(*tricky))

static bool in_list(const char *s, const char *const *list)
{
        for (; *list; list++)
                if (strcmp(s, *list) == 0)
                        return true;
        return false;
}

/* Builds the command line for vm; a refusal must be expected (value in
 * refused) and name the guest and the element (named); else the line is
 * returned. */
static char *build_or_refuse(const struct ur_vm *vm, const char *value, const char *named,
                             const char *const *refused)
{
        const struct ur_guest_ops *g = ur_guest_find(vm->guest);
        char *line = NULL;
        struct ur_err *err = NULL;
        if (g->cmdline(vm, &line, &err) < 0) {
                if (!in_list(value, refused))
                        fail_msg("%s refused '%s': %s", vm->guest, value, ur_err_msg(err));
                char *quoted = NULL;
                assert_true(asprintf(&quoted, "'%s'", named) > 0);
                if (!strstr(ur_err_msg(err), vm->guest) || !strstr(ur_err_msg(err), quoted))
                        fail_msg("error '%s' does not name %s and %s", ur_err_msg(err), vm->guest, quoted);
                free(quoted);
                ur_err_free(&err);
                return NULL;
        }
        if (in_list(value, refused))
                fail_msg("%s accepted '%s' (expected a refusal): %s", vm->guest, value, line);
        return line;
}

/* Every tricky string as an argument (and in an environment value) reaches
 * the guest's application exactly, as the guest's own parser splits the
 * line, or is refused by name. */
static void test_round_trip(void **state)
{
        (void) state;
        struct ur_vm vm;
        for (size_t k = 0; k < N_TRICKY; k++) {
                const char *t = tricky[k];
                char *args[] = {(char *) "app", (char *) t, (char *) "end", NULL};
                char *kv = NULL;
                assert_true(asprintf(&kv, "K=%s", t) > 0);
                char *env[] = {(char *) "PATH=/bin", kv, NULL};

                /* Unikraft, both boot protocols. */
                static const char *const uk_refused[] = {"", NULL};
                for (int mb = 0; mb < 2; mb++) {
                        base(&vm, "unikraft", "qemu");
                        vm.boot = mb ? UR_BOOT_MULTIBOOT : UR_BOOT_PVH;
                        vm.argv = args;
                        vm.env = env;
                        with_net(&vm);
                        char *line = build_or_refuse(&vm, t, t, uk_refused);
                        if (line) {
                                struct uk_boot b;
                                uk_boot(line, mb, &b);
                                char *want[] = {mb ? (char *) "/KERNEL" : (char *) "app", (char *) t,
                                                (char *) "end", NULL};
                                char *params[] = {(char *) "netdev.ip=10.0.0.2/24:10.0.0.1", NULL};
                                assert_strv_equal(b.argv, want, line);
                                assert_strv_equal(b.env, env, line);
                                assert_strv_equal(b.params, params, line);
                                uk_boot_done(&b);
                                free(line);
                        }
                        /* The string as argv[0] (not multiboot: it is the app's). */
                        char *args0[] = {(char *) t, NULL};
                        vm.argv = args0;
                        vm.env = NULL;
                        vm.net.enabled = false;
                        line = mb ? NULL : build_or_refuse(&vm, t, t, uk_refused);
                        if (line) {
                                struct uk_boot b;
                                uk_boot(line, false, &b);
                                assert_strv_equal(b.argv, args0, line);
                                uk_boot_done(&b);
                                free(line);
                        }
                }

                /* Linux: after "--" to init, and in the environment. */
                static const char *const lx_refused[] = {"a\"b", "--", "k=\"v\"", "\"q\"", NULL};
                base(&vm, "linux", "qemu");
                char *largs[] = {(char *) "/init", (char *) t, (char *) "end", NULL};
                vm.argv = largs;
                char *line = build_or_refuse(&vm, t, t, lx_refused);
                if (line) {
                        struct lx_boot b;
                        lx_boot(line, &b);
                        assert_string_equal(b.init, "/init");
                        assert_strv_equal(b.argv, &largs[1], line);
                        lx_boot_done(&b);
                        free(line);
                }
                static const char *const lx_env_refused[] = {"a\"b", "\"q\"", NULL};
                char *lone[] = {(char *) "/init", NULL};
                vm.argv = lone;
                vm.env = env;
                line = build_or_refuse(&vm, t, kv, lx_env_refused);
                if (line) {
                        struct lx_boot b;
                        lx_boot(line, &b);
                        assert_strv_equal(b.env, env, line);
                        assert_strv_equal(b.argv, (char *[]){NULL}, line);
                        lx_boot_done(&b);
                        free(line);
                }

                /* Rumprun: argv in "cmdline", env values raw. */
                static const char *const rr_refused[] = {"'", "it's", "\t", "a'b'c", "'\\''", NULL};
                base(&vm, "rumprun", "hvt");
                vm.argv = args;
                line = build_or_refuse(&vm, t, t, rr_refused);
                if (line) {
                        json_object *o = json_tokener_parse(line);
                        if (!o)
                                fail_msg("not JSON: %s", line);
                        json_object_put(o);
                        char *raw = raw_json_value(line, "cmdline");
                        char **w = rr_words(raw);
                        assert_strv_equal(w, args, line);
                        ur_strv_free(w);
                        free(raw);
                        free(line);
                }
                static const char *const rr_env_refused[] = {"a\"b",    "\\", "a\\ b",  "k=\"v\"", "\"q\"",
                                                             "a\"b\"c", "\t", "tail\\", "'\\''",   NULL};
                vm.env = env;
                vm.argv = NULL;
                line = build_or_refuse(&vm, t, kv, rr_env_refused);
                if (line) {
                        char *raw = strstr(line, "\"env\":\"K=");
                        assert_non_null(raw);
                        char *v = raw_json_value(raw, "env");
                        assert_string_equal(v, kv);
                        free(v);
                        free(line);
                }

                /* MirageOS: the whole argv after the network options. */
                static const char *const mirage_refused[] = {"", NULL};
                base(&vm, "mirage", "spt");
                vm.argv = args;
                with_net(&vm);
                line = build_or_refuse(&vm, t, t, mirage_refused);
                if (line) {
                        char **w = mirage_words(line);
                        char *want[] = {(char *) "--ipv4=10.0.0.2/24",
                                        (char *) "--ipv4-gateway=10.0.0.1",
                                        (char *) "app",
                                        (char *) t,
                                        (char *) "end",
                                        NULL};
                        assert_strv_equal(w, want, line);
                        ur_strv_free(w);
                        free(line);
                }

                /* Hermit: env= words, then the argv after "--". */
                static const char *const none[] = {NULL};
                base(&vm, "hermit", "qemu");
                vm.argv = args;
                vm.env = env;
                line = build_or_refuse(&vm, t, t, none);
                if (line) {
                        char **w = shell_words(line);
                        char *want[] = {
                                (char *) "env=PATH=/bin", NULL, (char *) "--", (char *) "app", (char *) t,
                                (char *) "end",           NULL};
                        assert_true(asprintf(&want[1], "env=%s", kv) > 0);
                        assert_strv_equal(w, want, line);
                        free(want[1]);
                        ur_strv_free(w);
                        free(line);
                }
                /* FreeBSD: argv[0] is the kernel variable init_path (no
                 * quoting: words with the separators are refused). */
                static const char *const fb_refused[] = {"/a b",  "/c d",          "/ ",
                                                         "/\t",   "/a\\ b",        "/two  spaces",
                                                         "/-- x", "/env.vars=[ X", NULL};
                char *fpath = NULL, *fword = NULL;
                assert_true(asprintf(&fpath, "/%s", t) > 0 && asprintf(&fword, "init_path=%s", fpath) > 0);
                char *fargs[] = {fpath, NULL};
                base(&vm, "freebsd", "qemu");
                vm.boot = UR_BOOT_PVH;
                vm.blocks = &blk;
                blk.mountpoint = NULL;
                vm.n_blocks = 1;
                vm.argv = fargs;
                line = build_or_refuse(&vm, fpath, fword, fb_refused);
                blk.mountpoint = (char *) "/data";
                if (line) {
                        char **vars = t_freebsd_kenv(line);
                        char *want[] = {(char *) "vfs.root.mountfrom=ufs:/dev/vtbd0", fword, NULL};
                        assert_strv_equal(vars, want, line);
                        ur_strv_free(vars);
                        free(line);
                }
                free(fword);
                free(fpath);
                free(kv);
        }
}

/* The models themselves split known lines as the guests do. */
static void test_models(void **state)
{
        (void) state;
        char **w = uk_words("a 'b c' \"d\\\"e\" f\\ g '' \"\" h\\\\ \"i\\x\"");
        char *uw[] = {(char *) "a",
                      (char *) "b c",
                      (char *) "d\"e",
                      (char *) "f g",
                      (char *) "h\\",
                      (char *) "i\\x",
                      NULL};
        assert_strv_equal(w, uw, "uk_words");
        ur_strv_free(w);
        /* What urunc used to write for ["app","a\"b","c d"] (issue 13). */
        w = uk_words("app -- a\"b \"c d\"");
        char *old[] = {(char *) "app", (char *) "--", (char *) "ab c", (char *) "d", NULL};
        assert_strv_equal(w, old, "uk_words old");
        ur_strv_free(w);
        struct uk_boot b;
        uk_boot("app env.vars=[ A=1 B=x] C=2 ] -- z", false, &b);
        char *ua[] = {(char *) "app", (char *) "z", NULL}, *ue[] = {(char *) "A=1", (char *) "B=x", NULL};
        assert_strv_equal(b.argv, ua, "uk_boot argv");
        assert_strv_equal(b.env, ue, "uk_boot env");
        uk_boot_done(&b);
        uk_boot("app -- z", false, &b); /* nothing before "--": no stripping */
        char *ua2[] = {(char *) "app", (char *) "--", (char *) "z", NULL};
        assert_strv_equal(b.argv, ua2, "uk_boot no params");
        uk_boot_done(&b);
        w = rr_words("a 'b c' \\\"d '' e\\\\");
        char *rw[] = {(char *) "a", (char *) "b c", (char *) "\"d", (char *) "", (char *) "e\\", NULL};
        assert_strv_equal(w, rw, "rr_words");
        ur_strv_free(w);
        struct lx_boot l;
        lx_boot("console=ttyS0 K=\"a b\" \"L=c d\" mod.x=1 init=/i -- \"e f\" g -- h", &l);
        char *le[] = {(char *) "K=a b", (char *) "L=c d", NULL}, *la[] = {(char *) "e f", (char *) "g", NULL};
        assert_strv_equal(l.env, le, "lx env");
        assert_strv_equal(l.argv, la, "lx argv");
        assert_string_equal(l.init, "/i");
        lx_boot_done(&l);
        w = shell_words("a 'b c' \"d\\\"e\" f\\ g '' #x");
        char *sw[] = {(char *) "a", (char *) "b c", (char *) "d\"e", (char *) "f g", (char *) "", NULL};
        assert_strv_equal(w, sw, "shell_words");
        ur_strv_free(w);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_registry),
                cmocka_unit_test(test_unikraft),
                cmocka_unit_test(test_unikraft_storage),
                cmocka_unit_test(test_linux),
                cmocka_unit_test(test_rumprun),
                cmocka_unit_test(test_mirage_mewz_hermit),
                cmocka_unit_test(test_models),
                cmocka_unit_test(test_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
