/*
 * examples/guests/hello_user.c — the hello guest's ring-3 half (linked into
 * the user region because of the _user.c suffix; see
 * examples/runtime/sections64.ld).
 *
 * Says hello through the write() system call (SYSCALL), checks its own
 * privilege level, writes to a page that is not mapped yet (the kernel's
 * #PF handler maps it) and reads the value back, then calls exit(0), or
 * exit(1) if anything was wrong.
 */
#include "layout.h"
#include "usys.h"

#define DEMO_VALUE 0x0123456789ABCDEFull

static const char greeting[] = "hello from ring 3 via syscall\n";

uint64_t hello_user_main(uint64_t arg);
uint64_t hello_user_main(uint64_t arg)
{
	volatile uint64_t *p = (volatile uint64_t *)DEMAND_BASE;
	int ok = 1;

	(void)arg;
	u_write(greeting, sizeof(greeting) - 1);
	uprintf("user: running at CPL %u\n", u_cpl());
	ok &= u_cpl() == 3;

	p[0] = DEMO_VALUE;
	uint64_t back = p[0];
	uprintf("user: wrote %#llx to %p, read back %#lx\n", DEMO_VALUE,
		(void *)p, back);
	ok &= back == DEMO_VALUE;
	p[1] = ~back; /* same page: no second fault */
	ok &= p[1] == ~DEMO_VALUE;

	uprintf("user: calling exit(%d)\n", ok ? 0 : 1);
	u_exit(ok ? 0 : 1);
}
