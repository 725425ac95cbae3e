/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of src/net without privileges: tap naming, netmasks, the
 * resolv.conf reader and the discovery picking logic, fed with netlink
 * objects built by libnl's own allocators.
 */
#include <net/if.h>
#include <net/if_arp.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "net/net-internal.h"
#include "net/net.h"
#include "util/error.h"

/* ---- fixtures ---------------------------------------------------------- */

struct fx {
        struct nl_cache *links, *addrs, *routes;
};

static void fx_init(struct fx *f)
{
        assert_int_equal(nl_cache_alloc_name("route/link", &f->links), 0);
        assert_int_equal(nl_cache_alloc_name("route/addr", &f->addrs), 0);
        assert_int_equal(nl_cache_alloc_name("route/route", &f->routes), 0);
}

static void fx_done(struct fx *f)
{
        nl_cache_free(f->links);
        nl_cache_free(f->addrs);
        nl_cache_free(f->routes);
}

static void add_link(struct fx *f, int ifindex, const char *name, unsigned mtu, const char *mac)
{
        struct rtnl_link *l = rtnl_link_alloc();
        struct nl_addr *a = NULL;
        bool lo = strcmp(name, "lo") == 0;

        assert_non_null(l);
        rtnl_link_set_ifindex(l, ifindex);
        rtnl_link_set_name(l, name);
        rtnl_link_set_mtu(l, mtu);
        rtnl_link_set_arptype(l, lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER);
        rtnl_link_set_flags(l, IFF_UP | (lo ? IFF_LOOPBACK : IFF_BROADCAST));
        assert_int_equal(nl_addr_parse(mac, AF_LLC, &a), 0);
        rtnl_link_set_addr(l, a);
        nl_addr_put(a);
        assert_int_equal(nl_cache_add(f->links, (struct nl_object *) l), 0);
        rtnl_link_put(l);
}

static void add_addr(struct fx *f, int ifindex, int family, const char *cidr, int scope, unsigned flags)
{
        struct rtnl_addr *ad = rtnl_addr_alloc();
        struct nl_addr *a = NULL;

        assert_non_null(ad);
        assert_int_equal(nl_addr_parse(cidr, family, &a), 0);
        rtnl_addr_set_ifindex(ad, ifindex);
        rtnl_addr_set_family(ad, family);
        assert_int_equal(rtnl_addr_set_local(ad, a), 0);
        rtnl_addr_set_prefixlen(ad, (int) nl_addr_get_prefixlen(a));
        rtnl_addr_set_scope(ad, scope);
        rtnl_addr_set_flags(ad, flags);
        nl_addr_put(a);
        assert_int_equal(nl_cache_add(f->addrs, (struct nl_object *) ad), 0);
        rtnl_addr_put(ad);
}

/* A default route (dst "default") or any other in family, via gw (may be NULL). */
static void add_route(struct fx *f, int family, const char *dst, unsigned table, int oif, const char *gw,
                      uint32_t metric)
{
        struct rtnl_route *r = rtnl_route_alloc();
        struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
        struct nl_addr *d = NULL, *g = NULL;

        assert_non_null(r);
        assert_non_null(nh);
        assert_int_equal(rtnl_route_set_family(r, (uint8_t) family), 0);
        rtnl_route_set_table(r, table);
        assert_int_equal(rtnl_route_set_type(r, RTN_UNICAST), 0);
        rtnl_route_set_priority(r, metric);
        assert_int_equal(nl_addr_parse(dst, family, &d), 0);
        assert_int_equal(rtnl_route_set_dst(r, d), 0);
        nl_addr_put(d);
        rtnl_route_nh_set_ifindex(nh, oif);
        if (gw) {
                assert_int_equal(nl_addr_parse(gw, family, &g), 0);
                rtnl_route_nh_set_gateway(nh, g);
                nl_addr_put(g);
        }
        rtnl_route_add_nexthop(r, nh);
        assert_int_equal(nl_cache_add(f->routes, (struct nl_object *) r), 0);
        rtnl_route_put(r);
}

static void std_links(struct fx *f)
{
        add_link(f, 1, "lo", 65536, "00:00:00:00:00:00");
        add_addr(f, 1, AF_INET, "127.0.0.1/8", RT_SCOPE_HOST, IFA_F_PERMANENT);
        add_link(f, 2, "eth0", 1500, "02:00:00:00:00:02");
        add_link(f, 3, "eth1", 9000, "02:00:00:00:00:03");
}

/* ---- tests ------------------------------------------------------------- */

static void test_tap_name(void **state)
{
        char a[IF_NAMESIZE], b[IF_NAMESIZE], c[IF_NAMESIZE];
        const char *long_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        ur_net_tap_name("", a);
        assert_string_equal(a, "urt9ce484222325"); /* FNV-1a-64("") = cbf29ce484222325 */
        ur_net_tap_name("a", a);
        assert_string_equal(a, "urtdc4c8601ec8c"); /* FNV-1a-64("a") = af63dc4c8601ec8c */

        ur_net_tap_name(long_id, a);
        ur_net_tap_name(long_id, b);
        assert_string_equal(a, b);
        assert_int_equal(strlen(a), 15);
        assert_true(strlen(a) < IFNAMSIZ);
        assert_memory_equal(a, "urt", 3);
        for (size_t i = 3; i < strlen(a); i++)
                assert_true(isxdigit((unsigned char) a[i]) && !isupper((unsigned char) a[i]));

        ur_net_tap_name("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdee", c);
        assert_string_not_equal(a, c);
        assert_int_equal(ur_net_fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

static void test_netmask(void **state)
{
        static const struct {
                unsigned prefix;
                const char *mask;
        } cases[] = {
                {0, "0.0.0.0"},          {1, "128.0.0.0"},        {8, "255.0.0.0"},
                {16, "255.255.0.0"},     {20, "255.255.240.0"},   {24, "255.255.255.0"},
                {25, "255.255.255.128"}, {31, "255.255.255.254"}, {32, "255.255.255.255"},
        };
        char m[16];

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                assert_int_equal(ur_net_netmask(cases[i].prefix, m), 0);
                assert_string_equal(m, cases[i].mask);
        }
        assert_int_equal(ur_net_netmask(33, m), -1);
}

static void test_default_route_on_eth1(void **state)
{
        struct ur_net_info info;
        struct fx f;

        fx_init(&f);
        std_links(&f);
        add_addr(&f, 2, AF_INET, "10.0.0.2/24", RT_SCOPE_UNIVERSE, IFA_F_PERMANENT);
        add_addr(&f, 3, AF_INET, "192.168.5.7/16", RT_SCOPE_UNIVERSE, IFA_F_PERMANENT);
        /* Noise: connected routes, a default in another table, an IPv6 default on eth0. */
        add_route(&f, AF_INET, "10.0.0.0/24", RT_TABLE_MAIN, 2, NULL, 0);
        add_route(&f, AF_INET, "0.0.0.0/0", 100, 2, "10.0.0.1", 0);
        add_route(&f, AF_INET6, "::/0", RT_TABLE_MAIN, 2, "fe80::1", 0);
        add_route(&f, AF_INET, "0.0.0.0/0", RT_TABLE_MAIN, 3, "192.168.0.1", 100);

        ur_net_pick(f.links, f.addrs, f.routes, &info);
        assert_true(info.found);
        assert_string_equal(info.ifname, "eth1");
        assert_int_equal(info.ifindex, 3);
        assert_string_equal(info.ip, "192.168.5.7");
        assert_int_equal(info.prefix, 16);
        assert_string_equal(info.gateway, "192.168.0.1");
        assert_string_equal(info.mac, "02:00:00:00:00:03");
        assert_int_equal(info.mtu, 9000);
        fx_done(&f);
}

static void test_lowest_metric_wins(void **state)
{
        struct ur_net_info info;
        struct fx f;

        fx_init(&f);
        std_links(&f);
        add_addr(&f, 2, AF_INET, "10.0.0.2/24", RT_SCOPE_UNIVERSE, IFA_F_PERMANENT);
        add_addr(&f, 3, AF_INET, "192.168.5.7/16", RT_SCOPE_UNIVERSE, IFA_F_PERMANENT);
        add_route(&f, AF_INET, "0.0.0.0/0", RT_TABLE_MAIN, 3, "192.168.0.1", 600);
        add_route(&f, AF_INET, "0.0.0.0/0", RT_TABLE_MAIN, 2, "10.0.0.1", 100);

        ur_net_pick(f.links, f.addrs, f.routes, &info);
        assert_true(info.found);
        assert_string_equal(info.ifname, "eth0");
        assert_string_equal(info.gateway, "10.0.0.1");
        assert_int_equal(info.mtu, 1500);
        fx_done(&f);
}

static void test_primary_address(void **state)
{
        struct ur_net_info info;
        struct fx f;

        fx_init(&f);
        std_links(&f);
        add_addr(&f, 2, AF_INET6, "fe80::2/64", RT_SCOPE_LINK, 0);
        add_addr(&f, 2, AF_INET, "169.254.3.3/16", RT_SCOPE_LINK, 0);
        add_addr(&f, 2, AF_INET, "10.0.0.9/24", RT_SCOPE_UNIVERSE, IFA_F_SECONDARY);
        add_addr(&f, 2, AF_INET, "10.0.0.2/24", RT_SCOPE_UNIVERSE, IFA_F_PERMANENT);
        add_route(&f, AF_INET, "0.0.0.0/0", RT_TABLE_MAIN, 2, "10.0.0.1", 0);

        ur_net_pick(f.links, f.addrs, f.routes, &info);
        assert_true(info.found);
        assert_string_equal(info.ip, "10.0.0.2");
        assert_int_equal(info.prefix, 24);
        fx_done(&f);
}

static void test_no_default_route_one_link(void **state)
{
        struct ur_net_info info;
        struct fx f;

        fx_init(&f);
        std_links(&f);
        add_addr(&f, 3, AF_INET, "172.16.1.5/12", RT_SCOPE_UNIVERSE, IFA_F_PERMANENT);
        add_route(&f, AF_INET, "172.16.0.0/12", RT_TABLE_MAIN, 3, NULL, 0);

        ur_net_pick(f.links, f.addrs, f.routes, &info);
        assert_true(info.found);
        assert_string_equal(info.ifname, "eth1");
        assert_string_equal(info.ip, "172.16.1.5");
        assert_int_equal(info.prefix, 12);
        assert_string_equal(info.gateway, "");
        fx_done(&f);
}

static void test_no_default_route_two_links(void **state)
{
        struct ur_net_info info;
        struct fx f;

        fx_init(&f);
        std_links(&f);
        add_addr(&f, 2, AF_INET, "10.0.0.2/24", RT_SCOPE_UNIVERSE, IFA_F_PERMANENT);
        add_addr(&f, 3, AF_INET, "172.16.1.5/12", RT_SCOPE_UNIVERSE, IFA_F_PERMANENT);

        ur_net_pick(f.links, f.addrs, f.routes, &info);
        assert_false(info.found);
        fx_done(&f);
}

static void test_no_links(void **state)
{
        struct ur_net_info info;
        struct fx f;

        fx_init(&f);
        ur_net_pick(f.links, f.addrs, f.routes, &info);
        assert_false(info.found);

        /* Only loopback. */
        add_link(&f, 1, "lo", 65536, "00:00:00:00:00:00");
        add_addr(&f, 1, AF_INET, "127.0.0.1/8", RT_SCOPE_HOST, IFA_F_PERMANENT);
        ur_net_pick(f.links, f.addrs, f.routes, &info);
        assert_false(info.found);
        fx_done(&f);

        ur_net_pick(NULL, NULL, NULL, &info);
        assert_false(info.found);
}

static void test_ipv6_only(void **state)
{
        struct ur_net_info info;
        struct fx f;

        fx_init(&f);
        std_links(&f);
        add_addr(&f, 2, AF_INET6, "2001:db8::2/64", RT_SCOPE_UNIVERSE, IFA_F_PERMANENT);
        add_addr(&f, 2, AF_INET6, "fe80::2/64", RT_SCOPE_LINK, IFA_F_PERMANENT);
        add_route(&f, AF_INET6, "::/0", RT_TABLE_MAIN, 2, "2001:db8::1", 0);

        ur_net_pick(f.links, f.addrs, f.routes, &info);
        assert_false(info.found);
        fx_done(&f);
}

static void test_default_route_link_unusable(void **state)
{
        struct ur_net_info info;
        struct fx f;

        fx_init(&f);
        std_links(&f);
        /* The default route points at eth0, which has no IPv4 address: fall back
         * to the only addressed link. */
        add_addr(&f, 3, AF_INET, "192.168.5.7/24", RT_SCOPE_UNIVERSE, IFA_F_PERMANENT);
        add_route(&f, AF_INET, "0.0.0.0/0", RT_TABLE_MAIN, 2, "10.0.0.1", 0);

        ur_net_pick(f.links, f.addrs, f.routes, &info);
        assert_true(info.found);
        assert_string_equal(info.ifname, "eth1");
        assert_string_equal(info.gateway, "");

        /* The default route points at a link that is not there. */
        fx_done(&f);
        fx_init(&f);
        add_link(&f, 2, "eth0", 1500, "02:00:00:00:00:02");
        add_addr(&f, 2, AF_INET, "10.0.0.2/24", RT_SCOPE_UNIVERSE, IFA_F_PERMANENT);
        add_route(&f, AF_INET, "0.0.0.0/0", RT_TABLE_MAIN, 7, "10.9.0.1", 0);
        ur_net_pick(f.links, f.addrs, f.routes, &info);
        assert_true(info.found);
        assert_string_equal(info.ifname, "eth0");
        assert_string_equal(info.gateway, "");
        fx_done(&f);
}

static void write_file(const char *path, const char *content)
{
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs(content, fp);
        fclose(fp);
}

static void test_resolv(void **state)
{
        char dir[] = "/tmp/test-net-XXXXXX", path[PATH_MAX], ns[16];
        struct ur_err *err = NULL;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/resolv.conf", dir);

        write_file(path, "# generated\n; comment\nsearch example.org\n"
                         "nameserver 2001:db8::53\n  nameserver\t10.0.0.53 # main\n"
                         "nameserver 10.0.0.54\n");
        assert_int_equal(ur_net_resolv_nameserver(path, ns, &err), 0);
        assert_string_equal(ns, "10.0.0.53");

        write_file(path, "search x\nnameservers 1.2.3.4\n#nameserver 5.6.7.8\n");
        assert_int_equal(ur_net_resolv_nameserver(path, ns, &err), 0);
        assert_string_equal(ns, "");

        write_file(path, "nameserver 8.8.8.8");
        assert_int_equal(ur_net_resolv_nameserver(path, ns, &err), 0);
        assert_string_equal(ns, "8.8.8.8");

        unlink(path);
        strcpy(ns, "junk");
        assert_int_equal(ur_net_resolv_nameserver(path, ns, &err), 0);
        assert_string_equal(ns, "");
        assert_null(err);

        /* A directory is an error, with the path in the message. */
        assert_true(ur_net_resolv_nameserver(dir, ns, &err) < 0);
        assert_non_null(err);
        assert_non_null(strstr(ur_err_msg(err), dir));
        ur_err_free(&err);
        rmdir(dir);
}

static void test_setup_without_interface(void **state)
{
        struct ur_net_info info = {.found = false};
        struct ur_vm_net net = {.tap_fd = -1};
        struct ur_err *err = NULL;

        assert_true(ur_net_setup("x", &info, -1, -1, &net, &err) < 0);
        assert_non_null(err);
        assert_non_null(strstr(ur_err_msg(err), "no network interface"));
        assert_int_equal(net.tap_fd, -1);
        ur_err_free(&err);
}

static void ports_ok(const char *in, const char *want)
{
        char out[384];
        struct ur_err *err = NULL;

        assert_int_equal(ur_net_ports_parse(in, "test", out, &err), 0);
        assert_null(err);
        assert_string_equal(out, want);
}

static void ports_bad(const char *in, const char *msg)
{
        char out[384] = "untouched";
        struct ur_err *err = NULL;

        assert_true(ur_net_ports_parse(in, "annotation 'k'", out, &err) < 0);
        assert_non_null(err);
        if (!strstr(ur_err_msg(err), msg))
                fail_msg("'%s' not in '%s'", msg, ur_err_msg(err));
        assert_non_null(strstr(ur_err_msg(err), "annotation 'k'"));
        assert_string_equal(out, "untouched");
        ur_err_free(&err);
}

static void test_ports(void **state)
{
        char many[256] = "";

        ports_ok("80", "tcp/80");
        ports_ok("80,443,udp/53", "tcp/80,tcp/443,udp/53");
        ports_ok(" tcp/8080 , udp/5353 ", "tcp/8080,udp/5353");
        ports_ok("1,65535", "tcp/1,tcp/65535");
        ports_bad("0", "invalid entry '0' in '0'");
        ports_bad("65536", "invalid entry '65536'");
        ports_bad("80,http", "invalid entry 'http' in '80,http'");
        ports_bad("80,", "invalid entry '' in '80,'");
        ports_bad("", "invalid entry ''");
        ports_bad("sctp/9", "invalid entry 'sctp/9'");
        ports_bad("80 443", "invalid entry '80 443'");
        ports_bad("-1", "invalid entry '-1'");
        for (int i = 0; i < 33; i++)
                snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s%d", i ? "," : "", i + 1);
        ports_bad(many, "more than 32 ports");
}

static void test_mode_names(void **state)
{
        enum ur_net_mode m = UR_NET_ROUTED;

        assert_int_equal(ur_net_mode_from_string("takeover", &m), 0);
        assert_int_equal(m, UR_NET_TAKEOVER);
        assert_int_equal(ur_net_mode_from_string("routed", &m), 0);
        assert_int_equal(m, UR_NET_ROUTED);
        assert_int_equal(ur_net_mode_from_string("Routed", &m), -1);
        assert_int_equal(ur_net_mode_from_string(NULL, &m), -1);
        assert_string_equal(ur_net_mode_to_string(UR_NET_ROUTED), "routed");
        assert_string_equal(ur_net_mode_to_string(UR_NET_TAKEOVER), "takeover");
}

/* Lines of text that contain needle, counted. */
static int count(const char *text, const char *needle)
{
        int n = 0;
        for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
                n++;
        return n;
}

static void test_ruleset(void **state)
{
        char tap[IF_NAMESIZE], table[32], line[256];
        char *all, *pub, *tcp_only;

        ur_net_tap_name("ctr", tap);
        ur_net_nft_table("ctr", table);
        assert_string_equal(table + 6, tap + 3);
        assert_memory_equal(table, "urunc-", 6);

        all = ur_net_routed_ruleset("ctr", "10.1.2.3", "");
        assert_non_null(all);
        /* Stale table removed in the same batch, first. */
        snprintf(line, sizeof(line), "add table ip %s\ndelete table ip %s\ntable ip %s {\n", table, table,
                 table);
        assert_memory_equal(all, line, strlen(line));
        snprintf(line, sizeof(line),
                 "iifname != \"%s\" ip daddr 10.1.2.3 meta l4proto { tcp, udp } dnat to %s\n", tap,
                 UR_NET_ROUTED_GUEST);
        assert_int_equal(count(all, line), 1);
        snprintf(line, sizeof(line), "\t\tip daddr 10.1.2.3 meta l4proto { tcp, udp } dnat to %s\n",
                 UR_NET_ROUTED_GUEST);
        assert_int_equal(count(all, line), 1);
        assert_int_equal(count(all, "127.0.0.1"), 0); /* loopback not published without ports */
        snprintf(line, sizeof(line), "oifname \"%s\" ip saddr 127.0.0.0/8 snat to %s\n", tap,
                 UR_NET_ROUTED_HOST);
        assert_int_equal(count(all, line), 1);
        snprintf(line, sizeof(line), "oifname != \"%s\" ip saddr %s masquerade\n", tap, UR_NET_ROUTED_GUEST);
        assert_int_equal(count(all, line), 1);
        assert_int_equal(count(all, "type nat hook prerouting priority -100;"), 1);
        assert_int_equal(count(all, "type nat hook output priority -100;"), 1);
        assert_int_equal(count(all, "type nat hook postrouting priority 100;"), 1);

        pub = ur_net_routed_ruleset("ctr", "10.1.2.3", "tcp/80,udp/53,tcp/443");
        assert_non_null(pub);
        assert_int_equal(count(pub, "meta l4proto"), 0);
        snprintf(line, sizeof(line), "iifname != \"%s\" ip daddr 10.1.2.3 tcp dport { 80, 443 } dnat to %s\n",
                 tap, UR_NET_ROUTED_GUEST);
        assert_int_equal(count(pub, line), 1);
        snprintf(line, sizeof(line), "iifname != \"%s\" ip daddr 10.1.2.3 udp dport { 53 } dnat to %s\n", tap,
                 UR_NET_ROUTED_GUEST);
        assert_int_equal(count(pub, line), 1);
        snprintf(line, sizeof(line),
                 "\t\tip daddr { 10.1.2.3, 127.0.0.1 } tcp dport { 80, 443 } dnat to %s\n",
                 UR_NET_ROUTED_GUEST);
        assert_int_equal(count(pub, line), 1);
        snprintf(line, sizeof(line), "\t\tip daddr { 10.1.2.3, 127.0.0.1 } udp dport { 53 } dnat to %s\n",
                 UR_NET_ROUTED_GUEST);
        assert_int_equal(count(pub, line), 1);

        tcp_only = ur_net_routed_ruleset("ctr", "10.1.2.3", "tcp/8080");
        assert_non_null(tcp_only);
        assert_int_equal(count(tcp_only, "udp dport"), 0);
        assert_int_equal(count(tcp_only, "tcp dport { 8080 }"), 2);

        /* Another id, another table and tap. */
        char *other = ur_net_routed_ruleset("ctr2", "10.1.2.3", "");
        assert_int_equal(count(other, table), 0);
        assert_int_equal(count(other, tap), 0);
        free(other);
        free(all);
        free(pub);
        free(tcp_only);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tap_name),
                cmocka_unit_test(test_netmask),
                cmocka_unit_test(test_default_route_on_eth1),
                cmocka_unit_test(test_lowest_metric_wins),
                cmocka_unit_test(test_primary_address),
                cmocka_unit_test(test_no_default_route_one_link),
                cmocka_unit_test(test_no_default_route_two_links),
                cmocka_unit_test(test_no_links),
                cmocka_unit_test(test_ipv6_only),
                cmocka_unit_test(test_default_route_link_unusable),
                cmocka_unit_test(test_resolv),
                cmocka_unit_test(test_setup_without_interface),
                cmocka_unit_test(test_ports),
                cmocka_unit_test(test_mode_names),
                cmocka_unit_test(test_ruleset),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
