/*
 * tests/unit/devices/test_acpi_pm.c — the ACPI PM block (devices/
 * acpi_pm.c): the PM timer's rate against simulated cycles, PM1 status
 * and enable with the SCI, SLP_EN with S5 powering off (and nothing
 * else doing so), holes and read-only registers.
 */
#include <criterion/criterion.h>

#include "devices/acpi.h"
#include "devices/acpi_pm.h"
#include "fake_clock.h"

#define HZ 2500000000ull

struct rig {
	struct fake_clock fc;
	struct acpi_pm *pm;
	int power_offs, sci_level, sci_changes;
};

static void on_power_off(void *o)
{
	((struct rig *)o)->power_offs++;
}

static void on_sci(void *o, int line, int level)
{
	struct rig *r = o;

	cr_expect_eq(line, ACPI_SCI_IRQ);
	r->sci_level = level;
	r->sci_changes++;
}

static void setup(struct rig *r)
{
	struct acpi_pm_config c = {
	    .clock = fake_clock_of(&r->fc, HZ),
	    .sci = {on_sci, r, ACPI_SCI_IRQ},
	    .power_off = on_power_off,
	    .opaque = r,
	};

	*r = (struct rig){0};
	c.clock.opaque = &r->fc;
	c.sci.opaque = r;
	c.opaque = r;
	r->pm = acpi_pm_create(&c);
	cr_assert_not_null(r->pm);
}

static uint64_t in(struct rig *r, uint64_t off, int size)
{
	uint64_t v = 0;
	cycles_t lat = 0;

	cr_assert_eq(acpi_pm_ops.read(r->pm, off, size, &v, &lat), IO_OK);
	return v;
}

static void out(struct rig *r, uint64_t off, int size, uint64_t v)
{
	cycles_t lat = 0;

	cr_assert_eq(acpi_pm_ops.write(r->pm, off, size, v, &lat), IO_OK);
}

Test(acpi_pm, timer_runs_at_3579545_hz)
{
	struct rig r;
	uint32_t t0, t1;

	setup(&r);
	r.fc.now = 1000;
	t0 = (uint32_t)in(&r, 8, 4);
	r.fc.now += HZ; /* one simulated second */
	t1 = (uint32_t)in(&r, 8, 4);
	cr_expect(t1 - t0 >= ACPI_PM_TIMER_HZ - 1 &&
		      t1 - t0 <= ACPI_PM_TIMER_HZ + 1,
		  "%u ticks in a second", t1 - t0);
	/* Same cycle, same value; a byte read gives the matching byte. */
	cr_expect_eq(in(&r, 8, 4), t1);
	cr_expect_eq(in(&r, 9, 1), (t1 >> 8) & 0xFF);
	acpi_pm_destroy(r.pm);
}

Test(acpi_pm, timer_is_read_only_and_holes_are_open_bus)
{
	struct rig r;
	uint64_t v;
	cycles_t lat = 0;

	setup(&r);
	cr_expect_eq(acpi_pm_ops.write(r.pm, 8, 4, 0, &lat), IO_BAD_REG);
	cr_expect_eq(acpi_pm_ops.read(r.pm, 6, 2, &v, &lat), IO_BAD_REG);
	cr_expect_eq(acpi_pm_ops.read(r.pm, 10, 4, &v, &lat), IO_BAD_SIZE);
	acpi_pm_destroy(r.pm);
}

Test(acpi_pm, s5_powers_off_and_only_s5)
{
	struct rig r;

	setup(&r);
	cr_expect_eq(in(&r, 4, 2) & PM1_SCI_EN, PM1_SCI_EN, "ACPI mode");
	/* SLP_TYP 5 without SLP_EN: stored, nothing happens. */
	out(&r, 4, 2, ACPI_SLP_TYP_S5 << PM1_SLP_TYP_SHIFT);
	cr_expect_eq(r.power_offs, 0);
	cr_expect_eq((in(&r, 4, 2) >> PM1_SLP_TYP_SHIFT) & 7, ACPI_SLP_TYP_S5);
	/* SLP_EN with another sleep type: not supported, nothing. */
	out(&r, 4, 2, 1u << PM1_SLP_TYP_SHIFT | PM1_SLP_EN);
	cr_expect_eq(r.power_offs, 0);
	/* SLP_EN reads 0. */
	cr_expect_eq(in(&r, 4, 2) & PM1_SLP_EN, 0);
	/* S5 | SLP_EN as Linux writes it (16 bits). */
	out(&r, 4, 2, ACPI_SLP_TYP_S5 << PM1_SLP_TYP_SHIFT | PM1_SLP_EN |
			  PM1_SCI_EN);
	cr_expect_eq(r.power_offs, 1);
	/* And as one byte to the high half. */
	out(&r, 5, 1, (ACPI_SLP_TYP_S5 << PM1_SLP_TYP_SHIFT | PM1_SLP_EN) >> 8);
	cr_expect_eq(r.power_offs, 2);
	acpi_pm_destroy(r.pm);
}

Test(acpi_pm, timer_carry_sets_tmr_sts_and_the_sci)
{
	struct rig r;
	uint64_t half = (1ull << 31) * HZ / ACPI_PM_TIMER_HZ + HZ / 1000;

	setup(&r);
	cr_expect_eq(in(&r, 0, 2) & PM1_TMR_STS, 0);
	out(&r, 2, 2, 1); /* TMR_EN */
	cr_expect_eq(in(&r, 2, 2), 1);
	cr_expect_eq(r.sci_level, 0);
	r.fc.now += half; /* bit 31 flips */
	cr_expect_eq(in(&r, 0, 2) & PM1_TMR_STS, PM1_TMR_STS);
	cr_expect_eq(r.sci_level, 1, "SCI while status & enable");
	out(&r, 0, 2, PM1_TMR_STS); /* write 1 to clear */
	cr_expect_eq(in(&r, 0, 2) & PM1_TMR_STS, 0);
	cr_expect_eq(r.sci_level, 0);
	/* Enable bits that do not exist are not stored. */
	out(&r, 2, 2, 0xFFFF);
	cr_expect_eq(in(&r, 2, 2), 0x0521);
	acpi_pm_destroy(r.pm);
}

Test(acpi_pm, reset_clears_enables_and_lowers_the_sci)
{
	struct rig r;

	setup(&r);
	out(&r, 2, 2, 1);
	r.fc.now += (1ull << 31) * HZ / ACPI_PM_TIMER_HZ + HZ;
	in(&r, 0, 2);
	cr_assert_eq(r.sci_level, 1);
	acpi_pm_ops.reset(r.pm);
	cr_expect_eq(r.sci_level, 0);
	cr_expect_eq(in(&r, 2, 2), 0);
	cr_expect_eq(in(&r, 0, 2) & PM1_TMR_STS, 0);
	acpi_pm_destroy(r.pm);
}
