/*
 * examples/guests/compat_mb_entry.S — the 32-bit half of compat_mb, a
 * kernel shaped like the multiboot v1 test kernels people boot with
 * `qemu -kernel` (console on the 16550 at 0x3F8, isa-debug-exit at 0xF4).
 *
 * Entered per Multiboot 0.6.96 §3.2 (docs/BOOT.md): 32-bit protected
 * mode, paging off, EAX = 0x2BADB002, EBX = the mbi; no valid stack or
 * GDT may be assumed. In order, as such kernels do:
 *  1. its own stack and GDT (null, 0x08 64-bit code, 0x10 data, 0x18
 *     32-bit code), segments reloaded;
 *  2. CPUID: long mode, FXSR, SSE and SSE2 present, or debug-exit 1;
 *  3. SSE on (Intel SDM Vol. 3A §14.1.3 [§13.1.3 in older editions]:
 *     CR0.EM = 0, CR0.MP = 1, CR4.OSFXSR and OSXMMEXCPT = 1) and used:
 *     SQRTSD and PADDD, results kept for the 64-bit side to check;
 *  4. a 32-bit IDT, and the exceptions only legacy mode has (INTO -> #OF,
 *     BOUND -> #BR) plus #DE, #BP, #UD, #NM and #GP through it (Vol. 3A
 *     §6.11 32-bit gates); each is recorded in cm_exc32 for compat_mb.c;
 *  5. identity page tables for 4 GiB (2 MiB pages) and long mode in the
 *     order of Vol. 3A §10.8.5 (CR4.PAE, CR3, EFER.LME, CR0.PG, with
 *     CR0.WP as kernels set it), a far jump to 64-bit code, and
 *     compat_main(magic, mbi) in compat_mb.c.
 */
#define MB_HEADER_MAGIC 0x1BADB002
#define MB_HEADER_FLAGS 0x00000003 /* page-aligned modules, memory info */
#define MB_BOOT_MAGIC	0x2BADB002
#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_CODE32	0x18
#define SEL_BEYOND_GDT	0x80 /* index 16: past the 4-entry GDT */
#define COM1_THR	0x3F8
#define COM1_LSR	0x3FD
#define DEBUG_EXIT	0xF4
#include "identity4g.inc"
#define MSR_EFER	0xC0000080
#define EFER_LME	0x100
#define CR0_MP		0x02
#define CR0_EM		0x04
#define CR0_TS		0x08
#define CR0_NE		0x20
#define CR0_PG_WP_PE	0x80010001 /* paging, write protect, protection */
#define CR4_PAE		0x20
#define CR4_OSFXSR	0x200
#define CR4_OSXMMEXCPT	0x400
#define IDT32_VECTORS	20
#define GATE32_INTR	0x8E00 /* present, DPL 0, 32-bit interrupt gate */
#define REC_SIZE	24     /* struct exc32_rec in compat_mb.c */

	.section .multiboot, "a"
	.align 4
	.long MB_HEADER_MAGIC
	.long MB_HEADER_FLAGS
	.long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

	.section .text.mb32, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	movl %eax, cm_magic		/* .data: survives the .bss clear */
	movl %ebx, cm_info
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl
	movl $cm_stack_top, %esp
	lgdt cm_gdtr
	ljmp $SEL_CODE32, $1f
1:	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %fs
	movl %eax, %gs
	movl %eax, %ss
	movl $msg_entry, %esi
	call puts32
	call check_cpu32
	call sse32_on
	call sse32_work
	call idt32_build
	call exc32_tests
	lidt cm_idtr_null		/* the 32-bit IDT means nothing in long mode */
	call build_page_tables
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $cm_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG_WP_PE, %eax
	movl %eax, %cr0			/* compatibility mode until the jump */
	ljmp $SEL_CODE64, $start64

/* Long mode, FXSR, SSE and SSE2, or give up with debug-exit 1. */
check_cpu32:
	pushl %ebx
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb 9f
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx			/* LM */
	jnc 9f
	movl $1, %eax
	cpuid
	andl $0x07000000, %edx		/* FXSR 24, SSE 25, SSE2 26 */
	cmpl $0x07000000, %edx
	jne 9f
	popl %ebx
	ret
9:	movl $msg_nocpu, %esi
	call puts32
	movl $1, %eax
	outl %eax, $DEBUG_EXIT
	cli
	hlt

sse32_on:
	movl %cr0, %eax
	andl $~(CR0_EM | CR0_TS), %eax
	orl $(CR0_MP | CR0_NE), %eax
	movl %eax, %cr0
	movl %cr4, %eax
	orl $(CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl %eax, %cr4
	fninit
	ret

/* sqrt(144.0) through SQRTSD, and a PADDD of two vectors in memory. */
sse32_work:
	movl $144, %eax
	cvtsi2sd %eax, %xmm0
	sqrtsd %xmm0, %xmm0
	cvttsd2si %xmm0, %eax
	movl %eax, cm_sse32_sqrt
	movdqu cm_vec_a, %xmm1
	movdqu cm_vec_b, %xmm2
	paddd %xmm2, %xmm1
	movdqu %xmm1, cm_sse32_sum
	ret

/* Gates 0..IDT32_VECTORS-1 to the stubs below, then LIDT. */
idt32_build:
	movl $cm_idt32, %edi
	xorl %ecx, %ecx
1:	movl exc32_stubs(,%ecx,4), %eax
	movw %ax, (%edi)
	movw $SEL_CODE32, 2(%edi)
	movw $GATE32_INTR, 4(%edi)
	shrl $16, %eax
	movw %ax, 6(%edi)
	addl $8, %edi
	incl %ecx
	cmpl $IDT32_VECTORS, %ecx
	jb 1b
	lidt cm_idtr32
	ret

/* Exception stubs: push a zero error code where the CPU pushes none, then
 * the vector, so exc32_common sees one layout. */
	.irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19
exc32_stub_\v:
	pushl $0
	pushl $\v
	jmp exc32_common
	.endr
	.irp v, 8,10,11,12,13,14,17
exc32_stub_\v:
	pushl $\v
	jmp exc32_common
	.endr

/* Stack: vector, error, EIP, CS, EFLAGS. Records the exception in the
 * armed record (count, vector, error, EIP) and resumes at the fixup. */
exc32_common:
	pushl %eax
	pushl %ebx
	movl cm_exc32_armed, %ebx
	incl (%ebx)
	movl 8(%esp), %eax
	movl %eax, 4(%ebx)
	movl 12(%esp), %eax
	movl %eax, 8(%ebx)
	movl 16(%esp), %eax
	movl %eax, 12(%ebx)
	movl cm_exc32_fixup, %eax
	movl %eax, 16(%esp)
	popl %ebx
	popl %eax
	addl $8, %esp
	iret

/* TRY32 n: arm record n around the instructions up to END32, and note the
 * instruction's address (+16) and the resume address (+20). */
.macro TRY32 n
	movl $(cm_exc32 + \n * REC_SIZE), cm_exc32_armed
	movl $8889f, cm_exc32_fixup
	movl $8888f, cm_exc32 + \n * REC_SIZE + 16
	movl $8889f, cm_exc32 + \n * REC_SIZE + 20
8888:
.endm
.macro END32
8889:
	movl $cm_exc32_stray, cm_exc32_armed
.endm

/* The order of the records is enum exc32_case in compat_mb.c. */
exc32_tests:
	movl $1, %eax
	xorl %edx, %edx
	xorl %ecx, %ecx
	TRY32 0
	divl %ecx			/* #DE */
	END32
	TRY32 1
	int3				/* #BP, a trap */
	END32
	xorl %eax, %eax			/* OF = 0 */
	TRY32 2
	into				/* nothing */
	END32
	movl $0x7FFFFFFF, %eax
	addl $1, %eax			/* OF = 1 */
	TRY32 3
	into				/* #OF, a trap */
	END32
	movl $5, %eax
	TRY32 4
	boundl %eax, cm_bounds		/* 5 in [0, 10]: nothing */
	END32
	movl $11, %eax
	TRY32 5
	boundl %eax, cm_bounds		/* #BR */
	END32
	TRY32 6
	ud2				/* #UD */
	END32
	movl %cr0, %eax
	orl $CR0_TS, %eax
	movl %eax, %cr0
	TRY32 7
	addps %xmm0, %xmm0		/* #NM: CR0.TS = 1 */
	END32
	clts
	movw $SEL_BEYOND_GDT, %ax
	TRY32 8
	movw %ax, %ds			/* #GP(0x80) */
	END32
	ret

/* PML4[0] -> PDPT; PDPT[0..3] -> page directories of 2 MiB pages. */
build_page_tables:
	BUILD_IDENTITY_4G cm_pml4, cm_pdpt, cm_pd
	ret

/* puts32: ESI = NUL-terminated string. Each byte waits (a bounded
 * number of polls) for LSR.THRE, as on a real 16550. */
puts32:
	pushl %eax
	pushl %ecx
	pushl %edx
1:	lodsb
	testb %al, %al
	jz 3f
	movb %al, %ah
	movl $100000, %ecx
	movw $COM1_LSR, %dx
2:	inb %dx, %al
	testb $0x20, %al
	loopz 2b
	movb %ah, %al
	movw $COM1_THR, %dx
	outb %al, %dx
	jmp 1b
3:	popl %edx
	popl %ecx
	popl %eax
	ret

	.code64
start64:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movabsq $cm_stack_top, %rsp
	movl cm_magic(%rip), %edi
	movl cm_info(%rip), %esi
	call compat_main
	movl %eax, %edi
	call debug_exit
1:	cli
	hlt
	jmp 1b

	.section .rodata
	.align 4
exc32_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19
	.long exc32_stub_\v
	.endr
msg_entry:	.asciz "compat_mb: 32-bit entry from the multiboot loader\n"
msg_nocpu:	.asciz "compat_mb: FAIL: no long mode, FXSR, SSE or SSE2\n"

	.data
	.align 16
	.globl cm_magic, cm_info, cm_sse32_sqrt, cm_sse32_sum, cm_exc32
cm_magic:	.long 0
cm_info:	.long 0
cm_sse32_sqrt:	.long 0
	.align 16
cm_vec_a:	.long 1, 2, 3, 4
cm_vec_b:	.long 0x10, 0x20, 0x30, 0x40
cm_sse32_sum:	.long 0, 0, 0, 0
cm_bounds:	.long 0, 10			/* BOUND: lower, upper */
cm_exc32_armed:	.long cm_exc32_stray
cm_exc32_fixup:	.long 0
cm_exc32:	.fill 9 * REC_SIZE / 4, 4, 0	/* enum exc32_case */
cm_exc32_stray:	.fill REC_SIZE / 4, 4, 0	/* anything unarmed */
	.align 8
cm_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF	/* 0x08 64-bit code */
	.quad 0x00CF92000000FFFF	/* 0x10 data */
	.quad 0x00CF9A000000FFFF	/* 0x18 32-bit code */
cm_gdt_end:
cm_gdtr:
	.word cm_gdt_end - cm_gdt - 1
	.long cm_gdt
cm_idtr32:
	.word IDT32_VECTORS * 8 - 1
	.long cm_idt32
cm_idtr_null:
	.word 0
	.long 0

	.bss
	.align 4096
cm_pml4:	.skip 4096
cm_pdpt:	.skip 4096
cm_pd:		.skip 4 * 4096
cm_idt32:	.skip IDT32_VECTORS * 8
	.align 16
cm_stack:	.skip 16384
cm_stack_top:

	.section .note.GNU-stack, "", @progbits
