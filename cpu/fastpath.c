/*
 * cpu/fastpath.c — choosing each decoded instruction's runner (see
 * fastpath.h for the runner contract).
 *
 * The choice is data: fast_rows[] maps a generic handler and a form
 * (register or memory r/m operand) to a table of specialised runners
 * indexed by the row's sub field, the operand size or the condition code
 * (fastpath_alu.c, fastpath_mov.c, fastpath_branch.c, fastpath_sse.c). A row
 * may require 64-bit mode and a 64-bit operand size (branches, stack); memory
 * forms always require 64-bit mode, an 8-byte address size and a segment
 * without a base (fastpath_int.h). LOCK-prefixed instructions stay generic.
 *
 * Rows without a fast runner get one of exec.c's two generic runners: the
 * full one, or the register-only one for rows that cannot touch memory,
 * ports, time or the execution mode (no memory operand, a cost class of
 * plain computation): it skips the bulk charge and the self-modifying-code
 * and halt checks, which nothing such a row does could make necessary.
 */
#include "cpu/fastpath_int.h"
#include "cpu/ops.h"
#include "cpu/ops_fp.h"

/* How a row's runner table is indexed. */
enum fast_index {
	IX_ONE,	     /* a single runner: the row's `one` */
	IX_SIZE,     /* [osize == 8], osize 4 or 8 */
	IX_SUB_SIZE, /* [sub][osize == 8], osize 4 or 8 */
	IX_LOG2,     /* [log2 osize], osize 1, 2, 4 or 8 */
	IX_CC,	     /* [sub], the condition code */
	IX_MOVX,     /* [sub == 2][osize == 8]: MOVZX/MOVSX source 1 or 2 */
};

/* Row requirements. */
#define NEED_MEM    1u /* memory r/m form (else register or no r/m) */
#define NEED_LONG8  2u /* 64-bit mode with a 64-bit operand size */
#define NEED_MODRM  4u /* the ModRM form (not the opcode-register one) */
#define NEED_SIZE48 8u /* an operand size of 4 or 8 */
#define NEED_REP64 16u /* a REP prefix, 64-bit mode and addresses, and a
			* source segment without a base (string rows) */

struct fast_row {
	op_handler generic;
	uint8_t index; /* enum fast_index */
	uint8_t need;  /* NEED_* */
	const fast_fn *runners;
	fast_fn one; /* IX_ONE */
};

#define T2(t) (&(t)[0][0]) /* a [8][2] or [2][2] table, flat */

static const struct fast_row fast_rows[] = {
    /* integer ALU */
    {op_alu_EG, IX_SUB_SIZE, 0, .runners = T2(fast_alu_EG_rr)},
    {op_alu_EG, IX_SUB_SIZE, NEED_MEM, .runners = T2(fast_alu_EG_m)},
    {op_alu_GE, IX_SUB_SIZE, 0, .runners = T2(fast_alu_GE_rr)},
    {op_alu_GE, IX_SUB_SIZE, NEED_MEM, .runners = T2(fast_alu_GE_m)},
    {op_alu_EI, IX_SUB_SIZE, 0, .runners = T2(fast_alu_EI_r)},
    {op_alu_EI, IX_SUB_SIZE, NEED_MEM, .runners = T2(fast_alu_EI_m)},
    {op_alu_AI, IX_SUB_SIZE, 0, .runners = T2(fast_alu_AI)},
    {op_test_EG, IX_LOG2, 0, .runners = fast_test_rr_any},
    {op_test_EI, IX_SIZE, 0, .runners = fast_test_ri},
    {op_test_EI, IX_SIZE, NEED_MEM, .runners = fast_test_EI_m},
    {op_test_AI, IX_SIZE, 0, .runners = fast_test_AI},
    {op_inc_E, IX_SIZE, NEED_MODRM, .runners = fast_inc_r},
    {op_dec_E, IX_SIZE, NEED_MODRM, .runners = fast_dec_r},
    {op_shift_EI, IX_SUB_SIZE, 0, .runners = T2(fast_shift_EI_r)},
    {op_shift_E1, IX_SUB_SIZE, 0, .runners = T2(fast_shift_E1_r)},
    {op_shift_ECL, IX_SUB_SIZE, 0, .runners = T2(fast_shift_ECL_r)},
    {op_imul_GE, IX_ONE, NEED_SIZE48, .one = fast_imul_GE_rr},
    {op_setcc_E, IX_CC, 0, .runners = fast_setcc_r},
    {op_cmovcc_GE, IX_CC, NEED_SIZE48, .runners = fast_cmovcc_rr},
    /* data movement */
    {op_mov_EG, IX_SIZE, 0, .runners = fast_mov_EG_rr},
    {op_mov_EG, IX_LOG2, NEED_MEM, .runners = fast_mov_store},
    {op_mov_GE, IX_SIZE, 0, .runners = fast_mov_GE_rr},
    {op_mov_GE, IX_LOG2, NEED_MEM, .runners = fast_mov_load},
    {op_mov_EI, IX_SIZE, 0, .runners = fast_mov_EI_r},
    {op_mov_EI, IX_LOG2, NEED_MEM, .runners = fast_mov_EI_m},
    {op_mov_ZI, IX_SIZE, 0, .runners = fast_mov_ZI},
    {op_movzx_GE, IX_MOVX, 0, .runners = T2(fast_movzx_r)},
    {op_movzx_GE, IX_MOVX, NEED_MEM, .runners = T2(fast_movzx_m)},
    {op_movsx_GE, IX_MOVX, 0, .runners = T2(fast_movsx_r)},
    {op_movsx_GE, IX_MOVX, NEED_MEM, .runners = T2(fast_movsx_m)},
    {op_movsxd_GE, IX_ONE, NEED_LONG8, .one = fast_movsxd_r},
    {op_movsxd_GE, IX_ONE, NEED_LONG8 | NEED_MEM, .one = fast_movsxd_m},
    {op_lea_GM, IX_SIZE, NEED_MEM, .runners = fast_lea},
    {op_nop, IX_ONE, 0, .one = fast_nop},
    {op_nop, IX_ONE, NEED_MEM, .one = fast_nop},
    {op_movs, IX_ONE, NEED_REP64, .one = fast_rep_movs},
    /* branches and the stack */
    {op_jcc_J, IX_CC, NEED_LONG8, .runners = fast_jcc},
    {op_jmp_J, IX_ONE, NEED_LONG8, .one = fast_jmp_J},
    {op_jmp_E, IX_ONE, NEED_LONG8, .one = fast_jmp_E},
    {op_jmp_E, IX_ONE, NEED_LONG8 | NEED_MEM, .one = fast_jmp_E},
    {op_call_J, IX_ONE, NEED_LONG8, .one = fast_call_J},
    {op_call_E, IX_ONE, NEED_LONG8, .one = fast_call_E},
    {op_call_E, IX_ONE, NEED_LONG8 | NEED_MEM, .one = fast_call_E},
    {op_ret, IX_ONE, NEED_LONG8, .one = fast_ret},
    {op_push_Z, IX_ONE, NEED_LONG8, .one = fast_push_Z},
    {op_pop_Z, IX_ONE, NEED_LONG8, .one = fast_pop_Z},
    {op_push_I, IX_ONE, NEED_LONG8, .one = fast_push_I},
    /* SSE data moves */
    {op_sse_mova_VW, IX_ONE, 0, .one = fast_mov128_VW_rr},
    {op_sse_mova_VW, IX_ONE, NEED_MEM, .one = fast_mova_load},
    {op_sse_movu_VW, IX_ONE, 0, .one = fast_mov128_VW_rr},
    {op_sse_movu_VW, IX_ONE, NEED_MEM, .one = fast_movu_load},
    {op_sse_mova_WV, IX_ONE, 0, .one = fast_mov128_WV_rr},
    {op_sse_mova_WV, IX_ONE, NEED_MEM, .one = fast_mova_store},
    {op_sse_movu_WV, IX_ONE, 0, .one = fast_mov128_WV_rr},
    {op_sse_movu_WV, IX_ONE, NEED_MEM, .one = fast_movu_store},
    {op_sse_movs_VW, IX_ONE, NEED_SIZE48, .one = fast_movs_VW_rr},
    {op_sse_movs_VW, IX_ONE, NEED_SIZE48 | NEED_MEM, .one = fast_movs_load},
    {op_sse_movs_WV, IX_ONE, NEED_SIZE48, .one = fast_movs_WV_rr},
    {op_sse_movs_WV, IX_ONE, NEED_SIZE48 | NEED_MEM, .one = fast_movs_store},
};

static bool has_modrm_memory(const struct dinsn *d)
{
	return (d->op->flags & F_MODRM) && d->mod != 3;
}

/* May a memory-form runner handle d's operand? (fastpath_int.h) */
static bool memory_form_ok(const struct dinsn *d, enum cpu_mode mode)
{
	return mode == MODE_LONG64 && d->asize == 8 && d->seg != SEG_FS &&
	       d->seg != SEG_GS;
}

/* The index of d's runner in a row's table, or -1 if d's size has none. */
static int row_index(const struct fast_row *row, const struct dinsn *d)
{
	bool wide = d->osize == 8, narrow = d->osize == 4;
	switch (row->index) {
	case IX_ONE:
		return 0;
	case IX_SIZE:
		return wide || narrow ? wide : -1;
	case IX_SUB_SIZE:
		return wide || narrow ? (d->op->sub & 7) * 2 + wide : -1;
	case IX_LOG2:
		return d->osize <= 8 && __builtin_popcount(d->osize) == 1
			   ? __builtin_ctz(d->osize)
			   : -1;
	case IX_CC:
		return d->op->sub & 15;
	default: /* IX_MOVX */
		return wide || narrow ? (d->op->sub == 2) * 2 + wide : -1;
	}
}

static fast_fn row_runner(const struct fast_row *row, const struct dinsn *d,
			  enum cpu_mode mode)
{
	bool mem = has_modrm_memory(d);
	if (!!(row->need & NEED_MEM) != mem)
		return NULL;
	if (mem && !memory_form_ok(d, mode))
		return NULL;
	if ((row->need & NEED_LONG8) && (mode != MODE_LONG64 || d->osize != 8))
		return NULL;
	if ((row->need & NEED_MODRM) && !(d->op->flags & F_MODRM))
		return NULL;
	if ((row->need & NEED_SIZE48) && d->osize != 4 && d->osize != 8)
		return NULL;
	if ((row->need & NEED_REP64) &&
	    (!(d->pfx & (PFX_REP | PFX_REPNE)) || !memory_form_ok(d, mode)))
		return NULL;
	if (row->index == IX_ONE)
		return row->one;
	int i = row_index(row, d);
	return i < 0 ? NULL : row->runners[i];
}

/* Cost classes whose rows compute on registers only (with a register
 * r/m operand): no implicit memory access, I/O, time or mode change. */
static const bool class_register_only[C_NCLASSES] = {
    [C_ALU] = true, [C_MOV] = true,	[C_MUL] = true,
    [C_DIV] = true, [C_BITSCAN] = true, [C_BRANCH] = true,
    [C_SSE] = true, [C_SSEFP] = true,	[C_X87] = true,
};

/* Does d access memory through an operand (ModRM memory form, moffs)? */
static bool has_memory_operand(const struct dinsn *d)
{
	const struct opdesc *op = d->op;
	for (int i = 0; i < 3; i++) {
		unsigned k = op->opnd[i];
		if (k == O_O)
			return true;
		if ((k == O_E || k == O_M || k == O_W || k == O_Q) &&
		    d->mod != 3)
			return true;
	}
	return false;
}

static bool register_only(const struct dinsn *d)
{
	const struct opdesc *op = d->op;
	if (op->cost >= C_NCLASSES || !class_register_only[op->cost])
		return false;
	if (op->flags & (F_SERIAL | F_REP))
		return false;
	/* MASKMOVDQU stores to DS:rDI although its operands are registers. */
	if (op->fn == op_sse_maskmov)
		return false;
	return !has_memory_operand(d);
}

fast_fn fast_select(const struct dinsn *d, enum cpu_mode mode)
{
	if (!(d->pfx & PFX_LOCK)) {
		for (size_t i = 0; i < sizeof(fast_rows) / sizeof(*fast_rows);
		     i++) {
			const struct fast_row *row = &fast_rows[i];
			fast_fn f;
			if (row->generic == d->op->fn &&
			    (f = row_runner(row, d, mode)))
				return f;
		}
	}
	return register_only(d) ? exec_generic_reg : exec_generic;
}
