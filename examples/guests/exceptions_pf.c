/*
 * examples/guests/exceptions_pf.c — #PF with each error-code combination a
 * guest can produce, and #DF (Intel SDM Vol. 3A §4.7 page-fault error code:
 * bit 0 P, 1 W/R, 2 U/S, 3 RSVD, 4 I/D; §6.15 interrupt 8 and Table 6-5
 * for which pairs of exceptions make a #DF).
 *
 * The test pages sit at fixed addresses (exceptions.h), so every CR2 and
 * error code in the output is a constant. EFER.NXE = 1 (hvsim's boot, and
 * user_init()), so instruction fetches set I/D. Accessed/dirty bits are
 * checked on the way.
 */
#include "exceptions.h"
#include "rt.h"

static void map_test_pages(void)
{
	int rsvd = paging_maxphyaddr();
	uint64_t rsvd_bit = rsvd < 52 ? 1ul << rsvd : 0;

	paging_unmap(VA_NP);
	paging_map(VA_RO, (uint64_t)page_alloc(), PTE_P);
	paging_map(VA_SUP, (uint64_t)page_alloc(), PTE_P | PTE_W);
	paging_map(VA_URO, (uint64_t)page_alloc(), PTE_P | PTE_U);
	paging_map(VA_NX, (uint64_t)page_alloc(), PTE_P | PTE_W | PTE_NX);
	paging_map(VA_RSVD, (uint64_t)page_alloc(),
		   PTE_P | PTE_W | rsvd_bit);
	paging_map(VA_USER, (uint64_t)page_alloc(), PTE_P | PTE_W | PTE_U);
	paging_unmap(VA_HOLE);
	paging_map(VA_UNX, (uint64_t)page_alloc(),
		   PTE_P | PTE_W | PTE_U | PTE_NX);
}

static void try_read(uint64_t va)
{
	asm volatile(TRY_BEGIN "movq (%0), %%rax" TRY_END
		     : : "r"(va) : "rax", TRY_CLOBBERS);
}

static void try_write(uint64_t va)
{
	asm volatile(TRY_BEGIN "movq $0x5A, (%0)" TRY_END
		     : : "r"(va) : TRY_CLOBBERS);
}

static void try_jump(uint64_t va)
{
	asm volatile(TRY_BEGIN "jmp *%0" TRY_END : : "r"(va) : TRY_CLOBBERS);
}

static void pf_ring0(void)
{
	uint64_t cr0 = read_cr0();

	catch_reset();
	try_read(VA_NP);
	catch_check_pf("ring 0 read, not present", 0x0, VA_NP, AT_FAULT);
	catch_reset();
	try_write(VA_NP);
	catch_check_pf("ring 0 write, not present", 0x2, VA_NP, AT_FAULT);
	/* WP is set here, not assumed: hvsim's native boot sets it, but a
	 * multiboot kernel (compat_mb) starts from the loader's CR0. */
	write_cr0(cr0 | CR0_WP);
	catch_reset();
	try_write(VA_RO);
	write_cr0(cr0);
	catch_check_pf("ring 0 write to read-only page (CR0.WP=1)", 0x3, VA_RO,
		       AT_FAULT);
	catch_reset();
	try_jump(VA_NX);
	catch_check_pf("ring 0 fetch from NX page", 0x11, VA_NX, VA_NX);
	catch_reset();
	try_jump(VA_NP);
	catch_check_pf("ring 0 fetch, not present", 0x10, VA_NP, VA_NP);
	/* An 8-byte read that starts 4 bytes before a hole: CR2 is the
	 * first byte that faulted, the start of the hole. */
	catch_reset();
	try_read(VA_HOLE - 4);
	catch_check_pf("ring 0 read straddling into a hole", 0x0, VA_HOLE,
		       AT_FAULT);
}

static void pf_rsvd(void)
{
	if (paging_maxphyaddr() >= 52) {
		report_skip("#PF RSVD: MAXPHYADDR is 52, no reserved bits");
		return;
	}
	catch_reset();
	try_read(VA_RSVD);
	catch_check_pf("read, reserved bit set", 0x9, VA_RSVD, AT_FAULT);
	catch_reset();
	try_write(VA_RSVD);
	catch_check_pf("write, reserved bit set", 0xB, VA_RSVD, AT_FAULT);
	catch_reset();
	try_jump(VA_RSVD);
	catch_check_pf("fetch, reserved bit set", 0x19, VA_RSVD, VA_RSVD);
}

static void pf_wp_off(void)
{
	volatile uint64_t *p = (volatile uint64_t *)VA_RO;
	uint64_t cr0 = read_cr0();

	write_cr0(cr0 & ~CR0_WP);
	catch_reset();
	try_write(VA_RO);
	write_cr0(cr0);
	catch_check_none("ring 0 write to read-only page with CR0.WP=0");
	report(*p == 0x5A, "the write with CR0.WP=0 reached memory");
}

static void pf_ring3(void)
{
	catch_reset();
	user_call(u_read, VA_SUP);
	catch_check_pf("ring 3 read of supervisor page", 0x5, VA_SUP, AT_FAULT);
	catch_reset();
	user_call(u_write8, VA_SUP);
	catch_check_pf("ring 3 write to supervisor page", 0x7, VA_SUP,
		       AT_FAULT);
	catch_reset();
	user_call(u_write8, VA_URO);
	catch_check_pf("ring 3 write to read-only user page", 0x7, VA_URO,
		       AT_FAULT);
	catch_reset();
	user_call(u_read, VA_NP);
	catch_check_pf("ring 3 read, not present", 0x4, VA_NP, AT_FAULT);
	catch_reset();
	user_call(u_write8, VA_NP);
	catch_check_pf("ring 3 write, not present", 0x6, VA_NP, AT_FAULT);
	catch_reset();
	user_call(u_jump, VA_SUP);
	catch_check_pf("ring 3 fetch from supervisor page", 0x15, VA_SUP,
		       VA_SUP);
	catch_reset();
	user_call(u_jump, VA_UNX);
	catch_check_pf("ring 3 fetch from NX user page", 0x15, VA_UNX, VA_UNX);
	catch_reset();
	user_call(u_read, VA_URO);
	catch_check_none("ring 3 read of read-only user page");
}

static void accessed_dirty(void)
{
	uint64_t *pte = paging_pte(VA_USER);
	volatile uint64_t *p = (volatile uint64_t *)VA_USER;

	*pte &= ~(PTE_A | PTE_D);
	invlpg(VA_USER);
	(void)*p;
	report((*pte & (PTE_A | PTE_D)) == PTE_A,
	       "a read sets the accessed bit only");
	*p = 1;
	report((*pte & (PTE_A | PTE_D)) == (PTE_A | PTE_D),
	       "a write sets the dirty bit");
}

void test_pf(void)
{
	map_test_pages();
	pf_ring0();
	pf_rsvd();
	pf_wp_off();
	pf_ring3();
	accessed_dirty();
}

void test_df(void)
{
	struct stack_range ist = gdt_ist_stack(IST_DF);

	/* #PF, then #NP delivering it (gate not present): #PF followed by a
	 * contributory exception is a double fault. */
	idt_set_attr(14, 0, 0);
	catch_reset();
	try_read(VA_NP);
	idt_set_attr(14, 1, 0);
	catch_check("#PF whose gate is not present", 8, 0, AT_ANY);
	report(trap_catch.frame >= ist.lo && trap_catch.frame < ist.hi,
	       "#DF handler ran on its IST stack");

	/* #GP, then #NP delivering it: contributory + contributory. */
	idt_set_attr(13, 0, 0);
	catch_reset();
	asm volatile(TRY_BEGIN "movq (%0), %%rax" TRY_END
		     : : "r"(0x8000000000000000ul) : "rax", TRY_CLOBBERS);
	idt_set_attr(13, 1, 0);
	catch_check("#GP whose gate is not present", 8, 0, AT_ANY);
}
