/*
 * tests/diff/gp_gen_flow.c — case generators for the families of the
 * general-purpose differential test that move the stack pointer, loop or
 * branch: PUSH/POP (register, immediate, memory — with RSP-based
 * addresses, whose POP form uses RSP after the increment), PUSHF/POPF,
 * ENTER/LEAVE; CMPXCHG/XADD/CMPXCHG8B/CMPXCHG16B on memory; the string
 * instructions with and without REP/REPE/REPNE, DF 0/1, every element
 * size and 32-bit address size; Jcc/JMP/LOOPcc/JrCXZ/CALL/RET and
 * indirect branches; DIV/IDIV with zero divisors and overflowing
 * quotients. SDM Vol. 2 for each instruction.
 *
 * Invariant: every address the code can touch lies in the data window.
 * An instruction that loads RSP or RBP from data (POP RSP, LEAVE, ENTER)
 * ends its sequence, and a register written by one instruction never
 * addresses memory in a later one (gp_gen.clobbered).
 */
#include "tests/diff/gp_families.h"

#include <string.h>

static void set_op(struct gp_insn *in, int n, uint8_t a, uint8_t b)
{
	in->oplen = (uint8_t)n;
	in->op[0] = a;
	in->op[1] = b;
}

/* ---- the stack ----------------------------------------------------------- */

enum stack_op {
	S_PUSH_R,
	S_POP_R,
	S_PUSH_I,
	S_PUSH_M,
	S_POP_M,
	S_PUSHF,
	S_LEAVE,
	S_ENTER,
	S_N
};

/* Emit one stack instruction; returns false if it ends the sequence. */
static bool one_stack_op(struct gp_gen *gg, enum stack_op k)
{
	struct gp_insn in = {0};
	struct hx_rng *g = gg->g;
	bool o16 = hx_below(g, 4) == 0, last = false;
	if (o16)
		gp_prefix(&in, 0x66);
	switch (k) {
	case S_PUSH_R:
	case S_POP_R:
		set_op(&in, 1, k == S_PUSH_R ? 0x50 : 0x58, 0);
		in.plus_r = true;
		in.reg = (uint8_t)hx_below(g, 16);
		if (k == S_POP_R) {
			gg->clobbered |= (uint16_t)(1u << in.reg);
			last = in.reg == RSP;
		}
		break;
	case S_PUSH_I:
		set_op(&in, 1, hx_below(g, 2) ? 0x6A : 0x68, 0);
		in.imm_len = in.op[0] == 0x6A ? 1 : o16 ? 2 : 4;
		in.imm = hx_rnd_value(g);
		break;
	case S_PUSH_M:
	case S_POP_M:
		set_op(&in, 1, k == S_PUSH_M ? 0xFF : 0x8F, 0);
		gp_rm_operand(gg, &in, o16 ? 2 : 8);
		in.reg = k == S_PUSH_M ? 6 : 0;
		if (k == S_POP_M && !in.mem) {
			gg->clobbered |= (uint16_t)(1u << in.rm);
			last = in.rm == RSP;
		}
		break;
	case S_PUSHF:
		set_op(&in, 1, 0x9C, 0);
		break;
	case S_LEAVE:
		set_op(&in, 1, 0xC9, 0);
		last = true;
		break;
	default: /* ENTER size, level (levels >= 32 wrap) */
		/* The size keeps the final RSP in the window: ENTER probes a
		 * write there (#PF on the host, where only the window is
		 * mapped; the guest maps all of its RAM). */
		set_op(&in, 1, 0xC8, 0);
		in.imm_len = 3;
		in.imm = hx_below(g, 1024) |
			 (uint64_t)(hx_below(g, 4) ? hx_below(g, 8)
						   : hx_below(g, 256))
			     << 16;
		last = true;
		break;
	}
	gp_emit(gg, &in);
	return !last;
}

void gen_stack(struct gp_gen *gg)
{
	struct hx_rng *g = gg->g;
	uint64_t rsp =
	    gp_win_addr(gg, 1536, HX_WIN_SIZE - 512, 8, hx_below(g, 4) ? 8 : 1);
	gp_set(gg, RSP, rsp);
	gp_set(
	    gg, RBP,
	    gp_win_addr(gg, 768, HX_WIN_SIZE - 256, 8, hx_below(g, 2) ? 8 : 2));
	hx_hot(gg->c, rsp - 288, 320);
	hx_hot(gg->c, gg->c->in.r[RBP] - 256, 264);
	if (hx_below(g, 4) == 0) /* POPF only first: see gp_popf_first */
		gp_popf_first(gg);
	unsigned n = 1 + hx_below(g, 4);
	for (unsigned i = 0; i < n; i++) {
		enum stack_op k = (enum stack_op)hx_below(g, S_N);
		if ((k == S_LEAVE || k == S_ENTER) &&
		    ((gg->clobbered >> RBP) & 1))
			k = S_PUSHF; /* they address memory through RBP */
		if (!one_stack_op(gg, k))
			break;
	}
}

/* ---- CMPXCHG / XADD on memory -------------------------------------------- */

/* CMPXCHG8B / CMPXCHG16B [mem]: EDX:EAX (RDX:RAX) equal to memory half the
 * time; CMPXCHG16B at a misaligned address is #GP(0). */
static void gen_cmpxchg_wide(struct gp_gen *gg, struct gp_insn *in, bool lock)
{
	struct hx_rng *g = gg->g;
	bool wide = hx_below(g, 2);
	unsigned len = wide ? 16 : 8;
	uint64_t ea = gp_win_addr(gg, 64, HX_WIN_SIZE - 64, len,
				  hx_below(g, 4) ? len : 1u << hx_below(g, 4));
	if (lock && !wide)
		ea = gp_lock_ea(gg, len);
	set_op(in, 2, 0x0F, 0xC7);
	in->w = wide;
	in->modrm = in->mem = true;
	in->reg = 1;
	if (hx_below(g, 2)) {
		uint64_t lo, hi;
		memcpy(&lo, gg->c->win + (ea - HX_WIN), 8);
		memcpy(&hi, gg->c->win + (ea - HX_WIN) + 8, 8);
		gp_set(gg, RAX, wide ? lo : (hx_rnd(g) << 32) | (uint32_t)lo);
		gp_set(gg, RDX, wide ? hi : (hx_rnd(g) << 32) | lo >> 32);
	} else {
		gg->fixed |= 1u << RAX | 1u << RDX;
	}
	gg->fixed |= 1u << RBX | 1u << RCX;
	gp_mem(gg, &in->m, ea, len, hx_below(g, 4) == 0);
}

void gen_atomic(struct gp_gen *gg)
{
	struct hx_rng *g = gg->g;
	struct gp_insn in = {0};
	bool lock = hx_below(g, 2);
	if (hx_below(g, 4) == 0) {
		gen_cmpxchg_wide(gg, &in, lock);
	} else {
		int size = gp_size(gg, 0xF);
		bool cmpx = hx_below(g, 2);
		uint64_t ea = lock ? gp_lock_ea(gg, (unsigned)size)
				   : gp_any_ea(gg, (unsigned)size);
		uint64_t cur;
		memcpy(&cur, gg->c->win + (ea - HX_WIN), 8);
		if (cmpx && hx_below(g, 2)) /* the compare succeeds */
			gp_set(gg, RAX,
			       (hx_rnd(g) & ~size_mask(size)) |
				   (cur & size_mask(size)));
		gp_osize(&in, size);
		set_op(&in, 2, 0x0F,
		       (uint8_t)((cmpx ? 0xB0 : 0xC0) + (size > 1)));
		in.modrm = in.mem = true;
		in.reg = (uint8_t)hx_below(g, 16);
		gp_mem(gg, &in.m, ea, (unsigned)size, hx_below(g, 4) == 0);
		in.rex = size == 1 && hx_below(g, 2);
	}
	if (lock)
		gp_prefix(&in, 0xF0);
	gp_emit(gg, &in);
}

/* ---- string instructions ------------------------------------------------- */

#define STR_MAX 48 /* elements a REP case moves at most */

/* A start address for `n` elements of `size` walking up (DF=0) or down. */
static uint64_t str_start(struct gp_gen *gg, bool down, unsigned size)
{
	unsigned span = STR_MAX * 8;
	return down ? gp_win_addr(gg, 128 + span, HX_WIN_SIZE - 128, size, 1)
		    : gp_win_addr(gg, 128, HX_WIN_SIZE - 128 - span, size, 1);
}

/* Data that makes REPE/REPNE stop somewhere inside: for CMPS the
 * destination copies the source with a few changes, for SCAS the
 * accumulator's element is planted (or the region is made of it). */
static void str_shape_data(struct gp_gen *gg, uint8_t op, unsigned size,
			   bool down)
{
	struct hx_case *c = gg->c;
	struct hx_rng *g = gg->g;
	unsigned span = STR_MAX * size;
	uint64_t si = (uint32_t)c->in.r[RSI], di = (uint32_t)c->in.r[RDI];
	uint8_t *src = c->win + (down ? si + size - span : si) - HX_WIN;
	uint8_t *dst = c->win + (down ? di + size - span : di) - HX_WIN;
	if ((op & 0xFE) == 0xA6) {
		memmove(dst, src, span);
	} else if ((op & 0xFE) == 0xAE && hx_below(g, 2)) {
		for (unsigned i = 0; i < span; i += size)
			memcpy(dst + i, &c->in.r[RAX], size);
	}
	for (unsigned k = hx_below(g, 3); k > 0; k--) {
		unsigned i = hx_below(g, STR_MAX) * size;
		if ((op & 0xFE) == 0xAE && hx_below(g, 2))
			memcpy(dst + i, &c->in.r[RAX], size);
		else
			dst[i + hx_below(g, size)] ^=
			    (uint8_t)(1 + hx_below(g, 255));
	}
}

void gen_string(struct gp_gen *gg)
{
	static const uint8_t ops[] = {0xA4, 0xAA, 0xAC, 0xA6, 0xAE};
	struct hx_rng *g = gg->g;
	struct hx_case *c = gg->c;
	struct gp_insn in = {0};
	uint8_t op = ops[hx_below(g, 5)];
	int size = gp_size(gg, 0xF);
	bool down = hx_below(g, 2), a32 = hx_below(g, 4) == 0;
	bool cmp = op == 0xA6 || op == 0xAE;
	unsigned rep = hx_below(g, cmp ? 3 : 2); /* 0, F3, F2 */
	c->in.fl = (c->in.fl & ~RF_DF) | (down ? RF_DF : 0);
	uint64_t upper = a32 ? hx_rnd(g) << 32 : 0;
	uint64_t si = str_start(gg, down, (unsigned)size);
	uint64_t di = hx_below(g, 4) ? str_start(gg, down, (unsigned)size)
				     : si + hx_below(g, 17) - 8; /* overlap */
	gp_set(gg, RSI, upper | si);
	gp_set(gg, RDI, (a32 ? hx_rnd(g) << 32 : 0) | di);
	uint64_t cnt =
	    hx_below(g, 8) == 0 ? hx_below(g, 2) : hx_below(g, STR_MAX + 1);
	gp_set(gg, RCX, rep ? (a32 ? hx_rnd(g) << 32 : 0) | cnt : hx_rnd(g));
	/* REP with 32-bit address size and ECX = 0: the SDM's pseudocode
	 * writes no register, while Intel's microcode zero-extends ECX and
	 * (MOVS: ESI and EDI, STOS: EDI) anyway, which hvsim follows
	 * (cpu/ops_string.c). Elsewhere the upper halves are
	 * implementation-specific, so only the low halves are compared. */
	if (rep && a32 && cnt == 0 && !gg->intel)
		gg->low32 = 1u << RCX | 1u << RSI | 1u << RDI;
	str_shape_data(gg, op, (unsigned)size, down);
	unsigned span = STR_MAX * (unsigned)size;
	hx_hot(c, down ? si + (unsigned)size - span : si, span);
	hx_hot(c, down ? di + (unsigned)size - span : di, span);
	gg->noise = true;
	if (a32)
		gp_prefix(&in, 0x67);
	if (rep)
		gp_prefix(&in, rep == 1 ? 0xF3 : 0xF2);
	gp_osize(&in, size);
	set_op(&in, 1, (uint8_t)(op + (size > 1)), 0);
	gp_emit(gg, &in);
}

/* ---- branches ------------------------------------------------------------ */

/* lea r, [r + 1]: 4 bytes that count the path taken, flags untouched
 * (r is never RSP/R12, which would need a SIB). */
static void count(struct gp_gen *gg, int r)
{
	uint8_t b[4] = {(uint8_t)(0x48 | (r >= 8 ? 5 : 0)), 0x8D,
			(uint8_t)(0x40 | (r & 7) << 3 | (r & 7)), 1};
	gp_bytes(gg, b, 4);
}

/* A conditional, unconditional or LOOPcc/JrCXZ branch forward over k
 * counters, then a counter that runs on both paths. */
static void branch_forward(struct gp_gen *gg)
{
	struct hx_rng *g = gg->g;
	unsigned k = hx_below(g, 4), kind = hx_below(g, 5);
	int8_t skip = (int8_t)(4 * k);
	if (hx_below(g, 8) == 0)
		gp_bytes(gg, hx_below(g, 2) ? "\x2E" : "\x3E", 1); /* hints */
	if (kind == 0 || kind == 1) { /* Jcc rel8 / JMP rel8 */
		uint8_t b[2] = {kind ? 0xEB : (uint8_t)(0x70 + hx_below(g, 16)),
				(uint8_t)skip};
		gp_bytes(gg, b, 2);
	} else if (kind == 2 || kind == 3) { /* Jcc rel32 / JMP rel32 */
		if (gg->intel && hx_below(g, 8) == 0)
			gp_bytes(gg, "\x66", 1); /* ignored by Intel */
		int32_t rel = skip;
		uint8_t b[6] = {0x0F, (uint8_t)(0x80 + hx_below(g, 16))};
		if (kind == 3) { /* E9 rel32 */
			b[0] = 0xE9;
			memcpy(b + 1, &rel, 4);
			gp_bytes(gg, b, 5);
		} else {
			memcpy(b + 2, &rel, 4);
			gp_bytes(gg, b, 6);
		}
	} else { /* LOOPNE/LOOPE/LOOP/JrCXZ, ECX with 67 */
		static const uint64_t counts[] = {0, 1, 2, 0x100000000ull,
						  0x100000001ull};
		if (hx_below(g, 3) == 0)
			gp_bytes(gg, "\x67", 1);
		uint64_t rcx =
		    hx_below(g, 2) ? counts[hx_below(g, 5)] : hx_rnd_value(g);
		gp_set(gg, RCX, rcx);
		uint8_t b[2] = {(uint8_t)(0xE0 + hx_below(g, 4)),
				(uint8_t)skip};
		gp_bytes(gg, b, 2);
	}
	for (unsigned i = 0; i < k; i++)
		count(gg, RAX);
	count(gg, RDX);
}

/* A loop back to a counter: LOOPcc (RCX or ECX 1..20), or DEC EBX + JNZ
 * rel8/rel32 (EBX 1..20). */
static void branch_backward(struct gp_gen *gg)
{
	struct hx_rng *g = gg->g;
	uint64_t n = 1 + hx_below(g, 20);
	if (hx_below(g, 2)) {
		bool a32 = hx_below(g, 2);
		gp_set(gg, RCX, a32 ? (hx_rnd(g) << 32) | n : n);
		count(gg, RAX);
		if (a32)
			gp_bytes(gg, "\x67", 1);
		uint8_t b[2] = {(uint8_t)(0xE0 + hx_below(g, 3)),
				(uint8_t)(int8_t)(a32 ? -7 : -6)};
		gp_bytes(gg, b, 2);
		return;
	}
	gp_set(gg, RBX, (hx_rnd(g) << 32) | n);
	count(gg, RAX);
	gp_bytes(gg, "\xFF\xCB", 2); /* dec ebx */
	if (hx_below(g, 2)) {
		gp_bytes(gg, "\x75\xF8", 2); /* jnz -8 */
	} else {
		int32_t rel = -12;
		gp_bytes(gg, "\x0F\x85", 2);
		gp_bytes(gg, &rel, 4);
	}
}

/* CALL rel32 to a function that counts and returns (RET or RET imm16),
 * or CALL +0 / POP r (the return address into a register). */
static void branch_call(struct gp_gen *gg)
{
	struct hx_rng *g = gg->g;
	if (hx_below(g, 3) == 0) {
		gp_bytes(gg, "\xE8\x00\x00\x00\x00", 5);
		struct gp_insn in = {.oplen = 1, .op = {0x58}, .plus_r = true};
		in.reg = (uint8_t)gp_free_reg(gg, 1u << RSP);
		gp_emit(gg, &in);
		return;
	}
	bool imm = hx_below(g, 2);
	uint8_t body = imm ? 7 : 5;
	gp_bytes(gg, "\xE8\x06\x00\x00\x00", 5); /* call F */
	count(gg, RAX);
	gp_bytes(gg, (uint8_t[]){0xEB, body}, 2); /* jmp END */
	count(gg, RCX);				  /* F: */
	if (imm) {
		uint16_t n =
		    (uint16_t)(hx_below(g, 2) ? 8 * hx_below(g, 8) : hx_rnd(g));
		gp_bytes(gg, "\xC2", 1);
		gp_bytes(gg, &n, 2);
	} else {
		gp_bytes(gg, "\xC3", 1);
	}
	count(gg, RDX); /* END: */
}

/* JMP/CALL r/m64 (FF /4, FF /2) through a register or a memory operand
 * that holds the target. */
static void branch_indirect(struct gp_gen *gg)
{
	struct hx_rng *g = gg->g;
	bool call = hx_below(g, 2);
	struct gp_insn in = {.oplen = 1, .op = {0xFF}, .modrm = true};
	in.reg = call ? 2 : 4;
	in.mem = hx_below(g, 2);
	if (in.mem)
		gp_mem(gg, &in.m, gp_any_ea(gg, 8), 8, hx_below(g, 4) == 0);
	else
		in.rm = (uint8_t)gp_free_reg(gg, 1u << RSP);
	gp_emit(gg, &in);
	if (call) { /* returns to: count; jmp END */
		count(gg, RAX);
		gp_bytes(gg, (uint8_t[]){0xEB, 5}, 2);
	} else {
		count(gg, RAX);
	}
	uint64_t target = HX_CODE + gg->c->len;
	count(gg, RCX);
	if (call)
		gp_bytes(gg, "\xC3", 1);
	count(gg, RDX);
	if (in.mem)
		memcpy(gg->c->win + (in.m.ea - HX_WIN), &target, 8);
	else
		gp_set(gg, in.rm, target);
}

void gen_branch(struct gp_gen *gg)
{
	struct hx_rng *g = gg->g;
	gp_set(gg, RSP,
	       gp_win_addr(gg, 1024, HX_WIN_SIZE - 1024, 8,
			   hx_below(g, 4) ? 8 : 1));
	hx_hot(gg->c, gg->c->in.r[RSP] - 16, 24);
	if (hx_below(g, 4) == 0)
		gp_popf_first(gg);
	switch (hx_below(g, 6)) {
	case 0:
	case 1:
		branch_forward(gg);
		break;
	case 2:
		branch_backward(gg);
		break;
	case 3:
	case 4:
		branch_call(gg);
		break;
	default:
		branch_indirect(gg);
		break;
	}
}

/* ---- DIV / IDIV faults --------------------------------------------------- */

struct div_in {
	uint64_t hi, lo, d; /* dividend hi:lo (AH:AL for bytes), divisor */
};

/* A third zero divisors, a third overflowing quotients (for IDIV also
 * INT_MIN / -1), a third valid divisions near the edges. */
static void div_inputs(struct hx_rng *g, int size, bool idiv, struct div_in *v)
{
	uint64_t m = size_mask(size), top = 1ull << (size * 8 - 1);
	v->lo = hx_rnd_value(g) & m;
	v->hi = hx_rnd_value(g) & m;
	v->d = hx_rnd_value(g) & m;
	if (v->d == 0)
		v->d = 1 + hx_below(g, 16);
	switch (hx_below(g, 3)) {
	case 0:
		v->d = 0;
		break;
	case 1:
		if (idiv && hx_below(g, 2)) { /* INT_MIN / -1 */
			v->lo = top;
			v->hi = m;
			v->d = m;
		} else if (idiv) { /* a large positive dividend, small divisor
				    */
			v->hi = (top >> 1) | (v->hi & (top >> 2));
			v->d = 1 + hx_below(g, 15);
		} else if (v->hi < v->d) { /* hi >= divisor: overflow */
			uint64_t t = v->hi;
			v->hi = v->d;
			v->d = t ? t : 1;
		}
		break;
	default:
		if (idiv)
			v->hi = (v->lo & top) ? m : 0;
		else
			v->hi %= v->d;
		break;
	}
}

void gen_divfault(struct gp_gen *gg)
{
	struct hx_rng *g = gg->g;
	struct gp_insn in = {0};
	int size = gp_size(gg, 0xF);
	bool idiv = hx_below(g, 2);
	struct div_in v;
	div_inputs(g, size, idiv, &v);
	uint64_t m = size_mask(size);
	struct hx_state *s = &gg->c->in;
	if (size == 1) {
		gp_set(gg, RAX, (s->r[RAX] & ~0xFFFFull) | v.hi << 8 | v.lo);
	} else {
		gp_set(gg, RAX, (s->r[RAX] & ~m) | v.lo);
		gp_set(gg, RDX, (s->r[RDX] & ~m) | v.hi);
	}
	gp_osize(&in, size);
	in.oplen = 1;
	in.op[0] = size == 1 ? 0xF6 : 0xF7;
	in.modrm = true;
	in.reg = idiv ? 7 : 6;
	in.rex = size == 1; /* r/m 4-7 are SPL..DIL, not AH (the dividend) */
	in.mem = hx_below(g, 2);
	if (in.mem) {
		uint64_t ea = gp_any_ea(gg, (unsigned)size);
		gp_mem(gg, &in.m, ea, (unsigned)size, hx_below(g, 4) == 0);
		memcpy(gg->c->win + (ea - HX_WIN), &v.d, (size_t)size);
	} else {
		in.rm = (uint8_t)gp_free_reg(gg, 1u << RSP);
		gp_set(gg, in.rm, (s->r[in.rm] & ~m) | v.d);
	}
	gp_emit(gg, &in);
}
