/* SPDX-License-Identifier: Apache-2.0 */
#include "systemd/props.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/cpuset.h"
#include "util/parse.h"
#include "util/strv.h"

static void prop_done(struct ur_prop *pr)
{
        free(pr->name);
        free(pr->s);
        free(pr->bytes);
        *pr = (struct ur_prop){ 0 };
}

void ur_props_done(struct ur_props *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++)
                prop_done(&p->v[i]);
        free(p->v);
        p->v = NULL;
        p->n = 0;
}

const struct ur_prop *ur_props_get(const struct ur_props *p, const char *name)
{
        for (size_t i = 0; i < p->n; i++)
                if (strcmp(p->v[i].name, name) == 0)
                        return &p->v[i];
        return NULL;
}

int ur_props_add(struct ur_props *p, struct ur_prop *pr)
{
        struct ur_prop *nv;

        for (size_t i = 0; i < p->n; i++)
                if (strcmp(p->v[i].name, pr->name) == 0) {
                        prop_done(&p->v[i]);
                        p->v[i] = *pr;
                        *pr = (struct ur_prop){ 0 };
                        return 0;
                }
        nv = realloc(p->v, (p->n + 1) * sizeof(*nv));
        if (!nv) {
                prop_done(pr);
                return -ENOMEM;
        }
        p->v = nv;
        p->v[p->n++] = *pr;
        *pr = (struct ur_prop){ 0 };
        return 0;
}

static int add_simple(struct ur_props *p, const char *name, struct ur_prop pr)
{
        pr.name = strdup(name);
        if (!pr.name) {
                prop_done(&pr);
                return -ENOMEM;
        }
        return ur_props_add(p, &pr);
}

int ur_props_add_bool(struct ur_props *p, const char *name, bool v)
{
        return add_simple(p, name, (struct ur_prop){ .type = UR_PROP_BOOL, .b = v });
}

int ur_props_add_u64(struct ur_props *p, const char *name, uint64_t v)
{
        return add_simple(p, name, (struct ur_prop){ .type = UR_PROP_U64, .t = v });
}

int ur_props_add_str(struct ur_props *p, const char *name, const char *v)
{
        char *s = strdup(v);

        if (!s)
                return -ENOMEM;
        return add_simple(p, name, (struct ur_prop){ .type = UR_PROP_STR, .s = s });
}

int ur_props_add_pid(struct ur_props *p, const char *name, uint32_t pid)
{
        return add_simple(p, name, (struct ur_prop){ .type = UR_PROP_PIDS, .t = pid });
}

int ur_props_add_bytes(struct ur_props *p, const char *name, const uint8_t *v, size_t n)
{
        uint8_t *b = malloc(n ? n : 1);

        if (!b)
                return -ENOMEM;
        if (n)
                memcpy(b, v, n);
        return add_simple(p, name, (struct ur_prop){ .type = UR_PROP_BYTES, .bytes = b, .n = n });
}

/* ---- annotations ---- */

static bool name_ends(const char *name, const char *suffix)
{
        size_t n = strlen(name), s = strlen(suffix);
        return n >= s && strcmp(name + n - s, suffix) == 0;
}

static bool name_in(const char *name, const char *const *list)
{
        for (; *list; list++)
                if (strcmp(name, *list) == 0)
                        return true;
        return false;
}

static const char *const bool_names[] = {
        "Delegate", "DefaultDependencies", "SendSIGKILL", "SendSIGHUP", "IgnoreOnIsolate",
        "MemoryOOMGroup", NULL,
};

static const char *const size_names[] = {
        "MemoryMin", "MemoryLow", "MemoryHigh", "MemoryMax", "MemorySwapMax", "MemoryZSwapMax",
        "MemoryLimit", "TasksMax", "CPUWeight", "StartupCPUWeight", "IOWeight", "StartupIOWeight",
        "CPUShares", "StartupCPUShares", "BlockIOWeight", "StartupBlockIOWeight", NULL,
};

static const char *const cpuset_names[] = {
        "AllowedCPUs", "AllowedMemoryNodes", "StartupAllowedCPUs", "StartupAllowedMemoryNodes", NULL,
};

static int parse_u64(const char *v, uint64_t *ret)
{
        char *end;
        unsigned long long x;

        if (!isdigit((unsigned char) *v))
                return -1;
        errno = 0;
        x = strtoull(v, &end, 10);
        if (errno || *end)
                return -1;
        *ret = x;
        return 0;
}

static int parse_i64(const char *v, int64_t *ret)
{
        char *end;
        long long x;

        if (!*v)
                return -1;
        errno = 0;
        x = strtoll(v, &end, 10);
        if (errno || *end)
                return -1;
        *ret = x;
        return 0;
}

/* "infinity" or N[KMGTPE] (1024-based). */
static int parse_size(const char *v, uint64_t *ret)
{
        static const char units[] = "KMGTPE";
        char *end;
        unsigned long long x;
        const char *u;

        if (strcmp(v, "infinity") == 0)
                return *ret = UINT64_MAX, 0;
        if (!isdigit((unsigned char) *v))
                return -1;
        errno = 0;
        x = strtoull(v, &end, 10);
        if (errno)
                return -1;
        if (*end) {
                if (end[1] || !(u = strchr(units, toupper((unsigned char) *end))))
                        return -1;
                for (long i = 0; i <= u - units; i++) {
                        if (x > UINT64_MAX / 1024)
                                return -1;
                        x *= 1024;
                }
        }
        *ret = x;
        return 0;
}

/* A systemd time span in µs; a bare number counts default_unit µs. */
static int parse_timespan(const char *v, uint64_t default_unit, uint64_t *ret)
{
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                { "usec", 1 }, { "us", 1 }, { "µs", 1 }, { "msec", 1000 }, { "ms", 1000 },
                { "seconds", 1000000 }, { "second", 1000000 }, { "sec", 1000000 }, { "s", 1000000 },
                { "minutes", 60000000ull }, { "minute", 60000000ull }, { "min", 60000000ull },
                { "m", 60000000ull }, { "hours", 3600000000ull }, { "hour", 3600000000ull },
                { "hr", 3600000000ull }, { "h", 3600000000ull }, { "days", 86400000000ull },
                { "day", 86400000000ull }, { "d", 86400000000ull }, { "weeks", 604800000000ull },
                { "week", 604800000000ull }, { "w", 604800000000ull },
        };
        uint64_t total = 0;
        const char *p = v;
        bool any = false;

        if (strcmp(v, "infinity") == 0)
                return *ret = UINT64_MAX, 0;
        for (;;) {
                unsigned long long x;
                char *end;
                uint64_t mult = default_unit;
                size_t i;

                while (*p == ' ')
                        p++;
                if (!*p)
                        break;
                if (!isdigit((unsigned char) *p))
                        return -1;
                errno = 0;
                x = strtoull(p, &end, 10);
                if (errno)
                        return -1;
                p = end;
                while (*p == ' ')
                        p++;
                for (i = 0; i < ELEMENTSOF(units); i++) {
                        size_t l = strlen(units[i].suffix);

                        if (strncmp(p, units[i].suffix, l) == 0 && !isalpha((unsigned char) p[l])) {
                                mult = units[i].usec;
                                p += l;
                                break;
                        }
                }
                if (i == ELEMENTSOF(units) && *p && !isdigit((unsigned char) *p) && *p != ' ')
                        return -1;
                if (x > (UINT64_MAX - 1 - total) / mult)
                        return -1;
                total += x * mult;
                any = true;
        }
        if (!any)
                return -1;
        *ret = total;
        return 0;
}

/* 'text' or "text" with \\, \' and \" escapes; NULL when v is not quoted. */
static int unquote(const char *v, char **ret)
{
        size_t n = strlen(v);
        char *out, *o;

        if (n < 2 || (v[0] != '\'' && v[0] != '"') || v[n - 1] != v[0])
                return 0;
        out = o = malloc(n);
        if (!out)
                return -ENOMEM;
        for (size_t i = 1; i < n - 1; i++) {
                if (v[i] == '\\' && i + 1 < n - 1)
                        i++;
                *o++ = v[i];
        }
        *o = '\0';
        *ret = out;
        return 1;
}

/* runc's GVariant forms: "uint64 5", "@t 5", true, 'str'.  1 when handled. */
static int parse_typed(const char *v, struct ur_prop *pr)
{
        static const struct {
                const char *kw;
                enum ur_prop_type type;
        } kws[] = {
                { "uint64 ", UR_PROP_U64 }, { "@t ", UR_PROP_U64 }, { "int64 ", UR_PROP_I64 },
                { "@x ", UR_PROP_I64 }, { "uint32 ", UR_PROP_U32 }, { "@u ", UR_PROP_U32 },
                { "int32 ", UR_PROP_I32 }, { "@i ", UR_PROP_I32 }, { "double ", UR_PROP_DOUBLE },
                { "@d ", UR_PROP_DOUBLE }, { "@b ", UR_PROP_BOOL }, { "@s ", UR_PROP_STR },
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(kws); i++) {
                size_t l = strlen(kws[i].kw);
                const char *a;

                if (strncmp(v, kws[i].kw, l) != 0)
                        continue;
                a = v + l;
                while (*a == ' ')
                        a++;
                pr->type = kws[i].type;
                switch (kws[i].type) {
                case UR_PROP_U64:
                        return parse_u64(a, &pr->t) < 0 ? -EINVAL : 1;
                case UR_PROP_U32:
                        return parse_u64(a, &pr->t) < 0 || pr->t > UINT32_MAX ? -EINVAL : 1;
                case UR_PROP_I64:
                        return parse_i64(a, &pr->x) < 0 ? -EINVAL : 1;
                case UR_PROP_I32:
                        return parse_i64(a, &pr->x) < 0 || pr->x < INT32_MIN || pr->x > INT32_MAX ? -EINVAL : 1;
                case UR_PROP_DOUBLE: {
                        char *end;
                        errno = 0;
                        pr->d = strtod(a, &end);
                        return errno || end == a || *end ? -EINVAL : 1;
                }
                case UR_PROP_BOOL:
                        return ur_parse_bool(a, UR_BOOL_STRICT, &pr->b) < 0 ? -EINVAL : 1;
                case UR_PROP_STR:
                        r = unquote(a, &pr->s);
                        return r == 0 ? -EINVAL : r;
                default:
                        return -EINVAL;
                }
        }
        if (ur_parse_bool(v, UR_BOOL_STRICT, &pr->b) == 0) {
                pr->type = UR_PROP_BOOL;
                return 1;
        }
        r = unquote(v, &pr->s);
        if (r > 0)
                pr->type = UR_PROP_STR;
        return r;
}

static bool valid_name(const char *s)
{
        if (strlen(s) < 3 || !(s[0] >= 'A' && s[0] <= 'Z'))
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char) *s))
                        return false;
        return true;
}

int ur_prop_from_annotation(const char *key, const char *value, struct ur_prop *ret, struct ur_err **err)
{
        struct ur_prop pr = { 0 };
        const char *name = key + strlen(UR_SYSTEMD_PROPERTY_PREFIX);
        _cleanup_free_ char *n = NULL;
        size_t len;
        bool sec = false;
        int r;

        if (strncmp(key, UR_SYSTEMD_PROPERTY_PREFIX, strlen(UR_SYSTEMD_PROPERTY_PREFIX)) != 0 ||
            !valid_name(name))
                return ur_err_set(err, EINVAL, "annotation '%s': not a systemd property name", key);
        if (strcmp(name, "PIDs") == 0)
                return ur_err_set(err, EINVAL, "annotation '%s': PIDs cannot be set", key);
        len = strlen(name);
        /* runc: "TimeoutStopSec" is sent as "TimeoutStopUSec", the value in seconds. */
        if (name_ends(name, "Sec") && len > 3 && islower((unsigned char) name[len - 4])) {
                if (asprintf(&n, "%.*sUSec", (int) (len - 3), name) < 0)
                        n = NULL;
                sec = true;
        } else
                n = strdup(name);
        if (!n)
                return ur_err_set(err, ENOMEM, "annotation '%s'", key);

        r = parse_typed(value, &pr);
        if (r == -ENOMEM)
                return ur_err_set(err, ENOMEM, "annotation '%s'", key);
        if (r < 0)
                goto bad;
        if (r > 0) {
                /* A Sec value given as a typed number is in seconds, as in runc. */
                if (sec && (pr.type == UR_PROP_U64 || pr.type == UR_PROP_U32)) {
                        if (pr.t > UINT64_MAX / 1000000)
                                goto bad;
                        pr.t *= 1000000;
                        pr.type = UR_PROP_U64;
                } else if (sec && pr.type == UR_PROP_DOUBLE) {
                        if (!(pr.d >= 0) || pr.d * 1e6 >= 1.8e19)
                                goto bad;
                        pr.t = (uint64_t) (pr.d * 1e6 + 0.5);
                        pr.type = UR_PROP_U64;
                } else if (sec && (pr.type == UR_PROP_I64 || pr.type == UR_PROP_I32)) {
                        if (pr.x < 0 || (uint64_t) pr.x > UINT64_MAX / 1000000)
                                goto bad;
                        pr.t = (uint64_t) pr.x * 1000000;
                        pr.type = UR_PROP_U64;
                }
        } else if (sec || name_ends(n, "USec")) {
                pr.type = UR_PROP_U64;
                if (parse_timespan(value, sec ? 1000000 : 1, &pr.t) < 0)
                        goto bad;
        } else if (name_ends(n, "Accounting") || name_in(n, bool_names)) {
                pr.type = UR_PROP_BOOL;
                if (ur_parse_bool(value, UR_BOOL_SYSTEMD, &pr.b) < 0)
                        goto bad;
        } else if (name_in(n, size_names)) {
                pr.type = UR_PROP_U64;
                if (parse_size(value, &pr.t) < 0)
                        goto bad;
        } else if (strcmp(n, "CPUQuota") == 0) {
                uint64_t pct;
                _cleanup_free_ char *num = NULL;

                len = strlen(value);
                if (len < 2 || value[len - 1] != '%' || !(num = strndup(value, len - 1)) ||
                    parse_u64(num, &pct) < 0 || pct > UINT64_MAX / 10000)
                        goto bad;
                free(n);
                n = strdup("CPUQuotaPerSecUSec");
                if (!n)
                        return ur_err_set(err, ENOMEM, "annotation '%s'", key);
                pr.type = UR_PROP_U64;
                pr.t = pct * 10000;
        } else if (name_in(n, cpuset_names)) {
                pr.type = UR_PROP_BYTES;
                if (ur_cpuset_to_mask(value, &pr.bytes, &pr.n, err) < 0)
                        return ur_err_wrap(err, "annotation '%s'", key);
        } else {
                pr.type = UR_PROP_STR;
                pr.s = strdup(value);
                if (!pr.s)
                        return ur_err_set(err, ENOMEM, "annotation '%s'", key);
        }
        pr.name = TAKE_PTR(n);
        *ret = pr;
        return 0;
bad:
        prop_done(&pr);
        return ur_err_set(err, EINVAL, "annotation '%s': cannot read '%s' as a value for %s", key, value,
                          n);
}

int ur_props_from_annotations(struct ur_props *p, const struct ur_kv *a, size_t n, struct ur_err **err)
{
        for (size_t i = 0; i < n; i++) {
                struct ur_prop pr;

                if (!a[i].key || strncmp(a[i].key, UR_SYSTEMD_PROPERTY_PREFIX,
                                         strlen(UR_SYSTEMD_PROPERTY_PREFIX)) != 0)
                        continue;
                if (ur_prop_from_annotation(a[i].key, a[i].value ? a[i].value : "", &pr, err) < 0)
                        return -1;
                if (ur_props_add(p, &pr) < 0)
                        return ur_err_set(err, ENOMEM, "annotation '%s'", a[i].key);
        }
        return 0;
}

static int append_one(sd_bus_message *m, const struct ur_prop *pr)
{
        switch (pr->type) {
        case UR_PROP_BOOL:
                return sd_bus_message_append(m, "(sv)", pr->name, "b", (int) pr->b);
        case UR_PROP_U64:
                return sd_bus_message_append(m, "(sv)", pr->name, "t", pr->t);
        case UR_PROP_I64:
                return sd_bus_message_append(m, "(sv)", pr->name, "x", pr->x);
        case UR_PROP_U32:
                return sd_bus_message_append(m, "(sv)", pr->name, "u", (uint32_t) pr->t);
        case UR_PROP_I32:
                return sd_bus_message_append(m, "(sv)", pr->name, "i", (int32_t) pr->x);
        case UR_PROP_DOUBLE:
                return sd_bus_message_append(m, "(sv)", pr->name, "d", pr->d);
        case UR_PROP_STR:
                return sd_bus_message_append(m, "(sv)", pr->name, "s", pr->s);
        case UR_PROP_PIDS:
                return sd_bus_message_append(m, "(sv)", pr->name, "au", 1, (uint32_t) pr->t);
        case UR_PROP_BYTES: {
                int r = sd_bus_message_open_container(m, 'r', "sv");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", pr->name);
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'v', "ay");
                if (r >= 0)
                        r = sd_bus_message_append_array(m, 'y', pr->bytes, pr->n);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                return r;
        }
        }
        return -EINVAL;
}

int ur_props_append(sd_bus_message *m, const struct ur_props *p, char *const *skip)
{
        int r = sd_bus_message_open_container(m, 'a', "(sv)");

        for (size_t i = 0; r >= 0 && i < p->n; i++) {
                if (skip && ur_strv_contains(skip, p->v[i].name))
                        continue;
                r = append_one(m, &p->v[i]);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}
