/*
 * examples/runtime/usermode.S — enter ring 3 with IRETQ and come back.
 *
 * user_call() saves the callee-saved registers and its stack pointer, then
 * IRETQs (Intel SDM Vol. 3A §6.14.3: pops RIP, CS, RFLAGS, RSP, SS) to a
 * trampoline in the user region that calls fn. When fn returns, the
 * trampoline makes the SYS_uret system call, whose handler calls
 * user_call_return(): it restores the saved stack and returns fn's value
 * to user_call()'s caller, as a longjmp would. After an event from ring 3,
 * SS holds a null selector (64-bit mode loads SS with null on a privilege
 * change), so the way back reloads SS/DS/ES with the kernel data selector.
 */
#include "layout.h"

	.text
	.globl user_call
user_call:			/* rdi = fn, rsi = arg */
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, user_call_kernel_rsp(%rip)
	movq %rdi, %rax		/* the trampoline calls *%rax */
	movq %rsi, %rdi
	pushq $SEL_UDATA	/* SS */
	movabsq $USER_STACK_TOP, %rcx
	pushq %rcx		/* RSP */
	pushq $0x2		/* RFLAGS: IF = 0, IOPL = 0 */
	pushq $SEL_UCODE	/* CS */
	leaq user_trampoline(%rip), %rcx
	pushq %rcx		/* RIP */
	movl $SEL_UDATA, %ecx
	movl %ecx, %ds
	movl %ecx, %es
	iretq

	.globl user_call_return
user_call_return:		/* rdi = value, esi = swap_gs */
	testl %esi, %esi
	jz 1f
	swapgs			/* undo the entry's SWAPGS */
1:	movq user_call_kernel_rsp(%rip), %rsp
	movl $SEL_KDATA, %ecx
	movl %ecx, %ss
	movl %ecx, %ds
	movl %ecx, %es
	movq %rdi, %rax
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .utext, "ax"
user_trampoline:		/* CPL 3: rax = fn, rdi = arg */
	call *%rax
	movq %rax, %rdi
	movl $SYS_uret, %eax
	syscall
	ud2			/* SYS_uret never returns */

	.bss
	.align 8
user_call_kernel_rsp:
	.quad 0

	.section .note.GNU-stack, "", @progbits
