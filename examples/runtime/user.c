/*
 * examples/runtime/user.c — the user stack: USER_STACK_PAGES pages just
 * below USER_STACK_TOP, user | writable | no-execute (Intel SDM Vol. 3A
 * §4.6: XD needs EFER.NXE, which hvsim's boot sets; set it again here so
 * the runtime does not depend on it).
 */
#include "user.h"

#include "io.h"
#include "layout.h"
#include "paging.h"

void user_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	for (int i = 1; i <= USER_STACK_PAGES; i++) {
		uint64_t va = USER_STACK_TOP - i * PAGE_SIZE;
		paging_map(va, (uint64_t)page_alloc(),
			   PTE_P | PTE_W | PTE_U | PTE_NX);
	}
}
