/*
 * tests/unit/devices/test_debug_exit.c — the debug-exit port
 * (devices/debug_exit.c): the status (v << 1) | 1 for each access width,
 * the stop callback, first-write-wins, and what reads and stray offsets do.
 */
#include <criterion/criterion.h>

#include "devices/debug_exit.h"

struct stops {
	int calls;
	uint64_t status;
};

static void on_stop(void *opaque, uint64_t status)
{
	struct stops *s = opaque;
	s->calls++;
	s->status = status;
}

static struct debug_exit *mk(struct stops *s)
{
	struct debug_exit *d = debug_exit_create(on_stop, s);
	cr_assert_not_null(d);
	return d;
}

Test(debug_exit, write_zero_requests_status_one)
{
	struct stops s = {0};
	struct debug_exit *d = mk(&s);
	cycles_t lat = 0;

	cr_assert_not(debug_exit_requested(d));
	cr_assert_eq(IO_OK, debug_exit_ops.write(d, 0, 4, 0, &lat));
	cr_assert(debug_exit_requested(d));
	cr_assert_eq(1, debug_exit_status(d));
	cr_assert_eq(1, s.calls);
	cr_assert_eq(1, s.status);
	debug_exit_destroy(d);
}

Test(debug_exit, status_is_value_shifted_left_with_low_bit_set)
{
	static const struct {
		int size;
		uint64_t v, want;
	} cases[] = {
	    {1, 0x01, 0x03},
	    {1, 0x7F, 0xFF},
	    {2, 0x1234, 0x2469},
	    {4, 0x80000000u, 0x100000001ull},
	    {4, 0xFFFFFFFFu, 0x1FFFFFFFFull},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct stops s = {0};
		struct debug_exit *d = mk(&s);
		cycles_t lat = 0;

		debug_exit_ops.write(d, 0, cases[i].size, cases[i].v, &lat);
		cr_expect_eq(cases[i].want, s.status, "v=%#lx: got %#lx",
			     (unsigned long)cases[i].v,
			     (unsigned long)s.status);
		debug_exit_destroy(d);
	}
}

Test(debug_exit, first_write_wins)
{
	struct stops s = {0};
	struct debug_exit *d = mk(&s);
	cycles_t lat = 0;

	debug_exit_ops.write(d, 0, 1, 2, &lat);
	debug_exit_ops.write(d, 0, 1, 9, &lat);
	cr_assert_eq(1, s.calls);
	cr_assert_eq(5, debug_exit_status(d));
	debug_exit_ops.reset(d);
	cr_assert_not(debug_exit_requested(d));
	debug_exit_destroy(d);
}

Test(debug_exit, writes_at_other_offsets_and_reads_do_nothing)
{
	struct stops s = {0};
	struct debug_exit *d = mk(&s);
	cycles_t lat = 0;
	uint64_t v = 0;

	cr_assert_eq(IO_BAD_REG, debug_exit_ops.write(d, 1, 1, 3, &lat));
	cr_assert_eq(IO_BAD_REG, debug_exit_ops.read(d, 0, 4, &v, &lat));
	cr_assert_eq(0, s.calls);
	cr_assert_not(debug_exit_requested(d));
	debug_exit_destroy(d);
}

Test(debug_exit, out_through_bus_at_port_f4_stops)
{
	struct stops s = {0};
	struct debug_exit *d = mk(&s);
	struct iobus bus = {0};
	uint64_t v = 0;

	cr_assert_eq(0, iobus_map(&bus, DEBUG_EXIT_PORT, DEBUG_EXIT_PORTS,
				  &debug_exit_ops, d));
	cr_assert_eq(IO_BAD_REG, iobus_read(&bus, 0xF4, 4, &v, NULL));
	cr_assert_eq(0xFFFFFFFFu, v);
	cr_assert_eq(IO_OK, iobus_write(&bus, 0xF4, 4, 0x10, NULL));
	cr_assert_eq(0x21, s.status);
	debug_exit_destroy(d);
}
