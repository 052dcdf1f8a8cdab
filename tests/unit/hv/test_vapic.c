/*
 * tests/unit/hv/test_vapic.c — the local APIC wired into the hypervisor
 * (hv/vapic.c), on a real hv + event queue (vapic_rig.h): the timer in
 * one-shot, periodic and TSC-deadline modes delivered at the right cycle
 * through the scheduler (a halted vCPU woken, a running one interrupted
 * mid-slice), fixed IPIs waking another vCPU, self IPIs (x2APIC SELF_IPI
 * and xAPIC ICR through the MMIO page), the broadcast shorthands, lowest
 * priority, INIT-SIPI starting an AP in real mode, the xAPIC page reaching
 * the running vCPU's APIC as counted MMIO exits, the MSR rows and their
 * #GP cases, and the x2APIC mode switch.
 *
 * Clock: 2.5 GHz (the hv default), so the APIC timer ticks every 25
 * cycles (100 MHz); DCR 0xB divides by 1.
 */
#include "vapic_rig.h"

#define CPT 25u /* cycles per APIC timer tick at 2.5 GHz */

/* ---- timer --------------------------------------------------------------- */

Test(vapic, timer_hz_is_a_100mhz_class_clock)
{
	struct rig r;

	rig_init(&r, 1, 100000, 0);
	cr_assert_eq(vapic_timer_hz(r.hv), 100000000ull);
	cr_assert_eq(hv_freq_hz(r.hv) / vapic_timer_hz(r.hv), CPT);
	rig_fini(&r);
}

Test(vapic, one_shot_timer_wakes_a_halted_vcpu_at_its_expiry)
{
	struct code c = {.n = 0};
	struct rig r;

	rig_init(&r, 1, 1000000, 0);
	sti(&c);
	hlt_loop(&c);
	rig_vp(&r, 0, &c);
	rig_x2apic(&r, 0);
	cr_assert_eq(vapic_msr_write(vpn(&r, 0), 0x83E, 0xB), 0); /* div 1 */
	cr_assert_eq(vapic_msr_write(vpn(&r, 0), 0x832, 0x30), 0);
	cr_assert_eq(vapic_msr_write(vpn(&r, 0), 0x838, 1000), 0);
	rig_run(&r, 200000);
	cr_assert_eq(rd32(&r, CNT(0, 0x30)), 1, "one-shot fires once");
	cr_assert_geq(rd64(&r, TIME(0, 0x30)), 1000 * CPT);
	cr_assert_lt(rd64(&r, TIME(0, 0x30)), 1000 * CPT + 500, "at %llu",
		     (unsigned long long)rd64(&r, TIME(0, 0x30)));
	rig_fini(&r);
}

Test(vapic, periodic_timer_fires_every_period)
{
	struct code c = {.n = 0};
	struct rig r;

	rig_init(&r, 1, 1000000, 0);
	sti(&c);
	hlt_loop(&c);
	rig_vp(&r, 0, &c);
	rig_x2apic(&r, 0);
	cr_assert_eq(vapic_msr_write(vpn(&r, 0), 0x83E, 0xB), 0);
	cr_assert_eq(vapic_msr_write(vpn(&r, 0), 0x832, 0x20031), 0);
	cr_assert_eq(vapic_msr_write(vpn(&r, 0), 0x838, 400), 0); /* 10k */
	rig_run(&r, 105000);
	cr_assert_eq(rd32(&r, CNT(0, 0x31)), 10);
	cr_assert_geq(rd64(&r, TIME(0, 0x31)), 100000);
	cr_assert_lt(rd64(&r, TIME(0, 0x31)), 100500);
	rig_fini(&r);
}

/* The guest arms the timer itself and spins: the slice (10M cycles) is
 * cut at the expiry, so the interrupt is not a quantum late. */
Test(vapic, timer_armed_by_a_running_vcpu_interrupts_it_on_time)
{
	struct code c = {.n = 0};
	struct rig r;
	uint64_t armed, got;

	rig_init(&r, 1, 10000000, 0);
	wrmsr(&c, 0x83E, 0xB);
	wrmsr(&c, 0x832, 0x32);
	wrmsr(&c, 0x838, 2000); /* 50,000 cycles */
	EMIT(&c, 0x0F, 0x31, 0x89, 0x04, 0x25, LE32(DATA)); /* rdtsc; mov */
	sti(&c);
	spin(&c);
	rig_vp(&r, 0, &c);
	rig_x2apic(&r, 0);
	rig_run(&r, 500000);
	armed = rd32(&r, DATA);
	got = rd64(&r, TIME(0, 0x32));
	cr_assert_eq(rd32(&r, CNT(0, 0x32)), 1);
	/* Armed inside the WRMSR exit, about one exit (1,200) before the
	 * RDTSC; delivered at the next block boundary after the expiry. */
	cr_assert_geq(got, armed + 50000 - 1300, "armed %llu got %llu",
		      (unsigned long long)armed, (unsigned long long)got);
	cr_assert_lt(got, armed + 50000 + 300, "armed %llu got %llu",
		     (unsigned long long)armed, (unsigned long long)got);
	rig_fini(&r);
}

/* The deadline compares with the TSC RDTSC returns, offset included. */
Test(vapic, tsc_deadline_uses_the_guest_tsc)
{
	struct code c = {.n = 0};
	struct rig r;
	uint64_t dl, got;

	rig_init(&r, 1, 1000000, 0);
	wrmsr(&c, 0x832, 0x40033);    /* TSC-deadline mode, vector 0x33 */
	wrmsr(&c, 0x10, 1000000000ull); /* IA32_TSC: offset ~1e9 */
	EMIT(&c, 0x0F, 0x31, 0x48, 0xC1, 0xE2, 0x20, 0x48, 0x09, 0xD0, /* tsc */
	     0x48, 0x05, LE32(30000),		       /* add rax, 30000 */
	     0x48, 0x89, 0x04, 0x25, LE32(DATA),       /* mov [DATA], rax */
	     0x48, 0x89, 0xC2, 0x48, 0xC1, 0xEA, 0x20); /* rdx = rax >> 32 */
	mov_ecx(&c, 0x6E0);
	EMIT(&c, 0x0F, 0x30); /* wrmsr */
	sti(&c);
	hlt_loop(&c);
	rig_vp(&r, 0, &c);
	rig_x2apic(&r, 0);
	rig_run(&r, 300000);
	dl = rd64(&r, DATA);
	got = rd64(&r, TIME(0, 0x33));
	cr_assert_eq(rd32(&r, CNT(0, 0x33)), 1);
	cr_assert_gt(dl, 1000000000ull);
	cr_assert_geq(got, dl, "deadline %llu got %llu",
		      (unsigned long long)dl, (unsigned long long)got);
	cr_assert_lt(got, dl + 500);
	cr_assert_eq(vapic_msr_read(vpn(&r, 0), 0x6E0, &dl), 0);
	cr_assert_eq(dl, 0, "a fired deadline reads 0");
	rig_fini(&r);
}

/* ---- IPIs ---------------------------------------------------------------- */

Test(vapic, fixed_ipi_wakes_another_vcpu_from_hlt)
{
	struct code c0 = {.n = 0}, c1 = {.n = 0};
	struct rig r;

	rig_init(&r, 2, 1000000, 0);
	wrmsr(&c0, 0x830, 1ull << 32 | 0x40); /* fixed, physical, APIC 1 */
	wrmsr(&c0, 0x830, 1ull << 32 | 0x41);
	cli(&c0);
	hlt_loop(&c0);
	sti(&c1);
	hlt_loop(&c1);
	rig_vp(&r, 0, &c0);
	rig_vp(&r, 1, &c1);
	rig_x2apic(&r, 0);
	rig_x2apic(&r, 1);
	rig_run(&r, 1000000);
	cr_assert_eq(rd32(&r, CNT(1, 0x40)), 1);
	cr_assert_eq(rd32(&r, CNT(1, 0x41)), 1);
	cr_assert_eq(rd32(&r, CNT(0, 0x40)), 0, "not the sender");
	cr_assert(vpn(&r, 1)->halted, "back in HLT");
	rig_fini(&r);
}

Test(vapic, x2apic_self_ipi_reaches_the_sender)
{
	struct code c = {.n = 0};
	struct rig r;

	rig_init(&r, 2, 1000000, 0);
	sti(&c);
	wrmsr(&c, 0x83F, 0x45); /* SELF_IPI */
	hlt_loop(&c);
	rig_vp(&r, 0, &c);
	rig_x2apic(&r, 0);
	rig_x2apic(&r, 1);
	rig_run(&r, 1000000);
	cr_assert_eq(rd32(&r, CNT(0, 0x45)), 1);
	cr_assert_eq(rd32(&r, CNT(1, 0x45)), 0);
	rig_fini(&r);
}

/* xAPIC mode, all through the MMIO page: SVR, then ICR with the self
 * shorthand; each access is one MMIO exit. */
Test(vapic, xapic_icr_self_ipi_through_the_mmio_page)
{
	struct code c = {.n = 0};
	struct rig r;

	rig_init(&r, 1, 1000000, 0);
	store32(&c, 0xFEE000F0, 0x1FF);		 /* SVR: enabled */
	sti(&c);
	store32(&c, 0xFEE00300, 0x40000 | 0x46); /* ICR: self, fixed */
	hlt_loop(&c);
	rig_vp(&r, 0, &c);
	rig_run(&r, 1000000);
	cr_assert_eq(rd32(&r, CNT(0, 0x46)), 1);
	cr_assert_eq(hv_part_exit_count(r.p, HV_EXIT_MMIO), 2);
	cr_assert_eq(hv_exit_cycles(r.hv, HV_EXIT_MMIO),
		     2 * hv_exit_cost(HV_EXIT_MMIO));
	rig_fini(&r);
}

Test(vapic, broadcast_shorthands_reach_all_or_all_but_self)
{
	struct code c0 = {.n = 0}, cx = {.n = 0};
	struct rig r;

	rig_init(&r, 3, 1000000, 0);
	sti(&c0);
	wrmsr(&c0, 0x830, 0xC0000 | 0x50); /* all excluding self */
	wrmsr(&c0, 0x830, 0x80000 | 0x51); /* all including self */
	hlt_loop(&c0);
	sti(&cx);
	hlt_loop(&cx);
	rig_vp(&r, 0, &c0);
	for (unsigned i = 1; i < 3; i++)
		rig_vp(&r, i, &cx);
	for (unsigned i = 0; i < 3; i++)
		rig_x2apic(&r, i);
	rig_run(&r, 1000000);
	cr_assert_eq(rd32(&r, CNT(0, 0x50)), 0);
	for (unsigned i = 1; i < 3; i++)
		cr_assert_eq(rd32(&r, CNT(i, 0x50)), 1, "vCPU %u", i);
	for (unsigned i = 0; i < 3; i++)
		cr_assert_eq(rd32(&r, CNT(i, 0x51)), 1, "vCPU %u", i);
	rig_fini(&r);
}

/* Lowest priority to logical {0,1,2}: the lowest PPR wins, the lowest
 * index on a tie. */
Test(vapic, lowest_priority_picks_the_lowest_ppr_deterministically)
{
	static const uint32_t tpr[3] = {0x20, 0x10, 0x10};
	struct rig r;

	rig_init(&r, 3, 1000000, 0);
	for (unsigned i = 0; i < 3; i++) {
		rig_x2apic(&r, i);
		cr_assert_eq(vapic_msr_write(vpn(&r, i), 0x808, tpr[i]), 0);
	}
	cr_assert_eq(vapic_msr_write(vpn(&r, 0), 0x830,
				     7ull << 32 | 0x800 | 0x100 | 0x55), 0);
	cr_assert_not(lapic_pending(vpn(&r, 0)->lapic));
	cr_assert(lapic_pending(vpn(&r, 1)->lapic));
	cr_assert_not(lapic_pending(vpn(&r, 2)->lapic));
	rig_fini(&r);
}

/* ---- INIT / SIPI --------------------------------------------------------- */

/* Real-mode code at 0x9000: mov ax, 0x1234; mov [0x600], ax; cli; hlt. */
static const uint8_t ap_code[] = {0xB8, 0x34, 0x12, 0xA3, 0x00,
				  0x06, 0xFA, 0xF4};

Test(vapic, init_sipi_starts_an_ap_in_real_mode_at_the_vector)
{
	struct code c = {.n = 0};
	struct rig r;
	struct cpu *ap;

	rig_init(&r, 2, 1000000, 0);
	cr_assert_eq(physmem_copy_to(r.p->mem, 0x9000, ap_code,
				     sizeof(ap_code)), 0);
	wrmsr(&c, 0x830, 1ull << 32 | 0x4500); /* INIT, assert */
	wrmsr(&c, 0x830, 1ull << 32 | 0x4609); /* SIPI, vector 9 */
	wrmsr(&c, 0x830, 1ull << 32 | 0x4608); /* a second SIPI: ignored */
	cli(&c);
	hlt_loop(&c);
	rig_vp(&r, 0, &c);
	rig_x2apic(&r, 0);
	rig_run(&r, 1000000);
	ap = vpn(&r, 1)->cpu;
	cr_assert_eq(physmem_read(r.p->mem, 0x600, 2), 0x1234);
	cr_assert_eq(ap->seg[SEG_CS].sel, 0x0900);
	cr_assert_eq(ap->seg[SEG_CS].base, 0x9000);
	cr_assert_eq(ap->mode, MODE_REAL16);
	cr_assert_eq(cpu_get_rip(ap), 8, "after the HLT");
	cr_assert(vpn(&r, 1)->halted);
	rig_fini(&r);
}

/* After INIT a vCPU waits for SIPI: interrupts do not wake it, even one
 * that ran before; its core is at the reset vector; SIPI starts it. */
Test(vapic, a_vcpu_waiting_for_sipi_ignores_interrupts)
{
	struct code c = {.n = 0};
	struct rig r;
	struct hv_vp *ap;

	rig_init(&r, 2, 1000000, 0);
	sti(&c);
	hlt_loop(&c);
	rig_vp(&r, 1, &c); /* the AP runs long-mode code first */
	rig_x2apic(&r, 0);
	ap = vpn(&r, 1);
	ap->io.state = HV_IO_WAITING; /* as if stopped on a forwarded OUT */
	cr_assert_not(ap->halted);
	cr_assert_eq(vapic_msr_write(vpn(&r, 0), 0x830, 1ull << 32 | 0x4500),
		     0);
	cr_assert(ap->halted);
	cr_assert(cpu_at_reset_vector(ap->cpu));
	cr_assert_eq(ap->io.state, HV_IO_NONE, "pending I/O dropped");
	cr_assert_not(cpu_interrupts_enabled(ap->cpu));
	vapic_raise(ap, 0x70, false); /* APIC software-disabled: dropped */
	hv_vp_set_intr_line(r.p, 1, true);
	cr_assert(ap->halted, "no wake-up by INTR");
	cr_assert_eq(vapic_msr_write(vpn(&r, 0), 0x830, 1ull << 32 | 0x4612),
		     0);
	cr_assert_not(ap->halted);
	cr_assert_eq(ap->cpu->seg[SEG_CS].base, 0x12000);
	cr_assert_eq(cpu_get_rip(ap->cpu), 0);
	cr_assert_not(cpu_at_reset_vector(ap->cpu));
	rig_fini(&r);
}

/* ---- the xAPIC page ------------------------------------------------------ */

Test(vapic, mmio_page_reaches_the_running_vcpus_apic)
{
	struct code c0 = {.n = 0}, c1 = {.n = 0};
	struct rig r;

	rig_init(&r, 2, 1000000, 0);
	copy32(&c0, DATA, 0xFEE00020); /* APIC ID register */
	cli(&c0);
	hlt_loop(&c0);
	copy32(&c1, DATA + 4, 0xFEE00020);
	cli(&c1);
	hlt_loop(&c1);
	rig_vp(&r, 0, &c0);
	rig_vp(&r, 1, &c1);
	rig_run(&r, 1000000);
	cr_assert_eq(rd32(&r, DATA), 0u << 24);
	cr_assert_eq(rd32(&r, DATA + 4), 1u << 24);
	cr_assert_eq(hv_part_exit_count(r.p, HV_EXIT_MMIO), 2);
	cr_assert_eq(vpn(&r, 0)->exits, 2, "the MMIO exit and the HLT");
	rig_fini(&r);
}

Test(vapic, mmio_with_no_running_vcpu_is_open_bus)
{
	struct rig r;

	rig_init(&r, 1, 1000000, 0);
	cr_assert_eq(physmem_read(r.p->mem, 0xFEE00030, 4), 0xFFFFFFFFull);
	physmem_write(r.p->mem, 0xFEE000F0, 4, 0x1FF);
	cr_assert_eq(hv_part_exit_count(r.p, HV_EXIT_MMIO), 0);
	rig_fini(&r);
}

/* ---- MSRs ---------------------------------------------------------------- */

struct msr_row {
	unsigned vp;
	uint32_t msr;
	bool write;
	uint64_t val;
	int rc;		/* 0, -1 #GP, 1 not an APIC MSR */
	uint64_t want; /* read rows */
};

/* In order, on a fresh 2-vCPU partition in xAPIC mode. */
static const struct msr_row msr_rows[] = {
    {0, 0x1B, false, 0, 0, 0xFEE00900},	/* BSP */
    {1, 0x1B, false, 0, 0, 0xFEE00800},	/* AP */
    {0, 0x1B, true, 1ull << 40 | 0xFEE00800, -1, 0}, /* > MAXPHYADDR */
    {0, 0x802, false, 0, -1, 0},		/* x2APIC MSR in xAPIC mode */
    {0, 0x6E0, false, 0, 0, 0},			/* not in deadline mode */
    {0, 0x40000070, false, 0, -1, 0},		/* EOI is write-only */
    {0, 0x40000070, true, 0, 0, 0},
    {0, 0x40000072, true, 0x20, 0, 0},		/* TPR */
    {0, 0x40000072, false, 0, 0, 0x20},
    {0, 0x40000072, true, 0x100, -1, 0},	/* reserved bits */
    {0, 0x808, false, 0, -1, 0},
    {0, 0x40000000, false, 0, 1, 0},		/* not the APIC's */
    {0, 0x40000000, true, 0, 1, 0},
    /* x2APIC: enable, then the ID reads as the vCPU index. */
    {1, 0x1B, true, X2APIC_BASE, 0, 0},
    {1, 0x802, false, 0, 0, 1},
    {1, 0x1B, false, 0, 0, X2APIC_BASE},
    {1, 0x1B, true, LAPIC_DEFAULT_BASE | LAPIC_BASE_EN, -1, 0}, /* → xAPIC */
    {1, 0x80F, true, 0x1FF, 0, 0},
    {1, 0x40000072, false, 0, 0, 0},
    {1, 0x802, true, 5, -1, 0}, /* ID is read-only */
};

Test(vapic, msr_rows)
{
	struct rig r;

	rig_init(&r, 2, 1000000, 0);
	for (size_t i = 0; i < sizeof(msr_rows) / sizeof(msr_rows[0]); i++) {
		const struct msr_row *m = &msr_rows[i];
		uint64_t v = 0xDEAD;
		int rc = m->write ? vapic_msr_write(vpn(&r, m->vp), m->msr,
						    m->val)
				  : vapic_msr_read(vpn(&r, m->vp), m->msr, &v);

		cr_assert_eq(rc, m->rc, "row %zu: rc %d", i, rc);
		if (!m->write && rc == 0)
			cr_assert_eq(v, m->want, "row %zu: %#llx", i,
				     (unsigned long long)v);
	}
	rig_fini(&r);
}

/* In x2APIC mode the xAPIC page reads all ones, without touching state. */
Test(vapic, x2apic_mode_switch_retires_the_mmio_page)
{
	struct rig r;
	struct hv_vp *vp;

	rig_init(&r, 1, 1000000, 0);
	vp = vpn(&r, 0);
	vp->running = true; /* as if the access came from its guest */
	cr_assert_eq(physmem_read(r.p->mem, 0xFEE00030, 4), LAPIC_VERSION);
	rig_x2apic(&r, 0);
	cr_assert_eq(physmem_read(r.p->mem, 0xFEE00030, 4), 0xFFFFFFFFull);
	vp->running = false;
	cr_assert_eq(hv_part_exit_count(r.p, HV_EXIT_MMIO), 2);
	rig_fini(&r);
}

/* Guest RDMSR of a write-only / wrong-mode APIC MSR takes #GP. */
Test(vapic, bad_apic_msr_access_from_the_guest_is_gp)
{
	struct code c = {.n = 0};
	struct rig r;

	rig_init(&r, 1, 1000000, 0);
	mov_ecx(&c, 0x40000070);
	EMIT(&c, 0x0F, 0x32); /* rdmsr: write-only */
	mov_ecx(&c, 0x802);
	EMIT(&c, 0x0F, 0x32); /* rdmsr: x2APIC MSR in xAPIC mode */
	wrmsr(&c, 0x1B, 1ull << 40 | 0xFEE00800);
	cli(&c);
	hlt_loop(&c);
	rig_vp(&r, 0, &c);
	rig_run(&r, 1000000);
	cr_assert_eq(rd32(&r, CNT(0, 13)), 3);
	cr_assert_eq(lapic_get_base(vpn(&r, 0)->lapic), 0xFEE00900ull);
	rig_fini(&r);
}

/* The core has no NMI input: an NMI IPI is sent (counted by the sender's
 * APIC) and dropped, with no effect on the target. */
Test(vapic, nmi_ipi_is_dropped_without_effect)
{
	struct code c = {.n = 0};
	struct rig r;

	rig_init(&r, 2, 1000000, 0);
	sti(&c);
	hlt_loop(&c);
	rig_vp(&r, 1, &c);
	rig_x2apic(&r, 0);
	rig_x2apic(&r, 1);
	vpn(&r, 1)->halted = true;
	cr_assert_eq(vapic_msr_write(vpn(&r, 0), 0x830, 1ull << 32 | 0x400),
		     0);
	cr_assert_eq(lapic_stats(vpn(&r, 0)->lapic)->ipis, 1);
	cr_assert_not(lapic_pending(vpn(&r, 1)->lapic));
	cr_assert(vpn(&r, 1)->halted);
	cr_assert_eq(lapic_stats(vpn(&r, 1)->lapic)->accepted, 0);
	rig_fini(&r);
}

/* INIT keeps what SDM Table 9-1's INIT column keeps (x87/SSE, MSRs, the
 * TSC) and puts the rest in its power-up state, real mode at F000:FFF0. */
Test(vapic, init_keeps_fpu_sse_msrs_and_resets_the_rest)
{
	struct code c = {.n = 0};
	struct rig r;
	struct cpu *ap;
	uint64_t tsc;

	rig_init(&r, 2, 1000000, 0);
	spin(&c);
	rig_vp(&r, 1, &c);
	rig_x2apic(&r, 0);
	ap = vpn(&r, 1)->cpu;
	ap->xmm[3].q[0] = 0x1122334455667788ull;
	ap->mxcsr = 0x1FC0;
	ap->msr.tsc_offset = 12345;
	ap->msr.star = 0x23001000000000ull;
	cpu_set_gpr(ap, RBX, 77);
	tsc = cpu_cycles(ap);
	cr_assert_eq(vapic_msr_write(vpn(&r, 0), 0x830, 1ull << 32 | 0x4500),
		     0);
	cr_assert_eq(ap->xmm[3].q[0], 0x1122334455667788ull);
	cr_assert_eq(ap->mxcsr, 0x1FC0);
	cr_assert_eq(ap->msr.tsc_offset, 12345);
	cr_assert_eq(ap->msr.star, 0x23001000000000ull);
	cr_assert_eq(cpu_cycles(ap), tsc, "the clock goes on");
	cr_assert_eq(cpu_get_gpr(ap, RBX), 0);
	cr_assert_eq(ap->efer, 0);
	cr_assert_eq(ap->cr0 & ~(uint64_t)(CR0_CD | CR0_NW), CR0_ET);
	cr_assert_eq(ap->cr3, 0);
	cr_assert_eq(ap->cr4, 0);
	cr_assert_eq(ap->mode, MODE_REAL16);
	cr_assert_eq(ap->seg[SEG_CS].sel, 0xF000);
	cr_assert_eq(cpu_get_rip(ap), 0xFFF0);
	cr_assert_eq(ap->idtr.limit, 0xFFFF);
	cr_assert_eq(cpu_get_cpl(ap), 0);
	cr_assert(ap->halted);
	cr_assert(vpn(&r, 1)->halted);
	rig_fini(&r);
}
