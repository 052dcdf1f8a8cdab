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

#define HV_MAX_PARTS 64
#define HV_NAME_MAX  64

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
};

struct hv_part {
	struct hv *hv;
	unsigned id;
	char name[HV_NAME_MAX];
	bool parent;
	bool runnable;
	unsigned weight, reserve_pct, cap_pct;
	struct physmem *mem;
	struct hv_part_ops ops;
	void *opaque;
	unsigned nr_vps;
	struct hv_vp *vp;
};

struct hv_pcpu {
	struct hv *hv;
	unsigned index;
	cycles_t clock;		/* this pCPU's simulated time */
	struct hv_part *loaded; /* partition whose context it holds */
	bool event_pending;	/* a slice event is queued */
	cycles_t switch_cycles; /* partition switches */
	uint64_t slices;
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
};

/* Dispatch through the exit table: run the handler, count the exit and
 * charge its cost (row cost + handler latency) to the vCPU's clock as
 * root-mode time. Returns the handler's enum cpu_env_status. */
int hv_exit_dispatch(struct hv_vp *vp, struct hv_exit *e);
/* The cpu_env every vCPU gets (its opaque is the hv_vp). */
void hv_exit_env(struct hv_vp *vp, struct cpu_env *env);

/* ---- scheduler (sched.c) ------------------------------------------------ */

/* The pCPU slice event. */
void sched_pcpu_event(struct evq *q, void *opaque, cycles_t when);
/* A vCPU became runnable (woken, partition resumed): do not let it bank
 * the time it was away, and wake idle pCPUs. */
void sched_vp_ready(struct hv_vp *vp);
/* Queue a slice now on every pCPU that has none pending. */
void sched_kick_idle(struct hv *hv);

#endif
