/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A monitor stand-in for the seccomp test (hardening.sh): configured as
 * qemu's binary_path, it receives QEMU's argv, prints a line, then makes
 * the syscall named by "syscall=NAME" in the -append text (default
 * kexec_load), which no monitor policy allows, prints whether it survived
 * and exits 0.  Under the policy it is killed by SIGSYS before the second
 * line.  Names: kexec_load, ptrace, mount, unshare.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        const char *name = "kexec_load";
        long r;

        for (int i = 1; i + 1 < argc; i++)
                if (strcmp(argv[i], "-append") == 0) {
                        const char *s = strstr(argv[i + 1], "syscall=");
                        static char buf[32];
                        if (s) {
                                snprintf(buf, sizeof(buf), "%s", s + 8);
                                buf[strcspn(buf, " ")] = '\0';
                                name = buf;
                        }
                }
        printf("stand-in: calling %s\n", name);
        fflush(stdout);
        if (strcmp(name, "ptrace") == 0)
                r = syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
        else if (strcmp(name, "mount") == 0)
                r = syscall(SYS_mount, "none", "/", "tmpfs", 0, 0);
        else if (strcmp(name, "unshare") == 0)
                r = syscall(SYS_unshare, 0);
        else
                r = syscall(SYS_kexec_load, 0, 0, 0, 0);
        printf("stand-in: survived %s (%ld, %s)\n", name, r, r < 0 ? strerror(errno) : "ok");
        return 0;
}
