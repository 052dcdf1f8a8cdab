/*
 * hv/hv_int.h — the hypervisor's private state, shared by hv/hv.c
 * (partitions and vCPUs), hv/sched.c (the scheduler) and hv/exit.c (the
 * exit table). Only the .c files of hv/ include it.
 *
 * Ownership: struct hv owns its pCPUs and partitions; a partition owns its
 * guest-physical space (physmem) and its vCPUs (struct cpu each). A vCPU is
 * on at most one pCPU at a time (`running`).
 */
#ifndef HVSIM_HV_HV_INT_H_
#define HVSIM_HV_HV_INT_H_

#include "hv/hv.h"
#include "sim/evq.h"

struct lapic;
struct synic;
struct hv_ports;
struct hv_workq;

#define HV_MAX_PARTS 64
#define HV_NAME_MAX  64

/* Timers a vCPU owns; each is at most one event on the queue. */
enum hv_vp_timer_id {
	HV_TIMER_LAPIC,
	HV_TIMER_STIMER0, /* ..STIMER3 */
	HV_VP_TIMER_NR = HV_TIMER_STIMER0 + 4
};

struct hv_vp_timer {
	struct hv_vp *vp;
	enum hv_vp_timer_id which;
	evq_id ev; /* 0: not armed */
	cycles_t at;
};

/* An I/O intercept forwarded to the parent (work.c). */
struct hv_pending_io {
	enum { HV_IO_NONE, HV_IO_WAITING, HV_IO_DONE } state;
	bool in;
	uint16_t port;
	int size;
	uint32_t val; /* OUT: the value written; IN: the answer once DONE */
	int status;   /* enum cpu_env_status of the device */
};

struct hv_vp {
	struct hv_part *part;
	unsigned index;
	struct cpu *cpu;
	bool halted;  /* in HLT: off the run queue until an interrupt */
	bool running; /* on a pCPU right now */
	bool dead;    /* shut down (triple fault): never runs again */
	/* Scheduler state (sched.c). */
	cycles_t vtime;	 /* weighted virtual time (stride scheduling) */
	uint64_t period; /* accounting period that `used` belongs to */
	cycles_t used;	 /* cycles run in that period */
	/* Accounting. */
	cycles_t root;	     /* exit handling */
	cycles_t idle;	     /* halted, closed intervals */
	cycles_t halt_since; /* when the open halted interval began */
	cycles_t skipped;    /* clock advanced while off a pCPU */
	uint64_t slices, exits;
	/* Interrupt controllers (vapic.c, synic.c). */
	struct lapic *lapic;
	struct synic *synic;
	uint64_t vp_assist; /* VP_ASSIST_PAGE as written (hvmsr.c) */
	/* Timers of this vCPU on the event queue (timer.c). */
	struct hv_vp_timer timer[HV_VP_TIMER_NR];
	/* A forwarded intercept (work.c): the vCPU waits off the run queue
	 * until the parent's VM Worker completes it. */
	struct hv_pending_io io;
	/* Service work done on this vCPU (a parent vCPU), by ring. */
	cycles_t svc_ring0, svc_ring3;
};

struct hv_part {
	struct hv *hv;
	unsigned id;
	char name[HV_NAME_MAX];
	bool parent;
	bool service; /* vCPUs run service work, not guest code */
	bool runnable;
	unsigned weight, reserve_pct, cap_pct;
	struct physmem *mem;
	struct hv_part_ops ops;
	void *opaque;
	unsigned nr_vps;
	struct hv_vp *vp;
	/* Hyper-V partition-wide MSRs (hvmsr.c). */
	uint64_t guest_os_id, hypercall_msr, ref_tsc_msr;
	uint64_t crash_p[5], crash_ctl;
	bool tsc_invariant;
	cycles_t ref_epoch; /* cycle at which reference time is 0 */
	/* Exits of this partition's vCPUs, by reason (exit.c). */
	uint64_t exit_count[HV_EXIT_NR];
	cycles_t exit_cycles[HV_EXIT_NR];
	/* Service work queued for this partition's vCPUs (work.c); only the
	 * parent's is used. */
	struct hv_workq *workq;
	/* Platform devices (platform.c): the EOI listener (the I/O APIC)
	 * and device interrupts that reached no APIC. */
	hv_eoi_fn *eoi_fn;
	void *eoi_opaque;
	uint64_t irq_dropped;
	/* Interrupt-acceptance observer (hv_observe_intr, vapic.c). */
	hv_intr_observer *intr_obs;
	void *intr_obs_opaque;
};

struct hv_pcpu {
	struct hv *hv;
	unsigned index;
	cycles_t clock;		/* this pCPU's simulated time */
	struct hv_part *loaded; /* partition whose context it holds */
	evq_id event;		/* its queued slice event, or 0 (sched.c) */
	bool in_slice;		/* running a slice now: it looks again after */
	cycles_t switch_cycles; /* partition switches */
	uint64_t slices;
	struct hv_vp *cur;	/* vCPU of the current quantum (sched.c) */
	cycles_t quantum_end;	/* when that quantum ends */
};

struct hv {
	struct hv_config cfg;
	struct evq *q;
	unsigned nr_pcpus;
	struct hv_pcpu pcpu[HV_MAX_PCPUS];
	unsigned nr_parts;
	struct hv_part *part[HV_MAX_PARTS];
	uint64_t exit_count[HV_EXIT_NR];
	cycles_t exit_cycles[HV_EXIT_NR];
	struct hv_ports *ports; /* connections and ports (port.c) */
	struct hv_part *parent; /* the service partition, or NULL */
	struct trace *trace;	/* events recorded, or NULL (hv_set_trace) */
	/* The vCPU in cpu_run / workq_run_slice right now and its pCPU
	 * (sched.c run_slice; hv_current_vp), NULL between slices. */
	struct hv_vp *exec_vp;
	unsigned exec_pcpu;
};

/* ---- exits (exit.c) ----------------------------------------------------- */

/* One exit: the reason and the operands of the intercepted operation. */
struct hv_exit {
	enum hv_exit_reason reason;
	uint16_t port;
	int size;
	uint32_t *in_val; /* IO_IN: where the value read goes */
	uint32_t out_val; /* IO_OUT */
	uint32_t msr;
	uint64_t *msr_val; /* MSR_READ: out; MSR_WRITE: in */
	uint32_t leaf, subleaf;
	uint32_t *regs;		   /* CPUID: eax, ebx, ecx, edx */
	const struct cpu_exit *cx; /* HLT, TRIPLE_FAULT */
	cycles_t lat;		   /* handling latency a handler adds */
	/* Set by a handler when this is the re-run of an exit already
	 * counted and charged (a forwarded I/O completing): not again. */
	bool completion;
};

/* Dispatch through the exit table: run the handler, count the exit and
 * charge its cost (row cost + handler latency) to the vCPU's clock as
 * root-mode time. Returns the handler's enum cpu_env_status. */
int hv_exit_dispatch(struct hv_vp *vp, struct hv_exit *e);
/* Count and charge an exit that does not come through a cpu_env callback
 * (an MMIO intercept): the row's cost plus `lat`, as root-mode time. */
void hv_exit_charge(struct hv_vp *vp, enum hv_exit_reason r, cycles_t lat);
/* An APIC of the partition EOIed a level-triggered vector (platform.c). */
void hv_part_eoi_broadcast(struct hv_part *p, uint8_t vector);
/* A port I/O exit of a partition (work.c): for a child, forwarded to the
 * parent's VM Worker (ENV_RETRY until it completes), else handled by the
 * partition's ops at once. */
int hv_io_intercept(struct hv_vp *vp, struct hv_exit *e);
/* The cpu_env every vCPU gets (its opaque is the hv_vp). */
void hv_exit_env(struct hv_vp *vp, struct cpu_env *env);

/* ---- timers (timer.c) --------------------------------------------------- */

/* The vCPU's notion of now: its own clock while it runs; otherwise the
 * later of its clock and the event queue's (a halted vCPU catches up). */
cycles_t hv_vp_now(const struct hv_vp *vp);
/* Arm (replacing) or cancel one of the vCPU's timers. When it fires, the
 * owner module's expiry function runs (timer.c's table). -1: no memory. */
int hv_vp_timer_set(struct hv_vp *vp, enum hv_vp_timer_id t, cycles_t when);
void hv_vp_timer_cancel(struct hv_vp *vp, enum hv_vp_timer_id t);
/* Earliest armed timer of the vCPU, or EVQ_NEVER (a slice ends there). */
cycles_t hv_vp_next_deadline(const struct hv_vp *vp);
void hv_vp_timers_init(struct hv_vp *vp);
void hv_vp_timers_cancel_all(struct hv_vp *vp);

/* ---- scheduler (sched.c) ------------------------------------------------ */

/* The pCPU slice event. */
void sched_pcpu_event(struct evq *q, void *opaque, cycles_t when);
/* A vCPU became runnable (woken, partition resumed): do not let it bank
 * the time it was away, and have one idle pCPU look at it (sched.c). */
void sched_vp_ready(struct hv_vp *vp);
/* Queue a slice now on every pCPU that has none pending (the start). */
void sched_kick_idle(struct hv *hv);

#endif
