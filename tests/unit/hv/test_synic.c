/*
 * tests/unit/hv/test_synic.c — the SynIC (hv/synic.c): every MSR's
 * read/write/#GP rule, messages into the SIMP slot bytes, a busy slot's
 * queue with message_pending and EOM redelivery (one interrupt per
 * message), the queue limit, masked / auto-EOI / polling SINTs, event
 * flags, assert, disabled states, reset, and random MSR values and
 * operations that must keep the invariants (fixed seed).
 */
#include "synic_harness.h"

#define VEC 0x50

/* ---- MSRs ---------------------------------------------------------------- */

Test(synic, msrs_outside_the_synic_are_not_its)
{
	static const uint32_t other[] = {HV_MSR_GUEST_OS_ID, 0x40000085,
					 0x4000008F, 0x400000A0, 0x400000B8,
					 0x400000AF, 0x10};
	struct sh *h = sh_new();
	uint64_t v = 0;

	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		cr_assert_eq(1, synic_msr_read(h->s, other[i], &v), "%#x",
			     other[i]);
		cr_assert_eq(1, synic_msr_write(h->s, other[i], 0), "%#x",
			     other[i]);
	}
	sh_free(h);
}

Test(synic, reset_values)
{
	struct sh *h = sh_new();

	cr_assert_eq(0u, sh_rd(h, HV_MSR_SCONTROL));
	cr_assert_eq(1u, sh_rd(h, HV_MSR_SVERSION));
	cr_assert_eq(0u, sh_rd(h, HV_MSR_SIMP));
	cr_assert_eq(0u, sh_rd(h, HV_MSR_SIEFP));
	for (unsigned i = 0; i < 16; i++)
		cr_assert_eq(0x10000u, sh_rd(h, HV_MSR_SINT0 + i), "SINT%u", i);
	for (unsigned i = 0; i < 8; i++)
		cr_assert_eq(0u, sh_rd(h, HV_MSR_STIMER0_CONFIG + i));
	sh_free(h);
}

Test(synic, sversion_is_read_only_and_eom_write_only)
{
	struct sh *h = sh_new();
	uint64_t v = 0;

	cr_assert_eq(-1, synic_msr_write(h->s, HV_MSR_SVERSION, 1));
	cr_assert_eq(-1, synic_msr_read(h->s, HV_MSR_EOM, &v));
	cr_assert_eq(0, synic_msr_write(h->s, HV_MSR_EOM, 0x1234));
	cr_assert_eq(1u, synic_stats(h->s)->eoms);
	sh_free(h);
}

Test(synic, scontrol_reads_back_what_was_written)
{
	struct sh *h = sh_new();

	sh_wr(h, HV_MSR_SCONTROL, 1);
	cr_assert_eq(1u, sh_rd(h, HV_MSR_SCONTROL));
	sh_wr(h, HV_MSR_SCONTROL, 0);
	cr_assert_eq(0u, sh_rd(h, HV_MSR_SCONTROL));
	sh_free(h);
}

Test(synic, simp_and_siefp_keep_preserved_bits_and_check_the_page)
{
	static const uint32_t msrs[] = {HV_MSR_SIMP, HV_MSR_SIEFP};
	struct sh *h = sh_new();

	for (int k = 0; k < 2; k++) {
		uint32_t m = msrs[k];

		sh_wr(h, m, 0x20000 | 0xFFE | 1);
		cr_assert_eq(0x20FFFu, sh_rd(h, m), "preserved bits 1-11");
		sh_wr(h, m, SH_RAM - 0x1000 + 1); /* last page: inside */
		cr_assert_eq(-1, synic_msr_write(h->s, m, SH_RAM | 1),
			     "page past RAM");
		cr_assert_eq(-1, synic_msr_write(h->s, m, (1ull << 52) | 1));
		cr_assert_eq(-1,
			     synic_msr_write(h->s, m, 0xFFFFFFFFFFFFF001ull));
		cr_assert_eq(SH_RAM - 0x1000 + 1, sh_rd(h, m),
			     "a refused write changes nothing");
		sh_wr(h, m, SH_RAM); /* disabled: any GPN is accepted */
		cr_assert_eq(SH_RAM, sh_rd(h, m));
	}
	cr_assert(synic_check_invariants(h->s));
	sh_free(h);
}

Test(synic, sint_reserved_bits_and_low_vectors_gp)
{
	static const uint64_t bad[] = {
	    1ull << 8,	1ull << 15, 1ull << 19, 1ull << 20,
	    1ull << 32, 1ull << 63, 0x0F /* unmasked vector 15 */, 0x00};
	struct sh *h = sh_new();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = bad[i] < 0x100 ? bad[i] : (bad[i] | VEC);

		cr_assert_eq(-1, synic_msr_write(h->s, HV_MSR_SINT0 + 3, v),
			     "%#llx", (unsigned long long)v);
		cr_assert_eq(0x10000u, sh_rd(h, HV_MSR_SINT0 + 3));
	}
	sh_wr(h, HV_MSR_SINT0 + 3, HV_SINT_MASKED | 0x05); /* masked: ok */
	cr_assert_eq(0x10005u, sh_rd(h, HV_MSR_SINT0 + 3));
	sh_wr(h, HV_MSR_SINT0 + 3, 0x10);
	sh_wr(h, HV_MSR_SINT0 + 15,
	      0xFF | HV_SINT_AUTO_EOI | HV_SINT_POLLING);
	cr_assert_eq(0x10u, sh_rd(h, HV_MSR_SINT0 + 3));
	cr_assert_eq(0x600FFu, sh_rd(h, HV_MSR_SINT0 + 15));
	sh_free(h);
}

/* ---- messages ------------------------------------------------------------ */

Test(synic, post_writes_the_whole_slot_and_raises_once)
{
	struct sh *h = sh_new();
	uint8_t pl[240];

	for (int i = 0; i < 240; i++)
		pl[i] = (uint8_t)(i * 7 + 1);
	/* Garbage in the free slot's tail must be overwritten. */
	for (unsigned off = 4; off < 256; off++)
		physmem_write(h->mem, SH_SIMP + 2 * 256 + off, 1, 0xCC);
	sh_enable(h, 2, VEC);
	cr_assert_eq(HV_STATUS_SUCCESS,
		     synic_post_message(h->s, 2, HVMSG_VMBUS, pl, 100));
	cr_assert_eq(HVMSG_VMBUS, sh_slot_type(h, 2));
	cr_assert_eq(100u, sh_slot(h, 2, 4, 1));
	cr_assert_eq(0u, sh_slot(h, 2, 5, 1), "flags");
	cr_assert_eq(0u, sh_slot(h, 2, 6, 2), "reserved");
	cr_assert_eq(0u, sh_slot(h, 2, 8, 8), "sender");
	for (unsigned i = 0; i < 240; i++)
		cr_assert_eq(i < 100 ? pl[i] : 0, sh_slot(h, 2, 16 + i, 1),
			     "payload byte %u", i);
	cr_assert_eq(0u, sh_slot_type(h, 1), "other slots untouched");
	cr_assert_eq(0u, sh_slot_type(h, 3));
	cr_assert_eq(1, h->nr);
	cr_assert_eq(VEC, h->r[0].vector);
	cr_assert_not(h->r[0].auto_eoi);
	cr_assert_eq(1u, synic_stats(h->s)->posted);
	cr_assert_eq(1u, synic_stats(h->s)->delivered);
	cr_assert_eq(0u, synic_stats(h->s)->queued);
	cr_assert_eq(1u, synic_stats(h->s)->interrupts);
	sh_free(h);
}

Test(synic, auto_eoi_is_passed_to_raise)
{
	struct sh *h = sh_new();

	sh_enable(h, 2, VEC);
	sh_wr(h, HV_MSR_SINT0 + 2, 0xF3 | HV_SINT_AUTO_EOI);
	synic_post_message(h->s, 2, 1, "x", 1);
	cr_assert_eq(1, h->nr);
	cr_assert_eq(0xF3, h->r[0].vector);
	cr_assert(h->r[0].auto_eoi);
	sh_free(h);
}

Test(synic, busy_slot_queues_sets_pending_and_eom_delivers_the_next)
{
	struct sh *h = sh_new();
	uint32_t a = 0xA, b = 0xB, c = 0xC;

	sh_enable(h, 2, VEC);
	cr_assert_eq(0u, synic_post_message(h->s, 2, 1, &a, 4));
	cr_assert_eq(0u, synic_post_message(h->s, 2, 1, &b, 4));
	cr_assert_eq(0u, synic_post_message(h->s, 2, 1, &c, 4));
	cr_assert_eq(1, h->nr, "queued messages raise nothing yet");
	cr_assert_eq(0xAu, sh_slot(h, 2, 16, 4));
	cr_assert(sh_slot_pending(h, 2));
	cr_assert_eq(2u, synic_stats(h->s)->queued);

	sh_wr(h, HV_MSR_EOM, 0); /* EOM before the slot is freed: nothing */
	cr_assert_eq(1, h->nr);
	cr_assert_eq(0xAu, sh_slot(h, 2, 16, 4));

	sh_consume(h, 2);
	cr_assert_eq(2, h->nr, "the next message has its own interrupt");
	cr_assert_eq(0xBu, sh_slot(h, 2, 16, 4));
	cr_assert(sh_slot_pending(h, 2), "one more is still waiting");
	sh_consume(h, 2);
	cr_assert_eq(3, h->nr);
	cr_assert_eq(0xCu, sh_slot(h, 2, 16, 4));
	cr_assert_not(sh_slot_pending(h, 2), "nothing else waits");
	sh_consume(h, 2);
	cr_assert_eq(3, h->nr);
	cr_assert_eq(0u, sh_slot_type(h, 2));
	cr_assert_eq(3u, synic_stats(h->s)->delivered);
	cr_assert(synic_check_invariants(h->s));
	sh_free(h);
}

Test(synic, slot_freed_without_eom_is_refilled_in_order_on_the_next_post)
{
	struct sh *h = sh_new();
	uint32_t v[3] = {1, 2, 3};

	sh_enable(h, 4, VEC);
	for (int i = 0; i < 2; i++)
		synic_post_message(h->s, 4, 1, &v[i], 4);
	physmem_write(h->mem, SH_SIMP + 4 * 256, 4, 0); /* no EOM */
	synic_post_message(h->s, 4, 1, &v[2], 4);
	cr_assert_eq(2u, sh_slot(h, 4, 16, 4), "the older message first");
	cr_assert(sh_slot_pending(h, 4));
	sh_consume(h, 4);
	cr_assert_eq(3u, sh_slot(h, 4, 16, 4));
	sh_free(h);
}

Test(synic, full_queue_refuses_with_insufficient_buffers)
{
	struct sh *h = sh_new();

	sh_enable(h, 1, VEC);
	for (unsigned i = 0; i <= SYNIC_QUEUE_MAX; i++)
		cr_assert_eq(HV_STATUS_SUCCESS,
			     synic_post_message(h->s, 1, 1, &i, 4), "post %u",
			     i);
	cr_assert_eq(HV_STATUS_INSUFFICIENT_BUFFERS,
		     synic_post_message(h->s, 1, 1, "x", 1));
	cr_assert_eq(1u, synic_stats(h->s)->refused);
	cr_assert_eq(SYNIC_QUEUE_MAX + 1u, synic_stats(h->s)->posted);
	/* Another SINT has its own queue. */
	sh_wr(h, HV_MSR_SINT0 + 5, VEC + 1);
	cr_assert_eq(HV_STATUS_SUCCESS, synic_post_message(h->s, 5, 1, "y", 1));
	/* Draining frees room again, in order. */
	sh_consume(h, 1);
	cr_assert_eq(1u, sh_slot(h, 1, 16, 4));
	cr_assert_eq(HV_STATUS_SUCCESS, synic_post_message(h->s, 1, 1, "z", 1));
	for (unsigned i = 2; i <= SYNIC_QUEUE_MAX; i++) {
		sh_consume(h, 1);
		cr_assert_eq(i, sh_slot(h, 1, 16, 4));
	}
	sh_consume(h, 1);
	cr_assert_eq('z', sh_slot(h, 1, 16, 1));
	cr_assert(synic_check_invariants(h->s));
	sh_free(h);
}

Test(synic, masked_sint_gets_the_message_but_no_interrupt_until_unmasked)
{
	struct sh *h = sh_new();

	sh_enable(h, 2, VEC);
	sh_wr(h, HV_MSR_SINT0 + 2, HV_SINT_MASKED | VEC);
	cr_assert_eq(0u, synic_post_message(h->s, 2, 1, "m", 1));
	cr_assert_eq(1u, sh_slot_type(h, 2));
	cr_assert_eq(0, h->nr);
	sh_wr(h, HV_MSR_SINT0 + 2, HV_SINT_MASKED | VEC); /* still masked */
	cr_assert_eq(0, h->nr);
	sh_wr(h, HV_MSR_SINT0 + 2, VEC);
	cr_assert_eq(1, h->nr, "unmasking announces the message");
	cr_assert_eq(VEC, h->r[0].vector);
	sh_wr(h, HV_MSR_SINT0 + 2, VEC); /* no change: no new interrupt */
	cr_assert_eq(1, h->nr);
	sh_free(h);
}

Test(synic, unmasking_an_empty_slot_raises_nothing)
{
	struct sh *h = sh_new();

	sh_enable(h, 2, VEC);
	sh_wr(h, HV_MSR_SINT0 + 2, HV_SINT_MASKED | VEC);
	sh_wr(h, HV_MSR_SINT0 + 2, VEC);
	cr_assert_eq(0, h->nr);
	sh_free(h);
}

Test(synic, polling_mode_delivers_without_interrupt)
{
	struct sh *h = sh_new();

	sh_enable(h, 6, VEC);
	sh_wr(h, HV_MSR_SINT0 + 6, HV_SINT_POLLING | VEC);
	cr_assert_eq(0u, synic_post_message(h->s, 6, 7, "p", 1));
	cr_assert_eq(7u, sh_slot_type(h, 6));
	cr_assert_eq(0u, synic_signal_event(h->s, 6, 9));
	cr_assert_eq(0u, synic_assert_sint(h->s, 6));
	cr_assert_eq(0, h->nr);
	sh_wr(h, HV_MSR_SINT0 + 6, VEC);
	cr_assert_eq(1, h->nr, "leaving polling mode announces the slot");
	sh_free(h);
}

Test(synic, bad_parameters)
{
	struct sh *h = sh_new();
	uint8_t big[241] = {0};

	sh_enable(h, 2, VEC);
	cr_assert_eq(HV_STATUS_INVALID_PARAMETER,
		     synic_post_message(h->s, 16, 1, "x", 1));
	cr_assert_eq(HV_STATUS_INVALID_PARAMETER,
		     synic_post_message(h->s, 2, 1, big, 241));
	cr_assert_eq(HV_STATUS_INVALID_PARAMETER,
		     synic_post_message(h->s, 2, HVMSG_NONE, "x", 1));
	cr_assert_eq(HV_STATUS_INVALID_PARAMETER,
		     synic_post_message(h->s, 2, 1, NULL, 4));
	cr_assert_eq(HV_STATUS_SUCCESS,
		     synic_post_message(h->s, 2, 1, big, 240));
	cr_assert_eq(HV_STATUS_INVALID_PARAMETER,
		     synic_signal_event(h->s, 16, 0));
	cr_assert_eq(HV_STATUS_INVALID_PARAMETER,
		     synic_signal_event(h->s, 0, 2048));
	cr_assert_eq(HV_STATUS_INVALID_PARAMETER, synic_assert_sint(h->s, 16));
	cr_assert_eq(1, h->nr);
	sh_free(h);
}

Test(synic, disabled_synic_or_pages_refuse)
{
	struct sh *h = sh_new();

	cr_assert_eq(HV_STATUS_INVALID_SYNIC_STATE,
		     synic_post_message(h->s, 2, 1, "x", 1));
	cr_assert_eq(HV_STATUS_INVALID_SYNIC_STATE,
		     synic_signal_event(h->s, 2, 1));
	cr_assert_eq(HV_STATUS_INVALID_SYNIC_STATE, synic_assert_sint(h->s, 2));
	/* Pages on, SCONTROL off. */
	sh_wr(h, HV_MSR_SIMP, SH_SIMP | 1);
	sh_wr(h, HV_MSR_SIEFP, SH_SIEFP | 1);
	sh_wr(h, HV_MSR_SINT0 + 2, VEC);
	cr_assert_eq(HV_STATUS_INVALID_SYNIC_STATE,
		     synic_post_message(h->s, 2, 1, "x", 1));
	cr_assert_eq(HV_STATUS_INVALID_SYNIC_STATE,
		     synic_signal_event(h->s, 2, 1));
	/* SCONTROL on, SIMP / SIEFP off. */
	sh_wr(h, HV_MSR_SCONTROL, 1);
	sh_wr(h, HV_MSR_SIMP, SH_SIMP);
	sh_wr(h, HV_MSR_SIEFP, SH_SIEFP);
	cr_assert_eq(HV_STATUS_INVALID_SYNIC_STATE,
		     synic_post_message(h->s, 2, 1, "x", 1));
	cr_assert_eq(HV_STATUS_INVALID_SYNIC_STATE,
		     synic_signal_event(h->s, 2, 1));
	cr_assert_eq(HV_STATUS_SUCCESS, synic_assert_sint(h->s, 2));
	cr_assert_eq(1, h->nr, "only the assert raised");
	cr_assert_eq(0u, sh_slot_type(h, 2), "nothing written");
	cr_assert_eq(0u, physmem_read(h->mem, SH_SIEFP + 2 * 256, 1));
	cr_assert_eq(3u, synic_stats(h->s)->refused, "posts only");
	sh_free(h);
}

Test(synic, queued_messages_wait_while_simp_is_off_and_go_to_the_new_page)
{
	struct sh *h = sh_new();

	sh_enable(h, 2, VEC);
	synic_post_message(h->s, 2, 1, "a", 1);
	synic_post_message(h->s, 2, 1, "b", 1);
	sh_wr(h, HV_MSR_SIMP, SH_SIMP); /* disable */
	physmem_write(h->mem, SH_SIMP + 2 * 256, 4, 0);
	sh_wr(h, HV_MSR_EOM, 0);
	cr_assert_eq(1, h->nr, "nothing delivered while disabled");
	sh_wr(h, HV_MSR_SIMP, 0x30000 | 1); /* a fresh page */
	cr_assert_eq(2, h->nr);
	cr_assert_eq(1u, physmem_read(h->mem, 0x30000 + 2 * 256, 4));
	cr_assert_eq('b', physmem_read(h->mem, 0x30000 + 2 * 256 + 16, 1));
	sh_free(h);
}

/* ---- event flags and assert ---------------------------------------------- */

Test(synic, event_flag_first_set_raises_second_does_not)
{
	struct sh *h = sh_new();

	sh_enable(h, 2, VEC);
	cr_assert_eq(0u, synic_signal_event(h->s, 2, 13));
	cr_assert_eq(1u << 5, physmem_read(h->mem, SH_SIEFP + 2 * 256 + 1, 1));
	cr_assert_eq(1, h->nr);
	cr_assert_eq(0u, synic_signal_event(h->s, 2, 13));
	cr_assert_eq(1, h->nr, "an already set flag raises nothing");
	cr_assert_eq(1u, synic_stats(h->s)->events);
	/* The guest clears it: the next signal raises again. */
	physmem_write(h->mem, SH_SIEFP + 2 * 256 + 1, 1, 0);
	cr_assert_eq(0u, synic_signal_event(h->s, 2, 13));
	cr_assert_eq(2, h->nr);
	sh_free(h);
}

Test(synic, event_flag_positions)
{
	static const struct {
		unsigned sint, flag, byte, bit;
	} c[] = {{0, 0, 0, 0},	       {0, 7, 0, 7},	   {1, 8, 257, 0},
		 {2, 2047, 767, 7},    {15, 0, 3840, 0}, {15, 2047, 4095, 7}};
	struct sh *h = sh_new();

	sh_enable(h, 0, VEC);
	for (unsigned i = 0; i < 16; i++)
		sh_wr(h, HV_MSR_SINT0 + i, VEC + i);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint64_t before = physmem_read(h->mem, SH_SIEFP + c[i].byte, 1);

		cr_assert_eq(0u, synic_signal_event(h->s, c[i].sint, c[i].flag));
		cr_assert_eq(before | (1u << c[i].bit),
			     physmem_read(h->mem, SH_SIEFP + c[i].byte, 1),
			     "sint %u flag %u", c[i].sint, c[i].flag);
		cr_assert_eq(VEC + c[i].sint, h->r[h->nr - 1].vector);
	}
	cr_assert_eq(0u, physmem_read(h->mem, SH_SIEFP + 4096, 8),
		     "nothing past the page");
	sh_free(h);
}

Test(synic, assert_sint_raises_the_vector_only)
{
	struct sh *h = sh_new();
	uint8_t before[4096], after[4096];

	sh_enable(h, 9, 0x77);
	physmem_copy_from(h->mem, before, SH_SIMP, 4096);
	cr_assert_eq(0u, synic_assert_sint(h->s, 9));
	cr_assert_eq(0u, synic_assert_sint(h->s, 9));
	physmem_copy_from(h->mem, after, SH_SIMP, 4096);
	cr_assert_eq(0, memcmp(before, after, 4096));
	cr_assert_eq(2, h->nr);
	cr_assert_eq(0x77, h->r[1].vector);
	cr_assert_eq(0u, synic_assert_sint(h->s, 8), "masked: success, quiet");
	cr_assert_eq(2, h->nr);
	sh_free(h);
}

/* ---- reset and robustness -------------------------------------------------- */

Test(synic, reset_masks_everything_and_empties_queues)
{
	struct sh *h = sh_new();

	sh_enable(h, 2, VEC);
	for (int i = 0; i < 5; i++)
		synic_post_message(h->s, 2, 1, "r", 1);
	synic_reset(h->s);
	cr_assert(synic_check_invariants(h->s));
	cr_assert_eq(0u, sh_rd(h, HV_MSR_SCONTROL));
	cr_assert_eq(0u, sh_rd(h, HV_MSR_SIMP));
	cr_assert_eq(0x10000u, sh_rd(h, HV_MSR_SINT0 + 2));
	sh_enable(h, 2, VEC);
	physmem_write(h->mem, SH_SIMP + 2 * 256, 4, 0);
	sh_wr(h, HV_MSR_EOM, 0);
	cr_assert_eq(1, h->nr, "the queue was emptied");
	sh_free(h);
}

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 11 ^ *x << 29;
}

/* Random-ish MSR values: raw bits, or a plausible page / vector / config
 * with some stray bits. */
static uint64_t random_value(uint64_t *x)
{
	uint64_t r = lcg(x);

	switch (r % 5) {
	case 0: return lcg(x);
	case 1: return (lcg(x) % (SH_RAM + 0x4000)) | (r >> 8 & 1);
	case 2: return (lcg(x) & 0x700FF) | (r & (1ull << 40));
	case 3: return lcg(x) & 0xF1FFF;
	default: return lcg(x) % 3000;
	}
}

Test(synic, random_msrs_and_operations_keep_the_invariants)
{
	struct sh *h = sh_new();
	uint64_t x = 12345;

	sh_enable(h, 2, VEC);
	for (int step = 0; step < 20000; step++) {
		uint64_t r = lcg(&x), v;
		uint32_t msr = 0x4000007E + (uint32_t)(r % 0x40);
		uint8_t pl[240] = {(uint8_t)step};

		switch (r >> 32 & 7) {
		case 0:
		case 1:
			synic_msr_write(h->s, msr, random_value(&x));
			break;
		case 2:
			synic_msr_read(h->s, msr, &v);
			break;
		case 3:
			synic_post_message(h->s, (unsigned)(lcg(&x) % 18),
					   (uint32_t)(lcg(&x) % 3),
					   pl, (unsigned)(lcg(&x) % 250));
			break;
		case 4:
			synic_signal_event(h->s, (unsigned)(lcg(&x) % 18),
					   (unsigned)(lcg(&x) % 2100));
			break;
		case 5: /* the guest frees a slot, sometimes EOMs */
			physmem_write(h->mem, SH_SIMP + (lcg(&x) % 16) * 256,
				      4, 0);
			if (r & 1)
				synic_msr_write(h->s, HV_MSR_EOM, 0);
			break;
		case 6:
			evq_run_until(h->q, evq_now(h->q) + lcg(&x) % 3000);
			break;
		default:
			if ((r & 0xFF) == 0)
				synic_reset(h->s);
			else if ((r & 0xF) == 1)
				sh_enable(h, (unsigned)(lcg(&x) % 16),
					  (uint8_t)(16 + lcg(&x) % 240));
			else
				synic_assert_sint(h->s,
						  (unsigned)(lcg(&x) % 17));
		}
		cr_assert(synic_check_invariants(h->s), "step %d", step);
	}
	cr_assert(physmem_check_invariants(h->mem));
	cr_assert_gt(synic_stats(h->s)->delivered, 100u, "exercised delivery");
	cr_assert_gt(synic_stats(h->s)->queued, 100u, "exercised the queues");
	sh_free(h);
}

/* The byte range [gpa, gpa+4096) of an enabled SIMP/SIEFP value, else
 * nothing. */
static bool in_enabled_page(uint64_t msr_val, uint64_t gpa)
{
	uint64_t base = msr_val & ~0xFFFull;

	return (msr_val & 1) && gpa >= base && gpa < base + 4096;
}

Test(synic, writes_only_inside_the_enabled_pages)
{
	struct sh *h = sh_new();
	uint8_t *ram = physmem_ram_ptr(h->mem, 0, SH_RAM);
	uint8_t *shadow = malloc(SH_RAM);
	uint64_t x = 99;

	cr_assert(ram && shadow);
	for (uint64_t i = 0; i < SH_RAM; i++)
		ram[i] = (uint8_t)(i * 13);
	memcpy(shadow, ram, SH_RAM);
	sh_enable(h, 2, VEC);
	for (int step = 0; step < 4000; step++) {
		uint64_t r = lcg(&x);
		uint64_t simp = sh_rd(h, HV_MSR_SIMP), siefp = sh_rd(h, HV_MSR_SIEFP);

		switch (r % 6) {
		case 0: /* move a page somewhere (or off RAM: #GP) */
			synic_msr_write(h->s, r & 64 ? HV_MSR_SIMP : HV_MSR_SIEFP,
					(lcg(&x) % (SH_RAM + 0x2000)) | 1);
			break;
		case 1: {
			uint8_t msg[HV_MESSAGE_PAYLOAD_MAX + 1];

			memset(msg, (int)(r & 0xFF), sizeof(msg));
			synic_post_message(h->s, (unsigned)(lcg(&x) % 16), 1,
					   msg, (unsigned)(lcg(&x) % 241));
			break;
		}
		case 2:
			synic_signal_event(h->s, (unsigned)(lcg(&x) % 16),
					   (unsigned)(lcg(&x) % 2048));
			break;
		case 3: /* the guest frees a slot of the current page */
			if (simp & 1) {
				uint64_t a = (simp & ~0xFFFull) + (lcg(&x) % 16) * 256;

				physmem_write(h->mem, a, 4, 0);
				memcpy(shadow + a, ram + a, 4);
			}
			synic_msr_write(h->s, HV_MSR_EOM, 0);
			break;
		case 4:
			synic_msr_write(h->s, HV_MSR_SINT0 + (uint32_t)(lcg(&x) % 16),
					16 + lcg(&x) % 240);
			break;
		default:
			synic_msr_write(h->s, HV_MSR_STIMER0_CONFIG + 2,
					1 | 2 | ((lcg(&x) % 16) << 16));
			synic_msr_write(h->s, HV_MSR_STIMER0_COUNT + 2,
					1 + lcg(&x) % 50);
			evq_run_until(h->q, evq_now(h->q) + lcg(&x) % 20000);
		}
		/* A write may land in the pages enabled before or after it. */
		uint64_t simp2 = sh_rd(h, HV_MSR_SIMP), siefp2 = sh_rd(h, HV_MSR_SIEFP);
		for (uint64_t i = 0; i < SH_RAM; i++) {
			if ((i & 0xFFF) == 0 && !memcmp(ram + i, shadow + i, 4096)) {
				i += 4095; /* page unchanged */
				continue;
			}
			if (ram[i] == shadow[i])
				continue;
			cr_assert(in_enabled_page(simp, i) ||
					  in_enabled_page(siefp, i) ||
					  in_enabled_page(simp2, i) ||
					  in_enabled_page(siefp2, i),
				  "step %d wrote GPA %#llx", step,
				  (unsigned long long)i);
			shadow[i] = ram[i];
		}
	}
	cr_assert_gt(synic_stats(h->s)->delivered, 100u);
	free(shadow);
	sh_free(h);
}
