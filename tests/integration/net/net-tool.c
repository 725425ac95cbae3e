/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net-tool: drives src/net for tests/integration/net-plumbing.sh.
 *
 *   net-tool discover
 *       discover in the current network namespace; prints key=value lines.
 *   net-tool setup ID [--uid N] [--gid N] [--respond]
 *       discover + ur_net_setup; prints the vm_net fields and "ready", then
 *       holds the tap fd open until stdin reaches EOF.  With --respond it
 *       plays the guest on the tap fd: answers ARP requests and ICMP echo
 *       requests for the guest IP with the guest MAC (the veth's), and on
 *       exit prints how many of each it answered.
 *   net-tool teardown NETNS ID IFNAME
 *       ur_net_teardown; checks the thread is back in its own netns.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/if_ether.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/net.h"
#include "util/error.h"

static int fail(struct ur_err **err)
{
        fprintf(stderr, "net-tool: %s\n", ur_err_msg(*err));
        ur_err_free(err);
        return 1;
}

static int cmd_discover(void)
{
        _cleanup_err_ struct ur_err *err = NULL;
        struct ur_net_info info;

        if (ur_net_discover(&info, &err) < 0)
                return fail(&err);
        printf("found=%d\n", info.found);
        if (info.found)
                printf("ifname=%s\nifindex=%d\nmac=%s\nip=%s\nprefix=%u\ngateway=%s\nmtu=%u\n", info.ifname,
                       info.ifindex, info.mac, info.ip, info.prefix, info.gateway, info.mtu);
        return 0;
}

static uint16_t csum(const void *data, size_t len)
{
        const uint8_t *p = data;
        uint32_t sum = 0;

        for (; len > 1; p += 2, len -= 2)
                sum += (uint32_t) (p[0] << 8 | p[1]);
        if (len)
                sum += (uint32_t) (p[0] << 8);
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return htons((uint16_t) ~sum);
}

struct guest {
        uint8_t mac[6];
        struct in_addr ip;
        unsigned arp, icmp;
};

/* Answer one frame read from the tap; returns the reply length or 0. */
static size_t respond(struct guest *g, uint8_t *f, size_t n)
{
        struct ether_header *eh = (struct ether_header *) f;

        if (n < sizeof(*eh))
                return 0;
        if (ntohs(eh->ether_type) == ETHERTYPE_ARP && n >= sizeof(*eh) + sizeof(struct ether_arp)) {
                struct ether_arp *a = (struct ether_arp *) (f + sizeof(*eh));

                if (ntohs(a->ea_hdr.ar_op) != ARPOP_REQUEST || memcmp(a->arp_tpa, &g->ip, 4) != 0)
                        return 0;
                memcpy(eh->ether_dhost, a->arp_sha, 6);
                memcpy(eh->ether_shost, g->mac, 6);
                a->ea_hdr.ar_op = htons(ARPOP_REPLY);
                memcpy(a->arp_tha, a->arp_sha, 6);
                memcpy(a->arp_tpa, a->arp_spa, 4);
                memcpy(a->arp_sha, g->mac, 6);
                memcpy(a->arp_spa, &g->ip, 4);
                g->arp++;
                return sizeof(*eh) + sizeof(*a);
        }
        if (ntohs(eh->ether_type) == ETHERTYPE_IP && n >= sizeof(*eh) + sizeof(struct ip)) {
                struct ip *ip = (struct ip *) (f + sizeof(*eh));
                size_t ihl = (size_t) ip->ip_hl * 4, tot = ntohs(ip->ip_len);

                if (ip->ip_p != IPPROTO_ICMP || ip->ip_dst.s_addr != g->ip.s_addr || tot > n - sizeof(*eh) ||
                    ihl + sizeof(struct icmphdr) > tot)
                        return 0;
                struct icmphdr *ic = (struct icmphdr *) ((uint8_t *) ip + ihl);
                if (ic->type != ICMP_ECHO)
                        return 0;
                memcpy(eh->ether_dhost, eh->ether_shost, 6);
                memcpy(eh->ether_shost, g->mac, 6);
                ip->ip_dst = ip->ip_src;
                ip->ip_src = g->ip;
                ip->ip_ttl = 64;
                ip->ip_sum = 0;
                ip->ip_sum = csum(ip, ihl);
                ic->type = ICMP_ECHOREPLY;
                ic->checksum = 0;
                ic->checksum = csum(ic, tot - ihl);
                g->icmp++;
                return sizeof(*eh) + tot;
        }
        return 0;
}

static int cmd_setup(int argc, char **argv)
{
        _cleanup_err_ struct ur_err *err = NULL;
        struct ur_net_info info;
        struct ur_vm_net net;
        struct guest g = {};
        bool do_respond = false;
        int uid = -1, gid = -1;

        if (argc < 1) {
                fprintf(stderr, "usage: net-tool setup ID [--uid N] [--gid N] [--respond]\n");
                return 2;
        }
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--respond") == 0)
                        do_respond = true;
                else if (strcmp(argv[i], "--uid") == 0 && i + 1 < argc)
                        uid = atoi(argv[++i]);
                else if (strcmp(argv[i], "--gid") == 0 && i + 1 < argc)
                        gid = atoi(argv[++i]);
                else {
                        fprintf(stderr, "net-tool: unknown option '%s'\n", argv[i]);
                        return 2;
                }
        }

        if (ur_net_discover(&info, &err) < 0)
                return fail(&err);
        if (!info.found) {
                fprintf(stderr, "net-tool: no interface found\n");
                return 1;
        }
        if (ur_net_setup(argv[0], &info, uid, gid, &net, &err) < 0)
                return fail(&err);

        printf("enabled=%d\ntap_name=%s\ntap_fd_open=%d\nmac=%s\nip=%s\nprefix=%u\n"
               "netmask=%s\ngateway=%s\nmtu=%u\n",
               net.enabled, net.tap_name, net.tap_fd >= 0, net.mac, net.ip, net.prefix, net.netmask,
               net.gateway, net.mtu);
        printf("ready\n");
        fflush(stdout);

        if (sscanf(net.mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &g.mac[0], &g.mac[1], &g.mac[2], &g.mac[3],
                   &g.mac[4], &g.mac[5]) != 6 ||
            inet_pton(AF_INET, net.ip, &g.ip) != 1) {
                fprintf(stderr, "net-tool: bad mac/ip from setup\n");
                return 1;
        }

        for (;;) {
                struct pollfd p[2] = {
                        {.fd = STDIN_FILENO, .events = POLLIN},
                        {.fd = do_respond ? net.tap_fd : -1, .events = POLLIN},
                };
                uint8_t buf[65536];

                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        perror("poll");
                        return 1;
                }
                if (p[0].revents) {
                        ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
                        if (r <= 0)
                                break;
                }
                if (p[1].revents & POLLIN) {
                        ssize_t r = read(net.tap_fd, buf, sizeof(buf));
                        if (r > 0) {
                                size_t len = respond(&g, buf, (size_t) r);
                                if (len > 0 && write(net.tap_fd, buf, len) < 0)
                                        perror("write tap");
                        }
                } else if (p[1].revents & (POLLERR | POLLHUP | POLLNVAL))
                        do_respond = false; /* the tap was deleted under us */
        }
        printf("arp_replies=%u\nicmp_replies=%u\n", g.arp, g.icmp);
        close(net.tap_fd);
        return 0;
}

static int netns_ino(ino_t *ret)
{
        struct stat st;

        if (stat("/proc/thread-self/ns/net", &st) < 0)
                return -1;
        *ret = st.st_ino;
        return 0;
}

static int cmd_teardown(int argc, char **argv)
{
        _cleanup_err_ struct ur_err *err = NULL;
        ino_t before, after;

        if (argc != 3) {
                fprintf(stderr, "usage: net-tool teardown NETNS ID IFNAME\n");
                return 2;
        }
        if (netns_ino(&before) < 0)
                return perror("stat netns"), 1;
        if (ur_net_teardown(strcmp(argv[0], "-") == 0 ? NULL : argv[0], argv[1], argv[2], &err) < 0)
                return fail(&err);
        if (netns_ino(&after) < 0)
                return perror("stat netns"), 1;
        if (before != after) {
                fprintf(stderr, "net-tool: teardown left the thread in another netns\n");
                return 1;
        }
        printf("ok\n");
        return 0;
}

int main(int argc, char **argv)
{
        if (argc >= 2 && strcmp(argv[1], "discover") == 0)
                return cmd_discover();
        if (argc >= 2 && strcmp(argv[1], "setup") == 0)
                return cmd_setup(argc - 2, argv + 2);
        if (argc >= 2 && strcmp(argv[1], "teardown") == 0)
                return cmd_teardown(argc - 2, argv + 2);
        if (argc >= 3 && strcmp(argv[1], "tap-name") == 0) {
                char name[IF_NAMESIZE];
                ur_net_tap_name(argv[2], name);
                printf("%s\n", name);
                return 0;
        }
        fprintf(stderr, "usage: net-tool discover | setup ID [...] | teardown NETNS ID IFNAME | "
                        "tap-name ID\n");
        return 2;
}
