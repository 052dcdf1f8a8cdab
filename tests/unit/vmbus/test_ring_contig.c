/*
 * tests/unit/vmbus/test_ring_contig.c — the host-pointer shortcut of
 * vmbus/ring.c: a ring on consecutive guest pages (as Linux allocates
 * them) is accessed through one host pointer per area, a scattered one
 * through the GPADL's page list. The same seeded traffic in both
 * directions, with wrap-around and full rings, must give the same
 * statuses, signals and packets, leave the same bytes in the rings, and
 * report the same writes to the child's memory (write watches on the
 * header pages, code generations of the data pages).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mmu/mmu.h"
#include "vmbus/gpadl.h"
#include "vmbus/ring.h"

#define RAM_PAGES  64u
#define RING_PAGES 4u /* per direction: 1 header + 3 data */

struct layout {
	struct gpadl *g;
	struct ring host_rx, host_tx;	    /* the host's two rings */
	struct ring guest_tx, guest_rx;	    /* the test's "guest" */
	unsigned watch_calls, watch_bytes; /* on the host→guest header */
	uint64_t pfn[2 * RING_PAGES];
};

static struct physmem *pm;
static struct layout contig, scattered;

static void on_watch(void *opaque, uint64_t gpa, uint64_t len)
{
	struct layout *l = opaque;
	(void)gpa;
	l->watch_calls++;
	l->watch_bytes += (unsigned)len;
}

static void open_layout(struct layout *l, uint64_t (*page)(unsigned))
{
	uint64_t w[1 + 2 * RING_PAGES];
	w[0] = 2 * RING_PAGES * 4096ull;
	for (unsigned i = 0; i < 2 * RING_PAGES; i++)
		w[1 + i] = l->pfn[i] = page(i);
	cr_assert_eq(gpadl_from_ranges(pm, 1, w, sizeof(w), &l->g), GPADL_OK);
	cr_assert_eq(ring_open_pair(l->g, RING_PAGES, &l->host_rx, &l->host_tx),
		     RING_OK);
	cr_assert_eq(ring_open(&l->guest_tx, l->g, 0, RING_PAGES, true),
		     RING_OK);
	cr_assert_eq(ring_open(&l->guest_rx, l->g, RING_PAGES, RING_PAGES,
			       false),
		     RING_OK);
	cr_assert_eq(0, physmem_watch_page(pm, l->pfn[RING_PAGES] << 12,
					   on_watch, l));
}

static uint64_t consecutive(unsigned i)
{
	return 8 + i;
}

static uint64_t spread(unsigned i)
{
	return (i * 13u + 29u) % RAM_PAGES;
}

static void setup(void)
{
	pm = physmem_create(RAM_PAGES * 4096u);
	cr_assert_not_null(pm);
	memset(&contig, 0, sizeof(contig));
	memset(&scattered, 0, sizeof(scattered));
	open_layout(&contig, consecutive);
	open_layout(&scattered, spread);
}

static void teardown(void)
{
	gpadl_destroy(contig.g);
	gpadl_destroy(scattered.g);
	physmem_destroy(pm);
}

TestSuite(ring_contig, .init = setup, .fini = teardown);

Test(ring_contig, only_consecutive_pages_take_the_shortcut)
{
	cr_assert_not_null(contig.host_tx.hdr_host);
	cr_assert_not_null(contig.host_tx.data_host);
	cr_assert_not_null(contig.host_rx.data_host);
	cr_assert_eq(contig.host_tx.data_gpa, (8 + RING_PAGES + 1) * 4096ull);
	cr_assert_null(scattered.host_tx.data_host);
	cr_assert_null(scattered.host_rx.data_host);
}

static uint32_t rng;
static uint32_t rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

/* One step of traffic on layout l: writes then reads in both directions;
 * returns a digest of every status, signal and packet byte seen. */
static uint64_t step(struct layout *l, uint32_t seed)
{
	static uint8_t pay[900], got[1000];
	uint64_t h = 1469598103934665603ull;
	rng = seed;
	for (unsigned dir = 0; dir < 2; dir++) {
		struct ring *w = dir ? &l->guest_tx : &l->host_tx;
		struct ring *r = dir ? &l->host_rx : &l->guest_rx;
		unsigned nw = rnd() % 6, nr = rnd() % 6;
		for (unsigned i = 0; i < nw; i++) {
			uint32_t len = rnd() % 800;
			for (uint32_t k = 0; k < len; k++)
				pay[k] = (uint8_t)(seed + i * 7 + k);
			bool sig;
			enum ring_status st = ring_write(w, RING_PKT_INBAND, 1,
							 seed * 8 + i, NULL, 0,
							 pay, len, &sig);
			h = (h ^ (uint64_t)st << 1 ^ sig) * 1099511628211ull;
		}
		for (unsigned i = 0; i < nr; i++) {
			struct ring_pkt p;
			bool sig;
			enum ring_status st =
			    ring_read(r, got, sizeof(got), &p, &sig);
			h = (h ^ (uint64_t)st << 1 ^ sig) * 1099511628211ull;
			for (uint32_t k = 0; st == RING_OK && k < p.len; k++)
				h = (h ^ got[k]) * 1099511628211ull;
		}
	}
	return h;
}

Test(ring_contig, same_traffic_same_results_bytes_and_reported_writes)
{
	uint64_t data_page = (8 + RING_PAGES + 2) * 4096ull;
	uint32_t gen = physmem_code_gen(pm, data_page);
	physmem_mark_code(pm, data_page);
	for (uint32_t s = 1; s <= 3000; s++)
		cr_assert_eq(step(&contig, s), step(&scattered, s), "step %u",
			     s);
	cr_assert_neq(gen, physmem_code_gen(pm, data_page),
		      "host writes through the shortcut are reported");
	cr_assert_gt(contig.watch_calls, 3000);
	cr_assert_eq(contig.watch_calls, scattered.watch_calls);
	cr_assert_eq(contig.watch_bytes, scattered.watch_bytes);
	for (unsigned i = 0; i < 2 * RING_PAGES; i++) {
		const uint8_t *a = physmem_ram_ptr(pm, contig.pfn[i] << 12, 4096);
		const uint8_t *b =
		    physmem_ram_ptr(pm, scattered.pfn[i] << 12, 4096);
		cr_assert_arr_eq(a, b, 4096, "ring page %u", i);
	}
	cr_assert(ring_check_invariants(&contig.host_tx));
	cr_assert(ring_check_invariants(&contig.host_rx));
}
