/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause.c - the pod sandbox's process for the CRI system test (the role of
 * Kubernetes' pause image): hold the pod's namespaces, reap zombies, exit
 * 0 on SIGINT/SIGTERM.  Built static at test time and packed into an image
 * of its own (/pause), so the test needs no registry.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_term(int sig)
{
        (void) sig;
        _exit(0);
}

static void on_chld(int sig)
{
        (void) sig;
        while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
}

int main(void)
{
        struct sigaction term = {.sa_handler = on_term},
                         chld = {.sa_handler = on_chld, .sa_flags = SA_NOCLDSTOP};

        sigaction(SIGINT, &term, NULL);
        sigaction(SIGTERM, &term, NULL);
        sigaction(SIGCHLD, &chld, NULL);
        for (;;)
                pause();
        return 42;
}
