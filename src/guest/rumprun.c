/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rumprun (on solo5): the command line is a JSON document (COMPAT.md §4,
 * rumprun doc/config.md):
 *
 *   {"cmdline":"<argv>","env":"K=V",...,
 *    "net":{"if":"ukvmif0","cloner":"True","type":"inet","method":"static",
 *           "addr":"<ip>","mask":"1","gw":"<gw>"},
 *    "blk":{"source":"etfs","path":"/dev/ld0a","fstype":"blk",
 *           "mountpoint":"<mountpoint>"}}
 *
 * - "env" repeats, once per variable, which rumprun's parser expects and a
 *   JSON object model cannot hold: the document is written by hand, each
 *   string escaped by json-c (without escaping '/').
 * - The mask is forced to "1", as upstream does: rumprun adds the default
 *   route through "gw" and fails when the gateway is outside the
 *   interface's subnet, which is the usual case behind a container network
 *   that hands out /32 or a gateway on another subnet; a /1 makes the
 *   gateway on-link for any address in the same half of the IPv4 space.
 * - "blk" describes the first block device (solo5 name "rootfs", which
 *   rumprun sees as /dev/ld0a), mounted at its mountpoint (blkMntPoint;
 *   "/data" when none is given, upstream's mount point for a rumprun
 *   rootfs; "/" is refused: rumprun cannot mount anything there).
 * - "cmdline" is rumprun's argv (argv[0] first), joined by blanks.  Rumprun's
 *   JSON parser (jsmn) checks escapes but never undoes them, and
 *   rumprun_parseargs() then splits the raw text: ' and " group words, \
 *   escapes any character.  So each word is written in a form that is
 *   both valid JSON and right for the splitter (ur_quote_rumprun): '…' for
 *   blanks, \" and \\ for '"' and '\'; a ' (whose escape \' is not JSON)
 *   and control characters are refused.  The "env" values and the mount
 *   point arrive raw too: '"', '\' and control characters are refused there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "guest/common.h"
#include "guest/guest.h"
#include "util/cleanup.h"
#include "util/strv.h"

/* Appends "key":"<value escaped>" to *out (comma first unless first). */
static int add_str(char ***parts, const char *key, const char *value)
{
        json_object *k = json_object_new_string(key);
        json_object *o = json_object_new_string(value);
        int r = -1;
        if (k && o)
                r = ur_strv_addf(parts, "%s:%s",
                                 json_object_to_json_string_ext(k, JSON_C_TO_STRING_NOSLASHESCAPE),
                                 json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(k);
        json_object_put(o);
        return r;
}

static char *object(char **parts)
{
        _cleanup_free_ char *body = ur_strv_join(parts, ",");
        if (!body)
                return NULL;
        size_t l = strlen(body);
        char *s = malloc(l + 3);
        if (!s)
                return NULL;
        s[0] = '{';
        memcpy(s + 1, body, l);
        s[l + 1] = '}';
        s[l + 2] = '\0';
        return s;
}

/* Why s cannot be a JSON string value for rumprun, or NULL: jsmn hands
 * over the raw text between the quotes, so an escaped '"' or '\\' would
 * arrive with its backslash, and control characters are not JSON. */
static const char *raw_json_unfit(const char *s)
{
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        return "rumprun's JSON parser does not undo JSON escapes, so a '\"' or '\\' "
                               "would arrive with a backslash";
                if (*p < 0x20 || *p == 0x7f)
                        return "rumprun's JSON configuration cannot carry control characters";
        }
        return NULL;
}

static int rumprun_cmdline(const struct ur_vm *vm, char **ret, struct ur_err **err)
{
        _cleanup_strv_ char **args = NULL;
        if (ur_guest_argv(vm, &args, err) < 0)
                return ur_err_wrap(err, "rumprun guest");
        _cleanup_strv_ char **words = calloc(1, sizeof(char *));
        if (!words)
                return ur_err_set(err, ENOMEM, "rumprun configuration");
        if (ur_words_add_args(&words, ur_quote_rumprun, "rumprun", args, 0, err) < 0)
                return -1;
        /* The quoted words are valid JSON string content already: written
         * as they are, not escaped again. */
        _cleanup_free_ char *cmd = ur_strv_join(words, " ");
        _cleanup_strv_ char **top = calloc(1, sizeof(char *));
        if (!cmd || !top || ur_strv_addf(&top, "\"cmdline\":\"%s\"", cmd) < 0)
                return ur_err_set(err, ENOMEM, "rumprun configuration");

        for (char **e = vm->env; e && *e; e++) {
                const char *why = raw_json_unfit(*e);
                if (why)
                        return ur_err_set(err, 0, "rumprun guest: cannot pass environment entry '%s': %s", *e,
                                          why);
                if (add_str(&top, "env", *e) < 0)
                        return ur_err_set(err, ENOMEM, "rumprun configuration");
        }

        if (vm->net.enabled) {
                _cleanup_strv_ char **net = calloc(1, sizeof(char *));
                int r = net ? 0 : -1;
                r |= add_str(&net, "if", "ukvmif0");
                r |= add_str(&net, "cloner", "True");
                r |= add_str(&net, "type", "inet");
                r |= add_str(&net, "method", "static");
                r |= add_str(&net, "addr", vm->net.ip);
                r |= add_str(&net, "mask", "1");
                if (vm->net.gateway[0])
                        r |= add_str(&net, "gw", vm->net.gateway);
                _cleanup_free_ char *o = r < 0 ? NULL : object(net);
                if (!o || ur_strv_addf(&top, "\"net\":%s", o) < 0)
                        return ur_err_set(err, ENOMEM, "rumprun configuration");
        }

        if (vm->n_blocks > 0) {
                const char *mp = vm->blocks[0].mountpoint ? vm->blocks[0].mountpoint : "/data";
                const char *why = raw_json_unfit(mp);
                if (strcmp(mp, "/") == 0)
                        why = "rumprun mounts nothing at '/' (its root is its own); upstream uses /data";
                if (why)
                        return ur_err_set(err, 0, "rumprun guest: cannot use block mount point '%s': %s", mp,
                                          why);
                _cleanup_strv_ char **blk = calloc(1, sizeof(char *));
                int r = blk ? 0 : -1;
                r |= add_str(&blk, "source", "etfs");
                r |= add_str(&blk, "path", "/dev/ld0a");
                r |= add_str(&blk, "fstype", "blk");
                r |= add_str(&blk, "mountpoint", mp);
                _cleanup_free_ char *o = r < 0 ? NULL : object(blk);
                if (!o || ur_strv_addf(&top, "\"blk\":%s", o) < 0)
                        return ur_err_set(err, ENOMEM, "rumprun configuration");
        }

        char *s = object(top);
        if (!s)
                return ur_err_set(err, ENOMEM, "rumprun configuration");
        *ret = s;
        return 0;
}

const struct ur_guest_ops ur_guest_rumprun = {
        .name = "rumprun",
        .cmdline = rumprun_cmdline,
        .solo5_net = "tap",
        .solo5_block = "rootfs",
};
