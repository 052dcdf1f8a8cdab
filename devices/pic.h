/*
 * devices/pic.h — the PC's two 8259A programmable interrupt controllers
 * (Intel 8259A data sheet), master at ports 0x20/0x21 and slave at
 * 0xA0/0xA1 cascaded on the master's IR2, plus the edge/level control
 * registers (ELCR) at 0x4D0/0x4D1 (PIIX/ICH chipsets).
 *
 * Per chip: initialisation (ICW1 on the even port with bit 4, then ICW2
 * the vector base, ICW3 if cascaded, ICW4 if ICW1 asked: auto-EOI),
 * OCW1 (the mask, odd port), OCW2 (EOI: non-specific, specific, with or
 * without rotation; set priority), OCW3 (read IRR or ISR, poll command,
 * special mask mode). Priorities rotate as the data sheet describes.
 * Inputs: pic_set_irq(0..15, level); an input is edge-triggered (a rising
 * edge latches IRR) unless its ELCR bit or ICW1.LTIM says level (IRR
 * follows the line). IRQs 0, 1, 2, 8 and 13 are always edge (their ELCR
 * bits are reserved).
 *
 * Output: pic_intr() says whether the master's INTR is asserted, and
 * cfg.intr_changed reports each change; pic_ack() is the interrupt
 * acknowledge cycle (returns the vector; a request that went away gives
 * the spurious IRQ 7 / IRQ 15 vector without setting ISR). In hvsim the
 * INTR output is not connected to a vCPU yet (the local APIC's ExtINT
 * path is not modelled): a guest that uses the I/O APIC, as Linux does
 * with our MADT, masks the 8259s and never needs it.
 */
#ifndef HVSIM_DEVICES_PIC_H_
#define HVSIM_DEVICES_PIC_H_

#include <stdbool.h>
#include <stdint.h>

#include "devices/dev.h"

#define PIC_MASTER_PORT 0x20
#define PIC_SLAVE_PORT	0xA0
#define PIC_ELCR_PORT	0x4D0
#define PIC_CASCADE_IRQ 2

struct pic_config {
	void (*intr_changed)(void *opaque, bool level); /* may be NULL */
	void *opaque;
};

struct pic;

/* opaque = struct pic *; map pic_master_ops at 0x20 (2 ports),
 * pic_slave_ops at 0xA0 (2), pic_elcr_ops at 0x4D0 (2). */
extern const struct dev_ops pic_master_ops, pic_slave_ops, pic_elcr_ops;

struct pic *pic_create(const struct pic_config *cfg);
void pic_destroy(struct pic *p);
void pic_reset(struct pic *p);

void pic_set_irq(struct pic *p, unsigned irq, bool level);
bool pic_intr(const struct pic *p);
int pic_ack(struct pic *p);
/* The masks (OCW1) of both chips: master in bits 7:0, slave in 15:8. */
uint16_t pic_imr(const struct pic *p);

#endif
