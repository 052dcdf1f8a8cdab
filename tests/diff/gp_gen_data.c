/*
 * tests/diff/gp_gen_data.c — case generators for the data-movement
 * families of the general-purpose differential test: MOV (register,
 * memory, immediate, MOVABS, moffs), MOVZX/MOVSX/MOVSXD, LEA (random
 * ModRM/SIB/displacement bytes in 64-bit mode, and 16/32-bit addressing in
 * compatibility mode), XCHG, CMOVcc/SETcc after random flags (through
 * POPF half the time), CBW/CWDE/CDQE/CWD/CDQ/CQO, LAHF/SAHF, BSWAP and the
 * flag instructions. SDM Vol. 2 for each instruction; what a case checks
 * is only that the host and hvsim agree.
 *
 * Byte-register forms get a REX (making 4-7 SPL..DIL) half the time, so
 * AH..BH and SPL..DIL are both covered; memory operands come from gp_mem.
 */
#include "tests/diff/gp_families.h"

#include <string.h>

/* ---- shared helpers ------------------------------------------------------ */

void gp_popf_first(struct gp_gen *gg)
{
	uint64_t rsp = gg->c->in.r[RSP];
	uint64_t v = (hx_rnd(gg->g) & HX_FLAGS) | RF_IF | RF_FIXED1;
	bool o16 = hx_below(gg->g, 4) == 0; /* 66 9D: the low 16 bits */
	memcpy(gg->c->win + (rsp - HX_WIN), &v, o16 ? 2 : 8);
	hx_hot(gg->c, rsp, 8);
	gg->resv_lo = rsp; /* data written later must not land on it */
	gg->resv_hi = rsp + 8;
	if (o16)
		gp_bytes(gg, "\x66", 1);
	gp_bytes(gg, "\x9D", 1); /* popfq (popf with 66) */
	gg->clobbered |= 1u << RSP;
}

uint64_t gp_any_ea(struct gp_gen *gg, unsigned len)
{
	return gp_win_addr(gg, 64, HX_WIN_SIZE - 64, len,
			   1u << hx_below(gg->g, 4));
}

/* A locked access that crosses a cache line is a split lock, which the
 * host kernel may trap and slow down (split-lock detection); keep locked
 * operands inside a 64-byte line (any alignment within it). */
uint64_t gp_lock_ea(struct gp_gen *gg, unsigned len)
{
	for (;;) {
		uint64_t ea = gp_any_ea(gg, len);
		if ((ea & 63) + len <= 64)
			return ea;
	}
}

void gp_rm_operand_at(struct gp_gen *gg, struct gp_insn *in, unsigned len,
		      uint64_t ea)
{
	in->modrm = true;
	in->reg = (uint8_t)hx_below(gg->g, 16);
	in->mem = hx_below(gg->g, 2);
	if (in->mem)
		gp_mem(gg, &in->m, ea, len, hx_below(gg->g, 4) == 0);
	else
		in->rm = (uint8_t)hx_below(gg->g, 16);
}

void gp_rm_operand(struct gp_gen *gg, struct gp_insn *in, unsigned len)
{
	gp_rm_operand_at(gg, in, len, gp_any_ea(gg, len));
}

/* Opcode bytes into an insn. */
static void set_op(struct gp_insn *in, int n, uint8_t a, uint8_t b)
{
	in->oplen = (uint8_t)n;
	in->op[0] = a;
	in->op[1] = b;
}

/* An immediate of `len` bytes (8-bit edges half the time). */
static void set_imm(struct gp_gen *gg, struct gp_insn *in, unsigned len)
{
	in->imm_len = (uint8_t)len;
	in->imm = hx_below(gg->g, 2) ? hx_rnd_value(gg->g) : hx_rnd(gg->g);
}

/* ---- MOV ----------------------------------------------------------------- */

/* A0-A3: MOV AL/rAX <-> moffs (8-byte address, 4 with 67). */
static void mov_moffs(struct gp_gen *gg, struct gp_insn *in, int size)
{
	bool a32 = hx_below(gg->g, 4) == 0;
	uint64_t ea = gp_any_ea(gg, (unsigned)size);
	if (a32)
		gp_prefix(in, 0x67);
	gp_osize(in, size);
	set_op(in, 1,
	       (uint8_t)((size == 1 ? 0xA0 : 0xA1) + 2 * hx_below(gg->g, 2)),
	       0);
	in->imm_len = a32 ? 4 : 8;
	in->imm = ea;
	hx_hot(gg->c, ea, (unsigned)size);
}

void gen_mov(struct gp_gen *gg)
{
	struct gp_insn in = {0};
	int size = gp_size(gg, 0xF);
	unsigned isz = size == 8 ? 4 : (unsigned)size;
	gg->noise = true;
	switch (hx_below(gg->g, 5)) {
	case 0: /* 88/89 E,G and 8A/8B G,E */
	case 1:
		gp_osize(&in, size);
		set_op(&in, 1,
		       (uint8_t)((size == 1 ? 0x88 : 0x89) +
				 2 * hx_below(gg->g, 2)),
		       0);
		gp_rm_operand(gg, &in, (unsigned)size);
		break;
	case 2: /* C6/C7 /0 E,imm (imm32 sign-extended with REX.W) */
		gp_osize(&in, size);
		set_op(&in, 1, size == 1 ? 0xC6 : 0xC7, 0);
		gp_rm_operand(gg, &in, (unsigned)size);
		in.reg = 0;
		set_imm(gg, &in, isz);
		break;
	case 3: /* B0+r / B8+r: imm8/16/32, and imm64 with REX.W (MOVABS) */
		gp_osize(&in, size);
		set_op(&in, 1, size == 1 ? 0xB0 : 0xB8, 0);
		in.plus_r = true;
		in.reg = (uint8_t)hx_below(gg->g, 16);
		set_imm(gg, &in, (unsigned)size);
		break;
	default:
		mov_moffs(gg, &in, size);
		break;
	}
	in.rex = size == 1 && hx_below(gg->g, 2);
	gp_emit(gg, &in);
}

/* MOVZX/MOVSX Gv,Eb/Ew (0F B6/B7/BE/BF) and MOVSXD Gv,Ed (63). */
void gen_movx(struct gp_gen *gg)
{
	static const uint8_t ops[] = {0xB6, 0xB7, 0xBE, 0xBF, 0x63};
	struct gp_insn in = {0};
	uint8_t op = ops[hx_below(gg->g, 5)];
	int size = gp_size(gg, 0xE);
	unsigned src = op == 0x63 ? (size == 2 ? 2 : 4) : (op & 1) ? 2 : 1;
	gg->noise = true;
	gp_osize(&in, size);
	if (op == 0x63)
		set_op(&in, 1, op, 0);
	else
		set_op(&in, 2, 0x0F, op);
	gp_rm_operand(gg, &in, src);
	in.rex = src == 1 && hx_below(gg->g, 2);
	gp_emit(gg, &in);
}

/* ---- LEA ----------------------------------------------------------------- */

/* Bytes after ModRM (SIB, displacement) for 16- or 32/64-bit addressing. */
static size_t modrm_tail(uint8_t modrm, uint8_t sib, bool a16)
{
	unsigned mod = modrm >> 6, rm = modrm & 7;
	if (a16)
		return mod == 1		       ? 1
		       : mod == 2	       ? 2
		       : (mod == 0 && rm == 6) ? 2
					       : 0;
	size_t n = rm == 4 ? 1 : 0;
	if (mod == 1)
		return n + 1;
	if (mod == 2)
		return n + 4;
	if (mod == 0 && (rm == 5 || (rm == 4 && (sib & 7) == 5)))
		return n + 4;
	return n;
}

/* LEA with random addressing bytes: every mod/rm/SIB/scale/REX.X/REX.B
 * form, RIP-relative, 16-bit operand size (66), 32-bit address size (67);
 * in compatibility mode 67 gives 16-bit addressing. mod == 3 is #UD. One
 * case in eight is a hint NOP (0F 19-1F) with the same random operand
 * bytes instead: decoded like LEA, no access, no effect. */
void gen_lea(struct gp_gen *gg)
{
	struct hx_rng *g = gg->g;
	struct hx_case *c = gg->c;
	bool compat = gg->compat_ok && hx_below(g, 4) == 0;
	bool p66 = hx_below(g, 4) == 0, p67 = hx_below(g, 3) == 0;
	c->win_used = false;
	if (compat) {
		c->mode = HX_COMPAT32;
		gp_set(gg, RSP, HX_WIN + 0x800); /* a #UD frame goes here */
	}
	uint8_t pfx[2] = {0x66, 0x67};
	bool swap = hx_below(g, 2);
	if (swap ? p67 : p66)
		gp_bytes(gg, &pfx[swap], 1);
	if (swap ? p66 : p67)
		gp_bytes(gg, &pfx[!swap], 1);
	if (!compat && hx_below(g, 2))
		gp_bytes(gg, &(uint8_t){(uint8_t)(0x40 | hx_below(g, 16))}, 1);
	uint8_t b[8];
	uint64_t r = hx_rnd(g);
	memcpy(b, &r, 8);
	b[0] = 0x8D;
	if (hx_below(g, 8) == 0) {
		gp_bytes(gg, "\x0F", 1);
		b[0] = (uint8_t)(0x19 + hx_below(g, 7));
	}
	if ((b[1] >> 6) == 3 && hx_below(g, 32))
		b[1] = (uint8_t)((b[1] & 0x3F) | hx_below(g, 3) << 6);
	if (!compat && hx_below(g, 6) == 0)
		b[1] = (uint8_t)((b[1] & 0x38) | 5); /* RIP-relative */
	size_t n = (b[1] >> 6) == 3 ? 0 : modrm_tail(b[1], b[2], compat && p67);
	gp_bytes(gg, b, 2 + n);
}

/* ---- XCHG, CMOVcc, SETcc ------------------------------------------------- */

void gen_xchg(struct gp_gen *gg)
{
	struct gp_insn in = {0};
	gg->noise = true;
	if (hx_below(gg->g, 3) == 0) { /* 90+r: XCHG rAX, r (90 alone: NOP) */
		int size = gp_size(gg, 0xE);
		gp_osize(&in, size);
		set_op(&in, 1, 0x90, 0);
		in.plus_r = true;
		in.reg = (uint8_t)hx_below(gg->g, 16);
		if (in.reg == 0 && size == 4 && hx_below(gg->g, 4) == 0)
			gp_prefix(&in, 0xF3); /* PAUSE */
	} else { /* 86/87 E,G; with memory, LOCK now and then */
		int size = gp_size(gg, 0xF);
		gp_osize(&in, size);
		set_op(&in, 1, size == 1 ? 0x86 : 0x87, 0);
		/* XCHG with memory is locked whether F0 is there or not */
		gp_rm_operand_at(gg, &in, (unsigned)size,
				 gp_lock_ea(gg, (unsigned)size));
		if (in.mem && hx_below(gg->g, 4) == 0)
			gp_prefix(&in, 0xF0);
		in.rex = size == 1 && hx_below(gg->g, 2);
	}
	gp_emit(gg, &in);
}

/* A stack pointer in the window, and half the time POPF from it. */
static void random_flags_by_popf(struct gp_gen *gg)
{
	gp_set(gg, RSP, gp_win_addr(gg, 512, HX_WIN_SIZE - 512, 8, 8));
	if (hx_below(gg->g, 2))
		gp_popf_first(gg);
}

void gen_cmov(struct gp_gen *gg)
{
	struct gp_insn in = {0};
	int size = gp_size(gg, 0xE);
	random_flags_by_popf(gg);
	gp_osize(&in, size);
	set_op(&in, 2, 0x0F, (uint8_t)(0x40 + hx_below(gg->g, 16)));
	gp_rm_operand(gg, &in, (unsigned)size);
	gp_emit(gg, &in);
}

/* SETcc Eb; ModRM.reg is ignored by the CPU, so it is random. */
void gen_setcc(struct gp_gen *gg)
{
	struct gp_insn in = {0};
	random_flags_by_popf(gg);
	set_op(&in, 2, 0x0F, (uint8_t)(0x90 + hx_below(gg->g, 16)));
	gp_rm_operand(gg, &in, 1);
	in.rex = hx_below(gg->g, 2);
	gp_emit(gg, &in);
}

/* ---- conversions and flag instructions ----------------------------------- */

/* One of: CBW/CWDE/CDQE, CWD/CDQ/CQO, LAHF, SAHF, BSWAP r32/r64, CMC, CLC,
 * STC, CLD, STD. */
static void one_convert(struct gp_gen *gg)
{
	static const uint8_t flag_ops[] = {0x9F, 0x9E, 0xF5, 0xF8,
					   0xF9, 0xFC, 0xFD};
	struct gp_insn in = {0};
	unsigned k = hx_below(gg->g, 4);
	if (k <= 1) {
		gp_osize(&in, gp_size(gg, 0xE));
		set_op(&in, 1, (uint8_t)(0x98 + k), 0);
	} else if (k == 2) {
		in.w = hx_below(gg->g, 2);
		set_op(&in, 2, 0x0F, 0xC8);
		in.plus_r = true;
		in.reg = (uint8_t)hx_below(gg->g, 16);
	} else {
		set_op(&in, 1, flag_ops[hx_below(gg->g, sizeof(flag_ops))], 0);
	}
	gp_emit(gg, &in);
}

void gen_convert(struct gp_gen *gg)
{
	unsigned n = 1 + hx_below(gg->g, 3);
	for (unsigned i = 0; i < n; i++)
		one_convert(gg);
}
