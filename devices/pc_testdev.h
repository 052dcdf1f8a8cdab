/*
 * devices/pc_testdev.h — QEMU's pc-testdev, which third-party test
 * kernels (kvm-unit-tests style) rely on: a 32-bit scratch register at
 * I/O port 0xE0, the port at 0xE4, and a 64 KiB RAM-like MMIO window at
 * 0xFF000000. Attached to a partition by its VM Worker when the scenario
 * (or `hvsim run --testdev`) asks for it.
 */
#ifndef HVSIM_DEVICES_PC_TESTDEV_H_
#define HVSIM_DEVICES_PC_TESTDEV_H_

#include "devices/dev.h"
#include "mmu/mmu.h"

#define PC_TESTDEV_PORT_SCRATCH 0xE0
#define PC_TESTDEV_PORT_E4	0xE4
#define PC_TESTDEV_IOMEM_BASE	0xFF000000ull
#define PC_TESTDEV_IOMEM_SIZE	0x10000ull

struct pc_testdev;

/* Register the ports on `bus` and the window in `mem`. NULL on failure
 * (out of memory, ports or range taken). */
struct pc_testdev *pc_testdev_attach(struct iobus *bus, struct physmem *mem);
void pc_testdev_destroy(struct pc_testdev *d);

#endif
