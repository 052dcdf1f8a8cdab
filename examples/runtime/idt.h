/*
 * examples/runtime/idt.h — the guest's IDT: 256 interrupt gates to assembly
 * stubs (idt_entry.S) that build a struct trap_frame and call one C
 * dispatcher, which runs the handler registered for the vector.
 */
#ifndef HVRT_IDT_H_
#define HVRT_IDT_H_

#include <stdint.h>

#define VEC_SYSCALL 0x80 /* INT 0x80: DPL-3 gate into the system-call table */

/* What the stubs save, lowest address first (RSP points at r15). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code; /* 0 for vectors without one */
	/* pushed by the CPU: */
	uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*trap_handler)(struct trap_frame *f);

/* Installs all 256 gates (DPL 0 except #BP, #OF and 0x80; #DF, NMI and
 * #MC on IST stacks) and loads IDTR. gdt_init() must have run. */
void idt_init(void);
void idt_set_handler(int vec, trap_handler fn);
/* Rewrites the attributes of one gate (tests make gates not present or
 * change their DPL); returns the previous attribute byte. */
uint8_t idt_set_attr(int vec, int present, int dpl);
/* "#PF" for 14 etc.; "vec" for vectors without a mnemonic. */
const char *exc_name(uint64_t vec);

#endif
