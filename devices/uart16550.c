/*
 * devices/uart16550.c — PC16550D UART (National Semiconductor data sheet,
 * "PC16550D Universal Asynchronous Receiver/Transmitter with FIFOs", the
 * register summary in table II and the interrupt table in table IV).
 *
 * Registers (offset, DLAB): 0 RBR/THR (DLL), 1 IER (DLM), 2 IIR/FCR, 3 LCR,
 * 4 MCR, 5 LSR, 6 MSR, 7 SCR; all byte-wide (wider accesses return
 * IO_BAD_SIZE and the bus splits them, as an ISA bridge does).
 *
 * Model choices (no bit timing is simulated):
 *  - The transmitter is infinitely fast: a THR write goes to the sink at
 *    once, so LSR.THRE and LSR.TEMT always read 1 and polling guests never
 *    wait. The THRE interrupt re-arms after every THR write, as it does on
 *    the chip once the byte moves to the shift register.
 *  - Receive: bytes queued by uart16550_input() wait host-side (the far end
 *    holding them back); the first `cap` of them are "in the chip" (16 with
 *    FCR0=1, else the 1-byte holding register). Loopback bytes that find the
 *    receiver full are lost and set LSR.OE. The FIFO character timeout is
 *    taken as already elapsed.
 *  - Lines from the far end: CTS, DSR and DCD asserted (a terminal is
 *    attached). In loopback they follow MCR as the data sheet says.
 *  - The interrupt output reaches the line only with MCR.OUT2 set and
 *    loopback off: on the PC, OUT2 gates the INTR pin to the interrupt
 *    controller, and loopback forces OUT2 inactive.
 * Guest input never aborts: unknown bits read 0, read-only registers drop
 * writes. Latency: UART16550_ACCESS_CYCLES per register access.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "devices/uart16550.h"

/*
 * Cycles to emulate one register access (decode + state update), on top of
 * the intercept (exit + entry) the caller charges. An assumption, [U] in the
 * sense of ../shared/reference/performance.md, until docs/COSTS.md measures
 * the handler.
 */
#define UART16550_ACCESS_CYCLES 150

/* Divisor after reset: the data sheet leaves it undefined; 0x000C is the
 * 9600-baud value PC firmware programs. */
#define UART_RESET_DIVISOR 0x000C

/* IER bits */
#define IER_ERBFI 0x01 /* received data available */
#define IER_ETBEI 0x02 /* transmitter holding register empty */
#define IER_ELSI  0x04 /* receiver line status */
#define IER_EDSSI 0x08 /* modem status */
#define IER_MASK  0x0F

/* IIR values: bit 0 = 0 means "interrupt pending"; bits 3:1 say which. */
#define IIR_NONE    0x01
#define IIR_RLS	    0x06
#define IIR_RDA	    0x04
#define IIR_CTI	    0x0C
#define IIR_THRE    0x02
#define IIR_MSI	    0x00
#define IIR_FIFO_ON 0xC0

/* FCR bits */
#define FCR_ENABLE     0x01
#define FCR_RX_RESET   0x02
#define FCR_TRIGGER(v) (((v) >> 6) & 3)

/* LCR / MCR bits */
#define LCR_DLAB 0x80
#define MCR_DTR	 0x01
#define MCR_RTS	 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1F

/* LSR bits */
#define LSR_DR	 0x01
#define LSR_OE	 0x02
#define LSR_ERRS 0x1E /* OE, PE, FE, BI: cleared by reading LSR */
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

/* MSR bits: 3:0 are "changed since last read" deltas of 7:4. */
#define MSR_CTS	  0x10
#define MSR_DSR	  0x20
#define MSR_RI	  0x40
#define MSR_DCD	  0x80
#define MSR_DELTA 0x0F
#define MSR_TERI  0x04

static const uint8_t rx_trigger_levels[4] = {1, 4, 8, 14};

struct uart16550 {
	uint8_t ier, lcr, mcr, scr, fcr;
	uint8_t lsr_err; /* sticky OE/PE/FE/BI bits */
	uint8_t rbr;	 /* last byte read: an empty RBR still holds it */
	uint8_t msr;	 /* line states (7:4) and deltas (3:0) */
	uint16_t divisor;
	bool thre_pending; /* THRE interrupt armed, not yet acknowledged */
	int irq_level;
	uint8_t rx[UART16550_RXQ]; /* ring: [rx_head, rx_head + rx_count) */
	unsigned rx_head, rx_count;
	uart16550_sink_fn *sink;
	void *sink_opaque;
	struct irq_line irq;
};

static unsigned rx_capacity(const struct uart16550 *u)
{
	return (u->fcr & FCR_ENABLE) ? 16 : 1;
}

/* Bytes the chip holds (the rest of the queue is still on the wire). */
static unsigned rx_level(const struct uart16550 *u)
{
	unsigned cap = rx_capacity(u);
	return u->rx_count < cap ? u->rx_count : cap;
}

static void rx_push(struct uart16550 *u, uint8_t b)
{
	u->rx[(u->rx_head + u->rx_count) % UART16550_RXQ] = b;
	u->rx_count++;
}

static void rx_drop(struct uart16550 *u, unsigned n)
{
	u->rx_head = (u->rx_head + n) % UART16550_RXQ;
	u->rx_count -= n;
}

/* The modem-input lines as the chip sees them now (MSR bits 7:4). */
static uint8_t modem_lines(const struct uart16550 *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD;
	return (uint8_t)(((u->mcr & MCR_RTS) ? MSR_CTS : 0) |
			 ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
			 ((u->mcr & MCR_OUT1) ? MSR_RI : 0) |
			 ((u->mcr & MCR_OUT2) ? MSR_DCD : 0));
}

/* Latch new line states and set the delta bits (RI: trailing edge only). */
static void update_msr(struct uart16550 *u)
{
	uint8_t now = modem_lines(u), old = u->msr & 0xF0;
	uint8_t changed = (uint8_t)((now ^ old) >> 4);
	uint8_t delta = changed & ~MSR_TERI;

	if ((changed & MSR_TERI) && !(now & MSR_RI))
		delta |= MSR_TERI;
	u->msr = (uint8_t)(now | (u->msr & MSR_DELTA) | delta);
}

/* Highest-priority pending interrupt as an IIR id (table IV). */
static uint8_t iir_id(const struct uart16550 *u)
{
	unsigned lvl = rx_level(u);

	if ((u->ier & IER_ELSI) && (u->lsr_err & LSR_ERRS))
		return IIR_RLS;
	if ((u->ier & IER_ERBFI) && lvl) {
		if (!(u->fcr & FCR_ENABLE) ||
		    lvl >= rx_trigger_levels[FCR_TRIGGER(u->fcr)])
			return IIR_RDA;
		return IIR_CTI;
	}
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTA))
		return IIR_MSI;
	return IIR_NONE;
}

static void update_irq(struct uart16550 *u)
{
	int level = iir_id(u) != IIR_NONE && (u->mcr & MCR_OUT2) &&
		    !(u->mcr & MCR_LOOP);

	if (level != u->irq_level) {
		u->irq_level = level;
		irq_set(&u->irq, level);
	}
}

/* ---- per-register access ---------------------------------------------- */

static uint8_t rd_rbr(struct uart16550 *u)
{
	uint8_t b;

	if (u->lcr & LCR_DLAB)
		return (uint8_t)(u->divisor & 0xFF);
	if (!rx_level(u))
		return u->rbr;
	b = u->rx[u->rx_head];
	rx_drop(u, 1);
	u->rbr = b;
	return b;
}

static void wr_thr(struct uart16550 *u, uint8_t v)
{
	if (u->lcr & LCR_DLAB) {
		u->divisor = (uint16_t)((u->divisor & 0xFF00) | v);
		return;
	}
	if (u->mcr & MCR_LOOP) {
		if (rx_level(u) >= rx_capacity(u))
			u->lsr_err |= LSR_OE;
		else if (u->rx_count < UART16550_RXQ)
			rx_push(u, v);
	} else if (u->sink) {
		u->sink(u->sink_opaque, v);
	}
	u->thre_pending = true; /* emptied at once: THRE fires again */
}

static uint8_t rd_ier(struct uart16550 *u)
{
	return (u->lcr & LCR_DLAB) ? (uint8_t)(u->divisor >> 8) : u->ier;
}

static void wr_ier(struct uart16550 *u, uint8_t v)
{
	if (u->lcr & LCR_DLAB) {
		u->divisor = (uint16_t)((u->divisor & 0x00FF) | (v << 8));
		return;
	}
	/* Enabling ETBEI while THR is empty (always, here) raises THRE. */
	if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI))
		u->thre_pending = true;
	u->ier = v & IER_MASK;
}

static uint8_t rd_iir(struct uart16550 *u)
{
	uint8_t id = iir_id(u);

	if (id == IIR_THRE) /* reading IIR acknowledges a THRE interrupt */
		u->thre_pending = false;
	return (uint8_t)(id | ((u->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0));
}

static void wr_fcr(struct uart16550 *u, uint8_t v)
{
	/* Changing FCR0 clears both FIFOs; RX reset clears the receiver. */
	if (((v ^ u->fcr) & FCR_ENABLE) || (v & FCR_RX_RESET))
		rx_drop(u, rx_level(u));
	u->fcr = (v & FCR_ENABLE) ? (uint8_t)(v & 0xC9) : 0;
}

static uint8_t rd_lcr(struct uart16550 *u)
{
	return u->lcr;
}
static void wr_lcr(struct uart16550 *u, uint8_t v)
{
	u->lcr = v;
}
static uint8_t rd_mcr(struct uart16550 *u)
{
	return u->mcr;
}

static void wr_mcr(struct uart16550 *u, uint8_t v)
{
	u->mcr = v & MCR_MASK;
	update_msr(u);
}

static uint8_t rd_lsr(struct uart16550 *u)
{
	uint8_t v = (uint8_t)(LSR_THRE | LSR_TEMT | u->lsr_err |
			      (rx_level(u) ? LSR_DR : 0));
	u->lsr_err = 0;
	return v;
}

static uint8_t rd_msr(struct uart16550 *u)
{
	uint8_t v = u->msr;
	u->msr &= (uint8_t)~MSR_DELTA;
	return v;
}

static uint8_t rd_scr(struct uart16550 *u)
{
	return u->scr;
}
static void wr_scr(struct uart16550 *u, uint8_t v)
{
	u->scr = v;
}

/* One row per offset; NULL write = read-only register (writes dropped). */
static const struct uart_reg {
	const char *name;
	uint8_t (*read)(struct uart16550 *u);
	void (*write)(struct uart16550 *u, uint8_t v);
} uart_regs[UART16550_PORTS] = {
    /* 0 */ {"RBR/THR", rd_rbr, wr_thr},
    /* 1 */ {"IER", rd_ier, wr_ier},
    /* 2 */ {"IIR/FCR", rd_iir, wr_fcr},
    /* 3 */ {"LCR", rd_lcr, wr_lcr},
    /* 4 */ {"MCR", rd_mcr, wr_mcr},
    /* 5 */ {"LSR", rd_lsr, NULL},
    /* 6 */ {"MSR", rd_msr, NULL},
    /* 7 */ {"SCR", rd_scr, wr_scr},
};

static enum io_status uart_read(void *opaque, uint64_t off, int size,
				uint64_t *val, cycles_t *lat)
{
	struct uart16550 *u = opaque;

	if (off >= UART16550_PORTS)
		return IO_BAD_REG;
	if (size != 1)
		return IO_BAD_SIZE;
	*val = uart_regs[off].read(u);
	*lat += UART16550_ACCESS_CYCLES;
	update_irq(u);
	return IO_OK;
}

static enum io_status uart_write(void *opaque, uint64_t off, int size,
				 uint64_t val, cycles_t *lat)
{
	struct uart16550 *u = opaque;

	if (off >= UART16550_PORTS)
		return IO_BAD_REG;
	if (size != 1)
		return IO_BAD_SIZE;
	*lat += UART16550_ACCESS_CYCLES;
	if (uart_regs[off].write)
		uart_regs[off].write(u, (uint8_t)val);
	update_irq(u);
	return IO_OK;
}

/* Master reset (data sheet table III); the divisor latch is not reset. */
static void uart_reset(void *opaque)
{
	struct uart16550 *u = opaque;

	u->ier = u->lcr = u->mcr = u->fcr = u->lsr_err = 0;
	u->thre_pending = false;
	rx_drop(u, u->rx_count);
	u->msr = modem_lines(u);
	update_irq(u);
}

const struct dev_ops uart16550_ops = {
    .name = "uart16550",
    .read = uart_read,
    .write = uart_write,
    .reset = uart_reset,
};

struct uart16550 *uart16550_create(uart16550_sink_fn *sink, void *sink_opaque,
				   const struct irq_line *irq)
{
	struct uart16550 *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->sink = sink;
	u->sink_opaque = sink_opaque;
	if (irq)
		u->irq = *irq;
	u->divisor = UART_RESET_DIVISOR;
	u->msr = modem_lines(u);
	return u;
}

void uart16550_destroy(struct uart16550 *u)
{
	free(u);
}

size_t uart16550_input(struct uart16550 *u, const uint8_t *buf, size_t n)
{
	size_t taken = 0;

	while (taken < n && u->rx_count < UART16550_RXQ)
		rx_push(u, buf[taken++]);
	update_irq(u);
	return taken;
}

int uart16550_irq_level(const struct uart16550 *u)
{
	return u->irq_level;
}
