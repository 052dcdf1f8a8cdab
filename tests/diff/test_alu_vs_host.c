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
 * template and operand size, about 525k cases in all.
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
#include <cpuid.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* <signal.h> drags in unistd.h, whose lockf() constant F_LOCK has the name
 * of the opcode-table flag; this file needs only the latter. */
#undef F_LOCK
#include "tests/common/fixture.h"

#define CASES_PER_VARIANT 1200
#define WIN 1024          /* memory window compared, [rsi - WIN/2, +WIN/2) */
#define MAX_REPORTS 8

/* ---- the host side ------------------------------------------------------- */

struct hstate {
	uint64_t r[16]; /* RSP unused */
	uint64_t fl;
};

struct host {
	uint8_t *stub;     /* one page, RX while running */
	uint8_t code[64];  /* bytes the stub currently holds */
	size_t code_len;
	sigjmp_buf jmp;
	uint8_t *win;      /* memory window on the host */
};

/* A SIGFPE handler cannot take an argument; the jump buffer it needs is
 * the one test-process-wide object here (Criterion runs each test in its
 * own process). */
static sigjmp_buf *fpe_jmp;

static void on_sigfpe(int sig)
{
	(void)sig;
	siglongjmp(*fpe_jmp, 1);
}

/* mov r64, [rdi + off] / mov [rdi + off], r64 */
static uint8_t *emit_mov(uint8_t *p, int r, int off, bool store)
{
	*p++ = (uint8_t)(0x48 | (r >= 8 ? 4 : 0));
	*p++ = store ? 0x89 : 0x8B;
	*p++ = (uint8_t)(0x80 | (r & 7) << 3 | 7);
	memcpy(p, &off, 4);
	return p + 4;
}

/* Build: save callee-saved regs and the state pointer, load RFLAGS and
 * the GPRs (RDI last), run `code`, PUSHFQ at once, store everything. */
static void host_build(struct host *h, const uint8_t *code, size_t len)
{
	static const uint8_t pro[] = {
		0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57,
		0x57,                               /* push rdi */
		0xFF, 0xB7, 0x80, 0x00, 0x00, 0x00, /* push [rdi+128] */
		0x9D,                               /* popfq */
	};
	static const uint8_t epi[] = {
		0x8F, 0x47, 56,                     /* pop [rdi+56] */
		0x8F, 0x87, 0x80, 0x00, 0x00, 0x00, /* pop [rdi+128] */
		0x5F, 0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D,
		0x5B, 0xC3,
	};
	cr_assert_eq(0, mprotect(h->stub, 4096, PROT_READ | PROT_WRITE));
	uint8_t *p = h->stub;
	memcpy(p, pro, sizeof(pro));
	p += sizeof(pro);
	for (int r = 0; r < 16; r++)
		if (r != RSP && r != RDI)
			p = emit_mov(p, r, r * 8, false);
	p = emit_mov(p, RDI, RDI * 8, false);
	memcpy(p, code, len);
	p += len;
	*p++ = 0x9C;                                 /* pushfq */
	*p++ = 0x57;                                 /* push rdi */
	memcpy(p, "\x48\x8B\x7C\x24\x10", 5);        /* mov rdi,[rsp+16] */
	p += 5;
	for (int r = 0; r < 16; r++)
		if (r != RSP && r != RDI)
			p = emit_mov(p, r, r * 8, true);
	memcpy(p, epi, sizeof(epi));
	cr_assert_eq(0, mprotect(h->stub, 4096, PROT_READ | PROT_EXEC));
	memcpy(h->code, code, len);
	h->code_len = len;
}

/* Run on the host; returns true if it raised #DE. */
static bool host_run(struct host *h, const uint8_t *code, size_t len,
		     struct hstate *s)
{
	if (len != h->code_len || memcmp(code, h->code, len))
		host_build(h, code, len);
	fpe_jmp = &h->jmp;
	if (sigsetjmp(h->jmp, 1))
		return true;
	((void (*)(struct hstate *))(void *)h->stub)(s);
	return false;
}

/* ---- instruction templates ------------------------------------------------ */

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

enum feat { FT_NONE, FT_POPCNT, FT_LZCNT, FT_BMI1 };

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
	{"tzcnt G,E", {0x0F, 0xBC}, 2, 0, 0xD9, S_V, T_F3, INP_ANY, FT_BMI1, 0},
	{"lzcnt G,E", {0x0F, 0xBD}, 2, 0, 0xD9, S_V, T_F3, INP_ANY, FT_LZCNT, 0},
	{"popcnt G,E", {0x0F, 0xB8}, 2, 0, 0xD9, S_V, T_F3, INP_ANY, FT_POPCNT, 0},
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

/* ---- one case ------------------------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *g)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return g->s * 0x2545F4914F6CDD1Dull;
}

/* A value biased towards the edges of every width. */
static uint64_t rnd_value(struct rng *g)
{
	static const uint64_t edges[] = {
		0, 1, 2, ~0ull, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
		0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x7FFFFFFFFFFFFFFF,
		0x8000000000000000, 0xFFFFFFFF00000000, 0xF, 0x10,
	};
	uint64_t r = rnd(g);
	switch (r & 7) {
	case 0:
	case 1:
		return edges[(r >> 8) % (sizeof(edges) / sizeof(edges[0]))] ^
		       ((r >> 40) & 1 ? rnd(g) & ~0xFFFFFFFFull : 0);
	case 2:
		return rnd(g) >> ((r >> 8) & 63);
	case 3:
		return (r >> 8) & 0x3F;
	default:
		return rnd(g);
	}
}

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
static void build_variant(struct variant *v, struct rng *g)
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
		if (byte && (rnd(g) & 1))
			m |= t->flags & T_HI8 ? 0x24 : t->flags & T_HI8RM ? 4 : 0;
		*p++ = m;
	}
	int imm = t->flags & T_IB ? 1 : t->flags & T_IZ ? (v->size > 4 ? 4 : v->size) : 0;
	uint64_t iv = rnd(g) & 1 ? rnd(g) & 0x7F : rnd(g);
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
static void shape_inputs(const struct variant *v, struct hstate *in,
			 const uint8_t *win, struct rng *g)
{
	uint64_t m = size_mask(v->size);
	uint64_t *r = in->r;
	switch (v->t->inp) {
	case INP_SHIFT:
		if (rnd(g) & 1)
			r[RCX] = (r[RCX] & ~0xFFull) | rnd(g) % (v->size * 8u + 3);
		break;
	case INP_DIV:
		if ((rnd(g) & 3) && (r[RCX] & m) && v->size > 1)
			r[RDX] = (r[RDX] & ~m) | ((r[RDX] & m) % (r[RCX] & m));
		break;
	case INP_IDIV:
		if (rnd(g) & 3) {
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
		memcpy(&q0, win + WIN / 2, 8);
		memcpy(&q1, win + WIN / 2 + 8, 8);
		uint64_t k = rnd(g) % 3;
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
		int64_t off = (int64_t)(rnd(g) % 4096) - 2048;
		r[RCX] = (r[RCX] & ~m) | ((uint64_t)off & m);
		break;
	}
	default:
		break;
	}
}

struct outcome {
	struct hstate st;
	int vec;           /* -1, or the exception (#DE = 0) */
	uint8_t win[WIN];
};

static bool uses_window(const struct tmpl *t)
{
	return t->flags & (T_MEM | T_CHAIN);
}

static void run_on_host(struct host *h, const struct variant *v,
			const struct hstate *in, const uint8_t *win,
			struct outcome *o)
{
	uint64_t mid = (uint64_t)(uintptr_t)(h->win + WIN / 2);
	o->st = *in;
	memcpy(h->win, win, WIN);
	if (uses_window(v->t))
		o->st.r[RSI] = mid;
	o->vec = host_run(h, v->code, v->total, &o->st) ? EXC_DE : -1;
	memcpy(o->win, h->win, WIN);
	if (uses_window(v->t)) /* as the guest sees it */
		o->st.r[RSI] = o->st.r[RSI] - mid + FX_DATA + WIN / 2;
}

static void run_on_guest(struct fx *fx, const struct variant *v,
			 const struct hstate *in, const uint8_t *win,
			 struct outcome *o)
{
	struct cpu *c = fx->cpu;
	uint8_t code[80];
	memcpy(code, v->code, v->total);
	code[v->total] = 0xF4; /* hlt */
	memcpy(c->gpr, in->r, sizeof(c->gpr));
	if (uses_window(v->t)) {
		c->gpr[RSI] = FX_DATA + WIN / 2;
		fx_poke(fx, FX_DATA, win, WIN);
	}
	c->gpr[RSP] = FX_STACK;
	c->halted = false;
	cpu_set_rflags(c, in->fl, RF_ARITH | RF_DF);
	fx_exec(fx, code, v->total + 1);
	o->vec = fx_vector(fx);
	memcpy(o->st.r, c->gpr, sizeof(o->st.r));
	o->st.fl = cpu_get_rflags(c);
	physmem_copy_from(fx->mem, o->win, FX_DATA, WIN);
}

/* ---- comparing -------------------------------------------------------------- */

struct env {
	bool intel;
	bool strict;       /* compare undefined flags too */
	struct host host;
	struct fx *fx;
	struct rng g;
	unsigned cases, mismatches;
	uint8_t win[WIN] __attribute__((aligned(16))); /* window contents in */
};

/* Flags and window bytes the SDM leaves undefined for this case. Returns
 * false when the whole result is undefined (compared on Intel only). */
static bool case_mask(const struct env *e, const struct variant *v,
		      const struct hstate *in, uint64_t *undef,
		      uint16_t *skip_cc)
{
	struct dinsn d;
	cr_assert_eq(DEC_OK, decode_insn(v->code, (int)v->len, MODE_LONG64, &d),
		     "%s/%d does not decode", v->t->name, v->size);
	*undef = e->strict ? 0 : d.op->fl_undef & RF_ARITH;
	unsigned cnt = (v->t->flags & T_IB ? v->count : in->r[RCX] & 0xFF) &
		       (v->size == 8 ? 63 : 31);
	if (!e->intel) {
		if (v->t->uclass == U_SHIFT_CF && v->size <= 2 &&
		    cnt >= v->size * 8u)
			*undef |= RF_CF;
		if (v->t->uclass == U_SHXD16 && v->size == 2 && cnt > 16)
			return false;
		if (v->t->uclass == U_BSWAP16 && v->size == 2)
			return false;
	}
	*skip_cc = 0;
	for (unsigned cc = 0; cc < 16 && (v->t->flags & T_CHAIN); cc++) {
		const uint8_t *set = v->code + v->len + 4 * cc;
		cr_assert_eq(DEC_OK, decode_insn(set, 4, MODE_LONG64, &d));
		if (d.op->fl_read & *undef)
			*skip_cc |= (uint16_t)(1u << cc);
	}
	return true;
}

static void print_state(const char *what, const struct hstate *s, int vec)
{
	static const char *names[16] = {"rax", "rcx", "rdx", "rbx", "rsp",
		"rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
		"r14", "r15"};
	char line[1024];
	int n = snprintf(line, sizeof(line), "  %-6s vec=%d fl=%03llx", what,
			 vec, (unsigned long long)(s->fl & RF_ARITH));
	for (int r = 0; r < 16 && n < (int)sizeof(line); r++)
		if (r != RSP)
			n += snprintf(line + n, sizeof(line) - (size_t)n,
				      " %s=%llx", names[r],
				      (unsigned long long)s->r[r]);
	cr_log_error("%s", line);
}

static void report(struct env *e, const struct variant *v,
		   const struct hstate *in, const struct outcome *h,
		   const struct outcome *gst, const char *why)
{
	if (++e->mismatches > MAX_REPORTS)
		return;
	char hex[200];
	int n = 0;
	for (size_t i = 0; i < v->len && n < 190; i++)
		n += snprintf(hex + n, sizeof(hex) - (size_t)n, "%02x ",
			      v->code[i]);
	cr_log_error("MISMATCH %s size %d (%s): bytes %s", v->t->name, v->size,
		     why, hex);
	print_state("input", in, -1);
	print_state("host", &h->st, h->vec);
	print_state("hvsim", &gst->st, gst->vec);
}

/* Compare one case; reports and returns false on a mismatch. */
static bool compare(struct env *e, const struct variant *v,
		    const struct hstate *in, const struct outcome *h,
		    const struct outcome *gst)
{
	uint64_t undef;
	uint16_t skip_cc;
	if (!case_mask(e, v, in, &undef, &skip_cc))
		return true;
	if (h->vec != gst->vec) {
		report(e, v, in, h, gst, "exception");
		return false;
	}
	if (h->vec >= 0)
		undef = 0; /* nothing may change on a fault */
	for (int r = 0; r < 16; r++)
		if (r != RSP && h->st.r[r] != gst->st.r[r]) {
			char why[32];
			snprintf(why, sizeof(why), "register %d", r);
			report(e, v, in, h, gst, why);
			return false;
		}
	if ((h->st.fl ^ gst->st.fl) & RF_ARITH & ~undef) {
		report(e, v, in, h, gst, "flags");
		return false;
	}
	for (int i = 0; i < WIN && uses_window(v->t); i++) {
		int cc = i - WIN / 2;
		bool skip = cc >= 0 && cc < 16 && ((skip_cc >> cc) & 1);
		if (!skip && h->win[i] != gst->win[i]) {
			report(e, v, in, h, gst, "memory");
			return false;
		}
	}
	return true;
}

/* ---- the driver --------------------------------------------------------------- */

static bool host_has(enum feat f)
{
	unsigned a, b, c, d;
	switch (f) {
	case FT_POPCNT:
		return __get_cpuid(1, &a, &b, &c, &d) && (c >> 23 & 1);
	case FT_LZCNT:
		return __get_cpuid(0x80000001, &a, &b, &c, &d) && (c >> 5 & 1);
	case FT_BMI1:
		return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 3 & 1);
	default:
		return true;
	}
}

static bool host_is_intel(void)
{
	unsigned a, b, c, d;
	return __get_cpuid(0, &a, &b, &c, &d) && b == 0x756E6547 &&
	       d == 0x49656E69 && c == 0x6C65746E; /* "GenuineIntel" */
}

static void run_variant_cases(struct env *e, const struct tmpl *t, int size)
{
	uint8_t *win = e->win;
	struct variant v = {.t = t, .size = size};
	struct outcome h, gst;
	for (unsigned i = 0; i < CASES_PER_VARIANT; i++) {
		struct hstate in;
		build_variant(&v, &e->g);
		for (int r = 0; r < 16; r++)
			in.r[r] = rnd_value(&e->g);
		in.fl = rnd(&e->g) & RF_ARITH;
		for (int k = 0; k < WIN && uses_window(t); k += 8) {
			uint64_t q = rnd_value(&e->g);
			memcpy(win + k, &q, 8);
		}
		shape_inputs(&v, &in, win, &e->g);
		run_on_host(&e->host, &v, &in, win, &h);
		run_on_guest(e->fx, &v, &in, win, &gst);
		compare(e, &v, &in, &h, &gst);
		e->cases++;
	}
}

static void env_init(struct env *e, uint64_t seed)
{
	memset(e, 0, sizeof(*e));
	e->intel = host_is_intel();
	e->strict = getenv("HVSIM_DIFF_STRICT") != NULL;
	e->g.s = seed | 1;
	e->host.stub = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	e->host.win = mmap(NULL, WIN, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(MAP_FAILED, e->host.stub);
	cr_assert_neq(MAP_FAILED, e->host.win);
	struct sigaction sa = {.sa_handler = on_sigfpe};
	sigemptyset(&sa.sa_mask);
	cr_assert_eq(0, sigaction(SIGFPE, &sa, NULL));
	e->fx = fx_new(FX_LONG64);
}

static void env_fini(struct env *e)
{
	fx_free(e->fx);
	munmap(e->host.stub, 4096);
	munmap(e->host.win, WIN);
}

ParameterizedTestParameters(alu_vs_host, random_cases_match_host)
{
	return cr_make_param_array(struct tmpl, (void *)tmpls,
				   sizeof(tmpls) / sizeof(tmpls[0]));
}

ParameterizedTest(const struct tmpl *t, alu_vs_host, random_cases_match_host)
{
	if (!host_has((enum feat)t->feat))
		cr_skip_test("host lacks the feature %s needs", t->name);
	struct env e;
	/* A fixed seed per template keeps every run identical. */
	uint64_t seed = 0x9E3779B97F4A7C15ull;
	for (const char *p = t->name; *p; p++)
		seed = (seed ^ (uint8_t)*p) * 0x100000001B3ull;
	env_init(&e, seed);
	for (int size = 1; size <= 8; size *= 2)
		if (t->sizes & size)
			run_variant_cases(&e, t, size);
	cr_log_info("%s: %u cases (%s host)", t->name, e.cases,
		    e.intel ? "Intel" : "non-Intel");
	env_fini(&e);
	cr_expect_eq(0, e.mismatches, "%s: %u of %u cases differ from the host",
		     t->name, e.mismatches, e.cases);
}
