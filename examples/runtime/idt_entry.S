/*
 * examples/runtime/idt_entry.S — one entry stub per vector, and the common
 * path that saves the general registers, calls trap_dispatch(frame) and
 * returns with IRETQ (Intel SDM Vol. 3A §6.14: 64-bit mode aligns RSP to 16
 * bytes, then pushes SS, RSP, RFLAGS, CS, RIP and, for some vectors, an
 * error code).
 *
 * Stubs of vectors without a CPU error code push a 0 so that every frame
 * has the same shape (struct trap_frame in idt.h). Stack alignment: the CPU
 * frame with error code is 48 bytes, plus the vector and 15 registers is
 * 176 = 11 * 16, so the CALL below leaves RSP = 8 mod 16 at the C entry, as
 * the SysV ABI wants. idt_stub_table lists the stub addresses explicitly
 * (no address arithmetic on stub sizes).
 */
	.altmacro

	/* Vectors for which the CPU pushes an error code (SDM Table 6-1). */
	.macro STUB vec
	.align 16
vec_stub_\vec:
	.set has_error_code, (\vec == 8) || ((\vec >= 10) && (\vec <= 14))
	.set has_error_code, has_error_code || (\vec == 17) || (\vec == 21)
	.set has_error_code, has_error_code || (\vec == 29) || (\vec == 30)
	.if has_error_code == 0
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
	.endm

	.macro STUBREF vec
	.quad vec_stub_\vec
	.endm

	.text
	.globl trap_common
trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld			/* the C code may assume DF = 0 */
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector and error code */
	iretq

	.set i, 0
	.rept 256
	STUB %i
	.set i, i + 1
	.endr

	.section .rodata
	.align 8
	.globl idt_stub_table
idt_stub_table:
	.set i, 0
	.rept 256
	STUBREF %i
	.set i, i + 1
	.endr

	.section .note.GNU-stack, "", @progbits
