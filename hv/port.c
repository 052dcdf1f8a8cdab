/*
 * hv/port.c — PLACEHOLDER while ports and connections are written (see
 * hv/port.h and hv/hv.h): every connection id is unknown.
 */
#include <stdlib.h>

#include "hv/hvdefs.h"
#include "hv/hv_int.h"
#include "hv/port.h"

struct hv_ports {
	int unused;
};

struct hv_ports *hv_ports_create(void) { return calloc(1, sizeof(struct hv_ports)); }
void hv_ports_destroy(struct hv_ports *t) { free(t); }
void hv_ports_forget_part(struct hv *hv, struct hv_part *p) { (void)hv, (void)p; }
unsigned hv_port_post(struct hv_part *from, unsigned vp, uint32_t conn_id,
		      uint32_t type, const void *payload, unsigned size)
{
	(void)from, (void)vp, (void)conn_id, (void)type, (void)payload, (void)size;
	return HV_STATUS_INVALID_CONNECTION_ID;
}
unsigned hv_port_signal(struct hv_part *from, unsigned vp, uint32_t conn_id,
			unsigned flag)
{
	(void)from, (void)vp, (void)conn_id, (void)flag;
	return HV_STATUS_INVALID_CONNECTION_ID;
}
unsigned hv_connect_msg_to_vp(struct hv_part *from, uint32_t conn_id,
			      struct hv_part *to, unsigned vp, unsigned sint)
{
	(void)from, (void)conn_id, (void)to, (void)vp, (void)sint;
	return HV_STATUS_INSUFFICIENT_MEMORY;
}
unsigned hv_connect_event_to_vp(struct hv_part *from, uint32_t conn_id,
				struct hv_part *to, unsigned vp, unsigned sint,
				unsigned base_flag)
{
	(void)from, (void)conn_id, (void)to, (void)vp, (void)sint, (void)base_flag;
	return HV_STATUS_INSUFFICIENT_MEMORY;
}
unsigned hv_connect_msg_to_host(struct hv_part *from, uint32_t conn_id,
				hv_msg_handler *fn, void *opaque, cycles_t cost)
{
	(void)from, (void)conn_id, (void)fn, (void)opaque, (void)cost;
	return HV_STATUS_INSUFFICIENT_MEMORY;
}
unsigned hv_connect_event_to_host(struct hv_part *from, uint32_t conn_id,
				  hv_event_handler *fn, void *opaque,
				  cycles_t cost)
{
	(void)from, (void)conn_id, (void)fn, (void)opaque, (void)cost;
	return HV_STATUS_INSUFFICIENT_MEMORY;
}
unsigned hv_disconnect(struct hv_part *from, uint32_t conn_id)
{
	(void)from, (void)conn_id;
	return HV_STATUS_INVALID_CONNECTION_ID;
}
unsigned hv_post_message(struct hv_part *to, unsigned vp, unsigned sint,
			 uint32_t type, const void *payload, unsigned size)
{
	(void)to, (void)vp, (void)sint, (void)type, (void)payload, (void)size;
	return HV_STATUS_INVALID_SYNIC_STATE;
}
unsigned hv_signal_event(struct hv_part *to, unsigned vp, unsigned sint,
			 unsigned flag)
{
	(void)to, (void)vp, (void)sint, (void)flag;
	return HV_STATUS_INVALID_SYNIC_STATE;
}
unsigned hv_assert_sint(struct hv_part *to, unsigned vp, unsigned sint)
{
	(void)to, (void)vp, (void)sint;
	return HV_STATUS_INVALID_SYNIC_STATE;
}
