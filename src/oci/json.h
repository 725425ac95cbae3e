/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Internal to src/oci: bounded, strict JSON parsing with typed accessors
 * whose errors name the document and the key ("config.json: process.args[2]:
 * expected a string").  A JSON null counts as absent.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "util/error.h"

#define UR_JSON_MAX_DEPTH 64

/* Parse text[0..len) (strict RFC 8259, nesting bounded, no NUL bytes, no
 * trailing data).  Errors: "NAME: malformed JSON at line L column C: why". */
int ur_oci_json_parse(const char *text, size_t len, const char *name, struct json_object **ret,
                      struct ur_err **err);

struct ur_jctx {
        const char *name; /* document name for messages, "config.json" */
        struct ur_err **err;
};

/* Each getter returns 0 when the key is absent or null, 1 when present
 * (and *ret set), negative on a type error.  path is the dotted path of
 * the object holding key ("" for the top level). */
int ur_jget(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key, json_type type,
            struct json_object **ret);
int ur_jget_string(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key, char **ret);
int ur_jget_bool(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key, bool *ret);
int ur_jget_int64(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key, int64_t *ret);
int ur_jget_uint64(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key, uint64_t *ret);
/* An array of strings, NULL-terminated. */
int ur_jget_strv(struct ur_jctx *c, struct json_object *obj, const char *path, const char *key, char ***ret);

/* A copy of the string value o, checking type and for embedded NULs;
 * what names the value in messages. */
int ur_jstring(struct ur_jctx *c, struct json_object *o, const char *what, char **ret);
const char *ur_jtype_name(json_type t);
