/*
 * tests/unit/devices/test_acpi.c — the ACPI tables (devices/acpi.c),
 * parsed back as a guest would: RSDP → XSDT/RSDT → FADT, MADT, FACS,
 * DSDT; signatures, lengths, checksums, the FADT's PM blocks and flags,
 * the MADT's entries for 1, 2, 7 and 64 vCPUs, and bad configurations.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/acpi.h"
#include "mmu/mmu.h"

static uint8_t region[ACPI_REGION_SIZE];

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* The table at gpa: its signature, length within the region, checksum. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	const uint8_t *t;
	uint32_t len;

	cr_assert(gpa >= ACPI_REGION_BASE &&
		  gpa < ACPI_REGION_BASE + ACPI_REGION_SIZE);
	t = region + (gpa - ACPI_REGION_BASE);
	cr_assert_eq(memcmp(t, sig, 4), 0, "signature %.4s, want %s", t, sig);
	len = rd32(t + 4);
	cr_assert(len >= 36 &&
		  gpa - ACPI_REGION_BASE + len <= ACPI_REGION_SIZE);
	cr_expect_eq(acpi_sum(t, len), 0, "%s checksum", sig);
	return t;
}

static struct acpi_layout build(unsigned cpus)
{
	struct acpi_config c = {.nr_cpus = cpus,
				.ioapic_base = 0xFEC00000,
				.ioapic_id = (uint8_t)cpus};
	struct acpi_layout l;

	cr_assert_eq(acpi_build(region, sizeof(region), &c, &l), 0);
	return l;
}

Test(acpi, rsdp_points_at_both_roots)
{
	struct acpi_layout l = build(1);
	const uint8_t *r = region;
	const uint8_t *x, *rs;

	cr_expect_eq(l.rsdp, ACPI_RSDP_GPA);
	cr_expect_eq(l.rsdp % 16, 0);
	cr_assert_eq(memcmp(r, "RSD PTR ", 8), 0);
	cr_expect_eq(acpi_sum(r, 20), 0, "ACPI 1.0 checksum");
	cr_expect_eq(acpi_sum(r, 36), 0, "extended checksum");
	cr_expect_eq(r[15], 2, "revision");
	cr_expect_eq(rd32(r + 20), 36);
	cr_expect_eq(rd64(r + 24), l.xsdt);
	cr_expect_eq(rd32(r + 16), l.rsdt);
	x = table(l.xsdt, "XSDT");
	rs = table(l.rsdt, "RSDT");
	cr_assert_eq(rd32(x + 4), 36 + 2 * 8);
	cr_assert_eq(rd32(rs + 4), 36 + 2 * 4);
	cr_expect_eq(rd64(x + 36), l.fadt);
	cr_expect_eq(rd64(x + 44), l.madt);
	cr_expect_eq(rd32(rs + 36), l.fadt);
	cr_expect_eq(rd32(rs + 40), l.madt);
	cr_expect_eq(l.region_base, ACPI_REGION_BASE);
	cr_expect(l.used > 0 && l.used <= ACPI_REGION_SIZE);
}

Test(acpi, fadt_describes_the_pm_block)
{
	struct acpi_layout l = build(2);
	const uint8_t *f = table(l.fadt, "FACP");
	const uint8_t *facs = region + (l.facs - ACPI_REGION_BASE);
	uint32_t flags = rd32(f + 112);

	cr_expect_eq(rd32(f + 4), 276);
	cr_expect_eq(f[8], 6, "revision");
	cr_expect_eq(rd32(f + 36), l.facs);
	cr_expect_eq(rd64(f + 132), 0, "X_FIRMWARE_CTRL: 0 when the 32-bit one is set");
	cr_expect_eq(rd32(f + 40), l.dsdt);
	cr_expect_eq(rd64(f + 140), l.dsdt);
	cr_expect_eq(f[46] | f[47] << 8, ACPI_SCI_IRQ);
	cr_expect_eq(rd32(f + 48), 0, "no SMI_CMD: always ACPI mode");
	cr_expect_eq(rd32(f + 56), ACPI_PM1_EVT);
	cr_expect_eq(rd32(f + 64), ACPI_PM1_CNT);
	cr_expect_eq(rd32(f + 76), ACPI_PM_TMR);
	cr_expect_eq(f[88], 4);
	cr_expect_eq(f[89], 2);
	cr_expect_eq(f[91], 4);
	/* X_ blocks agree: System I/O, widths 32/16/32. */
	cr_expect_eq(f[148], 1);
	cr_expect_eq(f[149], 32);
	cr_expect_eq(rd64(f + 152), ACPI_PM1_EVT);
	cr_expect_eq(f[173], 16);
	cr_expect_eq(rd64(f + 176), ACPI_PM1_CNT);
	cr_expect_eq(f[209], 32);
	cr_expect_eq(rd64(f + 212), ACPI_PM_TMR);
	cr_expect_eq(flags & (1u << 20), 0, "not hardware-reduced");
	cr_expect(flags & (1u << 8), "32-bit PM timer");
	cr_expect_eq((f[109] | f[110] << 8) & 0x3, 1, "legacy devs, no 8042");
	cr_expect_eq(f[108], 0x32, "century byte");
	cr_assert_eq(memcmp(facs, "FACS", 4), 0);
	cr_expect_eq(rd32(facs + 4), 64);
	cr_expect_eq(l.facs % 64, 0);
}

/* Walk the MADT: count entries by type and check each. */
static void check_madt(unsigned cpus)
{
	struct acpi_layout l = build(cpus);
	const uint8_t *m = table(l.madt, "APIC");
	uint32_t len = rd32(m + 4), off = 44;
	unsigned lapics = 0, ioapics = 0, isos = 0, nmis = 0;
	bool irq0_to_2 = false, sci_level = false;

	cr_expect_eq(rd32(m + 36), 0xFEE00000u);
	cr_expect_eq(rd32(m + 40) & 1, 1, "PCAT_COMPAT");
	while (off < len) {
		const uint8_t *e = m + off;

		cr_assert(e[1] >= 2 && off + e[1] <= len, "entry at %u", off);
		switch (e[0]) {
		case 0:
			cr_expect_eq(e[1], 8);
			cr_expect_eq(e[2], lapics, "processor UID");
			cr_expect_eq(e[3], lapics, "APIC ID = vCPU index");
			cr_expect_eq(rd32(e + 4) & 1, 1, "enabled");
			lapics++;
			break;
		case 1:
			cr_expect_eq(e[1], 12);
			cr_expect_eq(e[2], cpus, "I/O APIC id");
			cr_expect_eq(rd32(e + 4), 0xFEC00000u);
			cr_expect_eq(rd32(e + 8), 0, "GSI base");
			ioapics++;
			break;
		case 2:
			cr_expect_eq(e[1], 10);
			cr_expect_eq(e[2], 0, "ISA");
			if (e[3] == 0 && rd32(e + 4) == 2)
				irq0_to_2 = true;
			if (e[3] == ACPI_SCI_IRQ && (e[8] & 0xF) == 0xD)
				sci_level = true;
			isos++;
			break;
		case 4:
			cr_expect_eq(e[1], 6);
			cr_expect_eq(e[2], 0xFF);
			cr_expect_eq(e[5], 1, "LINT1");
			nmis++;
			break;
		default:
			cr_expect_fail("unexpected MADT entry type %u", e[0]);
		}
		off += e[1];
	}
	cr_expect_eq(off, len);
	cr_expect_eq(lapics, cpus);
	cr_expect_eq(ioapics, 1);
	cr_expect_eq(isos, 2);
	cr_expect_eq(nmis, 1);
	cr_expect(irq0_to_2, "IRQ 0 -> GSI 2");
	cr_expect(sci_level, "SCI level, active high");
}

Test(acpi, madt_one_local_apic_per_vcpu)
{
	check_madt(1);
	check_madt(2);
	check_madt(7);
	check_madt(ACPI_MAX_CPUS);
}

Test(acpi, dsdt_has_vmbus_and_s5)
{
	struct acpi_layout l = build(1);
	const uint8_t *d = table(l.dsdt, "DSDT");
	uint32_t len = rd32(d + 4);
	const uint8_t *hid = memmem(d, len, "_HID\x0DVMBus", 11);
	const uint8_t *s5 = memmem(d, len, "_S5_\x12", 5);
	const uint8_t *crs = memmem(d, len, "_CRS\x11", 5);

	cr_expect_eq(d[8], 2, "DSDT revision 2: 64-bit integers");
	cr_expect_not_null(hid);
	cr_expect_not_null(memmem(d, len, "VMBS", 4));
	cr_assert_not_null(s5);
	/* Package: PkgLength, 4 elements, BytePrefix SLP_TYP twice. */
	cr_expect_eq(s5[6], 4);
	cr_expect_eq(s5[7], 0x0A);
	cr_expect_eq(s5[8], ACPI_SLP_TYP_S5);
	cr_assert_not_null(crs);
	cr_expect_eq(crs[8], 0x22, "an IRQ descriptor in _CRS");
}

Test(acpi, bad_configs_are_refused)
{
	struct acpi_config c = {.nr_cpus = 0, .ioapic_base = 0xFEC00000};
	struct acpi_layout l;

	cr_expect_eq(acpi_build(region, sizeof(region), &c, &l), -1);
	c.nr_cpus = ACPI_MAX_CPUS + 1;
	cr_expect_eq(acpi_build(region, sizeof(region), &c, &l), -1);
	c.nr_cpus = 1;
	cr_expect_eq(acpi_build(region, 4096, &c, &l), -1, "buffer too small");
}

Test(acpi, install_into_guest_ram)
{
	struct acpi_config c = {.nr_cpus = 2, .ioapic_base = 0xFEC00000,
				.ioapic_id = 2};
	struct acpi_layout l;
	struct physmem *pm = physmem_create(2 << 20), *tiny;
	uint8_t sig[8];

	cr_assert_eq(acpi_install(pm, &c, &l), 0);
	physmem_copy_from(pm, sig, ACPI_RSDP_GPA, 8);
	cr_expect_eq(memcmp(sig, "RSD PTR ", 8), 0);
	physmem_copy_from(pm, sig, l.madt, 4);
	cr_expect_eq(memcmp(sig, "APIC", 4), 0);
	physmem_destroy(pm);
	/* RAM that ends below the region: refused, nothing written. */
	tiny = physmem_create(512 << 10);
	cr_expect_eq(acpi_install(tiny, &c, &l), -1);
	physmem_destroy(tiny);
}
