/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The net guest's network: a polled virtio-net driver on virtio-mmio (legacy
 * version 1, QEMU's default, or modern version 2) and just enough of a stack
 * to answer ARP, ICMP echo and one HTTP/1.0 request per TCP connection on
 * port 80.  Replies go to the sender's MAC address, so there is no ARP cache;
 * the gateway is only reported.  Nothing is ever retransmitted.
 */
#include "guest.h"

/* virtio-mmio registers */
#define VM_MAGIC 0x000
#define VM_VERSION 0x004
#define VM_DEVICE_ID 0x008
#define VM_DEVICE_FEATURES 0x010
#define VM_DEVICE_FEATURES_SEL 0x014
#define VM_DRIVER_FEATURES 0x020
#define VM_DRIVER_FEATURES_SEL 0x024
#define VM_GUEST_PAGE_SIZE 0x028 /* legacy */
#define VM_QUEUE_SEL 0x030
#define VM_QUEUE_NUM_MAX 0x034
#define VM_QUEUE_NUM 0x038
#define VM_QUEUE_ALIGN 0x03c /* legacy */
#define VM_QUEUE_PFN 0x040   /* legacy */
#define VM_QUEUE_READY 0x044
#define VM_QUEUE_NOTIFY 0x050
#define VM_INTERRUPT_STATUS 0x060
#define VM_INTERRUPT_ACK 0x064
#define VM_STATUS 0x070
#define VM_QUEUE_DESC_LO 0x080
#define VM_QUEUE_DESC_HI 0x084
#define VM_QUEUE_AVAIL_LO 0x090
#define VM_QUEUE_AVAIL_HI 0x094
#define VM_QUEUE_USED_LO 0x0a0
#define VM_QUEUE_USED_HI 0x0a4
#define VM_CONFIG 0x100

#define VIRTIO_MAGIC 0x74726976 /* "virt" */
#define VIRTIO_ID_NET 1

#define ST_ACKNOWLEDGE 1
#define ST_DRIVER 2
#define ST_DRIVER_OK 4
#define ST_FEATURES_OK 8
#define ST_FAILED 128

#define F_NET_MAC 5
#define F_VERSION_1 32

/* QEMU microvm: 24 transports from 0xfeb00000, 512 bytes apart. */
#define MMIO_BASE 0xfeb00000UL
#define MMIO_STRIDE 0x200
#define MMIO_SLOTS 24

#define QSZ 64
#define BUF_SIZE 2048
#define PAGE 4096

struct vring_desc {
        uint64_t addr;
        uint32_t len;
        uint16_t flags;
        uint16_t next;
};
#define VRING_DESC_F_WRITE 2
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_avail {
        uint16_t flags;
        uint16_t idx;
        uint16_t ring[QSZ];
        uint16_t used_event;
};

struct vring_used_elem {
        uint32_t id;
        uint32_t len;
};

struct vring_used {
        uint16_t flags;
        uint16_t idx;
        struct vring_used_elem ring[QSZ];
        uint16_t avail_event;
};

/*
 * The legacy layout, which the modern interface can use as well: the
 * descriptors and the available ring in the first page, the used ring at the
 * next page boundary.
 */
struct vring_mem {
        struct vring_desc desc[QSZ];
        struct vring_avail avail;
        uint8_t pad[PAGE - sizeof(struct vring_desc) * QSZ - sizeof(struct vring_avail)];
        struct vring_used used;
} __attribute__((aligned(PAGE)));

struct vq {
        struct vring_mem *mem;
        uint8_t (*buf)[BUF_SIZE];
        uint16_t index;
        uint16_t avail_idx; /* next free slot in the available ring */
        uint16_t used_idx;  /* next used element to look at */
};

static struct vring_mem rxq_mem, txq_mem;
static uint8_t rx_bufs[QSZ][BUF_SIZE] __attribute__((aligned(16)));
static uint8_t tx_bufs[QSZ][BUF_SIZE] __attribute__((aligned(16)));
static struct vq rxq = { &rxq_mem, rx_bufs, 0, 0, 0 };
static struct vq txq = { &txq_mem, tx_bufs, 1, 0, 0 };

static uintptr_t dev;
static uint32_t dev_version;
static unsigned dev_irq; /* from virtio_mmio.device=<size>@<base>:<irq>; 0: polled only */
static size_t hdr_len; /* struct virtio_net_hdr: 10 bytes legacy, 12 modern */

static uint8_t my_mac[6];
static uint32_t my_ip, my_gw;
static unsigned my_prefix;

static uint32_t rd(unsigned reg)
{
        return mmio_read32(dev + reg);
}

static void wr(unsigned reg, uint32_t v)
{
        mmio_write32(dev + reg, v);
}

static bool find_device(void)
{
        for (unsigned i = 0; i < MMIO_SLOTS; i++) {
                uintptr_t base = MMIO_BASE + (uintptr_t)i * MMIO_STRIDE;
                uint32_t version;

                if (mmio_read32(base + VM_MAGIC) != VIRTIO_MAGIC)
                        continue;
                version = mmio_read32(base + VM_VERSION);
                if (version != 1 && version != 2)
                        continue;
                if (mmio_read32(base + VM_DEVICE_ID) != VIRTIO_ID_NET)
                        continue;
                dev = base;
                dev_version = version;
                return true;
        }
        return false;
}

static int queue_setup(struct vq *q)
{
        uintptr_t mem = (uintptr_t)q->mem;
        uint32_t max;

        wr(VM_QUEUE_SEL, q->index);
        max = rd(VM_QUEUE_NUM_MAX);
        if (max < QSZ) {
                con_printf("net: error: queue %u holds %u, not %u\n", q->index, max, QSZ);
                return -1;
        }
        wr(VM_QUEUE_NUM, QSZ);
        if (dev_version == 1) {
                wr(VM_QUEUE_ALIGN, PAGE);
                wr(VM_QUEUE_PFN, (uint32_t)(mem / PAGE));
        } else {
                wr(VM_QUEUE_DESC_LO, (uint32_t)(uintptr_t)q->mem->desc);
                wr(VM_QUEUE_DESC_HI, 0);
                wr(VM_QUEUE_AVAIL_LO, (uint32_t)(uintptr_t)&q->mem->avail);
                wr(VM_QUEUE_AVAIL_HI, 0);
                wr(VM_QUEUE_USED_LO, (uint32_t)(uintptr_t)&q->mem->used);
                wr(VM_QUEUE_USED_HI, 0);
                wr(VM_QUEUE_READY, 1);
        }
        /* Polled: the device need not interrupt (net_irq_enable). */
        q->mem->avail.flags = VRING_AVAIL_F_NO_INTERRUPT;
        return 0;
}

static void rx_post(uint16_t id)
{
        struct vring_mem *m = rxq.mem;

        m->desc[id] = (struct vring_desc){ (uintptr_t)rxq.buf[id], BUF_SIZE, VRING_DESC_F_WRITE, 0 };
        m->avail.ring[rxq.avail_idx % QSZ] = id;
        rxq.avail_idx++;
}

static int virtio_net_init(void)
{
        uint64_t features, want;

        wr(VM_STATUS, 0);
        wr(VM_STATUS, ST_ACKNOWLEDGE);
        wr(VM_STATUS, ST_ACKNOWLEDGE | ST_DRIVER);

        wr(VM_DEVICE_FEATURES_SEL, 0);
        features = rd(VM_DEVICE_FEATURES);
        wr(VM_DEVICE_FEATURES_SEL, 1);
        features |= (uint64_t)rd(VM_DEVICE_FEATURES) << 32;

        want = features & (1ull << F_NET_MAC);
        if (dev_version == 2) {
                if (!(features & (1ull << F_VERSION_1))) {
                        con_printf("net: error: modern device without VIRTIO_F_VERSION_1\n");
                        return -1;
                }
                want |= 1ull << F_VERSION_1;
        }
        wr(VM_DRIVER_FEATURES_SEL, 0);
        wr(VM_DRIVER_FEATURES, (uint32_t)want);
        wr(VM_DRIVER_FEATURES_SEL, 1);
        wr(VM_DRIVER_FEATURES, (uint32_t)(want >> 32));
        hdr_len = dev_version == 2 ? 12 : 10;

        if (dev_version == 2) {
                wr(VM_STATUS, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK);
                if (!(rd(VM_STATUS) & ST_FEATURES_OK)) {
                        con_printf("net: error: device refused the features\n");
                        return -1;
                }
        } else {
                wr(VM_GUEST_PAGE_SIZE, PAGE);
        }

        if (queue_setup(&rxq) < 0 || queue_setup(&txq) < 0) {
                wr(VM_STATUS, ST_FAILED);
                return -1;
        }

        if (want & (1ull << F_NET_MAC)) {
                for (unsigned i = 0; i < 6; i++)
                        my_mac[i] = mmio_read8(dev + VM_CONFIG + i);
        } else {
                static const uint8_t fallback[6] = { 0x02, 0, 0, 0, 0, 0x01 };
                memcpy(my_mac, fallback, 6);
        }

        for (uint16_t i = 0; i < QSZ; i++)
                rx_post(i);
        barrier();
        rxq.mem->avail.idx = rxq.avail_idx;

        wr(VM_STATUS, ST_ACKNOWLEDGE | ST_DRIVER | (dev_version == 2 ? ST_FEATURES_OK : 0) |
                              ST_DRIVER_OK);
        barrier();
        wr(VM_QUEUE_NOTIFY, rxq.index);
        return 0;
}

/* Reclaim what the device has sent; false if the TX ring is still full. */
static bool tx_reclaim(void)
{
        barrier();
        txq.used_idx = txq.mem->used.idx;
        return (uint16_t)(txq.avail_idx - txq.used_idx) < QSZ;
}

/* The frame buffer of the next TX slot, or NULL if the ring stays full. */
static uint8_t *tx_frame(void)
{
        for (int i = 0; !tx_reclaim(); i++) {
                if (i > 1000000)
                        return NULL;
                __asm__ volatile("pause");
        }
        return txq.buf[txq.avail_idx % QSZ] + hdr_len;
}

static void tx_send(size_t frame_len)
{
        uint16_t slot = txq.avail_idx % QSZ;
        struct vring_mem *m = txq.mem;

        memset(txq.buf[slot], 0, hdr_len);
        if (frame_len < 60)
                memset(txq.buf[slot] + hdr_len + frame_len, 0, 60 - frame_len), frame_len = 60;
        m->desc[slot] = (struct vring_desc){ (uintptr_t)txq.buf[slot],
                                             (uint32_t)(hdr_len + frame_len), 0, 0 };
        m->avail.ring[slot] = slot;
        barrier();
        m->avail.idx = ++txq.avail_idx;
        barrier();
        wr(VM_QUEUE_NOTIFY, txq.index);
}

/* Byte order helpers: packets are big-endian, the CPU is not. */
static uint16_t get16(const uint8_t *p)
{
        return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
        for (size_t i = 0; i + 1 < n; i += 2)
                sum += get16(p + i);
        if (n & 1)
                sum += (uint32_t)p[n - 1] << 8;
        return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t)~sum;
}

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define IP_HLEN 20
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static uint16_t ip_id;

static void eth_fill(uint8_t *f, const uint8_t *dst, uint16_t type)
{
        memcpy(f, dst, 6);
        memcpy(f + 6, my_mac, 6);
        put16(f + 12, type);
}

/* Fill Ethernet and IPv4 headers for a payload of len bytes; returns the payload. */
static uint8_t *ip_fill(uint8_t *f, const uint8_t *dst_mac, uint32_t dst, uint8_t proto,
                        size_t len)
{
        uint8_t *ip = f + ETH_HLEN;

        eth_fill(f, dst_mac, ETH_P_IP);
        ip[0] = 0x45;
        ip[1] = 0;
        put16(ip + 2, (uint16_t)(IP_HLEN + len));
        put16(ip + 4, ip_id++);
        put16(ip + 6, 0x4000); /* DF */
        ip[8] = 64;
        ip[9] = proto;
        put16(ip + 10, 0);
        put32(ip + 12, my_ip);
        put32(ip + 16, dst);
        put16(ip + 10, csum_fold(csum_add(0, ip, IP_HLEN)));
        return ip + IP_HLEN;
}

static void arp_input(const uint8_t *f, size_t len)
{
        const uint8_t *a = f + ETH_HLEN;
        uint8_t *r, *ra;

        if (len < ETH_HLEN + 28 || get16(a) != 1 || get16(a + 2) != ETH_P_IP || a[4] != 6 ||
            a[5] != 4 || get16(a + 6) != 1 || get32(a + 24) != my_ip)
                return;
        r = tx_frame();
        if (!r)
                return;
        eth_fill(r, a + 8, ETH_P_ARP);
        ra = r + ETH_HLEN;
        put16(ra, 1);
        put16(ra + 2, ETH_P_IP);
        ra[4] = 6;
        ra[5] = 4;
        put16(ra + 6, 2); /* reply */
        memcpy(ra + 8, my_mac, 6);
        put32(ra + 14, my_ip);
        memcpy(ra + 18, a + 8, 10); /* the asker's MAC and IP */
        tx_send(ETH_HLEN + 28);
}

/* A gratuitous ARP (an announcement, RFC 5227 §2.3: a request whose
 * sender and target are our address), as lwIP-based unikernels send when
 * their interface comes up: a peer whose neighbour entry for our address
 * is incomplete (its request reached the tap before we ran) or stale
 * learns our MAC now and sends what it had queued, rather than after its
 * ARP retransmit (1 s by default on Linux). */
static void arp_announce(void)
{
        uint8_t *r = tx_frame(), *ra;

        if (!r)
                return;
        eth_fill(r, bcast, ETH_P_ARP);
        ra = r + ETH_HLEN;
        put16(ra, 1);
        put16(ra + 2, ETH_P_IP);
        ra[4] = 6;
        ra[5] = 4;
        put16(ra + 6, 1); /* request */
        memcpy(ra + 8, my_mac, 6);
        put32(ra + 14, my_ip);
        memset(ra + 18, 0, 6);
        put32(ra + 24, my_ip);
        tx_send(ETH_HLEN + 28);
}

static void icmp_input(const uint8_t *f, const uint8_t *ip, const uint8_t *icmp, size_t len)
{
        uint8_t *r, *ri;

        if (len < 8 || icmp[0] != 8 || len > BUF_SIZE - 64)
                return; /* only echo requests */
        r = tx_frame();
        if (!r)
                return;
        ri = ip_fill(r, f + 6, get32(ip + 12), IPPROTO_ICMP, len);
        memcpy(ri, icmp, len);
        ri[0] = 0; /* echo reply */
        put16(ri + 2, 0);
        put16(ri + 2, csum_fold(csum_add(0, ri, len)));
        tx_send(ETH_HLEN + IP_HLEN + len);
}

/* TCP: one connection at a time on port 80; a new SYN replaces it. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define HTTP_PORT 80

enum tcp_state { T_CLOSED, T_SYN_RCVD, T_ESTABLISHED, T_FIN_SENT };

static struct {
        enum tcp_state state;
        uint8_t mac[6];
        uint32_t ip;
        uint16_t port;
        uint32_t iss, snd_nxt, rcv_nxt;
        bool fin_rcvd, fin_acked;
        char req[1024];
        size_t req_len;
} conn;

static const char http_body[] = "urunc-test-guest net ok\n";
static const char http_head[] = "HTTP/1.0 200 OK\r\n"
                                "Content-Type: text/plain\r\n"
                                "Connection: close\r\n"
                                "Content-Length: ";

static void tcp_send(const uint8_t *dst_mac, uint32_t dst, uint16_t sport, uint16_t dport,
                     uint32_t seq, uint32_t ack, uint8_t flags, const void *data, size_t len)
{
        size_t opt = (flags & TH_SYN) ? 4 : 0, tlen = 20 + opt + len;
        uint8_t pseudo[12], *f, *t;

        f = tx_frame();
        if (!f)
                return;
        t = ip_fill(f, dst_mac, dst, IPPROTO_TCP, tlen);
        put16(t, sport);
        put16(t + 2, dport);
        put32(t + 4, seq);
        put32(t + 8, ack);
        t[12] = (uint8_t)(((20 + opt) / 4) << 4);
        t[13] = flags;
        put16(t + 14, 65535); /* everything is consumed at once */
        put16(t + 16, 0);
        put16(t + 18, 0);
        if (opt) {
                t[20] = 2; /* MSS */
                t[21] = 4;
                put16(t + 22, 1460);
        }
        memcpy(t + 20 + opt, data, len);
        put32(pseudo, my_ip);
        put32(pseudo + 4, dst);
        pseudo[8] = 0;
        pseudo[9] = IPPROTO_TCP;
        put16(pseudo + 10, (uint16_t)tlen);
        put16(t + 16, csum_fold(csum_add(csum_add(0, pseudo, 12), t, tlen)));
        tx_send(ETH_HLEN + IP_HLEN + tlen);
}

static void conn_send(uint8_t flags, const void *data, size_t len)
{
        tcp_send(conn.mac, conn.ip, HTTP_PORT, conn.port, conn.snd_nxt, conn.rcv_nxt, flags,
                 data, len);
        conn.snd_nxt += (uint32_t)len + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
}

static bool request_complete(void)
{
        for (size_t i = 0; i + 1 < conn.req_len; i++) {
                if (conn.req[i] == '\n' && conn.req[i + 1] == '\n')
                        return true;
                if (i + 3 < conn.req_len && !memcmp(conn.req + i, "\r\n\r\n", 4))
                        return true;
        }
        return conn.req_len == sizeof(conn.req);
}

static void http_respond(void)
{
        char resp[256];
        size_t n = sizeof(http_head) - 1, blen = sizeof(http_body) - 1;

        memcpy(resp, http_head, n);
        if (blen >= 10)
                resp[n++] = (char)('0' + blen / 10);
        resp[n++] = (char)('0' + blen % 10);
        memcpy(resp + n, "\r\n\r\n", 4);
        n += 4;
        memcpy(resp + n, http_body, blen);
        n += blen;
        conn_send(TH_ACK | TH_PSH | TH_FIN, resp, n);
        conn.state = T_FIN_SENT;
        /* After the answer: the console is slow (an exit a byte). */
        con_printf("net: http %u.%u.%u.%u:%u\n", conn.ip >> 24, (conn.ip >> 16) & 0xff,
                   (conn.ip >> 8) & 0xff, conn.ip & 0xff, conn.port);
}

static void tcp_input(const uint8_t *f, const uint8_t *ip, const uint8_t *t, size_t len)
{
        uint32_t src = get32(ip + 12), seq, ack;
        uint16_t sport, dport;
        size_t thl, dlen;
        uint8_t flags;
        bool ours;

        if (len < 20)
                return;
        thl = (size_t)(t[12] >> 4) * 4;
        if (thl < 20 || thl > len)
                return;
        sport = get16(t);
        dport = get16(t + 2);
        seq = get32(t + 4);
        ack = get32(t + 8);
        flags = t[13];
        dlen = len - thl;
        ours = conn.state != T_CLOSED && conn.ip == src && conn.port == sport &&
               dport == HTTP_PORT;

        if (flags & TH_RST) {
                if (ours)
                        conn.state = T_CLOSED;
                return;
        }
        if ((flags & (TH_SYN | TH_ACK)) == TH_SYN && dport == HTTP_PORT) {
                if (ours && conn.state == T_SYN_RCVD && seq + 1 == conn.rcv_nxt) {
                        /* A retransmitted SYN: the same SYN-ACK again. */
                        conn.snd_nxt = conn.iss;
                        conn_send(TH_SYN | TH_ACK, NULL, 0);
                        return;
                }
                memcpy(conn.mac, f + 6, 6);
                conn.ip = src;
                conn.port = sport;
                conn.iss = (uint32_t)rdtsc();
                conn.snd_nxt = conn.iss;
                conn.rcv_nxt = seq + 1;
                conn.fin_rcvd = conn.fin_acked = false;
                conn.req_len = 0;
                conn.state = T_SYN_RCVD;
                conn_send(TH_SYN | TH_ACK, NULL, 0);
                return;
        }
        if (!ours) {
                /* Refuse, as a closed port does. */
                if (flags & TH_ACK)
                        tcp_send(f + 6, src, dport, sport, ack, 0, TH_RST, NULL, 0);
                else
                        tcp_send(f + 6, src, dport, sport, 0,
                                 seq + (uint32_t)dlen + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0),
                                 TH_RST | TH_ACK, NULL, 0);
                return;
        }

        if (flags & TH_ACK) {
                if (conn.state == T_SYN_RCVD && ack == conn.snd_nxt)
                        conn.state = T_ESTABLISHED;
                else if (conn.state == T_FIN_SENT && ack == conn.snd_nxt)
                        conn.fin_acked = true;
        }
        if (dlen || (flags & TH_FIN)) {
                if (seq != conn.rcv_nxt) {
                        conn_send(TH_ACK, NULL, 0); /* out of order: say what we expect */
                        return;
                }
                if (dlen && conn.state == T_ESTABLISHED) {
                        size_t room = sizeof(conn.req) - conn.req_len;
                        size_t n = dlen < room ? dlen : room;

                        memcpy(conn.req + conn.req_len, t + thl, n);
                        conn.req_len += n;
                }
                conn.rcv_nxt += (uint32_t)dlen;
                if (flags & TH_FIN) {
                        conn.rcv_nxt++;
                        conn.fin_rcvd = true;
                }
                if (conn.state == T_ESTABLISHED && (request_complete() || conn.fin_rcvd))
                        http_respond(); /* carries the ACK */
                else
                        conn_send(TH_ACK, NULL, 0);
        }
        if (conn.state == T_FIN_SENT && conn.fin_acked && conn.fin_rcvd)
                conn.state = T_CLOSED;
}

static void ip_input(const uint8_t *f, size_t len)
{
        const uint8_t *ip = f + ETH_HLEN;
        size_t ihl, tot;

        if (len < ETH_HLEN + IP_HLEN || (ip[0] >> 4) != 4)
                return;
        ihl = (size_t)(ip[0] & 0xf) * 4;
        tot = get16(ip + 2);
        if (ihl < IP_HLEN || tot < ihl || tot > len - ETH_HLEN || get32(ip + 16) != my_ip)
                return;
        if (get16(ip + 6) & 0x3fff)
                return; /* a fragment */
        if (csum_fold(csum_add(0, ip, ihl)) != 0)
                return;
        if (ip[9] == IPPROTO_ICMP)
                icmp_input(f, ip, ip + ihl, tot - ihl);
        else if (ip[9] == IPPROTO_TCP)
                tcp_input(f, ip, ip + ihl, tot - ihl);
}

static void frame_input(const uint8_t *f, size_t len)
{
        if (len < ETH_HLEN)
                return;
        if (memcmp(f, my_mac, 6) != 0 && memcmp(f, bcast, 6) != 0)
                return;
        switch (get16(f + 12)) {
        case ETH_P_ARP:
                arp_input(f, len);
                break;
        case ETH_P_IP:
                ip_input(f, len);
                break;
        }
}

bool net_poll(void)
{
        bool posted = false;

        if (!dev)
                return false;
        barrier();
        while (rxq.used_idx != rxq.mem->used.idx) {
                struct vring_used_elem e = rxq.mem->used.ring[rxq.used_idx % QSZ];

                barrier();
                if (e.id < QSZ && e.len > hdr_len && e.len <= BUF_SIZE)
                        frame_input(rxq.buf[e.id] + hdr_len, e.len - hdr_len);
                rxq.used_idx++;
                if (e.id < QSZ) {
                        rx_post((uint16_t)e.id);
                        posted = true;
                }
        }
        if (posted) {
                barrier();
                rxq.mem->avail.idx = rxq.avail_idx;
                barrier();
                wr(VM_QUEUE_NOTIFY, rxq.index);
        }
        return posted;
}

/* Split s[0..len) at the first c: the head's length, the tail after c. */
static size_t field(const char *s, size_t len, char c, const char **rest, size_t *rest_len)
{
        size_t i = 0;

        while (i < len && s[i] != c)
                i++;
        *rest = i < len ? s + i + 1 : s + len;
        *rest_len = i < len ? len - i - 1 : 0;
        return i;
}

static unsigned mask_prefix(uint32_t mask)
{
        unsigned n = 0;

        while (n < 32 && (mask & (0x80000000u >> n)))
                n++;
        return n;
}

/* "<ip>/<prefix>" */
static bool parse_cidr(const char *s, size_t len, uint32_t *ip, unsigned *prefix)
{
        const char *p;
        size_t plen, n = field(s, len, '/', &p, &plen);
        uint64_t v;

        if (!parse_ipv4(s, n, ip))
                return false;
        if (n == len)
                return true;
        if (!parse_u64(p, plen, &v) || v > 32)
                return false;
        *prefix = (unsigned)v;
        return true;
}

/*
 * The address, from whichever dialect the command line speaks:
 *   netdev.ip=<ip>/<prefix>:<gw>[:<dns>...]          Unikraft >= 0.16.1
 *   netdev.ipv4_addr= netdev.ipv4_gw_addr= netdev.ipv4_subnet_mask=   older Unikraft
 *   ip=<ip>:<server>:<gw>:<mask>:<host>:<dev>:<autoconf>   Linux
 *   ip=<ip>/<prefix> gateway=<gw>                     mewz
 *   --ipv4=<ip>/<prefix> --ipv4-gateway=<gw>          mirage
 */
static bool parse_net_config(const char *cmdline)
{
        const char *pos = cmdline, *tok;
        size_t len;
        bool have_ip = false;

        my_prefix = 24;
        while (next_token(&pos, &tok, &len)) {
                const char *v, *rest;
                size_t vlen, rlen, n;
                uint32_t a;

                if (str_starts(tok, len, "netdev.ip=") || str_starts(tok, len, "--ipv4=")) {
                        field(tok, len, '=', &v, &vlen);
                        n = field(v, vlen, ':', &rest, &rlen);
                        if (parse_cidr(v, n, &my_ip, &my_prefix))
                                have_ip = true;
                        v = rest;
                        n = field(rest, rlen, ':', &rest, &rlen);
                        if (parse_ipv4(v, n, &a))
                                my_gw = a;
                } else if (str_starts(tok, len, "ip=")) {
                        v = tok + 3;
                        vlen = len - 3;
                        n = field(v, vlen, ':', &rest, &rlen);
                        if (!parse_cidr(v, n, &my_ip, &my_prefix))
                                continue;
                        have_ip = true;
                        field(rest, rlen, ':', &rest, &rlen); /* server */
                        n = field(rest, rlen, ':', &v, &vlen);
                        if (parse_ipv4(rest, n, &a))
                                my_gw = a;
                        n = field(v, vlen, ':', &rest, &rlen);
                        if (parse_ipv4(v, n, &a))
                                my_prefix = mask_prefix(a);
                } else if (str_starts(tok, len, "netdev.ipv4_addr=")) {
                        if (parse_ipv4(tok + 17, len - 17, &my_ip))
                                have_ip = true;
                } else if (str_starts(tok, len, "netdev.ipv4_gw_addr=")) {
                        if (parse_ipv4(tok + 20, len - 20, &a))
                                my_gw = a;
                } else if (str_starts(tok, len, "netdev.ipv4_subnet_mask=")) {
                        if (parse_ipv4(tok + 24, len - 24, &a))
                                my_prefix = mask_prefix(a);
                } else if (str_starts(tok, len, "gateway=") ||
                           str_starts(tok, len, "--ipv4-gateway=")) {
                        field(tok, len, '=', &v, &vlen);
                        if (parse_ipv4(v, vlen, &a))
                                my_gw = a;
                }
        }
        return have_ip;
}

static void print_ip(uint32_t a)
{
        con_printf("%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

/* The IRQ of the device at dev from "virtio_mmio.device=<size>@<base>:<irq>"
 * (QEMU's microvm and Firecracker put it on the command line), 0 if none. */
static bool parse_hex(const char *s, size_t len, uint64_t *ret)
{
        uint64_t v = 0;

        if (len == 0 || len > 16)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                             : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                             : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                                    : 16u;
                if (d > 15)
                        return false;
                v = v * 16 + d;
        }
        *ret = v;
        return true;
}

static unsigned find_irq(const char *cmdline)
{
        static const char key[] = "virtio_mmio.device=";

        /* strncmp, not str_starts(p, strlen(p), ...): a strlen at every
         * position made this scan quadratic, ~24 ms on a host where each
         * guest instruction costs ~2 us (see README.md). */
        for (const char *p = cmdline; *p; p++) {
                if (strncmp(p, key, sizeof(key) - 1) != 0)
                        continue;
                const char *at = p + sizeof(key) - 1, *colon;
                uint64_t base = 0, irq = 0;
                size_t n;

                while (*at && *at != '@' && *at != ' ')
                        at++;
                if (*at != '@')
                        continue;
                at++;
                for (colon = at; *colon && *colon != ':' && *colon != ' '; colon++)
                        ;
                if (*colon != ':' || colon - at < 3 || at[0] != '0' || at[1] != 'x' ||
                    !parse_hex(at + 2, (size_t)(colon - at - 2), &base) || base != dev)
                        continue;
                for (n = 0; colon[1 + n] && colon[1 + n] != ' '; n++)
                        ;
                if (parse_u64(colon + 1, n, &irq) && irq > 0 && irq < 48)
                        return (unsigned)irq;
        }
        return 0;
}

static void net_irq(void)
{
        wr(VM_INTERRUPT_ACK, rd(VM_INTERRUPT_STATUS));
}

bool net_pending(void)
{
        barrier();
        return dev && rxq.used_idx != rxq.mem->used.idx;
}

bool net_has_irq(void)
{
        return dev_irq != 0;
}

void net_irq_enable(bool on)
{
        /* The line low first, so that the next frame is an edge; one that
         * came before is seen by the caller's check (cpu_idle_unless). */
        if (on)
                net_irq();
        barrier();
        rxq.mem->avail.flags = on ? 0 : VRING_AVAIL_F_NO_INTERRUPT;
        barrier();
}

bool net_irq_enabled(void)
{
        return dev && !(rxq.mem->avail.flags & VRING_AVAIL_F_NO_INTERRUPT);
}

int net_init(const char *cmdline)
{
        if (!parse_net_config(cmdline)) {
                con_printf("net: error: no address on the command line "
                           "(netdev.ip=<ip>/<prefix>:<gw> or ip=<ip>::<gw>:<mask>)\n");
                return -1;
        }
        if (!find_device()) {
                con_printf("net: error: no virtio-net device on virtio-mmio\n");
                return -1;
        }
        dev_irq = find_irq(cmdline);
        con_printf("net: virtio-net at %p, virtio-mmio version %u, irq %u\n", (void *)dev, dev_version,
                   dev_irq);
        if (virtio_net_init() < 0)
                return -1;

        con_printf("net: ip=");
        print_ip(my_ip);
        con_printf("/%u gw=", my_prefix);
        print_ip(my_gw);
        con_printf(" mac=%02x:%02x:%02x:%02x:%02x:%02x\n", my_mac[0], my_mac[1], my_mac[2],
                   my_mac[3], my_mac[4], my_mac[5]);
        if (dev_irq)
                cpu_irq_route(dev_irq, net_irq);
        arp_announce();
        con_printf("net: gratuitous ARP sent\n");
        con_printf("net: ready\n");
        return 0;
}
