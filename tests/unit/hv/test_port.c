/*
 * tests/unit/hv/test_port.c — ports and connections (hv/port.c): connect,
 * disconnect, duplicates, per-partition ids, the bound of the table and
 * its search, forgetting a partition, host → guest posting checks,
 * delivery into a vCPU's SynIC (message slot, base_flag + flag), and host
 * handlers run as parent work (copied payload, the 16-message queue,
 * event coalescing, messages queued across a disconnect).
 *
 * The tests of queued host work need hv_submit_work to queue (a service
 * partition exists); while it runs items at once they skip themselves.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "hv/hv_int.h"
#include "hv/hvdefs.h"
#include "hv/port.h"
#include "hv/synic.h"
#include "mmu/mmu.h"
#include "sim/evq.h"

#define MEM	  (1u << 20)
#define SIMP_GPA  0x5000
#define SIEFP_GPA 0x6000
#define SINT	  2
#define VEC	  0x50

struct rig {
	struct evq *q;
	struct hv *hv;
	struct hv_part *svc; /* the parent's services, or NULL */
	struct hv_part *a, *b;
};

struct seen {
	unsigned calls;
	struct hv_part *from;
	unsigned from_vp, flag;
	uint32_t type;
	unsigned size;
	uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
};

static unsigned on_msg(void *opaque, struct hv_part *from, unsigned from_vp,
		       uint32_t type, const void *payload, unsigned size)
{
	struct seen *s = opaque;

	s->calls++;
	s->from = from;
	s->from_vp = from_vp;
	s->type = type;
	s->size = size;
	memcpy(s->payload, payload, size);
	return HV_STATUS_SUCCESS;
}

static unsigned on_event(void *opaque, struct hv_part *from, unsigned from_vp,
			 unsigned flag)
{
	struct seen *s = opaque;

	s->calls++;
	s->from = from;
	s->from_vp = from_vp;
	s->flag = flag;
	return HV_STATUS_SUCCESS;
}

static unsigned count_event(void *opaque, struct hv_part *from,
			    unsigned from_vp, unsigned flag)
{
	(void)from, (void)from_vp, (void)flag;
	(*(unsigned *)opaque)++;
	return HV_STATUS_SUCCESS;
}

static struct hv_part *part(struct hv *hv, const char *name, bool service)
{
	struct hv_part_config pc = {.name = name,
				    .vcpus = 2,
				    .mem_bytes = MEM,
				    .weight = 100,
				    .parent = service,
				    .service = service};
	struct hv_part *p = hv_part_create(hv, &pc, NULL, NULL);

	cr_assert_not_null(p);
	return p;
}

static void rig_init(struct rig *r, bool with_services)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};

	r->q = evq_create();
	cr_assert_not_null(r->q);
	r->hv = hv_create(&hc, r->q);
	cr_assert_not_null(r->hv);
	r->svc = with_services ? part(r->hv, "parent", true) : NULL;
	r->a = part(r->hv, "a", false);
	r->b = part(r->hv, "b", false);
}

static void rig_fini(struct rig *r)
{
	hv_destroy(r->hv);
	evq_destroy(r->q);
}

/* Run the parent's queued work. */
static void rig_run_work(struct rig *r)
{
	hv_part_set_runnable(r->svc, true);
	cr_assert_eq(hv_start(r->hv), 0);
	evq_run_until(r->q, 100000000);
}

/* ---- the table ----------------------------------------------------------- */

Test(port, connect_disconnect_and_duplicates)
{
	struct seen s = {0};
	struct rig r;

	rig_init(&r, false);
	cr_assert_eq(hv_connect_msg_to_host(r.a, 5, on_msg, &s, 0),
		     HV_STATUS_SUCCESS);
	/* The same id again, of either kind: in use. */
	cr_assert_eq(hv_connect_msg_to_host(r.a, 5, on_msg, &s, 0),
		     HV_STATUS_OBJECT_IN_USE);
	cr_assert_eq(hv_connect_event_to_vp(r.a, 5, r.b, 0, SINT, 0),
		     HV_STATUS_OBJECT_IN_USE);
	cr_assert_eq(hv_port_post(r.a, 1, 5, 1, "m", 1), HV_STATUS_SUCCESS);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.from_vp, 1);
	cr_assert_eq(hv_disconnect(r.a, 5), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_disconnect(r.a, 5), HV_STATUS_INVALID_CONNECTION_ID);
	cr_assert_eq(hv_port_post(r.a, 0, 5, 1, "m", 1),
		     HV_STATUS_INVALID_CONNECTION_ID);
	cr_assert_eq(hv_port_signal(r.a, 0, 5, 0),
		     HV_STATUS_INVALID_CONNECTION_ID);
	cr_assert_eq(hv_connect_event_to_host(r.a, 5, on_event, &s, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_port_signal(r.a, 0, 5, 1), HV_STATUS_SUCCESS);
	cr_assert_eq(s.calls, 2);
	cr_assert_eq(s.flag, 1);
	rig_fini(&r);
}

Test(port, connect_checks_its_arguments)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	struct seen s = {0};
	struct rig r;
	struct hv *other;
	struct hv_part *stranger;

	rig_init(&r, false);
	cr_assert_eq(hv_connect_msg_to_host(r.a, 0x1000000, on_msg, &s, 0),
		     HV_STATUS_INVALID_CONNECTION_ID);
	cr_assert_eq(hv_connect_msg_to_host(r.a, 0xFFFFFF, on_msg, &s, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_connect_msg_to_vp(r.a, 1, r.b, 2, SINT),
		     HV_STATUS_INVALID_VP_INDEX);
	cr_assert_eq(hv_connect_msg_to_vp(r.a, 1, r.b, 1, 16),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(hv_connect_event_to_vp(r.a, 1, r.b, 1, SINT, 2048),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(hv_connect_msg_to_vp(r.a, 1, NULL, 0, SINT),
		     HV_STATUS_INVALID_PARTITION_ID);
	cr_assert_eq(hv_connect_msg_to_host(r.a, 1, NULL, &s, 0),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(hv_connect_event_to_host(r.a, 1, NULL, &s, 0),
		     HV_STATUS_INVALID_PARAMETER);
	/* A partition of another hypervisor is not a target. */
	other = hv_create(&hc, r.q);
	cr_assert_not_null(other);
	stranger = part(other, "x", false);
	cr_assert_eq(hv_connect_msg_to_vp(r.a, 1, stranger, 0, SINT),
		     HV_STATUS_INVALID_PARTITION_ID);
	hv_destroy(other);
	/* None of the failures left a connection behind. */
	cr_assert_eq(hv_connect_msg_to_vp(r.a, 1, r.b, 1, SINT),
		     HV_STATUS_SUCCESS);
	rig_fini(&r);
}

Test(port, connection_ids_belong_to_the_sending_partition)
{
	struct seen sa = {0}, sb = {0};
	struct rig r;

	rig_init(&r, false);
	cr_assert_eq(hv_connect_msg_to_host(r.a, 1, on_msg, &sa, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_connect_msg_to_host(r.b, 1, on_msg, &sb, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_port_post(r.b, 0, 1, 1, "b", 1), HV_STATUS_SUCCESS);
	cr_assert_eq(sa.calls, 0);
	cr_assert_eq(sb.calls, 1);
	cr_assert_eq(sb.from, r.b);
	cr_assert_eq(hv_disconnect(r.a, 1), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_port_post(r.b, 0, 1, 1, "b", 1), HV_STATUS_SUCCESS);
	cr_assert_eq(sb.calls, 2);
	rig_fini(&r);
}

/* 4096 connections in one hypervisor; the search finds each one. */
Test(port, table_is_bounded_and_lookups_find_the_right_connection)
{
	static unsigned hits[4096];
	struct rig r;

	memset(hits, 0, sizeof(hits));
	rig_init(&r, false);
	/* Ids in a scrambled order, over two partitions. */
	for (unsigned i = 0; i < 4096; i++) {
		unsigned id = (i * 2654435761u) & 0xFFFFFF;
		struct hv_part *from = i & 1 ? r.b : r.a;

		cr_assert_eq(hv_connect_event_to_host(from, id, count_event,
						      &hits[i], 0),
			     HV_STATUS_SUCCESS, "connection %u", i);
	}
	cr_assert_eq(hv_connect_event_to_host(r.a, 0x77, count_event, hits, 0),
		     HV_STATUS_INSUFFICIENT_MEMORY);
	for (unsigned i = 0; i < 4096; i += 3) {
		unsigned id = (i * 2654435761u) & 0xFFFFFF;

		cr_assert_eq(hv_port_signal(i & 1 ? r.b : r.a, 0, id, 0),
			     HV_STATUS_SUCCESS);
	}
	for (unsigned i = 0; i < 4096; i++)
		cr_assert_eq(hits[i], i % 3 == 0, "connection %u", i);
	/* The same ids from the other partition are not connected (the
	 * scrambled ids of odd and even i never collide). */
	cr_assert_eq(hv_port_signal(r.b, 0, 0, 0),
		     HV_STATUS_INVALID_CONNECTION_ID);
	cr_assert_eq(hv_disconnect(r.a, 0), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_connect_event_to_host(r.a, 0x77, count_event, hits, 0),
		     HV_STATUS_SUCCESS);
	rig_fini(&r);
}

Test(port, forgetting_a_partition_drops_its_connections_both_ways)
{
	struct seen s = {0};
	struct rig r;

	rig_init(&r, false);
	cr_assert_eq(hv_connect_msg_to_host(r.a, 1, on_msg, &s, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_connect_msg_to_vp(r.b, 2, r.a, 0, SINT),
		     HV_STATUS_SUCCESS); /* to a */
	cr_assert_eq(hv_connect_msg_to_host(r.b, 3, on_msg, &s, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_connect_event_to_vp(r.a, 4, r.b, 0, SINT, 0),
		     HV_STATUS_SUCCESS); /* from a */
	hv_ports_forget_part(r.hv, r.a);
	cr_assert_eq(hv_disconnect(r.a, 1), HV_STATUS_INVALID_CONNECTION_ID);
	cr_assert_eq(hv_disconnect(r.b, 2), HV_STATUS_INVALID_CONNECTION_ID);
	cr_assert_eq(hv_disconnect(r.a, 4), HV_STATUS_INVALID_CONNECTION_ID);
	cr_assert_eq(hv_port_post(r.b, 0, 3, 1, "k", 1), HV_STATUS_SUCCESS);
	cr_assert_eq(s.calls, 1);
	/* The ids are free again. */
	cr_assert_eq(hv_connect_msg_to_host(r.a, 1, on_msg, &s, 0),
		     HV_STATUS_SUCCESS);
	rig_fini(&r);
}

Test(port, guest_calls_check_vp_kind_and_flags)
{
	struct seen s = {0};
	struct rig r;

	rig_init(&r, false);
	cr_assert_eq(hv_connect_msg_to_host(r.a, 1, on_msg, &s, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_connect_event_to_host(r.a, 2, on_event, &s, 0),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_port_post(r.a, 2, 1, 1, "m", 1),
		     HV_STATUS_INVALID_VP_INDEX);
	cr_assert_eq(hv_port_post(r.a, 0, 1, 1, "m", 241),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(hv_port_post(r.a, 0, 2, 1, "m", 1),
		     HV_STATUS_INVALID_PORT_ID);
	cr_assert_eq(hv_port_signal(r.a, 0, 1, 0), HV_STATUS_INVALID_PORT_ID);
	cr_assert_eq(hv_port_signal(r.a, 0, 2, 2048),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(hv_port_signal(r.a, 5, 2, 0), HV_STATUS_INVALID_VP_INDEX);
	cr_assert_eq(s.calls, 0);
	rig_fini(&r);
}

/* ---- into a SynIC -------------------------------------------------------- */

static void synic_on(struct hv_part *p, unsigned vp)
{
	struct synic *s = p->vp[vp].synic;

	cr_assert_eq(synic_msr_write(s, HV_MSR_SIMP, SIMP_GPA | HV_MSR_ENABLE),
		     0);
	cr_assert_eq(
	    synic_msr_write(s, HV_MSR_SIEFP, SIEFP_GPA | HV_MSR_ENABLE), 0);
	cr_assert_eq(synic_msr_write(s, HV_MSR_SINT0 + SINT, VEC), 0);
	cr_assert_eq(synic_msr_write(s, HV_MSR_SCONTROL, HV_MSR_ENABLE), 0);
}

Test(port, host_posting_checks_the_target)
{
	struct rig r;

	rig_init(&r, false);
	cr_assert_eq(hv_post_message(r.b, 2, SINT, 1, "x", 1),
		     HV_STATUS_INVALID_VP_INDEX);
	cr_assert_eq(hv_post_message(r.b, 0, 16, 1, "x", 1),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(hv_post_message(r.b, 0, SINT, 1, "x", 241),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(hv_post_message(r.b, 0, SINT, 1, NULL, 4),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(hv_signal_event(r.b, 2, SINT, 0),
		     HV_STATUS_INVALID_VP_INDEX);
	cr_assert_eq(hv_signal_event(r.b, 0, SINT, 2048),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(hv_assert_sint(r.b, 2, SINT), HV_STATUS_INVALID_VP_INDEX);
	cr_assert_eq(hv_assert_sint(r.b, 0, 16), HV_STATUS_INVALID_PARAMETER);
	/* The SynIC is off after reset (needs the real SynIC). */
	cr_assert_eq(hv_post_message(r.b, 0, SINT, 1, "x", 1),
		     HV_STATUS_INVALID_SYNIC_STATE);
	cr_assert_eq(hv_signal_event(r.b, 0, SINT, 0),
		     HV_STATUS_INVALID_SYNIC_STATE);
	rig_fini(&r);
}

Test(port, a_message_connection_fills_the_target_slot)
{
	struct rig r;
	uint64_t slot = SIMP_GPA + SINT * HV_MESSAGE_SIZE;
	char got[4] = {0};

	rig_init(&r, false);
	cr_assert_eq(hv_connect_msg_to_vp(r.a, 9, r.b, 1, SINT),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_port_post(r.a, 0, 9, 1, "abc", 3),
		     HV_STATUS_INVALID_SYNIC_STATE);
	synic_on(r.b, 1);
	cr_assert_eq(hv_port_post(r.a, 0, 9, 0x1234, "abc", 3),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(physmem_read(r.b->mem, slot, 4), 0x1234);
	cr_assert_eq(physmem_read(r.b->mem, slot + 4, 1), 3);
	physmem_copy_from(r.b->mem, got, slot + 16, 3);
	cr_assert_str_eq(got, "abc");
	/* vCPU 0 of b and partition a got nothing. */
	cr_assert_eq(synic_stats(r.b->vp[0].synic)->posted, 0);
	cr_assert_eq(synic_stats(r.b->vp[1].synic)->posted, 1);
	cr_assert_eq(physmem_read(r.a->mem, slot, 4), 0);
	rig_fini(&r);
}

Test(port, an_event_connection_sets_base_plus_flag)
{
	struct rig r;
	uint64_t area = SIEFP_GPA + SINT * (HV_EVENT_FLAGS_PER_SINT / 8);

	rig_init(&r, false);
	cr_assert_eq(hv_connect_event_to_vp(r.a, 7, r.b, 0, SINT, 100),
		     HV_STATUS_SUCCESS);
	synic_on(r.b, 0);
	cr_assert_eq(hv_port_signal(r.a, 1, 7, 5), HV_STATUS_SUCCESS);
	/* Flag 105: byte 13, bit 1. */
	cr_assert_eq(physmem_read(r.b->mem, area + 13, 1), 1u << 1);
	/* The port has 2048 - 100 flags. */
	cr_assert_eq(hv_port_signal(r.a, 0, 7, 1947), HV_STATUS_SUCCESS);
	cr_assert_eq(physmem_read(r.b->mem, area + 255, 1), 0x80);
	cr_assert_eq(hv_port_signal(r.a, 0, 7, 1948),
		     HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(hv_port_post(r.a, 0, 7, 1, "x", 1),
		     HV_STATUS_INVALID_PORT_ID);
	cr_assert_eq(synic_stats(r.b->vp[0].synic)->events, 2);
	rig_fini(&r);
}

/* ---- host handlers as parent work ---------------------------------------- */

/* Skip when hv_submit_work still runs items at once. */
static void need_queued_work(const struct seen *s)
{
	if (s->calls)
		cr_skip_test("hv_submit_work runs work at once");
}

Test(port, host_messages_queue_sixteen_deep_and_keep_a_copy)
{
	struct seen s = {0};
	struct rig r;
	char buf[8];

	rig_init(&r, true);
	cr_assert_eq(hv_connect_msg_to_host(r.a, 1, on_msg, &s, 2000),
		     HV_STATUS_SUCCESS);
	for (unsigned i = 0; i < HV_PORT_QUEUE_MAX; i++) {
		memcpy(buf, "msg-00", 7);
		buf[5] = (char)('a' + i);
		cr_assert_eq(hv_port_post(r.a, 1, 1, 1, buf, 7),
			     HV_STATUS_SUCCESS);
		need_queued_work(&s);
	}
	memset(buf, 'X', sizeof(buf)); /* the queued copies stay intact */
	cr_assert_eq(hv_port_post(r.a, 1, 1, 1, buf, 7),
		     HV_STATUS_INSUFFICIENT_BUFFERS);
	rig_run_work(&r);
	cr_assert_eq(s.calls, HV_PORT_QUEUE_MAX);
	cr_assert_str_eq((char *)s.payload, "msg-0p"); /* the last one */
	cr_assert_eq(s.from_vp, 1);
	/* Room again once the handler ran. */
	cr_assert_eq(hv_port_post(r.a, 1, 1, 1, buf, 7), HV_STATUS_SUCCESS);
	rig_fini(&r);
}

Test(port, host_events_coalesce_while_queued)
{
	struct seen s = {0};
	struct rig r;

	rig_init(&r, true);
	cr_assert_eq(hv_connect_event_to_host(r.a, 1, on_event, &s, 500),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_port_signal(r.a, 0, 1, 3), HV_STATUS_SUCCESS);
	need_queued_work(&s);
	cr_assert_eq(hv_port_signal(r.a, 0, 1, 3), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_port_signal(r.a, 0, 1, 4), HV_STATUS_SUCCESS);
	rig_run_work(&r);
	cr_assert_eq(s.calls, 2);
	rig_fini(&r);
}

Test(port, disconnect_keeps_queued_messages_forget_drops_them)
{
	struct seen s1 = {0}, s2 = {0};
	struct rig r;

	rig_init(&r, true);
	cr_assert_eq(hv_connect_msg_to_host(r.a, 1, on_msg, &s1, 100),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_connect_msg_to_host(r.b, 1, on_msg, &s2, 100),
		     HV_STATUS_SUCCESS);
	cr_assert_eq(hv_port_post(r.a, 0, 1, 1, "one", 4), HV_STATUS_SUCCESS);
	need_queued_work(&s1);
	cr_assert_eq(hv_port_post(r.b, 0, 1, 1, "two", 4), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_disconnect(r.a, 1), HV_STATUS_SUCCESS);
	hv_ports_forget_part(r.hv, r.b);
	rig_run_work(&r);
	cr_assert_eq(s1.calls, 1); /* TLFS HvDisconnectPort */
	cr_assert_str_eq((char *)s1.payload, "one");
	cr_assert_eq(s2.calls, 0); /* the partition was reset */
	rig_fini(&r);
}
