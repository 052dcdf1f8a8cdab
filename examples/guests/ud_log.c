/*
 * examples/guests/ud_log.c — an instruction the CPU model does not
 * implement must raise #UD at that instruction, every time, and hvsim must
 * log it once (with its bytes and Capstone's disassembly), not once per
 * occurrence (cpu/disasm.c cpu_unimplemented()).
 *
 * The instruction is the AVX VADDPS ymm2, ymm1, ymm0 (VEX C5 F4 58 D0).
 * The model advertises neither AVX nor OSXSAVE (CPUID.1:ECX bits 28 and
 * 27), and CR4.OSXSAVE is 0, so on real hardware too every VEX-encoded
 * instruction raises #UD (Intel SDM Vol. 2A §2.4.1, Table 2-20 "#UD if
 * CR4.OSXSAVE = 0"): the guest's checks hold on any x86-64 CPU, and only
 * the log line (tests/guest/expect/ud_log.txt, a stderr: once: line) is
 * hvsim's. It runs at one address twice (a loop) and once more from a
 * second copy elsewhere: three #UDs, one log line. Then a plain UD2, which
 * is defined to raise #UD and must not be logged at all.
 */
#include "rt.h"

#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX	   (1u << 28)
#define CR4_OSXSAVE	   (1ul << 18)
#define VADDPS_YMM	   ".byte 0xc5, 0xf4, 0x58, 0xd0"

/* The first site: the same instruction bytes at one address. */
static void vaddps_site_a(void)
{
	asm volatile(TRY_BEGIN VADDPS_YMM TRY_END : : : TRY_CLOBBERS);
}

/* The second site: same bytes, another RIP. noinline keeps the two apart. */
__attribute__((noinline)) static void vaddps_site_b(void)
{
	asm volatile("nop\n\t" TRY_BEGIN VADDPS_YMM TRY_END : : : TRY_CLOBBERS);
}

static void check_site(void (*site)(void), const char *what)
{
	catch_reset();
	site();
	catch_check(what, 6, 0, AT_FAULT);
}

int kmain(struct hvsim_boot_info *bi)
{
	struct cpuid_regs id = cpuid(1, 0);

	(void)bi;
	rt_init();
	printf("ud_log: an unimplemented instruction raises #UD and is "
	       "logged once\n");
	report(!(id.ecx & CPUID1_ECX_AVX), "CPUID.1:ECX.AVX is clear");
	report(!(id.ecx & CPUID1_ECX_OSXSAVE) && !(read_cr4() & CR4_OSXSAVE),
	       "OSXSAVE is clear in CPUID and CR4: VEX must #UD");
	for (int i = 1; i <= 2; i++) {
		catch_reset();
		vaddps_site_a();
		catch_check(i == 1 ? "vaddps ymm (site A, 1st time)"
				   : "vaddps ymm (site A, 2nd time)",
			    6, 0, AT_FAULT);
	}
	check_site(vaddps_site_b, "vaddps ymm (site B)");
	check_site(vaddps_site_a, "vaddps ymm (site A, 3rd time)");
	catch_reset();
	asm volatile(TRY_BEGIN "ud2" TRY_END : : : TRY_CLOBBERS);
	catch_check("ud2 (defined, so not logged)", 6, 0, AT_FAULT);
	report_summary();
}
