/*
 * tests/unit/devices/test_bus.c — the port-I/O bus (devices/bus.c): range
 * mapping with overlap rejection, offsets passed to devices, open-bus
 * behaviour of unmapped ports, and byte splitting of accesses a single
 * device cannot take.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/dev.h"

/* A register file of 16 bytes that records the last access. */
struct rec {
	uint8_t mem[16];
	bool bytes_only; /* refuse wider accesses with IO_BAD_SIZE */
	uint64_t last_off;
	int last_size, calls;
	cycles_t lat;
};

static enum io_status rec_read(void *opaque, uint64_t off, int size,
			       uint64_t *val, cycles_t *lat)
{
	struct rec *r = opaque;
	uint64_t v = 0;

	if (r->bytes_only && size != 1)
		return IO_BAD_SIZE;
	r->last_off = off;
	r->last_size = size;
	r->calls++;
	for (int i = 0; i < size && off + i < 16; i++)
		v |= (uint64_t)r->mem[off + i] << (8 * i);
	*val = v;
	*lat += r->lat;
	return IO_OK;
}

static enum io_status rec_write(void *opaque, uint64_t off, int size,
				uint64_t val, cycles_t *lat)
{
	struct rec *r = opaque;

	if (r->bytes_only && size != 1)
		return IO_BAD_SIZE;
	r->last_off = off;
	r->last_size = size;
	r->calls++;
	for (int i = 0; i < size && off + i < 16; i++)
		r->mem[off + i] = (uint8_t)(val >> (8 * i));
	*lat += r->lat;
	return IO_OK;
}

static const struct dev_ops rec_ops = {"rec", rec_read, rec_write, NULL};
static const struct dev_ops wo_ops = {"write-only", NULL, rec_write, NULL};

Test(bus, map_disjoint_ranges_succeeds)
{
	struct iobus bus = {0};
	struct rec a = {0}, b = {0};

	cr_assert_eq(0, iobus_map(&bus, 0x3F8, 8, &rec_ops, &a));
	cr_assert_eq(0, iobus_map(&bus, 0x400, 4, &rec_ops, &b));
	cr_assert_eq(0, iobus_map(&bus, 0x3F0, 8, &rec_ops, &b)); /* touches */
	cr_assert_eq(3, bus.n);
}

Test(bus, map_overlapping_ranges_is_rejected)
{
	struct iobus bus = {0};
	struct rec a = {0};
	static const uint16_t bases[] = {0x100, 0xFC, 0x10F, 0x104, 0xF0};
	static const uint16_t lens[] = {16, 8, 4, 2, 0x40};

	cr_assert_eq(0, iobus_map(&bus, 0x100, 16, &rec_ops, &a));
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		cr_expect_eq(
		    -1, iobus_map(&bus, bases[i], lens[i], &rec_ops, &a),
		    "[%#x, +%u) overlaps [0x100, 0x110)", bases[i], lens[i]);
	cr_assert_eq(1, bus.n);
}

Test(bus, map_zero_length_or_past_port_space_is_rejected)
{
	struct iobus bus = {0};
	struct rec a = {0};

	cr_expect_eq(-1, iobus_map(&bus, 0x80, 0, &rec_ops, &a));
	cr_expect_eq(-1, iobus_map(&bus, 0xFFFE, 4, &rec_ops, &a));
	cr_expect_eq(-1, iobus_map(&bus, 0x80, 4, NULL, &a));
	cr_expect_eq(0, iobus_map(&bus, 0xFFFC, 4, &rec_ops, &a));
}

Test(bus, map_beyond_capacity_is_rejected)
{
	struct iobus bus = {0};
	struct rec a = {0};

	for (int i = 0; i < IOBUS_MAX; i++)
		cr_assert_eq(
		    0, iobus_map(&bus, (uint16_t)(i * 2), 2, &rec_ops, &a));
	cr_assert_eq(-1, iobus_map(&bus, 0x1000, 2, &rec_ops, &a));
}

Test(bus, access_passes_offset_from_base_and_size)
{
	struct iobus bus = {0};
	struct rec a = {0};
	uint64_t v = 0;
	cycles_t lat = 0;

	a.lat = 7;
	iobus_map(&bus, 0x3F8, 8, &rec_ops, &a);
	cr_assert_eq(IO_OK, iobus_write(&bus, 0x3FB, 2, 0xBEEF, &lat));
	cr_assert_eq(3, a.last_off);
	cr_assert_eq(2, a.last_size);
	cr_assert_eq(IO_OK, iobus_read(&bus, 0x3FB, 2, &v, &lat));
	cr_assert_eq(0xBEEF, v);
	cr_assert_eq(14, lat, "latencies add up: got %lu", (unsigned long)lat);
}

Test(bus, write_value_is_truncated_to_access_size)
{
	struct iobus bus = {0};
	struct rec a = {0};

	iobus_map(&bus, 0x10, 8, &rec_ops, &a);
	cr_assert_eq(IO_OK, iobus_write(&bus, 0x10, 1, 0x1234, NULL));
	cr_assert_eq(0x34, a.mem[0]);
	cr_assert_eq(0, a.mem[1]);
}

Test(bus, unmapped_port_reads_all_ones_and_drops_writes)
{
	struct iobus bus = {0};
	uint64_t v = 0;
	cycles_t lat = 0;

	cr_assert_eq(IO_BAD_REG, iobus_read(&bus, 0x80, 1, &v, &lat));
	cr_assert_eq(0xFF, v);
	cr_assert_eq(IO_BAD_REG, iobus_read(&bus, 0x80, 2, &v, &lat));
	cr_assert_eq(0xFFFF, v);
	cr_assert_eq(IO_BAD_REG, iobus_read(&bus, 0x80, 4, &v, &lat));
	cr_assert_eq(0xFFFFFFFF, v);
	cr_assert_eq(IO_BAD_REG, iobus_write(&bus, 0x80, 4, 1, &lat));
	cr_assert_eq(0, lat);
}

Test(bus, unsupported_size_is_refused)
{
	struct iobus bus = {0};
	struct rec a = {0};
	uint64_t v = 0;

	iobus_map(&bus, 0x10, 8, &rec_ops, &a);
	cr_assert_eq(IO_BAD_SIZE, iobus_read(&bus, 0x10, 3, &v, NULL));
	cr_assert_eq(IO_BAD_SIZE, iobus_write(&bus, 0x10, 8, 0, NULL));
	cr_assert_eq(0, a.calls);
}

Test(bus, access_straddling_a_hole_is_split_into_bytes)
{
	struct iobus bus = {0};
	struct rec a = {0};
	uint64_t v = 0;

	memcpy(a.mem, "\x11\x22", 2);
	iobus_map(&bus, 0x10, 2, &rec_ops, &a);
	cr_assert_eq(IO_BAD_REG, iobus_read(&bus, 0x10, 4, &v, NULL));
	cr_assert_eq(0xFFFF2211, v, "got %#lx", (unsigned long)v);
	cr_assert_eq(2, a.calls);
	/* the low byte is unmapped, the high byte hits the device */
	cr_assert_eq(IO_BAD_REG, iobus_read(&bus, 0x0F, 2, &v, NULL));
	cr_assert_eq(0x11FF, v, "got %#lx", (unsigned long)v);
}

Test(bus, access_straddling_two_devices_reaches_both)
{
	struct iobus bus = {0};
	struct rec a = {0}, b = {0};

	iobus_map(&bus, 0x10, 2, &rec_ops, &a);
	iobus_map(&bus, 0x12, 2, &rec_ops, &b);
	cr_assert_eq(IO_OK, iobus_write(&bus, 0x11, 2, 0xA5B6, NULL));
	cr_assert_eq(0xB6, a.mem[1]);
	cr_assert_eq(0xA5, b.mem[0]);
}

Test(bus, device_refusing_width_gets_byte_accesses)
{
	struct iobus bus = {0};
	struct rec a = {0};
	uint64_t v = 0;

	a.bytes_only = true;
	iobus_map(&bus, 0x3F8, 8, &rec_ops, &a);
	cr_assert_eq(IO_OK, iobus_write(&bus, 0x3F8, 4, 0x44332211, NULL));
	cr_assert_eq(4, a.calls);
	cr_assert_eq(0, memcmp(a.mem, "\x11\x22\x33\x44", 4));
	cr_assert_eq(IO_OK, iobus_read(&bus, 0x3F9, 2, &v, NULL));
	cr_assert_eq(0x3322, v);
}

Test(bus, read_of_write_only_device_reads_all_ones)
{
	struct iobus bus = {0};
	struct rec a = {0};
	uint64_t v = 0;

	iobus_map(&bus, 0xF4, 4, &wo_ops, &a);
	cr_assert_eq(IO_BAD_REG, iobus_read(&bus, 0xF4, 1, &v, NULL));
	cr_assert_eq(0xFF, v);
	cr_assert_eq(0, a.calls);
}

Test(bus, access_at_top_of_port_space_wraps_to_port_zero)
{
	struct iobus bus = {0};
	struct rec hi = {0}, lo = {0};

	iobus_map(&bus, 0xFFFF, 1, &rec_ops, &hi);
	iobus_map(&bus, 0x0000, 1, &rec_ops, &lo);
	cr_assert_eq(IO_OK, iobus_write(&bus, 0xFFFF, 2, 0x0201, NULL));
	cr_assert_eq(1, hi.mem[0]);
	cr_assert_eq(2, lo.mem[0]);
}
