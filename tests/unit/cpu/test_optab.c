/*
 * tests/unit/cpu/test_optab.c — the opcode tables check themselves
 * (cpu/optab.c, cpu/optab_0f.c; rows reached through optab_fp.c too).
 *
 * Every row reachable from the four maps through group and prefix tables
 * is visited. Rows in optab_fp.c's tables that are still all zero are
 * tolerated (the decoder treats them as #UD) until that file is written.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/ops.h"
#include "cpu/optab.h"
#include "cpu/regs.h"

struct visit {
	int map, op;	/* where the walk started */
	unsigned chain; /* F_* of the rows above this one */
	int depth;
};

typedef void (*row_check)(const struct opdesc *r, const struct visit *v,
			  void *ctx);

static int group_rows(unsigned flags)
{
	if (flags & F_PREFIX)
		return 4;
	if (flags & F_GROUP_RM)
		return 72;
	return (flags & F_GROUP_MOD) ? 16 : 8;
}

static void walk_row(const struct opdesc *r, struct visit v, row_check fn,
		     void *ctx)
{
	fn(r, &v, ctx);
	if (!(r->flags & (F_GROUP | F_PREFIX)) || !r->sub_table || v.depth > 3)
		return;
	struct visit sub = v;
	sub.chain |= r->flags;
	sub.depth++;
	for (int i = 0; i < group_rows(r->flags); i++)
		walk_row(&r->sub_table[i], sub, fn, ctx);
}

static const struct opdesc *const maps[4] = {optab_1b, optab_0f, optab_0f38,
					     optab_0f3a};

static void walk_all(row_check fn, void *ctx)
{
	for (int m = 0; m < 4; m++)
		for (int op = 0; op < 256; op++) {
			struct visit v = {m, op, 0, 0};
			walk_row(&maps[m][op], v, fn, ctx);
		}
}

static bool is_zero_row(const struct opdesc *r)
{
	return !r->mnem && !r->fn && !r->flags && !r->sub_table;
}

/* Rows of optab_fp.c not written yet: all zero, below a prefix or x87
 * group row. Only those may be all zero. */
static bool tolerated_zero(const struct opdesc *r, const struct visit *v)
{
	return is_zero_row(r) && v->depth > 0 &&
	       (v->chain & (F_PREFIX | F_X87));
}

static bool is_leaf(const struct opdesc *r)
{
	return !(r->flags & (F_GROUP | F_PREFIX));
}

/* ---- structure ---------------------------------------------------------- */

static void check_structure(const struct opdesc *r, const struct visit *v,
			    void *ctx)
{
	int *rows = ctx;
	(*rows)++;
	if (tolerated_zero(r, v))
		return;
	cr_assert(r->mnem && r->mnem[0], "map %d op %02x: empty mnemonic",
		  v->map, v->op);
	if (r->flags & (F_GROUP | F_PREFIX)) {
		cr_assert(r->sub_table,
			  "map %d op %02x (%s): selector row "
			  "without a sub-table",
			  v->map, v->op, r->mnem);
		cr_assert_null(r->fn, "map %d op %02x: selector with handler",
			       v->map, v->op);
		cr_assert(!((r->flags & F_GROUP) && (r->flags & F_PREFIX)),
			  "map %d op %02x: both F_GROUP and F_PREFIX", v->map,
			  v->op);
		return;
	}
	cr_assert(r->fn, "map %d op %02x (%s): leaf row without a handler",
		  v->map, v->op, r->mnem);
	if (r->flags & F_INVALID)
		cr_assert(r->fn == op_ud,
			  "map %d op %02x: invalid row must "
			  "raise #UD",
			  v->map, v->op);
	cr_assert_lt(r->size, SZ_X + 1);
	cr_assert_lt(r->imm, IMM_AP + 1);
	cr_assert_lt(r->cost, C_NCLASSES);
}

Test(optab, every_row_has_a_handler_or_a_sub_table)
{
	int rows = 0;
	walk_all(check_structure, &rows);
	cr_assert_gt(rows, 4 * 256 + 300, "walked only %d rows", rows);
}

Test(optab, invalid_row_raises_ud)
{
	cr_assert(optab_invalid.flags & F_INVALID);
	cr_assert(optab_invalid.fn == op_ud);
	cr_assert_str_eq(optab_invalid.mnem, "(bad)");
}

/* ---- flags -------------------------------------------------------------- */

static void check_flag_masks(const struct opdesc *r, const struct visit *v,
			     void *ctx)
{
	(void)ctx;
	cr_assert_eq(r->fl_undef & ~r->fl_write, 0,
		     "map %d op %02x (%s): undefined flags %#x not written %#x",
		     v->map, v->op, r->mnem ? r->mnem : "", r->fl_undef,
		     r->fl_write);
}

Test(optab, undefined_flags_are_a_subset_of_written_flags)
{
	walk_all(check_flag_masks, NULL);
}

/* The flags each condition code reads (SDM Vol. 1 Table B-1). */
static uint16_t cc_reads(unsigned cc)
{
	static const uint16_t r[8] = {
	    RF_OF, RF_CF, RF_ZF,	 RF_CF | RF_ZF,
	    RF_SF, RF_PF, RF_SF | RF_OF, RF_ZF | RF_SF | RF_OF,
	};
	return r[(cc >> 1) & 7];
}

Test(optab, condition_code_rows_carry_cc_in_sub_and_read_its_flags)
{
	for (unsigned cc = 0; cc < 16; cc++) {
		const struct opdesc *rows[] = {
		    &optab_1b[0x70 + cc], &optab_0f[0x80 + cc],
		    &optab_0f[0x90 + cc], &optab_0f[0x40 + cc]};
		for (int i = 0; i < 4; i++) {
			cr_assert_eq(rows[i]->sub, cc, "%s", rows[i]->mnem);
			cr_assert_eq(rows[i]->fl_read, cc_reads(cc), "%s",
				     rows[i]->mnem);
			cr_assert_eq(rows[i]->fl_write, 0, "%s", rows[i]->mnem);
		}
	}
}

Test(optab, alu_rows_carry_the_operation_in_sub)
{
	for (int op = 0; op < 0x40; op++) {
		if ((op & 7) > 5)
			continue;
		cr_assert_eq(optab_1b[op].sub, op >> 3, "op %02x", op);
		bool adc_sbb = (op >> 3) == 2 || (op >> 3) == 3;
		cr_assert_eq(!!(optab_1b[op].fl_read & RF_CF), adc_sbb,
			     "op %02x", op);
		cr_assert_eq(optab_1b[op].fl_write, RF_ARITH, "op %02x", op);
	}
	const struct opdesc *g = optab_1b[0x81].sub_table;
	for (int reg = 0; reg < 8; reg++)
		cr_assert_eq(g[reg].sub, reg);
}

Test(optab, documented_flag_examples_hold)
{
	/* SHL by CL: OSZAPC written, AF and OF undefined; by 1: only AF. */
	const struct opdesc *shl_cl = &optab_1b[0xD3].sub_table[4];
	const struct opdesc *shl_1 = &optab_1b[0xD1].sub_table[4];
	cr_assert_eq(shl_cl->fl_write, RF_ARITH);
	cr_assert_eq(shl_cl->fl_undef, RF_AF | RF_OF);
	cr_assert_eq(shl_1->fl_undef, RF_AF);
	/* MUL: CF/OF defined, SF/ZF/AF/PF undefined. */
	const struct opdesc *mul = &optab_1b[0xF7].sub_table[4];
	cr_assert_eq(mul->fl_undef, RF_SF | RF_ZF | RF_AF | RF_PF);
	/* BSF: ZF defined, the rest undefined. */
	const struct opdesc *bsf = &optab_0f[0xBC].sub_table[0];
	cr_assert_eq(bsf->fl_write, RF_ARITH);
	cr_assert_eq(bsf->fl_undef, RF_ARITH & ~RF_ZF);
	/* INC keeps CF; ADC reads it; DIV leaves all six undefined. */
	cr_assert_eq(optab_1b[0xFF].sub_table[0].fl_write & RF_CF, 0);
	cr_assert(optab_1b[0x11].fl_read & RF_CF);
	cr_assert_eq(optab_1b[0xF7].sub_table[6].fl_undef, RF_ARITH);
	/* String compares read DF; POPF writes IF and DF. */
	cr_assert(optab_1b[0xA6].fl_read & RF_DF);
	cr_assert(optab_1b[0x9D].fl_write & RF_IF);
}

/* ---- validity flags ----------------------------------------------------- */

static void check_lock_rows(const struct opdesc *r, const struct visit *v,
			    void *ctx)
{
	int *n = ctx;
	if (!(r->flags & F_LOCK))
		return;
	(*n)++;
	cr_assert((r->flags | v->chain) & F_MODRM,
		  "map %d op %02x (%s): LOCK row without ModRM", v->map, v->op,
		  r->mnem);
	cr_assert(r->opnd[0] == O_E || r->opnd[0] == O_M,
		  "map %d op %02x (%s): LOCK row without a memory-capable "
		  "destination",
		  v->map, v->op, r->mnem);
	cr_assert_neq(r->opnd[0] == O_E && r->sub == 7 && r->fn == op_alu_EI,
		      true, "CMP must not take LOCK");
}

Test(optab, lock_rows_have_a_memory_capable_destination)
{
	int n = 0;
	walk_all(check_lock_rows, &n);
	/* 7 ALU ops x (2 EG rows + 4 group-1 visits: 80 and 82 share a
	 * table) + INC/DEC x2 + NOT/NEG x2 + XCHG x2 + XADD x2 + CMPXCHG x2
	 * + CMPXCHG8B + BTS/BTR/BTC x2. */
	cr_assert_eq(n, 42 + 4 + 4 + 2 + 2 + 2 + 1 + 6);
}

Test(optab, lock_is_refused_on_cmp_and_reg_destinations)
{
	cr_assert_eq(optab_1b[0x39].flags & F_LOCK, 0); /* CMP Ev, Gv */
	cr_assert_eq(optab_1b[0x03].flags & F_LOCK, 0); /* ADD Gv, Ev */
	cr_assert_eq(optab_1b[0x81].sub_table[7].flags & F_LOCK, 0);
	cr_assert_eq(optab_0f[0xA3].flags & F_LOCK, 0); /* BT */
	cr_assert(optab_0f[0xAB].flags & F_LOCK);	/* BTS */
}

static const op_handler branch_handlers[] = {
    op_jcc_J,  op_jmp_J,     op_jmp_E,	   op_call_J,	  op_call_E,
    op_ret,    op_ret_I,     op_loop_J,	   op_jrcxz_J,	  op_int3,
    op_int_I,  op_into,	     op_int1,	   op_iret,	  op_syscall,
    op_sysret, op_jmp_far_A, op_jmp_far_M, op_call_far_A, op_call_far_M,
    op_retf,   op_retf_I,    op_ud,	   op_vmcall,
};

static void check_branch_rows(const struct opdesc *r, const struct visit *v,
			      void *ctx)
{
	(void)ctx;
	if (!r->fn)
		return;
	for (size_t i = 0;
	     i < sizeof(branch_handlers) / sizeof(*branch_handlers); i++)
		if (r->fn == branch_handlers[i])
			cr_assert(
			    r->flags & F_BRANCH,
			    "map %d op %02x (%s): branch without F_BRANCH",
			    v->map, v->op, r->mnem);
}

Test(optab, every_control_transfer_ends_a_block)
{
	walk_all(check_branch_rows, NULL);
}

/* Rows found by walking: the leaf reached for these encodings. */
static const struct opdesc *leaf(int map, int op, int modrm, int col)
{
	const struct opdesc *r = &maps[map][op];
	for (int depth = 0; depth < 3; depth++) {
		if (r->flags & F_PREFIX) {
			r = &r->sub_table[col];
		} else if (r->flags & F_GROUP) {
			int reg = (modrm >> 3) & 7;
			int idx = reg;
			if ((modrm >> 6) == 3 && (r->flags & F_GROUP_RM))
				idx = 8 + (modrm & 0x3F);
			else if ((modrm >> 6) == 3 && (r->flags & F_GROUP_MOD))
				idx = 8 + reg;
			r = &r->sub_table[idx];
		}
	}
	return r;
}

Test(optab, privileged_and_serialising_rows_are_marked)
{
	const struct opdesc *priv[] = {
	    leaf(0, 0xF4, 0, 0),    /* HLT */
	    leaf(1, 0x01, 0x10, 0), /* LGDT */
	    leaf(1, 0x01, 0x18, 0), /* LIDT */
	    leaf(1, 0x01, 0x38, 0), /* INVLPG */
	    leaf(1, 0x01, 0xF8, 0), /* SWAPGS */
	    leaf(1, 0x01, 0xF0, 0), /* LMSW r */
	    leaf(1, 0x00, 0x10, 0), /* LLDT */
	    leaf(1, 0x00, 0x18, 0), /* LTR */
	    leaf(1, 0x22, 0xC0, 0), /* MOV CR, r */
	    leaf(1, 0x23, 0xC0, 0), /* MOV DR, r */
	    leaf(1, 0x30, 0, 0),    /* WRMSR */
	    leaf(1, 0x32, 0, 0),    /* RDMSR */
	    leaf(1, 0x06, 0, 0),    /* CLTS */
	    leaf(1, 0x09, 0, 0),    /* WBINVD */
	};
	for (size_t i = 0; i < sizeof(priv) / sizeof(*priv); i++) {
		cr_assert(priv[i]->flags & F_PRIV, "%s", priv[i]->mnem);
		if (priv[i]->fn != op_rdmsr)
			cr_assert(priv[i]->flags & F_SERIAL, "%s",
				  priv[i]->mnem);
	}
	/* Conditionally privileged ones are checked by their handlers. */
	cr_assert_eq(leaf(0, 0xFA, 0, 0)->flags & F_PRIV, 0);	 /* CLI: IOPL */
	cr_assert_eq(leaf(0, 0xE4, 0, 0)->flags & F_PRIV, 0);	 /* IN: IOPL */
	cr_assert_eq(leaf(1, 0x31, 0, 0)->flags & F_PRIV, 0);	 /* RDTSC */
	cr_assert_eq(leaf(1, 0x01, 0x00, 0)->flags & F_PRIV, 0); /* SGDT */
	/* Interrupt-state changes re-check interrupts. */
	cr_assert(leaf(0, 0xFB, 0, 0)->flags & F_SERIAL); /* STI */
	cr_assert(leaf(0, 0x9D, 0, 0)->flags & F_SERIAL); /* POPF */
	cr_assert(leaf(0, 0x8E, 0, 0)->flags & F_SERIAL); /* MOV SS */
	cr_assert(leaf(1, 0xA2, 0, 0)->flags & F_SERIAL); /* CPUID */
}

Test(optab, mode_validity_flags)
{
	const int inv64[] = {0x06, 0x07, 0x0E, 0x16, 0x17, 0x1E, 0x1F, 0x40,
			     0x4F, 0x60, 0x61, 0x82, 0x9A, 0xCE, 0xEA};
	for (size_t i = 0; i < sizeof(inv64) / sizeof(*inv64); i++)
		cr_assert(optab_1b[inv64[i]].flags & F_INV64, "op %02x",
			  inv64[i]);
	cr_assert(optab_1b[0x63].flags & F_ONLY64);	     /* MOVSXD */
	cr_assert(optab_0f[0x05].flags & F_ONLY64);	     /* SYSCALL */
	cr_assert(leaf(1, 0x01, 0xF8, 0)->flags & F_ONLY64); /* SWAPGS */
}

Test(optab, prefix_rows_pick_popcnt_tzcnt_lzcnt_with_f3)
{
	cr_assert(leaf(1, 0xB8, 0xC0, 2)->fn == op_popcnt_GE);
	cr_assert(leaf(1, 0xB8, 0xC0, 0)->flags & F_INVALID);
	cr_assert(leaf(1, 0xBC, 0xC0, 2)->fn == op_tzcnt_GE);
	cr_assert(leaf(1, 0xBC, 0xC0, 0)->fn == op_bsf_GE);
	cr_assert(leaf(1, 0xBC, 0xC0, 1)->fn == op_bsf_GE);
	cr_assert(leaf(1, 0xBD, 0xC0, 2)->fn == op_lzcnt_GE);
	cr_assert(leaf(1, 0xBD, 0xC0, 3)->fn == op_bsr_GE);
	cr_assert(leaf(0, 0x90, 0, 2)->fn == op_pause);
	cr_assert(leaf(0, 0x90, 0, 0)->fn == op_nop);
}

Test(optab, sse_and_x87_rows_point_into_optab_fp)
{
	const int sse[] = {0x10, 0x17, 0x28, 0x2F, 0x50, 0x6F, 0x76,
			   0x7F, 0xC2, 0xC6, 0xD0, 0xEF, 0xFE};
	for (size_t i = 0; i < sizeof(sse) / sizeof(*sse); i++) {
		cr_assert(optab_0f[sse[i]].flags & F_PREFIX);
		cr_assert(optab_0f[sse[i]].sub_table == optab_0f_pfx[sse[i]]);
	}
	cr_assert(optab_0f[0x77].flags & F_INVALID); /* EMMS: MMX */
	cr_assert(optab_0f[0xFF].fn == op_ud);	     /* UD0 */
	for (int esc = 0; esc < 8; esc++) {
		const struct opdesc *r = &optab_1b[0xD8 + esc];
		cr_assert(r->flags & F_X87);
		cr_assert(r->flags & F_GROUP_RM);
		cr_assert(r->sub_table == optab_x87[esc]);
	}
	cr_assert_eq(optab_0f[0x01].flags & (F_GROUP | F_GROUP_RM),
		     F_GROUP | F_GROUP_RM);
}

/* ---- mnemonics ---------------------------------------------------------- */

static void check_mnemonic(const struct opdesc *r, const struct visit *v,
			   void *ctx)
{
	(void)ctx;
	if (tolerated_zero(r, v) || !is_leaf(r) || (r->flags & F_INVALID))
		return;
	const char *m = r->mnem;
	int bars = 0;
	for (const char *p = m; *p; p++) {
		cr_assert(*p == '|' || *p == '@' || (*p >= 'a' && *p <= 'z') ||
			      (*p >= '0' && *p <= '9'),
			  "map %d op %02x: mnemonic \"%s\" is not lower-case "
			  "Capstone style",
			  v->map, v->op, m);
		bars += *p == '|';
	}
	cr_assert(bars == 0 || bars == 2,
		  "map %d op %02x: \"%s\" needs 3 "
		  "alternatives",
		  v->map, v->op, m);
	cr_assert(m[0] != '@' || bars == 2, "\"%s\"", m);
}

Test(optab, mnemonics_are_capstone_spellings)
{
	walk_all(check_mnemonic, NULL);
}

/* ---- coverage of ops.h -------------------------------------------------- */

struct coverage {
	const op_handler *fns;
	size_t n;
	bool *seen;
};

static void mark_handler(const struct opdesc *r, const struct visit *v,
			 void *ctx)
{
	(void)v;
	struct coverage *c = ctx;
	for (size_t i = 0; i < c->n; i++)
		if (r->fn == c->fns[i])
			c->seen[i] = true;
}

Test(optab, every_handler_in_ops_h_is_wired)
{
	static const op_handler fns[] = {
	    op_alu_EG,	   op_alu_GE,
	    op_alu_EI,	   op_alu_AI,
	    op_test_EG,	   op_test_EI,
	    op_test_AI,	   op_inc_E,
	    op_dec_E,	   op_not_E,
	    op_neg_E,	   op_xadd_EG,
	    op_cmpxchg_EG, op_cmpxchg8b16b_M,
	    op_shift_E1,   op_shift_ECL,
	    op_shift_EI,   op_shld_EGI,
	    op_shld_EGCL,  op_shrd_EGI,
	    op_shrd_EGCL,  op_mul_E,
	    op_imul1_E,	   op_div_E,
	    op_idiv_E,	   op_imul_GE,
	    op_imul_GEI,   op_bt_EG,
	    op_bt_EI,	   op_bsf_GE,
	    op_bsr_GE,	   op_tzcnt_GE,
	    op_lzcnt_GE,   op_popcnt_GE,
	    op_bswap_Z,	   op_setcc_E,
	    op_cmovcc_GE,  op_cbw,
	    op_cwd,	   op_clc,
	    op_stc,	   op_cmc,
	    op_cld,	   op_std,
	    op_lahf,	   op_sahf,
	    op_mov_EG,	   op_mov_GE,
	    op_mov_EI,	   op_mov_ZI,
	    op_mov_AO,	   op_mov_OA,
	    op_movzx_GE,   op_movsx_GE,
	    op_movsxd_GE,  op_lea_GM,
	    op_xchg_EG,	   op_xchg_AZ,
	    op_nop,	   op_pause,
	    op_mov_ES,	   op_mov_SE,
	    op_movnti_MG,  op_push_Z,
	    op_pop_Z,	   op_push_E,
	    op_pop_E,	   op_push_I,
	    op_pushf,	   op_popf,
	    op_push_S,	   op_pop_S,
	    op_enter,	   op_leave,
	    op_pusha,	   op_popa,
	    op_jcc_J,	   op_jmp_J,
	    op_jmp_E,	   op_call_J,
	    op_call_E,	   op_ret,
	    op_ret_I,	   op_loop_J,
	    op_jrcxz_J,	   op_movs,
	    op_stos,	   op_lods,
	    op_cmps,	   op_scas,
	    op_ins,	   op_outs,
	    op_mov_RC,	   op_mov_CR,
	    op_mov_RD,	   op_mov_DR,
	    op_lgdt,	   op_lidt,
	    op_sgdt,	   op_sidt,
	    op_lmsw,	   op_smsw,
	    op_invlpg,	   op_swapgs,
	    op_clac,	   op_stac,
	    op_verr,	   op_verw,
	    op_rdtscp,	   op_vmcall,
	    op_sldt,	   op_str,
	    op_lldt,	   op_ltr,
	    op_rdmsr,	   op_wrmsr,
	    op_rdtsc,	   op_cpuid,
	    op_hlt,	   op_cli,
	    op_sti,	   op_clts,
	    op_in_AI,	   op_in_AD,
	    op_out_IA,	   op_out_DA,
	    op_int3,	   op_int_I,
	    op_into,	   op_int1,
	    op_iret,	   op_syscall,
	    op_sysret,	   op_wbinvd,
	    op_clflush,	   op_jmp_far_A,
	    op_jmp_far_M,  op_call_far_A,
	    op_call_far_M, op_retf,
	    op_retf_I,	   op_ud,
	    op_ldmxcsr,	   op_stmxcsr,
	    op_fxsave,	   op_fxrstor,
	    op_fwait,	   op_lfence,
	    op_mfence,	   op_sfence,
	};
	bool seen[sizeof(fns) / sizeof(*fns)] = {false};
	struct coverage c = {fns, sizeof(fns) / sizeof(*fns), seen};
	walk_all(mark_handler, &c);
	for (size_t i = 0; i < c.n; i++)
		cr_expect(seen[i], "handler #%zu of ops.h is in no row", i);
}

Test(optab, string_rows_and_only_they_honour_rep)
{
	const int strings[] = {0x6C, 0x6D, 0x6E, 0x6F, 0xA4, 0xA5, 0xA6,
			       0xA7, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF};
	int n = 0;
	for (int op = 0; op < 256; op++)
		n += (optab_1b[op].flags & F_REP) != 0;
	cr_assert_eq(n, (int)(sizeof(strings) / sizeof(*strings)));
	for (size_t i = 0; i < sizeof(strings) / sizeof(*strings); i++)
		cr_assert(optab_1b[strings[i]].flags & F_REP);
}

Test(optab, register_in_opcode_rows_have_no_modrm)
{
	for (int m = 0; m < 2; m++)
		for (int op = 0; op < 256; op++) {
			const struct opdesc *r = &maps[m][op];
			if (r->opnd[0] == O_Z || r->opnd[1] == O_Z)
				cr_assert_eq(r->flags & F_MODRM, 0,
					     "map %d op %02x", m, op);
		}
}

Test(optab, three_byte_maps_are_all_undefined)
{
	for (int op = 0; op < 256; op++) {
		cr_assert(optab_0f38[op].flags & F_INVALID);
		cr_assert(optab_0f3a[op].flags & F_INVALID);
	}
}
