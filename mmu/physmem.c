/*
 * mmu/physmem.c — one partition's guest-physical address space.
 *
 * RAM is a single anonymous host mapping at GPA [0, ram_size), so a 4 GiB
 * guest costs host memory only for the pages it touches. MMIO ranges are a
 * sorted array of callbacks; everything else is open bus (reads all ones,
 * writes dropped). Every GPA and length comes from the guest and is checked
 * with overflow-safe arithmetic: nothing here can reach host memory outside
 * the RAM mapping.
 *
 * Code tracking: a byte per RAM page says "the interpreter decoded from
 * here", and a 32-bit generation per page is bumped by every write to a
 * marked page (the mark is then cleared; the interpreter re-marks when it
 * decodes again). TLBs that hold fast write tags attach themselves, and
 * marking a page demotes their write tags for it (tlb_protect_code), so a
 * fast-path store can never skip the generation bump.
 *
 * Write watches (mmu/watch.c) share the per-page byte with the code mark
 * (PAGE_CODE, PAGE_WATCHED), so the write path tests one byte per page.
 *
 * Invariants: mmio[] sorted by base, pairwise disjoint and disjoint from RAM;
 * a page is PAGE_WATCHED exactly when watches[] holds a live entry for it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mmu/mmu.h"
#include "mmu/physmem_int.h"

_Static_assert(
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "guest RAM is accessed with host loads: little-endian host only");

/* Largest RAM we accept: the guest-physical address width (2^40). */
#define PHYSMEM_MAX_RAM (1ull << 40)

static void *map_zeroed(uint64_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

struct physmem *physmem_create(uint64_t ram_size)
{
	if (ram_size == 0 || ram_size > PHYSMEM_MAX_RAM)
		return NULL;
	struct physmem *pm = calloc(1, sizeof(*pm));
	if (!pm)
		return NULL;
	pm->ram_size = (ram_size + PAGE_SIZE - 1) & PAGE_MASK;
	pm->npages = pm->ram_size >> PAGE_SHIFT;
	pm->ram = map_zeroed(pm->ram_size);
	pm->code = map_zeroed(pm->npages);
	pm->code_gen = map_zeroed(pm->npages * sizeof(uint32_t));
	if (!pm->ram || !pm->code || !pm->code_gen) {
		physmem_destroy(pm);
		return NULL;
	}
	return pm;
}

void physmem_destroy(struct physmem *pm)
{
	if (!pm)
		return;
	if (pm->ram)
		munmap(pm->ram, pm->ram_size);
	if (pm->code)
		munmap(pm->code, pm->npages);
	if (pm->code_gen)
		munmap(pm->code_gen, pm->npages * sizeof(uint32_t));
	free(pm->mmio);
	free(pm->tlbs);
	free(pm->watches);
	free(pm);
}

uint64_t physmem_ram_size(const struct physmem *pm)
{
	return pm->ram_size;
}

/* Is [gpa, gpa+len) inside RAM? (len >= 1; no overflow possible.) */
static inline bool in_ram(const struct physmem *pm, uint64_t gpa, uint64_t len)
{
	return gpa < pm->ram_size && len <= pm->ram_size - gpa;
}

uint8_t *physmem_ram_ptr(struct physmem *pm, uint64_t gpa, uint64_t len)
{
	if (len == 0 || !in_ram(pm, gpa, len))
		return NULL;
	return pm->ram + gpa;
}

/* ---- MMIO ranges --------------------------------------------------------- */

int physmem_map_mmio(struct physmem *pm, uint64_t gpa, uint64_t len,
		     const struct mmio_ops *ops, void *opaque)
{
	if (len == 0 || gpa + len - 1 < gpa || !ops)
		return -1;
	uint64_t last = gpa + len - 1;
	if (gpa < pm->ram_size)
		return -1;
	size_t i = 0;
	while (i < pm->nmmio && pm->mmio[i].base < gpa)
		i++;
	/* Sorted and disjoint: only the neighbours can overlap. */
	if (i > 0) {
		const struct mmio_range *p = &pm->mmio[i - 1];
		if (p->base + (p->len - 1) >= gpa)
			return -1;
	}
	if (i < pm->nmmio && pm->mmio[i].base <= last)
		return -1;
	if (pm->nmmio == pm->mmio_cap) {
		size_t cap = pm->mmio_cap ? pm->mmio_cap * 2 : 8;
		struct mmio_range *n = realloc(pm->mmio, cap * sizeof(*n));
		if (!n)
			return -1;
		pm->mmio = n;
		pm->mmio_cap = cap;
	}
	memmove(&pm->mmio[i + 1], &pm->mmio[i],
		(pm->nmmio - i) * sizeof(pm->mmio[0]));
	pm->mmio[i] = (struct mmio_range){gpa, len, ops, opaque};
	pm->nmmio++;
	return 0;
}

/* The MMIO range holding `gpa`, or NULL (binary search). */
static const struct mmio_range *find_mmio(const struct physmem *pm,
					  uint64_t gpa)
{
	size_t lo = 0, hi = pm->nmmio;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mmio_range *r = &pm->mmio[mid];
		if (gpa < r->base)
			hi = mid;
		else if (gpa - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* ---- 1..8-byte accesses -------------------------------------------------- */

static inline uint64_t low_bytes(int size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static inline bool mmio_size(int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* The access lies in one MMIO range: the device sees it whole. */
static const struct mmio_range *whole_mmio(const struct physmem *pm,
					   uint64_t gpa, int size)
{
	const struct mmio_range *r = find_mmio(pm, gpa);
	if (r && mmio_size(size) && (uint64_t)size <= r->len - (gpa - r->base))
		return r;
	return NULL;
}

/*
 * An access that is not entirely in RAM. If it lies entirely in one MMIO
 * range the device sees it whole; otherwise (it straddles RAM, a range end
 * or open bus) it is split into single bytes, each going to whoever owns
 * that byte, so a device sees byte accesses at the right offsets. Bytes
 * past 2^64 - 1 are open bus.
 */
static uint64_t read_slow(struct physmem *pm, uint64_t gpa, int size)
{
	const struct mmio_range *r = whole_mmio(pm, gpa, size);
	if (r)
		return r->ops->read
			   ? r->ops->read(r->opaque, gpa - r->base, size) &
				 low_bytes(size)
			   : low_bytes(size);
	if (size == 1)
		return 0xFF; /* open bus: a RAM byte never gets here */
	uint64_t v = 0;
	for (int i = 0; i < size; i++) {
		uint64_t g = gpa + (uint64_t)i;
		v |= (g < gpa ? 0xFF : physmem_read(pm, g, 1)) << (8 * i);
	}
	return v;
}

static void write_slow(struct physmem *pm, uint64_t gpa, int size, uint64_t val)
{
	const struct mmio_range *r = whole_mmio(pm, gpa, size);
	if (r) {
		if (r->ops->write)
			r->ops->write(r->opaque, gpa - r->base, size,
				      val & low_bytes(size));
		return;
	}
	if (size == 1)
		return; /* open bus: dropped */
	for (int i = 0; i < size; i++) {
		uint64_t g = gpa + (uint64_t)i;
		if (g >= gpa)
			physmem_write(pm, g, 1, val >> (8 * i));
	}
}

/* Sizes 1..8 (other sizes read all ones / are dropped). */
uint64_t physmem_read(struct physmem *pm, uint64_t gpa, int size)
{
	if (size < 1 || size > 8)
		return ~0ull;
	if (in_ram(pm, gpa, (uint64_t)size)) {
		uint64_t v = 0;
		memcpy(&v, pm->ram + gpa, (size_t)size);
		return v;
	}
	return read_slow(pm, gpa, size);
}

void physmem_write(struct physmem *pm, uint64_t gpa, int size, uint64_t val)
{
	if (size < 1 || size > 8)
		return;
	if (in_ram(pm, gpa, (uint64_t)size)) {
		memcpy(pm->ram + gpa, &val, (size_t)size);
		physmem_note_write(pm, gpa, (uint64_t)size);
		return;
	}
	write_slow(pm, gpa, size, val);
}

/* ---- bulk copies --------------------------------------------------------- */

int physmem_copy_to(struct physmem *pm, uint64_t gpa, const void *src,
		    uint64_t len)
{
	if (len == 0)
		return 0;
	if (!in_ram(pm, gpa, len))
		return -1;
	memcpy(pm->ram + gpa, src, len);
	physmem_note_write(pm, gpa, len);
	return 0;
}

int physmem_copy_from(struct physmem *pm, void *dst, uint64_t gpa, uint64_t len)
{
	if (len == 0)
		return 0;
	if (!in_ram(pm, gpa, len))
		return -1;
	memcpy(dst, pm->ram + gpa, len);
	return 0;
}

/* ---- code-page tracking -------------------------------------------------- */

void physmem_mark_code(struct physmem *pm, uint64_t gpa)
{
	if (gpa >= pm->ram_size)
		return;
	uint64_t pfn = gpa >> PAGE_SHIFT;
	if (pm->code[pfn] & PAGE_CODE)
		return;
	pm->code[pfn] |= PAGE_CODE;
	for (size_t i = 0; i < pm->ntlbs; i++)
		tlb_protect_code(pm->tlbs[i], pfn << PAGE_SHIFT);
}

bool physmem_is_code(const struct physmem *pm, uint64_t gpa)
{
	return gpa < pm->ram_size && (pm->code[gpa >> PAGE_SHIFT] & PAGE_CODE);
}

uint32_t physmem_code_gen(const struct physmem *pm, uint64_t gpa)
{
	return gpa < pm->ram_size ? pm->code_gen[gpa >> PAGE_SHIFT] : 0;
}

const uint32_t *physmem_code_write_counter(const struct physmem *pm)
{
	return &pm->code_writes;
}

void physmem_note_write(struct physmem *pm, uint64_t gpa, uint64_t len)
{
	if (len == 0 || gpa >= pm->ram_size)
		return;
	uint64_t end = len > pm->ram_size - gpa ? pm->ram_size : gpa + len;
	uint64_t first = gpa >> PAGE_SHIFT, last = (end - 1) >> PAGE_SHIFT;
	bool watched = false;
	for (uint64_t p = first; p <= last; p++) {
		if (!pm->code[p])
			continue;
		if (pm->code[p] & PAGE_CODE) {
			pm->code[p] &= (uint8_t)~PAGE_CODE;
			pm->code_gen[p]++;
			pm->code_writes++;
		}
		watched |= (pm->code[p] & PAGE_WATCHED) != 0;
	}
	if (watched)
		physmem_call_watchers(pm, gpa, end);
}

/* ---- attached TLBs ------------------------------------------------------- */

int physmem_attach_tlb(struct physmem *pm, struct tlb *t)
{
	for (size_t i = 0; i < pm->ntlbs; i++)
		if (pm->tlbs[i] == t)
			return 0;
	if (pm->ntlbs == pm->tlbs_cap) {
		size_t cap = pm->tlbs_cap ? pm->tlbs_cap * 2 : 4;
		struct tlb **n = realloc(pm->tlbs, cap * sizeof(*n));
		if (!n)
			return -1;
		pm->tlbs = n;
		pm->tlbs_cap = cap;
	}
	pm->tlbs[pm->ntlbs++] = t;
	return 0;
}

void physmem_detach_tlb(struct physmem *pm, struct tlb *t)
{
	for (size_t i = 0; i < pm->ntlbs; i++) {
		if (pm->tlbs[i] == t) {
			pm->tlbs[i] = pm->tlbs[--pm->ntlbs];
			return;
		}
	}
}

/* ---- debug hook ---------------------------------------------------------- */

bool physmem_check_invariants(const struct physmem *pm)
{
	if (pm->ram_size & ~PAGE_MASK)
		return false;
	for (size_t i = 0; i < pm->nwatches; i++) {
		uint64_t page = pm->watches[i].page;
		if (pm->watches[i].fn &&
		    (page >= pm->ram_size ||
		     !(pm->code[page >> PAGE_SHIFT] & PAGE_WATCHED)))
			return false;
	}
	for (size_t i = 0; i < pm->nmmio; i++) {
		const struct mmio_range *r = &pm->mmio[i];
		if (r->len == 0 || r->base < pm->ram_size || !r->ops)
			return false;
		if (i > 0 &&
		    pm->mmio[i - 1].base + (pm->mmio[i - 1].len - 1) >= r->base)
			return false;
	}
	return true;
}
