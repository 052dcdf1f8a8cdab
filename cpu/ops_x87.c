/*
 * cpu/ops_x87.c — the x87 register stack and its data movement: state
 * helpers (tags, TOP, stack faults, exception bookkeeping, #NM/#MF gate),
 * FLD/FST/FSTP in every format, FILD/FIST/FISTP, FBLD/FBSTP, the constant
 * loads, FXCH, FCMOVcc, FFREE(P), FINCSTP/FDECSTP, FNOP, and the control
 * instructions FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW, FWAIT.
 *
 * Spec: Intel SDM Vol. 1 ch. 8 (§8.1.3 FSW, §8.1.5 FCW, §8.1.7 tags,
 * §8.1.8 FIP/FDP/FOP, §8.5.1.1 stack overflow/underflow: IE+SF, C1 = 1 on
 * overflow, masked response = QNaN indefinite, §8.6 waiting vs non-waiting
 * instructions), Vol. 2 (each instruction), Vol. 3A §2.5 (CR0.EM/TS/MP/NE).
 *
 * Invariants: registers are host long doubles (80-bit), st[] is indexed
 * physically, ST(i) = st[(top + i) & 7], and ftw always holds each
 * register's tag. A handler reads guest memory and computes before it
 * changes any state, and writes guest memory before it commits FSW/stack
 * changes, so a #PF leaves the FPU as it was. An unmasked exception sets
 * ES/B and is delivered as #MF by the next waiting x87 instruction
 * (CR0.NE=0 is treated like NE=1: no FERR# line is modelled).
 */
#include <string.h>

#include "cpu/fp_int.h"
#include "cpu/ops.h"
#include "cpu/ops_fp.h"
#include "cpu/x87_host.h"

const uint8_t x87_fmt_size[7] = {4, 8, 10, 2, 4, 8, 10};

/* ---- state helpers ------------------------------------------------------ */

void x87_enter(struct cpu *c, enum x87_kind k)
{
	if (c->cr0 & (CR0_EM | CR0_TS))
		cpu_raise(c, EXC_NM, 0);
	if (k != XK_NOWAIT && (c->fpu.fsw & FSW_ES))
		cpu_raise(c, EXC_MF, 0);
}

/* FOP is the low 3 bits of the escape byte and the ModRM byte; the escape
 * is where the row sits in optab_x87. */
void x87_note(struct cpu *c, const struct dinsn *d)
{
	const struct opdesc *base = &optab_x87[0][0];
	unsigned esc = 0;

	if (d->op >= base && d->op < base + 8 * 72)
		esc = (unsigned)((d->op - base) / 72);
	c->fpu.fip = c->insn_rip;
	c->fpu.fop = (uint16_t)(esc << 8 | (unsigned)d->mod << 6 |
				(d->reg & 7u) << 3 | (d->rm & 7u));
	if (d->mod != 3)
		c->fpu.fdp = cpu_ea(c, d);
}

/* The 80-bit encoding: 64-bit significand (bit 63 explicit integer bit),
 * then sign and 15-bit exponent. */
static void f80_split(long double v, uint64_t *man, uint16_t *se)
{
	uint8_t b[16];

	memcpy(b, &v, sizeof(b));
	memcpy(man, b, 8);
	memcpy(se, b + 8, 2);
}

static long double f80_make(uint64_t man, uint16_t se)
{
	long double v = 0;
	uint8_t b[16] = {0};

	memcpy(b, &man, 8);
	memcpy(b + 8, &se, 2);
	memcpy(&v, b, sizeof(v));
	return v;
}

unsigned x87_tag_of(long double v)
{
	uint64_t man;
	uint16_t se;

	f80_split(v, &man, &se);
	if ((se & 0x7FFF) == 0x7FFF)
		return TAG_SPECIAL;
	if ((se & 0x7FFF) == 0)
		return man == 0 ? TAG_ZERO : TAG_SPECIAL;
	return (man >> 63) ? TAG_VALID : TAG_SPECIAL; /* unnormals */
}

void x87_set_tag_phys(struct cpu *c, int p, unsigned tag)
{
	c->fpu.ftw =
	    (uint16_t)((c->fpu.ftw & ~(3u << (2 * p))) | (tag & 3) << (2 * p));
}

void x87_set(struct cpu *c, int i, long double v)
{
	int p = x87_phys(c, i);

	c->fpu.st[p] = v;
	x87_set_tag_phys(c, p, x87_tag_of(v));
}

void x87_pop(struct cpu *c)
{
	x87_set_tag_phys(c, c->fpu.top, TAG_EMPTY);
	c->fpu.top = (c->fpu.top + 1) & 7;
}

void x87_push(struct cpu *c, long double v)
{
	c->fpu.top = (c->fpu.top - 1) & 7;
	x87_set(c, 0, v);
}

long double x87_indefinite(void)
{
	return f80_make(0xC000000000000000ull, 0xFFFF);
}

uint16_t x87_get_fsw(const struct cpu *c)
{
	return (uint16_t)((c->fpu.fsw & ~FSW_TOP) | (c->fpu.top & 7u) << 11);
}

void x87_put_fsw(struct cpu *c, uint16_t fsw)
{
	c->fpu.top = (fsw >> 11) & 7;
	c->fpu.fsw = fsw & ~FSW_TOP;
}

void x87_update_es(struct cpu *c)
{
	if (c->fpu.fsw & ~c->fpu.fcw & FSW_EXC)
		c->fpu.fsw |= FSW_ES | FSW_B;
	else
		c->fpu.fsw &= ~(FSW_ES | FSW_B);
}

bool x87_stack_fault(struct cpu *c, bool overflow)
{
	c->fpu.fsw = (uint16_t)((c->fpu.fsw & ~FSW_C1) | FSW_IE | FSW_SF |
				(overflow ? FSW_C1 : 0));
	if (c->fpu.fcw & FSW_IE)
		return true;
	c->fpu.fsw |= FSW_ES | FSW_B;
	return false;
}

bool x87_ok(const struct cpu *c, uint16_t sw, bool mem_dest)
{
	unsigned unmasked = sw & ~c->fpu.fcw & FSW_EXC;

	if (unmasked & (FSW_IE | FSW_DE | FSW_ZE))
		return false;
	return !(mem_dest && (unmasked & (FSW_OE | FSW_UE)));
}

void x87_merge(struct cpu *c, uint16_t sw)
{
	c->fpu.fsw =
	    (uint16_t)((c->fpu.fsw & ~FSW_C1) | (sw & FSW_C1) | (sw & FSW_EXC));
	if (sw & ~c->fpu.fcw & FSW_EXC)
		c->fpu.fsw |= FSW_ES | FSW_B;
}

void x87_merge_cc(struct cpu *c, uint16_t sw)
{
	x87_set_cc(c, sw);
	x87_merge(c, sw);
}

void x87_set_cc(struct cpu *c, uint16_t cc)
{
	c->fpu.fsw = (uint16_t)((c->fpu.fsw & ~FSW_CC) | (cc & FSW_CC));
}

uint16_t x87_full_ftw(const struct cpu *c)
{
	uint16_t ftw = 0;

	for (int p = 0; p < 8; p++) {
		unsigned t = x87_tag_phys(c, p);
		if (t != TAG_EMPTY)
			t = x87_tag_of(c->fpu.st[p]);
		ftw |= (uint16_t)(t << (2 * p));
	}
	return ftw;
}

/* ---- loads -------------------------------------------------------------- */

/* Push v after a load whose status is `sw` (C0, C2, C3 are kept from it,
 * C1 is cleared), with the overflow check. */
static void push_loaded(struct cpu *c, long double v, uint16_t sw)
{
	if (!x87_empty(c, 7)) {
		if (x87_stack_fault(c, true))
			x87_push(c, x87_indefinite());
		return;
	}
	/* An unmasked DE still loads (as Intel CPUs do); IE does not. */
	bool ok = x87_ok(c, (uint16_t)(sw & ~FSW_DE), false);
	x87_merge_cc(c, sw & ~FSW_C1);
	if (ok)
		x87_push(c, v);
}

static long double int_to_f80(const uint8_t *m, int fmt)
{
	int16_t i16;
	int32_t i32;
	int64_t i64;

	switch (fmt) {
	case XF_I16:
		memcpy(&i16, m, 2);
		return i16;
	case XF_I32:
		memcpy(&i32, m, 4);
		return i32;
	default:
		memcpy(&i64, m, 8);
		return (long double)i64; /* exact: 64-bit significand */
	}
}

/* FLD m32/m64/m80, FILD m16/m32/m64, FBLD m80: sub = enum x87_fmt. */
void op_x87_fld_m(struct cpu *c, const struct dinsn *d)
{
	uint8_t m[16] = {0};
	int fmt = d->op->sub & 7;
	long double v = 0;
	uint16_t sw = c->fpu.fsw & FSW_CC;

	x87_enter(c, XK_DATA);
	cpu_read_bytes(c, d->seg, cpu_ea(c, d), m, x87_fmt_size[fmt]);
	if (fmt == XF_F80)
		memcpy(&v, m, 10);
	else if (fmt >= XF_I16 && fmt <= XF_I64)
		v = int_to_f80(m, fmt);
	else
		sw = x87h_load(&c->fpu, fmt, m, &v);
	push_loaded(c, v, sw);
	x87_note(c, d);
}

/* FLD ST(i) (the value is read before the push). An empty source is an
 * underflow even when the push would also overflow. */
void op_x87_fld_st(struct cpu *c, const struct dinsn *d)
{
	int i = d->rm & 7;

	x87_enter(c, XK_DATA);
	if (x87_empty(c, i)) {
		if (x87_stack_fault(c, false))
			x87_push(c, x87_indefinite());
	} else {
		push_loaded(c, x87_get(c, i), c->fpu.fsw & FSW_CC);
	}
	x87_note(c, d);
}

/* FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (sub 0..6). */
void op_x87_fldconst(struct cpu *c, const struct dinsn *d)
{
	long double v;

	x87_enter(c, XK_DATA);
	uint16_t sw = x87h_const(&c->fpu, d->op->sub, &v);
	push_loaded(c, v, sw);
	x87_note(c, d);
}

/* ---- stores ------------------------------------------------------------- */

/* FST/FSTP m32/m64/m80, FIST/FISTP m16/m32/m64, FBSTP m80: sub = fmt |
 * XS_POP. Empty ST0 with IE masked stores the format's indefinite. */
void op_x87_fst_m(struct cpu *c, const struct dinsn *d)
{
	uint8_t m[16] = {0};
	int fmt = d->op->sub & 7;
	bool empty = x87_empty(c, 0);
	long double v;
	uint16_t sw = c->fpu.fsw & FSW_CC & ~FSW_C1; /* FSTP m80: no rounding */

	x87_enter(c, XK_DATA);
	if (empty && !(c->fpu.fcw & FSW_IE)) {
		x87_stack_fault(c, false);
		x87_note(c, d);
		return;
	}
	v = empty ? x87_indefinite() : x87_get(c, 0);
	if (fmt == XF_F80)
		memcpy(m, &v, 10);
	else
		sw = x87h_store(&c->fpu, fmt, v, m);
	if (!empty && !x87_ok(c, sw, true)) {
		x87_merge_cc(c, sw);
		x87_note(c, d);
		return;
	}
	cpu_write_bytes(c, d->seg, cpu_ea(c, d), m, x87_fmt_size[fmt]);
	if (empty)
		x87_stack_fault(c, false);
	else
		x87_merge_cc(c, sw);
	if (d->op->sub & XS_POP)
		x87_pop(c);
	x87_note(c, d);
}

/* FST/FSTP ST(i): a register copy raises nothing (no format change). The
 * FSTPNCE alias (D9 D8+i) does not check for an empty ST0: it only pops
 * then (as Intel CPUs do). */
void op_x87_fst_st(struct cpu *c, const struct dinsn *d)
{
	int i = d->rm & 7;

	x87_enter(c, XK_DATA);
	if (x87_empty(c, 0) && (d->op->sub & XS_NCE)) {
		c->fpu.fsw &= ~FSW_C1; /* nothing to store: just pop */
	} else if (x87_empty(c, 0)) {
		if (!x87_stack_fault(c, false)) {
			x87_note(c, d);
			return;
		}
		x87_set(c, i, x87_indefinite());
	} else {
		x87_set(c, i, x87_get(c, 0));
		c->fpu.fsw &= ~FSW_C1;
	}
	if (d->op->sub & XS_POP)
		x87_pop(c);
	x87_note(c, d);
}

/* ---- register stack ----------------------------------------------------- */

/* FXCH ST(i): an empty operand becomes the indefinite first (masked). */
void op_x87_fxch(struct cpu *c, const struct dinsn *d)
{
	int i = d->rm & 7;

	x87_enter(c, XK_DATA);
	if (x87_empty(c, 0) || x87_empty(c, i)) {
		if (!x87_stack_fault(c, false)) {
			x87_note(c, d);
			return;
		}
		if (x87_empty(c, 0))
			x87_set(c, 0, x87_indefinite());
		if (x87_empty(c, i))
			x87_set(c, i, x87_indefinite());
	} else {
		c->fpu.fsw &= ~FSW_C1;
	}
	long double t = x87_get(c, 0);
	x87_set(c, 0, x87_get(c, i));
	x87_set(c, i, t);
	x87_note(c, d);
}

/* FCMOVcc ST(0), ST(i): sub = the Jcc condition code tested on RFLAGS. */
void op_x87_fcmov(struct cpu *c, const struct dinsn *d)
{
	int i = d->rm & 7;

	x87_enter(c, XK_DATA);
	if (x87_empty(c, 0) || x87_empty(c, i)) {
		if (x87_stack_fault(c, false))
			x87_set(c, 0, x87_indefinite());
	} else if (cpu_cond(c, d->op->sub)) {
		x87_set(c, 0, x87_get(c, i)); /* C1 kept, as Intel CPUs do */
	}
	x87_note(c, d);
}

/* FFREE ST(i); FFREEP (DF C0+i, sub XS_POP) also pops. The SDM leaves
 * C0-C3 undefined; Intel CPUs clear C1. */
void op_x87_ffree(struct cpu *c, const struct dinsn *d)
{
	x87_enter(c, XK_DATA);
	x87_set_tag_phys(c, x87_phys(c, d->rm & 7), TAG_EMPTY);
	c->fpu.fsw &= ~FSW_C1;
	if (d->op->sub & XS_POP)
		x87_pop(c);
	x87_note(c, d);
}

void op_x87_fincstp(struct cpu *c, const struct dinsn *d)
{
	x87_enter(c, XK_DATA);
	c->fpu.top = (c->fpu.top + 1) & 7;
	c->fpu.fsw &= ~FSW_C1;
	x87_note(c, d);
}

void op_x87_fdecstp(struct cpu *c, const struct dinsn *d)
{
	x87_enter(c, XK_DATA);
	c->fpu.top = (c->fpu.top - 1) & 7;
	c->fpu.fsw &= ~FSW_C1;
	x87_note(c, d);
}

void op_x87_fnop(struct cpu *c, const struct dinsn *d)
{
	x87_enter(c, XK_DATA);
	x87_note(c, d);
}

/* FENI/FDISI (8087) and FSETPM (287): no-ops on the 387 and later. */
void op_x87_nop_nowait(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	x87_enter(c, XK_NOWAIT);
}

/* ---- control ------------------------------------------------------------ */

void op_x87_fninit(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	x87_enter(c, XK_NOWAIT);
	c->fpu.fcw = 0x037F;
	c->fpu.fsw = 0;
	c->fpu.top = 0;
	c->fpu.ftw = 0xFFFF;
	c->fpu.fip = c->fpu.fdp = 0;
	c->fpu.fop = 0;
}

void op_x87_fnclex(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	x87_enter(c, XK_NOWAIT);
	c->fpu.fsw &= ~(FSW_EXC | FSW_SF | FSW_ES | FSW_B);
}

/* FLDCW: bit 6 reads as 1; unmasking a pending flag makes it pending. */
void op_x87_fldcw(struct cpu *c, const struct dinsn *d)
{
	x87_enter(c, XK_CTRL);
	uint16_t cw = (uint16_t)cpu_read(c, d->seg, cpu_ea(c, d), 2);
	c->fpu.fcw = (uint16_t)((cw & 0x1F3F) | 0x0040);
	x87_update_es(c);
}

void op_x87_fnstcw(struct cpu *c, const struct dinsn *d)
{
	x87_enter(c, XK_NOWAIT);
	cpu_write(c, d->seg, cpu_ea(c, d), 2, c->fpu.fcw);
}

void op_x87_fnstsw_m(struct cpu *c, const struct dinsn *d)
{
	x87_enter(c, XK_NOWAIT);
	cpu_write(c, d->seg, cpu_ea(c, d), 2, x87_get_fsw(c));
}

void op_x87_fnstsw_ax(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	x87_enter(c, XK_NOWAIT);
	gpr_write(c, RAX, 2, true, x87_get_fsw(c));
}

/* 9B: #NM only when CR0.MP and CR0.TS are both set; then #MF if an
 * unmasked exception is pending. */
void op_fwait(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	if ((c->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
		cpu_raise(c, EXC_NM, 0);
	if (c->fpu.fsw & FSW_ES)
		cpu_raise(c, EXC_MF, 0);
}
