/* SPDX-License-Identifier: Apache-2.0 */
#include "config/config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strv.h"

#define CONFIG_MAX_SIZE (1u << 20)

static const struct {
        const char *name;
        uint64_t overhead_mib;
} monitor_defaults[] = {
        {"qemu", 40}, {"firecracker", 16}, {"hvt", 8}, {"spt", 8}, {"cloud-hypervisor", 32},
};

static const char *const log_levels[] = {"panic", "fatal", "error", "warn", "warning", "info", "debug", "trace", NULL};

/* ---- defaults and accessors ------------------------------------------ */

void ur_config_free(struct ur_config *cfg)
{
        if (!cfg)
                return;
        free(cfg->path);
        free(cfg->log.level);
        free(cfg->timestamps.destination);
        free(cfg->runtime.fallback);
        free(cfg->systemd.slice);
        free(cfg->security.policy_dir);
        for (unsigned i = 0; i < cfg->n_monitors; i++) {
                free(cfg->monitors[i].name);
                free(cfg->monitors[i].binary_path);
                free(cfg->monitors[i].data_path);
                free(cfg->monitors[i].machine);
        }
        free(cfg->monitors);
        free(cfg);
}

int ur_config_defaults(struct ur_config **ret, ur_err *err)
{
        _cleanup_config_ struct ur_config *cfg = calloc(1, sizeof(*cfg));
        unsigned n = (unsigned) ELEMENTSOF(monitor_defaults);

        if (!cfg)
                return ur_err_set(err, ENOMEM, "config defaults");
        cfg->log.level = strdup("info");
        cfg->timestamps.destination = strdup("/var/log/urunc/timestamps.log");
        cfg->runtime.timeout_sec = 30;
        cfg->systemd.cgroup_manager = UR_CGROUP_AUTO;
        cfg->systemd.slice = strdup("urunc.slice");
        cfg->security.confine = true;
        cfg->monitors = calloc(n, sizeof(struct ur_vmm_cfg));
        if (!cfg->log.level || !cfg->timestamps.destination || !cfg->systemd.slice || !cfg->monitors)
                return ur_err_set(err, ENOMEM, "config defaults");
        for (unsigned i = 0; i < n; i++) {
                struct ur_vmm_cfg *m = &cfg->monitors[i];
                m->name = strdup(monitor_defaults[i].name);
                if (!m->name)
                        return ur_err_set(err, ENOMEM, "config defaults");
                cfg->n_monitors = i + 1;
                m->default_memory_mib = 256;
                m->default_vcpus = 1;
                m->overhead_mib = monitor_defaults[i].overhead_mib;
                m->accel = UR_ACCEL_AUTO;
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
        if (!s)
                return -EINVAL;
        if (strcmp(s, "auto") == 0)
                *ret = UR_ACCEL_AUTO;
        else if (strcmp(s, "kvm") == 0)
                *ret = UR_ACCEL_KVM;
        else if (strcmp(s, "tcg") == 0)
                *ret = UR_ACCEL_TCG;
        else
                return -EINVAL;
        return 0;
}

const char *ur_accel_to_string(enum ur_accel a)
{
        switch (a) {
        case UR_ACCEL_AUTO:
                return "auto";
        case UR_ACCEL_KVM:
                return "kvm";
        case UR_ACCEL_TCG:
                return "tcg";
        }
        return NULL;
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
        ur_err *err;
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

static int set_string(struct parser *p, const char *table, const char *key, struct value *v, char **dst)
{
        if (want_type(p, table, key, v, V_STRING) < 0)
                return -1;
        free(*dst);
        *dst = TAKE_PTR(v->s);
        return 0;
}

/* A string where "" means unset. */
static int set_opt_string(struct parser *p, const char *table, const char *key, struct value *v, char **dst)
{
        if (set_string(p, table, key, v, dst) < 0)
                return -1;
        if (*dst && !**dst) {
                free(*dst);
                *dst = NULL;
        }
        return 0;
}

static int set_bool(struct parser *p, const char *table, const char *key, struct value *v, bool *dst)
{
        if (want_type(p, table, key, v, V_BOOL) < 0)
                return -1;
        *dst = v->b;
        return 0;
}

static int get_int(struct parser *p, const char *table, const char *key, struct value *v, int64_t min, int64_t max,
                   int64_t *ret)
{
        if (want_type(p, table, key, v, V_INT) < 0)
                return -1;
        if (v->i < min || v->i > max)
                return perr(p, "[%s] %s: value %" PRId64 " out of range (%" PRId64 "..%" PRId64 ")", table, key, v->i,
                            min, max);
        *ret = v->i;
        return 0;
}

static void unknown_key(struct parser *p, const char *table, const char *key)
{
        if (*table)
                ur_log_warning("%s:%u: unknown key '%s' in [%s], ignored", p->name, p->line, key, table);
        else
                ur_log_warning("%s:%u: unknown key '%s', ignored", p->name, p->line, key);
}

static int apply_monitor(struct parser *p, const char *table, struct ur_vmm_cfg *m, const char *key,
                         struct value *v)
{
        int64_t n;

        if (strcmp(key, "default_memory_mb") == 0) {
                if (get_int(p, table, key, v, 1, INT64_C(1) << 32, &n) < 0)
                        return -1;
                m->default_memory_mib = (uint64_t) n;
        } else if (strcmp(key, "default_vcpus") == 0) {
                if (get_int(p, table, key, v, 1, 1024, &n) < 0)
                        return -1;
                m->default_vcpus = (unsigned) n;
        } else if (strcmp(key, "overhead_mb") == 0) {
                if (get_int(p, table, key, v, 0, INT64_C(1) << 32, &n) < 0)
                        return -1;
                m->overhead_mib = (uint64_t) n;
                m->overhead_set = true;
        } else if (strcmp(key, "binary_path") == 0) {
                return set_opt_string(p, table, key, v, &m->binary_path);
        } else if (strcmp(key, "data_path") == 0) {
                return set_opt_string(p, table, key, v, &m->data_path);
        } else if (strcmp(key, "accel") == 0) {
                if (want_type(p, table, key, v, V_STRING) < 0)
                        return -1;
                if (ur_accel_from_string(v->s, &m->accel) < 0)
                        return perr(p, "[%s] accel: invalid value '%s' (expected auto, kvm or tcg)", table, v->s);
                if (strcmp(m->name, "qemu") != 0)
                        ur_log_warning("%s:%u: [%s] accel is only used by qemu, ignored", p->name, p->line, table);
        } else if (strcmp(key, "machine") == 0) {
                if (set_opt_string(p, table, key, v, &m->machine) < 0)
                        return -1;
                if (strcmp(m->name, "qemu") != 0)
                        ur_log_warning("%s:%u: [%s] machine is only used by qemu, ignored", p->name, p->line, table);
        } else {
                unknown_key(p, table, key);
        }
        return 0;
}

static int apply(struct parser *p, char **path, struct value *v)
{
        struct ur_config *cfg = p->cfg;
        size_t n = ur_strv_len(path);
        const char *key = path[n - 1];
        _cleanup_free_ char *table = NULL;
        int64_t i;

        /* The table is everything but the last segment (header + dotted key). */
        {
                char *last = path[n - 1];
                path[n - 1] = NULL;
                table = ur_strv_join(path, ".");
                path[n - 1] = last;
                if (!table)
                        return ur_err_set(p->err, ENOMEM, "%s:%u", p->name, p->line);
        }

        if (n == 2 && strcmp(path[0], "log") == 0) {
                if (strcmp(key, "level") == 0) {
                        if (want_type(p, table, key, v, V_STRING) < 0)
                                return -1;
                        if (!ur_strv_contains((char *const *) log_levels, v->s))
                                return perr(p, "[log] level: invalid value '%s' (expected debug, info, warning, error, ...)",
                                            v->s);
                        return set_string(p, table, key, v, &cfg->log.level);
                }
                if (strcmp(key, "syslog") == 0)
                        return set_bool(p, table, key, v, &cfg->log.syslog);
        } else if (n == 2 && strcmp(path[0], "timestamps") == 0) {
                if (strcmp(key, "enabled") == 0)
                        return set_bool(p, table, key, v, &cfg->timestamps.enabled);
                if (strcmp(key, "destination") == 0) {
                        if (set_string(p, table, key, v, &cfg->timestamps.destination) < 0)
                                return -1;
                        if (!*cfg->timestamps.destination)
                                return perr(p, "[timestamps] destination: empty path");
                        return 0;
                }
        } else if (n == 2 && strcmp(path[0], "runtime") == 0) {
                if (strcmp(key, "fallback") == 0)
                        return set_opt_string(p, table, key, v, &cfg->runtime.fallback);
                if (strcmp(key, "timeout") == 0) {
                        if (get_int(p, table, key, v, 1, 86400, &i) < 0)
                                return -1;
                        cfg->runtime.timeout_sec = (unsigned) i;
                        return 0;
                }
        } else if (n == 2 && strcmp(path[0], "systemd") == 0) {
                if (strcmp(key, "cgroup_manager") == 0) {
                        static const char *const names[] = {"auto", "systemd", "cgroupfs", "none"};
                        if (want_type(p, table, key, v, V_STRING) < 0)
                                return -1;
                        for (unsigned k = 0; k < ELEMENTSOF(names); k++)
                                if (strcmp(v->s, names[k]) == 0) {
                                        cfg->systemd.cgroup_manager = (enum ur_cgroup_manager) k;
                                        return 0;
                                }
                        return perr(p, "[systemd] cgroup_manager: invalid value '%s' (expected auto, systemd, cgroupfs or none)",
                                    v->s);
                }
                if (strcmp(key, "slice") == 0) {
                        size_t l;
                        if (want_type(p, table, key, v, V_STRING) < 0)
                                return -1;
                        l = strlen(v->s);
                        if (l <= 6 || strcmp(v->s + l - 6, ".slice") != 0 || strchr(v->s, '/'))
                                return perr(p, "[systemd] slice: invalid value '%s' (expected a unit name ending in .slice)",
                                            v->s);
                        return set_string(p, table, key, v, &cfg->systemd.slice);
                }
                if (strcmp(key, "console_to_journal") == 0)
                        return set_bool(p, table, key, v, &cfg->systemd.console_to_journal);
                if (strcmp(key, "register_machine") == 0)
                        return set_bool(p, table, key, v, &cfg->systemd.register_machine);
        } else if (n == 2 && strcmp(path[0], "security") == 0) {
                if (strcmp(key, "policy_dir") == 0)
                        return set_opt_string(p, table, key, v, &cfg->security.policy_dir);
                if (strcmp(key, "seccomp_log") == 0)
                        return set_bool(p, table, key, v, &cfg->security.seccomp_log);
                if (strcmp(key, "confine") == 0)
                        return set_bool(p, table, key, v, &cfg->security.confine);
        } else if (n == 2 && strcmp(path[0], "network") == 0) {
                if (strcmp(key, "mode") == 0) {
                        if (want_type(p, table, key, v, V_STRING) < 0)
                                return -1;
                        if (ur_net_mode_from_string(v->s, &cfg->network.mode) < 0)
                                return perr(
                                        p, "[network] mode: invalid value '%s' (expected takeover or routed)",
                                        v->s);
                        return 0;
                }
        } else if (n == 3 && strcmp(path[0], "monitors") == 0) {
                for (unsigned k = 0; k < cfg->n_monitors; k++)
                        if (strcmp(cfg->monitors[k].name, path[1]) == 0)
                                return apply_monitor(p, table, &cfg->monitors[k], key, v);
                ur_log_warning("%s:%u: unknown monitor [%s], ignored", p->name, p->line, table);
                return 0;
        }
        unknown_key(p, table, key);
        return 0;
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

int ur_config_parse(const char *text, const char *name, struct ur_config **ret, ur_err *err)
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

int ur_config_load(const char *path, struct ur_config **ret, ur_err *err)
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
