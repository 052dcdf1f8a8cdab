/*
 * hv/synic_int.h — what the SynIC's files share: hv/synic.c (MSRs,
 * lifecycle), hv/synic_msg.c (message slots, queues, event flags) and
 * hv/synic_timer.c (the four synthetic timers). Only those files include
 * it; everyone else sees the opaque struct synic of hv/synic.h.
 */
#ifndef HVSIM_HV_SYNIC_INT_H_
#define HVSIM_HV_SYNIC_INT_H_

#include "hv/hvdefs.h"
#include "hv/synic.h"

/* The bits a SINTx MSR may hold; the page an SIMP/SIEFP value names. */
#define SINT_VALID                                                        \
	(HV_SINT_VECTOR_MASK | HV_SINT_MASKED | HV_SINT_AUTO_EOI |         \
	 HV_SINT_POLLING)
#define PAGE_GPA(v) ((v) & ~0xFFFull)

/* A message waiting behind its SINT's busy slot. `seq` orders it against
 * the timers' pending expirations of the same SINT (first posted, first
 * delivered). */
struct synic_msg {
	uint64_t seq;
	uint32_t type;
	uint8_t size;
	uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
};

/* A ring of SYNIC_QUEUE_MAX messages, allocated on first use (most SINTs
 * never queue anything, and a ring is ~16 KiB). */
struct synic_queue {
	unsigned head, len;
	struct synic_msg m[SYNIC_QUEUE_MAX];
};

struct synic_stimer {
	uint64_t config, count; /* the MSRs as the guest reads them */
	bool armed;		/* an expiry at `exp` is set with the hook */
	uint64_t exp;		/* next expiration, reference time */
	/* Message mode: an expiration whose message did not fit in the slot
	 * yet (TLFS: kept pending, delivered when the slot frees). */
	bool msg_pending;
	unsigned pend_sint;
	uint64_t pend_exp, pend_seq;
};

struct synic {
	struct synic_hooks h;
	struct synic_stats st;
	uint64_t scontrol, simp, siefp;
	uint64_t sint[HV_SYNIC_SINT_COUNT];
	struct synic_queue *q[HV_SYNIC_SINT_COUNT];
	struct synic_stimer t[HV_SYNIC_STIMER_COUNT];
	uint64_t seq; /* next synic_msg.seq / pend_seq */
	/* For synic_check_invariants: posted = posts_delivered + queued now
	 * + dropped (thrown away by reset). */
	uint64_t posts_delivered, dropped;
};

/* synic_msg.c: delivery. synic_on: SCONTROL enabled; simp_ready: and the
 * SIMP too (messages can be delivered). */
bool synic_on(const struct synic *s);
bool synic_simp_ready(const struct synic *s);
unsigned synic_queue_len(const struct synic *s, unsigned sint);
/* Try to deliver what waits for SINT `sint` (one message), or for every
 * SINT. */
void synic_flush_sint(struct synic *s, unsigned sint);
void synic_flush_all(struct synic *s);
/* Raise SINT `sint` if SCONTROL is enabled and the SINT unmasked and not
 * polling; true if it raised. */
bool synic_sint_raise(struct synic *s, unsigned sint);
/* SINT `sint` was just unmasked or left polling mode. */
void synic_sint_woke(struct synic *s, unsigned sint);

/* synic_timer.c: STIMER MSRs by index (2n = STIMERn_CONFIG, 2n + 1 =
 * STIMERn_COUNT; return as synic_msr_*), reset, and the invariants of one
 * timer. */
int synic_stimer_msr_read(struct synic *s, uint32_t idx, uint64_t *val);
int synic_stimer_msr_write(struct synic *s, uint32_t idx, uint64_t val);
void synic_stimers_reset(struct synic *s);
bool synic_stimer_ok(const struct synic_stimer *t);
/* Fill the 24-byte TIMER_EXPIRED payload of timer `i`'s pending
 * expiration, delivered now, and clear it. */
void synic_stimer_take_msg(struct synic *s, unsigned i, uint8_t *payload);

#endif
