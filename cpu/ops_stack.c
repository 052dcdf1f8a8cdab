/*
 * cpu/ops_stack.c — the stack: PUSH/POP forms, PUSHF/POPF, PUSHA/POPA,
 * ENTER/LEAVE, and the cpu_push/cpu_pop helpers the other files use.
 *
 * Spec: Intel SDM Vol. 1 §6.2 (stack, stack-address size), Vol. 2B PUSH,
 * POP, PUSHF, POPF, PUSHA, POPA, ENTER, LEAVE.
 *
 * The stack-address size is 8 in 64-bit mode, else 4 or 2 by SS.B; RSP is
 * updated at that width (a 16-bit stack changes only SP). The operand size
 * (d->osize) decides how many bytes move. Precision: every stack access
 * goes through cpu_read/cpu_write(SEG_SS) so #SS/#PF are raised by mem.c,
 * and registers (RSP included) are written only after every access that
 * can fault has been done. Multi-slot instructions (PUSHA, ENTER) write
 * below the old RSP before committing, which is invisible if they fault.
 */
#include "cpu/cpu_int.h"
#include "cpu/mem.h"
#include "cpu/ops.h"

int cpu_stack_size(const struct cpu *c)
{
	if (c->mode == MODE_LONG64)
		return 8;
	return (c->seg[SEG_SS].attr & SEGA_DB) ? 4 : 2;
}

/* SS offset of RSP + delta at the stack-address size. */
static uint64_t stack_off(const struct cpu *c, uint64_t delta)
{
	return (c->gpr[RSP] + delta) & size_mask(cpu_stack_size(c));
}

/* Write RSP at the stack-address size (SP only for a 16-bit stack). */
static void stack_set(struct cpu *c, uint64_t rsp)
{
	gpr_write(c, RSP, cpu_stack_size(c), true, rsp);
}

void cpu_push(struct cpu *c, int size, uint64_t v)
{
	uint64_t rsp = stack_off(c, -(uint64_t)size);

	mem_write(c, SEG_SS, rsp, size, v);
	stack_set(c, rsp);
}

uint64_t cpu_pop(struct cpu *c, int size)
{
	uint64_t rsp = stack_off(c, 0);
	uint64_t v = mem_read(c, SEG_SS, rsp, size);

	stack_set(c, rsp + (uint64_t)size);
	return v;
}

/* ---- PUSH / POP ------------------------------------------------------- */

/* 50+r. PUSH RSP pushes the value RSP had before the instruction. */
void op_push_Z(struct cpu *c, const struct dinsn *d)
{
	cpu_push(c, d->osize, gpr_read(c, d->reg, d->osize, true));
}

/* 58+r. POP RSP: the increment happens first, then the popped value
 * overwrites RSP (SDM POP: "the stack pointer is incremented before"). */
void op_pop_Z(struct cpu *c, const struct dinsn *d)
{
	uint64_t v = cpu_pop(c, d->osize);

	gpr_write(c, d->reg, d->osize, true, v);
}

/* FF /6. The operand is read before RSP moves (`push [rsp]` reads the old
 * top of stack). */
void op_push_E(struct cpu *c, const struct dinsn *d)
{
	cpu_push(c, d->osize, rm_read(c, d, d->osize));
}

/* 8F /0. A memory destination whose base is RSP uses the incremented RSP;
 * the store is done before RSP is committed so a fault changes nothing. */
void op_pop_E(struct cpu *c, const struct dinsn *d)
{
	int sz = d->osize;
	uint64_t v = cpu_read(c, SEG_SS, stack_off(c, 0), sz);
	uint64_t new_rsp = stack_off(c, (uint64_t)sz);

	if (d->mod == 3) {
		stack_set(c, new_rsp);
		gpr_write(c, d->rm & 15, sz, d->pfx & PFX_REX, v);
		return;
	}
	uint64_t ea = cpu_ea(c, d);
	if (d->base == RSP)
		ea = (ea + (uint64_t)sz) & size_mask(d->asize);
	cpu_write(c, d->seg, ea, sz, v);
	stack_set(c, new_rsp);
}

/* 68 / 6A: the immediate is already sign-extended by the decoder. */
void op_push_I(struct cpu *c, const struct dinsn *d)
{
	cpu_push(c, d->osize, d->imm);
}

/* PUSH Sreg. With a 32/64-bit operand size recent Intel cores store only
 * the 16-bit selector and leave the rest of the slot untouched (SDM PUSH,
 * "segment register" note); RSP still moves by the operand size. */
void op_push_S(struct cpu *c, const struct dinsn *d)
{
	int seg = d->op->sub;
	uint64_t rsp = stack_off(c, -(uint64_t)d->osize);

	cpu_write(c, SEG_SS, rsp, 2, c->seg[seg].sel);
	stack_set(c, rsp);
}

/* POP Sreg: load the segment (may fault) before RSP moves. POP SS blocks
 * interrupts and debug traps for one instruction, like MOV SS. */
void op_pop_S(struct cpu *c, const struct dinsn *d)
{
	int seg = d->op->sub;
	uint64_t v = cpu_read(c, SEG_SS, stack_off(c, 0), d->osize);
	uint64_t new_rsp = stack_off(c, d->osize);

	cpu_load_seg(c, seg, (uint16_t)v);
	stack_set(c, new_rsp);
	if (seg == SEG_SS)
		c->shadow = true;
}

/* ---- PUSHF / POPF ----------------------------------------------------- */

/* 9C. The image has VM and RF cleared (SDM PUSHF: EFLAGS AND 00FCFFFFH). */
void op_pushf(struct cpu *c, const struct dinsn *d)
{
	uint64_t fl = cpu_get_rflags(c) & ~(RF_VM | RF_RF);

	cpu_push(c, d->osize, fl);
}

/* The flags POPF may change at all; VM, VIF, VIP and reserved bits never. */
#define POPF_WRITABLE                                                       \
	(RF_ARITH | RF_TF | RF_IF | RF_DF | RF_IOPL | RF_NT | RF_AC | RF_ID)

/* 9D. IOPL changes only at CPL 0 (and in real mode); IF only when
 * CPL <= IOPL. A 32/64-bit POPF clears RF; a 16-bit one touches bits
 * 15:0 only. */
void op_popf(struct cpu *c, const struct dinsn *d)
{
	uint64_t v = cpu_read(c, SEG_SS, stack_off(c, 0), d->osize);
	uint64_t new_rsp = stack_off(c, d->osize);
	uint64_t mask = POPF_WRITABLE;
	bool real = c->mode == MODE_REAL16;
	unsigned iopl = (unsigned)((c->rflags & RF_IOPL) >> 12);

	if (!real && c->cpl > 0) {
		mask &= ~RF_IOPL;
		if (c->cpl > iopl)
			mask &= ~RF_IF;
	}
	if (d->osize == 2) {
		mask &= 0xFFFF;
	} else {
		mask |= RF_RF;
		v &= ~RF_RF;
	}
	stack_set(c, new_rsp);
	cpu_set_rflags(c, v, mask);
}

/* ---- PUSHA / POPA (not in 64-bit mode) -------------------------------- */

/* 60: AX CX DX BX, the original SP, BP SI DI, in that order. */
void op_pusha(struct cpu *c, const struct dinsn *d)
{
	int sz = d->osize;
	uint64_t old_sp = c->gpr[RSP];

	for (int r = RAX; r <= RDI; r++) {
		uint64_t v = r == RSP ? old_sp : c->gpr[r];
		uint64_t at = stack_off(c, -(uint64_t)(sz * (r + 1)));

		cpu_write(c, SEG_SS, at, sz, v);
	}
	stack_set(c, stack_off(c, -(uint64_t)(sz * 8)));
}

/* 61: the reverse; the saved SP slot is skipped. All eight reads happen
 * before any register changes. */
void op_popa(struct cpu *c, const struct dinsn *d)
{
	int sz = d->osize;
	uint64_t v[8];

	for (int r = RAX; r <= RDI; r++)
		v[r] = cpu_read(c, SEG_SS, stack_off(c, (uint64_t)(sz * (7 - r))),
				sz);
	uint64_t new_rsp = stack_off(c, (uint64_t)(sz * 8));
	for (int r = RAX; r <= RDI; r++)
		if (r != RSP)
			gpr_write(c, r, sz, true, v[r]);
	stack_set(c, new_rsp);
}

/* ---- ENTER / LEAVE ---------------------------------------------------- */

/* C8 iw ib: imm = frame size, imm2 = nesting level (mod 32). Follows the
 * SDM pseudocode: push rBP, copy level-1 outer frame pointers from the
 * old frame, push the new frame pointer, then allocate. Every store (and
 * the probe at the final RSP that the SDM lists under #PF) happens before
 * RSP/RBP change. */
void op_enter(struct cpu *c, const struct dinsn *d)
{
	int sz = d->osize;
	unsigned level = d->imm2 & 31;
	uint64_t smask = size_mask(cpu_stack_size(c));
	uint64_t rsp = stack_off(c, -(uint64_t)sz);
	uint64_t frame = rsp;
	uint64_t rbp = c->gpr[RBP];

	cpu_write(c, SEG_SS, rsp, sz, rbp);
	if (level > 0) {
		for (unsigned i = 1; i < level; i++) {
			uint64_t at = (rbp - (uint64_t)(sz * i)) & smask;
			uint64_t v = cpu_read(c, SEG_SS, at, sz);

			rsp = (rsp - (uint64_t)sz) & smask;
			cpu_write(c, SEG_SS, rsp, sz, v);
		}
		rsp = (rsp - (uint64_t)sz) & smask;
		cpu_write(c, SEG_SS, rsp, sz, frame);
	}
	uint64_t final = (rsp - (d->imm & 0xFFFF)) & smask;
	cpu_probe_write(c, SEG_SS, final, sz);
	gpr_write(c, RBP, sz, true, frame);
	stack_set(c, final);
}

/* C9: rSP = rBP (at the stack size), then pop rBP (at the operand size). */
void op_leave(struct cpu *c, const struct dinsn *d)
{
	int sz = d->osize;
	uint64_t top = c->gpr[RBP] & size_mask(cpu_stack_size(c));
	uint64_t v = cpu_read(c, SEG_SS, top, sz);

	stack_set(c, top + (uint64_t)sz);
	gpr_write(c, RBP, sz, true, v);
}
