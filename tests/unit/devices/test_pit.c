/*
 * tests/unit/devices/test_pit.c — the 8254 PIT (devices/pit.c) against
 * simulated cycles: the count in modes 0, 2 and 3, IRQ 0 pulses at the
 * programmed rate, latch and read-back, channel 2's gate and output
 * through port 0x61 as Linux's TSC calibration uses them, and the
 * refresh toggle.
 */
#include <criterion/criterion.h>

#include "devices/pit.h"
#include "fake_clock.h"

#define HZ 2500000000ull

struct rig {
	struct fake_clock fc;
	struct pit *pit;
	int pulses, level;
};

static void on_irq0(void *o, int line, int level)
{
	struct rig *r = o;

	cr_expect_eq(line, 0);
	if (level && !r->level)
		r->pulses++;
	r->level = level;
}

static void setup(struct rig *r)
{
	struct pit_config c;

	*r = (struct rig){0};
	c = (struct pit_config){.clock = fake_clock_of(&r->fc, HZ),
				.irq0 = {on_irq0, r, 0}};
	r->pit = pit_create(&c);
	cr_assert_not_null(r->pit);
}

static void out(struct rig *r, uint16_t port, uint8_t v)
{
	cycles_t lat = 0;

	if (port == 0x61)
		cr_assert_eq(pit_nmi_ops.write(r->pit, 0, 1, v, &lat), IO_OK);
	else
		cr_assert_eq(pit_ops.write(r->pit, port - 0x40, 1, v, &lat),
			     IO_OK);
}

static uint8_t in(struct rig *r, uint16_t port)
{
	uint64_t v = 0;
	cycles_t lat = 0;

	if (port == 0x61)
		cr_assert_eq(pit_nmi_ops.read(r->pit, 0, 1, &v, &lat), IO_OK);
	else
		cr_assert_eq(pit_ops.read(r->pit, port - 0x40, 1, &v, &lat),
			     IO_OK);
	return (uint8_t)v;
}

/* The first cycle of PIT tick n. */
static cycles_t ticks(uint64_t n)
{
	return (cycles_t)((n * HZ + PIT_HZ - 1) / PIT_HZ);
}

Test(pit, mode2_periodic_irq0_at_the_programmed_rate)
{
	struct rig r;
	const unsigned latch = 4773; /* Linux, HZ = 250 */

	setup(&r);
	out(&r, 0x43, 0x34); /* channel 0, LSB+MSB, mode 2 */
	out(&r, 0x40, latch & 0xFF);
	out(&r, 0x40, latch >> 8);
	fake_clock_advance(&r.fc, HZ); /* one second */
	cr_expect(r.pulses == 249 || r.pulses == 250, "%d pulses", r.pulses);
	cr_expect_eq(pit_irq0_count(r.pit), (uint64_t)r.pulses);
	cr_expect_eq(r.level, 0, "pulses, not a held line");
	/* Loaded at tick 1 (the edge after the write at cycle 0): at
	 * tick T the count is latch - (T - 1) % latch. */
	r.fc.now = ticks(1200000);
	cr_expect_eq(pit_count(r.pit, 0), latch - (1200000 - 1) % latch);
	r.fc.now = ticks(1200010);
	cr_expect_eq(pit_count(r.pit, 0), latch - (1200010 - 1) % latch);
	pit_destroy(r.pit);
}

Test(pit, mode0_one_shot)
{
	struct rig r;

	setup(&r);
	out(&r, 0x43, 0x30); /* channel 0, LSB+MSB, mode 0 */
	out(&r, 0x40, 0xE8);
	out(&r, 0x40, 0x03); /* 1000 ticks: ~838 us */
	cr_expect(!pit_output(r.pit, 0));
	fake_clock_advance(&r.fc, ticks(990));
	cr_expect_eq(r.pulses, 0);
	cr_expect(!pit_output(r.pit, 0));
	fake_clock_advance(&r.fc, ticks(1010));
	cr_expect_eq(r.pulses, 1);
	cr_expect(pit_output(r.pit, 0));
	fake_clock_advance(&r.fc, ticks(200000));
	cr_expect_eq(r.pulses, 1, "once only");
	pit_destroy(r.pit);
}

Test(pit, latch_holds_the_count_until_read)
{
	struct rig r;
	uint16_t v;

	setup(&r);
	out(&r, 0x43, 0x34);
	out(&r, 0x40, 0x00);
	out(&r, 0x40, 0x00); /* 65536 */
	r.fc.now = ticks(101);
	out(&r, 0x43, 0x00); /* latch channel 0 */
	r.fc.now = ticks(5000);
	v = in(&r, 0x40);
	v |= (uint16_t)(in(&r, 0x40) << 8);
	cr_expect_eq(v, (uint16_t)(65536 - 100), "latched at tick 101: %u",
		     v);
	v = in(&r, 0x40);
	v |= (uint16_t)(in(&r, 0x40) << 8);
	cr_expect(v < 65536 - 4000, "live again after the latch: %u", v);
	pit_destroy(r.pit);
}

Test(pit, read_back_status)
{
	struct rig r;

	setup(&r);
	out(&r, 0x43, 0xB6); /* channel 2, LSB+MSB, mode 3 */
	out(&r, 0x43, 0xE8); /* read-back: status of channel 2 */
	cr_expect_eq(in(&r, 0x42), 0x80 | 0x40 | 0x30 | 0x06,
		     "OUT high (mode 3), null count, RW 3, mode 3");
	out(&r, 0x42, 0x10);
	out(&r, 0x42, 0x00);
	out(&r, 0x43, 0xE8);
	cr_expect_eq(in(&r, 0x42) & 0x40, 0, "count loaded");
	pit_destroy(r.pit);
}

Test(pit, channel2_gate_and_output_on_port_61)
{
	struct rig r;
	uint8_t v;

	setup(&r);
	/* Linux's PIT calibration: gate high, speaker off, mode 0. */
	out(&r, 0x61, (in(&r, 0x61) & ~0x02) | 0x01);
	out(&r, 0x43, 0xB0);
	out(&r, 0x42, 0xFF);
	out(&r, 0x42, 0xFF);
	cr_expect_eq(in(&r, 0x61) & 0x20, 0, "OUT2 low while counting");
	r.fc.now += ticks(0xFFFF + 2);
	cr_expect_eq(in(&r, 0x61) & 0x20, 0x20, "OUT2 high at terminal count");
	/* Gate low pauses a mode 0 count. */
	out(&r, 0x43, 0xB0);
	out(&r, 0x42, 0x00);
	out(&r, 0x42, 0x10);
	r.fc.now += ticks(100);
	out(&r, 0x61, 0x00);
	v = (uint8_t)pit_count(r.pit, 2);
	r.fc.now += ticks(1000);
	cr_expect_eq((uint8_t)pit_count(r.pit, 2), v, "paused");
	out(&r, 0x61, 0x01);
	r.fc.now += ticks(10);
	cr_expect_neq((uint8_t)pit_count(r.pit, 2), v, "running again");
	cr_expect_eq(r.pulses, 0, "channel 2 is not IRQ 0");
	pit_destroy(r.pit);
}

Test(pit, mode3_square_wave_output)
{
	struct rig r;
	int high = 0;

	setup(&r);
	out(&r, 0x61, 0x01);
	out(&r, 0x43, 0xB6);
	out(&r, 0x42, 100);
	out(&r, 0x42, 0);
	for (int i = 0; i < 100; i++) {
		r.fc.now = ticks(1000 + i) + 1;
		high += pit_output(r.pit, 2);
		cr_expect_eq(pit_count(r.pit, 2) % 2, 0, "counts by two");
	}
	cr_expect_eq(high, 50, "half the period high");
	pit_destroy(r.pit);
}

Test(pit, refresh_bit_toggles_and_bad_sizes)
{
	struct rig r;
	uint8_t a, b;
	uint64_t v;
	cycles_t lat = 0;

	setup(&r);
	a = in(&r, 0x61) & 0x10;
	r.fc.now += HZ / 66291 + 1;
	b = in(&r, 0x61) & 0x10;
	cr_expect_neq(a, b);
	cr_expect_eq(pit_ops.read(r.pit, 3, 1, &v, &lat), IO_BAD_REG);
	cr_expect_eq(pit_ops.write(r.pit, 0, 2, 0, &lat), IO_BAD_SIZE);
	pit_destroy(r.pit);
}

Test(pit, reset_stops_irq0)
{
	struct rig r;

	setup(&r);
	out(&r, 0x43, 0x34);
	out(&r, 0x40, 0x00);
	out(&r, 0x40, 0x10);
	fake_clock_advance(&r.fc, HZ / 100);
	cr_assert_gt(r.pulses, 0);
	pit_ops.reset(r.pit);
	r.pulses = 0;
	fake_clock_advance(&r.fc, HZ);
	cr_expect_eq(r.pulses, 0);
	pit_destroy(r.pit);
}
