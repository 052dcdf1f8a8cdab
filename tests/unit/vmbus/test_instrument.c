/*
 * tests/unit/vmbus/test_instrument.c — the guest-side trace stages
 * (vmbus/instrument.c) with a real server, hypervisor and echo VSP (the
 * server rig): the guest's stores to its ring indices, its signal, the
 * delivery, the VSP's steps, the child's interrupt and the consumption
 * give stages 1..9 of one (relid, trans_id) in order at the clocks they
 * happened; nothing is watched without a trace or after close; hostile
 * ring contents and a guest hammering its header page cost bounded work
 * and records, and the channel keeps working.
 */
#include "devices/lapic.h"
#include "hv/vapic.h"
#include "server_rig.h"
#include "vmbus/instrument.h"

#define OUT_HDR	    RING_GPA			      /* g→h ring header */
#define IN_HDR	    (RING_GPA + RING_PAGES * 4096ull) /* h→g ring header */
#define SINT_VECTOR 0xF3			      /* enable_synic's SINT2 */

struct traced {
	struct rig r;
	struct trace *t;
	char path[64];
};

/* The rig with a trace, the echo channel open, vCPU 0's APIC enabled so
 * that it can take the VMBus vector. With `parent`, a service parent is
 * added once the channel is open: from then on the server's work runs on
 * its vCPU in simulated time (the child's vCPUs never run: the test moves
 * their clocks and makes their stores). */
static void mk_traced(struct traced *x, bool parent)
{
	struct trace_info ti = {.freq_hz = 2500000000ull, .nr_parts = 2};
	static const char *names[] = {"child", "parent"};
	struct hv_part_config pp = {.name = "parent",
				    .parent = true,
				    .vcpus = 1,
				    .mem_bytes = 1 << 20,
				    .weight = 100,
				    .cap_pct = 100,
				    .service = true};
	struct vmbus_server_config sc;
	char err[200];
	int fd;

	strcpy(x->path, "/tmp/hvsim_test_inst_XXXXXX");
	fd = mkstemp(x->path);
	cr_assert_geq(fd, 0);
	close(fd);
	ti.part_names = names;
	x->t = trace_open(x->path, &ti, err, sizeof(err));
	cr_assert_not_null(x->t, "%s", err);
	mk(&x->r);
	vmbus_server_destroy(x->r.s);
	sc = (struct vmbus_server_config){
	    .hv = x->r.hv, .child = x->r.p, .trace = x->t};
	x->r.s = vmbus_server_create(&sc);
	cr_assert_not_null(x->r.s);
	cr_assert_eq(1,
		     vmbus_server_add_vsp(x->r.s, vsp_echo_desc(x->r.echo), 0));
	cr_assert_eq(
	    2, vmbus_server_add_vsp(x->r.s, vsp_echo_desc(x->r.echo2), 0));
	cr_assert_eq(0, vapic_msr_write(&x->r.p->vp[0], 0x1B,
					LAPIC_DEFAULT_BASE | LAPIC_BASE_EN |
					    LAPIC_BASE_EXTD | LAPIC_BASE_BSP));
	cr_assert_eq(0, vapic_msr_write(&x->r.p->vp[0], 0x80F, 0x1FF));
	open_echo(&x->r);
	if (!parent)
		return;
	struct hv_part *pt = hv_part_create(x->r.hv, &pp, NULL, NULL);
	cr_assert_not_null(pt);
	hv_part_set_runnable(pt, true);
	cr_assert_eq(0, hv_start(x->r.hv));
}

/* Run the parent's work due up to cycle `until`. */
static void run_until(struct rig *r, cycles_t until)
{
	while (evq_pending(r->q) && evq_next_time(r->q) <= until)
		evq_run_one(r->q);
}

static void close_trace(struct traced *x)
{
	char err[200];

	cr_assert_eq(0, trace_close(x->t, err, sizeof(err)), "%s", err);
	x->t = NULL;
}

static void rm_traced(struct traced *x)
{
	rm(&x->r);
	if (x->t)
		close_trace(x);
	unlink(x->path);
}

/* The request-stage records of the file, in order (at most max). */
static unsigned stages(const char *path, struct trace_rec *out, unsigned max)
{
	char err[200];
	struct trace_reader *tr = trace_reader_open(path, err, sizeof(err));
	struct trace_rec rec;
	unsigned n = 0;

	cr_assert_not_null(tr, "%s", err);
	while (trace_reader_next(tr, &rec) == 1)
		if (rec.kind >= TK_VSC_WRITE_PACKET &&
		    rec.kind <= TK_VSC_CONSUME && n < max)
			out[n++] = rec;
	trace_reader_close(tr);
	return n;
}

/* Move the child's vCPU 0 to cycle `to`. */
static void clock_to(struct rig *r, cycles_t to)
{
	struct cpu *c = r->p->vp[0].cpu;

	cr_assert_geq(to, cpu_cycles(c));
	cpu_advance_clock(c, to - cpu_cycles(c));
}

static struct vmbus_channel *echo_chan(struct rig *r)
{
	return srv_chan(r->s, ECHO_RELID);
}

Test(instrument, one_request_gives_the_nine_stages_in_order)
{
	struct traced x;
	struct trace_rec rec[32];
	uint8_t buf[64];
	uint16_t type;
	uint64_t tid;
	unsigned n;

	mk_traced(&x, true);
	clock_to(&x.r, 1000);
	cr_assert(guest_send(&x.r, RING_GPA, 0xABC, "ping....", 8));
	clock_to(&x.r, 1100);
	guest_signal(&x.r, ECHO_RELID);
	cr_assert_eq(0, vsp_echo_stats(x.r.echo)->packets, "not yet");
	run_until(&x.r, 100000);
	cr_assert_eq(1, vsp_echo_stats(x.r.echo)->packets);
	clock_to(&x.r, 20000);
	cr_assert_eq(SINT_VECTOR, vapic_intr_ack(&x.r.p->vp[0]));
	clock_to(&x.r, 20300);
	cr_assert_eq(8,
		     guest_recv(&x.r, RING_GPA, &type, &tid, buf, sizeof(buf)));
	cr_assert_eq(0xABC, tid);
	rm(&x.r); /* close the channel before reading the file */
	close_trace(&x);
	n = stages(x.path, rec, 32);
	cr_assert_eq(n, 9, "records: %u", n);
	for (unsigned i = 0; i < n; i++) {
		cr_assert_eq(rec[i].kind, TK_VSC_WRITE_PACKET + i, "#%u", i);
		cr_assert_eq(rec[i].chan, ECHO_RELID);
		cr_assert_eq(rec[i].txn, 0xABC, "#%u", i);
		if (i)
			cr_assert_geq(rec[i].cycle, rec[i - 1].cycle, "#%u", i);
	}
	cr_assert_eq(rec[0].cycle, 1000, "the store at the guest's clock");
	cr_assert_eq(rec[0].part, 0, "the child");
	cr_assert_eq(rec[0].arg0, 24, "descriptor + payload");
	cr_assert_eq(rec[0].arg1, 32, "ring_used: the packet + trailer");
	cr_assert_eq(rec[1].cycle, 1100);
	cr_assert_eq(rec[1].arg0, VMBUS_CHAN_CONN_BASE | ECHO_RELID);
	cr_assert_eq(rec[2].cycle, 1100, "the idle parent takes it at once");
	cr_assert_eq(rec[2].arg1, 0, "parent vCPU 0");
	cr_assert_eq(rec[3].cycle, 1100 + VMBUS_COST_EVENT);
	cr_assert_eq(rec[3].part, 0, "the VSP's steps carry the child");
	cr_assert_eq(rec[4].cycle, rec[3].cycle);
	cr_assert_eq(rec[7].cycle, 20000, "interrupt taken at its clock");
	cr_assert_eq(rec[7].arg0, SINT_VECTOR);
	cr_assert_eq(rec[8].cycle, 20300);
	cr_assert_eq(rec[8].part, 0);
	unlink(x.path);
}

Test(instrument, steps_a_request_skipped_are_missing_not_invented)
{
	struct traced x;
	struct trace_rec rec[32];
	uint8_t buf[64];
	uint16_t type;
	uint64_t tid;
	unsigned n;

	mk_traced(&x, false);
	/* Two packets, one signal: both are signalled by it. The guest then
	 * consumes both before taking any interrupt: no stage 8. */
	cr_assert(guest_send(&x.r, RING_GPA, 1, "a.......", 8));
	cr_assert_not(guest_send(&x.r, RING_GPA, 2, "b.......", 8));
	guest_signal(&x.r, ECHO_RELID);
	cr_assert_eq(8, guest_recv(&x.r, RING_GPA, &type, &tid, buf, 64));
	cr_assert_eq(8, guest_recv(&x.r, RING_GPA, &type, &tid, buf, 64));
	cr_assert_eq(SINT_VECTOR, vapic_intr_ack(&x.r.p->vp[0]));
	rm(&x.r);
	close_trace(&x);
	n = stages(x.path, rec, 32);
	unsigned per[10] = {0};
	for (unsigned i = 0; i < n; i++)
		per[rec[i].kind]++;
	cr_assert_eq(per[TK_VSC_WRITE_PACKET], 2);
	cr_assert_eq(per[TK_VSC_SIGNAL], 2);
	cr_assert_eq(per[TK_HV_DELIVER_EVENT], 2);
	cr_assert_eq(per[TK_VSP_READ], 2);
	cr_assert_eq(per[TK_CHILD_INTERRUPT], 0);
	cr_assert_eq(per[TK_VSC_CONSUME], 2);
	unlink(x.path);
}

Test(instrument, nothing_is_watched_without_a_trace_or_after_close)
{
	struct rig r;
	struct traced x;

	mk(&r);
	open_echo(&r);
	cr_assert_null(srv_chan(r.s, ECHO_RELID)->inst);
	cr_assert_not(physmem_is_watched(hv_part_mem(r.p), OUT_HDR));
	cr_assert_not(physmem_is_watched(hv_part_mem(r.p), IN_HDR));
	rm(&r);

	mk_traced(&x, false);
	cr_assert_not_null(inst_chan_stats(echo_chan(&x.r)));
	cr_assert(physmem_is_watched(hv_part_mem(x.r.p), OUT_HDR));
	cr_assert(physmem_is_watched(hv_part_mem(x.r.p), IN_HDR));
	cr_assert_not(physmem_is_watched(hv_part_mem(x.r.p), OUT_HDR + 4096));
	post_simple(&x.r, CHANMSG_CLOSECHANNEL, ECHO_RELID);
	cr_assert_null(echo_chan(&x.r)->inst);
	cr_assert_not(physmem_is_watched(hv_part_mem(x.r.p), OUT_HDR));
	cr_assert_not(physmem_is_watched(hv_part_mem(x.r.p), IN_HDR));
	rm_traced(&x);
}

/* ---- hostile guests ----------------------------------------------------- */

Test(instrument, garbage_indices_and_descriptors_are_skipped)
{
	struct traced x;
	const struct inst_stats *st;
	struct trace_rec rec[64];
	uint8_t junk[64];
	uint8_t buf[64];
	uint16_t type;
	uint64_t tid;

	mk_traced(&x, false);
	st = inst_chan_stats(echo_chan(&x.r));
	wr32(&x.r, OUT_HDR, 7);		/* unaligned */
	wr32(&x.r, OUT_HDR, DATA_SIZE); /* out of range */
	wr32(&x.r, OUT_HDR, 0xFFFFFFF8u);
	cr_assert_eq(st->walks, 3);
	cr_assert_eq(st->bad, 3);
	/* A descriptor with len8 = 0, one whose offset is past its end, one
	 * longer than what was published. */
	memset(junk, 0, sizeof(junk));
	wr32(&x.r, OUT_HDR, 0);
	ring_put(&x.r, RING_GPA + 4096, 0, junk, sizeof(junk));
	wr32(&x.r, OUT_HDR, 32);
	junk[2] = 8, junk[4] = 4; /* offset8 8 > len8 4 */
	ring_put(&x.r, RING_GPA + 4096, 0, junk, 16);
	wr32(&x.r, OUT_HDR, 0);
	wr32(&x.r, OUT_HDR, 32);
	junk[2] = 2, junk[4] = 200; /* 1600 bytes, 32 published */
	ring_put(&x.r, RING_GPA + 4096, 0, junk, 16);
	wr32(&x.r, OUT_HDR, 0);
	wr32(&x.r, OUT_HDR, 32);
	cr_assert_eq(st->walks, 9);
	cr_assert_eq(st->bad, 9, "every walk stopped at once");
	cr_assert_eq(st->packets, 0);
	/* The h→g ring's read_index moved by the guest to garbage too. */
	wr32(&x.r, IN_HDR + 4, 12345);
	cr_assert_eq(st->bad, 10);
	/* Back to sane values: a real request is still followed. */
	wr32(&x.r, IN_HDR + 4, 0);
	wr32(&x.r, OUT_HDR, 0);
	x.r.out_write = x.r.in_read = 0;
	cr_assert(guest_send(&x.r, RING_GPA, 77, "sane....", 8));
	guest_signal(&x.r, ECHO_RELID);
	cr_assert_eq(8, guest_recv(&x.r, RING_GPA, &type, &tid, buf, 64));
	cr_assert_eq(77, tid);
	rm(&x.r);
	close_trace(&x);
	unsigned n = stages(x.path, rec, 64), per[10] = {0};
	for (unsigned i = 0; i < n; i++) {
		cr_assert_eq(rec[i].txn, 77, "no record for garbage");
		per[rec[i].kind]++;
	}
	cr_assert_eq(per[TK_VSC_WRITE_PACKET], 1);
	cr_assert_eq(per[TK_VSC_CONSUME], 1);
	unlink(x.path);
}

Test(instrument, a_guest_hammering_its_header_costs_bounded_work)
{
	struct traced x;
	const struct inst_stats *st;
	uint8_t d[16] = {0};
	uint64_t trailer;

	mk_traced(&x, false);
	st = inst_chan_stats(echo_chan(&x.r));
	/* 200 empty packets (descriptor + trailer = 24 bytes) published by
	 * one index store: the walk stops at INST_WALK_MAX. */
	d[0] = VSP_PKT_DATA_INBAND, d[2] = 2, d[4] = 2;
	d[6] = VSP_PKT_FLAG_COMPLETION; /* requests */
	for (uint32_t i = 0; i < 200; i++) {
		trailer = (uint64_t)(i * 24) << 32;
		ring_put(&x.r, RING_GPA + 4096, i * 24, d, 16);
		ring_put(&x.r, RING_GPA + 4096, i * 24 + 16, &trailer, 8);
	}
	wr32(&x.r, OUT_HDR, 200 * 24);
	cr_assert_eq(st->walks, 1);
	cr_assert_eq(st->capped, 1);
	cr_assert_eq(st->packets, INST_WALK_MAX);
	/* Flipping the index 10,000 times: one bounded walk per store, and
	 * at most INST_MAX_REQS requests remembered. */
	for (unsigned i = 0; i < 10000; i++)
		wr32(&x.r, OUT_HDR, i % 2 ? 200 * 24 : 0);
	cr_assert_leq(st->packets, (st->walks) * INST_WALK_MAX);
	cr_assert_geq(st->forgotten, 1);
	/* Other fields of the header page: no walk at all. */
	uint64_t walks = st->walks;
	for (unsigned i = 0; i < 1000; i++)
		wr32(&x.r, OUT_HDR + 8, i & 1);
	cr_assert_eq(st->walks, walks);
	rm_traced(&x);
}

Test(instrument, tracing_changes_nothing_the_guest_or_the_vsp_sees)
{
	struct traced x;
	struct rig plain;
	uint8_t a[64], b[64];
	uint16_t type;
	uint64_t tid;

	mk_traced(&x, false);
	mk(&plain);
	open_echo(&plain);
	for (unsigned i = 0; i < 20; i++) {
		bool s1 = guest_send(&x.r, RING_GPA, i, "abcdefgh", 8);
		bool s2 = guest_send(&plain, RING_GPA, i, "abcdefgh", 8);
		cr_assert_eq(s1, s2);
		if (s1) {
			guest_signal(&x.r, ECHO_RELID);
			guest_signal(&plain, ECHO_RELID);
		}
		cr_assert_eq(guest_recv(&x.r, RING_GPA, &type, &tid, a, 64),
			     guest_recv(&plain, RING_GPA, &type, &tid, b, 64));
	}
	cr_assert_eq(
	    0, memcmp(physmem_ram_ptr(hv_part_mem(x.r.p), RING_GPA, 8 * 4096),
		      physmem_ram_ptr(hv_part_mem(plain.p), RING_GPA, 8 * 4096),
		      8 * 4096));
	cr_assert_eq(st(&x.r)->packets, st(&plain)->packets);
	cr_assert_eq(st(&x.r)->signals, st(&plain)->signals);
	rm(&plain);
	rm_traced(&x);
}

Test(instrument, a_packet_asking_no_completion_is_not_a_request)
{
	struct traced x;
	struct trace_rec rec[8];
	uint8_t d[16] = {0};
	uint64_t trailer = 0;

	mk_traced(&x, false);
	/* An in-band reply with flags 0, as an integration service's. */
	d[0] = VSP_PKT_DATA_INBAND, d[2] = 2, d[4] = 2, d[8] = 5;
	ring_put(&x.r, RING_GPA + 4096, 0, d, 16);
	ring_put(&x.r, RING_GPA + 4096, 16, &trailer, 8);
	wr32(&x.r, OUT_HDR, 24);
	guest_signal(&x.r, ECHO_RELID);
	cr_assert_eq(1, inst_chan_stats(echo_chan(&x.r))->packets);
	cr_assert_eq(1, st(&x.r)->packets, "the VSP read it");
	rm(&x.r);
	close_trace(&x);
	cr_assert_eq(0, stages(x.path, rec, 8), "no stage recorded");
	unlink(x.path);
}
