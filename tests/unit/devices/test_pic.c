/*
 * tests/unit/devices/test_pic.c — the 8259A pair (devices/pic.c): the
 * ICW sequence Linux uses, masks, acknowledge and EOI, priorities and
 * rotation, the cascade, spurious interrupts, OCW3 reads, poll, and the
 * ELCR's level-triggered inputs.
 */
#include <criterion/criterion.h>

#include "devices/pic.h"

struct rig {
	struct pic *p;
	bool intr;
	int changes;
};

static void on_intr(void *o, bool level)
{
	struct rig *r = o;

	r->intr = level;
	r->changes++;
}

static void out(struct rig *r, uint16_t port, uint8_t v)
{
	const struct dev_ops *ops = port >= 0x4D0   ? &pic_elcr_ops
				    : port >= 0xA0 ? &pic_slave_ops
						   : &pic_master_ops;
	cycles_t lat = 0;

	cr_assert_eq(ops->write(r->p, port & 1, 1, v, &lat), IO_OK);
}

static uint8_t in(struct rig *r, uint16_t port)
{
	const struct dev_ops *ops = port >= 0x4D0   ? &pic_elcr_ops
				    : port >= 0xA0 ? &pic_slave_ops
						   : &pic_master_ops;
	uint64_t v = 0;
	cycles_t lat = 0;

	cr_assert_eq(ops->read(r->p, port & 1, 1, &v, &lat), IO_OK);
	return (uint8_t)v;
}

/* Linux's init_8259A: ICW1..4 on both, then masks. */
static void setup(struct rig *r, uint8_t mmask, uint8_t smask)
{
	struct pic_config c = {.intr_changed = on_intr, .opaque = r};

	*r = (struct rig){0};
	r->p = pic_create(&c);
	cr_assert_not_null(r->p);
	out(r, 0x20, 0x11);
	out(r, 0x21, 0x30); /* vectors 0x30-0x37 */
	out(r, 0x21, 0x04);
	out(r, 0x21, 0x01);
	out(r, 0xA0, 0x11);
	out(r, 0xA1, 0x38);
	out(r, 0xA1, 0x02);
	out(r, 0xA1, 0x01);
	out(r, 0x21, mmask);
	out(r, 0xA1, smask);
}

Test(pic, masked_inputs_do_not_interrupt)
{
	struct rig r;

	setup(&r, 0xFF, 0xFF);
	cr_expect_eq(pic_imr(r.p), 0xFFFF);
	cr_expect_eq(in(&r, 0x21), 0xFF);
	pic_set_irq(r.p, 0, true);
	cr_expect(!pic_intr(r.p));
	cr_expect_eq(in(&r, 0x20) & 1, 1, "IRR latched while masked");
	out(&r, 0x21, 0xFE);
	cr_expect(pic_intr(r.p), "unmasking lets the latched edge through");
	cr_expect(r.intr);
	pic_destroy(r.p);
}

Test(pic, ack_eoi_and_priority)
{
	struct rig r;

	setup(&r, 0x00, 0xFF);
	pic_set_irq(r.p, 4, true);
	pic_set_irq(r.p, 1, true);
	cr_expect_eq(pic_ack(r.p), 0x31, "IRQ 1 beats IRQ 4");
	cr_expect(!pic_intr(r.p), "IRQ 4 waits behind in-service IRQ 1");
	out(&r, 0x20, 0x0B); /* OCW3: read ISR */
	cr_expect_eq(in(&r, 0x20), 0x02);
	out(&r, 0x20, 0x20); /* non-specific EOI */
	cr_expect(pic_intr(r.p));
	cr_expect_eq(pic_ack(r.p), 0x34);
	pic_set_irq(r.p, 0, true); /* a higher priority nests */
	cr_expect(pic_intr(r.p));
	cr_expect_eq(pic_ack(r.p), 0x30);
	out(&r, 0x20, 0x60); /* specific EOI of IRQ 0 */
	cr_expect_eq(in(&r, 0x20), 0x10, "ISR: IRQ 4 left");
	out(&r, 0x20, 0x0A); /* OCW3: read IRR */
	cr_expect_eq(in(&r, 0x20) & 0x13, 0, "edges consumed");
	pic_destroy(r.p);
}

Test(pic, rotation_on_eoi)
{
	struct rig r;

	setup(&r, 0x00, 0xFF);
	pic_set_irq(r.p, 3, true);
	cr_expect_eq(pic_ack(r.p), 0x33);
	out(&r, 0x20, 0xA0); /* rotate on non-specific EOI: 3 is lowest */
	pic_set_irq(r.p, 3, false);
	pic_set_irq(r.p, 3, true);
	pic_set_irq(r.p, 5, true);
	cr_expect_eq(pic_ack(r.p), 0x35, "after rotation 4..7 come first");
	out(&r, 0x20, 0xC7); /* set priority: 7 lowest again */
	out(&r, 0x20, 0x20);
	cr_expect_eq(pic_ack(r.p), 0x33);
	pic_destroy(r.p);
}

Test(pic, slave_cascades_through_irq2)
{
	struct rig r;

	setup(&r, 0xFB, 0xFE); /* master: only the cascade; slave: IRQ 8 */
	pic_set_irq(r.p, 8, true);
	cr_expect(pic_intr(r.p));
	cr_expect_eq(pic_ack(r.p), 0x38);
	out(&r, 0xA0, 0x20);
	out(&r, 0x20, 0x20);
	cr_expect(!pic_intr(r.p));
	pic_set_irq(r.p, 12, true); /* masked on the slave */
	cr_expect(!pic_intr(r.p));
	pic_set_irq(r.p, 2, true); /* the cascade pin is not an input */
	cr_expect(!pic_intr(r.p));
	pic_destroy(r.p);
}

Test(pic, spurious_when_the_request_went_away)
{
	struct rig r;

	setup(&r, 0x00, 0x00);
	cr_expect_eq(pic_ack(r.p), 0x37, "master spurious: IRQ 7");
	out(&r, 0x20, 0x0B);
	cr_expect_eq(in(&r, 0x20), 0, "no ISR bit for a spurious one");
	pic_destroy(r.p);
}

Test(pic, elcr_makes_an_input_level_triggered)
{
	struct rig r;

	setup(&r, 0x00, 0x00);
	out(&r, 0x4D1, 0xFF);
	cr_expect_eq(in(&r, 0x4D1), 0xDE, "IRQ 8 and 13 are always edge");
	out(&r, 0x4D0, 0xFF);
	cr_expect_eq(in(&r, 0x4D0), 0xF8);
	pic_set_irq(r.p, 9, true);
	cr_expect_eq(pic_ack(r.p), 0x39);
	out(&r, 0xA0, 0x20);
	out(&r, 0x20, 0x20);
	cr_expect(pic_intr(r.p), "a level input still high asks again");
	pic_set_irq(r.p, 9, false);
	cr_expect(!pic_intr(r.p), "and stops when the line drops");
	pic_destroy(r.p);
}

Test(pic, poll_and_bad_sizes)
{
	struct rig r;
	uint64_t v;
	cycles_t lat = 0;

	setup(&r, 0x00, 0xFF);
	pic_set_irq(r.p, 6, true);
	out(&r, 0x20, 0x0C); /* OCW3 poll */
	cr_expect_eq(in(&r, 0x20), 0x86);
	out(&r, 0x20, 0x0B);
	cr_expect_eq(in(&r, 0x20), 0x40, "poll acknowledged IRQ 6");
	cr_expect_eq(pic_master_ops.read(r.p, 0, 2, &v, &lat), IO_BAD_SIZE);
	cr_expect_eq(pic_elcr_ops.write(r.p, 0, 4, 0, &lat), IO_BAD_SIZE);
	pic_reset(r.p);
	cr_expect_eq(pic_imr(r.p), 0);
	pic_destroy(r.p);
}
