/*
 * mmu/paging.c — the page walker: linear address → guest-physical address.
 *
 * Models Intel SDM Vol. 3A chapter 4: 32-bit paging (§4.3, with CR4.PSE
 * 4 MiB pages and PSE-36), PAE paging (§4.4) and 4-level paging (§4.5,
 * 2 MiB and 1 GiB pages); access rights (§4.6: U/S, R/W, CR0.WP, XD with
 * EFER.NXE, SMEP, SMAP), A/D bits (§4.8) and the #PF error code (§4.7).
 *
 * Invariants: a walk that faults changes nothing in guest memory; a walk
 * that succeeds sets A in every entry it used and, for a write, D in the
 * final one, by writing the entry's low byte back with physmem_write (the
 * model is single-threaded, so this is atomic with respect to the guest).
 * Entries are read with physmem_read: an entry outside RAM reads all ones,
 * whose reserved bits make a PAE/4-level walk fault with RSVD (32-bit
 * paging has no such bits: it maps open bus at 0xFFFFF000, as a real bus
 * would). Either way nothing escapes guest memory.
 * Simplification: PAE PDPTEs are read at walk time instead of being cached
 * at MOV CR3 (and, as cached registers, are not counted in `levels`); a
 * bad PDPTE gives #PF(RSVD) where hardware gives #GP at the CR3 load.
 * `writable` in the result leaves SMAP out (it depends on RFLAGS.AC, which
 * changes without a TLB flush; cpu/mem.c checks it per access).
 * MAXPHYADDR is 40 (pte.h), matching the CPUID model.
 */
#include "cpu/regs.h"
#include "mmu/mmu.h"
#include "mmu/pte.h"

/* One level of a 64-bit-entry walk: entries map 2^shift bytes each. */
struct level {
	uint8_t shift;
	bool large_ok;	     /* PS=1 maps a page here */
	uint64_t large_rsvd; /* reserved low address bits of such a page */
};

static const struct level levels_4[] = {
    {39, false, 0},	     /* PML4E: PS is reserved */
    {30, true, PTE_RSVD_1G}, /* PDPTE: 1 GiB page */
    {21, true, PTE_RSVD_2M}, /* PDE: 2 MiB page */
    {12, false, 0},	     /* PTE: bit 7 is PAT */
};
static const struct level levels_pae[] = {
    {21, true, PTE_RSVD_2M},
    {12, false, 0},
};

/* The state of one walk. */
struct walker {
	struct physmem *pm;
	const struct paging_state *ps;
	uint64_t lin;
	bool user, write, fetch, implicit;
	bool rw_all, us_all, xd_any; /* combined over the levels used */
	uint64_t used[4];	     /* GPAs of the entries used */
	uint64_t used_val[4];	     /* their values */
	unsigned nused;
	uint64_t final; /* the entry that maps the page */
};

static uint32_t fault(const struct walker *w, uint32_t bits)
{
	uint32_t ec = bits;
	if (w->write)
		ec |= PFEC_W;
	if (w->user)
		ec |= PFEC_U;
	if (w->fetch && ((w->ps->cr4 & CR4_SMEP) ||
			 ((w->ps->cr4 & CR4_PAE) && (w->ps->efer & EFER_NXE))))
		ec |= PFEC_I;
	return ec | MMU_FAULT;
}

/* Fold one entry's rights into the walk and remember it for the A bit. */
static void use_entry(struct walker *w, uint64_t gpa, uint64_t e, bool has_xd)
{
	w->rw_all = w->rw_all && (e & PTE_RW);
	w->us_all = w->us_all && (e & PTE_US);
	if (has_xd && (w->ps->efer & EFER_NXE) && (e & PTE_XD))
		w->xd_any = true;
	w->used[w->nused] = gpa;
	w->used_val[w->nused] = e;
	w->nused++;
	w->final = e;
}

/*
 * Walk 64-bit entries from `table` through `lv`. `rsvd` is the mask of
 * bits reserved at every level. On success fills out->gpa/page_size.
 */
static uint32_t walk_64(struct walker *w, uint64_t table,
			const struct level *lv, unsigned n, uint64_t rsvd,
			struct walk_result *out)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t ea = table + 8 * pte_index(w->lin, lv[i].shift, 9);
		uint64_t e = physmem_read(w->pm, ea, 8);
		out->levels++;
		if (!(e & PTE_P))
			return fault(w, 0);
		bool last = i == n - 1;
		bool large = !last && (e & PTE_PS) && lv[i].large_ok;
		uint64_t bad = rsvd | (large ? lv[i].large_rsvd : 0);
		if (!last && !lv[i].large_ok)
			bad |= PTE_PS;
		if (e & bad)
			return fault(w, PFEC_RSVD | PFEC_P);
		use_entry(w, ea, e, true);
		if (large || last) {
			uint64_t size = 1ull << lv[i].shift;
			out->page_size = size;
			out->gpa = (e & PTE_ADDR_MASK & ~(size - 1)) |
				   (w->lin & (size - 1));
			return 0;
		}
		table = e & PTE_ADDR_MASK;
	}
	return fault(w, 0); /* not reached: the last level always maps */
}

static uint32_t walk_long(struct walker *w, struct walk_result *out)
{
	uint64_t rsvd = PTE_RSVD_HIGH;
	if (!(w->ps->efer & EFER_NXE))
		rsvd |= PTE_XD;
	return walk_64(w, w->ps->cr3 & PTE_ADDR_MASK, levels_4, 4, rsvd, out);
}

static uint32_t walk_pae(struct walker *w, struct walk_result *out)
{
	uint64_t lin = w->lin & 0xFFFFFFFFull;
	w->lin = lin;
	uint64_t ea = (w->ps->cr3 & 0xFFFFFFE0ull) + 8 * ((lin >> 30) & 3);
	uint64_t pdpte = physmem_read(w->pm, ea, 8);
	if (!(pdpte & PTE_P))
		return fault(w, 0);
	if (pdpte & (~((1ull << MMU_MAXPHYADDR) - 1) | PDPTE_PAE_RSVD))
		return fault(w, PFEC_RSVD | PFEC_P);
	/* PAE PDE/PTE: bits 62:MAXPHYADDR reserved, XD unless NXE. */
	uint64_t rsvd = ~((1ull << MMU_MAXPHYADDR) - 1) & ~PTE_XD;
	if (!(w->ps->efer & EFER_NXE))
		rsvd |= PTE_XD;
	return walk_64(w, pdpte & PTE_ADDR_MASK, levels_pae, 2, rsvd, out);
}

static uint32_t walk_32(struct walker *w, struct walk_result *out)
{
	uint64_t lin = w->lin & 0xFFFFFFFFull;
	w->lin = lin;
	uint64_t pde_ea = (w->ps->cr3 & PTE32_ADDR) + 4 * (lin >> 22);
	uint64_t pde = physmem_read(w->pm, pde_ea, 4);
	out->levels++;
	if (!(pde & PTE_P))
		return fault(w, 0);
	if ((pde & PTE_PS) && (w->ps->cr4 & CR4_PSE)) {
		if (pde & PDE32_RSVD_4M)
			return fault(w, PFEC_RSVD | PFEC_P);
		use_entry(w, pde_ea, pde, false);
		out->page_size = 4ull << 20;
		out->gpa = (pde & PDE32_ADDR_4M) |
			   (((pde & PDE32_HIGH_4M) >> 13) << 32) |
			   (lin & 0x3FFFFF);
		return 0;
	}
	use_entry(w, pde_ea, pde, false);
	uint64_t pte_ea = (pde & PTE32_ADDR) + 4 * ((lin >> 12) & 0x3FF);
	uint64_t pte = physmem_read(w->pm, pte_ea, 4);
	out->levels++;
	if (!(pte & PTE_P))
		return fault(w, 0);
	use_entry(w, pte_ea, pte, false);
	out->page_size = PAGE_SIZE;
	out->gpa = (pte & PTE32_ADDR) | (lin & 0xFFF);
	return 0;
}

/* SDM §4.6: may this access use the translation? 0 or the fault code. */
static uint32_t check_rights(const struct walker *w)
{
	const struct paging_state *ps = w->ps;
	if (w->user) {
		if (!w->us_all || (w->write && !w->rw_all) ||
		    (w->fetch && w->xd_any))
			return fault(w, PFEC_P);
		return 0;
	}
	if (w->fetch) {
		if (w->xd_any || (w->us_all && (ps->cr4 & CR4_SMEP)))
			return fault(w, PFEC_P);
		return 0;
	}
	if (w->us_all && (ps->cr4 & CR4_SMAP) && (w->implicit || !ps->ac))
		return fault(w, PFEC_P);
	if (w->write && !w->rw_all && (ps->cr0 & CR0_WP))
		return fault(w, PFEC_P);
	return 0;
}

/* Set A in every entry used and D in the final one for a write. */
static void set_accessed_dirty(struct walker *w)
{
	for (unsigned i = 0; i < w->nused; i++) {
		uint64_t e = w->used_val[i];
		uint64_t want = PTE_A;
		if (i == w->nused - 1 && w->write)
			want |= PTE_D;
		if ((e & want) != want)
			physmem_write(w->pm, w->used[i], 1, (e | want) & 0xFF);
	}
}

uint32_t mmu_walk(struct physmem *pm, const struct paging_state *ps,
		  uint64_t lin, unsigned access, struct walk_result *out)
{
	*out = (struct walk_result){.gpa = lin,
				    .page_size = PAGE_SIZE,
				    .writable = true,
				    .user = true,
				    .dirty = true};
	if (!(ps->cr0 & CR0_PG))
		return 0;
	struct walker w = {
	    .pm = pm,
	    .ps = ps,
	    .lin = lin,
	    .implicit = (access & ACC_IMPLICIT_SUP) != 0,
	    .write = (access & ACC_WRITE) != 0,
	    .fetch = (access & ACC_EXEC) != 0,
	    .rw_all = true,
	    .us_all = true,
	};
	w.user = (access & ACC_USER) && !w.implicit;
	uint32_t r;
	if (!(ps->cr4 & CR4_PAE))
		r = walk_32(&w, out);
	else if (ps->efer & EFER_LMA)
		r = walk_long(&w, out);
	else
		r = walk_pae(&w, out);
	if (!r)
		r = check_rights(&w);
	if (r)
		return r;
	set_accessed_dirty(&w);
	out->user = w.us_all;
	out->nx = w.xd_any;
	out->writable =
	    w.user ? (w.rw_all && w.us_all) : (w.rw_all || !(ps->cr0 & CR0_WP));
	out->global = (w.final & PTE_G) && (ps->cr4 & CR4_PGE);
	out->dirty = (w.final & PTE_D) || w.write;
	return 0;
}
