/*
 * cpu/ops_x87_env.c — saving and restoring FPU/SSE state: FNSTENV/FLDENV
 * (14/28-byte environment), FNSAVE/FRSTOR (94/108 bytes: environment and
 * ST(0)..ST(7)), FXSAVE/FXRSTOR (512-byte image).
 *
 * Spec: Intel SDM Vol. 1 §8.1.10 and Figures 8-9..8-12 (environment
 * layouts: 32/16-bit, protected/real mode), §10.5.1 and Table 10-2
 * (FXSAVE image; the REX.W form stores 64-bit FIP and FDP), Vol. 2A FXSAVE/
 * FXRSTOR (16-byte alignment → #GP(0); MXCSR bits outside MXCSR_MASK in the
 * image → #GP(0); XMM8-15 only in 64-bit mode; abridged tag word: 1 bit
 * per physical register, set when not empty).
 *
 * Model choices: FCS and FDS are not tracked and save as 0 (as on CPUs with
 * CPUID.(EAX=7,ECX=0):EBX[13], "FCS/FDS deprecated"); reserved halves of the
 * 32-bit environment read 0xFFFF; real-mode pointers are formed from the
 * current CS/DS bases. Images are built whole and written with one access,
 * and read whole and checked before any state changes.
 */
#include <string.h>

#include "cpu/fp_int.h"
#include "cpu/ops.h"
#include "cpu/ops_fp.h"
#include "sim/le.h"

static void put16(uint8_t *b, int off, uint32_t v)
{
	le_put16(b + off, (uint16_t)v);
}

static void put32(uint8_t *b, int off, uint32_t v)
{
	le_put32(b + off, v);
}

static uint32_t get16(const uint8_t *b, int off)
{
	return le_get16(b + off);
}

static uint32_t get32(const uint8_t *b, int off)
{
	return le_get32(b + off);
}

/* ---- FNSTENV / FLDENV / FNSAVE / FRSTOR --------------------------------- */

static bool env_real(const struct cpu *c)
{
	return c->mode == MODE_REAL16;
}

/* Store the environment into b; returns its size (14 or 28). */
static int env_build(const struct cpu *c, const struct dinsn *d, uint8_t *b)
{
	uint32_t ip = (uint32_t)c->fpu.fip, dp = (uint32_t)c->fpu.fdp;
	uint32_t cw = c->fpu.fcw, sw = x87_get_fsw(c), tw = x87_full_ftw(c);

	if (env_real(c)) {
		ip += (uint32_t)c->seg[SEG_CS].base;
		dp += (uint32_t)c->seg[SEG_DS].base;
	}
	if (d->osize == 2) {
		put16(b, 0, cw), put16(b, 2, sw), put16(b, 4, tw);
		put16(b, 6, ip), put16(b, 10, dp);
		put16(b, 8,
		      env_real(c) ? (ip >> 16 & 0xF) << 12 | c->fpu.fop : 0);
		put16(b, 12, env_real(c) ? (dp >> 16 & 0xF) << 12 : 0);
		return 14;
	}
	put32(b, 0, 0xFFFF0000u | cw), put32(b, 4, 0xFFFF0000u | sw);
	put32(b, 8, 0xFFFF0000u | tw);
	if (env_real(c)) {
		put32(b, 12, 0xFFFF0000u | (ip & 0xFFFF));
		put32(b, 16, (ip >> 16) << 12 | c->fpu.fop);
		put32(b, 20, 0xFFFF0000u | (dp & 0xFFFF));
		put32(b, 24, (dp >> 16) << 12);
	} else {
		put32(b, 12, ip), put32(b, 16, (uint32_t)c->fpu.fop << 16);
		put32(b, 20, dp), put32(b, 24, 0xFFFF0000u);
	}
	return 28;
}

/* Load an environment image; the tag word only decides empty / not
 * empty, the other tags follow from the register contents. */
static void env_load(struct cpu *c, const struct dinsn *d, const uint8_t *b)
{
	bool w16 = d->osize == 2;
	uint32_t ip, dp, fop = 0, tw = w16 ? get16(b, 4) : get16(b, 8);

	if (w16) {
		ip = get16(b, 6), dp = get16(b, 10);
		if (env_real(c)) {
			fop = get16(b, 8) & 0x7FF;
			ip |= (get16(b, 8) >> 12) << 16;
			dp |= (get16(b, 12) >> 12) << 16;
		}
	} else if (env_real(c)) {
		ip = get16(b, 12) | (get32(b, 16) >> 12 & 0xFFFF) << 16;
		dp = get16(b, 20) | (get32(b, 24) >> 12 & 0xFFFF) << 16;
		fop = get32(b, 16) & 0x7FF;
	} else {
		ip = get32(b, 12), dp = get32(b, 20);
		fop = get32(b, 16) >> 16 & 0x7FF;
	}
	c->fpu.fcw = (uint16_t)((get16(b, 0) & 0x1F3F) | 0x40);
	x87_put_fsw(c, (uint16_t)get16(b, w16 ? 2 : 4));
	for (int p = 0; p < 8; p++)
		x87_set_tag_phys(c, p,
				 ((tw >> (2 * p)) & 3) == TAG_EMPTY
				     ? TAG_EMPTY
				     : x87_tag_of(c->fpu.st[p]));
	c->fpu.fip = ip, c->fpu.fdp = dp, c->fpu.fop = (uint16_t)fop;
	x87_update_es(c);
}

/* FNSTENV: store, then mask every exception. */
void op_x87_fnstenv(struct cpu *c, const struct dinsn *d)
{
	uint8_t b[28];

	x87_enter(c, XK_NOWAIT);
	int n = env_build(c, d, b);
	cpu_write_bytes(c, d->seg, cpu_ea(c, d), b, n);
	c->fpu.fcw |= FSW_EXC;
}

void op_x87_fldenv(struct cpu *c, const struct dinsn *d)
{
	uint8_t b[28];

	x87_enter(c, XK_CTRL);
	cpu_read_bytes(c, d->seg, cpu_ea(c, d), b, d->osize == 2 ? 14 : 28);
	env_load(c, d, b);
}

/* FNSAVE: environment + ST(0)..ST(7), then FNINIT. */
void op_x87_fnsave(struct cpu *c, const struct dinsn *d)
{
	uint8_t b[108];

	x87_enter(c, XK_NOWAIT);
	int n = env_build(c, d, b);
	for (int i = 0; i < 8; i++) {
		long double v = x87_get(c, i);
		memcpy(b + n + 10 * i, &v, 10);
	}
	cpu_write_bytes(c, d->seg, cpu_ea(c, d), b, n + 80);
	op_x87_fninit(c, d);
}

void op_x87_frstor(struct cpu *c, const struct dinsn *d)
{
	uint8_t b[108];
	int n = d->osize == 2 ? 14 : 28;

	x87_enter(c, XK_CTRL);
	cpu_read_bytes(c, d->seg, cpu_ea(c, d), b, n + 80);
	/* The registers are in ST(i) order of the restored TOP. */
	int top = (int)(get16(b, n == 14 ? 2 : 4) >> 11) & 7;
	for (int i = 0; i < 8; i++) {
		long double v = 0;
		memcpy(&v, b + n + 10 * i, 10);
		c->fpu.st[(top + i) & 7] = v;
	}
	env_load(c, d, b);
}

/* ---- FXSAVE / FXRSTOR ------------------------------------------------- */

#define FX_MXCSR 24
#define FX_REGS	 32
#define FX_XMM	 160

static void check_fx_align(struct cpu *c, const struct dinsn *d, uint64_t off)
{
	uint64_t base = c->seg[d->seg].base;

	if (c->mode == MODE_LONG64 && d->seg != SEG_FS && d->seg != SEG_GS)
		base = 0;
	if ((base + off) & 15)
		cpu_raise_gp0(c);
}

static int fx_nxmm(const struct cpu *c)
{
	return c->mode == MODE_LONG64 ? 16 : 8;
}

/* 0F AE /0 (F_X87 row: #NM on CR0.EM/TS; no #MF check). */
void op_fxsave(struct cpu *c, const struct dinsn *d)
{
	uint8_t b[FX_XMM + 16 * 16] = {0};
	uint8_t ftw = 0;

	x87_enter(c, XK_NOWAIT);
	uint64_t off = cpu_ea(c, d);
	check_fx_align(c, d, off);
	for (int p = 0; p < 8; p++)
		if (x87_tag_phys(c, p) != TAG_EMPTY)
			ftw |= (uint8_t)(1u << p);
	put16(b, 0, c->fpu.fcw), put16(b, 2, x87_get_fsw(c));
	b[4] = ftw, put16(b, 6, c->fpu.fop & 0x7FF);
	if (d->pfx & PFX_REXW) {
		memcpy(b + 8, &c->fpu.fip, 8), memcpy(b + 16, &c->fpu.fdp, 8);
	} else {
		put32(b, 8, (uint32_t)c->fpu.fip);
		put32(b, 16, (uint32_t)c->fpu.fdp);
	}
	put32(b, FX_MXCSR, c->mxcsr), put32(b, FX_MXCSR + 4, MXCSR_MASK_VALID);
	for (int i = 0; i < 8; i++) {
		long double v = x87_get(c, i);
		memcpy(b + FX_REGS + 16 * i, &v, 10);
	}
	memcpy(b + FX_XMM, c->xmm, 16 * (size_t)fx_nxmm(c));
	cpu_write_bytes(c, d->seg, off, b, FX_XMM + 16 * fx_nxmm(c));
}

/* 0F AE /1 */
void op_fxrstor(struct cpu *c, const struct dinsn *d)
{
	uint8_t b[FX_XMM + 16 * 16];

	x87_enter(c, XK_NOWAIT);
	uint64_t off = cpu_ea(c, d);
	check_fx_align(c, d, off);
	cpu_read_bytes(c, d->seg, off, b, FX_XMM + 16 * fx_nxmm(c));
	uint32_t mxcsr = get32(b, FX_MXCSR);
	if (mxcsr & ~MXCSR_MASK_VALID)
		cpu_raise_gp0(c);
	c->fpu.fcw = (uint16_t)((get16(b, 0) & 0x1F3F) | 0x40);
	x87_put_fsw(c, (uint16_t)get16(b, 2));
	c->fpu.fop = (uint16_t)(get16(b, 6) & 0x7FF);
	if (d->pfx & PFX_REXW) {
		memcpy(&c->fpu.fip, b + 8, 8), memcpy(&c->fpu.fdp, b + 16, 8);
	} else {
		c->fpu.fip = get32(b, 8), c->fpu.fdp = get32(b, 16);
	}
	for (int i = 0; i < 8; i++) {
		long double v = 0;
		memcpy(&v, b + FX_REGS + 16 * i, 10);
		c->fpu.st[x87_phys(c, i)] = v;
	}
	for (int p = 0; p < 8; p++)
		x87_set_tag_phys(c, p,
				 (b[4] >> p) & 1 ? x87_tag_of(c->fpu.st[p])
						 : TAG_EMPTY);
	c->mxcsr = mxcsr;
	memcpy(c->xmm, b + FX_XMM, 16 * (size_t)fx_nxmm(c));
	x87_update_es(c);
}
