/*
 * tests/unit/hv/test_hvmsr.c — the synthetic MSR table (hv/hvmsr.c) and
 * its pages (hv/hvpages.c): each row's read/write/#GP, preserved and
 * read-only bits, the hypercall page bytes in guest RAM and its gating on
 * GUEST_OS_ID, the lock bit, the reference TSC page against
 * TIME_REF_COUNT, VP_RUNTIME, the crash MSRs calling ops.guest_crash, and
 * random MSR numbers and values that must never crash.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/cpu_int.h"
#include "hv/hv_int.h"
#include "hv/hvdefs.h"
#include "hv/hvmsr.h"
#include "hv/vapic.h"
#include "mmu/mmu.h"
#include "sim/evq.h"

#define RAM	   (1u << 20)
/* CRASH_P0..P4 are consecutive. */
#define CRASH_P(n) (HV_MSR_CRASH_P0 + (n))

struct crash_seen {
	int calls;
	unsigned vp;
	uint64_t p[5];
	char msg[HV_CRASH_MSG_MAX + 1];
};

static void on_crash(void *opaque, unsigned vp, const uint64_t p[5],
		     const char *msg)
{
	struct crash_seen *c = opaque;

	c->calls++;
	c->vp = vp;
	memcpy(c->p, p, sizeof(c->p));
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

struct rig {
	struct evq *q;
	struct hv *hv;
	struct hv_part *p;
	struct hv_vp *vp;
	struct crash_seen crash;
};

static void rig_init(struct rig *r)
{
	struct hv_config hc = {.pcpus = 3, .quantum = 100000};
	struct hv_part_config pc = {
	    .name = "t", .vcpus = 2, .mem_bytes = RAM, .weight = 100};
	struct hv_part_ops ops = {.guest_crash = on_crash};

	memset(r, 0, sizeof(*r));
	r->q = evq_create();
	cr_assert_not_null(r->q);
	r->hv = hv_create(&hc, r->q);
	cr_assert_not_null(r->hv);
	r->p = hv_part_create(r->hv, &pc, &ops, &r->crash);
	cr_assert_not_null(r->p);
	r->vp = &r->p->vp[0];
}

static void rig_fini(struct rig *r)
{
	hv_destroy(r->hv);
	evq_destroy(r->q);
}

static uint64_t rd(struct rig *r, uint32_t msr)
{
	uint64_t v = 0xBAD;

	cr_assert_eq(hv_msr_read(r->vp, msr, &v), 0, "rdmsr %#x", msr);
	return v;
}

static void wr(struct rig *r, uint32_t msr, uint64_t v)
{
	cr_assert_eq(hv_msr_write(r->vp, msr, v), 0, "wrmsr %#x", msr);
}

static uint8_t ram_byte(struct rig *r, uint64_t gpa)
{
	return (uint8_t)physmem_read(r->p->mem, gpa, 1);
}

/* ---- GUEST_OS_ID and HYPERCALL ------------------------------------------ */

Test(hvmsr, guest_os_id_reads_back_and_starts_at_zero)
{
	struct rig r;

	rig_init(&r);
	cr_assert_eq(rd(&r, HV_MSR_GUEST_OS_ID), 0);
	wr(&r, HV_MSR_GUEST_OS_ID, 0x8100000000060100ull);
	cr_assert_eq(rd(&r, HV_MSR_GUEST_OS_ID), 0x8100000000060100ull);
	rig_fini(&r);
}

Test(hvmsr, hypercall_enable_does_not_stick_while_guest_os_id_is_zero)
{
	struct rig r;

	rig_init(&r);
	physmem_write(r.p->mem, 0x5000, 4, 0x11223344);
	wr(&r, HV_MSR_HYPERCALL, 0x5000 | HV_MSR_ENABLE);
	cr_assert_eq(rd(&r, HV_MSR_HYPERCALL), 0x5000);
	cr_assert_eq(physmem_read(r.p->mem, 0x5000, 4), 0x11223344,
		     "no page written");
	rig_fini(&r);
}

Test(hvmsr, hypercall_enable_writes_vmcall_ret_into_guest_ram)
{
	struct rig r;

	rig_init(&r);
	wr(&r, HV_MSR_GUEST_OS_ID, 1);
	wr(&r, HV_MSR_HYPERCALL, 0x7000 | 0xFF0 | HV_MSR_ENABLE);
	/* Bits 2-11 are kept as written. */
	cr_assert_eq(rd(&r, HV_MSR_HYPERCALL), 0x7FF1);
	cr_assert_eq(ram_byte(&r, 0x7000), 0x0F);
	cr_assert_eq(ram_byte(&r, 0x7001), 0x01);
	cr_assert_eq(ram_byte(&r, 0x7002), 0xC1);
	cr_assert_eq(ram_byte(&r, 0x7003), 0xC3);
	cr_assert_eq(ram_byte(&r, 0x7004), 0xCC);
	cr_assert_eq(ram_byte(&r, 0x7FFF), 0xCC);
	cr_assert_eq(ram_byte(&r, 0x8000), 0x00, "next page untouched");
	rig_fini(&r);
}

Test(hvmsr, hypercall_page_write_invalidates_decoded_code)
{
	struct rig r;
	uint32_t gen;

	rig_init(&r);
	physmem_mark_code(r.p->mem, 0x7000);
	gen = physmem_code_gen(r.p->mem, 0x7000);
	wr(&r, HV_MSR_GUEST_OS_ID, 1);
	wr(&r, HV_MSR_HYPERCALL, 0x7000 | HV_MSR_ENABLE);
	cr_assert_gt(physmem_code_gen(r.p->mem, 0x7000), gen);
	cr_assert_not(physmem_is_code(r.p->mem, 0x7000));
	rig_fini(&r);
}

Test(hvmsr, hypercall_page_outside_ram_is_gp_and_changes_nothing)
{
	struct rig r;

	rig_init(&r);
	wr(&r, HV_MSR_GUEST_OS_ID, 1);
	wr(&r, HV_MSR_HYPERCALL, 0x3000);
	cr_assert_eq(hv_msr_write(r.vp, HV_MSR_HYPERCALL, RAM | HV_MSR_ENABLE),
		     -1);
	cr_assert_eq(hv_msr_write(r.vp, HV_MSR_HYPERCALL,
				  0xFFFFFFFFFFFFF000ull | HV_MSR_ENABLE),
		     -1);
	cr_assert_eq(rd(&r, HV_MSR_HYPERCALL), 0x3000);
	/* Disabled, any page number is just stored. */
	wr(&r, HV_MSR_HYPERCALL, 0xFFFFFFFFFFFFF000ull);
	cr_assert_eq(rd(&r, HV_MSR_HYPERCALL), 0xFFFFFFFFFFFFF000ull);
	rig_fini(&r);
}

Test(hvmsr, hypercall_lock_ignores_later_writes)
{
	struct rig r;
	uint64_t locked = 0x9000 | HV_MSR_HYPERCALL_LOCK | HV_MSR_ENABLE;

	rig_init(&r);
	wr(&r, HV_MSR_GUEST_OS_ID, 1);
	wr(&r, HV_MSR_HYPERCALL, locked);
	cr_assert_eq(rd(&r, HV_MSR_HYPERCALL), locked);
	wr(&r, HV_MSR_HYPERCALL, 0xA000 | HV_MSR_ENABLE);
	wr(&r, HV_MSR_HYPERCALL, 0);
	cr_assert_eq(rd(&r, HV_MSR_HYPERCALL), locked);
	cr_assert_eq(ram_byte(&r, 0xA000), 0, "no page at the new GPN");
	rig_fini(&r);
}

Test(hvmsr, guest_os_id_zero_disables_the_hypercall_page)
{
	struct rig r;

	rig_init(&r);
	wr(&r, HV_MSR_GUEST_OS_ID, 1);
	wr(&r, HV_MSR_HYPERCALL, 0x7000 | HV_MSR_ENABLE);
	wr(&r, HV_MSR_GUEST_OS_ID, 0);
	cr_assert_eq(rd(&r, HV_MSR_HYPERCALL), 0x7000);
	rig_fini(&r);
}

/* ---- identity, frequencies, read-only rows ------------------------------- */

Test(hvmsr, vp_index_is_the_vcpu_index_and_read_only)
{
	struct rig r;
	uint64_t v;

	rig_init(&r);
	cr_assert_eq(rd(&r, HV_MSR_VP_INDEX), 0);
	cr_assert_eq(hv_msr_read(&r.p->vp[1], HV_MSR_VP_INDEX, &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(hv_msr_write(r.vp, HV_MSR_VP_INDEX, 0), -1);
	rig_fini(&r);
}

Test(hvmsr, frequencies_and_time_msrs_are_read_only)
{
	static const uint32_t ro[] = {
	    HV_MSR_VP_INDEX, HV_MSR_VP_RUNTIME, HV_MSR_TIME_REF_COUNT,
	    HV_MSR_TSC_FREQUENCY, HV_MSR_APIC_FREQUENCY};
	struct rig r;

	rig_init(&r);
	cr_assert_eq(rd(&r, HV_MSR_TSC_FREQUENCY), 2500000000ull);
	cr_assert_eq(rd(&r, HV_MSR_APIC_FREQUENCY), vapic_timer_hz(r.hv));
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		cr_assert_eq(hv_msr_write(r.vp, ro[i], 0), -1, "%#x", ro[i]);
	rig_fini(&r);
}

Test(hvmsr, unknown_and_unimplemented_msrs_are_gp)
{
	static const uint32_t gp[] = {
	    HV_MSR_RESET, HV_MSR_GUEST_IDLE, 0x40000004, 0x40000106, 0x40000119,
	    0x40000200,	  0x4FFFFFFF,	     0xC0000080, 0x10,	     0};
	struct rig r;
	uint64_t v;

	rig_init(&r);
	for (size_t i = 0; i < sizeof(gp) / sizeof(gp[0]); i++) {
		cr_assert_eq(hv_msr_read(r.vp, gp[i], &v), -1, "%#x", gp[i]);
		cr_assert_eq(hv_msr_write(r.vp, gp[i], 0), -1, "%#x", gp[i]);
		cr_assert_null(hv_msr_name(gp[i]));
	}
	rig_fini(&r);
}

Test(hvmsr, every_row_has_a_name)
{
	cr_assert(hv_msr_check_table());
	cr_assert_str_eq(hv_msr_name(HV_MSR_HYPERCALL), "HV_X64_MSR_HYPERCALL");
	cr_assert_str_eq(hv_msr_name(HV_MSR_SINT0 + 15), "HV_X64_MSR_SINT");
	cr_assert_str_eq(hv_msr_name(HV_MSR_STIMER0_COUNT + 6),
			 "HV_X64_MSR_STIMER");
	cr_assert_str_eq(hv_msr_name(HV_MSR_CRASH_P0 + 4),
			 "HV_X64_MSR_CRASH_P");
	cr_assert_str_eq(hv_msr_name(0x830), "IA32_X2APIC");
	cr_assert_str_eq(hv_msr_name(HV_MSR_TPR), "HV_X64_MSR_EOI_ICR_TPR");
	cr_assert_not_null(hv_msr_name(HV_MSR_TSC_INVARIANT_CTL));
	cr_assert_null(hv_msr_name(HV_MSR_STIMER0_CONFIG + 8));
}

/* ---- time ---------------------------------------------------------------- */

Test(hvmsr, time_ref_count_counts_100ns_of_simulated_time)
{
	struct rig r;

	rig_init(&r);
	cr_assert_eq(rd(&r, HV_MSR_TIME_REF_COUNT), 0);
	cpu_advance_clock(r.vp->cpu, 2500000000ull); /* one second */
	cr_assert_eq(rd(&r, HV_MSR_TIME_REF_COUNT), 10000000ull);
	rig_fini(&r);
}

Test(hvmsr, vp_runtime_counts_guest_time_only_and_is_monotonic)
{
	struct rig r;
	uint64_t a, b, c;

	rig_init(&r);
	a = rd(&r, HV_MSR_VP_RUNTIME);
	cpu_add_cycles(r.vp->cpu, 250000); /* 100 us of guest execution */
	b = rd(&r, HV_MSR_VP_RUNTIME);
	cr_assert_eq(b - a, 1000);
	cpu_advance_clock(r.vp->cpu, 2500000); /* root/idle: not run time */
	c = rd(&r, HV_MSR_VP_RUNTIME);
	cr_assert_eq(c, b);
	cr_assert_gt(rd(&r, HV_MSR_TIME_REF_COUNT), c);
	rig_fini(&r);
}

/* Reference time from the page, as a guest computes it from RDTSC. */
static uint64_t page_time(struct rig *r, uint64_t gpa)
{
	uint64_t scale = physmem_read(r->p->mem, gpa + HV_TSC_PAGE_SCALE, 8);
	int64_t off =
	    (int64_t)physmem_read(r->p->mem, gpa + HV_TSC_PAGE_OFFSET, 8);
	uint64_t tsc = cpu_read_tsc(r->vp->cpu);

	return (uint64_t)(((unsigned __int128)tsc * scale) >> 64) +
	       (uint64_t)off;
}

static void check_page_tracks_ref_count(struct rig *r, uint64_t gpa)
{
	for (int i = 0; i < 50; i++) {
		uint64_t ref = rd(r, HV_MSR_TIME_REF_COUNT);
		uint64_t pg = page_time(r, gpa);
		int64_t d = (int64_t)(pg - ref);

		cr_assert(d >= -1 && d <= 1, "step %d: page %llu ref %llu", i,
			  (unsigned long long)pg, (unsigned long long)ref);
		cpu_add_cycles(r->vp->cpu, 1234567ull * (uint64_t)(i + 1));
	}
}

Test(hvmsr, reference_tsc_page_fields_and_equality_with_time_ref_count)
{
	struct rig r;
	uint64_t gpa = 0x10000;

	rig_init(&r);
	cpu_advance_clock(r.vp->cpu, 777777);
	r.vp->cpu->msr.tsc_offset = 123456789; /* as a guest IA32_TSC write */
	cr_assert_eq(rd(&r, HV_MSR_REFERENCE_TSC), 0);
	wr(&r, HV_MSR_REFERENCE_TSC, gpa | 0xAB0 | HV_MSR_ENABLE);
	cr_assert_eq(rd(&r, HV_MSR_REFERENCE_TSC), gpa | 0xAB1,
		     "bits 1-11 kept");
	cr_assert_neq(physmem_read(r.p->mem, gpa + HV_TSC_PAGE_SEQUENCE, 4), 0);
	/* 2.5 GHz: floor(2^64 * 10^7 / 2.5e9) = floor(2^64 / 250). */
	cr_assert_eq(physmem_read(r.p->mem, gpa + HV_TSC_PAGE_SCALE, 8),
		     0x010624DD2F1A9FBEull);
	check_page_tracks_ref_count(&r, gpa);
	rig_fini(&r);
}

Test(hvmsr, reference_tsc_rewrite_changes_the_sequence)
{
	struct rig r;
	uint64_t s1, s2;

	rig_init(&r);
	wr(&r, HV_MSR_REFERENCE_TSC, 0x10000 | HV_MSR_ENABLE);
	s1 = physmem_read(r.p->mem, 0x10000, 4);
	wr(&r, HV_MSR_REFERENCE_TSC, 0x10000 | HV_MSR_ENABLE);
	s2 = physmem_read(r.p->mem, 0x10000, 4);
	cr_assert(s1 != 0 && s2 != 0 && s1 != s2);
	/* Disabling keeps the MSR value's page and leaves the page alone. */
	wr(&r, HV_MSR_REFERENCE_TSC, 0x10000);
	cr_assert_eq(rd(&r, HV_MSR_REFERENCE_TSC), 0x10000);
	cr_assert_eq(physmem_read(r.p->mem, 0x10000, 4), s2);
	rig_fini(&r);
}

Test(hvmsr, reference_tsc_page_outside_ram_is_gp)
{
	struct rig r;

	rig_init(&r);
	cr_assert_eq(hv_msr_write(r.vp, HV_MSR_REFERENCE_TSC,
				  (uint64_t)RAM | HV_MSR_ENABLE),
		     -1);
	cr_assert_eq(rd(&r, HV_MSR_REFERENCE_TSC), 0);
	rig_fini(&r);
}

Test(hvmsr, tsc_scale_matches_the_2ghz_example_and_slow_clocks_are_invalid)
{
	cr_assert_eq(hvpage_tsc_scale(2000000000ull), 0x0147AE147AE147AEull);
	cr_assert_eq(hvpage_tsc_scale(HV_REF_HZ), 0);
	cr_assert_eq(hvpage_tsc_scale(1), 0);
}

/* ---- VP_ASSIST_PAGE, TSC_INVARIANT_CONTROL ------------------------------- */

Test(hvmsr, vp_assist_page_is_per_vcpu_and_checked_only_when_enabled)
{
	struct rig r;
	uint64_t v;

	rig_init(&r);
	/* Before GUEST_OS_ID, as Linux 6.1 does it. */
	wr(&r, HV_MSR_VP_ASSIST_PAGE, 0x20000 | HV_MSR_ENABLE);
	cr_assert_eq(r.vp->vp_assist, 0x20001);
	cr_assert_eq(hv_msr_read(&r.p->vp[1], HV_MSR_VP_ASSIST_PAGE, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(hv_msr_write(r.vp, HV_MSR_VP_ASSIST_PAGE,
				  (uint64_t)RAM | HV_MSR_ENABLE),
		     -1);
	cr_assert_eq(rd(&r, HV_MSR_VP_ASSIST_PAGE), 0x20001);
	wr(&r, HV_MSR_VP_ASSIST_PAGE, (uint64_t)RAM);
	cr_assert_eq(rd(&r, HV_MSR_VP_ASSIST_PAGE), RAM);
	rig_fini(&r);
}

Test(hvmsr, tsc_invariant_control_accepts_bit_0_only)
{
	struct rig r;

	rig_init(&r);
	cr_assert_eq(rd(&r, HV_MSR_TSC_INVARIANT_CTL), 0);
	wr(&r, HV_MSR_TSC_INVARIANT_CTL, 1);
	cr_assert_eq(rd(&r, HV_MSR_TSC_INVARIANT_CTL), 1);
	cr_assert(r.p->tsc_invariant);
	cr_assert_eq(hv_msr_write(r.vp, HV_MSR_TSC_INVARIANT_CTL, 2), -1);
	cr_assert_eq(rd(&r, HV_MSR_TSC_INVARIANT_CTL), 1);
	rig_fini(&r);
}

/* ---- crash MSRs ---------------------------------------------------------- */

Test(hvmsr, crash_params_read_back_and_ctl_reads_capabilities)
{
	struct rig r;

	rig_init(&r);
	for (uint32_t i = 0; i < 5; i++)
		wr(&r, HV_MSR_CRASH_P0 + i, 0x1111111111111111ull * (i + 1));
	for (uint32_t i = 0; i < 5; i++)
		cr_assert_eq(rd(&r, HV_MSR_CRASH_P0 + i),
			     0x1111111111111111ull * (i + 1));
	cr_assert_eq(rd(&r, HV_MSR_CRASH_CTL),
		     HV_CRASH_CTL_NOTIFY | HV_CRASH_CTL_NOTIFY_MSG);
	cr_assert_eq(hv_msr_write(r.vp, HV_MSR_CRASH_CTL, 1), -1);
	wr(&r, HV_MSR_CRASH_CTL, 0); /* no notify: nothing happens */
	cr_assert_eq(r.crash.calls, 0);
	rig_fini(&r);
}

Test(hvmsr, crash_notify_with_message_calls_guest_crash)
{
	static const char text[] = "Kernel panic\n\x01\x7F\xFFok";
	struct rig r;

	rig_init(&r);
	physmem_copy_to(r.p->mem, 0x30000, text, sizeof(text) - 1);
	wr(&r, HV_MSR_CRASH_P0, 0xDEAD);
	wr(&r, CRASH_P(1), 1);
	wr(&r, CRASH_P(2), 2);
	wr(&r, CRASH_P(3), 0x30000);
	wr(&r, CRASH_P(4), sizeof(text) - 1);
	cr_assert_eq(
	    hv_msr_write(&r.p->vp[1], HV_MSR_CRASH_CTL,
			 HV_CRASH_CTL_NOTIFY | HV_CRASH_CTL_NOTIFY_MSG),
	    0);
	cr_assert_eq(r.crash.calls, 1);
	cr_assert_eq(r.crash.vp, 1);
	cr_assert_eq(r.crash.p[0], 0xDEAD);
	cr_assert_eq(r.crash.p[2], 2);
	cr_assert_eq(r.crash.p[3], 0x30000);
	cr_assert_eq(r.crash.p[4], sizeof(text) - 1);
	cr_assert_str_eq(r.crash.msg, "Kernel panic\n...ok");
	rig_fini(&r);
}

Test(hvmsr, crash_notify_without_message_bit_passes_an_empty_message)
{
	struct rig r;

	rig_init(&r);
	physmem_copy_to(r.p->mem, 0x30000, "text", 4);
	wr(&r, CRASH_P(3), 0x30000);
	wr(&r, CRASH_P(4), 4);
	wr(&r, HV_MSR_CRASH_CTL, HV_CRASH_CTL_NOTIFY);
	cr_assert_eq(r.crash.calls, 1);
	cr_assert_str_eq(r.crash.msg, "");
	rig_fini(&r);
}

Test(hvmsr, crash_message_outside_ram_is_not_read)
{
	static const struct {
		uint64_t gpa, len;
	} bad[] = {
	    {RAM - 2, 10},
	    {RAM, 1},
	    {0xFFFFFFFFFFFFFFF0ull, 0x20},
	    {0x1000, 0xFFFFFFFFFFFFFFFFull}, /* truncated to 4096: in RAM */
	};
	struct rig r;

	rig_init(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wr(&r, CRASH_P(3), bad[i].gpa);
		wr(&r, CRASH_P(4), bad[i].len);
		wr(&r, HV_MSR_CRASH_CTL,
		   HV_CRASH_CTL_NOTIFY | HV_CRASH_CTL_NOTIFY_MSG);
		cr_assert_eq(r.crash.calls, (int)i + 1);
		if (i < 3)
			cr_assert_str_eq(r.crash.msg, "", "case %zu", i);
	}
	/* The huge length is bounded to 4096 bytes (zeros become '.'). */
	cr_assert_eq(strlen(r.crash.msg), HV_CRASH_MSG_MAX);
	rig_fini(&r);
}

/* ---- reset and robustness ------------------------------------------------ */

Test(hvmsr, reset_returns_partition_msrs_to_power_on_values)
{
	struct rig r;

	rig_init(&r);
	wr(&r, HV_MSR_GUEST_OS_ID, 5);
	wr(&r, HV_MSR_HYPERCALL,
	   0x7000 | HV_MSR_ENABLE | HV_MSR_HYPERCALL_LOCK);
	wr(&r, CRASH_P(2), 9);
	wr(&r, HV_MSR_VP_ASSIST_PAGE, 0x20001);
	wr(&r, HV_MSR_TSC_INVARIANT_CTL, 1);
	hv_msr_reset_part(r.p);
	cr_assert_eq(rd(&r, HV_MSR_GUEST_OS_ID), 0);
	cr_assert_eq(rd(&r, HV_MSR_HYPERCALL), 0);
	cr_assert_eq(rd(&r, CRASH_P(2)), 0);
	cr_assert_eq(rd(&r, HV_MSR_VP_ASSIST_PAGE), 0);
	cr_assert_eq(rd(&r, HV_MSR_TSC_INVARIANT_CTL), 0);
	rig_fini(&r);
}

/* xorshift64 with a fixed seed: the same sequence every run. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

Test(hvmsr, random_msrs_and_values_never_crash_or_touch_outside_ram)
{
	struct rig r;
	uint64_t seed = 0x9E3779B97F4A7C15ull, v;

	rig_init(&r);
	wr(&r, HV_MSR_GUEST_OS_ID, 1);
	for (int i = 0; i < 200000; i++) {
		uint64_t x = next_rand(&seed);
		uint32_t msr = (i & 1) ? (uint32_t)(0x40000000u + (x & 0x1FF))
				       : (uint32_t)x;
		uint64_t val = next_rand(&seed);

		if (msr == HV_MSR_GUEST_OS_ID)
			continue; /* keep the hypercall page reachable */
		if (i & 2) /* small page numbers, so some enables succeed */
			val &= (RAM - 1) | 0xFFF;
		hv_msr_read(r.vp, msr, &v);
		hv_msr_write(r.vp, msr, val);
	}
	cr_assert(physmem_check_invariants(r.p->mem));
	rig_fini(&r);
}
