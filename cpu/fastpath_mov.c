/*
 * cpu/fastpath_mov.c — fast runners for data movement: MOV between
 * registers, immediates and (64-bit mode) memory, MOVZX/MOVSX/MOVSXD,
 * LEA, the NOP family and REP MOVS within a page.
 *
 * Spec: Intel SDM Vol. 2 MOV, MOVZX, MOVSX/MOVSXD, LEA, NOP (ops_mov.c's
 * handlers stay the reference). None of these touch RFLAGS; register
 * writes follow gpr_write (32-bit writes zero-extend, 8/16-bit writes
 * merge, the REX byte-register rule). A TLB miss runs the generic
 * handler, which performs the whole access (fastpath_int.h).
 */
#include "cpu/fastpath_int.h"

/* Instantiate a size-parameterised form for 4 and 8 bytes. */
#define FAST_SIZED(form)                                                       \
	static bool form##_4(struct cpu *c, const struct dinsn *d)             \
	{                                                                      \
		return form(c, d, 4);                                          \
	}                                                                      \
	static bool form##_8(struct cpu *c, const struct dinsn *d)             \
	{                                                                      \
		return form(c, d, 8);                                          \
	}                                                                      \
	const fast_fn fast_##form[2] = {form##_4, form##_8};

/* Instantiate a form for 1, 2, 4 and 8 bytes, as a [log2 size] table. */
#define FAST_SIZED4(form)                                                      \
	static bool form##_1(struct cpu *c, const struct dinsn *d)             \
	{                                                                      \
		return form(c, d, 1);                                          \
	}                                                                      \
	static bool form##_2(struct cpu *c, const struct dinsn *d)             \
	{                                                                      \
		return form(c, d, 2);                                          \
	}                                                                      \
	static bool form##_4(struct cpu *c, const struct dinsn *d)             \
	{                                                                      \
		return form(c, d, 4);                                          \
	}                                                                      \
	static bool form##_8(struct cpu *c, const struct dinsn *d)             \
	{                                                                      \
		return form(c, d, 8);                                          \
	}                                                                      \
	const fast_fn fast_##form[4] = {form##_1, form##_2, form##_4, form##_8};

/* ---- registers and immediates ------------------------------------------ */

static inline bool mov_EG_rr(struct cpu *c, const struct dinsn *d, int size)
{
	gpr_write(c, d->rm & 15, size, true, c->gpr[d->reg]);
	return true;
}

static inline bool mov_GE_rr(struct cpu *c, const struct dinsn *d, int size)
{
	gpr_write(c, d->reg, size, true, c->gpr[d->rm & 15]);
	return true;
}

static inline bool mov_ZI(struct cpu *c, const struct dinsn *d, int size)
{
	gpr_write(c, d->reg, size, true, d->imm);
	return true;
}

static inline bool mov_EI_r(struct cpu *c, const struct dinsn *d, int size)
{
	gpr_write(c, d->rm & 15, size, true, d->imm);
	return true;
}

FAST_SIZED(mov_EG_rr)
FAST_SIZED(mov_GE_rr)
FAST_SIZED(mov_ZI)
FAST_SIZED(mov_EI_r)

/* ---- loads and stores --------------------------------------------------- */

/* MOV G, [m] (8A/8B). */
static inline bool mov_load(struct cpu *c, const struct dinsn *d, int size)
{
	const uint8_t *p = fast_host_read(c, fast_ea(c, d), size);
	if (!p)
		return exec_generic(c, d);
	gpr_write(c, d->reg, size, d->pfx & PFX_REX, mem_host_load(p, size));
	return true;
}

/* MOV [m], G (88/89). */
static inline bool mov_store(struct cpu *c, const struct dinsn *d, int size)
{
	uint8_t *p = fast_host_write(c, fast_ea(c, d), size);
	if (!p)
		return exec_generic(c, d);
	mem_host_store(p, size, gpr_read(c, d->reg, size, d->pfx & PFX_REX));
	return true;
}

/* MOV [m], imm (C6/C7 /0). */
static inline bool mov_EI_m(struct cpu *c, const struct dinsn *d, int size)
{
	uint8_t *p = fast_host_write(c, fast_ea(c, d), size);
	if (!p)
		return exec_generic(c, d);
	mem_host_store(p, size, d->imm);
	return true;
}

FAST_SIZED4(mov_load)
FAST_SIZED4(mov_store)
FAST_SIZED4(mov_EI_m)

/* ---- zero and sign extension -------------------------------------------- */

/* MOVZX/MOVSX G, r/m8 or r/m16 (`src` bytes) into a 4- or 8-byte G. */
static inline uint64_t extend(uint64_t v, int src, bool sign)
{
	if (!sign)
		return v;
	return src == 1 ? (uint64_t)(int64_t)(int8_t)v
			: (uint64_t)(int64_t)(int16_t)v;
}

static inline bool movx_r(struct cpu *c, const struct dinsn *d, int src,
			  int size, bool sign)
{
	uint64_t v = gpr_read(c, d->rm & 15, src, d->pfx & PFX_REX);
	gpr_write(c, d->reg, size, true, extend(v, src, sign));
	return true;
}

static inline bool movx_m(struct cpu *c, const struct dinsn *d, int src,
			  int size, bool sign)
{
	const uint8_t *p = fast_host_read(c, fast_ea(c, d), src);
	if (!p)
		return exec_generic(c, d);
	uint64_t v = mem_host_load(p, src);
	gpr_write(c, d->reg, size, true, extend(v, src, sign));
	return true;
}

/* Instantiate a MOVZX/MOVSX form as a [src == 2][size == 8] table. */
#define FAST_MOVX(name, form, sign)                                            \
	static bool name##_1_4(struct cpu *c, const struct dinsn *d)           \
	{                                                                      \
		return form(c, d, 1, 4, sign);                                 \
	}                                                                      \
	static bool name##_1_8(struct cpu *c, const struct dinsn *d)           \
	{                                                                      \
		return form(c, d, 1, 8, sign);                                 \
	}                                                                      \
	static bool name##_2_4(struct cpu *c, const struct dinsn *d)           \
	{                                                                      \
		return form(c, d, 2, 4, sign);                                 \
	}                                                                      \
	static bool name##_2_8(struct cpu *c, const struct dinsn *d)           \
	{                                                                      \
		return form(c, d, 2, 8, sign);                                 \
	}                                                                      \
	const fast_fn fast_##name[2][2] = {{name##_1_4, name##_1_8},           \
					   {name##_2_4, name##_2_8}};

FAST_MOVX(movzx_r, movx_r, false)
FAST_MOVX(movzx_m, movx_m, false)
FAST_MOVX(movsx_r, movx_r, true)
FAST_MOVX(movsx_m, movx_m, true)

/* MOVSXD r64, r/m32 (63 with REX.W). */
bool fast_movsxd_r(struct cpu *c, const struct dinsn *d)
{
	c->gpr[d->reg] = (uint64_t)(int64_t)(int32_t)c->gpr[d->rm & 15];
	return true;
}

bool fast_movsxd_m(struct cpu *c, const struct dinsn *d)
{
	const uint8_t *p = fast_host_read(c, fast_ea(c, d), 4);
	if (!p)
		return exec_generic(c, d);
	c->gpr[d->reg] = (uint64_t)(int64_t)(int32_t)mem_host_load(p, 4);
	return true;
}

/* ---- LEA and NOP -------------------------------------------------------- */

/* LEA G, m with a 64-bit address size: the address, truncated to a 4- or
 * 8-byte G. */
static inline bool lea(struct cpu *c, const struct dinsn *d, int size)
{
	gpr_write(c, d->reg, size, true, fast_ea(c, d));
	return true;
}

FAST_SIZED(lea)

/* NOP in all its forms (a memory operand is not accessed). */
bool fast_nop(struct cpu *c, const struct dinsn *d)
{
	(void)c;
	(void)d;
	return true;
}

/* ---- REP MOVS ---------------------------------------------------------- */

/* Elements of `size` bytes from lin to the end of its page. */
static uint64_t page_room(uint64_t lin, int size)
{
	return (PAGE_SIZE - (lin & (PAGE_SIZE - 1))) / (uint64_t)size;
}

/* REP MOVS with DF = 0 (fast_select: 64-bit mode and addresses, a source
 * segment without a base) whose RCX elements all fit in the source's and
 * the destination's pages, both TLB hits: ops_string.c's movs_flat64 case
 * in one step. As string_exec would: copy, advance RSI and RDI, clear RCX,
 * charge the elements. Anything else (RCX = 0, more than fit, TF, an
 * overlap the copy must replicate, a miss) runs the generic handler. */
bool fast_rep_movs(struct cpu *c, const struct dinsn *d)
{
	int size = d->osize;
	uint64_t n = c->gpr[RCX], si = c->gpr[RSI], di = c->gpr[RDI];

	if ((c->rflags & (RF_DF | RF_TF)) || n == 0 ||
	    n > page_room(si, size) || n > page_room(di, size))
		return exec_generic(c, d);
	uint64_t len = n * (uint64_t)size;
	const uint8_t *src = mem_range_hit(c, si, len, false);
	uint8_t *dst = mem_range_hit(c, di, len, true);
	if (!src || !dst || (dst > src && dst < src + len))
		return exec_generic(c, d);
	memmove(dst, src, len);
	c->gpr[RSI] = si + len;
	c->gpr[RDI] = di + len;
	c->gpr[RCX] = 0;
	cpu_charge(c, n * c->cost[C_STRING]);
	return true;
}
