/*
 * partitions/hv_testdev.c — QEMU's hyperv-testdev (hw/hyperv/
 * hyperv_testdev.c in QEMU; facts only), the test device of the
 * kvm-unit-tests Hyper-V tests. The command encoding is in
 * partitions/hv_testdev.h. What each command does:
 *
 * - SINT_ROUTE_CREATE / DESTROY (VP, SINT): a route names one SINT of one
 *   vCPU of this partition. SET_SINT raises that SINT — its vector, with
 *   no message and no flag (hv_assert_sint), as QEMU's irqfd does.
 * - MSG_CONN_CREATE (VP, SINT, conn id): the partition's connection id
 *   `conn` now leads to a host handler here; every message the guest
 *   posts on it (HvPostMessage) is posted back, same type, size and
 *   payload, into the SIMP slot of SINT on VP (hv_post_message). A busy
 *   slot queues it behind the pending flag (the SynIC's rules).
 * - EVT_CONN_CREATE (VP, SINT, conn id): signalling `conn`
 *   (HvSignalEvent) sets event flag number `conn` in SINT's part of VP's
 *   SIEFP page, which raises the SINT if the flag was clear. As in QEMU,
 *   the flag number the guest passes is not used for the echo.
 * - MSG_CONN_DESTROY / EVT_CONN_DESTROY (conn id): disconnect; the
 *   guest's HvPostMessage / HvSignalEvent on it then fail with
 *   HV_STATUS_INVALID_CONNECTION_ID (hv/port.c).
 *
 * The guest is untrusted: where QEMU asserts (unknown route, duplicate
 * id), we ignore the command and count an error. A VP index must exist,
 * a SINT be < 16, a route (VP, SINT) and a connection id be unique, and
 * the device holds at most HV_TESTDEV_MAX_ROUTES routes and
 * HV_TESTDEV_MAX_CONNS connections of each kind (fixed arrays: nothing is
 * allocated per command). Reads of the port return 0, as QEMU's.
 *
 * Called by the partition's port bus (the VM Worker's emulation of a
 * forwarded intercept); handlers are called by hv/port.c as parent work.
 */
#include <stdlib.h>

#include "hv/hvdefs.h"
#include "partitions/hv_testdev.h"

#define PORT_LEN 4

struct route {
	bool used;
	uint8_t vp, sint;
};

struct conn {
	bool used;
	uint8_t id, vp, sint;
	struct hv_testdev *dev; /* the handlers' way back */
};

struct hv_testdev {
	struct hv_part *p;
	struct hv_testdev_hv hv;
	struct route route[HV_TESTDEV_MAX_ROUTES];
	struct conn msg[HV_TESTDEV_MAX_CONNS];
	struct conn evt[HV_TESTDEV_MAX_CONNS];
	struct hv_testdev_stats st;
};

/* A decoded command. */
struct cmd {
	uint8_t op, vp, sint, conn;
};

static const struct hv_testdev_hv hv_calls = {
    .nr_vps = hv_part_nr_vps,
    .connect_msg = hv_connect_msg_to_host,
    .connect_event = hv_connect_event_to_host,
    .disconnect = hv_disconnect,
    .post_message = hv_post_message,
    .signal_event = hv_signal_event,
    .assert_sint = hv_assert_sint,
};

/* ---- the handlers hv/port.c calls ---------------------------------------- */

/* The guest posted on a message connection: post it back. */
static unsigned echo_message(void *opaque, struct hv_part *from,
			     unsigned from_vp, uint32_t type,
			     const void *payload, unsigned size)
{
	struct conn *c = opaque;
	struct hv_testdev *d = c->dev;
	unsigned st;

	(void)from, (void)from_vp;
	if (!c->used) /* destroyed while the message was in flight */
		return HV_STATUS_INVALID_CONNECTION_ID;
	st = d->hv.post_message(d->p, c->vp, c->sint, type, payload, size);
	if (st == HV_STATUS_SUCCESS)
		d->st.echoes++;
	else
		d->st.refused++;
	return st;
}

/* The guest signalled an event connection: set flag `conn id`. */
static unsigned echo_event(void *opaque, struct hv_part *from, unsigned from_vp,
			   unsigned flag)
{
	struct conn *c = opaque;
	struct hv_testdev *d = c->dev;
	unsigned st;

	(void)from, (void)from_vp, (void)flag;
	if (!c->used)
		return HV_STATUS_INVALID_CONNECTION_ID;
	st = d->hv.signal_event(d->p, c->vp, c->sint, c->id);
	if (st == HV_STATUS_SUCCESS)
		d->st.events++;
	else
		d->st.refused++;
	return st;
}

/* ---- routes -------------------------------------------------------------- */

static bool target_ok(const struct hv_testdev *d, const struct cmd *c)
{
	return c->sint < HV_SYNIC_SINT_COUNT && c->vp < d->hv.nr_vps(d->p);
}

static struct route *route_find(struct hv_testdev *d, const struct cmd *c)
{
	for (unsigned i = 0; i < HV_TESTDEV_MAX_ROUTES; i++) {
		struct route *r = &d->route[i];
		if (r->used && r->vp == c->vp && r->sint == c->sint)
			return r;
	}
	return NULL;
}

static bool route_create(struct hv_testdev *d, const struct cmd *c)
{
	if (!target_ok(d, c) || route_find(d, c))
		return false;
	for (unsigned i = 0; i < HV_TESTDEV_MAX_ROUTES; i++) {
		struct route *r = &d->route[i];
		if (!r->used) {
			*r = (struct route){true, c->vp, c->sint};
			d->st.routes++;
			return true;
		}
	}
	return false; /* full */
}

static bool route_destroy(struct hv_testdev *d, const struct cmd *c)
{
	struct route *r = route_find(d, c);

	if (!r)
		return false;
	r->used = false;
	d->st.routes--;
	return true;
}

static bool route_set_sint(struct hv_testdev *d, const struct cmd *c)
{
	if (!route_find(d, c))
		return false;
	if (d->hv.assert_sint(d->p, c->vp, c->sint) != HV_STATUS_SUCCESS) {
		d->st.refused++;
		return false;
	}
	d->st.asserts++;
	return true;
}

/* ---- connections -----------------------------------------------------------
 */

static struct conn *conn_find(struct conn *tab, uint8_t id)
{
	for (unsigned i = 0; i < HV_TESTDEV_MAX_CONNS; i++)
		if (tab[i].used && tab[i].id == id)
			return &tab[i];
	return NULL;
}

static struct conn *conn_free_slot(struct conn *tab)
{
	for (unsigned i = 0; i < HV_TESTDEV_MAX_CONNS; i++)
		if (!tab[i].used)
			return &tab[i];
	return NULL;
}

/* Both kinds share the partition's connection ids (hv/port.c). */
static bool conn_create(struct hv_testdev *d, const struct cmd *c, bool msg)
{
	struct conn *slot = conn_free_slot(msg ? d->msg : d->evt);
	unsigned st;

	if (!target_ok(d, c) || !slot || conn_find(d->msg, c->conn) ||
	    conn_find(d->evt, c->conn))
		return false;
	*slot = (struct conn){false, c->conn, c->vp, c->sint, d};
	st = msg ? d->hv.connect_msg(d->p, c->conn, echo_message, slot,
				     HV_TESTDEV_MSG_COST)
		 : d->hv.connect_event(d->p, c->conn, echo_event, slot,
				       HV_TESTDEV_EVT_COST);
	if (st != HV_STATUS_SUCCESS)
		return false; /* the id is taken by someone else */
	slot->used = true;
	if (msg)
		d->st.msg_conns++;
	else
		d->st.evt_conns++;
	return true;
}

static void conn_drop(struct hv_testdev *d, struct conn *c, bool msg)
{
	d->hv.disconnect(d->p, c->id);
	c->used = false;
	if (msg)
		d->st.msg_conns--;
	else
		d->st.evt_conns--;
}

static bool conn_destroy(struct hv_testdev *d, const struct cmd *c, bool msg)
{
	struct conn *found = conn_find(msg ? d->msg : d->evt, c->conn);

	if (!found)
		return false;
	conn_drop(d, found, msg);
	return true;
}

static bool msg_create(struct hv_testdev *d, const struct cmd *c)
{
	return conn_create(d, c, true);
}

static bool msg_destroy(struct hv_testdev *d, const struct cmd *c)
{
	return conn_destroy(d, c, true);
}

static bool evt_create(struct hv_testdev *d, const struct cmd *c)
{
	return conn_create(d, c, false);
}

static bool evt_destroy(struct hv_testdev *d, const struct cmd *c)
{
	return conn_destroy(d, c, false);
}

/* ---- the port
 * ------------------------------------------------------------------ */

/* Indexed by the command byte; a gap or a byte past the end is unknown. */
static bool (*const cmd_table[])(struct hv_testdev *, const struct cmd *) = {
    [HV_TESTDEV_SINT_ROUTE_CREATE] = route_create,
    [HV_TESTDEV_SINT_ROUTE_DESTROY] = route_destroy,
    [HV_TESTDEV_SINT_ROUTE_SET_SINT] = route_set_sint,
    [HV_TESTDEV_MSG_CONN_CREATE] = msg_create,
    [HV_TESTDEV_MSG_CONN_DESTROY] = msg_destroy,
    [HV_TESTDEV_EVT_CONN_CREATE] = evt_create,
    [HV_TESTDEV_EVT_CONN_DESTROY] = evt_destroy,
};
#define NR_CMDS (sizeof(cmd_table) / sizeof(cmd_table[0]))

static enum io_status port_write(void *opaque, uint64_t off, int size,
				 uint64_t val, cycles_t *lat)
{
	struct hv_testdev *d = opaque;
	struct cmd c = {.sint = (uint8_t)val,
			.vp = (uint8_t)(val >> 8),
			.op = (uint8_t)(val >> 16),
			.conn = (uint8_t)(val >> 24)};

	(void)lat; /* the forwarded intercept is charged by hv/ */
	if (off != 0 || size != PORT_LEN) {
		d->st.bad_accesses++;
		return IO_BAD_SIZE;
	}
	d->st.commands++;
	if (c.op >= NR_CMDS || !cmd_table[c.op] || !cmd_table[c.op](d, &c))
		d->st.errors++;
	return IO_OK;
}

static enum io_status port_read(void *opaque, uint64_t off, int size,
				uint64_t *val, cycles_t *lat)
{
	struct hv_testdev *d = opaque;

	(void)lat;
	if (off != 0 || size != PORT_LEN) {
		d->st.bad_accesses++;
		*val = ~0ull;
		return IO_BAD_SIZE;
	}
	*val = 0;
	return IO_OK;
}

/* Forget every route and connection (device reset, destroy). */
static void testdev_reset(void *opaque)
{
	struct hv_testdev *d = opaque;

	for (unsigned i = 0; i < HV_TESTDEV_MAX_CONNS; i++) {
		if (d->msg[i].used)
			conn_drop(d, &d->msg[i], true);
		if (d->evt[i].used)
			conn_drop(d, &d->evt[i], false);
	}
	for (unsigned i = 0; i < HV_TESTDEV_MAX_ROUTES; i++)
		d->route[i].used = false;
	d->st.routes = 0;
}

static const struct dev_ops hv_testdev_ops = {
    .name = "hyperv-testdev",
    .read = port_read,
    .write = port_write,
    .reset = testdev_reset,
};

struct hv_testdev *hv_testdev_attach_with(struct iobus *bus, struct hv_part *p,
					  const struct hv_testdev_hv *hv)
{
	struct hv_testdev *d;

	if (!bus || !p || !hv)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->p = p;
	d->hv = *hv;
	if (iobus_map(bus, HV_TESTDEV_PORT, PORT_LEN, &hv_testdev_ops, d) < 0) {
		free(d);
		return NULL;
	}
	return d;
}

struct hv_testdev *hv_testdev_attach(struct iobus *bus, struct hv_part *p)
{
	return hv_testdev_attach_with(bus, p, &hv_calls);
}

void hv_testdev_destroy(struct hv_testdev *d)
{
	if (!d)
		return;
	testdev_reset(d);
	free(d);
}

const struct hv_testdev_stats *hv_testdev_stats(const struct hv_testdev *d)
{
	return &d->st;
}
