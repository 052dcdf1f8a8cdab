/*
 * hv/reset.c — partition reset (hv_part_reset, hv/hv.h): every vCPU back
 * to its power-on state, the hypervisor's per-partition state forgotten,
 * and the partition's RAM zeroed, so a loader can put the kernel back and
 * the partition runs again from the start ("system_reset").
 *
 * What is reset, and by whom: the core (cpu_reset), its local APIC
 * (vapic_reset), its SynIC (synic_reset), its timers (cancelled), a
 * forwarded I/O still pending (dropped, with the VM Worker's queued item
 * for it: workq_forget_vp), the partition-wide Hyper-V MSRs
 * (hv_msr_reset_part) and its connections (hv_ports_forget_part).
 * Time is not reset: the vCPUs' clocks go on, so a run stays monotonic.
 * The vCPUs are taken off the pCPUs (not runnable); the caller makes the
 * partition runnable again once its kernel is reloaded.
 * Called by partitions/ (the VM Service's reset).
 */
#include <string.h>

#include "hv/hv_int.h"
#include "hv/hvmsr.h"
#include "hv/port.h"
#include "hv/synic.h"
#include "hv/vapic.h"
#include "hv/work.h"
#include "mmu/mmu.h"

/* The halted flag as at creation: the boot vCPU runs, application
 * processors wait for INIT-SIPI (hv.c part_add_vps). Idle time of a vCPU
 * that stops or starts being halted is closed or opened here. */
static void vp_power_on(struct hv_vp *vp)
{
	cycles_t now = cpu_cycles(vp->cpu);
	bool halt = vp->index > 0;

	if (vp->halted && !halt && now > vp->halt_since)
		vp->idle += now - vp->halt_since;
	if (!vp->halted && halt)
		vp->halt_since = now;
	vp->halted = halt;
	vp->dead = false;
}

static void vp_reset(struct hv_vp *vp)
{
	hv_vp_timers_cancel_all(vp);
	cpu_reset(vp->cpu);
	vapic_reset(vp);
	if (vp->synic)
		synic_reset(vp->synic);
	memset(&vp->io, 0, sizeof(vp->io));
	vp->vp_assist = 0;
	vp_power_on(vp);
}

int hv_part_reset(struct hv_part *p)
{
	struct physmem *mem = p->mem;
	uint64_t size = physmem_ram_size(mem);
	uint8_t *ram = physmem_ram_ptr(mem, 0, size);

	if (p->service)
		return -1; /* the parent's services are not restartable */
	hv_part_set_runnable(p, false);
	for (unsigned i = 0; i < p->nr_vps; i++) {
		if (p->hv->parent)
			workq_forget_vp(p->hv->parent, &p->vp[i]);
		vp_reset(&p->vp[i]);
	}
	hv_msr_reset_part(p);
	hv_ports_forget_part(p->hv, p);
	memset(p->crash_p, 0, sizeof(p->crash_p));
	p->crash_ctl = 0;
	if (ram && size) {
		memset(ram, 0, size);
		physmem_note_write(mem, 0, size); /* stale decoded blocks */
	}
	return 0;
}
