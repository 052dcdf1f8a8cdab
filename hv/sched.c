/*
 * hv/sched.c — the vCPU scheduler: simulated physical CPUs run the vCPUs of
 * all partitions (the parent's included) in time slices.
 *
 * Each pCPU has its own clock; its slices are events on the one event
 * queue, so ties between pCPUs go by insertion order and a run is
 * deterministic. At a slice event at time T the pCPU picks, among the
 * vCPUs that are runnable, not on another pCPU and whose clock is <= T
 * (a vCPU that ran ahead on another pCPU is not there yet):
 *   1. a vCPU below its reserve in the current accounting period, the one
 *      with the lowest used/reserve ratio first (reserve = guaranteed share);
 *   2. otherwise the one with the lowest weighted virtual time (stride
 *      scheduling: a slice of n cycles adds n * 10000 / weight), so CPU time
 *      divides in proportion to the partitions' weights.
 * Cap: a vCPU that used cap% of the period (percent of one pCPU) is
 * throttled until the next period; its slices are cut so the cap is exact.
 * The period is HV_PERIOD_SLICES quanta (hv.c). A vCPU in HLT is off the
 * run queue until an interrupt wakes it, so an idle vCPU costs no slices.
 * A partition switch on a pCPU costs cfg.switch_cost cycles of that pCPU.
 * A vCPU runs its quantum in chunks of at most cfg.sync cycles (10 us of
 * simulated time by default): between chunks the event queue runs, so
 * what other pCPUs did meanwhile (a message, an IPI, a completed I/O) is
 * seen within one chunk instead of one quantum, while the pCPU keeps the
 * vCPU (no pick, no switch) until its quantum ends, it halts, or it
 * blocks. That bounds the skew between pCPUs' clocks to one chunk.
 * A slice also ends at the vCPU's earliest timer (timer.c), so its timer
 * interrupt is taken at the expiry cycle. A service vCPU (the parent's)
 * runs its queued service work (work.c) in its slice instead of guest code.
 * A child vCPU whose I/O intercept was forwarded to the parent's VM Worker
 * (vp->io.state == HV_IO_WAITING) is off the run queue like a halted one,
 * but only the worker's completion makes it runnable, not an interrupt.
 * Model of Hyper-V's classic scheduler knobs (weight/reserve/cap); the
 * algorithm is ours and documented in docs/ARCHITECTURE.md.
 */
#include "hv/hv_int.h"
#include "hv/work.h"
#include "traces/trace.h"

#define VT_SCALE 10000u /* the largest weight: vtime stays integral */

static uint64_t period_of(const struct hv *hv, cycles_t t)
{
	return t / hv->cfg.period;
}

static cycles_t used_in(const struct hv_vp *vp, uint64_t period)
{
	return vp->period == period ? vp->used : 0;
}

static cycles_t cap_cycles(const struct hv *hv, const struct hv_part *p)
{
	return hv->cfg.period * p->cap_pct / 100;
}

/* Can vp start a slice at T? If not yet (ahead, throttled), lowers *wake
 * to when it could. */
static bool eligible(const struct hv_vp *vp, cycles_t T, cycles_t *wake)
{
	const struct hv_part *p = vp->part;
	const struct hv *hv = p->hv;
	uint64_t per = period_of(hv, T);

	if (!p->runnable || vp->halted || vp->dead || vp->running)
		return false;
	if (vp->io.state == HV_IO_WAITING)
		return false; /* blocked on its VM Worker (work.c) */
	if (cpu_cycles(vp->cpu) > T) {
		if (cpu_cycles(vp->cpu) < *wake)
			*wake = cpu_cycles(vp->cpu);
		return false;
	}
	if (p->cap_pct < 100 && used_in(vp, per) >= cap_cycles(hv, p)) {
		if ((per + 1) * hv->cfg.period < *wake)
			*wake = (per + 1) * hv->cfg.period;
		return false;
	}
	return true;
}

/* Scheduling key: class 0 (under reserve) before class 1; lower first. */
static void sched_key(const struct hv_vp *vp, cycles_t T, int *cls,
		      uint64_t *key)
{
	const struct hv_part *p = vp->part;
	cycles_t used = used_in(vp, period_of(p->hv, T));

	if (p->reserve_pct && used < p->hv->cfg.period * p->reserve_pct / 100) {
		*cls = 0;
		*key = used * 100 / p->reserve_pct;
	} else {
		*cls = 1;
		*key = vp->vtime;
	}
}

/* Can pc run a vCPU of p without a partition switch? */
static bool holds_context(const struct hv_pcpu *pc, const struct hv_part *p)
{
	return !pc->loaded || pc->loaded == p;
}

/* Soft affinity: a vCPU that would cost this pCPU a partition switch is
 * left to another pCPU that could run it at T without one (it holds that
 * partition's context or none, is idle and has a slice queued), as a
 * hypervisor keeps VPs on the cores that hold their context; this pCPU
 * looks again at T + 1 in case the other one picked something else.
 * With pCPUs to spare, the parent and a child then stay on their own
 * cores and a forwarded intercept costs no switches. */
static bool leave_to_its_pcpu(const struct hv_pcpu *pc, const struct hv_vp *vp,
			      cycles_t T, cycles_t *wake)
{
	const struct hv *hv = pc->hv;

	if (holds_context(pc, vp->part))
		return false;
	for (unsigned i = 0; i < hv->nr_pcpus; i++) {
		const struct hv_pcpu *q = &hv->pcpu[i];
		if (q != pc && holds_context(q, vp->part) && q->event &&
		    q->clock <= T) {
			if (T + 1 < *wake)
				*wake = T + 1;
			return true;
		}
	}
	return false;
}

static struct hv_vp *pick(struct hv_pcpu *pc, cycles_t T, cycles_t *wake)
{
	struct hv *hv = pc->hv;
	struct hv_vp *best = NULL;
	int best_cls = 2;
	uint64_t best_key = 0;

	for (unsigned i = 0; i < hv->nr_parts; i++) {
		struct hv_part *p = hv->part[i];
		for (unsigned j = 0; j < p->nr_vps; j++) {
			struct hv_vp *vp = &p->vp[j];
			int cls;
			uint64_t key;

			if (!eligible(vp, T, wake) ||
			    leave_to_its_pcpu(pc, vp, T, wake))
				continue;
			sched_key(vp, T, &cls, &key);
			if (cls < best_cls ||
			    (cls == best_cls && key < best_key)) {
				best = vp;
				best_cls = cls;
				best_key = key;
			}
		}
	}
	return best;
}

static cycles_t slice_budget(const struct hv_pcpu *pc, const struct hv_vp *vp,
			     cycles_t T)
{
	const struct hv *hv = pc->hv;
	cycles_t budget = pc->quantum_end > T ? pc->quantum_end - T : 1;
	uint64_t per = period_of(hv, T);

	cycles_t deadline = hv_vp_next_deadline(vp);

	/* A partition switch may already have taken T past the limit. */
	if (hv->cfg.stop_at && T >= hv->cfg.stop_at)
		return 0;
	if (hv->cfg.stop_at && hv->cfg.stop_at - T < budget)
		budget = hv->cfg.stop_at - T;
	if (deadline > T && deadline - T < budget)
		budget = deadline - T;
	if (hv->cfg.sync < budget)
		budget = hv->cfg.sync;
	if (vp->part->cap_pct < 100) {
		cycles_t left = cap_cycles(hv, vp->part) - used_in(vp, per);
		cycles_t to_end = (per + 1) * hv->cfg.period - T;
		if (left < budget)
			budget = left;
		if (to_end < budget)
			budget = to_end;
	}
	return budget;
}

/* Charge a slice that ran [start, end) to the vCPU's share. */
static void charge_slice(struct hv_vp *vp, cycles_t start, cycles_t end)
{
	uint64_t per = period_of(vp->part->hv, start);
	cycles_t ran = end - start;

	if (vp->period != per) {
		vp->period = per;
		vp->used = 0;
	}
	vp->used += ran;
	vp->vtime += ran * VT_SCALE / vp->part->weight;
	vp->slices++;
}

static void after_run(struct hv_vp *vp, const struct cpu_exit *ex)
{
	struct hv_exit e = {.cx = ex};

	switch (ex->reason) {
	case CPU_EXIT_HLT:
		e.reason = HV_EXIT_HLT;
		hv_exit_dispatch(vp, &e);
		vp->halt_since = cpu_cycles(vp->cpu); /* after the exit */
		break;
	case CPU_EXIT_TRIPLE_FAULT:
		e.reason = HV_EXIT_TRIPLE_FAULT;
		hv_exit_dispatch(vp, &e);
		break;
	case CPU_EXIT_BUDGET:
	case CPU_EXIT_STOP:
		break;
	}
}

/* A slice as a trace record on the pCPU's lane (sched_switch). */
static void trace_slice(const struct hv_pcpu *pc, const struct hv_vp *vp,
			cycles_t start, cycles_t end)
{
	struct trace_rec rec = {
	    .cycle = start,
	    .kind = TK_SCHED_SWITCH,
	    .part = (uint16_t)vp->part->id,
	    .vp = (uint16_t)pc->index,
	    .arg0 = vp->index,
	    .arg1 = end - start,
	};

	trace_emit(pc->hv->trace, &rec);
}

/* Run vp for one chunk: at most the sync interval, within its quantum
 * (a new pick starts a new quantum). */
static void run_slice(struct hv_pcpu *pc, struct hv_vp *vp, bool new_quantum)
{
	struct hv *hv = pc->hv;
	struct cpu *c = vp->cpu;
	cycles_t start;
	struct cpu_exit ex;

	if (pc->loaded && pc->loaded != vp->part) {
		pc->clock += hv->cfg.switch_cost;
		pc->switch_cycles += hv->cfg.switch_cost;
	}
	pc->loaded = vp->part;
	start = pc->clock;
	if (new_quantum)
		pc->quantum_end = start + hv->cfg.quantum;
	if (start > cpu_cycles(c)) {
		vp->skipped += start - cpu_cycles(c);
		cpu_advance_clock(c, start - cpu_cycles(c));
	}
	vp->running = true;
	pc->in_slice = true;
	hv->exec_vp = vp;
	hv->exec_pcpu = pc->index;
	if (vp->part->service) {
		workq_run_slice(vp, slice_budget(pc, vp, start));
		hv->exec_vp = NULL;
		vp->running = false;
		if (vp->halted)
			vp->halt_since = cpu_cycles(c);
	} else {
		ex = cpu_run(c, slice_budget(pc, vp, start));
		hv->exec_vp = NULL;
		vp->running = false;
		after_run(vp, &ex);
	}
	charge_slice(vp, start, cpu_cycles(c));
	trace_slice(pc, vp, start, cpu_cycles(c));
	pc->slices++;
	pc->clock = cpu_cycles(c);
	pc->in_slice = false;
}

/* Queue pc's slice event at `when`. Only a pCPU with none queued and not
 * in a slice gets one, so a pCPU has one event at most. */
static void queue_slice(struct hv_pcpu *pc, cycles_t when)
{
	pc->event = evq_schedule(pc->hv->q, when, sched_pcpu_event, pc);
}

void sched_pcpu_event(struct evq *q, void *opaque, cycles_t when)
{
	struct hv_pcpu *pc = opaque;
	struct hv *hv = pc->hv;
	cycles_t wake = EVQ_NEVER;
	struct hv_vp *vp;

	(void)q;
	pc->event = 0; /* spent (evq.h) */
	if (when > pc->clock)
		pc->clock = when;
	if (hv->cfg.stop_at && pc->clock >= hv->cfg.stop_at)
		return;
	/* The vCPU in the middle of its quantum goes on (no pick, no
	 * switch); else a new pick starts a quantum. */
	if (pc->cur && pc->clock < pc->quantum_end &&
	    eligible(pc->cur, pc->clock, &wake)) {
		run_slice(pc, pc->cur, false);
		queue_slice(pc, pc->clock);
		return;
	}
	vp = pc->cur = pick(pc, pc->clock, &wake);
	if (!vp) {
		/* Nothing to run now: wait for the earliest vCPU that will be
		 * ready, or sleep until a wake-up kicks it (kick_for). */
		if (wake != EVQ_NEVER)
			queue_slice(pc, wake);
		return;
	}
	run_slice(pc, vp, true);
	queue_slice(pc, pc->clock);
}

void sched_kick_idle(struct hv *hv)
{
	cycles_t now = evq_now(hv->q);

	for (unsigned i = 0; i < hv->nr_pcpus; i++) {
		struct hv_pcpu *pc = &hv->pcpu[i];
		if (!pc->event)
			queue_slice(pc, pc->clock > now ? pc->clock : now);
	}
}

/* The earliest time pc could start vp: not before its own clock, the
 * event queue's now, or the vCPU's clock (it may have run ahead). */
static cycles_t start_time(const struct hv_pcpu *pc, const struct hv_vp *vp,
			   cycles_t now)
{
	cycles_t t = pc->clock > now ? pc->clock : now;

	return cpu_cycles(vp->cpu) > t ? cpu_cycles(vp->cpu) : t;
}

/* vp became runnable: have one idle pCPU look at it, the one that could
 * start it first (ties: one holding its partition's context, then the
 * lowest index), at that time. Idle: not in a slice (that pCPU looks again
 * when its slice ends) and no slice queued (it looks then). Waking every
 * idle pCPU instead cost an event each that found nothing to run, as did
 * kicking the pCPU whose slice made the call (a second chain of events
 * for that pCPU). */
static void kick_for(struct hv_vp *vp)
{
	struct hv *hv = vp->part->hv;
	cycles_t now = evq_now(hv->q), best_t = 0;
	struct hv_pcpu *best = NULL;
	bool best_holds = false;

	for (unsigned i = 0; i < hv->nr_pcpus; i++) {
		struct hv_pcpu *pc = &hv->pcpu[i];
		cycles_t t = start_time(pc, vp, now);
		bool holds = holds_context(pc, vp->part);

		if (pc->in_slice || pc->event)
			continue;
		if (!best || t < best_t ||
		    (t == best_t && holds && !best_holds)) {
			best = pc;
			best_t = t;
			best_holds = holds;
		}
	}
	if (best)
		queue_slice(best, best_t);
}

void sched_vp_ready(struct hv_vp *vp)
{
	struct hv *hv = vp->part->hv;
	bool any = false;
	cycles_t min = 0;

	/* Start at the lowest virtual time of the others, so time spent
	 * halted or paused is not banked as credit. */
	for (unsigned i = 0; i < hv->nr_parts; i++) {
		const struct hv_part *p = hv->part[i];
		for (unsigned j = 0; p->runnable && j < p->nr_vps; j++) {
			const struct hv_vp *o = &p->vp[j];
			if (o == vp || o->halted || o->dead)
				continue;
			if (!any || o->vtime < min)
				min = o->vtime;
			any = true;
		}
	}
	if (any && vp->vtime < min)
		vp->vtime = min;
	kick_for(vp);
}
