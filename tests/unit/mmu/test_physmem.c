/*
 * tests/unit/mmu/test_physmem.c — guest-physical memory: RAM bounds and
 * byte order, MMIO dispatch and overlap rules, open bus, bulk copies and
 * code-page tracking (mmu/physmem.c).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mmu/mmu.h"

#define RAM (1u << 20)

static struct physmem *pm;

static void setup(void)
{
	pm = physmem_create(RAM);
	cr_assert_not_null(pm);
}

static void teardown(void)
{
	physmem_destroy(pm);
}

TestSuite(physmem, .init = setup, .fini = teardown);

/* A recording MMIO device: remembers the last access, reads a pattern. */
struct rec {
	uint64_t off, val;
	int size, reads, writes;
};

static uint64_t rec_read(void *opaque, uint64_t off, int size)
{
	struct rec *r = opaque;
	r->off = off;
	r->size = size;
	r->reads++;
	return 0x1122334455667788ull + off;
}

static void rec_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct rec *r = opaque;
	r->off = off;
	r->size = size;
	r->val = val;
	r->writes++;
}

static const struct mmio_ops rec_ops = {"rec", rec_read, rec_write};
static const struct mmio_ops silent_ops = {"silent", NULL, NULL};

Test(physmem, create_rounds_size_up_to_a_page)
{
	struct physmem *p = physmem_create(5000);
	cr_assert_not_null(p);
	cr_assert_eq(physmem_ram_size(p), 8192);
	physmem_destroy(p);
}

Test(physmem, create_rejects_zero_and_huge_sizes)
{
	cr_assert_null(physmem_create(0));
	cr_assert_null(physmem_create(1ull << 50));
	cr_assert_null(physmem_create(~0ull));
}

Test(physmem, four_gib_guest_is_cheap_until_touched)
{
	struct physmem *p = physmem_create(4ull << 30);
	cr_assert_not_null(p);
	physmem_write(p, (4ull << 30) - 8, 8, 0xABCDull);
	cr_assert_eq(physmem_read(p, (4ull << 30) - 8, 8), 0xABCDull);
	physmem_destroy(p);
}

Test(physmem, ram_is_little_endian_at_any_alignment)
{
	physmem_write(pm, 0x1003, 8, 0x0807060504030201ull);
	cr_assert_eq(physmem_read(pm, 0x1003, 1), 0x01);
	cr_assert_eq(physmem_read(pm, 0x1004, 2), 0x0302);
	cr_assert_eq(physmem_read(pm, 0x1005, 4), 0x06050403);
	cr_assert_eq(physmem_read(pm, 0x1003, 8), 0x0807060504030201ull);
}

Test(physmem, ram_access_may_cross_a_page)
{
	physmem_write(pm, 0x1FFE, 4, 0xDDCCBBAA);
	cr_assert_eq(physmem_read(pm, 0x1FFE, 1), 0xAA);
	cr_assert_eq(physmem_read(pm, 0x2001, 1), 0xDD);
	cr_assert_eq(physmem_read(pm, 0x1FFE, 4), 0xDDCCBBAA);
}

Test(physmem, ram_ptr_checks_bounds_without_overflow)
{
	cr_assert_not_null(physmem_ram_ptr(pm, 0, RAM));
	cr_assert_not_null(physmem_ram_ptr(pm, RAM - 1, 1));
	cr_assert_null(physmem_ram_ptr(pm, RAM - 1, 2));
	cr_assert_null(physmem_ram_ptr(pm, RAM, 1));
	cr_assert_null(physmem_ram_ptr(pm, ~0ull, 2));
	cr_assert_null(physmem_ram_ptr(pm, 8, ~0ull));
	cr_assert_null(physmem_ram_ptr(pm, 0, 0));
}

Test(physmem, open_bus_reads_all_ones_and_drops_writes)
{
	physmem_write(pm, RAM + 0x100, 4, 0x12345678);
	cr_assert_eq(physmem_read(pm, RAM + 0x100, 4), 0xFFFFFFFFull);
	cr_assert_eq(physmem_read(pm, RAM + 0x100, 8), ~0ull);
	cr_assert_eq(physmem_read(pm, ~0ull, 1), 0xFF);
	cr_assert_eq(physmem_read(pm, ~0ull - 2, 8), ~0ull);
}

Test(physmem, access_straddling_ram_end_splits_into_bytes)
{
	physmem_write(pm, RAM - 2, 2, 0xBBAA);
	cr_assert_eq(physmem_read(pm, RAM - 2, 4), 0xFFFFBBAAull);
	physmem_write(pm, RAM - 1, 2, 0x1122);
	cr_assert_eq(physmem_read(pm, RAM - 1, 1), 0x22);
}

Test(physmem, bad_sizes_read_ones_and_write_nothing)
{
	physmem_write(pm, 0x10, 0, 5);
	physmem_write(pm, 0x10, 9, 5);
	cr_assert_eq(physmem_read(pm, 0x10, 8), 0);
	cr_assert_eq(physmem_read(pm, 0x10, 0), ~0ull);
	cr_assert_eq(physmem_read(pm, 0x10, -1), ~0ull);
}

Test(physmem, mmio_gets_offset_and_size)
{
	struct rec r = {0};
	cr_assert_eq(physmem_map_mmio(pm, 0xFEE00000, 0x1000, &rec_ops, &r), 0);
	cr_assert_eq(physmem_read(pm, 0xFEE00020, 4), 0x55667788ull + 0x20);
	cr_assert_eq(r.off, 0x20);
	cr_assert_eq(r.size, 4);
	physmem_write(pm, 0xFEE000B0, 8, 0xCAFEF00Dull);
	cr_assert_eq(r.off, 0xB0);
	cr_assert_eq(r.size, 8);
	cr_assert_eq(r.val, 0xCAFEF00Dull);
}

Test(physmem, mmio_access_straddling_range_end_is_split_into_bytes)
{
	struct rec r = {0};
	cr_assert_eq(physmem_map_mmio(pm, 0xF0000000, 0x10, &rec_ops, &r), 0);
	uint64_t v = physmem_read(pm, 0xF000000E, 4);
	/* bytes 0xE, 0xF from the device (low byte of its 1-byte reads),
	 * then two bytes of open bus */
	cr_assert_eq(v, 0xFFFF0000ull | ((0x88 + 0xF) & 0xFF) << 8 |
			    ((0x88 + 0xE) & 0xFF));
	cr_assert_eq(r.reads, 2);
	cr_assert_eq(r.size, 1);
	physmem_write(pm, 0xF000000F, 2, 0xAABB);
	cr_assert_eq(r.writes, 1);
	cr_assert_eq(r.off, 0xF);
	cr_assert_eq(r.val, 0xBB);
}

Test(physmem, mmio_without_callbacks_reads_ones)
{
	cr_assert_eq(
	    physmem_map_mmio(pm, 0xF0000000, 0x1000, &silent_ops, NULL), 0);
	physmem_write(pm, 0xF0000000, 4, 1);
	cr_assert_eq(physmem_read(pm, 0xF0000000, 2), 0xFFFF);
}

Test(physmem, mmio_overlaps_are_rejected)
{
	struct rec r = {0};
	cr_assert_eq(physmem_map_mmio(pm, 0xF0001000, 0x1000, &rec_ops, &r), 0);
	cr_assert_eq(physmem_map_mmio(pm, 0xF0001800, 0x10, &rec_ops, &r), -1);
	cr_assert_eq(physmem_map_mmio(pm, 0xF0000800, 0x1000, &rec_ops, &r),
		     -1);
	cr_assert_eq(physmem_map_mmio(pm, 0xF0000000, 0x4000, &rec_ops, &r),
		     -1);
	cr_assert_eq(physmem_map_mmio(pm, RAM - 0x1000, 0x2000, &rec_ops, &r),
		     -1);
	cr_assert_eq(physmem_map_mmio(pm, 0x1000, 0x10, &rec_ops, &r), -1);
	cr_assert_eq(physmem_map_mmio(pm, 0xF0003000, 0, &rec_ops, &r), -1);
	cr_assert_eq(physmem_map_mmio(pm, ~0ull - 4, 0x10, &rec_ops, &r), -1);
	/* neighbours on both sides are fine */
	cr_assert_eq(physmem_map_mmio(pm, 0xF0000000, 0x1000, &rec_ops, &r), 0);
	cr_assert_eq(physmem_map_mmio(pm, 0xF0002000, 0x1000, &rec_ops, &r), 0);
	cr_assert_eq(physmem_map_mmio(pm, RAM, 0x1000, &rec_ops, &r), 0);
	cr_assert(physmem_check_invariants(pm));
}

Test(physmem, many_mmio_ranges_dispatch_to_the_right_one)
{
	struct rec r[20] = {0};
	for (int i = 19; i >= 0; i--)
		cr_assert_eq(physmem_map_mmio(pm, 0xE0000000 + 0x100 * i, 0x100,
					      &rec_ops, &r[i]),
			     0);
	physmem_write(pm, 0xE0000000 + 0x100 * 7 + 4, 4, 9);
	for (int i = 0; i < 20; i++)
		cr_assert_eq(r[i].writes, i == 7, "range %d", i);
	cr_assert_eq(r[7].off, 4);
	cr_assert(physmem_check_invariants(pm));
}

Test(physmem, copies_need_the_whole_range_in_ram)
{
	uint8_t buf[16] = {1, 2, 3}, out[16] = {0};
	cr_assert_eq(physmem_copy_to(pm, 0x4000, buf, 16), 0);
	cr_assert_eq(physmem_copy_from(pm, out, 0x4000, 16), 0);
	cr_assert_arr_eq(out, buf, 16);
	cr_assert_eq(physmem_copy_to(pm, RAM - 8, buf, 16), -1);
	cr_assert_eq(physmem_copy_from(pm, out, RAM - 8, 16), -1);
	cr_assert_eq(physmem_copy_to(pm, ~0ull - 4, buf, 16), -1);
	cr_assert_eq(physmem_copy_to(pm, RAM, buf, 0), 0);
}

Test(physmem, write_to_code_page_bumps_generation_and_clears_mark)
{
	const uint32_t *writes = physmem_code_write_counter(pm);
	uint32_t w0 = *writes;
	physmem_mark_code(pm, 0x5123);
	cr_assert(physmem_is_code(pm, 0x5000));
	uint32_t g = physmem_code_gen(pm, 0x5000);
	physmem_write(pm, 0x5FFF, 1, 0x90);
	cr_assert_eq(physmem_code_gen(pm, 0x5000), g + 1);
	cr_assert_not(physmem_is_code(pm, 0x5000));
	cr_assert_eq(*writes, w0 + 1);
	/* unmarked now: further writes do not bump */
	physmem_write(pm, 0x5000, 1, 0x90);
	cr_assert_eq(physmem_code_gen(pm, 0x5000), g + 1);
	cr_assert_eq(*writes, w0 + 1);
}

Test(physmem, write_to_data_page_leaves_code_generation)
{
	physmem_mark_code(pm, 0x5000);
	uint32_t g = physmem_code_gen(pm, 0x5000);
	physmem_write(pm, 0x6000, 8, 1);
	physmem_write(pm, 0x4FF8, 8, 1);
	cr_assert_eq(physmem_code_gen(pm, 0x5000), g);
	cr_assert(physmem_is_code(pm, 0x5000));
}

Test(physmem, crossing_write_and_copy_bump_every_marked_page)
{
	physmem_mark_code(pm, 0x7000);
	physmem_mark_code(pm, 0x8000);
	physmem_write(pm, 0x7FFE, 4, 0);
	cr_assert_eq(physmem_code_gen(pm, 0x7000), 1);
	cr_assert_eq(physmem_code_gen(pm, 0x8000), 1);
	physmem_mark_code(pm, 0xA000);
	uint8_t buf[0x3000] = {0};
	cr_assert_eq(physmem_copy_to(pm, 0x9800, buf, sizeof(buf)), 0);
	cr_assert_eq(physmem_code_gen(pm, 0xA000), 1);
}

Test(physmem, note_write_clips_to_ram)
{
	physmem_mark_code(pm, RAM - 0x1000);
	physmem_note_write(pm, RAM - 1, ~0ull);
	cr_assert_eq(physmem_code_gen(pm, RAM - 0x1000), 1);
	physmem_note_write(pm, ~0ull, 10);   /* nothing to do, no crash */
	physmem_mark_code(pm, RAM + 0x1000); /* outside RAM: ignored */
	cr_assert_not(physmem_is_code(pm, RAM + 0x1000));
	cr_assert_eq(physmem_code_gen(pm, RAM + 0x1000), 0);
}

Test(physmem, marking_code_demotes_fast_write_tags_of_attached_tlbs)
{
	static struct tlb t;
	tlb_flush_all(&t, false);
	cr_assert_eq(physmem_attach_tlb(pm, &t), 0);
	cr_assert_eq(physmem_attach_tlb(pm, &t), 0); /* idempotent */
	uint8_t *host = physmem_ram_ptr(pm, 0x3000, PAGE_SIZE);
	struct tlb_entry *e = &t.sup[tlb_index(0x400000)];
	e->tag_read = e->tag_write = 0x400000;
	e->addend = (uintptr_t)host - 0x400000;
	e->gpa_page = 0x3000;
	cr_assert(tlb_check_invariants(&t, pm));
	physmem_mark_code(pm, 0x3010);
	cr_assert_eq(e->tag_write, 0x400000 | TLB_SLOW);
	cr_assert_eq(e->tag_read, 0x400000);
	cr_assert(tlb_check_invariants(&t, pm));
	/* once detached, a TLB is no longer touched */
	physmem_detach_tlb(pm, &t);
	e->tag_write = 0x400000;
	e->gpa_page = 0x6000;
	physmem_mark_code(pm, 0x6000);
	cr_assert_eq(e->tag_write, 0x400000);
}
