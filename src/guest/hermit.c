/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hermit (hermit-os kernel, booted by its multiboot loader on qemu with the
 * application as the initrd):
 *
 *   [env=HERMIT_IP=<ip> env=HERMIT_GATEWAY=<gw> env=HERMIT_MASK=<mask>]
 *   [env=K=V ...] [-- <args>]
 *
 * The Hermit kernel reads its network configuration from the variables
 * HERMIT_IP/HERMIT_GATEWAY/HERMIT_MASK, which `env=` words on its command
 * line set at run time.  (Upstream urunc's pending Hermit support writes
 * `ip=<ip>/<prefix> gateway=<gw>`, which the kernel does not read.)  The
 * kernel supplies the application's argv[0] itself, so the whole container
 * argv follows "--" (as upstream).  The kernel splits its command line
 * with shell_words::split (POSIX shell rules), so words are quoted as a
 * shell would (ur_quote_shell): every argv element, the empty one and "--"
 * included, arrives as it is.
 */
#include <errno.h>
#include <stdlib.h>

#include "guest/common.h"
#include "guest/guest.h"
#include "util/cleanup.h"
#include "util/strv.h"

static int hermit_cmdline(const struct ur_vm *vm, char **ret, struct ur_err **err)
{
        _cleanup_strv_ char **args = NULL;
        if (ur_guest_argv(vm, &args, err) < 0)
                return ur_err_wrap(err, "hermit guest");
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return ur_err_set(err, ENOMEM, "hermit command line");
        int r = 0;
        if (vm->net.enabled) {
                r |= ur_strv_addf(&v, "env=HERMIT_IP=%s", vm->net.ip);
                if (vm->net.gateway[0])
                        r |= ur_strv_addf(&v, "env=HERMIT_GATEWAY=%s", vm->net.gateway);
                r |= ur_strv_addf(&v, "env=HERMIT_MASK=%s", vm->net.netmask);
        }
        if (r < 0)
                return ur_err_set(err, ENOMEM, "hermit command line");
        for (char **e = vm->env; e && *e; e++) {
                _cleanup_free_ char *w = NULL;
                if (asprintf(&w, "env=%s", *e) < 0)
                        return ur_err_set(err, ENOMEM, "hermit command line");
                if (ur_words_add(&v, ur_quote_shell, "hermit", "environment entry", w, err) < 0)
                        return -1;
        }
        if (args[0]) {
                if (ur_strv_add(&v, "--") < 0)
                        return ur_err_set(err, ENOMEM, "hermit command line");
                if (ur_words_add_args(&v, ur_quote_shell, "hermit", args, 0, err) < 0)
                        return -1;
        }
        return ur_words_join(v, "hermit", ret, err);
}

/*
 * Hermit's QEMU exit protocol (its x86_64 shutdown): 1 to the isa-debug-exit
 * at port 0xf4 for exit code 0, 0 for any other, so QEMU exits 3 or 1 (1 is
 * also what QEMU itself exits with when it fails: either way a failure).
 */
static const struct ur_qemu_exit hermit_exits[] = {
        { 3, 0, "the guest exited with code 0 (Hermit's success code 1 on port 0xf4)" },
        { 1, 1, "the guest failed (Hermit's failure code 0 on port 0xf4), or QEMU did" },
        { 0, 0, NULL },
};

const struct ur_guest_ops ur_guest_hermit = {
        .name = "hermit",
        .cmdline = hermit_cmdline,
        .qemu_exits = hermit_exits,
        .qemu_pci_props = "disable-legacy=on",
};
