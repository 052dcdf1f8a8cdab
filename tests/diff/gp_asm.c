/*
 * tests/diff/gp_asm.c — the general-purpose test's assembler (gp_asm.h).
 *
 * Encodings follow the SDM Vol. 2A §2.1-2.2: legacy prefixes, then REX
 * (W R X B), opcode, ModRM, SIB, displacement, immediate. A memory operand
 * is chosen first as a form (which registers, which displacement size),
 * then the value of its free base (or index) register is solved so that
 * base + index * scale + disp, wrapped to the address size, is the target
 * address. Everything random comes from the case's generator, so a case is
 * a function of the seed.
 */
#include "tests/diff/gp_asm.h"

#include <string.h>

void gp_start(struct gp_gen *gg, struct hx_case *c, struct hx_rng *g,
	      enum hx_mode mode)
{
	gg->c = c;
	gg->g = g;
	gg->fixed = 0;
	gg->clobbered = 0;
	gg->low32 = 0;
	gg->resv_lo = gg->resv_hi = 0;
	gg->noise = false;
	c->mode = mode;
	c->len = 0;
	c->win_used = true;
	c->hot_lo = c->hot_hi = 0;
	for (int r = 0; r < 16; r++)
		c->in.r[r] = hx_rnd_value(g);
	c->in.fl = hx_rnd(g) & HX_FLAGS;
	gp_fill_window(gg);
}

void gp_fill_window(struct gp_gen *gg)
{
	for (unsigned k = 0; k < HX_WIN_SIZE; k += 8) {
		uint64_t q = hx_rnd_value(gg->g);
		memcpy(gg->c->win + k, &q, 8);
	}
}

void gp_set(struct gp_gen *gg, int r, uint64_t v)
{
	gg->c->in.r[r] = v;
	gg->fixed |= (uint16_t)(1u << r);
}

int gp_free_reg(struct gp_gen *gg, uint16_t avoid)
{
	uint16_t busy = gg->fixed | avoid;
	if (busy == 0xFFFF)
		return -1;
	for (;;) {
		int r = (int)hx_below(gg->g, 16);
		if (!((busy >> r) & 1))
			return r;
	}
}

uint64_t gp_win_addr(struct gp_gen *gg, unsigned lo, unsigned hi, unsigned len,
		     unsigned align)
{
	for (;;) {
		unsigned span = hi - lo - len;
		unsigned off = lo + hx_below(gg->g, span + 1);
		off &= ~(align - 1);
		if (off < lo)
			off += align;
		uint64_t a = HX_WIN + off;
		if (a + len <= gg->resv_lo || a >= gg->resv_hi)
			return a;
	}
}

int gp_size(struct gp_gen *gg, unsigned sizes)
{
	for (;;) {
		int s = 1 << hx_below(gg->g, 4);
		if (sizes & (unsigned)s)
			return s;
	}
}

void gp_prefix(struct gp_insn *in, uint8_t b)
{
	in->pfx[in->npfx++] = b;
}

void gp_osize(struct gp_insn *in, int size)
{
	if (size == 2)
		gp_prefix(in, 0x66);
	in->w = size == 8;
}

/* ---- memory operands ----------------------------------------------------- */

static bool fits8(int64_t v)
{
	return v >= -128 && v <= 127;
}

/* The displacement size a (base, disp) pair needs: RBP/R13 as a base
 * cannot go without one (mod 00 means something else there). */
static uint8_t disp_len_for(int64_t disp, int base)
{
	if (disp == 0 && (base & 7) != 5)
		return 0;
	return fits8(disp) ? 1 : 4;
}

/* Encode mod/rm/SIB for the chosen form. */
static void encode_mem(struct gp_mem *m, int base, int index, int scale)
{
	m->mod = m->disp_len == 0 ? 0 : m->disp_len == 1 ? 1 : 2;
	m->rex_xb = 0;
	if (m->rip) {
		m->mod = 0;
		m->rm = 5;
		m->has_sib = false;
		return;
	}
	bool sib = index >= 0 || base < 0 || (base & 7) == 4;
	m->has_sib = sib;
	if (!sib) {
		m->rm = (uint8_t)(base & 7);
		m->rex_xb = base >= 8 ? 1 : 0;
		return;
	}
	m->rm = 4;
	uint8_t sb = base < 0 ? 5 : (uint8_t)(base & 7);
	uint8_t sx = index < 0 ? 4 : (uint8_t)(index & 7);
	if (base < 0)
		m->mod = 0; /* no base: disp32 */
	m->sib = (uint8_t)(scale << 6 | sx << 3 | sb);
	m->rex_xb = (uint8_t)((index >= 8 ? 2 : 0) | (base >= 8 ? 1 : 0));
}

/* Base (and maybe index) form; false if a fixed base is out of reach. */
static bool mem_with_base(struct gp_gen *gg, struct gp_mem *m, uint64_t amask)
{
	struct hx_rng *g = gg->g;
	int base = (int)hx_below(g, 16);
	bool base_fixed = (gg->fixed >> base) & 1;
	int index = -1, scale = (int)hx_below(g, 4);
	if ((gg->clobbered >> base) & 1)
		return false;
	if (hx_below(g, 2)) {
		index = gp_free_reg(
		    gg, (uint16_t)(1u << base | 1u << RSP | gg->clobbered));
		if (index < 0)
			return false;
	}
	uint64_t iv = index < 0	   ? 0
		      : base_fixed ? hx_below(g, 64)
				   : hx_rnd_value(g);
	uint64_t scaled = iv << scale;
	int64_t disp;
	if (base_fixed) {
		uint64_t d = (m->ea - gg->c->in.r[base] - scaled) & amask;
		disp = amask == ~0ull ? (int64_t)d : (int32_t)(uint32_t)d;
		if (disp != (int32_t)disp)
			return false;
	} else {
		unsigned k = hx_below(g, 3);
		disp = k == 0	? 0
		       : k == 1 ? (int8_t)hx_rnd(g)
				: (int32_t)hx_rnd(g);
		uint64_t bv = (m->ea - (uint64_t)disp - scaled) & amask;
		if (amask != ~0ull)
			bv |= hx_rnd(g) & ~amask; /* ignored upper half */
		gp_set(gg, base, bv);
	}
	m->disp = (int32_t)disp;
	m->disp_len = disp_len_for(disp, base);
	if (index >= 0)
		gp_set(gg, index, amask == ~0ull ? iv : iv | (hx_rnd(g) << 32));
	encode_mem(m, base, index, scale);
	return true;
}

/* Index * scale + disp32, no base. */
static bool mem_index_only(struct gp_gen *gg, struct gp_mem *m, uint64_t amask)
{
	int index = gp_free_reg(gg, (uint16_t)(1u << RSP | gg->clobbered));
	if (index < 0)
		return false;
	int scale = (int)hx_below(gg->g, 4);
	uint64_t iv = (m->ea >> scale) - hx_below(gg->g, 16);
	m->disp = (int32_t)(m->ea - (iv << scale));
	m->disp_len = 4;
	if (amask != ~0ull)
		iv |= hx_rnd(gg->g) << 32;
	gp_set(gg, index, iv);
	encode_mem(m, -1, index, scale);
	return true;
}

void gp_mem(struct gp_gen *gg, struct gp_mem *m, uint64_t ea, unsigned len,
	    bool a32)
{
	uint64_t amask = a32 ? 0xFFFFFFFFull : ~0ull;
	memset(m, 0, sizeof(*m));
	m->ea = ea;
	m->a32 = a32;
	hx_hot(gg->c, ea, len);
	for (;;) {
		unsigned form = hx_below(gg->g, 10);
		if (form == 0) { /* RIP-relative: disp patched by gp_emit */
			m->rip = true;
			m->disp_len = 4;
			encode_mem(m, -1, -1, 0);
			return;
		}
		if (form == 1) { /* absolute [disp32] through a SIB */
			m->disp = (int32_t)ea;
			m->disp_len = 4;
			encode_mem(m, -1, -1, 0);
			return;
		}
		if (form == 2 ? mem_index_only(gg, m, amask)
			      : mem_with_base(gg, m, amask))
			return;
	}
}

/* ---- emitting ------------------------------------------------------------ */

size_t gp_bytes(struct gp_gen *gg, const void *b, size_t n)
{
	struct hx_case *c = gg->c;
	size_t at = c->len;
	if (c->len + n > HX_CODE_MAX)
		abort();
	memcpy(c->code + c->len, b, n);
	c->len += n;
	return at;
}

static void put_byte(struct gp_gen *gg, uint8_t b)
{
	gp_bytes(gg, &b, 1);
}

static uint8_t rex_of(const struct gp_insn *in)
{
	uint8_t r =
	    (uint8_t)((in->w ? 8 : 0) | (in->reg >= 8 && !in->plus_r ? 4 : 0));
	if (in->plus_r && in->reg >= 8)
		r |= 1;
	if (in->modrm && in->mem)
		r |= in->m.rex_xb;
	else if (in->modrm && in->rm >= 8)
		r |= 1;
	return r;
}

static void put_noise(struct gp_gen *gg)
{
	static const uint8_t ignored[] = {0x2E, 0x3E, 0x26, 0x36};
	if (gg->noise && gg->c->mode == HX_64 && hx_below(gg->g, 8) == 0)
		put_byte(gg, ignored[hx_below(gg->g, 4)]);
}

size_t gp_emit(struct gp_gen *gg, const struct gp_insn *in)
{
	struct hx_case *c = gg->c;
	size_t at = c->len;
	put_noise(gg);
	for (int i = 0; i < in->npfx; i++)
		put_byte(gg, in->pfx[i]);
	if (in->modrm && in->mem && in->m.a32)
		put_byte(gg, 0x67);
	uint8_t rex = rex_of(in);
	if (rex || in->rex)
		put_byte(gg, (uint8_t)(0x40 | rex));
	gp_bytes(gg, in->op, in->oplen);
	if (in->plus_r)
		c->code[c->len - 1] |= in->reg & 7;
	size_t disp_at = 0;
	if (in->modrm) {
		const struct gp_mem *m = &in->m;
		uint8_t rm = in->mem ? m->rm : (uint8_t)(in->rm & 7);
		uint8_t mod = in->mem ? m->mod : 3;
		put_byte(gg, (uint8_t)(mod << 6 | (in->reg & 7) << 3 | rm));
		if (in->mem && m->has_sib)
			put_byte(gg, m->sib);
		disp_at = c->len;
		if (in->mem)
			gp_bytes(gg, &m->disp, m->disp_len);
	}
	gp_bytes(gg, &in->imm, in->imm_len);
	if (in->modrm && in->mem && in->m.rip) {
		int32_t d = (int32_t)(in->m.ea - (HX_CODE + c->len));
		memcpy(c->code + disp_at, &d, 4);
	}
	return at;
}
