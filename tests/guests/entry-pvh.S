/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PVH entry (the x86/HVM direct boot ABI): the ELF note
 * XEN_ELFNOTE_PHYS32_ENTRY gives the physical address of the 32-bit entry
 * point.  QEMU's -kernel loader reads it; %ebx points at struct
 * hvm_start_info on entry.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

        .section .note.pvh, "a", @note
        .balign 4
        .long 4                         /* namesz: "Xen\0" */
        .long 8                         /* descsz: a 64-bit ELF's note holds a quad */
        .long XEN_ELFNOTE_PHYS32_ENTRY
        .asciz "Xen"
        .balign 4
        .quad _start_pvh
        .balign 4

        .section .text.entry, "ax"
        .code32
        .globl _start_pvh
_start_pvh:
        movl $1, %edi                   /* BOOT_PVH */
        movl %ebx, %esi
        jmp boot32

        .section .note.GNU-stack, "", @progbits
