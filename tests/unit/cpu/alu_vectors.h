/*
 * tests/unit/cpu/alu_vectors.h — table-driven instruction checks shared by
 * test_alu.c, test_shift.c, test_muldiv.c and test_bit.c.
 *
 * A vector is one instruction (bytes), RAX/RCX/RDX/RBX and the arithmetic
 * flags before, and what an Intel x86-64 host left in them after running
 * the same bytes (recorded once; the differential test tests/diff/
 * test_alu_vs_host.c re-derives such results on every run). Flags are
 * compared under the defined-flags mask of the instruction's opcode-table
 * row (all but fl_undef), every other register must stay unchanged, and
 * a vector with `vec` >= 0 must raise that exception with no change at all.
 */
#ifndef HVSIM_TESTS_UNIT_CPU_ALU_VECTORS_H_
#define HVSIM_TESTS_UNIT_CPU_ALU_VECTORS_H_

#include <criterion/criterion.h>
#include <string.h>

#include "tests/common/fixture.h"

struct alu_vec {
	const char *name;
	uint8_t code[15];
	uint8_t len;
	uint64_t in[4];   /* RAX, RCX, RDX, RBX */
	uint16_t fl_in;   /* arithmetic flags before */
	uint64_t out[4];  /* RAX, RCX, RDX, RBX after */
	uint16_t fl_out;  /* arithmetic flags after (host) */
	int8_t vec;       /* exception vector expected, or -1 */
};

/* Registers the vectors do not name get these, and must keep them. */
static inline uint64_t alu_vec_junk(int r)
{
	return 0x0123456789ABCDEFull ^ ((uint64_t)r * 0x1111111111111111ull);
}

/* Prepare the fixture's core for a fresh run from FX_CODE. */
static inline void alu_vec_reset(struct fx *fx, const uint64_t in[4],
				 uint64_t flags)
{
	struct cpu *c = fx->cpu;
	for (int r = 0; r < 16; r++)
		c->gpr[r] = alu_vec_junk(r);
	c->gpr[RAX] = in[0];
	c->gpr[RCX] = in[1];
	c->gpr[RDX] = in[2];
	c->gpr[RBX] = in[3];
	c->gpr[RSP] = FX_STACK;
	c->halted = false;
	cpu_set_rflags(c, flags, RF_ARITH | RF_DF);
}

/* The arithmetic flags a row defines: all but its undefined ones (flags
 * it does not write must keep their value). */
static inline uint64_t alu_vec_defined(const uint8_t *code, int len)
{
	struct dinsn d;
	cr_assert_eq(DEC_OK, decode_insn(code, len, MODE_LONG64, &d));
	return RF_ARITH & ~(uint64_t)d.op->fl_undef;
}

static inline void alu_vec_check(struct fx *fx, const struct alu_vec *v)
{
	uint8_t code[16];
	memcpy(code, v->code, v->len);
	code[v->len] = 0xF4; /* hlt */
	alu_vec_reset(fx, v->in, v->fl_in);
	fx_exec(fx, code, v->len + 1u);
	struct cpu *c = fx->cpu;
	static const int named[4] = {RAX, RCX, RDX, RBX};
	const uint64_t *want = v->vec >= 0 ? v->in : v->out;
	cr_expect_eq(v->vec, fx_vector(fx), "%s: vector %d, want %d", v->name,
		     fx_vector(fx), v->vec);
	for (int i = 0; i < 4; i++)
		cr_expect_eq(want[i], c->gpr[named[i]],
			     "%s: reg %d = %#llx, want %#llx", v->name,
			     named[i], (unsigned long long)c->gpr[named[i]],
			     (unsigned long long)want[i]);
	for (int r = RBP; r < 16; r++)
		cr_expect_eq(alu_vec_junk(r), c->gpr[r], "%s: r%d changed",
			     v->name, r);
	uint64_t mask = v->vec >= 0 ? RF_ARITH : alu_vec_defined(v->code,
								 v->len);
	uint64_t fl_want = v->vec >= 0 ? v->fl_in : v->fl_out;
	uint64_t fl = cpu_get_rflags(c);
	cr_expect_eq(fl_want & mask, fl & mask, "%s: flags %#llx, want %#llx "
		     "(mask %#llx)", v->name, (unsigned long long)(fl & mask),
		     (unsigned long long)(fl_want & mask),
		     (unsigned long long)mask);
}

static inline void alu_vec_run_all(const struct alu_vec *v, size_t n)
{
	struct fx *fx = fx_new(FX_LONG64);
	for (size_t i = 0; i < n; i++)
		alu_vec_check(fx, &v[i]);
	fx_free(fx);
}

#define ALU_VEC_RUN(table) alu_vec_run_all(table, sizeof(table) / sizeof(table[0]))

#endif
