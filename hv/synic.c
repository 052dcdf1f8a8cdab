/*
 * hv/synic.c — one vCPU's synthetic interrupt controller: the SynIC MSRs,
 * the SIMP message slots (with a queue per SINT behind a busy slot, the
 * message_pending flag and EOM), the SIEFP event flags and raising SINTs.
 * The synthetic timers are in hv/synic_timer.c.
 *
 * Spec: Hyper-V TLFS "Synthetic Interrupt Controller";
 * ../shared/reference/vmbus.md §1.3 (MSR layouts), §3 (slots, flags,
 * delivery, pending, EOM). Called by hv/hvmsr.c (MSRs), the hypercalls and
 * ports (post, signal) and hv/timer.c (timer expiry); reaches the rest of
 * the machine only through struct synic_hooks.
 *
 * Choices where the TLFS leaves room (documented in hv/synic.h too):
 *  - SCONTROL bits 1..63 and SIMP/SIEFP bits 1..11 are preserved (RsvdP),
 *    SINTx and STIMERx reserved bits #GP.
 *  - A post while the SynIC or the SIMP is disabled is refused with
 *    INVALID_SYNIC_STATE (the target cannot receive messages); messages
 *    already queued stay queued and go out when both are enabled again.
 *  - A message goes into a free slot even while its SINT is masked or in
 *    polling mode; only the interrupt is held back. Unmasking a SINT whose
 *    slot holds a message raises it then.
 *
 * Guest memory is reached only through physmem_copy_* on the page the
 * guest chose, checked to lie inside the partition's RAM: the guest may
 * move or disable the pages at any time.
 */
#include <stdlib.h>
#include <string.h>

#include "hv/synic_int.h"

#define SINT_VALID (HV_SINT_VECTOR_MASK | HV_SINT_MASKED | HV_SINT_AUTO_EOI | \
		    HV_SINT_POLLING)
#define PAGE_GPA(v) ((v) & ~0xFFFull)

/* ---- state predicates ---------------------------------------------------- */

static bool synic_on(const struct synic *s)
{
	return s->scontrol & HV_MSR_ENABLE;
}

/* Messages can be delivered: SynIC on and the SIMP page enabled. */
static bool simp_ready(const struct synic *s)
{
	return synic_on(s) && (s->simp & HV_MSR_ENABLE);
}

static bool page_in_ram(struct synic *s, uint64_t gpa)
{
	return physmem_ram_ptr(s->h.mem, gpa, PAGE_SIZE) != NULL;
}

static unsigned queue_len(const struct synic *s, unsigned sint)
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

	*n = queue_len(s, sint);
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

	if (!simp_ready(s))
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

static void flush_all(struct synic *s)
{
	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		flush_sint(s, i);
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
	if (!simp_ready(s)) {
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

/* ---- MSRs ------------------------------------------------------------------ */

static int rd_scontrol(struct synic *s, unsigned i, uint64_t *v)
{
	(void)i;
	*v = s->scontrol;
	return 0;
}

static int wr_scontrol(struct synic *s, unsigned i, uint64_t v)
{
	(void)i;
	s->scontrol = v;
	flush_all(s); /* messages queued while it was off go out now */
	return 0;
}

static int rd_sversion(struct synic *s, unsigned i, uint64_t *v)
{
	(void)s, (void)i;
	*v = HV_SYNIC_VERSION;
	return 0;
}

static int wr_gp(struct synic *s, unsigned i, uint64_t v)
{
	(void)s, (void)i, (void)v;
	return -1; /* read-only */
}

static int rd_gp(struct synic *s, unsigned i, uint64_t *v)
{
	(void)s, (void)i, (void)v;
	return -1; /* write-only */
}

static int rd_siefp(struct synic *s, unsigned i, uint64_t *v)
{
	(void)i;
	*v = s->siefp;
	return 0;
}

static int wr_siefp(struct synic *s, unsigned i, uint64_t v)
{
	(void)i;
	if ((v & HV_MSR_ENABLE) && !page_in_ram(s, PAGE_GPA(v)))
		return -1;
	s->siefp = v;
	return 0;
}

static int rd_simp(struct synic *s, unsigned i, uint64_t *v)
{
	(void)i;
	*v = s->simp;
	return 0;
}

static int wr_simp(struct synic *s, unsigned i, uint64_t v)
{
	(void)i;
	if ((v & HV_MSR_ENABLE) && !page_in_ram(s, PAGE_GPA(v)))
		return -1;
	s->simp = v;
	flush_all(s);
	return 0;
}

static int wr_eom(struct synic *s, unsigned i, uint64_t v)
{
	(void)i, (void)v;
	s->st.eoms++;
	flush_all(s);
	return 0;
}

static int rd_sint(struct synic *s, unsigned i, uint64_t *v)
{
	*v = s->sint[i];
	return 0;
}

static bool sint_quiet(uint64_t v)
{
	return v & (HV_SINT_MASKED | HV_SINT_POLLING);
}

static int wr_sint(struct synic *s, unsigned i, uint64_t v)
{
	uint64_t old = s->sint[i];
	uint32_t type;

	if ((v & ~SINT_VALID) ||
	    (!(v & HV_SINT_MASKED) && (v & HV_SINT_VECTOR_MASK) < 16))
		return -1;
	s->sint[i] = v;
	/* A message that arrived while the SINT was quiet is announced now. */
	if (sint_quiet(old) && !sint_quiet(v) && simp_ready(s) &&
	    !flush_sint(s, i) && slot_type(s, i, &type) && type != HVMSG_NONE)
		synic_sint_raise(s, i);
	return 0;
}

static int rd_stimer(struct synic *s, unsigned i, uint64_t *v)
{
	return synic_stimer_msr_read(s, i, v);
}

static int wr_stimer(struct synic *s, unsigned i, uint64_t v)
{
	return synic_stimer_msr_write(s, i, v);
}

/* The SynIC MSRs: [first, last], index passed = msr - first. */
static const struct {
	uint32_t first, last;
	int (*rd)(struct synic *s, unsigned i, uint64_t *v);
	int (*wr)(struct synic *s, unsigned i, uint64_t v);
} msr_table[] = {
    {HV_MSR_SCONTROL, HV_MSR_SCONTROL, rd_scontrol, wr_scontrol},
    {HV_MSR_SVERSION, HV_MSR_SVERSION, rd_sversion, wr_gp},
    {HV_MSR_SIEFP, HV_MSR_SIEFP, rd_siefp, wr_siefp},
    {HV_MSR_SIMP, HV_MSR_SIMP, rd_simp, wr_simp},
    {HV_MSR_EOM, HV_MSR_EOM, rd_gp, wr_eom},
    {HV_MSR_SINT0, HV_MSR_SINT0 + HV_SYNIC_SINT_COUNT - 1, rd_sint, wr_sint},
    {HV_MSR_STIMER0_CONFIG,
     HV_MSR_STIMER0_CONFIG + 2 * HV_SYNIC_STIMER_COUNT - 1, rd_stimer,
     wr_stimer},
};

#define MSR_ROWS (sizeof(msr_table) / sizeof(msr_table[0]))

static int msr_row(uint32_t msr)
{
	for (unsigned r = 0; r < MSR_ROWS; r++)
		if (msr >= msr_table[r].first && msr <= msr_table[r].last)
			return (int)r;
	return -1;
}

int synic_msr_read(struct synic *s, uint32_t msr, uint64_t *val)
{
	int r = msr_row(msr);

	if (r < 0)
		return 1;
	return msr_table[r].rd(s, msr - msr_table[r].first, val);
}

int synic_msr_write(struct synic *s, uint32_t msr, uint64_t val)
{
	int r = msr_row(msr);

	if (r < 0)
		return 1;
	return msr_table[r].wr(s, msr - msr_table[r].first, val);
}

/* ---- lifecycle, stats, invariants ----------------------------------------- */

struct synic *synic_create(const struct synic_hooks *h)
{
	struct synic *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->h = *h;
	synic_reset(s);
	return s;
}

void synic_reset(struct synic *s)
{
	synic_stimers_reset(s);
	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		s->sint[i] = HV_SINT_MASKED;
		if (s->q[i]) {
			s->dropped += s->q[i]->len;
			s->q[i]->head = s->q[i]->len = 0;
		}
	}
	s->scontrol = s->simp = s->siefp = 0;
}

void synic_destroy(struct synic *s)
{
	if (!s)
		return;
	synic_stimers_reset(s); /* cancels the armed timers */
	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		free(s->q[i]);
	free(s);
}

const struct synic_stats *synic_stats(const struct synic *s)
{
	return &s->st;
}

static bool queue_ok(const struct synic_queue *q)
{
	if (q->head >= SYNIC_QUEUE_MAX || q->len > SYNIC_QUEUE_MAX)
		return false;
	for (unsigned k = 0; k < q->len; k++) {
		const struct synic_msg *m = &q->m[(q->head + k) % SYNIC_QUEUE_MAX];

		if (m->size > HV_MESSAGE_PAYLOAD_MAX || m->type == HVMSG_NONE)
			return false;
	}
	return true;
}

bool synic_check_invariants(const struct synic *s)
{
	uint64_t queued = 0;

	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		uint64_t v = s->sint[i];

		if ((v & ~SINT_VALID) ||
		    (!(v & HV_SINT_MASKED) && (v & HV_SINT_VECTOR_MASK) < 16))
			return false;
		if (s->q[i] && !queue_ok(s->q[i]))
			return false;
		queued += queue_len(s, i);
	}
	for (unsigned i = 0; i < HV_SYNIC_STIMER_COUNT; i++)
		if (!synic_stimer_ok(&s->t[i]))
			return false;
	if ((s->simp & HV_MSR_ENABLE) &&
	    !physmem_ram_ptr(s->h.mem, PAGE_GPA(s->simp), PAGE_SIZE))
		return false;
	if ((s->siefp & HV_MSR_ENABLE) &&
	    !physmem_ram_ptr(s->h.mem, PAGE_GPA(s->siefp), PAGE_SIZE))
		return false;
	return s->st.posted == s->posts_delivered + queued + s->dropped &&
	       s->st.delivered >= s->posts_delivered &&
	       s->st.queued <= s->st.posted;
}
