/*
 * devices/ioapic.c — the I/O APIC (ioapic.h).
 */
#include "devices/ioapic.h"

#include <stdlib.h>

#define REG_ID	    0x00u
#define REG_VERSION 0x01u
#define REG_ARB	    0x02u
#define REG_RTE0    0x10u

#define OFF_IOREGSEL 0x00u
#define OFF_IOWIN    0x10u

/* Bits of the low dword the guest may write: vector, delivery mode,
 * destination mode, polarity, trigger, mask. */
#define RTE_LOW_WRITABLE 0x1AFFFu
#define RTE_HIGH_DEST	 0xFF000000u

struct ioapic {
	struct ioapic_config cfg;
	uint8_t id;
	uint8_t sel;		    /* IOREGSEL */
	uint32_t lo[IOAPIC_PINS];   /* redirection entries, low halves */
	uint32_t hi[IOAPIC_PINS];   /* and high halves */
	bool line[IOAPIC_PINS];	    /* electrical level of each input */
	struct ioapic_stats stats;
};

static bool asserted(const struct ioapic *io, unsigned pin)
{
	return io->line[pin] != !!(io->lo[pin] & IOAPIC_RTE_ACTIVE_LOW);
}

static void send(struct ioapic *io, unsigned pin)
{
	uint32_t lo = io->lo[pin];
	struct ioapic_msg m = {
	    .dest = (uint8_t)(io->hi[pin] >> 24),
	    .dest_mode = (lo & IOAPIC_RTE_DEST_LOGICAL) ? 1 : 0,
	    .delivery = (int)((lo >> 8) & 7),
	    .vector = (uint8_t)lo,
	    .level = (lo & IOAPIC_RTE_LEVEL) != 0,
	};

	if (m.level)
		io->lo[pin] |= IOAPIC_RTE_REMOTE_IRR;
	io->stats.sent++;
	if (io->cfg.deliver)
		io->cfg.deliver(io->cfg.opaque, &m);
}

/* A level pin that is asserted, unmasked and not in service: send it. */
static void service_level(struct ioapic *io, unsigned pin)
{
	uint32_t lo = io->lo[pin];

	if ((lo & IOAPIC_RTE_LEVEL) && !(lo & IOAPIC_RTE_MASKED) &&
	    !(lo & IOAPIC_RTE_REMOTE_IRR) && asserted(io, pin))
		send(io, pin);
}

void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level)
{
	bool was;

	if (pin >= IOAPIC_PINS)
		return;
	was = asserted(io, pin);
	io->line[pin] = level;
	if (io->lo[pin] & IOAPIC_RTE_LEVEL) {
		service_level(io, pin);
		return;
	}
	if (!was && asserted(io, pin)) {
		if (io->lo[pin] & IOAPIC_RTE_MASKED)
			io->stats.lost_masked++;
		else
			send(io, pin);
	}
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		if ((uint8_t)io->lo[pin] != vector ||
		    !(io->lo[pin] & IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->lo[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		io->stats.eois++;
		service_level(io, pin);
	}
}

/* ---- registers --------------------------------------------------------- */

static uint32_t reg_read(const struct ioapic *io, uint8_t idx)
{
	unsigned n = (idx - REG_RTE0) / 2;

	switch (idx) {
	case REG_ID:
	case REG_ARB:
		return (uint32_t)(io->id & 0x0F) << 24;
	case REG_VERSION:
		return (uint32_t)(IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
	default:
		if (idx < REG_RTE0 || n >= IOAPIC_PINS)
			return 0;
		return idx & 1 ? io->hi[n] : io->lo[n];
	}
}

static void reg_write(struct ioapic *io, uint8_t idx, uint32_t v)
{
	unsigned n = (idx - REG_RTE0) / 2;
	uint32_t lo;

	if (idx == REG_ID) {
		io->id = (uint8_t)((v >> 24) & 0x0F);
		return;
	}
	if (idx < REG_RTE0 || n >= IOAPIC_PINS)
		return; /* version, arbitration: read-only; beyond: nothing */
	if (idx & 1) {
		io->hi[n] = v & RTE_HIGH_DEST;
		return;
	}
	lo = (io->lo[n] & (IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_PENDING)) |
	     (v & RTE_LOW_WRITABLE);
	if (!(lo & IOAPIC_RTE_LEVEL))
		lo &= ~IOAPIC_RTE_REMOTE_IRR;
	io->lo[n] = lo;
	service_level(io, n); /* unmasked while asserted */
}

static uint64_t mmio_read(void *opaque, uint64_t off, int size)
{
	struct ioapic *io = opaque;

	if (off == OFF_IOREGSEL)
		return io->sel;
	if (off == OFF_IOWIN && size == 4)
		return reg_read(io, io->sel);
	return 0;
}

static void mmio_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct ioapic *io = opaque;

	if (off == OFF_IOREGSEL)
		io->sel = (uint8_t)val;
	else if (off == OFF_IOWIN && size == 4)
		reg_write(io, io->sel, (uint32_t)val);
}

const struct mmio_ops ioapic_mmio_ops = {
    .name = "ioapic",
    .read = mmio_read,
    .write = mmio_write,
};

/* ---- life cycle ------------------------------------------------------------ */

void ioapic_reset(struct ioapic *io)
{
	io->id = io->cfg.id;
	io->sel = 0;
	for (unsigned i = 0; i < IOAPIC_PINS; i++) {
		io->lo[i] = IOAPIC_RTE_MASKED;
		io->hi[i] = 0;
	}
}

struct ioapic *ioapic_create(const struct ioapic_config *cfg)
{
	struct ioapic *io = calloc(1, sizeof(*io));

	if (!io)
		return NULL;
	io->cfg = *cfg;
	ioapic_reset(io);
	return io;
}

void ioapic_destroy(struct ioapic *io)
{
	free(io);
}

uint64_t ioapic_rte(const struct ioapic *io, unsigned n)
{
	if (n >= IOAPIC_PINS)
		return 0;
	return (uint64_t)io->hi[n] << 32 | io->lo[n];
}

const struct ioapic_stats *ioapic_stats(const struct ioapic *io)
{
	return &io->stats;
}
