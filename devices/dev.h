/*
 * devices/dev.h — the device interface and the port-I/O bus.
 *
 * A device is one .c file with a private state struct and a static const
 * `struct dev_ops`. It is mapped on a bus by (base, length, ops, opaque);
 * the bus rejects overlaps and passes offsets from the base, not absolute
 * ports (STYLE.md §8). Handlers return a status and may add a latency in
 * cycles that the caller charges (STYLE.md §9). Guest input never aborts.
 */
#ifndef HVSIM_DEVICES_DEV_H_
#define HVSIM_DEVICES_DEV_H_

#include <stdint.h>

typedef uint64_t cycles_t;

enum io_status {
	IO_OK = 0,
	IO_BAD_REG,  /* no such register: reads all ones, writes dropped */
	IO_BAD_SIZE, /* access size not supported by the register */
	IO_DEFER,    /* completes later (event queue) */
};

struct dev_ops {
	const char *name;
	enum io_status (*read)(void *opaque, uint64_t off, int size,
			       uint64_t *val, cycles_t *lat);
	enum io_status (*write)(void *opaque, uint64_t off, int size,
				uint64_t val, cycles_t *lat);
	void (*reset)(void *opaque); /* may be NULL */
};

/* An interrupt line: the device calls fn(opaque, line, level). */
struct irq_line {
	void (*fn)(void *opaque, int line, int level);
	void *opaque;
	int line;
};

static inline void irq_set(const struct irq_line *irq, int level)
{
	if (irq->fn)
		irq->fn(irq->opaque, irq->line, level);
}

/* ---- port-I/O bus ------------------------------------------------------ */

#define IOBUS_MAX 32

struct iobus_range {
	uint16_t base, len;
	const struct dev_ops *ops;
	void *opaque;
};

struct iobus {
	struct iobus_range r[IOBUS_MAX];
	int n;
};

/* Map [base, base+len). Returns -1 on overlap or a full bus. */
int iobus_map(struct iobus *bus, uint16_t base, uint16_t len,
	      const struct dev_ops *ops, void *opaque);
/* Dispatch; unmapped ports read all ones and drop writes (IO_BAD_REG). */
enum io_status iobus_read(struct iobus *bus, uint16_t port, int size,
			  uint64_t *val, cycles_t *lat);
enum io_status iobus_write(struct iobus *bus, uint16_t port, int size,
			   uint64_t val, cycles_t *lat);

#endif
