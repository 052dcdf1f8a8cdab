/*
 * tests/unit/partitions/test_hv_testdev.c — QEMU's hyperv-testdev
 * (partitions/hv_testdev.c) on a bus of its own, with a recording
 * stand-in for the hypervisor calls (struct hv_testdev_hv): the command
 * encoding, SINT routes and SET_SINT, message connections echoing what
 * the guest posts into the route's slot, event connections setting flag
 * `conn id`, destroy and reset disconnecting, and every kind of bad
 * guest command being ignored and counted. Then the same device on the
 * real hypervisor (suite hv_testdev_real): what lands in the SIMP slot
 * and the SIEFP flags, interrupts raised, ids after destroy, ids taken.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "hv/hv_int.h" /* the real-hypervisor tests enable the SynIC */
#include "hv/hvdefs.h"
#include "hv/hvmsr.h"
#include "hv/port.h"
#include "hv/synic.h"
#include "mmu/mmu.h"
#include "partitions/hv_testdev.h"
#include "sim/evq.h"

/* ---- the recording hypervisor (test-only file-scope state) -------------- */

struct fake_conn {
	bool used;
	hv_msg_handler *msg_fn;
	hv_event_handler *evt_fn;
	void *opaque;
	cycles_t cost;
};

static struct fake {
	unsigned nr_vps;
	unsigned connect_status; /* what connect_* answer */
	unsigned deliver_status; /* what post/signal/assert answer */
	struct fake_conn conn[256];
	unsigned connects, disconnects, posts, signals, asserts;
	/* The last delivery. */
	unsigned vp, sint, flag, size;
	uint32_t type;
	uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
} fk;

static unsigned fk_nr_vps(const struct hv_part *p)
{
	(void)p;
	return fk.nr_vps;
}

static unsigned fk_connect(uint32_t id, hv_msg_handler *mfn,
			   hv_event_handler *efn, void *opaque, cycles_t cost)
{
	if (fk.connect_status != HV_STATUS_SUCCESS)
		return fk.connect_status;
	cr_assert_lt(id, 256);
	if (fk.conn[id].used)
		return HV_STATUS_INVALID_CONNECTION_ID;
	fk.conn[id] = (struct fake_conn){true, mfn, efn, opaque, cost};
	fk.connects++;
	return HV_STATUS_SUCCESS;
}

static unsigned fk_connect_msg(struct hv_part *from, uint32_t id,
			       hv_msg_handler *fn, void *opaque, cycles_t cost)
{
	(void)from;
	return fk_connect(id, fn, NULL, opaque, cost);
}

static unsigned fk_connect_evt(struct hv_part *from, uint32_t id,
			       hv_event_handler *fn, void *opaque,
			       cycles_t cost)
{
	(void)from;
	return fk_connect(id, NULL, fn, opaque, cost);
}

static unsigned fk_disconnect(struct hv_part *from, uint32_t id)
{
	(void)from;
	if (id >= 256 || !fk.conn[id].used)
		return HV_STATUS_INVALID_CONNECTION_ID;
	fk.conn[id].used = false;
	fk.disconnects++;
	return HV_STATUS_SUCCESS;
}

static unsigned fk_post(struct hv_part *to, unsigned vp, unsigned sint,
			uint32_t type, const void *payload, unsigned size)
{
	(void)to;
	fk.posts++;
	fk.vp = vp, fk.sint = sint, fk.type = type, fk.size = size;
	cr_assert_leq(size, sizeof(fk.payload));
	memcpy(fk.payload, payload, size);
	return fk.deliver_status;
}

static unsigned fk_signal(struct hv_part *to, unsigned vp, unsigned sint,
			  unsigned flag)
{
	(void)to;
	fk.signals++;
	fk.vp = vp, fk.sint = sint, fk.flag = flag;
	return fk.deliver_status;
}

static unsigned fk_assert(struct hv_part *to, unsigned vp, unsigned sint)
{
	(void)to;
	fk.asserts++;
	fk.vp = vp, fk.sint = sint;
	return fk.deliver_status;
}

static const struct hv_testdev_hv fake_hv = {
    .nr_vps = fk_nr_vps,
    .connect_msg = fk_connect_msg,
    .connect_event = fk_connect_evt,
    .disconnect = fk_disconnect,
    .post_message = fk_post,
    .signal_event = fk_signal,
    .assert_sint = fk_assert,
};

/* The partition is only passed through; any non-NULL handle does. */
static struct hv_part *const some_part = (struct hv_part *)&fk;

/* ---- helpers ----------------------------------------------------------------
 */

struct rig {
	struct iobus bus;
	struct hv_testdev *d;
};

static void mk(struct rig *r, unsigned nr_vps)
{
	memset(&fk, 0, sizeof(fk));
	fk.nr_vps = nr_vps;
	memset(&r->bus, 0, sizeof(r->bus));
	r->d = hv_testdev_attach_with(&r->bus, some_part, &fake_hv);
	cr_assert_not_null(r->d);
}

static void cmd(struct rig *r, unsigned op, unsigned vp, unsigned sint,
		unsigned conn)
{
	cycles_t lat = 0;

	cr_assert_eq(IO_OK,
		     iobus_write(&r->bus, HV_TESTDEV_PORT, 4,
				 HV_TESTDEV_CMD(op, vp, sint, conn), &lat));
}

static const struct hv_testdev_stats *st(struct rig *r)
{
	return hv_testdev_stats(r->d);
}

/* What HvPostMessage on connection `id` does: hv/port.c calls the
 * handler (here at once; in hvsim as parent work). */
static unsigned guest_posts(unsigned id, uint32_t type, const void *payload,
			    unsigned size)
{
	cr_assert(fk.conn[id].used, "connection %u not connected", id);
	cr_assert_not_null(fk.conn[id].msg_fn);
	return fk.conn[id].msg_fn(fk.conn[id].opaque, some_part, 0, type,
				  payload, size);
}

static unsigned guest_signals(unsigned id, unsigned flag)
{
	cr_assert(fk.conn[id].used, "connection %u not connected", id);
	cr_assert_not_null(fk.conn[id].evt_fn);
	return fk.conn[id].evt_fn(fk.conn[id].opaque, some_part, 0, flag);
}

/* ---- SINT routes
 * ---------------------------------------------------------------- */

Test(hv_testdev, command_word_layout)
{
	cr_assert_eq(0x12040301u,
		     HV_TESTDEV_CMD(HV_TESTDEV_MSG_CONN_CREATE, 3, 1, 0x12));
	cr_assert_eq(0x00010000u,
		     HV_TESTDEV_CMD(HV_TESTDEV_SINT_ROUTE_CREATE, 0, 0, 0));
}

Test(hv_testdev, set_sint_asserts_the_routes_sint)
{
	struct rig r;

	mk(&r, 2);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 1, 5, 0);
	cr_assert_eq(1, st(&r)->routes);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_SET_SINT, 1, 5, 0);
	cr_assert_eq(1, fk.asserts);
	cr_assert_eq(1, fk.vp);
	cr_assert_eq(5, fk.sint);
	cr_assert_eq(1, st(&r)->asserts);
	cr_assert_eq(0, st(&r)->errors);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_SET_SINT, 1, 5, 0);
	cr_assert_eq(2, fk.asserts);
	hv_testdev_destroy(r.d);
}

Test(hv_testdev, set_sint_needs_a_route)
{
	struct rig r;

	mk(&r, 2);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_SET_SINT, 0, 2, 0);
	cr_assert_eq(0, fk.asserts);
	cr_assert_eq(1, st(&r)->errors);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 0, 2, 0);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_SET_SINT, 0, 3, 0); /* other SINT */
	cmd(&r, HV_TESTDEV_SINT_ROUTE_SET_SINT, 1, 2, 0); /* other VP */
	cr_assert_eq(0, fk.asserts);
	cr_assert_eq(3, st(&r)->errors);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_DESTROY, 0, 2, 0);
	cr_assert_eq(0, st(&r)->routes);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_SET_SINT, 0, 2, 0);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_DESTROY, 0, 2, 0); /* twice */
	cr_assert_eq(0, fk.asserts);
	cr_assert_eq(5, st(&r)->errors);
	cr_assert_eq(7, st(&r)->commands);
	hv_testdev_destroy(r.d);
}

Test(hv_testdev, bad_vp_sint_or_duplicate_route_is_ignored)
{
	struct rig r;

	mk(&r, 2);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 2, 0, 0);	  /* no VP 2 */
	cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 255, 0, 0); /* no VP 255 */
	cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 0, 16, 0);  /* SINT 0..15 */
	cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 0, 255, 0);
	cr_assert_eq(0, st(&r)->routes);
	cr_assert_eq(4, st(&r)->errors);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 1, 15, 0);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 1, 15, 0); /* duplicate */
	cr_assert_eq(1, st(&r)->routes);
	cr_assert_eq(5, st(&r)->errors);
	hv_testdev_destroy(r.d);
}

Test(hv_testdev, routes_are_bounded)
{
	struct rig r;

	mk(&r, 8); /* 8 VPs x 16 SINTs = 128 possible routes */
	for (unsigned i = 0; i < HV_TESTDEV_MAX_ROUTES; i++)
		cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, i / 16, i % 16, 0);
	cr_assert_eq(HV_TESTDEV_MAX_ROUTES, st(&r)->routes);
	cr_assert_eq(0, st(&r)->errors);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 7, 0, 0);
	cr_assert_eq(HV_TESTDEV_MAX_ROUTES, st(&r)->routes);
	cr_assert_eq(1, st(&r)->errors);
	/* A freed entry is reused. */
	cmd(&r, HV_TESTDEV_SINT_ROUTE_DESTROY, 0, 3, 0);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 7, 0, 0);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_SET_SINT, 7, 0, 0);
	cr_assert_eq(1, fk.asserts);
	cr_assert_eq(7, fk.vp);
	hv_testdev_destroy(r.d);
}

Test(hv_testdev, refused_assert_is_counted)
{
	struct rig r;

	mk(&r, 1);
	fk.deliver_status = HV_STATUS_INVALID_SYNIC_STATE; /* SynIC off */
	cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 0, 1, 0);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_SET_SINT, 0, 1, 0);
	cr_assert_eq(1, fk.asserts);
	cr_assert_eq(0, st(&r)->asserts);
	cr_assert_eq(1, st(&r)->refused);
	hv_testdev_destroy(r.d);
}

/* ---- message connections
 * ---------------------------------------------------------- */

Test(hv_testdev, message_connection_echoes_into_the_routes_slot)
{
	struct rig r;
	const uint8_t payload[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

	mk(&r, 2);
	cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 1, 8, 0x10);
	cr_assert_eq(1, st(&r)->msg_conns);
	cr_assert(fk.conn[0x10].used);
	cr_assert_eq(HV_TESTDEV_MSG_COST, fk.conn[0x10].cost);
	cr_assert_null(fk.conn[0x10].evt_fn);

	cr_assert_eq(HV_STATUS_SUCCESS,
		     guest_posts(0x10, 0x12345678, payload, sizeof(payload)));
	cr_assert_eq(1, fk.posts);
	cr_assert_eq(1, fk.vp);
	cr_assert_eq(8, fk.sint);
	cr_assert_eq(0x12345678, fk.type);
	cr_assert_eq(sizeof(payload), fk.size);
	cr_assert_arr_eq(payload, fk.payload, sizeof(payload));
	cr_assert_eq(1, st(&r)->echoes);
	hv_testdev_destroy(r.d);
}

Test(hv_testdev, echo_refused_by_the_synic_returns_its_status)
{
	struct rig r;
	uint64_t v = 7;

	mk(&r, 1);
	cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 2, 0x20);
	fk.deliver_status = HV_STATUS_INSUFFICIENT_BUFFERS;
	cr_assert_eq(HV_STATUS_INSUFFICIENT_BUFFERS,
		     guest_posts(0x20, 1, &v, sizeof(v)));
	cr_assert_eq(0, st(&r)->echoes);
	cr_assert_eq(1, st(&r)->refused);
	hv_testdev_destroy(r.d);
}

Test(hv_testdev, destroying_a_message_connection_disconnects_it)
{
	struct rig r;
	void *opaque;
	hv_msg_handler *fn;
	uint64_t v = 1;

	mk(&r, 1);
	cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 2, 0x21);
	fn = fk.conn[0x21].msg_fn;
	opaque = fk.conn[0x21].opaque;
	/* The destroy command names only the connection id. */
	cmd(&r, HV_TESTDEV_MSG_CONN_DESTROY, 0xEE, 0xEE, 0x21);
	cr_assert_eq(1, fk.disconnects);
	cr_assert_not(fk.conn[0x21].used);
	cr_assert_eq(0, st(&r)->msg_conns);
	cr_assert_eq(0, st(&r)->errors);
	/* A message already in flight when it went is not echoed. */
	cr_assert_eq(HV_STATUS_INVALID_CONNECTION_ID,
		     fn(opaque, some_part, 0, 1, &v, sizeof(v)));
	cr_assert_eq(0, fk.posts);
	/* Destroying it again, or an id never made, is an error. */
	cmd(&r, HV_TESTDEV_MSG_CONN_DESTROY, 0, 0, 0x21);
	cmd(&r, HV_TESTDEV_MSG_CONN_DESTROY, 0, 0, 0x99);
	cr_assert_eq(2, st(&r)->errors);
	cr_assert_eq(1, fk.disconnects);
	/* The id can be connected again. */
	cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 3, 0x21);
	cr_assert_eq(HV_STATUS_SUCCESS, guest_posts(0x21, 1, &v, sizeof(v)));
	cr_assert_eq(3, fk.sint);
	hv_testdev_destroy(r.d);
}

/* ---- event connections
 * ---------------------------------------------------------- */

Test(hv_testdev, event_connection_sets_flag_conn_id_on_the_route)
{
	struct rig r;

	mk(&r, 2);
	cmd(&r, HV_TESTDEV_EVT_CONN_CREATE, 1, 9, 0x20);
	cr_assert_eq(1, st(&r)->evt_conns);
	cr_assert_eq(HV_TESTDEV_EVT_COST, fk.conn[0x20].cost);
	cr_assert_null(fk.conn[0x20].msg_fn);
	/* The flag number the guest passes is not the one set (QEMU). */
	cr_assert_eq(HV_STATUS_SUCCESS, guest_signals(0x20, 0));
	cr_assert_eq(1, fk.signals);
	cr_assert_eq(1, fk.vp);
	cr_assert_eq(9, fk.sint);
	cr_assert_eq(0x20, fk.flag);
	cr_assert_eq(1, st(&r)->events);
	cmd(&r, HV_TESTDEV_EVT_CONN_DESTROY, 0, 0, 0x20);
	cr_assert_eq(1, fk.disconnects);
	cr_assert_eq(0, st(&r)->evt_conns);
	hv_testdev_destroy(r.d);
}

Test(hv_testdev, destroy_commands_do_not_cross_kinds)
{
	struct rig r;

	mk(&r, 1);
	cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 1, 0x30);
	cmd(&r, HV_TESTDEV_EVT_CONN_CREATE, 0, 1, 0x31);
	cmd(&r, HV_TESTDEV_EVT_CONN_DESTROY, 0, 0, 0x30);
	cmd(&r, HV_TESTDEV_MSG_CONN_DESTROY, 0, 0, 0x31);
	cr_assert_eq(2, st(&r)->errors);
	cr_assert_eq(0, fk.disconnects);
	hv_testdev_destroy(r.d);
}

Test(hv_testdev, duplicate_or_taken_connection_ids_are_ignored)
{
	struct rig r;

	mk(&r, 1);
	cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 1, 0x40);
	cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 2, 0x40); /* same kind */
	cmd(&r, HV_TESTDEV_EVT_CONN_CREATE, 0, 2, 0x40); /* other kind */
	cr_assert_eq(1, fk.connects);
	cr_assert_eq(2, st(&r)->errors);
	/* An id the hypervisor already holds (another owner). */
	fk.conn[0x41].used = true;
	cmd(&r, HV_TESTDEV_EVT_CONN_CREATE, 0, 2, 0x41);
	cr_assert_eq(3, st(&r)->errors);
	cr_assert_eq(0, st(&r)->evt_conns);
	/* The hypervisor out of memory. */
	fk.connect_status = HV_STATUS_INSUFFICIENT_MEMORY;
	cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 2, 0x42);
	cr_assert_eq(4, st(&r)->errors);
	cr_assert_eq(1, st(&r)->msg_conns);
	hv_testdev_destroy(r.d);
}

Test(hv_testdev, connection_targets_are_checked)
{
	struct rig r;

	mk(&r, 2);
	cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 2, 1, 0x50);  /* no VP 2 */
	cmd(&r, HV_TESTDEV_EVT_CONN_CREATE, 0, 16, 0x51); /* no SINT 16 */
	cr_assert_eq(0, fk.connects);
	cr_assert_eq(2, st(&r)->errors);
	hv_testdev_destroy(r.d);
}

Test(hv_testdev, connections_are_bounded)
{
	struct rig r;

	mk(&r, 1);
	for (unsigned i = 0; i < HV_TESTDEV_MAX_CONNS; i++)
		cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 1, i);
	cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 1, 200);
	cr_assert_eq(HV_TESTDEV_MAX_CONNS, st(&r)->msg_conns);
	cr_assert_eq(1, st(&r)->errors);
	cr_assert_not(fk.conn[200].used);
	/* Event connections have their own table. */
	cmd(&r, HV_TESTDEV_EVT_CONN_CREATE, 0, 1, 200);
	cr_assert_eq(1, st(&r)->evt_conns);
	hv_testdev_destroy(r.d);
	cr_assert_eq(HV_TESTDEV_MAX_CONNS + 1, fk.disconnects);
}

/* ---- the port, reset and destroy
 * ------------------------------------------------ */

Test(hv_testdev, destroy_and_reset_disconnect_everything)
{
	struct rig r;

	mk(&r, 2);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 0, 0, 0);
	cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 1, 1);
	cmd(&r, HV_TESTDEV_EVT_CONN_CREATE, 1, 2, 2);
	r.bus.r[0].ops->reset(r.bus.r[0].opaque);
	cr_assert_eq(2, fk.disconnects);
	cr_assert_not(fk.conn[1].used);
	cr_assert_not(fk.conn[2].used);
	cr_assert_eq(0, st(&r)->routes);
	cr_assert_eq(0, st(&r)->msg_conns + st(&r)->evt_conns);
	cmd(&r, HV_TESTDEV_SINT_ROUTE_SET_SINT, 0, 0, 0);
	cr_assert_eq(0, fk.asserts);

	cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 1, 3);
	hv_testdev_destroy(r.d);
	cr_assert_eq(3, fk.disconnects);
	cr_assert_not(fk.conn[3].used);
}

Test(hv_testdev, unknown_commands_are_counted)
{
	struct rig r;
	static const unsigned ops[] = {0, 8, 0x80, 0xFF};

	mk(&r, 1);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		cmd(&r, ops[i], 0, 0, 1);
	cr_assert_eq(4, st(&r)->commands);
	cr_assert_eq(4, st(&r)->errors);
	cr_assert_eq(0, fk.connects + fk.asserts);
	hv_testdev_destroy(r.d);
}

Test(hv_testdev, only_dword_accesses_at_the_port)
{
	struct rig r;
	cycles_t lat = 0;
	uint64_t v = 0xDEAD;
	uint32_t c = HV_TESTDEV_CMD(HV_TESTDEV_SINT_ROUTE_CREATE, 0, 0, 0);

	mk(&r, 1);
	iobus_write(&r.bus, HV_TESTDEV_PORT, 1, c, &lat);
	iobus_write(&r.bus, HV_TESTDEV_PORT, 2, c, &lat);
	iobus_write(&r.bus, HV_TESTDEV_PORT + 2, 1, c >> 16, &lat);
	cr_assert_eq(0, st(&r)->commands);
	cr_assert_eq(0, st(&r)->routes);
	cr_assert_gt(st(&r)->bad_accesses, 0);
	cr_assert_eq(IO_OK, iobus_read(&r.bus, HV_TESTDEV_PORT, 4, &v, &lat));
	cr_assert_eq(0, v); /* reads return 0 */
	hv_testdev_destroy(r.d);
}

Test(hv_testdev, attach_refuses_a_taken_port)
{
	struct iobus bus;
	struct hv_testdev *d;

	memset(&bus, 0, sizeof(bus));
	d = hv_testdev_attach_with(&bus, some_part, &fake_hv);
	cr_assert_not_null(d);
	cr_assert_null(hv_testdev_attach_with(&bus, some_part, &fake_hv));
	cr_assert_null(hv_testdev_attach_with(&bus, NULL, &fake_hv));
	hv_testdev_destroy(d);
}

/* ---- with the real hypervisor (hv/port.c, hv/synic.c) ---------------------
 * One partition and no parent: parent work (the handlers) runs at once.
 * The SynIC is enabled as a guest's WRMSRs would (hv/hvmsr.h), and what
 * the guest's HvPostMessage / HvSignalEvent do is hv_port_post /
 * hv_port_signal (hv/port.h). */

#define SIMP_GPA  0x10000ull
#define SIEFP_GPA 0x11000ull

struct real {
	struct evq *q;
	struct hv *hv;
	struct hv_part *p;
	struct iobus bus;
	struct hv_testdev *d;
};

static void real_wrmsr(struct real *r, uint32_t msr, uint64_t v)
{
	cr_assert_eq(0, hv_msr_write(&r->p->vp[0], msr, v), "msr %#x", msr);
}

static void real_mk(struct real *r)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	struct hv_part_config pc = {
	    .name = "c", .vcpus = 2, .mem_bytes = 1 << 20, .weight = 100};

	r->q = evq_create();
	r->hv = hv_create(&hc, r->q);
	cr_assert_not_null(r->hv);
	r->p = hv_part_create(r->hv, &pc, NULL, NULL);
	cr_assert_not_null(r->p);
	memset(&r->bus, 0, sizeof(r->bus));
	r->d = hv_testdev_attach(&r->bus, r->p);
	cr_assert_not_null(r->d);
	real_wrmsr(r, HV_MSR_SIMP, SIMP_GPA | HV_MSR_ENABLE);
	real_wrmsr(r, HV_MSR_SIEFP, SIEFP_GPA | HV_MSR_ENABLE);
	for (unsigned s = 0; s < HV_SYNIC_SINT_COUNT; s++)
		real_wrmsr(r, HV_MSR_SINT0 + s, 0xB0 + s); /* unmasked */
	real_wrmsr(r, HV_MSR_SCONTROL, 1);
}

static void real_rm(struct real *r)
{
	hv_testdev_destroy(r->d);
	hv_destroy(r->hv);
	evq_destroy(r->q);
}

static void real_cmd(struct real *r, unsigned op, unsigned vp, unsigned sint,
		     unsigned conn)
{
	cycles_t lat = 0;

	iobus_write(&r->bus, HV_TESTDEV_PORT, 4,
		    HV_TESTDEV_CMD(op, vp, sint, conn), &lat);
}

static uint64_t real_interrupts(struct real *r)
{
	return synic_stats(r->p->vp[0].synic)->interrupts;
}

Test(hv_testdev_real, set_sint_raises_the_vcpus_sint)
{
	struct real r;

	real_mk(&r);
	real_cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 0, 3, 0);
	real_cmd(&r, HV_TESTDEV_SINT_ROUTE_SET_SINT, 0, 3, 0);
	cr_assert_eq(1, real_interrupts(&r));
	cr_assert_eq(1, hv_testdev_stats(r.d)->asserts);
	/* Masked: the hypervisor takes it, nothing is raised. */
	real_wrmsr(&r, HV_MSR_SINT0 + 3, 0xB3 | HV_SINT_MASKED);
	real_cmd(&r, HV_TESTDEV_SINT_ROUTE_SET_SINT, 0, 3, 0);
	cr_assert_eq(1, real_interrupts(&r));
	real_rm(&r);
}

Test(hv_testdev_real, posted_message_is_echoed_into_the_simp_slot)
{
	struct real r;
	const char text[] = "hello, testdev";
	uint8_t slot[HV_MESSAGE_SIZE];
	uint32_t type;

	real_mk(&r);
	real_cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 8, 0x10);
	cr_assert_eq(1, hv_testdev_stats(r.d)->msg_conns);
	cr_assert_eq(HV_STATUS_SUCCESS, hv_port_post(r.p, 0, 0x10, 0x12345678,
						     text, sizeof(text)));
	cr_assert_eq(1, hv_testdev_stats(r.d)->echoes);
	cr_assert_eq(0, physmem_copy_from(hv_part_mem(r.p), slot,
					  SIMP_GPA + 8 * HV_MESSAGE_SIZE,
					  sizeof(slot)));
	memcpy(&type, slot, 4);
	cr_assert_eq(0x12345678, type);
	cr_assert_eq(sizeof(text), slot[4]);
	cr_assert_arr_eq(text, slot + 16, sizeof(text));
	cr_assert_eq(1, real_interrupts(&r));
	real_rm(&r);
}

Test(hv_testdev_real, signalled_event_sets_flag_conn_id)
{
	struct real r;
	uint8_t flags[256];

	real_mk(&r);
	real_cmd(&r, HV_TESTDEV_EVT_CONN_CREATE, 0, 9, 0x21);
	cr_assert_eq(HV_STATUS_SUCCESS, hv_port_signal(r.p, 0, 0x21, 0));
	cr_assert_eq(0, physmem_copy_from(hv_part_mem(r.p), flags,
					  SIEFP_GPA + 9 * 256, sizeof(flags)));
	for (unsigned f = 0; f < 2048; f++)
		cr_assert_eq(f == 0x21, (flags[f / 8] >> (f % 8)) & 1,
			     "flag %u", f);
	cr_assert_eq(1, real_interrupts(&r));
	cr_assert_eq(1, hv_testdev_stats(r.d)->events);
	real_rm(&r);
}

Test(hv_testdev_real, destroyed_connections_are_unknown_ids)
{
	struct real r;

	real_mk(&r);
	real_cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 8, 0x10);
	real_cmd(&r, HV_TESTDEV_EVT_CONN_CREATE, 0, 9, 0x20);
	real_cmd(&r, HV_TESTDEV_MSG_CONN_DESTROY, 0, 0, 0x10);
	real_cmd(&r, HV_TESTDEV_EVT_CONN_DESTROY, 0, 0, 0x20);
	cr_assert_eq(HV_STATUS_INVALID_CONNECTION_ID,
		     hv_port_post(r.p, 0, 0x10, 1, "x", 1));
	cr_assert_eq(HV_STATUS_INVALID_CONNECTION_ID,
		     hv_port_signal(r.p, 0, 0x20, 0));
	cr_assert_eq(0, real_interrupts(&r));
	real_rm(&r);
}

Test(hv_testdev_real, an_id_the_partition_already_uses_is_refused)
{
	struct real r;

	real_mk(&r);
	cr_assert_eq(HV_STATUS_SUCCESS,
		     hv_connect_msg_to_vp(r.p, 0x30, r.p, 1, 2));
	real_cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 0, 8, 0x30);
	cr_assert_eq(0, hv_testdev_stats(r.d)->msg_conns);
	cr_assert_eq(1, hv_testdev_stats(r.d)->errors);
	/* The existing connection is untouched, and destroy leaves it. */
	real_cmd(&r, HV_TESTDEV_MSG_CONN_DESTROY, 0, 0, 0x30);
	cr_assert_eq(HV_STATUS_INVALID_SYNIC_STATE, /* VP 1's SynIC is off */
		     hv_port_post(r.p, 0, 0x30, 1, "x", 1));
	real_rm(&r);
}

Test(hv_testdev_real, a_vp_the_partition_lacks_is_refused)
{
	struct real r;

	real_mk(&r);
	real_cmd(&r, HV_TESTDEV_SINT_ROUTE_CREATE, 2, 0, 0); /* 2 vCPUs */
	real_cmd(&r, HV_TESTDEV_MSG_CONN_CREATE, 2, 0, 0x11);
	cr_assert_eq(2, hv_testdev_stats(r.d)->errors);
	cr_assert_eq(HV_STATUS_INVALID_CONNECTION_ID,
		     hv_port_post(r.p, 0, 0x11, 1, "x", 1));
	real_rm(&r);
}

Test(hv_testdev_real, random_commands_stay_bounded_and_never_crash)
{
	struct real r;
	uint32_t x = 12345; /* fixed seed: the same words every run */
	const struct hv_testdev_stats *s;

	real_mk(&r);
	for (unsigned i = 0; i < 20000; i++) {
		cycles_t lat = 0;
		uint32_t w;

		x = x * 1103515245u + 12345u;
		w = x;
		/* Mostly real commands on small ids, VPs and SINTs. */
		if (i % 4)
			w = HV_TESTDEV_CMD(1 + (x >> 8) % 7, (x >> 12) % 3,
					   (x >> 16) % 18, (x >> 24) % 80);
		iobus_write(&r.bus, HV_TESTDEV_PORT, 4, w, &lat);
		if (i % 7 == 0)
			hv_port_post(r.p, 0, (x >> 24) % 80, 1, &x, sizeof(x));
		if (i % 11 == 0)
			hv_port_signal(r.p, 0, (x >> 24) % 80, 0);
	}
	s = hv_testdev_stats(r.d);
	cr_assert_eq(20000, s->commands);
	cr_assert_gt(s->errors, 0);
	cr_assert_leq(s->routes, HV_TESTDEV_MAX_ROUTES);
	cr_assert_leq(s->msg_conns, HV_TESTDEV_MAX_CONNS);
	cr_assert_leq(s->evt_conns, HV_TESTDEV_MAX_CONNS);
	cr_assert_gt(s->echoes + s->events + s->asserts, 0);
	cr_assert(synic_check_invariants(r.p->vp[0].synic));
	real_rm(&r);
}
