/*
 * cpu/ops_x87_arith.c — x87 arithmetic, comparisons and the transcendental
 * and other math instructions: FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR (m32, m64,
 * m16int, m32int, ST(i) and the P forms),
 * FCOM/FCOMP/FCOMPP/FUCOM(P)(P)/FICOM(P), FCOMI/FUCOMI(P), FTST, FXAM, FCHS,
 * FABS, FSQRT, FRNDINT, FSCALE, FPREM/FPREM1, FXTRACT, F2XM1, FYL2X(P1), FPTAN,
 * FPATAN, FSIN, FCOS, FSINCOS.
 *
 * Spec: Intel SDM Vol. 1 §8.1.3.x (condition codes per instruction class),
 * §8.5 (exceptions and masked responses), Vol. 2 (each instruction; FSIN/
 * FCOS/FPTAN/FSINCOS leave the operand unchanged with C2 = 1 when
 * |x| >= 2^63; FPREM/FPREM1 report C2 = incomplete and Q2 Q1 Q0 in C0 C3
 * C1).
 *
 * The value is computed by the same instruction on the host x87 under the
 * guest's control word (x87_host.c); this file applies the stack rules
 * (empty operand → underflow, masked response QNaN indefinite), decides
 * from the host status whether the destination may be written and then
 * commits. Invariants as ops_x87.c.
 */
#include <string.h>

#include "cpu/fp_int.h"
#include "cpu/ops_fp.h"
#include "cpu/x87_host.h"

#define CC_UNORDERED (FSW_C3 | FSW_C2 | FSW_C0)

/* Masked stack-underflow response for a register destination ST(i). */
static void underflow_into(struct cpu *c, int i, bool pop)
{
	if (!x87_stack_fault(c, false))
		return;
	x87_set(c, i, x87_indefinite());
	if (pop)
		x87_pop(c);
}

/* ST0 op= m (D8, DC, DA, DE memory forms); FCOM/FCOMP/FICOM/FICOMP m
 * compare instead. sub = XA_SUB_M(aop, fmt). */
static void compare_m(struct cpu *c, int fmt, const uint8_t *m, bool pop);

void op_x87_arith_m(struct cpu *c, const struct dinsn *d)
{
	uint8_t m[16] = {0};
	int aop = d->op->sub & 7, fmt = (d->op->sub >> 3) & 7;

	x87_enter(c, XK_DATA);
	cpu_read_bytes(c, d->seg, cpu_ea(c, d), m, x87_fmt_size[fmt]);
	if (aop == XA_COM || aop == XA_COMP) {
		compare_m(c, fmt, m, aop == XA_COMP);
	} else if (x87_empty(c, 0)) {
		underflow_into(c, 0, false);
	} else {
		long double a = x87_get(c, 0);
		uint16_t sw = x87h_arith_m(&c->fpu, aop, fmt, &a, m);
		if (x87_ok(c, sw, false))
			x87_set(c, 0, a);
		x87_merge_cc(c, sw);
	}
	x87_note(c, d);
}

/* Commit a comparison whose host status is sw: C3 C2 C0 and C1 = 0 (set
 * by the hardware even when an unmasked IE/DE stops the instruction), then
 * the pops unless it was stopped. */
static void finish_compare(struct cpu *c, uint16_t sw, int pops)
{
	bool ok = x87_ok(c, sw, false);

	x87_merge_cc(c, sw);
	while (ok && pops--)
		x87_pop(c);
}

/* Stack underflow on a comparison: unordered whether IE is masked or not
 * (as Intel CPUs do), then the pops if it is masked. */
static void compare_underflow(struct cpu *c, int pops)
{
	bool masked = x87_stack_fault(c, false);

	x87_set_cc(c, CC_UNORDERED);
	while (masked && pops--)
		x87_pop(c);
}

static void compare_m(struct cpu *c, int fmt, const uint8_t *m, bool pop)
{
	if (x87_empty(c, 0)) {
		compare_underflow(c, pop);
		return;
	}
	finish_compare(c, x87h_com_m(&c->fpu, fmt, x87_get(c, 0), m), pop);
}

/* D8 C0+i: ST0 = ST0 op ST(i) (D8 D0/D8, FCOM/FCOMP, are op_x87_fcom). */
void op_x87_arith_st0(struct cpu *c, const struct dinsn *d)
{
	int aop = d->op->sub & 7, i = d->rm & 7;

	x87_enter(c, XK_DATA);
	if (x87_empty(c, 0) || x87_empty(c, i)) {
		underflow_into(c, 0, false);
	} else {
		long double a = x87_get(c, 0);
		uint16_t sw = x87h_arith(&c->fpu, aop, &a, x87_get(c, i));
		if (x87_ok(c, sw, false))
			x87_set(c, 0, a);
		x87_merge_cc(c, sw);
	}
	x87_note(c, d);
}

/* DC / DE C0+i: ST(i) = ST(i) op ST0 [then pop]. The rows carry Intel's
 * naming, where DC E0+i is FSUBR ST(i), ST0 (= ST0 - ST(i)). */
void op_x87_arith_sti(struct cpu *c, const struct dinsn *d)
{
	int aop = d->op->sub & 7, i = d->rm & 7;
	bool pop = d->op->sub & XS_POP;

	x87_enter(c, XK_DATA);
	if (x87_empty(c, 0) || x87_empty(c, i)) {
		underflow_into(c, i, pop);
	} else {
		long double a = x87_get(c, i);
		uint16_t sw = x87h_arith(&c->fpu, aop, &a, x87_get(c, 0));
		bool ok = x87_ok(c, sw, false);
		if (ok)
			x87_set(c, i, a);
		x87_merge_cc(c, sw);
		if (ok && pop)
			x87_pop(c);
	}
	x87_note(c, d);
}

static int pops_of(unsigned sub)
{
	return (sub & XS_POP2) ? 2 : (sub & XS_POP) ? 1 : 0;
}

/* FCOM/FCOMP/FUCOM/FUCOMP ST(i), FCOMPP/FUCOMPP (ST(1)). */
void op_x87_fcom(struct cpu *c, const struct dinsn *d)
{
	unsigned sub = d->op->sub;
	int i = d->rm & 7;

	x87_enter(c, XK_DATA);
	if (x87_empty(c, 0) || x87_empty(c, i))
		compare_underflow(c, pops_of(sub));
	else
		finish_compare(c,
			       x87h_com(&c->fpu, sub & XS_UNORD, x87_get(c, 0),
					x87_get(c, i)),
			       pops_of(sub));
	x87_note(c, d);
}

/* FCOMI/FUCOMI[P] ST0, ST(i): ZF PF CF = C3 C2 C0; OF SF AF cleared. A
 * stack underflow gives "unordered" even with IE unmasked (as Intel CPUs
 * do); an unmasked exception stops the pop. */
void op_x87_fcomi(struct cpu *c, const struct dinsn *d)
{
	unsigned sub = d->op->sub;
	int i = d->rm & 7;
	uint16_t sw = CC_UNORDERED;
	bool ok;

	x87_enter(c, XK_DATA);
	if (x87_empty(c, 0) || x87_empty(c, i)) {
		ok = x87_stack_fault(c, false);
	} else {
		sw = x87h_com(&c->fpu, sub & XS_UNORD, x87_get(c, 0),
			      x87_get(c, i));
		ok = x87_ok(c, sw, false);
		/* flags only: C0-C3 stay (C1 too, on Intel CPUs) */
		x87_merge(c, (uint16_t)((sw & ~FSW_C1) | (c->fpu.fsw & FSW_C1)));
	}
	cpu_set_rflags(c,
		       ((sw & FSW_C3) ? RF_ZF : 0) |
			   ((sw & FSW_C2) ? RF_PF : 0) |
			   ((sw & FSW_C0) ? RF_CF : 0),
		       RF_ARITH);
	if (ok && (sub & XS_POP))
		x87_pop(c);
	x87_note(c, d);
}

void op_x87_ftst(struct cpu *c, const struct dinsn *d)
{
	x87_enter(c, XK_DATA);
	if (x87_empty(c, 0))
		compare_underflow(c, 0);
	else
		finish_compare(c, x87h_ftst(&c->fpu, x87_get(c, 0)), 0);
	x87_note(c, d);
}

/* FXAM: C1 = sign; C3 C2 C0 = class (SDM FXAM table). No exceptions. */
void op_x87_fxam(struct cpu *c, const struct dinsn *d)
{
	uint8_t b[16];
	uint64_t man;
	uint16_t se, cc;

	x87_enter(c, XK_DATA);
	long double v = x87_get(c, 0);
	memcpy(b, &v, sizeof(b));
	memcpy(&man, b, 8);
	memcpy(&se, b + 8, 2);
	unsigned exp = se & 0x7FFF;
	bool integer = man >> 63;
	if (x87_empty(c, 0))
		cc = FSW_C3 | FSW_C0;
	else if (exp == 0)
		cc = man == 0 ? FSW_C3 : (FSW_C3 | FSW_C2); /* zero, denormal */
	else if (!integer)
		cc = 0; /* unnormal, pseudo-NaN, pseudo-infinity: unsupported */
	else if (exp == 0x7FFF)
		cc = (man << 1) ? FSW_C0 : (FSW_C2 | FSW_C0); /* NaN, inf */
	else
		cc = FSW_C2; /* normal */
	x87_set_cc(c, (uint16_t)(cc | ((se & 0x8000) ? FSW_C1 : 0)));
	x87_note(c, d);
}

/* FCHS (sub 0) and FABS (sub 1) only touch the sign: no exceptions, not
 * even on an SNaN. */
static void sign_op(struct cpu *c, const struct dinsn *d, bool abs)
{
	uint8_t b[16];

	x87_enter(c, XK_DATA);
	if (x87_empty(c, 0)) {
		underflow_into(c, 0, false);
	} else {
		long double v = x87_get(c, 0);
		memcpy(b, &v, sizeof(b));
		b[9] = abs ? (uint8_t)(b[9] & 0x7F) : (uint8_t)(b[9] ^ 0x80);
		memcpy(&v, b, sizeof(b));
		x87_set(c, 0, v);
		c->fpu.fsw &= ~FSW_C1;
	}
	x87_note(c, d);
}

void op_x87_fchs(struct cpu *c, const struct dinsn *d)
{
	sign_op(c, d, false);
}

void op_x87_fabs(struct cpu *c, const struct dinsn *d)
{
	sign_op(c, d, true);
}

/* ---- FSQRT, FRNDINT and the transcendental instructions ----------------- */

enum math_shape {
	MS_UNARY,  /* ST0 = f(ST0) */
	MS_BINARY, /* ST0 = f(ST0, ST1) */
	MS_POP,	   /* ST1 = f(ST1, ST0), pop */
	MS_PUSH,   /* ST0 = g(ST0), push h(ST0) */
};
/* The condition codes come from the host, which started from the guest's
 * (x87_host.c): C1 = round-up, FPREM's quotient bits and incomplete flag,
 * C2 = out of range for the trigonometric instructions. */
enum math_cc {
	MC_PLAIN,
	MC_RANGE, /* C2 = 1 means |ST0| >= 2^63: nothing else changes */
	MC_PREM,  /* C2 = 1 means a partial remainder */
};

static const struct {
	uint8_t shape, cc;
} math_info[XM_COUNT] = {
    [XM_FSQRT] = {MS_UNARY, MC_PLAIN},	[XM_FRNDINT] = {MS_UNARY, MC_PLAIN},
    [XM_F2XM1] = {MS_UNARY, MC_PLAIN},	[XM_FSIN] = {MS_UNARY, MC_RANGE},
    [XM_FCOS] = {MS_UNARY, MC_RANGE},	[XM_FSCALE] = {MS_BINARY, MC_PLAIN},
    [XM_FPREM] = {MS_BINARY, MC_PREM}, [XM_FPREM1] = {MS_BINARY, MC_PREM},
    [XM_FPATAN] = {MS_POP, MC_PLAIN},	[XM_FYL2X] = {MS_POP, MC_PLAIN},
    [XM_FYL2XP1] = {MS_POP, MC_PLAIN},	[XM_FXTRACT] = {MS_PUSH, MC_PLAIN},
    [XM_FPTAN] = {MS_PUSH, MC_RANGE},	[XM_FSINCOS] = {MS_PUSH, MC_RANGE},
};

/* Stack fault (underflow, or overflow of a pushing op): the instructions
 * that report in C2 clear it (as Intel CPUs do, masked or not); the masked
 * response puts the indefinite in every result register. */
static void math_stack_fault(struct cpu *c, unsigned shape, unsigned cc,
			     bool overflow)
{
	if (cc != MC_PLAIN)
		c->fpu.fsw &= ~FSW_C2;
	if (!x87_stack_fault(c, overflow))
		return;
	if (shape == MS_POP) {
		x87_set(c, 1, x87_indefinite());
		x87_pop(c);
		return;
	}
	x87_set(c, 0, x87_indefinite());
	if (shape == MS_PUSH)
		x87_push(c, x87_indefinite());
}

static void math_commit(struct cpu *c, unsigned shape, long double a,
			long double b)
{
	switch (shape) {
	case MS_POP:
		x87_set(c, 1, a);
		x87_pop(c);
		break;
	case MS_PUSH:
		x87_set(c, 0, b);
		x87_push(c, a);
		break;
	default:
		x87_set(c, 0, a);
		break;
	}
}

void op_x87_math(struct cpu *c, const struct dinsn *d)
{
	unsigned op = d->op->sub % XM_COUNT;
	unsigned shape = math_info[op].shape, cc = math_info[op].cc;
	bool two = shape == MS_BINARY || shape == MS_POP;

	x87_enter(c, XK_DATA);
	if (x87_empty(c, 0) || (two && x87_empty(c, 1))) {
		math_stack_fault(c, shape, cc, false);
	} else if (shape == MS_PUSH && !x87_empty(c, 7)) {
		math_stack_fault(c, shape, cc, true);
	} else {
		long double a = x87_get(c, 0), b = two ? x87_get(c, 1) : 0;
		uint16_t sw = x87h_math(&c->fpu, (int)op, &a, &b);
		bool ok = x87_ok(c, sw, false);
		x87_merge_cc(c, sw);
		if (ok && !(cc == MC_RANGE && (sw & FSW_C2)))
			math_commit(c, shape, a, b);
	}
	x87_note(c, d);
}
