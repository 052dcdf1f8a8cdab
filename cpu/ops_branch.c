/*
 * cpu/ops_branch.c — near branches: Jcc, JMP, CALL, RET, LOOPcc, JrCXZ.
 *
 * Spec: Intel SDM Vol. 2A/2B Jcc, JMP, CALL, RET, LOOP/LOOPcc, JCXZ/JECXZ/
 * JRCXZ (near forms only; far transfers live in modes.c).
 *
 * Contract with the interpreter: before a handler runs, c->rip already
 * holds the next instruction's address; a taken branch overwrites it.
 * Targets are truncated to the operand size (16/32-bit), then checked:
 * in 64-bit mode a non-canonical target raises #GP(0) on the branch itself
 * (RIP still at the branch, nothing pushed or popped); in other modes a
 * target beyond the CS limit raises #GP(0). Every check and stack access
 * happens before RSP/RCX/RIP change.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

/* Truncate a branch target to the operand size and validate it. */
static uint64_t branch_target(struct cpu *c, int osize, uint64_t t)
{
	t &= size_mask(osize);
	if (c->mode == MODE_LONG64) {
		if (!cpu_is_canonical(t))
			cpu_raise_gp0(c);
	} else if (t > c->seg[SEG_CS].limit) {
		cpu_raise_gp0(c);
	}
	return t;
}

/* Relative target: next instruction + sign-extended displacement. */
static uint64_t rel_target(struct cpu *c, const struct dinsn *d)
{
	return branch_target(c, d->osize, next_rip(c, d) + d->imm);
}

/* 70+cc / 0F 80+cc */
void op_jcc_J(struct cpu *c, const struct dinsn *d)
{
	if (cpu_cond(c, d->op->sub))
		c->rip = rel_target(c, d);
}

/* E9 / EB */
void op_jmp_J(struct cpu *c, const struct dinsn *d)
{
	c->rip = rel_target(c, d);
}

/* FF /4: the target is read from r/m at the operand size. */
void op_jmp_E(struct cpu *c, const struct dinsn *d)
{
	c->rip = branch_target(c, d->osize, rm_read(c, d, d->osize));
}

/* E8: the target is checked before the return address is pushed. */
void op_call_J(struct cpu *c, const struct dinsn *d)
{
	uint64_t t = rel_target(c, d);

	cpu_push(c, d->osize, next_rip(c, d));
	c->rip = t;
}

/* FF /2: read the target (with the pre-push RSP), check, push, go. */
void op_call_E(struct cpu *c, const struct dinsn *d)
{
	uint64_t t = branch_target(c, d->osize, rm_read(c, d, d->osize));

	cpu_push(c, d->osize, next_rip(c, d));
	c->rip = t;
}

/* Pop the return address, release `extra` more bytes (RET imm16), jump.
 * The popped value is validated before RSP moves. */
static void near_return(struct cpu *c, const struct dinsn *d, uint64_t extra)
{
	int ssize = cpu_stack_size(c);
	uint64_t smask = size_mask(ssize);
	uint64_t rsp = c->gpr[RSP] & smask;
	uint64_t t = cpu_read(c, SEG_SS, rsp, d->osize);

	t = branch_target(c, d->osize, t);
	gpr_write(c, RSP, ssize, true, rsp + (uint64_t)d->osize + extra);
	c->rip = t;
}

/* C3 */
void op_ret(struct cpu *c, const struct dinsn *d)
{
	near_return(c, d, 0);
}

/* C2 iw */
void op_ret_I(struct cpu *c, const struct dinsn *d)
{
	near_return(c, d, d->imm & 0xFFFF);
}

/* E0 LOOPNE (sub 0), E1 LOOPE (sub 1), E2 LOOP (sub 2). The count
 * register is CX/ECX/RCX by address size; it is decremented (without
 * touching flags) only once the branch is known not to fault. */
void op_loop_J(struct cpu *c, const struct dinsn *d)
{
	uint64_t count = (c->gpr[RCX] - 1) & size_mask(d->asize);
	bool taken = count != 0;

	if (d->op->sub == 0)
		taken = taken && !cpu_cond(c, 4); /* cc 4 = E/Z */
	else if (d->op->sub == 1)
		taken = taken && cpu_cond(c, 4);
	uint64_t t = taken ? rel_target(c, d) : c->rip;

	gpr_write(c, RCX, d->asize, true, count);
	c->rip = t;
}

/* E3: JCXZ/JECXZ/JRCXZ, count register width by address size. */
void op_jrcxz_J(struct cpu *c, const struct dinsn *d)
{
	if ((c->gpr[RCX] & size_mask(d->asize)) == 0)
		c->rip = rel_target(c, d);
}
