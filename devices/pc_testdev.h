/*
 * devices/pc_testdev.h — QEMU's pc-testdev, which third-party test
 * kernels (kvm-unit-tests style) rely on: a 32-bit scratch register at
 * I/O port 0xE0, the port at 0xE4, and a 64 KiB RAM-like MMIO window at
 * 0xFF000000. Attached to a partition by its VM Worker when the scenario
 * (or `hvsim run --testdev`) asks for it.
 *
 * The whole device, as QEMU lays it out:
 *   0xE0..0xE3    scratch register, any byte lane, sizes 1/2/4
 *   0xE4          "flush page": a 4-byte write of a GPA drops the host's
 *                 cached view of that guest page (see pc_testdev.c)
 *   0xE8..0xEB    the same scratch register, byte-implemented view
 *   0x2000..0x2017 ISA IRQ lines 0..23: a byte write sets line n's level
 *   0xFF000000    64 KiB of device memory, 1/2/4/8-byte accesses
 */
#ifndef HVSIM_DEVICES_PC_TESTDEV_H_
#define HVSIM_DEVICES_PC_TESTDEV_H_

#include "devices/dev.h"
#include "mmu/mmu.h"

#define PC_TESTDEV_PORT_SCRATCH 0xE0
#define PC_TESTDEV_PORT_E4	0xE4
#define PC_TESTDEV_PORT_FLUSH	PC_TESTDEV_PORT_E4
#define PC_TESTDEV_PORT_BYTE	0xE8
#define PC_TESTDEV_PORT_IRQ	0x2000
#define PC_TESTDEV_IRQ_LINES	24
#define PC_TESTDEV_IOMEM_BASE	0xFF000000ull
#define PC_TESTDEV_IOMEM_SIZE	0x10000ull

struct pc_testdev;

/* Register the ports on `bus` and the window in `mem`. NULL on failure
 * (out of memory, ports or range taken). Neither the bus nor physmem can
 * unmap: destroy the device only once they are no longer used. */
struct pc_testdev *pc_testdev_attach(struct iobus *bus, struct physmem *mem);
void pc_testdev_destroy(struct pc_testdev *d);

/* Where the IRQ lines go: line n calls isa->fn(isa->opaque, n, level).
 * With none connected (the default: a partition has no ISA interrupt
 * controller yet) the levels are only recorded. */
void pc_testdev_connect_irq(struct pc_testdev *d, const struct irq_line *isa);
int pc_testdev_irq_level(const struct pc_testdev *d, unsigned line);

struct pc_testdev_stats {
	uint64_t flushes;      /* flush-page writes of a page in RAM */
	uint64_t bad_flushes;  /* of a GPA outside RAM (ignored) */
	uint64_t bad_accesses; /* wrong size/offset, dropped */
};
const struct pc_testdev_stats *pc_testdev_stats(const struct pc_testdev *d);

#endif
