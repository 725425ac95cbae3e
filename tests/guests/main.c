/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test guest: prints what it was given (command line, memory, arguments)
 * and then behaves as the command line says (exit=, sleep=, echo).  The
 * same code is linked behind a PVH and a multiboot entry; the net guest adds
 * net.c and GUEST_NET.
 */
#include "guest.h"

#ifdef GUEST_NET
#define GUEST_NAME "net"
#else
#define GUEST_NAME "hello"
#endif

#define MiB (1024ull * 1024)

/* struct hvm_start_info, version 1 (the memory map) */
#define PVH_MAGIC 0x336ec578
struct pvh_start_info {
        uint32_t magic;
        uint32_t version;
        uint32_t flags;
        uint32_t nr_modules;
        uint64_t modlist_paddr;
        uint64_t cmdline_paddr;
        uint64_t rsdp_paddr;
        uint64_t memmap_paddr;
        uint32_t memmap_entries;
        uint32_t reserved;
};

struct pvh_memmap_entry {
        uint64_t addr;
        uint64_t size;
        uint32_t type;
        uint32_t reserved;
};

/* The multiboot (v1) information structure, as far as it is used here. */
#define MB_INFO_MEM (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MMAP (1u << 6)
struct mb_info {
        uint32_t flags;
        uint32_t mem_lower; /* KiB */
        uint32_t mem_upper; /* KiB */
        uint32_t boot_device;
        uint32_t cmdline;
        uint32_t mods_count;
        uint32_t mods_addr;
        uint32_t syms[4];
        uint32_t mmap_length;
        uint32_t mmap_addr;
};

struct mb_mmap_entry {
        uint32_t size; /* of the rest of the entry */
        uint64_t addr;
        uint64_t len;
        uint32_t type;
} __attribute__((packed));

#define MEM_RAM 1

struct mem_acc {
        uint64_t total;
        bool low_ram; /* some RAM below 1 MiB */
};

static void mem_add(struct mem_acc *m, uint64_t addr, uint64_t len, uint32_t type)
{
        if (type != MEM_RAM)
                return;
        /*
         * Below 1 MiB the firmware's holes (EBDA, VGA, BIOS) are not memory
         * that was taken away from the guest: count that first MiB whole.
         */
        if (addr < MiB) {
                uint64_t low = addr + len > MiB ? MiB - addr : len;

                m->low_ram = true;
                addr += low;
                len -= low;
        }
        m->total += len;
}

static uint64_t mem_mib(const struct mem_acc *m)
{
        uint64_t total = m->total + (m->low_ram ? MiB : 0);

        /* Round to nearest: firmware reserves a little at the top of RAM. */
        return (total + MiB / 2) / MiB;
}

struct boot {
        const char *cmdline;
        uint64_t mem_mib;
        bool ok;
};

static struct boot boot_pvh(const struct pvh_start_info *si)
{
        struct boot b = { "", 0, false };
        struct mem_acc m = { 0, false };

        if (si->magic != PVH_MAGIC)
                return b;
        if (si->cmdline_paddr)
                b.cmdline = (const char *)(uintptr_t)si->cmdline_paddr;
        if (si->version >= 1 && si->memmap_paddr) {
                const struct pvh_memmap_entry *e =
                        (const void *)(uintptr_t)si->memmap_paddr;

                for (uint32_t i = 0; i < si->memmap_entries; i++)
                        mem_add(&m, e[i].addr, e[i].size, e[i].type);
        }
        b.mem_mib = mem_mib(&m);
        b.ok = true;
        return b;
}

static struct boot boot_multiboot(const struct mb_info *mb)
{
        struct boot b = { "", 0, true };
        struct mem_acc m = { 0, false };

        if (mb->flags & MB_INFO_CMDLINE)
                b.cmdline = (const char *)(uintptr_t)mb->cmdline;
        if (mb->flags & MB_INFO_MMAP) {
                uintptr_t p = mb->mmap_addr, end = p + mb->mmap_length;

                while (p < end) {
                        const struct mb_mmap_entry *e = (const void *)p;

                        mem_add(&m, e->addr, e->len, e->type);
                        p += e->size + sizeof(e->size);
                }
        } else if (mb->flags & MB_INFO_MEM) {
                mem_add(&m, 0, (uint64_t)mb->mem_lower * 1024, MEM_RAM);
                mem_add(&m, MiB, (uint64_t)mb->mem_upper * 1024, MEM_RAM);
        }
        b.mem_mib = mem_mib(&m);
        return b;
}

#define SLEEP_FOREVER UINT64_MAX

enum ending { END_EXIT, END_CRASH, END_PANIC, END_RESET };

struct opts {
        unsigned exit_status;
        uint64_t sleep_s;
        bool echo;
        enum ending end;
};

static void parse_opts(const char *cmdline, struct opts *o)
{
        const char *pos = cmdline, *tok;
        size_t len;
        unsigned i = 0;

        while (next_token(&pos, &tok, &len)) {
                uint64_t v;

                con_printf("arg[%u]: %.*s\n", i++, (int)len, tok);
                if (str_starts(tok, len, "exit=")) {
                        if (parse_u64(tok + 5, len - 5, &v) && v <= 0xffffffffu)
                                o->exit_status = (unsigned)v;
                } else if (str_starts(tok, len, "sleep=")) {
                        if (len == 13 && str_starts(tok, len, "sleep=forever"))
                                o->sleep_s = SLEEP_FOREVER;
                        else if (parse_u64(tok + 6, len - 6, &v) && v < SLEEP_FOREVER / HZ)
                                o->sleep_s = v;
                } else if (len == 4 && str_starts(tok, len, "echo")) {
                        o->echo = true;
                } else if (len == 5 && str_starts(tok, len, "crash")) {
                        o->end = END_CRASH;
                } else if (len == 5 && str_starts(tok, len, "panic")) {
                        o->end = END_PANIC;
                } else if (len == 5 && str_starts(tok, len, "reset")) {
                        o->end = END_RESET;
                }
        }
}

/*
 * Wait for something to happen; the net guest serves its device meanwhile.
 * With the device's interrupt (its IRQ on the command line) a frame ends
 * the hlt; without, the device is polled on every timer tick.  After a
 * frame the guest keeps polling (memory only) for a moment instead of
 * halting, so that the rest of an exchange (a TCP handshake and request)
 * is not paced by the tick or by wake-ups.  It starts that way too
 * (net_spin_end is set once the device is up): what a client queued while
 * the guest booted (its ARP request, the SYN our gratuitous ARP releases)
 * is answered at once, not at the next tick.
 */
#define SPIN_TSC 50000000ull /* TSC cycles: 15-25 ms */
#ifdef GUEST_NET
static uint64_t net_spin_end;
#endif

static bool idle(void)
{
#ifdef GUEST_NET
        if (net_poll()) {
                /* Bounded by time, not by a count: 200000 pauses were
                 * seconds of a core on a nested KVM host (a pause exits),
                 * after every stray frame. */
                net_spin_end = rdtsc() + SPIN_TSC;
                return true;
        }
        if (rdtsc() < net_spin_end) {
                __asm__ volatile("pause");
                return false;
        }
        if (net_irq_enabled()) {
                /* No frame may slip in between the check and the hlt. */
                cpu_idle_unless(net_pending);
                return false;
        }
#endif
        cpu_idle();
        return false;
}

#ifdef GUEST_NET
#define IDLE_S 2  /* without a frame: then ... */
#define IDLE_HZ 1 /* ... the timer slows to this */

/* Serve until killed.  Each tick is an exit to the host kernel (about 2% of
 * a core per idle guest at HZ on a nested KVM host: too much for hundreds
 * of idle guests), so after IDLE_S without a frame the device's interrupt,
 * which ends the hlt when a frame comes, replaces the fast timer.  While
 * frames come the device is polled as before (waking from hlt for every
 * frame made a first answer ~30 ms slower on that host). */
static NORETURN void serve_forever(void)
{
        uint64_t last = ticks;
        bool slow = false;

        for (;;) {
                if (idle()) {
                        last = ticks;
                        if (slow) {
                                net_irq_enable(false);
                                cpu_timer_hz(HZ);
                                slow = false;
                        }
                } else if (!slow && net_has_irq() && ticks - last > IDLE_S * HZ) {
                        net_irq_enable(true);
                        cpu_timer_hz(IDLE_HZ);
                        slow = true;
                }
        }
}
#endif

/* Echo the serial input, a line at a time, until a line "quit". */
static void echo_loop(void)
{
        char line[256];
        size_t n = 0;

        con_printf("echo: on\n");
        for (;;) {
                int c = con_getc();

                if (c < 0) {
                        idle();
                        continue;
                }
                if (c == '\r' || c == '\n') {
                        /* A terminal sends "\r", a pipe "\n", some "\r\n": no empty lines. */
                        if (n == 0)
                                continue;
                        con_printf("echo: %.*s\n", (int)n, line);
                        if (n == 4 && memcmp(line, "quit", 4) == 0)
                                return;
                        n = 0;
                } else if (n < sizeof(line)) {
                        line[n++] = (char)c;
                }
        }
}

void kmain(uint32_t kind, uint32_t info);

void kmain(uint32_t kind, uint32_t info)
{
        struct opts o = { 0, 0, false, END_EXIT };
        struct boot b;

        con_init();
        cpu_init();

        if (kind == 1)
                b = boot_pvh((const void *)(uintptr_t)info);
        else
                b = boot_multiboot((const void *)(uintptr_t)info);

        con_printf("urunc-test-guest: " GUEST_NAME " (%s)\n", kind == 1 ? "pvh" : "multiboot");
        if (!b.ok)
                con_printf("warning: bad boot information\n");
        con_printf("cmdline: %s\n", b.cmdline);
        con_printf("mem: %lu MiB\n", b.mem_mib);

#ifdef GUEST_NET
        o.sleep_s = SLEEP_FOREVER; /* serve until told otherwise */
#endif
        parse_opts(b.cmdline, &o);
        print_uk_view(b.cmdline);

#ifdef GUEST_NET
        if (net_init(b.cmdline) < 0)
                guest_exit(o.exit_status ? o.exit_status : 1);
        net_spin_end = rdtsc() + SPIN_TSC;
#endif
        /*
         * Everything below waits with hlt for the timer.  Say so if it never
         * ticks (an accelerator whose local APIC timer does not work) rather
         * than hang silently.
         */
        if ((o.echo || o.sleep_s) && !cpu_timer_ticks())
                con_printf("warning: no timer interrupts: sleep= and echo will hang\n");

        if (o.echo)
                echo_loop();

        if (o.sleep_s == SLEEP_FOREVER) {
#ifdef GUEST_NET
                serve_forever();
#else
                cpu_halt_forever();
#endif
        }
        if (o.sleep_s) {
                uint64_t end = ticks + o.sleep_s * HZ;

                while (ticks < end)
                        idle();
        }
        if (o.end == END_CRASH)
                guest_crash("requested (crash)");
        if (o.end == END_PANIC)
                guest_panic();
        if (o.end == END_RESET)
                guest_triple_fault();
        guest_exit(o.exit_status);
}
