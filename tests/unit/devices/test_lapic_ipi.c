/*
 * tests/unit/devices/test_lapic_ipi.c — the local APIC's outward side
 * (devices/lapic*.c): IPIs through the ICR (xAPIC pair, x2APIC 64-bit MSR,
 * the Hyper-V ICR access) and SELF_IPI into the send_ipi callback,
 * destination matching, auto-EOI, the public EOI and TPR access, and a
 * seeded random walk over every access path that checks the invariants
 * after each step.
 */
#include "lapic_harness.h"

/* ---- IPIs -------------------------------------------------------------- */

Test(lapic_ipi, xapic_icr_write_sends_fixed_physical_ipi)
{
	struct h *h = h_new();

	wr(h, 0x310, 0x03000000u);
	wr(h, 0x300, 0x4041);
	cr_assert_eq(1, h->nipi);
	cr_assert_eq(3u, h->ipi[0].dest);
	cr_assert_eq(0, h->ipi[0].dest_mode);
	cr_assert_eq(LAPIC_DM_FIXED, h->ipi[0].dm);
	cr_assert_eq(0x41, h->ipi[0].vector);
	cr_assert_eq(LAPIC_SH_NONE, h->ipi[0].shorthand);
	wr(h, 0x310, 0x05000000u); /* writing the high word sends nothing */
	cr_assert_eq(1, h->nipi);
	h_free(h);
}

Test(lapic_ipi, icr_shorthands_and_logical_mode_reach_the_callback)
{
	static const struct {
		uint32_t lo;
		int sh, logical;
	} cases[] = {
	    {0x40050, LAPIC_SH_SELF, 0},
	    {0x80051, LAPIC_SH_ALL, 0},
	    {0xC0052, LAPIC_SH_ALL_BUT_SELF, 0},
	    {0x00853, LAPIC_SH_NONE, 1},
	};
	struct h *h = h_new();

	for (int i = 0; i < 4; i++) {
		wr(h, 0x300, cases[i].lo);
		cr_assert_eq(i + 1, h->nipi);
		cr_assert_eq(cases[i].sh, h->ipi[i].shorthand, "case %d", i);
		cr_assert_eq(cases[i].logical, h->ipi[i].dest_mode);
		cr_assert_eq(0x50 + i, h->ipi[i].vector);
	}
	h_free(h);
}

Test(lapic_ipi, icr_delivery_modes_nmi_init_sipi_pass_through)
{
	struct h *h = h_new();

	wr(h, 0x310, 0x01000000u);
	wr(h, 0x300, 0x0400);	     /* NMI */
	wr(h, 0x300, 0x4500);	     /* INIT assert */
	wr(h, 0x300, 0x8500);	     /* INIT level de-assert: dropped */
	wr(h, 0x300, 0x4609);	     /* SIPI, page 9 */
	wr(h, 0x300, 0x0100 | 0x33); /* lowest priority */
	cr_assert_eq(4, h->nipi);
	cr_assert_eq(LAPIC_DM_NMI, h->ipi[0].dm);
	cr_assert_eq(LAPIC_DM_INIT, h->ipi[1].dm);
	cr_assert_eq(LAPIC_DM_SIPI, h->ipi[2].dm);
	cr_assert_eq(9, h->ipi[2].vector);
	cr_assert_eq(LAPIC_DM_LOWEST, h->ipi[3].dm);
	cr_assert_eq(1u, h->ipi[3].dest);
	h_free(h);
}

Test(lapic_ipi, x2apic_icr_is_one_64_bit_write_with_32_bit_destination)
{
	struct h *h = h_new();

	to_x2apic(h);
	msr_wr(h, 0x830, (0x12345ull << 32) | 0x0862);
	cr_assert_eq(1, h->nipi);
	cr_assert_eq(0x12345u, h->ipi[0].dest);
	cr_assert_eq(1, h->ipi[0].dest_mode);
	cr_assert_eq(0x62, h->ipi[0].vector);
	cr_assert_eq((0x12345ull << 32) | 0x0862, msr_rd(h, 0x830));
	cr_assert_eq(-1, lapic_msr_write(h->l, 0x830, 0x100062));
	cr_assert_eq(-1, lapic_msr_write(h->l, 0x830, 0x2062));
	cr_assert_eq(1, h->nipi);
	h_free(h);
}

Test(lapic_ipi, x2apic_self_ipi_sends_a_fixed_ipi_to_self)
{
	struct h *h = h_new();

	to_x2apic(h);
	msr_wr(h, 0x83F, 0xA5);
	cr_assert_eq(1, h->nipi);
	cr_assert_eq(LAPIC_SH_SELF, h->ipi[0].shorthand);
	cr_assert_eq(LAPIC_DM_FIXED, h->ipi[0].dm);
	cr_assert_eq(0xA5, h->ipi[0].vector);
	msr_wr(h, 0x83F, 0x05); /* illegal vector: error, nothing sent */
	cr_assert_eq(1, h->nipi);
	msr_wr(h, 0x828, 0);
	cr_assert_eq(0x20u, msr_rd(h, 0x828));
	h_free(h);
}

Test(lapic_ipi, match_dest_physical_and_broadcast)
{
	struct h *h = h_new_cfg(0x21, 1, true);

	cr_assert(lapic_match_dest(h->l, 0x21, 0));
	cr_assert_not(lapic_match_dest(h->l, 0x22, 0));
	cr_assert(lapic_match_dest(h->l, 0xFF, 0));
	to_x2apic(h);
	cr_assert(lapic_match_dest(h->l, 0x21, 0));
	cr_assert_not(lapic_match_dest(h->l, 0xFF, 0));
	cr_assert(lapic_match_dest(h->l, 0xFFFFFFFFu, 0));
	h_free(h);
}

Test(lapic_ipi, match_dest_logical_flat_cluster_and_x2apic)
{
	struct h *h = h_new_cfg(0x13, 1, true);

	wr(h, 0xD0, 0x24000000u); /* LDR: 0x24 */
	cr_assert(lapic_match_dest(h->l, 0x04, 1), "flat: any common bit");
	cr_assert(lapic_match_dest(h->l, 0x21, 1));
	cr_assert_not(lapic_match_dest(h->l, 0x41, 1));
	wr(h, 0xE0, 0x0FFFFFFFu); /* cluster model */
	cr_assert(lapic_match_dest(h->l, 0x2C, 1), "cluster 2, bit 2");
	cr_assert_not(lapic_match_dest(h->l, 0x34, 1), "other cluster");
	cr_assert_not(lapic_match_dest(h->l, 0x28, 1), "no common bit");
	to_x2apic(h); /* LDR = cluster 1, bit 3 */
	cr_assert(lapic_match_dest(h->l, (1u << 16) | 0x8, 1));
	cr_assert_not(lapic_match_dest(h->l, (1u << 16) | 0x4, 1));
	cr_assert_not(lapic_match_dest(h->l, (2u << 16) | 0x8, 1));
	h_free(h);
}

/* ---- owner-facing extras: auto-EOI and the Hyper-V access MSRs --------- */

Test(lapic_ipi, auto_eoi_vector_is_acknowledged_without_an_isr_bit)
{
	struct h *h = h_new();

	lapic_set_auto_eoi(h->l, 0xF3, true);
	lapic_accept(h->l, 0xF3, false);
	lapic_accept(h->l, 0x41, false);
	cr_assert_eq(0xF3, lapic_ack(h->l));
	cr_assert_eq(0u, rd(h, 0x100 + 0x70), "no ISR bit for 0xF3");
	cr_assert_eq(0u, lapic_ppr(h->l));
	cr_assert(lapic_pending(h->l), "0x41 is not blocked");
	cr_assert_eq(0x41, lapic_ack(h->l));
	lapic_set_auto_eoi(h->l, 0xF3, false);
	lapic_accept(h->l, 0xF3, false);
	cr_assert_eq(0xF3, lapic_ack(h->l));
	cr_assert_eq(1u << 19, rd(h, 0x100 + 0x70));
	h_free(h);
}

Test(lapic_ipi, public_eoi_works_in_xapic_mode)
{
	struct h *h = h_new();

	lapic_accept(h->l, 0x80, true);
	lapic_ack(h->l);
	lapic_eoi(h->l);
	cr_assert_eq(0u, rd(h, 0x100 + 0x40));
	cr_assert_eq(1, h->neoi);
	h_free(h);
}

Test(lapic_ipi, hv_icr_access_uses_the_current_layout)
{
	struct h *h = h_new();

	cr_assert_eq(0, lapic_icr_write(h->l, (0x07ull << 56) | 0x4061));
	cr_assert_eq(1, h->nipi);
	cr_assert_eq(7u, h->ipi[0].dest);
	cr_assert_eq(0x07000000u, rd(h, 0x310));
	cr_assert_eq((0x07ull << 56) | 0x4061, lapic_icr_read(h->l));
	to_x2apic(h);
	cr_assert_eq(0, lapic_icr_write(h->l, (0x1234ull << 32) | 0x62));
	cr_assert_eq(0x1234u, h->ipi[1].dest);
	cr_assert_eq(-1, lapic_icr_write(h->l, 0x2062), "bit 13 reserved");
	cr_assert_eq(0, lapic_set_base(h->l, LAPIC_DEFAULT_BASE));
	cr_assert_eq(-1, lapic_icr_write(h->l, 0x62));
	cr_assert_eq(2, h->nipi);
	h_free(h);
}

Test(lapic_ipi, hv_tpr_access_checks_reserved_bits)
{
	struct h *h = h_new();

	cr_assert_eq(0, lapic_tpr_write(h->l, 0x5A));
	cr_assert_eq(0x5Au, lapic_tpr_read(h->l));
	cr_assert_eq(0x5Au, rd(h, 0x80));
	cr_assert_eq(-1, lapic_tpr_write(h->l, 0x100));
	cr_assert_eq(0x5Au, lapic_tpr_read(h->l));
	h_free(h);
}

/* ---- random walk ------------------------------------------------------- */

static uint64_t next_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 17;
}

/* Guest-chosen values: mostly plausible, sometimes anything. */
static uint64_t guest_value(uint64_t *s)
{
	uint64_t r = next_rand(s);

	switch (r & 3) {
	case 0:
		return r >> 8 & 0xFF;
	case 1:
		return (r >> 8) & 0x700FF;
	case 2:
		return (uint32_t)(r >> 8);
	default:
		return next_rand(s) << 20 ^ next_rand(s);
	}
}

static const uint64_t bases[] = {
    LAPIC_DEFAULT_BASE, XAPIC_MODE,
    X2APIC_MODE,	LAPIC_DEFAULT_BASE | LAPIC_BASE_EXTD,
    XAPIC_MODE | 0x200, 0xFED00000ull | LAPIC_BASE_EN};

/* Bring the walk back to an enabled APIC, so that most steps run with
 * interrupts flowing rather than dropped. */
static void reenable(struct h *h)
{
	if (lapic_mode(h->l) == LAPIC_DISABLED)
		lapic_set_base(h->l, XAPIC_MODE);
	if (lapic_mode(h->l) == LAPIC_X2APIC)
		lapic_msr_write(h->l, 0x80F, 0x1FF);
	else
		lapic_mmio_ops.write(h->l, 0xF0, 4, 0x1FF);
}

static void random_step(struct h *h, uint64_t *s)
{
	uint64_t r = next_rand(s), v = guest_value(s), out;
	static const int sizes[] = {1, 2, 4, 8, 4, 4, 4, 4};
	int size = sizes[r >> 8 & 7];
	uint64_t off = (r >> 12 & 0x3F) << 4 | ((r >> 20 & 7) == 0 ? 4 : 0);

	switch (r & 15) {
	case 0:
	case 1:
	case 2:
		lapic_mmio_ops.write(h->l, off, size, v);
		break;
	case 3:
		lapic_mmio_ops.read(h->l, off, size);
		break;
	case 4:
	case 5:
	case 6:
		lapic_msr_write(h->l, 0x800 + (uint32_t)(r >> 12 & 0x3F), v);
		break;
	case 7:
		lapic_msr_read(h->l, 0x800 + (uint32_t)(r >> 12 & 0xFF), &out);
		break;
	case 8:
		lapic_set_base(h->l, bases[(r >> 8) % 6]);
		break;
	case 9:
	case 10:
		lapic_accept(h->l, (uint8_t)(r >> 8), r >> 16 & 1);
		break;
	case 11:
		if (lapic_pending(h->l)) {
			uint32_t ppr = lapic_ppr(h->l);
			int vec = lapic_ack(h->l);
			cr_assert((uint32_t)(vec & 0xF0) > (ppr & 0xF0));
		}
		break;
	case 12:
		lapic_eoi(h->l);
		break;
	case 13:
		lapic_tsc_deadline_write(h->l,
					 evq_now(h->q) + (r >> 8 & 0x3FF));
		break;
	case 14:
		evq_run_until(h->q, evq_now(h->q) + (r >> 8 & 0x3FF));
		break;
	default:
		reenable(h);
		break;
	}
}

Test(lapic_ipi, random_accesses_keep_the_invariants)
{
	struct h *h = h_new_cfg(0x25, 1, true);
	uint64_t seed = 0x1AB1C;

	for (int i = 0; i < 200000; i++) {
		random_step(h, &seed);
		cr_assert(lapic_check_invariants(h->l), "step %d", i);
		cr_assert_leq(evq_pending(h->q), 1u, "step %d", i);
	}
	cr_assert_gt(lapic_stats(h->l)->acked, 100u);
	cr_assert_gt(lapic_stats(h->l)->timer_fires, 10u);
	h_free(h);
}

/* ---- LINT pins --------------------------------------------------------- */

Test(lapic_ipi, lint_pins_follow_their_lvt_entries)
{
	struct h *h = h_new();

	cr_assert_eq(-1, lapic_lint(h->l, 0), "masked at reset");
	wr(h, 0x350, 0x700); /* LINT0: ExtINT */
	wr(h, 0x360, 0x400); /* LINT1: NMI */
	cr_assert_eq(LAPIC_DM_EXTINT, lapic_lint(h->l, 0));
	cr_assert_eq(LAPIC_DM_NMI, lapic_lint(h->l, 1));
	wr(h, 0x350, 0x8000 | 0x66); /* fixed, level-triggered */
	cr_assert_eq(-1, lapic_lint(h->l, 0));
	cr_assert_eq(1u << 6, rd(h, 0x200 + 0x30));
	cr_assert_eq(1u << 6, rd(h, 0x180 + 0x30), "level sets TMR");
	cr_assert_eq(-1, lapic_lint(h->l, 2));
	h_free(h);
}

Test(lapic_ipi, globally_disabled_apic_passes_lint_through)
{
	struct h *h = h_new();

	cr_assert_eq(0, lapic_set_base(h->l, LAPIC_DEFAULT_BASE));
	cr_assert_eq(LAPIC_DM_EXTINT, lapic_lint(h->l, 0));
	cr_assert_eq(LAPIC_DM_NMI, lapic_lint(h->l, 1));
	h_free(h);
}
