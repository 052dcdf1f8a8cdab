/*
 * partitions/hv_testdev.h — QEMU's hyperv-testdev at I/O port 0x3000: a
 * guest writes commands that create and destroy SINT routes, assert a
 * SINT, and create and destroy message connections (which echo each
 * posted message back through a SINT route) and event connections
 * (which assert a SINT route when signalled). Emulated by the VM Worker
 * of the partition; it reaches the hypervisor through hv/hv.h's ports
 * and SynIC calls.
 *
 * A command is one 4-byte OUT to port 0x3000 (QEMU's encoding, used by
 * kvm-unit-tests' hyperv_synic / hyperv_connections / hyperv_stimer):
 *
 *    31      24 23      16 15       8 7        0
 *   +----------+----------+----------+----------+
 *   | conn id  | command  | VP index |   SINT   |
 *   +----------+----------+----------+----------+
 */
#ifndef HVSIM_PARTITIONS_HV_TESTDEV_H_
#define HVSIM_PARTITIONS_HV_TESTDEV_H_

#include "devices/dev.h"
#include "hv/hv.h"

#define HV_TESTDEV_PORT 0x3000

/* The command byte (bits 16..23). */
enum hv_testdev_cmd {
	HV_TESTDEV_SINT_ROUTE_CREATE = 1,
	HV_TESTDEV_SINT_ROUTE_DESTROY = 2,
	HV_TESTDEV_SINT_ROUTE_SET_SINT = 3, /* assert the route's SINT */
	HV_TESTDEV_MSG_CONN_CREATE = 4,
	HV_TESTDEV_MSG_CONN_DESTROY = 5, /* by conn id only */
	HV_TESTDEV_EVT_CONN_CREATE = 6,
	HV_TESTDEV_EVT_CONN_DESTROY = 7, /* by conn id only */
};

#define HV_TESTDEV_CMD(cmd, vp, sint, conn)                                    \
	((((uint32_t)(conn)&0xFF) << 24) | (((uint32_t)(cmd)&0xFF) << 16) |    \
	 (((uint32_t)(vp)&0xFF) << 8) | ((uint32_t)(sint)&0xFF))

/* Bounds on what a guest can make the device hold. */
#define HV_TESTDEV_MAX_ROUTES 64
#define HV_TESTDEV_MAX_CONNS  64 /* of each kind */

/* Work the parent does per echoed message / signalled event (hv_work). */
#define HV_TESTDEV_MSG_COST 2000
#define HV_TESTDEV_EVT_COST 1000

struct hv_testdev;

/* Register the port on `bus` for partition `p`. NULL on failure. */
struct hv_testdev *hv_testdev_attach(struct iobus *bus, struct hv_part *p);
/* Disconnects every connection the guest made, then frees. The bus
 * cannot unmap: destroy the device only once the bus is no longer used.
 * hv/port.c still hands messages queued before a disconnect to their
 * handler, so between this and the partition's destruction or reset
 * (which drops them: hv_ports_forget_part) no parent work may run. */
void hv_testdev_destroy(struct hv_testdev *d);

/* The hypervisor calls the device makes: hv/hv.h's by default
 * (hv_testdev_attach). Tests pass their own to watch the device. */
struct hv_testdev_hv {
	unsigned (*nr_vps)(const struct hv_part *p);
	unsigned (*connect_msg)(struct hv_part *from, uint32_t conn_id,
				hv_msg_handler *fn, void *opaque,
				cycles_t cost);
	unsigned (*connect_event)(struct hv_part *from, uint32_t conn_id,
				  hv_event_handler *fn, void *opaque,
				  cycles_t cost);
	unsigned (*disconnect)(struct hv_part *from, uint32_t conn_id);
	unsigned (*post_message)(struct hv_part *to, unsigned vp, unsigned sint,
				 uint32_t type, const void *payload,
				 unsigned size);
	unsigned (*signal_event)(struct hv_part *to, unsigned vp, unsigned sint,
				 unsigned flag);
	unsigned (*assert_sint)(struct hv_part *to, unsigned vp, unsigned sint);
};
struct hv_testdev *hv_testdev_attach_with(struct iobus *bus, struct hv_part *p,
					  const struct hv_testdev_hv *hv);

struct hv_testdev_stats {
	uint64_t commands;     /* well-formed 4-byte writes */
	uint64_t errors;       /* commands ignored: bad VP/SINT, unknown route
				  or id, duplicate, full, hypervisor refused */
	uint64_t bad_accesses; /* wrong size or offset */
	unsigned routes, msg_conns, evt_conns; /* held now */
	uint64_t asserts; /* SET_SINT the hypervisor took */
	uint64_t echoes;  /* messages posted back */
	uint64_t events;  /* event flags set */
	uint64_t refused; /* echoes/events/asserts the hypervisor refused */
};
const struct hv_testdev_stats *hv_testdev_stats(const struct hv_testdev *d);

#endif
