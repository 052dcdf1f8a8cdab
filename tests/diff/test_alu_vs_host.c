/*
 * tests/diff/test_alu_vs_host.c — the integer ALU against the host CPU.
 *
 * Every case runs one instruction (plus, for the condition-code family, a
 * chain of SETcc into memory) twice: natively, in a small stub generated
 * into an mmap'd buffer that loads the 15 GPRs and RFLAGS from a struct,
 * executes the bytes and stores everything back; and in the interpreter,
 * through the unit-test fixture. Inputs and input flags are random from a
 * fixed seed, biased towards edge values. GPRs, the memory window and the
 * arithmetic flags must agree, the flags under the mask of the opcode-table
 * row (fl_undef, read through decode_insn). A host #DE (SIGFPE) must be a
 * guest #DE with nothing changed.
 *
 * One Criterion test per template (a process each); 1200 cases per
 * template and operand size, about 525k cases in all (x100 with
 * HVSIM_DIFF_LONG=1). The two machines and the comparison are
 * hostexec.h's; the memory operand is [rsi] in the middle of its window.
 *
 * HVSIM_DIFF_STRICT=1 compares the undefined flags too: hvsim picks what
 * Intel hardware does for them, and on the Intel host this was developed
 * on (a Xeon) every case then agrees as well.
 *
 * Input-dependent undefined results (SDM): CF of SHL/SHR by >= the width
 * (8/16-bit), SHLD/SHRD r16 by more than 16, BSWAP r16. hvsim follows
 * Intel there, so they are compared on Intel hosts only.
 * x86-64 hosts only (tests/diff/meson.build).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/diff/hostexec.h"

#define CASES_PER_VARIANT 1200
#define MID (HX_WIN + HX_WIN_SIZE / 2) /* RSI for the memory forms */
#define MAX_REPORTS 8

/* ---- instruction templates ----------------------------------------------- */

enum inp { INP_ANY, INP_DIV, INP_IDIV, INP_CMPX, INP_BTMEM, INP_SHIFT };

enum tflag {
	T_IB = 1,        /* imm8 follows */
	T_IZ = 2,        /* imm16/32 follows (16 with 66) */
	T_NOMODRM = 4,   /* no ModRM byte (BSWAP) */
	T_HI8 = 8,       /* 8-bit form may use AH..BH in reg and rm */
	T_HI8RM = 16,    /* 8-bit form may use AH..BH in rm only */
	T_MEM = 32,      /* the operand is [rsi]: compare the window */
	T_CHAIN = 64,    /* append SETcc [rsi+cc] for all 16 cc */
	T_F3 = 128,      /* mandatory F3 prefix */
	T_NOWIDE = 256,  /* no 66/REX.W variants (size fixed by the bytes) */
	T_LOCK = 512,    /* LOCK prefix */
};

/* Undefined-by-input classes (see the file comment). */
enum uclass { U_NONE, U_SHIFT_CF, U_SHXD16, U_BSWAP16 };

/* No pointers: Criterion hands parameters to a freshly exec'd process. */
struct tmpl {
	char name[24];
	uint8_t op[3], oplen; /* opcode of the 16/32/64-bit form */
	uint8_t op8;          /* last opcode byte of the 8-bit form, or 0 */
	uint8_t modrm;
	uint8_t sizes;        /* bit mask of 1, 2, 4, 8 */
	uint16_t flags;       /* enum tflag */
	uint8_t inp, feat, uclass;
};

#define S_ALL 0xF
#define S_V 0xE
#define ALU_ROWS(nm, base)                                                 \
	{nm " E,G", {base + 1}, 1, base, 0xCB, S_ALL, T_HI8, INP_ANY, 0, 0}, \
	{nm " G,E", {base + 3}, 1, base + 2, 0xD9, S_ALL, T_HI8, INP_ANY, 0, 0}, \
	{nm " A,I", {base + 5}, 1, base + 4, 0, S_ALL, T_IZ | T_NOMODRM,     \
	 INP_ANY, 0, 0}
#define GRP_ROWS(nm, n)                                                    \
	{nm " E,Iz", {0x81}, 1, 0x80, 0xC3 | n << 3, S_ALL, T_IZ | T_HI8RM,  \
	 INP_ANY, 0, 0},                                                    \
	{nm " E,Ib", {0x83}, 1, 0, 0xC3 | n << 3, S_V, T_IB, INP_ANY, 0, 0}
#define SHIFT_ROWS(nm, n, u)                                               \
	{nm " E,1", {0xD1}, 1, 0xD0, 0xC3 | n << 3, S_ALL, T_HI8RM, INP_ANY, \
	 0, 0},                                                             \
	{nm " E,CL", {0xD3}, 1, 0xD2, 0xC3 | n << 3, S_ALL, T_HI8RM,         \
	 INP_SHIFT, 0, u},                                                  \
	{nm " E,Ib", {0xC1}, 1, 0xC0, 0xC3 | n << 3, S_ALL, T_IB | T_HI8RM,  \
	 INP_ANY, 0, u}

static const struct tmpl tmpls[] = {
	ALU_ROWS("add", 0x00), ALU_ROWS("or", 0x08), ALU_ROWS("adc", 0x10),
	ALU_ROWS("sbb", 0x18), ALU_ROWS("and", 0x20), ALU_ROWS("sub", 0x28),
	ALU_ROWS("xor", 0x30), ALU_ROWS("cmp", 0x38),
	GRP_ROWS("add", 0), GRP_ROWS("adc", 2), GRP_ROWS("sbb", 3),
	GRP_ROWS("xor", 6), GRP_ROWS("cmp", 7),
	{"test E,G", {0x85}, 1, 0x84, 0xCB, S_ALL, T_HI8, INP_ANY, 0, 0},
	{"test E,I", {0xF7}, 1, 0xF6, 0xC3, S_ALL, T_IZ | T_HI8RM, INP_ANY, 0, 0},
	{"test A,I", {0xA9}, 1, 0xA8, 0, S_ALL, T_IZ | T_NOMODRM, INP_ANY, 0, 0},
	{"inc E", {0xFF}, 1, 0xFE, 0xC3, S_ALL, T_HI8RM, INP_ANY, 0, 0},
	{"dec E", {0xFF}, 1, 0xFE, 0xCB, S_ALL, T_HI8RM, INP_ANY, 0, 0},
	{"not E", {0xF7}, 1, 0xF6, 0xD3, S_ALL, T_HI8RM, INP_ANY, 0, 0},
	{"neg E", {0xF7}, 1, 0xF6, 0xDB, S_ALL, T_HI8RM, INP_ANY, 0, 0},
	SHIFT_ROWS("rol", 0, U_NONE), SHIFT_ROWS("ror", 1, U_NONE),
	SHIFT_ROWS("rcl", 2, U_NONE), SHIFT_ROWS("rcr", 3, U_NONE),
	SHIFT_ROWS("shl", 4, U_SHIFT_CF), SHIFT_ROWS("shr", 5, U_SHIFT_CF),
	SHIFT_ROWS("sal", 6, U_SHIFT_CF), SHIFT_ROWS("sar", 7, U_NONE),
	{"shld E,G,Ib", {0x0F, 0xA4}, 2, 0, 0xD3, S_V, T_IB, INP_ANY, 0, U_SHXD16},
	{"shld E,G,CL", {0x0F, 0xA5}, 2, 0, 0xD3, S_V, 0, INP_SHIFT, 0, U_SHXD16},
	{"shrd E,G,Ib", {0x0F, 0xAC}, 2, 0, 0xD3, S_V, T_IB, INP_ANY, 0, U_SHXD16},
	{"shrd E,G,CL", {0x0F, 0xAD}, 2, 0, 0xD3, S_V, 0, INP_SHIFT, 0, U_SHXD16},
	{"mul E", {0xF7}, 1, 0xF6, 0xE1, S_ALL, T_HI8RM, INP_ANY, 0, 0},
	{"imul E", {0xF7}, 1, 0xF6, 0xE9, S_ALL, T_HI8RM, INP_ANY, 0, 0},
	{"div E", {0xF7}, 1, 0xF6, 0xF1, S_ALL, T_HI8RM, INP_DIV, 0, 0},
	{"idiv E", {0xF7}, 1, 0xF6, 0xF9, S_ALL, T_HI8RM, INP_IDIV, 0, 0},
	{"imul G,E", {0x0F, 0xAF}, 2, 0, 0xD9, S_V, 0, INP_ANY, 0, 0},
	{"imul G,E,Iz", {0x69}, 1, 0, 0xD9, S_V, T_IZ, INP_ANY, 0, 0},
	{"imul G,E,Ib", {0x6B}, 1, 0, 0xD9, S_V, T_IB, INP_ANY, 0, 0},
	{"bt E,G", {0x0F, 0xA3}, 2, 0, 0xCB, S_V, 0, INP_ANY, 0, 0},
	{"bts E,G", {0x0F, 0xAB}, 2, 0, 0xCB, S_V, 0, INP_ANY, 0, 0},
	{"btr E,G", {0x0F, 0xB3}, 2, 0, 0xCB, S_V, 0, INP_ANY, 0, 0},
	{"btc E,G", {0x0F, 0xBB}, 2, 0, 0xCB, S_V, 0, INP_ANY, 0, 0},
	{"bt E,Ib", {0x0F, 0xBA}, 2, 0, 0xE3, S_V, T_IB, INP_ANY, 0, 0},
	{"bts E,Ib", {0x0F, 0xBA}, 2, 0, 0xEB, S_V, T_IB, INP_ANY, 0, 0},
	{"btr E,Ib", {0x0F, 0xBA}, 2, 0, 0xF3, S_V, T_IB, INP_ANY, 0, 0},
	{"btc E,Ib", {0x0F, 0xBA}, 2, 0, 0xFB, S_V, T_IB, INP_ANY, 0, 0},
	{"bsf G,E", {0x0F, 0xBC}, 2, 0, 0xD9, S_V, 0, INP_ANY, 0, 0},
	{"bsr G,E", {0x0F, 0xBD}, 2, 0, 0xD9, S_V, 0, INP_ANY, 0, 0},
	{"tzcnt G,E", {0x0F, 0xBC}, 2, 0, 0xD9, S_V, T_F3, INP_ANY, HXF_BMI1, 0},
	{"lzcnt G,E", {0x0F, 0xBD}, 2, 0, 0xD9, S_V, T_F3, INP_ANY, HXF_LZCNT, 0},
	{"popcnt G,E", {0x0F, 0xB8}, 2, 0, 0xD9, S_V, T_F3, INP_ANY, HXF_POPCNT,
	 0},
	{"bswap Z", {0x0F, 0xCB}, 2, 0, 0, S_V, T_NOMODRM, INP_ANY, 0, U_BSWAP16},
	{"cmpxchg E,G", {0x0F, 0xB1}, 2, 0xB0, 0xCB, S_ALL, T_HI8, INP_CMPX, 0, 0},
	{"xadd E,G", {0x0F, 0xC1}, 2, 0xC0, 0xCB, S_ALL, T_HI8, INP_ANY, 0, 0},
	/* memory forms: [rsi] */
	{"add [rsi],G", {0x01}, 1, 0x00, 0x0E, S_ALL, T_MEM, INP_ANY, 0, 0},
	{"lock sbb [rsi],G", {0x19}, 1, 0x18, 0x0E, S_ALL, T_MEM | T_LOCK, INP_ANY,
	 0, 0},
	{"shr [rsi],CL", {0xD3}, 1, 0xD2, 0x2E, S_ALL, T_MEM, INP_SHIFT, 0,
	 U_SHIFT_CF},
	{"rcl [rsi],CL", {0xD3}, 1, 0xD2, 0x16, S_ALL, T_MEM, INP_SHIFT, 0, 0},
	{"neg [rsi]", {0xF7}, 1, 0xF6, 0x1E, S_ALL, T_MEM, INP_ANY, 0, 0},
	{"bt [rsi],G", {0x0F, 0xA3}, 2, 0, 0x0E, S_V, T_MEM, INP_BTMEM, 0, 0},
	{"bts [rsi],G", {0x0F, 0xAB}, 2, 0, 0x0E, S_V, T_MEM, INP_BTMEM, 0, 0},
	{"btr [rsi],G", {0x0F, 0xB3}, 2, 0, 0x0E, S_V, T_MEM, INP_BTMEM, 0, 0},
	{"btc [rsi],G", {0x0F, 0xBB}, 2, 0, 0x0E, S_V, T_MEM, INP_BTMEM, 0, 0},
	{"btc [rsi],Ib", {0x0F, 0xBA}, 2, 0, 0x3E, S_V, T_MEM | T_IB, INP_ANY,
	 0, 0},
	{"cmpxchg [rsi],G", {0x0F, 0xB1}, 2, 0xB0, 0x0E, S_ALL, T_MEM, INP_CMPX,
	 0, 0},
	{"xadd [rsi],G", {0x0F, 0xC1}, 2, 0xC0, 0x0E, S_ALL, T_MEM, INP_ANY, 0, 0},
	{"cmpxchg8b [rsi]", {0x0F, 0xC7, 0x0E}, 3, 0, 0, 4,
	 T_MEM | T_NOMODRM | T_NOWIDE, INP_CMPX, 0, 0},
	{"cmpxchg16b [rsi]", {0x48, 0x0F, 0xC7}, 3, 0, 0x0E, 8,
	 T_MEM | T_NOWIDE, INP_CMPX, 0, 0},
	{"mul [rsi]", {0xF7}, 1, 0xF6, 0x26, S_ALL, T_MEM, INP_ANY, 0, 0},
	{"idiv [rsi]", {0xF7}, 1, 0xF6, 0x3E, S_ALL, T_MEM, INP_IDIV, 0, 0},
	/* lazy flags consumed by SETcc (all 16 conditions, into [rsi+cc]) */
	{"sub+setcc", {0x29}, 1, 0x28, 0xCB, S_ALL, T_CHAIN, INP_CMPX, 0, 0},
	{"cmp+setcc", {0x39}, 1, 0x38, 0xCB, S_ALL, T_CHAIN, INP_CMPX, 0, 0},
	{"add+setcc", {0x01}, 1, 0x00, 0xCB, S_ALL, T_CHAIN, INP_ANY, 0, 0},
	{"sbb+setcc", {0x19}, 1, 0x18, 0xCB, S_ALL, T_CHAIN, INP_CMPX, 0, 0},
	{"and+setcc", {0x21}, 1, 0x20, 0xCB, S_ALL, T_CHAIN, INP_ANY, 0, 0},
	{"inc+setcc", {0xFF}, 1, 0xFE, 0xC3, S_ALL, T_CHAIN, INP_ANY, 0, 0},
	{"dec+setcc", {0xFF}, 1, 0xFE, 0xCB, S_ALL, T_CHAIN, INP_ANY, 0, 0},
	{"neg+setcc", {0xF7}, 1, 0xF6, 0xDB, S_ALL, T_CHAIN, INP_ANY, 0, 0},
	{"sar+setcc", {0xD3}, 1, 0xD2, 0xFB, S_ALL, T_CHAIN, INP_SHIFT, 0, 0},
	{"shl+setcc", {0xD3}, 1, 0xD2, 0xE3, S_ALL, T_CHAIN, INP_SHIFT, 0,
	 U_SHIFT_CF},
	{"imul+setcc", {0x0F, 0xAF}, 2, 0, 0xD9, S_V, T_CHAIN, INP_ANY, 0, 0},
};

/* ---- one case ------------------------------------------------------------ */

struct variant {
	const struct tmpl *t;
	int size;
	uint8_t code[64];
	size_t len;        /* without the chain */
	size_t total;      /* with the chain */
	unsigned count;    /* the shift count the bytes give, for U_* checks */
};

/* Assemble the template at `size` with a random immediate / byte-register
 * choice: [F0][66][F3][REX.W] opcode [ModRM] [imm] [SETcc chain]. */
static void build_variant(struct variant *v, struct hx_rng *g)
{
	const struct tmpl *t = v->t;
	uint8_t *p = v->code;
	bool byte = v->size == 1, wide = !(t->flags & T_NOWIDE);
	if (t->flags & T_LOCK)
		*p++ = 0xF0;
	if (v->size == 2 && wide)
		*p++ = 0x66;
	if (t->flags & T_F3)
		*p++ = 0xF3;
	if (v->size == 8 && wide)
		*p++ = 0x48;
	memcpy(p, t->op, t->oplen);
	p += t->oplen;
	if (byte && t->op8)
		p[-1] = t->op8; /* the 8-bit form differs in the last byte */
	if (!(t->flags & T_NOMODRM)) {
		uint8_t m = t->modrm;
		if (byte && (hx_rnd(g) & 1))
			m |= t->flags & T_HI8 ? 0x24 : t->flags & T_HI8RM ? 4 : 0;
		*p++ = m;
	}
	int imm = t->flags & T_IB   ? 1
		  : t->flags & T_IZ ? (v->size > 4 ? 4 : v->size)
				    : 0;
	uint64_t iv = hx_rnd(g) & 1 ? hx_rnd(g) & 0x7F : hx_rnd(g);
	memcpy(p, &iv, (size_t)imm);
	p += imm;
	v->count = (unsigned)iv & 0xFF;
	v->len = (size_t)(p - v->code);
	if (t->flags & T_CHAIN)
		for (uint8_t cc = 0; cc < 16; cc++) {
			uint8_t set[4] = {0x0F, (uint8_t)(0x90 + cc), 0x46, cc};
			memcpy(p, set, 4);
			p += 4;
		}
	v->total = (size_t)(p - v->code);
}

/* Shape the random inputs for the template's needs. */
static void shape_inputs(const struct variant *v, struct hx_state *in,
			 const uint8_t *win, struct hx_rng *g)
{
	uint64_t m = size_mask(v->size);
	uint64_t *r = in->r;
	switch (v->t->inp) {
	case INP_SHIFT:
		if (hx_rnd(g) & 1)
			r[RCX] = (r[RCX] & ~0xFFull) |
				 hx_rnd(g) % (v->size * 8u + 3);
		break;
	case INP_DIV:
		if ((hx_rnd(g) & 3) && (r[RCX] & m) && v->size > 1)
			r[RDX] = (r[RDX] & ~m) | ((r[RDX] & m) % (r[RCX] & m));
		break;
	case INP_IDIV:
		if (hx_rnd(g) & 3) {
			int half = v->size == 1 ? 8 : v->size * 8;
			bool neg = (r[RAX] >> (half - 1)) & 1;
			if (v->size == 1)
				r[RAX] = (r[RAX] & ~0xFF00ull) | (neg ? 0xFF00 : 0);
			else
				r[RDX] = (r[RDX] & ~m) | (neg ? m : 0);
		}
		break;
	case INP_CMPX: {
		uint64_t q0, q1;
		memcpy(&q0, win + (MID - HX_WIN), 8);
		memcpy(&q1, win + (MID - HX_WIN) + 8, 8);
		uint64_t k = hx_rnd(g) % 3;
		if (k == 0 && (v->t->flags & T_MEM)) {
			r[RAX] = q0;
			r[RDX] = v->size == 8 ? q1 : q0 >> 32;
		} else if (k == 0) {
			r[RAX] = r[RBX];
		} else if (k == 1) {
			r[RCX] = r[RBX];
		}
		break;
	}
	case INP_BTMEM: {
		int64_t off = (int64_t)(hx_rnd(g) % 4096) - 2048;
		r[RCX] = (r[RCX] & ~m) | ((uint64_t)off & m);
		break;
	}
	default:
		break;
	}
}

static bool uses_window(const struct tmpl *t)
{
	return t->flags & (T_MEM | T_CHAIN);
}

/* ---- comparing ----------------------------------------------------------- */

struct env {
	bool intel;
	bool strict;       /* compare undefined flags too */
	struct hx_host *host;
	struct hx_guest guest;
	struct hx_rng g;
	unsigned long cases, mismatches;
	struct hx_case c;
	struct hx_outcome h, gst;
};

/* Flags and window bytes the SDM leaves undefined for this case. Returns
 * false when the whole result is undefined (compared on Intel only). */
static bool case_mask(const struct env *e, const struct variant *v,
		      const struct hx_state *in, struct hx_mask *mask)
{
	struct dinsn d;
	cr_assert_eq(DEC_OK, decode_insn(v->code, (int)v->len, MODE_LONG64, &d),
		     "%s/%d does not decode", v->t->name, v->size);
	uint64_t undef = e->strict ? 0 : d.op->fl_undef & RF_ARITH;
	unsigned cnt = (v->t->flags & T_IB ? v->count : in->r[RCX] & 0xFF) &
		       (v->size == 8 ? 63 : 31);
	if (!e->intel) {
		if (v->t->uclass == U_SHIFT_CF && v->size <= 2 &&
		    cnt >= v->size * 8u)
			undef |= RF_CF;
		if (v->t->uclass == U_SHXD16 && v->size == 2 && cnt > 16)
			return false;
		if (v->t->uclass == U_BSWAP16 && v->size == 2)
			return false;
	}
	*mask = (struct hx_mask){.flags = HX_FLAGS & ~undef, .regs = 0xFFFF,
				 .skip_at = MID - HX_WIN};
	for (unsigned cc = 0; cc < 16 && (v->t->flags & T_CHAIN); cc++) {
		const uint8_t *set = v->code + v->len + 4 * cc;
		cr_assert_eq(DEC_OK, decode_insn(set, 4, MODE_LONG64, &d));
		if (d.op->fl_read & undef)
			mask->skip |= (uint16_t)(1u << cc);
	}
	return true;
}

/* Compare one case; reports and returns false on a mismatch. */
static bool compare(struct env *e, const struct variant *v)
{
	struct hx_mask mask;
	if (!case_mask(e, v, &e->c.in, &mask))
		return true;
	if (e->h.vec >= 0)
		mask.flags = HX_FLAGS; /* nothing may change on a fault */
	char why[64];
	if (!hx_differs(&e->c, &e->h, &e->gst, &mask, why, sizeof(why)))
		return true;
	if (++e->mismatches <= MAX_REPORTS) {
		char name[48];
		snprintf(name, sizeof(name), "alu_vs_host %s/%d", v->t->name,
			 v->size);
		hx_report(name, &e->c, &e->h, &e->gst, &mask, why);
	}
	return false;
}

/* ---- the driver ---------------------------------------------------------- */

/* Random registers, flags and (for memory forms) window for one case. */
static void make_case(struct env *e, const struct variant *v)
{
	struct hx_case *c = &e->c;
	c->mode = HX_64;
	c->win_used = uses_window(v->t);
	memcpy(c->code, v->code, v->total);
	c->len = v->total;
	for (int r = 0; r < 16; r++)
		c->in.r[r] = hx_rnd_value(&e->g);
	c->in.fl = hx_rnd(&e->g) & RF_ARITH;
	c->hot_lo = c->hot_hi = 0;
	if (!c->win_used)
		return;
	for (unsigned k = 0; k < HX_WIN_SIZE; k += 8) {
		uint64_t q = hx_rnd_value(&e->g);
		memcpy(c->win + k, &q, 8);
	}
	c->in.r[RSI] = MID;
	hx_hot(c, v->t->inp == INP_BTMEM ? MID - 264 : MID,
	       v->t->inp == INP_BTMEM ? 528 : 16);
}

static void run_variant_cases(struct env *e, const struct tmpl *t, int size)
{
	struct variant v = {.t = t, .size = size};
	unsigned n = CASES_PER_VARIANT * diff_case_scale();
	for (unsigned i = 0; i < n; i++) {
		build_variant(&v, &e->g);
		make_case(e, &v);
		shape_inputs(&v, &e->c.in, e->c.win, &e->g);
		hx_host_run(e->host, &e->c, &e->h);
		hx_guest_run(&e->guest, &e->c, &e->gst);
		compare(e, &v);
		e->cases++;
	}
}

ParameterizedTestParameters(alu_vs_host, random_cases_match_host)
{
	return cr_make_param_array(struct tmpl, (void *)tmpls,
				   sizeof(tmpls) / sizeof(tmpls[0]));
}

ParameterizedTest(const struct tmpl *t, alu_vs_host, random_cases_match_host)
{
	if (!hx_host_has((enum hx_feat)t->feat))
		cr_skip_test("host lacks the feature %s needs", t->name);
	/* On the heap: a case and two outcomes are 5 KiB each. */
	struct env *e = calloc(1, sizeof(*e));
	cr_assert_not_null(e);
	e->intel = hx_host_is_intel();
	e->strict = getenv("HVSIM_DIFF_STRICT") != NULL;
	e->g.s = hx_seed(t->name); /* a fixed seed per template */
	e->host = hx_host_new();
	hx_guest_init(&e->guest);
	for (int size = 1; size <= 8; size *= 2)
		if (t->sizes & size)
			run_variant_cases(e, t, size);
	cr_log_info("%s: %lu cases (%s host)", t->name, e->cases,
		    e->intel ? "Intel" : "non-Intel");
	hx_guest_fini(&e->guest);
	hx_host_free(e->host);
	hx_tally(e->cases, e->mismatches);
	unsigned long bad = e->mismatches, cases = e->cases;
	free(e);
	cr_expect_eq(0, bad, "%s: %lu of %lu cases differ from the host",
		     t->name, bad, cases);
}
