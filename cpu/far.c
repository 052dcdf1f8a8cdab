/*
 * cpu/far.c — far control transfers: JMP/CALL far (direct and through
 * memory), RETF and RETF imm16, and the checks IRET shares with them.
 *
 * Spec: Intel SDM Vol. 2A CALL and JMP ("far" operations), Vol. 2B RET
 * (far return, "RETURN-TO-SAME/OUTER-PRIVILEGE-LEVEL"), Vol. 3A §5.8
 * (privilege checks for control transfers), §3.4.5 (L/D bits of code
 * segments in IA-32e mode).
 *
 * Scope: transfers to code segments (conforming and non-conforming) in
 * real and protected mode, including the switches between 64-bit and
 * compatibility mode. Call gates, task gates and TSS targets are not
 * modelled and raise #GP(selector).
 *
 * Invariants: every descriptor read, stack read and stack write happens
 * before CS, RIP, RSP or SS change (stack slots are addressed relative to
 * RSP without moving it), so a faulting transfer has no effect. The
 * operand size comes from the instruction being executed (c->cur).
 */
#include "cpu/mem.h"
#include "cpu/ops.h"
#include "cpu/sysarch.h"

static uint64_t stack_mask(const struct cpu *c)
{
	return size_mask(cpu_stack_size(c));
}

/* Through mem_read / mem_write: the TLB hit inline (IRET reads five of
 * these per interrupt return). */
uint64_t stack_peek(struct cpu *c, uint64_t up, int size)
{
	return mem_read(c, SEG_SS, (c->gpr[RSP] + up) & stack_mask(c), size);
}

void stack_poke(struct cpu *c, uint64_t down, int size, uint64_t v)
{
	mem_write(c, SEG_SS, (c->gpr[RSP] - down) & stack_mask(c), size, v);
}

void stack_set_rsp(struct cpu *c, uint64_t v)
{
	int w = cpu_stack_size(c);

	gpr_write(c, RSP, w, false, v);
}

static int far_osize(const struct cpu *c)
{
	if (c->cur)
		return c->cur->osize;
	return c->mode == MODE_LONG64 ? 8 : c->mode == MODE_PROT32 ? 4 : 2;
}

static bool real_or_v86(const struct cpu *c)
{
	return !(c->cr0 & CR0_PE) || (c->rflags & RF_VM);
}

/* IA-32e mode rejects code segments with both L and D set. */
static void check_cs_ld(struct cpu *c, uint16_t sel, uint16_t attr)
{
	if ((c->efer & EFER_LMA) && (attr & SEGA_L) && (attr & SEGA_DB))
		cpu_raise(c, EXC_GP, sel_err(sel, 0));
}

/* JMP/CALL far to a code segment: the checks of SDM Vol. 2A JMP
 * "CONFORMING/NONCONFORMING-CODE-SEGMENT". */
static void check_branch_cs(struct cpu *c, uint16_t sel, struct desc_ref *r)
{
	uint16_t attr;

	if ((sel & 0xFFFC) == 0)
		cpu_raise_gp0(c);
	desc_fetch(c, sel, EXC_GP, 0, r);
	attr = desc_attr(r->raw);
	/* System descriptors (call gates, TSS, task gates) are not
	 * modelled; data segments are not a branch target. */
	if (!attr_is_code(attr))
		cpu_raise(c, EXC_GP, sel_err(sel, 0));
	if (SEGA_TYPE(attr) & DT_CONFORM) {
		if (SEGA_DPL(attr) > c->cpl)
			cpu_raise(c, EXC_GP, sel_err(sel, 0));
	} else if ((sel & 3u) > c->cpl || SEGA_DPL(attr) != c->cpl) {
		cpu_raise(c, EXC_GP, sel_err(sel, 0));
	}
	if (!(attr & SEGA_P))
		cpu_raise(c, EXC_NP, sel_err(sel, 0));
	check_cs_ld(c, sel, attr);
}

void far_check_return_cs(struct cpu *c, uint16_t sel, struct desc_ref *r)
{
	unsigned rpl = sel & 3u;
	uint16_t attr;

	if ((sel & 0xFFFC) == 0)
		cpu_raise_gp0(c);
	if (rpl < c->cpl)
		cpu_raise(c, EXC_GP, sel_err(sel, 0));
	desc_fetch(c, sel, EXC_GP, 0, r);
	attr = desc_attr(r->raw);
	if (!attr_is_code(attr))
		cpu_raise(c, EXC_GP, sel_err(sel, 0));
	if ((SEGA_TYPE(attr) & DT_CONFORM) ? SEGA_DPL(attr) > rpl
					   : SEGA_DPL(attr) != rpl)
		cpu_raise(c, EXC_GP, sel_err(sel, 0));
	if (!(attr & SEGA_P))
		cpu_raise(c, EXC_NP, sel_err(sel, 0));
	check_cs_ld(c, sel, attr);
}

static bool cs_is_64(const struct cpu *c, uint64_t cs_raw)
{
	return (c->efer & EFER_LMA) && (desc_attr(cs_raw) & SEGA_L);
}

void far_check_return_ss(struct cpu *c, uint16_t sel, int rpl, uint64_t cs_raw,
			 struct seg_cache *ss)
{
	struct desc_ref r;
	uint16_t attr;

	if ((sel & 0xFFFC) == 0) {
		/* Only 64-bit code below CPL 3 may run on a null SS. */
		if (!cs_is_64(c, cs_raw) || rpl == 3 || (sel & 3) != rpl)
			cpu_raise_gp0(c);
		*ss = seg_flat(sel, ATTR_DATA | ATTR_DPL(rpl));
		return;
	}
	if ((sel & 3) != rpl)
		cpu_raise(c, EXC_GP, sel_err(sel, 0));
	desc_fetch(c, sel, EXC_GP, 0, &r);
	attr = desc_attr(r.raw);
	if (!attr_is_wdata(attr) || SEGA_DPL(attr) != (unsigned)rpl)
		cpu_raise(c, EXC_GP, sel_err(sel, 0));
	if (!(attr & SEGA_P))
		cpu_raise(c, EXC_SS, sel_err(sel, 0));
	desc_set_accessed(c, &r);
	*ss = desc_to_cache(sel, r.raw);
}

uint64_t far_check_ip(struct cpu *c, uint64_t cs_raw, uint64_t ip)
{
	if (cs_is_64(c, cs_raw)) {
		if (!cpu_is_canonical(ip))
			cpu_raise_gp0(c);
		return ip;
	}
	if (ip > desc_limit(cs_raw))
		cpu_raise_gp0(c);
	return ip & 0xFFFFFFFF;
}

void far_load_cs(struct cpu *c, uint16_t sel, uint64_t raw, int cpl)
{
	c->seg[SEG_CS] = desc_to_cache((uint16_t)((sel & 0xFFFC) | cpl), raw);
}

void far_null_outer_segs(struct cpu *c)
{
	static const int segs[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};

	for (unsigned i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
		struct seg_cache *s = &c->seg[segs[i]];
		unsigned type = SEGA_TYPE(s->attr);
		bool conf_code = (s->attr & SEGA_S) && (type & DT_CODE) &&
				 (type & DT_CONFORM);

		if ((s->sel & 0xFFFC) == 0 || conf_code ||
		    SEGA_DPL(s->attr) >= c->cpl)
			continue;
		/* The base survives: 64-bit FS/GS bases set through the
		 * MSRs must outlive a return to user mode. */
		s->sel = 0;
		s->attr = 0;
		s->limit = 0;
	}
}

/* Real mode: CS = sel, base = sel << 4, IP checked against the limit. */
static void real_load_cs(struct cpu *c, uint16_t sel, uint64_t ip)
{
	if (ip > c->seg[SEG_CS].limit)
		cpu_raise_gp0(c);
	c->seg[SEG_CS].sel = sel;
	c->seg[SEG_CS].base = (uint64_t)sel << 4;
	c->rip = ip;
}

void cpu_far_jump(struct cpu *c, uint16_t sel, uint64_t off)
{
	struct desc_ref r;

	if (real_or_v86(c)) {
		real_load_cs(c, sel, off);
		return;
	}
	check_branch_cs(c, sel, &r);
	off = far_check_ip(c, r.raw, off);
	desc_set_accessed(c, &r);
	far_load_cs(c, sel, r.raw, c->cpl);
	c->rip = off;
	cpu_update_mode(c);
}

void cpu_far_call(struct cpu *c, uint16_t sel, uint64_t off, uint64_t ret_rip)
{
	int os = far_osize(c);
	struct desc_ref r;

	if (real_or_v86(c)) {
		if (off > c->seg[SEG_CS].limit)
			cpu_raise_gp0(c);
	} else {
		check_branch_cs(c, sel, &r);
		off = far_check_ip(c, r.raw, off);
	}
	/* Pushes (old CS, then the return offset) before anything moves. */
	stack_poke(c, (uint64_t)os, os, c->seg[SEG_CS].sel);
	stack_poke(c, 2ull * os, os, ret_rip & size_mask(os));
	if (real_or_v86(c)) {
		real_load_cs(c, sel, off);
	} else {
		desc_set_accessed(c, &r);
		far_load_cs(c, sel, r.raw, c->cpl);
		c->rip = off;
	}
	stack_set_rsp(c, c->gpr[RSP] - 2ull * os);
	cpu_update_mode(c);
}

/* RETF to an outer privilege level: SS:RSP follow CS:RIP (and the
 * imm16 bytes) on the stack. */
static void far_return_outer(struct cpu *c, uint16_t sel, uint64_t ip,
			     struct desc_ref *r, uint16_t pop_bytes, int os)
{
	int rpl = sel & 3;
	uint64_t nsp = stack_peek(c, 2ull * os + pop_bytes, os);
	uint16_t nss = (uint16_t)stack_peek(c, 3ull * os + pop_bytes, 2);
	struct seg_cache ss;

	far_check_return_ss(c, nss, rpl, r->raw, &ss);
	ip = far_check_ip(c, r->raw, ip);
	desc_set_accessed(c, r);
	far_load_cs(c, sel, r->raw, rpl);
	c->rip = ip;
	c->seg[SEG_SS] = ss;
	cpu_update_mode(c);
	stack_set_rsp(c, nsp + pop_bytes);
	far_null_outer_segs(c);
}

void cpu_far_return(struct cpu *c, uint16_t pop_bytes)
{
	int os = far_osize(c);
	uint64_t ip = stack_peek(c, 0, os);
	uint16_t sel = (uint16_t)stack_peek(c, (uint64_t)os, 2);
	struct desc_ref r;

	if (real_or_v86(c)) {
		real_load_cs(c, sel, ip);
		stack_set_rsp(c, c->gpr[RSP] + 2ull * os + pop_bytes);
		return;
	}
	far_check_return_cs(c, sel, &r);
	if ((sel & 3) != c->cpl) {
		far_return_outer(c, sel, ip, &r, pop_bytes, os);
		return;
	}
	ip = far_check_ip(c, r.raw, ip);
	desc_set_accessed(c, &r);
	far_load_cs(c, sel, r.raw, c->cpl);
	c->rip = ip;
	stack_set_rsp(c, c->gpr[RSP] + 2ull * os + pop_bytes);
	cpu_update_mode(c);
}

/* ---- the instructions ---------------------------------------------------
 * The far-pointer operand: EA/9A carry the offset in imm and the selector
 * in disp (dinsn.h); the memory forms hold offset (osize bytes) then the
 * 16-bit selector. */

static void read_mem_farptr(struct cpu *c, const struct dinsn *d, uint16_t *sel,
			    uint64_t *off)
{
	uint64_t ea;

	if (d->mod == 3)
		cpu_raise_ud(c);
	ea = cpu_ea(c, d);
	*off = cpu_read(c, d->seg, ea, d->osize);
	*sel = (uint16_t)cpu_read(c, d->seg,
				  (ea + d->osize) & size_mask(d->asize), 2);
}

/* EA: JMP ptr16:16 / ptr16:32 */
void op_jmp_far_A(struct cpu *c, const struct dinsn *d)
{
	cpu_far_jump(c, (uint16_t)d->disp, d->imm & size_mask(d->osize));
}

/* FF /5: JMP m16:16 / m16:32 / m16:64 */
void op_jmp_far_M(struct cpu *c, const struct dinsn *d)
{
	uint16_t sel;
	uint64_t off;

	read_mem_farptr(c, d, &sel, &off);
	cpu_far_jump(c, sel, off);
}

/* 9A: CALL ptr16:16 / ptr16:32 */
void op_call_far_A(struct cpu *c, const struct dinsn *d)
{
	cpu_far_call(c, (uint16_t)d->disp, d->imm & size_mask(d->osize),
		     next_rip(c, d));
}

/* FF /3: CALL m16:16 / m16:32 / m16:64 */
void op_call_far_M(struct cpu *c, const struct dinsn *d)
{
	uint16_t sel;
	uint64_t off;

	read_mem_farptr(c, d, &sel, &off);
	cpu_far_call(c, sel, off, next_rip(c, d));
}

/* CB */
void op_retf(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	cpu_far_return(c, 0);
}

/* CA iw */
void op_retf_I(struct cpu *c, const struct dinsn *d)
{
	cpu_far_return(c, (uint16_t)d->imm);
}
