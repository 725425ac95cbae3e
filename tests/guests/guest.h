/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared declarations of the test guests: a freestanding x86-64 kernel that
 * runs identity-mapped below 4 GiB, single CPU, no allocator.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_PVH 1
#define BOOT_MULTIBOOT 2

/* Timer interrupts per second (local APIC timer, periodic). */
#define HZ 100

#define NORETURN __attribute__((noreturn))
#define PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void outb(uint16_t port, uint8_t v)
{
        __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
        __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
        __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
        uint8_t v;
        __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
        return v;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
        return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
        *(volatile uint32_t *)addr = v;
}

static inline uint8_t mmio_read8(uintptr_t addr)
{
        return *(volatile uint8_t *)addr;
}

static inline void barrier(void)
{
        __asm__ volatile("mfence" : : : "memory");
}

static inline uint64_t rdtsc(void)
{
        uint32_t lo, hi;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        return ((uint64_t)hi << 32) | lo;
}

/* lib.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
bool str_starts(const char *s, size_t len, const char *prefix);
bool next_token(const char **pos, const char **tok, size_t *len);
bool parse_u64(const char *s, size_t len, uint64_t *ret);
bool parse_ipv4(const char *s, size_t len, uint32_t *ret);

void con_init(void);
void con_putc(char c);
void con_write(const char *s, size_t n);
void con_printf(const char *fmt, ...) PRINTF(1, 2);
int con_getc(void); /* -1 when no byte is waiting */

/* cpu.c */
extern volatile uint64_t ticks;
void cpu_init(void);
bool cpu_timer_ticks(void); /* false if no timer interrupt arrives */
void cpu_idle(void);        /* wait for the next interrupt */
void cpu_idle_unless(bool (*pending)(void)); /* the same, unless pending() with interrupts off */
void cpu_halt_forever(void) NORETURN;
/* Route IO-APIC input gsi (edge, active high) to vector VEC_DEVICE; hook
 * runs for each of its interrupts before the EOI (it must quiet the line). */
void cpu_irq_route(unsigned gsi, void (*hook)(void));
/* The timer's rate: HZ while busy, slower while idle (0 stops it). */
void cpu_timer_hz(unsigned hz);
void guest_exit(unsigned status) NORETURN;
void guest_crash(const char *why) NORETURN;
void guest_panic(void) NORETURN;
void guest_triple_fault(void) NORETURN;

/* net.c (net guest only) */
/* ukargs.c: print the command line as a Unikraft application sees it. */
void print_uk_view(const char *cmdline);

int net_init(const char *cmdline);
bool net_poll(void); /* true if a frame came in */
bool net_has_irq(void); /* the device's IRQ is known and routed */
void net_irq_enable(bool on); /* a received frame interrupts (else: polled only) */
bool net_irq_enabled(void);
bool net_pending(void); /* a received frame waits */
