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
 * memory. (Overlay pages — hypercall, SynIC — come with the Hyper-V
 * interface.)
 *
 * Spec: Hyper-V TLFS "Partitions" and "Virtual Processors" (concepts only).
 * Called by partitions/ (create, run state) and sim/ (start, statistics).
 */
#include <stdlib.h>
#include <string.h>

#include "hv/hv_int.h"
#include "mmu/mmu.h"

/*
 * Partition switch on a core: 5,000 cycles (../shared/reference/
 * performance.md §7, "VM (partition) switch on a core", after Dall et al.
 * ISCA'16, x86 VM switch ≈5 k).
 */
#define HV_SWITCH_CYCLES 5000
/* Cap/reserve accounting period, in slices (see sched.c). */
#define HV_PERIOD_SLICES 10

struct hv *hv_create(const struct hv_config *cfg, struct evq *q)
{
	struct hv *hv;

	if (!cfg->pcpus || cfg->pcpus > HV_MAX_PCPUS || !cfg->quantum)
		return NULL;
	hv = calloc(1, sizeof(*hv));
	if (!hv)
		return NULL;
	hv->cfg = *cfg;
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
	for (unsigned i = 0; p->vp && i < p->nr_vps; i++)
		if (p->vp[i].cpu)
			cpu_destroy(p->vp[i].cpu);
	free(p->vp);
	physmem_destroy(p->mem);
	free(p);
}

void hv_destroy(struct hv *hv)
{
	if (!hv)
		return;
	for (unsigned i = 0; i < hv->nr_parts; i++)
		part_destroy(hv->part[i]);
	free(hv);
}

/* Parent vCPUs run only parent service work (none exists yet), so they
 * start halted: idle, costing no slices, until work wakes them. A child's
 * application processors (vp > 0) wait for INIT-SIPI as on hardware; with
 * no local APIC yet they stay halted. */
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
		vp->halted = p->parent || i > 0;
		hv_exit_env(vp, &env);
		if (!(vp->cpu = cpu_create(p->mem, &env)))
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
	p->weight = pc->weight;
	p->reserve_pct = pc->reserve_pct > 100 ? 100 : pc->reserve_pct;
	p->cap_pct = pc->cap_pct == 0 || pc->cap_pct > 100 ? 100 : pc->cap_pct;
	if (ops)
		p->ops = *ops;
	p->opaque = opaque;
	p->nr_vps = pc->vcpus;
	if (!(p->mem = physmem_create(pc->mem_bytes)) || part_add_vps(p)) {
		part_destroy(p);
		return NULL;
	}
	hv->part[hv->nr_parts++] = p;
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

unsigned hv_nr_runnable(const struct hv *hv)
{
	unsigned n = 0;

	for (unsigned i = 0; i < hv->nr_parts; i++) {
		const struct hv_part *p = hv->part[i];
		for (unsigned j = 0; p->runnable && j < p->nr_vps; j++)
			n += !p->vp[j].halted && !p->vp[j].dead;
	}
	return n;
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
		if (!hv->pcpu[i].event_pending)
			return -1; /* the event queue is out of memory */
	return 0;
}
