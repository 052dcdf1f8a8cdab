/*
 * mmu/tlb.c — invalidation of the soft TLB (the fill and the lookups live
 * in cpu/mem.c and cpu/mem.h, next to the accesses that use them).
 *
 * Models the architectural rules of Intel SDM Vol. 3A §4.10.4: a CR3 write
 * drops non-global translations, a CR4.PGE/PCIDE change drops all of them,
 * INVLPG drops every translation of the page holding the address — for a
 * 2 MiB or 1 GiB page that means every 4 KiB piece of it we cached. Each
 * entry records the guest page size (page_shift), so INVLPG scans the
 * arrays for pieces of a large page only while one is cached (has_large).
 * Dropping more than required is always allowed (the SDM lets a TLB forget
 * anything at any time), which keeps these functions simple.
 *
 * Invariant (tlb_check_invariants): a valid entry sits at the index of its
 * page, all its tags name that page, a fast tag's host address is the
 * RAM of gpa_page, and no fast write tag points at a page marked as code
 * or watched (mmu.h: write watches).
 */
#include "mmu/mmu.h"

static const struct tlb_entry empty_entry = {
    .tag_read = TLB_INVALID,
    .tag_write = TLB_INVALID,
    .tag_exec = TLB_INVALID,
    .page_shift = PAGE_SHIFT,
};

/* The linear page an entry maps, or TLB_INVALID when it maps none. */
static uint64_t entry_page(const struct tlb_entry *e)
{
	uint64_t tag = e->tag_read != TLB_INVALID    ? e->tag_read
		       : e->tag_write != TLB_INVALID ? e->tag_write
						     : e->tag_exec;
	return tag == TLB_INVALID ? TLB_INVALID : tag & PAGE_MASK;
}

void tlb_flush_all(struct tlb *t, bool keep_global)
{
	uint8_t large = 0;
	for (unsigned i = 0; i < TLB_SIZE; i++) {
		struct tlb_entry *e[2] = {&t->sup[i], &t->usr[i]};
		for (int k = 0; k < 2; k++) {
			/* (an all-ones entry from memset is empty: global
			 * is not read then) */
			if (keep_global && entry_page(e[k]) != TLB_INVALID &&
			    e[k]->global) {
				large |= e[k]->page_shift > PAGE_SHIFT;
				continue;
			}
			*e[k] = empty_entry;
		}
	}
	t->has_large = large;
	t->flushes++;
}

/* Drop the entries in `arr` holding a piece of the large page with `lin`. */
static void drop_large_pieces(struct tlb_entry *arr, uint64_t lin)
{
	for (unsigned i = 0; i < TLB_SIZE; i++) {
		struct tlb_entry *e = &arr[i];
		if (e->page_shift <= PAGE_SHIFT)
			continue;
		uint64_t page = entry_page(e);
		if (page != TLB_INVALID && ((page ^ lin) >> e->page_shift) == 0)
			*e = empty_entry;
	}
}

void tlb_flush_page(struct tlb *t, uint64_t lin)
{
	unsigned i = tlb_index(lin);
	if (entry_page(&t->sup[i]) == (lin & PAGE_MASK))
		t->sup[i] = empty_entry;
	if (entry_page(&t->usr[i]) == (lin & PAGE_MASK))
		t->usr[i] = empty_entry;
	if (t->has_large) {
		drop_large_pieces(t->sup, lin);
		drop_large_pieces(t->usr, lin);
	}
	t->flushes++;
}

static void protect_array(struct tlb_entry *arr, uint64_t gpa_page)
{
	for (unsigned i = 0; i < TLB_SIZE; i++) {
		struct tlb_entry *e = &arr[i];
		if (e->gpa_page == gpa_page && e->tag_write != TLB_INVALID)
			e->tag_write |= TLB_SLOW;
	}
}

void tlb_protect_code(struct tlb *t, uint64_t gpa_page)
{
	protect_array(t->sup, gpa_page & PAGE_MASK);
	protect_array(t->usr, gpa_page & PAGE_MASK);
}

static bool entry_ok(const struct tlb_entry *e, unsigned idx,
		     struct physmem *pm)
{
	uint64_t page = entry_page(e);
	if (page == TLB_INVALID)
		return true;
	if (tlb_index(page) != idx || (e->gpa_page & ~PAGE_MASK))
		return false;
	const uint64_t tags[3] = {e->tag_read, e->tag_write, e->tag_exec};
	uint8_t *host = physmem_ram_ptr(pm, e->gpa_page, PAGE_SIZE);
	for (int k = 0; k < 3; k++) {
		if (tags[k] == TLB_INVALID)
			continue;
		if ((tags[k] & PAGE_MASK) != page ||
		    (tags[k] & ~PAGE_MASK & ~(TLB_SLOW | TLB_SMAP)))
			return false;
		bool fast_ram = !(tags[k] & TLB_SLOW);
		if (fast_ram &&
		    (!host || (uintptr_t)page + e->addend != (uintptr_t)host))
			return false;
	}
	if (e->tag_write != TLB_INVALID && !(e->tag_write & TLB_SLOW) &&
	    (physmem_is_code(pm, e->gpa_page) ||
	     physmem_is_watched(pm, e->gpa_page)))
		return false;
	return true;
}

bool tlb_check_invariants(const struct tlb *t, struct physmem *pm)
{
	for (unsigned i = 0; i < TLB_SIZE; i++)
		if (!entry_ok(&t->sup[i], i, pm) ||
		    !entry_ok(&t->usr[i], i, pm))
			return false;
	return true;
}
