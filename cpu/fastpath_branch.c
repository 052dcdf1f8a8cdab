/*
 * cpu/fastpath_branch.c — fast runners for 64-bit-mode near branches and
 * the stack: JMP, CALL (relative, register, memory), RET, PUSH r64/imm,
 * POP r64.
 *
 * Spec: Intel SDM Vol. 2 JMP, CALL, RET, PUSH, POP (ops_branch.c and
 * ops_stack.c stay the reference). Only forms with a 64-bit operand size
 * in 64-bit mode are chosen, so the stack is RSP-wide with no segment
 * base, and every branch target is checked for canonicality before
 * anything moves: a non-canonical target, or a stack or operand access
 * that misses the TLB, runs the generic handler instead, which raises
 * whatever the access must raise. A taken branch sets RIP and returns
 * false (the block ends, as a branch always ends one).
 */
#include "cpu/fastpath_int.h"

/* Read a 64-bit branch target from the r/m operand; false on a miss. */
static inline bool target_E(struct cpu *c, const struct dinsn *d, uint64_t *t)
{
	if (d->mod == 3) {
		*t = c->gpr[d->rm & 15];
		return true;
	}
	const uint8_t *p = fast_host_read(c, fast_ea(c, d), 8);
	if (!p)
		return false;
	*t = mem_host_load(p, 8);
	return true;
}

/* Push v on the 64-bit stack; false (nothing changed) on a miss. */
static inline bool push64(struct cpu *c, uint64_t v)
{
	uint64_t rsp = c->gpr[RSP] - 8;
	uint8_t *p = fast_host_write(c, rsp, 8);
	if (!p)
		return false;
	mem_host_store(p, 8, v);
	c->gpr[RSP] = rsp;
	return true;
}

/* JMP rel (E9/EB). */
bool fast_jmp_J(struct cpu *c, const struct dinsn *d)
{
	uint64_t t = c->rip + d->imm;
	if (!fast_canonical(t))
		return exec_generic(c, d);
	c->rip = t;
	return false;
}

/* JMP r/m64 (FF /4). */
bool fast_jmp_E(struct cpu *c, const struct dinsn *d)
{
	uint64_t t;
	if (!target_E(c, d, &t) || !fast_canonical(t))
		return exec_generic(c, d);
	c->rip = t;
	return false;
}

/* CALL to a checked target t: push the next RIP, go. */
static inline bool call_to(struct cpu *c, const struct dinsn *d, uint64_t t)
{
	if (!fast_canonical(t) || !push64(c, c->rip))
		return exec_generic(c, d);
	c->rip = t;
	return false;
}

/* CALL rel (E8). */
bool fast_call_J(struct cpu *c, const struct dinsn *d)
{
	return call_to(c, d, c->rip + d->imm);
}

/* CALL r/m64 (FF /2): the target is read with the RSP before the push. */
bool fast_call_E(struct cpu *c, const struct dinsn *d)
{
	uint64_t t;
	if (!target_E(c, d, &t))
		return exec_generic(c, d);
	return call_to(c, d, t);
}

/* RET (C3): the popped target is checked before RSP moves. */
bool fast_ret(struct cpu *c, const struct dinsn *d)
{
	uint64_t rsp = c->gpr[RSP];
	const uint8_t *p = fast_host_read(c, rsp, 8);
	uint64_t t;
	if (!p || !fast_canonical(t = mem_host_load(p, 8)))
		return exec_generic(c, d);
	c->gpr[RSP] = rsp + 8;
	c->rip = t;
	return false;
}

/* PUSH r64 (50+r): PUSH RSP pushes the value before the instruction. */
bool fast_push_Z(struct cpu *c, const struct dinsn *d)
{
	if (!push64(c, c->gpr[d->reg]))
		return exec_generic(c, d);
	return true;
}

/* PUSH imm (68/6A), sign-extended by the decoder. */
bool fast_push_I(struct cpu *c, const struct dinsn *d)
{
	if (!push64(c, d->imm))
		return exec_generic(c, d);
	return true;
}

/* POP r64 (58+r): RSP moves first, so POP RSP loads the popped value. */
bool fast_pop_Z(struct cpu *c, const struct dinsn *d)
{
	uint64_t rsp = c->gpr[RSP];
	const uint8_t *p = fast_host_read(c, rsp, 8);
	if (!p)
		return exec_generic(c, d);
	uint64_t v = mem_host_load(p, 8);
	c->gpr[RSP] = rsp + 8;
	c->gpr[d->reg] = v;
	return true;
}
