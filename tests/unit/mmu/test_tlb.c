/*
 * tests/unit/mmu/test_tlb.c — soft-TLB invalidation (mmu/tlb.c): full
 * flushes with and without global entries, INVLPG of 4 KiB pages and of
 * the cached pieces of 2 MiB / 1 GiB pages, and write-tag demotion for
 * code pages. The fill and lookups are tested in test_mem.c.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mmu/mmu.h"

/* ---- tlb.c on its own ------------------------------------------------------
 */

static struct tlb tl;

static void put(struct tlb_entry *arr, uint64_t lin, bool global,
		unsigned shift)
{
	struct tlb_entry *e = &arr[tlb_index(lin)];
	e->tag_read = e->tag_write = e->tag_exec = lin & PAGE_MASK;
	e->global = global;
	e->page_shift = (uint8_t)shift;
	if (shift > PAGE_SHIFT)
		tl.has_large = 1;
}

static bool cached(const struct tlb_entry *arr, uint64_t lin)
{
	return arr[tlb_index(lin)].tag_read == (lin & PAGE_MASK);
}

Test(tlb, flush_all_drops_everything)
{
	memset(&tl, 0, sizeof(tl));
	put(tl.sup, 0x1000, true, 12);
	put(tl.usr, 0x2000, false, 12);
	tlb_flush_all(&tl, false);
	cr_assert_not(cached(tl.sup, 0x1000));
	cr_assert_not(cached(tl.usr, 0x2000));
	cr_assert_eq(tl.sup[tlb_index(0x1000)].tag_exec, TLB_INVALID);
	cr_assert_eq(tl.flushes, 1);
}

Test(tlb, flush_all_keep_global_keeps_only_global_entries)
{
	memset(&tl, 0, sizeof(tl));
	tlb_flush_all(&tl, false);
	put(tl.sup, 0xFFFF800000001000ull, true, 12);
	put(tl.sup, 0x3000, false, 12);
	put(tl.usr, 0x4000, true, 12);
	tlb_flush_all(&tl, true);
	cr_assert(cached(tl.sup, 0xFFFF800000001000ull));
	cr_assert_not(cached(tl.sup, 0x3000));
	cr_assert(cached(tl.usr, 0x4000));
}

Test(tlb, flush_page_drops_the_page_in_both_arrays_only)
{
	tlb_flush_all(&tl, false);
	put(tl.sup, 0x5000, true, 12);
	put(tl.usr, 0x5000, false, 12);
	put(tl.sup, 0x6000, false, 12);
	put(tl.sup, 0x7000 + (TLB_SIZE << PAGE_SHIFT), false, 12);
	tlb_flush_page(&tl, 0x5ABC);
	cr_assert_not(cached(tl.sup, 0x5000));
	cr_assert_not(cached(tl.usr, 0x5000));
	cr_assert(cached(tl.sup, 0x6000));
	cr_assert(cached(tl.sup, 0x7000 + (TLB_SIZE << PAGE_SHIFT)));
}

Test(tlb, flush_page_of_a_colliding_page_keeps_the_cached_one)
{
	tlb_flush_all(&tl, false);
	put(tl.sup, 0x7000, false, 12);
	tlb_flush_page(&tl, 0x7000 + (TLB_SIZE << PAGE_SHIFT));
	cr_assert(cached(tl.sup, 0x7000));
}

Test(tlb, flush_page_in_large_page_drops_all_its_pieces)
{
	tlb_flush_all(&tl, false);
	put(tl.sup, 0x40000000, false, 21);
	put(tl.sup, 0x401FF000, false, 21);
	put(tl.usr, 0x40123000, true, 21);
	put(tl.sup, 0x40200000, false, 21); /* next 2 MiB page */
	put(tl.sup, 0x40300000 + 0x5000, false, 12);
	tlb_flush_page(&tl, 0x40100000);
	cr_assert_not(cached(tl.sup, 0x40000000));
	cr_assert_not(cached(tl.sup, 0x401FF000));
	cr_assert_not(cached(tl.usr, 0x40123000));
	cr_assert(cached(tl.sup, 0x40200000));
	cr_assert(cached(tl.sup, 0x40305000));
}

Test(tlb, flush_page_in_one_gib_page_drops_its_pieces)
{
	tlb_flush_all(&tl, false);
	put(tl.sup, 0x80000000, false, 30);
	put(tl.sup, 0xBFFFF000, false, 30);
	put(tl.sup, 0xC0000000, false, 30);
	tlb_flush_page(&tl, 0x9ABCD000);
	cr_assert_not(cached(tl.sup, 0x80000000));
	cr_assert_not(cached(tl.sup, 0xBFFFF000));
	cr_assert(cached(tl.sup, 0xC0000000));
}

Test(tlb, protect_code_demotes_write_tags_of_that_gpa)
{
	tlb_flush_all(&tl, false);
	put(tl.sup, 0x8000, false, 12);
	put(tl.usr, 0x9000, false, 12);
	tl.sup[tlb_index(0x8000)].gpa_page = 0x123000;
	tl.usr[tlb_index(0x9000)].gpa_page = 0x123000;
	put(tl.sup, 0xA000, false, 12);
	tl.sup[tlb_index(0xA000)].gpa_page = 0x124000;
	tlb_protect_code(&tl, 0x123000);
	cr_assert_eq(tl.sup[tlb_index(0x8000)].tag_write, 0x8000 | TLB_SLOW);
	cr_assert_eq(tl.usr[tlb_index(0x9000)].tag_write, 0x9000 | TLB_SLOW);
	cr_assert_eq(tl.sup[tlb_index(0x8000)].tag_read, 0x8000);
	cr_assert_eq(tl.sup[tlb_index(0xA000)].tag_write, 0xA000);
}

Test(tlb, invariant_checker_catches_a_fast_write_tag_on_code)
{
	struct physmem *pm = physmem_create(1 << 20);
	tlb_flush_all(&tl, false);
	struct tlb_entry *e = &tl.sup[tlb_index(0x9000)];
	e->tag_read = e->tag_write = 0x9000;
	e->gpa_page = 0x4000;
	e->addend = (uintptr_t)physmem_ram_ptr(pm, 0x4000, PAGE_SIZE) - 0x9000;
	cr_assert(tlb_check_invariants(&tl, pm));
	physmem_mark_code(pm, 0x4000); /* tl is not attached: not demoted */
	cr_assert_not(tlb_check_invariants(&tl, pm));
	e->tag_write |= TLB_SLOW;
	cr_assert(tlb_check_invariants(&tl, pm));
	e->addend += PAGE_SIZE; /* host address no longer the page's RAM */
	cr_assert_not(tlb_check_invariants(&tl, pm));
	physmem_destroy(pm);
}
