/*
 * examples/guests/exceptions_user.c — ring-3 snippets for the exceptions
 * guest (user region: see examples/runtime/sections64.ld). Each runs one
 * instruction between TRY_BEGIN and TRY_END; the catcher's record is in
 * the user region, so arming it needs no system call.
 */
#include "catch.h"
#include "exceptions.h"

uint64_t u_read(uint64_t va)
{
	uint64_t v = 0;

	asm volatile(TRY_BEGIN "movq (%1), %0" TRY_END
		     : "+r"(v) : "r"(va) : TRY_CLOBBERS);
	return v;
}

uint64_t u_write8(uint64_t va)
{
	asm volatile(TRY_BEGIN "movb $0x5A, (%0)" TRY_END
		     : : "r"(va) : TRY_CLOBBERS);
	return 0;
}

uint64_t u_jump(uint64_t va)
{
	asm volatile(TRY_BEGIN "jmp *%0" TRY_END : : "r"(va) : TRY_CLOBBERS);
	return 0;
}

/* Copies of the live GDTR and IDTR (the kernel stores them here), so that
 * a CPU that wrongly lets ring 3 run LGDT/LIDT changes nothing. */
struct u_dtr u_gdtr, u_idtr;

/* One snippet per privileged instruction: each must #GP(0) at CPL 3. The
 * operands are chosen so that a CPU that wrongly runs the instruction
 * breaks nothing and the test reports the missing fault. */
#define PRIV_SNIPPET(name, setup, insn)                                        \
	uint64_t name(uint64_t arg)                                            \
	{                                                                      \
		asm volatile(setup TRY_BEGIN insn TRY_END                      \
			     : : "r"(arg) : "rax", "rcx", "rdx", TRY_CLOBBERS); \
		return 0;                                                      \
	}
PRIV_SNIPPET(u_hlt, "", "hlt")
PRIV_SNIPPET(u_cli, "", "cli")
PRIV_SNIPPET(u_sti, "", "sti")
PRIV_SNIPPET(u_read_cr0, "", "movq %%cr0, %%rax")
PRIV_SNIPPET(u_write_cr3, "", "movq %0, %%cr3") /* arg: the current CR3 */
PRIV_SNIPPET(u_rdmsr, "movl $0xC0000080, %%ecx\n\t", "rdmsr")
PRIV_SNIPPET(u_wrmsr, /* FS_BASE = 0, as it is */
	     "movl $0xC0000100, %%ecx; xorl %%eax, %%eax; xorl %%edx, %%edx\n\t",
	     "wrmsr")
PRIV_SNIPPET(u_inb, "", "inb $0x80, %%al")
PRIV_SNIPPET(u_outb, "", "outb %%al, $0x80")
PRIV_SNIPPET(u_lgdt, "", "lgdt u_gdtr(%%rip)")
PRIV_SNIPPET(u_lidt, "", "lidt u_idtr(%%rip)")
PRIV_SNIPPET(u_invlpg, "", "invlpg (%%rsp)")
PRIV_SNIPPET(u_swapgs, "", "swapgs; swapgs") /* a wrong success undoes itself */
PRIV_SNIPPET(u_clts, "", "clts")
PRIV_SNIPPET(u_rdpmc, "xorl %%ecx, %%ecx\n\t", "rdpmc")
PRIV_SNIPPET(u_rdtsc, "", "rdtsc") /* allowed: CR4.TSD = 0 */

/* With CR0.AM = 1 (set by the kernel) and RFLAGS.AC = 1, a misaligned
 * 8-byte read at CPL 3 raises #AC(0). The setup and the restore of AC sit
 * outside the tried region. */
uint64_t u_misaligned_ac(uint64_t arg)
{
	uint64_t buf[2] = { arg, arg };
	uint64_t v = 0;

	asm volatile("pushfq\n\t"
		     "orq $0x40000, (%%rsp)\n\t"
		     "popfq\n\t"
		     TRY_BEGIN "movq 1(%1), %0" TRY_END
		     "pushfq\n\t"
		     "andq $~0x40000, (%%rsp)\n\t"
		     "popfq"
		     : "+r"(v) : "r"(buf) : TRY_CLOBBERS);
	return v;
}
