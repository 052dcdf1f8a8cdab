/*
 * tests/diff/test_decode_vs_capstone.c — our decoder (cpu/decode.c + the
 * opcode tables) against Capstone 4 on generated encodings.
 *
 * For every opcode of the one-byte, 0F, 0F 38 and 0F 3A maps, in 64-bit
 * and 32-bit mode, the generator builds encodings with random legacy
 * prefixes, REX (sometimes misplaced before a legacy prefix), ModRM, SIB,
 * displacement and immediate bytes, from a fixed seed (deterministic).
 * Where both decoders accept an encoding, length, mnemonic, the memory
 * operand (base, index, scale, displacement, FS/GS segment) and the
 * immediate (or branch target, moffs address, far pointer) must agree;
 * every other difference must be explained by an entry of the allowlist
 * in decode_known_diffs.c. A mismatch prints the bytes and both outputs.
 * Set HVSIM_DIFF_VERBOSE=1 to print every unexplained mismatch (default:
 * the first 40) and the allowlist hit counts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/disasm.h"
#include "cpu/regs.h"
#include "tests/diff/diff_scale.h"
#include "decode_diff.h"

#define PER_OPCODE 100 /* encodings per (mode, map, opcode) */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1Dull;
}

static unsigned rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(rng_next(r) % n);
}

static const uint8_t legacy_pool[] = {
    0x66, 0x66, 0x66, 0x67, 0xF2, 0xF3, 0xF3,
    0xF0, 0x2E, 0x3E, 0x26, 0x36, 0x64, 0x65,
};

static bool is_legacy_prefix(uint8_t b)
{
	return memchr(legacy_pool, b, sizeof(legacy_pool)) != NULL;
}

/* Derive what the allowlist predicates need from the bytes themselves
 * (the generated "opcode" may itself be a prefix byte): prefixes as the
 * SDM orders them, the map, the opcode and the byte after it. */
static void analyze_encoding(struct enc *e)
{
	int i = 0;
	e->lock_pos = -1;
	for (; i < e->n; i++) {
		uint8_t b = e->b[i];
		if (e->mode == MODE_LONG64 && (b & 0xF0) == 0x40) {
			e->rex = b;
			continue;
		}
		if (!is_legacy_prefix(b))
			break;
		e->rex = 0; /* a REX before a legacy prefix does not count */
		e->last_legacy = b;
		e->p66 |= b == 0x66;
		e->p67 |= b == 0x67;
		if (b == 0xF0) {
			e->lock = true;
			e->lock_pos = i;
		}
		if (b == 0xF3 || b == 0xF2)
			e->mand = b == 0xF3 ? 2 : 3;
	}
	if (e->mand == 0 && e->p66)
		e->mand = 1;
	e->op_pos = i;
	e->map = 0;
	if (e->b[i] == 0x0F) {
		i++;
		e->map = e->b[i] == 0x38 ? 2 : e->b[i] == 0x3A ? 3 : 1;
		if (e->map > 1)
			i++;
	}
	e->op = e->b[i];
	e->modrm = e->b[i + 1];
}

static void gen_encoding(struct rng *r, enum cpu_mode mode, int map, int op,
			 struct enc *e)
{
	memset(e, 0, sizeof(*e));
	e->mode = mode;
	unsigned npfx = rng_below(r, 8); /* half of them have none */
	npfx = npfx < 4 ? 0 : npfx - 3;	 /* 0..4 */
	for (unsigned i = 0; i < npfx; i++) {
		if (mode == MODE_LONG64 && rng_below(r, 16) == 0)
			e->b[e->n++] = (uint8_t)(0x40 | rng_below(r, 16));
		e->b[e->n++] = legacy_pool[rng_below(r, sizeof(legacy_pool))];
	}
	if (mode == MODE_LONG64 && rng_below(r, 2))
		e->b[e->n++] = (uint8_t)(0x40 | rng_below(r, 16));
	if (map >= 1)
		e->b[e->n++] = 0x0F;
	if (map == 2)
		e->b[e->n++] = 0x38;
	if (map == 3)
		e->b[e->n++] = 0x3A;
	e->b[e->n++] = (uint8_t)op;
	while (e->n < 28)
		e->b[e->n++] = (uint8_t)rng_next(r);
	analyze_encoding(e);
}

static void run_capstone(csh cs, const struct enc *e, struct outcome *o)
{
	cs_insn *insn = NULL;
	o->cs_ok = cs_disasm(cs, e->b, (size_t)e->n, 0x1000, 1, &insn) == 1;
	if (!o->cs_ok)
		return;
	o->cs_len = insn->size;
	snprintf(o->cs_mnem, sizeof(o->cs_mnem), "%s",
		 disasm_strip_prefixes(insn->mnemonic));
	snprintf(o->cs_text, sizeof(o->cs_text), "%s %s", insn->mnemonic,
		 insn->op_str);
	o->cs_detail = insn->detail->x86;
	cs_free(insn, 1);
}

static void run_ours(const struct enc *e, struct outcome *o)
{
	o->err = decode_insn(e->b, e->n, e->mode, &o->d);
	o->our_ok = o->err == DEC_OK;
	if (o->our_ok)
		disasm_mnemonic(&o->d, o->our_mnem, sizeof(o->our_mnem));
}

/* Register number for a Capstone register name (64/32/16-bit GPRs and
 * rip/eip), -1 for none, -2 for anything else. */
static int reg_number(csh cs, x86_reg reg)
{
	static const char *const names[16][3] = {
	    {"rax", "eax", "ax"},    {"rcx", "ecx", "cx"},
	    {"rdx", "edx", "dx"},    {"rbx", "ebx", "bx"},
	    {"rsp", "esp", "sp"},    {"rbp", "ebp", "bp"},
	    {"rsi", "esi", "si"},    {"rdi", "edi", "di"},
	    {"r8", "r8d", "r8w"},    {"r9", "r9d", "r9w"},
	    {"r10", "r10d", "r10w"}, {"r11", "r11d", "r11w"},
	    {"r12", "r12d", "r12w"}, {"r13", "r13d", "r13w"},
	    {"r14", "r14d", "r14w"}, {"r15", "r15d", "r15w"},
	};
	if (reg == X86_REG_INVALID)
		return -1;
	const char *n = cs_reg_name(cs, reg);
	if (!n)
		return -2;
	if (!strcmp(n, "rip") || !strcmp(n, "eip"))
		return BASE_RIP;
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 3; j++)
			if (!strcmp(n, names[i][j]))
				return i;
	return -2;
}

/* Compare the memory operand, if Capstone reports one and we have one. */
static bool memory_operand_agrees(csh cs, const struct outcome *o)
{
	const struct dinsn *d = &o->d;
	const cs_x86 *x = &o->cs_detail;
	if (!(d->op->flags & F_MODRM) || d->mod == 3)
		return true;
	for (int i = 0; i < x->op_count; i++) {
		if (x->operands[i].type != X86_OP_MEM)
			continue;
		const x86_op_mem *m = &x->operands[i].mem;
		int base = reg_number(cs, m->base),
		    index = reg_number(cs, m->index);
		int want_base = d->base == BASE_NONE ? -1 : d->base;
		int want_index = d->index == INDEX_NONE ? -1 : d->index;
		int64_t disp = m->disp;
		if (d->asize == 2)
			disp = (int16_t)disp;
		else if (d->asize == 4 || d->base == BASE_NONE)
			disp = (int32_t)disp;
		if (base != want_base || index != want_index || disp != d->disp)
			return false;
		if (index >= 0 && m->scale != (1 << d->scale))
			return false;
		if (m->segment == X86_REG_FS && d->seg != SEG_FS)
			return false;
		if (m->segment == X86_REG_GS && d->seg != SEG_GS)
			return false;
		return true;
	}
	return true;
}

static uint64_t low_bits(uint64_t v, unsigned bytes)
{
	return bytes >= 8 ? v : v & ((1ull << (bytes * 8)) - 1);
}

/* The n-th Capstone operand of `type`, or NULL. */
static const cs_x86_op *cs_operand(const cs_x86 *x, x86_op_type type, int n)
{
	for (int i = 0; i < x->op_count; i++)
		if (x->operands[i].type == type && n-- == 0)
			return &x->operands[i];
	return NULL;
}

/* Compare immediates, branch targets and moffs addresses. Sizes follow
 * the encoding; Capstone's sign-extension conventions are masked away. */
static bool immediate_agrees(const struct outcome *o)
{
	const struct dinsn *d = &o->d;
	const cs_x86 *x = &o->cs_detail;
	const cs_x86_op *imm = cs_operand(x, X86_OP_IMM, 0);
	unsigned osz = d->osize > 8 ? 8 : d->osize;
	switch (d->op->imm) {
	case IMM_NONE:
		return true;
	case IMM_O: {
		const cs_x86_op *m = cs_operand(x, X86_OP_MEM, 0);
		return m && low_bits((uint64_t)m->mem.disp, d->asize) ==
				low_bits(d->imm, d->asize);
	}
	case IMM_AP: /* Capstone: selector, offset */
		return imm && (uint64_t)imm->imm == (uint16_t)d->disp &&
		       cs_operand(x, X86_OP_IMM, 1) &&
		       (uint64_t)cs_operand(x, X86_OP_IMM, 1)->imm == d->imm;
	case IMM_WB: /* ENTER imm16, imm8 (Capstone sign-extends both) */
		return imm && low_bits((uint64_t)imm->imm, 2) == d->imm &&
		       cs_operand(x, X86_OP_IMM, 1) &&
		       low_bits((uint64_t)cs_operand(x, X86_OP_IMM, 1)->imm,
				1) == d->imm2;
	default:
		break;
	}
	if (!imm)
		return false;
	if (d->op->opnd[0] == O_J) {
		uint64_t target = 0x1000 + d->len + d->imm;
		return low_bits((uint64_t)imm->imm, osz) ==
		       low_bits(target, osz);
	}
	unsigned isz = d->op->imm == IMM_B   ? 1
		       : d->op->imm == IMM_W ? 2
		       : d->op->imm == IMM_Z ? (osz == 2 ? 2 : 4)
					     : osz;
	return low_bits((uint64_t)imm->imm, isz) == low_bits(d->imm, isz);
}

static enum diff_kind classify(csh cs, const struct outcome *o)
{
	if (o->cs_ok && !o->our_ok)
		return o->err == DEC_UD || o->err == DEC_TOO_LONG ? D_WE_REJECT
								  : D_LENGTH;
	if (!o->cs_ok && o->our_ok)
		return D_CS_REJECTS;
	if (!o->cs_ok)
		return D_NONE;
	if (o->cs_len != o->d.len)
		return D_LENGTH;
	if (strcmp(o->cs_mnem, o->our_mnem) != 0)
		return D_MNEMONIC;
	if (!memory_operand_agrees(cs, o) || !immediate_agrees(o))
		return D_OPERAND;
	return D_NONE;
}

static const char *kind_name(enum diff_kind k)
{
	switch (k) {
	case D_WE_REJECT:
		return "we reject, capstone accepts";
	case D_CS_REJECTS:
		return "we accept, capstone rejects";
	case D_LENGTH:
		return "length differs";
	case D_MNEMONIC:
		return "mnemonic differs";
	case D_OPERAND:
		return "operand (memory or immediate) differs";
	default:
		return "none";
	}
}

static void print_mismatch(enum diff_kind k, const struct enc *e,
			   const struct outcome *o)
{
	char hex[100];
	for (int i = 0; i < 16 && i < e->n; i++)
		snprintf(hex + 3 * i, sizeof(hex) - 3 * (size_t)i, "%02x ",
			 e->b[i]);
	const struct dinsn *d = &o->d;
	fprintf(stderr,
		"%s-bit %s: %s\n  capstone: %s (len %d)\n"
		"  ours:     %s (err %d, len %d, osize %d, asize %d, "
		"base %d, index %d, scale %d, disp %d, seg %d)\n",
		e->mode == MODE_LONG64 ? "64" : "32", kind_name(k), hex,
		o->cs_ok ? o->cs_text : "(bad)", o->cs_ok ? o->cs_len : 0,
		o->our_ok ? o->our_mnem : "(bad)", (int)o->err, d->len,
		d->osize, d->asize, d->base, d->index, d->scale, d->disp,
		d->seg);
}

struct tally {
	unsigned long total, both, agreed, explained, unexplained;
	unsigned long hits[256];
};

static void check_one(csh cs, const struct enc *e, struct tally *t,
		      bool verbose)
{
	struct outcome o;
	memset(&o, 0, sizeof(o));
	run_capstone(cs, e, &o);
	run_ours(e, &o);
	t->total++;
	t->both += o.cs_ok && o.our_ok;
	enum diff_kind k = classify(cs, &o);
	if (k == D_NONE) {
		t->agreed++;
		return;
	}
	for (int i = 0; i < n_known_diffs; i++) {
		if (known_diff_matches(&known_diffs[i], k, e, &o)) {
			t->explained++;
			t->hits[i]++;
			return;
		}
	}
	if (verbose || t->unexplained < 40)
		print_mismatch(k, e, &o);
	t->unexplained++;
}

static void run_mode(enum cpu_mode mode, uint64_t seed)
{
	csh cs;
	cr_assert_eq(cs_open(CS_ARCH_X86,
			     mode == MODE_LONG64 ? CS_MODE_64 : CS_MODE_32,
			     &cs),
		     CS_ERR_OK);
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	bool verbose = getenv("HVSIM_DIFF_VERBOSE") != NULL;
	struct rng r = {seed};
	struct tally t;
	int per_opcode = PER_OPCODE * (int)diff_case_scale(); /* x100: long */
	memset(&t, 0, sizeof(t));
	for (int map = 0; map < 4; map++)
		for (int op = 0; op < 256; op++)
			for (int k = 0; k < per_opcode; k++) {
				struct enc e;
				gen_encoding(&r, mode, map, op, &e);
				check_one(cs, &e, &t, verbose);
			}
	cs_close(&cs);
	fprintf(stderr,
		"%s-bit: %lu encodings, %lu decoded by both, %lu agree, "
		"%lu explained by the allowlist, %lu unexplained\n",
		mode == MODE_LONG64 ? "64" : "32", t.total, t.both, t.agreed,
		t.explained, t.unexplained);
	if (verbose)
		for (int i = 0; i < n_known_diffs; i++)
			fprintf(stderr, "  %7lu  %s\n", t.hits[i],
				known_diffs[i].reason);
	cr_expect_geq(t.total, 100000ul);
	cr_expect_geq(t.both, 20000ul, "too few encodings decoded by both");
	cr_expect_eq(t.unexplained, 0ul,
		     "%lu encodings differ from Capstone without an "
		     "allowlist entry (see stderr)",
		     t.unexplained);
}

Test(decode_vs_capstone, long_mode_encodings_agree, .timeout = 600)
{
	run_mode(MODE_LONG64, 0x9E3779B97F4A7C15ull);
}

Test(decode_vs_capstone, protected_mode_encodings_agree, .timeout = 600)
{
	run_mode(MODE_PROT32, 0xD1B54A32D192ED03ull);
}
