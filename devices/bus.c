/*
 * devices/bus.c — the port-I/O bus: a 64 KiB port space of mapped ranges.
 *
 * Models the x86 I/O address space (SDM Vol. 1 §19.2: 65,536 8-bit ports;
 * a 16- or 32-bit access covers consecutive ports). A device is mapped by
 * (base, len, ops, opaque); ranges never overlap and never wrap past 0xFFFF.
 * Devices see offsets from their base, not absolute ports (STYLE.md §8).
 *
 * Accesses the chipset would split are split here: an access that does not
 * fit in one range (it straddles two devices or an unmapped hole), or that a
 * device refuses with IO_BAD_SIZE (a 16-bit IN from an 8-bit UART), becomes
 * one byte access per port, lowest port first, as an ISA/LPC bridge does.
 * Unmapped ports read all ones and drop writes (open bus), reported as
 * IO_BAD_REG. Latency: the bus itself adds nothing; it sums what the devices
 * report into *lat. Called by the simulator's I/O intercept (sim/sim.c).
 */
#include <stdbool.h>
#include <stddef.h>

#include "devices/dev.h"

#define IOBUS_PORTS 0x10000u

static uint64_t io_size_mask(int size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static bool io_size_ok(int size)
{
	return size == 1 || size == 2 || size == 4;
}

/* The range holding `port`, or NULL. */
static struct iobus_range *iobus_find(struct iobus *bus, uint16_t port)
{
	for (int i = 0; i < bus->n; i++) {
		struct iobus_range *r = &bus->r[i];
		if (port >= r->base &&
		    (uint32_t)port < (uint32_t)r->base + r->len)
			return r;
	}
	return NULL;
}

int iobus_map(struct iobus *bus, uint16_t base, uint16_t len,
	      const struct dev_ops *ops, void *opaque)
{
	uint32_t end = (uint32_t)base + len;

	if (!bus || !ops || len == 0 || end > IOBUS_PORTS ||
	    bus->n >= IOBUS_MAX)
		return -1;
	for (int i = 0; i < bus->n; i++) {
		uint32_t b = bus->r[i].base, e = b + bus->r[i].len;
		if (base < e && b < end)
			return -1;
	}
	bus->r[bus->n++] = (struct iobus_range){base, len, ops, opaque};
	return 0;
}

/* Does [port, port+size) lie inside range r? */
static bool fits(const struct iobus_range *r, uint16_t port, int size)
{
	return r &&
	       (uint32_t)port + (uint32_t)size <= (uint32_t)r->base + r->len;
}

/* One access that lies inside one range (or on an unmapped byte). */
static enum io_status read_one(struct iobus *bus, uint16_t port, int size,
			       uint64_t *val, cycles_t *lat)
{
	struct iobus_range *r = iobus_find(bus, port);
	cycles_t l = 0;
	uint64_t v = ~0ull;
	enum io_status st;

	if (!r || !r->ops->read) { /* open bus, or a write-only device */
		*val = io_size_mask(size);
		return IO_BAD_REG;
	}
	st = r->ops->read(r->opaque, port - r->base, size, &v, &l);
	*lat += l;
	/* Whatever a device left in v, a refused register reads all ones. */
	*val = (st == IO_OK || st == IO_DEFER) ? v & io_size_mask(size)
					       : io_size_mask(size);
	return st;
}

static enum io_status write_one(struct iobus *bus, uint16_t port, int size,
				uint64_t val, cycles_t *lat)
{
	struct iobus_range *r = iobus_find(bus, port);
	cycles_t l = 0;
	enum io_status st;

	if (!r || !r->ops->write)
		return IO_BAD_REG;
	st = r->ops->write(r->opaque, port - r->base, size,
			   val & io_size_mask(size), &l);
	*lat += l;
	return st;
}

/* Dispatch whole if the access fits one range and the device takes that
 * size; otherwise split it into byte accesses (ports wrap at 0xFFFF as the
 * 16-bit port address does). Returns the first non-OK byte status. */
static enum io_status iobus_access(struct iobus *bus, uint16_t port, int size,
				   bool write, uint64_t *val, cycles_t *lat)
{
	struct iobus_range *r = iobus_find(bus, port);
	enum io_status st, worst = IO_OK;
	uint64_t v = 0;

	if (size == 1 || fits(r, port, size)) {
		st = write ? write_one(bus, port, size, *val, lat)
			   : read_one(bus, port, size, val, lat);
		if (st != IO_BAD_SIZE || size == 1)
			return st;
	}
	for (int i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);
		uint64_t b = (*val >> (8 * i)) & 0xFF;
		st = write ? write_one(bus, p, 1, b, lat)
			   : read_one(bus, p, 1, &b, lat);
		if (st != IO_OK && worst == IO_OK)
			worst = st;
		v |= (b & 0xFF) << (8 * i);
	}
	if (!write)
		*val = v;
	return worst;
}

enum io_status iobus_read(struct iobus *bus, uint16_t port, int size,
			  uint64_t *val, cycles_t *lat)
{
	cycles_t dummy = 0;

	*val = 0;
	if (!io_size_ok(size)) {
		*val = ~0ull;
		return IO_BAD_SIZE;
	}
	return iobus_access(bus, port, size, false, val, lat ? lat : &dummy);
}

enum io_status iobus_write(struct iobus *bus, uint16_t port, int size,
			   uint64_t val, cycles_t *lat)
{
	cycles_t dummy = 0;

	if (!io_size_ok(size))
		return IO_BAD_SIZE;
	val &= io_size_mask(size);
	return iobus_access(bus, port, size, true, &val, lat ? lat : &dummy);
}
