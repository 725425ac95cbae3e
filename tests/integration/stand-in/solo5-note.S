/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal "Solo5 kernel" for the stand-in tenders: an ELF with Solo5's
 * two notes in the layout of solo5's include/elf_abi.h and mft_abi.h
 * (x86-64), which urunc's ur_solo5_info_read and the stand-in read:
 *
 *   ABI1 (.note.solo5.abi): the target, SOLO5_TARGET (1 hvt, 2 spt, set
 *   by the build), ABI version 2;
 *   MFT1 (.note.solo5.manifest): the manifest, struct mft: 4 bytes of
 *   padding (it is 8-aligned after the 20-byte note header), version 1,
 *   the number of entries, then 104-byte entries (name[68], uint32 type,
 *   properties, host fd, attached): the reserved first one, then the
 *   including file's DEVICES, "mft_entry NAME, TYPE" statements (type 1
 *   block, 2 net) in declared order.
 *
 * Both notes are allocated, so the linker puts them in PT_NOTE segments,
 * where the tenders look; one segment each (their alignments differ), as
 * the tenders read only the first note of a segment.  It never runs.
 */
        .macro mft_entry name, type
1:      .ascii "\name"
        .fill 68 - (. - 1b), 1, 0
        .long \type
        .fill 104 - 72, 1, 0
        .endm

        .section .note.solo5.abi, "a", @note
        .p2align 2
        .long 6                         /* namesz: "Solo5\0" */
        .long 16                        /* descsz */
        .long 0x31494241                /* "ABI1" */
        .asciz "Solo5"
        .p2align 2
        .long SOLO5_TARGET, 2, 0, 0

        .section .note.solo5.manifest, "a", @note
        .p2align 3                      /* other than the ABI1 note's: its own PT_NOTE */
        .long 6
        .long 3f - 2f                   /* descsz: 12 + entries * 104 */
        .long 0x3154464d                /* "MFT1" */
        .asciz "Solo5"
        .p2align 2
2:      .long 0                         /* padding: the manifest is 8-aligned */
        .long 1                         /* MFT_VERSION */
        .long (3f - 4f) / 104           /* entries */
4:      mft_entry "", 0x40000000        /* MFT_RESERVED_FIRST */
        DEVICES
3:

        .text
        .globl _start
_start:
        hlt
        jmp _start
        .section .note.GNU-stack, "", @progbits
