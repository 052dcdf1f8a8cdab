/*
 * devices/acpi_pm.c — the ACPI PM1a event/control block and PM timer
 * (acpi_pm.h). The timer is a pure function of the cycle count: ticks =
 * cycles * 3579545 / hz, so every read is exact and deterministic.
 * TMR_STS is kept as "the timer's bit 31 when status was last cleared":
 * the status is set whenever bit 31 now differs from it.
 */
#include "devices/acpi_pm.h"

#include <stdlib.h>

#include "devices/acpi.h"

#define PM1_EN_MASK  0x0521u /* TMR_EN, GBL_EN, PWRBTN_EN, RTC_EN */
#define PM1_CNT_KEEP 0x1C06u /* BM_RLD, GBL_RLS, SLP_TYP: stored */

struct acpi_pm {
	struct acpi_pm_config cfg;
	uint16_t sts; /* status bits other than TMR_STS */
	uint16_t en;
	uint16_t cnt;
	uint32_t tmr_msb_ref; /* bit 31 of the timer at the last clear */
	bool tmr_sts;	      /* latched once bit 31 moved */
	bool sci;	      /* the SCI line's level */
};

uint32_t acpi_pm_timer(const struct acpi_pm *pm)
{
	const struct dev_clock *c = &pm->cfg.clock;

	return (uint32_t)dev_cycles_to_ticks(c, dev_now(c), ACPI_PM_TIMER_HZ);
}

static uint16_t status(struct acpi_pm *pm)
{
	if ((acpi_pm_timer(pm) & 0x80000000u) != pm->tmr_msb_ref)
		pm->tmr_sts = true;
	return (uint16_t)(pm->sts | (pm->tmr_sts ? PM1_TMR_STS : 0));
}

static void update_sci(struct acpi_pm *pm)
{
	bool level = (status(pm) & pm->en) != 0;

	if (level != pm->sci) {
		pm->sci = level;
		irq_set(&pm->cfg.sci, level);
	}
}

static void clear_status(struct acpi_pm *pm, uint16_t bits)
{
	if (bits & PM1_TMR_STS) {
		pm->tmr_sts = false;
		pm->tmr_msb_ref = acpi_pm_timer(pm) & 0x80000000u;
	}
	pm->sts &= (uint16_t)~bits;
}

static void write_cnt(struct acpi_pm *pm, uint16_t v)
{
	unsigned typ = (v >> PM1_SLP_TYP_SHIFT) & 7;

	pm->cnt = (uint16_t)((v & PM1_CNT_KEEP) | PM1_SCI_EN);
	if ((v & PM1_SLP_EN) && typ == ACPI_SLP_TYP_S5 && pm->cfg.power_off)
		pm->cfg.power_off(pm->cfg.opaque);
}

/* Registers by offset, read as one value of `size` bytes at `off`. */
static uint64_t reg_bytes(struct acpi_pm *pm, uint64_t off)
{
	uint64_t regs = status(pm) | (uint64_t)pm->en << 16 |
			(uint64_t)pm->cnt << 32;

	return off < 8 ? regs >> (8 * off) : 0;
}

static enum io_status pm_read(void *opaque, uint64_t off, int size,
			      uint64_t *val, cycles_t *lat)
{
	struct acpi_pm *pm = opaque;

	(void)lat;
	if (off >= 8 && off < 12) {
		uint32_t t = acpi_pm_timer(pm);

		if (off + (uint64_t)size > 12)
			return IO_BAD_SIZE;
		*val = (t >> (8 * (off - 8))) & (~0ull >> (64 - 8 * size));
		return IO_OK;
	}
	if (off >= 6 || off + (uint64_t)size > 6)
		return IO_BAD_REG;
	*val = reg_bytes(pm, off) & (~0ull >> (64 - 8 * size));
	update_sci(pm);
	return IO_OK;
}

static enum io_status pm_write(void *opaque, uint64_t off, int size,
			       uint64_t val, cycles_t *lat)
{
	struct acpi_pm *pm = opaque;

	(void)lat;
	if (off >= 6 || off + (uint64_t)size > 6)
		return IO_BAD_REG; /* the timer is read-only; holes */
	/* Byte by byte, so any access width lands in the right register. */
	for (int i = 0; i < size; i++) {
		unsigned at = (unsigned)off + (unsigned)i;
		uint16_t b = (uint16_t)((val >> (8 * i)) & 0xFF);
		uint16_t shift = (uint16_t)(8 * (at & 1));

		switch (at / 2) {
		case 0:
			clear_status(pm, (uint16_t)(b << shift));
			break;
		case 1:
			pm->en = (uint16_t)((pm->en & ~(0xFF << shift)) |
					    (b << shift)) &
				 PM1_EN_MASK;
			break;
		default:
			/* SLP_EN lives in the high byte: a 16-bit write
			 * or the high byte alone triggers the transition. */
			write_cnt(pm, (uint16_t)((pm->cnt & ~(0xFF << shift)) |
						 (b << shift)));
			break;
		}
	}
	update_sci(pm);
	return IO_OK;
}

static void pm_reset(void *opaque)
{
	struct acpi_pm *pm = opaque;

	pm->sts = 0;
	pm->en = 0;
	pm->cnt = PM1_SCI_EN;
	pm->tmr_sts = false;
	pm->tmr_msb_ref = acpi_pm_timer(pm) & 0x80000000u;
	if (pm->sci) {
		pm->sci = false;
		irq_set(&pm->cfg.sci, 0);
	}
}

const struct dev_ops acpi_pm_ops = {
    .name = "acpi-pm",
    .read = pm_read,
    .write = pm_write,
    .reset = pm_reset,
};

struct acpi_pm *acpi_pm_create(const struct acpi_pm_config *cfg)
{
	struct acpi_pm *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return NULL;
	pm->cfg = *cfg;
	pm_reset(pm);
	return pm;
}

void acpi_pm_destroy(struct acpi_pm *pm)
{
	free(pm);
}
