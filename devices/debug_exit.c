/*
 * devices/debug_exit.c — the debug-exit port, as QEMU's isa-debug-exit
 * (iobase 0xF4, iosize 4) defines it; there is no Intel SDM counterpart,
 * it is a test device (docs/BOOT.md, "Devices every guest sees").
 *
 * A write of v at offset 0 (any width 1/2/4, zero-extended) requests the end
 * of the run with status (v << 1) | 1, which is always odd, so it never
 * collides with hvsim's own statuses. The first write wins: the CPU stops
 * at the next instruction boundary, and a later write in the same
 * instruction cannot change the status. Writes at offsets 1..3 are dropped
 * (IO_BAD_REG); reads return all ones (IO_BAD_REG), the register being
 * write-only. Latency: DEBUG_EXIT_ACCESS_CYCLES (it ends the run anyway).
 */
#include <stdlib.h>

#include "devices/debug_exit.h"

/* The run ends at this write; nothing after it is timed. */
#define DEBUG_EXIT_ACCESS_CYCLES 0

struct debug_exit {
	debug_exit_stop_fn *stop;
	void *opaque;
	bool requested;
	uint64_t status;
};

static enum io_status debug_exit_read(void *opaque, uint64_t off, int size,
				      uint64_t *val, cycles_t *lat)
{
	(void)opaque;
	(void)off;
	(void)size;
	(void)lat;
	*val = ~0ull;
	return IO_BAD_REG;
}

static enum io_status debug_exit_write(void *opaque, uint64_t off, int size,
				       uint64_t val, cycles_t *lat)
{
	struct debug_exit *d = opaque;

	if (off != 0)
		return IO_BAD_REG;
	if (size != 1 && size != 2 && size != 4)
		return IO_BAD_SIZE;
	*lat += DEBUG_EXIT_ACCESS_CYCLES;
	if (d->requested)
		return IO_OK;
	d->requested = true;
	d->status = ((val & 0xFFFFFFFFull) << 1) | 1;
	if (d->stop)
		d->stop(d->opaque, d->status);
	return IO_OK;
}

static void debug_exit_reset(void *opaque)
{
	struct debug_exit *d = opaque;

	d->requested = false;
	d->status = 0;
}

const struct dev_ops debug_exit_ops = {
    .name = "debug-exit",
    .read = debug_exit_read,
    .write = debug_exit_write,
    .reset = debug_exit_reset,
};

struct debug_exit *debug_exit_create(debug_exit_stop_fn *stop, void *opaque)
{
	struct debug_exit *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->stop = stop;
	d->opaque = opaque;
	return d;
}

void debug_exit_destroy(struct debug_exit *d)
{
	free(d);
}

bool debug_exit_requested(const struct debug_exit *d)
{
	return d->requested;
}

uint64_t debug_exit_status(const struct debug_exit *d)
{
	return d->status;
}
