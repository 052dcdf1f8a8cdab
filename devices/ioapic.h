/*
 * devices/ioapic.h — an I/O APIC (Intel 82093AA data sheet) with 24 input
 * pins, as on PCs: the ISA IRQs 0-15 (IRQ 0 on pin 2, devices/acpi.h's
 * MADT override) and the SCI on pin 9.
 *
 * MMIO page at IOAPIC_DEFAULT_BASE: IOREGSEL (+0x00, the register index)
 * and IOWIN (+0x10, 32-bit window). Registers: 0x00 ID (bits 27:24),
 * 0x01 version (0x11, maximum redirection entry 23), 0x02 arbitration ID,
 * 0x10 + 2n / 0x11 + 2n the low / high half of redirection entry n:
 * vector, delivery mode, destination mode, delivery status (RO), polarity,
 * remote IRR (RO), trigger mode, mask, destination (bits 63:56).
 *
 * Inputs: ioapic_set_irq(pin, level) with the line's electrical level;
 * an active-low entry inverts it. Edge-triggered: a rising edge of an
 * unmasked pin sends the entry's message; edges of a masked pin are lost.
 * Level-triggered: an asserted, unmasked pin with remote IRR clear sends
 * the message and sets remote IRR; the EOI broadcast of that vector
 * (ioapic_eoi, from the local APICs) clears it, and a pin still asserted
 * sends again. Unmasking an asserted level pin sends it; rewriting an
 * entry as edge-triggered clears remote IRR (the version-0x11 way Linux
 * uses to acknowledge a level interrupt without an EOI register).
 * Messages leave through cfg.deliver; the owner routes them to the local
 * APICs (hv_part_deliver_irq).
 */
#ifndef HVSIM_DEVICES_IOAPIC_H_
#define HVSIM_DEVICES_IOAPIC_H_

#include <stdbool.h>
#include <stdint.h>

#include "mmu/mmu.h"

#define IOAPIC_DEFAULT_BASE 0xFEC00000ull
#define IOAPIC_MMIO_SIZE    0x1000ull
#define IOAPIC_PINS	    24
#define IOAPIC_VERSION	    0x11u

/* Redirection entry bits (low dword). */
#define IOAPIC_RTE_DEST_LOGICAL (1u << 11)
#define IOAPIC_RTE_PENDING	(1u << 12) /* delivery status */
#define IOAPIC_RTE_ACTIVE_LOW	(1u << 13)
#define IOAPIC_RTE_REMOTE_IRR	(1u << 14)
#define IOAPIC_RTE_LEVEL	(1u << 15)
#define IOAPIC_RTE_MASKED	(1u << 16)

/* One interrupt message, in the fields of the local APIC's ICR. */
struct ioapic_msg {
	uint8_t dest;
	int dest_mode; /* 0 physical, 1 logical */
	int delivery;  /* 0 fixed, 1 lowest priority, ... (lapic.h) */
	uint8_t vector;
	bool level;
};

struct ioapic_config {
	uint8_t id;
	/* Send a message; returns how many APICs took it. */
	unsigned (*deliver)(void *opaque, const struct ioapic_msg *m);
	void *opaque;
};

struct ioapic_stats {
	uint64_t sent, lost_masked, eois;
};

struct ioapic;

/* opaque = struct ioapic *. 32-bit accesses to IOWIN; any size at
 * IOREGSEL; the rest of the page reads 0 and drops writes. */
extern const struct mmio_ops ioapic_mmio_ops;

struct ioapic *ioapic_create(const struct ioapic_config *cfg);
void ioapic_destroy(struct ioapic *io);
/* Power-on: every entry masked, edge, active high, vector 0. */
void ioapic_reset(struct ioapic *io);

/* Input pin `pin` at electrical level `level` (pins >= 24 are ignored). */
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);
/* EOI broadcast of `vector` from a local APIC. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);
/* Redirection entry n, both halves (tests, debugging); 0 for n >= 24. */
uint64_t ioapic_rte(const struct ioapic *io, unsigned n);
const struct ioapic_stats *ioapic_stats(const struct ioapic *io);

#endif
