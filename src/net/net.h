/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Network plumbing, over netlink (libnl-3, libnl-route-3), run inside the
 * container's network namespace by the monitor process before exec:
 *   discover the interface holding the default route and its IPv4 address,
 *   prefix, gateway, MAC and MTU; create a tap; add an ingress qdisc on both
 *   and a u32 match-all filter with a mirred egress redirect to the other.
 * COMPAT.md §5 has the shape.  The veth keeps its address (as in kata and
 * upstream urunc): the ingress redirect steals every frame before the
 * namespace's own stack sees it.
 */

#include <stdbool.h>
#include <net/if.h>

#include "util/error.h"
#include "vm/vm.h"

struct ur_net_info {
        bool found; /* false: no interface with a default route (or none at all) */
        char ifname[IF_NAMESIZE];
        int ifindex;
        char mac[18];
        char ip[16];
        unsigned prefix;
        char gateway[16];
        unsigned mtu;
};

/* Tap name for a container id: stable, unique per id, fits IFNAMSIZ:
 * "urt" + the low 48 bits of the 64-bit FNV-1a hash of the id, as 12
 * lower-case hex digits (15 characters). */
void ur_net_tap_name(const char *id, char ret[IF_NAMESIZE]);

/*
 * Discover in the current network namespace, over netlink: the IPv4 default
 * route (table main, 0.0.0.0/0, lowest metric) gives the interface and the
 * gateway; that interface gives MAC, MTU and its first primary IPv4 global
 * address.  Without a usable default route, exactly one non-loopback
 * interface with an IPv4 global address is used with no gateway.  Anything
 * else is found = false, not an error (the guest boots without a NIC).
 */
int ur_net_discover(struct ur_net_info *ret, ur_err *err);

/*
 * In the current network namespace: refuse when another unikernel already
 * redirects info->ifname (clear error), create the tap (owned by uid/gid
 * when not root, -1 to leave as root), set its MTU, bring it up, plumb the
 * redirect both ways; fill vm_net (tap name and fd, MAC, IP, prefix,
 * netmask, gateway, MTU).  On failure nothing it added remains.
 */
int ur_net_setup(const char *id, const struct ur_net_info *info, int uid, int gid, struct ur_vm_net *vm_net,
                 ur_err *err);

/*
 * The tap is not persistent: it vanishes when its last fd closes.  A
 * monitor that opens the tap by name (it cannot attach to a single-queue tap
 * held open elsewhere) needs it persistent before vm_net->tap_fd is closed;
 * ur_net_teardown() deletes it either way.
 */
int ur_net_tap_persist(const struct ur_vm_net *vm_net, bool persist, ur_err *err);

/* Remove what ur_net_setup added (tap, qdiscs, filters) in the network
 * namespace at netns_path (NULL = current).  Missing pieces are fine. */
int ur_net_teardown(const char *netns_path, const char *id, const char *ifname, ur_err *err);

/* First "nameserver" of a resolv.conf file, "" if none. */
int ur_net_resolv_nameserver(const char *path, char ret[16], ur_err *err);
