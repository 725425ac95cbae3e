/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Internals of the net layer, exposed for the unit tests: the pure
 * "pick the interface from these netlink objects" logic and small helpers.
 */

#include <stdint.h>

#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "net/net.h"

/* 64-bit FNV-1a of a NUL-terminated string. */
uint64_t ur_net_fnv1a64(const char *s);

/* Dotted-quad netmask of an IPv4 prefix length; -1 when prefix > 32. */
int ur_net_netmask(unsigned prefix, char ret[16]);

/*
 * Choose the interface the guest takes over, from already fetched caches:
 * links ("route/link"), addresses ("route/addr", any family) and routes
 * ("route/route", any family).  Never fails; ret->found tells.
 *
 *  1. The IPv4 default route (table main, unicast, dst 0.0.0.0/0; the one
 *     with the lowest metric when there are several): its first next hop
 *     gives the output link and the gateway.  The link must not be loopback,
 *     must have a 6-byte MAC and an IPv4 global address (the first primary
 *     one, else the first one).
 *  2. Otherwise, when exactly one non-loopback link with a MAC has an IPv4
 *     global address, that link, with no gateway.
 *  3. Otherwise nothing: found = false (the guest boots without a NIC).
 */
void ur_net_pick(struct nl_cache *links, struct nl_cache *addrs, struct nl_cache *routes,
                 struct ur_net_info *ret);

/* Cleanup helpers for libnl objects. */
static inline void ur_nl_socket_freep(struct nl_sock **p)
{
        if (*p)
                nl_socket_free(*p);
}

static inline void ur_nl_cache_freep(struct nl_cache **p)
{
        if (*p)
                nl_cache_free(*p);
}

static inline void ur_nl_object_putp(void *p)
{
        struct nl_object **o = p;
        if (*o)
                nl_object_put(*o);
}

#define _cleanup_nlsock_ __attribute__((cleanup(ur_nl_socket_freep)))
#define _cleanup_nlcache_ __attribute__((cleanup(ur_nl_cache_freep)))
/* For any libnl object pointer (rtnl_link, rtnl_addr, rtnl_qdisc, ...). */
#define _cleanup_nlobj_ __attribute__((cleanup(ur_nl_object_putp)))
