/*
 * devices/acpi.h — the ACPI tables of one child partition (ACPI 6.4 ch. 5),
 * built into a buffer and copied into the guest's RAM below 1 MiB:
 *
 *   RSDP (revision 2, at ACPI_RSDP_GPA, where Linux's legacy scan of
 *        0xE0000-0xFFFFF also finds it) → RSDT and XSDT → FADT and MADT;
 *   FADT (revision 6.0, not hardware-reduced): PM1a event/control and the
 *        PM timer at the PM block's ports (devices/acpi_pm.h), the SCI on
 *        ISA IRQ 9, FACS and DSDT; boot flags: legacy devices (PIT, PIC,
 *        RTC) present, no 8042, no VGA;
 *   MADT: one local APIC per vCPU (processor UID = APIC ID = vCPU index,
 *        as hv/vapic.c numbers them), LINT1 = NMI on every CPU, one I/O
 *        APIC (devices/ioapic.h) with GSI base 0, the PC's interrupt
 *        source overrides (ISA IRQ 0 → GSI 2; IRQ 9, the SCI, level-
 *        triggered active high), PCAT_COMPAT (the 8259 pair exists);
 *   DSDT: \_S5 (SLP_TYP ACPI_SLP_TYP_S5) and \_SB.VMBS, the VMBus device
 *        (_HID "VMBus", _UID 0, _DDN, _STA, and a _CRS that Linux's
 *        vmbus_acpi walks: one IRQNoFlags, ignored on x86), in AML from
 *        devices/acpi_aml.h.
 *
 * Every table's checksum makes its bytes sum to 0. The whole region
 * [ACPI_REGION_BASE, +ACPI_REGION_SIZE) is what a boot memory map must
 * mark reserved (e820 type 2, or 3 "ACPI" for the tables).
 */
#ifndef HVSIM_DEVICES_ACPI_H_
#define HVSIM_DEVICES_ACPI_H_

#include <stddef.h>
#include <stdint.h>

struct physmem;

/* The region: the legacy BIOS area 0xE0000-0xFFFFF (128 KiB). */
#define ACPI_REGION_BASE 0xE0000ull
#define ACPI_REGION_SIZE 0x20000ull
#define ACPI_RSDP_GPA	 ACPI_REGION_BASE

/* The PM block (devices/acpi_pm.h): PM1a_EVT (4 bytes: status, enable),
 * PM1a_CNT (2 bytes), PM_TMR (4 bytes), at Hyper-V Gen1's PIIX4 base. */
#define ACPI_PM_BASE	 0x400u
#define ACPI_PM1_EVT	 (ACPI_PM_BASE + 0)
#define ACPI_PM1_CNT	 (ACPI_PM_BASE + 4)
#define ACPI_PM_TMR	 (ACPI_PM_BASE + 8)
#define ACPI_PM_LEN	 12u
#define ACPI_SCI_IRQ	 9u
/* The SLP_TYP value \_S5 names, which the PM block takes as "power off". */
#define ACPI_SLP_TYP_S5	 5u

#define ACPI_MAX_CPUS 64

struct acpi_config {
	unsigned nr_cpus;     /* 1..ACPI_MAX_CPUS local APICs, IDs 0..n-1 */
	uint64_t ioapic_base; /* its MMIO address (devices/ioapic.h) */
	uint8_t ioapic_id;    /* its APIC ID (after the CPUs' IDs) */
};

/* Where the tables went (GPAs). */
struct acpi_layout {
	uint64_t rsdp, rsdt, xsdt, fadt, facs, madt, dsdt;
	uint64_t region_base, region_size; /* reserve this for the guest */
	size_t used;			   /* bytes of the region in use */
};

/* Build the tables as they will lie at ACPI_REGION_BASE into buf (at
 * least ACPI_REGION_SIZE bytes; zeroed first). 0, or -1 for a bad config
 * (no CPUs, too many) or an AML overflow. */
int acpi_build(uint8_t *buf, size_t len, const struct acpi_config *cfg,
	       struct acpi_layout *out);
/* acpi_build, then copy into the partition's RAM, which must cover the
 * region (-1 otherwise). */
int acpi_install(struct physmem *pm, const struct acpi_config *cfg,
		 struct acpi_layout *out);

/* The byte sum of [p, p+n) (a table is valid when it is 0). */
uint8_t acpi_sum(const uint8_t *p, size_t n);

#endif
