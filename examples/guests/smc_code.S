/*
 * examples/guests/smc_code.S — code that rewrites itself, for the smc
 * guest (smc.c has the checks). Intel SDM Vol. 3A "Self-Modifying Code"
 * (memory cache control chapter): a write to an instruction that has
 * already been fetched or cached is detected, and the new instruction
 * runs; no jump or serializing instruction is needed when the same
 * linear address is used for the write and the fetch, which is the case
 * for every function here.
 *
 *   smc_same_imm(v)        stores v into the immediate of the very next
 *                          instruction (same basic block), returns it
 *   smc_same_opcode(a,b,op) stores op (0x01 ADD or 0x29 SUB) as the opcode
 *                          of the next instruction: returns a+b or a-b
 *   smc_cross_page(v)      the last bytes of a page store v into the first
 *                          instruction of the next page, then fall into it
 *   smc_straddle()         MOV EAX, imm32 whose immediate straddles a page
 *                          boundary; smc.c rewrites the immediate
 *   smc_copy_target()      MOV EAX, 1; RET in a 16-byte slot, which smc.c
 *                          overwrites by REP MOVSB with the slot
 *                          smc_copy_two (returns 2) or smc_copy_one (1)
 *
 * The pages live in .text, which the runtime maps writable (paging.c: the
 * first 4 GiB are present and writable for ring 0). Padding is INT3, so a
 * stray fetch traps instead of sliding.
 */
#define PAGE 4096

	.section .text.smc, "ax"

	.globl smc_same_imm
smc_same_imm:
	movl %edi, 1f+1(%rip)		/* the imm32 of the MOV below */
1:	movl $0, %eax			/* B8 imm32 */
	ret

	.globl smc_same_opcode
smc_same_opcode:
	movb %dl, 2f(%rip)		/* 01 = ADD r/m32, r32; 29 = SUB */
	movl %edi, %eax
2:	.byte 0x01, 0xf0		/* add %esi, %eax (or sub) */
	ret

/* Three 16-byte slots: smc.c copies a whole slot over the first. */
	.globl smc_copy_target, smc_copy_one, smc_copy_two
	.balign 16, 0xcc
smc_copy_target:
	movl $1, %eax
	ret
	.balign 16, 0xcc
smc_copy_one:
	movl $1, %eax
	ret
	.balign 16, 0xcc
smc_copy_two:
	movl $2, %eax
	ret
	.balign 16, 0xcc

/* Three pages: [smc_region, +3 * PAGE). */
	.balign PAGE
	.globl smc_region
smc_region:
	.fill PAGE - 8, 1, 0xcc
	.globl smc_cross_page
smc_cross_page:				/* page 0, its last 8 bytes */
	movl %edi, smc_page1_imm(%rip)	/* 89 3D rel32: 6 bytes */
	nop
	nop
smc_page1_insn:				/* page 1, offset 0 */
	.byte 0xB8			/* mov $imm32, %eax */
smc_page1_imm:
	.long 0
	ret
	.fill PAGE - 2 - 6, 1, 0xcc
	.globl smc_straddle, smc_straddle_imm
smc_straddle:				/* page 1, offset PAGE - 2 */
	.byte 0xB8			/* mov $imm32, %eax */
smc_straddle_imm:			/* 1 byte in page 1, 3 in page 2 */
	.long 0x5A5A5A5A
	ret
	.fill PAGE - 4, 1, 0xcc		/* page 2 after 3 imm bytes and RET */
smc_region_end:

	.if smc_page1_insn - smc_region - PAGE
	.error "smc_page1_insn must start page 1 of smc_region"
	.endif
	.if smc_straddle - smc_region - (2 * PAGE - 2)
	.error "smc_straddle must sit 2 bytes before page 2"
	.endif
	.if smc_region_end - smc_region - 3 * PAGE
	.error "smc_region must be three pages"
	.endif

	.section .note.GNU-stack, "", @progbits
