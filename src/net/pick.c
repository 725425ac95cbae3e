/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Discovery logic: choose, from netlink objects already fetched, the
 * interface whose identity (IPv4 address, prefix, gateway, MAC, MTU) the
 * guest takes over.  No I/O here, so the unit tests feed fixtures.
 */

#include <arpa/inet.h>
#include <net/if_arp.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <netlink/addr.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "net/net-internal.h"
#include "util/log.h"

uint64_t ur_net_fnv1a64(const char *s)
{
        uint64_t h = 0xcbf29ce484222325ULL;

        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= 0x100000001b3ULL;
        }
        return h;
}

int ur_net_netmask(unsigned prefix, char ret[16])
{
        if (prefix > 32)
                return -1;

        uint32_t m = prefix == 0 ? 0 : 0xffffffffU << (32 - prefix);
        snprintf(ret, 16, "%u.%u.%u.%u", (m >> 24) & 0xff, (m >> 16) & 0xff, (m >> 8) & 0xff, m & 0xff);
        return 0;
}

/* IPv4 dotted quad of a libnl address (AF_INET, 4 bytes), false otherwise. */
static bool inet_str(struct nl_addr *a, char ret[16])
{
        if (!a || nl_addr_get_family(a) != AF_INET || nl_addr_get_len(a) != 4)
                return false;
        return inet_ntop(AF_INET, nl_addr_get_binary_addr(a), ret, 16) != NULL;
}

static bool link_is_loopback(struct rtnl_link *l)
{
        return (rtnl_link_get_flags(l) & IFF_LOOPBACK) || rtnl_link_get_arptype(l) == ARPHRD_LOOPBACK;
}

/* "aa:bb:cc:dd:ee:ff" of a link with a 6-byte, non-zero hardware address. */
static bool link_mac(struct rtnl_link *l, char ret[18])
{
        struct nl_addr *a = rtnl_link_get_addr(l);

        if (!a || nl_addr_get_len(a) != 6)
                return false;

        const unsigned char *b = nl_addr_get_binary_addr(a);
        if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
                return false;
        snprintf(ret, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
        return true;
}

/* The first primary IPv4 global address of ifindex, else the first one. */
static struct rtnl_addr *link_inet_addr(struct nl_cache *addrs, int ifindex)
{
        struct rtnl_addr *fallback = NULL;

        for (struct nl_object *o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
                struct rtnl_addr *a = (struct rtnl_addr *) o;
                char ip[16];

                if (rtnl_addr_get_ifindex(a) != ifindex || rtnl_addr_get_family(a) != AF_INET)
                        continue;
                if (rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE)
                        continue;
                if (!inet_str(rtnl_addr_get_local(a), ip))
                        continue;
                if (!(rtnl_addr_get_flags(a) & IFA_F_SECONDARY))
                        return a;
                if (!fallback)
                        fallback = a;
        }
        return fallback;
}

static struct rtnl_link *find_link(struct nl_cache *links, int ifindex)
{
        for (struct nl_object *o = nl_cache_get_first(links); o; o = nl_cache_get_next(o))
                if (rtnl_link_get_ifindex((struct rtnl_link *) o) == ifindex)
                        return (struct rtnl_link *) o;
        return NULL;
}

/* Fill ret from link and its address; false when the link is not usable. */
static bool fill(struct nl_cache *addrs, struct rtnl_link *l, const char *gateway, struct ur_net_info *ret)
{
        struct ur_net_info info = {.found = true};
        struct rtnl_addr *a;
        const char *name = rtnl_link_get_name(l);

        if (link_is_loopback(l) || !name || strlen(name) >= sizeof(info.ifname))
                return false;
        if (!link_mac(l, info.mac))
                return false;
        a = link_inet_addr(addrs, rtnl_link_get_ifindex(l));
        if (!a || !inet_str(rtnl_addr_get_local(a), info.ip))
                return false;

        strcpy(info.ifname, name);
        info.ifindex = rtnl_link_get_ifindex(l);
        info.prefix = (unsigned) rtnl_addr_get_prefixlen(a);
        if (info.prefix > 32)
                return false;
        info.mtu = rtnl_link_get_mtu(l);
        if (gateway)
                snprintf(info.gateway, sizeof(info.gateway), "%s", gateway);
        *ret = info;
        return true;
}

static bool is_ipv4_default(struct rtnl_route *r)
{
        struct nl_addr *dst = rtnl_route_get_dst(r);

        if (rtnl_route_get_family(r) != AF_INET)
                return false;
        if (rtnl_route_get_table(r) != RT_TABLE_MAIN)
                return false;
        if (rtnl_route_get_type(r) != RTN_UNICAST)
                return false;
        return !dst || nl_addr_get_prefixlen(dst) == 0;
}

/* The first next hop with an output interface. */
static struct rtnl_nexthop *route_nexthop(struct rtnl_route *r)
{
        int n = rtnl_route_get_nnexthops(r);

        for (int i = 0; i < n; i++) {
                struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, i);
                if (nh && rtnl_route_nh_get_ifindex(nh) > 0)
                        return nh;
        }
        return NULL;
}

void ur_net_pick(struct nl_cache *links, struct nl_cache *addrs, struct nl_cache *routes,
                 struct ur_net_info *ret)
{
        struct rtnl_route *best = NULL;
        struct rtnl_link *only = NULL;
        unsigned n_candidates = 0;

        *ret = (struct ur_net_info){.found = false};

        for (struct nl_object *o = routes ? nl_cache_get_first(routes) : NULL; o; o = nl_cache_get_next(o)) {
                struct rtnl_route *r = (struct rtnl_route *) o;

                if (!is_ipv4_default(r) || !route_nexthop(r))
                        continue;
                if (!best || rtnl_route_get_priority(r) < rtnl_route_get_priority(best))
                        best = r;
        }

        if (best && links && addrs) {
                struct rtnl_nexthop *nh = route_nexthop(best);
                struct rtnl_link *l = find_link(links, rtnl_route_nh_get_ifindex(nh));
                char gw[16] = "";

                inet_str(rtnl_route_nh_get_gateway(nh), gw);
                if (l && fill(addrs, l, gw, ret)) {
                        ur_log_debug("net: default route via '%s' on '%s'", gw, ret->ifname);
                        return;
                }
                ur_log_debug("net: the default route's interface (index %d) is not usable",
                             rtnl_route_nh_get_ifindex(nh));
        }

        if (!links || !addrs)
                return;

        for (struct nl_object *o = nl_cache_get_first(links); o; o = nl_cache_get_next(o)) {
                struct rtnl_link *l = (struct rtnl_link *) o;
                struct ur_net_info probe;

                if (fill(addrs, l, NULL, &probe)) {
                        n_candidates++;
                        only = l;
                }
        }
        if (n_candidates == 1) {
                fill(addrs, only, NULL, ret);
                ur_log_debug("net: no default route; using the only addressed interface '%s'", ret->ifname);
                return;
        }
        ur_log_debug("net: no default route and %u addressed interfaces: no network", n_candidates);
}
