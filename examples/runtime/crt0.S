/*
 * examples/runtime/crt0.S — entry point of the 64-bit guests (hvsim native
 * boot, docs/BOOT.md): 64-bit mode, CPL 0, RDI = struct hvsim_boot_info *,
 * RSP = 0x80000 (the boot area), no IDT.
 *
 * Moves to a stack inside the image, zeroes .bss (the loader zeroes the
 * p_memsz tail too, but a kernel should not depend on it), calls
 * int kmain(struct hvsim_boot_info *) and ends the run with debug-exit of
 * kmain's return value. Nothing here may fault: there is no IDT yet.
 */
#include "layout.h"

	.section .text.boot, "ax"
	.globl _start
_start:
	cld
	leaq boot_stack_top(%rip), %rsp
	movq %rdi, %r12			/* boot info survives in a callee-saved reg */
	leaq __bss_start(%rip), %rdi
	leaq __bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	movq %r12, %rdi
	call kmain
	movl %eax, %edi
	call debug_exit			/* does not return */
1:	cli
	hlt
	jmp 1b

	.bss
	.align 16
boot_stack:
	.skip KSTACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
