/*
 * examples/guests/rings.c — privilege-level transitions (Intel SDM Vol. 3A
 * §5.8.8 SYSCALL/SYSRET, §6.12.1 and §6.14 interrupt delivery with a stack
 * switch, §7.7 TSS.RSP0; Vol. 2B SYSCALL, SYSRET, IRET).
 *
 * Ring 3 enters ring 0 by SYSCALL and by INT 0x80 (a DPL-3 gate); the
 * kernel side records its CPL, SS, RFLAGS and stack, and ring 3 records
 * what it gets back after SYSRET / IRETQ: CPL 3 again, its own RFLAGS
 * (CF and AC set before entry survive; SFMASK cleared AC inside), its own
 * RSP. INT 0x81 (DPL 0) and an IRETQ towards ring 0 must #GP; INT3 from
 * ring 3 reaches the #BP handler on the TSS.RSP0 stack.
 */
#include "rings.h"
#include "rt.h"

/* Kernel-side observations of the last SYS_probe. */
static struct {
	uint64_t count, via, cs, ss, rflags, rsp, user_rflags, user_rsp;
} probe;

static uint64_t sys_probe(const struct syscall_frame *f, enum syscall_via via)
{
	probe.count++;
	probe.via = via;
	probe.cs = read_cs();
	probe.ss = read_ss();
	probe.rflags = read_rflags();
	probe.rsp = read_rsp();
	probe.user_rflags = f->user_rflags;
	probe.user_rsp = f->user_rsp;
	return PROBE_OK;
}

static int on_rsp0_stack(uint64_t addr)
{
	struct stack_range r = gdt_rsp0_stack();

	return addr >= r.lo && addr < r.hi;
}

/* What must hold after any round trip ring 3 -> 0 -> 3. */
static void check_round_trip(const char *how)
{
	report(uview.ret == PROBE_OK && probe.count == 1,
	       "%s: the kernel ran the call and returned its value", how);
	report((probe.cs & 3) == 0 && probe.cs == SEL_KCODE,
	       "%s: kernel runs at CPL 0 (CS %#x)", how, SEL_KCODE);
	report(on_rsp0_stack(probe.rsp),
	       "%s: kernel runs on the TSS.RSP0 stack", how);
	report((probe.user_rflags & (RFL_AC | RFL_CF)) == (RFL_AC | RFL_CF),
	       "%s: kernel sees the caller's RFLAGS (CF, AC)", how);
	report((uview.cs & 3) == 3 && uview.cs == SEL_UCODE &&
	       uview.ss == SEL_UDATA,
	       "%s: back at CPL 3 with CS %#x SS %#x", how, SEL_UCODE,
	       SEL_UDATA);
	report(uview.cf == 1 && (uview.rflags & RFL_AC),
	       "%s: CF and AC survive the round trip", how);
	report(uview.rsp_after == uview.rsp_before &&
	       probe.user_rsp == uview.rsp_before,
	       "%s: user RSP restored", how);
}

static void test_syscall(void)
{
	memset(&probe, 0, sizeof(probe));
	user_call(u_via_syscall, 0);
	check_round_trip("syscall");
	report(probe.via == VIA_SYSCALL && probe.ss == SEL_KDATA,
	       "syscall: SS from STAR is %#x", SEL_KDATA);
	report(!(probe.rflags & (RFL_AC | RFL_TF | RFL_IF | RFL_DF)),
	       "syscall: SFMASK cleared AC, TF, IF and DF in the kernel");
}

static void test_int80(void)
{
	memset(&probe, 0, sizeof(probe));
	user_call(u_via_int80, 0);
	check_round_trip("int $0x80");
	/* 64-bit mode loads a null SS on a CPL change (SDM Vol. 3A §6.14.4). */
	report(probe.via == VIA_INT80 && (probe.ss & ~3u) == 0,
	       "int $0x80: SS is the null selector in the handler");
}

static void test_gates(void)
{
	catch_reset();
	user_call(u_int81, 0);
	catch_check("int $0x81 (DPL-0 gate) from ring 3", 13, 0x81 * 8 + 2,
		    AT_FAULT);

	catch_reset();
	user_call(u_int3, 0);
	catch_check("int3 (DPL-3 gate) from ring 3", 3, 0, AT_TRAP);
	report(trap_catch.cs == SEL_UCODE && trap_catch.ss == SEL_UDATA,
	       "#BP frame holds the ring-3 CS and SS");
	report(on_rsp0_stack(trap_catch.frame),
	       "#BP from ring 3 was delivered on the TSS.RSP0 stack");

	catch_reset();
	user_call(u_iret_to_ring0, 0);
	catch_check("iretq from ring 3 to a ring-0 CS", 13, SEL_KCODE,
		    AT_FAULT);
}

int kmain(struct hvsim_boot_info *bi)
{
	(void)bi;
	rt_init();
	syscall_register(SYS_probe, sys_probe);
	printf("rings: crossing between ring 3 and ring 0\n");
	report((read_cs() & 3) == 0, "kernel starts at CPL 0");
	user_call(u_read_cs_ss, 0);
	report(uview.cs == SEL_UCODE && uview.ss == SEL_UDATA,
	       "iretq entered ring 3 with CS %#x SS %#x", SEL_UCODE,
	       SEL_UDATA);
	test_syscall();
	test_int80();
	test_gates();
	report_summary();
}
