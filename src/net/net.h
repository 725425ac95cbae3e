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
int ur_net_discover(struct ur_net_info *ret, struct ur_err **err);

/*
 * Routed mode (vm_net->mode == UR_NET_ROUTED; docs/sidecar-network.md): the
 * namespace keeps its interface and address; the tap holds
 * UR_NET_ROUTED_HOST/30 and the guest gets UR_NET_ROUTED_GUEST, its own MAC
 * and UR_NET_ROUTED_HOST as gateway.  One nftables table per container,
 * "ip urunc-<the tap name's hash>", DNATs the pod IP (every TCP/UDP port,
 * or the published ports) to the guest, inbound and from the namespace's
 * own processes (sidecars), 127.0.0.1:<published port> too, and
 * masquerades the guest's outbound traffic.  net.ipv4.ip_forward is turned
 * on in the namespace; route_localnet only on the tap.
 */
#define UR_NET_ROUTED_HOST "169.254.100.1"
#define UR_NET_ROUTED_GUEST "169.254.100.2"
#define UR_NET_ROUTED_PREFIX 30
#define UR_ANNOT_NETWORK "com.urunc.network"             /* takeover | routed */
#define UR_ANNOT_NETWORK_PORTS "com.urunc.network.ports" /* routed: "80,443,udp/53" */

/*
 * Validate and normalise a published-ports list: comma-separated entries
 * "PORT", "tcp/PORT" or "udp/PORT" (PORT 1..65535, blanks around entries
 * allowed), at most 32 entries.  ret gets the normalised text ("tcp/80,
 * udp/53" without blanks), which fits struct ur_vm_net's ports.  what names
 * the source in messages (e.g. "annotation 'com.urunc.network.ports'").
 */
int ur_net_ports_parse(const char *text, const char *what, char ret[384], struct ur_err **err);

/* Name of the nftables table of a container ("urunc-" + the tap's hash). */
void ur_net_nft_table(const char *id, char ret[32]);

/*
 * The nftables script of routed mode for this container: deletes a stale
 * table of the same name and creates the table, atomically (one batch).
 * pod_ip is the namespace's address; ports a normalised list or "".
 * Returns a malloc'ed string, NULL on ENOMEM.
 */
char *ur_net_routed_ruleset(const char *id, const char *pod_ip, const char *ports);

/* Run an nftables script through libnftables (loaded at run time). */
int ur_net_nft_run(const char *script, struct ur_err **err);

/*
 * In the current network namespace: refuse when another unikernel already
 * redirects info->ifname (clear error), create the tap (owned by uid/gid
 * when not root, -1 to leave as root), set its MTU, bring it up, plumb the
 * redirect both ways; fill vm_net (tap name and fd, MAC, IP, prefix,
 * netmask, gateway, MTU).  On failure nothing it added remains.
 */
int ur_net_setup(const char *id, const struct ur_net_info *info, int uid, int gid, struct ur_vm_net *vm_net,
                 struct ur_err **err);

/*
 * The tap is not persistent: it vanishes when its last fd closes.  A
 * monitor that opens the tap by name (it cannot attach to a single-queue tap
 * held open elsewhere) needs it persistent before vm_net->tap_fd is closed;
 * ur_net_teardown() deletes it either way.
 */
int ur_net_tap_persist(const struct ur_vm_net *vm_net, bool persist, struct ur_err **err);

/* Remove what ur_net_setup added (tap, qdiscs, filters, nftables table) in the network
 * namespace at netns_path (NULL = current).  Missing pieces are fine. */
int ur_net_teardown(const char *netns_path, const char *id, const char *ifname, struct ur_err **err);

/* First "nameserver" of a resolv.conf file, "" if none. */
int ur_net_resolv_nameserver(const char *path, char ret[16], struct ur_err **err);
