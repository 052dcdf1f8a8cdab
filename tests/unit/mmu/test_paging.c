/*
 * tests/unit/mmu/test_paging.c — the page walker (mmu/paging.c) against
 * page tables built by hand in guest RAM: 4-level paging with 4 KiB, 2 MiB
 * and 1 GiB pages, 32-bit paging (4 KiB, PSE 4 MiB), PAE paging; every
 * #PF error-code bit; access rights (U/S, R/W, WP, XD/NXE, SMEP, SMAP);
 * A/D updates. Expected values come from Intel SDM Vol. 3A chapter 4.
 */
#include <criterion/criterion.h>

#include "cpu/regs.h"
#include "mmu/mmu.h"
#include "mmu/pte.h"

#define RAM (64u << 20)
#define UP  (PTE_P | PTE_RW | PTE_US) /* non-leaf entries by default */

static struct physmem *pm;
static uint64_t next_table; /* bump allocator for page-table pages */
static struct paging_state ps;

static void setup(void)
{
	pm = physmem_create(RAM);
	cr_assert_not_null(pm);
	next_table = 0x100000;
	ps = (struct paging_state){
	    .cr0 = CR0_PE | CR0_PG | CR0_WP,
	    .cr3 = 0x1000,
	    .cr4 = CR4_PAE,
	    .efer = EFER_LME | EFER_LMA | EFER_NXE,
	};
}

static void teardown(void)
{
	physmem_destroy(pm);
}

TestSuite(paging, .init = setup, .fini = teardown);

static uint64_t rd(uint64_t gpa)
{
	return physmem_read(pm, gpa, 8);
}
static void wr8(uint64_t gpa, uint64_t v)
{
	physmem_write(pm, gpa, 8, v);
}

/*
 * Map `lin` to `gpa` with a leaf at the level whose entries cover 2^shift
 * bytes (12, 21 or 30), leaf flags `leaf`, new upper entries `upper`.
 * Returns the GPA of the leaf entry.
 */
static uint64_t map4(uint64_t lin, uint64_t gpa, unsigned shift, uint64_t leaf,
		     uint64_t upper)
{
	uint64_t table = ps.cr3 & PTE_ADDR_MASK;
	for (unsigned s = 39;; s -= 9) {
		uint64_t ea = table + 8 * ((lin >> s) & 511);
		if (s == shift) {
			wr8(ea, gpa | leaf | (shift > 12 ? PTE_PS : 0));
			return ea;
		}
		uint64_t e = rd(ea);
		if (!(e & PTE_P)) {
			e = next_table | upper;
			next_table += PAGE_SIZE;
			wr8(ea, e);
		}
		table = e & PTE_ADDR_MASK;
	}
}

static uint32_t walk(uint64_t lin, unsigned acc, struct walk_result *w)
{
	return mmu_walk(pm, &ps, lin, acc, w);
}

#define FAULT(ec) (MMU_FAULT | (ec))

/* ---- translation ----------------------------------------------------------
 */

Test(paging, paging_off_is_identity)
{
	struct walk_result w;
	ps.cr0 = CR0_PE;
	cr_assert_eq(walk(0x12345678, ACC_WRITE | ACC_USER, &w), 0);
	cr_assert_eq(w.gpa, 0x12345678);
	cr_assert_eq(w.levels, 0);
	cr_assert(w.writable && w.user && !w.nx);
}

Test(paging, four_kib_page_translates_in_four_levels)
{
	struct walk_result w;
	map4(0x7FFF12345000, 0x2000000, 12, UP, UP);
	cr_assert_eq(walk(0x7FFF12345ABC, ACC_READ, &w), 0);
	cr_assert_eq(w.gpa, 0x2000ABC);
	cr_assert_eq(w.page_size, 4096);
	cr_assert_eq(w.levels, 4);
	cr_assert(w.user && w.writable && !w.global && !w.nx);
}

Test(paging, two_mib_page_translates_in_three_levels)
{
	struct walk_result w;
	map4(0x40000000, 0x1000000, 21, UP, UP);
	cr_assert_eq(walk(0x401ABCDE, ACC_READ, &w), 0);
	cr_assert_eq(w.gpa, 0x1000000 + 0x1ABCDE);
	cr_assert_eq(w.page_size, 2u << 20);
	cr_assert_eq(w.levels, 3);
}

Test(paging, one_gib_page_translates_in_two_levels)
{
	struct walk_result w;
	map4(0xFFFFFF8040000000ull, 0xC0000000ull, 30, UP, UP);
	cr_assert_eq(walk(0xFFFFFF807FFFFFF8ull, ACC_READ, &w), 0);
	cr_assert_eq(w.gpa, 0xFFFFFFF8ull);
	cr_assert_eq(w.page_size, 1u << 30);
	cr_assert_eq(w.levels, 2);
}

Test(paging, global_bit_counts_only_with_cr4_pge)
{
	struct walk_result w;
	map4(0x5000, 0x5000, 12, UP | PTE_G, UP);
	cr_assert_eq(walk(0x5000, ACC_READ, &w), 0);
	cr_assert_not(w.global);
	ps.cr4 |= CR4_PGE;
	cr_assert_eq(walk(0x5000, ACC_READ, &w), 0);
	cr_assert(w.global);
}

/* ---- accessed and dirty ----------------------------------------------------
 */

Test(paging, read_sets_accessed_on_every_level_but_not_dirty)
{
	struct walk_result w;
	uint64_t pte = map4(0x600000, 0x3000000, 12, UP, UP);
	cr_assert_eq(walk(0x600010, ACC_READ, &w), 0);
	cr_assert(rd(pte) & PTE_A);
	cr_assert_not(rd(pte) & PTE_D);
	cr_assert_not(w.dirty);
	uint64_t pml4e = rd(ps.cr3);
	uint64_t pdpte = rd((pml4e & PTE_ADDR_MASK));
	uint64_t pde = rd((pdpte & PTE_ADDR_MASK) + 8 * 3);
	cr_assert(pml4e & PTE_A);
	cr_assert(pdpte & PTE_A);
	cr_assert(pde & PTE_A);
	cr_assert_not(pde & PTE_D);
}

Test(paging, write_sets_dirty_on_the_leaf_only)
{
	struct walk_result w;
	uint64_t pde = map4(0x800000, 0x3200000, 21, UP, UP);
	cr_assert_eq(walk(0x800000, ACC_WRITE, &w), 0);
	cr_assert_eq(rd(pde) & (PTE_A | PTE_D), PTE_A | PTE_D);
	cr_assert(w.dirty);
	cr_assert_not(rd(ps.cr3) & PTE_D);
}

Test(paging, dirty_reported_when_already_set)
{
	struct walk_result w;
	map4(0x900000, 0x3000000, 12, UP | PTE_A | PTE_D, UP);
	cr_assert_eq(walk(0x900000, ACC_READ, &w), 0);
	cr_assert(w.dirty);
}

Test(paging, faulting_walk_changes_no_entry)
{
	struct walk_result w;
	uint64_t pte = map4(0xA00000, 0x3000000, 12, PTE_P | PTE_US, UP);
	uint64_t before = rd(ps.cr3);
	cr_assert_eq(walk(0xA00000, ACC_WRITE | ACC_USER, &w),
		     FAULT(PFEC_P | PFEC_W | PFEC_U));
	cr_assert_eq(rd(pte), 0x3000000 | PTE_P | PTE_US);
	cr_assert_eq(rd(ps.cr3), before);
}

/* ---- not present -----------------------------------------------------------
 */

Test(paging, not_present_pte_gives_error_without_p)
{
	struct walk_result w;
	map4(0xB00000, 0x3000000, 12, 0, UP);
	cr_assert_eq(walk(0xB00000, ACC_READ, &w), FAULT(0));
	cr_assert_eq(walk(0xB00000, ACC_WRITE, &w), FAULT(PFEC_W));
	cr_assert_eq(walk(0xB00000, ACC_WRITE | ACC_USER, &w),
		     FAULT(PFEC_W | PFEC_U));
}

Test(paging, not_present_pml4e_faults)
{
	struct walk_result w;
	cr_assert_eq(walk(0x123456789000ull, ACC_READ | ACC_USER, &w),
		     FAULT(PFEC_U));
}

Test(paging, fetch_sets_i_bit_with_nxe)
{
	struct walk_result w;
	cr_assert_eq(walk(0xC00000, ACC_EXEC, &w), FAULT(PFEC_I));
}

Test(paging, fetch_without_nxe_or_smep_has_no_i_bit)
{
	struct walk_result w;
	ps.efer &= ~EFER_NXE;
	cr_assert_eq(walk(0xC00000, ACC_EXEC, &w), FAULT(0));
	ps.cr4 |= CR4_SMEP;
	cr_assert_eq(walk(0xC00000, ACC_EXEC, &w), FAULT(PFEC_I));
}

/* ---- user / supervisor / write protection
 * ------------------------------------ */

Test(paging, user_access_to_supervisor_page_faults)
{
	struct walk_result w;
	map4(0xD00000, 0x3000000, 12, PTE_P | PTE_RW, UP);
	cr_assert_eq(walk(0xD00000, ACC_READ | ACC_USER, &w),
		     FAULT(PFEC_P | PFEC_U));
	cr_assert_eq(walk(0xD00000, ACC_READ, &w), 0);
	cr_assert_not(w.user);
}

Test(paging, supervisor_bit_in_any_upper_level_makes_page_supervisor)
{
	struct walk_result w;
	map4(0x80000000000ull, 0x3000000, 12, UP, PTE_P | PTE_RW);
	cr_assert_eq(walk(0x80000000000ull, ACC_READ | ACC_USER, &w),
		     FAULT(PFEC_P | PFEC_U));
}

Test(paging, read_only_in_upper_level_makes_page_read_only)
{
	struct walk_result w;
	map4(0x100000000000ull, 0x3000000, 12, UP, PTE_P | PTE_US);
	cr_assert_eq(walk(0x100000000000ull, ACC_WRITE | ACC_USER, &w),
		     FAULT(PFEC_P | PFEC_W | PFEC_U));
	cr_assert_eq(walk(0x100000000000ull, ACC_READ | ACC_USER, &w), 0);
	cr_assert_not(w.writable);
}

Test(paging, supervisor_write_to_read_only_page_depends_on_wp)
{
	struct walk_result w;
	map4(0xE00000, 0x3000000, 12, PTE_P, UP);
	cr_assert_eq(walk(0xE00000, ACC_WRITE, &w), FAULT(PFEC_P | PFEC_W));
	ps.cr0 &= ~CR0_WP;
	cr_assert_eq(walk(0xE00000, ACC_WRITE, &w), 0);
	cr_assert(w.writable);
}

Test(paging, user_can_never_write_read_only_page)
{
	struct walk_result w;
	ps.cr0 &= ~CR0_WP;
	map4(0xE00000, 0x3000000, 12, PTE_P | PTE_US, UP);
	cr_assert_eq(walk(0xE00000, ACC_WRITE | ACC_USER, &w),
		     FAULT(PFEC_P | PFEC_W | PFEC_U));
}

/* ---- execute disable
 * ---------------------------------------------------------- */

Test(paging, fetch_from_xd_page_faults_with_nxe)
{
	struct walk_result w;
	map4(0xF00000, 0x3000000, 12, UP | PTE_XD, UP);
	cr_assert_eq(walk(0xF00000, ACC_EXEC, &w), FAULT(PFEC_P | PFEC_I));
	cr_assert_eq(walk(0xF00000, ACC_READ, &w), 0);
	cr_assert(w.nx);
}

Test(paging, xd_in_upper_level_forbids_fetch)
{
	struct walk_result w;
	map4(0x180000000000ull, 0x3000000, 12, UP, UP | PTE_XD);
	cr_assert_eq(walk(0x180000000000ull, ACC_EXEC | ACC_USER, &w),
		     FAULT(PFEC_P | PFEC_I | PFEC_U));
}

Test(paging, xd_bit_without_nxe_is_reserved)
{
	struct walk_result w;
	ps.efer &= ~EFER_NXE;
	map4(0xF00000, 0x3000000, 12, UP | PTE_XD, UP);
	cr_assert_eq(walk(0xF00000, ACC_READ, &w), FAULT(PFEC_P | PFEC_RSVD));
	cr_assert_eq(walk(0xF00000, ACC_EXEC, &w), FAULT(PFEC_P | PFEC_RSVD));
}

/* ---- reserved bits
 * -------------------------------------------------------------- */

Test(paging, address_bit_above_maxphyaddr_is_reserved)
{
	struct walk_result w;
	map4(0x1000000, 0x3000000 | (1ull << 45), 12, UP, UP);
	cr_assert_eq(walk(0x1000000, ACC_WRITE | ACC_USER, &w),
		     FAULT(PFEC_P | PFEC_RSVD | PFEC_W | PFEC_U));
	map4(0x1001000, 0x3000000 | (1ull << 39), 12, UP, UP);
	cr_assert_eq(walk(0x1001000, ACC_READ, &w), 0);
	cr_assert_eq(w.gpa, 0x3000000 | (1ull << 39));
}

Test(paging, misaligned_large_page_address_is_reserved)
{
	struct walk_result w;
	map4(0x1200000, 0x1000000 | (1ull << 13), 21, UP, UP);
	cr_assert_eq(walk(0x1200000, ACC_READ, &w), FAULT(PFEC_P | PFEC_RSVD));
	map4(0x40000000000ull, 0x40000000ull | (1ull << 20), 30, UP, UP);
	cr_assert_eq(walk(0x40000000000ull, ACC_READ, &w),
		     FAULT(PFEC_P | PFEC_RSVD));
}

Test(paging, large_page_pat_bit_is_not_reserved)
{
	struct walk_result w;
	map4(0x1400000, 0x1000000 | PTE_PAT_LARGE, 21, UP, UP);
	cr_assert_eq(walk(0x1400010, ACC_READ, &w), 0);
	cr_assert_eq(w.gpa, 0x1000010);
}

Test(paging, ps_in_pml4e_is_reserved)
{
	struct walk_result w;
	wr8(ps.cr3 + 8 * 5, 0x200000 | UP | PTE_PS);
	cr_assert_eq(walk(5ull << 39, ACC_READ, &w), FAULT(PFEC_P | PFEC_RSVD));
}

Test(paging, table_outside_ram_reads_all_ones_and_faults_rsvd)
{
	struct walk_result w;
	ps.cr3 = RAM + 0x10000;
	cr_assert_eq(walk(0x1000, ACC_READ, &w), FAULT(PFEC_P | PFEC_RSVD));
	ps.cr3 = 0x1000;
	wr8(ps.cr3 + 8 * 7, (1ull << 39) | UP); /* PDPT beyond RAM */
	cr_assert_eq(walk(7ull << 39, ACC_READ, &w), FAULT(PFEC_P | PFEC_RSVD));
}

/* ---- SMEP and SMAP
 * ---------------------------------------------------------------- */

Test(paging, smep_forbids_supervisor_fetch_from_user_page)
{
	struct walk_result w;
	map4(0x1600000, 0x3000000, 12, UP, UP);
	cr_assert_eq(walk(0x1600000, ACC_EXEC, &w), 0);
	ps.cr4 |= CR4_SMEP;
	cr_assert_eq(walk(0x1600000, ACC_EXEC, &w), FAULT(PFEC_P | PFEC_I));
	cr_assert_eq(walk(0x1600000, ACC_EXEC | ACC_USER, &w), 0);
	cr_assert_eq(walk(0x1600000, ACC_READ, &w), 0);
}

Test(paging, smap_forbids_supervisor_data_access_unless_ac)
{
	struct walk_result w;
	map4(0x1800000, 0x3000000, 12, UP, UP);
	ps.cr4 |= CR4_SMAP;
	cr_assert_eq(walk(0x1800000, ACC_READ, &w), FAULT(PFEC_P));
	cr_assert_eq(walk(0x1800000, ACC_WRITE, &w), FAULT(PFEC_P | PFEC_W));
	ps.ac = true;
	cr_assert_eq(walk(0x1800000, ACC_WRITE, &w), 0);
	cr_assert_eq(walk(0x1800000, ACC_EXEC, &w), 0); /* fetch: SMEP only */
}

Test(paging, smap_forbids_implicit_supervisor_access_even_with_ac)
{
	struct walk_result w;
	map4(0x1800000, 0x3000000, 12, UP, UP);
	ps.cr4 |= CR4_SMAP;
	ps.ac = true;
	cr_assert_eq(
	    walk(0x1800000, ACC_READ | ACC_USER | ACC_IMPLICIT_SUP, &w),
	    FAULT(PFEC_P));
	/* a supervisor page is fine for an implicit access from CPL 3 */
	map4(0x1801000, 0x3000000, 12, PTE_P | PTE_RW, UP);
	cr_assert_eq(
	    walk(0x1801000, ACC_WRITE | ACC_USER | ACC_IMPLICIT_SUP, &w), 0);
}

/* ---- 32-bit paging
 * ------------------------------------------------------------------ */

static void legacy32(void)
{
	ps.cr4 = 0;
	ps.efer = 0;
	ps.cr3 = 0x1000;
}

static void w32(uint64_t gpa, uint32_t v)
{
	physmem_write(pm, gpa, 4, v);
}

Test(paging, legacy_4k_page_two_levels)
{
	struct walk_result w;
	legacy32();
	w32(0x1000 + 4 * 0x300, 0x2000 | 7);	/* PDE for 0xC0000000 */
	w32(0x2000 + 4 * 0x12, 0x00345000 | 7); /* PTE */
	cr_assert_eq(walk(0xC0012ABC, ACC_WRITE | ACC_USER, &w), 0);
	cr_assert_eq(w.gpa, 0x00345ABC);
	cr_assert_eq(w.levels, 2);
	cr_assert_eq(physmem_read(pm, 0x2000 + 4 * 0x12, 4) & 0x60, 0x60);
	cr_assert_eq(physmem_read(pm, 0x1000 + 4 * 0x300, 4) & 0x60, 0x20);
}

Test(paging, legacy_4m_page_needs_pse)
{
	struct walk_result w;
	legacy32();
	/* 4 MiB page at 0x00C00000 with PSE-36 bits 39:32 = 0x12 */
	w32(0x1000 + 4 * 1, 0x00C00000 | (0x12u << 13) | PTE_PS | 3);
	ps.cr4 = CR4_PSE;
	cr_assert_eq(walk(0x00512345, ACC_READ, &w), 0);
	cr_assert_eq(w.gpa, 0x1200C00000ull + 0x112345);
	cr_assert_eq(w.page_size, 4u << 20);
	/* without PSE the PS bit is ignored: the entry points to a table */
	ps.cr4 = 0;
	w32(0x00C24000 + 4 * 0x112, 0x7000 | 3); /* table = bits 31:12 */
	cr_assert_eq(walk(0x00512345, ACC_READ, &w), 0);
	cr_assert_eq(w.gpa, 0x7345);
}

Test(paging, legacy_4m_page_bit_21_is_reserved)
{
	struct walk_result w;
	legacy32();
	ps.cr4 = CR4_PSE;
	w32(0x1000, (1u << 21) | PTE_PS | 3);
	cr_assert_eq(walk(0x1000, ACC_READ, &w), FAULT(PFEC_P | PFEC_RSVD));
}

Test(paging, legacy_paging_ignores_nxe_for_i_bit)
{
	struct walk_result w;
	legacy32();
	ps.efer = EFER_NXE;
	cr_assert_eq(walk(0x400000, ACC_EXEC, &w), FAULT(0));
}

/* ---- PAE paging
 * ---------------------------------------------------------------------- */

static void pae(void)
{
	ps.cr4 = CR4_PAE;
	ps.efer = EFER_NXE;
	ps.cr3 = 0x1020; /* 32-byte aligned PDPT */
}

Test(paging, pae_4k_and_2m_pages)
{
	struct walk_result w;
	pae();
	wr8(0x1020 + 8 * 3, 0x2000 | PTE_P); /* PDPTE 3 */
	wr8(0x2000 + 8 * 5, 0x3000 | UP);    /* PDE 5: table */
	wr8(0x3000 + 8 * 7, 0x12345000ull | UP | PTE_XD);
	cr_assert_eq(walk(0xC0A07123, ACC_READ | ACC_USER, &w), 0);
	cr_assert_eq(w.gpa, 0x12345123);
	cr_assert_eq(w.levels, 2);
	cr_assert(w.nx);
	cr_assert_eq(walk(0xC0A07123, ACC_EXEC | ACC_USER, &w),
		     FAULT(PFEC_P | PFEC_U | PFEC_I));
	wr8(0x2000 + 8 * 6, 0x40000000ull | UP | PTE_PS); /* PDE 6: 2 MiB */
	cr_assert_eq(walk(0xC0C12345, ACC_WRITE, &w), 0);
	cr_assert_eq(w.gpa, 0x40012345);
}

Test(paging, pae_reserved_bits)
{
	struct walk_result w;
	pae();
	wr8(0x1020, 0x2000 | PTE_P | PTE_RW); /* RW is reserved in a PDPTE */
	cr_assert_eq(walk(0x1000, ACC_READ, &w), FAULT(PFEC_P | PFEC_RSVD));
	wr8(0x1020, 0x2000 | PTE_P);
	wr8(0x2000, 0x3000 | UP | (1ull << 55)); /* 62:52 reserved in PAE */
	cr_assert_eq(walk(0x1000, ACC_READ, &w), FAULT(PFEC_P | PFEC_RSVD));
	wr8(0x1020 + 8, 0); /* not present PDPTE */
	cr_assert_eq(walk(0x40000000, ACC_WRITE, &w), FAULT(PFEC_W));
}
