/*
 * examples/runtime/syscall_entry.S — the SYSCALL entry point (LSTAR).
 *
 * SYSCALL (Intel SDM Vol. 2B) saves RIP in RCX and RFLAGS in R11, masks
 * RFLAGS with SFMASK and loads CS/SS from STAR, but leaves RSP alone: the
 * entry must switch to a kernel stack before it pushes anything. As in
 * real kernels, SWAPGS exchanges GS.base with IA32_KERNEL_GS_BASE, which
 * points at the per-CPU block (syscall.c: [0] kernel stack top, [8] a slot
 * for the user RSP). The frame built here is struct syscall_frame.
 * Stack alignment: the stack top is 16-aligned and 10 quadwords are pushed,
 * so RSP = 8 mod 16 at the C entry after the CALL.
 */
#define PERCPU_KSTACK 0
#define PERCPU_USER_RSP 8

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:PERCPU_USER_RSP
	movq %gs:PERCPU_KSTACK, %rsp
	pushq %gs:PERCPU_USER_RSP	/* user_rsp */
	pushq %r11			/* user_rflags */
	pushq %rcx			/* user_rip */
	pushq %r9
	pushq %r8
	pushq %r10
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rax			/* nr */
	movq %rsp, %rdi
	movl $1, %esi			/* VIA_SYSCALL */
	call syscall_dispatch
	addq $8, %rsp			/* nr: RAX carries the result */
	popq %rdi
	popq %rsi
	popq %rdx
	popq %r10
	popq %r8
	popq %r9
	popq %rcx
	popq %r11
	popq %rsp			/* back on the user stack, still CPL 0 */
	swapgs
	sysretq

	.section .note.GNU-stack, "", @progbits
