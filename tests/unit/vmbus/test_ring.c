/*
 * tests/unit/vmbus/test_ring.c — host-side ring buffers (vmbus/ring.c;
 * vmbus.md §5): ring geometry in a scattered GPADL, the exact bytes of a
 * packet and its trailer, reading packets a "guest" wrote by hand,
 * fixed-seed round trips with wrap-around, the signalling rules
 * (empty→non-empty, interrupt_mask, pending_send_sz), every malformed
 * index/descriptor refused, oversized packets, a reader that never
 * drains, GPA-direct page lists, and a seeded mutation test.
 *
 * The guest side is played by the test: it writes header fields and
 * packet bytes through gpadl_copy_* (checked in test_gpadl.c), or uses a
 * second struct ring opened in the opposite role on the same pages.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mmu/mmu.h"
#include "vmbus/gpadl.h"
#include "vmbus/ring.h"

#define RAM_PAGES 64u
#define RING_PAGES 4u			   /* per direction: 1 header + 3 data */
#define DATA ((RING_PAGES - 1) * 4096u) /* 12288 bytes */
#define UP 0u				   /* guest→host ring's first page */
#define DOWN RING_PAGES			   /* host→guest ring's first page */

static struct physmem *pm;
static struct gpadl *g;
static struct ring from_guest, to_guest;

static uint64_t page_of(unsigned i) { return (i * 13u + 5u) % RAM_PAGES; }

static struct gpadl *make_gpadl(unsigned npages)
{
	uint64_t w[1 + 64];
	struct gpadl *out = NULL;
	w[0] = (uint64_t)npages * 4096;
	for (unsigned i = 0; i < npages; i++)
		w[1 + i] = page_of(i);
	cr_assert_eq(gpadl_from_ranges(pm, 1, w, 8 * (1 + npages), &out),
		     GPADL_OK);
	return out;
}

static void setup(void)
{
	pm = physmem_create(RAM_PAGES * 4096u);
	cr_assert_not_null(pm);
	g = make_gpadl(2 * RING_PAGES);
	cr_assert_eq(ring_open_pair(g, DOWN, &from_guest, &to_guest), RING_OK);
}

static void teardown(void)
{
	gpadl_destroy(g);
	physmem_destroy(pm);
}

TestSuite(ring, .init = setup, .fini = teardown);

/* ---- the guest's view ------------------------------------------------- */

static uint32_t g_get(unsigned ring_page, uint32_t field)
{
	uint32_t v;
	cr_assert_eq(gpadl_copy_from(g, ring_page * 4096ull + field, &v, 4),
		     GPADL_OK);
	return v;
}

static void g_set(unsigned ring_page, uint32_t field, uint32_t v)
{
	cr_assert_eq(gpadl_copy_to(g, ring_page * 4096ull + field, &v, 4),
		     GPADL_OK);
}

static void g_data_put(unsigned ring_page, uint32_t pos, const void *b,
		       uint32_t len)
{
	const uint8_t *p = b;
	for (uint32_t i = 0; i < len; i++) {
		uint64_t off = (ring_page + 1) * 4096ull + (pos + i) % DATA;
		cr_assert_eq(gpadl_copy_to(g, off, p + i, 1), GPADL_OK);
	}
}

static void g_data_get(unsigned ring_page, uint32_t pos, void *b,
		       uint32_t len)
{
	uint8_t *p = b;
	for (uint32_t i = 0; i < len; i++) {
		uint64_t off = (ring_page + 1) * 4096ull + (pos + i) % DATA;
		cr_assert_eq(gpadl_copy_from(g, off, p + i, 1), GPADL_OK);
	}
}

/* A packet the guest writes by hand at its write index (desc fields as
 * given, then `body`), advancing write_index by len8*8 + 8. */
static void g_write_raw(uint16_t type, uint16_t off8, uint16_t len8,
			uint16_t flags, uint64_t tid, const void *body,
			uint32_t body_len)
{
	uint8_t d[16];
	uint32_t w = g_get(UP, RING_HDR_WRITE_INDEX);
	memcpy(d, &type, 2);
	memcpy(d + 2, &off8, 2);
	memcpy(d + 4, &len8, 2);
	memcpy(d + 6, &flags, 2);
	memcpy(d + 8, &tid, 8);
	g_data_put(UP, w, d, 16);
	if (body_len)
		g_data_put(UP, w + 16, body, body_len);
	uint64_t trailer = (uint64_t)w << 32;
	g_data_put(UP, w + len8 * 8u, &trailer, 8);
	g_set(UP, RING_HDR_WRITE_INDEX, (w + len8 * 8u + 8) % DATA);
}

/* ---- geometry ---------------------------------------------------------- */

Test(ring, open_pair_splits_the_gpadl_at_the_downstream_offset)
{
	cr_assert_eq(from_guest.data_size, DATA);
	cr_assert_eq(to_guest.data_size, DATA);
	cr_assert_eq(from_guest.hdr_off, 0);
	cr_assert_eq(to_guest.hdr_off, DOWN * 4096ull);
	cr_assert(to_guest.is_writer);
	cr_assert_not(from_guest.is_writer);
	cr_assert(ring_check_invariants(&from_guest));
	cr_assert(ring_check_invariants(&to_guest));
	struct ring broken = to_guest;
	broken.priv_index = 12;
	cr_assert_not(ring_check_invariants(&broken));
	broken.priv_index = DATA;
	cr_assert_not(ring_check_invariants(&broken));
}

Test(ring, open_refuses_rings_without_a_data_page)
{
	struct ring a, b;
	cr_assert_eq(ring_open_pair(g, 1, &a, &b), RING_ERR_GEOMETRY);
	cr_assert_eq(ring_open_pair(g, 2 * RING_PAGES - 1, &a, &b),
		     RING_ERR_GEOMETRY);
	cr_assert_eq(ring_open_pair(g, 1000, &a, &b), RING_ERR_GEOMETRY);
	cr_assert_eq(ring_open(&a, g, 5, 4, true), RING_ERR_GEOMETRY);
	cr_assert_eq(ring_open(&a, g, 0xFFFFFFFFu, 2, true),
		     RING_ERR_GEOMETRY);
	/* A ring that failed to open refuses everything. */
	struct ring_pkt p;
	cr_assert_eq(ring_peek(&a, &p), RING_ERR_DEAD);
}

Test(ring, open_refuses_an_incomplete_gpadl_and_bad_initial_indices)
{
	uint64_t w[2] = {3 * 4096, page_of(0)};
	struct gpadl *part = NULL;
	struct ring a, b;
	cr_assert_eq(gpadl_begin(pm, 7, 1, 32, w, 16, &part), GPADL_OK);
	cr_assert_eq(ring_open(&a, part, 0, 2, false), RING_ERR_GEOMETRY);
	gpadl_destroy(part);
	g_set(UP, RING_HDR_READ_INDEX, 12);
	cr_assert_eq(ring_open_pair(g, DOWN, &a, &b), RING_ERR_BAD_INDEX);
	g_set(UP, RING_HDR_READ_INDEX, 0);
	g_set(DOWN, RING_HDR_WRITE_INDEX, DATA);
	cr_assert_eq(ring_open_pair(g, DOWN, &a, &b), RING_ERR_BAD_INDEX);
}

/* ---- exact layout ------------------------------------------------------ */

Test(ring, written_packet_has_the_spec_layout_and_trailer)
{
	bool sig;
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND,
				RING_FLAG_COMPLETION_REQUESTED,
				0x1122334455667788ull, NULL, 0, "abcde", 5,
				&sig),
		     RING_OK);
	const uint8_t want1[40] = {
		0x06, 0x00, 0x02, 0x00, 0x03, 0x00, 0x01, 0x00, /* type off8 len8 flags */
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* trans_id */
		'a',  'b',  'c',  'd',	'e',  0,    0,	  0,	/* payload + pad */
		0,    0,    0,	  0,	0,    0,    0,	  0,	/* trailer: start 0 */
	};
	uint8_t got[40];
	g_data_get(DOWN, 0, got, 32);
	cr_assert_arr_eq(got, want1, 32);
	cr_assert_eq(g_get(DOWN, RING_HDR_WRITE_INDEX), 32);

	/* A completion with an 8-byte type header: offset8 = 3; the
	 * trailer carries start 32 in its high dword. */
	uint64_t hdr = 0xAABBCCDDEEFF0011ull;
	cr_assert_eq(ring_write(&to_guest, RING_PKT_COMP, 0, 7, &hdr, 8,
				"xy", 2, &sig),
		     RING_OK);
	const uint8_t want2[40] = {
		0x0B, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00,
		0x07, 0,    0,	  0,	0,    0,    0,	  0,
		0x11, 0x00, 0xFF, 0xEE, 0xDD, 0xCC, 0xBB, 0xAA,
		'x',  'y',  0,	  0,	0,    0,    0,	  0,
		0,    0,    0,	  0,	32,   0,    0,	  0,
	};
	g_data_get(DOWN, 32, got, 40);
	cr_assert_arr_eq(got, want2, 40);
	cr_assert_eq(g_get(DOWN, RING_HDR_WRITE_INDEX), 72);
}

Test(ring, reads_a_packet_the_guest_wrote_by_hand)
{
	uint8_t body[24];
	for (unsigned i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)(0x40 + i);
	g_write_raw(RING_PKT_INBAND, 2, 5, 1, 0xFFFFFFFFFFFFFFFDull, body, 24);
	cr_assert_eq(ring_used(&from_guest), 48);

	struct ring_pkt p;
	uint8_t buf[64];
	bool sig = true;
	cr_assert_eq(ring_read(&from_guest, buf, sizeof(buf), &p, &sig),
		     RING_OK);
	cr_assert_eq(p.type, RING_PKT_INBAND);
	cr_assert_eq(p.flags, 1);
	cr_assert_eq(p.trans_id, 0xFFFFFFFFFFFFFFFDull);
	cr_assert_eq(p.offset, 16);
	cr_assert_eq(p.len, 40);
	cr_assert_arr_eq(buf + p.offset, body, 24);
	cr_assert_not(sig);
	cr_assert_eq(g_get(UP, RING_HDR_READ_INDEX), 48);
	cr_assert_eq(ring_peek(&from_guest, &p), RING_EMPTY);
}

Test(ring, copy_pkt_reads_parts_and_refuses_beyond_the_packet)
{
	uint8_t body[16] = "0123456789abcdef";
	g_write_raw(RING_PKT_INBAND, 2, 4, 0, 1, body, 16);
	struct ring_pkt p;
	uint8_t b[8];
	cr_assert_eq(ring_peek(&from_guest, &p), RING_OK);
	cr_assert_eq(ring_copy_pkt(&from_guest, &p, 20, b, 8), RING_OK);
	cr_assert_arr_eq(b, "456789ab", 8);
	cr_assert_eq(ring_copy_pkt(&from_guest, &p, 28, b, 8), RING_ERR_ARG);
	cr_assert_eq(ring_copy_pkt(&from_guest, &p, 0xFFFFFFF8u, b, 16),
		     RING_ERR_ARG);
}

/* ---- round trips ------------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

Test(ring, random_sizes_round_trip_through_wrap_around)
{
	/* The test's "guest" reads the host→guest ring with a reader ring
	 * opened on the same pages. */
	struct ring guest_reader;
	cr_assert_eq(ring_open(&guest_reader, g, DOWN, RING_PAGES, false),
		     RING_OK);
	static uint8_t pay[700], got[800];
	static uint32_t lens[6000];
	uint64_t next_w = 0, next_r = 0, wraps = 0;
	uint32_t last_w = 0;
	rng = 12345;
	while (next_r < 5000 && next_w < 5990) {
		unsigned burst = rnd() % 8;
		for (unsigned i = 0; i < burst; i++) {
			uint32_t len = rnd() % 600;
			for (uint32_t k = 0; k < len; k++)
				pay[k] = (uint8_t)(next_w * 31 + k);
			bool sig;
			enum ring_status st =
				ring_write(&to_guest, RING_PKT_INBAND, 0,
					   next_w, NULL, 0, pay, len, &sig);
			if (st == RING_FULL)
				break;
			cr_assert_eq(st, RING_OK);
			lens[next_w] = len;
			uint32_t w = g_get(DOWN, RING_HDR_WRITE_INDEX);
			wraps += w < last_w;
			last_w = w;
			next_w++;
		}
		unsigned reads = rnd() % 8;
		for (unsigned i = 0; i < reads && next_r < next_w; i++) {
			struct ring_pkt p;
			bool sig;
			cr_assert_eq(ring_read(&guest_reader, got, sizeof(got),
					       &p, &sig),
				     RING_OK);
			cr_assert_eq(p.trans_id, next_r);
			uint32_t len = lens[next_r];
			cr_assert_eq(p.len, (16 + len + 7) / 8 * 8);
			for (uint32_t k = len; k < p.len - p.offset; k++)
				cr_assert_eq(got[p.offset + k], 0, "padding");
			for (uint32_t k = 0; k < len; k++)
				if (got[p.offset + k] != (uint8_t)(next_r * 31 + k))
					cr_assert_fail("packet %llu byte %u",
						       (unsigned long long)next_r,
						       k);
			next_r++;
		}
	}
	cr_assert_gt(wraps, 50);
	cr_assert(ring_check_invariants(&to_guest));
	cr_assert(ring_check_invariants(&guest_reader));
}

/* ---- signalling -------------------------------------------------------- */

Test(ring, write_signals_only_on_empty_to_non_empty)
{
	bool sig;
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 1, NULL, 0, "a",
				1, &sig),
		     RING_OK);
	cr_assert(sig);
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 2, NULL, 0, "b",
				1, &sig),
		     RING_OK);
	cr_assert_not(sig);
	/* Guest drains everything: next write signals again. */
	g_set(DOWN, RING_HDR_READ_INDEX, g_get(DOWN, RING_HDR_WRITE_INDEX));
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 3, NULL, 0, "c",
				1, &sig),
		     RING_OK);
	cr_assert(sig);
}

Test(ring, write_does_not_signal_a_masked_reader)
{
	bool sig;
	g_set(DOWN, RING_HDR_INTERRUPT_MASK, 1);
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 1, NULL, 0, "a",
				1, &sig),
		     RING_OK);
	cr_assert_not(sig);
}

Test(ring, host_interrupt_mask_is_written_to_the_guest_to_host_ring)
{
	cr_assert_eq(ring_set_interrupt_mask(&from_guest, true), RING_OK);
	cr_assert_eq(g_get(UP, RING_HDR_INTERRUPT_MASK), 1);
	cr_assert_eq(ring_set_interrupt_mask(&from_guest, false), RING_OK);
	cr_assert_eq(g_get(UP, RING_HDR_INTERRUPT_MASK), 0);
	cr_assert_eq(ring_set_interrupt_mask(&to_guest, true), RING_ERR_ARG);
}

/* Fill the guest→host ring with 10 packets of 1000+8 bytes. */
static void g_fill_ten(void)
{
	static uint8_t body[1000 - 16];
	for (int i = 0; i < 10; i++)
		g_write_raw(RING_PKT_INBAND, 2, 125, 0, (uint64_t)i, body,
			    sizeof(body));
}

Test(ring, read_signals_once_when_free_space_crosses_pending_send_sz)
{
	g_fill_ten(); /* used 10080, free 2208 */
	g_set(UP, RING_HDR_FEATURE_BITS, RING_FEAT_PENDING_SEND_SZ);
	g_set(UP, RING_HDR_PENDING_SEND_SZ, 4000);
	static uint8_t buf[1000];
	int signals = 0, at = -1;
	for (int i = 0; i < 10; i++) {
		struct ring_pkt p;
		bool sig;
		cr_assert_eq(ring_read(&from_guest, buf, sizeof(buf), &p, &sig),
			     RING_OK);
		if (sig) {
			signals++;
			at = i;
		}
	}
	/* free: 2208 → 3216 → 4224 (> 4000) after the second read. */
	cr_assert_eq(signals, 1);
	cr_assert_eq(at, 1);
}

Test(ring, read_does_not_signal_without_the_feature_bit_or_a_request)
{
	static uint8_t buf[1000];
	struct ring_pkt p;
	bool sig;
	g_fill_ten();
	g_set(UP, RING_HDR_FEATURE_BITS, 0);
	g_set(UP, RING_HDR_PENDING_SEND_SZ, 4000);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(ring_read(&from_guest, buf, sizeof(buf), &p, &sig),
			     RING_OK);
		cr_assert_not(sig);
	}
	g_set(UP, RING_HDR_FEATURE_BITS, 1);
	g_set(UP, RING_HDR_PENDING_SEND_SZ, 0);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(ring_read(&from_guest, buf, sizeof(buf), &p, &sig),
			     RING_OK);
		cr_assert_not(sig);
	}
}

Test(ring, reader_that_never_drains_makes_the_writer_report_full)
{
	static uint8_t pay[1000];
	bool sig;
	int ok = 0;
	enum ring_status st;
	while ((st = ring_write(&to_guest, RING_PKT_INBAND, 0, 1, NULL, 0, pay,
				sizeof(pay), &sig)) == RING_OK)
		ok++;
	cr_assert_eq(st, RING_FULL);
	cr_assert_eq(ok, 11); /* 11 * 1024 = 11264; a 12th needs > 1024 free */
	uint32_t w = g_get(DOWN, RING_HDR_WRITE_INDEX);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 1, NULL,
					0, pay, sizeof(pay), &sig),
			     RING_FULL);
	cr_assert_eq(g_get(DOWN, RING_HDR_WRITE_INDEX), w);
	/* The host asked to be told when packet + trailer fits. */
	cr_assert_eq(g_get(DOWN, RING_HDR_PENDING_SEND_SZ), 1024);
}

Test(ring, full_writer_is_unblocked_by_the_guest_reader_signal)
{
	struct ring guest_reader;
	static uint8_t pay[1000], buf[1100];
	bool sig;
	cr_assert_eq(ring_open(&guest_reader, g, DOWN, RING_PAGES, false),
		     RING_OK);
	g_set(DOWN, RING_HDR_FEATURE_BITS, 1); /* as Linux sets it */
	while (ring_write(&to_guest, RING_PKT_INBAND, 0, 1, NULL, 0, pay,
			  sizeof(pay), &sig) == RING_OK)
		;
	struct ring_pkt p;
	cr_assert_eq(ring_read(&guest_reader, buf, sizeof(buf), &p, &sig),
		     RING_OK);
	/* free was 12288 - 11264 = 1024 <= 1024, now 2048 > 1024. */
	cr_assert(sig);
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 2, NULL, 0, pay,
				sizeof(pay), &sig),
		     RING_OK);
	cr_assert_eq(g_get(DOWN, RING_HDR_PENDING_SEND_SZ), 0);
}

/* ---- refusals ------------------------------------------------------- */

Test(ring, packets_that_can_never_fit_are_refused)
{
	static uint8_t big[DATA];
	bool sig;
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 1, NULL, 0, big,
				DATA - 16 - 8, &sig),
		     RING_ERR_TOO_BIG);
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 1, NULL, 0, big,
				DATA - 16 - 8 - 8, &sig),
		     RING_OK);
	ring_set_max_pkt(&to_guest, 80); /* storvsc, §5.6 */
	g_set(DOWN, RING_HDR_READ_INDEX, g_get(DOWN, RING_HDR_WRITE_INDEX));
	cr_assert_eq(ring_write(&to_guest, RING_PKT_COMP, 0, 1, NULL, 0, big,
				65, &sig),
		     RING_ERR_TOO_BIG);
	cr_assert_eq(ring_write(&to_guest, RING_PKT_COMP, 0, 1, NULL, 0, big,
				64, &sig),
		     RING_OK);
}

Test(ring, bad_host_arguments_are_refused)
{
	bool sig;
	uint64_t h = 0;
	cr_assert_eq(ring_write(&to_guest, 8, 0, 1, NULL, 0, NULL, 0, &sig),
		     RING_ERR_ARG);
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 2, 1, NULL, 0, NULL,
				0, &sig),
		     RING_ERR_ARG);
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 1, &h, 4, NULL,
				0, &sig),
		     RING_ERR_ARG);
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 1, NULL, 0, NULL,
				3, &sig),
		     RING_ERR_ARG);
	cr_assert_eq(ring_write(&from_guest, RING_PKT_INBAND, 0, 1, NULL, 0,
				NULL, 0, &sig),
		     RING_ERR_ARG);
	/* None of these killed the ring. */
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 1, NULL, 0, NULL,
				0, &sig),
		     RING_OK);
}

Test(ring, reader_with_a_small_buffer_leaves_the_packet_in_place)
{
	uint8_t body[64] = {0};
	g_write_raw(RING_PKT_INBAND, 2, 10, 0, 5, body, 64);
	uint8_t buf[32];
	struct ring_pkt p;
	bool sig;
	cr_assert_eq(ring_read(&from_guest, buf, sizeof(buf), &p, &sig),
		     RING_ERR_TOO_BIG);
	cr_assert_eq(g_get(UP, RING_HDR_READ_INDEX), 0);
	uint8_t big[80];
	cr_assert_eq(ring_read(&from_guest, big, sizeof(big), &p, &sig),
		     RING_OK);
}

/* Each malformed case: set it up, expect the status once, then DEAD. */
struct bad_case {
	const char *name;
	uint32_t write_index; /* UINT32_MAX: leave what g_write_raw set */
	uint16_t type, off8, len8, flags;
	enum ring_status want;
};

static const struct bad_case bad_cases[] = {
	{"unaligned write_index", 12, 6, 2, 4, 0, RING_ERR_BAD_INDEX},
	{"write_index = size", DATA, 6, 2, 4, 0, RING_ERR_BAD_INDEX},
	{"write_index beyond", 0xFFFFFFF8u, 6, 2, 4, 0, RING_ERR_BAD_INDEX},
	{"used < desc + trailer", 16, 6, 2, 4, 0, RING_ERR_BAD_LEN},
	{"len8 > used", 32, 6, 2, 4, 0, RING_ERR_BAD_LEN},
	{"len8 huge", UINT32_MAX, 6, 2, 0xFFFF, 0, RING_ERR_BAD_LEN},
	{"len8 < 2", UINT32_MAX, 6, 1, 1, 0, RING_ERR_BAD_LEN},
	{"offset8 < 2", UINT32_MAX, 6, 1, 4, 0, RING_ERR_BAD_DESC},
	{"offset8 > len8", UINT32_MAX, 6, 5, 4, 0, RING_ERR_BAD_DESC},
	{"type 0", UINT32_MAX, 0, 2, 4, 0, RING_ERR_BAD_DESC},
	{"type 8 (GPADL)", UINT32_MAX, 8, 2, 4, 0, RING_ERR_BAD_DESC},
	{"flags bit 1", UINT32_MAX, 6, 2, 4, 2, RING_ERR_BAD_DESC},
};

Test(ring, every_malformed_index_and_descriptor_is_refused_then_dead)
{
	for (unsigned i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]);
	     i++) {
		const struct bad_case *c = &bad_cases[i];
		struct ring r, unused;
		uint8_t body[48] = {0};
		g_set(UP, RING_HDR_WRITE_INDEX, 0);
		g_set(UP, RING_HDR_READ_INDEX, 0);
		cr_assert_eq(ring_open_pair(g, DOWN, &r, &unused), RING_OK);
		g_write_raw(c->type, c->off8, c->len8 == 0xFFFF ? 4 : c->len8,
			    c->flags, 1, body, 32);
		if (c->len8 == 0xFFFF) { /* rewrite len8 only */
			uint16_t l = 0xFFFF;
			g_data_put(UP, 4, &l, 2);
		}
		if (c->write_index != UINT32_MAX)
			g_set(UP, RING_HDR_WRITE_INDEX, c->write_index);
		struct ring_pkt p;
		cr_assert_eq(ring_peek(&r, &p), c->want, "%s: got %s", c->name,
			     ring_status_name(ring_peek(&r, &p)));
		cr_assert_eq(ring_peek(&r, &p), RING_ERR_DEAD, "%s", c->name);
		bool sig;
		cr_assert_eq(ring_read(&r, body, sizeof(body), &p, &sig),
			     RING_ERR_DEAD, "%s", c->name);
		cr_assert_eq(g_get(UP, RING_HDR_READ_INDEX), 0, "%s", c->name);
	}
}

Test(ring, writer_refuses_a_bad_guest_read_index)
{
	bool sig;
	g_set(DOWN, RING_HDR_READ_INDEX, 4);
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 1, NULL, 0, "a",
				1, &sig),
		     RING_ERR_BAD_INDEX);
	g_set(DOWN, RING_HDR_READ_INDEX, 0);
	cr_assert_eq(ring_write(&to_guest, RING_PKT_INBAND, 0, 1, NULL, 0, "a",
				1, &sig),
		     RING_ERR_DEAD);
	cr_assert_eq(g_get(DOWN, RING_HDR_WRITE_INDEX), 0);
}

Test(ring, consume_after_the_guest_rewinds_its_write_index_is_corrupt)
{
	uint8_t body[16] = {0};
	g_write_raw(RING_PKT_INBAND, 2, 4, 0, 1, body, 16);
	struct ring_pkt p;
	bool sig;
	cr_assert_eq(ring_peek(&from_guest, &p), RING_OK);
	g_set(UP, RING_HDR_WRITE_INDEX, 8);
	cr_assert_eq(ring_consume(&from_guest, &p, &sig), RING_ERR_BAD_INDEX);
	cr_assert_eq(g_get(UP, RING_HDR_READ_INDEX), 0);
}

/* ---- GPA direct --------------------------------------------------------- */

Test(ring, gpa_direct_page_list_is_parsed_and_checked)
{
	/* desc(16) reserved(4) range_cnt(4) {6000, 100, pfn 3, pfn 9} */
	uint8_t pkt[64] = {0};
	uint16_t type = 9, off8 = 6, len8 = 8;
	uint32_t cnt = 1, count = 6000, offset = 100;
	uint64_t pfns[2] = {3, 9};
	memcpy(pkt, &type, 2);
	memcpy(pkt + 2, &off8, 2);
	memcpy(pkt + 4, &len8, 2);
	memcpy(pkt + 20, &cnt, 4);
	memcpy(pkt + 24, &count, 4);
	memcpy(pkt + 28, &offset, 4);
	memcpy(pkt + 32, pfns, 16);
	struct gpadl *d = NULL;
	cr_assert_eq(ring_parse_gpa_direct(pm, pkt, 64, &d), GPADL_OK);
	cr_assert_eq(gpadl_size(d), 6000);
	cr_assert_eq(gpadl_pfn(d, 1), 9);
	gpadl_destroy(d);

	cr_assert_eq(ring_parse_gpa_direct(pm, pkt, 40, &d), GPADL_ERR_LENGTH);
	off8 = 5; /* one PFN short */
	memcpy(pkt + 2, &off8, 2);
	cr_assert_eq(ring_parse_gpa_direct(pm, pkt, 64, &d), GPADL_ERR_LENGTH);
	off8 = 6;
	memcpy(pkt + 2, &off8, 2);
	pfns[1] = RAM_PAGES;
	memcpy(pkt + 32, pfns, 16);
	cr_assert_eq(ring_parse_gpa_direct(pm, pkt, 64, &d),
		     GPADL_ERR_PFN_OUTSIDE_RAM);
	cnt = 0;
	memcpy(pkt + 20, &cnt, 4);
	cr_assert_eq(ring_parse_gpa_direct(pm, pkt, 64, &d),
		     GPADL_ERR_BAD_RANGE);
	cr_assert_eq(ring_parse_gpa_direct(pm, pkt, 8, &d), GPADL_ERR_LENGTH);
	cr_assert_null(d);
}

Test(ring, every_status_has_a_distinct_name)
{
	for (int a = 0; a < RING_NR_STATUS; a++) {
		cr_assert_str_neq(ring_status_name(a), "unknown");
		for (int b = 0; b < a; b++)
			cr_assert_str_neq(ring_status_name(a),
					  ring_status_name(b));
	}
}

/* ---- seeded mutation test ------------------------------------------------
 * 10,000 rounds: a guest writer and the host writer put valid packets in
 * both rings, then random header fields and data bytes are corrupted
 * (also between host calls), and the host reads, writes and parses
 * GPA-direct lists. Every page outside the GPADL holds the canary 0xA5,
 * which the corruptions and payloads never produce: a canary byte in
 * anything the host read, or a changed canary page, means an access
 * outside the GPADL. Run under ASan/UBSan too (build-ring-asan). */

#define CANARY 0xA5u

static uint8_t rnd_byte(void)
{
	uint8_t b = (uint8_t)rnd();
	return b == CANARY ? 0 : b;
}

static bool in_gpadl(uint64_t pfn)
{
	for (unsigned i = 0; i < 2 * RING_PAGES; i++)
		if (page_of(i) == pfn)
			return true;
	return false;
}

static void check_canaries(void)
{
	for (uint64_t pfn = 0; pfn < RAM_PAGES; pfn++) {
		if (in_gpadl(pfn))
			continue;
		uint8_t *p = physmem_ram_ptr(pm, pfn * 4096, 4096);
		for (unsigned i = 0; i < 4096; i++)
			if (p[i] != CANARY)
				cr_assert_fail("page %llu byte %u changed",
					       (unsigned long long)pfn, i);
	}
}

static void corrupt(void)
{
	unsigned ring_page = rnd() % 2 ? UP : DOWN;
	static const uint32_t fields[] = {
		RING_HDR_WRITE_INDEX, RING_HDR_READ_INDEX,
		RING_HDR_INTERRUPT_MASK, RING_HDR_PENDING_SEND_SZ,
		RING_HDR_FEATURE_BITS};
	switch (rnd() % 4) {
	case 0: { /* a header field: arbitrary */
		uint32_t v = rnd() << 16 ^ rnd();
		if ((v & 0xFF) == CANARY)
			v ^= 1;
		g_set(ring_page, fields[rnd() % 5], v);
		break;
	}
	case 1: /* a plausible index */
		g_set(ring_page, fields[rnd() % 2], (rnd() % (DATA / 8)) * 8);
		break;
	default: { /* data bytes, often at the reader's position */
		uint32_t pos = rnd() % 2 ? g_get(ring_page, RING_HDR_READ_INDEX)
					 : rnd();
		pos = pos % DATA + rnd() % 24;
		for (unsigned n = 1 + rnd() % 4; n > 0; n--) {
			uint8_t b = rnd_byte();
			g_data_put(ring_page, pos++, &b, 1);
		}
	}
	}
}

static void check_read(const struct ring *r, const struct ring_pkt *p,
		       const uint8_t *buf)
{
	cr_assert_leq(p->len + RING_TRAILER_SIZE, r->data_size - 8);
	cr_assert_geq(p->offset, RING_DESC_SIZE);
	cr_assert_leq(p->offset, p->len);
	cr_assert_eq(r->priv_index % 8, 0);
	cr_assert_lt(r->priv_index, r->data_size);
	for (uint32_t i = 0; i < p->len; i++)
		if (buf[i] == CANARY)
			cr_assert_fail("read a byte from outside the GPADL");
}

static unsigned reads_ok, writes_ok, refusals;

static void host_ops(struct ring *up, struct ring *down)
{
	static uint8_t buf[DATA], pay[2000];
	for (unsigned op = 0; op < 12; op++) {
		struct ring_pkt p;
		bool sig;
		if (rnd() % 5 == 0)
			corrupt();
		enum ring_status st = ring_read(up, buf, sizeof(buf), &p, &sig);
		cr_assert_lt((unsigned)st, RING_NR_STATUS);
		refusals += st >= RING_ERR_TOO_BIG && st != RING_ERR_DEAD;
		if (st == RING_OK) {
			reads_ok++;
			check_read(up, &p, buf);
			struct gpadl *d = NULL;
			if (p.type == RING_PKT_GPA_DIRECT &&
			    ring_parse_gpa_direct(pm, buf, p.len, &d) ==
				    GPADL_OK)
				cr_assert(gpadl_size(d) > 0);
			gpadl_destroy(d);
		}
		uint32_t len = rnd() % sizeof(pay);
		memset(pay, 0x11, len);
		st = ring_write(down, RING_PKT_COMP, 0, op, NULL, 0, pay, len,
				&sig);
		cr_assert_lt((unsigned)st, RING_NR_STATUS);
		writes_ok += st == RING_OK;
		cr_assert(ring_check_invariants(up));
		cr_assert(ring_check_invariants(down));
		(void)ring_used(up);
		(void)ring_used(down);
	}
}

static void guest_fills(void)
{
	struct ring w;
	static uint8_t pay[1500];
	bool sig;
	if (ring_open(&w, g, UP, RING_PAGES, true) != RING_OK)
		return;
	for (unsigned n = rnd() % 6; n > 0; n--) {
		uint32_t len = rnd() % sizeof(pay);
		if ((16 + len + 7) / 8 == CANARY) /* len8 must not be it */
			len += 8;
		uint64_t tid = 0;
		for (uint32_t i = 0; i < len; i++)
			pay[i] = rnd_byte();
		for (int i = 0; i < 8; i++)
			tid = tid << 8 | rnd_byte();
		uint16_t type = rnd() % 2 ? RING_PKT_INBAND
					  : RING_PKT_GPA_DIRECT;
		(void)ring_write(&w, type, rnd() % 2, tid, NULL, 0, pay, len,
				 &sig);
	}
}

Test(ring, ten_thousand_seeded_corruptions_stay_inside_the_gpadl)
{
	uint8_t *ram = physmem_ram_ptr(pm, 0, RAM_PAGES * 4096ull);
	memset(ram, CANARY, RAM_PAGES * 4096ull);
	rng = 0xC0FFEEull;
	unsigned opened = 0;
	for (unsigned round = 0; round < 10000; round++) {
		for (unsigned i = 0; i < 2 * RING_PAGES; i++)
			memset(physmem_ram_ptr(pm, page_of(i) * 4096, 4096), 0,
			       4096);
		g_set(UP, RING_HDR_FEATURE_BITS, 1);
		g_set(DOWN, RING_HDR_FEATURE_BITS, 1);
		guest_fills();
		for (unsigned n = rnd() % 5; n > 0; n--)
			corrupt();
		struct ring up, down;
		if (ring_open_pair(g, DOWN, &up, &down) == RING_OK) {
			opened++;
			host_ops(&up, &down);
		}
		if (round % 500 == 0)
			check_canaries();
	}
	check_canaries();
	cr_log_info("opened %u reads %u writes %u refusals %u", opened,
		    reads_ok, writes_ok, refusals);
	cr_assert_gt(opened, 5000);
	cr_assert_gt(reads_ok, 10000);
	cr_assert_gt(writes_ok, 10000);
	cr_assert_gt(refusals, 1000);
}

/* ---- interop with the guest runtime's ring code -------------------------
 * examples/runtime/vmbus_ring.c is an independent guest-side
 * implementation of §5 (written by another helper from the same spec).
 * Compiled into this test, it writes the guest→host ring and reads the
 * host→guest ring of a GPADL over contiguous pages (its view needs a
 * virtually contiguous ring), while vmbus/ring.c plays the host. Both
 * must agree on every byte, the trailer and the signalling decisions.
 * The runtime's freestanding <string.h> is replaced by the host's, and
 * its `asm` (GNU C) spelled as ISO C's `__asm__`. */
#define HVRT_STRING_H_
#define asm __asm__
#include "examples/runtime/vmbus_ring.c"
#undef asm

#define IO_FIRST_PFN 16u

struct interop {
	struct gpadl *g;
	struct ring rx, tx;		  /* host: guest→host, host→guest */
	struct vmbus_ring out, in;	  /* guest: guest→host, host→guest */
};

static void interop_open(struct interop *io)
{
	uint64_t w[1 + 2 * RING_PAGES];
	w[0] = 2 * RING_PAGES * 4096ull;
	for (unsigned i = 0; i < 2 * RING_PAGES; i++)
		w[1 + i] = IO_FIRST_PFN + i;
	cr_assert_eq(gpadl_from_ranges(pm, 1, w, sizeof(w), &io->g), GPADL_OK);
	uint8_t *base = physmem_ram_ptr(pm, IO_FIRST_PFN * 4096ull,
					2 * RING_PAGES * 4096ull);
	cr_assert_not_null(base);
	/* Linux order: the guest initialises both rings, then opens. */
	vmbus_ring_init(&io->out, base, RING_PAGES);
	vmbus_ring_init(&io->in, base + RING_PAGES * 4096, RING_PAGES);
	cr_assert_eq(ring_open_pair(io->g, RING_PAGES, &io->rx, &io->tx),
		     RING_OK);
}

Test(ring, guest_runtime_packets_read_back_exactly_on_the_host)
{
	struct interop io;
	interop_open(&io);
	static uint8_t pay[900], buf[1100];
	rng = 777;
	for (unsigned i = 0; i < 3000; i++) {
		uint32_t len = rnd() % 900;
		for (uint32_t k = 0; k < len; k++)
			pay[k] = (uint8_t)(i + k * 3);
		uint64_t hdr[2] = {i, ~(uint64_t)i};
		uint32_t hdr_len = i % 3 == 0 ? 16 : 0;
		uint16_t type = hdr_len ? RING_PKT_GPA_DIRECT : RING_PKT_INBAND;
		int gsig;
		cr_assert_eq(vmbus_ring_write_hdr(&io.out, type, i & 1, i, hdr,
						  hdr_len, pay, len, &gsig),
			     VMBUS_RING_OK);
		/* Ring was empty each time and the host's mask is clear. */
		cr_assert_eq(gsig, 1);
		struct ring_pkt p;
		bool sig;
		cr_assert_eq(ring_read(&io.rx, buf, sizeof(buf), &p, &sig),
			     RING_OK);
		cr_assert_eq(p.type, type);
		cr_assert_eq(p.flags, i & 1);
		cr_assert_eq(p.trans_id, i);
		cr_assert_eq(p.offset, 16 + hdr_len);
		cr_assert_eq(p.len, (16 + hdr_len + len + 7) / 8 * 8);
		cr_assert_arr_eq(buf + 16, hdr, hdr_len);
		cr_assert_arr_eq(buf + p.offset, pay, len);
		cr_assert_not(sig);
	}
	cr_assert_gt(io.out.wraps, 50);
	/* Masked by the host: the guest runtime does not signal. */
	int gsig;
	cr_assert_eq(ring_set_interrupt_mask(&io.rx, true), RING_OK);
	cr_assert_eq(vmbus_ring_write(&io.out, 6, 0, 1, "x", 1, &gsig),
		     VMBUS_RING_OK);
	cr_assert_eq(gsig, 0);
	gpadl_destroy(io.g);
}

Test(ring, host_packets_pass_the_guest_runtime_checks)
{
	struct interop io;
	interop_open(&io);
	static uint8_t pay[900], buf[1100];
	rng = 4242;
	unsigned sent = 0, got = 0;
	while (got < 3000) {
		/* Host writes a burst until full, guest drains part of it. */
		for (unsigned b = rnd() % 10; b > 0; b--) {
			uint32_t len = rnd() % 900;
			for (uint32_t k = 0; k < len; k++)
				pay[k] = (uint8_t)(sent * 5 + k);
			bool sig;
			enum ring_status st =
				ring_write(&io.tx, RING_PKT_COMP, 0, sent, NULL,
					   0, pay, len, &sig);
			if (st == RING_FULL)
				break;
			cr_assert_eq(st, RING_OK);
			cr_assert_eq(sig, vmbus_ring_used(&io.in) ==
						  (len + 16 + 7) / 8 * 8 + 8);
			sent++;
		}
		for (unsigned b = rnd() % 10; b > 0 && got < sent; b--) {
			struct vmbus_pkt p;
			int gsig;
			cr_assert_eq(vmbus_ring_read(&io.in, &p, buf,
						     sizeof(buf), &gsig),
				     VMBUS_RING_OK, "packet %u", got);
			cr_assert_eq(p.desc.type, RING_PKT_COMP);
			cr_assert_eq(p.desc.trans_id, got);
			for (uint32_t k = 0; k < p.len; k++)
				if (buf[k] != (uint8_t)(got * 5 + k) &&
				    buf[k] != 0)
					cr_assert_fail("packet %u byte %u", got,
						       k);
			got++;
		}
	}
	cr_assert_gt(io.in.wraps, 50);
	gpadl_destroy(io.g);
}

Test(ring, full_host_writer_is_woken_by_the_guest_runtime_reader)
{
	struct interop io;
	interop_open(&io);
	static uint8_t pay[1000], buf[1100];
	bool sig;
	unsigned n = 0;
	while (ring_write(&io.tx, RING_PKT_INBAND, 0, n, NULL, 0, pay,
			  sizeof(pay), &sig) == RING_OK)
		n++;
	cr_assert_eq(n, 11);
	struct vmbus_pkt p;
	int gsig;
	cr_assert_eq(vmbus_ring_read(&io.in, &p, buf, sizeof(buf), &gsig),
		     VMBUS_RING_OK);
	cr_assert_eq(gsig, 1); /* pending_send_sz crossed: guest signals */
	cr_assert_eq(ring_write(&io.tx, RING_PKT_INBAND, 0, n, NULL, 0, pay,
				sizeof(pay), &sig),
		     RING_OK);
	cr_assert_eq(vmbus_ring_read(&io.in, &p, buf, sizeof(buf), &gsig),
		     VMBUS_RING_OK);
	cr_assert_eq(gsig, 0); /* the host cleared pending_send_sz */
	gpadl_destroy(io.g);
}
