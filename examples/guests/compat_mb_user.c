/*
 * examples/guests/compat_mb_user.c — ring 3 of compat_mb (in the user
 * region because of the _user.c suffix): write() through SYSCALL and
 * through INT 0x80, one store to each of CM_DEMAND_PAGES unmapped pages
 * (the kernel maps them on the #PF) and the values read back, and an
 * ADDSD at CPL 3 (SSE state is per thread, not per ring). What it saw
 * goes to cm_uview for the kernel to check.
 */
#include "compat_mb.h"
#include "usys.h"

#define U_PAGE 4096ul

static const char msg_syscall[] = "compat_mb: ring 3 says hello via SYSCALL\n";
static const char msg_int80[] = "compat_mb: ring 3 says hello via INT 0x80\n";
const uint64_t cm_msg_syscall_len = sizeof(msg_syscall) - 1;
const uint64_t cm_msg_int80_len = sizeof(msg_int80) - 1;
struct compat_user_view cm_uview;

static uint64_t demand_value(int k)
{
	return 0xC0DE000000000000ull + k;
}

uint64_t compat_user_main(uint64_t arg)
{
	uint64_t ok = 1, sum;

	(void)arg;
	cm_uview.cpl = u_cpl();
	cm_uview.syscall_ret = usys_syscall(SYS_write, 1, (uint64_t)msg_syscall,
					    sizeof(msg_syscall) - 1);
	cm_uview.int80_ret = usys_int80(SYS_write, 1, (uint64_t)msg_int80,
					sizeof(msg_int80) - 1);
	for (int k = 0; k < CM_DEMAND_PAGES; k++)
		*(volatile uint64_t *)(DEMAND_BASE + k * U_PAGE + 8 * k) =
		    demand_value(k);
	for (int k = 0; k < CM_DEMAND_PAGES; k++)
		ok &= *(volatile uint64_t *)(DEMAND_BASE + k * U_PAGE +
					     8 * k) == demand_value(k);
	cm_uview.pages_ok = ok;
	asm volatile("movq %1, %%xmm0\n\t"
		     "addsd %%xmm0, %%xmm0\n\t"
		     "movq %%xmm0, %0"
		     : "=r"(sum)
		     : "r"(0x3FF8000000000000ull)); /* 1.5 */
	cm_uview.sse_bits = sum;
	return 0;
}
