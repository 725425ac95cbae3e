/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Multiboot (v1) entry.  The header uses the "a.out kludge" (flag 16): the
 * loader takes the load addresses from the header instead of parsing the
 * ELF, which QEMU requires for a 64-bit ELF.  The linker script places
 * this header first, in the first 8 KiB of the file.  On entry %eax holds
 * 0x2badb002 and %ebx the physical address of the multiboot information.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAG_MEMINFO (1 << 1)
#define MB_FLAG_AOUT_KLUDGE (1 << 16)
#define MB_FLAGS (MB_FLAG_MEMINFO | MB_FLAG_AOUT_KLUDGE)

        .section .multiboot, "a"
        .balign 4
mb_header:
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)
        .long mb_header                 /* header_addr */
        .long __load_start              /* load_addr */
        .long __load_end                /* load_end_addr */
        .long __bss_end                 /* bss_end_addr */
        .long _start_multiboot          /* entry_addr */

        .section .text.entry, "ax"
        .code32
        .globl _start_multiboot
_start_multiboot:
        movl $2, %edi                   /* BOOT_MULTIBOOT */
        movl %ebx, %esi
        jmp boot32

        .section .note.GNU-stack, "", @progbits
