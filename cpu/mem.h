/*
 * cpu/mem.h — the inline hit paths of the core's memory access (mem.c has
 * everything else). Only the files in cpu/ include this.
 *
 * A hit is one compare and one add: the entry at tlb_index(lin) in the
 * array of the current privilege (CPL 3 → usr) holds, per access kind, the
 * page-aligned linear address it allows, and lin + addend is the host
 * address. The compare uses the page of the access's *last* byte while the
 * index comes from its first byte; since consecutive pages never share an
 * index, a page-crossing access can never hit, so no separate check is
 * needed. A hit also proves the address canonical (only canonical pages are
 * filled), so the 64-bit path needs no canonical test either. Anything
 * else — misses, segment checks in legacy modes, MMIO, writes to code
 * pages, SMAP — falls through to the out-of-line functions in mem.c.
 */
#ifndef HVSIM_CPU_MEM_H_
#define HVSIM_CPU_MEM_H_

#include <string.h>

#include "cpu/cpu_int.h"

static inline struct tlb_entry *mem_tlb_slot(struct cpu *c, uint64_t lin)
{
	struct tlb_entry *arr = c->cpl == 3 ? c->tlb.usr : c->tlb.sup;
	return &arr[tlb_index(lin)];
}

/* Little-endian host loads and stores of 1..8 bytes (1/2/4/8 are the
 * common, constant-folded cases). */
static inline uint64_t mem_host_load(const void *p, int size)
{
	uint16_t w;
	uint32_t d;
	uint64_t q = 0;
	switch (size) {
	case 1:
		return *(const uint8_t *)p;
	case 2:
		memcpy(&w, p, 2);
		return w;
	case 4:
		memcpy(&d, p, 4);
		return d;
	case 8:
		memcpy(&q, p, 8);
		return q;
	default:
		memcpy(&q, p, (size_t)size & 7);
		return q;
	}
}

static inline void mem_host_store(void *p, int size, uint64_t v)
{
	uint16_t w = (uint16_t)v;
	uint32_t d = (uint32_t)v;
	switch (size) {
	case 1:
		*(uint8_t *)p = (uint8_t)v;
		break;
	case 2:
		memcpy(p, &w, 2);
		break;
	case 4:
		memcpy(p, &d, 4);
		break;
	case 8:
		memcpy(p, &v, 8);
		break;
	default:
		memcpy(p, &v, (size_t)size & 7);
		break;
	}
}

/* 64-bit mode: only FS and GS have a base. */
static inline uint64_t mem_lin64(const struct cpu *c, int seg, uint64_t off)
{
	return off + (seg == SEG_FS || seg == SEG_GS ? c->seg[seg].base : 0);
}

/* cpu_read / cpu_write with the TLB hit inline (sizes 1/2/4/8). */
static inline uint64_t mem_read(struct cpu *c, int seg, uint64_t off, int size)
{
	if (c->mode == MODE_LONG64) {
		uint64_t lin = mem_lin64(c, seg, off);
		const struct tlb_entry *e = mem_tlb_slot(c, lin);
		if (e->tag_read == ((lin + (uint64_t)size - 1) & PAGE_MASK))
			return mem_host_load(
			    (void *)(uintptr_t)(lin + e->addend), size);
	}
	return cpu_read(c, seg, off, size);
}

static inline void mem_write(struct cpu *c, int seg, uint64_t off, int size,
			     uint64_t v)
{
	if (c->mode == MODE_LONG64) {
		uint64_t lin = mem_lin64(c, seg, off);
		const struct tlb_entry *e = mem_tlb_slot(c, lin);
		if (e->tag_write == ((lin + (uint64_t)size - 1) & PAGE_MASK)) {
			mem_host_store((void *)(uintptr_t)(lin + e->addend),
				       size, v);
			return;
		}
	}
	cpu_write(c, seg, off, size, v);
}

/* The host address of [lin, lin + len) (1 <= len <= PAGE_SIZE) when one
 * TLB hit for the access covers it all (the same hit test as mem_read /
 * mem_write, on the range's last byte), else NULL: then the range
 * crosses a page or needs the slow path. */
static inline uint8_t *mem_range_hit(struct cpu *c, uint64_t lin,
				     uint64_t len, bool write)
{
	const struct tlb_entry *e = mem_tlb_slot(c, lin);
	uint64_t tag = write ? e->tag_write : e->tag_read;
	if (tag == ((lin + len - 1) & PAGE_MASK))
		return (uint8_t *)(uintptr_t)(lin + e->addend);
	return NULL;
}

/* The exec-TLB hit alone: the host pointer and GPA of code at `lin`, or
 * NULL when only cpu_fetch_ptr can tell (it may fault). */
static inline const uint8_t *mem_fetch_tlb_hit(struct cpu *c, uint64_t lin,
					       uint64_t *gpa)
{
	const struct tlb_entry *e = mem_tlb_slot(c, lin);
	if (e->tag_exec == (lin & PAGE_MASK)) {
		*gpa = e->gpa_page | (lin & ~PAGE_MASK);
		return (const uint8_t *)(uintptr_t)(lin + e->addend);
	}
	return NULL;
}

/* For REP MOVS/STOS in bulk (ops_string.c): the host address of `lin`
 * for a read or a write through the soft TLB, filled on a miss like any
 * access (the walk's cycles charged, A/D set); NULL when the access would
 * fault or has no plain fast tag (MMIO, a page holding code, SMAP), so
 * that the caller takes its careful path. Never raises. A pointer from
 * here is to a page without code or write watches (a fast tag). */
uint8_t *cpu_bulk_ptr(struct cpu *c, uint64_t lin, bool write);

/* cpu_bulk_ptr with the TLB hit inline. */
static inline uint8_t *mem_bulk_ptr(struct cpu *c, uint64_t lin, bool write)
{
	const struct tlb_entry *e = mem_tlb_slot(c, lin);
	uint64_t tag = write ? e->tag_write : e->tag_read;
	if (tag == (lin & PAGE_MASK))
		return (uint8_t *)(uintptr_t)(lin + e->addend);
	return cpu_bulk_ptr(c, lin, write);
}

/* cpu_fetch_ptr with the exec-TLB hit inline. */
static inline const uint8_t *mem_fetch_ptr(struct cpu *c, uint64_t lin,
					   uint64_t *gpa)
{
	const uint8_t *p = mem_fetch_tlb_hit(c, lin, gpa);
	return p ? p : cpu_fetch_ptr(c, lin, gpa);
}

/* Debug hook for tests: physmem and this core's TLB are consistent. */
bool cpu_mem_check_invariants(struct cpu *c);

#endif
