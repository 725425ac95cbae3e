/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's exit status from how its monitor ended (man/urunc.8,
 * EXIT STATUS).  Pure: the supervisor gathers the facts.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guest/guest.h"
#include "vmm/vmm.h"
#include "util/cleanup.h"

static char *sentence(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *sentence(const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        return s;
}

static const char *vm_state_why(const char *state)
{
        if (ur_streq(state, "internal-error"))
                return "the accelerator could not run the guest (with KVM: an instruction it cannot emulate, "
                       "or a triple fault); see QEMU's own message";
        if (ur_streq(state, "guest-panicked"))
                return "the guest reported a panic";
        if (ur_streq(state, "shutdown"))
                return "the guest shut down or reset and QEMU was told to keep the VM (-no-shutdown)";
        if (ur_streq(state, "io-error"))
                return "a disk I/O error";
        if (ur_streq(state, "watchdog"))
                return "the guest's watchdog fired";
        return "it will not run again";
}

int ur_exit_status(const char *monitor, const char *guest_name, const struct ur_exit_facts *f, char **ret_why)
{
        const struct ur_guest_ops *guest = ur_guest_find(guest_name);
        const char *mon = monitor ? monitor : "monitor";
        int q;

        if (f->vm_stopped) {
                *ret_why = sentence("QEMU stopped the VM for good (%s: %s): urunc killed it", f->vm_stopped,
                                    vm_state_why(f->vm_stopped));
                return UR_EXIT_CRASH;
        }
        if (WIFSIGNALED(f->wstatus)) {
                int sig = WTERMSIG(f->wstatus);
                if (sig == SIGSYS)
                        *ret_why =
                                sentence("monitor '%s' was killed by seccomp (SIGSYS): a system call outside the "
                                         "monitor's policy",
                                         mon);
                else if (sigabbrev_np(sig))
                        *ret_why = sentence("monitor '%s' was killed by SIG%s", mon, sigabbrev_np(sig));
                else
                        *ret_why = sentence("monitor '%s' was killed by signal %d", mon, sig);
                return 128 + sig;
        }
        q = WIFEXITED(f->wstatus) ? WEXITSTATUS(f->wstatus) : 255;
        if (ur_streq(monitor, "qemu")) {
                if (f->guest_panicked) {
                        *ret_why =
                                sentence("the guest panicked (QEMU reported GUEST_PANICKED) and QEMU exited "
                                         "with status %d",
                                         q);
                        return UR_EXIT_CRASH;
                }
                for (const struct ur_qemu_exit *e = guest ? guest->qemu_exits : NULL; e && e->what; e++)
                        if (e->qemu == q) {
                                *ret_why = sentence("%s; QEMU exited with status %d", e->what, q);
                                return e->status;
                        }
        }
        *ret_why = sentence("monitor '%s' exited with status %d", mon, q);
        return q;
}
