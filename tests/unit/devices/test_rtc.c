/*
 * tests/unit/devices/test_rtc.c — the CMOS RTC (devices/rtc.c): the time
 * from the configured start plus simulated time, BCD and binary, 12 and
 * 24-hour forms, setting the clock with SET, the update-in-progress
 * window, register C's flags and IRQ 8 (update and periodic), the NMI
 * mask bit, CMOS memory and the calendar helpers.
 */
#include <criterion/criterion.h>

#include "devices/rtc.h"
#include "fake_clock.h"

#define HZ 1000000ull /* 1 MHz keeps the arithmetic readable */

/* 2024-02-29T23:59:58Z, a Thursday. */
#define START 1709251198ll

struct rig {
	struct fake_clock fc;
	struct rtc *rtc;
	int level, rises;
};

static void on_irq(void *o, int line, int level)
{
	struct rig *r = o;

	cr_expect_eq(line, 8);
	if (level && !r->level)
		r->rises++;
	r->level = level;
}

static void setup(struct rig *r)
{
	struct rtc_config c;

	*r = (struct rig){0};
	c = (struct rtc_config){.clock = fake_clock_of(&r->fc, HZ),
				.start_time = START,
				.irq = {on_irq, r, 8}};
	r->rtc = rtc_create(&c);
	cr_assert_not_null(r->rtc);
}

static uint8_t rd(struct rig *r, uint8_t idx)
{
	uint64_t v = 0;
	cycles_t lat = 0;

	rtc_ops.write(r->rtc, 0, 1, idx, &lat);
	cr_assert_eq(rtc_ops.read(r->rtc, 1, 1, &v, &lat), IO_OK);
	return (uint8_t)v;
}

static void wr(struct rig *r, uint8_t idx, uint8_t v)
{
	cycles_t lat = 0;

	rtc_ops.write(r->rtc, 0, 1, idx, &lat);
	cr_assert_eq(rtc_ops.write(r->rtc, 1, 1, v, &lat), IO_OK);
}

Test(rtc, start_time_in_bcd_and_it_runs)
{
	struct rig r;

	setup(&r);
	cr_expect_eq(rd(&r, 0x0A), 0x26);
	cr_expect_eq(rd(&r, 0x0B), 0x02, "24-hour, BCD");
	cr_expect_eq(rd(&r, 0x0D), 0x80, "battery good");
	cr_expect_eq(rd(&r, 0x00), 0x58);
	cr_expect_eq(rd(&r, 0x02), 0x59);
	cr_expect_eq(rd(&r, 0x04), 0x23);
	cr_expect_eq(rd(&r, 0x07), 0x29);
	cr_expect_eq(rd(&r, 0x08), 0x02);
	cr_expect_eq(rd(&r, 0x09), 0x24);
	cr_expect_eq(rd(&r, 0x32), 0x20, "century");
	cr_expect_eq(rd(&r, 0x06), 5, "Thursday (1 = Sunday)");
	r.fc.now = 2 * HZ + 1; /* past midnight into March 1st */
	cr_expect_eq(rtc_time(r.rtc), START + 2);
	cr_expect_eq(rd(&r, 0x00), 0x00);
	cr_expect_eq(rd(&r, 0x04), 0x00);
	cr_expect_eq(rd(&r, 0x07), 0x01);
	cr_expect_eq(rd(&r, 0x08), 0x03);
	cr_expect_eq(rd(&r, 0x06), 6);
	rtc_destroy(r.rtc);
}

Test(rtc, binary_and_12_hour_forms)
{
	struct rig r;

	setup(&r);
	wr(&r, 0x0B, 0x04); /* binary, 12-hour */
	cr_expect_eq(rd(&r, 0x00), 58);
	cr_expect_eq(rd(&r, 0x04), 0x80 | 11, "11 PM");
	cr_expect_eq(rd(&r, 0x09), 24);
	r.fc.now = 3 * HZ;
	cr_expect_eq(rd(&r, 0x04), 12, "12 AM");
	wr(&r, 0x0B, 0x00); /* BCD, 12-hour */
	cr_expect_eq(rd(&r, 0x04), 0x12);
	rtc_destroy(r.rtc);
}

Test(rtc, set_holds_the_clock_and_writes_take_effect)
{
	struct rig r;

	setup(&r);
	r.fc.now = HZ / 2;
	wr(&r, 0x0B, 0x82); /* SET */
	wr(&r, 0x09, 0x30); /* 2030 */
	wr(&r, 0x08, 0x06);
	wr(&r, 0x07, 0x15);
	wr(&r, 0x04, 0x12);
	wr(&r, 0x02, 0x34);
	wr(&r, 0x00, 0x56);
	r.fc.now = 10 * HZ; /* held: no updates */
	cr_expect_eq(rd(&r, 0x00), 0x56);
	cr_expect_eq(rd(&r, 0x0A) & 0x80, 0, "no UIP while SET");
	wr(&r, 0x0B, 0x02);
	/* 2030-06-15T12:34:56Z */
	cr_expect_eq(rtc_time(r.rtc),
		     rtc_days_from_date(2030, 6, 15) * 86400 + 12 * 3600 +
			 34 * 60 + 56);
	r.fc.now += 61 * HZ;
	cr_expect_eq(rd(&r, 0x02), 0x35);
	cr_expect_eq(rd(&r, 0x00), 0x57);
	/* A write while running moves the clock too. */
	wr(&r, 0x09, 0x31);
	cr_expect_eq(rd(&r, 0x09), 0x31);
	rtc_destroy(r.rtc);
}

Test(rtc, uip_in_the_last_244_us_of_a_second)
{
	struct rig r;

	setup(&r);
	r.fc.now = 5 * HZ + HZ - 300; /* 300 us before the update */
	cr_expect_eq(rd(&r, 0x0A) & 0x80, 0);
	r.fc.now = 5 * HZ + HZ - 200;
	cr_expect_eq(rd(&r, 0x0A) & 0x80, 0x80);
	r.fc.now = 6 * HZ;
	cr_expect_eq(rd(&r, 0x0A) & 0x80, 0);
	wr(&r, 0x0A, 0xA6); /* UIP is read-only */
	cr_expect_eq(rd(&r, 0x0A), 0x26);
	rtc_destroy(r.rtc);
}

Test(rtc, update_interrupt_once_a_second_until_c_is_read)
{
	struct rig r;
	uint8_t c;

	setup(&r);
	wr(&r, 0x0B, 0x12); /* UIE */
	fake_clock_advance(&r.fc, HZ + 10);
	cr_expect_eq(r.level, 1);
	cr_expect_eq(r.rises, 1);
	fake_clock_advance(&r.fc, 5 * HZ); /* IRQF held: no new edges */
	cr_expect_eq(r.rises, 1);
	c = rd(&r, 0x0C);
	cr_expect_eq(c & 0x90, 0x90, "IRQF | UF");
	cr_expect_eq(r.level, 0);
	cr_expect_eq(rd(&r, 0x0C), 0, "read clears");
	fake_clock_advance(&r.fc, 6 * HZ + 10);
	cr_expect_eq(r.rises, 2);
	rtc_destroy(r.rtc);
}

Test(rtc, periodic_flag_at_the_programmed_rate)
{
	struct rig r;
	int n = 0;

	setup(&r);
	wr(&r, 0x0A, 0x26); /* 1024 Hz */
	wr(&r, 0x0B, 0x42); /* PIE */
	/* Read C at each interrupt for 100 ms: about 102 interrupts. */
	for (int i = 0; i < 2000; i++) {
		fake_clock_advance(&r.fc, r.fc.now + HZ / 20000);
		if (r.level) {
			cr_expect_eq(rd(&r, 0x0C) & 0xC0, 0xC0);
			n++;
		}
		if (r.fc.now >= HZ / 10)
			break;
	}
	cr_expect(n >= 101 && n <= 103, "%d periodic interrupts", n);
	/* PF is set without PIE too, but raises nothing. */
	wr(&r, 0x0B, 0x02);
	rd(&r, 0x0C);
	r.fc.now += HZ / 100;
	cr_expect_eq(rd(&r, 0x0C), 0x40);
	cr_expect_eq(r.level, 0);
	rtc_destroy(r.rtc);
}

Test(rtc, nmi_bit_and_cmos_memory)
{
	struct rig r;
	uint64_t v;
	cycles_t lat = 0;

	setup(&r);
	rtc_ops.write(r.rtc, 0, 1, 0x80 | 0x20, &lat);
	cr_expect(rtc_nmi_masked(r.rtc));
	rtc_ops.write(r.rtc, 1, 1, 0xAB, &lat);
	cr_expect_eq(rd(&r, 0x20), 0xAB);
	cr_expect(!rtc_nmi_masked(r.rtc));
	wr(&r, 0x7F, 0x55);
	cr_expect_eq(rd(&r, 0x7F), 0x55);
	wr(&r, 0x0C, 0xFF);
	wr(&r, 0x0D, 0x00);
	cr_expect_eq(rd(&r, 0x0D), 0x80, "D is read-only");
	cr_expect_eq(rtc_ops.read(r.rtc, 1, 2, &v, &lat), IO_BAD_SIZE);
	rtc_ops.reset(r.rtc);
	cr_expect_eq(rd(&r, 0x7F), 0);
	rtc_destroy(r.rtc);
}

Test(rtc, calendar_round_trips)
{
	int y, m, d;

	cr_expect_eq(rtc_days_from_date(1970, 1, 1), 0);
	cr_expect_eq(rtc_days_from_date(2000, 3, 1), 11017);
	cr_expect_eq(rtc_days_from_date(1969, 12, 31), -1);
	for (int64_t days = -800; days < 60000; days += 97) {
		rtc_date_from_days(days, &y, &m, &d);
		cr_expect_eq(rtc_days_from_date(y, m, d), days);
	}
	rtc_date_from_days(rtc_days_from_date(2100, 2, 28) + 1, &y, &m, &d);
	cr_expect(y == 2100 && m == 3 && d == 1, "2100 is not a leap year");
}
