/*
 * examples/guests/storage.c — block I/O through the storage VSC
 * (examples/runtime/storvsc.h) on the parent's storage VSP, at several
 * request sizes and queue depths, with what the guest observed.
 *
 * Default run: for each size (512 B, 4 KiB, 64 KiB) and queue depth (1,
 * 4, 32), COUNT requests that write a region of the disk with a known
 * pattern, then COUNT requests that read it back; every block read is
 * verified. Per (size, qd) and direction one line: operations, throughput
 * (MB/s of simulated time, 1 MB = 10^6 bytes) and latency (p50/p99/max
 * in µs, submit to completion as the guest's TSC saw it); then a PASS/FAIL
 * line for the verification and a "region" line saying where the data
 * is, so that a host-side check can find it in the image
 * (tests/guest/check_storage_image.py). Each region has its own
 * generation number in the pattern, so a read that returned an older
 * region's data would not verify. A failure makes the guest exit
 * non-zero (report_summary).
 *
 * Pattern: the 64-bit little-endian word at disk byte offset o (a
 * multiple of 8) of a region with generation g is
 *     (o / 8 + 1) * 0x9E3779B97F4A7C15 + g * 0xD1B54A32D192ED03  (mod 2^64).
 *
 * Benchmark mode (`hvsim bench --vmbus` uses it; boot command line):
 *     bench [size=BYTES] [qd=N] [count=N] [write]
 * only reads (or writes) COUNT requests of SIZE bytes with QD in flight,
 * without patterns or verification, and prints one "bench:" line.
 */
#include "hyperv.h"
#include "rt.h"
#include "storage_stats.h"
#include "storvsc.h"
#include "vmbus.h"

#define WAIT_CYCLES  500000000ull /* 200 ms without any completion */
#define RING_PAGES   32		  /* 128 KiB each way, as Linux */
#define MAX_REQ_SIZE (64u << 10)
#define MAX_QD	     32
#define COUNT	     64 /* requests per (size, qd, direction) */
#define BLOCK	     512
#define PAT_MUL	     0x9E3779B97F4A7C15ull
#define PAT_GEN	     0xD1B54A32D192ED03ull

/* SCSI controller ba6163d9-04a1-4d29-b605-72e2ffb1dc7f (vmbus.md §6.1). */
static const uint8_t scsi_if_type[16] = {
    0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04, 0x29, 0x4d,
    0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f,
};

static uint8_t rings[2 * RING_PAGES * 4096] __attribute__((aligned(4096)));
/* One buffer per slot. */
static uint8_t bufs[MAX_QD][MAX_REQ_SIZE] __attribute__((aligned(4096)));

/* What one pass (a size, a queue depth, a direction) is. */
struct pass {
	int write;
	uint32_t size, qd, count;
	uint64_t lba;	 /* first block of the region */
	uint64_t gen;	 /* pattern generation; 0: no pattern (bench) */
	uint32_t stride; /* blocks between requests' LBAs */
	uint64_t wrap;	 /* requests' LBAs wrap after this many blocks */
};

static void fill(uint8_t *buf, uint64_t disk_off, uint32_t len, uint64_t gen)
{
	uint64_t *w = (uint64_t *)buf;
	uint64_t v = (disk_off / 8 + 1) * PAT_MUL + gen * PAT_GEN;

	for (uint32_t i = 0; i < len / 8; i++, v += PAT_MUL)
		w[i] = v;
}

/* The first bad byte offset within buf, or -1 if it all matches. */
static long check(const uint8_t *buf, uint64_t disk_off, uint32_t len,
		  uint64_t gen)
{
	const uint64_t *w = (const uint64_t *)buf;
	uint64_t v = (disk_off / 8 + 1) * PAT_MUL + gen * PAT_GEN;

	for (uint32_t i = 0; i < len / 8; i++, v += PAT_MUL)
		if (w[i] != v)
			return (long)i * 8;
	return -1;
}

static uint64_t req_lba(const struct pass *p, uint32_t i)
{
	uint64_t off = (uint64_t)i * p->stride;

	return p->lba + (p->wrap ? off % p->wrap : off);
}

/* Submits request i of pass p; the slot's buffer holds its data.
 * Returns the slot, STORVSC_E_BUSY, or an error. */
static int submit(struct storvsc *s, const struct pass *p, uint32_t i)
{
	uint8_t cdb[16];
	uint32_t blocks = p->size / BLOCK;
	uint64_t lba = req_lba(p, i);
	uint8_t n = storvsc_cdb_rw(cdb, p->write, lba, blocks,
				   lba + blocks > 0xFFFFFFFFull);
	/* The data goes in the buffer of the slot it will take. */
	int free = storvsc_next_slot(s);

	if (free < 0 || (uint32_t)free >= p->qd)
		return STORVSC_E_BUSY;
	if (p->write && p->gen)
		fill(bufs[free], lba * BLOCK, p->size, p->gen);
	/* STORVSC_E_BUSY also when the ring is full: the caller waits for
	 * completions (and takes them) before it submits again. */
	return storvsc_submit(s, cdb, n,
			      p->write ? STORVSC_DATA_OUT : STORVSC_DATA_IN,
			      bufs[free], p->size, i);
}

/* Runs pass p: keeps qd requests in flight until count are done.
 * Returns the number of requests that failed (SCSI error or bad data),
 * or a negative error. */
static int run_pass(struct storvsc *s, const struct pass *p,
		    struct io_stats *st, uint64_t tsc_hz)
{
	uint32_t next = 0, done = 0;
	int bad = 0;

	stats_start(st, tsc_hz, p->size);
	while (done < p->count) {
		while (next < p->count && s->inflight < p->qd) {
			int slot = submit(s, p, next);

			if (slot == STORVSC_E_BUSY)
				break;
			if (slot < 0)
				return slot;
			next++;
		}
		int n = storvsc_wait(s), k;

		if (n < 0)
			return n;
		/* The slots that completed, in the order they did. */
		while ((k = storvsc_next_done(s)) >= 0) {
			struct storvsc_req *r = &s->req[k];
			uint32_t i = (uint32_t)r->tag;

			stats_add(st, r->t_done - r->t_submit);
			if (!storvsc_good(r) || r->xfer != p->size) {
				if (!bad++)
					printf("      request %u: status %#x "
					       "srb %#x scsi %#x, %u bytes\n",
					       i, r->status, r->srb_status,
					       r->scsi_status, r->xfer);
			} else if (!p->write && p->gen) {
				long at = check(bufs[k], req_lba(p, i) * BLOCK,
						p->size, p->gen);
				if (at >= 0 && !bad++)
					printf("      request %u: LBA %lu + "
					       "byte %ld differs\n",
					       i, (unsigned long)req_lba(p, i),
					       at);
			}
			storvsc_release(s, k);
			done++;
		}
	}
	stats_stop(st);
	return bad;
}

static void print_pass(const struct pass *p, const struct io_stats *st,
		       const char *prefix)
{
	printf("%s%-5s %6u B qd %2u: ", prefix, p->write ? "write" : "read",
	       p->size, p->qd);
	stats_print(st);
}

/* The default run: every size and queue depth, write then read back. */
static void run_matrix(struct storvsc *s, uint64_t capacity, uint64_t tsc_hz)
{
	static const uint32_t sizes[] = {512, 4096, 64u << 10};
	static const uint32_t qds[] = {1, 4, 32};
	static struct io_stats st;
	uint64_t lba = 0, gen = 0;

	for (unsigned a = 0; a < 3; a++)
		for (unsigned b = 0; b < 3; b++) {
			struct pass p = {1, sizes[a], qds[b], COUNT, lba, ++gen,
					 sizes[a] / BLOCK, 0};
			int bad_w, bad_r;

			if (lba + (uint64_t)COUNT * p.stride > capacity) {
				report(0, "the disk holds every region (%lu "
					  "blocks)",
				       (unsigned long)capacity);
				return;
			}
			bad_w = run_pass(s, &p, &st, tsc_hz);
			print_pass(&p, &st, "");
			p.write = 0;
			bad_r = bad_w < 0 ? 0 : run_pass(s, &p, &st, tsc_hz);
			if (bad_w >= 0 && bad_r >= 0)
				print_pass(&p, &st, "");
			report(bad_w == 0 && bad_r == 0,
			       "verify %u B qd %u: %u requests written and read "
			       "back",
			       p.size, p.qd, p.count);
			if (bad_w < 0 || bad_r < 0)
				printf("      %s\n",
				       vmbus_err_name(bad_w < 0 ? bad_w : bad_r));
			printf("region %u B qd %u: lba %lu blocks %lu gen %lu\n",
			       p.size, p.qd, (unsigned long)p.lba,
			       (unsigned long)COUNT * p.stride,
			       (unsigned long)p.gen);
			lba += (uint64_t)COUNT * p.stride;
		}
	report(storvsc_sync_cache(s) == 0, "SYNCHRONIZE CACHE");
}

/* The benchmark mode: one pass, no patterns. */
static void run_bench(struct storvsc *s, const struct bench_args *a,
		      uint64_t capacity, uint64_t tsc_hz)
{
	static struct io_stats st;
	struct pass p = {a->write, a->size, a->qd, a->count, 0, 0,
			 a->size / BLOCK, 0};
	int bad;

	p.wrap = capacity / p.stride * p.stride; /* stay on the disk */
	bad = run_pass(s, &p, &st, tsc_hz);
	if (bad < 0) {
		report(0, "bench: %s", vmbus_err_name(bad));
		return;
	}
	print_pass(&p, &st, "bench: ");
	printf("bench: %u round trips in %lu cycles, %lu halts\n", p.count,
	       (unsigned long)(st.t1 - st.t0), (unsigned long)s->halts);
	report(bad == 0, "bench: every request completed GOOD");
}

int kmain(struct hvsim_boot_info *bi)
{
	static struct vmbus_client c;
	static struct storvsc s;
	struct bench_args args;
	struct hv_info info;
	const struct vmbus_offer *o;
	uint64_t blocks = 0;
	uint32_t bsize = 0;
	uint64_t tsc_hz;
	int err, ok;

	rt_init();
	if (!parse_cmdline(bi, &args, MAX_QD)) {
		report(0, "command line: bench [size=B] [qd=N] [count=N] "
			  "[write], size a multiple of 512 up to 64 KiB, qd "
			  "1..32");
		report_summary();
	}
	tsc_hz = stats_tsc_hz();
	if (!args.bench)
		printf("storage: writes, reads back and verifies blocks "
		       "through the storage VSC\n");
	if (!report(hv_detect(&info) && hv_hypercall_enable() == 0 &&
			vmbus_init(&c, WAIT_CYCLES) == 0 &&
			vmbus_connect(&c) == 0 && vmbus_request_offers(&c) == 0,
		    "VMBus connected, offers received"))
		report_summary();
	o = vmbus_find_offer(&c, scsi_if_type);
	if (!o) {
		report_skip("no SCSI controller offered (no disk image)");
		report_summary();
	}
	err = storvsc_open(&s, &c, o, rings, RING_PAGES, MAX_QD, WAIT_CYCLES);
	if (!report(err == 0, "storvsc: protocol %u.%u, max transfer %u bytes",
		    s.version >> 8, s.version & 0xFF, s.max_transfer)) {
		printf("      stopped at init step %d: %s\n", s.step,
		       vmbus_err_name(err));
		report_summary();
	}
	ok = storvsc_capacity(&s, 1, &blocks, &bsize) == 0; /* before report */
	if (report(ok && bsize == BLOCK,
		   "READ CAPACITY(16): %lu blocks of %u bytes",
		   (unsigned long)blocks, bsize)) {
		if (args.bench)
			run_bench(&s, &args, blocks, tsc_hz);
		else
			run_matrix(&s, blocks, tsc_hz);
	}
	if (!args.bench)
		printf("storvsc: %lu requests, %lu halts, %lu unexpected "
		       "packets\n",
		       (unsigned long)s.submitted, (unsigned long)s.halts,
		       (unsigned long)s.unexpected);
	report(storvsc_close(&s) == 0, "close");
	report_summary();
}
