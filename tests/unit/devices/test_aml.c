/*
 * tests/unit/devices/test_aml.c — the AML emitter (devices/acpi_aml.c):
 * integer and name encodings, PkgLength at its size boundaries, nesting,
 * and the failure cases (bad names, unbalanced ends, overflow). The DSDT
 * body is compared byte for byte with what iasl 20200925 produced from
 * the equivalent ASL.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/acpi.h"
#include "devices/acpi_aml.h"

static struct aml a;

static void expect_bytes(const uint8_t *want, size_t n)
{
	cr_assert(!a.failed);
	cr_assert_eq(a.len, n, "length %zu, want %zu", a.len, n);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(a.b[i], want[i], "byte %zu: %#x, want %#x", i,
			     a.b[i], want[i]);
}

Test(aml, integers_take_the_shortest_encoding)
{
	static const uint8_t want[] = {
	    0x00, 0x01, 0x0A, 0x02, 0x0A, 0xFF, 0x0B, 0x00, 0x01,
	    0x0C, 0x00, 0x00, 0x01, 0x00, 0x0E, 0x00, 0x00, 0x00,
	    0x00, 0x01, 0x00, 0x00, 0x00};

	aml_init(&a);
	aml_integer(&a, 0);
	aml_integer(&a, 1);
	aml_integer(&a, 2);
	aml_integer(&a, 0xFF);
	aml_integer(&a, 0x100);
	aml_integer(&a, 0x10000);
	aml_integer(&a, 0x100000000ull);
	expect_bytes(want, sizeof(want));
}

Test(aml, name_paths)
{
	static const uint8_t want[] = {
	    '_',  'S',	'B', '_', 0x5C, '_', 'S', 'B', '_', 0x5C, 0x2E,
	    '_',  'S',	'B', '_', 'V',	'M', 'B', 'S', 0x2F, 0x03, 'A',
	    '_',  '_',	'_', 'B', '1',	'_', '_', 'C', '_', '_', '_'};

	aml_init(&a);
	aml_name_path(&a, "_SB");
	aml_name_path(&a, "\\_SB");
	aml_name_path(&a, "\\_SB.VMBS");
	aml_name_path(&a, "A.B1.C");
	expect_bytes(want, sizeof(want));
}

Test(aml, bad_names_fail)
{
	const char *bad[] = {"", "TOOLONG", "a", "1AB", "A..B", "A.", "\\",
			     "A.B.C.D.E.F.G.H.I", "A-B"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_init(&a);
		aml_name_path(&a, bad[i]);
		cr_expect(a.failed, "'%s' accepted", bad[i]);
	}
}

/* A Scope whose body is `body` bytes of names: its PkgLength. */
static void scope_with_body(size_t body)
{
	aml_init(&a);
	aml_scope_begin(&a, "_SB"); /* 4 bytes of name in the body */
	for (size_t i = 4; i < body; i++)
		a.b[a.len++] = 0xA3; /* Noop: filler */
	aml_end(&a);
}

Test(aml, pkglength_sizes)
{
	/* 62 bytes of body + 1 = 63: one byte. */
	scope_with_body(62);
	cr_assert(!a.failed);
	cr_expect_eq(a.b[1], 63);
	cr_expect_eq(a.len, 1 + 1 + 62);
	/* 63 + 1 = 64 > 63: two bytes, low nibble in the lead byte. */
	scope_with_body(63);
	cr_expect_eq(a.b[1], 0x40 | (65 & 0xF));
	cr_expect_eq(a.b[2], 65 >> 4);
	cr_expect_eq(a.len, 1 + 2 + 63);
	/* 4093 + 2 = 4095 < 4096: still two bytes. */
	scope_with_body(AML_MAX - 3);
	cr_assert(!a.failed);
	cr_expect_eq(a.b[1], 0x40 | (4095 & 0xF));
	cr_expect_eq(a.b[2], 4095 >> 4);
}

Test(aml, unbalanced_and_overflow_fail)
{
	aml_init(&a);
	aml_end(&a);
	cr_expect(a.failed, "end without begin");

	aml_init(&a);
	for (int i = 0; i <= AML_DEPTH; i++)
		aml_scope_begin(&a, "_SB");
	cr_expect(a.failed, "nesting deeper than AML_DEPTH");

	aml_init(&a);
	for (int i = 0; i < AML_MAX; i++)
		aml_integer(&a, 0x1234);
	cr_expect(a.failed, "overflow");
	cr_expect_leq(a.len, AML_MAX);

	aml_init(&a);
	scope_with_body(AML_MAX - 1); /* no room for the PkgLength */
	cr_expect(a.failed);
}

Test(aml, package_and_method)
{
	static const uint64_t v[4] = {5, 5, 0, 0};
	static const uint8_t want[] = {
	    0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 0x05, 0x0A,
	    0x05, 0x00, 0x00, 0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xA4,
	    0x0A, 0x0F};

	aml_init(&a);
	aml_name_package(&a, "_S5", v, 4);
	aml_method_return_int(&a, "_STA", 0x0F);
	expect_bytes(want, sizeof(want));
}

Test(aml, irq_resource)
{
	uint8_t r[8];

	cr_expect_eq(aml_res_irq_noflags(r, sizeof(r), 7), 5);
	cr_expect_eq(r[0], 0x22);
	cr_expect_eq(r[1] | r[2] << 8, 1u << 7);
	cr_expect_eq(r[3], 0x79);
	cr_expect_eq(aml_res_irq_noflags(r, sizeof(r), 16), 0);
	cr_expect_eq(aml_res_irq_noflags(r, 4, 1), 0);
}

/* iasl 20200925 (`iasl -tc`) on:
 *   Name (_S5, Package (0x04) {5, 5, 0, 0})
 *   Scope (\_SB) { Device (VMBS) { Name (_HID, "VMBus") Name (_UID, Zero)
 *     Name (_DDN, "VMBUS") Name (_CRS, ResourceTemplate () {
 *     IRQNoFlags () {7} }) Method (_STA, 0, NotSerialized)
 *     { Return (0x0F) } } }
 * (it reports error 6033 for the 5-character _HID but writes the AML). */
static const uint8_t iasl_dsdt_body[] = {
    0x08, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x08, 0x04, 0x0A, 0x05, 0x0A, 0x05,
    0x00, 0x00, 0x10, 0x43, 0x04, 0x5F, 0x53, 0x42, 0x5F, 0x5B, 0x82, 0x3B,
    0x56, 0x4D, 0x42, 0x53, 0x08, 0x5F, 0x48, 0x49, 0x44, 0x0D, 0x56, 0x4D,
    0x42, 0x75, 0x73, 0x00, 0x08, 0x5F, 0x55, 0x49, 0x44, 0x00, 0x08, 0x5F,
    0x44, 0x44, 0x4E, 0x0D, 0x56, 0x4D, 0x42, 0x55, 0x53, 0x00, 0x08, 0x5F,
    0x43, 0x52, 0x53, 0x11, 0x08, 0x0A, 0x05, 0x22, 0x80, 0x00, 0x79, 0x00,
    0x14, 0x09, 0x5F, 0x53, 0x54, 0x41, 0x00, 0xA4, 0x0A, 0x0F};

Test(aml, dsdt_matches_iasl)
{
	static uint8_t region[ACPI_REGION_SIZE];
	struct acpi_config c = {.nr_cpus = 1,
				.ioapic_base = 0xFEC00000,
				.ioapic_id = 1};
	struct acpi_layout l;
	const uint8_t *dsdt;

	cr_assert_eq(acpi_build(region, sizeof(region), &c, &l), 0);
	dsdt = region + (l.dsdt - ACPI_REGION_BASE);
	cr_assert_eq(dsdt[4] | dsdt[5] << 8, 36 + sizeof(iasl_dsdt_body));
	cr_expect_eq(memcmp(dsdt + 36, iasl_dsdt_body, sizeof(iasl_dsdt_body)),
		     0);
}
