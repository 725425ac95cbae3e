/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Routed network mode's nftables side (docs/sidecar-network.md): the
 * published-ports parser, the per-container ruleset text and running it
 * through libnftables.
 *
 * libnftables is loaded with dlopen() when a ruleset is run, not linked:
 * it pulls six shared objects (libnftnl, libmnl, libxtables, libjansson,
 * libgmp) that every urunc command would otherwise map at start, and only
 * routed-mode containers need it.  The header gives the prototypes, so the
 * symbols are type-checked at build time (meson option "nftables").
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "net/net-internal.h"
#include "util/cleanup.h"
#include "util/log.h"

#if HAVE_NFTABLES
#include <dlfcn.h>
#include <nftables/libnftables.h>
#endif

#define MAX_PORTS 32

int ur_net_ports_parse(const char *text, const char *what, char ret[384], struct ur_err **err)
{
        char out[384] = "";
        const char *p = text ? text : "";
        size_t len = 0;
        unsigned n = 0;

        for (;;) {
                const char *proto = "tcp", *start;
                unsigned long port = 0;
                int w;

                while (*p == ' ' || *p == '\t')
                        p++;
                start = p;
                if (strncmp(p, "tcp/", 4) == 0 || strncmp(p, "udp/", 4) == 0) {
                        proto = p[0] == 't' ? "tcp" : "udp";
                        p += 4;
                }
                if (*p < '0' || *p > '9')
                        goto bad;
                while (*p >= '0' && *p <= '9') {
                        port = port * 10 + (unsigned long) (*p - '0');
                        if (port > 65535)
                                goto bad;
                        p++;
                }
                if (port == 0)
                        goto bad;
                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p != ',' && *p != '\0')
                        goto bad;
                if (++n > MAX_PORTS)
                        return ur_err_set(err, 0, "%s: more than %d ports in '%s'", what, MAX_PORTS, text);
                w = snprintf(out + len, sizeof(out) - len, "%s%s/%lu", len ? "," : "", proto, port);
                if (w < 0 || (size_t) w >= sizeof(out) - len)
                        return ur_err_set(err, 0, "%s: list too long: '%s'", what, text);
                len += (size_t) w;
                if (*p == '\0')
                        break;
                p++;
                continue;
        bad:
                return ur_err_set(err, 0,
                                  "%s: invalid entry '%.*s' in '%s' (expected PORT, tcp/PORT or udp/PORT, "
                                  "PORT 1..65535, separated by commas)",
                                  what, (int) strcspn(start, ","), start, text);
        }
        memcpy(ret, out, sizeof(out));
        return 0;
}

void ur_net_nft_table(const char *id, char ret[32])
{
        char tap[IF_NAMESIZE];

        ur_net_tap_name(id, tap);
        snprintf(ret, 32, "urunc-%s", tap + 3);
}

/* "{ 80, 443 }" of the ports of one protocol in a normalised list; "" if none. */
static void port_set(const char *ports, const char *proto, char ret[512])
{
        size_t len = 0;
        const char *p = ports;

        ret[0] = '\0';
        while (p && *p) {
                size_t l = strcspn(p, ",");
                if (strncmp(p, proto, 3) == 0 && p[3] == '/')
                        len += (size_t) snprintf(ret + len, 512 - len, "%s%.*s", len ? ", " : "{ ",
                                                 (int) (l - 4), p + 4);
                p += l;
                if (*p == ',')
                        p++;
        }
        if (len)
                snprintf(ret + len, 512 - len, " }");
}

char *ur_net_routed_ruleset(const char *id, const char *pod_ip, const char *ports)
{
        char table[32], tap[IF_NAMESIZE], tcp[512], udp[512];
        char *s = NULL;
        size_t n = 0;
        FILE *f;

        ur_net_nft_table(id, table);
        ur_net_tap_name(id, tap);
        port_set(ports, "tcp", tcp);
        port_set(ports, "udp", udp);
        f = open_memstream(&s, &n);
        if (!f)
                return NULL;
        /* "add" then "delete": removes a stale table of the same name, and
         * is no error when there is none; the batch is atomic. */
        fprintf(f, "add table ip %s\ndelete table ip %s\ntable ip %s {\n", table, table, table);
        fprintf(f, "\tchain prerouting {\n\t\ttype nat hook prerouting priority -100; policy accept;\n");
        if (ports && *ports) {
                /* Published ports: on the pod IP (inbound and from the
                 * namespace) and on 127.0.0.1 (from the namespace). */
                if (tcp[0])
                        fprintf(f, "\t\tiifname != \"%s\" ip daddr %s tcp dport %s dnat to %s\n", tap, pod_ip,
                                tcp, UR_NET_ROUTED_GUEST);
                if (udp[0])
                        fprintf(f, "\t\tiifname != \"%s\" ip daddr %s udp dport %s dnat to %s\n", tap, pod_ip,
                                udp, UR_NET_ROUTED_GUEST);
                fprintf(f, "\t}\n\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n");
                if (tcp[0])
                        fprintf(f, "\t\tip daddr { %s, 127.0.0.1 } tcp dport %s dnat to %s\n", pod_ip, tcp,
                                UR_NET_ROUTED_GUEST);
                if (udp[0])
                        fprintf(f, "\t\tip daddr { %s, 127.0.0.1 } udp dport %s dnat to %s\n", pod_ip, udp,
                                UR_NET_ROUTED_GUEST);
        } else {
                /* Every TCP and UDP port of the pod IP; 127.0.0.1 stays the
                 * namespace's (sidecars talk to each other there). */
                fprintf(f, "\t\tiifname != \"%s\" ip daddr %s meta l4proto { tcp, udp } dnat to %s\n", tap,
                        pod_ip, UR_NET_ROUTED_GUEST);
                fprintf(f, "\t}\n\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n");
                fprintf(f, "\t\tip daddr %s meta l4proto { tcp, udp } dnat to %s\n", pod_ip,
                        UR_NET_ROUTED_GUEST);
        }
        fprintf(f,
                "\t}\n\tchain postrouting {\n\t\ttype nat hook postrouting priority 100; policy accept;\n");
        /* Loopback sources cannot leave on the tap: the guest sees the tap's address. */
        fprintf(f, "\t\toifname \"%s\" ip saddr 127.0.0.0/8 snat to %s\n", tap, UR_NET_ROUTED_HOST);
        fprintf(f, "\t\toifname != \"%s\" ip saddr %s masquerade\n", tap, UR_NET_ROUTED_GUEST);
        fprintf(f, "\t}\n}\n");
        if (ferror(f)) {
                fclose(f);
                free(s);
                return NULL;
        }
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

#if HAVE_NFTABLES
static struct {
        void *handle;
        __typeof__(&nft_ctx_new) ctx_new;
        __typeof__(&nft_ctx_free) ctx_free;
        __typeof__(&nft_ctx_buffer_output) buffer_output;
        __typeof__(&nft_ctx_buffer_error) buffer_error;
        __typeof__(&nft_ctx_get_error_buffer) get_error_buffer;
        __typeof__(&nft_run_cmd_from_buffer) run_cmd_from_buffer;
} nft;

static int nft_load(struct ur_err **err)
{
        void *h;

        if (nft.handle)
                return 0;
        h = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!h)
                return ur_err_set(err, ENOENT,
                                  "network mode 'routed' needs libnftables.so.1 (Debian: libnftables1): %s",
                                  dlerror());
#define SYM(field, name)                                                                                     \
        do {                                                                                                 \
                *(void **) &nft.field = dlsym(h, #name);                                                     \
                if (!nft.field) {                                                                            \
                        dlclose(h);                                                                          \
                        return ur_err_set(err, ENOENT, "libnftables.so.1: no symbol '%s'", #name);           \
                }                                                                                            \
        } while (0)
        SYM(ctx_new, nft_ctx_new);
        SYM(ctx_free, nft_ctx_free);
        SYM(buffer_output, nft_ctx_buffer_output);
        SYM(buffer_error, nft_ctx_buffer_error);
        SYM(get_error_buffer, nft_ctx_get_error_buffer);
        SYM(run_cmd_from_buffer, nft_run_cmd_from_buffer);
#undef SYM
        nft.handle = h;
        return 0;
}

int ur_net_nft_run(const char *script, struct ur_err **err)
{
        struct nft_ctx *ctx;
        int r;

        if (nft_load(err) < 0)
                return -1;
        ctx = nft.ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return ur_err_set(err, ENOMEM, "nftables: creating a context");
        nft.buffer_output(ctx);
        nft.buffer_error(ctx);
        r = nft.run_cmd_from_buffer(ctx, script);
        if (r != 0) {
                const char *msg = nft.get_error_buffer(ctx);
                size_t l = msg ? strlen(msg) : 0;

                while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
                        l--;
                ur_err_set(err, EIO, "nftables: %.*s", (int) l, l ? msg : "failed");
                nft.ctx_free(ctx);
                return -EIO;
        }
        nft.ctx_free(ctx);
        return 0;
}
#else
int ur_net_nft_run(const char *script, struct ur_err **err)
{
        return ur_err_set(err, EOPNOTSUPP,
                          "network mode 'routed': urunc was built without nftables support "
                          "(meson option 'nftables')");
}
#endif
