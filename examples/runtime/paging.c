/*
 * examples/runtime/paging.c — 4-level paging for the guest (Intel SDM
 * Vol. 3A §4.5 "4-level paging", §4.10.4 TLB invalidation).
 *
 * Tables come from a static pool of 4 KiB pages inside the image, so their
 * physical address equals their virtual address under the identity map.
 * Non-leaf entries are always present | writable | user: access rights are
 * decided by the leaf alone, which keeps "which pages may ring 3 touch" in
 * one place. The pool and the PML4 pointer are file-scope because CR3 and
 * the tables live for the whole run.
 */
#include "paging.h"

#include "io.h"
#include "printf.h"
#include "report.h"
#include "string.h"

#define POOL_PAGES   128
#define TABLE_FLAGS  (PTE_P | PTE_W | PTE_U)
#define ENTRY_IDX(va, level) (((va) >> (12 + 9 * (level))) & 0x1FF)

extern char __user_start[], __user_end[]; /* link64.ld */

static uint8_t pool[POOL_PAGES][PAGE_SIZE] __attribute__((aligned(4096)));
static unsigned pool_used;
static uint64_t *pml4;

void *page_alloc(void)
{
	if (pool_used == POOL_PAGES) {
		report(0, "page_alloc: pool of %d pages exhausted", POOL_PAGES);
		report_summary();
	}
	void *p = pool[pool_used++];
	memset(p, 0, PAGE_SIZE);
	return p;
}

/* Replaces a large-page entry (1 GiB at level 2, 2 MiB at level 1) by a
 * table of 512 smaller entries that map the same range with the same
 * rights. The large page's PAT bit (bit 12) is not carried over: the
 * runtime never sets it. */
static void split_large(uint64_t *entry, int level)
{
	uint64_t *t = page_alloc();
	uint64_t step = 1ul << (12 + 9 * (level - 1));
	uint64_t flags = *entry & ~PTE_FRAME;
	uint64_t base = *entry & PTE_FRAME & ~((step << 9) - 1);

	if (level == 1)
		flags &= ~PTE_PS;
	for (int i = 0; i < 512; i++)
		t[i] = (base + i * step) | flags;
	*entry = (uint64_t)t | TABLE_FLAGS;
}

uint64_t *paging_pte(uint64_t va)
{
	uint64_t *table = pml4;
	int split = 0;

	for (int level = 3; level >= 1; level--) {
		uint64_t *e = &table[ENTRY_IDX(va, level)];
		if (!(*e & PTE_P)) {
			*e = (uint64_t)page_alloc() | TABLE_FLAGS;
		} else if (*e & PTE_PS) {
			split_large(e, level);
			split = 1;
		}
		table = (uint64_t *)(*e & PTE_FRAME);
	}
	if (split) /* drop any cached large translation for the range */
		write_cr3(read_cr3());
	return &table[ENTRY_IDX(va, 0)];
}

void paging_map(uint64_t va, uint64_t pa, uint64_t flags)
{
	*paging_pte(va) = (pa & PTE_FRAME) | flags;
	invlpg(va);
}

void paging_unmap(uint64_t va)
{
	*paging_pte(va) = 0;
	invlpg(va);
}

int paging_maxphyaddr(void)
{
	if (cpuid(0x80000000, 0).eax < 0x80000008)
		return 36;
	return cpuid(0x80000008, 0).eax & 0xFF;
}

void paging_init(void)
{
	uint64_t *pdpt;

	pml4 = page_alloc();
	pdpt = page_alloc();
	pml4[0] = (uint64_t)pdpt | TABLE_FLAGS;
	for (uint64_t i = 0; i < 4; i++) {
		uint64_t *pd = page_alloc();
		pdpt[i] = (uint64_t)pd | TABLE_FLAGS;
		for (uint64_t j = 0; j < 512; j++)
			pd[j] = ((i * 512 + j) << 21) | PTE_P | PTE_W | PTE_PS;
	}
	for (uint64_t va = (uint64_t)__user_start; va < (uint64_t)__user_end;
	     va += PAGE_SIZE)
		*paging_pte(va) |= PTE_U;
	write_cr3((uint64_t)pml4);
}
