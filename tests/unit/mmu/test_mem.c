/*
 * tests/unit/mmu/test_mem.c — the core's memory access (cpu/mem.c and the
 * inline paths in cpu/mem.h): TLB fills and hits, canonical checks (#GP vs
 * #SS), segment checks in 32-bit mode, precise page-straddling faults and
 * CR2, A/D bits, WP, U/S, SMEP, SMAP following RFLAGS.AC, MMIO, INVLPG in
 * large pages, global pages, and code-page tracking. Most tests call the
 * functions directly on a fixture machine and catch faults at c->fault_jmp
 * (where cpu_raise jumps); the last ones run real instructions.
 */
#include <criterion/criterion.h>
#include <setjmp.h>

#include "cpu/mem.h"
#include "mmu/pte.h"
#include "tests/common/fixture.h"

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

TestSuite(mem, .init = core_setup, .fini = core_teardown);

/* Run `stmt`; the vector it raised (or -1) is left in `vec`. */
static volatile int vec;
#define TRY(stmt)                                                              \
	do {                                                                   \
		vec = -1;                                                      \
		if (setjmp(c->fault_jmp) == 0) {                               \
			stmt;                                                  \
		} else {                                                       \
			vec = c->pend_vec;                                     \
		}                                                              \
	} while (0)

/*
 * A 4 KiB-mapped window: lin 0x40000000 + i*4K → GPA 0x600000 + i*4K,
 * through PDPT[1] → PD at 0x501000 → PT at 0x502000. The PML4E is made
 * user-accessible (the identity map stays supervisor through its PDPTE),
 * so the leaf's U/S bit decides.
 */
#define WIN	0x40000000ull
#define WIN_GPA 0x600000ull
#define WIN_PT	0x502000ull

static void win_map(int i, uint64_t flags)
{
	physmem_write(fx->mem, FX_PML4, 8, 0x2000 | 7);
	physmem_write(fx->mem, 0x2000 + 8, 8, 0x501000 | 7);
	physmem_write(fx->mem, 0x501000, 8, WIN_PT | 7);
	physmem_write(fx->mem, WIN_PT + 8 * i, 8,
		      (WIN_GPA + 0x1000 * (uint64_t)i) | flags);
	cpu_tlb_flush(c, false);
}

static uint64_t win_pte(int i)
{
	return physmem_read(fx->mem, WIN_PT + 8 * i, 8);
}

Test(mem, read_fills_once_then_hits)
{
	physmem_write(fx->mem, FX_DATA, 8, 0x1122334455667788ull);
	uint64_t fills = c->tlb.fills;
	cycles_t t0 = c->cycles;
	cr_assert_eq(cpu_read(c, SEG_DS, FX_DATA, 8), 0x1122334455667788ull);
	cr_assert_eq(c->tlb.fills, fills + 1);
	cr_assert_eq(c->cycles - t0, (cycles_t)cost_tlb_miss_walk * 3);
	cr_assert_eq(mem_read(c, SEG_DS, FX_DATA + 4, 4), 0x11223344);
	cr_assert_eq(cpu_read(c, SEG_DS, FX_DATA + 2, 2), 0x5566);
	cr_assert_eq(c->tlb.fills, fills + 1);
	cr_assert(cpu_mem_check_invariants(c));
}

Test(mem, write_then_read_back_through_inline_paths)
{
	mem_write(c, SEG_DS, FX_DATA + 0x10, 4, 0xDEADBEEF);
	mem_write(c, SEG_DS, FX_DATA + 0x10, 4, 0xFEEDFACE);
	cr_assert_eq(fx_peek(fx, FX_DATA + 0x10, 4), 0xFEEDFACE);
	cr_assert_eq(mem_read(c, SEG_SS, FX_DATA + 0x11, 2), 0xEDFA);
	cr_assert(cpu_mem_check_invariants(c));
}

Test(mem, unaligned_access_across_pages_within_ram)
{
	cpu_write(c, SEG_DS, FX_DATA + 0xFFD, 8, 0x0807060504030201ull);
	cr_assert_eq(fx_peek(fx, FX_DATA + 0xFFD, 8), 0x0807060504030201ull);
	cr_assert_eq(mem_read(c, SEG_DS, FX_DATA + 0xFFD, 8),
		     0x0807060504030201ull);
	cr_assert_eq(cpu_read(c, SEG_DS, FX_DATA + 0xFFF, 2), 0x0403);
}

Test(mem, fs_base_applies_in_64bit_mode_but_ds_base_does_not)
{
	c->seg[SEG_FS].base = 0x1000;
	c->seg[SEG_DS].base = 0x2000;
	physmem_write(fx->mem, FX_DATA + 0x1000, 4, 0xAAAA);
	physmem_write(fx->mem, FX_DATA, 4, 0xBBBB);
	cr_assert_eq(cpu_read(c, SEG_FS, FX_DATA, 4), 0xAAAA);
	cr_assert_eq(mem_read(c, SEG_FS, FX_DATA, 4), 0xAAAA);
	cr_assert_eq(cpu_read(c, SEG_DS, FX_DATA, 4), 0xBBBB);
	cr_assert_eq(mem_read(c, SEG_DS, FX_DATA, 4), 0xBBBB);
}

Test(mem, non_canonical_data_access_is_gp)
{
	TRY(cpu_read(c, SEG_DS, 0x0000800000000000ull, 4));
	cr_assert_eq(vec, EXC_GP);
	cr_assert_eq(c->pend_err, 0);
	TRY(mem_write(c, SEG_ES, 0xFFFF7FFFFFFFFFF8ull, 8, 0));
	cr_assert_eq(vec, EXC_GP);
}

Test(mem, non_canonical_stack_access_is_ss)
{
	TRY(cpu_read(c, SEG_SS, 0x0000800000000000ull, 8));
	cr_assert_eq(vec, EXC_SS);
	cr_assert_eq(c->pend_err, 0);
	TRY(mem_write(c, SEG_SS, 0x8000000000000000ull, 8, 0));
	cr_assert_eq(vec, EXC_SS);
}

Test(mem, access_running_past_the_canonical_boundary_faults)
{
	TRY(cpu_read(c, SEG_DS, 0x00007FFFFFFFFFFCull, 8));
	cr_assert_eq(vec, EXC_GP);
	TRY(cpu_seg_lin(c, SEG_SS, 0x00007FFFFFFFFFFFull, 2, ACC_WRITE));
	cr_assert_eq(vec, EXC_SS);
}

Test(mem, straddling_write_faulting_on_second_page_writes_nothing)
{
	win_map(0, PTE_P | PTE_RW);
	win_map(1, 0); /* not present */
	physmem_write(fx->mem, WIN_GPA + 0xFF8, 8, 0x1111111111111111ull);
	TRY(cpu_write(c, SEG_DS, WIN + 0xFFC, 8, 0x2222222222222222ull));
	cr_assert_eq(vec, EXC_PF);
	cr_assert_eq(c->cr2, WIN + 0x1000);
	cr_assert_eq(c->pend_err, PFEC_W);
	cr_assert_eq(physmem_read(fx->mem, WIN_GPA + 0xFF8, 8),
		     0x1111111111111111ull);
	TRY(cpu_write_bytes(c, SEG_DS, WIN + 0xF00, "x", 0x101));
	cr_assert_eq(vec, EXC_PF);
	cr_assert_eq(physmem_read(fx->mem, WIN_GPA + 0xF00, 1), 0);
}

Test(mem, straddling_write_to_read_only_second_page_is_protection_fault)
{
	win_map(0, PTE_P | PTE_RW);
	win_map(1, PTE_P);
	TRY(mem_write(c, SEG_DS, WIN + 0xFFE, 4, 0xFFFFFFFF));
	cr_assert_eq(vec, EXC_PF);
	cr_assert_eq(c->cr2, WIN + 0x1000);
	cr_assert_eq(c->pend_err, PFEC_P | PFEC_W);
	cr_assert_eq(physmem_read(fx->mem, WIN_GPA + 0xFFE, 2), 0);
	TRY(cpu_probe_write(c, SEG_DS, WIN + 0xFF0, 0x20));
	cr_assert_eq(vec, EXC_PF);
}

Test(mem, straddling_read_reports_the_faulting_page)
{
	win_map(0, 0);
	win_map(1, PTE_P);
	TRY(cpu_read(c, SEG_DS, WIN + 0xFFE, 4));
	cr_assert_eq(vec, EXC_PF);
	cr_assert_eq(c->cr2, WIN + 0xFFE);
	cr_assert_eq(c->pend_err, 0);
}

Test(mem, write_after_read_sets_dirty_through_a_new_walk)
{
	win_map(0, PTE_P | PTE_RW);
	cr_assert_eq(cpu_read(c, SEG_DS, WIN + 8, 8), 0);
	cr_assert_eq(win_pte(0) & (PTE_A | PTE_D), PTE_A);
	mem_write(c, SEG_DS, WIN + 8, 8, 5);
	cr_assert_eq(win_pte(0) & (PTE_A | PTE_D), PTE_A | PTE_D);
	cr_assert_eq(physmem_read(fx->mem, WIN_GPA + 8, 8), 5);
	/* D is cached now: the next write hits */
	uint64_t fills = c->tlb.fills;
	mem_write(c, SEG_DS, WIN + 16, 8, 6);
	cr_assert_eq(c->tlb.fills, fills);
}

Test(mem, read_only_page_write_depends_on_wp)
{
	win_map(0, PTE_P);
	TRY(cpu_write(c, SEG_DS, WIN, 4, 1));
	cr_assert_eq(vec, EXC_PF);
	cr_assert_eq(c->pend_err, PFEC_P | PFEC_W);
	c->cr0 &= ~CR0_WP;
	cpu_tlb_flush(c, false);
	TRY(cpu_write(c, SEG_DS, WIN, 4, 1));
	cr_assert_eq(vec, -1);
	cr_assert_eq(physmem_read(fx->mem, WIN_GPA, 4), 1);
}

Test(mem, user_access_to_supervisor_page_faults_with_u)
{
	win_map(0, PTE_P | PTE_RW);
	c->cpl = 3;
	TRY(cpu_read(c, SEG_DS, WIN, 4));
	cr_assert_eq(vec, EXC_PF);
	cr_assert_eq(c->pend_err, PFEC_P | PFEC_U);
	/* an implicit supervisor access from CPL 3 may read it */
	physmem_write(fx->mem, WIN_GPA, 4, 77);
	TRY(cr_assert_eq(cpu_lin_read(c, WIN, 4, ACC_IMPLICIT_SUP), 77));
	cr_assert_eq(vec, -1);
}

Test(mem, cpl3_uses_its_own_tlb_array)
{
	win_map(0, PTE_P | PTE_RW | PTE_US);
	cpu_read(c, SEG_DS, WIN, 4);
	cr_assert_neq(c->tlb.sup[tlb_index(WIN)].tag_read, TLB_INVALID);
	cr_assert_eq(c->tlb.usr[tlb_index(WIN)].tag_read, TLB_INVALID);
	c->cpl = 3;
	cpu_read(c, SEG_DS, WIN, 4);
	cr_assert_eq(c->tlb.usr[tlb_index(WIN)].tag_read, WIN);
}

Test(mem, smap_follows_rflags_ac_without_a_flush)
{
	win_map(0, PTE_P | PTE_RW | PTE_US);
	c->cr4 |= CR4_SMAP;
	cpu_tlb_flush(c, false);
	TRY(cpu_read(c, SEG_DS, WIN, 4));
	cr_assert_eq(vec, EXC_PF);
	cr_assert_eq(c->pend_err, PFEC_P);
	c->rflags |= RF_AC;
	TRY(cpu_write(c, SEG_DS, WIN, 4, 9));
	cr_assert_eq(vec, -1);
	cr_assert_eq(physmem_read(fx->mem, WIN_GPA, 4), 9);
	c->rflags &= ~RF_AC;
	TRY(mem_read(c, SEG_DS, WIN, 4));
	cr_assert_eq(vec, EXC_PF);
	TRY(mem_write(c, SEG_DS, WIN, 4, 10));
	cr_assert_eq(vec, EXC_PF);
	cr_assert_eq(c->pend_err, PFEC_P | PFEC_W);
	cr_assert_eq(physmem_read(fx->mem, WIN_GPA, 4), 9);
	/* implicit supervisor accesses ignore AC, even at CPL 0 */
	c->rflags |= RF_AC;
	TRY(cpu_lin_read(c, WIN, 4, ACC_IMPLICIT_SUP));
	cr_assert_eq(vec, EXC_PF);
	TRY(cpu_lin_read(c, WIN, 4, 0));
	cr_assert_eq(vec, -1);
}

Test(mem, smep_forbids_supervisor_fetch_from_user_page)
{
	win_map(0, PTE_P | PTE_RW | PTE_US);
	c->cr4 |= CR4_SMEP;
	cpu_tlb_flush(c, false);
	uint64_t gpa;
	TRY(cpu_fetch_ptr(c, WIN, &gpa));
	cr_assert_eq(vec, EXC_PF);
	cr_assert_eq(c->pend_err, PFEC_P | PFEC_I);
}

Test(mem, fetch_ptr_returns_host_bytes_and_gpa)
{
	uint8_t code[] = {0x90, 0xF4};
	fx_poke(fx, FX_CODE + 0x10, code, 2);
	uint64_t gpa = 0;
	const uint8_t *p = mem_fetch_ptr(c, FX_CODE + 0x10, &gpa);
	cr_assert_not_null(p);
	cr_assert_eq(gpa, FX_CODE + 0x10);
	cr_assert_eq(p[0], 0x90);
	cr_assert_eq(p[1], 0xF4);
	p = mem_fetch_ptr(c, FX_CODE + 0x11, &gpa); /* the hit path */
	cr_assert_eq(p[0], 0xF4);
	cr_assert_eq(gpa, FX_CODE + 0x11);
}

Test(mem, fetch_from_nx_page_faults_with_i)
{
	win_map(0, PTE_P | PTE_RW | PTE_XD);
	uint8_t buf[4];
	TRY(cpu_fetch(c, WIN, buf, 4));
	cr_assert_eq(vec, EXC_PF);
	cr_assert_eq(c->pend_err, PFEC_P | PFEC_I);
	cr_assert_eq(c->cr2, WIN);
}

Test(mem, fetch_across_into_missing_page_faults_on_second_page)
{
	win_map(0, PTE_P | PTE_RW);
	win_map(1, 0);
	physmem_write(fx->mem, WIN_GPA + 0xFFE, 2, 0x9090);
	uint8_t buf[4] = {0};
	cpu_fetch(c, WIN + 0xFFE, buf, 2);
	cr_assert_eq(buf[1], 0x90);
	TRY(cpu_fetch(c, WIN + 0xFFE, buf, 4));
	cr_assert_eq(vec, EXC_PF);
	cr_assert_eq(c->cr2, WIN + 0x1000);
	cr_assert_eq(c->pend_err, PFEC_I);
}

Test(mem, non_canonical_fetch_is_gp)
{
	uint64_t gpa;
	TRY(cpu_fetch_ptr(c, 0x0000800000000000ull, &gpa));
	cr_assert_eq(vec, EXC_GP);
}

/* An MMIO device for the tests below: a register file of 8-byte cells. */
struct dev {
	uint64_t regs[512];
	int reads, writes, last_size;
};

static uint64_t dev_read(void *o, uint64_t off, int size)
{
	struct dev *d = o;
	d->reads++;
	d->last_size = size;
	return d->regs[off / 8] >> (8 * (off % 8));
}

static void dev_write(void *o, uint64_t off, int size, uint64_t v)
{
	struct dev *d = o;
	d->writes++;
	d->last_size = size;
	if (size == 8 && off % 8 == 0)
		d->regs[off / 8] = v;
}

static const struct mmio_ops dev_ops = {"dev", dev_read, dev_write};

Test(mem, mmio_pages_always_take_the_slow_path)
{
	static struct dev d;
	cr_assert_eq(
	    physmem_map_mmio(fx->mem, 0x10000000, 0x1000, &dev_ops, &d), 0);
	d.regs[2] = 0xABCDEF;
	cr_assert_eq(mem_read(c, SEG_DS, 0x10000010, 4), 0xABCDEF);
	cr_assert_eq(mem_read(c, SEG_DS, 0x10000010, 4), 0xABCDEF);
	cr_assert_eq(d.reads, 2);
	cr_assert_eq(d.last_size, 4);
	mem_write(c, SEG_DS, 0x10000018, 8, 42);
	mem_write(c, SEG_DS, 0x10000018, 8, 43);
	cr_assert_eq(d.writes, 2);
	cr_assert_eq(d.regs[3], 43);
	uint64_t gpa;
	cr_assert_null(cpu_fetch_ptr(c, 0x10000000, &gpa));
	cr_assert_eq(gpa, 0x10000000);
	cr_assert(cpu_mem_check_invariants(c));
}

Test(mem, unbacked_memory_reads_all_ones)
{
	cr_assert_eq(cpu_read(c, SEG_DS, 0x20000000, 4), 0xFFFFFFFFull);
	cpu_write(c, SEG_DS, 0x20000000, 4, 0);
	cr_assert_eq(mem_read(c, SEG_DS, 0x20000000, 8), ~0ull);
}

Test(mem, writes_to_code_pages_bump_the_generation_every_time_it_is_marked)
{
	uint64_t gpa = FX_DATA + 0x2000;
	cpu_write(c, SEG_DS, gpa, 4, 1); /* fast write tag installed */
	physmem_mark_code(fx->mem, gpa);
	uint32_t g = physmem_code_gen(fx->mem, gpa);
	mem_write(c, SEG_DS, gpa + 8, 4, 2);
	cr_assert_eq(physmem_code_gen(fx->mem, gpa), g + 1);
	cr_assert(cpu_mem_check_invariants(c));
	mem_write(c, SEG_DS, gpa + 8, 4, 3); /* not code any more */
	cr_assert_eq(physmem_code_gen(fx->mem, gpa), g + 1);
	physmem_mark_code(fx->mem, gpa); /* decoded again */
	mem_write(c, SEG_DS, gpa + 12, 1, 4);
	cr_assert_eq(physmem_code_gen(fx->mem, gpa), g + 2);
	cr_assert_eq(physmem_read(fx->mem, gpa + 8, 8), 0x0400000003ull);
	cr_assert(cpu_mem_check_invariants(c));
}

Test(mem, code_tracking_covers_every_linear_alias)
{
	/* WIN page 0 and the identity map both reach WIN_GPA */
	win_map(0, PTE_P | PTE_RW | PTE_A | PTE_D);
	cpu_write(c, SEG_DS, WIN, 4, 1);
	cpu_write(c, SEG_DS, WIN_GPA, 4, 1);
	physmem_mark_code(fx->mem, WIN_GPA);
	cr_assert(cpu_mem_check_invariants(c));
	uint32_t g = physmem_code_gen(fx->mem, WIN_GPA);
	mem_write(c, SEG_DS, WIN, 4, 2);
	cr_assert_eq(physmem_code_gen(fx->mem, WIN_GPA), g + 1);
	physmem_mark_code(fx->mem, WIN_GPA);
	mem_write(c, SEG_DS, WIN_GPA, 4, 3);
	cr_assert_eq(physmem_code_gen(fx->mem, WIN_GPA), g + 2);
}

Test(mem, invlpg_inside_a_large_page_drops_every_cached_piece)
{
	/* the fixture maps 0x400000..0x5FFFFF with one 2 MiB page */
	physmem_write(fx->mem, 0x400000, 4, 1);
	physmem_write(fx->mem, 0x5FF000, 4, 2);
	physmem_write(fx->mem, 0x600000, 4, 3);
	physmem_write(fx->mem, 0x7FF000, 4, 4);
	cr_assert_eq(cpu_read(c, SEG_DS, 0x400000, 4), 1);
	cr_assert_eq(cpu_read(c, SEG_DS, 0x5FF000, 4), 2);
	/* remap the 2 MiB page at 0x400000 to GPA 0x600000 */
	physmem_write(fx->mem, 0x3000 + 8 * 2, 8, 0x600000 | 0x83);
	cpu_tlb_flush_page(c, 0x480000);
	cr_assert_eq(cpu_read(c, SEG_DS, 0x400000, 4), 3);
	cr_assert_eq(cpu_read(c, SEG_DS, 0x5FF000, 4), 4);
}

Test(mem, cr3_flush_keeps_global_translations)
{
	win_map(0, PTE_P | PTE_RW | PTE_G);
	win_map(1, PTE_P | PTE_RW);
	c->cr4 |= CR4_PGE;
	cpu_tlb_flush(c, false);
	cpu_read(c, SEG_DS, WIN, 4);
	cpu_read(c, SEG_DS, WIN + 0x1000, 4);
	cpu_tlb_flush(c, true);
	cr_assert_eq(c->tlb.sup[tlb_index(WIN)].tag_read, WIN);
	cr_assert_eq(c->tlb.sup[tlb_index(WIN + 0x1000)].tag_read, TLB_INVALID);
}

Test(mem, read_and_write_bytes_span_pages)
{
	uint8_t in[300], out[300];
	for (int i = 0; i < 300; i++)
		in[i] = (uint8_t)i;
	cpu_write_bytes(c, SEG_DS, FX_DATA + 0xF80, in, 300);
	cpu_read_bytes(c, SEG_DS, FX_DATA + 0xF80, out, 300);
	cr_assert_arr_eq(in, out, 300);
	cr_assert_eq(fx_peek(fx, FX_DATA + 0x1000, 1), 0x80);
}

/* ---- 32-bit segmentation
 * ------------------------------------------------------ */

static void prot32(void)
{
	fx_free(fx);
	fx = fx_new(FX_PROT32);
	c = fx->cpu;
	cpu_tlb_flush(c, false);
}

Test(mem, segment_limit_checked_in_32bit_mode)
{
	prot32();
	c->seg[SEG_DS].limit = 0xFFF;
	c->seg[SEG_DS].base = FX_DATA;
	physmem_write(fx->mem, FX_DATA + 0xFFE, 2, 0x1234);
	cr_assert_eq(cpu_read(c, SEG_DS, 0xFFE, 2), 0x1234);
	TRY(cpu_read(c, SEG_DS, 0xFFE, 4));
	cr_assert_eq(vec, EXC_GP);
	c->seg[SEG_SS] = c->seg[SEG_DS];
	TRY(cpu_write(c, SEG_SS, 0x1000, 1, 0));
	cr_assert_eq(vec, EXC_SS);
	cr_assert_eq(c->pend_err, 0);
}

Test(mem, expand_down_segment_allows_only_above_the_limit)
{
	prot32();
	c->seg[SEG_SS].attr = SEGA_P | SEGA_S | 0x7 | SEGA_DB; /* RW, down */
	c->seg[SEG_SS].limit = 0xFFF;
	c->seg[SEG_SS].base = 0;
	TRY(cpu_write(c, SEG_SS, 0xFFF, 1, 0));
	cr_assert_eq(vec, EXC_SS);
	TRY(cpu_write(c, SEG_SS, FX_DATA, 4, 0x55));
	cr_assert_eq(vec, -1);
	c->seg[SEG_SS].attr &= ~SEGA_DB; /* upper bound 0xFFFF */
	TRY(cpu_write(c, SEG_SS, 0xFFFE, 4, 0));
	cr_assert_eq(vec, EXC_SS);
}

Test(mem, segment_type_checks_in_32bit_mode)
{
	prot32();
	c->seg[SEG_ES].attr = SEGA_P | SEGA_S | 0x1; /* read-only data */
	TRY(cpu_write(c, SEG_ES, FX_DATA, 4, 0));
	cr_assert_eq(vec, EXC_GP);
	TRY(cpu_read(c, SEG_ES, FX_DATA, 4));
	cr_assert_eq(vec, -1);
	c->seg[SEG_FS].attr = SEGA_P | SEGA_S | 0x8 | SEGA_DB; /* exec-only */
	TRY(cpu_read(c, SEG_FS, FX_DATA, 4));
	cr_assert_eq(vec, EXC_GP);
	c->seg[SEG_FS].attr |= 0x2; /* readable code */
	TRY(cpu_read(c, SEG_FS, FX_DATA, 4));
	cr_assert_eq(vec, -1);
	TRY(cpu_write(c, SEG_FS, FX_DATA, 4, 0));
	cr_assert_eq(vec, EXC_GP);
}

Test(mem, null_segment_use_is_gp)
{
	prot32();
	c->seg[SEG_GS].sel = 0;
	c->seg[SEG_GS].attr = 0; /* unusable */
	TRY(cpu_read(c, SEG_GS, FX_DATA, 1));
	cr_assert_eq(vec, EXC_GP);
	cr_assert_eq(c->pend_err, 0);
}

Test(mem, linear_addresses_wrap_at_4gib_outside_long_mode)
{
	prot32();
	c->seg[SEG_DS].base = 0xFFFFF000;
	physmem_write(fx->mem, 0x10, 4, 0xCAFE);
	cr_assert_eq(cpu_read(c, SEG_DS, 0x1010, 4), 0xCAFE);
	cr_assert_eq(cpu_seg_lin(c, SEG_DS, 0x1010, 4, ACC_READ), 0x10);
}

/* ---- through real instructions
 * -------------------------------------------------- */

Test(mem, mov_to_non_canonical_address_is_gp_through_rbx_and_ss_through_rbp)
{
	static const uint8_t st_rax[] = {0x89, 0x18, 0xF4}; /* mov [rax],ebx */
	static const uint8_t st_rbp[] = {0x89, 0x5D, 0x00,
					 0xF4}; /* mov [rbp+0],ebx */
	c->gpr[RAX] = 0x0000800000000000ull;
	fx_exec(fx, st_rax, sizeof(st_rax));
	cr_assert_eq(fx_vector(fx), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 0), 0);	      /* error code */
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE); /* faulting RIP */

	fx_free(fx);
	fx = fx_new(FX_LONG64);
	c = fx->cpu;
	c->gpr[RBP] = 0xFFF0000000000000ull;
	fx_exec(fx, st_rbp, sizeof(st_rbp));
	cr_assert_eq(fx_vector(fx), EXC_SS);
	cr_assert_eq(fx_stack_qword(fx, 0), 0);
}

Test(mem, page_straddling_store_faults_precisely_with_cr2_in_second_page)
{
	static const uint8_t st[] = {0x48, 0x89, 0x18,
				     0xF4}; /* mov [rax],rbx */
	win_map(0, PTE_P | PTE_RW);
	win_map(1, PTE_P); /* read-only */
	physmem_write(fx->mem, WIN_GPA + 0xFF8, 8, 0x5A5A5A5A5A5A5A5Aull);
	c->gpr[RAX] = WIN + 0xFFC;
	c->gpr[RBX] = ~0ull;
	fx_exec(fx, st, sizeof(st));
	cr_assert_eq(fx_vector(fx), EXC_PF);
	cr_assert_eq(c->cr2, WIN + 0x1000);
	cr_assert_eq(fx_stack_qword(fx, 0), PFEC_P | PFEC_W);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE);
	cr_assert_eq(physmem_read(fx->mem, WIN_GPA + 0xFF8, 8),
		     0x5A5A5A5A5A5A5A5Aull);
}

Test(mem, store_into_the_running_block_changes_the_next_instruction)
{
	/* mov byte [rip+1], 2 ; mov eax, 1 (its immediate is rewritten) ; hlt
	 */
	static const uint8_t smc[] = {0xC6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x02,
				      0xB8, 0x01, 0x00, 0x00, 0x00, 0xF4};
	struct cpu_exit e = fx_exec(fx, smc, sizeof(smc));
	cr_assert_eq(e.reason, CPU_EXIT_HLT);
	cr_assert_eq(fx_vector(fx), -1);
	cr_assert_eq(c->gpr[RAX], 2);
	cr_assert(cpu_mem_check_invariants(c));
}
