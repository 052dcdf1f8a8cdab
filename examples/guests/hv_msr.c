/*
 * examples/guests/hv_msr.c — every synthetic MSR of hv/hvmsr.c from inside
 * a guest (Hyper-V TLFS; vmbus.md §1.3, §7.3; vmbus-linux61.md row 6,
 * §2.6-§2.7).
 *
 * Checks, in the order Linux 6.1 touches them where it matters (VP_INDEX
 * and VP_ASSIST_PAGE before GUEST_OS_ID): values and read-back, #GP for
 * read-only MSRs, reserved bits and pages outside RAM; the hypercall page
 * (its bytes, GUEST_OS_ID gating, calling it with an unknown call code);
 * the reference TSC page against TIME_REF_COUNT; the crash MSRs (without
 * notifying: that ends the partition, see hv_crash.c); the lock bit last.
 */
#include "hyperv.h"
#include "rt.h"

#define GP		  13
#define UD		  6
/* A page number far outside the guest's RAM (and below MAXPHYADDR). */
#define GPA_OUTSIDE	  (1ull << 38)
#define UNKNOWN_CALL_CODE 0x7FFF

static uint64_t must_read(uint32_t msr)
{
	uint64_t v = 0;

	if (hv_rdmsr_safe(msr, &v))
		report(0, "rdmsr %#x faulted", msr);
	return v;
}

static void expect_gp_write(uint32_t msr, uint64_t v, const char *what)
{
	report(hv_wrmsr_safe(msr, v) == GP, "wrmsr %s -> #GP", what);
}

static void test_identity_and_frequencies(void)
{
	uint64_t tsc_hz = must_read(HV_MSR_TSC_FREQUENCY);
	uint64_t apic_hz = must_read(HV_MSR_APIC_FREQUENCY);

	report(must_read(HV_MSR_VP_INDEX) == 0, "VP_INDEX is 0 on the BSP");
	printf("TSC_FREQUENCY %lu Hz, APIC_FREQUENCY %lu Hz\n", tsc_hz,
	       apic_hz);
	report(tsc_hz >= 1000000 && apic_hz > 0 && apic_hz <= tsc_hz,
	       "TSC and APIC frequencies are sane");
	expect_gp_write(HV_MSR_VP_INDEX, 1, "VP_INDEX (read-only)");
	expect_gp_write(HV_MSR_TSC_FREQUENCY, 1, "TSC_FREQUENCY (read-only)");
	expect_gp_write(HV_MSR_APIC_FREQUENCY, 1, "APIC_FREQUENCY (read-only)");
}

static void test_vp_assist(void)
{
	uint64_t page = (uint64_t)page_alloc();

	report(hv_wrmsr_safe(HV_MSR_VP_ASSIST_PAGE, page | HV_MSR_ENABLE) ==
		       0 &&
		   must_read(HV_MSR_VP_ASSIST_PAGE) == (page | HV_MSR_ENABLE),
	       "VP_ASSIST_PAGE accepted before GUEST_OS_ID and reads back");
	expect_gp_write(HV_MSR_VP_ASSIST_PAGE, GPA_OUTSIDE | HV_MSR_ENABLE,
			"VP_ASSIST_PAGE outside RAM");
	report(must_read(HV_MSR_VP_ASSIST_PAGE) == (page | HV_MSR_ENABLE),
	       "VP_ASSIST_PAGE unchanged by the faulting write");
}

static void test_time(void)
{
	uint64_t r1 = must_read(HV_MSR_TIME_REF_COUNT), r2;
	uint64_t u1 = must_read(HV_MSR_VP_RUNTIME), u2;
	volatile uint64_t sink = 0;

	for (int i = 0; i < 100000; i++)
		sink += (uint64_t)i;
	r2 = must_read(HV_MSR_TIME_REF_COUNT);
	u2 = must_read(HV_MSR_VP_RUNTIME);
	report(r2 > r1, "TIME_REF_COUNT advances (%lu -> %lu)", r1, r2);
	report(u2 > u1, "VP_RUNTIME advances");
	report(u2 <= r2, "VP_RUNTIME <= TIME_REF_COUNT");
	expect_gp_write(HV_MSR_TIME_REF_COUNT, 0, "TIME_REF_COUNT (read-only)");
	expect_gp_write(HV_MSR_VP_RUNTIME, 0, "VP_RUNTIME (read-only)");
}

/* Reference time from the TSC page, under its sequence lock. */
static int tsc_page_time(volatile uint8_t *pg, uint64_t *out)
{
	for (int tries = 0; tries < 10; tries++) {
		uint32_t seq = *(volatile uint32_t *)pg;
		uint64_t scale = *(volatile uint64_t *)(pg + 8);
		int64_t off = *(volatile int64_t *)(pg + 16);
		uint64_t tsc = rdtsc();

		if (seq == 0)
			return -1;
		*out = (uint64_t)(((unsigned __int128)tsc * scale) >> 64) +
		       (uint64_t)off;
		if (*(volatile uint32_t *)pg == seq)
			return 0;
	}
	return -1;
}

static void test_reference_tsc(void)
{
	volatile uint8_t *pg = page_alloc();
	uint64_t t1, t2, t = 0;
	int ok;

	report(hv_wrmsr_safe(HV_MSR_REFERENCE_TSC,
			     (uint64_t)pg | HV_MSR_ENABLE) == 0 &&
		   must_read(HV_MSR_REFERENCE_TSC) ==
		       ((uint64_t)pg | HV_MSR_ENABLE),
	       "REFERENCE_TSC enables and reads back");
	report(*(volatile uint32_t *)pg != 0, "TSC page sequence is valid");
	t1 = must_read(HV_MSR_TIME_REF_COUNT);
	ok = tsc_page_time(pg, &t);
	t2 = must_read(HV_MSR_TIME_REF_COUNT);
	report(ok == 0 && t + 1 >= t1 && t <= t2 + 1,
	       "TSC page time lies between two TIME_REF_COUNT reads");
	if (ok != 0 || t + 1 < t1 || t > t2 + 1)
		printf("      %lu <= %lu <= %lu ?\n", t1, t, t2);
	expect_gp_write(HV_MSR_REFERENCE_TSC, GPA_OUTSIDE | HV_MSR_ENABLE,
			"REFERENCE_TSC outside RAM");
}

static void test_tsc_invariant(void)
{
	report(hv_wrmsr_safe(HV_MSR_TSC_INVARIANT_CTL, 1) == 0 &&
		   must_read(HV_MSR_TSC_INVARIANT_CTL) == 1,
	       "TSC_INVARIANT_CONTROL bit 0 sticks");
	expect_gp_write(HV_MSR_TSC_INVARIANT_CTL, 2,
			"TSC_INVARIANT_CONTROL reserved bit");
}

static void test_crash_msrs(void)
{
	int ok = 1;

	for (uint32_t i = 0; i < 5; i++) {
		uint64_t v = 0x0101010101010101ull * (i + 1);

		ok &= hv_wrmsr_safe(HV_MSR_CRASH_P0 + i, v) == 0 &&
		      must_read(HV_MSR_CRASH_P0 + i) == v;
	}
	report(ok, "CRASH_P0..P4 read back");
	report(must_read(HV_MSR_CRASH_CTL) ==
		   (HV_CRASH_CTL_NOTIFY | HV_CRASH_CTL_NOTIFY_MSG),
	       "CRASH_CTL reads notify | notify-with-message");
	expect_gp_write(HV_MSR_CRASH_CTL, 1, "CRASH_CTL reserved bit");
}

/* Calls the page at `page` with control `code` (slow, no input/output).
 * The page may #UD before hypercalls exist: the catcher resumes after the
 * CALL with the return address still pushed, so RSP is restored from RBX. */
static int call_page(uint64_t page, uint64_t code, uint64_t *rax)
{
	register uint64_t r8 asm("r8") = 0;
	uint64_t rcx = code, rdx = 0;

	*rax = ~0ull;
	catch_reset();
	asm volatile("movq %%rsp, %%rbx\n\t" TRY_BEGIN "call *%[page]" TRY_END
		     "movq %%rbx, %%rsp\n\t"
		     : "+a"(*rax), "+c"(rcx), "+d"(rdx), "+r"(r8)
		     : [page] "r"(page)
		     : "rbx", "rsi", "rdi", "r9", "r10", "r11", "memory", "cc");
	return trap_catch.count ? (int)trap_catch.vector : 0;
}

static void test_hypercall_page(void)
{
	uint64_t scratch = (uint64_t)page_alloc(), rax, page;
	volatile uint8_t *b;
	int vec;

	report(must_read(HV_MSR_GUEST_OS_ID) == 0, "GUEST_OS_ID starts at 0");
	report(hv_wrmsr_safe(HV_MSR_HYPERCALL, scratch | HV_MSR_ENABLE) == 0 &&
		   must_read(HV_MSR_HYPERCALL) == scratch,
	       "HYPERCALL enable does not stick while GUEST_OS_ID is 0");
	report(hv_hypercall_enable() == 0, "hypercall page enabled");
	page = hv_hypercall_page();
	b = (volatile uint8_t *)page;
	report(b[0] == 0x0F && b[1] == 0x01 && b[2] == 0xC1 && b[3] == 0xC3,
	       "hypercall page holds VMCALL; RET");
	report(must_read(HV_MSR_GUEST_OS_ID) == HV_GUEST_OS_ID_HVSIM,
	       "GUEST_OS_ID reads back");
	expect_gp_write(HV_MSR_HYPERCALL, GPA_OUTSIDE | HV_MSR_ENABLE,
			"HYPERCALL page outside RAM");
	report(must_read(HV_MSR_HYPERCALL) == (page | HV_MSR_ENABLE),
	       "HYPERCALL unchanged by the faulting write");
	vec = call_page(page, UNKNOWN_CALL_CODE, &rax);
	if (vec == UD)
		report_skip("unknown call code: VMCALL raised #UD (hypercalls "
			    "not implemented yet)");
	else
		report(vec == 0 &&
			   HV_STATUS(rax) == HV_STATUS_INVALID_HYPERCALL_CODE,
		       "unknown call code -> HV_STATUS_INVALID_HYPERCALL_CODE");
}

/* Last: a locked page stays until GUEST_OS_ID goes to 0. */
static void test_lock_and_disable(void)
{
	uint64_t page = hv_hypercall_page();
	uint64_t locked = page | HV_MSR_HYPERCALL_LOCK | HV_MSR_ENABLE;

	report(hv_wrmsr_safe(HV_MSR_HYPERCALL, locked) == 0 &&
		   must_read(HV_MSR_HYPERCALL) == locked,
	       "HYPERCALL lock bit reads back");
	hv_wrmsr_safe(HV_MSR_HYPERCALL, 0);
	report(must_read(HV_MSR_HYPERCALL) == locked,
	       "a locked HYPERCALL ignores writes");
	hv_wrmsr_safe(HV_MSR_GUEST_OS_ID, 0);
	report(!(must_read(HV_MSR_HYPERCALL) & HV_MSR_ENABLE),
	       "GUEST_OS_ID = 0 disables the hypercall page");
}

static void test_unknown(void)
{
	uint64_t v;

	report(hv_rdmsr_safe(HV_MSR_RESET, &v) == GP,
	       "rdmsr RESET (not implemented) -> #GP");
	report(hv_rdmsr_safe(HV_MSR_GUEST_IDLE, &v) == GP,
	       "rdmsr GUEST_IDLE (not implemented) -> #GP");
	report(hv_rdmsr_safe(0x40000200, &v) == GP,
	       "rdmsr 0x40000200 (unknown) -> #GP");
}

int kmain(struct hvsim_boot_info *bi)
{
	(void)bi;
	rt_init();
	printf("hv_msr: the synthetic MSRs\n");
	test_identity_and_frequencies();
	test_vp_assist();
	test_time();
	test_reference_tsc();
	test_tsc_invariant();
	test_crash_msrs();
	test_hypercall_page();
	test_unknown();
	test_lock_and_disable();
	report_summary();
}
