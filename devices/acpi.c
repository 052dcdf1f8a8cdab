/*
 * devices/acpi.c — the ACPI tables of a child partition (acpi.h). Layouts
 * and field offsets from ACPI 6.4: RSDP §5.2.5.3, the common header
 * §5.2.6, RSDT/XSDT §5.2.7-8, FADT §5.2.9 (Table 5.9), FACS §5.2.10,
 * MADT §5.2.12 (entries 0 local APIC, 1 I/O APIC, 2 interrupt source
 * override, 4 local APIC NMI), Generic Address Structure §5.2.3.2.
 *
 * The tables are written into a buffer that stands for the region at
 * ACPI_REGION_BASE, one after the other at 16-byte boundaries (the FACS at
 * a 64-byte one), and each table's checksum is set once its bytes are
 * final. Nothing here depends on the guest: the tables are a function of
 * the partition's settings only.
 */
#include "devices/acpi.h"

#include <stdlib.h>
#include <string.h>

#include "devices/acpi_aml.h"
#include "mmu/mmu.h"
#include "sim/le.h"

#define HDR_LEN	  36u
#define OEM_ID	  "HVSIM "   /* 6 characters */
#define OEM_TABLE "HVSIMPC " /* 8 characters */
#define CREATOR	  "HVSM"

#define FADT_LEN 276u /* revision 6 (ACPI 6.0+): up to the hypervisor id */
#define FACS_LEN 64u
#define RSDP_LEN 36u

/* FADT Flags (Table 5.10) and IA-PC boot architecture flags (Table 5.11). */
#define FADT_WBINVD	  (1u << 0)
#define FADT_PROC_C1	  (1u << 2)
#define FADT_PWR_BUTTON	  (1u << 4) /* no fixed power button */
#define FADT_SLP_BUTTON	  (1u << 5) /* no fixed sleep button */
#define FADT_FIX_RTC	  (1u << 6) /* no RTC wake status in PM1 */
#define FADT_TMR_VAL_EXT  (1u << 8) /* 32-bit PM timer */
#define BOOT_LEGACY_DEVS  (1u << 0) /* PIT, PIC, RTC on the ISA side */
#define BOOT_VGA_ABSENT	  (1u << 2)
#define FADT_PROFILE_SERVER 4u

#define MADT_PCAT_COMPAT 1u

/* Generic Address Structure, address space System I/O. */
#define GAS_SYSTEM_IO 1u

struct writer {
	uint8_t *buf;
	size_t len, pos;
	int failed;
};

static void put8(uint8_t *p, unsigned off, uint8_t v)
{
	p[off] = v;
}

static void put16(uint8_t *p, unsigned off, uint16_t v)
{
	le_put16(p + off, v);
}

static void put32(uint8_t *p, unsigned off, uint32_t v)
{
	le_put32(p + off, v);
}

static void put64(uint8_t *p, unsigned off, uint64_t v)
{
	le_put64(p + off, v);
}

uint8_t acpi_sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Reserve `len` bytes at the next `align` boundary; NULL if full. */
static uint8_t *take(struct writer *w, size_t len, size_t align,
		     uint64_t *gpa)
{
	size_t at = (w->pos + align - 1) & ~(align - 1);

	if (at > w->len || len > w->len - at) {
		w->failed = 1;
		return NULL;
	}
	w->pos = at + len;
	*gpa = ACPI_REGION_BASE + at;
	return w->buf + at;
}

/* The common header; the checksum (offset 9) is set by finish(). */
static void header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t, 4, len);
	put8(t, 8, rev);
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE, 8);
	put32(t, 24, 1); /* OEM revision */
	memcpy(t + 28, CREATOR, 4);
	put32(t, 32, 1); /* creator revision */
}

static void finish(uint8_t *t, size_t len)
{
	t[9] = 0;
	t[9] = (uint8_t)(0x100 - acpi_sum(t, len));
}

/* A System I/O Generic Address Structure at t+off. */
static void gas_io(uint8_t *t, unsigned off, unsigned bits, unsigned access,
		   uint16_t port)
{
	put8(t, off, GAS_SYSTEM_IO);
	put8(t, off + 1, (uint8_t)bits);
	put8(t, off + 2, 0); /* bit offset */
	put8(t, off + 3, (uint8_t)access); /* 1 byte, 2 word, 3 dword */
	put64(t, off + 4, port);
}

/* ---- DSDT ------------------------------------------------------------------ */

static int build_dsdt(struct writer *w, uint64_t *gpa)
{
	static const uint64_t s5[4] = {ACPI_SLP_TYP_S5, ACPI_SLP_TYP_S5, 0, 0};
	struct aml *a = malloc(sizeof(*a)); /* 4 KiB: off the stack */
	uint8_t crs[8];
	size_t crs_len = aml_res_irq_noflags(crs, sizeof(crs), 7);
	uint8_t *t;
	int rc = -1;

	if (!a)
		return -1;
	aml_init(a);
	aml_name_package(a, "_S5", s5, 4); /* at the root */
	aml_scope_begin(a, "_SB");
	aml_device_begin(a, "VMBS");
	aml_name_string(a, "_HID", "VMBus"); /* Linux matches VMBus/VMBUS */
	aml_name_int(a, "_UID", 0);
	aml_name_string(a, "_DDN", "VMBUS");
	/* Linux's vmbus_acpi_add walks _CRS and fails without one; an IRQ
	 * resource is ignored on x86 (the VMBus vector is fixed, 0xF3).
	 * IRQ 7 is QEMU's choice for its vmbus-bridge. */
	aml_name_buffer(a, "_CRS", crs, crs_len);
	aml_method_return_int(a, "_STA", 0x0F);
	aml_end(a); /* Device */
	aml_end(a); /* Scope */
	if (!a->failed && a->depth == 0 &&
	    (t = take(w, HDR_LEN + a->len, 16, gpa))) {
		header(t, "DSDT", (uint32_t)(HDR_LEN + a->len), 2);
		memcpy(t + HDR_LEN, a->b, a->len);
		finish(t, HDR_LEN + a->len);
		rc = 0;
	}
	free(a);
	return rc;
}

/* ---- FACS, FADT ------------------------------------------------------------ */

static int build_facs(struct writer *w, uint64_t *gpa)
{
	uint8_t *t = take(w, FACS_LEN, 64, gpa);

	if (!t)
		return -1;
	memcpy(t, "FACS", 4); /* no checksum: the FACS has none */
	put32(t, 4, FACS_LEN);
	put8(t, 32, 2); /* version */
	return 0;
}

static int build_fadt(struct writer *w, uint64_t facs, uint64_t dsdt,
		      uint64_t *gpa)
{
	uint8_t *t = take(w, FADT_LEN, 16, gpa);

	if (!t)
		return -1;
	header(t, "FACP", FADT_LEN, 6);
	put32(t, 36, (uint32_t)facs);
	put32(t, 40, (uint32_t)dsdt);
	put8(t, 45, FADT_PROFILE_SERVER);
	put16(t, 46, ACPI_SCI_IRQ);
	/* SMI_CMD (48) = 0: always in ACPI mode, SCI_EN reads 1. */
	put32(t, 56, ACPI_PM1_EVT);
	put32(t, 64, ACPI_PM1_CNT);
	put32(t, 76, ACPI_PM_TMR);
	put8(t, 88, 4); /* PM1_EVT_LEN */
	put8(t, 89, 2); /* PM1_CNT_LEN */
	put8(t, 91, 4); /* PM_TMR_LEN */
	put16(t, 96, 101);  /* P_LVL2_LAT > 100: C2 not supported */
	put16(t, 98, 1001); /* P_LVL3_LAT > 1000: C3 not supported */
	put8(t, 108, 0x32); /* CENTURY: the CMOS byte (devices/rtc.h) */
	put16(t, 109, BOOT_LEGACY_DEVS | BOOT_VGA_ABSENT);
	put32(t, 112, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON |
			  FADT_SLP_BUTTON | FADT_FIX_RTC | FADT_TMR_VAL_EXT);
	put8(t, 131, 0); /* FADT minor version: 6.0 */
	/* X_FIRMWARE_CTRL (132) stays 0: the spec wants it zero when
	 * FIRMWARE_CTRL is set (Linux otherwise lists the FACS twice). */
	put64(t, 140, dsdt);
	/* The extended blocks agree with the 32-bit ones (ACPICA warns
	 * about a mismatch). */
	gas_io(t, 148, 32, 2, ACPI_PM1_EVT);
	gas_io(t, 172, 16, 2, ACPI_PM1_CNT);
	gas_io(t, 208, 32, 3, ACPI_PM_TMR);
	memcpy(t + 268, "HVSIM   ", 8); /* hypervisor vendor identity */
	finish(t, FADT_LEN);
	return 0;
}

/* ---- MADT ------------------------------------------------------------------ */

/* Interrupt source override flags (Table 5.26): polarity bits 1:0,
 * trigger mode bits 3:2; 0 = "conforms to the bus" (ISA: edge, high). */
#define ISO_ACTIVE_HIGH 0x1u
#define ISO_LEVEL	0xCu

struct madt_iso {
	uint8_t irq;
	uint32_t gsi;
	uint16_t flags;
};

static const struct madt_iso madt_isos[] = {
    {0, 2, 0}, /* the PIT's IRQ 0 is wired to pin 2, as on PCs */
    {ACPI_SCI_IRQ, ACPI_SCI_IRQ, ISO_ACTIVE_HIGH | ISO_LEVEL},
};

#define NISO (sizeof(madt_isos) / sizeof(madt_isos[0]))

static int build_madt(struct writer *w, const struct acpi_config *c,
		      uint64_t *gpa)
{
	uint32_t len = 44 + 8 * c->nr_cpus + 12 + 10 * (uint32_t)NISO + 6;
	uint8_t *t = take(w, len, 16, gpa);
	unsigned off = 44;

	if (!t)
		return -1;
	header(t, "APIC", len, 5);
	put32(t, 36, 0xFEE00000u); /* local APIC address */
	put32(t, 40, MADT_PCAT_COMPAT);
	for (unsigned i = 0; i < c->nr_cpus; i++, off += 8) {
		put8(t, off, 0); /* processor local APIC */
		put8(t, off + 1, 8);
		put8(t, off + 2, (uint8_t)i); /* ACPI processor UID */
		put8(t, off + 3, (uint8_t)i); /* APIC ID = vCPU index */
		put32(t, off + 4, 1);	      /* enabled */
	}
	put8(t, off, 1); /* I/O APIC */
	put8(t, off + 1, 12);
	put8(t, off + 2, c->ioapic_id);
	put32(t, off + 4, (uint32_t)c->ioapic_base);
	put32(t, off + 8, 0); /* GSI base */
	off += 12;
	for (unsigned i = 0; i < NISO; i++, off += 10) {
		put8(t, off, 2); /* interrupt source override */
		put8(t, off + 1, 10);
		put8(t, off + 2, 0); /* bus: ISA */
		put8(t, off + 3, madt_isos[i].irq);
		put32(t, off + 4, madt_isos[i].gsi);
		put16(t, off + 8, madt_isos[i].flags);
	}
	put8(t, off, 4); /* local APIC NMI: every processor's LINT1 */
	put8(t, off + 1, 6);
	put8(t, off + 2, 0xFF);
	put16(t, off + 3, 0);
	put8(t, off + 5, 1);
	finish(t, len);
	return 0;
}

/* ---- RSDT, XSDT, RSDP -------------------------------------------------------- */

static int build_roots(struct writer *w, const uint64_t *tables, unsigned n,
		       struct acpi_layout *out)
{
	uint8_t *rsdt = take(w, HDR_LEN + 4 * n, 16, &out->rsdt);
	uint8_t *xsdt = take(w, HDR_LEN + 8 * n, 16, &out->xsdt);
	uint8_t *rsdp = w->buf; /* at the region's start (acpi_build) */

	if (!rsdt || !xsdt)
		return -1;
	header(rsdt, "RSDT", HDR_LEN + 4 * n, 1);
	header(xsdt, "XSDT", HDR_LEN + 8 * n, 1);
	for (unsigned i = 0; i < n; i++) {
		put32(rsdt, HDR_LEN + 4 * i, (uint32_t)tables[i]);
		put64(xsdt, HDR_LEN + 8 * i, tables[i]);
	}
	finish(rsdt, HDR_LEN + 4 * n);
	finish(xsdt, HDR_LEN + 8 * n);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, OEM_ID, 6);
	put8(rsdp, 15, 2); /* revision: ACPI 2.0+ */
	put32(rsdp, 16, (uint32_t)out->rsdt);
	put32(rsdp, 20, RSDP_LEN);
	put64(rsdp, 24, out->xsdt);
	rsdp[8] = (uint8_t)(0x100 - acpi_sum(rsdp, 20));
	rsdp[32] = (uint8_t)(0x100 - acpi_sum(rsdp, RSDP_LEN));
	out->rsdp = ACPI_RSDP_GPA;
	return 0;
}

int acpi_build(uint8_t *buf, size_t len, const struct acpi_config *cfg,
	       struct acpi_layout *out)
{
	struct writer w = {.buf = buf, .len = len};
	uint64_t rsdp_gpa, tables[2];

	memset(out, 0, sizeof(*out));
	if (cfg->nr_cpus == 0 || cfg->nr_cpus > ACPI_MAX_CPUS ||
	    len < ACPI_REGION_SIZE)
		return -1;
	memset(buf, 0, ACPI_REGION_SIZE);
	w.len = ACPI_REGION_SIZE;
	if (!take(&w, RSDP_LEN, 16, &rsdp_gpa) ||
	    build_facs(&w, &out->facs) || build_dsdt(&w, &out->dsdt) ||
	    build_fadt(&w, out->facs, out->dsdt, &out->fadt) ||
	    build_madt(&w, cfg, &out->madt))
		return -1;
	tables[0] = out->fadt;
	tables[1] = out->madt;
	if (build_roots(&w, tables, 2, out) || w.failed)
		return -1;
	out->region_base = ACPI_REGION_BASE;
	out->region_size = ACPI_REGION_SIZE;
	out->used = w.pos;
	return 0;
}

int acpi_install(struct physmem *pm, const struct acpi_config *cfg,
		 struct acpi_layout *out)
{
	uint8_t *buf = malloc(ACPI_REGION_SIZE);
	int rc = -1;

	if (buf && acpi_build(buf, ACPI_REGION_SIZE, cfg, out) == 0)
		rc = physmem_copy_to(pm, ACPI_REGION_BASE, buf, out->used);
	free(buf);
	return rc;
}
