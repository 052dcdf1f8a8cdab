/*
 * hv/hvmsr.c — the MSRs the hypervisor intercepts (the core's own are in
 * cpu/msr.c), as one table of rows {first, last, name, read, write,
 * slot}. The pages it writes into guest RAM are hv/hvpages.c's.
 *
 * Spec: Hyper-V TLFS "Partition Properties", "Virtual Processors",
 * "Timers" and "Guest crash reporting" (facts only), as summarised in
 * ../shared/reference/vmbus.md §1.3, §7.3 and vmbus-linux61.md rows 5-7,
 * 14, §2.6-§2.7. Called by hv/exit.c for every RDMSR/WRMSR the core does
 * not own; anything not in the table is #GP.
 *
 * Partition-wide state (GUEST_OS_ID, HYPERCALL, REFERENCE_TSC, the crash
 * MSRs) lives in struct hv_part, per-vCPU state (VP_ASSIST_PAGE) in
 * struct hv_vp. SynIC/STIMER MSRs and APIC MSRs belong to hv/synic.c and
 * hv/vapic.c: their rows forward, and "not mine" (1) from them is #GP.
 *
 * Nothing here is gated on GUEST_OS_ID except the hypercall page's enable
 * bit: Linux 6.1 reads VP_INDEX and writes VP_ASSIST_PAGE before it writes
 * GUEST_OS_ID (vmbus-linux61.md row 6).
 */
#include <stddef.h>

#include "hv/hv_int.h"
#include "hv/hvdefs.h"
#include "hv/hvmsr.h"
#include "hv/synic.h"
#include "hv/vapic.h"
#include "mmu/mmu.h"

#define GPN_MASK       (~0ull << HV_MSR_GPN_SHIFT)
/* CRASH_CTL: what we support, and what a read says we support. */
#define CRASH_CTL_CAPS (HV_CRASH_CTL_NOTIFY | HV_CRASH_CTL_NOTIFY_MSG)

struct hvmsr_row;
typedef int hvmsr_read_fn(struct hv_vp *vp, const struct hvmsr_row *row,
			  uint32_t msr, uint64_t *val);
typedef int hvmsr_write_fn(struct hv_vp *vp, const struct hvmsr_row *row,
			   uint32_t msr, uint64_t val);

struct hvmsr_row {
	uint32_t first, last; /* inclusive range of indices */
	const char *name;
	hvmsr_read_fn *read;   /* 0, or -1 for #GP */
	hvmsr_write_fn *write; /* NULL: read-only, writes #GP */
	size_t slot; /* rd/wr_part_slot: offsetof the first value in hv_part */
};

/* A partition-wide value (one u64 per MSR of the row's range). */
static uint64_t *part_slot(struct hv_vp *vp, const struct hvmsr_row *row,
			   uint32_t msr)
{
	return (uint64_t *)((char *)vp->part + row->slot) + (msr - row->first);
}

static int rd_part_slot(struct hv_vp *vp, const struct hvmsr_row *row,
			uint32_t msr, uint64_t *val)
{
	*val = *part_slot(vp, row, msr);
	return 0;
}

/* Any value (CRASH_P0..P4). */
static int wr_part_slot(struct hv_vp *vp, const struct hvmsr_row *row,
			uint32_t msr, uint64_t val)
{
	*part_slot(vp, row, msr) = val;
	return 0;
}

/* A page number in the partition's RAM (the whole page). */
static bool gpn_in_ram(struct hv_part *p, uint64_t msr_val)
{
	return physmem_ram_ptr(p->mem, msr_val & GPN_MASK, PAGE_SIZE) != NULL;
}

static uint64_t cycles_to_ref(const struct hv *hv, cycles_t c)
{
	return (uint64_t)((unsigned __int128)c * HV_REF_HZ / hv_freq_hz(hv));
}

/* ---- GUEST_OS_ID and HYPERCALL (vmbus.md §1.3) ----------------------------
 */

/* Writing 0 disables the hypercall page (KVM behaviour, vmbus.md §1.3),
 * even a locked one. */
static int wr_guest_os_id(struct hv_vp *vp, const struct hvmsr_row *row,
			  uint32_t msr, uint64_t val)
{
	(void)row, (void)msr;
	vp->part->guest_os_id = val;
	if (val == 0)
		vp->part->hypercall_msr &= ~HV_MSR_ENABLE;
	return 0;
}

/* Bit 0 enable, bit 1 locked (later writes are ignored), bits 2-11 kept as
 * written, bits 12-63 the page. The enable bit does not stick while
 * GUEST_OS_ID is 0. Enabling writes the page, so it must lie in RAM. */
static int wr_hypercall(struct hv_vp *vp, const struct hvmsr_row *row,
			uint32_t msr, uint64_t val)
{
	struct hv_part *p = vp->part;

	(void)row, (void)msr;
	if (p->hypercall_msr & HV_MSR_HYPERCALL_LOCK)
		return 0;
	if (p->guest_os_id == 0)
		val &= ~HV_MSR_ENABLE;
	if (val & HV_MSR_ENABLE) {
		if (!gpn_in_ram(p, val))
			return -1;
		hvpage_write_hypercall(p->mem, val & GPN_MASK);
	}
	p->hypercall_msr = val;
	return 0;
}

/* ---- per-vCPU identity and time ----------------------------------------- */

static int rd_vp_index(struct hv_vp *vp, const struct hvmsr_row *row,
		       uint32_t msr, uint64_t *val)
{
	(void)row, (void)msr;
	*val = vp->index;
	return 0;
}

/* Guest run time of this vCPU (rings 0-3; not root, idle or wait), in
 * 100 ns units. */
static int rd_vp_runtime(struct hv_vp *vp, const struct hvmsr_row *row,
			 uint32_t msr, uint64_t *val)
{
	cycles_t c = 0;

	(void)row, (void)msr;
	for (int cpl = 0; cpl <= 3; cpl++)
		c += cpu_cycles_at_cpl(vp->cpu, cpl);
	*val = cycles_to_ref(vp->part->hv, c);
	return 0;
}

static int rd_time_ref_count(struct hv_vp *vp, const struct hvmsr_row *row,
			     uint32_t msr, uint64_t *val)
{
	(void)row, (void)msr;
	*val = hv_part_ref_time(vp->part, hv_vp_now(vp));
	return 0;
}

static int rd_tsc_frequency(struct hv_vp *vp, const struct hvmsr_row *row,
			    uint32_t msr, uint64_t *val)
{
	(void)row, (void)msr;
	*val = hv_freq_hz(vp->part->hv);
	return 0;
}

static int rd_apic_frequency(struct hv_vp *vp, const struct hvmsr_row *row,
			     uint32_t msr, uint64_t *val)
{
	(void)row, (void)msr;
	*val = vapic_timer_hz(vp->part->hv);
	return 0;
}

/* ---- REFERENCE_TSC (vmbus.md §7.3) ---------------------------------------
 * The page says ref = ((TSC * scale) >> 64) + offset. RDTSC reads the
 * vCPU's cycles plus its IA32_TSC offset, and TIME_REF_COUNT is
 * (cycles - ref_epoch) * 10^7 / Hz; both count the same simulated cycles,
 * so one offset, taken now on the writing vCPU, keeps them equal to within
 * one unit (the two roundings) for as long as that vCPU's TSC offset is
 * unchanged. Limitation: a guest that later writes IA32_TSC (or runs vCPUs
 * with different offsets) must rewrite the MSR to refresh the page. */
static int64_t ref_tsc_offset(struct hv_vp *vp, uint64_t scale)
{
	/* What RDTSC reads (cpu/msr.c): cycles plus the IA32_TSC offset. */
	uint64_t tsc = cpu_cycles(vp->cpu) + (uint64_t)cpu_tsc_offset(vp->cpu);
	uint64_t ref = hv_part_ref_time(vp->part, hv_vp_now(vp));
	uint64_t from_tsc = (uint64_t)(((unsigned __int128)tsc * scale) >> 64);

	return (int64_t)(ref - from_tsc);
}

/* Bit 0 enable, bits 1-11 kept as written, bits 12-63 the page. Enabling
 * writes the page at once (Linux reads it right after the WRMSR,
 * vmbus-linux61.md §2.6), so it must lie in RAM. Disabling leaves the
 * page's last contents (the overlay is gone; the guest owns the page). */
static int wr_reference_tsc(struct hv_vp *vp, const struct hvmsr_row *row,
			    uint32_t msr, uint64_t val)
{
	struct hv_part *p = vp->part;

	(void)row, (void)msr;
	if (val & HV_MSR_ENABLE) {
		uint64_t scale = hvpage_tsc_scale(hv_freq_hz(p->hv));
		int64_t off = scale ? ref_tsc_offset(vp, scale) : 0;

		if (!gpn_in_ram(p, val))
			return -1;
		hvpage_write_ref_tsc(p->mem, val & GPN_MASK, scale, off);
	}
	p->ref_tsc_msr = val;
	return 0;
}

/* ---- VP_ASSIST_PAGE, TSC_INVARIANT_CONTROL --------------------------------
 */

static int rd_vp_assist(struct hv_vp *vp, const struct hvmsr_row *row,
			uint32_t msr, uint64_t *val)
{
	(void)row, (void)msr;
	*val = vp->vp_assist;
	return 0;
}

/* Accepted and stored (Linux writes it on every CPU, vmbus-linux61.md row
 * 6); nothing in the page is used yet. Enabled, it must lie in RAM. */
static int wr_vp_assist(struct hv_vp *vp, const struct hvmsr_row *row,
			uint32_t msr, uint64_t val)
{
	(void)row, (void)msr;
	if ((val & HV_MSR_ENABLE) && !gpn_in_ram(vp->part, val))
		return -1;
	vp->vp_assist = val;
	return 0;
}

static int rd_tsc_invariant(struct hv_vp *vp, const struct hvmsr_row *row,
			    uint32_t msr, uint64_t *val)
{
	(void)row, (void)msr;
	*val = vp->part->tsc_invariant ? 1 : 0;
	return 0;
}

/* Bit 0: the guest may rely on the invariant TSC (ours is simulated time,
 * invariant anyway). Every other bit is reserved. */
static int wr_tsc_invariant(struct hv_vp *vp, const struct hvmsr_row *row,
			    uint32_t msr, uint64_t val)
{
	(void)row, (void)msr;
	if (val & ~1ull)
		return -1;
	vp->part->tsc_invariant = val & 1;
	return 0;
}

/* ---- crash MSRs (vmbus-linux61.md row 14, §2.7) -------------------------- */

/* A read says what we support (Linux registers its panic notifier only
 * when the notify bit is there). */
static int rd_crash_ctl(struct hv_vp *vp, const struct hvmsr_row *row,
			uint32_t msr, uint64_t *val)
{
	(void)vp, (void)row, (void)msr;
	*val = CRASH_CTL_CAPS;
	return 0;
}

/* Notify: hand P0..P4 and the message (P4 bytes at GPA P3 when the
 * message bit is set; bounded, checked, sanitised) to the partition's
 * owner, which ends the partition. Other bits are reserved. */
static int wr_crash_ctl(struct hv_vp *vp, const struct hvmsr_row *row,
			uint32_t msr, uint64_t val)
{
	struct hv_part *p = vp->part;
	char msg[HV_CRASH_MSG_MAX + 1] = "";

	(void)row, (void)msr;
	if (val & ~CRASH_CTL_CAPS)
		return -1;
	p->crash_ctl = val;
	if (!(val & HV_CRASH_CTL_NOTIFY))
		return 0;
	if (val & HV_CRASH_CTL_NOTIFY_MSG)
		hvpage_read_text(p->mem, p->crash_p[3], p->crash_p[4], msg,
				 sizeof(msg));
	if (p->ops.guest_crash)
		p->ops.guest_crash(p->opaque, vp->index, p->crash_p, msg);
	return 0;
}

/* ---- rows owned by other modules ----------------------------------------- */

/* SynIC and STIMER MSRs (hv/synic.c); "not mine" is #GP. */
static int rd_synic(struct hv_vp *vp, const struct hvmsr_row *row, uint32_t msr,
		    uint64_t *val)
{
	(void)row;
	return vp->synic && synic_msr_read(vp->synic, msr, val) == 0 ? 0 : -1;
}

static int wr_synic(struct hv_vp *vp, const struct hvmsr_row *row, uint32_t msr,
		    uint64_t val)
{
	(void)row;
	return vp->synic && synic_msr_write(vp->synic, msr, val) == 0 ? 0 : -1;
}

/* APIC MSRs (hv/vapic.c). */
static int rd_apic(struct hv_vp *vp, const struct hvmsr_row *row, uint32_t msr,
		   uint64_t *val)
{
	(void)row;
	return vapic_msr_read(vp, msr, val) == 0 ? 0 : -1;
}

static int wr_apic(struct hv_vp *vp, const struct hvmsr_row *row, uint32_t msr,
		   uint64_t val)
{
	(void)row;
	return vapic_msr_write(vp, msr, val) == 0 ? 0 : -1;
}

/* ---- the table ----------------------------------------------------------- */

#define CRASH_P4    (HV_MSR_CRASH_P0 + 4)
#define PART(field) offsetof(struct hv_part, field)
#define SYNIC_LAST  HV_MSR_EOM
#define SINT_LAST   (HV_MSR_SINT0 + HV_SYNIC_SINT_COUNT - 1)
#define STIMER_LAST (HV_MSR_STIMER0_CONFIG + 2 * HV_SYNIC_STIMER_COUNT - 1)

/* Sorted by first index; ranges never overlap (hv_msr_check_table). */
static const struct hvmsr_row hvmsr_table[] = {
    /* {first, last, name, read, write, slot} */
    {0x1B, 0x1B, "IA32_APIC_BASE", rd_apic, wr_apic, 0},
    {0x6E0, 0x6E0, "IA32_TSC_DEADLINE", rd_apic, wr_apic, 0},
    {0x800, 0x8FF, "IA32_X2APIC", rd_apic, wr_apic, 0},
    {HV_MSR_GUEST_OS_ID, HV_MSR_GUEST_OS_ID, "HV_X64_MSR_GUEST_OS_ID",
     rd_part_slot, wr_guest_os_id, PART(guest_os_id)},
    {HV_MSR_HYPERCALL, HV_MSR_HYPERCALL, "HV_X64_MSR_HYPERCALL", rd_part_slot,
     wr_hypercall, PART(hypercall_msr)},
    {HV_MSR_VP_INDEX, HV_MSR_VP_INDEX, "HV_X64_MSR_VP_INDEX", rd_vp_index, NULL,
     0},
    {HV_MSR_VP_RUNTIME, HV_MSR_VP_RUNTIME, "HV_X64_MSR_VP_RUNTIME",
     rd_vp_runtime, NULL, 0},
    {HV_MSR_TIME_REF_COUNT, HV_MSR_TIME_REF_COUNT, "HV_X64_MSR_TIME_REF_COUNT",
     rd_time_ref_count, NULL, 0},
    {HV_MSR_REFERENCE_TSC, HV_MSR_REFERENCE_TSC, "HV_X64_MSR_REFERENCE_TSC",
     rd_part_slot, wr_reference_tsc, PART(ref_tsc_msr)},
    {HV_MSR_TSC_FREQUENCY, HV_MSR_TSC_FREQUENCY, "HV_X64_MSR_TSC_FREQUENCY",
     rd_tsc_frequency, NULL, 0},
    {HV_MSR_APIC_FREQUENCY, HV_MSR_APIC_FREQUENCY, "HV_X64_MSR_APIC_FREQUENCY",
     rd_apic_frequency, NULL, 0},
    {HV_MSR_EOI, HV_MSR_TPR, "HV_X64_MSR_EOI_ICR_TPR", rd_apic, wr_apic, 0},
    {HV_MSR_VP_ASSIST_PAGE, HV_MSR_VP_ASSIST_PAGE, "HV_X64_MSR_VP_ASSIST_PAGE",
     rd_vp_assist, wr_vp_assist, 0},
    {HV_MSR_SCONTROL, SYNIC_LAST, "HV_X64_MSR_SYNIC", rd_synic, wr_synic, 0},
    {HV_MSR_SINT0, SINT_LAST, "HV_X64_MSR_SINT", rd_synic, wr_synic, 0},
    {HV_MSR_STIMER0_CONFIG, STIMER_LAST, "HV_X64_MSR_STIMER", rd_synic,
     wr_synic, 0},
    {HV_MSR_CRASH_P0, CRASH_P4, "HV_X64_MSR_CRASH_P", rd_part_slot,
     wr_part_slot, PART(crash_p)},
    {HV_MSR_CRASH_CTL, HV_MSR_CRASH_CTL, "HV_X64_MSR_CRASH_CTL", rd_crash_ctl,
     wr_crash_ctl, 0},
    {HV_MSR_TSC_INVARIANT_CTL, HV_MSR_TSC_INVARIANT_CTL,
     "HV_X64_MSR_TSC_INVARIANT_CONTROL", rd_tsc_invariant, wr_tsc_invariant, 0},
};

#define NR_ROWS (sizeof(hvmsr_table) / sizeof(hvmsr_table[0]))

bool hv_msr_check_table(void)
{
	for (size_t i = 0; i < NR_ROWS; i++) {
		const struct hvmsr_row *r = &hvmsr_table[i];

		if (!r->name || !r->read || r->first > r->last)
			return false;
		if (i > 0 && hvmsr_table[i - 1].last >= r->first)
			return false;
	}
	return true;
}

static const struct hvmsr_row *find_row(uint32_t msr)
{
	for (size_t i = 0; i < NR_ROWS; i++)
		if (msr >= hvmsr_table[i].first && msr <= hvmsr_table[i].last)
			return &hvmsr_table[i];
	return NULL;
}

int hv_msr_read(struct hv_vp *vp, uint32_t msr, uint64_t *val)
{
	const struct hvmsr_row *row = find_row(msr);

	return row ? row->read(vp, row, msr, val) : -1;
}

int hv_msr_write(struct hv_vp *vp, uint32_t msr, uint64_t val)
{
	const struct hvmsr_row *row = find_row(msr);

	if (!row || !row->write)
		return -1;
	return row->write(vp, row, msr, val);
}

const char *hv_msr_name(uint32_t msr)
{
	const struct hvmsr_row *row = find_row(msr);

	return row ? row->name : NULL;
}

void hv_msr_reset_part(struct hv_part *p)
{
	p->guest_os_id = 0;
	p->hypercall_msr = 0;
	p->ref_tsc_msr = 0;
	for (int i = 0; i < 5; i++)
		p->crash_p[i] = 0;
	p->crash_ctl = 0;
	p->tsc_invariant = false;
	p->ref_epoch = p->hv->q ? evq_now(p->hv->q) : 0;
	for (unsigned i = 0; i < p->nr_vps; i++)
		p->vp[i].vp_assist = 0;
}
