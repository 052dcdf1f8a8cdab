/*
 * examples/guests/hello.c — the first example guest (also built into hvsim:
 * `hvsim run --kernel builtin:hello`), ring-0 half.
 *
 * Shows the path every real kernel takes: boot in ring 0 (hvsim native
 * boot, docs/BOOT.md), install its own GDT/TSS/IDT/page tables and SYSCALL
 * MSRs (the runtime), drop to ring 3 with IRETQ, serve write() system calls
 * by printing through the UART, fault a user page in on demand from the #PF
 * handler (Intel SDM Vol. 3A §4.7: error code bit 0 clear = not present),
 * and end when ring 3 calls exit(0) (debug-exit 0: hvsim exits with 1).
 * The ring-3 half is hello_user.c.
 */
#include "rt.h"

uint64_t hello_user_main(uint64_t arg); /* hello_user.c */

static int pf_mapped;

/* Demand paging: a not-present fault in [DEMAND_BASE, +DEMAND_PAGES) gets
 * a fresh zeroed user page, and the faulting instruction runs again. */
static void demand_pf(struct trap_frame *f)
{
	uint64_t cr2 = read_cr2();
	uint64_t page = cr2 & ~(PAGE_SIZE - 1);
	int in_range = cr2 >= DEMAND_BASE &&
		       cr2 < DEMAND_BASE + DEMAND_PAGES * PAGE_SIZE;

	if (!in_range || (f->error_code & PTE_P) || pf_mapped >= DEMAND_PAGES) {
		report(0, "page fault at %#lx error %#lx rip %#lx is not a "
			  "demand fault", cr2, f->error_code, f->rip);
		report_summary();
	}
	printf("kernel: #PF at %#lx (error %#lx: %s %s, not present) -> "
	       "mapped a fresh page\n", cr2, f->error_code,
	       (f->error_code & PTE_U) ? "user" : "kernel",
	       (f->error_code & PTE_W) ? "write" : "read");
	paging_map(page, (uint64_t)page_alloc(), PTE_P | PTE_W | PTE_U | PTE_NX);
	pf_mapped++;
}

static uint64_t hello_exit(const struct syscall_frame *f, enum syscall_via via)
{
	(void)via;
	printf("kernel: exit(%lu) from ring 3, %d page(s) faulted in; "
	       "goodbye\n", f->a0, pf_mapped);
	debug_exit((uint32_t)f->a0);
}

static void print_boot_info(const struct hvsim_boot_info *bi)
{
	if (bi->magic != HVSIM_BOOT_MAGIC) {
		printf("kernel: no hvsim boot info at %p (magic %#x)\n",
		       (const void *)bi, bi->magic);
		return;
	}
	printf("kernel: boot info v%u: %lu MiB of RAM, command line \"%s\"\n",
	       bi->version, bi->mem_bytes >> 20,
	       bi->cmdline ? (const char *)bi->cmdline : "");
}

int kmain(struct hvsim_boot_info *bi)
{
	rt_init();
	printf("hello from ring 0: the hvsim demo guest is running\n");
	print_boot_info(bi);
	idt_set_handler(14, demand_pf);
	syscall_register(SYS_exit, hello_exit);
	printf("kernel: GDT, TSS, IDT, page tables and SYSCALL are set up\n");
	printf("kernel: entering ring 3\n");
	user_call(hello_user_main, 0);
	printf("kernel: ring 3 returned without calling exit()\n");
	return 1;
}
