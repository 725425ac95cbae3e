/* SPDX-License-Identifier: Apache-2.0 */
/* Freestanding helpers: memory and string functions, the COM1 console. */
#include "guest.h"

/* gcc may emit calls to these four even with -ffreestanding. */
void *memcpy(void *dst, const void *src, size_t n)
{
        uint8_t *d = dst;
        const uint8_t *s = src;

        while (n--)
                *d++ = *s++;
        return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
        uint8_t *d = dst;
        const uint8_t *s = src;

        if (d < s)
                return memcpy(dst, src, n);
        while (n--)
                d[n] = s[n];
        return dst;
}

void *memset(void *dst, int c, size_t n)
{
        uint8_t *d = dst;

        while (n--)
                *d++ = (uint8_t)c;
        return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
        const uint8_t *x = a, *y = b;

        for (size_t i = 0; i < n; i++)
                if (x[i] != y[i])
                        return x[i] < y[i] ? -1 : 1;
        return 0;
}

size_t strlen(const char *s)
{
        size_t n = 0;

        while (s[n])
                n++;
        return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (a[i] != b[i])
                        return (uint8_t)a[i] < (uint8_t)b[i] ? -1 : 1;
                if (!a[i])
                        return 0;
        }
        return 0;
}

/* Does the token s[0..len) start with prefix? */
bool str_starts(const char *s, size_t len, const char *prefix)
{
        size_t n = strlen(prefix);

        return len >= n && memcmp(s, prefix, n) == 0;
}

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Iterate over the whitespace-separated tokens of s. */
bool next_token(const char **pos, const char **tok, size_t *len)
{
        const char *p = *pos;

        while (*p && is_space(*p))
                p++;
        if (!*p)
                return false;
        *tok = p;
        while (*p && !is_space(*p))
                p++;
        *len = (size_t)(p - *tok);
        *pos = p;
        return true;
}

/* A decimal number that spans the whole of s[0..len). */
bool parse_u64(const char *s, size_t len, uint64_t *ret)
{
        uint64_t v = 0;

        if (len == 0 || len > 19)
                return false;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (uint64_t)(s[i] - '0');
        }
        *ret = v;
        return true;
}

/* A dotted quad that spans the whole of s[0..len); host byte order result. */
bool parse_ipv4(const char *s, size_t len, uint32_t *ret)
{
        uint32_t v = 0;
        size_t i = 0;

        for (int part = 0; part < 4; part++) {
                size_t start = i;
                uint64_t octet;

                while (i < len && s[i] != '.')
                        i++;
                if (!parse_u64(s + start, i - start, &octet) || octet > 255)
                        return false;
                v = (v << 8) | (uint32_t)octet;
                if (part < 3) {
                        if (i >= len)
                                return false;
                        i++; /* the dot */
                }
        }
        if (i != len)
                return false;
        *ret = v;
        return true;
}

/* 16550 UART on COM1. */
#define COM1 0x3f8
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_FIFO_SIZE 16

void con_init(void)
{
        outb(COM1 + 1, 0x00); /* no UART interrupts: everything is polled */
        outb(COM1 + 3, 0x80); /* DLAB on */
        outb(COM1 + 0, 0x01); /* 115200 baud */
        outb(COM1 + 1, 0x00);
        outb(COM1 + 3, 0x03); /* 8N1, DLAB off */
        outb(COM1 + 2, 0x07); /* FIFO on and cleared */
        outb(COM1 + 4, 0x03); /* DTR, RTS */
}

/* Bytes that fit in the transmit FIFO (16 once THRE said it is empty). */
static unsigned tx_room;

void con_putc(char c)
{
        /*
         * THRE with the FIFO on means the whole FIFO is empty: 16 bytes go
         * out before the next look at the line status, as Linux's 8250
         * driver does.  Each port access is a VM exit (an emulated
         * instruction on nested "PVM" KVM): one per byte rather than two.
         * Bounded, so that a missing UART cannot hang the guest.
         */
        if (tx_room == 0) {
                for (int i = 0; i < 100000 && !(inb(COM1 + 5) & UART_LSR_THRE); i++)
                        __asm__ volatile("pause");
                tx_room = UART_FIFO_SIZE;
        }
        tx_room--;
        outb(COM1, (uint8_t)c);
}

void con_write(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                con_putc(s[i]);
}

int con_getc(void)
{
        if (!(inb(COM1 + 5) & UART_LSR_DR))
                return -1;
        return inb(COM1);
}

static void put_num(uint64_t v, unsigned base, int width, char pad, bool neg)
{
        char buf[24];
        int n = 0;

        do {
                buf[n++] = "0123456789abcdef"[v % base];
                v /= base;
        } while (v);
        if (neg)
                buf[n++] = '-';
        while (n < width)
                con_putc(pad), width--;
        while (n)
                con_putc(buf[--n]);
}

/*
 * A small printf: %s %.*s %c %d %u %x %p with optional zero padding, width
 * and the l/ll/z length modifiers.
 */
void con_printf(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        for (const char *p = fmt; *p; p++) {
                char pad = ' ';
                int width = 0, lng = 0, prec = -1;

                if (*p != '%') {
                        con_putc(*p);
                        continue;
                }
                p++;
                if (*p == '0')
                        pad = '0', p++;
                while (*p >= '0' && *p <= '9')
                        width = width * 10 + (*p++ - '0');
                if (p[0] == '.' && p[1] == '*') {
                        prec = va_arg(ap, int);
                        p += 2;
                }
                while (*p == 'l' || *p == 'z')
                        lng++, p++;
                switch (*p) {
                case 's': {
                        const char *s = va_arg(ap, const char *);
                        size_t n = prec >= 0 ? (size_t)prec : strlen(s);
                        con_write(s, n);
                        break;
                }
                case 'c':
                        con_putc((char)va_arg(ap, int));
                        break;
                case 'd': {
                        int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
                        put_num(v < 0 ? (uint64_t)-v : (uint64_t)v, 10, width, pad, v < 0);
                        break;
                }
                case 'u':
                case 'x': {
                        uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
                        put_num(v, *p == 'x' ? 16 : 10, width, pad, false);
                        break;
                }
                case 'p':
                        con_write("0x", 2);
                        put_num((uintptr_t)va_arg(ap, void *), 16, width, pad, false);
                        break;
                case '%':
                        con_putc('%');
                        break;
                default:
                        goto out; /* a bad format: stop rather than walk off va_list */
                }
        }
out:
        va_end(ap);
}
