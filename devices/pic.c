/*
 * devices/pic.c — the 8259A pair (pic.h).
 *
 * Priority: each chip keeps `lowest`, the input with the lowest priority
 * (7 after initialisation, so IR0 is the highest); rotation moves it. The
 * highest-priority request is the first input after `lowest`, going round,
 * whose IRR bit is set and not masked. It interrupts if no in-service
 * input has a priority at least as high (in special mask mode, in-service
 * inputs block only themselves). The slave's INTR is the master's IR2.
 */
#include "devices/pic.h"

#include <stdlib.h>

#define ICW1_IC4  0x01u
#define ICW1_SNGL 0x02u
#define ICW1_LTIM 0x08u
#define ICW1_INIT 0x10u
#define ICW4_AEOI 0x02u
#define OCW3_SEL  0x08u /* bit 3 set, bit 4 clear: OCW3 */
#define OCW3_RIS  0x01u /* read ISR (else IRR) */
#define OCW3_RR	  0x02u /* the RIS bit is valid */
#define OCW3_POLL 0x04u
#define OCW3_SMM  0x20u /* set/clear special mask mode (with ESMM 0x40) */
#define OCW3_ESMM 0x40u

/* ELCR bits that exist: not IRQ 0, 1, 2 (master), 8, 13 (slave). */
static const uint8_t elcr_mask[2] = {0xF8, 0xDE};

struct chip {
	uint8_t irr, isr, imr;
	uint8_t line;	/* input levels */
	uint8_t elcr;	/* level-triggered inputs */
	uint8_t base;	/* vector base (ICW2 & 0xF8) */
	uint8_t lowest; /* input with the lowest priority */
	uint8_t icw_next; /* 0 ready, 2/3/4: expecting that ICW */
	bool icw4_wanted, single, ltim, aeoi, read_isr, poll, smm;
};

struct pic {
	struct pic_config cfg;
	struct chip c[2]; /* 0 master, 1 slave */
	bool intr;
};

static bool is_level(const struct chip *c, unsigned i)
{
	return c->ltim || (c->elcr >> i & 1);
}

/* Highest-priority unmasked request, or -1. */
static int best_request(const struct chip *c)
{
	uint8_t req = c->irr & (uint8_t)~c->imr;

	for (unsigned k = 1; k <= 8; k++) {
		unsigned i = (c->lowest + k) & 7;

		if (req >> i & 1)
			return (int)i;
	}
	return -1;
}

/* Would input `i` interrupt past the in-service inputs? */
static bool beats_in_service(const struct chip *c, unsigned i)
{
	for (unsigned k = 1; k <= 8; k++) {
		unsigned s = (c->lowest + k) & 7;

		if (s == i)
			return true;
		if ((c->isr >> s & 1) && !(c->smm && (c->imr >> s & 1)))
			return false;
	}
	return true;
}

static int chip_pending(const struct chip *c)
{
	int i = best_request(c);

	return i >= 0 && beats_in_service(c, (unsigned)i) ? i : -1;
}

static void update(struct pic *p)
{
	bool slave_intr = chip_pending(&p->c[1]) >= 0;
	bool intr;

	/* The cascade input is level-like: the slave's INTR itself. */
	if (slave_intr)
		p->c[0].irr |= 1u << PIC_CASCADE_IRQ;
	else
		p->c[0].irr &= (uint8_t)~(1u << PIC_CASCADE_IRQ);
	intr = chip_pending(&p->c[0]) >= 0;
	if (intr != p->intr) {
		p->intr = intr;
		if (p->cfg.intr_changed)
			p->cfg.intr_changed(p->cfg.opaque, intr);
	}
}

static void chip_input(struct chip *c, unsigned i, bool level)
{
	uint8_t bit = (uint8_t)(1u << i);
	bool was = c->line & bit;

	if (level)
		c->line |= bit;
	else
		c->line &= (uint8_t)~bit;
	if (is_level(c, i)) {
		c->irr = (uint8_t)(level ? c->irr | bit : c->irr & ~bit);
	} else if (level && !was) {
		c->irr |= bit; /* rising edge */
	}
}

void pic_set_irq(struct pic *p, unsigned irq, bool level)
{
	if (irq >= 16 || irq == PIC_CASCADE_IRQ)
		return;
	chip_input(&p->c[irq / 8], irq & 7, level);
	update(p);
}

bool pic_intr(const struct pic *p)
{
	return p->intr;
}

/* Acknowledge input i of chip c: ISR set (unless auto-EOI), an edge
 * request cleared (a level one stays while the line is high). */
static void chip_ack(struct chip *c, unsigned i)
{
	uint8_t bit = (uint8_t)(1u << i);

	if (!is_level(c, i))
		c->irr &= (uint8_t)~bit;
	if (!c->aeoi) /* rotation in auto-EOI mode is not modelled */
		c->isr |= bit;
}

int pic_ack(struct pic *p)
{
	int i = chip_pending(&p->c[0]);
	int vec;

	if (i < 0) {
		vec = p->c[0].base | 7; /* spurious IRQ 7 */
	} else if (i == PIC_CASCADE_IRQ) {
		int j = chip_pending(&p->c[1]);

		p->c[0].isr |= p->c[0].aeoi ? 0 : 1u << PIC_CASCADE_IRQ;
		if (j < 0) {
			vec = p->c[1].base | 7; /* spurious IRQ 15 */
		} else {
			chip_ack(&p->c[1], (unsigned)j);
			vec = p->c[1].base | j;
		}
	} else {
		chip_ack(&p->c[0], (unsigned)i);
		vec = p->c[0].base | i;
	}
	update(p);
	return vec;
}

/* ---- OCW2 / OCW3 / ICWs ---------------------------------------------------- */

/* Highest-priority in-service input, or -1. */
static int best_in_service(const struct chip *c)
{
	for (unsigned k = 1; k <= 8; k++) {
		unsigned i = (c->lowest + k) & 7;

		if (c->isr >> i & 1)
			return (int)i;
	}
	return -1;
}

static void ocw2(struct chip *c, uint8_t v)
{
	unsigned level = v & 7, cmd = v >> 5;
	int i;

	switch (cmd) {
	case 1: /* non-specific EOI */
	case 5: /* ... and rotate */
		if ((i = best_in_service(c)) < 0)
			return;
		c->isr &= (uint8_t)~(1u << i);
		if (cmd == 5)
			c->lowest = (uint8_t)i;
		break;
	case 3: /* specific EOI */
	case 7: /* ... and rotate */
		c->isr &= (uint8_t)~(1u << level);
		if (cmd == 7)
			c->lowest = (uint8_t)level;
		break;
	case 6: /* set priority: `level` becomes the lowest */
		c->lowest = (uint8_t)level;
		break;
	default: /* 0/4: rotate in auto-EOI mode clear/set; 2: no-op */
		break;
	}
}

static void ocw3(struct chip *c, uint8_t v)
{
	if (v & OCW3_RR)
		c->read_isr = v & OCW3_RIS;
	c->poll = v & OCW3_POLL;
	if (v & OCW3_ESMM)
		c->smm = v & OCW3_SMM;
}

static void icw1(struct chip *c, uint8_t v)
{
	c->imr = 0;
	c->isr = 0;
	c->irr &= c->line & c->elcr; /* edges forgotten */
	c->lowest = 7;
	c->read_isr = false;
	c->poll = false;
	c->smm = false;
	c->aeoi = false;
	c->ltim = v & ICW1_LTIM;
	c->single = v & ICW1_SNGL;
	c->icw4_wanted = v & ICW1_IC4;
	c->icw_next = 2;
}

/* A write to the odd port: the next ICW, or OCW1. */
static void data_write(struct chip *c, uint8_t v)
{
	switch (c->icw_next) {
	case 2:
		c->base = v & 0xF8;
		c->icw_next = c->single ? (c->icw4_wanted ? 4 : 0) : 3;
		break;
	case 3: /* cascade wiring: fixed in a PC */
		c->icw_next = c->icw4_wanted ? 4 : 0;
		break;
	case 4:
		c->aeoi = v & ICW4_AEOI;
		c->icw_next = 0;
		break;
	default:
		c->imr = v;
		break;
	}
}

/* Poll command: the read acknowledges like an INTA cycle. */
static uint8_t poll_read(struct pic *p, int n)
{
	struct chip *c = &p->c[n];
	int i = chip_pending(c);

	c->poll = false;
	if (i < 0)
		return 0;
	if (n == 0 && i == PIC_CASCADE_IRQ)
		c->isr |= 1u << PIC_CASCADE_IRQ;
	else
		chip_ack(c, (unsigned)i);
	return (uint8_t)(0x80 | i);
}

static enum io_status chip_read(struct pic *p, int n, uint64_t off,
				uint64_t *val)
{
	struct chip *c = &p->c[n];

	if (c->poll)
		*val = poll_read(p, n);
	else if (off == 1)
		*val = c->imr;
	else
		*val = c->read_isr ? c->isr : c->irr;
	update(p);
	return IO_OK;
}

static enum io_status chip_write(struct pic *p, int n, uint64_t off,
				 uint8_t v)
{
	struct chip *c = &p->c[n];

	if (off == 1)
		data_write(c, v);
	else if (v & ICW1_INIT)
		icw1(c, v);
	else if (v & OCW3_SEL)
		ocw3(c, v);
	else
		ocw2(c, v);
	update(p);
	return IO_OK;
}

static enum io_status master_read(void *o, uint64_t off, int size,
				  uint64_t *val, cycles_t *lat)
{
	(void)lat;
	return size == 1 ? chip_read(o, 0, off, val) : IO_BAD_SIZE;
}

static enum io_status master_write(void *o, uint64_t off, int size,
				   uint64_t val, cycles_t *lat)
{
	(void)lat;
	return size == 1 ? chip_write(o, 0, off, (uint8_t)val) : IO_BAD_SIZE;
}

static enum io_status slave_read(void *o, uint64_t off, int size,
				 uint64_t *val, cycles_t *lat)
{
	(void)lat;
	return size == 1 ? chip_read(o, 1, off, val) : IO_BAD_SIZE;
}

static enum io_status slave_write(void *o, uint64_t off, int size,
				  uint64_t val, cycles_t *lat)
{
	(void)lat;
	return size == 1 ? chip_write(o, 1, off, (uint8_t)val) : IO_BAD_SIZE;
}

static enum io_status elcr_read(void *o, uint64_t off, int size,
				uint64_t *val, cycles_t *lat)
{
	struct pic *p = o;

	(void)lat;
	if (size != 1)
		return IO_BAD_SIZE;
	*val = p->c[off & 1].elcr;
	return IO_OK;
}

static enum io_status elcr_write(void *o, uint64_t off, int size,
				 uint64_t val, cycles_t *lat)
{
	struct pic *p = o;
	struct chip *c = &p->c[off & 1];

	(void)lat;
	if (size != 1)
		return IO_BAD_SIZE;
	c->elcr = (uint8_t)val & elcr_mask[off & 1];
	for (unsigned i = 0; i < 8; i++) /* level inputs follow the line */
		if (is_level(c, i))
			c->irr = (uint8_t)((c->irr & ~(1u << i)) |
					   (c->line & (1u << i)));
	update(p);
	return IO_OK;
}

static void reset_op(void *o)
{
	pic_reset(o);
}

const struct dev_ops pic_master_ops = {"pic-master", master_read,
				       master_write, reset_op};
const struct dev_ops pic_slave_ops = {"pic-slave", slave_read, slave_write,
				      NULL};
const struct dev_ops pic_elcr_ops = {"pic-elcr", elcr_read, elcr_write, NULL};

void pic_reset(struct pic *p)
{
	for (int n = 0; n < 2; n++) {
		uint8_t line = p->c[n].line;

		p->c[n] = (struct chip){.line = line, .lowest = 7};
	}
	update(p);
}

struct pic *pic_create(const struct pic_config *cfg)
{
	struct pic *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cfg = *cfg;
	pic_reset(p);
	return p;
}

void pic_destroy(struct pic *p)
{
	free(p);
}

uint16_t pic_imr(const struct pic *p)
{
	return (uint16_t)(p->c[0].imr | p->c[1].imr << 8);
}
