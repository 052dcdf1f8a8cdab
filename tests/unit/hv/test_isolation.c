/*
 * tests/unit/hv/test_isolation.c — second-level address translation: each
 * partition's guest-physical space holds only its own RAM. A child that
 * writes inside its RAM and beyond it changes nothing in another
 * partition; beyond its RAM it reads all ones (open bus).
 */
#include "hv_test.h"
#include "mmu/mmu.h"

/* Writes 0xdeadbeef to GPA 0x200000 (its own RAM) and 0x800000 (beyond
 * its 4 MiB), reads 0x800000 back and reports it through debug-exit. */
static const uint8_t writer[] = {
    0xB8, 0xEF, 0xBE, 0xAD, 0xDE,	      /* mov eax, 0xdeadbeef */
    0x89, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00, /* mov [0x200000], eax */
    0x89, 0x04, 0x25, 0x00, 0x00, 0x80, 0x00, /* mov [0x800000], eax */
    0x8B, 0x1C, 0x25, 0x00, 0x00, 0x80, 0x00, /* mov ebx, [0x800000] */
    0x31, 0xC0,				      /* xor eax, eax */
    0x83, 0xFB, 0xFF,			      /* cmp ebx, -1 */
    0x0F, 0x94, 0xC0,			      /* sete al */
    0xE7, 0xF4,				      /* out 0xf4, eax */
    0xEB, 0xFE,				      /* jmp $ */
};

Test(isolation, child_writes_beyond_its_ram_change_no_other_partition)
{
	struct scenario *sc = hvt_scenario(2, 100000, 2000000);
	char *w = hvt_guest(writer, sizeof(writer));
	char *spin = hvt_guest(hvt_spin, sizeof(hvt_spin));
	struct physmem *mw, *mv, *mp;
	struct sim *s;
	int status;

	hvt_child(sc, "writer", w, 4ull << 20);
	hvt_child(sc, "victim", spin, 16ull << 20);
	s = hvt_run(sc, &status);
	/* The writer read all ones beyond its RAM: debug-exit 1 → 3. */
	cr_assert(partition_ended(sim_partition(s, 1)));
	cr_assert_eq(partition_end_status(sim_partition(s, 1)), 3);
	mp = hv_part_mem(partition_hv(sim_partition(s, 0)));
	mw = hv_part_mem(partition_hv(sim_partition(s, 1)));
	mv = hv_part_mem(partition_hv(sim_partition(s, 2)));
	cr_assert_eq(physmem_read(mw, 0x200000, 4), 0xDEADBEEF);
	/* Neither the victim nor the parent saw either write. */
	cr_assert_eq(physmem_read(mv, 0x200000, 4), 0);
	cr_assert_eq(physmem_read(mv, 0x800000, 4), 0);
	cr_assert_eq(physmem_read(mp, 0x200000, 4), 0);
	cr_assert_eq(physmem_read(mp, 0x800000, 4), 0);
	/* The victim ran on regardless, until the limit. */
	cr_assert_eq(status, SIM_EXIT_TIME_LIMIT);
	cr_assert_eq(partition_state(sim_partition(s, 2)), PART_RUNNING);
	sim_destroy(s);
	free(sc);
	unlink(w);
	unlink(spin);
	free(w);
	free(spin);
}

Test(isolation, partitions_have_separate_ram_of_their_own_size)
{
	struct scenario *sc = hvt_scenario(1, 100000, 100000);
	char *spin = hvt_guest(hvt_spin, sizeof(hvt_spin));
	struct sim *s;
	int status;

	hvt_child(sc, "small", spin, 4ull << 20);
	hvt_child(sc, "big", spin, 32ull << 20);
	s = hvt_run(sc, &status);
	cr_assert_eq(
	    physmem_ram_size(hv_part_mem(partition_hv(sim_partition(s, 1)))),
	    4ull << 20);
	cr_assert_eq(
	    physmem_ram_size(hv_part_mem(partition_hv(sim_partition(s, 2)))),
	    32ull << 20);
	cr_assert_neq(hv_part_mem(partition_hv(sim_partition(s, 1))),
		      hv_part_mem(partition_hv(sim_partition(s, 2))));
	sim_destroy(s);
	free(sc);
	unlink(spin);
	free(spin);
}
