/*
 * examples/runtime/idt.c — the guest's IDT (Intel SDM Vol. 3A §6.14.1,
 * 64-bit interrupt gates) and the C side of exception dispatch.
 *
 * Every vector has a present interrupt gate (IF cleared on entry) to its
 * stub in idt_entry.S. trap_dispatch() gives an armed exception catcher
 * (catch.c) the first look, then the handler registered for the vector;
 * an exception nobody expected is reported as a FAIL with a register dump
 * and ends the run, so a guest never loops on an unhandled fault.
 *
 * The IDT and handler table are file-scope: the CPU reads the IDT by
 * address, and the stubs reach the dispatcher without any context.
 */
#include "idt.h"

#include "catch.h"
#include "gdt.h"
#include "io.h"
#include "printf.h"
#include "report.h"

/*
 * 64-bit interrupt gate (16 bytes), as two 64-bit halves:
 *  low:  63     48 47 46 45 44 43  40 39 35 34 32 31      16 15       0
 *        offset31:16 P  DPL   0  type   0    IST   selector   offset15:0
 *  high: 63      32 31                                                 0
 *        reserved   offset63:32
 * `attr` is bits 47:40 (P DPL 0 type); type 0xE = interrupt gate.
 */
#define GATE_P        0x80
#define GATE_DPL(d)   (((d) & 3) << 5)
#define GATE_INTR     0x0E

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes");

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const uint64_t idt_stub_table[256]; /* idt_entry.S */

static struct idt_gate idt[256] __attribute__((aligned(16)));
static trap_handler handlers[256];

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

const char *exc_name(uint64_t vec)
{
	return vec < 32 ? exc_names[vec] : "INT";
}

static void set_gate(int vec, uint64_t target, int dpl, int ist)
{
	idt[vec] = (struct idt_gate){
		.offset_lo = (uint16_t)target,
		.selector = SEL_KCODE,
		.ist = (uint8_t)ist,
		.attr = GATE_P | GATE_DPL(dpl) | GATE_INTR,
		.offset_mid = (uint16_t)(target >> 16),
		.offset_hi = (uint32_t)(target >> 32),
	};
}

void idt_init(void)
{
	struct idt_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

	for (int v = 0; v < 256; v++) {
		int dpl = (v == 3 || v == 4 || v == VEC_SYSCALL) ? 3 : 0;
		int ist = (v == 8) ? IST_DF : (v == 2 || v == 18) ? IST_NMI : 0;
		set_gate(v, idt_stub_table[v], dpl, ist);
	}
	asm volatile("lidt %0" : : "m"(idtr) : "memory");
}

void idt_set_handler(int vec, trap_handler fn)
{
	handlers[vec & 0xFF] = fn;
}

uint8_t idt_set_attr(int vec, int present, int dpl)
{
	uint8_t old = idt[vec & 0xFF].attr;

	idt[vec & 0xFF].attr =
		(present ? GATE_P : 0) | GATE_DPL(dpl) | GATE_INTR;
	return old;
}

static _Noreturn void trap_unexpected(struct trap_frame *f)
{
	report(0, "unexpected exception %s (vector %lu) error %#lx at "
		  "%#lx:%#lx",
	       exc_name(f->vector), f->vector, f->error_code, f->cs, f->rip);
	printf("  rflags %#lx rsp %#lx ss %#lx cr2 %#lx cr0 %#lx cr3 %#lx\n",
	       f->rflags, f->rsp, f->ss, read_cr2(), read_cr0(), read_cr3());
	printf("  rax %#lx rbx %#lx rcx %#lx rdx %#lx\n", f->rax, f->rbx,
	       f->rcx, f->rdx);
	printf("  rsi %#lx rdi %#lx rbp %#lx r8 %#lx\n", f->rsi, f->rdi,
	       f->rbp, f->r8);
	report_summary();
}

/* Called by trap_common (idt_entry.S) with the saved frame. */
void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
	if (catch_trap(f))
		return;
	if (handlers[f->vector & 0xFF]) {
		handlers[f->vector & 0xFF](f);
		return;
	}
	trap_unexpected(f);
}
