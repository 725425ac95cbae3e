/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network plumbing (COMPAT.md §5): a tap next to the container's veth and,
 * on both, an ingress qdisc with a u32 match-all filter whose action is a
 * mirred egress redirect to the other device.  L2 frames cross unchanged;
 * the guest takes over the veth's MAC, IPv4 address, prefix and gateway.
 *
 * Everything is read and written over netlink (libnl-route-3): a process
 * that setns()es into a network namespace still sees the old namespace's
 * /sys/class/net.
 *
 * The veth keeps its IPv4 address, as in kata and upstream urunc: the
 * ingress redirect steals every frame arriving on the veth before the
 * namespace's own stack sees it, so ARP and ICMP from the peer reach the
 * guest and never the host stack (tests/integration/net-plumbing.sh checks
 * that the namespace stops answering pings once the redirect is in place).
 * Keeping it also keeps the default route installed, which the CNI's
 * teardown expects.
 *
 * The tap is created with IFF_TAP | IFF_NO_PI and no IFF_VNET_HDR: QEMU
 * given "-netdev tap,fd=N" probes the fd's flags itself and works with a
 * plain tap.  It is not persistent: the kernel removes it when the last fd
 * closes (the monitor exits).  Monitors that open the tap by name (they
 * cannot attach a second queue to a single-queue tap that is held open)
 * need ur_net_tap_persist() before the fd is closed.
 */

#include <net/if.h> /* before any linux/ header that pulls linux/if.h */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/neighbour.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <sys/stat.h>

#include <netlink/route/act/mirred.h>
#include <netlink/route/action.h>
#include <netlink/route/addr.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/route.h>
#include <netlink/route/tc.h>

#include "net/net-internal.h"
#include "util/cleanup.h"
#include "util/log.h"

/* The ingress qdisc's handle (ffff:) and so the parent of its filters. */
#define INGRESS_HANDLE TC_H_MAKE(TC_H_INGRESS, 0)
#define FILTER_PRIO 1

void ur_net_tap_name(const char *id, char ret[IF_NAMESIZE])
{
        /* "urt" + the low 48 bits of FNV-1a-64(id) in hex: 15 characters. */
        uint64_t h = ur_net_fnv1a64(id ? id : "");
        snprintf(ret, IF_NAMESIZE, "urt%012llx", (unsigned long long) (h & 0xffffffffffffULL));
}

static int nl_errno(int nlerr)
{
        switch (nlerr < 0 ? -nlerr : nlerr) {
        case NLE_NOMEM:
                return ENOMEM;
        case NLE_PERM:
                return EPERM;
        case NLE_EXIST:
                return EEXIST;
        case NLE_BUSY:
                return EBUSY;
        case NLE_NODEV:
                return ENODEV;
        case NLE_OBJ_NOTFOUND:
                return ENOENT;
        case NLE_OPNOTSUPP:
                return EOPNOTSUPP;
        case NLE_INVAL:
                return EINVAL;
        default:
                return EIO;
        }
}

/* Like ur_err_set() for a libnl error code: "context: libnl message". */
static int __attribute__((format(printf, 3, 4))) nl_fail(struct ur_err **err, int nlerr, const char *fmt, ...)
{
        char buf[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        ur_err_set(err, 0, "%s: %s", buf, nl_geterror(nlerr));
        if (*err)
                (*err)->errnum = nl_errno(nlerr);
        return -nl_errno(nlerr);
}

/* An EBUSY error whose message stands alone (no ": Device or resource busy"). */
static int __attribute__((format(printf, 2, 3))) busy(struct ur_err **err, const char *fmt, ...)
{
        char buf[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        ur_err_set(err, 0, "%s", buf);
        if (*err)
                (*err)->errnum = EBUSY;
        return -EBUSY;
}

static int nl_open(struct nl_sock **ret, struct ur_err **err)
{
        _cleanup_nlsock_ struct nl_sock *sk = nl_socket_alloc();
        int r;

        if (!sk)
                return ur_err_set(err, ENOMEM, "allocating a netlink socket");
        r = nl_connect(sk, NETLINK_ROUTE);
        if (r < 0)
                return nl_fail(err, r, "connecting to rtnetlink");
        *ret = TAKE_PTR(sk);
        return 0;
}

int ur_net_discover(struct ur_net_info *ret, struct ur_err **err)
{
        _cleanup_nlsock_ struct nl_sock *sk = NULL;
        _cleanup_nlcache_ struct nl_cache *links = NULL, *addrs = NULL, *routes = NULL;
        struct ur_net_info info;
        int r;

        if (nl_open(&sk, err) < 0)
                return -1;
        r = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links);
        if (r < 0)
                return nl_fail(err, r, "listing links");
        r = rtnl_addr_alloc_cache(sk, &addrs);
        if (r < 0)
                return nl_fail(err, r, "listing addresses");
        r = rtnl_route_alloc_cache(sk, AF_INET, 0, &routes);
        if (r < 0)
                return nl_fail(err, r, "listing routes");

        ur_net_pick(links, addrs, routes, &info);
        if (info.found)
                ur_log_debug("net: discovered '%s' %s/%u gw '%s' mac %s mtu %u", info.ifname, info.ip,
                             info.prefix, info.gateway, info.mac, info.mtu);
        else
                ur_log_debug("net: no usable interface in this network namespace");
        *ret = info;
        return 0;
}

/* Name of the link with this index, false when there is none. */
static bool link_name(struct nl_sock *sk, int ifindex, char ret[IF_NAMESIZE])
{
        _cleanup_nlobj_ struct rtnl_link *l = NULL;

        if (ifindex <= 0 || rtnl_link_get_kernel(sk, ifindex, NULL, &l) < 0)
                return false;
        snprintf(ret, IF_NAMESIZE, "%s", rtnl_link_get_name(l) ?: "");
        return true;
}

/* Index of the link with this name, 0 when there is none. */
static int link_index(struct nl_sock *sk, const char *name)
{
        _cleanup_nlobj_ struct rtnl_link *l = NULL;

        if (!name || rtnl_link_get_kernel(sk, 0, name, &l) < 0)
                return 0;
        return rtnl_link_get_ifindex(l);
}

struct ingress_state {
        bool qdisc;    /* an ingress (or clsact) qdisc is attached */
        bool redirect; /* one of its u32 filters has a mirred egress redirect */
        int target;    /* the redirect's target ifindex (0 when the device is gone) */
        bool target_exists;
        char target_name[IF_NAMESIZE];
};

static int ingress_inspect(struct nl_sock *sk, int ifindex, struct ingress_state *ret, struct ur_err **err)
{
        _cleanup_nlcache_ struct nl_cache *qdiscs = NULL, *filters = NULL;
        struct ingress_state st = {};
        int r;

        r = rtnl_qdisc_alloc_cache(sk, &qdiscs);
        if (r < 0)
                return nl_fail(err, r, "listing qdiscs");
        for (struct nl_object *o = nl_cache_get_first(qdiscs); o; o = nl_cache_get_next(o)) {
                struct rtnl_tc *tc = TC_CAST(o);
                if (rtnl_tc_get_ifindex(tc) == ifindex && rtnl_tc_get_parent(tc) == TC_H_INGRESS)
                        st.qdisc = true;
        }

        if (st.qdisc) {
                r = rtnl_cls_alloc_cache(sk, ifindex, INGRESS_HANDLE, &filters);
                if (r < 0)
                        return nl_fail(err, r, "listing ingress filters");
                for (struct nl_object *o = nl_cache_get_first(filters); o && !st.redirect;
                     o = nl_cache_get_next(o)) {
                        struct rtnl_cls *cls = (struct rtnl_cls *) o;
                        const char *kind = rtnl_tc_get_kind(TC_CAST(cls));

                        if (!ur_streq(kind, "u32"))
                                continue;
                        for (struct rtnl_act *a = rtnl_u32_get_action(cls); a; a = rtnl_act_next(a)) {
                                if (!ur_streq(rtnl_tc_get_kind(TC_CAST(a)), "mirred") ||
                                    rtnl_mirred_get_action(a) != TCA_EGRESS_REDIR)
                                        continue;
                                st.redirect = true;
                                st.target = (int) rtnl_mirred_get_ifindex(a);
                                break;
                        }
                }
                if (st.redirect)
                        st.target_exists = link_name(sk, st.target, st.target_name);
        }
        *ret = st;
        return 0;
}

static void ingress_fill(struct rtnl_qdisc *q, int ifindex)
{
        rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
        rtnl_tc_set_parent(TC_CAST(q), TC_H_INGRESS);
        rtnl_tc_set_handle(TC_CAST(q), INGRESS_HANDLE);
}

static int ingress_add(struct nl_sock *sk, int ifindex, const char *name, struct ur_err **err)
{
        _cleanup_nlobj_ struct rtnl_qdisc *q = rtnl_qdisc_alloc();
        int r;

        if (!q)
                return ur_err_set(err, ENOMEM, "allocating a qdisc");
        ingress_fill(q, ifindex);
        r = rtnl_tc_set_kind(TC_CAST(q), "ingress");
        if (r < 0)
                return nl_fail(err, r, "ingress qdisc kind");
        r = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_EXCL);
        if (r < 0)
                return nl_fail(err, r, "adding an ingress qdisc on '%s'", name);
        return 0;
}

static int ingress_del(struct nl_sock *sk, int ifindex)
{
        _cleanup_nlobj_ struct rtnl_qdisc *q = rtnl_qdisc_alloc();

        if (!q)
                return -NLE_NOMEM;
        ingress_fill(q, ifindex);
        return rtnl_qdisc_delete(sk, q);
}

/* On from's ingress: u32 "match u32 0 0" -> mirred egress redirect to to. */
static int redirect_add(struct nl_sock *sk, int from, const char *from_name, int to, const char *to_name,
                        struct ur_err **err)
{
        _cleanup_nlobj_ struct rtnl_cls *cls = rtnl_cls_alloc();
        _cleanup_nlobj_ struct rtnl_act *act = rtnl_act_alloc();
        int r;

        if (!cls || !act)
                return ur_err_set(err, ENOMEM, "allocating a filter");

        rtnl_tc_set_ifindex(TC_CAST(cls), from);
        rtnl_tc_set_parent(TC_CAST(cls), INGRESS_HANDLE);
        rtnl_cls_set_prio(cls, FILTER_PRIO);
        rtnl_cls_set_protocol(cls, ETH_P_ALL);
        if ((r = rtnl_tc_set_kind(TC_CAST(cls), "u32")) < 0 || (r = rtnl_u32_set_cls_terminal(cls)) < 0 ||
            (r = rtnl_u32_add_key_uint32(cls, 0, 0, 0, 0)) < 0)
                return nl_fail(err, r, "building the u32 filter on '%s'", from_name);

        if ((r = rtnl_tc_set_kind(TC_CAST(act), "mirred")) < 0 ||
            (r = rtnl_mirred_set_action(act, TCA_EGRESS_REDIR)) < 0 ||
            (r = rtnl_mirred_set_policy(act, TC_ACT_STOLEN)) < 0 ||
            (r = rtnl_mirred_set_ifindex(act, (uint32_t) to)) < 0 || (r = rtnl_u32_add_action(cls, act)) < 0)
                return nl_fail(err, r, "building the redirect action '%s' -> '%s'", from_name, to_name);

        r = rtnl_cls_add(sk, cls, NLM_F_CREATE | NLM_F_EXCL);
        if (r < 0)
                return nl_fail(err, r, "adding the redirect filter '%s' -> '%s'", from_name, to_name);
        return 0;
}

static int link_delete_by_name(struct nl_sock *sk, const char *name)
{
        _cleanup_nlobj_ struct rtnl_link *l = rtnl_link_alloc();

        if (!l)
                return -NLE_NOMEM;
        rtnl_link_set_name(l, name);
        return rtnl_link_delete(sk, l);
}

static int tap_create(const char *name, int uid, int gid, int *ret_fd, struct ur_err **err)
{
        _cleanup_close_ int fd = -1;
        struct ifreq ifr = {};

        fd = RETRY_EINTR(open("/dev/net/tun", O_RDWR | O_CLOEXEC));
        if (fd < 0)
                return ur_err_set(err, errno, "open '/dev/net/tun'");

        ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
        if (ioctl(fd, TUNSETIFF, &ifr) < 0)
                return ur_err_set(err, errno, "creating tap '%s'", name);
        if (uid >= 0 && ioctl(fd, TUNSETOWNER, (unsigned long) uid) < 0)
                return ur_err_set(err, errno, "setting the owner of tap '%s' to %d", name, uid);
        if (gid >= 0 && ioctl(fd, TUNSETGROUP, (unsigned long) gid) < 0)
                return ur_err_set(err, errno, "setting the group of tap '%s' to %d", name, gid);

        *ret_fd = TAKE_FD(fd);
        return 0;
}

/*
 * One harmless frame queued on the tap before anything else can reach it:
 * QEMU reads the tap as soon as it runs, holds the frame while the guest's
 * driver is not ready, and drops it when the guest resets the virtio-net
 * device (every driver does, first thing).  The frame lost that way used
 * to be the client's first SYN or ARP request, retransmitted only after
 * 1 s; now it is this one.  Its destination is a locally administered
 * unicast MAC no guest has and its type is IEEE 802 "local experimental":
 * a guest that does see it drops it.  Best effort: a failure costs only
 * that first-frame latency.
 *
 * The packet socket is left open (close-on-exec): closing one waits for
 * an RCU grace period (synchronize_net(), ~8 ms on the project machines),
 * which must not sit between the tap and the guest.  The supervisor
 * closes it with its other descriptors once the VMM runs (or exit does).
 */
static void tap_prime(int tap_index, const char *tap)
{
        unsigned char frame[60] = {0x02, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0x01, 0x88, 0xb5};
        struct sockaddr_ll sll = {
                .sll_family = AF_PACKET,
                .sll_ifindex = tap_index,
                .sll_halen = 6,
                .sll_addr = {0x02, 0, 0, 0, 0, 0},
        };
        int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

        if (fd < 0 || sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *) &sll, sizeof(sll)) < 0)
                ur_log_debug("net: priming tap '%s': %s (the first frame may be lost)", tap, strerror(errno));
}

static int link_up_mtu(struct nl_sock *sk, int ifindex, const char *name, unsigned mtu, struct ur_err **err)
{
        _cleanup_nlobj_ struct rtnl_link *orig = NULL;
        _cleanup_nlobj_ struct rtnl_link *change = rtnl_link_alloc();
        int r;

        if (!change)
                return ur_err_set(err, ENOMEM, "allocating a link");
        r = rtnl_link_get_kernel(sk, ifindex, NULL, &orig);
        if (r < 0)
                return nl_fail(err, r, "looking up '%s'", name);
        if (mtu > 0)
                rtnl_link_set_mtu(change, mtu);
        rtnl_link_set_flags(change, IFF_UP);
        r = rtnl_link_change(sk, orig, change, 0);
        if (r < 0)
                return nl_fail(err, r, "setting '%s' up with MTU %u", name, mtu);
        return 0;
}

/* Name of the link holding IPv4 address ip in this namespace, false if none. */
static bool addr_holder(struct nl_sock *sk, const char *ip, char ret[IF_NAMESIZE])
{
        _cleanup_nlcache_ struct nl_cache *addrs = NULL;
        struct in_addr want;

        if (inet_pton(AF_INET, ip, &want) != 1 || rtnl_addr_alloc_cache(sk, &addrs) < 0)
                return false;
        for (struct nl_object *o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
                struct rtnl_addr *a = (struct rtnl_addr *) o;
                struct nl_addr *local = rtnl_addr_get_local(a);

                if (rtnl_addr_get_family(a) != AF_INET || !local || nl_addr_get_len(local) != 4 ||
                    memcmp(nl_addr_get_binary_addr(local), &want, 4) != 0)
                        continue;
                if (!link_name(sk, rtnl_addr_get_ifindex(a), ret))
                        snprintf(ret, IF_NAMESIZE, "?");
                return true;
        }
        return false;
}

static int addr_add(struct nl_sock *sk, int ifindex, const char *name, const char *ip, unsigned prefix,
                    struct ur_err **err)
{
        _cleanup_nlobj_ struct rtnl_addr *a = rtnl_addr_alloc();
        _cleanup_nlobj_ struct nl_addr *local = NULL;
        char cidr[32];
        int r;

        if (!a)
                return ur_err_set(err, ENOMEM, "allocating an address");
        snprintf(cidr, sizeof(cidr), "%s/%u", ip, prefix);
        r = nl_addr_parse(cidr, AF_INET, &local);
        if (r < 0)
                return nl_fail(err, r, "parsing '%s'", cidr);
        rtnl_addr_set_ifindex(a, ifindex);
        rtnl_addr_set_family(a, AF_INET);
        if ((r = rtnl_addr_set_local(a, local)) < 0 ||
            (r = rtnl_addr_add(sk, a, NLM_F_CREATE | NLM_F_EXCL)) < 0)
                return nl_fail(err, r, "adding %s to '%s'", cidr, name);
        return 0;
}

/* A permanent neighbour entry: nothing ARPs for the guest, even before it is up. */
static int neigh_add(struct nl_sock *sk, int ifindex, const char *name, const char *ip, const char *mac,
                     struct ur_err **err)
{
        _cleanup_nlobj_ struct rtnl_neigh *n = rtnl_neigh_alloc();
        _cleanup_nlobj_ struct nl_addr *dst = NULL, *ll = NULL;
        int r;

        if (!n)
                return ur_err_set(err, ENOMEM, "allocating a neighbour");
        if ((r = nl_addr_parse(ip, AF_INET, &dst)) < 0 || (r = nl_addr_parse(mac, AF_LLC, &ll)) < 0)
                return nl_fail(err, r, "parsing neighbour %s %s", ip, mac);
        rtnl_neigh_set_ifindex(n, ifindex);
        rtnl_neigh_set_family(n, AF_INET);
        rtnl_neigh_set_state(n, NUD_PERMANENT);
        if ((r = rtnl_neigh_set_dst(n, dst)) < 0)
                return nl_fail(err, r, "neighbour %s", ip);
        rtnl_neigh_set_lladdr(n, ll);
        r = rtnl_neigh_add(sk, n, NLM_F_CREATE | NLM_F_REPLACE);
        if (r < 0)
                return nl_fail(err, r, "adding neighbour %s -> %s on '%s'", ip, mac, name);
        return 0;
}

/* Write a sysctl of the current network namespace (/proc/sys/net is per namespace). */
static int sysctl_write(const char *path, const char *value, struct ur_err **err)
{
        _cleanup_close_ int fd = RETRY_EINTR(open(path, O_WRONLY | O_CLOEXEC));
        ssize_t n;

        if (fd < 0)
                return ur_err_set(err, errno, "open '%s'", path);
        n = write(fd, value, strlen(value));
        if (n < 0)
                return ur_err_set(err, errno, "writing '%s' to '%s'", value, path);
        return 0;
}

/* Routed mode's guest MAC: QEMU's locally administered 52:54:00 prefix +
 * the low 24 bits of the id's hash (only ever seen on the tap's link). */
static void routed_mac(const char *id, char ret[18])
{
        uint64_t h = ur_net_fnv1a64(id ? id : "");

        snprintf(ret, 18, "52:54:00:%02x:%02x:%02x", (unsigned) ((h >> 16) & 0xff),
                 (unsigned) ((h >> 8) & 0xff), (unsigned) (h & 0xff));
}

/* Routed mode on a fresh, up tap: address, neighbour, sysctls, nftables. */
static int routed_plumb(struct nl_sock *sk, const char *id, const struct ur_net_info *info, int tap_index,
                        const char *tap, const char *mac, const char *ports, struct ur_err **err)
{
        _cleanup_free_ char *script = NULL, *localnet = NULL;

        if (addr_add(sk, tap_index, tap, UR_NET_ROUTED_HOST, UR_NET_ROUTED_PREFIX, err) < 0 ||
            neigh_add(sk, tap_index, tap, UR_NET_ROUTED_GUEST, mac, err) < 0)
                return -1;
        if (sysctl_write("/proc/sys/net/ipv4/ip_forward", "1", err) < 0)
                return ur_err_wrap(err, "enabling IPv4 forwarding in the container's network namespace");
        /* 127.0.0.1:<port> from the namespace, DNATed to the guest, leaves
         * on the tap: only the tap accepts loopback addresses (not eth0,
         * CVE-2020-8558's way in from the neighbours). */
        if (asprintf(&localnet, "/proc/sys/net/ipv4/conf/%s/route_localnet", tap) < 0)
                return ur_err_set(err, ENOMEM, "sysctl path");
        if (sysctl_write(localnet, "1", err) < 0)
                return -1;
        script = ur_net_routed_ruleset(id, info->ip, ports);
        if (!script)
                return ur_err_set(err, ENOMEM, "nftables ruleset");
        ur_log_debug("net: nftables:\n%s", script);
        if (ur_net_nft_run(script, err) < 0)
                return -1;
        return 0;
}

/* Delete the container's table if there is one.  0 also when nftables is
 * not available at all (then routed mode never ran, and no table exists). */
static int nft_table_delete(const char *id, struct ur_err **err)
{
        char table[32], script[128];
        struct ur_err *e = NULL;

        ur_net_nft_table(id, table);
        snprintf(script, sizeof(script), "add table ip %s\ndelete table ip %s\n", table, table);
        if (ur_net_nft_run(script, &e) < 0) {
                if (e && (e->errnum == ENOENT || e->errnum == EOPNOTSUPP)) {
                        ur_log_debug("net: %s", ur_err_msg(e));
                        ur_err_free(&e);
                        return 0;
                }
                *err = e;
                return ur_err_wrap(err, "deleting nftables table '%s'", table);
        }
        return 0;
}

int ur_net_setup(const char *id, const struct ur_net_info *info, int uid, int gid, struct ur_vm_net *vm_net,
                 struct ur_err **err)
{
        _cleanup_nlsock_ struct nl_sock *sk = NULL;
        _cleanup_close_ int tap_fd = -1;
        struct ingress_state st;
        struct ur_vm_net out = {.tap_fd = -1};
        char tap[IF_NAMESIZE], cur[IF_NAMESIZE], holder[IF_NAMESIZE];
        bool veth_qdisc = false, routed = vm_net->mode == UR_NET_ROUTED, nft = false;
        int tap_index = 0, r;

        if (!info || !info->found || info->ifindex <= 0)
                return ur_err_set(err, EINVAL, "no network interface to plumb");
        ur_net_tap_name(id, tap);

        if (nl_open(&sk, err) < 0)
                return -1;

        if (!link_name(sk, info->ifindex, cur) || strcmp(cur, info->ifname) != 0)
                return ur_err_set(err, ENODEV, "interface '%s' (index %d) is gone", info->ifname,
                                  info->ifindex);

        if (ingress_inspect(sk, info->ifindex, &st, err) < 0)
                return ur_err_wrap(err, "inspecting '%s'", info->ifname);
        if (st.redirect && st.target_exists)
                return busy(err,
                            "network namespace already serves a unikernel on '%s' (tap "
                            "'%s'); one unikernel per network namespace",
                            info->ifname, st.target_name);
        if (st.redirect) {
                /* The tap it redirected to is gone: its unikernel is dead. */
                ur_log_info("net: removing a stale redirect on '%s' (its tap is gone)", info->ifname);
                r = ingress_del(sk, info->ifindex);
                if (r < 0 && r != -NLE_OBJ_NOTFOUND)
                        return nl_fail(err, r, "removing the stale ingress qdisc on '%s'", info->ifname);
        } else if (st.qdisc && !routed)
                return busy(err,
                            "interface '%s' already has an ingress qdisc not set up by "
                            "urunc; refusing to replace it",
                            info->ifname);
        /* A routed guest's tap holds the in-pod address (its tap vanishes
         * with its monitor, so a dead one does not count). */
        if (addr_holder(sk, UR_NET_ROUTED_HOST, holder))
                return busy(err,
                            "network namespace already serves a unikernel in routed mode ('%s' holds %s); "
                            "one unikernel per network namespace",
                            holder, UR_NET_ROUTED_HOST);

        if (link_index(sk, tap) > 0)
                return ur_err_set(err, EEXIST, "device '%s' already exists", tap);

        if (tap_create(tap, uid, gid, &tap_fd, err) < 0)
                return -1;

        /* From here on, failures undo: the qdisc on the veth, the table, then the tap. */
        tap_index = link_index(sk, tap);
        if (tap_index <= 0) {
                r = ur_err_set(err, ENODEV, "tap '%s' vanished after creation", tap);
                goto fail;
        }
        if (link_up_mtu(sk, tap_index, tap, info->mtu, err) < 0) {
                r = -1;
                goto fail;
        }
        tap_prime(tap_index, tap);

        out.enabled = true;
        out.mode = vm_net->mode;
        memcpy(out.ports, vm_net->ports, sizeof(out.ports));
        out.ports[sizeof(out.ports) - 1] = '\0';
        snprintf(out.tap_name, sizeof(out.tap_name), "%s", tap);
        out.mtu = info->mtu;
        if (routed) {
                routed_mac(id, out.mac);
                nft = true; /* a failed batch leaves nothing, but a retry is cheap */
                if (routed_plumb(sk, id, info, tap_index, tap, out.mac, out.ports, err) < 0) {
                        r = -1;
                        goto fail;
                }
                snprintf(out.ip, sizeof(out.ip), "%s", UR_NET_ROUTED_GUEST);
                out.prefix = UR_NET_ROUTED_PREFIX;
                snprintf(out.gateway, sizeof(out.gateway), "%s", UR_NET_ROUTED_HOST);
        } else {
                if (ingress_add(sk, tap_index, tap, err) < 0) {
                        r = -1;
                        goto fail;
                }
                if (ingress_add(sk, info->ifindex, info->ifname, err) < 0) {
                        r = -1;
                        goto fail;
                }
                veth_qdisc = true;
                if (redirect_add(sk, info->ifindex, info->ifname, tap_index, tap, err) < 0 ||
                    redirect_add(sk, tap_index, tap, info->ifindex, info->ifname, err) < 0) {
                        r = -1;
                        goto fail;
                }
                memcpy(out.mac, info->mac, sizeof(out.mac));
                memcpy(out.ip, info->ip, sizeof(out.ip));
                out.prefix = info->prefix;
                memcpy(out.gateway, info->gateway, sizeof(out.gateway));
        }
        if (ur_net_netmask(out.prefix, out.netmask) < 0) {
                r = ur_err_set(err, EINVAL, "invalid prefix length %u", out.prefix);
                goto fail;
        }
        /* The DNS server is the caller's business (ur_net_resolv_nameserver). */
        memcpy(out.dns, vm_net->dns, sizeof(out.dns));
        out.dns[sizeof(out.dns) - 1] = '\0';
        out.tap_fd = TAKE_FD(tap_fd);
        if (routed)
                ur_log_info("net: routed: guest %s/%u behind tap '%s', '%s' %s DNATed to it (%s)", out.ip,
                            out.prefix, tap, info->ifname, info->ip,
                            out.ports[0] ? out.ports : "all TCP/UDP ports");
        else
                ur_log_info("net: '%s' %s/%u redirected to tap '%s'", info->ifname, info->ip, info->prefix,
                            tap);
        *vm_net = out;
        return 0;

fail:
        if (veth_qdisc)
                ingress_del(sk, info->ifindex);
        if (nft) {
                struct ur_err *e = NULL;
                nft_table_delete(id, &e);
                ur_err_free(&e);
        }
        link_delete_by_name(sk, tap);
        return r;
}

int ur_net_tap_persist(const struct ur_vm_net *vm_net, bool persist, struct ur_err **err)
{
        if (!vm_net || vm_net->tap_fd < 0)
                return ur_err_set(err, EBADF, "no open tap");
        if (ioctl(vm_net->tap_fd, TUNSETPERSIST, (unsigned long) persist) < 0)
                return ur_err_set(err, errno, "making tap '%s' %spersistent", vm_net->tap_name,
                                  persist ? "" : "non-");
        return 0;
}

static int teardown_here(const char *id, const char *ifname, struct ur_err **err)
{
        _cleanup_nlsock_ struct nl_sock *sk = NULL;
        char tap[IF_NAMESIZE];
        int tap_index, if_index, r;
        bool takeover = false, nft_failed = false;

        ur_net_tap_name(id, tap);
        if (nl_open(&sk, err) < 0)
                return -1;

        tap_index = link_index(sk, tap);
        if_index = link_index(sk, ifname);
        if (if_index > 0) {
                struct ingress_state st;

                if (ingress_inspect(sk, if_index, &st, err) < 0)
                        return ur_err_wrap(err, "inspecting '%s'", ifname);
                /* Only our redirect: to our tap, or to nothing when our tap is gone. */
                if (st.redirect &&
                    ((tap_index > 0 && st.target == tap_index) || (tap_index <= 0 && !st.target_exists))) {
                        r = ingress_del(sk, if_index);
                        if (r < 0 && r != -NLE_OBJ_NOTFOUND && r != -NLE_NODEV)
                                return nl_fail(err, r, "removing the ingress qdisc on '%s'", ifname);
                        takeover = true;
                } else if (st.qdisc)
                        ur_log_debug("net: leaving the ingress qdisc on '%s': not ours", ifname);
        }
        /* Not (or no longer) takeover: a routed-mode table may be left,
         * also when the tap vanished with a crashed monitor. */
        if (!takeover && nft_table_delete(id, err) < 0)
                nft_failed = true; /* still delete the tap, then report */
        if (tap_index > 0) {
                r = link_delete_by_name(sk, tap);
                if (r < 0 && r != -NLE_OBJ_NOTFOUND && r != -NLE_NODEV && !nft_failed)
                        return nl_fail(err, r, "deleting tap '%s'", tap);
        }
        if (nft_failed)
                return -1;
        ur_log_debug("net: torn down tap '%s' and %s", tap, takeover ? "the redirect" : "the nftables table");
        return 0;
}

int ur_net_teardown(const char *netns_path, const char *id, const char *ifname, struct ur_err **err)
{
        _cleanup_close_ int target = -1, self = -1;
        int r;

        if (!netns_path)
                return teardown_here(id, ifname, err);

        target = RETRY_EINTR(open(netns_path, O_RDONLY | O_CLOEXEC));
        if (target < 0) {
                if (errno == ENOENT)
                        return 0; /* the namespace, and all in it, is gone */
                return ur_err_set(err, errno, "open '%s'", netns_path);
        }
        self = RETRY_EINTR(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
        if (self < 0)
                return ur_err_set(err, errno, "open '/proc/thread-self/ns/net'");

        /* setns() moves only this thread; it is moved back before returning. */
        if (setns(target, CLONE_NEWNET) < 0)
                return ur_err_set(err, errno, "entering network namespace '%s'", netns_path);
        r = teardown_here(id, ifname, err);
        if (setns(self, CLONE_NEWNET) < 0) {
                int e = errno;
                ur_err_free(err);
                return ur_err_set(err, e, "returning from network namespace '%s'", netns_path);
        }
        if (r < 0)
                return ur_err_wrap(err, "in network namespace '%s'", netns_path);
        return 0;
}

int ur_net_resolv_nameserver(const char *path, char ret[16], struct ur_err **err)
{
        _cleanup_fclose_ FILE *f = NULL;
        char line[512];

        f = fopen(path, "re");
        if (!f) {
                if (errno == ENOENT) {
                        ret[0] = '\0';
                        return 0;
                }
                return ur_err_set(err, errno, "open '%s'", path);
        }
        while (fgets(line, sizeof(line), f)) {
                char *p = line, *tok;
                struct in_addr a;

                while (isspace((unsigned char) *p))
                        p++;
                if (strncmp(p, "nameserver", 10) != 0 || !isspace((unsigned char) p[10]))
                        continue;
                p += 10;
                while (isspace((unsigned char) *p))
                        p++;
                tok = p;
                while (*p && !isspace((unsigned char) *p) && *p != '#' && *p != ';')
                        p++;
                *p = '\0';
                /* Only IPv4: the guest gets an IPv4 configuration. */
                if (inet_pton(AF_INET, tok, &a) == 1) {
                        snprintf(ret, 16, "%s", tok);
                        return 0;
                }
        }
        if (ferror(f))
                return ur_err_set(err, EIO, "reading '%s'", path);
        ret[0] = '\0';
        return 0;
}
