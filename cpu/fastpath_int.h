/*
 * cpu/fastpath_int.h — what the fastpath*.c files share: the runner
 * groups fast_select() picks from, and the inline pieces runners are made
 * of (64-bit effective addresses, TLB hits, lazy conditions).
 *
 * Memory runners are chosen only for 64-bit-mode instructions with an
 * 8-byte address size and a segment without a base (not FS/GS), so their
 * linear address is the effective address itself and a TLB hit (which
 * also proves it canonical, mem.h) is all the checking the access needs;
 * a miss goes to exec_generic, whose handler does the full access.
 */
#ifndef HVSIM_CPU_FASTPATH_INT_H_
#define HVSIM_CPU_FASTPATH_INT_H_

#include "cpu/cpu_int.h"
#include "cpu/fastpath.h"
#include "cpu/mem.h"

/* ALU operation kinds, as the row's sub field numbers them (ops.h). */
enum fast_alu { FA_ADD, FA_OR, FA_ADC, FA_SBB, FA_AND, FA_SUB, FA_XOR, FA_CMP };
/* Shift kinds, as the shift rows' sub field numbers them (ops.h). */
enum fast_shift {
	FS_ROL,
	FS_ROR,
	FS_RCL,
	FS_RCR,
	FS_SHL,
	FS_SHR,
	FS_SAL,
	FS_SAR
};

/* Runner groups, indexed [sub][size == 8] (operand size 4 or 8). NULL
 * where a form has no fast runner. fastpath_alu.c: */
extern const fast_fn fast_alu_EG_rr[8][2];  /* op E(reg), G */
extern const fast_fn fast_alu_GE_rr[8][2];  /* op G, E(reg) */
extern const fast_fn fast_alu_EI_r[8][2];   /* op E(reg), imm */
extern const fast_fn fast_alu_AI[8][2];	    /* op rAX, imm */
extern const fast_fn fast_alu_GE_m[8][2];   /* op G, [m] */
extern const fast_fn fast_alu_EG_m[8][2];   /* op [m], G */
extern const fast_fn fast_alu_EI_m[8][2];   /* op [m], imm */
extern const fast_fn fast_shift_EI_r[8][2]; /* shift E(reg) by imm8 */
extern const fast_fn fast_shift_E1_r[8][2]; /* shift E(reg) by 1 */
extern const fast_fn fast_shift_ECL_r[8][2]; /* shift E(reg) by CL */
extern const fast_fn fast_test_rr[2], fast_test_ri[2], fast_test_AI[2];
extern const fast_fn fast_test_rr_any[4]; /* [log2 size] */
extern const fast_fn fast_test_EI_m[2];
extern const fast_fn fast_inc_r[2], fast_dec_r[2];
/* Condition consumers, indexed [cc]. */
extern const fast_fn fast_jcc[16], fast_setcc_r[16], fast_cmovcc_rr[16];
bool fast_imul_GE_rr(struct cpu *c, const struct dinsn *d);

/* fastpath_mov.c, indexed [size == 8] unless noted. */
extern const fast_fn fast_mov_EG_rr[2], fast_mov_GE_rr[2];
extern const fast_fn fast_mov_ZI[2], fast_mov_EI_r[2];
extern const fast_fn fast_mov_load[4], fast_mov_store[4]; /* [log2 size] */
extern const fast_fn fast_mov_EI_m[4];			  /* [log2 size] */
/* [source size == 2][operand size == 8] */
extern const fast_fn fast_movzx_r[2][2], fast_movzx_m[2][2];
extern const fast_fn fast_movsx_r[2][2], fast_movsx_m[2][2];
bool fast_movsxd_r(struct cpu *c, const struct dinsn *d);
bool fast_movsxd_m(struct cpu *c, const struct dinsn *d);
extern const fast_fn fast_lea[2];
bool fast_nop(struct cpu *c, const struct dinsn *d);
bool fast_rep_movs(struct cpu *c, const struct dinsn *d);

/* fastpath_branch.c (64-bit operand size only). */
bool fast_jmp_J(struct cpu *c, const struct dinsn *d);
bool fast_jmp_E(struct cpu *c, const struct dinsn *d);
bool fast_call_J(struct cpu *c, const struct dinsn *d);
bool fast_call_E(struct cpu *c, const struct dinsn *d);
bool fast_ret(struct cpu *c, const struct dinsn *d);
bool fast_push_Z(struct cpu *c, const struct dinsn *d);
bool fast_pop_Z(struct cpu *c, const struct dinsn *d);
bool fast_push_I(struct cpu *c, const struct dinsn *d);

/* fastpath_sse.c: SSE moves (VW = to ModRM.reg, WV = to r/m). */
bool fast_mov128_VW_rr(struct cpu *c, const struct dinsn *d);
bool fast_mov128_WV_rr(struct cpu *c, const struct dinsn *d);
bool fast_mova_load(struct cpu *c, const struct dinsn *d);
bool fast_movu_load(struct cpu *c, const struct dinsn *d);
bool fast_mova_store(struct cpu *c, const struct dinsn *d);
bool fast_movu_store(struct cpu *c, const struct dinsn *d);
bool fast_movs_VW_rr(struct cpu *c, const struct dinsn *d);
bool fast_movs_WV_rr(struct cpu *c, const struct dinsn *d);
bool fast_movs_load(struct cpu *c, const struct dinsn *d);
bool fast_movs_store(struct cpu *c, const struct dinsn *d);

/* ---- inline pieces ------------------------------------------------------ */

/* The effective address of a 64-bit-address-size memory operand, as
 * cpu_ea computes it; on runner entry c->rip is the next instruction, the
 * base of RIP-relative addressing. */
static inline uint64_t fast_ea(const struct cpu *c, const struct dinsn *d)
{
	uint64_t ea = (uint64_t)(int64_t)d->disp;
	if (d->base == BASE_RIP)
		ea += c->rip;
	else if (d->base != BASE_NONE)
		ea += c->gpr[d->base & 15];
	if (d->index != INDEX_NONE)
		ea += c->gpr[d->index & 15] << (d->scale & 3);
	return ea;
}

/* Host address of `size` bytes at linear `lin` for a read (write), or
 * NULL when the TLB has no fast tag for the access (mem.h explains why a
 * page-crossing access can never hit). A fast write tag implies the read
 * one, so read-modify-write forms need only the write lookup. */
static inline uint8_t *fast_host_read(struct cpu *c, uint64_t lin, int size)
{
	const struct tlb_entry *e = mem_tlb_slot(c, lin);
	if (e->tag_read != ((lin + (uint64_t)size - 1) & PAGE_MASK))
		return NULL;
	return (uint8_t *)(uintptr_t)(lin + e->addend);
}

static inline uint8_t *fast_host_write(struct cpu *c, uint64_t lin, int size)
{
	const struct tlb_entry *e = mem_tlb_slot(c, lin);
	if (e->tag_write != ((lin + (uint64_t)size - 1) & PAGE_MASK))
		return NULL;
	return (uint8_t *)(uintptr_t)(lin + e->addend);
}

/* A 64-bit branch target must be canonical (else the generic handler
 * raises #GP(0) on the branch). */
static inline bool fast_canonical(uint64_t t)
{
	return (uint64_t)((int64_t)(t << 16) >> 16) == t;
}

/* Sign-extend the low `size` bytes of v. */
static inline int64_t fast_sext(uint64_t v, int size)
{
	uint64_t sb = (size_mask(size) >> 1) + 1;
	return (int64_t)(((v & size_mask(size)) ^ sb) - sb);
}

/* size_mask() without branches, for sizes 1, 2, 4 and 8 (a record of
 * LF_NONE has size 0: any in-range shift will do, the mask is unused). */
static inline uint64_t fast_mask(unsigned size)
{
	return ~0ull >> (((8 - size) * 8) & 63);
}

/*
 * cpu_cond() for the records the hot producers leave: after SUB/CMP the
 * sources' order answers C, Z, BE, L and LE; after a logic op CF = OF = 0
 * and SF/ZF come from the result; after any other op but MUL, ZF is
 * "result == 0". Returns 1 or 0, or -1 when cpu_cond must answer. With a
 * constant cc this folds to a couple of compares.
 */
static inline int fast_cond_try(const struct cpu *c, unsigned cc)
{
	const struct lazy_flags *lf = &c->lf;
	unsigned test = (cc >> 1) & 7;
	bool neg = cc & 1;
	uint64_t m = fast_mask(lf->size), sb = (m >> 1) + 1;
	if (lf->op == LF_SUB && test != 0 && test != 4 && test != 5) {
		uint64_t a = lf->src1 & m, b = lf->src2 & m;
		int64_t sa = (int64_t)((a ^ sb) - sb);
		int64_t sbv = (int64_t)((b ^ sb) - sb);
		bool r = test == 1   ? a < b
			 : test == 2 ? a == b
			 : test == 3 ? a <= b
			 : test == 6 ? sa < sbv
				     : sa <= sbv;
		return r != neg;
	}
	if (lf->op == LF_LOGIC && test != 5) {
		uint64_t r = lf->res & m;
		bool v = test <= 1   ? false
			 : test <= 3 ? r == 0
			 : test != 7 ? (r & sb) != 0
				     : r == 0 || (r & sb);
		return v != neg;
	}
	if (test == 2 && lf->op != LF_NONE && lf->op != LF_MUL)
		return ((lf->res & m) == 0) != neg;
	return -1;
}

static inline bool fast_cond(struct cpu *c, unsigned cc)
{
	int r = fast_cond_try(c, cc);
	return r >= 0 ? r : cpu_cond(c, cc);
}

/* cpu_get_cf() without the call for the usual records. */
static inline bool fast_get_cf(struct cpu *c)
{
	const struct lazy_flags *lf = &c->lf;
	if (lf->op == LF_LOGIC)
		return false;
	if (lf->op == LF_INC || lf->op == LF_DEC)
		return lf->cf_in;
	if (lf->op == LF_NONE)
		return c->rflags & RF_CF;
	return cpu_get_cf(c);
}

#endif
