/*
 * cpu/segment.c — descriptor-table reads and data/stack segment loads.
 *
 * Models Intel SDM Vol. 3A §3.4 (selectors, descriptor tables), §5.5-5.7
 * (privilege checks when loading DS/ES/FS/GS/SS) and Vol. 2A MOV/POP Sreg,
 * LDS/LES/LFS/LGS/LSS ("Operation" protected-mode pseudocode).
 *
 * Invariants: every check and the accessed-bit write happen before the
 * segment cache changes, so a faulting load leaves the register intact.
 * A null selector loaded into DS/ES/FS/GS leaves attr = 0 (not usable in
 * 16/32-bit modes; 64-bit mode ignores the attributes of those registers)
 * and base 0 (Intel clears the base). SS.DPL always equals CPL (the VMX
 * definition of CPL, SDM Vol. 3C §26.3.1.2), which is what cpu_update_mode
 * reads, so even a null SS in 64-bit mode keeps DPL = CPL.
 * Callers: ops_mov.c / ops_stack.c (MOV/POP Sreg, LxS), far.c, except*.c.
 */
#include "cpu/sysarch.h"

void desc_fetch(struct cpu *c, uint16_t sel, int vec, uint32_t ext,
		struct desc_ref *out)
{
	uint64_t base = c->gdtr.base;
	uint32_t limit = c->gdtr.limit;
	uint32_t index = sel & ~7u;

	if (sel & 4) {
		if ((c->ldtr.sel & 0xFFFC) == 0)
			cpu_raise(c, vec, sel_err(sel, ext));
		base = c->ldtr.base;
		limit = c->ldtr.limit;
	}
	if ((uint64_t)index + 7 > limit)
		cpu_raise(c, vec, sel_err(sel, ext));
	out->lin = base + index;
	if (!(c->efer & EFER_LMA))
		out->lin &= 0xFFFFFFFF;
	out->raw = cpu_lin_read(c, out->lin, 8, ACC_IMPLICIT_SUP);
}

void desc_set_accessed(struct cpu *c, struct desc_ref *r)
{
	uint8_t type_byte = (uint8_t)(r->raw >> 40);

	if (type_byte & DT_ACCESSED)
		return;
	type_byte |= DT_ACCESSED;
	cpu_lin_write(c, r->lin + 5, 1, type_byte,
		      ACC_WRITE | ACC_IMPLICIT_SUP);
	r->raw |= (uint64_t)DT_ACCESSED << 40;
}

uint64_t cpu_read_descriptor(struct cpu *c, uint16_t sel, int vector_on_fault)
{
	struct desc_ref r;

	desc_fetch(c, sel, vector_on_fault, 0, &r);
	return r.raw;
}

/* MOV SS / POP SS / LSS with a non-null selector. */
static void check_stack_seg(struct cpu *c, uint16_t sel, uint16_t attr)
{
	if ((sel & 3) != c->cpl || SEGA_DPL(attr) != c->cpl ||
	    !attr_is_wdata(attr))
		cpu_raise(c, EXC_GP, sel_err(sel, 0));
	if (!(attr & SEGA_P))
		cpu_raise(c, EXC_SS, sel_err(sel, 0));
}

/* DS/ES/FS/GS with a non-null selector: data or readable code; for data
 * and non-conforming code both RPL and CPL must be <= DPL. */
static void check_data_seg(struct cpu *c, uint16_t sel, uint16_t attr)
{
	unsigned type = SEGA_TYPE(attr);
	unsigned dpl = SEGA_DPL(attr);

	if (!(attr & SEGA_S) || ((type & DT_CODE) && !(type & DT_READABLE)))
		cpu_raise(c, EXC_GP, sel_err(sel, 0));
	if ((!(type & DT_CODE) || !(type & DT_CONFORM)) &&
	    ((sel & 3u) > dpl || c->cpl > dpl))
		cpu_raise(c, EXC_GP, sel_err(sel, 0));
	if (!(attr & SEGA_P))
		cpu_raise(c, EXC_NP, sel_err(sel, 0));
}

/* Null selector: legal for DS/ES/FS/GS anywhere; for SS only in 64-bit
 * mode at CPL < 3 with RPL = CPL (SDM Vol. 2A MOV, 64-bit mode). */
static void load_null(struct cpu *c, int seg, uint16_t sel)
{
	struct seg_cache *s = &c->seg[seg];

	if (seg == SEG_SS) {
		if (c->mode != MODE_LONG64 || c->cpl == 3 ||
		    (sel & 3) != c->cpl)
			cpu_raise_gp0(c);
		*s = seg_flat(sel, ATTR_DATA | ATTR_DPL(c->cpl));
		return;
	}
	s->sel = sel;
	s->attr = 0;
	s->limit = 0;
	s->base = 0;
}

void cpu_load_seg(struct cpu *c, int seg, uint16_t sel)
{
	struct desc_ref r;
	uint16_t attr;

	if (seg == SEG_CS || seg < SEG_ES || seg > SEG_GS)
		cpu_raise_ud(c);
	if (!(c->cr0 & CR0_PE) || (c->rflags & RF_VM)) {
		/* Real mode: only the selector and base change (the cached
		 * limit and attributes stay, as on hardware). */
		c->seg[seg].sel = sel;
		c->seg[seg].base = (uint64_t)sel << 4;
		return;
	}
	if ((sel & 0xFFFC) == 0) {
		load_null(c, seg, sel);
		return;
	}
	desc_fetch(c, sel, EXC_GP, 0, &r);
	attr = desc_attr(r.raw);
	if (seg == SEG_SS)
		check_stack_seg(c, sel, attr);
	else
		check_data_seg(c, sel, attr);
	desc_set_accessed(c, &r);
	c->seg[seg] = desc_to_cache(sel, r.raw);
}
