/*
 * hv/hv.c — the hypervisor object: its physical CPUs, the partition table
 * and each partition's guest-physical space and vCPUs; the end-of-run
 * statistics tables.
 *
 * Second-level address translation: each partition gets its own physmem,
 * which maps only that partition's RAM (GPA 0..mem_bytes) and the MMIO its
 * devices register; every other GPA is open bus (reads all ones, writes
 * dropped, mmu/mmu.h). A vCPU's page walks and accesses go through its own
 * partition's physmem only, so a child can never reach another partition's
 * memory. The hypervisor's overlay pages (hypercall page, SynIC message
 * and event pages, reference TSC page) are written into the partition's
 * own RAM at the page the guest chose (hvmsr.c, synic.c).
 * Each vCPU gets a local APIC (vapic.c) and a SynIC (synic.c) whose hooks
 * are below; each partition a service work queue (work.c) when its vCPUs
 * run the parent's services instead of guest code.
 *
 * Spec: Hyper-V TLFS "Partitions" and "Virtual Processors" (concepts only).
 * Called by partitions/ (create, run state) and sim/ (start, statistics).
 */
#include <stdlib.h>
#include <string.h>

#include "hv/hv_int.h"
#include "hv/hvdefs.h"
#include "hv/hvmsr.h"
#include "hv/port.h"
#include "hv/synic.h"
#include "hv/vapic.h"
#include "hv/work.h"
#include "mmu/mmu.h"

/*
 * Partition switch on a core: 5,000 cycles (../shared/reference/
 * performance.md §7, "VM (partition) switch on a core", after Dall et al.
 * ISCA'16, x86 VM switch ≈5 k).
 */
#define HV_SWITCH_CYCLES 5000
/* Cap/reserve accounting period, in slices (see sched.c). */
#define HV_PERIOD_SLICES 10
/* The pCPUs look at each other every 10 us of simulated time at most
 * (sched.c): cross-vCPU effects are seen within that. Ours, chosen so a
 * VMBus round trip (performance.md §7: ~20 us) is not dominated by it,
 * while a CPU-bound vCPU still runs ~25,000 cycles per chunk. */
#define HV_SYNC_PER_SECOND 100000
/* Core clock when the configuration gives none (scenario.h's default). */
#define HV_DEFAULT_FREQ_HZ 2500000000ull

struct hv *hv_create(const struct hv_config *cfg, struct evq *q)
{
	struct hv *hv;

	if (!cfg->pcpus || cfg->pcpus > HV_MAX_PCPUS || !cfg->quantum)
		return NULL;
	hv = calloc(1, sizeof(*hv));
	if (!hv)
		return NULL;
	hv->cfg = *cfg;
	if (!hv->cfg.freq_hz)
		hv->cfg.freq_hz = HV_DEFAULT_FREQ_HZ;
	if (!hv->cfg.sync)
		hv->cfg.sync = hv->cfg.freq_hz / HV_SYNC_PER_SECOND;
	if (hv->cfg.sync > hv->cfg.quantum)
		hv->cfg.sync = hv->cfg.quantum;
	if (!(hv->ports = hv_ports_create())) {
		free(hv);
		return NULL;
	}
	if (!hv->cfg.period)
		hv->cfg.period = HV_PERIOD_SLICES * cfg->quantum;
	if (!hv->cfg.switch_cost)
		hv->cfg.switch_cost = HV_SWITCH_CYCLES;
	hv->q = q;
	hv->nr_pcpus = cfg->pcpus;
	for (unsigned i = 0; i < cfg->pcpus; i++) {
		hv->pcpu[i].hv = hv;
		hv->pcpu[i].index = i;
	}
	return hv;
}

static void part_destroy(struct hv_part *p)
{
	for (unsigned i = 0; p->vp && i < p->nr_vps; i++) {
		struct hv_vp *vp = &p->vp[i];

		if (vp->part)
			hv_vp_timers_cancel_all(vp);
		if (vp->synic)
			synic_destroy(vp->synic);
		vapic_destroy(vp);
		if (vp->cpu)
			cpu_destroy(vp->cpu);
	}
	free(p->vp);
	workq_destroy(p->workq);
	physmem_destroy(p->mem);
	free(p);
}

void hv_destroy(struct hv *hv)
{
	if (!hv)
		return;
	for (unsigned i = 0; i < hv->nr_parts; i++)
		part_destroy(hv->part[i]);
	hv_ports_destroy(hv->ports);
	free(hv);
}

/* ---- SynIC hooks: a vCPU's SynIC reaches the rest through these ---------- */

static cycles_t synic_now(void *opaque)
{
	return hv_vp_now(opaque);
}

static uint64_t synic_ref_time(void *opaque, cycles_t t)
{
	const struct hv_vp *vp = opaque;

	return hv_part_ref_time(vp->part, t);
}

static cycles_t synic_ref_to_cycles(void *opaque, uint64_t ref)
{
	const struct hv_vp *vp = opaque;
	const struct hv_part *p = vp->part;
	unsigned __int128 c = (unsigned __int128)ref * p->hv->cfg.freq_hz;

	c = c / HV_REF_HZ + p->ref_epoch;
	return c >= EVQ_NEVER ? EVQ_NEVER - 1 : (cycles_t)c;
}

static void synic_raise(void *opaque, uint8_t vector, bool auto_eoi)
{
	vapic_raise(opaque, vector, auto_eoi);
}

static int synic_timer_set(void *opaque, unsigned stimer, cycles_t when)
{
	return hv_vp_timer_set(opaque, HV_TIMER_STIMER0 + stimer, when);
}

static void synic_timer_cancel(void *opaque, unsigned stimer)
{
	hv_vp_timer_cancel(opaque, HV_TIMER_STIMER0 + stimer);
}

uint64_t hv_freq_hz(const struct hv *hv)
{
	return hv->cfg.freq_hz;
}

uint64_t hv_part_ref_time(const struct hv_part *p, cycles_t now)
{
	cycles_t t = now > p->ref_epoch ? now - p->ref_epoch : 0;

	return (uint64_t)((unsigned __int128)t * HV_REF_HZ /
			  p->hv->cfg.freq_hz);
}

static int vp_add_controllers(struct hv_vp *vp)
{
	struct synic_hooks h = {
	    .opaque = vp,
	    .mem = vp->part->mem,
	    .now = synic_now,
	    .ref_time = synic_ref_time,
	    .ref_to_cycles = synic_ref_to_cycles,
	    .raise = synic_raise,
	    .timer_set = synic_timer_set,
	    .timer_cancel = synic_timer_cancel,
	};

	hv_vp_timers_init(vp);
	if (vapic_create(vp))
		return -1;
	return (vp->synic = synic_create(&h)) ? 0 : -1;
}

/* Service vCPUs (the parent's) run only service work, so they start
 * halted: idle, costing no slices, until work wakes them. A child's
 * application processors (vp > 0) wait for INIT-SIPI as on hardware. */
static int part_add_vps(struct hv_part *p)
{
	p->vp = calloc(p->nr_vps, sizeof(*p->vp));
	if (!p->vp)
		return -1;
	for (unsigned i = 0; i < p->nr_vps; i++) {
		struct hv_vp *vp = &p->vp[i];
		struct cpu_env env;

		vp->part = p;
		vp->index = i;
		vp->halted = p->service || i > 0;
		hv_exit_env(vp, &env);
		if (!(vp->cpu = cpu_create(p->mem, &env)) ||
		    vp_add_controllers(vp))
			return -1;
	}
	return 0;
}

struct hv_part *hv_part_create(struct hv *hv, const struct hv_part_config *pc,
			       const struct hv_part_ops *ops, void *opaque)
{
	struct hv_part *p;

	if (hv->nr_parts >= HV_MAX_PARTS || !pc->vcpus ||
	    pc->vcpus > HV_MAX_VPS || !pc->weight)
		return NULL;
	if (!(p = calloc(1, sizeof(*p))))
		return NULL;
	p->hv = hv;
	p->id = hv->nr_parts;
	snprintf(p->name, sizeof(p->name), "%s", pc->name ? pc->name : "");
	p->parent = pc->parent;
	p->service = pc->service;
	p->weight = pc->weight;
	p->reserve_pct = pc->reserve_pct > 100 ? 100 : pc->reserve_pct;
	p->cap_pct = pc->cap_pct == 0 || pc->cap_pct > 100 ? 100 : pc->cap_pct;
	if (ops)
		p->ops = *ops;
	p->opaque = opaque;
	p->nr_vps = pc->vcpus;
	if (!(p->mem = physmem_create(pc->mem_bytes)) || part_add_vps(p) ||
	    (p->service && !(p->workq = workq_create())) ||
	    (!p->service && vapic_map_mmio(p))) {
		part_destroy(p);
		return NULL;
	}
	hv_msr_reset_part(p);
	hv->part[hv->nr_parts++] = p;
	if (p->service && !hv->parent)
		hv->parent = p;
	return p;
}

unsigned hv_part_id(const struct hv_part *p)
{
	return p->id;
}
const char *hv_part_name(const struct hv_part *p)
{
	return p->name;
}
bool hv_part_is_parent(const struct hv_part *p)
{
	return p->parent;
}
struct physmem *hv_part_mem(struct hv_part *p)
{
	return p->mem;
}
unsigned hv_part_nr_vps(const struct hv_part *p)
{
	return p->nr_vps;
}

struct cpu *hv_part_cpu(struct hv_part *p, unsigned vp)
{
	return vp < p->nr_vps ? p->vp[vp].cpu : NULL;
}

void hv_part_set_runnable(struct hv_part *p, bool runnable)
{
	if (p->runnable == runnable)
		return;
	p->runnable = runnable;
	for (unsigned i = 0; i < p->nr_vps; i++) {
		if (!runnable)
			cpu_request_stop(p->vp[i].cpu); /* if it is running */
		else if (!p->vp[i].halted && !p->vp[i].dead)
			sched_vp_ready(&p->vp[i]);
	}
}

void hv_vp_set_intr_line(struct hv_part *p, unsigned index, bool high)
{
	struct hv_vp *vp;

	if (index >= p->nr_vps)
		return;
	vp = &p->vp[index];
	cpu_set_intr_line(vp->cpu, high);
	if (high && vp->halted && !vp->dead &&
	    cpu_interrupts_enabled(vp->cpu)) {
		cycles_t now = evq_now(p->hv->q);
		const struct hv_vp *waker = p->hv->exec_vp;

		/* Woken by what another vCPU is doing now (the parent's VSP
		 * signalling a completion, an IPI): not before that vCPU's
		 * clock, which runs ahead of the event queue's within its
		 * slice. */
		if (waker && waker != vp && cpu_cycles(waker->cpu) > now)
			now = cpu_cycles(waker->cpu);

		vp->halted = false;
		if (now > vp->halt_since)
			vp->idle += now - vp->halt_since;
		vp->skipped +=
		    now > cpu_cycles(vp->cpu) ? now - cpu_cycles(vp->cpu) : 0;
		if (now > cpu_cycles(vp->cpu))
			cpu_advance_clock(vp->cpu, now - cpu_cycles(vp->cpu));
		if (p->runnable)
			sched_vp_ready(vp);
	}
}

/* Can a child's vCPU ever run again? Yes unless it is dead or halted with
 * interrupts off (only NMI/INIT, which nothing here sends, would wake it),
 * or its partition ended. A machine without children: yes (nothing to
 * judge by; the parent's work runs). */
static bool child_wakeable(const struct hv *hv)
{
	unsigned children = 0;

	for (unsigned i = 0; i < hv->nr_parts; i++) {
		const struct hv_part *p = hv->part[i];
		children += !p->service;
		for (unsigned j = 0; !p->service && p->runnable && j < p->nr_vps;
		     j++) {
			const struct hv_vp *vp = &p->vp[j];
			if (!vp->dead &&
			    (!vp->halted || cpu_interrupts_enabled(vp->cpu)))
				return true;
		}
	}
	return children == 0;
}

unsigned hv_nr_runnable(const struct hv *hv)
{
	unsigned n = 0, waiting_work = 0;

	for (unsigned i = 0; i < hv->nr_parts; i++) {
		const struct hv_part *p = hv->part[i];
		for (unsigned j = 0; p->runnable && j < p->nr_vps; j++) {
			const struct hv_vp *vp = &p->vp[j];

			/* A halted vCPU with IF=1 and an armed timer (APIC
			 * timer, stimer) will be woken by it. */
			if (vp->dead)
				continue;
			if (!vp->halted ||
			    (cpu_interrupts_enabled(vp->cpu) &&
			     hv_vp_next_deadline(vp) != EVQ_NEVER))
				n++;
			else if (p->service && workq_pending(vp))
				waiting_work++;
		}
	}
	/* A service vCPU's queued work (due later: a heartbeat, a disk
	 * completion) keeps the machine going only while some child can
	 * still be woken by it; for children that powered off or halted
	 * with interrupts off it can change nothing. */
	if (!n && waiting_work && child_wakeable(hv))
		n = waiting_work;
	return n;
}

bool hv_any_runnable(const struct hv *hv)
{
	/* An awake vCPU (not halted, not dead) of a running partition
	 * counts; only when there is none do halted ones need the timer,
	 * interrupt-flag and queued-work tests of the full count. */
	for (unsigned i = 0; i < hv->nr_parts; i++) {
		const struct hv_part *p = hv->part[i];
		for (unsigned j = 0; p->runnable && j < p->nr_vps; j++)
			if (!p->vp[j].halted && !p->vp[j].dead)
				return true;
	}
	return hv_nr_runnable(hv) != 0;
}

bool hv_current_vp(const struct hv *hv, struct hv_part **part, unsigned *vp,
		   unsigned *pcpu)
{
	const struct hv_vp *v = hv->exec_vp;

	if (!v)
		return false;
	if (part)
		*part = v->part;
	if (vp)
		*vp = v->index;
	if (pcpu)
		*pcpu = hv->exec_pcpu;
	return true;
}

int hv_vp_sint_vector(struct hv_part *p, unsigned vp, unsigned sint)
{
	if (vp >= p->nr_vps || !p->vp[vp].synic)
		return -1;
	return synic_sint_vector(p->vp[vp].synic, sint);
}

cycles_t hv_now(const struct hv *hv)
{
	cycles_t t = 0;

	for (unsigned i = 0; i < hv->nr_pcpus; i++)
		if (hv->pcpu[i].clock > t)
			t = hv->pcpu[i].clock;
	return t;
}

cycles_t hv_pcpu_switch_cycles(const struct hv *hv, unsigned pcpu)
{
	return pcpu < hv->nr_pcpus ? hv->pcpu[pcpu].switch_cycles : 0;
}

uint64_t hv_exit_count(const struct hv *hv, enum hv_exit_reason r)
{
	return r < HV_EXIT_NR ? hv->exit_count[r] : 0;
}

cycles_t hv_exit_cycles(const struct hv *hv, enum hv_exit_reason r)
{
	return r < HV_EXIT_NR ? hv->exit_cycles[r] : 0;
}

int hv_start(struct hv *hv)
{
	sched_kick_idle(hv);
	for (unsigned i = 0; i < hv->nr_pcpus; i++)
		if (!hv->pcpu[i].event)
			return -1; /* the event queue is out of memory */
	return 0;
}
