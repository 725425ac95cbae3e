/* SPDX-License-Identifier: Apache-2.0 */
#include "oci/metadata.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oci/json.h"
#include "vm/pairs.h"
#include "util/base64.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/parse.h"
#include "util/path.h"

enum {
        K_TYPE,
        K_HYPERVISOR,
        K_BINARY,
        K_CMDLINE,
        K_VERSION,
        K_INITRD,
        K_BLOCK,
        K_BLKMNT,
        K_USEDM,
        K_MOUNTROOTFS,
        K_NETDEV,
        K_BLKDEV,
        K_MAX,
};

static const char *const key_names[K_MAX] = {
        [K_TYPE] = UR_ANNOT_PREFIX "unikernelType",
        [K_HYPERVISOR] = UR_ANNOT_PREFIX "hypervisor",
        [K_BINARY] = UR_ANNOT_PREFIX "binary",
        [K_CMDLINE] = UR_ANNOT_PREFIX "cmdline",
        [K_VERSION] = UR_ANNOT_PREFIX "unikernelVersion",
        [K_INITRD] = UR_ANNOT_PREFIX "initrd",
        [K_BLOCK] = UR_ANNOT_PREFIX "block",
        [K_BLKMNT] = UR_ANNOT_PREFIX "blkMntPoint",
        [K_USEDM] = UR_ANNOT_PREFIX "useDMBlock",
        [K_MOUNTROOTFS] = UR_ANNOT_PREFIX "mountRootfs",
        [K_NETDEV] = UR_ANNOT_PREFIX "solo5NetDev",
        [K_BLKDEV] = UR_ANNOT_PREFIX "solo5BlkDev",
};

void ur_metadata_free(struct ur_metadata *md)
{
        if (!md)
                return;
        free(md->source);
        free(md->unikernel_type);
        free(md->hypervisor);
        free(md->binary);
        free(md->cmdline);
        free(md->unikernel_version);
        free(md->initrd);
        free(md->block);
        free(md->block_mnt_point);
        free(md->solo5_net_dev);
        free(md->solo5_blk_dev);
        free(md->binary_path);
        free(md->initrd_path);
        free(md->block_path);
        free(md);
}

/* Decode one UTF-8 sequence at s (n bytes left); returns its length and
 * the code point, or 0 when invalid (overlong, surrogate, > U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
        unsigned c = s[0], min;
        size_t len;

        if (c < 0x80) {
                *cp = c;
                return 1;
        }
        if ((c & 0xe0) == 0xc0) {
                len = 2;
                c &= 0x1f;
                min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
                len = 3;
                c &= 0x0f;
                min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
                len = 4;
                c &= 0x07;
                min = 0x10000;
        } else
                return 0;
        if (n < len)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                return 0;
        *cp = c;
        return len;
}

/* Printable text: valid UTF-8 with no control characters other than tab,
 * newline and carriage return (no NUL, no DEL, no C1 controls). */
static bool is_text(const unsigned char *s, size_t n)
{
        for (size_t i = 0; i < n;) {
                unsigned cp;
                size_t l = utf8_seq(s + i, n - i, &cp);

                if (l == 0)
                        return false;
                if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7f && cp < 0xa0))
                        return false;
                i += l;
        }
        return true;
}

/* what names the value in messages, e.g. "annotation 'com.urunc.unikernel.binary'". */
static int decode_value(const char *what, const char *value, char **ret, bool *ret_decoded,
                        struct ur_err **err)
{
        unsigned char *buf = NULL;
        size_t n, len = strlen(value);
        char *copy;

        if (strncmp(value, "b64:", 4) == 0) {
                int r = ur_base64_decode(value + 4, len - 4, &buf, &n);
                if (r == -ENOMEM)
                        return ur_err_set(err, ENOMEM, "%s", what);
                if (r < 0)
                        return ur_err_set(err, 0, "%s: value '%s' is not valid base64 after the 'b64:' prefix",
                                          what, value);
                if (!is_text(buf, n)) {
                        free(buf);
                        return ur_err_set(err, 0, "%s: value '%s' decodes to binary data, not text", what, value);
                }
                *ret = (char *) buf;
                *ret_decoded = true;
                return 0;
        }
        if (len > 0 && ur_base64_decode(value, len, &buf, &n) == 0) {
                if (n > 0 && is_text(buf, n)) {
                        *ret = (char *) buf;
                        *ret_decoded = true;
                        return 0;
                }
                free(buf);
        }
        copy = strdup(value);
        if (!copy)
                return ur_err_set(err, ENOMEM, "%s", what);
        *ret = copy;
        *ret_decoded = false;
        return 0;
}

int ur_metadata_decode(const char *key, const char *value, char **ret, struct ur_err **err)
{
        _cleanup_free_ char *what = NULL;
        bool decoded;

        if (!value)
                return ur_err_set(err, EINVAL, "key '%s': no value", key ? key : "");
        if (asprintf(&what, "key '%s'", key ? key : "") < 0)
                return ur_err_set(err, ENOMEM, "key '%s'", key ? key : "");
        return decode_value(what, value, ret, &decoded, err);
}

struct source {
        const char *name;        /* "annotations" or "/urunc.json", for messages */
        bool json;
        char *raw[K_MAX];        /* as found (owned copies), NULL = absent */
        char *val[K_MAX];        /* decoded */
        bool decoded[K_MAX];
        char what[K_MAX][96];    /* "annotation 'KEY'" / "/urunc.json key 'KEY'" */
};

static void source_done(struct source *s)
{
        for (int k = 0; k < K_MAX; k++) {
                free(s->raw[k]);
                free(s->val[k]);
        }
}

static void source_init(struct source *s, bool json)
{
        memset(s, 0, sizeof(*s));
        s->json = json;
        s->name = json ? "/" UR_URUNC_JSON : "annotations";
        for (int k = 0; k < K_MAX; k++)
                snprintf(s->what[k], sizeof(s->what[k]), json ? "/" UR_URUNC_JSON " key '%s'" : "annotation '%s'",
                         key_names[k]);
}

/* " (decoded from 'RAW')" when the value was base64, for messages. */
static const char *origin(const struct source *s, int k, char *buf, size_t size)
{
        if (!s->decoded[k])
                return "";
        snprintf(buf, size, " (decoded from '%s')", s->raw[k]);
        return buf;
}

static int from_annotations(const struct ur_spec *spec, struct source *s, struct ur_err **err)
{
        int found = 0;

        for (int k = 0; k < K_MAX; k++) {
                const char *v = ur_spec_annotation(spec, key_names[k]);
                /* An empty value counts as absent, as upstream treats it. */
                if (!v || !*v)
                        continue;
                s->raw[k] = strdup(v);
                if (!s->raw[k])
                        return ur_err_set(err, ENOMEM, "annotations");
                found++;
        }
        return found;
}

static int from_urunc_json(const struct ur_spec *spec, struct source *s, struct ur_err **err)
{
        _cleanup_free_ char *path = NULL, *text = NULL;
        struct json_object *root = NULL;
        struct ur_jctx c = {.name = "/" UR_URUNC_JSON, .err = err};
        size_t len;
        int r, found = 0;

        if (!spec->root_path)
                return 0;
        r = ur_path_resolve_regular_in_root(spec->root_path, "/" UR_URUNC_JSON, &path, err);
        if (r == -ENOENT) {
                /* No metadata file (or no rootfs): not a unikernel. */
                ur_err_free(err);
                return 0;
        }
        if (r < 0)
                return ur_err_wrap(err, "reading unikernel metadata");
        r = ur_read_file(path, UR_URUNC_JSON_MAX_SIZE, &text, &len, err);
        if (r < 0)
                return ur_err_wrap(err, "reading unikernel metadata /" UR_URUNC_JSON);
        r = ur_oci_json_parse(text, len, c.name, &root, err);
        if (r < 0)
                return r;
        if (!json_object_is_type(root, json_type_object)) {
                r = ur_err_set(err, 0, "%s: expected a JSON object, got %s", c.name,
                               ur_jtype_name(json_object_get_type(root)));
                goto out;
        }
        for (int k = 0; k < K_MAX; k++) {
                struct json_object *v = NULL;

                if (!json_object_object_get_ex(root, key_names[k], &v) || !v)
                        continue;
                /* Booleans may also be written as JSON booleans. */
                if ((k == K_USEDM || k == K_MOUNTROOTFS) && json_object_is_type(v, json_type_boolean)) {
                        s->raw[k] = strdup(json_object_get_boolean(v) ? "true" : "false");
                        if (!s->raw[k]) {
                                r = ur_err_set(err, ENOMEM, "%s", c.name);
                                goto out;
                        }
                } else {
                        r = ur_jstring(&c, v, s->what[k] + strlen("/" UR_URUNC_JSON " "), &s->raw[k]);
                        if (r < 0)
                                goto out;
                }
                if (!*s->raw[k]) {
                        free(s->raw[k]);
                        s->raw[k] = NULL;
                        continue;
                }
                found++;
        }
        r = found;
out:
        json_object_put(root);
        return r;
}

static int check_name(const struct source *s, int k, const char *const *known, const char *kind,
                      struct ur_err **err)
{
        char buf[256], names[256] = "";
        size_t n = 0;

        for (const char *const *p = known; *p; p++) {
                if (strcmp(*p, s->val[k]) == 0)
                        return 0;
                int w = snprintf(names + n, sizeof(names) - n, "%s%s", p == known ? "" : ", ", *p);
                n = w > 0 && (size_t) w < sizeof(names) - n ? n + (size_t) w : sizeof(names) - 1;
        }
        return ur_err_set(err, 0, "%s: unknown %s '%s'%s (known: %s)", s->what[k], kind, s->val[k],
                          origin(s, k, buf, sizeof(buf)), names);
}

static int parse_bool(const struct source *s, int k, bool *ret, struct ur_err **err)
{
        const char *v = s->val[k];
        char buf[256];

        if (!v)
                return 0;
        if (ur_parse_bool(v, UR_BOOL_NUMERIC, ret) < 0)
                return ur_err_set(err, 0, "%s: expected true, false, 1 or 0, got '%s'%s", s->what[k], v,
                                  origin(s, k, buf, sizeof(buf)));
        return 0;
}

/*
 * Resolve a metadata path inside the rootfs: a regular file only.  The
 * monitor opens these read-write (block) or reads them (kernel, initrd), so
 * a device node in the image would hand it a host disk.
 */
static int resolve_file(const struct ur_spec *spec, const struct source *s, int k, char **ret,
                        struct ur_err **err)
{
        _cleanup_free_ char *host = NULL;
        const char *v = s->val[k];
        char buf[256];

        if (!v)
                return 0;
        if (v[0] != '/')
                return ur_err_set(err, 0, "%s: path '%s'%s is not absolute (it is a path inside the rootfs)",
                                  s->what[k], v, origin(s, k, buf, sizeof(buf)));
        if (!spec->root_path)
                return ur_err_set(err, 0, "%s: path '%s': the spec has no root.path", s->what[k], v);
        if (ur_path_resolve_regular_in_root(spec->root_path, v, &host, err) < 0)
                return ur_err_wrap(err, "%s", s->what[k]);
        *ret = TAKE_PTR(host);
        return 0;
}

/* A Solo5 device name: what a manifest entry can hold and the tenders'
 * --net:NAME= / --block:NAME= options accept: 1..67 letters and digits. */
static int check_solo5_name(const struct source *s, int k, struct ur_err **err)
{
        const char *v = s->val[k];
        char buf[256];

        if (!v)
                return 0;
        if (strlen(v) > 67)
                return ur_err_set(err, 0, "%s: '%s'%s is longer than a Solo5 device name (67 characters)",
                                  s->what[k], v, origin(s, k, buf, sizeof(buf)));
        for (const char *c = v; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
                        return ur_err_set(err, 0,
                                          "%s: '%s'%s is not a Solo5 device name (letters and digits only)",
                                          s->what[k], v, origin(s, k, buf, sizeof(buf)));
        return 0;
}

static int build(const struct ur_spec *spec, struct source *s, struct ur_metadata **ret, struct ur_err **err)
{
        _cleanup_metadata_ struct ur_metadata *md = NULL;
        for (int k = 0; k < K_MAX; k++) {
                if (!s->raw[k])
                        continue;
                if (decode_value(s->what[k], s->raw[k], &s->val[k], &s->decoded[k], err) < 0)
                        return -1;
        }
        for (int k = K_TYPE; k <= K_BINARY; k++)
                if (!s->val[k] || !*s->val[k])
                        return ur_err_set(err, 0, "%s: missing required key '%s'", s->name, key_names[k]);
        if (check_name(s, K_TYPE, ur_pair_guest_names, "unikernel type", err) < 0 ||
            check_name(s, K_HYPERVISOR, ur_pair_vmm_names, "hypervisor", err) < 0)
                return -1;
        if (!ur_pair_supported(s->val[K_TYPE], s->val[K_HYPERVISOR])) {
                /* The decoded values, each with where it came from. */
                char b1[256] = "", b2[256] = "";
                if (s->decoded[K_TYPE])
                        snprintf(b1, sizeof(b1), ", decoded from '%s'", s->raw[K_TYPE]);
                if (s->decoded[K_HYPERVISOR])
                        snprintf(b2, sizeof(b2), ", decoded from '%s'", s->raw[K_HYPERVISOR]);
                return ur_err_set(err, 0, "unikernel type '%s' is not supported on hypervisor '%s' (%s%s; %s%s)",
                                  s->val[K_TYPE], s->val[K_HYPERVISOR], s->what[K_TYPE], b1, s->what[K_HYPERVISOR],
                                  b2);
        }

        md = calloc(1, sizeof(*md));
        if (!md)
                return ur_err_set(err, ENOMEM, "unikernel metadata");
        if (parse_bool(s, K_USEDM, &md->use_dm_block, err) < 0 ||
            parse_bool(s, K_MOUNTROOTFS, &md->mount_rootfs, err) < 0 ||
            check_solo5_name(s, K_NETDEV, err) < 0 || check_solo5_name(s, K_BLKDEV, err) < 0)
                return -1;
        if (resolve_file(spec, s, K_BINARY, &md->binary_path, err) < 0 ||
            resolve_file(spec, s, K_INITRD, &md->initrd_path, err) < 0 ||
            resolve_file(spec, s, K_BLOCK, &md->block_path, err) < 0)
                return -1;

        md->source = strdup(s->json ? UR_URUNC_JSON : "annotations");
        if (!md->source)
                return ur_err_set(err, ENOMEM, "unikernel metadata");
        md->unikernel_type = TAKE_PTR(s->val[K_TYPE]);
        md->hypervisor = TAKE_PTR(s->val[K_HYPERVISOR]);
        md->binary = TAKE_PTR(s->val[K_BINARY]);
        md->cmdline = TAKE_PTR(s->val[K_CMDLINE]);
        md->unikernel_version = TAKE_PTR(s->val[K_VERSION]);
        md->initrd = TAKE_PTR(s->val[K_INITRD]);
        md->block = TAKE_PTR(s->val[K_BLOCK]);
        md->block_mnt_point = TAKE_PTR(s->val[K_BLKMNT]);
        md->solo5_net_dev = TAKE_PTR(s->val[K_NETDEV]);
        md->solo5_blk_dev = TAKE_PTR(s->val[K_BLKDEV]);
        *ret = TAKE_PTR(md);
        return 1;
}

bool ur_spec_is_sandbox(const struct ur_spec *spec)
{
        static const char *const keys[] = {UR_ANNOT_CRI_CONTAINER_TYPE, UR_ANNOT_CRIO_CONTAINER_TYPE};

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const char *v = ur_spec_annotation(spec, keys[i]);
                if (v && strcmp(v, UR_CRI_SANDBOX) == 0)
                        return true;
        }
        return false;
}

int ur_metadata_load(const struct ur_spec *spec, struct ur_metadata **ret, struct ur_err **err)
{
        struct ur_metadata *md = NULL;
        struct source s;
        int r;

        if (ur_spec_is_sandbox(spec)) {
                *ret = NULL;
                return 0;
        }
        source_init(&s, false);
        r = from_annotations(spec, &s, err);
        if (r == 0) {
                source_init(&s, true);
                r = from_urunc_json(spec, &s, err);
        }
        if (r > 0)
                r = build(spec, &s, &md, err);
        source_done(&s);
        if (r >= 0)
                *ret = md; /* NULL when there is no metadata */
        return r;
}
