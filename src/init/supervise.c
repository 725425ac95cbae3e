/* SPDX-License-Identifier: Apache-2.0 */
#include "init/supervise.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/vmm.h"
#include "util/proc.h"
#include "init/qmp.h"
#include "security/security.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/time.h"

/* After QEMU reported a VM stopped for good: how long it gets to exit by
 * itself before it is killed. */
#define GRACE_MS 200

void ur_supervise_signals(sigset_t *ret)
{
        sigfillset(ret);
        /* Not forwarded: those that cannot be caught, the job-control stops
         * (a terminal's ^Z must not stop the VMM behind the container's
         * back), the synchronous faults, and SIGPIPE (M's own writes). */
        sigdelset(ret, SIGKILL);
        sigdelset(ret, SIGSTOP);
        sigdelset(ret, SIGTSTP);
        sigdelset(ret, SIGTTIN);
        sigdelset(ret, SIGTTOU);
        sigdelset(ret, SIGSEGV);
        sigdelset(ret, SIGBUS);
        sigdelset(ret, SIGILL);
        sigdelset(ret, SIGFPE);
        sigdelset(ret, SIGTRAP);
        sigdelset(ret, SIGSYS);
        sigdelset(ret, SIGPIPE);
}

/* The one line that says why the container ended also goes to the
 * container's stderr when the end was abnormal: that is where an engine's
 * user looks (docker logs, kubectl logs, a foreground run). */
static void tell_stderr(const char *id, const char *why)
{
        char line[1024];
        int n = snprintf(line, sizeof(line), "urunc: container '%s': %s\n", id, why);

        if (n > 0)
                (void) !write(STDERR_FILENO, line, (size_t) n < sizeof(line) ? (size_t) n : sizeof(line) - 1);
}

static _Noreturn void finish(const struct ur_supervise *s, struct ur_qmp *q, int wstatus, const char *stopped)
{
        struct ur_exit_facts f = {
                .wstatus = wstatus, .vm_stopped = stopped, .guest_panicked = ur_qmp_panicked(q)};
        char *why = NULL;
        int status = ur_exit_status(s->monitor, s->guest, &f, &why);
        bool abnormal = stopped || f.guest_panicked ||
                        (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGSYS) || status == UR_EXIT_CRASH;

        if (abnormal) {
                ur_log_error("container '%s' exited with status %d: %s", s->id, status, why ? why : "");
                tell_stderr(s->id, why ? why : "the monitor ended abnormally");
        } else {
                ur_log_info("container '%s' exited with status %d: %s", s->id, status, why ? why : "");
        }
        _exit(status);
}

void ur_supervise_drop_privileges(const struct ur_security *sec, const char *id, pid_t child)
{
        _cleanup_err_ struct ur_err *e = NULL;

        if (ur_security_apply_supervisor(sec, child, &e) < 0)
                ur_log_warning("container '%s': the supervisor keeps (some of) its privileges: %s", id,
                               ur_err_msg(e));
}

_Noreturn void ur_supervise(const struct ur_supervise *s, const sigset_t *sigs)
{
        struct ur_qmp *q = NULL;
        const char *stopped = NULL;
        long long kill_at = -1;
        bool killed = false;
        int sfd;

        sfd = signalfd(-1, sigs, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                /* Cannot happen short of fd exhaustion; without it nothing
                 * is forwarded, but the VMM is still reaped and mapped. */
                int st;
                ur_log_warning("container '%s': signalfd: %s; signals are not forwarded", s->id,
                               strerror(errno));
                sigprocmask(SIG_UNBLOCK, sigs, NULL);
                while (waitpid(s->child, &st, 0) < 0 && errno == EINTR)
                        ;
                finish(s, NULL, st, NULL);
        }
        if (s->qmp_path)
                q = ur_qmp_new(s->qmp_path, ur_now_ms());

        for (;;) {
                struct pollfd p[2] = {{.fd = sfd, .events = POLLIN}, {.fd = ur_qmp_fd(q), .events = POLLIN}};
                long long now = ur_now_ms(), t = ur_qmp_timeout(q, now);
                int timeout;

                if (kill_at >= 0) {
                        long long left = kill_at > now ? kill_at - now : 0;
                        t = t < 0 || left < t ? left : t;
                }
                timeout = t < 0 ? -1 : t > 60000 ? 60000 : (int) t;
                if (poll(p, 2, timeout) < 0 && errno != EINTR)
                        ur_log_debug("poll: %s", strerror(errno));
                now = ur_now_ms();

                if (p[0].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                                if (si.ssi_signo != SIGCHLD) {
                                        kill(s->child, (int) si.ssi_signo);
                                        continue;
                                }
                                /* Reap everything: as the init of a pid
                                 * namespace M also inherits orphans. */
                                for (;;) {
                                        int st;
                                        pid_t r = waitpid(-1, &st, WNOHANG);
                                        if (r <= 0)
                                                break;
                                        /* The run state explains the end only
                                         * when it is why urunc killed it. */
                                        if (r == s->child)
                                                finish(s, q, st, killed ? stopped : NULL);
                                }
                        }
                }
                if (p[1].fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
                        ur_qmp_input(q);
                ur_qmp_tick(q, now);

                if (!stopped && ur_qmp_stopped_for_good(q)) {
                        stopped = ur_qmp_stopped_for_good(q);
                        ur_log_debug("container '%s': QEMU reports run state '%s'", s->id, stopped);
                        kill_at = now + GRACE_MS;
                }
                if (kill_at >= 0 && now >= kill_at) {
                        kill(s->child, SIGKILL);
                        killed = true;
                        kill_at = -1;
                }
        }
}
