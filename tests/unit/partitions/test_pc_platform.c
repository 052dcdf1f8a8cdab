/*
 * tests/unit/partitions/test_pc_platform.c — a child's PC platform as
 * the VM Worker wires it (partitions/pc_platform.c): ACPI tables in RAM
 * at creation and again after a reset, the devices on the partition's
 * bus and the I/O APIC page, an ACPI S5 power-off ending the partition
 * with status 0, and `platform = none` leaving all of it out.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/acpi.h"
#include "devices/dev.h"
#include "devices/ioapic.h"
#include "hv/hv.h"
#include "mmu/mmu.h"
#include "partitions/vm_worker.h"
#include "sim/evq.h"

struct fix {
	struct evq *q;
	struct hv *hv;
	struct vm_worker *w;
	int loads;
};

/* The loader: a marker at 1 MiB, as a kernel would be. */
static int fake_load(void *opaque, struct hv_part *hp, void *arg)
{
	struct fix *f = opaque;

	(void)arg;
	f->loads++;
	return physmem_copy_to(hv_part_mem(hp), 0x100000, "KERNEL", 7);
}

static void make(struct fix *f, bool pc)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	char name[] = "child", kernel[] = "k.elf";
	struct vm_settings s = {
	    .part = {.hv = {.name = name,
			    .vcpus = 2,
			    .mem_bytes = 4 << 20,
			    .weight = 100,
			    .cap_pct = 100}},
	    .kernel = kernel,
	    .platform_pc = pc,
	    .start_unix = 1767225600,
	};
	struct vm_loader ld = {fake_load, f};
	int status = 0;

	memset(f, 0, sizeof(*f));
	f->q = evq_create();
	f->hv = hv_create(&hc, f->q);
	f->w = vm_worker_create(f->hv, &s, &ld, &status);
	cr_assert_not_null(f->w, "status %d", status);
}

static void unmake(struct fix *f)
{
	vm_worker_destroy(f->w);
	hv_destroy(f->hv);
	evq_destroy(f->q);
}

static struct physmem *mem(struct fix *f)
{
	return hv_part_mem(partition_hv(vm_worker_partition(f->w)));
}

static uint64_t in(struct fix *f, uint16_t port, int size)
{
	uint64_t v = 0;
	cycles_t lat = 0;

	iobus_read(partition_bus(vm_worker_partition(f->w)), port, size, &v,
		   &lat);
	return v;
}

static void out(struct fix *f, uint16_t port, int size, uint64_t v)
{
	cycles_t lat = 0;

	iobus_write(partition_bus(vm_worker_partition(f->w)), port, size, v,
		    &lat);
}

static bool rsdp_in_ram(struct fix *f)
{
	char sig[8];

	physmem_copy_from(mem(f), sig, ACPI_RSDP_GPA, 8);
	return !memcmp(sig, "RSD PTR ", 8);
}

Test(pc_platform, tables_and_devices_are_there)
{
	struct fix f;
	const struct acpi_layout *l;
	uint8_t madt[128];

	make(&f, true);
	l = vm_worker_acpi(f.w);
	cr_assert_not_null(l);
	cr_expect_eq(l->rsdp, ACPI_RSDP_GPA);
	cr_expect_eq(l->region_base, ACPI_REGION_BASE);
	cr_expect(rsdp_in_ram(&f));
	physmem_copy_from(mem(&f), madt, l->madt, sizeof(madt));
	cr_expect_eq(madt[44 + 3], 0);
	cr_expect_eq(madt[52 + 3], 1, "second vCPU's APIC ID");
	cr_expect_eq(madt[60], 1, "then the I/O APIC");
	cr_expect_eq(madt[62], 2, "its ID follows the CPUs'");
	/* Ports: 8259 mask, RTC, PM1a_CNT's SCI_EN; the I/O APIC page. */
	out(&f, 0x21, 1, 0xA5);
	cr_expect_eq(in(&f, 0x21, 1), 0xA5);
	out(&f, 0x70, 1, 0x32);
	cr_expect_eq(in(&f, 0x71, 1), 0x20, "century 20");
	cr_expect_eq(in(&f, ACPI_PM1_CNT, 2) & 1, 1);
	physmem_write(mem(&f), IOAPIC_DEFAULT_BASE, 4, 1);
	cr_expect_eq(physmem_read(mem(&f), IOAPIC_DEFAULT_BASE + 0x10, 4),
		     0x00170011u);
	unmake(&f);
}

Test(pc_platform, s5_ends_the_partition_with_status_0)
{
	struct fix f;
	struct partition *p;

	make(&f, true);
	p = vm_worker_partition(f.w);
	cr_assert_eq(partition_start(p), 0);
	out(&f, ACPI_PM1_CNT, 2, ACPI_SLP_TYP_S5 << 10); /* no SLP_EN */
	cr_expect(!partition_ended(p));
	out(&f, ACPI_PM1_CNT, 2, ACPI_SLP_TYP_S5 << 10 | 1u << 13);
	cr_assert(partition_ended(p));
	cr_expect_eq(partition_end_status(p), 0);
	cr_expect_str_eq(partition_end_reason(p),
			 "guest powered off (ACPI S5)");
	cr_expect_eq(partition_state(p), PART_STOPPED);
	unmake(&f);
}

Test(pc_platform, reset_writes_the_tables_again)
{
	struct fix f;
	char err[128];

	make(&f, true);
	out(&f, 0x21, 1, 0xA5);
	cr_assert_eq(vm_worker_reset(f.w, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(f.loads, 2);
	cr_expect(rsdp_in_ram(&f), "RAM was zeroed, the tables rewritten");
	cr_expect_eq(in(&f, 0x21, 1), 0, "the 8259 back to power-on");
	unmake(&f);
}

Test(pc_platform, platform_none_leaves_it_all_out)
{
	struct fix f;

	make(&f, false);
	cr_expect_null(vm_worker_acpi(f.w));
	cr_expect(!rsdp_in_ram(&f));
	cr_expect_eq(in(&f, 0x21, 1), 0xFF, "open bus");
	cr_expect_eq(in(&f, ACPI_PM_TMR, 4), 0xFFFFFFFFu);
	cr_expect_eq(physmem_read(mem(&f), IOAPIC_DEFAULT_BASE, 4),
		     0xFFFFFFFFu);
	unmake(&f);
}

/* COM1's interrupt is ISA IRQ 4: with the UART's THRE interrupt enabled
 * and OUT2 set, I/O APIC pin 4 fires (seen as remote IRR on a level
 * entry, since nothing EOIs it here). */
Test(pc_platform, com1_drives_isa_irq_4)
{
	struct fix f;
	struct physmem *m;

	make(&f, true);
	m = mem(&f);
	physmem_write(m, IOAPIC_DEFAULT_BASE, 4, 0x10 + 2 * 4);
	physmem_write(m, IOAPIC_DEFAULT_BASE + 0x10, 4,
		      0x44 | IOAPIC_RTE_LEVEL);
	out(&f, 0x3F8 + 4, 1, 0x08); /* MCR: OUT2 */
	physmem_write(m, IOAPIC_DEFAULT_BASE, 4, 0x10 + 2 * 4);
	cr_expect_eq(physmem_read(m, IOAPIC_DEFAULT_BASE + 0x10, 4) &
			 IOAPIC_RTE_REMOTE_IRR,
		     0, "no interrupt enabled yet");
	out(&f, 0x3F8 + 1, 1, 0x02); /* IER: THRE */
	physmem_write(m, IOAPIC_DEFAULT_BASE, 4, 0x10 + 2 * 4);
	cr_expect_eq(physmem_read(m, IOAPIC_DEFAULT_BASE + 0x10, 4) &
			 IOAPIC_RTE_REMOTE_IRR,
		     IOAPIC_RTE_REMOTE_IRR, "pin 4 sent its message");
	unmake(&f);
}
