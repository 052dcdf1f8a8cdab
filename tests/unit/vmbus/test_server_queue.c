/*
 * tests/unit/vmbus/test_server_queue.c — more of the VMBus server against
 * the real hypervisor (the rig: server_rig.h): its own queue of outgoing
 * messages when the child's SynIC queue is full (at once and in simulated
 * time with a service parent), reset, a seeded mutation run of message
 * sequences, the signalling rules (§5.5), trace records, and the VM
 * Worker's wiring (partitions/vm_worker.c).
 */
#include "server_rig.h"
#include "vmbus/ic_services.h"

/* ---- the server's outgoing queue
 * --------------------------------------------- */

Test(server, messages_wait_in_the_server_when_the_synic_queue_is_full)
{
	struct rig r;
	struct chanmsg m;
	unsigned n = 0;

	mk(&r);
	/* 62 more VSPs: 64 offers + ALLOFFERS + the version response are
	 * one more than the slot and the SynIC's queue of 64 hold. */
	for (unsigned i = 0; i < 62; i++)
		cr_assert_gt(
		    vmbus_server_add_vsp(r.s, vsp_echo_desc(r.echo2), 0), 0);
	cr_assert_eq(-1, vmbus_server_add_vsp(r.s, vsp_echo_desc(r.echo2), 0));
	initiate(&r, 4, VMBUS_VERSION_V5_3, 0);
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	cr_assert_eq(1, vmbus_server_outq_len(r.s));
	cr_assert_eq(1, st(&r)->post_retries);
	while (take(&r, 0, &m)) {
		n++;
		if (!vmbus_server_outq_len(r.s))
			continue;
		vmbus_server_flush(r.s); /* EOM freed the slot */
	}
	cr_assert_eq(66, n);
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
	cr_assert_eq(0, st(&r)->out_dropped);
	rm(&r);
}

/* With a service parent, the server's work is queued on its vCPU and runs
 * in simulated time. */
static void mk_async(struct rig *r)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	struct hv_part_config pp = {.name = "parent",
				    .parent = true,
				    .vcpus = 1,
				    .mem_bytes = 1 << 20,
				    .weight = 100,
				    .cap_pct = 100,
				    .service = true};
	struct hv_part_config pc = {
	    .name = "child", .vcpus = 2, .mem_bytes = MEM_BYTES, .weight = 100};
	struct vmbus_server_config sc;
	struct hv_part *parent;

	memset(r, 0, sizeof(*r));
	r->q = evq_create();
	r->hv = hv_create(&hc, r->q);
	parent = hv_part_create(r->hv, &pp, NULL, NULL);
	cr_assert_not_null(parent);
	hv_part_set_runnable(parent, true);
	r->p = hv_part_create(r->hv, &pc, NULL, NULL); /* never runs */
	cr_assert_not_null(r->p);
	enable_synic(r, 0);
	enable_synic(r, 1);
	sc = (struct vmbus_server_config){.hv = r->hv, .child = r->p};
	r->s = vmbus_server_create(&sc);
	r->echo = vsp_echo_create();
	r->echo2 = vsp_echo_create();
	for (unsigned i = 0; i < VMBUS_MAX_CHANNELS; i++)
		cr_assert_gt(
		    vmbus_server_add_vsp(r->s, vsp_echo_desc(r->echo), 0), 0);
	cr_assert_eq(0, hv_start(r->hv));
}

/* Run the machine for `cycles` more simulated cycles. */
static void run_for(struct rig *r, cycles_t cycles)
{
	cycles_t end = hv_now(r->hv) + cycles;

	while (evq_pending(r->q) && evq_next_time(r->q) <= end)
		evq_run_one(r->q);
}

static unsigned run_all(struct rig *r)
{
	unsigned n = 0;

	while (n < 100000 && evq_run_one(r->q))
		n++;
	return n;
}

/* The guest EOMs its slot but posts nothing: the server's timed retry
 * delivers what it had queued. A guest that never EOMs gets a bounded
 * number of retries, and then the run can end. */
Test(server, queued_messages_are_retried_in_simulated_time)
{
	struct rig r;
	struct chanmsg m;
	unsigned n = 0;

	mk_async(&r);
	initiate(&r, 4, VMBUS_VERSION_V5_3, 0);
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	expect_none(&r, 0); /* not handled before the parent runs */
	run_for(&r, 20000);
	cr_assert_geq(hv_now(r.hv), 2 * VMBUS_COST_CTRL_MSG);
	cr_assert_eq(1, vmbus_server_outq_len(r.s));
	while (take(&r, 0, &m)) { /* each EOM frees a place */
		n++;
		run_for(&r, 200000);
	}
	cr_assert_eq(66, n);
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
	cr_assert_eq(0, st(&r)->out_dropped);
	/* Now a guest that does not EOM for long: the retries stop (the
	 * run can end), the messages stay queued. */
	post_simple(&r, CHANMSG_UNLOAD, 0);
	initiate(&r, 4, VMBUS_VERSION_V5_3, 0);
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	run_all(&r);
	cr_assert_eq(0, evq_pending(r.q), "retries ended");
	cr_assert_eq(2, vmbus_server_outq_len(r.s));
	for (n = 0; take(&r, 0, &m); n++)
		;
	cr_assert_eq(65, n); /* the slot and the SynIC's queue */
	/* Its next message (even an illegal one) flushes the rest. */
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	run_all(&r);
	cr_assert_eq(0, vmbus_server_outq_len(r.s));
	cr_assert_eq(196, take(&r, 0, &m));
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
	expect_none(&r, 0);
	rm(&r);
}

Test(server, reset_forgets_the_session_and_reconnects)
{
	struct rig r;

	mk(&r);
	open_echo(&r);
	hv_part_reset(r.p); /* connections forgotten, RAM zeroed */
	cr_assert_eq(0, vmbus_server_reset(r.s));
	cr_assert_eq(VMBUS_DISCONNECTED, vmbus_server_state(r.s));
	cr_assert_eq(1, vsp_echo_stats(r.echo)->closes);
	cr_assert_eq(0, vmbus_server_nr_gpadls(r.s));
	enable_synic(&r, 0);
	enable_synic(&r, 1);
	open_echo(&r);
	rm(&r);
}

/* ---- seeded mutation of message sequences
 * ------------------------------------- */

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

/* A message of the Linux sequence with plausible random fields: small
 * relids, handles and VPs, GPADLs of a few pages inside or around the
 * ring area, the versions Linux tries. */
static int plausible(uint64_t *x, uint8_t *b)
{
	/* Weighted: a session goes deep before an UNLOAD ends it. */
	static const uint32_t types[] = {
	    CHANMSG_INITIATE_CONTACT, CHANMSG_REQUESTOFFERS,
	    CHANMSG_GPADL_HEADER,     CHANMSG_GPADL_HEADER,
	    CHANMSG_GPADL_BODY,	      CHANMSG_OPENCHANNEL,
	    CHANMSG_OPENCHANNEL,      CHANMSG_OPENCHANNEL,
	    CHANMSG_CLOSECHANNEL,     CHANMSG_GPADL_TEARDOWN,
	    CHANMSG_RELID_RELEASED,   CHANMSG_MODIFYCHANNEL};
	static const uint32_t vers[] = {VMBUS_VERSION_V5_3, VMBUS_VERSION_V5_0,
					VMBUS_VERSION_WIN10, 0x00060000};
	static uint8_t pfns[8 + 28 * 8];
	struct chanmsg m = {.type = types[rnd(x) % 12]};
	unsigned np = rnd(x) % 4 ? 4u << (rnd(x) % 2) : 1 + rnd(x) % 27;

	memset(pfns, 0, sizeof(pfns));
	for (unsigned i = 0; i < 27; i++) {
		uint64_t pfn = 0x40 + (rnd(x) % 20 ? i : rnd(x) % 0x200);
		memcpy(pfns + 8 + 8 * i, &pfn, 8);
	}
	if (rnd(x) % 200 == 0)
		m.type = CHANMSG_UNLOAD;
	switch (m.type) {
	case CHANMSG_INITIATE_CONTACT:
		m.u.initiate.version = vers[rnd(x) % 4];
		m.u.initiate.target_vcpu = (uint32_t)(rnd(x) % 3);
		m.u.initiate.interrupt_page = 2;
		break;
	case CHANMSG_GPADL_HEADER: {
		uint32_t total = (uint32_t)(np + (rnd(x) % 4 ? 0 : rnd(x) % 3));
		uint32_t bc = total * 4096;

		memcpy(pfns, &bc, 4);
		m.u.gpadl_header.relid = (uint32_t)(rnd(x) % 4);
		m.u.gpadl_header.gpadl = (uint32_t)(rnd(x) % 4);
		m.u.gpadl_header.rangecount = 1;
		m.u.gpadl_header.range_buflen = (uint16_t)(8 + 8 * total);
		m.u.gpadl_header.ranges = pfns;
		m.u.gpadl_header.ranges_len = 8 + 8 * (np < 26 ? np : 26);
		break;
	}
	case CHANMSG_GPADL_BODY:
		m.u.gpadl_body.gpadl = (uint32_t)(rnd(x) % 4);
		m.u.gpadl_body.pfns = pfns + 8;
		m.u.gpadl_body.pfns_len = 8 * (uint32_t)(1 + rnd(x) % 3);
		break;
	case CHANMSG_OPENCHANNEL:
		m.u.open.relid = m.u.open.openid = (uint32_t)(rnd(x) % 4);
		m.u.open.gpadl = (uint32_t)(rnd(x) % 4);
		m.u.open.target_vp = (uint32_t)(rnd(x) % 3);
		m.u.open.downstream_offset =
		    (uint32_t)(rnd(x) % 4 ? 2u << (rnd(x) % 2) : rnd(x) % 6);
		break;
	case CHANMSG_GPADL_TEARDOWN:
		m.u.gpadl_teardown.relid = (uint32_t)(rnd(x) % 4);
		m.u.gpadl_teardown.gpadl = (uint32_t)(rnd(x) % 4);
		break;
	case CHANMSG_MODIFYCHANNEL:
		m.u.modify.relid = (uint32_t)(rnd(x) % 4);
		m.u.modify.target_vp = (uint32_t)(rnd(x) % 3);
		break;
	default:
		m.u.chan.relid = (uint32_t)(rnd(x) % 4);
	}
	return chanmsg_encode(&m, b, VMBUS_MSG_MAX);
}

/* Messages of the Linux sequence with random fields, random byte flips
 * and lengths, on connection 1 or 4; the guest also scribbles on its ring
 * pages and signals the channels. The server must never crash, keep its
 * invariants, and never write guest RAM outside the SIMP/SIEFP pages and
 * the pages the GPADLs may name (0x40..0x7F, 0x240 wraps are outside
 * RAM). The rest of RAM above 0x80000 is a canary. */
Test(server, seeded_mutations_never_crash)
{
	struct rig r;
	uint64_t x = 0x243F6A8885A308D3ull;
	static uint8_t canary[0x80000], now[0x80000];

	mk(&r);
	memset(canary, 0xC5, sizeof(canary));
	physmem_copy_to(hv_part_mem(r.p), 0x80000, canary, sizeof(canary));
	for (int i = 0; i < 20000; i++) {
		uint8_t b[VMBUS_MSG_MAX];
		struct chanmsg m;
		int n = plausible(&x, b);
		unsigned len = (unsigned)n;

		cr_assert_gt(n, 0);
		if (rnd(&x) % 8 == 0)
			len = (unsigned)(rnd(&x) % (VMBUS_MSG_MAX + 1));
		if (rnd(&x) % 8 == 0)
			b[rnd(&x) % VMBUS_MSG_MAX] ^= (uint8_t)rnd(&x);
		post_raw(&r, rnd(&x) % 3 == 0 ? 4 : 1, b, len);
		if (rnd(&x) % 3 == 0) {
			uint32_t v = (uint32_t)rnd(&x);
			uint64_t gpa = 0x40000 + (rnd(&x) % 12) * 4096;

			/* Mostly plausible packets at ring offsets. */
			wr32(&r, gpa + (rnd(&x) % 4) * 4,
			     rnd(&x) % 2 ? v & 0x1FF8 : v);
			hv_port_signal(r.p, 0,
				       VMBUS_CHAN_CONN_BASE | (1 + rnd(&x) % 2),
				       0);
		}
		while (take(&r, (unsigned)(rnd(&x) % 2), &m))
			;
		cr_assert_lt(vmbus_server_state(r.s), VMBUS_NR_CONN_STATES);
		cr_assert_leq(vmbus_server_nr_gpadls(r.s), VMBUS_MAX_GPADLS);
	}
	physmem_copy_from(hv_part_mem(r.p), now, 0x80000, sizeof(now));
	cr_assert_arr_eq(canary, now, sizeof(now));
	cr_assert_gt(st(&r)->msgs_in, 15000);
	cr_assert_gt(st(&r)->refused_total, 100);
	/* Deep enough: channels were opened and packets read. */
	cr_assert_gt(
	    vsp_echo_stats(r.echo)->opens + vsp_echo_stats(r.echo2)->opens, 10);
	cr_assert_gt(st(&r)->events, 100);
	rm(&r);
}

/* ---- signalling rules (§5.5)
 * -------------------------------------------------- */

/* The guest masks its inbound ring: completions do not signal it. It
 * waits for room with pending_send_sz in its outbound ring: the host's
 * read that frees that much signals it, once. */
Test(server, interrupt_mask_and_pending_send_size_are_honoured)
{
	struct rig r;
	uint8_t b[1000] = {0};
	uint64_t in_hdr = RING_GPA + RING_PAGES * 4096ull;
	uint64_t sig0;

	mk(&r);
	open_echo(&r);
	wr32(&r, in_hdr + 8, 1); /* interrupt_mask of the h→g ring */
	sig0 = st(&r)->signals;
	for (unsigned i = 0; i < 3; i++)
		guest_send(&r, RING_GPA, i, b, sizeof(b));
	guest_signal(&r, 1);
	cr_assert_eq(3, vsp_echo_stats(r.echo)->echoed);
	cr_assert_eq(sig0, st(&r)->signals, "masked: no signal");
	/* Now the guest's outbound ring: 4 packets of 1016 + 8 bytes
	 * written (free 8 KiB of 12); it wants more than 8 KiB free. */
	for (unsigned i = 0; i < 4; i++)
		guest_send(&r, RING_GPA, 10 + i, b, sizeof(b));
	wr32(&r, RING_GPA + 12, 8192);
	guest_signal(&r, 1);
	cr_assert_eq(7, vsp_echo_stats(r.echo)->packets);
	cr_assert_eq(sig0 + 1, st(&r)->signals,
		     "one signal when the free space crossed 8 KiB");
	rm(&r);
}

/* ---- traces
 * -------------------------------------------------------------------- */

static unsigned count_kind(const char *path, unsigned kind, uint64_t arg1)
{
	char err[200];
	struct trace_reader *tr = trace_reader_open(path, err, sizeof(err));
	struct trace_rec rec;
	unsigned n = 0;

	cr_assert_not_null(tr, "%s", err);
	while (trace_reader_next(tr, &rec) == 1)
		if (rec.kind == kind && rec.arg1 == arg1)
			n++;
	trace_reader_close(tr);
	return n;
}

Test(server, steps_and_refusals_are_traced)
{
	struct rig r;
	struct vmbus_server_config sc;
	struct trace_info ti = {.freq_hz = 2500000000ull, .nr_parts = 1};
	const char *names[] = {"child"};
	char path[] = "/tmp/hvsim_test_server_XXXXXX", err[200];
	struct chanmsg m;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	ti.part_names = names;
	mk(&r);
	vmbus_server_destroy(r.s);
	sc = (struct vmbus_server_config){.hv = r.hv, .child = r.p};
	sc.trace = trace_open(path, &ti, err, sizeof(err));
	cr_assert_not_null(sc.trace, "%s", err);
	r.s = vmbus_server_create(&sc);
	cr_assert_eq(1, vmbus_server_add_vsp(r.s, vsp_echo_desc(r.echo), 0));
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0); /* illegal: refused */
	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	vmbus_server_destroy(r.s);
	r.s = NULL;
	cr_assert_eq(0, trace_close(sc.trace, err, sizeof(err)), "%s", err);
	cr_assert_eq(1, count_kind(path, TK_VMBUS_REFUSED,
				   VMBUS_REF_CONN_STATE));
	cr_assert_eq(1, count_kind(path, TK_VMBUS_NEGOTIATE_VERSION, 0));
	cr_assert_eq(1, count_kind(path, TK_VMBUS_ONVERSION_RESPONSE, 0));
	unlink(path);
	sc.trace = NULL;
	r.s = vmbus_server_create(&sc); /* for rm */
	rm(&r);
}

/* ---- the VM Worker's wiring (partitions/vm_worker.c)
 * --------------------------- */

/* A worker for a child (or the parent), its server in r->s. */
static struct vm_worker *mk_worker(struct rig *r, bool parent, bool testdev,
				   const char *disk)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	struct vm_settings vs = {
	    .part = {.hv = {.name = parent ? "parent" : "child",
			    .parent = parent,
			    .vcpus = 2,
			    .mem_bytes = MEM_BYTES,
			    .weight = 100},
		     .testdev = testdev},
	    .disk = {.path = disk}};
	struct vm_worker *w;
	int status = 0;

	memset(r, 0, sizeof(*r));
	r->q = evq_create();
	r->hv = hv_create(&hc, r->q);
	w = vm_worker_create(r->hv, &vs, NULL, &status);
	cr_assert_not_null(w, "status %d", status);
	r->p = partition_hv(vm_worker_partition(w));
	r->s = vm_worker_vmbus(w);
	if (!parent) {
		enable_synic(r, 0);
		enable_synic(r, 1);
	}
	return w;
}

/* Every child is offered shutdown, timesync and heartbeat, after the
 * other VSPs (vmbus/ic_services.h). */
static void expect_ic_offers(struct rig *r)
{
	struct chanmsg m;

	for (int i = 0; i < IC_NR_SERVICES; i++) {
		cr_assert_eq(196, take(r, 0, &m));
		cr_assert_arr_eq(ic_if_type[i], m.u.offer.if_type, 16);
	}
}

static void rm_worker(struct rig *r, struct vm_worker *w)
{
	vm_worker_destroy(w);
	hv_destroy(r->hv);
	evq_destroy(r->q);
}

Test(server, a_child_worker_runs_a_server_offering_echo_with_testdev)
{
	struct rig r;
	struct chanmsg m;
	struct vm_worker *w = mk_worker(&r, false, true, NULL);
	char err[100];

	cr_assert_not_null(r.s);
	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	cr_assert_eq(196, take(&r, 0, &m));
	cr_assert_arr_eq(vsp_echo_if_type, m.u.offer.if_type, 16);
	expect_ic_offers(&r);
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
	/* A reset forgets the session; the server answers again. */
	cr_assert_eq(0, vm_worker_reset(w, err, sizeof(err)), "%s", err);
	cr_assert_eq(VMBUS_DISCONNECTED, vmbus_server_state(r.s));
	enable_synic(&r, 0);
	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	rm_worker(&r, w);
}

Test(server, no_testdev_no_offers_and_no_server_for_the_parent)
{
	struct rig r;
	struct chanmsg m;
	struct vm_worker *w = mk_worker(&r, false, false, NULL);

	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	expect_ic_offers(&r); /* the integration services only */
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
	rm_worker(&r, w);
	w = mk_worker(&r, true, true, NULL);
	cr_assert_null(r.s);
	rm_worker(&r, w);
}

Test(server, a_child_with_a_disk_gets_a_scsi_controller_offer)
{
	static const uint8_t scsi[16] = {0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04,
					 0x29, 0x4d, 0xb6, 0x05, 0x72, 0xe2,
					 0xff, 0xb1, 0xdc, 0x7f};
	char path[] = "/tmp/hvsim_test_server_disk_XXXXXX";
	int fd = mkstemp(path);
	struct rig r;
	struct chanmsg m;
	struct vm_worker *w;

	cr_assert_geq(fd, 0);
	cr_assert_eq(0, ftruncate(fd, 1 << 20));
	close(fd);
	w = mk_worker(&r, false, true, path);
	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	cr_assert_eq(196, take(&r, 0, &m));
	cr_assert_arr_eq(scsi, m.u.offer.if_type, 16);
	cr_assert_eq(196, take(&r, 0, &m));
	cr_assert_arr_eq(vsp_echo_if_type, m.u.offer.if_type, 16);
	rm_worker(&r, w);
	unlink(path);
}

Test(server, a_missing_disk_image_fails_the_worker)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	struct vm_settings vs = {
	    .part = {.hv = {.name = "c",
			    .vcpus = 1,
			    .mem_bytes = MEM_BYTES,
			    .weight = 100}},
	    .disk = {.path = "/nonexistent/hvsim/disk.img"}};
	struct evq *q = evq_create();
	struct hv *hv = hv_create(&hc, q);
	int status = 0;

	cr_assert_null(vm_worker_create(hv, &vs, NULL, &status));
	cr_assert_neq(0, status);
	hv_destroy(hv);
	evq_destroy(q);
}
