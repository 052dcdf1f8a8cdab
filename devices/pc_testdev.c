/*
 * devices/pc_testdev.c — QEMU's pc-testdev (hw/misc/pc-testdev.c in QEMU;
 * facts only), the ISA test device kvm-unit-tests style kernels use. The
 * layout is in devices/pc_testdev.h. What each part does:
 *
 * - Scratch register (0xE0..0xE3): 32 bits of storage. An access of size
 *   1, 2 or 4 at port 0xE0 + k reads or writes bytes k.. of it (little
 *   endian), so a test can check every width and lane. Accesses running
 *   past 0xE3 are split into bytes by the bus (devices/bus.c).
 * - Byte view (0xE8..0xEB): the same register; QEMU implements it one byte
 *   at a time, which gives the same result for our whole accesses.
 * - Flush page (0xE4, 4-byte writes only): the value is a GPA; QEMU
 *   mprotect()s the host mapping of that page so KVM must rebuild its
 *   view of the page on the next access. Our host-side view of a guest
 *   page is the decoded-instruction cache, so the page stops being code
 *   (physmem_note_write): the next fetch from it decodes afresh. Guest-
 *   visible memory is unchanged. A GPA outside RAM is ignored (counted).
 * - IRQ lines (0x2000 + n, n < 24, byte writes): set ISA IRQ n to
 *   (value != 0). They go to the irq_line the owner connected, if any.
 * - Device memory (0xFF000000, 64 KiB): reads return what was written, at
 *   1/2/4/8 bytes; it starts zeroed. physmem calls us only with whole
 *   accesses inside the window (mmu/physmem.c).
 *
 * Latency: 0 — every access is a register or a memcpy in the VM Worker;
 * the intercept and its forwarding are charged by hv/ (STYLE.md §9).
 * Wrong sizes and offsets read all ones and drop writes (counted), never
 * abort. Called through the partition's port bus and physmem; attached by
 * the VM Worker (partitions/).
 */
#include <stdlib.h>
#include <string.h>

#include "devices/pc_testdev.h"

#define SCRATCH_LEN 4
#define FLUSH_LEN   4
#define PAGE_BYTES  4096ull

struct pc_testdev {
	struct physmem *mem;
	uint32_t scratch;
	uint8_t irq_level[PC_TESTDEV_IRQ_LINES];
	struct irq_line isa; /* fn NULL: not connected */
	struct pc_testdev_stats st;
	uint8_t iomem[PC_TESTDEV_IOMEM_SIZE];
};

static uint64_t size_mask(int size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static bool io_size(int size)
{
	return size == 1 || size == 2 || size == 4;
}

/* ---- scratch register (0xE0 and its byte view 0xE8) -------------------- */

static enum io_status scratch_read(void *opaque, uint64_t off, int size,
				   uint64_t *val, cycles_t *lat)
{
	struct pc_testdev *d = opaque;

	(void)lat;
	if (!io_size(size) || off + (uint64_t)size > SCRATCH_LEN) {
		d->st.bad_accesses++;
		*val = ~0ull;
		return IO_BAD_SIZE;
	}
	*val = (d->scratch >> (8 * off)) & size_mask(size);
	return IO_OK;
}

static enum io_status scratch_write(void *opaque, uint64_t off, int size,
				    uint64_t val, cycles_t *lat)
{
	struct pc_testdev *d = opaque;
	uint32_t mask;

	(void)lat;
	if (!io_size(size) || off + (uint64_t)size > SCRATCH_LEN) {
		d->st.bad_accesses++;
		return IO_BAD_SIZE;
	}
	mask = (uint32_t)(size_mask(size) << (8 * off));
	d->scratch =
	    (d->scratch & ~mask) | ((uint32_t)(val << (8 * off)) & mask);
	return IO_OK;
}

static void testdev_reset(void *opaque)
{
	struct pc_testdev *d = opaque;

	d->scratch = 0;
	for (unsigned n = 0; n < PC_TESTDEV_IRQ_LINES; n++) {
		if (d->irq_level[n] && d->isa.fn)
			d->isa.fn(d->isa.opaque, (int)n, 0);
		d->irq_level[n] = 0;
	}
	memset(d->iomem, 0, sizeof(d->iomem));
}

static const struct dev_ops scratch_ops = {
    .name = "pc-testdev-ioport",
    .read = scratch_read,
    .write = scratch_write,
    .reset = testdev_reset,
};

/* The byte view shares the register; reset is the main range's job. */
static const struct dev_ops scratch_byte_ops = {
    .name = "pc-testdev-ioport-byte",
    .read = scratch_read,
    .write = scratch_write,
};

/* ---- flush page (0xE4) ----------------------------------------------------
 */

/* Write-only: reads are open bus. */
static enum io_status no_read(void *opaque, uint64_t off, int size,
			      uint64_t *val, cycles_t *lat)
{
	struct pc_testdev *d = opaque;

	(void)off, (void)size, (void)lat;
	d->st.bad_accesses++;
	*val = ~0ull;
	return IO_BAD_REG;
}

static enum io_status flush_write(void *opaque, uint64_t off, int size,
				  uint64_t val, cycles_t *lat)
{
	struct pc_testdev *d = opaque;
	uint64_t page = (val & 0xFFFFFFFFull) & ~(PAGE_BYTES - 1);

	(void)lat;
	if (off != 0 || size != FLUSH_LEN) {
		d->st.bad_accesses++;
		return off != 0 ? IO_BAD_REG : IO_BAD_SIZE;
	}
	if (!physmem_ram_ptr(d->mem, page, PAGE_BYTES)) {
		d->st.bad_flushes++;
		return IO_OK;
	}
	physmem_note_write(d->mem, page, PAGE_BYTES);
	d->st.flushes++;
	return IO_OK;
}

static const struct dev_ops flush_ops = {
    .name = "pc-testdev-flush-page",
    .read = no_read,
    .write = flush_write,
};

/* ---- IRQ lines (0x2000) ----------------------------------------------------
 */

static enum io_status irq_write(void *opaque, uint64_t off, int size,
				uint64_t val, cycles_t *lat)
{
	struct pc_testdev *d = opaque;
	uint8_t level = val != 0;

	(void)lat;
	if (size != 1 || off >= PC_TESTDEV_IRQ_LINES) {
		d->st.bad_accesses++;
		return IO_BAD_SIZE; /* the bus splits it into byte writes */
	}
	d->irq_level[off] = level;
	if (d->isa.fn)
		d->isa.fn(d->isa.opaque, (int)off, level);
	return IO_OK;
}

static const struct dev_ops irq_ops = {
    .name = "pc-testdev-irq-line",
    .read = no_read,
    .write = irq_write,
};

/* ---- device memory (0xFF000000) --------------------------------------------
 */

static bool iomem_fits(uint64_t off, int size)
{
	return size >= 1 && size <= 8 && off < PC_TESTDEV_IOMEM_SIZE &&
	       (uint64_t)size <= PC_TESTDEV_IOMEM_SIZE - off;
}

static uint64_t iomem_read(void *opaque, uint64_t off, int size)
{
	struct pc_testdev *d = opaque;
	uint64_t v = 0;

	if (!iomem_fits(off, size)) {
		d->st.bad_accesses++;
		return ~0ull;
	}
	memcpy(&v, &d->iomem[off], (size_t)size); /* little-endian host */
	return v;
}

static void iomem_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct pc_testdev *d = opaque;

	if (!iomem_fits(off, size)) {
		d->st.bad_accesses++;
		return;
	}
	memcpy(&d->iomem[off], &val, (size_t)size);
}

static const struct mmio_ops iomem_ops = {
    .name = "pc-testdev-iomem",
    .read = iomem_read,
    .write = iomem_write,
};

/* ---- attach
 * ------------------------------------------------------------------ */

static const struct {
	uint16_t base, len;
	const struct dev_ops *ops;
} port_map[] = {
    {PC_TESTDEV_PORT_SCRATCH, SCRATCH_LEN, &scratch_ops},
    {PC_TESTDEV_PORT_FLUSH, FLUSH_LEN, &flush_ops},
    {PC_TESTDEV_PORT_BYTE, SCRATCH_LEN, &scratch_byte_ops},
    {PC_TESTDEV_PORT_IRQ, PC_TESTDEV_IRQ_LINES, &irq_ops},
};
#define NR_PORT_RANGES (sizeof(port_map) / sizeof(port_map[0]))

/* Neither the bus nor physmem can unmap, so everything that could fail is
 * checked before anything is mapped: room and free ports on the bus. */
static bool ports_free(const struct iobus *bus)
{
	if (bus->n + (int)NR_PORT_RANGES > IOBUS_MAX)
		return false;
	for (size_t i = 0; i < NR_PORT_RANGES; i++) {
		uint32_t b = port_map[i].base, e = b + port_map[i].len;
		for (int j = 0; j < bus->n; j++) {
			uint32_t rb = bus->r[j].base, re = rb + bus->r[j].len;
			if (b < re && rb < e)
				return false;
		}
	}
	return true;
}

struct pc_testdev *pc_testdev_attach(struct iobus *bus, struct physmem *mem)
{
	struct pc_testdev *d;

	if (!bus || !mem || !ports_free(bus))
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->mem = mem;
	if (physmem_map_mmio(mem, PC_TESTDEV_IOMEM_BASE, PC_TESTDEV_IOMEM_SIZE,
			     &iomem_ops, d) < 0) {
		free(d);
		return NULL;
	}
	for (size_t i = 0; i < NR_PORT_RANGES; i++)
		iobus_map(bus, port_map[i].base, port_map[i].len,
			  port_map[i].ops, d); /* checked free above */
	return d;
}

void pc_testdev_destroy(struct pc_testdev *d)
{
	free(d);
}

void pc_testdev_connect_irq(struct pc_testdev *d, const struct irq_line *isa)
{
	d->isa = isa ? *isa : (struct irq_line){0};
}

int pc_testdev_irq_level(const struct pc_testdev *d, unsigned line)
{
	return line < PC_TESTDEV_IRQ_LINES ? d->irq_level[line] : -1;
}

const struct pc_testdev_stats *pc_testdev_stats(const struct pc_testdev *d)
{
	return &d->st;
}
