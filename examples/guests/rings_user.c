/*
 * examples/guests/rings_user.c — the ring-3 half of the rings guest (user
 * region). Each function crosses into ring 0 one way and records, in
 * uview, what it sees when it is back.
 */
#include "catch.h"
#include "layout.h"
#include "rings.h"

struct user_view uview;

#define RFLAGS_AC "0x40000"

/* Sets RFLAGS.AC and CF, enters the kernel with `entry`, then records RAX,
 * CF, RFLAGS, CS, SS and RSP; clears AC again. */
#define CROSS(entry)                                                           \
	asm volatile("movq %%rsp, %[rsp0]\n\t"                                 \
		     "pushfq; orq $" RFLAGS_AC ", (%%rsp); popfq\n\t"          \
		     "stc\n\t" entry "\n\t"                                    \
		     "setc %b[cf]\n\t"                                         \
		     "pushfq; popq %[fl]\n\t"                                  \
		     "pushfq; andq $~" RFLAGS_AC ", (%%rsp); popfq\n\t"        \
		     "movq %%rsp, %[rsp1]"                                     \
		     : "=a"(uview.ret), [cf] "=&q"(cf), [fl] "=&r"(uview.rflags), \
		       [rsp0] "=m"(uview.rsp_before), [rsp1] "=m"(uview.rsp_after) \
		     : "a"((uint64_t)SYS_probe)                                \
		     : "rcx", "r11", "memory", "cc")

static void record_segments(void)
{
	uint16_t cs, ss;

	asm volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
	uview.cs = cs;
	uview.ss = ss;
}

uint64_t u_via_syscall(uint64_t arg)
{
	uint64_t cf = 0;

	(void)arg;
	CROSS("syscall");
	uview.cf = cf & 1;
	record_segments();
	return 0;
}

uint64_t u_via_int80(uint64_t arg)
{
	uint64_t cf = 0;

	(void)arg;
	CROSS("int $0x80");
	uview.cf = cf & 1;
	record_segments();
	return 0;
}

uint64_t u_read_cs_ss(uint64_t arg)
{
	(void)arg;
	record_segments();
	return 0;
}

/* Gate 0x81 has DPL 0: INT n from CPL 3 must #GP. */
uint64_t u_int81(uint64_t arg)
{
	(void)arg;
	asm volatile(TRY_BEGIN "int $0x81" TRY_END : : : TRY_CLOBBERS);
	return 0;
}

/* Gate 3 has DPL 3: INT3 from CPL 3 reaches the kernel's #BP handler. */
uint64_t u_int3(uint64_t arg)
{
	(void)arg;
	asm volatile(TRY_BEGIN "int3" TRY_END : : : TRY_CLOBBERS);
	return 0;
}

/* IRETQ to a CS with RPL 0 from CPL 3 must #GP(selector) (SDM Vol. 2A
 * IRET: "return code segment selector RPL < CPL"). The frame points at the
 * resume address, and RSP is restored from RCX either way. */
uint64_t u_iret_to_ring0(uint64_t arg)
{
	(void)arg;
	asm volatile("movq %%rsp, %%rcx\n\t"
		     "pushq $0x10\n\t"
		     "pushq %%rcx\n\t"
		     "pushfq\n\t"
		     "pushq $0x08\n\t"
		     "leaq 8889f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     TRY_BEGIN "iretq" TRY_END
		     "movq %%rcx, %%rsp"
		     : : : "rax", "rcx", TRY_CLOBBERS);
	return 0;
}
