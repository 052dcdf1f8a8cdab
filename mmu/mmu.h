/*
 * mmu/mmu.h — guest-physical memory, the 4-level page walker and the soft TLB.
 *
 * physmem: one partition's guest-physical address space. RAM is one host
 * buffer at GPA 0..ram_size; MMIO ranges are callbacks. Reads of unbacked
 * GPAs return all ones and writes are dropped (like an open bus), so a guest
 * can never reach host memory outside its RAM. Every RAM write goes through
 * physmem_note_write() so the decoded-instruction cache can drop stale code.
 *
 * paging: the 4-level walk (SDM Vol. 3A §4.5) with 4 KiB / 2 MiB / 1 GiB
 * pages, P/RW/US/NX/A/D/G, CR0.WP, EFER.NXE, SMEP/SMAP, reserved-bit checks.
 * It takes the paging state as a plain struct so mmu/ does not depend on cpu/.
 *
 * tlb: direct-mapped, TinyEMU-style: one tag per access kind and a host
 * addend, so a hit is one compare and one add.
 */
#ifndef HVSIM_MMU_MMU_H_
#define HVSIM_MMU_MMU_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ull << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))

/* ---- guest-physical memory ------------------------------------------- */

struct physmem;

/* MMIO callbacks: `off` is relative to the mapped base; size 1/2/4/8. */
struct mmio_ops {
	const char *name;
	uint64_t (*read)(void *opaque, uint64_t off, int size);
	void (*write)(void *opaque, uint64_t off, int size, uint64_t val);
};

struct physmem *physmem_create(uint64_t ram_size);
void physmem_destroy(struct physmem *pm);
uint64_t physmem_ram_size(const struct physmem *pm);
/* Host pointer to [gpa, gpa+len) if it lies entirely in RAM, else NULL. */
uint8_t *physmem_ram_ptr(struct physmem *pm, uint64_t gpa, uint64_t len);
/* Map an MMIO range. Returns -1 if it overlaps RAM or another range. */
int physmem_map_mmio(struct physmem *pm, uint64_t gpa, uint64_t len,
		     const struct mmio_ops *ops, void *opaque);
/* Accesses of 1/2/4/8 bytes, naturally anywhere (RAM, MMIO or open bus). */
uint64_t physmem_read(struct physmem *pm, uint64_t gpa, int size);
void physmem_write(struct physmem *pm, uint64_t gpa, int size, uint64_t val);
/* Bulk copies for loaders and DMA-like users; -1 if not all in RAM. */
int physmem_copy_to(struct physmem *pm, uint64_t gpa, const void *src,
		    uint64_t len);
int physmem_copy_from(struct physmem *pm, void *dst, uint64_t gpa,
		      uint64_t len);

/* Code-page tracking: the decoded-instruction cache marks the RAM pages it
 * decoded from; a write to a marked page bumps that page's generation. */
void physmem_mark_code(struct physmem *pm, uint64_t gpa);
bool physmem_is_code(const struct physmem *pm, uint64_t gpa);
uint32_t physmem_code_gen(const struct physmem *pm, uint64_t gpa);
/* A counter bumped by every write that hits a code page; the interpreter
 * compares it after each instruction to catch self-modifying code within
 * the block it is running. */
const uint32_t *physmem_code_write_counter(const struct physmem *pm);
/* Called for every write into RAM that did not go through physmem_write
 * (the TLB fast path skips code and watched pages, so only slow-path
 * writers call it): code generations and write watches. */
void physmem_note_write(struct physmem *pm, uint64_t gpa, uint64_t len);

/* Write watches (instrumentation, e.g. the VMBus trace stages): after
 * every write into a watched RAM page — a CPU store (watched pages never
 * get a fast TLB write tag, like code pages), a string instruction's bulk
 * copy, a host copy (physmem_copy_to, physmem_write) — fn(opaque, gpa,
 * len) is called with the part of the write inside that page, once the
 * bytes are in memory. No simulated cost. Several watches may share a
 * page; each (page, fn, opaque) is one watch. fn may add or remove
 * watches. watch: 0, or -1 (not RAM, no memory). */
typedef void physmem_watch_fn(void *opaque, uint64_t gpa, uint64_t len);
int physmem_watch_page(struct physmem *pm, uint64_t gpa_page,
		       physmem_watch_fn *fn, void *opaque);
void physmem_unwatch_page(struct physmem *pm, uint64_t gpa_page,
			  physmem_watch_fn *fn, void *opaque);
bool physmem_is_watched(const struct physmem *pm, uint64_t gpa);

/* ---- page walk -------------------------------------------------------- */

/* Access kinds (bit flags). */
#define ACC_READ  0u
#define ACC_WRITE 1u
#define ACC_EXEC  2u
#define ACC_USER  4u   /* the access is made at CPL 3 */
#define ACC_IMPLICIT_SUP 8u /* supervisor access by CPL3 code (GDT/IDT/TSS) */

/* The paging state a walk needs, copied from the core's registers. */
struct paging_state {
	uint64_t cr0, cr3, cr4, efer;
	bool ac; /* RFLAGS.AC, for SMAP */
};

/* Result of a successful walk. */
struct walk_result {
	uint64_t gpa;       /* translated address */
	uint64_t page_size; /* 4 KiB, 2 MiB or 1 GiB */
	bool writable;      /* a write by this privilege would be allowed */
	bool user;          /* U/S=1 at every level */
	bool global;
	bool nx;
	unsigned levels;    /* page-table entries read (for the cost model) */
	bool dirty;         /* D=1 in the final entry (after this walk) */
};

/*
 * Translate `lin` for `access`. Returns 0 with *out filled, or the #PF
 * error code with bit 31 set (MMU_FAULT) when the access faults. Sets A and
 * D bits as the hardware does. Paging off (CR0.PG=0): identity.
 */
#define MMU_FAULT (1u << 31)
uint32_t mmu_walk(struct physmem *pm, const struct paging_state *ps,
		  uint64_t lin, unsigned access, struct walk_result *out);

/* ---- soft TLB ----------------------------------------------------------- */

#define TLB_BITS 10
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_INVALID (~0ull)

/* One entry per virtual page. A tag equals the page-aligned linear address
 * when that access kind is allowed and the page is plain RAM; the host
 * address is lin + addend. User-mode tags are kept separately so a CPL
 * change needs no flush. */
struct tlb_entry {
	uint64_t tag_read, tag_write, tag_exec;
	uintptr_t addend;
	uint64_t gpa_page; /* page-aligned GPA (for code tracking) */
	bool global;
	uint8_t page_shift; /* 12, 21 or 30: size of the guest page (INVLPG) */
};

struct tlb {
	struct tlb_entry sup[TLB_SIZE]; /* CPL 0-2 */
	struct tlb_entry usr[TLB_SIZE]; /* CPL 3 */
	uint64_t fills, flushes;
	uint8_t has_large; /* nonzero: some entry may have page_shift > 12 */
};

void tlb_flush_all(struct tlb *t, bool keep_global);
void tlb_flush_page(struct tlb *t, uint64_t lin);

static inline unsigned tlb_index(uint64_t lin)
{
	return (unsigned)(lin >> PAGE_SHIFT) & (TLB_SIZE - 1);
}

/* ---- additions by the mmu owner (mmu/tlb.c, mmu/physmem.c) -------------
 * Tag low bits: the access kind is allowed but must take the slow path
 * (a set low bit never equals the page-aligned address the fast path
 * compares with). */
#define TLB_SLOW 0x1ull /* not through the host pointer: MMIO/open bus, or
			   a write to a page marked as code or watched */
#define TLB_SMAP 0x2ull /* supervisor data access to a user page with
			   CR4.SMAP: allowed only while RFLAGS.AC=1 */
/* Demote every fast write tag whose gpa_page is `gpa_page` to TLB_SLOW
 * (a page marked as code, or watched). */
void tlb_protect_code(struct tlb *t, uint64_t gpa_page);
/* TLBs that hold write tags into `pm` attach (idempotent; -1 on no
 * memory), so physmem_mark_code can demote them; detach before freeing. */
int physmem_attach_tlb(struct physmem *pm, struct tlb *t);
void physmem_detach_tlb(struct physmem *pm, struct tlb *t);
/* Debug hooks for tests: internal consistency. */
bool physmem_check_invariants(const struct physmem *pm);
bool tlb_check_invariants(const struct tlb *t, struct physmem *pm);

#endif
