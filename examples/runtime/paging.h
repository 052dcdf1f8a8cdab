/*
 * examples/runtime/paging.h — the guest's own 4-level page tables.
 */
#ifndef HVRT_PAGING_H_
#define HVRT_PAGING_H_

#include <stdint.h>

#define PAGE_SIZE 4096ul

/*
 * Page-table entry (Intel SDM Vol. 3A §4.5, Tables 4-14..4-20):
 *  63  62:59  58:52  51:M  M-1:12  11:9  8  7   6  5  4   3   2   1  0
 *  XD   PK    avail  rsvd   frame  avail G  PS  D  A  PCD PWT U/S R/W P
 * (M = MAXPHYADDR; bits 51:M must be 0 or the walk faults with RSVD = 1.)
 */
#define PTE_P      (1ul << 0)
#define PTE_W      (1ul << 1)
#define PTE_U      (1ul << 2)
#define PTE_PWT    (1ul << 3)
#define PTE_PCD    (1ul << 4)
#define PTE_A      (1ul << 5)
#define PTE_D      (1ul << 6)
#define PTE_PS     (1ul << 7)
#define PTE_G      (1ul << 8)
#define PTE_NX     (1ul << 63)
#define PTE_FRAME  0x000FFFFFFFFFF000ul

/* Builds fresh tables: the first 4 GiB identity-mapped with 2 MiB pages
 * (present, writable, supervisor, executable), the user region of the image
 * (link64.ld: __user_start..__user_end) as user pages; loads CR3. */
void paging_init(void);
/* A zeroed 4 KiB page from a static pool (physical == virtual). Running out
 * ends the run with a FAIL. */
void *page_alloc(void);
/* The 4 KiB leaf entry for va, creating missing tables and splitting a
 * large page that covers va (same mapping, finer grain). */
uint64_t *paging_pte(uint64_t va);
/* Maps one 4 KiB page: entry = pa | flags (flags must include PTE_P for a
 * present page), then INVLPG. */
void paging_map(uint64_t va, uint64_t pa, uint64_t flags);
void paging_unmap(uint64_t va);
/* CPUID.80000008H:EAX[7:0], or 36 when the leaf is absent. */
int paging_maxphyaddr(void);

#endif
