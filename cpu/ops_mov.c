/*
 * cpu/ops_mov.c — data movement: MOV forms (incl. MOVABS and moffs),
 * MOVZX/MOVSX/MOVSXD, LEA, XCHG, MOV to/from segment registers, MOVNTI
 * and the NOP family.
 *
 * Spec: Intel SDM Vol. 2A/2B MOV, MOVZX, MOVSX/MOVSXD, LEA, XCHG, NOP,
 * PAUSE, MOVNTI; Vol. 3A §6.8.3 (MOV SS interrupt shadow).
 *
 * Invariants: none of these touch RFLAGS. Register destinations follow the
 * x86-64 rule (32-bit writes zero-extend, 8/16-bit writes merge) through
 * gpr_write. Where an instruction both reads and writes memory (XCHG) the
 * memory write is done before any register changes, so a fault leaves
 * the state untouched.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

/* 88/89: E = G */
void op_mov_EG(struct cpu *c, const struct dinsn *d)
{
	rm_write(c, d, d->osize, reg_read(c, d, d->osize));
}

/* 8A/8B: G = E */
void op_mov_GE(struct cpu *c, const struct dinsn *d)
{
	reg_write(c, d, d->osize, rm_read(c, d, d->osize));
}

/* C6/C7 /0: E = imm (Iz is sign-extended to 64 bits by the decoder). */
void op_mov_EI(struct cpu *c, const struct dinsn *d)
{
	rm_write(c, d, d->osize, d->imm);
}

/* B0-B7 / B8-BF: register in the opcode; with REX.W the immediate is a
 * full imm64 (MOVABS). */
void op_mov_ZI(struct cpu *c, const struct dinsn *d)
{
	gpr_write(c, d->reg, d->osize, d->pfx & PFX_REX, d->imm);
}

/* A0/A1: rAX = [seg:moffs]; the offset is address-size wide. */
void op_mov_AO(struct cpu *c, const struct dinsn *d)
{
	uint64_t off = d->imm & size_mask(d->asize);

	gpr_write(c, RAX, d->osize, true, cpu_read(c, d->seg, off, d->osize));
}

/* A2/A3: [seg:moffs] = rAX */
void op_mov_OA(struct cpu *c, const struct dinsn *d)
{
	uint64_t off = d->imm & size_mask(d->asize);

	cpu_write(c, d->seg, off, d->osize, gpr_read(c, RAX, d->osize, true));
}

/* 0F B6 / B7: zero-extend a byte or word (size in sub) into G. */
void op_movzx_GE(struct cpu *c, const struct dinsn *d)
{
	reg_write(c, d, d->osize, rm_read(c, d, d->op->sub));
}

static uint64_t sign_extend(uint64_t v, int size)
{
	switch (size) {
	case 1:
		return (uint64_t)(int64_t)(int8_t)v;
	case 2:
		return (uint64_t)(int64_t)(int16_t)v;
	case 4:
		return (uint64_t)(int64_t)(int32_t)v;
	default:
		return v;
	}
}

/* 0F BE / BF: sign-extend a byte or word (size in sub) into G. */
void op_movsx_GE(struct cpu *c, const struct dinsn *d)
{
	int src = d->op->sub;

	reg_write(c, d, d->osize, sign_extend(rm_read(c, d, src), src));
}

/* 63 in 64-bit mode: with REX.W sign-extend a doubleword. Otherwise the
 * source has the operand size (MOVSXD r32, r/m32 and r16, r/m16 are plain
 * moves), so a 16-bit form must not read 4 bytes of memory. */
void op_movsxd_GE(struct cpu *c, const struct dinsn *d)
{
	int src = d->osize == 8 ? 4 : d->osize;

	reg_write(c, d, d->osize, sign_extend(rm_read(c, d, src), src));
}

/* 8D: the address is computed at the address size, then truncated or
 * zero-extended to the operand size. No memory access, no segment. */
void op_lea_GM(struct cpu *c, const struct dinsn *d)
{
	if (d->mod == 3)
		cpu_raise_ud(c);
	reg_write(c, d, d->osize, cpu_ea(c, d));
}

/* 86/87. With memory the exchange is atomic (implicitly locked); in this
 * single-threaded model that means only: store first, then the register.
 * `87 C0` (xchg eax, eax) does zero-extend RAX, unlike 90. */
void op_xchg_EG(struct cpu *c, const struct dinsn *d)
{
	uint64_t e = rm_read(c, d, d->osize);
	uint64_t g = reg_read(c, d, d->osize);

	rm_write(c, d, d->osize, g);
	reg_write(c, d, d->osize, e);
}

/* 91-97, and 90 with REX.B (xchg r8, rax). A row that still reaches here
 * with register 0 is the 90 NOP, which must not zero-extend RAX. */
void op_xchg_AZ(struct cpu *c, const struct dinsn *d)
{
	if (d->reg == RAX)
		return;
	uint64_t a = gpr_read(c, RAX, d->osize, true);
	uint64_t r = gpr_read(c, d->reg, d->osize, true);

	gpr_write(c, RAX, d->osize, true, r);
	gpr_write(c, d->reg, d->osize, true, a);
}

/* 90, 0F 1F /0 (the memory operand is not accessed), hints, fences. */
void op_nop(struct cpu *c, const struct dinsn *d)
{
	(void)c;
	(void)d;
}

/* F3 90: a spin-loop hint; its latency is the row's cost class. */
void op_pause(struct cpu *c, const struct dinsn *d)
{
	(void)c;
	(void)d;
}

/* ModRM.reg as a segment register: 6 and 7 are undefined (#UD). */
static int sreg_of(struct cpu *c, const struct dinsn *d)
{
	int s = d->reg & 7;

	if (s > SEG_GS)
		cpu_raise_ud(c);
	return s;
}

/* 8C: a memory destination always takes 16 bits; a register destination
 * receives the selector zero-extended to the operand size (P6 and later
 * zero the upper bytes, SDM MOV "Sreg" note). */
void op_mov_ES(struct cpu *c, const struct dinsn *d)
{
	uint16_t sel = c->seg[sreg_of(c, d)].sel;

	if (d->mod == 3)
		gpr_write(c, d->rm & 15, d->osize, true, sel);
	else
		cpu_write(c, d->seg, cpu_ea(c, d), 2, sel);
}

/* 8E: load through the descriptor checks; CS cannot be loaded this way.
 * Loading SS inhibits interrupts (and debug traps) until the next
 * instruction has completed, so a MOV SS / MOV rSP pair is atomic. */
void op_mov_SE(struct cpu *c, const struct dinsn *d)
{
	int s = sreg_of(c, d);

	if (s == SEG_CS)
		cpu_raise_ud(c);
	cpu_load_seg(c, s, (uint16_t)rm_read(c, d, 2));
	if (s == SEG_SS)
		c->shadow = true;
}

/* 0F C3: a non-temporal store; caches are not modelled, so it is a MOV. */
void op_movnti_MG(struct cpu *c, const struct dinsn *d)
{
	if (d->mod == 3)
		cpu_raise_ud(c);
	cpu_write(c, d->seg, cpu_ea(c, d), d->osize, reg_read(c, d, d->osize));
}
