/*
 * examples/runtime/vmbus.c — the guest's VMBus client, connection part:
 * the SynIC set-up, channel-management messages over HvPostMessage and
 * SIMP slot 2, version negotiation, offers, unload (vmbus.h says what;
 * ../shared/reference/vmbus.md §4 is the protocol, §4.5 the order Linux
 * does things in, vmbus-linux61.md the errata). Channels: vmbus_chan.c.
 *
 * Messages arriving in slot 2 are untrusted: sizes are checked against
 * each type's minimum before a field is read.
 */
#include "vmbus_int.h"

#include "idt.h"
#include "io.h"
#include "paging.h"
#include "printf.h"
#include "string.h"

/* Minimum size of each host -> guest message we read (Linux's table,
 * vmbus.md §4.3); 0: we do not accept it from the host. */
static const uint8_t h2g_min_size[MSG_COUNT] = {
    [MSG_OFFERCHANNEL] = 196,	   [MSG_RESCIND_CHANNELOFFER] = 12,
    [MSG_ALLOFFERS_DELIVERED] = 8, [MSG_OPENCHANNEL_RESULT] = 20,
    [MSG_GPADL_CREATED] = 20,	   [MSG_GPADL_TORNDOWN] = 12,
    [MSG_VERSION_RESPONSE] = 16,   [MSG_UNLOAD_RESPONSE] = 8,
};

/* Versions in the order Linux tries them (vmbus.md §4.2). */
static const uint32_t versions[] = {
    0x00050003, 0x00050002, 0x00050001, 0x00050000, 0x00040001, 0x00040000,
};

/* ---- the interrupt --------------------------------------------------------
 * An IDT handler gets no argument, so the one VMBus vector of this one
 * vCPU keeps its two words here. The handler only counts: the waits poll
 * the SIMP and SIEFP themselves. */
static struct {
	volatile unsigned count;
	int eoi; /* 1 when the SINT is not auto-EOI */
} vmbus_irq;

static void vmbus_isr(struct trap_frame *f)
{
	(void)f;
	vmbus_irq.count++;
	if (vmbus_irq.eoi)
		hv_apic_eoi();
}

/* Lets a pending interrupt in, then closes the window again (the JMP
 * ends hvsim's block so the window is seen; hyperv.c says why). */
void vmbus_irq_window(void)
{
	asm volatile("sti; nop; jmp 1f; 1: cli" : : : "memory");
}

int vmbus_timed_out(const struct vmbus_client *c, uint64_t t0)
{
	return rdtsc() - t0 > c->wait_cycles;
}

/* HvPostMessage on the control connection, retried while the host's
 * port queue is full (Linux retries these statuses too). */
int vmbus_post(struct vmbus_client *c, uint32_t conn, const void *msg,
	       uint32_t size, unsigned *status)
{
	uint64_t t0 = rdtsc();
	unsigned st;

	for (;;) {
		st = hv_post_message(conn, HVMSG_VMBUS, msg, size);
		if (st != HV_STATUS_INSUFFICIENT_BUFFERS &&
		    st != HV_STATUS_INSUFFICIENT_MEMORY &&
		    st != HV_STATUS_NO_RESOURCES)
			break;
		if (vmbus_timed_out(c, t0))
			break;
		vmbus_irq_window();
	}
	if (status)
		*status = st;
	return st == HV_STATUS_SUCCESS ? VMBUS_OK : VMBUS_E_HYPERCALL;
}

int vmbus_post_ctl(struct vmbus_client *c, const void *msg, uint32_t size)
{
	return vmbus_post(c, c->msg_conn_id, msg, size, 0);
}

/* Takes the message in slot 2, if any, and frees the slot (EOM when a
 * next one is pending). Returns 1 if it took one that is well formed. */
static int take_msg(struct vmbus_client *c, struct inmsg *m)
{
	volatile struct hv_message *slot = hv_msg_slot(&c->synic, VMBUS_SINT);
	uint32_t type = slot->message_type, size = slot->payload_size;

	if (type == HVMSG_NONE)
		return 0;
	c->msgs_in++;
	if (size > HV_MESSAGE_PAYLOAD_MAX)
		size = HV_MESSAGE_PAYLOAD_MAX;
	memcpy(m->data, (const void *)slot->payload, size);
	memset(m->data + size, 0, sizeof(m->data) - size);
	hv_msg_done(slot);
	m->size = size;
	m->type = 0;
	if (type != HVMSG_VMBUS || size < sizeof(struct msg_hdr))
		goto bad;
	memcpy(&m->type, m->data, 4);
	if (m->type >= MSG_COUNT || !h2g_min_size[m->type] ||
	    size < h2g_min_size[m->type])
		goto bad;
	return 1;
bad:
	c->msgs_dropped++;
	printf("vmbus: dropped a message (SynIC type %#x, vmbus type %u, "
	       "%u bytes)\n",
	       type, m->type, size);
	return 0;
}

static void record_offer(struct vmbus_client *c, const struct inmsg *m)
{
	struct msg_offer o;
	struct vmbus_offer *slot = 0;

	memcpy(&o, m->data, sizeof(o));
	for (unsigned i = 0; i < c->n_offers; i++)
		if (c->offers[i].child_relid == o.child_relid)
			slot = &c->offers[i]; /* a relid offered again */
	if (!slot) {
		if (c->n_offers == VMBUS_MAX_OFFERS) {
			c->msgs_dropped++;
			return;
		}
		slot = &c->offers[c->n_offers++];
	}
	memcpy(slot->if_type, o.if_type, 16);
	memcpy(slot->if_instance, o.if_instance, 16);
	slot->child_relid = o.child_relid;
	slot->connection_id = o.connection_id;
	slot->chn_flags = o.chn_flags;
	slot->sub_channel_index = o.sub_channel_index;
	slot->monitor_id = o.monitorid;
	slot->monitor_allocated = o.monitor_allocated & 1;
	slot->is_dedicated_interrupt = o.is_dedicated_interrupt & 1;
	slot->rescinded = 0;
}

static void record_rescind(struct vmbus_client *c, const struct inmsg *m)
{
	struct msg_relid r;

	memcpy(&r, m->data, sizeof(r));
	for (unsigned i = 0; i < c->n_offers; i++)
		if (c->offers[i].child_relid == r.child_relid)
			c->offers[i].rescinded = 1;
}

static int matches(const struct inmsg *m, const struct want *w)
{
	uint32_t f;

	if (!w || m->type != w->type)
		return 0;
	for (int i = 0; i < w->nkeys; i++) {
		memcpy(&f, m->data + 8 + 4 * i, 4);
		if (f != w->key[i])
			return 0;
	}
	return 1;
}

/* Handles one message; returns 1 if it is the one `w` waits for. */
static int handle_msg(struct vmbus_client *c, const struct inmsg *m,
		      const struct want *w)
{
	if (matches(m, w))
		return 1;
	switch (m->type) {
	case MSG_OFFERCHANNEL:
		record_offer(c, m);
		break;
	case MSG_RESCIND_CHANNELOFFER:
		record_rescind(c, m);
		break;
	case MSG_ALLOFFERS_DELIVERED:
		c->all_offers = 1;
		break;
	default:
		c->msgs_dropped++;
		printf("vmbus: unexpected message type %u\n", m->type);
	}
	return 0;
}

void vmbus_poll(struct vmbus_client *c)
{
	struct inmsg m;

	/* The common case, called before every halt of a wait: nothing. */
	if (c->synic.simp[VMBUS_SINT].message_type == HVMSG_NONE)
		return;
	while (take_msg(c, &m))
		handle_msg(c, &m, 0);
}

/* Waits (bounded) for the message `w` describes; copies it to *out. */
int vmbus_wait_msg(struct vmbus_client *c, const struct want *w,
		   struct inmsg *out)
{
	uint64_t t0 = rdtsc();

	for (;;) {
		while (take_msg(c, out))
			if (handle_msg(c, out, w))
				return VMBUS_OK;
		if (vmbus_timed_out(c, t0))
			return VMBUS_E_TIMEOUT;
		vmbus_irq_window();
	}
}

unsigned vmbus_post_raw(struct vmbus_client *c, const void *msg, uint32_t size)
{
	unsigned st;

	vmbus_post(c, c->msg_conn_id, msg, size, &st);
	return st;
}

int vmbus_wait_reply(struct vmbus_client *c, uint32_t type, int use_key,
		     uint32_t key, void *out)
{
	struct want w = {type, use_key ? 1 : 0, {key, 0}};
	struct inmsg m;
	int err = vmbus_wait_msg(c, &w, &m);

	if (!err)
		memcpy(out, m.data, sizeof(m.data));
	return err;
}

int vmbus_init(struct vmbus_client *c, uint64_t wait_cycles)
{
	uint64_t vp = 0;
	int auto_eoi = !(cpuid(HV_CPUID_HINTS, 0).eax & (1u << 9));

	memset(c, 0, sizeof(*c));
	c->wait_cycles = wait_cycles;
	c->next_gpadl = GPADL_FIRST;
	if (hv_rdmsr_safe(HV_MSR_VP_INDEX, &vp))
		return VMBUS_E_ARG;
	c->vp_index = (uint32_t)vp;
	c->monitor1 = page_alloc();
	c->monitor2 = page_alloc();
	vmbus_irq.eoi = !auto_eoi;
	idt_set_handler(VMBUS_VECTOR, vmbus_isr);
	hv_apic_enable();
	if (hv_synic_enable(&c->synic))
		return VMBUS_E_ARG;
	hv_sint_set(VMBUS_SINT, VMBUS_VECTOR, auto_eoi ? HV_SINT_AUTO_EOI : 0);
	return VMBUS_OK;
}

/* One INITIATE_CONTACT; 1 accepted, 0 refused / bad connection, < 0 a
 * fatal error (no answer). */
static int try_version(struct vmbus_client *c, uint32_t v)
{
	struct msg_initiate_contact ic;
	struct want w = {MSG_VERSION_RESPONSE, 0, {0, 0}};
	struct msg_version_response vr;
	struct inmsg m;
	uint32_t conn = v >= VMBUS_VERSION_WIN10_V5 ? 4 : 1;
	unsigned st;
	int err;

	memset(&ic, 0, sizeof(ic));
	ic.h.msgtype = MSG_INITIATE_CONTACT;
	ic.version_requested = v;
	ic.target_vcpu = c->vp_index;
	if (v >= VMBUS_VERSION_WIN10_V5)
		ic.interrupt_page = VMBUS_SINT; /* msg_sint; msg_vtl 0 */
	ic.monitor_page1 = (uint64_t)c->monitor1;
	ic.monitor_page2 = (uint64_t)c->monitor2;
	c->versions_tried++;
	if (vmbus_post(c, conn, &ic, sizeof(ic), &st) != VMBUS_OK)
		return 0; /* INVALID_CONNECTION_ID: the next version */
	err = vmbus_wait_msg(c, &w, &m);
	if (err)
		return err;
	memcpy(&vr, m.data, sizeof(vr));
	if (!vr.version_supported)
		return 0;
	c->version = v;
	c->msg_conn_id = v >= VMBUS_VERSION_WIN10_V5 ? vr.msg_conn_id : 1;
	return 1;
}

int vmbus_connect(struct vmbus_client *c)
{
	c->versions_tried = 0;
	for (unsigned i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		int r;

		if (c->max_version && versions[i] > c->max_version)
			continue;
		r = try_version(c, versions[i]);

		if (r < 0)
			return r;
		if (r == 1)
			return VMBUS_OK;
	}
	return VMBUS_E_NO_VERSION;
}

int vmbus_request_offers(struct vmbus_client *c)
{
	struct msg_hdr h = {MSG_REQUESTOFFERS, 0};
	struct want w = {MSG_ALLOFFERS_DELIVERED, 0, {0, 0}};
	struct inmsg m;
	int err;

	c->n_offers = 0; /* a new session offers everything again */
	c->all_offers = 0;
	err = vmbus_post_ctl(c, &h, sizeof(h));
	if (err)
		return err;
	err = vmbus_wait_msg(c, &w, &m);
	if (!err)
		c->all_offers = 1;
	return err;
}

const struct vmbus_offer *vmbus_find_offer(struct vmbus_client *c,
					   const uint8_t if_type[16])
{
	for (unsigned i = 0; i < c->n_offers; i++)
		if (!c->offers[i].rescinded &&
		    memcmp(c->offers[i].if_type, if_type, 16) == 0)
			return &c->offers[i];
	return 0;
}

int vmbus_unload(struct vmbus_client *c)
{
	struct msg_hdr h = {MSG_UNLOAD, 0};
	struct want w = {MSG_UNLOAD_RESPONSE, 0, {0, 0}};
	struct inmsg m;
	int err = vmbus_post_ctl(c, &h, sizeof(h));

	if (err)
		return err;
	err = vmbus_wait_msg(c, &w, &m);
	if (!err)
		c->version = 0;
	return err;
}

const char *vmbus_err_name(int err)
{
	static const char *const names[] = {
	    "ok",
	    "hypercall failed",
	    "timeout",
	    "refused by the host",
	    "no version accepted",
	    "bad argument",
	    "ring error",
	};

	if (err <= 0 && -err < (int)(sizeof(names) / sizeof(names[0])))
		return names[-err];
	return "?";
}

/* Wire order: data1 u32, data2 u16, data3 u16 little-endian, then 8
 * bytes as they are (vmbus.md §6.1). */
void vmbus_print_guid(const uint8_t g[16])
{
	printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	       "%02x%02x%02x%02x%02x%02x",
	       g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
	       g[10], g[11], g[12], g[13], g[14], g[15]);
}
