/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Common bring-up, shared by the PVH and the multiboot entry points.
 *
 * Both boot protocols hand over in 32-bit protected mode with flat segments,
 * paging off and no usable stack; %edi holds the boot kind (BOOT_PVH or
 * BOOT_MULTIBOOT) and %esi the physical address of the boot information.
 * From there: load the page tables (data in the image: the first 4 GiB
 * identity-mapped with 2 MiB pages, the top GiB, where the local APIC, the
 * IO-APIC and virtio-mmio live, uncached), switch to long mode, zero .bss
 * and call kmain(kind, info).
 */

#define BOOT_PVH 1
#define BOOT_MULTIBOOT 2

#define CR0_PE 0x00000001
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100

#define PTE_P 0x001
#define PTE_W 0x002
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_PS 0x080

#define SEL_CODE64 0x08
#define SEL_DATA 0x10

        .section .text.entry, "ax"
        .code32
        .globl boot32
boot32:
        cli
        cld
        /* .data, not .bss: the zeroing below must not clear them. */
        movl %edi, boot_kind
        movl %esi, boot_info

        /* Nothing else before paging: code before paging is emulated
         * instruction by instruction on some hosts (nested "PVM" KVM, ~1-2
         * us an instruction), where zeroing and filling the page tables
         * here cost 30-50 ms (a byte-wise rep stos over the whole .bss cost
         * 160 ms for net.pvh).  The page tables are data in the image,
         * built by the assembler below, as Unikraft's are; .bss is zeroed
         * in long mode. */
        lgdt gdt_desc

        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $pml4, %eax
        movl %eax, %cr3
        movl $MSR_EFER, %ecx
        rdmsr
        orl $EFER_LME, %eax
        wrmsr
        movl %cr0, %eax
        orl $(CR0_PG | CR0_PE), %eax
        movl %eax, %cr0
        ljmp $SEL_CODE64, $long_mode

        .code64
long_mode:
        movw $SEL_DATA, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movw %ax, %fs
        movw %ax, %gs
        movl $__bss_start, %edi
        movl $__bss_end, %ecx
        subl %edi, %ecx
        shrl $3, %ecx
        xorl %eax, %eax
        rep stosq
        movq $stack_top, %rsp
        xorl %ebp, %ebp
        movl boot_kind, %edi
        movl boot_info, %esi
        call kmain
4:      cli
        hlt
        jmp 4b

/*
 * Interrupt stubs: 256 of them, 16 bytes apart from isr_stubs, so that C
 * can compute each gate's address.  Each pushes a dummy error code where the
 * CPU pushes none, then the vector number.
 */
        .balign 16
        .globl isr_stubs
isr_stubs:
        .set vec, 0
        .rept 256
        .balign 16
        .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
        /* the CPU pushed an error code */
        .else
        pushq $0
        .endif
        pushq $vec
        jmp isr_common
        .set vec, vec + 1
        .endr

isr_common:
        /*
         * The CPU aligned %rsp to 16 and pushed 5 words, the stub 2, these 9:
         * 16 words, so the call below sees the ABI's stack alignment.
         */
        pushq %rax
        pushq %rcx
        pushq %rdx
        pushq %rsi
        pushq %rdi
        pushq %r8
        pushq %r9
        pushq %r10
        pushq %r11
        movq %rsp, %rdi
        call isr_handler
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rax
        addq $16, %rsp
        iretq

        .section .rodata
        .balign 8
gdt:
        .quad 0
        .quad 0x00af9a000000ffff /* 0x08: 64-bit code, DPL 0 */
        .quad 0x00cf92000000ffff /* 0x10: flat data */
gdt_end:
gdt_desc:
        .word gdt_end - gdt - 1
        .long gdt

        .data
        .balign 4
boot_kind:
        .long 0
boot_info:
        .long 0

        /* The page tables, in the image: PML4[0] -> PDPT; PDPT[0..3] ->
         * four page directories of 512 2 MiB pages each, 0..4 GiB
         * identity, the top GiB (local APIC, IO-APIC, virtio-mmio)
         * uncached. */
        .section .data.pt, "aw"
        .balign 4096
pml4:
        .quad pdpt + (PTE_P | PTE_W)
        .skip 4096 - 8
pdpt:
        .quad pd + (PTE_P | PTE_W)
        .quad pd + 4096 + (PTE_P | PTE_W)
        .quad pd + 2 * 4096 + (PTE_P | PTE_W)
        .quad pd + 3 * 4096 + (PTE_P | PTE_W)
        .skip 4096 - 4 * 8
pd:
        .set pde, 0
        .rept 2048
        .if pde < 1536
        .quad (pde << 21) | (PTE_P | PTE_W | PTE_PS)
        .else
        .quad (pde << 21) | (PTE_P | PTE_W | PTE_PS | PTE_PWT | PTE_PCD)
        .endif
        .set pde, pde + 1
        .endr

        .bss
        .balign 16
stack:
        .skip 64 * 1024
stack_top:

        .section .note.GNU-stack, "", @progbits
