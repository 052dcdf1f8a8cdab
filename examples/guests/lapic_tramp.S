/*
 * examples/guests/lapic_tramp.S — the application processor's start-up
 * trampoline for the lapic guest (lapic.c copies it to LAPIC_TRAMP_BASE,
 * below 1 MiB, and starts the AP there with INIT-SIPI-SIPI, SIPI vector
 * LAPIC_TRAMP_BASE >> 12).
 *
 * An AP starts in real mode at CS = vector << 8, IP 0 (Intel SDM Vol. 3A
 * §9.4.4). It goes straight to 64-bit mode the way §9.8.5 lists the steps
 * (CR4.PAE, CR3, EFER.LME, then CR0.PG together with CR0.PE, then a far
 * jump to a 64-bit code segment), using the BSP's CR0/CR3/CR4, GDT and IDT,
 * which lapic.c stores in the parameter block at the end; then it takes
 * its stack and calls the C entry. The code is position-dependent only
 * through LAPIC_TRAMP_BASE: real-mode data is addressed from DS = CS, and
 * the far jump and 64-bit code use LAPIC_TRAMP_BASE + offset.
 */
#define LAPIC_TRAMP_BASE 0x10000
#define OFF(x) ((x) - lapic_tramp_start)

	.section .rodata.lapic_tramp, "a"
	.globl lapic_tramp_start, lapic_tramp_end, lapic_tramp_params

	.code16
lapic_tramp_start:
	cli
	movw %cs, %ax
	movw %ax, %ds
	lgdtl OFF(t_gdtr)
	movl OFF(t_cr4), %eax
	movl %eax, %cr4
	movl OFF(t_cr3), %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx      /* IA32_EFER: SCE | LME | NXE */
	movl $0x901, %eax
	xorl %edx, %edx
	wrmsr
	movl OFF(t_cr0), %eax       /* PE and PG at once: IA-32e mode */
	movl %eax, %cr0
	ljmpl $0x08, $(LAPIC_TRAMP_BASE + OFF(lapic_tramp_64))

	.code64
lapic_tramp_64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	lidt LAPIC_TRAMP_BASE + OFF(t_idtr)
	movq LAPIC_TRAMP_BASE + OFF(t_rsp), %rsp
	movq LAPIC_TRAMP_BASE + OFF(t_entry), %rax
	callq *%rax
1:	cli
	hlt
	jmp 1b

	.balign 8
lapic_tramp_params:         /* struct lapic_tramp_params in lapic.c */
t_cr0:	.quad 0
t_cr3:	.quad 0
t_cr4:	.quad 0
t_rsp:	.quad 0
t_entry: .quad 0
t_gdtr:	.word 0             /* limit, then the 64-bit base */
	.quad 0
	.word 0, 0, 0       /* padding to 8 */
t_idtr:	.word 0
	.quad 0
	.word 0, 0, 0
lapic_tramp_end:

	.section .note.GNU-stack, "", @progbits
