/*
 * cpu/ops_desc.c — the descriptor-table registers: LGDT, LIDT, SGDT, SIDT
 * (0F 01 /2 /3 /0 /1), LLDT, LTR, SLDT, STR (0F 00 /2 /3 /0 /1) and the
 * segment probes VERR, VERW (0F 00 /4 /5).
 *
 * Spec: Intel SDM Vol. 2A/2B (the instruction pages), Vol. 3A §3.5.1
 * (pseudo-descriptors), §7.2.3 and §7.7 (TSS descriptors, 16 bytes in
 * IA-32e mode), §3.5 (system descriptor types). In IA-32e mode (EFER.LMA,
 * also in compatibility mode) LDT and TSS descriptors are 16 bytes, the
 * only TSS type is 9 (available 64-bit TSS) and the upper half's type
 * field must be 0.
 *
 * Invariants: every memory read and write (descriptor, busy bit, operand)
 * is done before LDTR/TR/GDTR/IDTR change, so a fault leaves them intact.
 * Descriptor-table accesses are implicit supervisor accesses.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"
#include "cpu/ops_sys.h"

/* System descriptor types (S = 0). */
#define DESC_LDT        2
#define DESC_TSS16_AVL  1
#define DESC_TSS_AVL    9
#define DESC_TSS_BUSY   2 /* type bit that marks a TSS busy */

/* ---- GDTR / IDTR --------------------------------------------------------- */

/* Offset of the base field of a pseudo-descriptor at `off`. */
static uint64_t pseudo_base_off(const struct dinsn *d, uint64_t off)
{
	return (off + 2) & size_mask(d->asize);
}

/* LGDT/LIDT: 16-bit limit then base (8 bytes in 64-bit mode, else 4, of
 * which 24 bits with a 16-bit operand size). */
static void load_dtr(struct cpu *c, const struct dinsn *d, struct dtr *dtr)
{
	uint64_t off, limit, base;

	require_cpl0(c);
	if (d->mod == 3)
		cpu_raise_ud(c);
	off = cpu_ea(c, d);
	limit = cpu_read(c, d->seg, off, 2);
	if (c->mode == MODE_LONG64) {
		base = cpu_read(c, d->seg, pseudo_base_off(d, off), 8);
		if (!cpu_is_canonical(base))
			cpu_raise_gp0(c);
	} else {
		base = cpu_read(c, d->seg, pseudo_base_off(d, off), 4);
		if (d->osize == 2)
			base &= 0xFFFFFF;
	}
	dtr->limit = (uint16_t)limit;
	dtr->base = base;
}

/* SGDT/SIDT: limit then base (8 bytes in 64-bit mode, else the full 32
 * bits whatever the operand size, as current processors do). */
static void store_dtr(struct cpu *c, const struct dinsn *d,
		      const struct dtr *dtr)
{
	int bsize = c->mode == MODE_LONG64 ? 8 : 4;
	uint64_t off;

	umip_check(c);
	if (d->mod == 3)
		cpu_raise_ud(c);
	off = cpu_ea(c, d);
	cpu_probe_write(c, d->seg, off, 2);
	cpu_probe_write(c, d->seg, pseudo_base_off(d, off), bsize);
	cpu_write(c, d->seg, off, 2, dtr->limit);
	cpu_write(c, d->seg, pseudo_base_off(d, off), bsize,
		  dtr->base & size_mask(bsize));
}

void op_lgdt(struct cpu *c, const struct dinsn *d)
{
	load_dtr(c, d, &c->gdtr);
}

void op_lidt(struct cpu *c, const struct dinsn *d)
{
	load_dtr(c, d, &c->idtr);
}

void op_sgdt(struct cpu *c, const struct dinsn *d)
{
	store_dtr(c, d, &c->gdtr);
}

void op_sidt(struct cpu *c, const struct dinsn *d)
{
	store_dtr(c, d, &c->idtr);
}

/* ---- LDTR / TR ----------------------------------------------------------- */

/* SLDT/STR: a 16-bit store to memory; into a register, the selector
 * zero-extended to the operand size (16-bit forms merge). */
static void store_selector(struct cpu *c, const struct dinsn *d, uint16_t sel)
{
	if (!in_protected_mode(c))
		cpu_raise_ud(c);
	umip_check(c);
	rm_write(c, d, d->mod == 3 ? d->osize : 2, sel);
}

void op_sldt(struct cpu *c, const struct dinsn *d)
{
	store_selector(c, d, c->ldtr.sel);
}

void op_str(struct cpu *c, const struct dinsn *d)
{
	store_selector(c, d, c->tr.sel);
}

/*
 * A system descriptor in the GDT (8 bytes, or 16 in IA-32e mode):
 *   lo: 63:56 base 31:24 | 55 G | 51:48 limit 19:16 | 47 P | 46:45 DPL |
 *       44 S | 43:40 type | 39:16 base 23:0 | 15:0 limit 15:0
 *   hi: 44:40 must be 0 | 31:0 base 63:32
 */
struct sysdesc {
	uint64_t lo, hi;
	uint64_t lin; /* linear address of the descriptor */
	bool wide;    /* 16-byte form (IA-32e mode) */
};

/* Read the descriptor `sel` selects; beyond the GDT limit → #GP(sel). */
static struct sysdesc read_sysdesc(struct cpu *c, uint16_t sel)
{
	struct sysdesc s = {.wide = (c->efer & EFER_LMA) != 0};
	uint32_t off = sel & ~7u;
	unsigned acc = ACC_READ | ACC_IMPLICIT_SUP;

	if (off + (s.wide ? 15u : 7u) > c->gdtr.limit)
		cpu_raise(c, EXC_GP, sel & 0xFFFC);
	s.lin = c->gdtr.base + off;
	if (!s.wide)
		s.lin = (uint32_t)s.lin;
	s.lo = cpu_lin_read(c, s.lin, 8, acc);
	if (s.wide)
		s.hi = cpu_lin_read(c, s.lin + 8, 8, acc);
	return s;
}

/* The descriptor cache for a system descriptor (VMX access-rights layout
 * for attr, see cpu_int.h). */
static struct seg_cache sysdesc_cache(const struct sysdesc *s, uint16_t sel)
{
	struct seg_cache sc = {.sel = sel};
	uint32_t limit = (uint32_t)(s->lo & 0xFFFF) |
			 (uint32_t)((s->lo >> 32) & 0xF0000);

	sc.attr = (uint16_t)(((s->lo >> 40) & 0xFF) |
			     ((s->lo >> 52) & 0xF) << 12);
	sc.limit = (sc.attr & SEGA_G) ? (limit << 12) | 0xFFF : limit;
	sc.base = ((s->lo >> 16) & 0xFFFFFF) | ((s->lo >> 56) & 0xFF) << 24;
	if (s->wide)
		sc.base |= (s->hi & 0xFFFFFFFF) << 32;
	return sc;
}

/* Common LLDT/LTR checks after the type: present (#NP), and for the
 * 16-byte form a zero upper type field and a canonical base (#GP). */
static void check_sysdesc(struct cpu *c, const struct sysdesc *s,
			  uint16_t sel)
{
	if (!((s->lo >> 40) & SEGA_P))
		cpu_raise(c, EXC_NP, sel & 0xFFFC);
	if (s->wide) {
		struct seg_cache sc = sysdesc_cache(s, sel);

		if (((s->hi >> 40) & 0x1F) || !cpu_is_canonical(sc.base))
			cpu_raise(c, EXC_GP, sel & 0xFFFC);
	}
}

/* Type (with S) of a descriptor's low half. */
static unsigned sysdesc_type(const struct sysdesc *s)
{
	return (unsigned)(s->lo >> 40) & (SEGA_S | 0xF);
}

void op_lldt(struct cpu *c, const struct dinsn *d)
{
	uint16_t sel;
	struct sysdesc s;

	if (!in_protected_mode(c))
		cpu_raise_ud(c);
	require_cpl0(c);
	sel = (uint16_t)rm_read(c, d, 2);
	if ((sel & 0xFFFC) == 0) {
		/* A null selector leaves LDTR unusable (P = 0). */
		c->ldtr = (struct seg_cache){.sel = sel};
		return;
	}
	if (sel & 4) /* must select from the GDT */
		cpu_raise(c, EXC_GP, sel & 0xFFFC);
	s = read_sysdesc(c, sel);
	if (sysdesc_type(&s) != DESC_LDT)
		cpu_raise(c, EXC_GP, sel & 0xFFFC);
	check_sysdesc(c, &s, sel);
	c->ldtr = sysdesc_cache(&s, sel);
}

/* LTR loads an available TSS and marks its descriptor busy in the GDT. */
void op_ltr(struct cpu *c, const struct dinsn *d)
{
	uint16_t sel;
	struct sysdesc s;
	unsigned type;

	if (!in_protected_mode(c))
		cpu_raise_ud(c);
	require_cpl0(c);
	sel = (uint16_t)rm_read(c, d, 2);
	if ((sel & 0xFFFC) == 0)
		cpu_raise_gp0(c);
	if (sel & 4)
		cpu_raise(c, EXC_GP, sel & 0xFFFC);
	s = read_sysdesc(c, sel);
	type = sysdesc_type(&s);
	if (type != DESC_TSS_AVL && (s.wide || type != DESC_TSS16_AVL))
		cpu_raise(c, EXC_GP, sel & 0xFFFC);
	check_sysdesc(c, &s, sel);
	s.lo |= (uint64_t)DESC_TSS_BUSY << 40;
	cpu_lin_write(c, s.lin + 5, 1, (s.lo >> 40) & 0xFF,
		      ACC_WRITE | ACC_IMPLICIT_SUP);
	c->tr = sysdesc_cache(&s, sel);
}

/* ---- VERR / VERW (0F 00 /4 /5) --------------------------------------------- */

/*
 * ZF = 1 if the segment `sel` names could be read (VERR) or written (VERW)
 * at the current CPL and the selector's RPL, else ZF = 0; no other flag
 * changes and, unlike a segment load, a bad selector is no fault: null,
 * beyond the GDT/LDT limit, a system descriptor or too privileged just
 * clear ZF. Only the descriptor read itself can fault (#PF). #UD in real
 * and virtual-8086 mode. Linux executes VERW on every return to user mode
 * as its MDS buffer-clearing sequence.
 */
static bool verify_segment(struct cpu *c, uint16_t sel, bool write)
{
	uint64_t base = c->gdtr.base, raw;
	uint32_t limit = c->gdtr.limit, index = sel & ~7u;
	unsigned rpl = sel & 3, attr;

	if ((sel & 0xFFFC) == 0)
		return false;
	if (sel & 4) {
		if ((c->ldtr.sel & 0xFFFC) == 0)
			return false;
		base = c->ldtr.base;
		limit = c->ldtr.limit;
	}
	if ((uint64_t)index + 7 > limit)
		return false;
	base += index;
	if (!(c->efer & EFER_LMA))
		base &= 0xFFFFFFFF;
	raw = cpu_lin_read(c, base, 8, ACC_IMPLICIT_SUP);
	attr = (unsigned)((raw >> 40) & 0xFF);
	if (!(attr & SEGA_S))
		return false;
	if (SEGA_TYPE(attr) & 0x8) { /* code: never writable */
		if (write || !(SEGA_TYPE(attr) & 0x2))
			return false;
		if (SEGA_TYPE(attr) & 0x4) /* conforming: no DPL check */
			return true;
	} else if (write && !(SEGA_TYPE(attr) & 0x2)) {
		return false;
	}
	return SEGA_DPL(attr) >= c->cpl && SEGA_DPL(attr) >= rpl;
}

static void verify(struct cpu *c, const struct dinsn *d, bool write)
{
	uint16_t sel;

	if (!in_protected_mode(c))
		cpu_raise_ud(c);
	sel = (uint16_t)rm_read(c, d, 2);
	cpu_set_rflags(c, verify_segment(c, sel, write) ? RF_ZF : 0, RF_ZF);
}

void op_verr(struct cpu *c, const struct dinsn *d)
{
	verify(c, d, false);
}

void op_verw(struct cpu *c, const struct dinsn *d)
{
	verify(c, d, true);
}
