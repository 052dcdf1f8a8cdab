/*
 * cpu/iret.c — IRET / IRETD / IRETQ (CF), by operand size.
 *
 * Spec: Intel SDM Vol. 2A IRET/IRETD/IRETQ ("Operation": REAL-ADDRESS-MODE,
 * PROTECTED-MODE, IA-32e-MODE, RETURN-TO-SAME/OUTER-PRIVILEGE-LEVEL) and
 * Vol. 3A §6.14.3 (in 64-bit mode IRET always pops SS:RSP).
 *
 * Scope: returns within real mode and between protected/compatibility/
 * 64-bit code at the same or an outer privilege level. Not modelled:
 * nested-task returns (RFLAGS.NT = 1 raises #GP(0), which is the
 * architectural answer in IA-32e mode) and returns to virtual-8086 mode
 * (#GP(0)). NMI blocking does not exist yet, so there is none to clear.
 *
 * Invariants: the whole frame is read and every segment checked before
 * RIP, CS, RFLAGS, RSP or SS change. Which RFLAGS bits the popped image
 * may change depends on the CPL and IOPL *before* the return.
 */
#include "cpu/mem.h"
#include "cpu/ops.h"
#include "cpu/sysarch.h"

/* The five values an IRET frame can hold, lowest address first. */
struct iret_frame {
	uint64_t ip;
	uint16_t cs;
	uint64_t flags;
	uint64_t sp;
	uint16_t ss;
};

/* RFLAGS bits a protected-mode IRET may load (SDM: "EFLAGS(CF, PF, AF,
 * ZF, SF, TF, DF, OF, NT) ← tempEFLAGS", RF/AC/ID at 32 bits and up, IF
 * when CPL <= IOPL, IOPL/VIF/VIP at CPL 0). VM is never loaded: virtual-
 * 8086 mode is not modelled. */
static uint64_t iret_flag_mask(struct cpu *c, int os)
{
	uint64_t fl = cpu_get_rflags(c);
	unsigned iopl = (unsigned)((fl & RF_IOPL) >> 12);
	uint64_t mask =
	    RF_ARITH | RF_TF | RF_DF | RF_NT | RF_RF | RF_AC | RF_ID;

	if (c->cpl <= iopl)
		mask |= RF_IF;
	if (c->cpl == 0)
		mask |= RF_IOPL | RF_VIF | RF_VIP;
	if (os == 2)
		mask &= 0xFFFF;
	return mask;
}

static void load_flags(struct cpu *c, uint64_t image, uint64_t mask)
{
	uint64_t fl = cpu_get_rflags(c);

	fl = (fl & ~mask) | (image & mask) | RF_FIXED1;
	cpu_set_rflags(c, fl, ~0ull);
}

/* Real mode: pop IP, CS, FLAGS; everything but VM/VIF/VIP loads. */
static void iret_real(struct cpu *c, int os)
{
	uint64_t ip = stack_peek(c, 0, os);
	uint16_t cs = (uint16_t)stack_peek(c, (uint64_t)os, 2);
	uint64_t fl = stack_peek(c, 2ull * os, os);
	uint64_t mask = RF_ARITH | RF_TF | RF_IF | RF_DF | RF_IOPL | RF_NT |
			RF_RF | RF_AC | RF_ID;

	if (ip > c->seg[SEG_CS].limit)
		cpu_raise_gp0(c);
	if (os == 2)
		mask &= 0xFFFF;
	load_flags(c, fl, mask);
	c->seg[SEG_CS].sel = cs;
	c->seg[SEG_CS].base = (uint64_t)cs << 4;
	c->rip = ip;
	stack_set_rsp(c, c->gpr[RSP] + 3ull * os);
}

/* The frame in 64-bit mode when one plain TLB hit covers all five values
 * (then no read of it can fault), else NULL. */
static const uint8_t *plain_frame(struct cpu *c, int os)
{
	if (c->mode != MODE_LONG64)
		return NULL;
	return cpu_lin_plain(c, c->gpr[RSP], 5 * os, ACC_READ);
}

/* The `size`-byte value `up` bytes above RSP: from the plain frame when
 * there is one, else through stack_peek. */
static uint64_t frame_value(struct cpu *c, const uint8_t *plain, int up,
			    int size)
{
	if (plain)
		return mem_host_load(plain + up, size);
	return stack_peek(c, (uint64_t)up, size);
}

/* The frame's first half: IP, CS and FLAGS. */
static void read_frame(struct cpu *c, const uint8_t *plain, int os,
		       struct iret_frame *f)
{
	f->ip = frame_value(c, plain, 0, os);
	f->cs = (uint16_t)frame_value(c, plain, os, 2);
	f->flags = frame_value(c, plain, 2 * os, os);
}

/* Its second half, SS:SP, read after the return CS passed its checks
 * (the SDM's order, so a fault on CS comes before a stack fault here). */
static void read_frame_stack(struct cpu *c, const uint8_t *plain, int os,
			     struct iret_frame *f)
{
	f->sp = frame_value(c, plain, 3 * os, os);
	f->ss = (uint16_t)frame_value(c, plain, 4 * os, 2);
}

void op_iret(struct cpu *c, const struct dinsn *d)
{
	int os = d->osize;
	int old_cpl = c->cpl;
	struct iret_frame f = {0};
	struct seg_cache ss;
	struct desc_ref r;
	uint64_t mask;
	bool pop_ss;

	if (!(c->cr0 & CR0_PE)) {
		iret_real(c, os);
		return;
	}
	if (c->rflags & (RF_NT | RF_VM))
		cpu_raise_gp0(c); /* task return / V86 not modelled */
	const uint8_t *plain = plain_frame(c, os);
	read_frame(c, plain, os, &f);
	if (!(c->efer & EFER_LMA) && os == 4 && (f.flags & RF_VM) &&
	    c->cpl == 0)
		cpu_raise_gp0(c); /* return to V86 mode: not modelled */
	far_check_return_cs(c, f.cs, &r);
	pop_ss = (f.cs & 3) != old_cpl || c->mode == MODE_LONG64;
	if (pop_ss) {
		read_frame_stack(c, plain, os, &f);
		far_check_return_ss(c, f.ss, f.cs & 3, r.raw, &ss);
	}
	f.ip = far_check_ip(c, r.raw, f.ip);
	desc_set_accessed(c, &r);

	mask = iret_flag_mask(c, os);
	load_flags(c, f.flags, mask);
	if (!pop_ss)
		stack_set_rsp(c, c->gpr[RSP] + 3ull * os);
	far_load_cs(c, f.cs, r.raw, f.cs & 3);
	c->rip = f.ip;
	if (pop_ss)
		c->seg[SEG_SS] = ss;
	cpu_update_mode(c);
	if (pop_ss)
		stack_set_rsp(c, f.sp);
	if (c->cpl > old_cpl)
		far_null_outer_segs(c);
}
