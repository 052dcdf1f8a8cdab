/*
 * tests/unit/hv/synic_harness.h — a SynIC (hv/synic.h) on a real physmem
 * and a real event queue, with hook doubles that record every raised
 * vector and every armed timer. Time: the queue's clock is the cycle
 * counter, `freq` cycles per second (1 GHz unless told: 100 cycles per
 * 100 ns reference unit). Shared by test_synic.c and test_stimer.c.
 */
#ifndef HVSIM_TESTS_SYNIC_HARNESS_H_
#define HVSIM_TESTS_SYNIC_HARNESS_H_

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hvdefs.h"
#include "hv/synic.h"
#include "sim/evq.h"

#define SH_RAM	   (1ull << 20)
#define SH_SIMP	   0x10000ull
#define SH_SIEFP   0x11000ull
#define SH_MAX_REC 512

struct sh_raise {
	uint8_t vector;
	bool auto_eoi;
	cycles_t at;
};

struct sh;
/* The opaque of a timer event: which harness, which timer. */
struct sh_tev {
	struct sh *h;
	unsigned i;
};

struct sh {
	struct evq *q;
	struct physmem *mem;
	struct synic *s;
	uint64_t freq;
	cycles_t late;	    /* every timer event runs this many cycles late */
	cycles_t late_once; /* and the next one this many more */
	struct sh_raise r[SH_MAX_REC];
	int nr;
	evq_id ev[HV_SYNIC_STIMER_COUNT];
	cycles_t armed_at[HV_SYNIC_STIMER_COUNT]; /* EVQ_NEVER: not armed */
	int nset, ncancel;
	cycles_t fired_at[SH_MAX_REC]; /* timer events run, any timer */
	int nfired;
	struct sh_tev tev[HV_SYNIC_STIMER_COUNT];
};

static inline cycles_t sh_now(void *o)
{
	return evq_now(((struct sh *)o)->q);
}

static inline uint64_t sh_ref_time(void *o, cycles_t t)
{
	return (uint64_t)((unsigned __int128)t * HV_REF_HZ /
			  ((struct sh *)o)->freq);
}

/* Rounds down, like hv.c's: the SynIC must cope with that. */
static inline cycles_t sh_ref_to_cycles(void *o, uint64_t ref)
{
	unsigned __int128 c = (unsigned __int128)ref * ((struct sh *)o)->freq;

	c /= HV_REF_HZ;
	return c >= EVQ_NEVER ? EVQ_NEVER - 1 : (cycles_t)c;
}

static inline void sh_raise_fn(void *o, uint8_t vector, bool auto_eoi)
{
	struct sh *h = o;

	if (h->nr < SH_MAX_REC)
		h->r[h->nr++] = (struct sh_raise){vector, auto_eoi, evq_now(h->q)};
}

static inline void sh_timer_event(struct evq *q, void *o, cycles_t when)
{
	struct sh_tev *e = o;
	struct sh *h = e->h;

	(void)q;
	h->ev[e->i] = 0;
	h->armed_at[e->i] = EVQ_NEVER;
	if (h->nfired < SH_MAX_REC)
		h->fired_at[h->nfired++] = when;
	synic_stimer_expired(h->s, e->i);
}

static inline void sh_timer_cancel(void *o, unsigned i)
{
	struct sh *h = o;

	cr_assert_lt(i, HV_SYNIC_STIMER_COUNT);
	h->ncancel++;
	if (h->ev[i])
		evq_cancel(h->q, h->ev[i]);
	h->ev[i] = 0;
	h->armed_at[i] = EVQ_NEVER;
}

static inline int sh_timer_set(void *o, unsigned i, cycles_t when)
{
	struct sh *h = o;

	cr_assert_lt(i, HV_SYNIC_STIMER_COUNT);
	cr_assert_geq(when, evq_now(h->q), "never armed in the past");
	if (h->ev[i])
		evq_cancel(h->q, h->ev[i]);
	h->nset++;
	h->armed_at[i] = when;
	when += h->late_once;
	h->late_once = 0;
	h->ev[i] = evq_schedule(h->q, when + h->late,
				sh_timer_event,
				&h->tev[i]);
	return h->ev[i] ? 0 : -1;
}

static inline struct sh *sh_new_freq(uint64_t freq)
{
	struct sh *h = calloc(1, sizeof(*h));

	cr_assert_not_null(h);
	h->freq = freq;
	h->q = evq_create();
	h->mem = physmem_create(SH_RAM);
	cr_assert(h->q && h->mem);
	for (unsigned i = 0; i < HV_SYNIC_STIMER_COUNT; i++) {
		h->armed_at[i] = EVQ_NEVER;
		h->tev[i] = (struct sh_tev){h, i};
	}
	struct synic_hooks hooks = {.opaque = h,
				    .mem = h->mem,
				    .now = sh_now,
				    .ref_time = sh_ref_time,
				    .ref_to_cycles = sh_ref_to_cycles,
				    .raise = sh_raise_fn,
				    .timer_set = sh_timer_set,
				    .timer_cancel = sh_timer_cancel};
	h->s = synic_create(&hooks);
	cr_assert_not_null(h->s);
	return h;
}

static inline struct sh *sh_new(void)
{
	return sh_new_freq(1000000000ull);
}

static inline void sh_free(struct sh *h)
{
	cr_assert(synic_check_invariants(h->s));
	synic_destroy(h->s);
	for (unsigned i = 0; i < HV_SYNIC_STIMER_COUNT; i++)
		cr_assert_null(h->ev[i], "destroy cancels timer %u", i);
	physmem_destroy(h->mem);
	evq_destroy(h->q);
	free(h);
}

static inline void sh_wr(struct sh *h, uint32_t msr, uint64_t v)
{
	cr_assert_eq(0, synic_msr_write(h->s, msr, v), "wrmsr %#x <- %#llx",
		     msr, (unsigned long long)v);
}

static inline uint64_t sh_rd(struct sh *h, uint32_t msr)
{
	uint64_t v = 0;

	cr_assert_eq(0, synic_msr_read(h->s, msr, &v), "rdmsr %#x", msr);
	return v;
}

static inline uint64_t sh_ref_now(struct sh *h)
{
	return sh_ref_time(h, evq_now(h->q));
}

/* SIMP, SIEFP, SCONTROL enabled; SINT `sint` unmasked at `vector`. */
static inline void sh_enable(struct sh *h, unsigned sint, uint8_t vector)
{
	sh_wr(h, HV_MSR_SIMP, SH_SIMP | HV_MSR_ENABLE);
	sh_wr(h, HV_MSR_SIEFP, SH_SIEFP | HV_MSR_ENABLE);
	sh_wr(h, HV_MSR_SINT0 + sint, vector);
	sh_wr(h, HV_MSR_SCONTROL, 1);
}

/* Little-endian fields of the SIMP slot of `sint`. */
static inline uint64_t sh_slot(struct sh *h, unsigned sint, unsigned off,
			       int size)
{
	return physmem_read(h->mem, SH_SIMP + sint * HV_MESSAGE_SIZE + off,
			    size);
}

static inline uint32_t sh_slot_type(struct sh *h, unsigned sint)
{
	return (uint32_t)sh_slot(h, sint, 0, 4);
}

static inline bool sh_slot_pending(struct sh *h, unsigned sint)
{
	return sh_slot(h, sint, 5, 1) & HV_MESSAGE_FLAG_PENDING;
}

/* What the guest does with a message: free the slot, EOM if pending. */
static inline void sh_consume(struct sh *h, unsigned sint)
{
	bool pending = sh_slot_pending(h, sint);

	physmem_write(h->mem, SH_SIMP + sint * HV_MESSAGE_SIZE, 4, 0);
	if (pending)
		sh_wr(h, HV_MSR_EOM, 0);
}

#endif
