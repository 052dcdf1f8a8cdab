/*
 * devices/acpi_pm.h — the ACPI PM register block of a child (ACPI 6.4
 * §4.8.3): PM1a event (status + enable), PM1a control and the PM timer,
 * at the ports the FADT names (devices/acpi.h, ACPI_PM_BASE, 12 ports):
 *
 *   +0 PM1_STS (16 bits, write 1 to clear): TMR_STS (bit 0), set when bit
 *      31 of the timer changes; WAK_STS (15). +2 PM1_EN: TMR_EN (0),
 *      GBL_EN (5), PWRBTN_EN (8), RTC_EN (10) stored.
 *   +4 PM1_CNT (16 bits): SCI_EN (0) reads 1 (the FADT has no SMI_CMD:
 *      always in ACPI mode); SLP_TYP (12:10); SLP_EN (13, write-only).
 *      SLP_EN with SLP_TYP = ACPI_SLP_TYP_S5 calls power_off: the VM
 *      Worker ends the partition with status 0 ("clean power-off").
 *      Other sleep types are not supported (the DSDT offers only \_S5),
 *      so such a write does nothing.
 *   +8 PM_TMR (32 bits, read-only): 3.579545 MHz, from the cycle count.
 *
 * The SCI (ISA IRQ 9, level, active high) is (PM1_STS & PM1_EN) != 0,
 * re-evaluated at every access; a timer carry that happens between
 * accesses is seen at the next one (no event is scheduled for it).
 * Offsets 6-7 and 10-11 are holes (IO_BAD_REG).
 */
#ifndef HVSIM_DEVICES_ACPI_PM_H_
#define HVSIM_DEVICES_ACPI_PM_H_

#include <stdbool.h>
#include <stdint.h>

#include "devices/dev.h"
#include "devices/dev_clock.h"

#define ACPI_PM_TIMER_HZ 3579545u

#define PM1_TMR_STS   (1u << 0)
#define PM1_WAK_STS   (1u << 15)
#define PM1_SCI_EN    (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_EN    (1u << 13)

struct acpi_pm_config {
	struct dev_clock clock;
	struct irq_line sci;
	void (*power_off)(void *opaque); /* SLP_EN with S5 */
	void *opaque;
};

struct acpi_pm;

extern const struct dev_ops acpi_pm_ops;

struct acpi_pm *acpi_pm_create(const struct acpi_pm_config *cfg);
void acpi_pm_destroy(struct acpi_pm *pm);
/* The PM timer's value now (24.. 32 bits wrap at 2^32). */
uint32_t acpi_pm_timer(const struct acpi_pm *pm);

#endif
