/*
 * partitions/pc_platform.c — a child's PC platform (pc_platform.h): the
 * devices/ models glued to the partition's bus, the hypervisor's
 * interrupt path and the event queue (sim/evq.h, a leaf header, as hv/
 * uses it).
 */
#include "partitions/pc_platform.h"

#include <stdio.h>
#include <stdlib.h>

#include "devices/acpi_pm.h"
#include "devices/dev_clock.h"
#include "devices/ioapic.h"
#include "devices/pic.h"
#include "devices/pit.h"
#include "devices/rtc.h"
#include "mmu/mmu.h"
#include "sim/evq.h"

struct pc_platform {
	struct pc_platform_config cfg;
	struct evq *q;
	struct pic *pic;
	struct ioapic *ioapic;
	struct pit *pit;
	struct rtc *rtc;
	struct acpi_pm *pm;
	struct acpi_layout acpi;
};

/* ---- time ------------------------------------------------------------------ */

static cycles_t clock_now(void *opaque)
{
	struct pc_platform *p = opaque;
	cycles_t vp = hv_part_now(p->cfg.part), q = evq_now(p->q);

	return vp > q ? vp : q;
}

static void timer_event(struct evq *q, void *opaque, cycles_t when)
{
	struct dev_timer *t = opaque;

	(void)q;
	t->id = 0;
	t->fire(t->dev, when);
}

static void clock_cancel(void *opaque, struct dev_timer *t)
{
	struct pc_platform *p = opaque;

	if (t->id)
		evq_cancel(p->q, t->id);
	t->id = 0;
}

static void clock_schedule(void *opaque, struct dev_timer *t, cycles_t when)
{
	struct pc_platform *p = opaque;

	clock_cancel(opaque, t);
	t->id = evq_schedule(p->q, when, timer_event, t);
}

static struct dev_clock make_clock(struct pc_platform *p)
{
	return (struct dev_clock){.hz = hv_freq_hz(p->cfg.hv),
				  .now = clock_now,
				  .schedule = clock_schedule,
				  .cancel = clock_cancel,
				  .opaque = p};
}

/* ---- interrupts ---------------------------------------------------------------- */

/* ISA IRQ `line` to the 8259s and the I/O APIC (IRQ 0 on pin 2). */
static void isa_irq(void *opaque, int line, int level)
{
	struct pc_platform *p = opaque;

	pic_set_irq(p->pic, (unsigned)line, level);
	ioapic_set_irq(p->ioapic, line == 0 ? 2u : (unsigned)line, level);
}

static unsigned ioapic_deliver(void *opaque, const struct ioapic_msg *m)
{
	struct pc_platform *p = opaque;
	struct hv_irq_msg msg = {.dest = m->dest,
				 .dest_mode = m->dest_mode,
				 .delivery = m->delivery,
				 .vector = m->vector,
				 .level = m->level};

	return hv_part_deliver_irq(p->cfg.part, &msg);
}

static void on_eoi(void *opaque, uint8_t vector)
{
	struct pc_platform *p = opaque;

	ioapic_eoi(p->ioapic, vector);
}

/* ---- the I/O APIC page: the model plus the MMIO exit's charge ------------------- */

static uint64_t ioapic_read(void *opaque, uint64_t off, int size)
{
	struct pc_platform *p = opaque;

	hv_part_charge_mmio(p->cfg.part);
	return ioapic_mmio_ops.read(p->ioapic, off, size);
}

static void ioapic_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct pc_platform *p = opaque;

	hv_part_charge_mmio(p->cfg.part);
	ioapic_mmio_ops.write(p->ioapic, off, size, val);
}

static const struct mmio_ops ioapic_page_ops = {
    .name = "ioapic",
    .read = ioapic_read,
    .write = ioapic_write,
};

/* ---- life cycle -------------------------------------------------------------- */

static int install_tables(struct pc_platform *p)
{
	struct acpi_config ac = {
	    .nr_cpus = hv_part_nr_vps(p->cfg.part),
	    .ioapic_base = IOAPIC_DEFAULT_BASE,
	    .ioapic_id = (uint8_t)hv_part_nr_vps(p->cfg.part),
	};

	if (acpi_install(hv_part_mem(p->cfg.part), &ac, &p->acpi) != 0) {
		fprintf(stderr,
			"hvsim: %s: cannot place the ACPI tables (the RAM "
			"must cover %#llx-%#llx)\n",
			hv_part_name(p->cfg.part),
			(unsigned long long)ACPI_REGION_BASE,
			(unsigned long long)(ACPI_REGION_BASE +
					     ACPI_REGION_SIZE - 1));
		return -1;
	}
	return 0;
}

static int create_devices(struct pc_platform *p)
{
	struct dev_clock clk = make_clock(p);
	struct pic_config pc = {0};
	struct ioapic_config ic = {.id = (uint8_t)hv_part_nr_vps(p->cfg.part),
				   .deliver = ioapic_deliver,
				   .opaque = p};
	struct pit_config tc = {.clock = clk, .irq0 = {isa_irq, p, 0}};
	struct rtc_config rc = {.clock = clk,
				.start_time = p->cfg.start_time,
				.irq = {isa_irq, p, 8}};
	struct acpi_pm_config mc = {.clock = clk,
				    .sci = {isa_irq, p, ACPI_SCI_IRQ},
				    .power_off = p->cfg.power_off,
				    .opaque = p->cfg.opaque};

	p->pic = pic_create(&pc);
	p->ioapic = ioapic_create(&ic);
	p->pit = pit_create(&tc);
	p->rtc = rtc_create(&rc);
	p->pm = acpi_pm_create(&mc);
	return p->pic && p->ioapic && p->pit && p->rtc && p->pm ? 0 : -1;
}

static int map_devices(struct pc_platform *p)
{
	struct iobus *bus = p->cfg.bus;

	if (iobus_map(bus, PIC_MASTER_PORT, 2, &pic_master_ops, p->pic) ||
	    iobus_map(bus, PIC_SLAVE_PORT, 2, &pic_slave_ops, p->pic) ||
	    iobus_map(bus, PIC_ELCR_PORT, 2, &pic_elcr_ops, p->pic) ||
	    iobus_map(bus, PIT_PORT, PIT_PORTS, &pit_ops, p->pit) ||
	    iobus_map(bus, PIT_NMI_PORT, 1, &pit_nmi_ops, p->pit) ||
	    iobus_map(bus, RTC_PORT, RTC_PORTS, &rtc_ops, p->rtc) ||
	    iobus_map(bus, ACPI_PM_BASE, ACPI_PM_LEN, &acpi_pm_ops, p->pm)) {
		fprintf(stderr, "hvsim: %s: the PC platform's ports are "
				"taken\n",
			hv_part_name(p->cfg.part));
		return -1;
	}
	if (physmem_map_mmio(hv_part_mem(p->cfg.part), IOAPIC_DEFAULT_BASE,
			     IOAPIC_MMIO_SIZE, &ioapic_page_ops, p) != 0) {
		fprintf(stderr, "hvsim: %s: the I/O APIC page %#llx is "
				"taken\n",
			hv_part_name(p->cfg.part),
			(unsigned long long)IOAPIC_DEFAULT_BASE);
		return -1;
	}
	hv_part_set_eoi_listener(p->cfg.part, on_eoi, p);
	return 0;
}

struct pc_platform *pc_platform_create(const struct pc_platform_config *c)
{
	struct pc_platform *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cfg = *c;
	p->q = hv_evq(c->hv);
	if (create_devices(p) || map_devices(p) || install_tables(p)) {
		pc_platform_destroy(p);
		return NULL;
	}
	return p;
}

void pc_platform_destroy(struct pc_platform *p)
{
	if (!p)
		return;
	hv_part_set_eoi_listener(p->cfg.part, NULL, NULL);
	acpi_pm_destroy(p->pm);
	rtc_destroy(p->rtc);
	pit_destroy(p->pit);
	ioapic_destroy(p->ioapic);
	pic_destroy(p->pic);
	free(p);
}

int pc_platform_reset(struct pc_platform *p)
{
	ioapic_reset(p->ioapic);
	return install_tables(p);
}

struct irq_line pc_platform_isa_irq(struct pc_platform *p, unsigned irq)
{
	return (struct irq_line){isa_irq, p, (int)(irq & 15)};
}

const struct acpi_layout *pc_platform_acpi(const struct pc_platform *p)
{
	return &p->acpi;
}
