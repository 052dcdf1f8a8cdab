/*
 * examples/runtime/rt.c — rt_init(): the runtime's pieces in dependency
 * order. The IDT needs the GDT's code selector and IST stacks; the user
 * stack needs the page tables; SYSCALL needs the GDT (STAR selectors), the
 * TSS stack and the IDT (the INT 0x80 gate).
 */
#include "rt.h"

void rt_init(void)
{
	uart_init();
	gdt_init();
	idt_init();
	paging_init();
	user_init();
	syscall_init();
}
