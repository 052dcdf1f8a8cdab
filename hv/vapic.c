/*
 * hv/vapic.c — each vCPU's local APIC (devices/lapic.h) wired into the
 * hypervisor. The APIC model owns the registers; this file gives it a
 * clock, a timer, an INTR line and IPI routing:
 *
 *  - time: hooks.now is the vCPU's clock (hv_vp_now); the APIC timer is
 *    the vCPU's HV_TIMER_LAPIC event (timer.c calls vapic_timer_expired).
 *    A timer armed while its vCPU runs also cuts the running slice
 *    (cpu_end_run_by), so the interrupt is taken at its expiry cycle.
 *    The TSC the APIC sees (TSC-deadline) is the core's: cycles plus the
 *    core's TSC offset, copied into the APIC before each deadline write.
 *    Limit: a deadline armed before the guest moves its TSC (WRMSR
 *    IA32_TSC) keeps the expiry cycle computed with the old offset; it is
 *    re-based at the next deadline write.
 *  - INTR: hooks.irq_changed drives hv_vp_set_intr_line, which wakes a
 *    halted vCPU; env.intr_ack (exit.c) is vapic_intr_ack, which tells
 *    the partition's interrupt observer (hv_observe_intr, traces) the
 *    vector taken.
 *  - IPIs stay inside the partition (APIC ID = vCPU index, vCPU 0 is the
 *    BSP): physical/logical destinations (lapic_match_dest) and the
 *    shorthands. Fixed → lapic_accept; lowest priority → the matching
 *    APIC with the lowest PPR, the lowest vCPU index on a tie
 *    (deterministic); INIT → the target's APIC and core go to their INIT
 *    state and the vCPU waits for a SIPI off the run queue (halted with
 *    IF=0, so no interrupt wakes it); SIPI → a waiting vCPU starts in real
 *    mode at vector << 12 (SDM Vol. 3A §9.4.4, §11.6.1) and is made
 *    runnable. INIT and SIPI to the sending vCPU itself are ignored (the
 *    SDM's ICR allows INIT/SIPI only with no shorthand or all-but-self;
 *    a self-INIT would reset the core in the middle of its own
 *    instruction). NMI and SMI are dropped: the core has no NMI/SMI input
 *    (see the note at deliver_one).
 *  - The xAPIC page at 0xFEE00000 is one MMIO range of the partition; an
 *    access goes to the APIC of the vCPU running it (only one vCPU runs
 *    at a time) and is charged as an MMIO exit (hv_exit_charge). physmem
 *    cannot move a range, so relocating the APIC with IA32_APIC_BASE is
 *    limited: the base MSR takes the new address, but the page stays at
 *    0xFEE00000 and serves only a vCPU whose base is still there (a moved
 *    one reads all ones there, and its new address is whatever RAM or open
 *    bus lies at it).
 *  - MSRs: IA32_APIC_BASE, IA32_TSC_DEADLINE, the x2APIC range and the
 *    Hyper-V APIC-access MSRs (TLFS: EOI 0x40000070 write-only, ICR
 *    0x40000071, TPR 0x40000072), which work in xAPIC and x2APIC mode.
 *
 * Called by hv.c (create, map, destroy), timer.c, exit.c (intr_ack),
 * hvmsr.c (MSRs) and synic.c (vapic_raise).
 */
#include "hv/vapic.h"

#include "devices/lapic.h"
#include "hv/hv_int.h"
#include "hv/hvdefs.h"
#include "hv/work.h"

/* The APIC timer's input clock is a 100 MHz-class bus clock (the crystal
 * or bus clock of server parts): a whole number of core cycles per tick. */
#define VAPIC_TIMER_TARGET_HZ 100000000ull
/* The one LAPIC timer per vCPU: any non-zero id names it. */
#define VAPIC_TIMER_ID 1

static uint32_t cycles_per_tick(const struct hv *hv)
{
	uint64_t n = hv->cfg.freq_hz / VAPIC_TIMER_TARGET_HZ;

	return n ? (uint32_t)n : 1;
}

uint64_t vapic_timer_hz(const struct hv *hv)
{
	return hv->cfg.freq_hz / cycles_per_tick(hv);
}

/* ---- the APIC's hooks (opaque = the vCPU) -------------------------------- */

static uint64_t hook_now(void *opaque)
{
	return hv_vp_now(opaque);
}

static uint64_t hook_schedule(void *opaque, uint64_t when)
{
	struct hv_vp *vp = opaque;

	if (hv_vp_timer_set(vp, HV_TIMER_LAPIC, when))
		return 0;
	if (vp->running)
		cpu_end_run_by(vp->cpu, when);
	return VAPIC_TIMER_ID;
}

static void hook_cancel(void *opaque, uint64_t id)
{
	(void)id;
	hv_vp_timer_cancel(opaque, HV_TIMER_LAPIC);
}

static void hook_irq_changed(void *opaque, bool pending)
{
	struct hv_vp *vp = opaque;

	hv_vp_set_intr_line(vp->part, vp->index, pending);
}

/* A level-triggered vector was EOIed: to the partition's I/O APIC. */
static void hook_eoi_broadcast(void *opaque, uint8_t vector)
{
	struct hv_vp *vp = opaque;

	hv_part_eoi_broadcast(vp->part, vector);
}

/* ---- IPIs ---------------------------------------------------------------- */

/* Is the vCPU waiting for a SIPI? Halted (off the run queue) with its core
 * still at the reset vector where RESET or INIT left it. */
static bool waiting_for_sipi(const struct hv_vp *vp)
{
	return vp->halted && !vp->dead && cpu_at_reset_vector(vp->cpu);
}

/* INIT at the sender's time `now`: APIC and core to their INIT state; the
 * vCPU waits for a SIPI, idle from then on (before, it was runnable). */
static void deliver_init(struct hv_vp *vp, cycles_t now)
{
	/* A port access still waiting for the VM Worker belonged to the
	 * instruction INIT abandons: drop it (as a partition reset does). */
	if (vp->io.state != HV_IO_NONE) {
		if (vp->part->hv->parent)
			workq_forget_vp(vp->part->hv->parent, vp);
		vp->io = (struct hv_pending_io){.state = HV_IO_NONE};
	}
	lapic_init_signal(vp->lapic);
	cpu_init_signal(vp->cpu);
	if (!vp->halted) {
		vp->halted = true;
		vp->halt_since =
		    now > cpu_cycles(vp->cpu) ? now : cpu_cycles(vp->cpu);
	}
}

/* SIPI: a waiting vCPU starts at vector << 12 and joins the run queue;
 * any other vCPU ignores it (SDM Vol. 3A §9.4.4: SIPIs after the first
 * are ignored). Its clock catches up with the sender's as on a wake-up. */
static void deliver_sipi(struct hv_vp *vp, uint8_t vector, cycles_t now)
{
	if (!waiting_for_sipi(vp))
		return;
	cpu_start_at_sipi(vp->cpu, vector);
	vp->halted = false;
	if (now > vp->halt_since)
		vp->idle += now - vp->halt_since;
	if (now > cpu_cycles(vp->cpu)) {
		vp->skipped += now - cpu_cycles(vp->cpu);
		cpu_advance_clock(vp->cpu, now - cpu_cycles(vp->cpu));
	}
	if (vp->part->runnable)
		sched_vp_ready(vp);
}

/* One delivery to one target. NMI and SMI: the core has no NMI or SMI
 * input (cpu/ has no NMI delivery or blocking yet), so they are dropped;
 * the APIC's ipis counter (lapic_stats) still counts them as sent. */
static void deliver_one(struct hv_vp *from, struct hv_vp *to, int mode,
			uint8_t vector)
{
	switch (mode) {
	case LAPIC_DM_FIXED:
	case LAPIC_DM_LOWEST:
		lapic_accept(to->lapic, vector, false);
		break;
	case LAPIC_DM_INIT:
		if (to != from)
			deliver_init(to, hv_vp_now(from));
		break;
	case LAPIC_DM_SIPI:
		if (to != from)
			deliver_sipi(to, vector, hv_vp_now(from));
		break;
	default: /* NMI, SMI: no input on the core */
		break;
	}
}

static bool is_target(const struct hv_vp *from, const struct hv_vp *vp,
		      uint32_t dest, int dest_mode, int shorthand)
{
	switch (shorthand) {
	case LAPIC_SH_SELF:
		return vp == from;
	case LAPIC_SH_ALL:
		return true;
	case LAPIC_SH_ALL_BUT_SELF:
		return vp != from;
	default:
		return lapic_match_dest(vp->lapic, dest, dest_mode);
	}
}

/* Lowest priority with a destination: the matching APIC with the lowest
 * PPR, the lowest index on a tie. NULL if none matches. */
static struct hv_vp *lowest_priority(struct hv_vp *from, uint32_t dest,
				     int dest_mode, int shorthand)
{
	struct hv_part *p = from->part;
	struct hv_vp *best = NULL;

	for (unsigned i = 0; i < p->nr_vps; i++) {
		struct hv_vp *vp = &p->vp[i];

		if (!is_target(from, vp, dest, dest_mode, shorthand))
			continue;
		if (!best || lapic_ppr(vp->lapic) < lapic_ppr(best->lapic))
			best = vp;
	}
	return best;
}

static void hook_send_ipi(void *opaque, uint32_t dest, int dest_mode,
			  int mode, uint8_t vector, int shorthand)
{
	struct hv_vp *from = opaque;
	struct hv_part *p = from->part;

	if (mode == LAPIC_DM_LOWEST && shorthand != LAPIC_SH_SELF) {
		struct hv_vp *to =
		    lowest_priority(from, dest, dest_mode, shorthand);
		if (to)
			deliver_one(from, to, mode, vector);
		return;
	}
	for (unsigned i = 0; i < p->nr_vps; i++)
		if (is_target(from, &p->vp[i], dest, dest_mode, shorthand))
			deliver_one(from, &p->vp[i], mode, vector);
}

/* ---- life cycle ---------------------------------------------------------- */

int vapic_create(struct hv_vp *vp)
{
	struct lapic_config cfg = {
	    .apic_id = vp->index,
	    .bsp = vp->index == 0,
	    .cycles_per_tick = cycles_per_tick(vp->part->hv),
	};
	struct lapic_hooks hooks = {
	    .opaque = vp,
	    .now = hook_now,
	    .schedule = hook_schedule,
	    .cancel = hook_cancel,
	    .irq_changed = hook_irq_changed,
	    .send_ipi = hook_send_ipi,
	    .eoi_broadcast = hook_eoi_broadcast,
	};

	vp->lapic = lapic_create(&cfg, &hooks);
	return vp->lapic ? 0 : -1;
}

void vapic_destroy(struct hv_vp *vp)
{
	lapic_destroy(vp->lapic);
	vp->lapic = NULL;
}

void vapic_reset(struct hv_vp *vp)
{
	lapic_reset(vp->lapic);
}

/* ---- interrupts ---------------------------------------------------------- */

int vapic_intr_ack(struct hv_vp *vp)
{
	int vec = vp->lapic ? lapic_ack(vp->lapic) : -1;
	struct hv_part *p = vp->part;

	if (vec >= 0 && p->intr_obs) /* instrumentation: no simulated cost */
		p->intr_obs(p->intr_obs_opaque, vp->index, (unsigned)vec,
			    cpu_cycles(vp->cpu));
	return vec;
}

void hv_observe_intr(struct hv_part *p, hv_intr_observer *fn, void *opaque)
{
	p->intr_obs = fn;
	p->intr_obs_opaque = fn ? opaque : NULL;
}

void vapic_raise(struct hv_vp *vp, uint8_t vector, bool auto_eoi)
{
	lapic_set_auto_eoi(vp->lapic, vector, auto_eoi);
	lapic_accept(vp->lapic, vector, false);
}

void vapic_timer_expired(struct hv_vp *vp)
{
	lapic_timer_fire(vp->lapic);
}

/* ---- the xAPIC page ------------------------------------------------------ */

/* The vCPU that is running (the one making the access), if its APIC is
 * at the page's address. */
static struct hv_vp *mmio_vp(struct hv_part *p)
{
	for (unsigned i = 0; i < p->nr_vps; i++) {
		struct hv_vp *vp = &p->vp[i];
		uint64_t base = lapic_get_base(vp->lapic) & ~0xFFFull;

		if (vp->running)
			return base == LAPIC_DEFAULT_BASE ? vp : NULL;
	}
	return NULL;
}

static uint64_t mmio_read(void *opaque, uint64_t off, int size)
{
	struct hv_vp *vp = mmio_vp(opaque);
	uint64_t val;

	if (!vp)
		return ~0ull >> (64 - 8 * size); /* nobody there: open bus */
	val = lapic_mmio_ops.read(vp->lapic, off, size);
	hv_exit_charge(vp, HV_EXIT_MMIO, 0);
	return val;
}

static void mmio_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct hv_vp *vp = mmio_vp(opaque);

	if (!vp)
		return;
	lapic_mmio_ops.write(vp->lapic, off, size, val);
	hv_exit_charge(vp, HV_EXIT_MMIO, 0);
}

static const struct mmio_ops vapic_mmio_ops = {
    .name = "xAPIC",
    .read = mmio_read,
    .write = mmio_write,
};

int vapic_map_mmio(struct hv_part *p)
{
	return physmem_map_mmio(p->mem, LAPIC_DEFAULT_BASE, LAPIC_MMIO_SIZE,
				&vapic_mmio_ops, p);
}

/* ---- MSRs ---------------------------------------------------------------- */

int vapic_msr_read(struct hv_vp *vp, uint32_t msr, uint64_t *val)
{
	struct lapic *l = vp->lapic;

	if (msr >= LAPIC_MSR_FIRST && msr <= LAPIC_MSR_LAST)
		return lapic_msr_read(l, msr, val);
	switch (msr) {
	case MSR_IA32_APIC_BASE:
		*val = lapic_get_base(l);
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		*val = lapic_tsc_deadline_read(l);
		return 0;
	case HV_MSR_ICR:
		*val = lapic_icr_read(l);
		return 0;
	case HV_MSR_TPR:
		*val = lapic_tpr_read(l);
		return 0;
	case HV_MSR_EOI:
		return -1; /* write-only */
	default:
		return 1;
	}
}

int vapic_msr_write(struct hv_vp *vp, uint32_t msr, uint64_t val)
{
	struct lapic *l = vp->lapic;

	if (msr >= LAPIC_MSR_FIRST && msr <= LAPIC_MSR_LAST)
		return lapic_msr_write(l, msr, val);
	switch (msr) {
	case MSR_IA32_APIC_BASE:
		return lapic_set_base(l, val);
	case MSR_IA32_TSC_DEADLINE:
		/* The core's TSC offset may have moved (IA32_TSC writes):
		 * the deadline is compared with the TSC the guest reads. */
		lapic_set_tsc_offset(l, cpu_tsc_offset(vp->cpu));
		lapic_tsc_deadline_write(l, val);
		return 0;
	case HV_MSR_EOI:
		if (lapic_mode(l) == LAPIC_DISABLED)
			return -1;
		lapic_eoi(l);
		return 0;
	case HV_MSR_ICR:
		return lapic_icr_write(l, val);
	case HV_MSR_TPR:
		return lapic_tpr_write(l, val);
	default:
		return 1;
	}
}
