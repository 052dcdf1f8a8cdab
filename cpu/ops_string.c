/*
 * cpu/ops_string.c — string instructions MOVS, STOS, LODS, CMPS, SCAS, INS,
 * OUTS, with and without REP/REPE/REPNE.
 *
 * Spec: Intel SDM Vol. 2B MOVS, STOS, LODS, CMPS, SCAS, INS, OUTS and
 * REP/REPE/REPZ/REPNE/REPNZ; Vol. 1 §7.3.9 (string operations), Vol. 3A
 * §6.6 (a REP string op is interruptible between iterations).
 *
 * Operands: source d->seg:rSI (DS unless overridden), destination ES:rDI
 * (never overridden). rSI/rDI/rCX are used and updated at the address
 * size (d->asize); elements move by d->osize bytes (at most 4 for port
 * I/O) in the direction of RFLAGS.DF.
 *
 * Invariants: each iteration does all of its accesses before it updates
 * rSI/rDI, and rCX drops only after the iteration completed, so a fault
 * mid-way leaves exactly the completed iterations visible (as hardware
 * does) with RIP at the instruction; an I/O intercept answered later
 * (ENV_RETRY, ops_io.c) unwinds the same way, so REP INS/OUTS resume at
 * the element that was forwarded. A handler call runs at most
 * STRING_MAX_ITERS elements; if any remain it sets RIP back to the
 * instruction so the interpreter can take interrupts and re-execute it.
 * The bulk path below may do a page worth of REP MOVS/STOS at once, but
 * only when it can prove that no element would fault.
 */
#include <string.h>

#include "cpu/cpu_int.h"
#include "cpu/mem.h"
#include "cpu/ops.h"

/* Elements per handler call before the instruction yields to interrupts. */
#define STRING_MAX_ITERS 4096u

static uint64_t str_si(const struct cpu *c, const struct dinsn *d)
{
	return c->gpr[RSI] & size_mask(d->asize);
}

static uint64_t str_di(const struct cpu *c, const struct dinsn *d)
{
	return c->gpr[RDI] & size_mask(d->asize);
}

/* Move rSI or rDI by n elements of `size` bytes, in the DF direction. */
static void str_advance(struct cpu *c, const struct dinsn *d, int reg,
			int size, uint64_t n)
{
	uint64_t step = (uint64_t)size * n;
	uint64_t v = (c->rflags & RF_DF) ? c->gpr[reg] - step
					 : c->gpr[reg] + step;

	gpr_write(c, reg, d->asize, true, v);
}

/* ---- one element of each instruction ---------------------------------
 * Each returns "the elements compared equal" (only CMPS/SCAS use it). */

static bool step_movs(struct cpu *c, const struct dinsn *d, int size)
{
	uint64_t v = cpu_read(c, d->seg, str_si(c, d), size);

	cpu_write(c, SEG_ES, str_di(c, d), size, v);
	str_advance(c, d, RSI, size, 1);
	str_advance(c, d, RDI, size, 1);
	return false;
}

static bool step_stos(struct cpu *c, const struct dinsn *d, int size)
{
	cpu_write(c, SEG_ES, str_di(c, d), size, gpr_read(c, RAX, size, true));
	str_advance(c, d, RDI, size, 1);
	return false;
}

static bool step_lods(struct cpu *c, const struct dinsn *d, int size)
{
	uint64_t v = cpu_read(c, d->seg, str_si(c, d), size);

	gpr_write(c, RAX, size, true, v);
	str_advance(c, d, RSI, size, 1);
	return false;
}

/* Flags as CMP src1, src2 (SUB without storing). */
static bool record_compare(struct cpu *c, int size, uint64_t a, uint64_t b)
{
	uint64_t m = size_mask(size);

	lf_record(&c->lf, LF_SUB, size, (a - b) & m, a & m, b & m);
	return ((a ^ b) & m) == 0;
}

/* CMPS compares [rSI] with ES:[rDI] (flags of [rSI] - [rDI]). */
static bool step_cmps(struct cpu *c, const struct dinsn *d, int size)
{
	uint64_t a = cpu_read(c, d->seg, str_si(c, d), size);
	uint64_t b = cpu_read(c, SEG_ES, str_di(c, d), size);

	str_advance(c, d, RSI, size, 1);
	str_advance(c, d, RDI, size, 1);
	return record_compare(c, size, a, b);
}

/* SCAS compares rAX with ES:[rDI]. */
static bool step_scas(struct cpu *c, const struct dinsn *d, int size)
{
	uint64_t b = cpu_read(c, SEG_ES, str_di(c, d), size);

	str_advance(c, d, RDI, size, 1);
	return record_compare(c, size, gpr_read(c, RAX, size, true), b);
}

/* INS: the destination is checked before the port is read, so a #PF does
 * not lose a byte from a device with read side effects. */
static bool step_ins(struct cpu *c, const struct dinsn *d, int size)
{
	uint64_t di = str_di(c, d);

	cpu_probe_write(c, SEG_ES, di, size);
	uint32_t v = cpu_io_in(c, (uint16_t)c->gpr[RDX], size);
	cpu_write(c, SEG_ES, di, size, v);
	str_advance(c, d, RDI, size, 1);
	return false;
}

static bool step_outs(struct cpu *c, const struct dinsn *d, int size)
{
	uint64_t v = cpu_read(c, d->seg, str_si(c, d), size);

	cpu_io_out(c, (uint16_t)c->gpr[RDX], size, (uint32_t)v);
	str_advance(c, d, RSI, size, 1);
	return false;
}

/* ---- bulk path for REP MOVS / REP STOS ---------------------------------
 * Used only with DF=0, when the chunk lies in one page on each side, the
 * segments are plainly usable, the walks succeed and both ends are RAM.
 * When any of that is unsure it returns 0 and the one-element path runs,
 * which raises whatever fault applies at the right element. It bypasses
 * mem.c and the TLB (and charges no walk cycles), so a per-access check
 * added there later (#AC, data breakpoints) must be mirrored here. */

/* Elements of `size` bytes from lin to the end of its page. */
static uint64_t page_room(uint64_t lin, int size)
{
	return (PAGE_SIZE - (lin & (PAGE_SIZE - 1))) / (uint64_t)size;
}

/* Linear address of seg:[off, off+len) when the access is certainly
 * allowed by segmentation; false when unsure (never raises). */
static bool bulk_linear(const struct cpu *c, int seg, uint64_t off,
			uint64_t len, bool write, uint64_t *lin)
{
	const struct seg_cache *s = &c->seg[seg];
	uint64_t last = off + len - 1;
	unsigned type = SEGA_TYPE(s->attr);

	if (last < off)
		return false;
	if (c->mode == MODE_LONG64) {
		uint64_t base = (seg == SEG_FS || seg == SEG_GS) ? s->base : 0;
		*lin = base + off;
		return cpu_is_canonical(*lin) &&
		       cpu_is_canonical(*lin + len - 1);
	}
	if (!(s->attr & SEGA_P) || !(s->attr & SEGA_S))
		return false;
	if (c->mode != MODE_REAL16 && (s->sel & ~3u) == 0)
		return false; /* null selector: let mem.c raise */
	if (type & 8) { /* code: readable, never writable */
		if (write || !(type & 2))
			return false;
	} else if ((type & 4) || (write && !(type & 2))) {
		return false; /* expand-down or read-only data */
	}
	if (last > s->limit)
		return false;
	*lin = (s->base + off) & 0xFFFFFFFFull;
	return *lin + len - 1 <= 0xFFFFFFFFull;
}

/* Where the bulk path reads or writes: the host pointer and, for a write
 * that physmem must hear about (see bulk_host), the GPA. */
struct bulk_ptr {
	uint8_t *p;
	uint64_t note_gpa; /* ~0 when the write needs no physmem_note_write */
};

/* Host pointer for [lin, lin+len) (one page); p NULL on a fault or if not
 * RAM. Through the soft TLB when the page has a plain fast tag for the
 * access (filled on a miss, as a real core's string copy fills its TLB:
 * a ring the guest only copies to or from is then not walked on every
 * copy); such a page holds no code and no write watch (physmem demotes
 * the tag first), so a write there is plain, as mem_write's hit is. Else
 * (a code page, MMIO, SMAP) after a walk that sets A/D like the access
 * would, and a write must be noted (code generation, watches). */
static struct bulk_ptr bulk_host(struct cpu *c, uint64_t lin, uint64_t len,
				 bool write)
{
	struct bulk_ptr r = {mem_bulk_ptr(c, lin, write), ~0ull};
	if (r.p)
		return r;
	struct paging_state ps = {c->cr0, c->cr3, c->cr4, c->efer,
				  (c->rflags & RF_AC) != 0};
	struct walk_result w;
	unsigned acc = (write ? ACC_WRITE : ACC_READ) |
		       (c->cpl == 3 ? ACC_USER : 0);
	if (mmu_walk(c->mem, &ps, lin, acc, &w) != 0)
		return r;
	r.p = physmem_ram_ptr(c->mem, w.gpa, len);
	r.note_gpa = write ? w.gpa : ~0ull;
	return r;
}

/* How many whole elements from seg:off fit before the end of its page
 * and before the offset wraps at the address size, and the linear address
 * of the first; 0 if unusable. */
static uint64_t bulk_room(const struct cpu *c, const struct dinsn *d,
			  int seg, uint64_t off, int size, bool write,
			  uint64_t *lin)
{
	uint64_t amask = size_mask(d->asize);
	uint64_t n;

	if (!bulk_linear(c, seg, off, (uint64_t)size, write, lin))
		return 0;
	n = page_room(*lin, size);
	if (amask != ~0ull && (amask - off + 1) / (uint64_t)size < n)
		n = (amask - off + 1) / (uint64_t)size;
	return n;
}

/* Host pointer to len bytes at seg:off, whose first element bulk_room
 * placed at `lin` with room for all of them in its page; p NULL when
 * unusable. In 64-bit mode the first element's checks cover them all (no
 * limits; canonical or not is decided per page); elsewhere the segment
 * limit is checked again for the whole length. */
static struct bulk_ptr bulk_map(struct cpu *c, int seg, uint64_t off,
				uint64_t lin, uint64_t len, bool write)
{
	if (c->mode != MODE_LONG64 &&
	    !bulk_linear(c, seg, off, len, write, &lin)) {
		struct bulk_ptr none = {NULL, ~0ull};
		return none;
	}
	return bulk_host(c, lin, len, write);
}

/* str_bulk_movs's common case: 64-bit mode, 64-bit addresses, DF=0,
 * source and destination segments without a base, and both ranges TLB
 * hits (which proves them canonical, RAM, and the destination free of
 * code and watches). It does what the general path would do with the
 * same n; 0 sends the copy there (it also fills the TLB on a miss). */
static uint64_t movs_flat64(struct cpu *c, int size, uint64_t max)
{
	uint64_t si = c->gpr[RSI], di = c->gpr[RDI];
	uint64_t n = page_room(si, size), nd = page_room(di, size);

	n = n < nd ? n : nd;
	n = n < max ? n : max;
	if (n == 0)
		return 0;
	uint64_t len = n * (uint64_t)size;
	const uint8_t *src = mem_range_hit(c, si, len, false);
	uint8_t *dst = mem_range_hit(c, di, len, true);
	if (!src || !dst || (dst > src && dst < src + len))
		return 0;
	memmove(dst, src, len);
	c->gpr[RSI] = si + len;
	c->gpr[RDI] = di + len;
	return n;
}

static uint64_t str_bulk_movs(struct cpu *c, const struct dinsn *d, int size,
			      uint64_t max)
{
	uint64_t si = str_si(c, d), di = str_di(c, d), ls, ld;

	if (c->rflags & RF_DF)
		return 0;
	if (c->mode == MODE_LONG64 && d->asize == 8 && d->seg != SEG_FS &&
	    d->seg != SEG_GS) {
		uint64_t n = movs_flat64(c, size, max);
		if (n)
			return n;
	}
	uint64_t n = bulk_room(c, d, d->seg, si, size, false, &ls);
	uint64_t nd = n ? bulk_room(c, d, SEG_ES, di, size, true, &ld) : 0;
	n = n < nd ? n : nd;
	n = n < max ? n : max;
	if (n == 0)
		return 0;
	uint64_t len = n * (uint64_t)size;
	struct bulk_ptr src = bulk_map(c, d->seg, si, ls, len, false);
	struct bulk_ptr dst = {NULL, ~0ull};
	if (src.p)
		dst = bulk_map(c, SEG_ES, di, ld, len, true);
	/* Element-by-element forward copying differs from memmove when the
	 * destination starts inside the source; leave that to the slow path. */
	if (!dst.p || (dst.p > src.p && dst.p < src.p + len))
		return 0;
	memmove(dst.p, src.p, len);
	if (dst.note_gpa != ~0ull)
		physmem_note_write(c->mem, dst.note_gpa, len);
	str_advance(c, d, RSI, size, n);
	str_advance(c, d, RDI, size, n);
	return n;
}

static uint64_t str_bulk_stos(struct cpu *c, const struct dinsn *d, int size,
			      uint64_t max)
{
	uint64_t di = str_di(c, d), ld;
	uint64_t v = gpr_read(c, RAX, size, true);
	uint8_t pat[8];

	if (c->rflags & RF_DF)
		return 0;
	uint64_t n = bulk_room(c, d, SEG_ES, di, size, true, &ld);
	n = n < max ? n : max;
	if (n == 0)
		return 0;
	uint64_t len = n * (uint64_t)size;
	struct bulk_ptr dst = bulk_map(c, SEG_ES, di, ld, len, true);
	if (!dst.p)
		return 0;
	if (size == 1) {
		memset(dst.p, (int)(v & 0xFF), len);
	} else {
		for (int i = 0; i < size; i++)
			pat[i] = (uint8_t)(v >> (8 * i)); /* guest is LE */
		for (uint64_t i = 0; i < n; i++)
			memcpy(dst.p + i * (uint64_t)size, pat, (size_t)size);
	}
	if (dst.note_gpa != ~0ull)
		physmem_note_write(c->mem, dst.note_gpa, len);
	str_advance(c, d, RDI, size, n);
	return n;
}

/* ---- the REP driver ---------------------------------------------------- */

struct str_desc {
	bool (*step)(struct cpu *c, const struct dinsn *d, int size);
	/* Optional: do up to `max` elements at once without faulting;
	 * returns how many (0 = take the one-element path). */
	uint64_t (*bulk)(struct cpu *c, const struct dinsn *d, int size,
			 uint64_t max);
	bool compares; /* REPE/REPNE end on ZF */
	bool port_io;  /* element size at most 4 bytes */
	/* Index registers (1 << RSI, 1 << RDI) that a REP with a 32-bit
	 * address size in 64-bit mode rewrites (zero-extending them) even
	 * when ECX is 0 and no element moves, as measured on Intel hardware;
	 * ECX itself is always rewritten then. */
	uint16_t zext_on_zero;
};

static const struct str_desc str_movs = {step_movs, str_bulk_movs, false,
					 false, 1u << RSI | 1u << RDI};
static const struct str_desc str_stos = {step_stos, str_bulk_stos, false,
					 false, 1u << RDI};
static const struct str_desc str_lods = {step_lods, NULL, false, false, 0};
static const struct str_desc str_cmps = {step_cmps, NULL, true, false, 0};
static const struct str_desc str_scas = {step_scas, NULL, true, false, 0};
static const struct str_desc str_ins = {step_ins, NULL, false, true, 0};
static const struct str_desc str_outs = {step_outs, NULL, false, true, 0};

/* REP with nothing to do, 32-bit addresses in 64-bit mode: the registers
 * are still written as 32-bit registers, clearing their upper halves. */
static void rep_zero_count(struct cpu *c, const struct dinsn *d,
			   const struct str_desc *s)
{
	if (c->mode != MODE_LONG64 || d->asize != 4)
		return;
	c->gpr[RCX] = (uint32_t)c->gpr[RCX];
	if (s->zext_on_zero & (1u << RSI))
		c->gpr[RSI] = (uint32_t)c->gpr[RSI];
	if (s->zext_on_zero & (1u << RDI))
		c->gpr[RDI] = (uint32_t)c->gpr[RDI];
}

/* With F2 the compare loop runs while not equal (REPNE), with F3 while
 * equal (REPE). If both prefixes are present F2 is taken. */
static void string_exec(struct cpu *c, const struct dinsn *d,
			const struct str_desc *s)
{
	int size = (s->port_io && d->osize > 4) ? 4 : d->osize;
	bool repne = (d->pfx & PFX_REPNE) != 0;
	uint64_t amask = size_mask(d->asize);
	/* With TF set a single-step trap follows each iteration (SDM
	 * Vol. 3B, "Single-Step Exception Condition"): run one, return. */
	uint64_t cap = (c->rflags & RF_TF) ? 1 : STRING_MAX_ITERS;
	uint64_t done = 0;

	if (!(d->pfx & (PFX_REP | PFX_REPNE))) {
		s->step(c, d, size);
		cpu_charge(c, c->cost[C_STRING]);
		return;
	}
	for (;;) {
		uint64_t count = c->gpr[RCX] & amask;
		if (count == 0) {
			if (done == 0)
				rep_zero_count(c, d, s);
			return; /* done: RIP already at the next instruction */
		}
		if (done >= cap) {
			c->rip = c->insn_rip; /* resume after interrupts */
			return;
		}
		uint64_t room = cap - done;
		uint64_t n = s->bulk ? s->bulk(c, d, size,
					       count < room ? count : room)
				     : 0;
		bool equal = false;
		if (n == 0) {
			equal = s->step(c, d, size);
			n = 1;
		}
		gpr_write(c, RCX, d->asize, true, count - n);
		cpu_charge(c, n * c->cost[C_STRING]);
		done += n;
		if (s->compares && equal == repne)
			return;
	}
}

void op_movs(struct cpu *c, const struct dinsn *d)
{
	string_exec(c, d, &str_movs);
}

void op_stos(struct cpu *c, const struct dinsn *d)
{
	string_exec(c, d, &str_stos);
}

void op_lods(struct cpu *c, const struct dinsn *d)
{
	string_exec(c, d, &str_lods);
}

void op_cmps(struct cpu *c, const struct dinsn *d)
{
	string_exec(c, d, &str_cmps);
}

void op_scas(struct cpu *c, const struct dinsn *d)
{
	string_exec(c, d, &str_scas);
}

void op_ins(struct cpu *c, const struct dinsn *d)
{
	string_exec(c, d, &str_ins);
}

void op_outs(struct cpu *c, const struct dinsn *d)
{
	string_exec(c, d, &str_outs);
}
