/*
 * devices/rtc.c — the CMOS RTC (rtc.h); the calendar is rtc_calendar.c.
 *
 * The clock is (epoch_secs, epoch_cycle): at cycle epoch_cycle it was
 * epoch_secs, and it advances one second every hz cycles after that.
 * Register writes change the clock by moving epoch_secs, keeping the
 * phase of the second. While SET is 1 the time registers are a held
 * copy (`held`), which becomes the clock when SET is cleared.
 */
#include "devices/rtc.h"
#include "devices/rtc_int.h"

#include <stdlib.h>
#include <string.h>

#define REG_SEC	    0x00
#define REG_SEC_AL  0x01
#define REG_MIN	    0x02
#define REG_MIN_AL  0x03
#define REG_HOUR    0x04
#define REG_HOUR_AL 0x05
#define REG_WDAY    0x06
#define REG_MDAY    0x07
#define REG_MONTH   0x08
#define REG_YEAR    0x09
#define REG_A	    0x0A
#define REG_B	    0x0B
#define REG_C	    0x0C
#define REG_D	    0x0D
#define REG_CENTURY 0x32

#define A_UIP	0x80u
#define A_DV	0x70u
#define A_DV_ON 0x20u /* 32.768 kHz time base, running */
#define A_RS	0x0Fu
#define B_SET	0x80u
#define B_PIE	0x40u
#define B_AIE	0x20u
#define B_UIE	0x10u
#define B_DM	0x04u /* binary */
#define B_24H	0x02u
#define C_IRQF	0x80u
#define C_PF	0x40u
#define C_AF	0x20u
#define C_UF	0x10u
#define D_VRT	0x80u

#define UIP_US 244u /* the update cycle's warning window */

struct rtc {
	struct rtc_config cfg;
	uint8_t index;
	bool nmi_masked;
	uint8_t ram[128]; /* A, B, alarms and the plain CMOS bytes */
	int64_t epoch_secs;
	cycles_t epoch_cycle;
	struct tm_rtc held; /* the time registers while SET is 1 */
	uint8_t flags;	    /* C's PF, AF, UF */
	cycles_t flags_at;  /* flags are up to date as of this cycle */
	bool irq;
	struct dev_timer timer;
};

/* ---- the clock --------------------------------------------------------------- */

static cycles_t now(const struct rtc *r)
{
	return dev_now(&r->cfg.clock);
}

static uint64_t hz(const struct rtc *r)
{
	return r->cfg.clock.hz;
}

int64_t rtc_time(struct rtc *r)
{
	cycles_t t = now(r);

	if (t < r->epoch_cycle)
		return r->epoch_secs;
	return r->epoch_secs + (int64_t)((t - r->epoch_cycle) / hz(r));
}

/* Move the clock to `secs`, keeping the phase of the current second. */
static void set_time(struct rtc *r, int64_t secs)
{
	r->epoch_secs = secs - (rtc_time(r) - r->epoch_secs);
}

bool rtc_nmi_masked(const struct rtc *r)
{
	return r->nmi_masked;
}

/* ---- register encoding --------------------------------------------------------- */

static uint8_t enc(const struct rtc *r, int v)
{
	if (r->ram[REG_B] & B_DM)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static int dec(const struct rtc *r, uint8_t v)
{
	if (r->ram[REG_B] & B_DM)
		return v;
	return (v >> 4) * 10 + (v & 0x0F);
}

static uint8_t enc_hour(const struct rtc *r, int h)
{
	int h12;

	if (r->ram[REG_B] & B_24H)
		return enc(r, h);
	h12 = h % 12 ? h % 12 : 12;
	return (uint8_t)(enc(r, h12) | (h >= 12 ? 0x80 : 0));
}

static int dec_hour(const struct rtc *r, uint8_t v)
{
	int h;

	if (r->ram[REG_B] & B_24H)
		return dec(r, v);
	h = dec(r, v & 0x7F) % 12;
	return v & 0x80 ? h + 12 : h;
}

static struct tm_rtc current_tm(struct rtc *r)
{
	return r->ram[REG_B] & B_SET ? r->held : rtc_tm_from_secs(rtc_time(r));
}

static uint8_t read_clock_reg(struct rtc *r, uint8_t idx)
{
	struct tm_rtc tm = current_tm(r);

	switch (idx) {
	case REG_SEC:
		return enc(r, tm.sec);
	case REG_MIN:
		return enc(r, tm.min);
	case REG_HOUR:
		return enc_hour(r, tm.hour);
	case REG_WDAY:
		return enc(r, tm.wday);
	case REG_MDAY:
		return enc(r, tm.mday);
	case REG_MONTH:
		return enc(r, tm.month);
	case REG_YEAR:
		return enc(r, tm.year % 100);
	default: /* REG_CENTURY */
		return enc(r, tm.year / 100);
	}
}

/* A write to a time register; out-of-range values are clamped so the
 * clock stays a valid date (a real part would count garbage). */
static void write_clock_reg(struct rtc *r, uint8_t idx, uint8_t v)
{
	struct tm_rtc tm = current_tm(r);
	int x = idx == REG_HOUR ? dec_hour(r, v) : dec(r, v);

	switch (idx) {
	case REG_SEC:
		tm.sec = x % 60;
		break;
	case REG_MIN:
		tm.min = x % 60;
		break;
	case REG_HOUR:
		tm.hour = x % 24;
		break;
	case REG_WDAY:
		tm.wday = x; /* recomputed from the date when SET clears */
		break;
	case REG_MDAY:
		tm.mday = x < 1 ? 1 : x > 31 ? 31 : x;
		break;
	case REG_MONTH:
		tm.month = x < 1 ? 1 : x > 12 ? 12 : x;
		break;
	case REG_YEAR:
		tm.year = tm.year / 100 * 100 + x % 100;
		break;
	default: /* REG_CENTURY */
		tm.year = (x % 100) * 100 + tm.year % 100;
		break;
	}
	if (tm.mday > rtc_month_days(tm.year, tm.month))
		tm.mday = rtc_month_days(tm.year, tm.month);
	if (r->ram[REG_B] & B_SET)
		r->held = tm;
	else
		set_time(r, rtc_secs_from_tm(&tm));
}

/* ---- flags and the interrupt ------------------------------------------------------ */

/* Periodic interrupt rate in Hz from A.RS (0: none). */
static unsigned periodic_hz(const struct rtc *r)
{
	unsigned rs = r->ram[REG_A] & A_RS;

	if (rs == 0)
		return 0;
	return rs <= 2 ? 512u >> rs : 65536u >> rs;
}

static bool running(const struct rtc *r)
{
	return (r->ram[REG_A] & A_DV) == A_DV_ON && !(r->ram[REG_B] & B_SET);
}

static bool alarm_matches(const struct rtc *r, int64_t secs)
{
	struct tm_rtc tm = rtc_tm_from_secs(secs);
	uint8_t s = r->ram[REG_SEC_AL], m = r->ram[REG_MIN_AL],
		h = r->ram[REG_HOUR_AL];

	/* 0xC0-0xFF in an alarm byte: "don't care". */
	return (s >= 0xC0 || dec(r, s) == tm.sec) &&
	       (m >= 0xC0 || dec(r, m) == tm.min) &&
	       (h >= 0xC0 || dec_hour(r, h) == tm.hour);
}

/* Set the flags for everything that happened in (flags_at, now]. */
static void update_flags(struct rtc *r)
{
	cycles_t t = now(r), from = r->flags_at;
	unsigned phz = periodic_hz(r);

	if (t <= from)
		return;
	r->flags_at = t;
	if (phz && (t - r->epoch_cycle) * (unsigned __int128)phz / hz(r) !=
		       (from > r->epoch_cycle ? from - r->epoch_cycle : 0) *
			   (unsigned __int128)phz / hz(r))
		r->flags |= C_PF;
	if (!running(r) || from < r->epoch_cycle)
		return;
	{
		int64_t s0 = r->epoch_secs +
			     (int64_t)((from - r->epoch_cycle) / hz(r));
		int64_t s1 = rtc_time(r);

		if (s1 > s0)
			r->flags |= C_UF;
		/* Seconds that began in the window, a day at most. */
		for (int64_t s = s1; s > s0 && s > s1 - 86400; s--)
			if (alarm_matches(r, s)) {
				r->flags |= C_AF;
				break;
			}
	}
}

static uint8_t enabled_flags(const struct rtc *r)
{
	uint8_t b = r->ram[REG_B];

	return (uint8_t)(((b & B_PIE) ? C_PF : 0) | ((b & B_AIE) ? C_AF : 0) |
			 ((b & B_UIE) ? C_UF : 0));
}

static void arm(struct rtc *r);

static void update_irq(struct rtc *r)
{
	bool level = (r->flags & enabled_flags(r)) != 0;

	if (level != r->irq) {
		r->irq = level;
		irq_set(&r->cfg.irq, level);
	}
	arm(r);
}

/* One timer for the next enabled event; none while IRQF is up. */
static void arm(struct rtc *r)
{
	const struct dev_clock *c = &r->cfg.clock;
	uint8_t en = enabled_flags(r);
	unsigned phz = periodic_hz(r);
	cycles_t t = now(r), next = 0, since = t - r->epoch_cycle;

	dev_timer_cancel(c, &r->timer);
	if (r->irq || !en || t < r->epoch_cycle)
		return;
	if ((en & C_PF) && phz) {
		uint64_t k = since * (unsigned __int128)phz / hz(r) + 1;

		next = r->epoch_cycle + dev_ticks_to_cycles(c, k, phz);
	}
	if ((en & (C_UF | C_AF)) && running(r)) {
		cycles_t sec = r->epoch_cycle + (since / hz(r) + 1) * hz(r);

		if (!next || sec < next)
			next = sec;
	}
	if (next)
		dev_timer_arm(c, &r->timer, next);
}

static void fire(void *dev, cycles_t when)
{
	struct rtc *r = dev;

	(void)when;
	r->timer.id = 0;
	update_flags(r);
	update_irq(r);
}

/* ---- the ports ---------------------------------------------------------------- */

static bool is_clock_reg(uint8_t idx)
{
	return idx <= REG_YEAR ? idx != REG_SEC_AL && idx != REG_MIN_AL &&
				     idx != REG_HOUR_AL
			       : idx == REG_CENTURY;
}

static uint8_t read_reg(struct rtc *r, uint8_t idx)
{
	uint8_t v;

	if (is_clock_reg(idx))
		return read_clock_reg(r, idx);
	switch (idx) {
	case REG_A: {
		cycles_t t = now(r);
		cycles_t phase = t >= r->epoch_cycle
				     ? (t - r->epoch_cycle) % hz(r)
				     : 0;
		bool uip = running(r) &&
			   phase >= hz(r) - hz(r) * UIP_US / 1000000;

		return (uint8_t)((r->ram[REG_A] & ~A_UIP) | (uip ? A_UIP : 0));
	}
	case REG_C:
		update_flags(r);
		v = r->flags;
		if (v & enabled_flags(r))
			v |= C_IRQF;
		r->flags = 0;
		update_irq(r);
		return v;
	case REG_D:
		return D_VRT;
	default:
		return r->ram[idx];
	}
}

static void write_b(struct rtc *r, uint8_t v)
{
	uint8_t old = r->ram[REG_B];

	update_flags(r);
	if ((v & B_SET) && !(old & B_SET)) {
		r->held = rtc_tm_from_secs(rtc_time(r));
	} else if (!(v & B_SET) && (old & B_SET)) {
		r->ram[REG_B] = v; /* encodings below use the new B */
		r->epoch_secs = rtc_secs_from_tm(&r->held);
		r->epoch_cycle = now(r);
		r->flags_at = r->epoch_cycle;
	}
	if (v & B_SET)
		v &= (uint8_t)~B_UIE; /* SET clears UIE */
	r->ram[REG_B] = v;
	update_irq(r);
}

static void write_reg(struct rtc *r, uint8_t idx, uint8_t v)
{
	if (is_clock_reg(idx)) {
		write_clock_reg(r, idx, v);
		return;
	}
	switch (idx) {
	case REG_A:
		update_flags(r);
		r->ram[REG_A] = v & (uint8_t)~A_UIP;
		update_irq(r);
		break;
	case REG_B:
		write_b(r, v);
		break;
	case REG_C:
	case REG_D:
		break; /* read-only */
	default:
		r->ram[idx] = v;
		break;
	}
}

static enum io_status rtc_read(void *o, uint64_t off, int size, uint64_t *val,
			       cycles_t *lat)
{
	struct rtc *r = o;

	(void)lat;
	if (size != 1)
		return IO_BAD_SIZE;
	/* Port 0x70 is write-only on PCs; reading gives the index back. */
	*val = off == 0 ? (uint64_t)(r->index | (r->nmi_masked ? 0x80 : 0))
			: read_reg(r, r->index);
	return IO_OK;
}

static enum io_status rtc_write(void *o, uint64_t off, int size, uint64_t val,
				cycles_t *lat)
{
	struct rtc *r = o;

	(void)lat;
	if (size != 1)
		return IO_BAD_SIZE;
	if (off == 0) {
		r->index = (uint8_t)val & 0x7F;
		r->nmi_masked = val & 0x80;
	} else {
		write_reg(r, r->index, (uint8_t)val);
	}
	return IO_OK;
}

static void reset_op(void *o)
{
	rtc_reset(o);
}

const struct dev_ops rtc_ops = {"rtc", rtc_read, rtc_write, reset_op};

void rtc_reset(struct rtc *r)
{
	dev_timer_cancel(&r->cfg.clock, &r->timer);
	r->timer.id = 0;
	memset(r->ram, 0, sizeof(r->ram));
	r->ram[REG_A] = A_DV_ON | 0x06;
	r->ram[REG_B] = B_24H;
	r->index = 0;
	r->nmi_masked = false;
	/* The clock as if it had run from cycle 0 at the start time. */
	r->epoch_secs = r->cfg.start_time;
	r->epoch_cycle = 0;
	r->flags = 0;
	r->flags_at = now(r);
	if (r->irq) {
		r->irq = false;
		irq_set(&r->cfg.irq, 0);
	}
}

struct rtc *rtc_create(const struct rtc_config *cfg)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->cfg = *cfg;
	r->timer.fire = fire;
	r->timer.dev = r;
	rtc_reset(r);
	return r;
}

void rtc_destroy(struct rtc *r)
{
	if (!r)
		return;
	dev_timer_cancel(&r->cfg.clock, &r->timer);
	free(r);
}
