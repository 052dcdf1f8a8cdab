/*
 * devices/pit.c — the 8254 PIT and port 0x61 (pit.h).
 *
 * A counting channel keeps the input-clock tick its count started at
 * (start); its elapsed ticks are e = tick(now) - start, and its count and
 * output follow from e, the mode and the reload value N (0 means 65536).
 * A stopped channel (no count yet, gate low, not triggered) keeps a
 * frozen e. Channel 0 arms one timer for its next rising output edge.
 */
#include "devices/pit.h"

#include <stdlib.h>

/* Port 0x61 bits. */
#define NMI_GATE2    0x01u
#define NMI_SPEAKER  0x02u
#define NMI_RW_MASK  0x0Fu
#define NMI_REFRESH  0x10u
#define NMI_OUT2     0x20u
/* The refresh request toggles every 15.085 us: 66,291 times a second. */
#define REFRESH_HZ   66291u

struct channel {
	uint8_t mode, rw, bcd;
	uint32_t n;	     /* reload value, 1..65536 */
	bool loaded;	     /* a count was written since the control word */
	bool running;	     /* counting (loaded, gate and trigger allow) */
	bool triggered;	     /* modes 1 and 5: a gate edge started it */
	bool gate;
	uint64_t start;	     /* tick the count started at (running) */
	uint64_t frozen;     /* elapsed ticks while stopped */
	bool write_msb;	     /* RW mode 3: the next write is the MSB */
	uint8_t write_lsb;
	bool read_msb;	     /* RW mode 3: the next read is the MSB */
	bool count_latched, status_latched;
	uint16_t latch;
	uint8_t status;
};

struct pit {
	struct pit_config cfg;
	struct channel ch[3];
	uint8_t nmi_ctl; /* port 0x61 bits 3:0 */
	struct dev_timer timer;
	uint64_t irq0_pulses;
};

static uint64_t tick_now(const struct pit *p)
{
	const struct dev_clock *c = &p->cfg.clock;

	return dev_cycles_to_ticks(c, dev_now(c), PIT_HZ);
}

static uint64_t elapsed(const struct pit *p, const struct channel *c)
{
	uint64_t t;

	if (!c->running)
		return c->frozen;
	t = tick_now(p);
	return t > c->start ? t - c->start : 0;
}

static uint16_t count_at(const struct channel *c, uint64_t e)
{
	uint32_t n = c->n, hi = (n + 1) / 2, ph;

	if (!c->loaded)
		return 0;
	switch (c->mode) {
	case 2:
		return (uint16_t)(n - e % n);
	case 3:
		ph = (uint32_t)(e % n);
		return (uint16_t)(ph < hi ? n - 2 * ph : n - 2 * (ph - hi));
	default: /* 0, 1, 4, 5: count down and wrap */
		return (uint16_t)((n - e) & 0xFFFF);
	}
}

static bool output_at(const struct channel *c, uint64_t e)
{
	uint32_t n = c->n;

	switch (c->mode) {
	case 0:
		return c->loaded && e >= n;
	case 1:
		return !c->triggered || e >= n;
	case 2:
		return !c->running || e % n != n - 1;
	case 3:
		return !c->running || e % n < (n + 1) / 2;
	default: /* 4, 5: low for the one tick at terminal count */
		return !c->running || e != n;
	}
}

uint16_t pit_count(struct pit *p, int ch)
{
	return count_at(&p->ch[ch], elapsed(p, &p->ch[ch]));
}

bool pit_output(struct pit *p, int ch)
{
	return output_at(&p->ch[ch], elapsed(p, &p->ch[ch]));
}

uint64_t pit_irq0_count(const struct pit *p)
{
	return p->irq0_pulses;
}

/* ---- channel 0's interrupt --------------------------------------------------- */

/* The elapsed tick count of the next rising edge after e, or 0 if none. */
static uint64_t next_rise(const struct channel *c, uint64_t e)
{
	uint32_t n = c->n;

	if (!c->running)
		return 0;
	switch (c->mode) {
	case 0:
	case 1:
		return e < n ? n : 0;
	case 2:
	case 3:
		return (e / n + 1) * n;
	default:
		return e <= n ? n + 1 : 0;
	}
}

static void arm_irq0(struct pit *p)
{
	const struct dev_clock *clk = &p->cfg.clock;
	struct channel *c = &p->ch[0];
	uint64_t rise = next_rise(c, elapsed(p, c));

	dev_timer_cancel(clk, &p->timer);
	if (rise)
		dev_timer_arm(clk, &p->timer,
			      dev_ticks_to_cycles(clk, c->start + rise, PIT_HZ));
}

static void fire_irq0(void *dev, cycles_t when)
{
	struct pit *p = dev;

	(void)when;
	p->timer.id = 0;
	p->irq0_pulses++;
	irq_set(&p->cfg.irq0, 1);
	irq_set(&p->cfg.irq0, 0);
	arm_irq0(p);
}

/* ---- programming --------------------------------------------------------- */

static void start(struct pit *p, struct channel *c)
{
	c->start = tick_now(p) + 1; /* loaded at the next clock edge */
	c->running = true;
}

static void stop(struct pit *p, struct channel *c)
{
	c->frozen = elapsed(p, c);
	c->running = false;
}

static void control_word(struct pit *p, struct channel *c, uint8_t v)
{
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4; /* 6 and 7 are 2 and 3 */
	c->rw = (v >> 4) & 3;
	c->bcd = v & 1;
	c->loaded = false;
	c->running = false;
	c->triggered = false;
	c->frozen = 0;
	c->write_msb = false;
	c->read_msb = false;
	c->count_latched = false;
	(void)p;
}

static void latch_count(struct pit *p, struct channel *c)
{
	if (c->count_latched)
		return; /* the first latch holds until read */
	c->latch = count_at(c, elapsed(p, c));
	c->count_latched = true;
	c->read_msb = false;
}

static void latch_status(struct pit *p, struct channel *c)
{
	if (c->status_latched)
		return;
	c->status = (uint8_t)((output_at(c, elapsed(p, c)) ? 0x80 : 0) |
			      (c->loaded ? 0 : 0x40) | c->rw << 4 |
			      c->mode << 1 | c->bcd);
	c->status_latched = true;
}

static void write_mode_port(struct pit *p, uint8_t v)
{
	unsigned sel = v >> 6;

	if (sel == 3) { /* read-back: bit 5 = !count, bit 4 = !status */
		for (int i = 0; i < 3; i++) {
			if (!(v & (2u << i)))
				continue;
			if (!(v & 0x20))
				latch_count(p, &p->ch[i]);
			if (!(v & 0x10))
				latch_status(p, &p->ch[i]);
		}
		return;
	}
	if (((v >> 4) & 3) == 0)
		latch_count(p, &p->ch[sel]);
	else
		control_word(p, &p->ch[sel], v);
	if (sel == 0)
		arm_irq0(p);
}

static void load_count(struct pit *p, struct channel *c, uint32_t v)
{
	c->n = v ? v : 65536;
	c->loaded = true;
	c->triggered = false;
	if (c->mode == 1 || c->mode == 5 || !c->gate) {
		c->running = false;
		c->frozen = 0;
	} else {
		start(p, c);
	}
}

static void write_counter(struct pit *p, int i, uint8_t v)
{
	struct channel *c = &p->ch[i];

	switch (c->rw) {
	case 1:
		load_count(p, c, v);
		break;
	case 2:
		load_count(p, c, (uint32_t)v << 8);
		break;
	case 3:
		if (!c->write_msb) {
			c->write_lsb = v;
			c->write_msb = true;
			if (c->mode == 0) /* the LSB stops a mode 0 count */
				stop(p, c);
			return;
		}
		c->write_msb = false;
		load_count(p, c, c->write_lsb | (uint32_t)v << 8);
		break;
	default:
		return; /* no RW mode yet */
	}
	if (i == 0)
		arm_irq0(p);
}

static uint8_t read_counter(struct pit *p, struct channel *c)
{
	uint16_t v;
	uint8_t b;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	v = c->count_latched ? c->latch : count_at(c, elapsed(p, c));
	switch (c->rw) {
	case 1:
		c->count_latched = false;
		return (uint8_t)v;
	case 2:
		c->count_latched = false;
		return (uint8_t)(v >> 8);
	default:
		b = c->read_msb ? (uint8_t)(v >> 8) : (uint8_t)v;
		if (c->read_msb)
			c->count_latched = false;
		c->read_msb = !c->read_msb;
		return b;
	}
}

/* ---- channel 2's gate (port 0x61) ------------------------------------------ */

static void set_gate2(struct pit *p, bool gate)
{
	struct channel *c = &p->ch[2];
	bool rising = gate && !c->gate;

	c->gate = gate;
	if (!c->loaded)
		return;
	if (!gate) {
		if (c->running)
			stop(p, c);
		return;
	}
	if (!rising)
		return;
	if (c->mode == 0 || c->mode == 4) { /* resume where it stopped */
		c->start = tick_now(p) - c->frozen;
		c->running = true;
	} else { /* 1, 5: trigger; 2, 3: reload */
		c->triggered = true;
		start(p, c);
	}
}

/* ---- the ports ------------------------------------------------------------ */

static enum io_status pit_read(void *o, uint64_t off, int size, uint64_t *val,
			       cycles_t *lat)
{
	struct pit *p = o;

	(void)lat;
	if (size != 1)
		return IO_BAD_SIZE;
	if (off == 3)
		return IO_BAD_REG; /* the mode port is write-only */
	*val = read_counter(p, &p->ch[off]);
	return IO_OK;
}

static enum io_status pit_write(void *o, uint64_t off, int size, uint64_t val,
				cycles_t *lat)
{
	struct pit *p = o;

	(void)lat;
	if (size != 1)
		return IO_BAD_SIZE;
	if (off == 3)
		write_mode_port(p, (uint8_t)val);
	else
		write_counter(p, (int)off, (uint8_t)val);
	return IO_OK;
}

static enum io_status nmi_read(void *o, uint64_t off, int size, uint64_t *val,
			       cycles_t *lat)
{
	struct pit *p = o;
	const struct dev_clock *c = &p->cfg.clock;
	uint64_t refresh = dev_cycles_to_ticks(c, dev_now(c), REFRESH_HZ);

	(void)lat;
	(void)off;
	if (size != 1)
		return IO_BAD_SIZE;
	*val = (p->nmi_ctl & NMI_RW_MASK) | (refresh & 1 ? NMI_REFRESH : 0) |
	       (pit_output(p, 2) ? NMI_OUT2 : 0);
	return IO_OK;
}

static enum io_status nmi_write(void *o, uint64_t off, int size, uint64_t val,
				cycles_t *lat)
{
	struct pit *p = o;

	(void)lat;
	(void)off;
	if (size != 1)
		return IO_BAD_SIZE;
	p->nmi_ctl = (uint8_t)val & NMI_RW_MASK;
	set_gate2(p, val & NMI_GATE2);
	return IO_OK;
}

static void reset_op(void *o)
{
	pit_reset(o);
}

const struct dev_ops pit_ops = {"pit", pit_read, pit_write, reset_op};
const struct dev_ops pit_nmi_ops = {"nmi-sc", nmi_read, nmi_write, NULL};

void pit_reset(struct pit *p)
{
	dev_timer_cancel(&p->cfg.clock, &p->timer);
	p->timer.id = 0;
	for (int i = 0; i < 3; i++)
		p->ch[i] = (struct channel){.n = 65536, .gate = i != 2};
	p->nmi_ctl = 0;
}

struct pit *pit_create(const struct pit_config *cfg)
{
	struct pit *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cfg = *cfg;
	p->timer.fire = fire_irq0;
	p->timer.dev = p;
	pit_reset(p);
	return p;
}

void pit_destroy(struct pit *p)
{
	if (!p)
		return;
	dev_timer_cancel(&p->cfg.clock, &p->timer);
	free(p);
}
