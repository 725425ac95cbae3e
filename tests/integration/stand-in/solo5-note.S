/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal "solo5 kernel" for the stand-in tenders: an ELF whose Solo5
 * note (section .note.solo5.manifest, type "MFT1") urunc's ur_kernel_probe
 * recognises.  The note's content is not solo5's binary manifest but the
 * stand-in's text form: "urunc-stand-in-manifest:" and the declared
 * devices, set by the including file as MANIFEST.  It never runs.
 */
        .section .note.solo5.manifest, "a", @note
        .p2align 2
        .long 2f - 1f
        .long 4f - 3f
        .long 0x3154464d
1:      .asciz "Solo5"
2:      .p2align 2
3:      .ascii "urunc-stand-in-manifest:"
        .ascii MANIFEST
        .byte 0
4:      .p2align 2

        .text
        .globl _start
_start:
        hlt
        jmp _start
        .section .note.GNU-stack, "", @progbits
