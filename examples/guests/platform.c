/*
 * examples/guests/platform.c — the PC platform of a child as a kernel
 * finds and uses it (partitions/pc_platform.h; runs with --vcpus 2):
 *  - ACPI: the RSDP found by scanning 0xE0000-0xFFFFF, its checksums,
 *    the XSDT, the FADT's PM blocks, a local APIC per vCPU and the I/O
 *    APIC in the MADT, the DSDT with the VMBus device;
 *  - the PM timer's rate against the TSC (Hyper-V's TSC_FREQUENCY MSR);
 *  - the CMOS RTC at the scenario's default start time (2026-01-01);
 *  - the 8259s masked, the PIT's channel 0 in mode 2 at 1 kHz delivered
 *    as IRQ 0 → I/O APIC pin 2 → the BSP's local APIC, and its rate;
 *  - PIT channel 2 one-shot through port 0x61, as Linux calibrates;
 *  - power-off: SLP_TYP(S5) | SLP_EN to PM1a_CNT ends hvsim with status
 *    0, so the last line printed is the power-off notice.
 */
#include "rt.h"

#define MSR_HV_TSC_FREQ 0x40000022u
#define APIC_PAGE	0xFEE00000ul
#define IOAPIC_PAGE	0xFEC00000ul
#define VEC_PIT		0x50
#define VEC_SPUR	0xFF

static volatile uint32_t pit_irqs;
static volatile uint64_t pit_last_tsc;

static void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static uint8_t sum(const volatile uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static uint32_t rd32(const volatile uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const volatile uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static int near(uint64_t got, uint64_t want, unsigned pct)
{
	uint64_t d = got > want ? got - want : want - got;

	return d * 100 <= want * pct;
}

static const volatile uint8_t *find_rsdp(void)
{
	for (uintptr_t a = 0xE0000; a < 0x100000; a += 16) {
		const volatile uint8_t *p = (const volatile uint8_t *)a;

		if (!memcmp((const void *)p, "RSD PTR ", 8))
			return p;
	}
	return 0;
}

/* ---- ACPI ---------------------------------------------------------------- */

static uint16_t pm1a_cnt, pm_tmr;

static void test_acpi(unsigned vcpus)
{
	const volatile uint8_t *rsdp = find_rsdp(), *xsdt, *fadt = 0,
			       *madt = 0, *dsdt;
	unsigned lapics = 0, ioapics = 0;

	if (!report(rsdp != 0, "RSDP found in 0xE0000-0xFFFFF"))
		report_summary();
	report(sum(rsdp, 20) == 0 && sum(rsdp, 36) == 0 && rsdp[15] == 2,
	       "RSDP: revision 2, both checksums");
	xsdt = (const volatile uint8_t *)rd64(rsdp + 24);
	report(!memcmp((const void *)xsdt, "XSDT", 4) &&
		   sum(xsdt, rd32(xsdt + 4)) == 0,
	       "XSDT: signature and checksum");
	for (uint32_t off = 36; off < rd32(xsdt + 4); off += 8) {
		const volatile uint8_t *t =
		    (const volatile uint8_t *)rd64(xsdt + off);

		if (!memcmp((const void *)t, "FACP", 4))
			fadt = t;
		if (!memcmp((const void *)t, "APIC", 4))
			madt = t;
	}
	if (!report(fadt && madt, "XSDT lists the FADT and the MADT"))
		report_summary();
	report(sum(fadt, rd32(fadt + 4)) == 0 &&
		   sum(madt, rd32(madt + 4)) == 0,
	       "FADT and MADT checksums");
	pm1a_cnt = (uint16_t)rd32(fadt + 64);
	pm_tmr = (uint16_t)rd32(fadt + 76);
	printf("platform: PM1a_CNT %#x, PM timer %#x, SCI %u\n", pm1a_cnt,
	       pm_tmr, fadt[46]);
	for (uint32_t off = 44; off < rd32(madt + 4); off += madt[off + 1]) {
		if (madt[off] == 0 && madt[off + 3] == lapics)
			lapics++;
		if (madt[off] == 1 && rd32(madt + off + 4) == IOAPIC_PAGE)
			ioapics++;
		if (madt[off + 1] == 0)
			break;
	}
	report(lapics == vcpus, "MADT: %u local APICs (IDs 0..%u)", lapics,
	       vcpus - 1);
	report(ioapics == 1, "MADT: the I/O APIC at 0xfec00000");
	dsdt = (const volatile uint8_t *)rd64(fadt + 140);
	report(!memcmp((const void *)dsdt, "DSDT", 4) &&
		   sum(dsdt, rd32(dsdt + 4)) == 0,
	       "DSDT: signature and checksum");
	{
		int vmbus = 0;

		for (uint32_t i = 36; i + 5 <= rd32(dsdt + 4); i++)
			if (!memcmp((const void *)(dsdt + i), "VMBus", 5))
				vmbus = 1;
		report(vmbus, "DSDT: the VMBus device");
	}
}

/* ---- PM timer, RTC ---------------------------------------------------------- */

static void test_pm_timer(uint64_t tsc_hz)
{
	uint32_t p0 = inl(pm_tmr), p1;
	uint64_t t0 = rdtsc(), t1;

	while (rdtsc() - t0 < tsc_hz / 100)
		asm volatile("pause");
	p1 = inl(pm_tmr);
	t1 = rdtsc();
	/* The tick count over the TSC interval, scaled to a second. */
	printf("platform: PM timer: %lu ticks a second by the TSC\n",
	       (uint64_t)(p1 - p0) * tsc_hz / (t1 - t0));
	report(near((uint64_t)(p1 - p0) * tsc_hz / (t1 - t0), 3579545, 2),
	       "PM timer runs at 3.579545 MHz (within 2%%)");
}

static uint8_t cmos(uint8_t idx)
{
	outb(0x70, idx);
	return inb(0x71);
}

static void test_rtc(void)
{
	report(cmos(0x0B) == 0x02 && (cmos(0x0D) & 0x80),
	       "RTC: 24-hour BCD, battery good");
	report(cmos(0x32) == 0x20 && cmos(0x09) == 0x26 && cmos(0x08) == 0x01 &&
		   cmos(0x07) == 0x01 && cmos(0x04) == 0x00,
	       "RTC: 2026-01-01, hour 0 (the default start time)");
}

/* ---- PIT through the I/O APIC ------------------------------------------------ */

static void on_pit(struct trap_frame *f)
{
	(void)f;
	pit_last_tsc = rdtsc();
	pit_irqs++;
	*(volatile uint32_t *)(APIC_PAGE + 0xB0) = 0; /* EOI */
}

static void ioapic_write(uint8_t reg, uint32_t v)
{
	*(volatile uint32_t *)IOAPIC_PAGE = reg;
	*(volatile uint32_t *)(IOAPIC_PAGE + 0x10) = v;
}

static uint32_t ioapic_read(uint8_t reg)
{
	*(volatile uint32_t *)IOAPIC_PAGE = reg;
	return *(volatile uint32_t *)(IOAPIC_PAGE + 0x10);
}

static void test_pit_irq(uint64_t tsc_hz)
{
	uint64_t t0;

	report(ioapic_read(1) == 0x00170011u, "I/O APIC: version 0x11, 24 pins");
	/* The 8259s: initialised at vectors 0x20/0x28 and masked. */
	outb(0x20, 0x11);
	outb(0x21, 0x20);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0xA0, 0x11);
	outb(0xA1, 0x28);
	outb(0xA1, 0x02);
	outb(0xA1, 0x01);
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	report(inb(0x21) == 0xFF && inb(0xA1) == 0xFF, "8259s masked");
	idt_set_handler(VEC_PIT, on_pit);
	*(volatile uint32_t *)(APIC_PAGE + 0xF0) = 0x100 | VEC_SPUR;
	ioapic_write(0x11 + 2 * 2, 0);	     /* pin 2 → APIC 0 */
	ioapic_write(0x10 + 2 * 2, VEC_PIT); /* fixed, edge, unmasked */
	outb(0x43, 0x34);		     /* channel 0, mode 2 */
	outb(0x40, 1193 & 0xFF);	     /* 1000 Hz */
	outb(0x40, 1193 >> 8);
	t0 = rdtsc();
	asm volatile("sti" ::: "memory");
	while (pit_irqs < 11 && rdtsc() - t0 < tsc_hz / 10)
		asm volatile("pause");
	asm volatile("cli" ::: "memory");
	ioapic_write(0x10 + 2 * 2, 1u << 16 | VEC_PIT); /* masked */
	if (!report(pit_irqs >= 11, "PIT IRQ 0 via I/O APIC pin 2: %u taken",
		    pit_irqs))
		return;
	/* Ten periods between the first interrupt and the eleventh. */
	{
		static uint64_t first;
		uint32_t seen;

		pit_irqs = 0;
		ioapic_write(0x10 + 2 * 2, VEC_PIT);
		asm volatile("sti" ::: "memory");
		while (pit_irqs == 0)
			asm volatile("pause");
		first = pit_last_tsc;
		seen = pit_irqs;
		while (pit_irqs < seen + 10 && rdtsc() - first < tsc_hz / 10)
			asm volatile("pause");
		asm volatile("cli" ::: "memory");
		ioapic_write(0x10 + 2 * 2, 1u << 16 | VEC_PIT);
		printf("platform: 10 PIT periods: %lu TSC cycles (ideal %lu)\n",
		       pit_last_tsc - first, tsc_hz / 1193182 * 11930);
		report(near(pit_last_tsc - first, tsc_hz / 1193182 * 11930, 3),
		       "PIT: 10 periods of 1193 ticks (within 3%%)");
	}
	outb(0x43, 0x30); /* channel 0 mode 0, no count: stopped */
}

/* Linux's calibration pattern: channel 2 one-shot, poll OUT2 at 0x61. */
static void test_pit_ch2(uint64_t tsc_hz)
{
	uint64_t t0, t1;
	unsigned loops = 0;

	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01)); /* gate on */
	outb(0x43, 0xB0);				      /* ch 2 mode 0 */
	outb(0x42, 11932 & 0xFF);			      /* 10 ms */
	outb(0x42, 11932 >> 8);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20) && loops++ < 100000)
		;
	t1 = rdtsc();
	printf("platform: PIT channel 2, 11932 ticks: %lu TSC cycles\n",
	       t1 - t0);
	report(inb(0x61) & 0x20, "PIT channel 2: OUT2 went high");
	report(near(t1 - t0, tsc_hz / 100, 5),
	       "PIT channel 2: 10 ms by the TSC (within 5%%)");
}

int kmain(struct hvsim_boot_info *bi)
{
	uint64_t tsc_hz;
	const char *cmdline = bi ? (const char *)bi->cmdline : 0;
	unsigned vcpus = cmdline && strstr(cmdline, "vcpus=2") ? 2 : 1;

	rt_init();
	printf("platform: ACPI tables, PM timer, RTC, PIT, I/O APIC\n");
	tsc_hz = rdmsr(MSR_HV_TSC_FREQ);
	test_acpi(vcpus);
	test_pm_timer(tsc_hz);
	test_rtc();
	test_pit_irq(tsc_hz);
	test_pit_ch2(tsc_hz);
	if (report_failures())
		report_summary();
	printf("platform: all passed, powering off through PM1a_CNT\n");
	outw(pm1a_cnt, 5u << 10 | 1u << 13);
	report(0, "still running after the S5 write");
	report_summary();
}
