/*
 * tests/unit/devices/test_ioapic.c — the I/O APIC (devices/ioapic.c):
 * ID/version/arbitration registers, redirection entries (writable and
 * read-only bits), edge and level delivery, masking, remote IRR with the
 * EOI broadcast, the edge-rewrite acknowledge Linux uses, polarity, and
 * hostile accesses.
 */
#include <criterion/criterion.h>

#include "devices/ioapic.h"

struct rig {
	struct ioapic *io;
	struct ioapic_msg last;
	int sent;
};

static unsigned deliver(void *o, const struct ioapic_msg *m)
{
	struct rig *r = o;

	r->last = *m;
	r->sent++;
	return 1;
}

static void setup(struct rig *r)
{
	struct ioapic_config c = {.id = 3, .deliver = deliver, .opaque = r};

	*r = (struct rig){0};
	r->io = ioapic_create(&c);
	cr_assert_not_null(r->io);
}

static uint32_t rd(struct rig *r, uint8_t idx)
{
	ioapic_mmio_ops.write(r->io, 0x00, 4, idx);
	return (uint32_t)ioapic_mmio_ops.read(r->io, 0x10, 4);
}

static void wr(struct rig *r, uint8_t idx, uint32_t v)
{
	ioapic_mmio_ops.write(r->io, 0x00, 4, idx);
	ioapic_mmio_ops.write(r->io, 0x10, 4, v);
}

static void set_rte(struct rig *r, unsigned pin, uint32_t lo, uint8_t dest)
{
	wr(r, (uint8_t)(0x11 + 2 * pin), (uint32_t)dest << 24);
	wr(r, (uint8_t)(0x10 + 2 * pin), lo);
}

Test(ioapic, id_version_and_power_on_entries)
{
	struct rig r;

	setup(&r);
	cr_expect_eq(rd(&r, 0x00), 3u << 24);
	cr_expect_eq(rd(&r, 0x01), 0x00170011u, "24 pins, version 0x11");
	cr_expect_eq(rd(&r, 0x02), 3u << 24);
	wr(&r, 0x00, 0x0A000000);
	cr_expect_eq(rd(&r, 0x00), 0x0Au << 24);
	wr(&r, 0x01, 0);
	cr_expect_eq(rd(&r, 0x01), 0x00170011u, "version is read-only");
	for (unsigned p = 0; p < IOAPIC_PINS; p++)
		cr_expect_eq(ioapic_rte(r.io, p), IOAPIC_RTE_MASKED);
	cr_expect_eq(rd(&r, 0x40), 0, "past the last entry");
	cr_expect_eq(ioapic_mmio_ops.read(r.io, 0x00, 4), 0x40, "IOREGSEL");
	ioapic_destroy(r.io);
}

Test(ioapic, entry_read_only_bits_are_kept)
{
	struct rig r;

	setup(&r);
	wr(&r, 0x10 + 4, 0xFFFFFFFF);
	cr_expect_eq(rd(&r, 0x10 + 4), 0x1AFFFu, "no delivery status/IRR");
	wr(&r, 0x11 + 4, 0xFFFFFFFF);
	cr_expect_eq(rd(&r, 0x11 + 4), 0xFF000000u);
	ioapic_destroy(r.io);
}

Test(ioapic, edge_delivers_on_rising_edges_unless_masked)
{
	struct rig r;

	setup(&r);
	ioapic_set_irq(r.io, 2, true);
	ioapic_set_irq(r.io, 2, false);
	cr_expect_eq(r.sent, 0, "masked at power-on");
	cr_expect_eq(ioapic_stats(r.io)->lost_masked, 1);
	set_rte(&r, 2, 0x30, 1); /* vector 0x30, fixed, physical, edge */
	cr_expect_eq(r.sent, 0);
	ioapic_set_irq(r.io, 2, true);
	cr_expect_eq(r.sent, 1);
	cr_expect_eq(r.last.vector, 0x30);
	cr_expect_eq(r.last.dest, 1);
	cr_expect_eq(r.last.dest_mode, 0);
	cr_expect_eq(r.last.delivery, 0);
	cr_expect(!r.last.level);
	ioapic_set_irq(r.io, 2, true); /* no new edge */
	cr_expect_eq(r.sent, 1);
	ioapic_set_irq(r.io, 2, false);
	ioapic_set_irq(r.io, 2, true);
	cr_expect_eq(r.sent, 2);
	ioapic_destroy(r.io);
}

Test(ioapic, level_uses_remote_irr_and_eoi)
{
	struct rig r;

	setup(&r);
	set_rte(&r, 9, 0x41 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_DEST_LOGICAL |
			   (1u << 8), 0x03);
	ioapic_set_irq(r.io, 9, true);
	cr_expect_eq(r.sent, 1);
	cr_expect(r.last.level);
	cr_expect_eq(r.last.delivery, 1, "lowest priority");
	cr_expect_eq(r.last.dest_mode, 1);
	cr_expect(ioapic_rte(r.io, 9) & IOAPIC_RTE_REMOTE_IRR);
	ioapic_eoi(r.io, 0x42); /* another vector: nothing */
	cr_expect(ioapic_rte(r.io, 9) & IOAPIC_RTE_REMOTE_IRR);
	cr_expect_eq(r.sent, 1);
	ioapic_eoi(r.io, 0x41); /* still asserted: sent again */
	cr_expect_eq(r.sent, 2);
	ioapic_set_irq(r.io, 9, false);
	ioapic_eoi(r.io, 0x41);
	cr_expect_eq(r.sent, 2);
	cr_expect_eq(ioapic_rte(r.io, 9) & IOAPIC_RTE_REMOTE_IRR, 0);
	cr_expect_eq(ioapic_stats(r.io)->eois, 2);
	ioapic_destroy(r.io);
}

Test(ioapic, unmask_sends_an_asserted_level_pin)
{
	struct rig r;

	setup(&r);
	set_rte(&r, 5, 0x50 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED, 0);
	ioapic_set_irq(r.io, 5, true);
	cr_expect_eq(r.sent, 0);
	set_rte(&r, 5, 0x50 | IOAPIC_RTE_LEVEL, 0);
	cr_expect_eq(r.sent, 1);
	ioapic_destroy(r.io);
}

Test(ioapic, rewriting_as_edge_clears_remote_irr)
{
	struct rig r;

	setup(&r);
	set_rte(&r, 10, 0x60 | IOAPIC_RTE_LEVEL, 0);
	ioapic_set_irq(r.io, 10, true);
	ioapic_set_irq(r.io, 10, false);
	cr_assert(ioapic_rte(r.io, 10) & IOAPIC_RTE_REMOTE_IRR);
	/* Linux's acknowledge on a version 0x11 I/O APIC: edge, then level. */
	set_rte(&r, 10, 0x60 | IOAPIC_RTE_MASKED, 0);
	cr_expect_eq(ioapic_rte(r.io, 10) & IOAPIC_RTE_REMOTE_IRR, 0);
	set_rte(&r, 10, 0x60 | IOAPIC_RTE_LEVEL, 0);
	ioapic_set_irq(r.io, 10, true);
	cr_expect_eq(r.sent, 2);
	ioapic_destroy(r.io);
}

Test(ioapic, active_low_inverts_the_line)
{
	struct rig r;

	setup(&r);
	set_rte(&r, 11, 0x70 | IOAPIC_RTE_ACTIVE_LOW, 0);
	ioapic_set_irq(r.io, 11, true); /* inactive for active-low */
	cr_expect_eq(r.sent, 0);
	ioapic_set_irq(r.io, 11, false); /* asserted */
	cr_expect_eq(r.sent, 1);
	ioapic_destroy(r.io);
}

Test(ioapic, hostile_accesses_do_nothing)
{
	struct rig r;

	setup(&r);
	ioapic_set_irq(r.io, 24, true);
	ioapic_set_irq(r.io, 0xFFFFFFFF, true);
	ioapic_mmio_ops.write(r.io, 0x10, 1, 0xFF); /* not 32 bits */
	ioapic_mmio_ops.write(r.io, 0xFF8, 8, ~0ull);
	cr_expect_eq(ioapic_mmio_ops.read(r.io, 0x10, 2), 0);
	cr_expect_eq(ioapic_mmio_ops.read(r.io, 0x20, 4), 0);
	wr(&r, 0xFF, 0x12345678); /* no such register */
	cr_expect_eq(rd(&r, 0xFF), 0);
	cr_expect_eq(r.sent, 0);
	ioapic_reset(r.io);
	cr_expect_eq(rd(&r, 0x00), 3u << 24);
	ioapic_destroy(r.io);
}
