/* SPDX-License-Identifier: Apache-2.0 */
/* no-clone3 CMD [ARG...]: run CMD with clone3() failing with ENOSYS, as
 * under a container engine's seccomp profile or on a kernel before 5.3
 * (the runtime must then fall back to clone + a cgroup.procs write). */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        scmp_filter_ctx f;
        int r;

        if (argc < 2) {
                fprintf(stderr, "usage: no-clone3 CMD [ARG...]\n");
                return 2;
        }
        f = seccomp_init(SCMP_ACT_ALLOW);
        if (!f) {
                fprintf(stderr, "no-clone3: seccomp_init failed\n");
                return 1;
        }
        r = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), seccomp_syscall_resolve_name("clone3"), 0);
        if (r == 0)
                r = seccomp_load(f);
        seccomp_release(f);
        if (r < 0) {
                fprintf(stderr, "no-clone3: seccomp: %s\n", strerror(-r));
                return 1;
        }
        execvp(argv[1], argv + 1);
        fprintf(stderr, "no-clone3: exec '%s': %s\n", argv[1], strerror(errno));
        return 127;
}
