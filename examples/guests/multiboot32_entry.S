/*
 * examples/guests/multiboot32_entry.S — the 32-bit half of the multiboot
 * guest: what a multiboot v1 kernel (the kind of test kernel QEMU's
 * -kernel boots) does between the boot loader and 64-bit C code.
 *
 * Entered as the Multiboot 0.6.96 spec says (docs/BOOT.md): 32-bit
 * protected mode, flat segments, paging off, EAX = 0x2BADB002, EBX = the
 * multiboot information (mbi). It zeroes .bss, prints EAX and the mbi
 * fields it was given (in 32-bit code, straight to the UART), builds page
 * tables mapping the first 4 GiB with 2 MiB pages, enables long mode the
 * way Intel SDM Vol. 3A §10.8.5 orders it (CR4.PAE, CR3, EFER.LME, then
 * CR0.PG), far-jumps into a 64-bit code segment and calls
 * mb_main(magic, mbi) (multiboot32.c).
 */
#define MB_HEADER_MAGIC 0x1BADB002
/* Header flags: bit 0 page-aligned modules, bit 1 memory information. */
#define MB_HEADER_FLAGS 0x00000003
#define MB_BOOT_MAGIC   0x2BADB002
#define COM1_THR 0x3F8
#define COM1_LSR 0x3FD
#include "identity4g.inc"
#define MSR_EFER 0xC0000080
#define EFER_LME 0x100
#define CR4_PAE 0x20
#define CR0_PG_PE 0x80000001

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
	movl %eax, mb_magic		/* .data: safe before .bss is cleared */
	movl %ebx, mb_info
	movl $__bss_start, %edi		/* zero .bss (holds the stack and tables) */
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl
	movl $mb_stack_top, %esp

	movl $msg_entry, %esi
	call puts32
	movl mb_magic, %eax
	call puthex32
	movl $msg_ebx, %esi
	call puts32
	movl mb_info, %eax
	call puthex32
	call newline32
	cmpl $MB_BOOT_MAGIC, mb_magic
	jne 1f				/* no mbi to read; mb_main reports it */
	call print_mbi
1:	call build_page_tables
	movl $msg_lm, %esi
	call puts32

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $mb_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG_PE, %eax
	movl %eax, %cr0			/* now in compatibility mode */
	lgdt mb_gdtr
	ljmp $0x08, $start64

/* Prints the mbi fields the spec defines, each only if its flag is set. */
print_mbi:
	movl mb_info, %ebx
	movl $msg_flags, %esi
	call puts32
	movl (%ebx), %eax
	call puthex32
	testl $1, (%ebx)		/* bit 0: mem_lower, mem_upper (KiB) */
	jz 1f
	movl $msg_lower, %esi
	call puts32
	movl 4(%ebx), %eax
	call puthex32
	movl $msg_upper, %esi
	call puts32
	movl 8(%ebx), %eax
	call puthex32
1:	call newline32
	testl $4, (%ebx)		/* bit 2: cmdline (physical address) */
	jz 2f
	movl $msg_cmdline, %esi
	call puts32
	movl 16(%ebx), %esi
	call puts32
	call newline32
2:	ret

/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages,
 * identity-mapping 0..4 GiB (the high halves of all entries stay 0). */
build_page_tables:
	BUILD_IDENTITY_4G mb_pml4, mb_pdpt, mb_pd
	ret

/* putc32: AL = character. Polls LSR.THRE (bounded), then writes THR. */
putc32:
	pushl %ecx
	pushl %edx
	movb %al, %ah
	movl $100000, %ecx
	movw $COM1_LSR, %dx
1:	inb %dx, %al
	testb $0x20, %al
	jnz 2f
	loop 1b
2:	movb %ah, %al
	movw $COM1_THR, %dx
	outb %al, %dx
	popl %edx
	popl %ecx
	ret

/* puts32: ESI = NUL-terminated string (no newline added). */
puts32:
	pushl %esi
	pushl %eax
1:	lodsb
	testb %al, %al
	jz 2f
	call putc32
	jmp 1b
2:	popl %eax
	popl %esi
	ret

newline32:
	pushl %eax
	movb $'\n', %al
	call putc32
	popl %eax
	ret

/* puthex32: EAX as "0x" and 8 hex digits. */
puthex32:
	pushl %eax
	pushl %ebx
	pushl %ecx
	movl %eax, %ebx
	movb $'0', %al
	call putc32
	movb $'x', %al
	call putc32
	movl $8, %ecx
1:	roll $4, %ebx
	movl %ebx, %eax
	andl $0xF, %eax
	movb hexdigits(%eax), %al
	call putc32
	loop 1b
	popl %ecx
	popl %ebx
	popl %eax
	ret

	.code64
start64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movabsq $mb_stack_top, %rsp
	movl mb_magic(%rip), %edi
	movl mb_info(%rip), %esi
	call mb_main
	movl %eax, %edi
	call debug_exit
1:	cli
	hlt
	jmp 1b

	.section .rodata
hexdigits:	.ascii "0123456789abcdef"
msg_entry:	.asciz "multiboot32: in 32-bit protected mode, EAX="
msg_ebx:	.asciz " EBX="
msg_flags:	.asciz "multiboot32: mbi flags="
msg_lower:	.asciz " mem_lower="
msg_upper:	.asciz " mem_upper="
msg_cmdline:	.asciz "multiboot32: cmdline="
msg_lm:		.asciz "multiboot32: enabling PAE, EFER.LME and paging\n"

	.data
	.align 16
	.globl mb_magic, mb_info
mb_magic:	.long 0
mb_info:	.long 0
	.align 8
mb_gdt:		/* null, 0x08 64-bit code, 0x10 data (all DPL 0) */
	.quad 0
	.quad 0x00AF9A000000FFFF
	.quad 0x00CF92000000FFFF
mb_gdt_end:
mb_gdtr:
	.word mb_gdt_end - mb_gdt - 1
	.long mb_gdt

	.bss
	.align 4096
mb_pml4:	.skip 4096
mb_pdpt:	.skip 4096
mb_pd:		.skip 4 * 4096
mb_stack:	.skip 16384
mb_stack_top:

	.section .note.GNU-stack, "", @progbits
