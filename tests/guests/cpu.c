/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interrupts, the timer and the exit protocol.
 *
 * The only interrupt source is the local APIC timer in periodic mode at HZ;
 * QEMU's APIC (and KVM's) counts the bus clock at 1 GHz, which is good
 * enough for "sleep about S seconds".  The 8259 PICs, when present (-M pc),
 * are remapped away from the exception vectors and masked.
 */
#include "guest.h"

#define LAPIC_BASE 0xfee00000UL
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_DIV 0x3e0
#define LAPIC_TIMER_PERIODIC (1u << 17)
#define LAPIC_BUS_HZ 1000000000u

#define VEC_TIMER 0x40
#define VEC_DEVICE 0x41
#define IOAPIC_BASE 0xfec00000UL  /* inputs 0-23 */
#define IOAPIC2_BASE 0xfec10000UL /* microvm's second one (ioapic2): 24-47 */
#define VEC_SPURIOUS 0xff

/* The exit protocol (README.md): Unikraft's isa-debug-exit port and codes,
 * then the generic (and Hermit's) port, then a keyboard-controller reset. */
#define UNIKRAFT_EXIT_PORT 0x501
#define UNIKRAFT_HALT 41
#define UNIKRAFT_CRASH 42
#define DEBUG_EXIT_PORT 0xf4
#define CRASH_STATUS 127
#define PVPANIC_PORT 0x505
#define PVPANIC_PANICKED 1

struct isr_frame {
        uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
        uint64_t vector, error;
        uint64_t rip, cs, rflags, rsp, ss;
};

struct idt_gate {
        uint16_t off_lo;
        uint16_t sel;
        uint8_t ist;
        uint8_t type;
        uint16_t off_mid;
        uint32_t off_hi;
        uint32_t zero;
} __attribute__((packed));

struct idt_desc {
        uint16_t limit;
        uint64_t base;
} __attribute__((packed));

extern const char isr_stubs[];
void isr_handler(struct isr_frame *f);

static struct idt_gate idt[256];
volatile uint64_t ticks;
static void (*device_hook)(void);

static void lapic_write(unsigned reg, uint32_t v)
{
        mmio_write32(LAPIC_BASE + reg, v);
}

void isr_handler(struct isr_frame *f)
{
        if (f->vector < 32) {
                con_printf("panic: exception %u error %x rip %p\n", (unsigned)f->vector,
                           (unsigned)f->error, (void *)f->rip);
                guest_crash("CPU exception");
        }
        if (f->vector == VEC_TIMER)
                ticks++;
        if (f->vector == VEC_DEVICE && device_hook)
                device_hook();
        if (f->vector != VEC_SPURIOUS)
                lapic_write(LAPIC_EOI, 0);
}

static void pic_disable(void)
{
        /* Remap to 0x20/0x28 first so that a spurious IRQ is not an exception. */
        outb(0x20, 0x11);
        outb(0xa0, 0x11);
        outb(0x21, 0x20);
        outb(0xa1, 0x28);
        outb(0x21, 0x04);
        outb(0xa1, 0x02);
        outb(0x21, 0x01);
        outb(0xa1, 0x01);
        outb(0x21, 0xff);
        outb(0xa1, 0xff);
}

void cpu_init(void)
{
        struct idt_desc desc = { sizeof(idt) - 1, (uintptr_t)idt };

        for (unsigned i = 0; i < 256; i++) {
                uintptr_t addr = (uintptr_t)isr_stubs + 16 * i;

                idt[i] = (struct idt_gate){
                        .off_lo = (uint16_t)addr,
                        .sel = 0x08,
                        .type = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
                        .off_mid = (uint16_t)(addr >> 16),
                        .off_hi = (uint32_t)(addr >> 32),
                };
        }
        __asm__ volatile("lidt %0" : : "m"(desc));

        pic_disable();

        lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
        lapic_write(LAPIC_TIMER_DIV, 0xb); /* divide by 1 */
        lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | VEC_TIMER);
        lapic_write(LAPIC_TIMER_INIT, LAPIC_BUS_HZ / HZ);
        __asm__ volatile("sti");
}

void cpu_irq_route(unsigned gsi, void (*hook)(void))
{
        uintptr_t base = gsi < 24 ? IOAPIC_BASE : IOAPIC2_BASE;
        unsigned pin = gsi % 24;

        device_hook = hook;
        /* Redirection entry: destination APIC 0; vector, fixed, physical,
         * active high, edge triggered (a level entry lost interrupts under
         * QEMU's split irqchip: an EOI that never reached its IO-APIC
         * leaves the entry busy), not masked. */
        mmio_write32(base, 0x11 + 2 * pin);
        mmio_write32(base + 0x10, 0);
        mmio_write32(base, 0x10 + 2 * pin);
        mmio_write32(base + 0x10, VEC_DEVICE);
}

void cpu_timer_hz(unsigned hz)
{
        lapic_write(LAPIC_TIMER_INIT, hz ? LAPIC_BUS_HZ / hz : 0);
}

bool cpu_timer_ticks(void)
{
        uint64_t start = rdtsc();

        /*
         * A tick since cpu_init() is proof enough; wait for one only when
         * none came yet, not for the next one (up to 1/HZ on the path to
         * serving).  A few seconds of TSC at any plausible frequency: many
         * ticks.
         */
        while (ticks == 0) {
                if (rdtsc() - start > 10000000000ull)
                        return false;
                __asm__ volatile("pause");
        }
        return true;
}

void cpu_idle(void)
{
        /* Interrupts are on: the next timer tick at the latest ends the hlt. */
        __asm__ volatile("hlt" : : : "memory");
}

void cpu_idle_unless(bool (*pending)(void))
{
        __asm__ volatile("cli" : : : "memory");
        if (pending()) {
                __asm__ volatile("sti" : : : "memory");
                return;
        }
        /* sti takes effect after the next instruction: an interrupt that
         * came since the cli ends this hlt. */
        __asm__ volatile("sti; hlt" : : : "memory");
}

void cpu_halt_forever(void)
{
        /* Stop the timer too: even masked, its ticks cost the host CPU time. */
        __asm__ volatile("cli");
        lapic_write(LAPIC_TIMER_INIT, 0);
        for (;;)
                __asm__ volatile("cli; hlt");
}

/* Without any exit device: what firecracker (and a PC) take for a reset,
 * then halt for good.  Never a triple fault. */
static NORETURN void reset_or_halt(void)
{
        outb(0x64, 0xfe);
        cpu_halt_forever();
}

void guest_exit(unsigned status)
{
        con_printf("exit: %u\n", status);
        /* Unikraft's port: QEMU exits 83 for the halt code, else 2N+1. */
        outw(UNIKRAFT_EXIT_PORT, (uint16_t)(status ? status : UNIKRAFT_HALT));
        /* Port 0xf4: QEMU exits 2N+1; status 0 writes 1 (QEMU exits 3),
         * Hermit's success code. */
        outl(DEBUG_EXIT_PORT, status ? status : 1);
        reset_or_halt();
}

void guest_crash(const char *why)
{
        con_printf("crash: %s\n", why);
        outw(UNIKRAFT_EXIT_PORT, UNIKRAFT_CRASH);
        outl(DEBUG_EXIT_PORT, CRASH_STATUS);
        reset_or_halt();
}

void guest_panic(void)
{
        con_printf("panic: reporting it on pvpanic (port 0x505)\n");
        /* With a pvpanic device QEMU acts now (pause, shutdown...). */
        outb(PVPANIC_PORT, PVPANIC_PANICKED);
        guest_crash("panic, and no pvpanic device acted on it");
}

void guest_triple_fault(void)
{
        static const struct idt_desc none = { 0, 0 };

        con_printf("reset: triple fault\n");
        /* An interrupt with an empty IDT: a reset, which QEMU's -no-reboot
         * turns into a shutdown; some nested KVMs report an internal error
         * instead, and QEMU then stops the VM. */
        __asm__ volatile("cli; lidt %0; int3" : : "m"(none));
        cpu_halt_forever();
}
