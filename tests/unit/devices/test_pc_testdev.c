/*
 * tests/unit/devices/test_pc_testdev.c — QEMU's pc-testdev
 * (devices/pc_testdev.c) on a bus and a physmem of its own: the scratch
 * register at every size and byte lane (and its byte view at 0xE8), the
 * flush-page port (a code page stops being code; GPAs outside RAM are
 * ignored), the IRQ lines, the 64 KiB device-memory window at 1/2/4/8
 * bytes, reset, and what attach refuses.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/pc_testdev.h"

struct machine {
	struct iobus bus;
	struct physmem *mem;
	struct pc_testdev *d;
};

static void mk(struct machine *m)
{
	memset(&m->bus, 0, sizeof(m->bus));
	m->mem = physmem_create(1 << 20);
	cr_assert_not_null(m->mem);
	m->d = pc_testdev_attach(&m->bus, m->mem);
	cr_assert_not_null(m->d);
}

static void rm(struct machine *m)
{
	pc_testdev_destroy(m->d);
	physmem_destroy(m->mem);
}

static uint64_t in(struct machine *m, uint16_t port, int size)
{
	uint64_t v = 0;
	cycles_t lat = 0;

	iobus_read(&m->bus, port, size, &v, &lat);
	return v;
}

static enum io_status out(struct machine *m, uint16_t port, int size,
			  uint64_t v)
{
	cycles_t lat = 0;

	return iobus_write(&m->bus, port, size, v, &lat);
}

Test(pc_testdev, scratch_reads_back_a_dword_at_every_size)
{
	struct machine m;

	mk(&m);
	cr_assert_eq(0, in(&m, 0xE0, 4));
	cr_assert_eq(IO_OK, out(&m, 0xE0, 4, 0x12345678));
	cr_assert_eq(0x12345678, in(&m, 0xE0, 4));
	cr_assert_eq(0x5678, in(&m, 0xE0, 2));
	cr_assert_eq(0x1234, in(&m, 0xE2, 2));
	cr_assert_eq(0x78, in(&m, 0xE0, 1));
	cr_assert_eq(0x56, in(&m, 0xE1, 1));
	cr_assert_eq(0x34, in(&m, 0xE2, 1));
	cr_assert_eq(0x12, in(&m, 0xE3, 1));
	rm(&m);
}

Test(pc_testdev, scratch_narrow_writes_change_only_their_lanes)
{
	struct machine m;

	mk(&m);
	out(&m, 0xE0, 4, 0xAABBCCDD);
	cr_assert_eq(IO_OK, out(&m, 0xE1, 1, 0x11));
	cr_assert_eq(0xAABB11DD, in(&m, 0xE0, 4));
	cr_assert_eq(IO_OK, out(&m, 0xE2, 2, 0x2233));
	cr_assert_eq(0x223311DD, in(&m, 0xE0, 4));
	cr_assert_eq(IO_OK, out(&m, 0xE0, 2, 0xFFEE));
	cr_assert_eq(0x2233FFEE, in(&m, 0xE0, 4));
	rm(&m);
}

Test(pc_testdev, byte_view_at_0xe8_is_the_same_register)
{
	struct machine m;

	mk(&m);
	out(&m, 0xE0, 4, 0x01020304);
	cr_assert_eq(0x01020304, in(&m, 0xE8, 4));
	cr_assert_eq(0x02, in(&m, 0xEA, 1));
	out(&m, 0xE9, 2, 0xBEEF);
	cr_assert_eq(0x01BEEF04, in(&m, 0xE0, 4));
	rm(&m);
}

Test(pc_testdev, scratch_access_past_its_end_is_split_by_the_bus)
{
	struct machine m;

	mk(&m);
	out(&m, 0xE0, 4, 0x44332211);
	/* 0xE3..0xE6: byte 0x44, then the flush port (write-only: reads all
	 * ones), then nothing. */
	cr_assert_eq(0xFFFFFF44, in(&m, 0xE3, 4));
	rm(&m);
}

Test(pc_testdev, flush_page_drops_decoded_code_of_that_page)
{
	struct machine m;

	mk(&m);
	physmem_mark_code(m.mem, 0x5000);
	cr_assert(physmem_is_code(m.mem, 0x5000));
	uint32_t gen = physmem_code_gen(m.mem, 0x5000);

	cr_assert_eq(IO_OK, out(&m, 0xE4, 4, 0x5123)); /* any offset in it */
	cr_assert_not(physmem_is_code(m.mem, 0x5000));
	cr_assert_eq(gen + 1, physmem_code_gen(m.mem, 0x5000));
	cr_assert_eq(1, pc_testdev_stats(m.d)->flushes);
	rm(&m);
}

Test(pc_testdev, flush_page_leaves_guest_memory_alone)
{
	struct machine m;
	uint8_t want[64], got[64];

	mk(&m);
	for (unsigned i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)(i * 7);
	cr_assert_eq(0, physmem_copy_to(m.mem, 0x3000, want, sizeof(want)));
	out(&m, 0xE4, 4, 0x3000);
	cr_assert_eq(0, physmem_copy_from(m.mem, got, 0x3000, sizeof(got)));
	cr_assert_arr_eq(want, got, sizeof(want));
	rm(&m);
}

Test(pc_testdev, flush_page_outside_ram_or_wrong_size_is_ignored)
{
	struct machine m;

	mk(&m);
	physmem_mark_code(m.mem, 0x0);
	cr_assert_eq(IO_OK, out(&m, 0xE4, 4, 0xF0000000)); /* not RAM */
	cr_assert_eq(1, pc_testdev_stats(m.d)->bad_flushes);
	cr_assert_neq(IO_OK, out(&m, 0xE4, 1, 0)); /* 4 bytes only */
	cr_assert_neq(IO_OK, out(&m, 0xE4, 2, 0));
	cr_assert(physmem_is_code(m.mem, 0x0));
	cr_assert_eq(0, pc_testdev_stats(m.d)->flushes);
	cr_assert_eq(0xFFFFFFFF, in(&m, 0xE4, 4)); /* write-only */
	rm(&m);
}

struct irq_rec {
	int calls, line, level;
};

static void on_irq(void *opaque, int line, int level)
{
	struct irq_rec *r = opaque;

	r->calls++;
	r->line = line;
	r->level = level;
}

Test(pc_testdev, irq_line_byte_write_sets_that_line)
{
	struct machine m;
	struct irq_rec r = {0};

	mk(&m);
	pc_testdev_connect_irq(m.d, &(struct irq_line){on_irq, &r, 0});
	cr_assert_eq(IO_OK, out(&m, 0x2000 + 5, 1, 0x80));
	cr_assert_eq(1, pc_testdev_irq_level(m.d, 5));
	cr_assert_eq(0, pc_testdev_irq_level(m.d, 4));
	cr_assert_eq(1, r.calls);
	cr_assert_eq(5, r.line);
	cr_assert_eq(1, r.level);
	out(&m, 0x2000 + 5, 1, 0);
	cr_assert_eq(0, pc_testdev_irq_level(m.d, 5));
	cr_assert_eq(0, r.level);
	cr_assert_eq(-1, pc_testdev_irq_level(m.d, 24));
	/* 0x2018 is past the 24 lines: nothing there. */
	cr_assert_eq(IO_BAD_REG, out(&m, 0x2018, 1, 1));
	cr_assert_eq(2, r.calls);
	rm(&m);
}

Test(pc_testdev, iomem_reads_back_at_every_size)
{
	struct machine m;
	static const struct {
		uint64_t off;
		int size;
		uint64_t v;
	} cases[] = {
	    {0x0, 1, 0xA5},
	    {0x11, 2, 0xBEEF},
	    {0x102, 4, 0xDEADBEEF},
	    {0x1003, 8, 0x0123456789ABCDEFull},
	    {0xFFF8, 8, 0xFEDCBA9876543210ull}, /* the last 8 bytes */
	    {0xFFFF, 1, 0x5A},
	};

	mk(&m);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t gpa = PC_TESTDEV_IOMEM_BASE + cases[i].off;
		physmem_write(m.mem, gpa, cases[i].size, cases[i].v);
		cr_assert_eq(cases[i].v,
			     physmem_read(m.mem, gpa, cases[i].size),
			     "case %zu", i);
	}
	rm(&m);
}

Test(pc_testdev, iomem_is_little_endian_bytes)
{
	struct machine m;
	uint64_t b = PC_TESTDEV_IOMEM_BASE + 0x200;

	mk(&m);
	cr_assert_eq(0, physmem_read(m.mem, b, 8)); /* starts zeroed */
	physmem_write(m.mem, b, 8, 0x8877665544332211ull);
	cr_assert_eq(0x11, physmem_read(m.mem, b, 1));
	cr_assert_eq(0x4433, physmem_read(m.mem, b + 2, 2));
	cr_assert_eq(0x88776655, physmem_read(m.mem, b + 4, 4));
	physmem_write(m.mem, b + 3, 1, 0xCC);
	cr_assert_eq(0x88776655CC332211ull, physmem_read(m.mem, b, 8));
	rm(&m);
}

Test(pc_testdev, access_straddling_the_window_end_splits_to_open_bus)
{
	struct machine m;
	uint64_t end = PC_TESTDEV_IOMEM_BASE + PC_TESTDEV_IOMEM_SIZE;

	mk(&m);
	physmem_write(m.mem, end - 2, 2, 0x2211);
	cr_assert_eq(0xFFFF2211, physmem_read(m.mem, end - 2, 4));
	physmem_write(m.mem, end - 1, 4, 0x99887766); /* only 0x66 lands */
	cr_assert_eq(0x66, physmem_read(m.mem, end - 1, 1));
	cr_assert_eq(0x11, physmem_read(m.mem, end - 2, 1));
	rm(&m);
}

Test(pc_testdev, reset_clears_register_lines_and_memory)
{
	struct machine m;
	struct irq_rec r = {0};

	mk(&m);
	pc_testdev_connect_irq(m.d, &(struct irq_line){on_irq, &r, 0});
	out(&m, 0xE0, 4, 0x1234);
	out(&m, 0x2003, 1, 1);
	physmem_write(m.mem, PC_TESTDEV_IOMEM_BASE + 8, 4, 0x55);
	for (int i = 0; i < m.bus.n; i++)
		if (m.bus.r[i].ops->reset)
			m.bus.r[i].ops->reset(m.bus.r[i].opaque);
	cr_assert_eq(0, in(&m, 0xE0, 4));
	cr_assert_eq(0, pc_testdev_irq_level(m.d, 3));
	cr_assert_eq(0, r.level); /* the line was lowered */
	cr_assert_eq(0, physmem_read(m.mem, PC_TESTDEV_IOMEM_BASE + 8, 4));
	rm(&m);
}

Test(pc_testdev, attach_refuses_taken_ports_and_ram_under_the_window)
{
	struct iobus bus;
	struct physmem *mem = physmem_create(1 << 20);
	struct pc_testdev *d;

	memset(&bus, 0, sizeof(bus));
	/* Port 0xE4 already taken: nothing is mapped. */
	cr_assert_eq(
	    0, iobus_map(&bus, 0xE4, 1, &(struct dev_ops){.name = "x"}, NULL));
	cr_assert_null(pc_testdev_attach(&bus, mem));
	cr_assert_eq(1, bus.n);
	cr_assert_eq(0xFFFFFFFF, physmem_read(mem, PC_TESTDEV_IOMEM_BASE,
					      4)); /* still open bus */
	physmem_destroy(mem);

	/* Twice on the same bus and memory: the second fails. */
	memset(&bus, 0, sizeof(bus));
	mem = physmem_create(1 << 20);
	d = pc_testdev_attach(&bus, mem);
	cr_assert_not_null(d);
	cr_assert_null(pc_testdev_attach(&bus, mem));
	pc_testdev_destroy(d);
	physmem_destroy(mem);
	cr_assert_null(pc_testdev_attach(NULL, NULL));
}

Test(pc_testdev, random_accesses_never_crash_or_touch_ram_outside)
{
	struct machine m;
	uint32_t x = 777; /* fixed seed */
	static const int sizes[] = {1, 2, 4, 8};

	mk(&m);
	physmem_write(m.mem, 0x1000, 8, 0x1122334455667788ull);
	for (unsigned i = 0; i < 50000; i++) {
		int size = sizes[(x >> 4) % 4];
		uint64_t v = 0;
		cycles_t lat = 0;

		x = x * 1103515245u + 12345u;
		if (i % 2) {
			uint16_t port = (x >> 8) % 2 ? 0xDC + (x >> 12) % 20
						     : 0x1FFC + (x >> 12) % 40;
			int s = size == 8 ? 4 : size;
			if ((x >> 20) % 2)
				iobus_write(&m.bus, port, s, x, &lat);
			else
				iobus_read(&m.bus, port, s, &v, &lat);
		} else {
			uint64_t gpa = PC_TESTDEV_IOMEM_BASE - 8 +
				       (x >> 8) % (PC_TESTDEV_IOMEM_SIZE + 16);
			if ((x >> 20) % 2)
				physmem_write(m.mem, gpa, size, x);
			else
				v = physmem_read(m.mem, gpa, size);
		}
		(void)v;
	}
	/* Flushes wrote nothing to RAM. */
	cr_assert_eq(0x1122334455667788ull, physmem_read(m.mem, 0x1000, 8));
	cr_assert(physmem_check_invariants(m.mem));
	rm(&m);
}
