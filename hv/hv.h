/*
 * hv/hv.h — the hypervisor: partitions as the hypervisor sees them (their
 * guest-physical space and vCPUs), the scheduler that runs vCPUs on the
 * simulated physical CPUs, and the exits from guest mode to root mode.
 *
 * hv/ owns every core's `struct cpu_env`: each intercept goes through the
 * exit table (hv/exit.c), which counts it, charges its modeled cost to the
 * vCPU as root-mode time and hands I/O to the partition's callbacks, which
 * partitions/ registers (hv/ never includes partitions/). Time comes from
 * the one event queue (sim/evq.h): each physical CPU's slices are events.
 */
#ifndef HVSIM_HV_HV_H_
#define HVSIM_HV_HV_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/cpu.h"

struct evq;
struct hv;
struct hv_part;

#define HV_MAX_PCPUS 64
#define HV_MAX_VPS   64 /* per partition */

struct hv_config {
	unsigned pcpus;	      /* simulated physical CPUs */
	cycles_t quantum;     /* scheduler time slice */
	cycles_t stop_at;     /* no slice runs past this cycle; 0 = none */
	cycles_t switch_cost; /* partition switch on a pCPU; see hv.c */
	cycles_t period;      /* cap/reserve accounting period; 0 = auto */
	uint64_t freq_hz;     /* core clock: TSC and reference time; 0 = 2.5 GHz */
	/* Longest run of a vCPU between two looks at the event queue (the
	 * skew between pCPUs); 0 = 10 us of simulated time. */
	cycles_t sync;
};

/* Scheduler knobs: Hyper-V's classic weight / reserve / cap (scenario.h). */
struct hv_part_config {
	const char *name;
	bool parent;
	unsigned vcpus;
	uint64_t mem_bytes;
	unsigned weight;      /* 1..10000 */
	unsigned reserve_pct; /* 0..100 of one pCPU per vCPU */
	unsigned cap_pct;     /* 1..100 of one pCPU per vCPU */
	/* The parent's vCPUs run no guest code: they run the parent's
	 * service work (hv_submit_work) and are halted otherwise. */
	bool service;
};

/* What partitions/ does for a partition's exits. Pointers may be NULL.
 * I/O handlers return an enum cpu_env_status and add the device's latency
 * to *lat; the exit table adds the intercept cost. */
struct hv_part_ops {
	int (*io_in)(void *opaque, uint16_t port, int size, uint32_t *val,
		     cycles_t *lat);
	int (*io_out)(void *opaque, uint16_t port, int size, uint32_t val,
		      cycles_t *lat);
	/* A vCPU shut down (triple fault); the hypervisor stopped the VP. */
	void (*triple_fault)(void *opaque, unsigned vp,
			     const struct cpu_exit *ex);
	/* The guest reported a crash through the crash MSRs (CRASH_CTL
	 * notify): p[0..4] are P0..P4, msg the text it pointed at ("" if
	 * none), already checked to lie in the partition's RAM. */
	void (*guest_crash)(void *opaque, unsigned vp, const uint64_t p[5],
			    const char *msg);
};

/* Exit reasons (the rows of hv/exit.c's table). */
enum hv_exit_reason {
	HV_EXIT_IO_IN,
	HV_EXIT_IO_OUT,
	HV_EXIT_CPUID,
	HV_EXIT_MSR_READ,
	HV_EXIT_MSR_WRITE,
	HV_EXIT_VMCALL,
	HV_EXIT_HLT,
	HV_EXIT_TRIPLE_FAULT,
	HV_EXIT_MMIO, /* an access to an intercepted MMIO page */
	HV_EXIT_NR
};

/* Per-vCPU time, in cycles (see hv_vp_stats). */
struct hv_vp_stats {
	cycles_t ring3, ring0; /* guest execution at CPL 3 / CPL 0-2 */
	cycles_t root;	       /* exit handling in root mode */
	cycles_t idle;	       /* halted, waiting for an interrupt */
	cycles_t wait;	       /* runnable but not on a pCPU */
	uint64_t instret, slices, exits;
};

struct hv *hv_create(const struct hv_config *cfg, struct evq *q);
void hv_destroy(struct hv *hv);

/* A new partition (state: not runnable until hv_part_set_runnable). NULL
 * when out of memory. Its vCPUs are in reset state. */
struct hv_part *hv_part_create(struct hv *hv, const struct hv_part_config *pc,
			       const struct hv_part_ops *ops, void *opaque);
unsigned hv_part_id(const struct hv_part *p);
const char *hv_part_name(const struct hv_part *p);
bool hv_part_is_parent(const struct hv_part *p);
struct physmem *hv_part_mem(struct hv_part *p);
unsigned hv_part_nr_vps(const struct hv_part *p);
struct cpu *hv_part_cpu(struct hv_part *p, unsigned vp);
/* Let the scheduler run the partition's non-halted vCPUs (true), or take
 * them off the pCPUs at the next instruction boundary (false: paused or
 * stopped). */
void hv_part_set_runnable(struct hv_part *p, bool runnable);
/* A vCPU's INTR line; a halted vCPU with IF=1 wakes when it goes high. */
void hv_vp_set_intr_line(struct hv_part *p, unsigned vp, bool high);
void hv_vp_stats(const struct hv_part *p, unsigned vp, struct hv_vp_stats *out);
/* Reset a child partition (hv/reset.c): its vCPUs to power-on state (not
 * runnable until hv_part_set_runnable), timers, SynIC, APIC, Hyper-V MSRs,
 * connections and a pending forwarded I/O dropped, RAM zeroed. -1 for a
 * service partition. */
int hv_part_reset(struct hv_part *p);

/* Queue the first slice of every pCPU. -1 when out of memory. */
int hv_start(struct hv *hv);
/* vCPUs that are running or could run (a halted vCPU with no way to be
 * woken and the vCPUs of non-runnable partitions do not count). */
unsigned hv_nr_runnable(const struct hv *hv);
/* hv_nr_runnable(hv) != 0, cheaply when some vCPU is awake (the main loop
 * asks before every event). */
bool hv_any_runnable(const struct hv *hv);
/* Simulated time: the latest pCPU clock. */
cycles_t hv_now(const struct hv *hv);
/* Cycles a pCPU spent on partition switches. */
cycles_t hv_pcpu_switch_cycles(const struct hv *hv, unsigned pcpu);

/* Exit statistics and the exit table's names and costs. */
uint64_t hv_exit_count(const struct hv *hv, enum hv_exit_reason r);
cycles_t hv_exit_cycles(const struct hv *hv, enum hv_exit_reason r);
const char *hv_exit_name(enum hv_exit_reason r);
cycles_t hv_exit_cost(enum hv_exit_reason r);
/* The end-of-run tables: per-vCPU time, then exits (like perf kvm stat). */
void hv_print_stats(const struct hv *hv, FILE *f);

/* Record the hypervisor's events (exits, hypercalls, scheduling) in a
 * trace (traces/trace.h); NULL stops recording. */
struct trace;
void hv_set_trace(struct hv *hv, struct trace *t);

/* Exits of one partition's vCPUs (management API statistics). */
uint64_t hv_part_exit_count(const struct hv_part *p, enum hv_exit_reason r);
cycles_t hv_part_exit_cycles(const struct hv_part *p, enum hv_exit_reason r);

/* ---- the parent's service work (hv/work.c) -------------------------------
 * The parent's services (VM Worker, VSPs) are native code, but their work
 * runs on the parent's simulated vCPUs: a work item runs when the scheduler
 * gives a parent vCPU a slice, not before `not_before`, and `cost` cycles
 * of that vCPU are charged to ring `ring` (0: kernel-mode VSP/driver, 3:
 * user-mode VM Worker/Service). fn runs when the item completes, with the
 * cycle it completed at; `data` (len bytes) is copied. With no service
 * partition the item runs at once. Returns 0, or -1 when out of memory. */
typedef void hv_work_fn(void *opaque, const void *data, size_t len,
			cycles_t now);
int hv_submit_work(struct hv *hv, hv_work_fn *fn, void *opaque,
		   const void *data, size_t len, cycles_t cost, int ring,
		   cycles_t not_before);

/* ---- ports and connections (hv/port.c) -----------------------------------
 * A connection id is what a partition names in HvPostMessage /
 * HvSignalEvent; each partition has its own connection ids. A connection
 * leads to a port: either a SynIC of a vCPU of some partition (message:
 * its SINT slot; event: its SINT's flag base_flag + the flag number the
 * caller gives), or a host handler that the parent's services own (called
 * on a parent vCPU through hv_submit_work, at the given cost). Return
 * values are HV_STATUS_* (hv/hvdefs.h). */
typedef unsigned hv_msg_handler(void *opaque, struct hv_part *from,
				unsigned from_vp, uint32_t type,
				const void *payload, unsigned size);
typedef unsigned hv_event_handler(void *opaque, struct hv_part *from,
				  unsigned from_vp, unsigned flag);

unsigned hv_connect_msg_to_vp(struct hv_part *from, uint32_t conn_id,
			      struct hv_part *to, unsigned vp, unsigned sint);
unsigned hv_connect_event_to_vp(struct hv_part *from, uint32_t conn_id,
				struct hv_part *to, unsigned vp, unsigned sint,
				unsigned base_flag);
unsigned hv_connect_msg_to_host(struct hv_part *from, uint32_t conn_id,
				hv_msg_handler *fn, void *opaque,
				cycles_t cost);
unsigned hv_connect_event_to_host(struct hv_part *from, uint32_t conn_id,
				  hv_event_handler *fn, void *opaque,
				  cycles_t cost);
unsigned hv_disconnect(struct hv_part *from, uint32_t conn_id);

/* Host software (the parent's services) posting into a guest's SynIC. */
unsigned hv_post_message(struct hv_part *to, unsigned vp, unsigned sint,
			 uint32_t type, const void *payload, unsigned size);
unsigned hv_signal_event(struct hv_part *to, unsigned vp, unsigned sint,
			 unsigned flag);
/* Raise SINT `sint` of a vCPU (its vector, unless masked): an interrupt
 * with no message and no flag (hyperv-testdev's "assert SINT route"). */
unsigned hv_assert_sint(struct hv_part *to, unsigned vp, unsigned sint);

/* ---- instrumentation (traces) -------------------------------------------
 * Observers see what the hypervisor does without changing it: they are
 * called synchronously, must not call back into the simulation, and cost
 * no simulated time. The VMBus trace stages (vmbus/instrument.c) use them.
 */

/* The vCPU running right now — guest code, or a parent vCPU's service
 * work — and its physical CPU; false outside a slice (host code run from
 * an event, a test). Any pointer may be NULL. */
bool hv_current_vp(const struct hv *hv, struct hv_part **part, unsigned *vp,
		   unsigned *pcpu);

/* A host event connection (hv_connect_event_to_host), observed. */
enum hv_obs_step {
	HV_OBS_SIGNAL,	/* a vCPU of `from` signalled it (HvSignalEvent),
			   also when the signal coalesced with a queued one */
	HV_OBS_DELIVER, /* a parent vCPU starts the handler's work item */
};
struct hv_obs {
	enum hv_obs_step step;
	unsigned vp;   /* SIGNAL: the caller's vCPU; DELIVER: the parent's
			  vCPU (0 with no parent partition) */
	unsigned pcpu; /* the physical CPU it runs on (0 if none runs) */
	cycles_t now;  /* that vCPU's clock */
};
typedef void hv_event_observer(void *opaque, const struct hv_obs *o);
/* Observe connection conn_id of `from` (fn NULL: stop observing). The
 * observer goes with the connection. HV_STATUS_SUCCESS,
 * INVALID_CONNECTION_ID, or INVALID_PORT_ID for a connection that is not
 * a host event port. */
unsigned hv_observe_event(struct hv_part *from, uint32_t conn_id,
			  hv_event_observer *fn, void *opaque);

/* Interrupt acceptance: fn(opaque, vp, vector, now) each time a vCPU of p
 * takes an external interrupt from its local APIC (at its clock, as the
 * vector goes into service). One observer per partition; NULL removes it. */
typedef void hv_intr_observer(void *opaque, unsigned vp, unsigned vector,
			      cycles_t now);
void hv_observe_intr(struct hv_part *p, hv_intr_observer *fn, void *opaque);
/* The vector SINT `sint` of vCPU `vp` raises now (its SINTx register), or
 * -1 when it raises none (masked, polling, no such vCPU/SINT). */
int hv_vp_sint_vector(struct hv_part *p, unsigned vp, unsigned sint);

/* The partition's clock frequency and reference time (100 ns units since
 * the partition started), as TIME_REF_COUNT reads it. */
uint64_t hv_freq_hz(const struct hv *hv);
uint64_t hv_part_ref_time(const struct hv_part *p, cycles_t now);

/* ---- platform devices (hv/platform.c) ------------------------------------
 * What the VM Worker's I/O APIC, PIT, RTC and PM block use. */
/* The partition's time as its devices see it: the latest of its vCPUs'
 * clocks (monotonic; for one vCPU, the time of the access it makes). */
cycles_t hv_part_now(const struct hv_part *p);
/* The event queue, for device timers (sim/evq.h). */
struct evq *hv_evq(struct hv *hv);
/* An interrupt message (I/O APIC redirection entry or MSI): to the local
 * APICs that dest/dest_mode select (lapic_match_dest). delivery: 0 fixed,
 * 1 lowest priority; others are dropped. level sets the TMR bit, so the
 * APIC's EOI comes back through the EOI listener. Returns how many APICs
 * took it (0: dropped, counted). */
struct hv_irq_msg {
	uint32_t dest;
	int dest_mode; /* 0 physical, 1 logical */
	int delivery;  /* enum lapic_delivery */
	uint8_t vector;
	bool level;
};
unsigned hv_part_deliver_irq(struct hv_part *p, const struct hv_irq_msg *m);
/* Called with the vector when any of the partition's APICs EOIs a
 * level-triggered interrupt (the I/O APIC's EOI broadcast). */
typedef void hv_eoi_fn(void *opaque, uint8_t vector);
void hv_part_set_eoi_listener(struct hv_part *p, hv_eoi_fn *fn, void *opaque);
/* Charge an MMIO exit to the partition's running vCPU (a device page
 * emulated synchronously, like the xAPIC page). */
void hv_part_charge_mmio(struct hv_part *p);

#endif
