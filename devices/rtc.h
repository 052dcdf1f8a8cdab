/*
 * devices/rtc.h — the CMOS real-time clock and its RAM (Motorola MC146818
 * data sheet, as PCs have it) at ports 0x70 (index; bit 7 masks NMI)
 * and 0x71 (data).
 *
 * The time is deterministic: it starts at cfg.start_time (Unix seconds,
 * UTC; the scenario's `start_time`) when the cycle count is 0, and runs
 * with the simulated clock: seconds = start + cycles / hz. The guest may
 * set it (register B's SET bit holds the update cycle; the registers it
 * writes then take effect when SET is cleared).
 *
 * Registers 0x00-0x09: seconds, alarm seconds, minutes, alarm minutes,
 * hours, alarm hours, day of week (1 = Sunday), day of month, month,
 * year; in BCD or binary (B.DM) and 24 or 12-hour form (B.24/12; PM is
 * bit 7 of the hour). 0x32 is the century (the FADT's CENTURY), part of
 * the clock. A: UIP (bit 7, set during the last 244 us of each second),
 * the divider and the periodic rate; B: SET, PIE, AIE, UIE, SQWE, DM,
 * 24/12, DSE (stored, daylight saving not applied); C (read-only, read
 * clears): IRQF, PF, AF, UF; D: VRT (the battery is good). The other
 * bytes of the 128 are plain CMOS memory.
 *
 * The interrupt (ISA IRQ 8, cfg.irq) is IRQF: raised when an enabled
 * flag sets, lowered when C is read. Flags are computed from the clock
 * when C is read or a timer fires; one timer is armed for the next
 * enabled event, and none while IRQF waits to be read.
 */
#ifndef HVSIM_DEVICES_RTC_H_
#define HVSIM_DEVICES_RTC_H_

#include <stdbool.h>
#include <stdint.h>

#include "devices/dev.h"
#include "devices/dev_clock.h"

#define RTC_PORT  0x70
#define RTC_PORTS 2

/* 2026-01-01T00:00:00Z, the scenario's default start_time (sim/scenario.h). */
#define RTC_DEFAULT_START 1767225600ll

struct rtc_config {
	struct dev_clock clock;
	int64_t start_time; /* Unix seconds at cycle 0 */
	struct irq_line irq;
};

struct rtc;

extern const struct dev_ops rtc_ops; /* opaque = struct rtc * */

struct rtc *rtc_create(const struct rtc_config *cfg);
void rtc_destroy(struct rtc *r);
/* Power-on: the clock back to the configured start, A = 0x26 (32.768 kHz
 * divider, 1,024 Hz rate), B = 0x02 (24-hour, BCD), RAM cleared. */
void rtc_reset(struct rtc *r);

/* The clock now, in Unix seconds (tests). */
int64_t rtc_time(struct rtc *r);
/* Is NMI masked (port 0x70 bit 7)? The core has no NMI input: stored. */
bool rtc_nmi_masked(const struct rtc *r);

/* Calendar helpers (proleptic Gregorian, UTC), exposed for the scenario
 * parser and tests: days since 1970-01-01 and back. */
int64_t rtc_days_from_date(int year, int month, int day);
void rtc_date_from_days(int64_t days, int *year, int *month, int *day);

#endif
