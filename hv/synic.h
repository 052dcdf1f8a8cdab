/*
 * hv/synic.h — one vCPU's synthetic interrupt controller (Hyper-V TLFS
 * "SynIC"; ../shared/reference/vmbus.md §3): SCONTROL, SVERSION, the SIMP
 * message page (16 slots of 256 bytes, one per SINT), the SIEFP event flag
 * page (2048 flags per SINT), SINT0..15, EOM, and the four synthetic
 * timers STIMER0..3 (one-shot and periodic, message and direct mode).
 *
 * The model is self-contained: it reaches guest memory through the
 * partition's physmem, and everything else through hooks — the current
 * cycle, the reference time, raising an interrupt vector on the vCPU's
 * local APIC, and arming a timer event. hv/hv.c supplies the hooks; tests
 * can supply their own.
 *
 * Messages (§3.3): a message goes into the SINT's slot only when the slot
 * is free (message_type 0), and then raises the SINT's vector. If the slot
 * is busy it waits in the SINT's queue and the slot's message_pending flag
 * is set; an EOM write (or any later post) delivers the next queued
 * message once the guest freed the slot.
 *
 * Choices where the TLFS leaves room: a masked or polling SINT still gets
 * its message in the slot (only the interrupt waits; unmasking raises
 * it); posts are refused while SCONTROL or the SIMP is disabled, but what
 * is already queued stays and goes out when both are enabled again. A
 * timer's expiration message that does not fit waits on the timer (one
 * per timer: a periodic timer's later expirations are not queued behind
 * it) and goes out on EOM in order with the posts. An expiration time
 * already past when a timer is started fires during that MSR write.
 *
 * Files: synic.c (MSRs, lifecycle), synic_msg.c (delivery),
 * synic_timer.c (timers), synic_int.h (their shared state).
 */
#ifndef HVSIM_HV_SYNIC_H_
#define HVSIM_HV_SYNIC_H_

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "mmu/mmu.h"

/* Messages a SINT queues behind its busy slot. */
#define SYNIC_QUEUE_MAX 64

struct synic_hooks {
	void *opaque;
	struct physmem *mem; /* the partition's guest-physical space */
	cycles_t (*now)(void *opaque);
	/* Reference time in 100 ns units (TIME_REF_COUNT) at cycle `t`, and
	 * the cycle at which reference time reaches `ref`. */
	uint64_t (*ref_time)(void *opaque, cycles_t t);
	cycles_t (*ref_to_cycles)(void *opaque, uint64_t ref);
	/* An edge-triggered fixed interrupt on the vCPU's local APIC;
	 * auto_eoi: acknowledged without an ISR bit (SINTx.AutoEOI). */
	void (*raise)(void *opaque, uint8_t vector, bool auto_eoi);
	/* Arm timer `stimer` (0..3) to call synic_stimer_expired() at cycle
	 * `when` (replacing an armed one); cancel it. */
	int (*timer_set)(void *opaque, unsigned stimer, cycles_t when);
	void (*timer_cancel)(void *opaque, unsigned stimer);
};

struct synic_stats {
	uint64_t posted;    /* messages accepted (slot or queue) */
	uint64_t delivered; /* messages written into a slot (timers' too) */
	uint64_t queued;    /* of those posted, waited behind a busy slot */
	uint64_t refused;   /* posts refused: INSUFFICIENT_BUFFERS / bad state */
	uint64_t eoms, events, interrupts, stimer_expiries;
};

struct synic;

struct synic *synic_create(const struct synic_hooks *h);
void synic_destroy(struct synic *s); /* cancels its timers */
/* Reset state: SynIC disabled, pages disabled, SINTs masked, timers off,
 * queues emptied. */
void synic_reset(struct synic *s);

/* MSRs SCONTROL..EOM, SINT0..15, STIMER0..3 CONFIG/COUNT. Return 0, -1
 * for #GP (reserved bits, read-only/write-only misuse, a page outside the
 * partition's RAM), or 1 when `msr` is not a SynIC MSR. */
int synic_msr_read(struct synic *s, uint32_t msr, uint64_t *val);
int synic_msr_write(struct synic *s, uint32_t msr, uint64_t val);

/* Post a message (payload of `size` <= 240 bytes) for SINT `sint`.
 * Returns HV_STATUS_SUCCESS (in the slot, or queued), INVALID_PARAMETER
 * (sint/size out of range), INVALID_SYNIC_STATE (SynIC or SIMP disabled),
 * or INSUFFICIENT_BUFFERS (queue full). */
unsigned synic_post_message(struct synic *s, unsigned sint, uint32_t type,
			    const void *payload, unsigned size);
/* Set event flag `flag` of SINT `sint` in the SIEFP page; raises the
 * SINT if the flag was clear. Statuses as above (INVALID_PARAMETER for
 * flag >= 2048). */
unsigned synic_signal_event(struct synic *s, unsigned sint, unsigned flag);
/* Raise SINT `sint`'s vector with no message or flag. */
unsigned synic_assert_sint(struct synic *s, unsigned sint);
/* The hook's timer fired (a stale call does nothing). */
void synic_stimer_expired(struct synic *s, unsigned stimer);

const struct synic_stats *synic_stats(const struct synic *s);
/* The vector SINT `sint` raises now, or -1 (SynIC off, masked, polling,
 * sint out of range): for the trace instrumentation. */
int synic_sint_vector(const struct synic *s, unsigned sint);
/* Debug hook (STYLE.md §5). */
bool synic_check_invariants(const struct synic *s);

#endif
