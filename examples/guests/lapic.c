/*
 * examples/guests/lapic.c — the local APIC as a guest kernel sees it
 * (Intel SDM Vol. 3A ch. 11; runs with --vcpus 2):
 *  - IA32_APIC_BASE of the BSP, the xAPIC ID and version registers;
 *  - the timer, one-shot and periodic, through the xAPIC page: the
 *    interrupts counted and the elapsed TSC compared with the count times
 *    TSC/APIC frequency (Hyper-V's TSC_FREQUENCY and APIC_FREQUENCY MSRs);
 *  - a self IPI through the xAPIC ICR; x2APIC mode, its ID MSR and a
 *    self IPI through SELF_IPI; the TSC-deadline timer (x2APIC mode);
 *  - bring-up of vCPU 1 with INIT-SIPI-SIPI (§9.4.4, §11.6.1) through the
 *    real-mode trampoline of lapic_tramp.S, which enters long mode and
 *    calls ap_main(); the AP signals the BSP through memory, then the BSP
 *    sends it a fixed IPI and the AP acknowledges it.
 * Interrupt handlers EOI in the mode of the APIC that took them.
 */
#include "rt.h"

#define APIC_PAGE	 0xFEE00000ul
#define MSR_APIC_BASE	 0x1Bu
#define MSR_TSC_DEADLINE 0x6E0u
#define MSR_HV_TSC_FREQ	 0x40000022u
#define MSR_HV_APIC_FREQ 0x40000023u
#define BASE_BSP	 (1ul << 8)
#define BASE_EXTD	 (1ul << 10)
#define BASE_EN		 (1ul << 11)

/* xAPIC register offsets; the x2APIC MSR is 0x800 + offset / 16. */
#define REG_ID	   0x20
#define REG_VER	   0x30
#define REG_EOI	   0xB0
#define REG_SVR	   0xF0
#define REG_ICR	   0x300
#define REG_LVTT   0x320
#define REG_TMICT  0x380
#define REG_TMCCT  0x390
#define REG_TDCR   0x3E0
#define X2(reg)	   (0x800u + (reg) / 16)
#define MSR_SELF_IPI 0x83Fu

#define VEC_TIMER   0x40
#define VEC_SELF    0x41
#define VEC_X2SELF  0x42
#define VEC_DL	    0x43
#define VEC_AP	    0x61
#define VEC_SPUR    0xFF
#define LVT_PERIODIC (1u << 17)
#define LVT_DEADLINE (2u << 17)
#define LVT_MASKED   (1u << 16)

/* The trampoline (lapic_tramp.S): copied to TRAMP_BASE, SIPI vector 0x10. */
#define TRAMP_BASE 0x10000ul
extern const uint8_t lapic_tramp_start[], lapic_tramp_end[];
extern const uint8_t lapic_tramp_params[];
struct lapic_tramp_params {
	uint64_t cr0, cr3, cr4, rsp, entry;
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
		uint16_t pad[3];
	} gdtr, idtr;
};

static volatile uint32_t hits[256];
static volatile uint64_t hit_tsc[256];
static volatile uint32_t ap_alive, ap_apic_id, ap_acks;
static uint8_t ap_stack[8192] __attribute__((aligned(16)));

static uint32_t apic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(APIC_PAGE + reg);
}

static void apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(APIC_PAGE + reg) = v;
}

/* EOI in whichever mode this CPU's APIC is. */
static void apic_eoi(void)
{
	if (rdmsr(MSR_APIC_BASE) & BASE_EXTD)
		wrmsr(X2(REG_EOI), 0);
	else
		apic_write(REG_EOI, 0);
}

static void on_irq(struct trap_frame *f)
{
	hit_tsc[f->vector & 0xFF] = rdtsc();
	hits[f->vector & 0xFF]++;
	if (f->vector == VEC_AP)
		ap_acks++;
	if (f->vector != VEC_SPUR)
		apic_eoi();
}

/* Wait with interrupts enabled until `vec` has been taken `n` times (or
 * a TSC budget ran out). It spins rather than halts: hvsim ends a run
 * when no vCPU is runnable, and today (hv_nr_runnable) a halted vCPU
 * counts as never waking even with its APIC timer armed. */
static int wait_hits(int vec, uint32_t n, uint64_t budget)
{
	uint64_t t0 = rdtsc();

	asm volatile("sti" ::: "memory");
	while (hits[vec] < n && rdtsc() - t0 < budget)
		asm volatile("pause" ::: "memory");
	asm volatile("cli" ::: "memory");
	return hits[vec] >= n;
}

/* Run with interrupts enabled for `cycles` of TSC, without halting (no
 * interrupt may come to wake a HLT). */
static void spin_sti(uint64_t cycles)
{
	uint64_t t0 = rdtsc();

	asm volatile("sti" ::: "memory");
	while (rdtsc() - t0 < cycles)
		asm volatile("pause" ::: "memory");
	asm volatile("cli" ::: "memory");
}

/* Is `got` within `pct` percent of `want`? */
static int near(uint64_t got, uint64_t want, unsigned pct)
{
	uint64_t d = got > want ? got - want : want - got;

	return d * 100 <= want * pct;
}

static uint64_t tsc_per_tick = 25; /* replaced by the Hyper-V MSRs */

static void test_identity(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint64_t tsc_hz = rdmsr(MSR_HV_TSC_FREQ);
	uint64_t apic_hz = rdmsr(MSR_HV_APIC_FREQ);

	report((base & ~0xFFFul) == APIC_PAGE && (base & BASE_EN) &&
		   (base & BASE_BSP) && !(base & BASE_EXTD),
	       "IA32_APIC_BASE: enabled BSP in xAPIC mode at 0xfee00000");
	report(apic_read(REG_ID) >> 24 == 0, "BSP APIC ID is 0");
	report((apic_read(REG_VER) & 0xFF) == 0x14, "APIC version 0x14");
	report(apic_hz && tsc_hz % apic_hz == 0,
	       "APIC timer clock divides the TSC clock");
	if (apic_hz)
		tsc_per_tick = tsc_hz / apic_hz;
	printf("lapic: %lu TSC cycles per APIC timer tick\n", tsc_per_tick);
	apic_write(REG_SVR, 0x100 | VEC_SPUR);
}

static void test_timer(void)
{
	uint64_t t0;

	apic_write(REG_TDCR, 0xB); /* divide by 1 */
	apic_write(REG_LVTT, VEC_TIMER);
	t0 = rdtsc();
	apic_write(REG_TMICT, 10000);
	report(wait_hits(VEC_TIMER, 1, 100000000), "one-shot timer fired");
	printf("lapic: one-shot of 10000 ticks: %lu TSC cycles (ideal %lu)\n",
	       hit_tsc[VEC_TIMER] - t0, 10000 * tsc_per_tick);
	report(near(hit_tsc[VEC_TIMER] - t0, 10000 * tsc_per_tick, 2),
	       "one-shot: elapsed TSC is 10000 ticks (within 2%%)");
	report(apic_read(REG_TMCCT) == 0, "one-shot: current count is 0");
	spin_sti(3 * 10000 * tsc_per_tick);
	report(hits[VEC_TIMER] == 1, "one-shot fires only once");

	hits[VEC_TIMER] = 0;
	apic_write(REG_LVTT, VEC_TIMER | LVT_PERIODIC);
	t0 = rdtsc();
	apic_write(REG_TMICT, 2000);
	report(wait_hits(VEC_TIMER, 10, 100000000), "periodic: 10 interrupts");
	printf("lapic: 10 periods of 2000 ticks: %lu TSC cycles (ideal %lu)\n",
	       hit_tsc[VEC_TIMER] - t0, 10 * 2000 * tsc_per_tick);
	report(near(hit_tsc[VEC_TIMER] - t0, 10 * 2000 * tsc_per_tick, 2),
	       "periodic: 10 periods of elapsed TSC (within 2%%)");
	apic_write(REG_LVTT, VEC_TIMER | LVT_MASKED);
	apic_write(REG_TMICT, 0);
}

static void test_self_ipis(void)
{
	apic_write(REG_ICR, 1u << 18 | VEC_SELF); /* shorthand self, fixed */
	report(wait_hits(VEC_SELF, 1, 10000000), "xAPIC ICR self IPI");

	wrmsr(MSR_APIC_BASE, APIC_PAGE | BASE_EN | BASE_EXTD | BASE_BSP);
	report(rdmsr(MSR_APIC_BASE) & BASE_EXTD, "x2APIC mode enabled");
	report(rdmsr(X2(REG_ID)) == 0, "x2APIC ID MSR reads 0");
	report(apic_read(REG_ID) == 0xFFFFFFFFu,
	       "xAPIC page reads all ones in x2APIC mode");
	wrmsr(MSR_SELF_IPI, VEC_X2SELF);
	report(wait_hits(VEC_X2SELF, 1, 10000000), "x2APIC SELF_IPI");
}

/* Nothing is printed while the deadline is pending: a child's UART
 * output is forwarded to the parent's VM Worker, and the vCPU waits off
 * the CPU meanwhile, so the interrupt would be taken late. */
static void test_tsc_deadline(void)
{
	uint64_t dl, readback;
	int fired;

	wrmsr(X2(REG_LVTT), VEC_DL | LVT_DEADLINE);
	dl = rdtsc() + 200000;
	wrmsr(MSR_TSC_DEADLINE, dl);
	readback = rdmsr(MSR_TSC_DEADLINE);
	fired = wait_hits(VEC_DL, 1, 100000000);
	printf("lapic: TSC-deadline interrupt %lu cycles after the deadline\n",
	       hit_tsc[VEC_DL] - dl);
	report(readback == dl, "TSC deadline reads back");
	report(fired, "TSC-deadline timer fired");
	report(hit_tsc[VEC_DL] >= dl && hit_tsc[VEC_DL] - dl < 10000,
	       "TSC-deadline: taken at the deadline (within 10000 cycles)");
	report(rdmsr(MSR_TSC_DEADLINE) == 0, "deadline MSR reads 0 after");
}

/* ---- the application processor ------------------------------------------ */

static void ap_main(void)
{
	ap_apic_id = apic_read(REG_ID) >> 24; /* the AP stays in xAPIC mode */
	apic_write(REG_SVR, 0x100 | VEC_SPUR);
	__atomic_store_n(&ap_alive, 1, __ATOMIC_SEQ_CST);
	for (;;)
		asm volatile("sti; hlt" ::: "memory");
}

static void icr_to_ap(uint32_t low)
{
	wrmsr(X2(REG_ICR), (uint64_t)1 << 32 | low); /* the BSP is x2APIC */
}

static int wait_flag(volatile uint32_t *flag, uint64_t budget)
{
	uint64_t t0 = rdtsc();

	while (!*flag && rdtsc() - t0 < budget)
		asm volatile("pause" ::: "memory");
	return *flag != 0;
}

static void test_ap_start(void)
{
	struct lapic_tramp_params p;
	size_t len = (size_t)(lapic_tramp_end - lapic_tramp_start);
	size_t off = (size_t)(lapic_tramp_params - lapic_tramp_start);
	uint64_t t0, t1;
	int alive;

	memcpy((void *)TRAMP_BASE, lapic_tramp_start, len);
	memset(&p, 0, sizeof(p));
	p.cr0 = read_cr0();
	p.cr3 = read_cr3();
	p.cr4 = read_cr4();
	p.rsp = (uint64_t)(ap_stack + sizeof(ap_stack));
	p.entry = (uint64_t)ap_main;
	asm volatile("sgdt %0; sidt %1" : "=m"(p.gdtr), "=m"(p.idtr));
	memcpy((void *)(TRAMP_BASE + off), &p, sizeof(p));

	t0 = rdtsc();
	icr_to_ap(5u << 8 | 1u << 14); /* INIT, assert */
	icr_to_ap(6u << 8 | (TRAMP_BASE >> 12)); /* SIPI */
	icr_to_ap(6u << 8 | (TRAMP_BASE >> 12)); /* second SIPI (ignored) */
	alive = wait_flag(&ap_alive, 200000000);
	t1 = rdtsc();
	report(alive, "AP reached long mode");
	printf("lapic: INIT to the AP in long mode, seen by the BSP: %lu cycles\n",
	       t1 - t0);
	report(ap_apic_id == 1, "AP APIC ID is 1");
	t0 = rdtsc();
	icr_to_ap(VEC_AP); /* fixed, physical */
	alive = wait_flag(&ap_acks, 200000000);
	t1 = rdtsc();
	report(alive, "AP took the BSP's fixed IPI and acknowledged it");
	printf("lapic: IPI to the AP and its acknowledgement: %lu cycles\n",
	       t1 - t0);
	report(hits[VEC_AP] == 1, "the IPI reached the AP only");
}

int kmain(struct hvsim_boot_info *bi)
{
	(void)bi;
	rt_init();
	printf("lapic: timer, IPIs, x2APIC, INIT-SIPI\n");
	for (int v = 0x40; v < 0x100; v++)
		idt_set_handler(v, on_irq);
	test_identity();
	test_timer();
	test_self_ipis();
	test_tsc_deadline();
	test_ap_start();
	report_summary();
}
