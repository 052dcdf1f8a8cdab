/*
 * examples/guests/smc.c — self-modifying code: every rewrite of code that
 * has already run (so a simulator holds it decoded) must be seen the next
 * time it runs, whichever way the bytes were written (Intel SDM Vol. 3A,
 * "Self-Modifying Code" in the chapter on memory cache control, and
 * "Handling Self- and Cross-Modifying Code" in the one on multiple
 * processors).
 *
 * Cases, each run at least twice so the second run meets cached code:
 *  - same block: a store into the next instruction's immediate, and one
 *    that turns the next instruction's ADD into SUB and back;
 *  - next page: code at the end of one page rewrites the first instruction
 *    of the next page and falls into it;
 *  - an instruction straddling a page boundary, its immediate rewritten
 *    by a page-crossing store;
 *  - a function body replaced by REP MOVSB;
 *  - aliases: one physical page mapped at two execute-only addresses X and
 *    Y and a write-only (NX) address W; code rewritten through W, then
 *    through the identity mapping, must run new at X and Y. A different
 *    linear address is used for the write than for the fetch, so (as
 *    the SDM asks of such software) the write and the next fetch are
 *    separated by a return and a call, never inside one block.
 * The assembly half is smc_code.S.
 */
#include "rt.h"

#define SMC_VA_X 0x0000600000000000ul /* execute alias */
#define SMC_VA_Y 0x0000600000200000ul /* second execute alias */
#define SMC_VA_W 0x0000600000400000ul /* write alias (NX) */
#define OP_ADD	 0x01
#define OP_SUB	 0x29
#define SLOT	 16

uint32_t smc_same_imm(uint32_t v);
uint32_t smc_same_opcode(uint32_t a, uint32_t b, uint32_t op);
uint32_t smc_cross_page(uint32_t v);
uint32_t smc_straddle(void);
uint32_t smc_copy_target(void);
extern uint8_t smc_copy_one[], smc_copy_two[]; /* 16-byte code slots */
extern uint8_t smc_straddle_imm[];

typedef uint32_t (*code_fn)(void);

static void test_same_block(void)
{
	int ok = 1;

	report(smc_same_imm(0x1111) == 0x1111,
	       "same block: a store into the next instruction's immediate "
	       "takes effect (1st run)");
	report(smc_same_imm(0x2222) == 0x2222,
	       "same block: the same again with the block cached (2nd run)");
	for (int i = 0; i < 4; i++) {
		ok &= smc_same_opcode(100, 7, OP_SUB) == 93;
		ok &= smc_same_opcode(100, 7, OP_ADD) == 107;
	}
	report(ok, "same block: the next ADD patched to SUB and back, 4 "
		   "times");
}

static void test_pages(void)
{
	report(smc_cross_page(0x3333) == 0x3333,
	       "next page: a store from a page's end into the next page's "
	       "first instruction takes effect (1st run)");
	report(smc_cross_page(0x4444) == 0x4444,
	       "next page: the same again with both pages cached (2nd run)");

	uint32_t before = smc_straddle();
	/* A 4-byte store across the page boundary: 1 byte + 3 bytes. */
	*(volatile uint32_t *)smc_straddle_imm = 0x600DC0DE;
	report(before == 0x5A5A5A5A && smc_straddle() == 0x600DC0DE,
	       "an instruction straddling two pages runs with its rewritten "
	       "immediate");
}

/* REP MOVSB of one 16-byte slot over smc_copy_target. */
static void copy_slot(const uint8_t *from)
{
	void *dst = (void *)smc_copy_target;
	uint64_t n = SLOT;

	asm volatile("rep movsb" : "+D"(dst), "+S"(from), "+c"(n) : : "memory");
}

static void test_rep_movsb(void)
{
	uint32_t first = smc_copy_target(), second, third;

	copy_slot(smc_copy_two);
	second = smc_copy_target();
	copy_slot(smc_copy_one);
	third = smc_copy_target();
	report(first == 1 && second == 2 && third == 1,
	       "rep movsb copying a new body over a cached function, and "
	       "back (got %u %u %u)",
	       first, second, third);
}

/* MOV EAX, imm32; RET at the start of the page. */
static void write_mov_ret(volatile uint8_t *p, uint32_t imm)
{
	p[0] = 0xB8;
	for (int i = 0; i < 4; i++)
		p[1 + i] = (uint8_t)(imm >> (8 * i));
	p[5] = 0xC3;
}

static void test_aliases(void)
{
	uint8_t *page = page_alloc(); /* physical == identity virtual */
	code_fn x = (code_fn)SMC_VA_X, y = (code_fn)SMC_VA_Y;

	write_mov_ret(page, 0x1111);
	paging_map(SMC_VA_X, (uint64_t)page, PTE_P);
	paging_map(SMC_VA_Y, (uint64_t)page, PTE_P);
	paging_map(SMC_VA_W, (uint64_t)page, PTE_P | PTE_W | PTE_NX);
	report(x() == 0x1111 && y() == 0x1111,
	       "alias: the page runs at X and at Y before any rewrite");
	write_mov_ret((volatile uint8_t *)SMC_VA_W, 0x2222);
	report(x() == 0x2222, "alias: rewritten through W, X runs the new "
			      "code");
	report(y() == 0x2222, "alias: and so does Y");
	write_mov_ret(page, 0x3333);
	report(x() == 0x3333 && y() == 0x3333,
	       "alias: rewritten through the identity mapping, X and Y run "
	       "it");
	for (uint32_t v = 0x10; v < 0x14; v++)
		write_mov_ret((volatile uint8_t *)SMC_VA_W, v);
	report(x() == 0x13, "alias: after four quick rewrites X runs the "
			    "last one");
}

int kmain(struct hvsim_boot_info *bi)
{
	(void)bi;
	rt_init();
	printf("smc: self-modifying code runs as rewritten\n");
	test_same_block();
	test_pages();
	test_rep_movsb();
	test_aliases();
	report_summary();
}
