/*
 * cpu/except.c — raising faults, the double-fault / triple-fault
 * escalation, and event delivery through the IA-32e (64-bit) IDT.
 *
 * Spec: Intel SDM Vol. 3A chapter 6 — §6.3.1 and Table 6-1 (vectors,
 * error codes), §6.13 (error-code format: EXT, IDT, TI), §6.14 (64-bit
 * IDT gates, stack switching through TSS.RSPn and the IST, the 16-byte
 * aligned 5-slot frame, null SS at the new CPL), §6.15 Table 6-5
 * (benign / contributory / page-fault classes → #DF → shutdown), and
 * Vol. 2A INT n "Operation". 32-bit protected-mode and real-mode delivery
 * live in except_legacy.c.
 *
 * Invariants: delivery is precise. The IDT, GDT and TSS reads and every
 * push happen before any register changes, so a fault raised while
 * delivering (it comes back through c->fault_jmp, which cpu_deliver arms
 * for the duration and then restores) leaves the interrupted state
 * intact, and the new fault is delivered in its place or escalated.
 */
#include <string.h>

#include "cpu/sysarch.h"

/* ---- raising ------------------------------------------------------------- */

_Noreturn void cpu_raise(struct cpu *c, int vector, uint32_t errcode)
{
	c->pend_vec = vector;
	c->pend_err = cpu_exc_has_errcode(vector) ? errcode : 0;
	c->last_fault = vector;
	longjmp(c->fault_jmp, 1);
}

/* Not a fault: pend_vec tells cpu_run() to stop instead of delivering,
 * and last_fault (the triple-fault report) is left alone. */
_Noreturn void cpu_raise_retry(struct cpu *c)
{
	c->pend_vec = CPU_PEND_RETRY;
	c->pend_err = 0;
	longjmp(c->fault_jmp, 1);
}

_Noreturn void cpu_raise_ud(struct cpu *c)
{
	cpu_raise(c, EXC_UD, 0);
}

_Noreturn void cpu_raise_gp0(struct cpu *c)
{
	cpu_raise(c, EXC_GP, 0);
}

_Noreturn void cpu_raise_pf(struct cpu *c, uint64_t lin, uint32_t pfec)
{
	c->cr2 = lin;
	cpu_raise(c, EXC_PF, pfec);
}

/* Vectors that push an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP
 * (SDM Vol. 3A Table 6-1). */
#define ERRCODE_VECTORS                                                        \
	((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) |       \
	 (1u << 14) | (1u << 17) | (1u << 21))

bool cpu_exc_has_errcode(int vector)
{
	return vector >= 0 && vector < 32 && (ERRCODE_VECTORS >> vector) & 1;
}

/* Fault-class exceptions: the pushed RFLAGS image has RF = 1 so that the
 * restarted instruction does not re-trigger an instruction breakpoint
 * (SDM Vol. 3A §17.3.1.1). #DB is left out (it is a trap or a fault
 * depending on its cause). */
#define FAULT_VECTORS                                                          \
	((1u << 0) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 10) |          \
	 (1u << 11) | (1u << 12) | (1u << 13) | (1u << 14) | (1u << 16) |      \
	 (1u << 17) | (1u << 19) | (1u << 20))

uint64_t except_pushed_rflags(struct cpu *c, const struct event *ev)
{
	uint64_t fl = cpu_get_rflags(c);

	if (ev->kind == EV_EXCEPTION && ev->vector < 32 &&
	    ((FAULT_VECTORS >> ev->vector) & 1))
		fl |= RF_RF;
	return fl;
}

void except_finish(struct cpu *c)
{
	cpu_charge(c, cost_exception);
	c->halted = false;
	c->shadow = false;
}

/* ---- escalation (SDM Vol. 3A §6.15, Table 6-4 and 6-5) ------------------- */

enum exc_class { XC_BENIGN, XC_CONTRIB, XC_PAGE, XC_DOUBLE };

static const uint8_t exc_class_of[32] = {
    [EXC_DE] = XC_CONTRIB, [EXC_TS] = XC_CONTRIB, [EXC_NP] = XC_CONTRIB,
    [EXC_SS] = XC_CONTRIB, [EXC_GP] = XC_CONTRIB, [EXC_PF] = XC_PAGE,
    [EXC_DF] = XC_DOUBLE,
};

static enum exc_class class_of(const struct event *ev)
{
	if (ev->kind != EV_EXCEPTION || ev->vector >= 32)
		return XC_BENIGN;
	return (enum exc_class)exc_class_of[ev->vector];
}

/*
 * A fault (c->pend_vec/pend_err) was raised while delivering *ev. Replace
 * *ev with what must be delivered now: the new fault itself, or #DF.
 * Returns false for a shutdown (a fault while delivering #DF).
 */
static bool escalate(struct cpu *c, struct event *ev)
{
	struct event second = {c->pend_vec, EV_EXCEPTION,
			       cpu_exc_has_errcode(c->pend_vec), c->pend_err};
	enum exc_class first = class_of(ev);
	enum exc_class next = class_of(&second);

	if (first == XC_DOUBLE)
		return false;
	/* INT n / INT3 / INTO / INT1 fault as the instruction itself: the
	 * return address is the interrupt instruction, not the next one. */
	if (ev->kind == EV_SOFTINT || ev->kind == EV_SOFTEXC)
		c->rip = c->insn_rip;
	if ((first == XC_CONTRIB && next == XC_CONTRIB) ||
	    (first == XC_PAGE && next != XC_BENIGN)) {
		second.vector = EXC_DF;
		second.has_err = true;
		second.err = 0;
		c->last_fault = EXC_DF;
	}
	*ev = second;
	return true;
}

/* ---- IA-32e delivery (SDM Vol. 3A §6.14) --------------------------------- */

struct gate64 {
	uint64_t off;
	uint16_t sel;
	uint8_t ist;
	bool intr; /* interrupt gate (clears IF), else trap gate */
};

/* Read and check the 16-byte gate: limit, type, DPL for software
 * interrupts, present. */
static void read_gate64(struct cpu *c, const struct event *ev, struct gate64 *g)
{
	uint32_t ext = event_ext(ev);
	uint32_t idt_err = (uint32_t)ev->vector * 8 + 2 + ext;
	uint64_t at = (uint64_t)ev->vector * 16;
	uint64_t lo, hi;
	unsigned type, dpl;

	if (at + 15 > c->idtr.limit)
		cpu_raise(c, EXC_GP, idt_err);
	const uint8_t *p = cpu_lin_plain(c, c->idtr.base + at, 16,
					 ACC_IMPLICIT_SUP);
	if (p) { /* the common case: two plain loads */
		memcpy(&lo, p, 8);
		memcpy(&hi, p + 8, 8);
	} else {
		lo = cpu_lin_read(c, c->idtr.base + at, 8, ACC_IMPLICIT_SUP);
		hi = cpu_lin_read(c, c->idtr.base + at + 8, 8,
				  ACC_IMPLICIT_SUP);
	}
	type = (unsigned)(lo >> 40) & 0x1F; /* S bit included: must be 0 */
	dpl = (unsigned)(lo >> 45) & 3;
	if (type != ST_INT && type != ST_TRAP)
		cpu_raise(c, EXC_GP, idt_err);
	if (event_is_soft(ev) && dpl < c->cpl)
		cpu_raise(c, EXC_GP, idt_err - ext);
	if (!(lo & (1ull << 47)))
		cpu_raise(c, EXC_NP, idt_err);
	g->off = (lo & 0xFFFF) | ((lo >> 32) & 0xFFFF0000) | (hi << 32);
	g->sel = (uint16_t)(lo >> 16);
	g->ist = (uint8_t)((lo >> 32) & 7);
	g->intr = type == ST_INT;
}

void except_gate_target(struct cpu *c, uint16_t sel, uint32_t ext,
			struct gate_target *t)
{
	uint16_t attr;

	if ((sel & 0xFFFC) == 0)
		cpu_raise(c, EXC_GP, ext);
	desc_fetch(c, sel, EXC_GP, ext, &t->cs);
	attr = desc_attr(t->cs.raw);
	if (!attr_is_code(attr) || SEGA_DPL(attr) > c->cpl)
		cpu_raise(c, EXC_GP, sel_err(sel, ext));
	if (!(attr & SEGA_P))
		cpu_raise(c, EXC_NP, sel_err(sel, ext));
	if ((c->efer & EFER_LMA) && (!(attr & SEGA_L) || (attr & SEGA_DB)))
		cpu_raise(c, EXC_GP, sel_err(sel, ext));
	t->cpl = (SEGA_TYPE(attr) & DT_CONFORM) ? c->cpl : (int)SEGA_DPL(attr);
}

/* The 64-bit TSS slot at `off` (RSPn or ISTn), with the TSS limit check. */
static uint64_t tss64_read(struct cpu *c, uint32_t off, uint32_t ext)
{
	if ((uint64_t)off + 7 > c->tr.limit)
		cpu_raise(c, EXC_TS, sel_err(c->tr.sel, ext));
	return cpu_lin_read(c, c->tr.base + off, 8, ACC_IMPLICIT_SUP);
}

/* The RSP the frame is built under (before 16-byte alignment). */
static uint64_t pick_stack64(struct cpu *c, const struct gate64 *g, int new_cpl,
			     uint32_t ext)
{
	uint64_t rsp = c->gpr[RSP];

	if (g->ist)
		rsp = tss64_read(c, 0x24 + 8u * (g->ist - 1u), ext);
	else if (new_cpl < c->cpl)
		rsp = tss64_read(c, 4 + 8u * (unsigned)new_cpl, ext);
	if (!cpu_is_canonical(rsp))
		cpu_raise(c, EXC_SS, ext);
	return rsp & ~0xFull;
}

static void deliver_long(struct cpu *c, const struct event *ev)
{
	uint32_t ext = event_ext(ev);
	struct gate64 g;
	struct gate_target t;
	uint64_t frame[6], rsp, fl;
	int n = 0;

	read_gate64(c, ev, &g);
	except_gate_target(c, g.sel, ext, &t);
	if (!cpu_is_canonical(g.off))
		cpu_raise(c, EXC_GP, ext);
	rsp = pick_stack64(c, &g, t.cpl, ext);
	fl = except_pushed_rflags(c, ev);
	frame[n++] = c->seg[SEG_SS].sel;
	frame[n++] = c->gpr[RSP];
	frame[n++] = fl;
	frame[n++] = c->seg[SEG_CS].sel;
	frame[n++] = c->rip;
	if (ev->has_err)
		frame[n++] = ev->err;
	if (!cpu_is_canonical(rsp - 8u * (unsigned)n))
		cpu_raise(c, EXC_SS, ext);
	unsigned acc = ACC_WRITE | (t.cpl == 3 ? ACC_USER : ACC_IMPLICIT_SUP);
	uint8_t *p = cpu_lin_plain(c, rsp - 8u * (unsigned)n, 8 * n, acc);
	for (int i = 0; i < n; i++) {
		/* frame[i] goes below the previous one: to rsp - 8 (i + 1) */
		if (p)
			memcpy(p + 8 * (n - 1 - i), &frame[i], 8);
		else
			cpu_lin_write(c, rsp - 8u * (unsigned)(i + 1), 8,
				      frame[i], acc);
	}
	desc_set_accessed(c, &t.cs);

	/* Commit. */
	if (t.cpl != c->cpl)
		c->seg[SEG_SS] =
		    seg_flat((uint16_t)t.cpl, ATTR_DATA | ATTR_DPL(t.cpl));
	far_load_cs(c, g.sel, t.cs.raw, t.cpl);
	c->gpr[RSP] = rsp - 8u * (unsigned)n;
	c->rip = g.off;
	fl &= ~(RF_TF | RF_NT | RF_RF | RF_VM | (g.intr ? RF_IF : 0));
	cpu_set_rflags(c, fl, ~0ull);
	cpu_update_mode(c);
}

static void deliver_once(struct cpu *c, const struct event *ev)
{
	if (c->efer & EFER_LMA)
		deliver_long(c, ev);
	else if (c->cr0 & CR0_PE)
		except_deliver_prot(c, ev);
	else
		except_deliver_real(c, ev);
	except_finish(c);
}

/* ---- entry points -------------------------------------------------------- */

/* More nested faults than the escalation chain can produce (benign →
 * contributory → page fault → #DF → shutdown): treat as shutdown. */
#define MAX_NESTED_FAULTS 6
/* pend_vec of a shutdown unwinding to cpu_run: nothing left to deliver. */
#define PEND_SHUTDOWN (-1)

/*
 * Shutdown (triple fault). Inside an instruction (INT n, INT3, INTO, INT1)
 * unwind to cpu_run like a fault, so the interpreter stops at once with
 * CPU_EXIT_TRIPLE_FAULT; elsewhere (external interrupt, single-step trap,
 * a direct call) the caller sees c->triple_fault when this returns.
 */
static void shutdown(struct cpu *c, jmp_buf outer)
{
	c->triple_fault = true;
	c->delivering = -1;
	c->in_delivery = false;
	memcpy(c->fault_jmp, outer, sizeof(jmp_buf));
	if (c->cur) {
		c->pend_vec = PEND_SHUTDOWN;
		longjmp(c->fault_jmp, 1);
	}
}

void cpu_deliver(struct cpu *c, int vector, enum event_kind kind, bool has_err,
		 uint32_t errcode)
{
	volatile struct event ev = {vector, kind, has_err, errcode};
	volatile int nested = 0;
	jmp_buf outer;

	memcpy(outer, c->fault_jmp, sizeof(jmp_buf));
	c->in_delivery = true;
	while (setjmp(c->fault_jmp) != 0) {
		struct event e = {ev.vector, ev.kind, ev.has_err, ev.err};

		if (++nested > MAX_NESTED_FAULTS || !escalate(c, &e)) {
			shutdown(c, outer);
			return;
		}
		ev.vector = e.vector;
		ev.kind = e.kind;
		ev.has_err = e.has_err;
		ev.err = e.err;
	}
	c->delivering = ev.vector;
	{
		struct event e = {ev.vector, ev.kind, ev.has_err, ev.err};

		deliver_once(c, &e);
	}
	c->delivering = -1;
	c->in_delivery = false;
	memcpy(c->fault_jmp, outer, sizeof(jmp_buf));
}

void cpu_exception_entry(struct cpu *c)
{
	int vec = c->pend_vec;

	if (vec == PEND_SHUTDOWN || vec == CPU_PEND_RETRY)
		return; /* shutdown: c->triple_fault is set; retry: exec.c */
	cpu_deliver(c, vec, EV_EXCEPTION, cpu_exc_has_errcode(vec),
		    c->pend_err);
}
