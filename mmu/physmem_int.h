/*
 * mmu/physmem_int.h — the state of one guest-physical address space,
 * shared by mmu/physmem.c (RAM, MMIO, code tracking, attached TLBs) and
 * mmu/watch.c (write watches). Nothing outside mmu/ includes it.
 */
#ifndef HVSIM_MMU_PHYSMEM_INT_H_
#define HVSIM_MMU_PHYSMEM_INT_H_

#include "mmu/mmu.h"

/* Marks in the per-page byte. */
#define PAGE_CODE    0x1u /* the interpreter decoded from this page */
#define PAGE_WATCHED 0x2u /* a write watch is on this page */

struct mmio_range {
	uint64_t base, len;
	const struct mmio_ops *ops;
	void *opaque;
};

struct physmem {
	uint8_t *ram;
	uint64_t ram_size; /* multiple of PAGE_SIZE */
	uint64_t npages;
	uint8_t *code;	      /* per RAM page: PAGE_CODE | PAGE_WATCHED */
	uint32_t *code_gen;   /* per RAM page: bumped by writes to code */
	uint32_t code_writes; /* bumped by every write that hits code */
	struct mmio_range *mmio;
	size_t nmmio, mmio_cap;
	struct tlb **tlbs; /* attached TLBs (one per vCPU) */
	size_t ntlbs, tlbs_cap;
	struct physmem_watch *watches; /* in the order they were added */
	size_t nwatches, watches_cap;
	bool dispatching; /* watchers are being called: removal only marks */
	bool dead_watches; /* entries marked removed during a dispatch */
};

/* One watcher of one page; fn == NULL: removed during a dispatch. */
struct physmem_watch {
	uint64_t page; /* page-aligned GPA */
	physmem_watch_fn *fn;
	void *opaque;
};

/* Call the watchers of the pages in [gpa, end) (end <= ram_size) after a
 * write there (watch.c; physmem_note_write calls it). */
void physmem_call_watchers(struct physmem *pm, uint64_t gpa, uint64_t end);

#endif
