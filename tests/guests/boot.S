/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Common bring-up, shared by the PVH and the multiboot entry points.
 *
 * Both boot protocols hand over in 32-bit protected mode with flat segments,
 * paging off and no usable stack; %edi holds the boot kind (BOOT_PVH or
 * BOOT_MULTIBOOT) and %esi the physical address of the boot information.
 * From there: zero .bss, identity-map the first 4 GiB with 2 MiB pages
 * (the top GiB, where the local APIC, the IO-APIC and virtio-mmio live,
 * uncached), switch to long mode and call kmain(kind, info).
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

        /* Only the page tables now: code before paging is emulated
         * instruction by instruction on some hosts (nested "PVM" KVM, where
         * a byte-wise rep stos over the whole .bss cost ~0.5 us a byte:
         * 160 ms for net.pvh); the rest of .bss is zeroed in long mode. */
        movl $__boot_bss_start, %edi
        movl $__boot_bss_end, %ecx
        subl %edi, %ecx
        shrl $2, %ecx
        xorl %eax, %eax
        rep stosl

        /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories. */
        movl $pdpt + (PTE_P | PTE_W), pml4
        movl $pd + (PTE_P | PTE_W), %eax
        xorl %ecx, %ecx
1:      movl %eax, pdpt(, %ecx, 8)
        addl $4096, %eax
        incl %ecx
        cmpl $4, %ecx
        jne 1b

        /* 2048 entries of 2 MiB: 0..4 GiB, identity. */
        xorl %ecx, %ecx
2:      movl %ecx, %eax
        shll $21, %eax
        orl $(PTE_P | PTE_W | PTE_PS), %eax
        cmpl $1536, %ecx
        jb 3f
        orl $(PTE_PWT | PTE_PCD), %eax
3:      movl %eax, pd(, %ecx, 8)
        incl %ecx
        cmpl $2048, %ecx
        jne 2b

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

        /* The page tables, zeroed before paging (guest.ld puts this
         * section first, outside __bss_start..__bss_end). */
        .section .bss.boot, "aw", @nobits
        .balign 4096
pml4:
        .skip 4096
pdpt:
        .skip 4096
pd:
        .skip 4 * 4096

        .bss
        .balign 16
stack:
        .skip 64 * 1024
stack_top:

        .section .note.GNU-stack, "", @progbits
