/*
 * devices/uart16550.h — a National Semiconductor PC16550D UART (COM1-style).
 *
 * Eight byte-wide registers, mapped with iobus_map(bus, 0x3F8, UART16550_PORTS,
 * &uart16550_ops, uart). Transmitted bytes go to a sink callback (the
 * terminal or a --serial file); received bytes are queued by the owner with
 * uart16550_input(). The interrupt output drives an irq_line.
 */
#ifndef HVSIM_DEVICES_UART16550_H_
#define HVSIM_DEVICES_UART16550_H_

#include <stddef.h>
#include <stdint.h>

#include "devices/dev.h"

#define UART16550_PORTS 8
#define UART16550_COM1	0x3F8

struct uart16550;

/* Receives every transmitted byte, in order (not called in loopback). */
typedef void uart16550_sink_fn(void *opaque, uint8_t byte);

extern const struct dev_ops uart16550_ops;

/* `sink` may be NULL (output discarded); `irq` may be NULL (no line). */
struct uart16550 *uart16550_create(uart16550_sink_fn *sink, void *sink_opaque,
				   const struct irq_line *irq);
void uart16550_destroy(struct uart16550 *u);

/* Queue received bytes (the far end typing). Returns how many were taken;
 * the host-side queue holds UART16550_RXQ bytes. */
#define UART16550_RXQ 256
size_t uart16550_input(struct uart16550 *u, const uint8_t *buf, size_t n);

/* Level of the interrupt output as the line currently sees it. */
int uart16550_irq_level(const struct uart16550 *u);

#endif
