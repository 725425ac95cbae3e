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
 * - "blk" describes the first block device (solo5 name "rootfs"), mounted
 *   at its mountpoint ("/data" when none is given).
 * - "cmdline" is rumprun's argv (argv[0] first), joined by blanks, words with
 *   blanks double-quoted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "guests/common.h"
#include "guests/guest.h"
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

static int rumprun_cmdline(const struct ur_vm *vm, char **ret, ur_err *err)
{
        _cleanup_strv_ char **args = NULL;
        if (ur_guest_argv(vm, &args, err) < 0)
                return ur_err_wrap(err, "rumprun guest");
        _cleanup_strv_ char **words = calloc(1, sizeof(char *));
        if (!words)
                return ur_err_set(err, ENOMEM, "rumprun configuration");
        for (size_t i = 0; args[i]; i++)
                if (ur_push_quoted(&words, args[i], "rumprun guest: argument", err) < 0)
                        return -1;
        _cleanup_free_ char *cmd = ur_strv_join(words, " ");
        _cleanup_strv_ char **top = calloc(1, sizeof(char *));
        if (!cmd || !top || add_str(&top, "cmdline", cmd) < 0)
                return ur_err_set(err, ENOMEM, "rumprun configuration");

        for (char **e = vm->env; e && *e; e++)
                if (add_str(&top, "env", *e) < 0)
                        return ur_err_set(err, ENOMEM, "rumprun configuration");

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
                _cleanup_strv_ char **blk = calloc(1, sizeof(char *));
                int r = blk ? 0 : -1;
                r |= add_str(&blk, "source", "etfs");
                r |= add_str(&blk, "path", "/dev/ld0a");
                r |= add_str(&blk, "fstype", "blk");
                r |= add_str(&blk, "mountpoint",
                             vm->blocks[0].mountpoint ? vm->blocks[0].mountpoint : "/data");
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
