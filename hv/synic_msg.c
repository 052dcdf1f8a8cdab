/*
 * hv/synic_msg.c — how a vCPU's SynIC delivers: the SIMP message slots
 * (a queue per SINT behind a busy slot, the message_pending flag, EOM
 * redelivery, one interrupt per message), the SIEFP event flags and
 * raising a SINT's vector.
 *
 * Spec: Hyper-V TLFS "Synthetic Interrupt Controller";
 * ../shared/reference/vmbus.md §3.1 (slot layout), §3.2 (event flags),
 * §3.3 (delivery, pending, EOM). Called by the hypercalls and ports
 * (post, signal, assert), hv/synic.c (EOM, page and SINT changes) and
 * hv/synic_timer.c (timer expiration messages).
 *
 * A post while the SynIC or the SIMP is disabled is refused with
 * INVALID_SYNIC_STATE (the target cannot receive messages); messages
 * already queued stay queued and go out when both are enabled again. A
 * message goes into a free slot even while its SINT is masked or polling;
 * only the interrupt is held back (hv/synic.c announces it on unmask).
 *
 * Guest memory is reached only through physmem_copy_* within the page the
 * guest chose (checked to be in RAM when enabled): the guest may change
 * the slots under us at any time, so every decision re-reads them.
 */
#include <stdlib.h>
#include <string.h>

#include "hv/synic_int.h"

/* ---- state predicates ---------------------------------------------------- */

bool synic_on(const struct synic *s)
{
	return s->scontrol & HV_MSR_ENABLE;
}

/* Messages can be delivered: SynIC on and the SIMP page enabled. */
bool synic_simp_ready(const struct synic *s)
{
	return synic_on(s) && (s->simp & HV_MSR_ENABLE);
}

unsigned synic_queue_len(const struct synic *s, unsigned sint)
{
	return s->q[sint] ? s->q[sint]->len : 0;
}

bool synic_sint_raise(struct synic *s, unsigned sint)
{
	uint64_t v = s->sint[sint];

	if (!synic_on(s) || (v & (HV_SINT_MASKED | HV_SINT_POLLING)))
		return false;
	s->h.raise(s->h.opaque, (uint8_t)(v & HV_SINT_VECTOR_MASK),
		   (v & HV_SINT_AUTO_EOI) != 0);
	s->st.interrupts++;
	return true;
}

/* ---- the SIMP slot of a SINT --------------------------------------------- */

static uint64_t slot_gpa(const struct synic *s, unsigned sint)
{
	return PAGE_GPA(s->simp) + (uint64_t)sint * HV_MESSAGE_SIZE;
}

/* The slot's message_type; false if the slot cannot be read. */
static bool slot_type(struct synic *s, unsigned sint, uint32_t *type)
{
	uint8_t b[4];

	if (physmem_copy_from(s->h.mem, b, slot_gpa(s, sint), 4) != 0)
		return false;
	*type = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		(uint32_t)b[3] << 24;
	return true;
}

static void slot_set_pending(struct synic *s, unsigned sint)
{
	uint64_t gpa = slot_gpa(s, sint) + 5;
	uint8_t flags;

	if (physmem_copy_from(s->h.mem, &flags, gpa, 1) != 0)
		return;
	flags |= HV_MESSAGE_FLAG_PENDING;
	physmem_copy_to(s->h.mem, gpa, &flags, 1);
}

/* Write a whole 256-byte message, the type last: the guest polls the type
 * and must never see a half-written message behind a non-zero one. */
static void slot_write(struct synic *s, unsigned sint, const uint8_t *msg)
{
	uint64_t gpa = slot_gpa(s, sint);

	physmem_copy_to(s->h.mem, gpa + 4, msg + 4, HV_MESSAGE_SIZE - 4);
	physmem_copy_to(s->h.mem, gpa, msg, 4);
}

static void msg_header(uint8_t *msg, uint32_t type, uint8_t size, bool pending)
{
	memset(msg, 0, HV_MESSAGE_SIZE);
	for (int i = 0; i < 4; i++)
		msg[i] = (uint8_t)(type >> (8 * i));
	msg[4] = size;
	msg[5] = pending ? HV_MESSAGE_FLAG_PENDING : 0;
	/* bytes 6..7 reserved, 8..15 sender: 0 */
}

/* ---- what waits for a slot: queued posts and timer expirations ----------- */

#define WAIT_NONE  (-1)
#define WAIT_QUEUE HV_SYNIC_STIMER_COUNT /* else: a timer index */

/* The oldest thing waiting for SINT `sint`'s slot, and how many wait. */
static int oldest_waiting(const struct synic *s, unsigned sint, unsigned *n)
{
	int who = WAIT_NONE;
	uint64_t seq = UINT64_MAX;

	*n = synic_queue_len(s, sint);
	if (*n) {
		who = WAIT_QUEUE;
		seq = s->q[sint]->m[s->q[sint]->head].seq;
	}
	for (unsigned i = 0; i < HV_SYNIC_STIMER_COUNT; i++) {
		const struct synic_stimer *t = &s->t[i];

		if (!t->msg_pending || t->pend_sint != sint)
			continue;
		(*n)++;
		if (t->pend_seq < seq) {
			seq = t->pend_seq;
			who = (int)i;
		}
	}
	return who;
}

/* Build the message `who` into `msg` and take it off its waiting list. */
static void take_waiting(struct synic *s, unsigned sint, int who, bool more,
			 uint8_t *msg)
{
	if (who == WAIT_QUEUE) {
		struct synic_queue *q = s->q[sint];
		const struct synic_msg *m = &q->m[q->head];

		msg_header(msg, m->type, m->size, more);
		memcpy(msg + 16, m->payload, m->size);
		q->head = (q->head + 1) % SYNIC_QUEUE_MAX;
		q->len--;
		s->posts_delivered++;
		return;
	}
	msg_header(msg, HVMSG_TIMER_EXPIRED, 24, more);
	synic_stimer_take_msg(s, (unsigned)who, msg + 16);
}

/* Deliver the oldest waiting message into SINT `sint`'s slot if the slot
 * is free, and raise the SINT; if the slot is busy, set its
 * message_pending flag so the guest writes EOM. True if delivered. */
static bool flush_sint(struct synic *s, unsigned sint)
{
	uint8_t msg[HV_MESSAGE_SIZE];
	uint32_t type;
	unsigned n;
	int who;

	if (!synic_simp_ready(s))
		return false;
	who = oldest_waiting(s, sint, &n);
	if (who == WAIT_NONE || !slot_type(s, sint, &type))
		return false;
	if (type != HVMSG_NONE) {
		slot_set_pending(s, sint);
		return false;
	}
	take_waiting(s, sint, who, n > 1, msg);
	slot_write(s, sint, msg);
	s->st.delivered++;
	synic_sint_raise(s, sint);
	return true;
}

void synic_flush_sint(struct synic *s, unsigned sint)
{
	flush_sint(s, sint);
}

void synic_flush_all(struct synic *s)
{
	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		flush_sint(s, i);
}

/* A SINT just left masked or polling mode: a message that arrived while
 * it was quiet is announced now. */
void synic_sint_woke(struct synic *s, unsigned sint)
{
	uint32_t type;

	if (synic_simp_ready(s) && !flush_sint(s, sint) &&
	    slot_type(s, sint, &type) && type != HVMSG_NONE)
		synic_sint_raise(s, sint);
}

/* ---- posting, events, assert ---------------------------------------------- */

static bool enqueue(struct synic *s, unsigned sint, uint32_t type,
		    const void *payload, unsigned size)
{
	struct synic_queue *q = s->q[sint];
	struct synic_msg *m;

	if (!q && !(q = s->q[sint] = calloc(1, sizeof(*q))))
		return false;
	if (q->len == SYNIC_QUEUE_MAX)
		return false;
	m = &q->m[(q->head + q->len) % SYNIC_QUEUE_MAX];
	q->len++;
	m->seq = s->seq++;
	m->type = type;
	m->size = (uint8_t)size;
	memset(m->payload, 0, sizeof(m->payload));
	if (size)
		memcpy(m->payload, payload, size);
	return true;
}

unsigned synic_post_message(struct synic *s, unsigned sint, uint32_t type,
			    const void *payload, unsigned size)
{
	unsigned waiting;

	/* Type 0 would read as a free slot. */
	if (sint >= HV_SYNIC_SINT_COUNT || size > HV_MESSAGE_PAYLOAD_MAX ||
	    (size && !payload) || type == HVMSG_NONE)
		return HV_STATUS_INVALID_PARAMETER;
	if (!synic_simp_ready(s)) {
		s->st.refused++;
		return HV_STATUS_INVALID_SYNIC_STATE;
	}
	flush_sint(s, sint); /* the guest may have freed the slot without EOM */
	oldest_waiting(s, sint, &waiting);
	if (!enqueue(s, sint, type, payload, size)) {
		s->st.refused++;
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	}
	s->st.posted++;
	if (waiting || !flush_sint(s, sint))
		s->st.queued++;
	return HV_STATUS_SUCCESS;
}

unsigned synic_signal_event(struct synic *s, unsigned sint, unsigned flag)
{
	uint64_t gpa;
	uint8_t b;

	if (sint >= HV_SYNIC_SINT_COUNT || flag >= HV_EVENT_FLAGS_PER_SINT)
		return HV_STATUS_INVALID_PARAMETER;
	if (!synic_on(s) || !(s->siefp & HV_MSR_ENABLE))
		return HV_STATUS_INVALID_SYNIC_STATE;
	gpa = PAGE_GPA(s->siefp) + (uint64_t)sint * (HV_EVENT_FLAGS_PER_SINT / 8) +
	      flag / 8;
	if (physmem_copy_from(s->h.mem, &b, gpa, 1) != 0)
		return HV_STATUS_INVALID_SYNIC_STATE;
	if (b & (1u << (flag % 8)))
		return HV_STATUS_SUCCESS; /* already signalled: no new interrupt */
	b |= (uint8_t)(1u << (flag % 8));
	physmem_copy_to(s->h.mem, gpa, &b, 1);
	s->st.events++;
	synic_sint_raise(s, sint);
	return HV_STATUS_SUCCESS;
}

unsigned synic_assert_sint(struct synic *s, unsigned sint)
{
	if (sint >= HV_SYNIC_SINT_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	if (!synic_on(s))
		return HV_STATUS_INVALID_SYNIC_STATE;
	synic_sint_raise(s, sint);
	return HV_STATUS_SUCCESS;
}
