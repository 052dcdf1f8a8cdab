/*
 * cpu/mem.c — the core's memory access: segmentation, the soft-TLB fill,
 * and every slow path (misses, page-crossing accesses, MMIO, code pages).
 *
 * Models Intel SDM Vol. 3A §3.4-3.5 and §5.3-5.5 (segment limit and type
 * checks, expand-down segments, null selectors), §3.3.7.1 (canonical
 * addresses: #SS(0) through SS, else #GP(0)) and chapter 4 via mmu_walk.
 * The inline hit paths are in mem.h.
 *
 * TLB tags (mmu.h): a tag is the page-aligned linear address when that
 * access kind may use the host pointer; TLB_SLOW marks a page reached
 * through physmem (MMIO/open bus, or a write to a code or watched page,
 * so that physmem_write bumps the code generation and calls the page's
 * watchers); TLB_SMAP marks a supervisor
 * data access to a user page under CR4.SMAP, allowed only while RFLAGS.AC=1
 * (AC changes without a TLB flush, so it is checked on every such access).
 * No write tag is installed while D=0: the first write walks and sets D.
 *
 * Invariants: faults are precise — an access translates every page it
 * touches before it writes any byte, and CR2 is the address in the page
 * that faulted. Host pointers come only from physmem_ram_ptr.
 * Callers must flush (cpu_tlb_flush) when CR0.PG/WP, CR3, CR4.PSE/PAE/PGE/
 * SMEP/SMAP or EFER.NXE/LMA change; cpu_destroy should detach the TLB
 * (physmem_detach_tlb). Not modelled: alignment checks (#AC).
 */
#include <string.h>

#include "cpu/mem.h"

/* ---- segmentation ------------------------------------------------------ */

/* Linear addresses wrap at 4 GiB outside 64-bit mode. */
static uint64_t seg_wrap(const struct cpu *c)
{
	return c->mode == MODE_LONG64 ? ~0ull : 0xFFFFFFFFull;
}

static _Noreturn void seg_fault(struct cpu *c, int seg)
{
	cpu_raise(c, seg == SEG_SS ? EXC_SS : EXC_GP, 0);
}

/* Protected mode: usable, type allows the access (§5.4-5.5). */
static void seg_check_type(struct cpu *c, int seg, unsigned acc)
{
	uint16_t attr = c->seg[seg].attr;
	unsigned type = SEGA_TYPE(attr);
	bool code = type & 8;
	if (!(attr & SEGA_P)) /* null selector loaded: unusable */
		seg_fault(c, seg);
	if (acc & ACC_EXEC)
		return;
	if ((acc & ACC_WRITE) && (code || !(type & 2)))
		seg_fault(c, seg);
	if (!(acc & ACC_WRITE) && code && !(type & 2)) /* execute-only */
		seg_fault(c, seg);
}

/* Offsets [off, off+size-1] within the limit (§5.3), expand-down too. */
static void seg_check_limit(struct cpu *c, int seg, uint64_t off, uint64_t size)
{
	const struct seg_cache *s = &c->seg[seg];
	unsigned type = SEGA_TYPE(s->attr);
	uint64_t last = off + size - 1;
	bool expand_down = c->mode != MODE_REAL16 && !(type & 8) && (type & 4);
	if (expand_down) {
		uint64_t upper = (s->attr & SEGA_DB) ? 0xFFFFFFFFull : 0xFFFF;
		if (off <= s->limit || last > upper)
			seg_fault(c, seg);
	} else if (last > s->limit) {
		seg_fault(c, seg);
	}
}

uint64_t cpu_seg_lin(struct cpu *c, int seg, uint64_t off, int size,
		     unsigned acc)
{
	uint64_t n = size > 0 ? (uint64_t)size : 1;
	bool has_seg = seg >= SEG_ES && seg <= SEG_GS;
	if (c->mode == MODE_LONG64) {
		uint64_t lin = has_seg ? mem_lin64(c, seg, off) : off;
		if (!cpu_is_canonical(lin) || !cpu_is_canonical(lin + n - 1))
			seg_fault(c, seg);
		return lin;
	}
	if (!has_seg)
		return off & 0xFFFFFFFFull;
	if (c->mode != MODE_REAL16)
		seg_check_type(c, seg, acc);
	seg_check_limit(c, seg, off, n);
	return (c->seg[seg].base + off) & 0xFFFFFFFFull;
}

/* ---- TLB fill and translation ------------------------------------------ */

/* May writes to this RAM page use the host pointer? Only if it holds no
 * code, no write watch is on it (both must see every write), and
 * physmem_mark_code / physmem_watch_page can find this TLB to demote the
 * tag later. */
static bool write_can_be_fast(struct cpu *c, uint64_t gpa_page)
{
	return physmem_ram_ptr(c->mem, gpa_page, PAGE_SIZE) &&
	       !physmem_is_code(c->mem, gpa_page) &&
	       !physmem_is_watched(c->mem, gpa_page) &&
	       physmem_attach_tlb(c->mem, &c->tlb) == 0;
}

/* Walk `lin` for `wacc` and refill `e` with every tag the result allows. */
static void tlb_fill(struct cpu *c, struct tlb_entry *e, uint64_t lin,
		     unsigned wacc, bool user)
{
	struct paging_state ps = {c->cr0, c->cr3, c->cr4, c->efer,
				  (c->rflags & RF_AC) != 0};
	struct walk_result wr;
	uint32_t r = mmu_walk(c->mem, &ps, lin, wacc, &wr);
	cpu_charge(c, (cycles_t)cost_tlb_miss_walk * wr.levels);
	if (r & MMU_FAULT)
		cpu_raise_pf(c, lin, r & ~MMU_FAULT);

	uint64_t page = lin & PAGE_MASK, gpa_page = wr.gpa & PAGE_MASK;
	uint8_t *host = physmem_ram_ptr(c->mem, gpa_page, PAGE_SIZE);
	bool paging = c->cr0 & CR0_PG;
	bool smap = !user && paging && (c->cr4 & CR4_SMAP) && wr.user;
	bool smep = !user && paging && (c->cr4 & CR4_SMEP) && wr.user;
	uint64_t slow = host ? 0 : TLB_SLOW;
	uint64_t smapf = smap ? TLB_SMAP : 0;
	bool wfast = write_can_be_fast(c, gpa_page);

	e->tag_read = !user || wr.user ? page | slow | smapf : TLB_INVALID;
	e->tag_write = wr.writable && wr.dirty && (!user || wr.user)
			   ? page | (wfast ? 0 : TLB_SLOW) | smapf
			   : TLB_INVALID;
	e->tag_exec =
	    !wr.nx && (user ? wr.user : !smep) ? page | slow : TLB_INVALID;
	e->addend = host ? (uintptr_t)host - (uintptr_t)page : 0;
	e->gpa_page = gpa_page;
	e->global = wr.global;
	e->page_shift = (uint8_t)__builtin_ctzll(wr.page_size);
	if (e->page_shift > PAGE_SHIFT)
		c->tlb.has_large = 1;
	c->tlb.fills++;
}

static uint64_t *tag_of(struct tlb_entry *e, unsigned acc)
{
	if (acc & ACC_EXEC)
		return &e->tag_exec;
	return (acc & ACC_WRITE) ? &e->tag_write : &e->tag_read;
}

/* Does tag `t` (already known to name the page) allow the access now? */
static bool tag_allows(const struct cpu *c, uint64_t t, bool implicit)
{
	return !(t & TLB_SMAP) || (!implicit && (c->rflags & RF_AC));
}

/*
 * Translate the page of `lin` for `acc` (ACC_READ/WRITE/EXEC, possibly
 * with ACC_IMPLICIT_SUP), filling the TLB on a miss; raises #PF. Returns
 * the host address of `lin`, or NULL when the access must go through
 * physmem at *gpa.
 */
static uint8_t *xlate(struct cpu *c, uint64_t lin, unsigned acc, uint64_t *gpa)
{
	/* Implicit accesses (GDT/LDT/IDT/TSS) are supervisor accesses at any
	 * CPL, and SMAP forbids them user pages whatever RFLAGS.AC says
	 * (SDM Vol. 3A §4.6). */
	bool implicit = (acc & ACC_IMPLICIT_SUP) != 0;
	bool user = c->cpl == 3 && !implicit;
	struct tlb_entry *e = &(user ? c->tlb.usr : c->tlb.sup)[tlb_index(lin)];
	uint64_t page = lin & PAGE_MASK;
	uint64_t *tag = tag_of(e, acc);
	if (*tag == TLB_INVALID || (*tag & PAGE_MASK) != page ||
	    !tag_allows(c, *tag, implicit)) {
		unsigned wacc = (acc & (ACC_WRITE | ACC_EXEC)) |
				(user ? ACC_USER : 0) |
				(implicit ? ACC_IMPLICIT_SUP : 0);
		tlb_fill(c, e, lin, wacc, user);
	}
	*gpa = e->gpa_page | (lin & ~PAGE_MASK);
	if (!(*tag & TLB_SLOW))
		return (uint8_t *)(uintptr_t)(lin + e->addend);
	/* A write tag demoted for code: promote once the page holds none. */
	if ((acc & ACC_WRITE) && write_can_be_fast(c, e->gpa_page)) {
		*tag &= ~TLB_SLOW;
		return (uint8_t *)(uintptr_t)(lin + e->addend);
	}
	return NULL;
}

/* ---- spans: an access of at most one page, split at the page end ------- */

struct span {
	uint8_t *host; /* NULL: go through physmem at gpa */
	uint64_t gpa;
	int len;
};

/* Translate every page of [lin, lin+n) (n <= PAGE_SIZE) before any access,
 * so that a fault leaves memory untouched. Returns the number of spans. */
static int translate(struct cpu *c, uint64_t lin, int n, unsigned acc,
		     uint64_t wrap, struct span s[2])
{
	int first = (int)(PAGE_SIZE - (lin & ~PAGE_MASK));
	s[0].len = n < first ? n : first;
	s[0].host = xlate(c, lin, acc, &s[0].gpa);
	if (s[0].len == n)
		return 1;
	s[1].len = n - s[0].len;
	s[1].host = xlate(c, (lin + (uint64_t)s[0].len) & wrap, acc, &s[1].gpa);
	return 2;
}

static bool whole_size(int n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

static void span_read(struct cpu *c, const struct span *s, uint8_t *dst)
{
	if (s->host) {
		memcpy(dst, s->host, (size_t)s->len);
	} else if (whole_size(s->len)) {
		uint64_t v = physmem_read(c->mem, s->gpa, s->len);
		memcpy(dst, &v, (size_t)s->len);
	} else {
		for (int i = 0; i < s->len; i++)
			dst[i] = (uint8_t)physmem_read(c->mem, s->gpa + i, 1);
	}
}

static void span_write(struct cpu *c, const struct span *s, const uint8_t *src)
{
	if (s->host) {
		memcpy(s->host, src, (size_t)s->len);
	} else if (whole_size(s->len)) {
		uint64_t v = 0;
		memcpy(&v, src, (size_t)s->len);
		physmem_write(c->mem, s->gpa, s->len, v);
	} else {
		for (int i = 0; i < s->len; i++)
			physmem_write(c->mem, s->gpa + i, 1, src[i]);
	}
}

/* Read/write n bytes (any n >= 0) at linear `lin`, one page at a time;
 * each piece of up to a page is precise on its own. */
static void copy_in(struct cpu *c, uint64_t lin, uint8_t *dst, int n,
		    unsigned acc, uint64_t wrap)
{
	while (n > 0) {
		int chunk = n < (int)PAGE_SIZE ? n : (int)PAGE_SIZE;
		struct span s[2];
		int k = translate(c, lin, chunk, acc, wrap, s);
		for (int i = 0; i < k; i++) {
			span_read(c, &s[i], dst);
			dst += s[i].len;
		}
		lin = (lin + (uint64_t)chunk) & wrap;
		n -= chunk;
	}
}

static void copy_out(struct cpu *c, uint64_t lin, const uint8_t *src, int n,
		     unsigned acc, uint64_t wrap)
{
	while (n > 0) {
		int chunk = n < (int)PAGE_SIZE ? n : (int)PAGE_SIZE;
		struct span s[2];
		int k = translate(c, lin, chunk, acc, wrap, s);
		for (int i = 0; i < k; i++) {
			span_write(c, &s[i], src);
			src += s[i].len;
		}
		lin = (lin + (uint64_t)chunk) & wrap;
		n -= chunk;
	}
}

/* ---- 1/2/4/8-byte accesses at a linear address -------------------------- */

/* The host address of a `size`-byte access at `lin` when its TLB entry
 * holds the plain tag of the page (no TLB_SLOW, no TLB_SMAP), else NULL:
 * exactly the case in which translate() finds one span with a host
 * pointer without filling or checking anything more. Testing the page of
 * the last byte also rules out a page-crossing access (mem.h). */
static uint8_t *plain_hit(struct cpu *c, uint64_t lin, int size,
			  unsigned acc)
{
	bool user = c->cpl == 3 && !(acc & ACC_IMPLICIT_SUP);
	struct tlb_entry *e = &(user ? c->tlb.usr : c->tlb.sup)[tlb_index(lin)];
	if (*tag_of(e, acc) == ((lin + (uint64_t)size - 1) & PAGE_MASK))
		return (uint8_t *)(uintptr_t)(lin + e->addend);
	return NULL;
}

static uint64_t read_lin(struct cpu *c, uint64_t lin, int size, unsigned acc,
			 uint64_t wrap)
{
	struct span s[2];
	if (size < 1 || size > 8)
		size = 8;
	uint8_t *p = plain_hit(c, lin, size, acc);
	if (p)
		return mem_host_load(p, size);
	int k = translate(c, lin, size, acc, wrap, s);
	if (k == 1 && s[0].host)
		return mem_host_load(s[0].host, size);
	uint8_t buf[8] = {0};
	span_read(c, &s[0], buf);
	if (k == 2)
		span_read(c, &s[1], buf + s[0].len);
	uint64_t v;
	memcpy(&v, buf, 8);
	return v;
}

static void write_lin(struct cpu *c, uint64_t lin, int size, uint64_t v,
		      unsigned acc, uint64_t wrap)
{
	struct span s[2];
	if (size < 1 || size > 8)
		size = 8;
	uint8_t *p = plain_hit(c, lin, size, acc);
	if (p) {
		mem_host_store(p, size, v);
		return;
	}
	int k = translate(c, lin, size, acc, wrap, s);
	if (k == 1 && s[0].host) {
		mem_host_store(s[0].host, size, v);
		return;
	}
	uint8_t buf[8];
	memcpy(buf, &v, 8);
	span_write(c, &s[0], buf);
	if (k == 2)
		span_write(c, &s[1], buf + s[0].len);
}

/* ---- the interface in cpu_int.h ----------------------------------------- */

uint64_t cpu_read(struct cpu *c, int seg, uint64_t off, int size)
{
	uint64_t lin = cpu_seg_lin(c, seg, off, size, ACC_READ);
	return read_lin(c, lin, size, ACC_READ, seg_wrap(c));
}

void cpu_write(struct cpu *c, int seg, uint64_t off, int size, uint64_t v)
{
	uint64_t lin = cpu_seg_lin(c, seg, off, size, ACC_WRITE);
	write_lin(c, lin, size, v, ACC_WRITE, seg_wrap(c));
}

void cpu_probe_write(struct cpu *c, int seg, uint64_t off, int size)
{
	uint64_t lin = cpu_seg_lin(c, seg, off, size, ACC_WRITE);
	uint64_t wrap = seg_wrap(c);
	while (size > 0) {
		int chunk = size < (int)PAGE_SIZE ? size : (int)PAGE_SIZE;
		struct span s[2];
		translate(c, lin, chunk, ACC_WRITE, wrap, s);
		lin = (lin + (uint64_t)chunk) & wrap;
		size -= chunk;
	}
}

void cpu_read_bytes(struct cpu *c, int seg, uint64_t off, void *dst, int n)
{
	if (n <= 0)
		return;
	uint64_t lin = cpu_seg_lin(c, seg, off, n, ACC_READ);
	copy_in(c, lin, dst, n, ACC_READ, seg_wrap(c));
}

void cpu_write_bytes(struct cpu *c, int seg, uint64_t off, const void *src,
		     int n)
{
	if (n <= 0)
		return;
	uint64_t lin = cpu_seg_lin(c, seg, off, n, ACC_WRITE);
	copy_out(c, lin, src, n, ACC_WRITE, seg_wrap(c));
}

/* Linear accesses: 64-bit addresses (canonical) under EFER.LMA, else 32. */
static uint64_t lin_check(struct cpu *c, uint64_t lin, int size)
{
	if (!(c->efer & EFER_LMA))
		return lin & 0xFFFFFFFFull;
	uint64_t n = size > 0 ? (uint64_t)size : 1;
	if (!cpu_is_canonical(lin) || !cpu_is_canonical(lin + n - 1))
		cpu_raise_gp0(c);
	return lin;
}

static uint64_t lin_wrap(const struct cpu *c)
{
	return (c->efer & EFER_LMA) ? ~0ull : 0xFFFFFFFFull;
}

uint64_t cpu_lin_read(struct cpu *c, uint64_t lin, int size, unsigned acc)
{
	acc &= ACC_IMPLICIT_SUP;
	return read_lin(c, lin_check(c, lin, size), size, acc | ACC_READ,
			lin_wrap(c));
}

void cpu_lin_write(struct cpu *c, uint64_t lin, int size, uint64_t v,
		   unsigned acc)
{
	acc = (acc & ACC_IMPLICIT_SUP) | ACC_WRITE;
	write_lin(c, lin_check(c, lin, size), size, v, acc, lin_wrap(c));
}

uint8_t *cpu_lin_plain(struct cpu *c, uint64_t lin, int len, unsigned acc)
{
	acc &= ACC_IMPLICIT_SUP | ACC_WRITE; /* as cpu_lin_read/write do */
	if (!(c->efer & EFER_LMA) || len < 1 || len > (int)PAGE_SIZE ||
	    !cpu_is_canonical(lin) || !cpu_is_canonical(lin + (uint64_t)len - 1))
		return NULL;
	return plain_hit(c, lin, len, acc);
}

/* ---- instruction fetch --------------------------------------------------- */

void cpu_fetch(struct cpu *c, uint64_t lin, uint8_t *buf, int n)
{
	if (n <= 0)
		return;
	if (c->mode == MODE_LONG64 &&
	    (!cpu_is_canonical(lin) ||
	     !cpu_is_canonical(lin + (uint64_t)n - 1)))
		cpu_raise_gp0(c);
	copy_in(c, lin, buf, n, ACC_EXEC, seg_wrap(c));
}

const uint8_t *cpu_fetch_ptr(struct cpu *c, uint64_t lin, uint64_t *gpa)
{
	if (c->mode == MODE_LONG64 && !cpu_is_canonical(lin))
		cpu_raise_gp0(c);
	return xlate(c, lin, ACC_EXEC, gpa);
}

uint8_t *cpu_bulk_ptr(struct cpu *c, uint64_t lin, bool write)
{
	bool user = c->cpl == 3;
	struct tlb_entry *e = mem_tlb_slot(c, lin);
	uint64_t page = lin & PAGE_MASK;
	uint64_t *tag = write ? &e->tag_write : &e->tag_read;

	if (*tag != page) {
		struct paging_state ps = {c->cr0, c->cr3, c->cr4, c->efer,
					  (c->rflags & RF_AC) != 0};
		struct walk_result wr;
		unsigned wacc = (write ? ACC_WRITE : ACC_READ) |
				(user ? ACC_USER : 0);

		/* A walk that would fault leaves the fault to the caller's
		 * element-by-element path; tlb_fill walks again, charges it
		 * like any miss and cannot fault now. */
		if (mmu_walk(c->mem, &ps, lin, wacc, &wr) != 0)
			return NULL;
		tlb_fill(c, e, lin, wacc, user);
		if (*tag != page)
			return NULL; /* MMIO, code page, SMAP: the slow way */
	}
	return (uint8_t *)(uintptr_t)(lin + e->addend);
}

/* ---- flushes and the debug hook ------------------------------------------ */

void cpu_tlb_flush(struct cpu *c, bool keep_global)
{
	tlb_flush_all(&c->tlb, keep_global);
}

void cpu_tlb_flush_page(struct cpu *c, uint64_t lin)
{
	tlb_flush_page(&c->tlb, lin);
}

bool cpu_mem_check_invariants(struct cpu *c)
{
	return physmem_check_invariants(c->mem) &&
	       tlb_check_invariants(&c->tlb, c->mem);
}
