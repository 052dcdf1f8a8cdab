/*
 * tests/unit/devices/test_uart16550.c — register behaviour of the 16550
 * model (devices/uart16550.c) against the PC16550D data sheet: reset
 * values, DLAB, LSR/DR/THRE/TEMT, IIR priorities, FIFO control, loopback
 * and MSR deltas, the interrupt line and its OUT2 gate.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/uart16550.h"

enum {
	RBR = 0,
	THR = 0,
	DLL = 0,
	IER = 1,
	DLM = 1,
	IIR = 2,
	FCR = 2,
	LCR = 3,
	MCR = 4,
	LSR = 5,
	MSR = 6,
	SCR = 7
};

struct t {
	struct uart16550 *u;
	uint8_t out[64];
	size_t n;
	int irq_calls, irq_level;
};

static void sink(void *opaque, uint8_t b)
{
	struct t *t = opaque;
	if (t->n < sizeof(t->out))
		t->out[t->n++] = b;
}

static void irq_fn(void *opaque, int line, int level)
{
	struct t *t = opaque;
	cr_assert_eq(4, line);
	t->irq_calls++;
	t->irq_level = level;
}

static struct t *mk(void)
{
	static struct t t;
	struct irq_line irq = {irq_fn, &t, 4};

	memset(&t, 0, sizeof(t));
	t.u = uart16550_create(sink, &t, &irq);
	cr_assert_not_null(t.u);
	return &t;
}

static uint8_t rd(struct t *t, unsigned off)
{
	uint64_t v = 0xDEAD;
	cycles_t lat = 0;
	cr_assert_eq(IO_OK, uart16550_ops.read(t->u, off, 1, &v, &lat));
	cr_assert_gt(lat, 0);
	return (uint8_t)v;
}

static void wr(struct t *t, unsigned off, uint8_t v)
{
	cycles_t lat = 0;
	cr_assert_eq(IO_OK, uart16550_ops.write(t->u, off, 1, v, &lat));
}

Test(uart16550, reset_values_match_data_sheet)
{
	struct t *t = mk();

	cr_expect_eq(0x00, rd(t, IER));
	cr_expect_eq(0x01, rd(t, IIR));
	cr_expect_eq(0x00, rd(t, LCR));
	cr_expect_eq(0x00, rd(t, MCR));
	cr_expect_eq(0x60, rd(t, LSR));
	cr_expect_eq(0xB0, rd(t, MSR), "CTS, DSR and DCD from the terminal");
	cr_expect_eq(0x00, rd(t, SCR));
	uart16550_destroy(t->u);
}

Test(uart16550, thr_write_goes_to_sink_and_lsr_stays_empty)
{
	struct t *t = mk();

	wr(t, THR, 'h');
	wr(t, THR, 'i');
	cr_assert_eq(2, t->n);
	cr_assert_eq(0, memcmp(t->out, "hi", 2));
	cr_assert_eq(0x60, rd(t, LSR) & 0x61, "THRE and TEMT set, DR clear");
	uart16550_destroy(t->u);
}

Test(uart16550, dlab_exposes_divisor_latch_instead_of_thr_and_ier)
{
	struct t *t = mk();

	wr(t, IER, 0x05);
	wr(t, LCR, 0x83);
	wr(t, DLL, 0x01);
	wr(t, DLM, 0x02);
	cr_assert_eq(0x01, rd(t, DLL));
	cr_assert_eq(0x02, rd(t, DLM));
	cr_assert_eq(0, t->n, "a DLL write is not transmitted");
	wr(t, LCR, 0x03);
	cr_assert_eq(0x03, rd(t, LCR));
	cr_assert_eq(0x05, rd(t, IER), "IER unchanged by the DLM write");
	wr(t, THR, 'x');
	cr_assert_eq(1, t->n);
	uart16550_destroy(t->u);
}

Test(uart16550, ier_keeps_only_low_four_bits_and_scratch_holds_any_byte)
{
	struct t *t = mk();

	wr(t, IER, 0xFF);
	cr_assert_eq(0x0F, rd(t, IER));
	wr(t, SCR, 0xA5);
	cr_assert_eq(0xA5, rd(t, SCR));
	wr(t, MCR, 0xFF);
	cr_assert_eq(0x1F, rd(t, MCR));
	uart16550_destroy(t->u);
}

Test(uart16550, queued_input_sets_dr_and_rbr_reads_in_order)
{
	struct t *t = mk();

	cr_assert_eq(2, uart16550_input(t->u, (const uint8_t *)"ab", 2));
	cr_assert_eq(0x01, rd(t, LSR) & 0x01);
	cr_assert_eq('a', rd(t, RBR));
	cr_assert_eq(0x01, rd(t, LSR) & 0x01,
		     "b arrives in the holding register");
	cr_assert_eq('b', rd(t, RBR));
	cr_assert_eq(0x00, rd(t, LSR) & 0x01);
	cr_assert_eq('b', rd(t, RBR), "an empty RBR still holds the last byte");
	uart16550_destroy(t->u);
}

Test(uart16550, input_queue_is_bounded)
{
	struct t *t = mk();
	uint8_t buf[UART16550_RXQ + 10];

	memset(buf, 'z', sizeof(buf));
	cr_assert_eq(UART16550_RXQ, uart16550_input(t->u, buf, sizeof(buf)));
	cr_assert_eq(0, uart16550_input(t->u, buf, 1));
	uart16550_destroy(t->u);
}

Test(uart16550, fcr_enable_shows_in_iir_high_bits)
{
	struct t *t = mk();

	wr(t, FCR, 0x01);
	cr_assert_eq(0xC1, rd(t, IIR));
	wr(t, FCR, 0x00);
	cr_assert_eq(0x01, rd(t, IIR));
	uart16550_destroy(t->u);
}

Test(uart16550, rda_interrupt_raises_line_with_out2_and_clears_on_read)
{
	struct t *t = mk();

	wr(t, IER, 0x01);
	uart16550_input(t->u, (const uint8_t *)"k", 1);
	cr_assert_eq(0x04, rd(t, IIR));
	cr_assert_eq(0, uart16550_irq_level(t->u), "OUT2 clear gates INTR");
	wr(t, MCR, 0x08);
	cr_assert_eq(1, t->irq_level);
	cr_assert_eq(1, uart16550_irq_level(t->u));
	cr_assert_eq('k', rd(t, RBR));
	cr_assert_eq(0x01, rd(t, IIR));
	cr_assert_eq(0, t->irq_level);
	uart16550_destroy(t->u);
}

Test(uart16550, thre_interrupt_on_enable_acked_by_iir_read_rearmed_by_thr)
{
	struct t *t = mk();

	wr(t, MCR, 0x08);
	wr(t, IER, 0x02);
	cr_assert_eq(1, t->irq_level);
	cr_assert_eq(0x02, rd(t, IIR));
	cr_assert_eq(0x01, rd(t, IIR), "reading IIR acknowledged THRE");
	cr_assert_eq(0, t->irq_level);
	wr(t, THR, '.');
	cr_assert_eq(0x02, rd(t, IIR));
	uart16550_destroy(t->u);
}

Test(uart16550, rda_has_priority_over_thre)
{
	struct t *t = mk();

	wr(t, IER, 0x03);
	uart16550_input(t->u, (const uint8_t *)"q", 1);
	cr_assert_eq(0x04, rd(t, IIR));
	cr_assert_eq(0x04, rd(t, IIR), "IIR read does not ack RDA");
	rd(t, RBR);
	cr_assert_eq(0x02, rd(t, IIR));
	uart16550_destroy(t->u);
}

Test(uart16550, fifo_below_trigger_level_reports_character_timeout)
{
	struct t *t = mk();

	wr(t, FCR, 0x81); /* FIFO on, trigger 8 */
	wr(t, IER, 0x01);
	uart16550_input(t->u, (const uint8_t *)"abcd", 4);
	cr_assert_eq(0xCC, rd(t, IIR));
	uart16550_input(t->u, (const uint8_t *)"efgh", 4);
	cr_assert_eq(0xC4, rd(t, IIR));
	wr(t, FCR, 0x83); /* reset the receive FIFO */
	cr_assert_eq(0x00, rd(t, LSR) & 0x01);
	uart16550_destroy(t->u);
}

Test(uart16550, loopback_routes_thr_to_rbr_not_to_sink)
{
	struct t *t = mk();

	wr(t, MCR, 0x10);
	wr(t, THR, 0x5A);
	cr_assert_eq(0, t->n);
	cr_assert_eq(0x01, rd(t, LSR) & 0x01);
	cr_assert_eq(0x5A, rd(t, RBR));
	uart16550_destroy(t->u);
}

Test(uart16550, loopback_overrun_sets_oe_until_lsr_read)
{
	struct t *t = mk();

	wr(t, MCR, 0x10);
	wr(t, THR, 1);
	wr(t, THR, 2); /* no FIFO: the holding register is full */
	cr_assert_eq(0x03, rd(t, LSR) & 0x03);
	cr_assert_eq(0x01, rd(t, LSR) & 0x03, "OE cleared by the LSR read");
	cr_assert_eq(1, rd(t, RBR));
	uart16550_destroy(t->u);
}

Test(uart16550, loopback_msr_follows_mcr_with_deltas)
{
	struct t *t = mk();

	wr(t, MCR, 0x10); /* loopback, all outputs off */
	cr_assert_eq(0x0B, rd(t, MSR), "CTS, DSR, DCD fell: deltas only");
	wr(t, MCR, 0x1F);
	cr_assert_eq(0xFB, rd(t, MSR), "all lines up; RI rising has no delta");
	cr_assert_eq(0xF0, rd(t, MSR), "deltas cleared by the read");
	wr(t, MCR, 0x1B); /* OUT1 off: RI falls */
	cr_assert_eq(0xB4, rd(t, MSR), "TERI on the trailing edge of RI");
	uart16550_destroy(t->u);
}

Test(uart16550, modem_status_interrupt_when_enabled)
{
	struct t *t = mk();

	wr(t, IER, 0x08);
	wr(t, MCR, 0x11);
	cr_assert_eq(0x00, rd(t, IIR), "modem-status interrupt pending");
	rd(t, MSR);
	cr_assert_eq(0x01, rd(t, IIR));
	uart16550_destroy(t->u);
}

Test(uart16550, wide_or_out_of_range_access_is_refused)
{
	struct t *t = mk();
	uint64_t v = 0;
	cycles_t lat = 0;

	cr_assert_eq(IO_BAD_SIZE, uart16550_ops.read(t->u, 0, 2, &v, &lat));
	cr_assert_eq(IO_BAD_SIZE, uart16550_ops.write(t->u, 0, 4, 0, &lat));
	cr_assert_eq(IO_BAD_REG, uart16550_ops.read(t->u, 8, 1, &v, &lat));
	cr_assert_eq(0, t->n);
	uart16550_destroy(t->u);
}

Test(uart16550, word_write_through_bus_is_split_into_thr_and_ier)
{
	struct t *t = mk();
	struct iobus bus = {0};

	cr_assert_eq(0, iobus_map(&bus, UART16550_COM1, UART16550_PORTS,
				  &uart16550_ops, t->u));
	cr_assert_eq(IO_OK, iobus_write(&bus, 0x3F8, 2, 0x0F41, NULL));
	cr_assert_eq(1, t->n);
	cr_assert_eq('A', t->out[0]);
	cr_assert_eq(0x0F, rd(t, IER));
	uart16550_destroy(t->u);
}

Test(uart16550, reset_clears_registers_but_keeps_divisor)
{
	struct t *t = mk();

	wr(t, LCR, 0x80);
	wr(t, DLL, 0x03);
	wr(t, LCR, 0x03);
	wr(t, IER, 0x0F);
	wr(t, MCR, 0x0B);
	uart16550_ops.reset(t->u);
	cr_assert_eq(0, rd(t, IER));
	cr_assert_eq(0, rd(t, MCR));
	cr_assert_eq(0, t->irq_level);
	wr(t, LCR, 0x80);
	cr_assert_eq(0x03, rd(t, DLL));
	uart16550_destroy(t->u);
}
