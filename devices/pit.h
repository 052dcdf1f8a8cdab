/*
 * devices/pit.h — the 8254 programmable interval timer (Intel 8254 data
 * sheet) at ports 0x40-0x43, and port 0x61 (NMI status and control: the
 * channel 2 gate and speaker enable, channel 2's output, the refresh
 * toggle), as on PCs.
 *
 * Three channels on a 1.193182 MHz input clock. Channel 0's output is
 * ISA IRQ 0 (cfg.irq0: a pulse at each rising edge), channel 1 is unused
 * (refresh), channel 2's gate is port 0x61 bit 0 and its output port 0x61
 * bit 5 (Linux's TSC calibration polls it). Control words: counter
 * latch, read-back (count and status), RW modes LSB / MSB / LSB-then-MSB.
 * Modes: 0 (interrupt on terminal count), 2 (rate generator), 3 (square
 * wave) as the data sheet says; 1 and 5 start on a gate rising edge
 * (channel 2 only; channels 0 and 1 have their gates tied high), 4 is a
 * software strobe. Simplifications: a count written while a channel
 * counts restarts it at once (the data sheet lets modes 2 and 3 finish
 * the period), BCD counting is stored in the status but counts in binary.
 *
 * Time is deterministic: the counter is a function of the cycle the
 * count was loaded at and the cycle now (dev_clock.h); the input clock's
 * edges are at fixed cycles (tick k at the first cycle where
 * cycles * 1193182 / hz >= k).
 */
#ifndef HVSIM_DEVICES_PIT_H_
#define HVSIM_DEVICES_PIT_H_

#include <stdbool.h>
#include <stdint.h>

#include "devices/dev.h"
#include "devices/dev_clock.h"

#define PIT_PORT      0x40
#define PIT_PORTS     4
#define PIT_NMI_PORT  0x61
#define PIT_HZ	      1193182u

struct pit_config {
	struct dev_clock clock;
	struct irq_line irq0; /* channel 0's output: ISA IRQ 0 */
};

struct pit;

/* opaque = struct pit *: pit_ops at 0x40 (4 ports), pit_nmi_ops at 0x61. */
extern const struct dev_ops pit_ops, pit_nmi_ops;

struct pit *pit_create(const struct pit_config *cfg);
void pit_destroy(struct pit *p); /* cancels its timer */
void pit_reset(struct pit *p);

/* Channel `ch`'s count and output now (tests, debugging). */
uint16_t pit_count(struct pit *p, int ch);
bool pit_output(struct pit *p, int ch);
/* IRQ 0 pulses sent so far. */
uint64_t pit_irq0_count(const struct pit *p);

#endif
