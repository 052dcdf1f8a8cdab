/*
 * examples/guests/cpuid_msr.c — CPUID identification and the MSRs a 64-bit
 * kernel relies on (Intel SDM Vol. 2A CPUID, Vol. 4 MSR list; Vol. 2B
 * RDMSR/WRMSR, SWAPGS, RDTSC, RDTSCP).
 *
 * Checks: vendor string and the feature bits a long-mode kernel needs; the
 * read-back of every MSR it writes (the original values are restored,
 * since SYSCALL depends on several of them); FS/GS bases really used by
 * FS:/GS: accesses and swapped by SWAPGS; a monotonic TSC; #GP(0) for an
 * unknown MSR, a non-canonical base or LSTAR, and a reserved EFER bit.
 */
#include "rt.h"

#define NONCANONICAL 0x8000000000000000ul
#define MSR_UNKNOWN  0xDEAD0000u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_PAT      0x277u

struct feature {
	uint32_t leaf;
	char reg;   /* 'c' or 'd' */
	int bit;
	const char *name;
};

static const struct feature features[] = {
	{ 1, 'd', 4, "TSC" },
	{ 1, 'd', 5, "MSR" },
	{ 1, 'd', 6, "PAE" },
	{ 1, 'd', 24, "FXSR" },
	{ 1, 'd', 25, "SSE" },
	{ 1, 'd', 26, "SSE2" },
	{ 0x80000001, 'd', 11, "SYSCALL" },
	{ 0x80000001, 'd', 20, "NX" },
	{ 0x80000001, 'd', 29, "LM (long mode)" },
};

static int has_feature(uint32_t leaf, char reg, int bit)
{
	struct cpuid_regs r = cpuid(leaf, 0);

	return (((reg == 'c') ? r.ecx : r.edx) >> bit) & 1;
}

static void test_cpuid(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	char vendor[13];
	int printable = 1;

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	for (int i = 0; i < 12; i++)
		printable &= vendor[i] >= 0x20 && vendor[i] < 0x7F;
	printf("cpuid: vendor \"%s\", max leaf %#x, max extended leaf %#x\n",
	       vendor, r.eax, cpuid(0x80000000, 0).eax);
	report(printable, "vendor string is 12 printable characters");
	report(r.eax >= 1, "max basic leaf >= 1");
	report(cpuid(0x80000000, 0).eax >= 0x80000001,
	       "max extended leaf >= 0x80000001");
	for (unsigned i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct feature *f = &features[i];
		report(has_feature(f->leaf, f->reg, f->bit),
		       "cpuid %#x e%cx bit %d: %s", f->leaf, f->reg, f->bit,
		       f->name);
	}
}

/* MSRs written with a test value, read back, then restored. */
static const struct {
	uint32_t msr;
	const char *name;
	uint64_t value;
} round_trips[] = {
	{ MSR_STAR, "STAR", 0x0023001000000000ul },
	{ MSR_LSTAR, "LSTAR", 0xFFFF800012345000ul },
	{ MSR_CSTAR, "CSTAR", 0xFFFF800012346000ul },
	{ MSR_SFMASK, "SFMASK", 0x47700ul },
	{ MSR_FS_BASE, "FS_BASE", 0x00007F0012345678ul },
	{ MSR_GS_BASE, "GS_BASE", 0xFFFFFFFF87654321ul },
	{ MSR_KERNEL_GS_BASE, "KERNEL_GS_BASE", 0x0000123456789ABCul },
	{ MSR_SYSENTER_ESP, "SYSENTER_ESP", 0xFFFF800000010000ul },
	{ MSR_SYSENTER_EIP, "SYSENTER_EIP", 0xFFFF800000020000ul },
	{ MSR_PAT, "PAT", 0x0007040600070406ul },
};

static void test_round_trips(void)
{
	for (unsigned i = 0; i < sizeof(round_trips) / sizeof(round_trips[0]);
	     i++) {
		uint32_t msr = round_trips[i].msr;
		uint64_t old = rdmsr(msr);
		wrmsr(msr, round_trips[i].value);
		uint64_t got = rdmsr(msr);
		wrmsr(msr, old);
		report(got == round_trips[i].value, "%s (%#x) reads back %#lx",
		       round_trips[i].name, msr, round_trips[i].value);
		if (got != round_trips[i].value)
			printf("      got %#lx\n", got);
	}
}

static void test_efer(void)
{
	uint64_t efer = rdmsr(MSR_EFER);
	uint64_t want = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;

	report((efer & want) == want, "EFER has SCE, LME, LMA and NXE set");
	wrmsr(MSR_EFER, efer & ~EFER_SCE);
	uint64_t off = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, efer);
	report(off == (efer & ~EFER_SCE) && rdmsr(MSR_EFER) == efer,
	       "EFER.SCE clears and sets again");

	catch_reset();
	asm volatile(TRY_BEGIN "wrmsr" TRY_END
		     : : "c"(MSR_EFER), "a"((uint32_t)efer | (1u << 2)),
		       "d"((uint32_t)(efer >> 32)) : TRY_CLOBBERS);
	catch_check("wrmsr EFER with reserved bit 2", 13, 0, AT_FAULT);
	report(rdmsr(MSR_EFER) == efer, "EFER unchanged by the faulting write");
}

static uint64_t try_wrmsr(uint32_t msr, uint64_t v)
{
	catch_reset();
	asm volatile(TRY_BEGIN "wrmsr" TRY_END
		     : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : TRY_CLOBBERS);
	return trap_catch.count;
}

static void test_gp(void)
{
	static const struct { uint32_t msr; const char *name; } bases[] = {
		{ MSR_LSTAR, "LSTAR" }, { MSR_FS_BASE, "FS_BASE" },
		{ MSR_GS_BASE, "GS_BASE" },
		{ MSR_KERNEL_GS_BASE, "KERNEL_GS_BASE" },
	};
	char what[64];

	catch_reset();
	asm volatile(TRY_BEGIN "rdmsr" TRY_END
		     : : "c"(MSR_UNKNOWN) : "rax", "rdx", TRY_CLOBBERS);
	catch_check("rdmsr of an unknown MSR", 13, 0, AT_FAULT);
	for (unsigned i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		uint64_t old = rdmsr(bases[i].msr);
		try_wrmsr(bases[i].msr, NONCANONICAL);
		fmt_snprintf(what, sizeof(what), "wrmsr %s non-canonical",
			     bases[i].name);
		catch_check(what, 13, 0, AT_FAULT);
		report(rdmsr(bases[i].msr) == old, "%s unchanged",
		       bases[i].name);
		wrmsr(bases[i].msr, old);
	}
}

static void test_segment_bases(void)
{
	static uint64_t fs_word = 0x1111222233334444ul;
	static uint64_t gs_word = 0x5555666677778888ul;
	static uint64_t kgs_word = 0x9999AAAABBBBCCCCul;
	uint64_t fs_old = rdmsr(MSR_FS_BASE), gs_old = rdmsr(MSR_GS_BASE);
	uint64_t kgs_old = rdmsr(MSR_KERNEL_GS_BASE), v, gs_after, kgs_after;

	wrmsr(MSR_FS_BASE, (uint64_t)&fs_word);
	asm volatile("movq %%fs:0, %0" : "=r"(v));
	report(v == fs_word, "an FS: read uses FS_BASE");
	wrmsr(MSR_GS_BASE, (uint64_t)&gs_word);
	wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)&kgs_word);
	asm volatile("movq %%gs:0, %0" : "=r"(v));
	report(v == gs_word, "a GS: read uses GS_BASE");
	asm volatile("swapgs; movq %%gs:0, %0" : "=r"(v) : : "memory");
	gs_after = rdmsr(MSR_GS_BASE);
	kgs_after = rdmsr(MSR_KERNEL_GS_BASE);
	asm volatile("swapgs" : : : "memory");
	report(gs_after == (uint64_t)&kgs_word &&
	       kgs_after == (uint64_t)&gs_word,
	       "swapgs exchanges GS_BASE and KERNEL_GS_BASE");
	report(v == kgs_word, "after swapgs a GS: read uses the old "
			      "KERNEL_GS_BASE");
	report(rdmsr(MSR_GS_BASE) == (uint64_t)&gs_word,
	       "a second swapgs swaps back");
	wrmsr(MSR_FS_BASE, fs_old);
	wrmsr(MSR_GS_BASE, gs_old);
	wrmsr(MSR_KERNEL_GS_BASE, kgs_old);
}

static void test_tsc(void)
{
	volatile uint64_t sink = 0;
	uint64_t t0 = rdtsc();

	for (int i = 0; i < 1000; i++)
		sink += i;
	uint64_t t1 = rdtsc();
	uint64_t m = rdmsr(MSR_TSC);
	uint64_t t2 = rdtsc();
	report(t0 < t1 && t1 < t2, "rdtsc increases");
	report(t1 <= m && m <= t2, "rdmsr TSC lies between two rdtsc");
	if (!has_feature(0x80000001, 'd', 27)) {
		report_skip("rdtscp: CPUID.80000001H:EDX.RDTSCP is 0");
		return;
	}
	uint32_t aux_old = (uint32_t)rdmsr(MSR_TSC_AUX), aux;
	wrmsr(MSR_TSC_AUX, 0x42);
	asm volatile("rdtscp" : "=c"(aux) : : "rax", "rdx");
	wrmsr(MSR_TSC_AUX, aux_old);
	report(aux == 0x42, "rdtscp returns TSC_AUX in ECX");
}

int kmain(struct hvsim_boot_info *bi)
{
	(void)bi;
	rt_init();
	printf("cpuid_msr: identification, MSRs, SWAPGS and the TSC\n");
	test_cpuid();
	test_efer();
	test_round_trips();
	test_segment_bases();
	test_tsc();
	test_gp();
	report_summary();
}
