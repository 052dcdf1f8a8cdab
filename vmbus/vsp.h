/*
 * vmbus/vsp.h — the VSP framework: how a virtual service provider (a
 * parent-side device back end: the echo test VSP, storvsp, ...) plugs into
 * the VMBus server of one child partition (vmbus/server.h).
 *
 * A VSP declares itself with a `struct vsp_desc` (name, interface and
 * instance GUIDs in wire byte order — vmbus.md §6.1 —, callbacks) and is
 * handed to vmbus_server_add_vsp(). The server then
 *   - offers it in answer to REQUESTOFFERS (one OFFERCHANNEL per VSP),
 *   - on OPENCHANNEL (rings in a completed GPADL) calls on_open, and
 *     answers OPENCHANNEL_RESULT with its status,
 *   - when the guest signals the channel, reads the guest→host ring on a
 *     parent vCPU (hv_submit_work, ring 0, costs in vmbus/server.c's cost
 *     table) and calls on_packet once per packet, in ring order,
 *   - on CLOSECHANNEL, rescind, unload or the server's destruction calls
 *     on_close; after it returns the channel handle must not be used.
 * Every callback runs as parent work with the cycle it runs at (`now`).
 *
 * Packets a VSP sends go into the host→guest ring with the signalling
 * rules of vmbus.md §5.5 (the server signals the guest only when the ring
 * went from empty to non-empty and the guest's interrupt_mask is clear).
 * A send that does not fit returns VSP_FULL; the server asks the guest to
 * tell it when there is room (pending_send_sz) and calls on_writable then.
 *
 * The child is untrusted: everything in a packet view came out of guest
 * memory and must be checked by the VSP; guest memory named in packets
 * (GPA-direct ranges) is reached only through vsp_chan_mem() with
 * physmem_copy_* (bounds-checked to the child's RAM).
 */
#ifndef HVSIM_VMBUS_VSP_H_
#define HVSIM_VMBUS_VSP_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h" /* cycles_t */

struct physmem;
struct vmbus_channel; /* one open channel (owned by the server) */

/* VMBus packet types (vmbus.md §5.3) a VSP sees or sends. */
#define VSP_PKT_DATA_INBAND	0x6
#define VSP_PKT_DATA_XFER_PAGES 0x7
#define VSP_PKT_DATA_GPA_DIRECT 0x9
#define VSP_PKT_COMP		0xB
#define VSP_PKT_FLAG_COMPLETION 0x1 /* completion requested */

/* One packet the guest wrote, copied out of the ring (the guest can no
 * longer change it). `pkt` is the whole packet from its 16-byte
 * descriptor to the end of its padded payload (len8 * 8 bytes, trailer
 * excluded); the payload starts at data_off (offset8 * 8). For a
 * GPA-direct packet the range headers lie in pkt[16 .. data_off). */
struct vsp_packet {
	uint16_t type;	/* VSP_PKT_* */
	uint16_t flags; /* VSP_PKT_FLAG_COMPLETION */
	uint64_t trans_id;
	const uint8_t *pkt;
	uint32_t pkt_len;  /* len8 * 8 */
	uint32_t data_off; /* offset8 * 8, 16 <= data_off <= pkt_len */
};

static inline const uint8_t *vsp_payload(const struct vsp_packet *p)
{
	return p->pkt + p->data_off;
}

static inline uint32_t vsp_payload_len(const struct vsp_packet *p)
{
	return p->pkt_len - p->data_off;
}

struct vsp_ops {
	/* The guest opened the channel. Return 0 to accept it, else the
	 * non-zero OPENCHANNEL_RESULT status the guest gets. */
	uint32_t (*on_open)(void *opaque, struct vmbus_channel *ch,
			    cycles_t now);
	/* One packet from the guest. */
	void (*on_packet)(void *opaque, struct vmbus_channel *ch,
			  const struct vsp_packet *pkt, cycles_t now);
	/* The host→guest ring has room again after a VSP_FULL (optional). */
	void (*on_writable)(void *opaque, struct vmbus_channel *ch,
			    cycles_t now);
	/* The channel is closing; drop every reference to it (optional). */
	void (*on_close)(void *opaque, struct vmbus_channel *ch);
};

struct vsp_desc {
	const char *name;
	uint8_t if_type[16];	 /* interface GUID, wire order (§6.1) */
	uint8_t if_instance[16]; /* instance GUID, wire order */
	uint16_t mmio_megabytes; /* offer field; 0 for most devices */
	/* Largest packet (bytes, descriptor to trailer excluded) the VSP
	 * sends: the guest's bounce buffer limit (§5.6; storvsc: 80).
	 * 0 = 4096. Sends above it are refused. */
	uint32_t max_send;
	const struct vsp_ops *ops;
	void *opaque;
};

/* Send results. */
enum vsp_status {
	VSP_OK = 0,
	VSP_FULL = -1,	  /* no room now: retry from on_writable */
	VSP_TOO_BIG = -2, /* larger than max_send or the ring */
	VSP_CLOSED = -3,  /* the channel is not open (any more) */
	VSP_CORRUPT = -4, /* the guest broke the ring: channel unusable */
};

/* An in-band packet (type 6); completion_requested sets flag bit 0. */
int vsp_send_inband(struct vmbus_channel *ch, uint64_t trans_id,
		    const void *data, uint32_t len, bool completion_requested,
		    cycles_t now);
/* A completion (type 0xB) carrying trans_id of the request it answers. */
int vsp_send_completion(struct vmbus_channel *ch, uint64_t trans_id,
			const void *data, uint32_t len, cycles_t now);

/* Work on the parent's vCPUs for this channel: fn runs at the earliest at
 * not_before, after `cost` ring-0 cycles, unless the channel closed in
 * between (then it is dropped). data (len bytes) is copied. 0 or -1. */
typedef void vsp_work_fn(void *opaque, struct vmbus_channel *ch,
			 const void *data, size_t len, cycles_t now);
int vsp_submit(struct vmbus_channel *ch, vsp_work_fn *fn, void *opaque,
	       const void *data, size_t len, cycles_t cost,
	       cycles_t not_before);

/* The child's guest-physical memory (GPA-direct buffers). */
struct physmem *vsp_chan_mem(struct vmbus_channel *ch);
uint32_t vsp_chan_relid(const struct vmbus_channel *ch);
/* A per-channel pointer for the VSP (NULL until set). */
void vsp_chan_set_ctx(struct vmbus_channel *ch, void *ctx);
void *vsp_chan_ctx(const struct vmbus_channel *ch);

/* The echo VSP (vmbus/vsp_echo.c): every in-band packet is answered with
 * a completion carrying the same trans_id and payload. Its GUIDs are
 * VSP_ECHO_IF_TYPE / VSP_ECHO_IF_INSTANCE (vsp_echo.c). */
extern const uint8_t vsp_echo_if_type[16];
struct vsp_echo_stats {
	uint64_t opens, closes, packets, echoed, full, dropped;
};
struct vsp_echo;
struct vsp_echo *vsp_echo_create(void);
void vsp_echo_destroy(struct vsp_echo *e);
/* The descriptor to give vmbus_server_add_vsp (points into e). */
const struct vsp_desc *vsp_echo_desc(struct vsp_echo *e);
const struct vsp_echo_stats *vsp_echo_stats(const struct vsp_echo *e);

#endif
