/* SPDX-License-Identifier: Apache-2.0 */
#include "config/config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/pairs.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strv.h"

#define CONFIG_MAX_SIZE (1u << 20)

/* ---- the schema --------------------------------------------------------- */

static const char *const log_levels[] = {"panic", "fatal", "error", "warn", "warning", "info", "debug", "trace", NULL};
static const char *const accel_names[] = {
        [UR_ACCEL_AUTO] = "auto",
        [UR_ACCEL_KVM] = "kvm",
        [UR_ACCEL_TCG] = "tcg",
        NULL,
};
static const char *const cgroup_managers[] = {
        [UR_CGROUP_AUTO] = "auto",
        [UR_CGROUP_SYSTEMD] = "systemd",
        [UR_CGROUP_CGROUPFS] = "cgroupfs",
        [UR_CGROUP_NONE] = "none",
        NULL,
};

/* ENUM fields are written as int. */
_Static_assert(sizeof(enum ur_accel) == sizeof(int) && sizeof(enum ur_cgroup_manager) == sizeof(int) &&
                       sizeof(enum ur_net_mode) == sizeof(int),
               "enum size");

static bool slice_ok(const char *s)
{
        size_t l = strlen(s);
        return l > 6 && strcmp(s + l - 6, ".slice") == 0 && !strchr(s, '/');
}

static bool not_empty(const char *s)
{
        return *s != '\0';
}

static uint64_t overhead_default(const char *monitor)
{
        return ur_pair_vmm_overhead_mib(monitor);
}

#define C(f) offsetof(struct ur_config, f)
#define M(f) offsetof(struct ur_vmm_cfg, f)

static const struct ur_config_key schema[] = {
        {"log", "level", UR_CFG_WORD, C(log.level), .def_string = "info", .names = log_levels,
         .doc = "What is logged; debug adds the debug messages."},
        {"log", "syslog", UR_CFG_BOOL, C(log.syslog), .doc = "Also log to syslog."},
        {"timestamps", "enabled", UR_CFG_BOOL, C(timestamps.enabled),
         .doc = "Append a line per lifecycle phase to destination (see FILES)."},
        {"timestamps", "destination", UR_CFG_STRING, C(timestamps.destination),
         .def_string = "/var/log/urunc/timestamps.log", .check = not_empty, .expect = "a non-empty path",
         .doc = "The file the timestamps are appended to."},
        {UR_CONFIG_MONITORS, "default_memory_mb", UR_CFG_U64, M(default_memory_mib),
         .def = UR_DEFAULT_MEMORY_MIB, .min = 1, .max = INT64_C(1) << 32,
         .doc = "Guest RAM in MiB when the spec sets no memory limit."},
        {UR_CONFIG_MONITORS, "default_vcpus", UR_CFG_UINT, M(default_vcpus), .def = UR_DEFAULT_VCPUS,
         .min = 1, .max = 1024, .doc = "vCPUs when the spec sets no CPU quota or cpuset."},
        {UR_CONFIG_MONITORS, "binary_path", UR_CFG_OPT_STRING, M(binary_path),
         .doc = "The monitor's binary; unset, its default name is looked up in $PATH."},
        {UR_CONFIG_MONITORS, "data_path", UR_CFG_OPT_STRING, M(data_path),
         .doc = "The monitor's firmware and data directory (QEMU's -L)."},
        {UR_CONFIG_MONITORS, "overhead_mb", UR_CFG_U64, M(overhead_mib), .monitor_default = overhead_default,
         .max = INT64_C(1) << 32, .set_offset = M(overhead_set),
         .doc = "The monitor's own memory in MiB, subtracted from the memory limit (see RESOURCES)."},
        {UR_CONFIG_MONITORS, "accel", UR_CFG_ENUM, M(accel), .def = UR_ACCEL_AUTO, .names = accel_names,
         .only = "qemu", .doc = "kvm, tcg, or auto: KVM when /dev/kvm is usable, else TCG with a warning."},
        {UR_CONFIG_MONITORS, "machine", UR_CFG_OPT_STRING, M(machine), .only = "qemu",
         .doc = "The machine type instead of the guest's."},
        {"runtime", "fallback", UR_CFG_OPT_STRING, C(runtime.fallback),
         .doc = "The runtime (a name in $PATH or a path) of containers that are not unikernels; unset: runc, "
                "else crun."},
        {"runtime", "timeout", UR_CFG_UINT, C(runtime.timeout_sec), .def = UR_DEFAULT_TIMEOUT_SEC, .min = 1,
         .max = 86400, .doc = "Bound in seconds of every internal wait."},
        {"systemd", "cgroup_manager", UR_CFG_ENUM, C(systemd.cgroup_manager), .def = UR_CGROUP_AUTO,
         .names = cgroup_managers,
         .doc = "Who makes the cgroup (see SYSTEMD); auto: systemd when it runs, else cgroupfs."},
        {"systemd", "slice", UR_CFG_STRING, C(systemd.slice), .def_string = "urunc.slice", .check = slice_ok,
         .expect = "a unit name ending in .slice", .doc = "The slice of the scopes."},
        {"systemd", "console_to_journal", UR_CFG_BOOL, C(systemd.console_to_journal),
         .doc = "The guest's console goes to the journal (see Console)."},
        {"systemd", "register_machine", UR_CFG_BOOL, C(systemd.register_machine),
         .doc = "Register each container with systemd-machined (see Machines)."},
        {"security", "policy_dir", UR_CFG_OPT_STRING, C(security.policy_dir),
         .doc = "The seccomp policies' directory; unset, the installed one (see FILES)."},
        {"security", "seccomp_log", UR_CFG_BOOL, C(security.seccomp_log),
         .doc = "Log what a seccomp policy refuses instead of killing the monitor, to debug a policy."},
        {"security", "confine", UR_CFG_BOOL, C(security.confine), .def = true,
         .doc = "The monitor gets a private root (see SECURITY)."},
        {"network", "mode", UR_CFG_ENUM, C(network.mode), .def = UR_NET_TAKEOVER, .names = ur_net_mode_names,
         .doc = "How the guest gets the pod's network (see NETWORK)."},
};

#undef C
#undef M

const struct ur_config_key *ur_config_schema(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(schema);
        return schema;
}

static void *field(void *base, const struct ur_config_key *k)
{
        return (char *) base + k->offset;
}

static bool is_string(enum ur_config_type t)
{
        return t == UR_CFG_STRING || t == UR_CFG_OPT_STRING || t == UR_CFG_WORD;
}

/* Set the default of k in base (struct ur_config or ur_vmm_cfg). */
static int set_default(void *base, const struct ur_config_key *k, const char *monitor)
{
        int64_t def = k->monitor_default ? (int64_t) k->monitor_default(monitor) : k->def;

        switch (k->type) {
        case UR_CFG_BOOL:
                *(bool *) field(base, k) = def != 0;
                break;
        case UR_CFG_UINT:
                *(unsigned *) field(base, k) = (unsigned) def;
                break;
        case UR_CFG_U64:
                *(uint64_t *) field(base, k) = (uint64_t) def;
                break;
        case UR_CFG_ENUM:
                *(int *) field(base, k) = (int) def;
                break;
        case UR_CFG_STRING:
        case UR_CFG_OPT_STRING:
        case UR_CFG_WORD:
                if (k->def_string && !(*(char **) field(base, k) = strdup(k->def_string)))
                        return -ENOMEM;
                break;
        }
        return 0;
}

static void free_strings(void *base, bool monitor)
{
        for (size_t i = 0; i < ELEMENTSOF(schema); i++)
                if (is_string(schema[i].type) && ur_streq(schema[i].table, UR_CONFIG_MONITORS) == monitor)
                        free(*(char **) field(base, &schema[i]));
}

/* ---- defaults and accessors ------------------------------------------ */

void ur_config_free(struct ur_config *cfg)
{
        if (!cfg)
                return;
        free(cfg->path);
        free_strings(cfg, false);
        for (unsigned i = 0; i < cfg->n_monitors; i++) {
                free(cfg->monitors[i].name);
                free_strings(&cfg->monitors[i], true);
        }
        free(cfg->monitors);
        free(cfg);
}

int ur_config_defaults(struct ur_config **ret, struct ur_err **err)
{
        _cleanup_config_ struct ur_config *cfg = calloc(1, sizeof(*cfg));
        const char *const *mons = ur_pair_vmm_names;
        unsigned n = 0;

        if (!cfg)
                return ur_err_set(err, ENOMEM, "config defaults");
        while (mons[n])
                n++;
        cfg->monitors = calloc(n, sizeof(struct ur_vmm_cfg));
        if (!cfg->monitors)
                return ur_err_set(err, ENOMEM, "config defaults");
        for (unsigned i = 0; i < n; i++) {
                cfg->monitors[i].name = strdup(mons[i]);
                if (!cfg->monitors[i].name)
                        return ur_err_set(err, ENOMEM, "config defaults");
                cfg->n_monitors = i + 1;
        }
        for (size_t i = 0; i < ELEMENTSOF(schema); i++) {
                const struct ur_config_key *k = &schema[i];
                int r = 0;

                if (!ur_streq(k->table, UR_CONFIG_MONITORS))
                        r = set_default(cfg, k, NULL);
                for (unsigned m = 0; r >= 0 && m < n && ur_streq(k->table, UR_CONFIG_MONITORS); m++)
                        r = set_default(&cfg->monitors[m], k, cfg->monitors[m].name);
                if (r < 0)
                        return ur_err_set(err, ENOMEM, "config defaults");
        }
        *ret = TAKE_PTR(cfg);
        return 0;
}

const struct ur_vmm_cfg *ur_config_monitor(const struct ur_config *cfg, const char *name)
{
        if (!cfg || !name)
                return NULL;
        for (unsigned i = 0; i < cfg->n_monitors; i++)
                if (strcmp(cfg->monitors[i].name, name) == 0)
                        return &cfg->monitors[i];
        return NULL;
}

int ur_accel_from_string(const char *s, enum ur_accel *ret)
{
        for (size_t i = 0; s && accel_names[i]; i++)
                if (strcmp(s, accel_names[i]) == 0) {
                        *ret = (enum ur_accel) i;
                        return 0;
                }
        return -EINVAL;
}

const char *ur_accel_to_string(enum ur_accel a)
{
        return (unsigned) a < ELEMENTSOF(accel_names) - 1 ? accel_names[a] : NULL;
}

/* ---- the TOML subset ---------------------------------------------------- */

enum vtype {
        V_STRING,
        V_INT,
        V_BOOL,
};

struct value {
        enum vtype type;
        char *s;   /* V_STRING */
        int64_t i; /* V_INT */
        bool b;    /* V_BOOL */
        char *raw; /* the value as written, for messages */
};

struct parser {
        const char *name; /* file name for messages */
        unsigned line;
        char **table;     /* segments of the current [table] */
        char **seen;      /* full keys and tables already defined, for duplicates */
        struct ur_config *cfg;
        struct ur_err **err;
};

static const char *vtype_name(enum vtype t)
{
        switch (t) {
        case V_STRING:
                return "a string";
        case V_INT:
                return "an integer";
        case V_BOOL:
                return "a boolean";
        }
        return "?";
}

/* An error about the current line. */
#define perr(p, ...) ur_err_set_at((p)->err, (p)->name, (p)->line, __VA_ARGS__)

static bool is_bare(char c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static const char *skip_ws(const char *s)
{
        while (*s == ' ' || *s == '\t')
                s++;
        return s;
}

static bool at_end(const char *s)
{
        s = skip_ws(s);
        return *s == '\0' || *s == '#';
}

/* Append the UTF-8 encoding of cp. */
static int put_utf8(char *out, size_t *o, unsigned long cp)
{
        if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return -1;
        if (cp < 0x80) {
                out[(*o)++] = (char) cp;
        } else if (cp < 0x800) {
                out[(*o)++] = (char) (0xc0 | (cp >> 6));
                out[(*o)++] = (char) (0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
                out[(*o)++] = (char) (0xe0 | (cp >> 12));
                out[(*o)++] = (char) (0x80 | ((cp >> 6) & 0x3f));
                out[(*o)++] = (char) (0x80 | (cp & 0x3f));
        } else {
                out[(*o)++] = (char) (0xf0 | (cp >> 18));
                out[(*o)++] = (char) (0x80 | ((cp >> 12) & 0x3f));
                out[(*o)++] = (char) (0x80 | ((cp >> 6) & 0x3f));
                out[(*o)++] = (char) (0x80 | (cp & 0x3f));
        }
        return 0;
}

/* Parse a quoted string starting at *s (on the quote); what names it in
 * messages ("key", "value").  On success *s is past the closing quote. */
static int parse_quoted(struct parser *p, const char **s, const char *what, char **ret)
{
        const char *c = *s;
        char quote = *c++;
        _cleanup_free_ char *out = NULL;
        size_t o = 0;

        if (c[0] == quote && c[1] == quote)
                return perr(p, "multi-line strings are not supported (%s)", what);
        /* Escapes never grow the text beyond 4 bytes per 2+ input chars. */
        out = malloc(strlen(c) * 2 + 1);
        if (!out)
                return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
        for (;;) {
                unsigned char ch = (unsigned char) *c;

                if (ch == '\0')
                        return perr(p, "unterminated string in %s", what);
                if (ch == (unsigned char) quote) {
                        c++;
                        break;
                }
                if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
                        return perr(p, "control character in the string of %s", what);
                if (quote == '"' && ch == '\\') {
                        char e = c[1];
                        int digits = 0;

                        c += 2;
                        switch (e) {
                        case 'b': out[o++] = '\b'; continue;
                        case 't': out[o++] = '\t'; continue;
                        case 'n': out[o++] = '\n'; continue;
                        case 'f': out[o++] = '\f'; continue;
                        case 'r': out[o++] = '\r'; continue;
                        case '"': out[o++] = '"'; continue;
                        case '\\': out[o++] = '\\'; continue;
                        case 'u': digits = 4; break;
                        case 'U': digits = 8; break;
                        default:
                                return perr(p, "invalid escape '\\%c' in the string of %s", e ? e : ' ', what);
                        }
                        unsigned long cp = 0;
                        for (int i = 0; i < digits; i++) {
                                char h = c[i];
                                int v = h >= '0' && h <= '9'   ? h - '0'
                                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                               : -1;
                                if (v < 0)
                                        return perr(p, "invalid \\%c escape in the string of %s", e, what);
                                cp = cp * 16 + (unsigned long) v;
                        }
                        c += digits;
                        if (put_utf8(out, &o, cp) < 0)
                                return perr(p, "invalid code point U+%04lX in the string of %s", cp, what);
                        continue;
                }
                out[o++] = (char) ch;
                c++;
        }
        out[o] = '\0';
        *s = c;
        *ret = TAKE_PTR(out);
        return 0;
}

/* Parse a (possibly dotted) key; segments are appended to *segs. */
static int parse_key(struct parser *p, const char **s, char ***segs)
{
        const char *c = *s;

        for (;;) {
                char *seg = NULL;

                c = skip_ws(c);
                if (*c == '"' || *c == '\'') {
                        if (parse_quoted(p, &c, "a key", &seg) < 0)
                                return -1;
                } else {
                        const char *start = c;
                        while (is_bare(*c))
                                c++;
                        if (c == start) {
                                if (*c && !strchr("]=.#", *c))
                                        return perr(p, "invalid character '%c' in a key", *c);
                                return perr(p, "missing key");
                        }
                        seg = strndup(start, (size_t) (c - start));
                        if (!seg)
                                return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
                }
                if (ur_strv_push(segs, seg) < 0)
                        return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
                c = skip_ws(c);
                if (*c != '.')
                        break;
                c++;
        }
        *s = c;
        return 0;
}

static int parse_value(struct parser *p, const char **s, const char *key, struct value *v)
{
        const char *c = *s, *start = c;

        if (*c == '"' || *c == '\'') {
                if (parse_quoted(p, &c, key, &v->s) < 0)
                        return -1;
                v->type = V_STRING;
        } else if (strncmp(c, "true", 4) == 0 && !is_bare(c[4])) {
                v->type = V_BOOL;
                v->b = true;
                c += 4;
        } else if (strncmp(c, "false", 5) == 0 && !is_bare(c[5])) {
                v->type = V_BOOL;
                v->b = false;
                c += 5;
        } else if ((*c >= '0' && *c <= '9') || *c == '+' || *c == '-') {
                const char *d = c;
                bool neg = false;
                uint64_t n = 0;
                int ndig = 0;

                if (*d == '+' || *d == '-')
                        neg = *d++ == '-';
                if (d[0] == '0' && d[1] >= '0' && d[1] <= '9')
                        goto unsupported; /* leading zeros */
                for (; (*d >= '0' && *d <= '9') || *d == '_'; d++) {
                        if (*d == '_') {
                                if (ndig == 0 || !(d[1] >= '0' && d[1] <= '9'))
                                        goto unsupported;
                                continue;
                        }
                        if (n > (UINT64_MAX - 9) / 10)
                                return perr(p, "key '%s': integer out of range", key);
                        n = n * 10 + (uint64_t) (*d - '0');
                        ndig++;
                }
                if (ndig == 0 || is_bare(*d) || *d == '.' || *d == ':')
                        goto unsupported;
                if ((!neg && n > INT64_MAX) || (neg && n > (uint64_t) INT64_MAX + 1))
                        return perr(p, "key '%s': integer out of range", key);
                v->type = V_INT;
                v->i = neg ? (int64_t) (0 - n) : (int64_t) n;
                c = d;
        } else {
                goto unsupported;
        }
        if (!at_end(c))
                return perr(p, "key '%s': unexpected text '%s' after the value", key, skip_ws(c));
        v->raw = strndup(start, (size_t) (c - start));
        if (!v->raw)
                return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
        *s = c;
        return 0;
unsupported: {
        /* Name the offending text, up to a comment. */
        size_t len = strcspn(start, "#");
        while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t'))
                len--;
        if (len == 0)
                return perr(p, "key '%s': missing value", key);
        return perr(p, "key '%s': unsupported value '%.*s' (expected a string, an integer or a boolean)", key,
                    (int) len, start);
}
}

/* Record a full key / table; an error when defined twice. */
static int see(struct parser *p, char **segs, const char *kind)
{
        _cleanup_free_ char *full = ur_strv_join(segs, "\x1f");
        _cleanup_free_ char *shown = ur_strv_join(segs, ".");

        if (!full || !shown)
                return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
        if (ur_strv_contains(p->seen, full))
                return perr(p, "%s '%s' defined twice", kind, shown);
        if (ur_strv_push(&p->seen, TAKE_PTR(full)) < 0)
                return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
        return 0;
}

/* ---- applying keys ------------------------------------------------------ */

static int want_type(struct parser *p, const char *table, const char *key, const struct value *v, enum vtype t)
{
        if (v->type == t)
                return 0;
        return perr(p, "[%s] %s: expected %s, got %s '%s'", table, key, vtype_name(t), vtype_name(v->type), v->raw);
}

/* "a, b or c" */
static int names_list(struct parser *p, const char *const *names, char **ret)
{
        size_t n = ur_strv_len((char *const *) names);
        _cleanup_free_ char *out = NULL;
        FILE *f;
        size_t len;

        f = open_memstream(&out, &len);
        if (!f)
                return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
        if (fclose(f) != 0)
                return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
        *ret = TAKE_PTR(out);
        return 0;
}

static int invalid_name(struct parser *p, const char *table, const struct ur_config_key *k, const char *s)
{
        _cleanup_free_ char *list = NULL;

        if (names_list(p, k->names, &list) < 0)
                return -1;
        return perr(p, "[%s] %s: invalid value '%s' (expected %s)", table, k->key, s, list);
}

/* Check v against k and store it in base. */
static int set_key(struct parser *p, const char *table, const struct ur_config_key *k, void *base,
                   struct value *v)
{
        void *dst = field(base, k);

        switch (k->type) {
        case UR_CFG_BOOL:
                if (want_type(p, table, k->key, v, V_BOOL) < 0)
                        return -1;
                *(bool *) dst = v->b;
                break;
        case UR_CFG_UINT:
        case UR_CFG_U64:
                if (want_type(p, table, k->key, v, V_INT) < 0)
                        return -1;
                if (v->i < k->min || v->i > k->max)
                        return perr(p, "[%s] %s: value %" PRId64 " out of range (%" PRId64 "..%" PRId64 ")",
                                    table, k->key, v->i, k->min, k->max);
                if (k->type == UR_CFG_UINT)
                        *(unsigned *) dst = (unsigned) v->i;
                else
                        *(uint64_t *) dst = (uint64_t) v->i;
                break;
        case UR_CFG_ENUM: {
                size_t i;

                if (want_type(p, table, k->key, v, V_STRING) < 0)
                        return -1;
                for (i = 0; k->names[i] && strcmp(k->names[i], v->s) != 0; i++)
                        ;
                if (!k->names[i])
                        return invalid_name(p, table, k, v->s);
                *(int *) dst = (int) i;
                break;
        }
        case UR_CFG_WORD:
        case UR_CFG_STRING:
        case UR_CFG_OPT_STRING:
                if (want_type(p, table, k->key, v, V_STRING) < 0)
                        return -1;
                if (k->type == UR_CFG_WORD && !ur_strv_contains((char *const *) k->names, v->s))
                        return invalid_name(p, table, k, v->s);
                if (k->check && !k->check(v->s))
                        return perr(p, "[%s] %s: invalid value '%s' (expected %s)", table, k->key, v->s,
                                    k->expect);
                free(*(char **) dst);
                *(char **) dst = k->type == UR_CFG_OPT_STRING && !*v->s ? NULL : TAKE_PTR(v->s);
                break;
        }
        if (k->set_offset)
                *(bool *) ((char *) base + k->set_offset) = true;
        return 0;
}

static void unknown_key(struct parser *p, const char *table, const char *key)
{
        if (*table)
                ur_log_warning("%s:%u: unknown key '%s' in [%s], ignored", p->name, p->line, key, table);
        else
                ur_log_warning("%s:%u: unknown key '%s', ignored", p->name, p->line, key);
}

static const struct ur_config_key *schema_find(const char *table, const char *key)
{
        for (size_t i = 0; i < ELEMENTSOF(schema); i++)
                if (strcmp(schema[i].table, table) == 0 && strcmp(schema[i].key, key) == 0)
                        return &schema[i];
        return NULL;
}

static int apply(struct parser *p, char **path, struct value *v)
{
        struct ur_config *cfg = p->cfg;
        size_t n = ur_strv_len(path);
        const char *key = path[n - 1];
        const struct ur_config_key *k;
        _cleanup_free_ char *table = NULL;

        /* The table is everything but the last segment (header + dotted key). */
        {
                char *last = path[n - 1];
                path[n - 1] = NULL;
                table = ur_strv_join(path, ".");
                path[n - 1] = last;
                if (!table)
                        return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
        }

        if (n == 3 && strcmp(path[0], UR_CONFIG_MONITORS) == 0) {
                struct ur_vmm_cfg *m = (struct ur_vmm_cfg *) ur_config_monitor(cfg, path[1]);

                if (!m) {
                        ur_log_warning("%s:%u: unknown monitor [%s], ignored", p->name, p->line, table);
                        return 0;
                }
                k = schema_find(UR_CONFIG_MONITORS, key);
                if (!k) {
                        unknown_key(p, table, key);
                        return 0;
                }
                if (set_key(p, table, k, m, v) < 0)
                        return -1;
                if (k->only && strcmp(m->name, k->only) != 0)
                        ur_log_warning("%s:%u: [%s] %s is only used by %s, ignored", p->name, p->line, table,
                                       key, k->only);
                return 0;
        }
        k = n == 2 && strcmp(path[0], UR_CONFIG_MONITORS) != 0 ? schema_find(path[0], key) : NULL;
        if (!k) {
                unknown_key(p, table, key);
                return 0;
        }
        return set_key(p, table, k, cfg, v);
}

static int parse_line(struct parser *p, const char *line)
{
        const char *c = skip_ws(line);

        if (at_end(c))
                return 0;
        if (*c == '[') {
                _cleanup_strv_ char **segs = NULL;

                if (c[1] == '[')
                        return perr(p, "arrays of tables ('[[...]]') are not supported");
                c++;
                if (parse_key(p, &c, &segs) < 0)
                        return -1;
                if (*c != ']')
                        return perr(p, "expected ']' after table name");
                c++;
                if (!at_end(c))
                        return perr(p, "unexpected text '%s' after table header", skip_ws(c));
                if (see(p, segs, "table") < 0)
                        return -1;
                ur_strv_free(p->table);
                p->table = TAKE_PTR(segs);
                return 0;
        }

        _cleanup_strv_ char **path = ur_strv_copy(p->table);
        _cleanup_strv_ char **keysegs = NULL;
        _cleanup_free_ char *keyname = NULL;
        struct value v = {0};
        int r;

        if (!path)
                return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
        if (parse_key(p, &c, &keysegs) < 0)
                return -1;
        if (ur_strv_extend(&path, keysegs) < 0)
                return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
        /* Messages name the key with its table: "monitors.qemu.default_vcpus". */
        keyname = ur_strv_join(path, ".");
        if (!keyname)
                return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
        if (*c != '=' && !at_end(c))
                return perr(p, "expected '=' after key '%s', got '%s'", keyname, c);
        if (*c != '=')
                return perr(p, "expected '=' after key '%s'", keyname);
        c = skip_ws(c + 1);
        if (parse_value(p, &c, keyname, &v) < 0) {
                free(v.s);
                return -1;
        }
        r = see(p, path, "key");
        if (r >= 0)
                r = apply(p, path, &v);
        free(v.s);
        free(v.raw);
        return r;
}

int ur_config_parse(const char *text, const char *name, struct ur_config **ret, struct ur_err **err)
{
        _cleanup_config_ struct ur_config *cfg = NULL;
        struct parser p = {.name = name ? name : "config.toml", .err = err};
        const char *s = text;
        int r = 0;

        if (ur_config_defaults(&cfg, err) < 0)
                return -1;
        p.cfg = cfg;
        /* A UTF-8 byte order mark is allowed at the start. */
        if (strncmp(s, "\xef\xbb\xbf", 3) == 0)
                s += 3;
        while (*s) {
                size_t len = strcspn(s, "\n");
                _cleanup_free_ char *line = strndup(s, len);

                p.line++;
                if (!line) {
                        r = ur_err_set(err, ENOMEM, "%s", p.name);
                        break;
                }
                if (len > 0 && line[len - 1] == '\r')
                        line[len - 1] = '\0';
                r = parse_line(&p, line);
                if (r < 0)
                        break;
                s += len;
                if (*s == '\n')
                        s++;
        }
        ur_strv_free(p.table);
        ur_strv_free(p.seen);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(cfg);
        return 0;
}

int ur_config_load(const char *path, struct ur_config **ret, struct ur_err **err)
{
        _cleanup_config_ struct ur_config *cfg = NULL;
        _cleanup_free_ char *text = NULL;
        bool must_exist = true;
        size_t len;
        int r;

        if (!path) {
                path = getenv(UR_CONFIG_ENV);
                if (!path || !*path) {
                        path = UR_CONFIG_DEFAULT_PATH;
                        must_exist = false;
                }
        } else if (strcmp(path, UR_CONFIG_DEFAULT_PATH) == 0) {
                must_exist = false;
        }

        r = ur_read_file(path, CONFIG_MAX_SIZE, &text, &len, err);
        if (r == -ENOENT && !must_exist) {
                ur_err_free(err);
                return ur_config_defaults(ret, err);
        }
        if (r < 0)
                return ur_err_wrap(err, "config");
        if (memchr(text, '\0', len))
                return ur_err_set(err, 0, "%s: contains a NUL byte", path);
        r = ur_config_parse(text, path, &cfg, err);
        if (r < 0)
                return r;
        cfg->path = strdup(path);
        if (!cfg->path)
                return ur_err_set(err, ENOMEM, "%s", path);
        *ret = TAKE_PTR(cfg);
        return 0;
}
