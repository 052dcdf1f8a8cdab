/*
 * cpu/decode.c — instruction bytes → struct dinsn, driven by the opcode
 * tables (optab.c, optab_0f.c, optab_fp.c).
 *
 * Spec: Intel SDM Vol. 2A chapter 2 (instruction format: legacy prefixes,
 * REX, opcode, ModRM, SIB, displacement, immediate; Tables 2-1..2-3 for
 * 16- and 32-bit ModRM/SIB; §2.2.1 REX and RIP-relative addressing;
 * §2.2.1.7 64-bit operand-size defaults), Vol. 3A §3.7.4 (default
 * segments), Vol. 2D Appendix A (opcode maps).
 *
 * A pipeline of scanners, each filling part of `struct scan`: prefixes →
 * opcode (and map) → row resolution (mandatory prefix, ModRM groups) →
 * ModRM/SIB → sizes and checks → displacement and immediate → dinsn.
 * Invariants: at most 15 bytes and never more than `avail` are read; a
 * missing byte gives DEC_FETCH with d->len = the exact length when it is
 * known, else 15 (the caller fetches that many, which can only touch the
 * page the instruction continues into); handlers never see bytes. Called
 * by exec.c (block decode), disasm.c and sim/cmd_disasm.c.
 */
#include <stdbool.h>
#include <string.h>

#include "cpu/dinsn.h"
#include "cpu/disasm.h"
#include "cpu/regs.h"
#include "sim/le.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "decode.c reads immediates as little-endian host integers"
#endif

#define MAX_LEN 15

#define REX_B 0x1
#define REX_X 0x2
#define REX_R 0x4
#define REX_W 0x8

/* Prefix classes: high nibble = kind, low nibble = segment for PK_SEG. */
enum {
	PK_SEG = 0x10,
	PK_OPSZ = 0x20,
	PK_ADSZ = 0x30,
	PK_LOCK = 0x40,
	PK_REP = 0x50,
	PK_REPNE = 0x60,
	PK_REX = 0x70, /* only in 64-bit mode */
};

/* clang-format off */
#define REX4(b) [b] = PK_REX, [b + 1] = PK_REX, [b + 2] = PK_REX, [b + 3] = PK_REX
static const uint8_t prefix_kind[256] = {
	[0x26] = PK_SEG | SEG_ES, [0x2E] = PK_SEG | SEG_CS,
	[0x36] = PK_SEG | SEG_SS, [0x3E] = PK_SEG | SEG_DS,
	[0x64] = PK_SEG | SEG_FS, [0x65] = PK_SEG | SEG_GS,
	[0x66] = PK_OPSZ,         [0x67] = PK_ADSZ,
	[0xF0] = PK_LOCK,         [0xF2] = PK_REPNE,
	[0xF3] = PK_REP,
	REX4(0x40), REX4(0x44), REX4(0x48), REX4(0x4C),
};
/* clang-format on */

/* 16-bit ModRM addressing (SDM Vol. 2A Table 2-1), indexed by rm. */
static const uint8_t ea16_base[8] = {RBX, RBX, RBP, RBP, RSI, RDI, RBP, RBX};
static const uint8_t ea16_index[8] = {
    RSI, RDI, RSI, RDI, INDEX_NONE, INDEX_NONE, INDEX_NONE, INDEX_NONE};

/* Decoding state shared by the scanners. */
struct scan {
	const uint8_t *b;
	int pos;   /* next byte to read */
	int limit; /* min(avail, 15) */
	int avail;
	enum cpu_mode mode;
	uint8_t rex;	/* the REX byte in effect, 0 if none */
	uint8_t segovr; /* last segment override, SEG_NONE if none */
	uint8_t mand;	/* last of F3 (2) / F2 (3), 0 if none */
	uint8_t pfx;	/* PFX_* */
	uint8_t map;	/* 0 one-byte, 1 0F, 2 0F 38, 3 0F 3A */
	uint8_t opbyte; /* last opcode byte */
	bool has_modrm;
	uint8_t modrm;
	uint8_t disp_size;
	uint16_t chain; /* F_* of every row from the map to the leaf */
	uint32_t kinds; /* bit (1 << enum opnd_kind) for each leaf operand */
	const struct opdesc *row;
};

#define KIND(k)	      (1u << (k))
/* Operand kinds that need a check once ModRM is known. */
#define CHECKED_KINDS (KIND(O_M) | KIND(O_U) | KIND(O_S) | KIND(O_D))

/* The next structural byte is missing: past 15 bytes the instruction is
 * too long; otherwise ask for up to 15 (its length is not known yet). */
static enum decode_err out_of_bytes(const struct scan *s, struct dinsn *d)
{
	if (s->pos >= MAX_LEN)
		return DEC_TOO_LONG;
	d->len = MAX_LEN;
	return DEC_FETCH;
}

/* Legacy prefixes and REX. A REX counts only directly before the opcode:
 * a legacy prefix after it cancels it. Later F2/F3 win over earlier ones,
 * and the last segment override wins. */
static inline enum decode_err scan_prefixes(struct scan *s, struct dinsn *d)
{
	bool long64 = s->mode == MODE_LONG64;
	for (;;) {
		if (s->pos >= s->limit)
			return out_of_bytes(s, d);
		uint8_t byte = s->b[s->pos];
		unsigned k = prefix_kind[byte];
		if (k == 0 || (k == PK_REX && !long64))
			return DEC_OK;
		s->pos++;
		if (k == PK_REX) {
			s->rex = byte;
			continue;
		}
		s->rex = 0;
		switch (k & 0xF0) {
		case PK_SEG:
			s->segovr = k & 0x7;
			s->pfx |= PFX_SEGOVR;
			break;
		case PK_OPSZ:
			s->pfx |= PFX_OPSZ;
			break;
		case PK_ADSZ:
			s->pfx |= PFX_ADSZ;
			break;
		case PK_LOCK:
			s->pfx |= PFX_LOCK;
			break;
		case PK_REP:
			s->mand = 2;
			s->pfx = (uint8_t)((s->pfx & ~PFX_REPNE) | PFX_REP);
			break;
		default: /* PK_REPNE */
			s->mand = 3;
			s->pfx = (uint8_t)((s->pfx & ~PFX_REP) | PFX_REPNE);
			break;
		}
	}
}

/* Opcode bytes: one-byte map, 0F xx, 0F 38 xx or 0F 3A xx. 90 with REX.B
 * is XCHG r8, rAX (the 91-97 row), not NOP. */
static inline enum decode_err scan_opcode(struct scan *s, struct dinsn *d)
{
	uint8_t op = s->b[s->pos++];
	if (op != 0x0F) {
		s->opbyte = op;
		s->row = (op == 0x90 && (s->rex & REX_B)) ? &optab_1b[0x91]
							  : &optab_1b[op];
		return DEC_OK;
	}
	if (s->pos >= s->limit)
		return out_of_bytes(s, d);
	op = s->b[s->pos++];
	if (op == 0x38 || op == 0x3A) {
		const struct opdesc *map = op == 0x38 ? optab_0f38 : optab_0f3a;
		s->map = op == 0x38 ? 2 : 3;
		if (s->pos >= s->limit)
			return out_of_bytes(s, d);
		op = s->b[s->pos++];
		s->row = &map[op];
	} else {
		s->map = 1;
		s->row = &optab_0f[op];
	}
	s->opbyte = op;
	return DEC_OK;
}

static inline enum decode_err read_modrm(struct scan *s, struct dinsn *d)
{
	if (s->has_modrm)
		return DEC_OK;
	if (s->pos >= s->limit)
		return out_of_bytes(s, d);
	s->modrm = s->b[s->pos++];
	s->has_modrm = true;
	return DEC_OK;
}

/* Index into a group's sub-table (see optab.h). */
static unsigned group_index(unsigned flags, uint8_t modrm)
{
	unsigned reg = (modrm >> 3) & 7;
	if ((modrm >> 6) != 3)
		return reg;
	if (flags & F_GROUP_RM)
		return 8 + (modrm & 0x3F);
	if (flags & F_GROUP_MOD)
		return 8 + reg;
	return reg;
}

/* Follow prefix and group rows down to the leaf row; check its validity
 * in this mode. Reads ModRM if any row on the way wants it. */
static enum decode_err resolve_row(struct scan *s, struct dinsn *d)
{
	const struct opdesc *row = s->row;
	unsigned chain = 0;
	for (int depth = 0; depth < 4; depth++) {
		chain |= row->flags;
		if (!(row->flags & (F_PREFIX | F_GROUP)))
			break;
		if (!row->sub_table)
			return DEC_UD;
		if (row->flags & F_PREFIX) {
			unsigned col = s->mand		     ? s->mand
				       : (s->pfx & PFX_OPSZ) ? 1
							     : 0;
			row = &row->sub_table[col];
			continue;
		}
		enum decode_err err = read_modrm(s, d);
		if (err != DEC_OK)
			return err;
		row = &row->sub_table[group_index(row->flags, s->modrm)];
	}
	chain |= row->flags;
	s->row = row;
	s->chain = (uint16_t)chain;
	s->kinds = KIND(row->opnd[0]) | KIND(row->opnd[1]) | KIND(row->opnd[2]);
	if (!row->fn || (row->flags & (F_INVALID | F_PREFIX | F_GROUP)))
		return DEC_UD;
	if ((chain & F_INV64) && s->mode == MODE_LONG64)
		return DEC_UD;
	if ((chain & F_ONLY64) && s->mode != MODE_LONG64)
		return DEC_UD;
	if (chain & F_MODRM)
		return read_modrm(s, d);
	return DEC_OK;
}

/* Operand size from the row's rule, the mode, 66 and REX.W. 66 is not an
 * operand-size prefix for SSE rows (it selected the row); REX.W is
 * ignored by F_NOREX_W rows. Near branches are 64-bit whatever 66 says
 * (Intel behaviour; AMD honours 66). */
static uint8_t operand_size(const struct scan *s, const struct opdesc *row)
{
	/* Bitwise, not &&: these vary per instruction and branch badly. */
	bool w = !!(s->rex & REX_W) & !(row->flags & F_NOREX_W);
	bool o16 = !!(s->pfx & PFX_OPSZ) & !(row->flags & F_SSE);
	bool long64 = s->mode == MODE_LONG64;
	unsigned def =
	    (s->mode == MODE_PROT16 || s->mode == MODE_REAL16) ? 2 : 4;
	uint8_t v = (uint8_t)(w ? 8 : o16 ? 6 - def : def);
	/* Indexed by enum size_rule: a lookup rather than a branch on the
	 * rule, which varies from one instruction to the next. */
	const uint8_t by_rule[8] = {
	    [SZ_V] = v,
	    [SZ_B] = 1,
	    [SZ_V64] = long64 ? ((o16 && !w) ? 2 : 8) : v,
	    [SZ_F64] = long64 ? 8 : v,
	    [SZ_W] = 2,
	    [SZ_D] = 4,
	    [SZ_Q] = 8,
	    [SZ_X] = 16,
	};
	return by_rule[row->size & 7];
}

static uint8_t address_size(const struct scan *s)
{
	bool a = s->pfx & PFX_ADSZ;
	switch (s->mode) {
	case MODE_LONG64:
		return a ? 4 : 8;
	case MODE_PROT32:
		return a ? 2 : 4;
	default:
		return a ? 4 : 2;
	}
}

/* 16-bit addressing: [BX+SI] ... [BX], disp16 alone for mod 0 rm 6. */
static void scan_ea16(struct scan *s, struct dinsn *d)
{
	unsigned mod = s->modrm >> 6, rm = s->modrm & 7;
	d->scale = 0;
	if (mod == 0 && rm == 6) {
		d->base = BASE_NONE;
		d->index = INDEX_NONE;
		s->disp_size = 2;
		return;
	}
	d->base = ea16_base[rm];
	d->index = ea16_index[rm];
	s->disp_size = mod == 1 ? 1 : mod == 2 ? 2 : 0;
}

/* 32/64-bit addressing with SIB. mod 0 rm 5 is RIP-relative in 64-bit
 * mode (also with 67: EIP-relative) and disp32 absolute otherwise; SIB
 * base 5 with mod 0 means no base; SIB index 4 (without REX.X) means no
 * index. The 3-bit fields decide these, whatever REX.B says. */
static enum decode_err scan_ea32(struct scan *s, struct dinsn *d)
{
	unsigned mod = s->modrm >> 6, rm = s->modrm & 7;
	unsigned rex_b = (s->rex & REX_B) ? 8 : 0;
	d->index = INDEX_NONE;
	d->scale = 0;
	static const uint8_t disp_by_mod[4] = {0, 1, 4, 0};
	s->disp_size = disp_by_mod[mod];
	if (rm == 4) {
		if (s->pos >= s->limit)
			return out_of_bytes(s, d);
		uint8_t sib = s->b[s->pos++];
		unsigned idx = ((sib >> 3) & 7) | ((s->rex & REX_X) ? 8 : 0);
		d->scale = sib >> 6;
		if (idx != 4)
			d->index = (uint8_t)idx;
		if ((sib & 7) == 5 && mod == 0) {
			d->base = BASE_NONE;
			s->disp_size = 4;
		} else {
			d->base = (uint8_t)((sib & 7) | rex_b);
		}
	} else if (rm == 5 && mod == 0) {
		d->base = s->mode == MODE_LONG64 ? BASE_RIP : BASE_NONE;
		s->disp_size = 4;
	} else {
		d->base = (uint8_t)(rm | rex_b);
	}
	return DEC_OK;
}

/* Effective segment: the default (SS for rSP/rBP bases, else DS) unless
 * overridden; in 64-bit mode only FS and GS overrides take effect. */
static uint8_t effective_segment(const struct scan *s, uint8_t base)
{
	uint8_t seg = (base == RSP || base == RBP) ? SEG_SS : SEG_DS;
	if (s->segovr == SEG_NONE)
		return seg;
	if (s->mode == MODE_LONG64 && s->segovr < SEG_FS)
		return seg;
	return s->segovr;
}

/* Checks that depend on the ModRM operands (SDM: "#UD if ..."). */
static enum decode_err check_operands(const struct scan *s, struct dinsn *d)
{
	uint32_t k = s->kinds;
	if ((k & KIND(O_M)) && d->mod == 3) /* LEA, LGDT, CMPXCHG8B, m16:x */
		return DEC_UD;
	if ((k & KIND(O_U)) && d->mod != 3) /* XMM register only */
		return DEC_UD;
	if (k & KIND(O_S)) { /* ES..GS; REX.R does not extend them */
		d->reg = (s->modrm >> 3) & 7;
		if (d->reg > SEG_GS)
			return DEC_UD;
	}
	if ((k & KIND(O_D)) && d->reg > 7) /* DR8-DR15 do not exist */
		return DEC_UD;
	return DEC_OK;
}

/* Register fields and memory addressing. Rows without ModRM get mod = 3;
 * O_Z rows get reg = rm = opcode&7 | REX.B<<3, so E-form handlers serve
 * the short register forms too. O_R rows ignore the mod field. */
static enum decode_err scan_operands(struct scan *s, struct dinsn *d)
{
	unsigned rex_b = (s->rex & REX_B) ? 8 : 0;
	d->base = BASE_NONE;
	d->index = INDEX_NONE;
	d->scale = 0;
	s->disp_size = 0;
	if (!s->has_modrm) {
		bool z = s->kinds & KIND(O_Z);
		d->reg = d->rm = z ? (uint8_t)((s->opbyte & 7) | rex_b) : 0;
		d->mod = 3;
		return (s->pfx & PFX_LOCK) ? DEC_UD : DEC_OK;
	}
	d->reg = (uint8_t)(((s->modrm >> 3) & 7) | ((s->rex & REX_R) ? 8 : 0));
	d->rm = (uint8_t)((s->modrm & 7) | rex_b);
	d->mod = (s->kinds & KIND(O_R)) ? 3 : s->modrm >> 6;
	if (d->mod != 3) {
		if (d->asize == 2) {
			scan_ea16(s, d);
		} else {
			enum decode_err err = scan_ea32(s, d);
			if (err != DEC_OK)
				return err;
		}
	}
	/* LOCK needs a row that accepts it and a memory destination. */
	if ((s->pfx & PFX_LOCK) && (!(s->row->flags & F_LOCK) || d->mod == 3))
		return DEC_UD;
	return (s->kinds & CHECKED_KINDS) ? check_operands(s, d) : DEC_OK;
}

static unsigned imm_size(unsigned kind, unsigned osize, unsigned asize)
{
	unsigned z = osize == 2 ? 2 : 4;
	const uint8_t by_kind[8] = {
	    [IMM_NONE] = 0,
	    [IMM_B] = 1,
	    [IMM_W] = 2,
	    [IMM_Z] = (uint8_t)z,
	    [IMM_V] = (uint8_t)osize,
	    [IMM_WB] = 3,
	    [IMM_O] = (uint8_t)asize,
	    [IMM_AP] = (uint8_t)(z + 2),
	};
	return by_kind[kind & 7];
}

/* Signed little-endian value of n (1, 2, 4, 8) bytes. */
static int64_t load_signed(const uint8_t *p, unsigned n)
{
	switch (n) {
	case 1:
		return (int8_t)p[0];
	case 2:
		return (int16_t)le_get16(p);
	case 4:
		return (int32_t)le_get32(p);
	default:
		return (int64_t)le_get64(p);
	}
}

/* Displacement and immediate. Their sizes are known now, so a short
 * buffer gives the exact length to fetch. */
static enum decode_err scan_tail(struct scan *s, struct dinsn *d)
{
	unsigned kind = s->row->imm;
	unsigned isz = imm_size(kind, d->osize, d->asize);
	int len = s->pos + s->disp_size + (int)isz;
	if (len > MAX_LEN)
		return DEC_TOO_LONG;
	if (len > s->avail) {
		d->len = (uint8_t)len;
		return DEC_FETCH;
	}
	const uint8_t *p = s->b + s->pos;
	d->disp = s->disp_size ? (int32_t)load_signed(p, s->disp_size) : 0;
	p += s->disp_size;
	d->imm = 0;
	d->imm2 = 0;
	switch (kind) {
	case IMM_NONE:
		break;
	case IMM_W:
		d->imm = le_get16(p);
		break;
	case IMM_WB:
		d->imm = le_get16(p);
		d->imm2 = p[2];
		break;
	case IMM_O: /* an address: zero-extended */
		d->imm = isz == 8 ? le_get64(p) : isz == 4 ? le_get32(p) : le_get16(p);
		break;
	case IMM_AP: /* offset, then the selector (kept in disp and imm2) */
		d->imm = isz == 6 ? le_get32(p) : le_get16(p);
		d->disp = le_get16(p + isz - 2);
		d->imm2 = p[isz - 2];
		break;
	default: /* IMM_B, IMM_Z, IMM_V: sign-extended */
		d->imm = (uint64_t)load_signed(p, isz);
		break;
	}
	d->len = (uint8_t)len;
	return DEC_OK;
}

enum decode_err decode_insn(const uint8_t *bytes, int avail, enum cpu_mode mode,
			    struct dinsn *d)
{
	struct scan s = {
	    .b = bytes,
	    .avail = avail,
	    .limit = avail < 0	       ? 0
		     : avail < MAX_LEN ? avail
				       : MAX_LEN,
	    .mode = mode,
	    .segovr = SEG_NONE,
	};
	enum decode_err err;
	if ((err = scan_prefixes(&s, d)) != DEC_OK ||
	    (err = scan_opcode(&s, d)) != DEC_OK ||
	    (err = resolve_row(&s, d)) != DEC_OK)
		goto fail;
	d->osize = operand_size(&s, s.row);
	d->asize = address_size(&s);
	if ((err = scan_operands(&s, d)) != DEC_OK ||
	    (err = scan_tail(&s, d)) != DEC_OK)
		goto fail;
	d->op = s.row;
	d->seg = effective_segment(&s, d->base);
	d->pfx = (uint8_t)(s.pfx | (s.rex ? PFX_REX : 0) |
			   ((s.rex & REX_W) ? PFX_REXW : 0));
	return DEC_OK;
fail:
	d->op = &optab_invalid;
	if (err == DEC_UD)
		d->len = (uint8_t)s.pos;
	else if (err == DEC_TOO_LONG)
		d->len = MAX_LEN;
	return err;
}

int decode_opcode_key(const uint8_t *b, int n, enum cpu_mode m)
{
	struct scan s = {
	    .b = b,
	    .avail = n,
	    .limit = n < 0	   ? 0
		     : n < MAX_LEN ? n
				   : MAX_LEN,
	    .mode = m,
	    .segovr = SEG_NONE,
	};
	struct dinsn d;
	if (scan_prefixes(&s, &d) != DEC_OK || scan_opcode(&s, &d) != DEC_OK)
		return -1;
	return s.map * 256 + s.opbyte;
}
