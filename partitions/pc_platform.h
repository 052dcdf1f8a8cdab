/*
 * partitions/pc_platform.h — the PC platform a VM Worker gives a child
 * (setting `platform = pc`, the default): the ACPI tables in its RAM
 * (devices/acpi.h) and the devices a Linux boot touches — the 8259 pair
 * and ELCR, the 8254 PIT and port 0x61, the CMOS RTC, the ACPI PM block
 * on the partition's port bus, and the I/O APIC's MMIO page at
 * 0xFEC00000.
 *
 * Wiring, as on a PC: ISA IRQ n goes to 8259 input n and I/O APIC pin n,
 * except IRQ 0 (the PIT) which is pin 2 (the MADT's override); the SCI is
 * IRQ 9. The I/O APIC's messages go to the partition's local APICs
 * (hv_part_deliver_irq) and their EOI broadcasts come back to it. The
 * 8259's INTR output is not connected (pic.h). Port accesses are
 * forwarded intercepts emulated on the parent's vCPUs like the other
 * legacy devices; the I/O APIC page is emulated synchronously and
 * charged as an MMIO exit (like the xAPIC page). The devices' time is
 * the partition's (the later of its vCPUs' clocks and the event queue's
 * time); their timers are events on the machine's event queue.
 * The tables go into RAM at creation and after every reset (the RAM is
 * zeroed), before the kernel is loaded.
 */
#ifndef HVSIM_PARTITIONS_PC_PLATFORM_H_
#define HVSIM_PARTITIONS_PC_PLATFORM_H_

#include <stdint.h>

#include "devices/acpi.h"
#include "devices/dev.h"
#include "hv/hv.h"

struct pc_platform_config {
	struct hv *hv;
	struct hv_part *part;
	struct iobus *bus;  /* the partition's port bus */
	int64_t start_time; /* the RTC's Unix time at cycle 0 */
	/* The guest wrote SLP_EN with S5 (ACPI power-off). */
	void (*power_off)(void *opaque);
	void *opaque;
};

struct pc_platform;

/* Create the devices, map them and install the ACPI tables. NULL when
 * out of memory, or if the ports or the MMIO page are taken or the RAM
 * does not cover the ACPI region (a message says which). */
struct pc_platform *pc_platform_create(const struct pc_platform_config *c);
void pc_platform_destroy(struct pc_platform *p);
/* After a partition reset: the I/O APIC to power-on (the port devices
 * are reset through the bus) and the tables written again. 0 or -1. */
int pc_platform_reset(struct pc_platform *p);
/* ISA IRQ `irq` (0..15) as a line for a device the worker owns (COM1 is
 * IRQ 4): to the 8259s and the I/O APIC like the platform's own. */
struct irq_line pc_platform_isa_irq(struct pc_platform *p, unsigned irq);
/* Where the tables are (the boot loader passes rsdp to the kernel and
 * reserves the region in the memory map). */
const struct acpi_layout *pc_platform_acpi(const struct pc_platform *p);

#endif
