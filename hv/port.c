/*
 * hv/port.c — ports and connections: where HvPostMessage and
 * HvSignalEvent go (Hyper-V TLFS "Inter-Partition Communication",
 * HvCallPostMessage, HvCallSignalEvent, HvConnectPort/HvDisconnectPort;
 * ../shared/reference/vmbus.md §2.6, §2.7, §4.1).
 *
 * The model joins a connection and its port in one record: connection id
 * (per sending partition) → target. Four kinds of target:
 *   - a message port on a vCPU's SynIC: synic_post_message on its SINT;
 *   - an event port on a vCPU's SynIC: flag base_flag + the caller's flag
 *     in its SINT's SIEFP area (the port's flag count is what is left of
 *     the 2048 flags after base_flag);
 *   - a message or event port of a host handler (the parent's services):
 *     the call is queued as parent work (hv_submit_work), at the handler's
 *     cost, in ring 0 (VMBus server and VSPs are kernel-mode), not before
 *     the sending vCPU's now.
 * A host message port holds at most HV_PORT_QUEUE_MAX messages not yet
 * handled (TLFS: 16 message buffers per port): INSUFFICIENT_BUFFERS past
 * that. Events to a host port coalesce, as SIEF flags do: a flag already
 * queued is not queued again.
 *
 * Statuses we chose where the TLFS leaves room: connecting an id the
 * partition already uses → OBJECT_IN_USE; the table full →
 * INSUFFICIENT_MEMORY; an id with bits above 23 → INVALID_CONNECTION_ID.
 * Disconnecting leaves messages already queued to be handled (TLFS
 * HvDisconnectPort); forgetting a partition (reset) drops them.
 *
 * A host event port may have an observer (hv_observe_event, for traces):
 * told of each signal at the caller's clock and of each delivery when a
 * parent vCPU starts the handler's item; it changes nothing and goes with
 * the connection.
 *
 * The table is a sorted array of (partition id, connection id) keys,
 * searched by bisection: 12 probes at the 4096-connection bound, on the
 * hot HvSignalEvent path. Called by hypercall.c (guest calls), the parent's
 * services (hv_connect_*, hv_post_message ...) and hv.c (create, reset).
 */
#include <stdlib.h>
#include <string.h>

#include "hv/hv_int.h"
#include "hv/hvdefs.h"
#include "hv/port.h"
#include "hv/synic.h"

/* Connections in one hypervisor, all partitions together. */
#define HV_PORT_CONN_MAX    4096
/* Connection ids are 24 bits (TLFS HV_CONNECTION_ID). */
#define HV_PORT_CONN_ID_MAX 0xFFFFFFu

enum port_kind { PORT_MSG_VP, PORT_EVENT_VP, PORT_MSG_HOST, PORT_EVENT_HOST };

struct port_conn {
	uint64_t key;
	enum port_kind kind;
	struct hv_ports *t;
	struct hv_part *from, *to; /* to: NULL for host ports */
	unsigned vp, sint, base_flag;
	hv_msg_handler *msg_fn;
	hv_event_handler *event_fn;
	void *opaque;
	/* Host event ports: an observer (hv_observe_event), or NULL. */
	hv_event_observer *obs_fn;
	void *obs_opaque;
	cycles_t cost;
	/* Host ports: work items queued, not yet run, and for events the
	 * flag of each. */
	unsigned in_flight;
	unsigned flags[HV_PORT_QUEUE_MAX];
	bool live;    /* in the table */
	bool busy;    /* its handler is running */
	bool dropped; /* the partition was forgotten: run no handler */
	struct port_conn *next_zombie;
};

struct hv_ports {
	unsigned n;
	/* Sorted by key; the keys apart, so the search reads one array. */
	uint64_t key[HV_PORT_CONN_MAX];
	struct port_conn *conn[HV_PORT_CONN_MAX];
	/* Removed connections that still have work queued. */
	struct port_conn *zombies;
};

/* What a host message port's work item carries. */
struct port_msg_hdr {
	unsigned from_vp;
	uint32_t type;
	unsigned size;
};

struct port_event_item {
	unsigned from_vp;
	unsigned flag;
};

struct hv_ports *hv_ports_create(void)
{
	return calloc(1, sizeof(struct hv_ports));
}

void hv_ports_destroy(struct hv_ports *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->n; i++)
		free(t->conn[i]);
	while (t->zombies) {
		struct port_conn *z = t->zombies;

		t->zombies = z->next_zombie;
		free(z);
	}
	free(t);
}

static uint64_t port_key(const struct hv_part *from, uint32_t conn_id)
{
	return (uint64_t)from->id << 24 | conn_id;
}

/* Index of the first connection whose key is >= key. The halving has no
 * branch on the comparison (it compiles to a conditional move): with keys
 * the branch predictor cannot guess, this is several times faster than
 * the textbook loop on the HvSignalEvent path. */
static unsigned port_bisect(const struct hv_ports *t, uint64_t key)
{
	unsigned base = 0, n = t->n;

	if (n == 0)
		return 0;
	while (n > 1) {
		unsigned half = n / 2;

		base = t->key[base + half] < key ? base + half : base;
		n -= half;
	}
	return base + (t->key[base] < key);
}

static struct port_conn *port_find(const struct hv_part *from, uint32_t conn_id)
{
	const struct hv_ports *t = from->hv->ports;
	uint64_t key;
	unsigned i;

	if (conn_id > HV_PORT_CONN_ID_MAX)
		return NULL;
	key = port_key(from, conn_id);
	i = port_bisect(t, key);
	return i < t->n && t->key[i] == key ? t->conn[i] : NULL;
}

/* Free a connection out of the table, or keep it as a zombie while work
 * or its handler still refers to it. */
static void port_release(struct port_conn *c)
{
	struct hv_ports *t = c->t;

	c->live = false;
	c->obs_fn = NULL; /* observers go with the connection */
	if (c->in_flight || c->busy) {
		c->next_zombie = t->zombies;
		t->zombies = c;
		return;
	}
	free(c);
}

/* A zombie whose last work item ran. */
static void port_reap(struct port_conn *c)
{
	struct port_conn **pp = &c->t->zombies;

	if (c->live || c->in_flight || c->busy)
		return;
	while (*pp && *pp != c)
		pp = &(*pp)->next_zombie;
	if (*pp)
		*pp = c->next_zombie;
	free(c);
}

static void port_remove_at(struct hv_ports *t, unsigned i)
{
	struct port_conn *c = t->conn[i];

	memmove(&t->conn[i], &t->conn[i + 1],
		(t->n - i - 1) * sizeof(t->conn[0]));
	memmove(&t->key[i], &t->key[i + 1], (t->n - i - 1) * sizeof(t->key[0]));
	t->n--;
	port_release(c);
}

/* Put a filled-in connection in the table. */
static unsigned port_add(struct hv_part *from, uint32_t conn_id,
			 const struct port_conn *proto)
{
	struct hv_ports *t = from->hv->ports;
	struct port_conn *c;
	uint64_t key;
	unsigned i;

	if (conn_id > HV_PORT_CONN_ID_MAX)
		return HV_STATUS_INVALID_CONNECTION_ID;
	key = port_key(from, conn_id);
	i = port_bisect(t, key);
	if (i < t->n && t->key[i] == key)
		return HV_STATUS_OBJECT_IN_USE;
	if (t->n == HV_PORT_CONN_MAX || !(c = malloc(sizeof(*c))))
		return HV_STATUS_INSUFFICIENT_MEMORY;
	*c = *proto;
	c->key = key;
	c->t = t;
	c->from = from;
	c->live = true;
	memmove(&t->conn[i + 1], &t->conn[i], (t->n - i) * sizeof(t->conn[0]));
	memmove(&t->key[i + 1], &t->key[i], (t->n - i) * sizeof(t->key[0]));
	t->conn[i] = c;
	t->key[i] = key;
	t->n++;
	return HV_STATUS_SUCCESS;
}

/* ---- connecting ---------------------------------------------------------- */

static unsigned port_check_vp_target(const struct hv_part *from,
				     const struct hv_part *to, unsigned vp,
				     unsigned sint)
{
	if (!to || to->hv != from->hv)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (vp >= to->nr_vps)
		return HV_STATUS_INVALID_VP_INDEX;
	if (sint >= HV_SYNIC_SINT_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

unsigned hv_connect_msg_to_vp(struct hv_part *from, uint32_t conn_id,
			      struct hv_part *to, unsigned vp, unsigned sint)
{
	struct port_conn c = {
	    .kind = PORT_MSG_VP, .to = to, .vp = vp, .sint = sint};
	unsigned st = port_check_vp_target(from, to, vp, sint);

	return st ? st : port_add(from, conn_id, &c);
}

unsigned hv_connect_event_to_vp(struct hv_part *from, uint32_t conn_id,
				struct hv_part *to, unsigned vp, unsigned sint,
				unsigned base_flag)
{
	struct port_conn c = {.kind = PORT_EVENT_VP,
			      .to = to,
			      .vp = vp,
			      .sint = sint,
			      .base_flag = base_flag};
	unsigned st = port_check_vp_target(from, to, vp, sint);

	if (!st && base_flag >= HV_EVENT_FLAGS_PER_SINT)
		st = HV_STATUS_INVALID_PARAMETER;
	return st ? st : port_add(from, conn_id, &c);
}

unsigned hv_connect_msg_to_host(struct hv_part *from, uint32_t conn_id,
				hv_msg_handler *fn, void *opaque, cycles_t cost)
{
	struct port_conn c = {.kind = PORT_MSG_HOST,
			      .msg_fn = fn,
			      .opaque = opaque,
			      .cost = cost};

	return fn ? port_add(from, conn_id, &c) : HV_STATUS_INVALID_PARAMETER;
}

unsigned hv_connect_event_to_host(struct hv_part *from, uint32_t conn_id,
				  hv_event_handler *fn, void *opaque,
				  cycles_t cost)
{
	struct port_conn c = {.kind = PORT_EVENT_HOST,
			      .event_fn = fn,
			      .opaque = opaque,
			      .cost = cost};

	return fn ? port_add(from, conn_id, &c) : HV_STATUS_INVALID_PARAMETER;
}

unsigned hv_observe_event(struct hv_part *from, uint32_t conn_id,
			  hv_event_observer *fn, void *opaque)
{
	struct port_conn *c = port_find(from, conn_id);

	if (!c)
		return HV_STATUS_INVALID_CONNECTION_ID;
	if (c->kind != PORT_EVENT_HOST)
		return HV_STATUS_INVALID_PORT_ID;
	c->obs_fn = fn;
	c->obs_opaque = fn ? opaque : NULL;
	return HV_STATUS_SUCCESS;
}

unsigned hv_disconnect(struct hv_part *from, uint32_t conn_id)
{
	struct hv_ports *t = from->hv->ports;
	struct port_conn *c = port_find(from, conn_id);

	if (!c)
		return HV_STATUS_INVALID_CONNECTION_ID;
	port_remove_at(t, port_bisect(t, c->key));
	return HV_STATUS_SUCCESS;
}

void hv_ports_forget_part(struct hv *hv, struct hv_part *p)
{
	struct hv_ports *t = hv->ports;
	unsigned i = 0;

	while (i < t->n) {
		struct port_conn *c = t->conn[i];

		if (c->from == p || c->to == p) {
			c->dropped = true;
			port_remove_at(t, i);
		} else {
			i++;
		}
	}
	for (struct port_conn *z = t->zombies; z; z = z->next_zombie)
		if (z->from == p || z->to == p)
			z->dropped = true;
}

/* ---- delivery into a SynIC ----------------------------------------------- */

/* The target vCPU's SynIC, or a status saying why there is none. */
static unsigned port_synic(struct hv_part *to, unsigned vp, unsigned sint,
			   struct synic **s)
{
	if (!to || vp >= to->nr_vps)
		return HV_STATUS_INVALID_VP_INDEX;
	if (sint >= HV_SYNIC_SINT_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	*s = to->vp[vp].synic;
	return *s ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_SYNIC_STATE;
}

unsigned hv_post_message(struct hv_part *to, unsigned vp, unsigned sint,
			 uint32_t type, const void *payload, unsigned size)
{
	struct synic *s;
	unsigned st = port_synic(to, vp, sint, &s);

	if (st)
		return st;
	if (size > HV_MESSAGE_PAYLOAD_MAX || (size && !payload))
		return HV_STATUS_INVALID_PARAMETER;
	return synic_post_message(s, sint, type, payload, size);
}

unsigned hv_signal_event(struct hv_part *to, unsigned vp, unsigned sint,
			 unsigned flag)
{
	struct synic *s;
	unsigned st = port_synic(to, vp, sint, &s);

	if (st)
		return st;
	if (flag >= HV_EVENT_FLAGS_PER_SINT)
		return HV_STATUS_INVALID_PARAMETER;
	return synic_signal_event(s, sint, flag);
}

unsigned hv_assert_sint(struct hv_part *to, unsigned vp, unsigned sint)
{
	struct synic *s;
	unsigned st = port_synic(to, vp, sint, &s);

	return st ? st : synic_assert_sint(s, sint);
}

/* ---- delivery to a host handler ------------------------------------------ */

static void port_msg_work(void *opaque, const void *data, size_t len,
			  cycles_t now)
{
	struct port_conn *c = opaque;
	struct port_msg_hdr h;

	(void)now;
	memcpy(&h, data, sizeof(h));
	c->in_flight--;
	if (!c->dropped && len >= sizeof(h) + h.size) {
		c->busy = true;
		c->msg_fn(c->opaque, c->from, h.from_vp, h.type,
			  (const uint8_t *)data + sizeof(h), h.size);
		c->busy = false;
	}
	port_reap(c);
}

/* Forget flag i of the queued events (it ran, or was never queued). */
static void port_unqueue_flag(struct port_conn *c, unsigned flag)
{
	for (unsigned i = 0; i < c->in_flight; i++) {
		if (c->flags[i] == flag) {
			c->flags[i] = c->flags[--c->in_flight];
			return;
		}
	}
}

/* Tell the observer a parent vCPU took the event (the item runs on it). */
static void port_observe_deliver(struct port_conn *c, cycles_t now)
{
	struct hv_obs o = {.step = HV_OBS_DELIVER, .now = now};
	struct hv_part *p;
	unsigned vp, pcpu;

	if (hv_current_vp(c->from->hv, &p, &vp, &pcpu)) {
		o.pcpu = pcpu;
		if (p == c->from->hv->parent)
			o.vp = vp;
	}
	c->obs_fn(c->obs_opaque, &o);
}

static void port_event_work(void *opaque, const void *data, size_t len,
			    cycles_t now)
{
	struct port_conn *c = opaque;
	struct port_event_item e;

	(void)len;
	memcpy(&e, data, sizeof(e));
	port_unqueue_flag(c, e.flag);
	if (!c->dropped && c->obs_fn)
		port_observe_deliver(c, now);
	if (!c->dropped) {
		c->busy = true;
		c->event_fn(c->opaque, c->from, e.from_vp, e.flag);
		c->busy = false;
	}
	port_reap(c);
}

static unsigned port_post_host(struct port_conn *c, unsigned vp, uint32_t type,
			       const void *payload, unsigned size)
{
	_Alignas(8)
	    uint8_t buf[sizeof(struct port_msg_hdr) + HV_MESSAGE_PAYLOAD_MAX];
	struct port_msg_hdr h = {.from_vp = vp, .type = type, .size = size};
	struct hv *hv = c->from->hv;

	if (c->in_flight >= HV_PORT_QUEUE_MAX)
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	memcpy(buf, &h, sizeof(h));
	if (size)
		memcpy(buf + sizeof(h), payload, size);
	c->in_flight++;
	if (hv_submit_work(hv, port_msg_work, c, buf, sizeof(h) + size, c->cost,
			   0, hv_vp_now(&c->from->vp[vp]))) {
		c->in_flight--;
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	return HV_STATUS_SUCCESS;
}

static unsigned port_signal_host(struct port_conn *c, unsigned vp,
				 unsigned flag)
{
	struct port_event_item e = {.from_vp = vp, .flag = flag};
	struct hv *hv = c->from->hv;

	if (c->obs_fn) {
		struct hv_obs o = {.step = HV_OBS_SIGNAL,
				   .vp = vp,
				   .now = hv_vp_now(&c->from->vp[vp])};
		hv_current_vp(hv, NULL, NULL, &o.pcpu);
		c->obs_fn(c->obs_opaque, &o);
	}
	for (unsigned i = 0; i < c->in_flight; i++)
		if (c->flags[i] == flag)
			return HV_STATUS_SUCCESS; /* already signalled */
	if (c->in_flight >= HV_PORT_QUEUE_MAX)
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	c->flags[c->in_flight++] = flag;
	if (hv_submit_work(hv, port_event_work, c, &e, sizeof(e), c->cost, 0,
			   hv_vp_now(&c->from->vp[vp]))) {
		port_unqueue_flag(c, flag);
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	return HV_STATUS_SUCCESS;
}

/* ---- the hypercalls' side ------------------------------------------------ */

unsigned hv_port_post(struct hv_part *from, unsigned vp, uint32_t conn_id,
		      uint32_t type, const void *payload, unsigned size)
{
	struct port_conn *c;

	if (vp >= from->nr_vps)
		return HV_STATUS_INVALID_VP_INDEX;
	if (size > HV_MESSAGE_PAYLOAD_MAX)
		return HV_STATUS_INVALID_PARAMETER;
	if (!(c = port_find(from, conn_id)))
		return HV_STATUS_INVALID_CONNECTION_ID;
	if (c->kind == PORT_MSG_HOST)
		return port_post_host(c, vp, type, payload, size);
	if (c->kind != PORT_MSG_VP)
		return HV_STATUS_INVALID_PORT_ID; /* not a message port */
	return hv_post_message(c->to, c->vp, c->sint, type, payload, size);
}

unsigned hv_port_signal(struct hv_part *from, unsigned vp, uint32_t conn_id,
			unsigned flag)
{
	struct port_conn *c;

	if (vp >= from->nr_vps)
		return HV_STATUS_INVALID_VP_INDEX;
	if (!(c = port_find(from, conn_id)))
		return HV_STATUS_INVALID_CONNECTION_ID;
	if (c->kind == PORT_EVENT_HOST)
		return flag < HV_EVENT_FLAGS_PER_SINT
			   ? port_signal_host(c, vp, flag)
			   : HV_STATUS_INVALID_PARAMETER;
	if (c->kind != PORT_EVENT_VP)
		return HV_STATUS_INVALID_PORT_ID; /* not an event port */
	/* The port's flag count: the flags from base_flag to the end. */
	if (flag >= HV_EVENT_FLAGS_PER_SINT - c->base_flag)
		return HV_STATUS_INVALID_PARAMETER;
	return hv_signal_event(c->to, c->vp, c->sint, c->base_flag + flag);
}
