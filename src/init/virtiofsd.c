/* SPDX-License-Identifier: Apache-2.0 */
#include "init/virtiofsd.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmm/vmm.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strv.h"

#define SOCKET_WAIT_MS 5000

static _Noreturn void child(const char *bin, const char *src, const char *sock, bool ro, pid_t parent)
{
        char *const env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
        _cleanup_free_ char *a_sock = NULL, *a_src = NULL;
        sigset_t none;
        int devnull;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(127);
        /* A mount namespace of its own, always: the monitor process then
         * pivot_roots into its confined root, which would otherwise move
         * this daemon's root too (pivot_root moves every process of the
         * namespace whose root is the old one). */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
                fprintf(stderr, "urunc: virtiofsd: a mount namespace of its own: %s\n", strerror(errno));
                _exit(127);
        }
        if (ro && (mount(src, src, NULL, MS_BIND | MS_REC, NULL) < 0 ||
                   mount(NULL, src, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)) {
                fprintf(stderr, "urunc: virtiofsd: read-only bind of '%s': %s\n", src, strerror(errno));
                _exit(127);
        }
        devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
                dup2(devnull, STDIN_FILENO);
                dup2(devnull, STDOUT_FILENO);
        }
        syscall(SYS_close_range, 3U, ~0U, 0);
        if (asprintf(&a_sock, "--socket-path=%s", sock) < 0 || asprintf(&a_src, "source=%s", src) < 0)
                _exit(127);
        char *const argv[] = {(char *) bin, a_sock,           "-o", a_src, "-o", "sandbox=namespace",
                              "-o",         "log_level=warn", NULL};
        execve(bin, argv, env);
        fprintf(stderr, "urunc: exec virtiofsd '%s': %s\n", bin, strerror(errno));
        _exit(127);
}

static void kill_all(pid_t *pids, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                int st;
                kill(pids[i], SIGKILL);
                while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
                        ;
        }
}

/* Wait for the socket; the daemon's early exit is an error. */
static int wait_socket(pid_t pid, const char *sock, const char *src, struct ur_err **err)
{
        const struct timespec pause = {.tv_nsec = 5 * 1000 * 1000};
        for (int waited = 0;; waited += 5) {
                struct stat st;
                int status;
                if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
                        return 0;
                if (waitpid(pid, &status, WNOHANG) == pid)
                        return ur_err_set(err, 0,
                                          "virtiofsd for '%s' exited (%s %d) before making its socket", src,
                                          WIFEXITED(status) ? "status" : "signal",
                                          WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
                if (waited >= SOCKET_WAIT_MS)
                        return ur_err_set(err, ETIMEDOUT, "virtiofsd for '%s': no socket '%s' after %d ms",
                                          src, sock, SOCKET_WAIT_MS);
                nanosleep(&pause, NULL);
        }
}

int ur_virtiofsd_start(const struct ur_vm *vm, const char *sock_dir, uid_t uid, gid_t gid,
                       struct ur_err **err)
{
        pid_t pids[1 + 256];
        size_t n = 0;

        if (!vm->virtiofsd)
                return 0;
        if (mkdir(sock_dir, 0700) < 0 && errno != EEXIST)
                return ur_err_set(err, errno, "virtiofsd: mkdir '%s'", sock_dir);
        for (unsigned i = 0; i <= vm->n_shares; i++) {
                const char *src, *tag;
                bool ro;
                if (i == 0) {
                        if (!(vm->share_rootfs && vm->virtiofs))
                                continue;
                        src = vm->rootfs, tag = UR_ROOTFS_TAG, ro = vm->rootfs_readonly;
                } else {
                        const struct ur_vm_share *sh = &vm->shares[i - 1];
                        if (sh->kind != UR_SHARE_VIRTIOFS)
                                continue;
                        src = sh->source, tag = sh->tag, ro = sh->readonly;
                }
                if (n >= ELEMENTSOF(pids)) {
                        kill_all(pids, n);
                        return ur_err_set(err, 0, "virtiofsd: more than %zu shares", ELEMENTSOF(pids));
                }
                _cleanup_free_ char *sock = NULL;
                if (asprintf(&sock, "%s/" UR_VIRTIOFS_SOCK_FMT, sock_dir, tag) < 0) {
                        kill_all(pids, n);
                        return ur_err_set(err, ENOMEM, "virtiofsd");
                }
                unlink(sock);
                pid_t self = getpid(), pid = fork();
                if (pid < 0) {
                        kill_all(pids, n);
                        return ur_err_set(err, errno, "virtiofsd: fork");
                }
                if (pid == 0)
                        child(vm->virtiofsd, src, sock, ro, self);
                pids[n++] = pid;
                if (wait_socket(pid, sock, src, err) < 0) {
                        kill_all(pids, n);
                        return -1;
                }
                if (lchown(sock, uid, gid) < 0) {
                        int e = errno;
                        kill_all(pids, n);
                        return ur_err_set(err, e, "virtiofsd: chown '%s'", sock);
                }
                ur_log_debug("virtiofsd %d shares '%s' as '%s'%s", (int) pid, src, tag,
                             ro ? " (read-only)" : "");
        }
        return 0;
}
