/*
 * hv/platform.c — what a partition's platform devices (the VM Worker's
 * I/O APIC, PIT, RTC, PM block: devices/) need from the hypervisor:
 * the partition's clock, the event queue for their timers, interrupt
 * messages into the partition's local APICs, the EOI broadcast back from
 * them, and the MMIO exit charge for a device page (hv.h, "platform").
 *
 * Interrupt messages follow the I/O APIC redirection entry / MSI fields
 * (SDM Vol. 3A §11.11 for MSI, the 82093AA data sheet for the I/O APIC):
 * destination and physical/logical mode, delivery mode, vector, trigger.
 * Fixed and lowest-priority go through the same routing as IPIs
 * (vapic.c); lowest priority picks the lowest PPR, then the lowest index
 * (deterministic). NMI, SMI, INIT, SIPI and ExtINT from a device are
 * dropped and counted: no device of ours sends them (the core has no NMI
 * input, and the 8259's ExtINT path is not modelled, docs/ARCHITECTURE.md).
 */
#include "devices/lapic.h"
#include "hv/hv_int.h"
#include "hv/vapic.h"

cycles_t hv_part_now(const struct hv_part *p)
{
	cycles_t t = 0;

	for (unsigned i = 0; i < p->nr_vps; i++)
		if (cpu_cycles(p->vp[i].cpu) > t)
			t = cpu_cycles(p->vp[i].cpu);
	return t;
}

struct evq *hv_evq(struct hv *hv)
{
	return hv->q;
}

unsigned hv_part_deliver_irq(struct hv_part *p, const struct hv_irq_msg *m)
{
	struct hv_vp *best = NULL;
	unsigned n = 0;

	if (m->delivery != LAPIC_DM_FIXED && m->delivery != LAPIC_DM_LOWEST) {
		p->irq_dropped++;
		return 0;
	}
	for (unsigned i = 0; i < p->nr_vps; i++) {
		struct hv_vp *vp = &p->vp[i];

		if (!lapic_match_dest(vp->lapic, m->dest, m->dest_mode))
			continue;
		if (m->delivery == LAPIC_DM_LOWEST) {
			if (!best || lapic_ppr(vp->lapic) < lapic_ppr(best->lapic))
				best = vp;
			continue;
		}
		lapic_accept(vp->lapic, m->vector, m->level);
		n++;
	}
	if (best) {
		lapic_accept(best->lapic, m->vector, m->level);
		n++;
	}
	if (!n)
		p->irq_dropped++;
	return n;
}

void hv_part_set_eoi_listener(struct hv_part *p, hv_eoi_fn *fn, void *opaque)
{
	p->eoi_fn = fn;
	p->eoi_opaque = opaque;
}

void hv_part_eoi_broadcast(struct hv_part *p, uint8_t vector)
{
	if (p->eoi_fn)
		p->eoi_fn(p->eoi_opaque, vector);
}

void hv_part_charge_mmio(struct hv_part *p)
{
	for (unsigned i = 0; i < p->nr_vps; i++)
		if (p->vp[i].running) {
			hv_exit_charge(&p->vp[i], HV_EXIT_MMIO, 0);
			return;
		}
}
