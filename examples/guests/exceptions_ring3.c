/*
 * examples/guests/exceptions_ring3.c — exceptions only CPL 3 can cause:
 * #GP(0) on each privileged instruction (Intel SDM Vol. 3A §5.9), no fault
 * on RDTSC while CR4.TSD = 0, and #AC on a misaligned access with CR0.AM
 * and RFLAGS.AC set (§6.15 interrupt 17). The snippets themselves are in
 * exceptions_user.c.
 */
#include "exceptions.h"
#include "rt.h"

static const struct {
	const char *what;
	user_fn fn;
} priv_cases[] = {
	{ "hlt at CPL 3", u_hlt },
	{ "cli at CPL 3 (IOPL 0)", u_cli },
	{ "sti at CPL 3 (IOPL 0)", u_sti },
	{ "mov from CR0 at CPL 3", u_read_cr0 },
	{ "mov to CR3 at CPL 3", u_write_cr3 },
	{ "rdmsr at CPL 3", u_rdmsr },
	{ "wrmsr at CPL 3", u_wrmsr },
	{ "in from port 0x80 at CPL 3 (IOPL 0, no I/O bitmap)", u_inb },
	{ "out to port 0x80 at CPL 3 (IOPL 0, no I/O bitmap)", u_outb },
	{ "lgdt at CPL 3", u_lgdt },
	{ "lidt at CPL 3", u_lidt },
	{ "invlpg at CPL 3", u_invlpg },
	{ "swapgs at CPL 3", u_swapgs },
	{ "clts at CPL 3", u_clts },
	{ "rdpmc at CPL 3 (CR4.PCE=0)", u_rdpmc },
};

static void test_privileged(void)
{
	catch_reset();
	asm volatile(TRY_BEGIN "sgdt %0; sidt %1" TRY_END
		     : "=m"(u_gdtr), "=m"(u_idtr) : : TRY_CLOBBERS);
	if (catch_setup_failed("sgdt/sidt (setup)"))
		return;
	for (unsigned i = 0; i < sizeof(priv_cases) / sizeof(priv_cases[0]);
	     i++) {
		catch_reset();
		user_call(priv_cases[i].fn, read_cr3());
		catch_check(priv_cases[i].what, 13, 0, AT_FAULT);
	}
	catch_reset();
	user_call(u_rdtsc, 0);
	catch_check_none("rdtsc at CPL 3 (CR4.TSD=0)");
}

static void test_ac(void)
{
	uint64_t cr0 = read_cr0();

	write_cr0(cr0 | CR0_AM);
	catch_reset();
	user_call(u_misaligned_ac, 0);
	write_cr0(cr0);
	if (trap_catch.count == 0) {
		report_skip("#AC: a misaligned read at CPL 3 with CR0.AM=1 and "
			    "RFLAGS.AC=1 did not fault (alignment checking "
			    "not implemented)");
		return;
	}
	catch_check("misaligned read at CPL 3 with CR0.AM and RFLAGS.AC", 17,
		    0, AT_FAULT);
	report(trap_catch.cs == SEL_UCODE, "#AC came from ring 3");
}

void test_ring3(void)
{
	test_privileged();
	test_ac();
}
