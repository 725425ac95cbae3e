/* SPDX-License-Identifier: Apache-2.0 */
#include "util/signals.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <strings.h>

#include "util/cleanup.h"

static const struct {
        const char *name;
        int sig;
} signals[] = {
        { "HUP", SIGHUP },   { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },
        { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },     { "IOT", SIGIOT },     { "BUS", SIGBUS },
        { "FPE", SIGFPE },   { "KILL", SIGKILL },     { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
        { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },   { "TERM", SIGTERM },
        { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },   { "STOP", SIGSTOP },
        { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },   { "URG", SIGURG },
        { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
        { "WINCH", SIGWINCH }, { "IO", SIGIO },       { "POLL", SIGPOLL },   { "PWR", SIGPWR },
        { "SYS", SIGSYS },
};

int ur_signal_parse(const char *s, int *ret, struct ur_err **err)
{
        const char *name = s;
        char *end;
        long n;

        if (!s || !*s)
                return ur_err_set(err, 0, "invalid signal ''");
        if (isdigit((unsigned char) s[0])) {
                errno = 0;
                n = strtol(s, &end, 10);
                if (errno || *end || n <= 0 || n > SIGRTMAX)
                        return ur_err_set(err, 0, "invalid signal '%s'", s);
                *ret = (int) n;
                return 0;
        }
        if (strncasecmp(name, "SIG", 3) == 0)
                name += 3;
        for (size_t i = 0; i < ELEMENTSOF(signals); i++) {
                if (strcasecmp(name, signals[i].name) == 0) {
                        *ret = signals[i].sig;
                        return 0;
                }
        }
        if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
                bool min = strncasecmp(name, "RTMIN", 5) == 0;
                const char *off = name + 5;
                long o = 0;
                if (*off) {
                        errno = 0;
                        o = strtol(off, &end, 10);
                        if (errno || *end || (min && o < 0) || (!min && o > 0))
                                return ur_err_set(err, 0, "invalid signal '%s'", s);
                }
                int sig = (int) ((min ? SIGRTMIN : SIGRTMAX) + o);
                if (sig < SIGRTMIN || sig > SIGRTMAX)
                        return ur_err_set(err, 0, "invalid signal '%s'", s);
                *ret = sig;
                return 0;
        }
        return ur_err_set(err, 0, "unknown signal '%s'", s);
}

const char *ur_signal_name(int sig)
{
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                if (signals[i].sig == sig)
                        return signals[i].name;
        return "?";
}
