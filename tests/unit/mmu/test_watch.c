/*
 * tests/unit/mmu/test_watch.c — write watches on guest-physical pages
 * (mmu/mmu.h, mmu/physmem.c, the TLB demotion in cpu/mem.c): every kind
 * of write to a watched page calls the watcher after the bytes are in
 * memory — physmem writes and host copies, CPU stores through a TLB entry
 * that had a fast write tag before the watch, page-straddling stores, REP
 * STOS/MOVS bulk copies — with the part of the write inside the page;
 * writes elsewhere do not; unwatching stops it; watchers may unwatch
 * themselves; watching charges no cycles.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/mem.h"
#include "tests/common/fixture.h"

#define PAGE_A (FX_DATA + 0x4000ull)

/* What the watcher saw: the calls and, at each call, the byte at gpa. */
struct seen {
	struct physmem *pm;
	unsigned calls;
	uint64_t gpa[16], len[16];
	uint8_t byte_then[16];
	bool unwatch_self;
};

static void watcher(void *opaque, uint64_t gpa, uint64_t len)
{
	struct seen *s = opaque;

	if (s->calls < 16) {
		s->gpa[s->calls] = gpa;
		s->len[s->calls] = len;
		s->byte_then[s->calls] = (uint8_t)physmem_read(s->pm, gpa, 1);
	}
	s->calls++;
	if (s->unwatch_self)
		physmem_unwatch_page(s->pm, gpa & PAGE_MASK, watcher, s);
}

Test(watch, host_writes_call_the_watcher_after_the_store)
{
	struct physmem *pm = physmem_create(1 << 20);
	struct seen s = {.pm = pm};
	uint8_t buf[32];

	cr_assert_eq(0, physmem_watch_page(pm, 0x3000, watcher, &s));
	cr_assert(physmem_is_watched(pm, 0x3FFF));
	cr_assert_not(physmem_is_watched(pm, 0x4000));
	physmem_write(pm, 0x3010, 4, 0xAB);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.gpa[0], 0x3010);
	cr_assert_eq(s.len[0], 4);
	cr_assert_eq(s.byte_then[0], 0xAB, "called before the store");
	/* A copy across the page's end: only the part inside is reported. */
	memset(buf, 0x5C, sizeof(buf));
	cr_assert_eq(0, physmem_copy_to(pm, 0x3FF0, buf, sizeof(buf)));
	cr_assert_eq(s.calls, 2);
	cr_assert_eq(s.gpa[1], 0x3FF0);
	cr_assert_eq(s.len[1], 16);
	/* Elsewhere: nothing. Reads: nothing. */
	physmem_write(pm, 0x2FFC, 4, 1);
	cr_assert_eq(0, physmem_copy_from(pm, buf, 0x3000, 16));
	cr_assert_eq(s.calls, 2);
	cr_assert(physmem_check_invariants(pm));
	physmem_unwatch_page(pm, 0x3000, watcher, &s);
	cr_assert_not(physmem_is_watched(pm, 0x3000));
	physmem_write(pm, 0x3010, 4, 1);
	cr_assert_eq(s.calls, 2);
	physmem_destroy(pm);
}

Test(watch, bad_arguments_and_shared_pages)
{
	struct physmem *pm = physmem_create(1 << 20);
	struct seen a = {.pm = pm}, b = {.pm = pm};

	cr_assert_eq(-1, physmem_watch_page(pm, 1 << 20, watcher, &a));
	cr_assert_eq(-1, physmem_watch_page(pm, ~0ull, watcher, &a));
	cr_assert_eq(-1, physmem_watch_page(pm, 0, NULL, &a));
	/* Two watchers on one page; the page stays watched until both go. */
	cr_assert_eq(0, physmem_watch_page(pm, 0x5123, watcher, &a));
	cr_assert_eq(0, physmem_watch_page(pm, 0x5000, watcher, &b));
	physmem_write(pm, 0x5008, 8, 7);
	cr_assert_eq(a.calls, 1);
	cr_assert_eq(b.calls, 1);
	physmem_unwatch_page(pm, 0x5000, watcher, &a);
	cr_assert(physmem_is_watched(pm, 0x5000));
	physmem_write(pm, 0x5008, 1, 7);
	cr_assert_eq(a.calls, 1);
	cr_assert_eq(b.calls, 2);
	physmem_unwatch_page(pm, 0x5000, watcher, &a); /* twice: nothing */
	physmem_unwatch_page(pm, 0x5000, watcher, &b);
	cr_assert_not(physmem_is_watched(pm, 0x5000));
	cr_assert(physmem_check_invariants(pm));
	physmem_destroy(pm);
}

Test(watch, a_watcher_may_unwatch_itself_during_the_call)
{
	struct physmem *pm = physmem_create(1 << 20);
	struct seen a = {.pm = pm, .unwatch_self = true}, b = {.pm = pm};

	cr_assert_eq(0, physmem_watch_page(pm, 0x6000, watcher, &a));
	cr_assert_eq(0, physmem_watch_page(pm, 0x6000, watcher, &b));
	physmem_write(pm, 0x6000, 4, 1);
	cr_assert_eq(a.calls, 1);
	cr_assert_eq(b.calls, 1, "the next watcher is still called");
	physmem_write(pm, 0x6000, 4, 2);
	cr_assert_eq(a.calls, 1);
	cr_assert_eq(b.calls, 2);
	cr_assert(physmem_check_invariants(pm));
	physmem_destroy(pm);
}

/* ---- CPU stores ---------------------------------------------------------- */

static struct fx *fx;
static struct cpu *c;

static void core_setup(void)
{
	fx = fx_new(FX_LONG64);
	c = fx->cpu;
	cpu_tlb_flush(c, false);
}

static void core_teardown(void)
{
	fx_free(fx);
}

TestSuite(watch_cpu, .init = core_setup, .fini = core_teardown);

Test(watch_cpu, a_fast_write_tag_is_demoted_when_the_page_is_watched)
{
	struct seen s = {.pm = fx->mem};
	cycles_t t0;

	mem_write(c, SEG_DS, PAGE_A, 4, 1); /* fast write tag installed */
	cr_assert(cpu_mem_check_invariants(c));
	cr_assert_eq(0, physmem_watch_page(fx->mem, PAGE_A, watcher, &s));
	cr_assert(cpu_mem_check_invariants(c));
	t0 = c->cycles;
	mem_write(c, SEG_DS, PAGE_A + 8, 4, 0x77);
	cpu_write(c, SEG_DS, PAGE_A + 12, 2, 0x66);
	cr_assert_eq(c->cycles, t0, "a watch costs no simulated time");
	cr_assert_eq(s.calls, 2);
	cr_assert_eq(s.gpa[0], PAGE_A + 8);
	cr_assert_eq(s.len[0], 4);
	cr_assert_eq(s.byte_then[0], 0x77);
	cr_assert_eq(s.gpa[1], PAGE_A + 12);
	cr_assert_eq(s.len[1], 2);
	/* A new fill keeps the tag slow too. */
	cpu_tlb_flush(c, false);
	mem_write(c, SEG_DS, PAGE_A, 8, 5);
	cr_assert_eq(s.calls, 3);
	cr_assert(cpu_mem_check_invariants(c));
	/* Unwatched: the tag may become fast again; no more calls. */
	physmem_unwatch_page(fx->mem, PAGE_A, watcher, &s);
	mem_write(c, SEG_DS, PAGE_A, 8, 6);
	mem_write(c, SEG_DS, PAGE_A, 8, 7);
	cr_assert_eq(s.calls, 3);
	cr_assert_eq(physmem_read(fx->mem, PAGE_A, 8), 7);
	cr_assert(cpu_mem_check_invariants(c));
}

Test(watch_cpu, a_store_straddling_into_the_page_reports_its_part)
{
	struct seen s = {.pm = fx->mem};

	cr_assert_eq(0, physmem_watch_page(fx->mem, PAGE_A, watcher, &s));
	mem_write(c, SEG_DS, PAGE_A - 3, 8, 0x1122334455667788ull);
	cr_assert_eq(s.calls, 5, "bytes of a split store, one call each");
	cr_assert_eq(s.gpa[0], PAGE_A);
	cr_assert_eq(s.gpa[4], PAGE_A + 4);
	cr_assert_eq(physmem_read(fx->mem, PAGE_A, 4), 0x22334455);
}

Test(watch_cpu, instructions_storing_into_the_page_call_the_watcher)
{
	/* mov [rax], ebx ; rep stosb (rdi, rcx = 64) ; mov ecx, 4 ;
	 * rep movsq (rsi→rdi) ; hlt */
	static const uint8_t code[] = {0x89, 0x18, 0xF3, 0xAA, 0xB9, 4,	  0,
				       0,    0,	   0xF3, 0x48, 0xA5, 0xF4};
	struct seen s = {.pm = fx->mem};
	struct cpu_exit e;

	cr_assert_eq(0, physmem_watch_page(fx->mem, PAGE_A, watcher, &s));
	mem_write(c, SEG_DS, FX_DATA, 8, 0x0102030405060708ull);
	c->gpr[RAX] = PAGE_A + 0x100;
	c->gpr[RBX] = 0xCAFE;
	c->gpr[RDI] = PAGE_A + 0x200;
	c->gpr[RCX] = 64;
	fx_load(fx, code, sizeof(code));
	/* After stosb: rdi = +0x240; movsq copies 32 bytes from FX_DATA. */
	c->gpr[RSI] = FX_DATA;
	e = fx_run(fx, 1000000);
	(void)e;
	cr_assert_eq(fx_vector(fx), -1);
	cr_assert_geq(s.calls, 3);
	cr_assert_eq(s.gpa[0], PAGE_A + 0x100);
	cr_assert_eq(s.len[0], 4);
	cr_assert_eq(physmem_read(fx->mem, PAGE_A + 0x100, 4), 0xCAFE);
	/* The string stores: at least one call covers each range. */
	bool stos = false, movs = false;
	for (unsigned i = 1; i < s.calls && i < 16; i++) {
		stos |= s.gpa[i] >= PAGE_A + 0x200 && s.gpa[i] < PAGE_A + 0x240;
		movs |= s.gpa[i] >= PAGE_A + 0x240 && s.gpa[i] < PAGE_A + 0x260;
	}
	cr_assert(stos && movs);
	cr_assert_eq(physmem_read(fx->mem, PAGE_A + 0x240, 8),
		     0x0102030405060708ull);
	cr_assert(cpu_mem_check_invariants(c));
}
