/*
 * tests/unit/vmbus/test_gpadl.c — GPADL assembly and copies
 * (vmbus/gpadl.c; vmbus.md §4.4): a real physmem with scattered pages,
 * header + body assembly as Linux sends it, bad PFNs, huge and
 * inconsistent counts, duplicated and missing bodies, multi-range byte
 * windows and copies that must stay inside the listed pages.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mmu/mmu.h"
#include "vmbus/gpadl.h"

#define RAM_PAGES 256u
#define RAM (RAM_PAGES * 4096u)

static struct physmem *pm;

static void setup(void)
{
	pm = physmem_create(RAM);
	cr_assert_not_null(pm);
}

static void teardown(void) { physmem_destroy(pm); }

TestSuite(gpadl, .init = setup, .fini = teardown);

/* A stream of u64 words, built as the guest would (little-endian host). */
struct stream {
	uint64_t w[20000];
	unsigned n;
};

static void put_range(struct stream *s, uint32_t count, uint32_t offset)
{
	s->w[s->n++] = (uint64_t)offset << 32 | count;
}

static void put_pfn(struct stream *s, uint64_t pfn) { s->w[s->n++] = pfn; }

/* Scattered, distinct pages: a fixed permutation step through RAM. */
static uint64_t scattered(unsigned i) { return (i * 37u + 11u) % RAM_PAGES; }

static struct stream st;

/* Linux's storvsc ring GPADL: 64 pages, 26 PFNs in the header, then
 * bodies of 28 and 10 (vmbus-linux61.md §2.4). */
static struct gpadl *linux_64_pages(void)
{
	struct gpadl *g = NULL;
	st.n = 0;
	put_range(&st, 64 * 4096, 0);
	for (unsigned i = 0; i < 64; i++)
		put_pfn(&st, scattered(i));
	uint16_t buflen = 8 + 8 * 64;
	cr_assert_eq(gpadl_begin(pm, 0xE1E10, 1, buflen, st.w, 27 * 8, &g),
		     GPADL_OK);
	cr_assert_not(gpadl_is_complete(g));
	cr_assert_eq(gpadl_add_body(g, &st.w[27], 28 * 8), GPADL_OK);
	cr_assert_not(gpadl_is_complete(g));
	cr_assert_eq(gpadl_add_body(g, &st.w[55], 10 * 8), GPADL_OK);
	cr_assert(gpadl_is_complete(g));
	return g;
}

Test(gpadl, linux_header_and_two_bodies_assemble_in_order)
{
	struct gpadl *g = linux_64_pages();
	cr_assert_eq(gpadl_handle(g), 0xE1E10);
	cr_assert_eq(gpadl_page_count(g), 64);
	cr_assert_eq(gpadl_range_count(g), 1);
	cr_assert_eq(gpadl_size(g), 64 * 4096);
	for (unsigned i = 0; i < 64; i++)
		cr_assert_eq(gpadl_pfn(g, i), scattered(i));
	gpadl_destroy(g);
}

Test(gpadl, copies_land_in_the_listed_scattered_pages)
{
	struct gpadl *g = linux_64_pages();
	static uint8_t buf[64 * 4096], back[64 * 4096];
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + i / 4096);
	cr_assert_eq(gpadl_copy_to(g, 0, buf, sizeof(buf)), GPADL_OK);
	for (unsigned p = 0; p < 64; p++) {
		uint8_t *host = physmem_ram_ptr(pm, scattered(p) * 4096, 4096);
		cr_assert_arr_eq(host, buf + p * 4096, 4096, "page %u", p);
	}
	/* An unaligned window across three pages reads back the same. */
	cr_assert_eq(gpadl_copy_from(g, 4000, back, 8300), GPADL_OK);
	cr_assert_arr_eq(back, buf + 4000, 8300);
	gpadl_destroy(g);
}

Test(gpadl, copies_outside_the_byte_space_are_refused_whole)
{
	struct gpadl *g = linux_64_pages();
	uint8_t b[16] = {0};
	uint64_t size = 64 * 4096;
	cr_assert_eq(gpadl_copy_from(g, size - 8, b, 16), GPADL_ERR_OUT_OF_RANGE);
	cr_assert_eq(gpadl_copy_to(g, size, b, 1), GPADL_ERR_OUT_OF_RANGE);
	cr_assert_eq(gpadl_copy_to(g, UINT64_MAX - 2, b, 8),
		     GPADL_ERR_OUT_OF_RANGE);
	cr_assert_eq(gpadl_copy_from(g, size - 8, b, 8), GPADL_OK);
	gpadl_destroy(g);
}

Test(gpadl, pfn_outside_ram_in_header_is_refused)
{
	const uint64_t bad[] = {RAM_PAGES, RAM_PAGES + 1, 1ull << 40,
				1ull << 52, UINT64_MAX};
	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct gpadl *g = (struct gpadl *)1;
		st.n = 0;
		put_range(&st, 2 * 4096, 0);
		put_pfn(&st, 3);
		put_pfn(&st, bad[k]);
		cr_assert_eq(gpadl_begin(pm, 1, 1, 24, st.w, 24, &g),
			     GPADL_ERR_PFN_OUTSIDE_RAM, "pfn %#llx",
			     (unsigned long long)bad[k]);
		cr_assert_null(g);
	}
}

Test(gpadl, bad_body_changes_nothing_and_a_good_one_completes)
{
	struct gpadl *g = NULL;
	st.n = 0;
	put_range(&st, 3 * 4096, 0);
	put_pfn(&st, 5);
	cr_assert_eq(gpadl_begin(pm, 9, 1, 32, st.w, 16, &g), GPADL_OK);
	uint64_t body_bad[2] = {6, RAM_PAGES + 7};
	cr_assert_eq(gpadl_add_body(g, body_bad, 16), GPADL_ERR_PFN_OUTSIDE_RAM);
	cr_assert_eq(gpadl_page_count(g), 1);
	cr_assert_eq(gpadl_add_body(g, body_bad, 12), GPADL_ERR_LENGTH);
	uint64_t body_ok[2] = {6, 7};
	cr_assert_eq(gpadl_add_body(g, body_ok, 16), GPADL_OK);
	cr_assert(gpadl_is_complete(g));
	cr_assert_eq(gpadl_pfn(g, 2), 7);
	gpadl_destroy(g);
}

Test(gpadl, huge_and_invalid_counts_are_refused)
{
	struct gpadl *g = NULL;
	st.n = 0;
	put_range(&st, 0xFFFFFFFFu, 0); /* 1 Mi pages */
	cr_assert_eq(gpadl_begin(pm, 1, 1, 8, st.w, 8, &g), GPADL_ERR_TOO_BIG);
	st.n = 0;
	put_range(&st, 0, 0);
	cr_assert_eq(gpadl_begin(pm, 1, 1, 8, st.w, 8, &g),
		     GPADL_ERR_BAD_RANGE);
	st.n = 0;
	put_range(&st, 4096, 4096);
	cr_assert_eq(gpadl_begin(pm, 1, 1, 16, st.w, 8, &g),
		     GPADL_ERR_BAD_RANGE);
	st.n = 0;
	put_range(&st, 4096, 0);
	put_pfn(&st, 1);
	cr_assert_eq(gpadl_begin(pm, 1, 0, 16, st.w, 16, &g),
		     GPADL_ERR_BAD_RANGE);
	cr_assert_eq(gpadl_begin(pm, 1, GPADL_MAX_RANGES + 1, 16, st.w, 16, &g),
		     GPADL_ERR_BAD_RANGE);
	cr_assert_null(g);
}

Test(gpadl, page_cap_is_exact_and_range_buflen_wraps_at_64k)
{
	/* GPADL_MAX_PAGES pages (PFNs may repeat): range_buflen is the
	 * stream size modulo 65536, as Linux's u16 field carries it. */
	struct gpadl *g = NULL;
	st.n = 0;
	put_range(&st, GPADL_MAX_PAGES * 4096u, 0);
	for (unsigned i = 0; i < GPADL_MAX_PAGES; i++)
		put_pfn(&st, i % RAM_PAGES);
	uint32_t bytes = st.n * 8;
	cr_assert_eq(gpadl_begin(pm, 1, 1, (uint16_t)(bytes + 8), st.w, bytes,
				 &g),
		     GPADL_ERR_LENGTH);
	cr_assert_eq(gpadl_begin(pm, 1, 1, (uint16_t)bytes, st.w, bytes, &g),
		     GPADL_OK);
	cr_assert_eq(gpadl_page_count(g), GPADL_MAX_PAGES);
	gpadl_destroy(g);

	st.n = 0;
	put_range(&st, GPADL_MAX_PAGES * 4096u + 1, 0);
	cr_assert_eq(gpadl_begin(pm, 1, 1, 0, st.w, 8, &g), GPADL_ERR_TOO_BIG);
	/* Two ranges whose sum passes the cap. */
	st.n = 0;
	put_range(&st, GPADL_MAX_PAGES * 4096u, 0);
	for (unsigned i = 0; i < GPADL_MAX_PAGES; i++)
		put_pfn(&st, 1);
	put_range(&st, 1, 0);
	cr_assert_eq(gpadl_begin(pm, 1, 2, 0, st.w, st.n * 8, &g),
		     GPADL_ERR_TOO_BIG);
}

Test(gpadl, inconsistent_range_buflen_is_refused)
{
	struct gpadl *g = NULL;
	st.n = 0;
	put_range(&st, 2 * 4096, 0);
	put_pfn(&st, 1);
	put_pfn(&st, 2);
	cr_assert_eq(gpadl_begin(pm, 1, 1, 16, st.w, 24, &g), GPADL_ERR_LENGTH);
	cr_assert_eq(gpadl_begin(pm, 1, 1, 24, st.w, 20, &g), GPADL_ERR_LENGTH);
	cr_assert_eq(gpadl_begin(pm, 1, 1, 24, st.w, 24, &g), GPADL_OK);
	gpadl_destroy(g);
}

Test(gpadl, more_pfns_than_the_range_needs_are_refused)
{
	struct gpadl *g = NULL;
	st.n = 0;
	put_range(&st, 4096 + 1, 0); /* 2 pages */
	put_pfn(&st, 1);
	put_pfn(&st, 2);
	put_pfn(&st, 3);
	cr_assert_eq(gpadl_begin(pm, 1, 1, 32, st.w, 32, &g), GPADL_ERR_EXTRA);
}

Test(gpadl, duplicated_body_is_refused_after_completion)
{
	struct gpadl *g = NULL;
	st.n = 0;
	put_range(&st, 3 * 4096, 0);
	put_pfn(&st, 1);
	cr_assert_eq(gpadl_begin(pm, 1, 1, 32, st.w, 16, &g), GPADL_OK);
	uint64_t body[2] = {2, 3};
	cr_assert_eq(gpadl_add_body(g, body, 16), GPADL_OK);
	cr_assert_eq(gpadl_add_body(g, body, 16), GPADL_ERR_EXTRA);
	cr_assert_eq(gpadl_page_count(g), 3);
	gpadl_destroy(g);
}

Test(gpadl, duplicated_body_that_overflows_is_refused_before_completion)
{
	struct gpadl *g = NULL;
	st.n = 0;
	put_range(&st, 4 * 4096, 0);
	put_pfn(&st, 1);
	cr_assert_eq(gpadl_begin(pm, 1, 1, 40, st.w, 16, &g), GPADL_OK);
	uint64_t body[2] = {2, 3};
	cr_assert_eq(gpadl_add_body(g, body, 16), GPADL_OK);
	cr_assert_eq(gpadl_add_body(g, body, 16), GPADL_ERR_EXTRA);
	cr_assert_eq(gpadl_page_count(g), 3); /* unchanged */
	cr_assert_eq(gpadl_add_body(g, body, 8), GPADL_OK);
	cr_assert(gpadl_is_complete(g));
	gpadl_destroy(g);
}

Test(gpadl, missing_body_leaves_it_incomplete_and_unusable)
{
	struct gpadl *g = NULL;
	uint8_t b[8];
	st.n = 0;
	put_range(&st, 2 * 4096, 0);
	put_pfn(&st, 1);
	cr_assert_eq(gpadl_begin(pm, 1, 1, 24, st.w, 16, &g), GPADL_OK);
	cr_assert_not(gpadl_is_complete(g));
	cr_assert_eq(gpadl_size(g), 0);
	cr_assert_eq(gpadl_copy_from(g, 0, b, 8), GPADL_ERR_INCOMPLETE);
	cr_assert_eq(gpadl_copy_to(g, 0, b, 8), GPADL_ERR_INCOMPLETE);
	gpadl_destroy(g);
}

Test(gpadl, multi_range_windows_map_linear_bytes_to_the_right_gpas)
{
	/* range 0: 5000 bytes from offset 100 of pages 10,11;
	 * range 1: 10 bytes from offset 4090 of pages 20,21 (crosses). */
	struct gpadl *g = NULL;
	st.n = 0;
	put_range(&st, 5000, 100);
	put_pfn(&st, 10);
	put_pfn(&st, 11);
	put_range(&st, 10, 4090);
	put_pfn(&st, 20);
	put_pfn(&st, 21);
	cr_assert_eq(gpadl_from_ranges(pm, 2, st.w, st.n * 8, &g), GPADL_OK);
	cr_assert_eq(gpadl_size(g), 5010);
	uint8_t buf[5010];
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i % 255 + 1); /* never 0 */
	memset(physmem_ram_ptr(pm, 0, RAM), 0, RAM);
	cr_assert_eq(gpadl_copy_to(g, 0, buf, sizeof(buf)), GPADL_OK);
	uint8_t *ram = physmem_ram_ptr(pm, 0, RAM);
	cr_assert_arr_eq(ram + 10 * 4096 + 100, buf, 3996);
	cr_assert_arr_eq(ram + 11 * 4096, buf + 3996, 1004);
	cr_assert_arr_eq(ram + 20 * 4096 + 4090, buf + 5000, 6);
	cr_assert_arr_eq(ram + 21 * 4096, buf + 5006, 4);
	/* Nothing else was written. */
	unsigned written = 0;
	for (unsigned i = 0; i < RAM; i++)
		written += ram[i] != 0;
	cr_assert_eq(written, 5010);
	gpadl_destroy(g);
}

Test(gpadl, from_ranges_needs_the_exact_length)
{
	struct gpadl *g = NULL;
	st.n = 0;
	put_range(&st, 100, 0);
	put_pfn(&st, 1);
	put_pfn(&st, 2); /* one too many */
	cr_assert_eq(gpadl_from_ranges(pm, 1, st.w, 24, &g), GPADL_ERR_EXTRA);
	cr_assert_eq(gpadl_from_ranges(pm, 1, st.w, 8, &g), GPADL_ERR_LENGTH);
	cr_assert_eq(gpadl_from_ranges(pm, 2, st.w, 16, &g), GPADL_ERR_LENGTH);
	cr_assert_eq(gpadl_from_ranges(pm, 1, st.w, 16, &g), GPADL_OK);
	cr_assert_eq(gpadl_size(g), 100);
	gpadl_destroy(g);
}

Test(gpadl, every_status_has_a_distinct_name)
{
	for (int a = 0; a < GPADL_NR_STATUS; a++) {
		cr_assert_not_null(gpadl_status_name(a));
		cr_assert_str_neq(gpadl_status_name(a), "unknown");
		for (int b = 0; b < a; b++)
			cr_assert_str_neq(gpadl_status_name(a),
					  gpadl_status_name(b));
	}
	cr_assert_str_eq(gpadl_status_name(GPADL_NR_STATUS), "unknown");
}

/* ---- seeded mutation test ----------------------------------------------
 * 10,000 Linux-shaped GPADLs (1..100 pages, header of <= 26 PFNs, bodies
 * of <= 28) with random damage: flipped stream bytes, wrong rangecount or
 * range_buflen, odd lengths, dropped or repeated bodies. Whatever is
 * accepted must be self-consistent and inside RAM; a failed body must
 * change nothing. */

static uint64_t rng = 0x5EED5EEDull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void check_accepted(struct gpadl *g)
{
	cr_assert_leq(gpadl_page_count(g), GPADL_MAX_PAGES);
	for (uint32_t i = 0; i < gpadl_page_count(g); i++)
		cr_assert_lt(gpadl_pfn(g, i), RAM_PAGES);
	if (!gpadl_is_complete(g))
		return;
	uint64_t size = gpadl_size(g);
	cr_assert_gt(size, 0);
	cr_assert_leq(size, (uint64_t)gpadl_page_count(g) * 4096);
	static uint8_t buf[RAM];
	cr_assert_leq(size, sizeof(buf));
	cr_assert_eq(gpadl_copy_to(g, 0, buf, size), GPADL_OK);
	cr_assert_eq(gpadl_copy_from(g, 0, buf, size), GPADL_OK);
	cr_assert_eq(gpadl_copy_from(g, size, buf, 1), GPADL_ERR_OUT_OF_RANGE);
}

static void mutate(uint8_t *bytes, unsigned len)
{
	for (unsigned n = 1 + rnd() % 3; n > 0; n--) {
		unsigned at = rnd() % len;
		switch (rnd() % 3) {
		case 0:
			bytes[at] ^= (uint8_t)(1u << rnd() % 8);
			break;
		case 1:
			bytes[at] = (uint8_t)rnd();
			break;
		default:
			bytes[at] = 0xFF;
		}
	}
}

Test(gpadl, ten_thousand_mutated_streams_never_escape_ram)
{
	unsigned complete = 0, refused = 0;
	for (unsigned round = 0; round < 10000; round++) {
		unsigned pages = 1 + rnd() % 100;
		st.n = 0;
		put_range(&st, pages * 4096 - rnd() % 4096, 0);
		for (unsigned i = 0; i < pages; i++)
			put_pfn(&st, rnd() % RAM_PAGES);
		uint16_t rangecount = 1, buflen = (uint16_t)(st.n * 8);
		if (rnd() % 4 == 0)
			mutate((uint8_t *)st.w, st.n * 8);
		if (rnd() % 10 == 0)
			rangecount = (uint16_t)rnd();
		if (rnd() % 10 == 0)
			buflen = (uint16_t)rnd();
		unsigned hdr = st.n < 27 ? st.n : 27;
		size_t hdr_len = hdr * 8 - (rnd() % 20 == 0 ? rnd() % 8 : 0);
		struct gpadl *g = NULL;
		enum gpadl_status s = gpadl_begin(pm, round, rangecount, buflen,
						  st.w, hdr_len, &g);
		if (s != GPADL_OK) {
			cr_assert_null(g);
			refused++;
			continue;
		}
		for (unsigned at = hdr; at < st.n;) {
			unsigned n = st.n - at < 28 ? st.n - at : 28;
			unsigned pick = rnd() % 20;
			if (pick == 0) { /* drop this body */
				at += n;
				continue;
			}
			uint32_t before = gpadl_page_count(g);
			size_t len = n * 8 - (pick == 1 ? 1 + rnd() % 7 : 0);
			s = gpadl_add_body(g, &st.w[at], len);
			if (s != GPADL_OK) {
				cr_assert_eq(gpadl_page_count(g), before);
				refused++;
			}
			if (pick != 2) /* 2: send it again */
				at += n;
		}
		if (gpadl_is_complete(g))
			cr_assert_eq(gpadl_add_body(g, &st.w[1], 8),
				     GPADL_ERR_EXTRA);
		check_accepted(g);
		complete += gpadl_is_complete(g);
		gpadl_destroy(g);
	}
	cr_log_info("complete %u refused %u", complete, refused);
	cr_assert_gt(complete, 4000);
	cr_assert_gt(refused, 1000);
}
