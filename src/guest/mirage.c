/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MirageOS: `[--ipv4=<ip>/<prefix> [--ipv4-gateway=<gw>]] <args>`
 * (COMPAT.md §4).  On solo5 the devices are named after the image's default
 * manifest: network "service", block "storage".  The arguments are the
 * whole argv (Mirage has no argv[0]; its images carry options only), as
 * upstream does.  mirage-bootvar splits the line at blanks outside "…" with
 * \ escaping the next character (Parse_argv), so blanks, '"' and '\' are
 * written with a backslash (ur_quote_mirage); an empty argument, which it
 * drops, is refused.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "guest/common.h"
#include "guest/guest.h"
#include "util/cleanup.h"
#include "util/strv.h"

static int mirage_cmdline(const struct ur_vm *vm, char **ret, struct ur_err **err)
{
        _cleanup_strv_ char **args = NULL;
        if (ur_guest_argv(vm, &args, err) < 0)
                return ur_err_wrap(err, "mirage guest");
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return ur_err_set(err, ENOMEM, "mirage command line");
        int r = 0;
        if (vm->net.enabled) {
                /* Mirage names a network's options after its device: the
                 * default "service" has plain --ipv4, another device NAME
                 * (annotation solo5NetDev, as upstream) --NAME-ipv4. */
                const char *dev = vm->solo5_net_dev;
                bool named = dev && *dev && strcmp(dev, "service") != 0;
                r |= ur_strv_addf(&v, "--%s%sipv4=%s/%u", named ? dev : "", named ? "-" : "", vm->net.ip,
                                  vm->net.prefix);
                if (vm->net.gateway[0])
                        r |= ur_strv_addf(&v, "--%s%sipv4-gateway=%s", named ? dev : "", named ? "-" : "",
                                          vm->net.gateway);
        }
        if (r < 0)
                return ur_err_set(err, ENOMEM, "mirage command line");
        if (ur_words_add_args(&v, ur_quote_mirage, "mirage", args, 0, err) < 0)
                return -1;
        return ur_words_join(v, "mirage", ret, err);
}

const struct ur_guest_ops ur_guest_mirage = {
        .name = "mirage",
        .cmdline = mirage_cmdline,
        .solo5_net = "service",
        .solo5_block = "storage",
        .takes_solo5_volumes = true,
};
