/*
 * hv/port.h — the hypervisor's ports and connections (Hyper-V TLFS
 * "Inter-Partition Communication"): a table, per source partition, from
 * connection id to port. A port delivers to a vCPU's SynIC (message slot
 * or event flag) or to a host handler of the parent's services (run as
 * parent work). The public calls are in hv/hv.h (hv_connect_*,
 * hv_post_message, ...); this header is what hypercall.c and hv.c use.
 */
#ifndef HVSIM_HV_PORT_H_
#define HVSIM_HV_PORT_H_

#include <stdint.h>

struct hv;
struct hv_part;
struct hv_ports;

struct hv_ports *hv_ports_create(void);
void hv_ports_destroy(struct hv_ports *t);
/* Drop every connection from or to partition `p` (reset, destroy). */
void hv_ports_forget_part(struct hv *hv, struct hv_part *p);

/* HvPostMessage / HvSignalEvent from vCPU `vp` of `from`, after the
 * hypercall layer checked the input block: HV_STATUS_*. Unknown id:
 * INVALID_CONNECTION_ID; a message on an event connection or the other way
 * round: INVALID_PORT_ID; a flag beyond the port's flags (2048 - base_flag
 * for a vCPU port): INVALID_PARAMETER; a host message port with
 * HV_PORT_QUEUE_MAX messages not yet handled: INSUFFICIENT_BUFFERS; else
 * the SynIC's status (synic.h).
 * Connecting (hv.h): an id the partition already uses gives
 * OBJECT_IN_USE, an id above 24 bits INVALID_CONNECTION_ID, a full table
 * (4096 connections per hypervisor) INSUFFICIENT_MEMORY. */
unsigned hv_port_post(struct hv_part *from, unsigned vp, uint32_t conn_id,
		      uint32_t type, const void *payload, unsigned size);
unsigned hv_port_signal(struct hv_part *from, unsigned vp, uint32_t conn_id,
			unsigned flag);

#endif
