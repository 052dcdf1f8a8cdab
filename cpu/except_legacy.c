/*
 * cpu/except_legacy.c — event delivery outside IA-32e mode: through
 * 8-byte interrupt/trap gates in 16/32-bit protected mode, and through the
 * real-mode interrupt vector table.
 *
 * Spec: Intel SDM Vol. 3A §6.10-6.12 (IDT, gates, stack switch through
 * TSS.SSn:ESPn, frame of EFLAGS/CS/EIP/error code, SS:ESP first on a
 * privilege change), §7.2.1 (32-bit TSS: ESPn at 4 + 8n, SSn at 8 + 8n;
 * 16-bit TSS: SPn at 2 + 4n, SSn at 4 + 4n), §20.1.4 (real-mode IVT), and
 * Vol. 2A INT n "Operation" (REAL-ADDRESS-MODE, PROTECTED-MODE).
 *
 * Multiboot kernels run 32-bit code with an IDT of this kind, so this is
 * on the boot path. Not modelled: task gates (#GP(IDT entry)) and
 * virtual-8086 mode. Invariants as in except.c: every read and push comes
 * before the first register change.
 */
#include "cpu/sysarch.h"

/* A stack being pushed to through a segment that may not be SS yet. */
struct push_stack {
	struct seg_cache ss;
	uint64_t sp;	 /* current offset, wraps at the stack width */
	int width;	 /* bytes per push: 2 or 4 by gate size */
	uint32_t ss_err; /* #SS error code on a limit violation */
	unsigned acc;
};

static bool stack_offset_ok(const struct seg_cache *ss, uint64_t off, int size)
{
	uint64_t top = (ss->attr & SEGA_DB) ? 0xFFFFFFFF : 0xFFFF;
	uint64_t last = off + (uint64_t)size - 1;

	if (SEGA_TYPE(ss->attr) & DT_EXPDOWN)
		return off > ss->limit && last <= top;
	return last <= ss->limit;
}

static void push_word(struct cpu *c, struct push_stack *s, uint64_t v)
{
	uint64_t mask = (s->ss.attr & SEGA_DB) ? 0xFFFFFFFF : 0xFFFF;
	uint64_t off = (s->sp - (uint64_t)s->width) & mask;

	if (!stack_offset_ok(&s->ss, off, s->width))
		cpu_raise(c, EXC_SS, s->ss_err);
	cpu_lin_write(c, (s->ss.base + off) & 0xFFFFFFFF, s->width,
		      v & size_mask(s->width), s->acc);
	s->sp = (s->sp & ~mask) | off;
}

/* The inner stack for `cpl` from the current TSS, checked as a new SS
 * (SDM INT n "INTER-PRIVILEGE-LEVEL-INTERRUPT"). */
static void tss_inner_stack(struct cpu *c, int cpl, uint32_t ext,
			    struct push_stack *s)
{
	bool tss32 = (SEGA_TYPE(c->tr.attr) & 8) != 0;
	uint32_t sp_off =
	    tss32 ? 4 + 8u * (unsigned)cpl : 2 + 4u * (unsigned)cpl;
	uint32_t ss_off = tss32 ? sp_off + 4 : sp_off + 2;
	uint32_t ts_err = sel_err(c->tr.sel, ext);
	struct desc_ref r;
	uint16_t sel;
	uint16_t attr;

	if ((uint64_t)ss_off + 1 > c->tr.limit)
		cpu_raise(c, EXC_TS, ts_err);
	s->sp = cpu_lin_read(c, c->tr.base + sp_off, tss32 ? 4 : 2,
			     ACC_IMPLICIT_SUP);
	sel =
	    (uint16_t)cpu_lin_read(c, c->tr.base + ss_off, 2, ACC_IMPLICIT_SUP);
	if ((sel & 0xFFFC) == 0)
		cpu_raise(c, EXC_TS, ext);
	if ((sel & 3) != cpl)
		cpu_raise(c, EXC_TS, sel_err(sel, ext));
	desc_fetch(c, sel, EXC_TS, ext, &r);
	attr = desc_attr(r.raw);
	if (SEGA_DPL(attr) != (unsigned)cpl || !attr_is_wdata(attr))
		cpu_raise(c, EXC_TS, sel_err(sel, ext));
	if (!(attr & SEGA_P))
		cpu_raise(c, EXC_SS, sel_err(sel, ext));
	desc_set_accessed(c, &r);
	s->ss = desc_to_cache(sel, r.raw);
	s->ss_err = sel_err(sel, ext);
}

struct gate32 {
	uint32_t off;
	uint16_t sel;
	int width; /* 4 for 32-bit gates, 2 for 16-bit ones */
	bool intr; /* interrupt gate (clears IF), else trap gate */
};

static void read_gate32(struct cpu *c, const struct event *ev, struct gate32 *g)
{
	uint32_t ext = event_ext(ev);
	uint32_t idt_err = (uint32_t)ev->vector * 8 + 2 + ext;
	uint64_t lo;
	unsigned type;

	if ((uint64_t)ev->vector * 8 + 7 > c->idtr.limit)
		cpu_raise(c, EXC_GP, idt_err);
	lo = cpu_lin_read(
	    c, (c->idtr.base + (uint64_t)ev->vector * 8) & 0xFFFFFFFF, 8,
	    ACC_IMPLICIT_SUP);
	type = (unsigned)(lo >> 40) & 0x1F;
	if (type != ST_INT && type != ST_TRAP && type != ST_INT16 &&
	    type != ST_TRAP16)
		cpu_raise(c, EXC_GP, idt_err); /* task gates: not modelled */
	if (event_is_soft(ev) && ((lo >> 45) & 3) < (unsigned)c->cpl)
		cpu_raise(c, EXC_GP, idt_err - ext);
	if (!(lo & (1ull << 47)))
		cpu_raise(c, EXC_NP, idt_err);
	g->width = (type & 8) ? 4 : 2;
	g->off = (uint32_t)((lo & 0xFFFF) | ((lo >> 32) & 0xFFFF0000));
	if (g->width == 2)
		g->off &= 0xFFFF;
	g->sel = (uint16_t)(lo >> 16);
	g->intr = (type & 1) == 0;
}

void except_deliver_prot(struct cpu *c, const struct event *ev)
{
	uint32_t ext = event_ext(ev);
	struct gate32 g;
	struct gate_target t;
	struct push_stack s = {
	    .ss = c->seg[SEG_SS], .sp = c->gpr[RSP], .ss_err = ext};
	uint64_t fl;

	if (c->rflags & RF_VM)
		cpu_raise(c, EXC_GP, ext); /* virtual-8086: not modelled */
	read_gate32(c, ev, &g);
	except_gate_target(c, g.sel, ext, &t);
	if (g.off > desc_limit(t.cs.raw))
		cpu_raise(c, EXC_GP, ext);
	s.width = g.width;
	s.acc = ACC_WRITE | (t.cpl == 3 ? ACC_USER : ACC_IMPLICIT_SUP);
	if (t.cpl < c->cpl)
		tss_inner_stack(c, t.cpl, ext, &s);
	fl = except_pushed_rflags(c, ev);
	if (t.cpl < c->cpl) {
		push_word(c, &s, c->seg[SEG_SS].sel);
		push_word(c, &s, c->gpr[RSP]);
	}
	push_word(c, &s, fl);
	push_word(c, &s, c->seg[SEG_CS].sel);
	push_word(c, &s, c->rip);
	if (ev->has_err)
		push_word(c, &s, ev->err);
	desc_set_accessed(c, &t.cs);

	/* Commit. */
	c->seg[SEG_SS] = s.ss;
	c->gpr[RSP] = (uint32_t)s.sp; /* push_word kept the upper bits */
	far_load_cs(c, g.sel, t.cs.raw, t.cpl);
	c->rip = g.off;
	fl &= ~(RF_TF | RF_NT | RF_RF | RF_VM | (g.intr ? RF_IF : 0));
	cpu_set_rflags(c, fl, ~0ull);
	cpu_update_mode(c);
}

/* Real mode: IVT entry = offset:segment, frame FLAGS, CS, IP (no error
 * codes); IF, TF and AC are cleared. */
void except_deliver_real(struct cpu *c, const struct event *ev)
{
	uint64_t at = (uint64_t)ev->vector * 4;
	uint32_t ivt;
	uint64_t fl;

	if (at + 3 > c->idtr.limit)
		cpu_raise_gp0(c);
	ivt = (uint32_t)cpu_lin_read(c, (c->idtr.base + at) & 0xFFFFFFFF, 4,
				     ACC_IMPLICIT_SUP);
	fl = cpu_get_rflags(c);
	stack_poke(c, 2, 2, fl);
	stack_poke(c, 4, 2, c->seg[SEG_CS].sel);
	stack_poke(c, 6, 2, c->rip);

	c->seg[SEG_CS].sel = (uint16_t)(ivt >> 16);
	c->seg[SEG_CS].base = (uint64_t)(ivt >> 16) << 4;
	c->rip = ivt & 0xFFFF;
	stack_set_rsp(c, c->gpr[RSP] - 6);
	cpu_set_rflags(c, fl & ~(RF_IF | RF_TF | RF_AC | RF_RF), ~0ull);
	cpu_update_mode(c);
}
