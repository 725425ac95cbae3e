/* SPDX-License-Identifier: Apache-2.0 */
#include "oci/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/strv.h"

static void line_col(const char *text, size_t off, size_t *line, size_t *col)
{
        size_t l = 1, start = 0;

        for (size_t i = 0; i < off; i++)
                if (text[i] == '\n') {
                        l++;
                        start = i + 1;
                }
        *line = l;
        *col = off - start + 1;
}

int ur_oci_json_parse(const char *text, size_t len, const char *name, struct json_object **ret,
                      struct ur_err **err)
{
        struct json_tokener *tok;
        struct json_object *obj;
        enum json_tokener_error jerr;
        size_t line, col, end;
        const char *nul;

        nul = memchr(text, '\0', len);
        if (nul) {
                line_col(text, (size_t) (nul - text), &line, &col);
                return ur_err_set(err, 0, "%s: malformed JSON at line %zu column %zu: NUL byte", name, line, col);
        }
        if (len > INT32_MAX)
                return ur_err_set(err, EFBIG, "%s", name);

        tok = json_tokener_new_ex(UR_JSON_MAX_DEPTH);
        if (!tok)
                return ur_err_set(err, ENOMEM, "%s", name);
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        obj = json_tokener_parse_ex(tok, text, (int) len);
        jerr = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        if (jerr == json_tokener_continue && !obj) {
                /* The input is complete: a NUL tells the tokener so (a
                 * top-level number, say, could otherwise continue). */
                obj = json_tokener_parse_ex(tok, "", 1);
                jerr = json_tokener_get_error(tok);
                if (jerr != json_tokener_success)
                        jerr = json_tokener_continue;
                end = len;
        }
        json_tokener_free(tok);

        if (jerr == json_tokener_continue || (jerr == json_tokener_success && !obj && end >= len)) {
                json_object_put(obj);
                line_col(text, len, &line, &col);
                return ur_err_set(err, 0, "%s: malformed JSON at line %zu column %zu: unexpected end of data",
                                  name, line, col);
        }
        if (jerr != json_tokener_success) {
                json_object_put(obj);
                /* The tokener stops at the offending character. */
                line_col(text, end < len ? end : len, &line, &col);
                return ur_err_set(err, 0, "%s: malformed JSON at line %zu column %zu: %s", name, line, col,
                                  json_tokener_error_desc(jerr));
        }
        for (size_t i = end; i < len; i++)
                if (!strchr(" \t\r\n", text[i])) {
                        json_object_put(obj);
                        line_col(text, i, &line, &col);
                        return ur_err_set(err, 0, "%s: malformed JSON at line %zu column %zu: trailing data",
                                          name, line, col);
                }
        *ret = obj;
        return 0;
}

const char *ur_jtype_name(json_type t)
{
        switch (t) {
        case json_type_null:
                return "null";
        case json_type_boolean:
                return "a boolean";
        case json_type_double:
                return "a number";
        case json_type_int:
                return "an integer";
        case json_type_object:
                return "an object";
        case json_type_array:
                return "an array";
        case json_type_string:
                return "a string";
        }
        return "?";
}

static const char *sep(const char *path)
{
        return path && *path ? "." : "";
}

int ur_jget(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key, json_type type,
            struct json_object **ret)
{
        struct json_object *v = NULL;

        if (!obj || !json_object_object_get_ex(obj, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, type))
                return ur_err_set(c->err, 0, "%s: %s%s%s: expected %s, got %s", c->name, path ? path : "",
                                  sep(path), key, ur_jtype_name(type), ur_jtype_name(json_object_get_type(v)));
        *ret = v;
        return 1;
}

int ur_jstring(struct ur_jctx *c, struct json_object *o, const char *what, char **ret)
{
        const char *s;
        char *copy;

        if (!json_object_is_type(o, json_type_string))
                return ur_err_set(c->err, 0, "%s: %s: expected a string, got %s", c->name, what,
                                  ur_jtype_name(json_object_get_type(o)));
        s = json_object_get_string(o);
        if ((size_t) json_object_get_string_len(o) != strlen(s))
                return ur_err_set(c->err, 0, "%s: %s: string contains a NUL character", c->name, what);
        copy = strdup(s);
        if (!copy)
                return ur_err_set(c->err, ENOMEM, "%s: %s", c->name, what);
        *ret = copy;
        return 0;
}

int ur_jget_string(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key, char **ret)
{
        struct json_object *v;
        char what[512];
        int r;

        r = ur_jget(c, obj, path, key, json_type_string, &v);
        if (r <= 0)
                return r;
        snprintf(what, sizeof(what), "%s%s%s", path ? path : "", sep(path), key);
        free(*ret);
        *ret = NULL;
        r = ur_jstring(c, v, what, ret);
        return r < 0 ? r : 1;
}

int ur_jget_bool(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key, bool *ret)
{
        struct json_object *v;
        int r;

        r = ur_jget(c, obj, path, key, json_type_boolean, &v);
        if (r <= 0)
                return r;
        *ret = json_object_get_boolean(v);
        return 1;
}

int ur_jget_int64(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key, int64_t *ret)
{
        struct json_object *v;
        int r;

        r = ur_jget(c, obj, path, key, json_type_int, &v);
        if (r <= 0)
                return r;
        /* Values above INT64_MAX saturate, which for limits means "huge". */
        *ret = json_object_get_int64(v);
        return 1;
}

int ur_jget_uint64(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key, uint64_t *ret)
{
        struct json_object *v;
        int r;

        r = ur_jget(c, obj, path, key, json_type_int, &v);
        if (r <= 0)
                return r;
        if (json_object_get_int64(v) < 0)
                return ur_err_set(c->err, 0, "%s: %s%s%s: negative value %" PRId64 " not allowed", c->name,
                                  path ? path : "", sep(path), key, json_object_get_int64(v));
        *ret = json_object_get_uint64(v);
        return 1;
}

int ur_jget_strv(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key, char ***ret)
{
        _cleanup_strv_ char **v = NULL;
        struct json_object *a;
        size_t n;
        int r;

        r = ur_jget(c, obj, path, key, json_type_array, &a);
        if (r <= 0)
                return r;
        n = json_object_array_length(a);
        v = calloc(n + 1, sizeof(char *));
        if (!v)
                return ur_err_set(c->err, ENOMEM, "%s: %s%s%s", c->name, path ? path : "", sep(path), key);
        for (size_t i = 0; i < n; i++) {
                char what[512];

                snprintf(what, sizeof(what), "%s%s%s[%zu]", path ? path : "", sep(path), key, i);
                r = ur_jstring(c, json_object_array_get_idx(a, i), what, &v[i]);
                if (r < 0)
                        return r;
        }
        ur_strv_free(*ret);
        *ret = TAKE_PTR(v);
        return 1;
}
