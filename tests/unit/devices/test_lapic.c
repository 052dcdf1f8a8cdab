/*
 * tests/unit/devices/test_lapic.c — the local APIC (devices/lapic*.c):
 * reset state, each register through the xAPIC page and the x2APIC MSRs
 * (read-only, write-only, reserved bits, #GP), the IA32_APIC_BASE
 * transition matrix, TPR/PPR masking, IRR/ISR priority order, EOI and its
 * level broadcast, the spurious vector and errors. IPIs and the
 * owner-facing extras are in test_lapic_ipi.c, the timer in
 * test_lapic_timer.c.
 */
#include "lapic_harness.h"

/* ---- reset state and xAPIC registers ----------------------------------- */

Test(lapic, reset_state_matches_sdm_power_up_values)
{
	struct h *h = h_new_cfg(3, 1, false);

	cr_assert_eq(LAPIC_DEFAULT_BASE | LAPIC_BASE_EN | LAPIC_BASE_BSP,
		     lapic_get_base(h->l));
	cr_assert_eq(LAPIC_XAPIC, lapic_mode(h->l));
	cr_assert_eq(3u << 24, rd(h, 0x20));
	cr_assert_eq(0x00050014u, rd(h, 0x30));
	cr_assert_eq(0xFFu, rd(h, 0xF0));
	cr_assert_eq(0xFFFFFFFFu, rd(h, 0xE0));
	cr_assert_eq(0u, rd(h, 0x80));
	cr_assert_eq(0u, rd(h, 0xD0));
	for (unsigned off = 0x320; off <= 0x370; off += 0x10)
		cr_assert_eq(0x10000u, rd(h, off), "LVT %#x", off);
	cr_assert_eq(0u, rd(h, 0x380));
	cr_assert_eq(0u, rd(h, 0x390));
	cr_assert_eq(0u, rd(h, 0x3E0));
	h_free(h);
}

Test(lapic, xapic_id_is_writable_in_bits_31_24_only)
{
	struct h *h = h_new();

	wr(h, 0x20, 0xFFFFFFFFu);
	cr_assert_eq(0xFF000000u, rd(h, 0x20));
	wr(h, 0x20, 0x05123456u);
	cr_assert_eq(0x05000000u, rd(h, 0x20));
	h_free(h);
}

Test(lapic, xapic_read_only_registers_drop_writes)
{
	struct h *h = h_new();

	wr(h, 0x30, 0);	      /* version */
	wr(h, 0xA0, 0xF0);    /* PPR */
	wr(h, 0x390, 1234);   /* current count */
	wr(h, 0x200, 0xFFFF); /* IRR word 0 */
	cr_assert_eq(0x00050014u, rd(h, 0x30));
	cr_assert_eq(0u, rd(h, 0xA0));
	cr_assert_eq(0u, rd(h, 0x390));
	cr_assert_eq(0u, rd(h, 0x200));
	cr_assert_not(lapic_pending(h->l));
	h_free(h);
}

Test(lapic, tpr_keeps_low_byte_and_ppr_follows)
{
	struct h *h = h_new();

	wr(h, 0x80, 0xABCD);
	cr_assert_eq(0xCDu, rd(h, 0x80));
	cr_assert_eq(0xCDu, rd(h, 0xA0));
	h_free(h);
}

Test(lapic, ldr_keeps_bits_31_24_and_dfr_low_bits_read_as_ones)
{
	struct h *h = h_new();

	wr(h, 0xD0, 0x12345678u);
	cr_assert_eq(0x12000000u, rd(h, 0xD0));
	wr(h, 0xE0, 0x0u);
	cr_assert_eq(0x0FFFFFFFu, rd(h, 0xE0));
	wr(h, 0xE0, 0xF0000000u);
	cr_assert_eq(0xFFFFFFFFu, rd(h, 0xE0));
	h_free(h);
}

Test(lapic, svr_keeps_bits_9_0)
{
	struct h *h = h_new();

	wr(h, 0xF0, 0xFFFFFFFFu);
	cr_assert_eq(0x3FFu, rd(h, 0xF0));
	h_free(h);
}

Test(lapic, software_disable_masks_every_lvt_and_keeps_them_masked)
{
	struct h *h = h_new();

	wr(h, 0x320, 0x20);
	wr(h, 0x350, 0x700); /* LINT0 ExtINT, unmasked */
	cr_assert_eq(0x20u, rd(h, 0x320));
	wr(h, 0xF0, 0xFF); /* software disable */
	cr_assert_eq(0x10020u, rd(h, 0x320));
	cr_assert_eq(0x10700u, rd(h, 0x350));
	wr(h, 0x370, 0x33); /* unmask attempt while disabled */
	cr_assert_eq(0x10033u, rd(h, 0x370));
	wr(h, 0xF0, 0x1FF);
	wr(h, 0x370, 0x33);
	cr_assert_eq(0x33u, rd(h, 0x370));
	h_free(h);
}

Test(lapic, lvt_entries_store_only_their_defined_fields)
{
	struct h *h = h_new();

	wr(h, 0x320, 0xFFFFFFFFu & ~(1u << 18)); /* timer, periodic */
	cr_assert_eq(0x300FFu, rd(h, 0x320));
	wr(h, 0x330, 0xFFFFFFFFu);
	cr_assert_eq(0x107FFu, rd(h, 0x330));
	wr(h, 0x340, 0xFFFFFFFFu);
	cr_assert_eq(0x107FFu, rd(h, 0x340));
	wr(h, 0x350, 0xFFFFFFFFu); /* DS and remote IRR are read-only */
	cr_assert_eq(0x1A7FFu, rd(h, 0x350));
	wr(h, 0x360, 0xFFFFFFFFu);
	cr_assert_eq(0x1A7FFu, rd(h, 0x360));
	wr(h, 0x370, 0xFFFFFFFFu);
	cr_assert_eq(0x100FFu, rd(h, 0x370));
	wr(h, 0x3E0, 0xFFFFFFFFu);
	cr_assert_eq(0xBu, rd(h, 0x3E0));
	h_free(h);
}

Test(lapic, icr_reads_back_with_delivery_status_idle)
{
	struct h *h = h_new();

	wr(h, 0x310, 0xFFFFFFFFu);
	cr_assert_eq(0xFF000000u, rd(h, 0x310));
	wr(h, 0x300, 0xFFFFFFFFu & ~(7u << 8)); /* fixed, all flag bits */
	cr_assert_eq(0xCC8FFu, rd(h, 0x300));
	h_free(h);
}

Test(lapic, esr_latches_errors_on_write_and_clears_on_the_next)
{
	struct h *h = h_new();

	rd(h, 0x040); /* a hole: illegal register address */
	cr_assert_eq(0u, rd(h, 0x280), "not visible before the ESR write");
	wr(h, 0x280, 0);
	cr_assert_eq(0x80u, rd(h, 0x280));
	wr(h, 0x280, 0);
	cr_assert_eq(0u, rd(h, 0x280));
	h_free(h);
}

Test(lapic, error_lvt_delivers_its_vector_on_a_new_error)
{
	struct h *h = h_new();

	wr(h, 0x370, 0xE3);
	wr(h, 0x300, 0x05); /* fixed IPI with illegal vector 5 */
	cr_assert_eq(0, h->nipi);
	cr_assert(lapic_pending(h->l));
	cr_assert_eq(0xE3, lapic_ack(h->l));
	wr(h, 0x280, 0);
	cr_assert_eq(0x20u, rd(h, 0x280));
	h_free(h);
}

Test(lapic, illegal_error_vector_stops_after_one_receive_error)
{
	struct h *h = h_new();

	wr(h, 0x370, 0x03);
	wr(h, 0x300, 0x07);
	wr(h, 0x280, 0);
	cr_assert_eq(0x60u, rd(h, 0x280));
	cr_assert_not(lapic_pending(h->l));
	h_free(h);
}

Test(lapic, mmio_bad_size_or_alignment_reads_zero_and_is_dropped)
{
	struct h *h = h_new();

	cr_assert_eq(0u, lapic_mmio_ops.read(h->l, 0x30, 2));
	cr_assert_eq(IO_BAD_SIZE, lapic_mmio_status(h->l));
	cr_assert_eq(0u, lapic_mmio_ops.read(h->l, 0x34, 4));
	cr_assert_eq(IO_BAD_SIZE, lapic_mmio_status(h->l));
	cr_assert_eq(0u, lapic_mmio_ops.read(h->l, 0x30, 8));
	lapic_mmio_ops.write(h->l, 0x80, 1, 0x40);
	lapic_mmio_ops.write(h->l, 0x84, 4, 0x40);
	lapic_mmio_ops.write(h->l, 0x80, 8, 0x40);
	cr_assert_eq(0u, rd(h, 0x80));
	cr_assert_eq(IO_OK, lapic_mmio_status(h->l));
	cr_assert_eq(6u, lapic_stats(h->l)->bad_mmio);
	h_free(h);
}

Test(lapic, mmio_hole_reads_zero_with_bad_reg_status)
{
	struct h *h = h_new();

	wr(h, 0x40, 0x1234);
	cr_assert_eq(IO_BAD_REG, lapic_mmio_status(h->l));
	cr_assert_eq(0u, rd(h, 0x40));
	cr_assert_eq(0u, rd(h, 0x3F0)); /* SELF_IPI is x2APIC-only */
	cr_assert_eq(0u, rd(h, 0x800));
	cr_assert_eq(IO_BAD_REG, lapic_mmio_status(h->l));
	h_free(h);
}

Test(lapic, mmio_is_not_decoded_outside_xapic_mode)
{
	struct h *h = h_new();

	wr(h, 0x80, 0x20);
	to_x2apic(h);
	cr_assert_eq(0xFFFFFFFFu, rd(h, 0x80));
	wr(h, 0x80, 0x50);
	cr_assert_eq(0x20u, msr_rd(h, 0x808));
	cr_assert_eq(0, lapic_set_base(h->l, LAPIC_DEFAULT_BASE));
	cr_assert_eq(0xFFFFFFFFu, rd(h, 0x20));
	h_free(h);
}

Test(lapic, isr_irr_tmr_words_show_each_vector_bit)
{
	struct h *h = h_new();

	lapic_accept(h->l, 0x41, true);
	lapic_accept(h->l, 0x9F, false);
	cr_assert_eq(1u << 1, rd(h, 0x200 + 0x20));  /* IRR word 2 */
	cr_assert_eq(1u << 31, rd(h, 0x200 + 0x40)); /* IRR word 4 */
	cr_assert_eq(1u << 1, rd(h, 0x180 + 0x20));  /* TMR word 2 */
	cr_assert_eq(0u, rd(h, 0x180 + 0x40));
	cr_assert_eq(0x9F, lapic_ack(h->l));
	cr_assert_eq(1u << 31, rd(h, 0x100 + 0x40)); /* ISR word 4 */
	cr_assert_eq(0u, rd(h, 0x200 + 0x40));
	h_free(h);
}

Test(lapic, apr_follows_tpr_isr_and_irr_classes)
{
	struct h *h = h_new();

	wr(h, 0x80, 0x35);
	cr_assert_eq(0x35u, rd(h, 0x90));
	lapic_accept(h->l, 0x61, false);
	cr_assert_eq(0x60u, rd(h, 0x90));
	lapic_ack(h->l);
	cr_assert_eq(0x60u, rd(h, 0x90));
	h_free(h);
}

/* ---- x2APIC MSRs ------------------------------------------------------- */

Test(lapic, x2apic_msrs_gp_unless_in_x2apic_mode)
{
	struct h *h = h_new();
	uint64_t v;

	cr_assert_eq(-1, lapic_msr_read(h->l, 0x808, &v));
	cr_assert_eq(-1, lapic_msr_write(h->l, 0x808, 0));
	to_x2apic(h);
	cr_assert_eq(0, lapic_msr_read(h->l, 0x808, &v));
	cr_assert_eq(-1, lapic_msr_read(h->l, 0x7FF, &v));
	cr_assert_eq(-1, lapic_msr_read(h->l, 0x900, &v));
	h_free(h);
}

Test(lapic, x2apic_id_is_32_bits_and_ldr_derives_from_it)
{
	struct h *h = h_new_cfg(0x123, 1, true);

	cr_assert_eq(0x23000000u, rd(h, 0x20), "xAPIC sees the low byte");
	to_x2apic(h);
	cr_assert_eq(0x123u, msr_rd(h, 0x802));
	cr_assert_eq((0x12u << 16) | (1u << 3), msr_rd(h, 0x80D));
	cr_assert_eq(0x00050014u, msr_rd(h, 0x803));
	h_free(h);
}

Test(lapic, x2apic_holes_and_xapic_only_registers_gp)
{
	static const uint32_t holes[] = {0x800, 0x801, 0x804, 0x809, 0x80C,
					 0x80E, 0x829, 0x82F, 0x831, 0x83A,
					 0x83D, 0x840, 0x8FF};
	struct h *h = h_new();
	uint64_t v;

	to_x2apic(h);
	for (size_t i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
		cr_assert_eq(-1, lapic_msr_read(h->l, holes[i], &v), "rd %#x",
			     holes[i]);
		cr_assert_eq(-1, lapic_msr_write(h->l, holes[i], 0), "wr %#x",
			     holes[i]);
	}
	h_free(h);
}

Test(lapic, x2apic_writes_to_read_only_registers_gp)
{
	static const uint32_t ro[] = {0x802, 0x803, 0x80A, 0x80D, 0x810,
				      0x817, 0x818, 0x820, 0x827, 0x839};
	struct h *h = h_new();

	to_x2apic(h);
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		cr_assert_eq(-1, lapic_msr_write(h->l, ro[i], 0), "%#x", ro[i]);
	h_free(h);
}

Test(lapic, x2apic_reads_of_write_only_registers_gp)
{
	struct h *h = h_new();
	uint64_t v;

	to_x2apic(h);
	cr_assert_eq(-1, lapic_msr_read(h->l, 0x80B, &v)); /* EOI */
	cr_assert_eq(-1, lapic_msr_read(h->l, 0x83F, &v)); /* SELF_IPI */
	h_free(h);
}

Test(lapic, x2apic_reserved_bits_gp_and_leave_the_register_unchanged)
{
	static const struct {
		uint32_t msr;
		uint64_t bad;
	} cases[] = {
	    {0x808, 0x100},	 /* TPR bit 8 */
	    {0x808, 1ull << 32}, /* TPR high half */
	    {0x80F, 0x400},	 /* SVR bit 10 */
	    {0x80F, 0x1000},	 /* SVR bit 12 (no EOI suppression) */
	    {0x832, 0x80000},	 /* LVT timer bit 19 */
	    {0x832, 0x60000},	 /* LVT timer mode 11b */
	    {0x832, 0x700},	 /* LVT timer has no delivery mode */
	    {0x835, 0x20000},	 /* LINT0 bit 17 */
	    {0x837, 0x700},	 /* error LVT has no delivery mode */
	    {0x83E, 0x4},	 /* divide bit 2 */
	    {0x83E, 0x10},	 /* divide bit 4 */
	    {0x838, 1ull << 40}, /* initial count high half */
	    {0x83F, 0x100},	 /* SELF_IPI bit 8 */
	};
	struct h *h = h_new();

	to_x2apic(h);
	msr_wr(h, 0x808, 0x10);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(-1,
			     lapic_msr_write(h->l, cases[i].msr, cases[i].bad),
			     "%#x <- %#llx", cases[i].msr,
			     (unsigned long long)cases[i].bad);
	cr_assert_eq(0x10u, msr_rd(h, 0x808));
	cr_assert_eq(0x1FFu, msr_rd(h, 0x80F));
	cr_assert_eq(0x10000u, msr_rd(h, 0x832));
	cr_assert_eq(0, h->nipi);
	h_free(h);
}

Test(lapic, x2apic_read_only_lvt_bits_are_ignored_not_gp)
{
	struct h *h = h_new();

	to_x2apic(h);
	msr_wr(h, 0x835, 0x1000 | 0x4000 | 0x30);
	cr_assert_eq(0x30u, msr_rd(h, 0x835));
	h_free(h);
}

Test(lapic, x2apic_eoi_and_esr_accept_only_zero)
{
	struct h *h = h_new();

	to_x2apic(h);
	lapic_accept(h->l, 0x40, false);
	lapic_ack(h->l);
	cr_assert_eq(-1, lapic_msr_write(h->l, 0x80B, 1));
	cr_assert_eq(1u, msr_rd(h, 0x810 + 2));
	msr_wr(h, 0x80B, 0);
	cr_assert_eq(0u, msr_rd(h, 0x810 + 2));
	cr_assert_eq(-1, lapic_msr_write(h->l, 0x828, 0x80));
	msr_wr(h, 0x828, 0);
	cr_assert_eq(0u, msr_rd(h, 0x828));
	h_free(h);
}

Test(lapic, x2apic_register_values_round_trip)
{
	struct h *h = h_new();

	to_x2apic(h);
	msr_wr(h, 0x808, 0x7F);
	cr_assert_eq(0x7Fu, msr_rd(h, 0x808));
	cr_assert_eq(0x7Fu, msr_rd(h, 0x80A));
	msr_wr(h, 0x80F, 0x3EF);
	cr_assert_eq(0x3EFu, msr_rd(h, 0x80F));
	msr_wr(h, 0x833, 0x104F1);
	cr_assert_eq(0x104F1u, msr_rd(h, 0x833));
	msr_wr(h, 0x83E, 0xA);
	cr_assert_eq(0xAu, msr_rd(h, 0x83E));
	h_free(h);
}

/* ---- IA32_APIC_BASE ---------------------------------------------------- */

enum { S_DIS, S_X1, S_X2 };

static void go_to(struct h *h, int s)
{
	if (s == S_DIS)
		cr_assert_eq(0, lapic_set_base(h->l, LAPIC_DEFAULT_BASE));
	else if (s == S_X2)
		to_x2apic(h);
}

Test(lapic, apic_base_transition_matrix_follows_sdm_11_12_5)
{
	/* Rows: from disabled, xAPIC, x2APIC; columns: EN:EXTD = 00, 01
	 * (invalid), 10, 11. 1 = allowed. */
	static const int ok[3][4] = {
	    {1, 0, 1, 0},
	    {1, 0, 1, 1},
	    {1, 0, 0, 1},
	};
	static const uint64_t bits[4] = {0, LAPIC_BASE_EXTD, LAPIC_BASE_EN,
					 LAPIC_BASE_EN | LAPIC_BASE_EXTD};

	for (int from = 0; from < 3; from++)
		for (int to = 0; to < 4; to++) {
			struct h *h = h_new();
			uint64_t before;

			go_to(h, from);
			before = lapic_get_base(h->l);
			int r =
			    lapic_set_base(h->l, LAPIC_DEFAULT_BASE | bits[to]);
			cr_assert_eq(ok[from][to] ? 0 : -1, r, "from %d to %d",
				     from, to);
			if (!ok[from][to])
				cr_assert_eq(before, lapic_get_base(h->l));
			h_free(h);
		}
}

Test(lapic, apic_base_reserved_bits_gp_and_bsp_is_read_only)
{
	struct h *h = h_new();

	cr_assert_eq(-1, lapic_set_base(h->l, XAPIC_MODE | 0x1));
	cr_assert_eq(-1, lapic_set_base(h->l, XAPIC_MODE | 0x200));
	cr_assert_eq(-1, lapic_set_base(h->l, XAPIC_MODE | (1ull << 40)));
	cr_assert_eq(-1, lapic_set_base(h->l, XAPIC_MODE | (1ull << 63)));
	cr_assert_eq(0, lapic_set_base(h->l, XAPIC_MODE));
	cr_assert(lapic_get_base(h->l) & LAPIC_BASE_BSP);
	cr_assert_eq(0, lapic_set_base(h->l, 0xFED00000ull | LAPIC_BASE_EN |
						 LAPIC_BASE_BSP));
	cr_assert_eq(0xFED00000ull | LAPIC_BASE_EN | LAPIC_BASE_BSP,
		     lapic_get_base(h->l));
	h_free(h);
}

Test(lapic, global_disable_resets_registers_and_keeps_the_id)
{
	struct h *h = h_new_cfg(7, 1, true);

	wr(h, 0x20, 0x09000000u);
	wr(h, 0x80, 0x30);
	wr(h, 0x380, 1000);
	lapic_accept(h->l, 0x50, false);
	cr_assert(h->irq);
	cr_assert_eq(0, lapic_set_base(h->l, LAPIC_DEFAULT_BASE));
	cr_assert_eq(LAPIC_DISABLED, lapic_mode(h->l));
	cr_assert_not(h->irq, "the line drops with the APIC");
	cr_assert_eq(0u, evq_pending(h->q), "the timer event is cancelled");
	cr_assert_eq(0, lapic_set_base(h->l, XAPIC_MODE));
	cr_assert_eq(0x09000000u, rd(h, 0x20));
	cr_assert_eq(0u, rd(h, 0x80));
	cr_assert_eq(0xFFu, rd(h, 0xF0));
	cr_assert_eq(0u, rd(h, 0x200 + 0x20));
	cr_assert_eq(0u, rd(h, 0x380));
	h_free(h);
}

Test(lapic, x2apic_transition_keeps_programmed_state)
{
	struct h *h = h_new();

	wr(h, 0x80, 0x20);
	wr(h, 0x320, 0x10031);
	to_x2apic(h);
	cr_assert_eq(0x20u, msr_rd(h, 0x808));
	cr_assert_eq(0x10031u, msr_rd(h, 0x832));
	cr_assert_eq(0x1FFu, msr_rd(h, 0x80F));
	h_free(h);
}

Test(lapic, init_signal_clears_registers_and_keeps_mode)
{
	struct h *h = h_new_cfg(2, 1, true);

	to_x2apic(h);
	msr_wr(h, 0x808, 0x40);
	lapic_init_signal(h->l);
	cr_assert_eq(LAPIC_X2APIC, lapic_mode(h->l));
	cr_assert_eq(0u, msr_rd(h, 0x808));
	cr_assert_eq(0xFFu, msr_rd(h, 0x80F));
	cr_assert_eq(2u, msr_rd(h, 0x802));
	cr_assert_eq((1u << 2), msr_rd(h, 0x80D));
	h_free(h);
}

/* ---- priorities, acknowledge, EOI -------------------------------------- */

Test(lapic, accept_sets_irr_and_raises_the_line_once)
{
	struct h *h = h_new();

	lapic_accept(h->l, 0x30, false);
	lapic_accept(h->l, 0x31, false);
	cr_assert(h->irq);
	cr_assert_eq(1, h->irq_changes);
	cr_assert(lapic_pending(h->l));
	h_free(h);
}

Test(lapic, tpr_masks_its_class_and_below)
{
	struct h *h = h_new();

	lapic_accept(h->l, 0x45, false);
	wr(h, 0x80, 0x40);
	cr_assert_not(lapic_pending(h->l), "same class is masked");
	cr_assert_not(h->irq);
	wr(h, 0x80, 0x3F);
	cr_assert(lapic_pending(h->l), "a lower TPR class lets it through");
	cr_assert(h->irq);
	cr_assert_eq(3, h->irq_changes);
	h_free(h);
}

Test(lapic, highest_vector_is_acknowledged_first)
{
	struct h *h = h_new();

	lapic_accept(h->l, 0x31, false);
	lapic_accept(h->l, 0x8A, false);
	lapic_accept(h->l, 0x55, false);
	cr_assert_eq(0x8A, lapic_ack(h->l));
	cr_assert_eq(0x80u, lapic_ppr(h->l));
	cr_assert_not(lapic_pending(h->l), "lower classes wait for EOI");
	wr(h, 0xB0, 0);
	cr_assert_eq(0x55, lapic_ack(h->l));
	wr(h, 0xB0, 0);
	cr_assert_eq(0x31, lapic_ack(h->l));
	h_free(h);
}

Test(lapic, in_service_blocks_its_own_class_but_not_a_higher_one)
{
	struct h *h = h_new();

	lapic_accept(h->l, 0x52, false);
	cr_assert_eq(0x52, lapic_ack(h->l));
	lapic_accept(h->l, 0x5F, false);
	cr_assert_not(lapic_pending(h->l));
	lapic_accept(h->l, 0x60, false);
	cr_assert(lapic_pending(h->l));
	cr_assert_eq(0x60, lapic_ack(h->l));
	cr_assert_eq(0x60u, lapic_ppr(h->l));
	wr(h, 0xB0, 0); /* EOI 0x60 */
	cr_assert_eq(0x50u, lapic_ppr(h->l));
	cr_assert_not(lapic_pending(h->l), "0x5F still behind 0x52");
	wr(h, 0xB0, 0); /* EOI 0x52 */
	cr_assert_eq(0x5F, lapic_ack(h->l));
	h_free(h);
}

Test(lapic, ppr_is_tpr_when_its_class_is_at_least_the_isr_class)
{
	struct h *h = h_new();

	lapic_accept(h->l, 0x42, false);
	lapic_ack(h->l);
	wr(h, 0x80, 0x47);
	cr_assert_eq(0x47u, lapic_ppr(h->l));
	wr(h, 0x80, 0x27);
	cr_assert_eq(0x40u, lapic_ppr(h->l));
	h_free(h);
}

Test(lapic, eoi_broadcasts_only_level_triggered_vectors)
{
	struct h *h = h_new();

	lapic_accept(h->l, 0x70, true);
	lapic_accept(h->l, 0x60, false);
	cr_assert_eq(0x70, lapic_ack(h->l));
	wr(h, 0xB0, 0);
	cr_assert_eq(1, h->neoi);
	cr_assert_eq(0x70, h->eoi_vec[0]);
	cr_assert_eq(0x60, lapic_ack(h->l));
	wr(h, 0xB0, 0);
	cr_assert_eq(1, h->neoi);
	wr(h, 0xB0, 0); /* nothing in service: no effect */
	cr_assert_eq(2u, lapic_stats(h->l)->eois);
	h_free(h);
}

Test(lapic, ack_after_tpr_rise_returns_spurious_vector)
{
	struct h *h = h_new();

	wr(h, 0xF0, 0x1EF);
	lapic_accept(h->l, 0x41, false);
	wr(h, 0x80, 0xF0);
	cr_assert_eq(0xEF, lapic_ack(h->l));
	cr_assert_eq(0u, rd(h, 0x100 + 0x20), "no ISR bit for spurious");
	cr_assert_eq(1u << 1, rd(h, 0x200 + 0x20), "still requested");
	cr_assert_eq(1u, lapic_stats(h->l)->spurious);
	h_free(h);
}

Test(lapic, software_disabled_apic_drops_and_holds_nothing_pending)
{
	struct h *h = h_new_cfg(0, 1, false);

	lapic_accept(h->l, 0x40, false);
	cr_assert_not(lapic_pending(h->l));
	cr_assert_eq(0u, rd(h, 0x200 + 0x20));
	cr_assert_eq(1u, lapic_stats(h->l)->dropped);
	wr(h, 0xF0, 0x100 | 0xFF);
	lapic_accept(h->l, 0x40, false);
	cr_assert(lapic_pending(h->l));
	wr(h, 0xF0, 0xFF);
	cr_assert_not(lapic_pending(h->l), "disabling hides the IRR");
	cr_assert_not(h->irq);
	h_free(h);
}

Test(lapic, illegal_received_vector_is_an_error_not_a_request)
{
	struct h *h = h_new();

	lapic_accept(h->l, 0x0F, false);
	cr_assert_not(lapic_pending(h->l));
	wr(h, 0x280, 0);
	cr_assert_eq(0x40u, rd(h, 0x280));
	h_free(h);
}
