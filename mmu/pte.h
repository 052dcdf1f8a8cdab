/*
 * mmu/pte.h — paging-structure entry bits (Intel SDM Vol. 3A §4.3 32-bit
 * paging, §4.4 PAE paging, §4.5 4-level paging; Tables 4-4..4-6, 4-8..4-11,
 * 4-14..4-20). Definitions only.
 *
 * 64-bit entry (PAE and 4-level paging), MAXPHYADDR = 40:
 *
 *  63  62:52  51:40  39:12          11:9  8  7   6  5  4   3   2   1  0
 *  XD  avail  rsvd   address        avail G  PS  D  A  PCD PWT U/S R/W P
 *
 *  PS=1 in a PDE (2 MiB) or PDPTE (1 GiB): bit 12 is PAT and the address
 *  bits below the page size, 20:13 or 29:13, are reserved (must be 0).
 *  A PML4E's bit 7 is reserved. A PAE PDPTE (loaded from CR3) has only
 *  P, PWT, PCD and the address; bits 2:1, 8:5 and 63 are reserved.
 *
 * 32-bit entry (32-bit paging):
 *
 *  31:12 address     11:9 avail  8 G  7 PS/PAT  6 D  5 A  4 PCD 3 PWT
 *  2 U/S  1 R/W  0 P
 *
 *  4 MiB PDE (PS=1 with CR4.PSE): 31:22 address bits 31:22, 21 reserved,
 *  20:13 address bits 39:32 (PSE-36 up to MAXPHYADDR 40), 12 PAT.
 */
#ifndef HVSIM_MMU_PTE_H_
#define HVSIM_MMU_PTE_H_

#include <stdint.h>

#define PTE_P	      (1ull << 0)
#define PTE_RW	      (1ull << 1)
#define PTE_US	      (1ull << 2)
#define PTE_PWT	      (1ull << 3)
#define PTE_PCD	      (1ull << 4)
#define PTE_A	      (1ull << 5)
#define PTE_D	      (1ull << 6)
#define PTE_PS	      (1ull << 7)
#define PTE_G	      (1ull << 8)
#define PTE_PAT_LARGE (1ull << 12)
#define PTE_XD	      (1ull << 63)

/* The physical-address width the CPUID model advertises (leaf 80000008). */
#define MMU_MAXPHYADDR 40
/* Address bits 39:12 of a 64-bit entry. */
#define PTE_ADDR_MASK  (((1ull << MMU_MAXPHYADDR) - 1) & ~0xFFFull)
/* Bits 51:MAXPHYADDR: always reserved in 64-bit entries. */
#define PTE_RSVD_HIGH  (((1ull << 52) - 1) & ~((1ull << MMU_MAXPHYADDR) - 1))
/* Reserved address bits of a large page, below its alignment. */
#define PTE_RSVD_2M    (((1ull << 21) - 1) & ~((1ull << 13) - 1))
#define PTE_RSVD_1G    (((1ull << 30) - 1) & ~((1ull << 13) - 1))
/* Reserved bits of a PAE PDPTE besides PTE_RSVD_HIGH (and XD). */
#define PDPTE_PAE_RSVD (PTE_RW | PTE_US | (0xFull << 5))

/* 32-bit paging: a 4 MiB PDE. */
#define PDE32_RSVD_4M (1ull << 21)
#define PDE32_ADDR_4M 0xFFC00000ull
#define PDE32_HIGH_4M (0xFFull << 13) /* physical bits 39:32 */
#define PTE32_ADDR    0xFFFFF000ull

/* Index of `lin` at a level whose entries map 2^shift bytes each. */
static inline unsigned pte_index(uint64_t lin, unsigned shift, unsigned bits)
{
	return (unsigned)(lin >> shift) & ((1u << bits) - 1);
}

#endif
