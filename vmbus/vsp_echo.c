/*
 * vmbus/vsp_echo.c — a tiny test VSP (vmbus/vsp.h): every in-band packet
 * the guest sends is answered with a completion packet carrying the same
 * trans_id and the same payload bytes. Other packet types are counted
 * and dropped. If the host→guest ring is full, the echo is dropped and
 * counted (a test VSP: it keeps no backlog, so a guest that never drains
 * cannot make the parent hold memory).
 *
 * Interface GUID: hvsim's own, 2c9a1b3e-5f0d-4d6a-9e7b-1f2a3b4c5d6e (no
 * Linux driver binds it); instance 0a0b0c0d-0e0f-1001-1112-131415161718. Used
 * by partitions/vm_worker.c (with testdev), the server's tests and the guest
 * library's vmbus_hello guest.
 */
#include <stdlib.h>

#include "vmbus/vsp.h"

/* 2c9a1b3e-5f0d-4d6a-9e7b-1f2a3b4c5d6e in wire order (§6.1). */
const uint8_t vsp_echo_if_type[16] = {0x3e, 0x1b, 0x9a, 0x2c, 0x0d, 0x5f,
				      0x6a, 0x4d, 0x9e, 0x7b, 0x1f, 0x2a,
				      0x3b, 0x4c, 0x5d, 0x6e};
static const uint8_t echo_instance[16] = {0x0d, 0x0c, 0x0b, 0x0a, 0x0f, 0x0e,
					  0x01, 0x10, 0x11, 0x12, 0x13, 0x14,
					  0x15, 0x16, 0x17, 0x18};

struct vsp_echo {
	struct vsp_desc desc;
	struct vsp_echo_stats st;
};

static uint32_t echo_open(void *opaque, struct vmbus_channel *ch, cycles_t now)
{
	struct vsp_echo *e = opaque;

	(void)ch, (void)now;
	e->st.opens++;
	return 0;
}

static void echo_packet(void *opaque, struct vmbus_channel *ch,
			const struct vsp_packet *p, cycles_t now)
{
	struct vsp_echo *e = opaque;
	int rc;

	e->st.packets++;
	if (p->type != VSP_PKT_DATA_INBAND) {
		e->st.dropped++;
		return;
	}
	rc = vsp_send_completion(ch, p->trans_id, vsp_payload(p),
				 vsp_payload_len(p), now);
	if (rc == VSP_OK)
		e->st.echoed++;
	else if (rc == VSP_FULL)
		e->st.full++;
	else
		e->st.dropped++;
}

static void echo_close(void *opaque, struct vmbus_channel *ch)
{
	struct vsp_echo *e = opaque;

	(void)ch;
	e->st.closes++;
}

static const struct vsp_ops echo_ops = {
    .on_open = echo_open,
    .on_packet = echo_packet,
    .on_close = echo_close,
};

struct vsp_echo *vsp_echo_create(void)
{
	struct vsp_echo *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->desc.name = "echo";
	for (unsigned i = 0; i < 16; i++) {
		e->desc.if_type[i] = vsp_echo_if_type[i];
		e->desc.if_instance[i] = echo_instance[i];
	}
	e->desc.ops = &echo_ops;
	e->desc.opaque = e;
	return e;
}

void vsp_echo_destroy(struct vsp_echo *e)
{
	free(e);
}

const struct vsp_desc *vsp_echo_desc(struct vsp_echo *e)
{
	return &e->desc;
}

const struct vsp_echo_stats *vsp_echo_stats(const struct vsp_echo *e)
{
	return &e->st;
}
