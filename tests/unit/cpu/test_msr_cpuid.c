/*
 * tests/unit/cpu/test_msr_cpuid.c — the core's MSR table (cpu/msr.c), its
 * CPUID model (cpu/cpuid.c, documented in docs/CPUID.md) and the RDMSR,
 * WRMSR, RDTSC, RDTSCP and CPUID instructions.
 *
 * The first half calls cpu_msr_read/cpu_msr_write/cpu_cpuid directly; the
 * second runs real instruction bytes through the fixture and checks the
 * vector taken (the fixture's IDT stubs halt with the vector visible).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/common/fixture.h"

static const uint64_t noncanonical = 0x0000800000000000ull;

/* ---- CPUID, direct -------------------------------------------------------- */

static void cpuid(struct fx *fx, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	cpu_cpuid(fx->cpu, leaf, sub, r);
}

Test(cpuid, leaf0_reports_genuine_intel_and_max_leaf_7)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint32_t r[4];
	char vendor[13] = {0};

	cpuid(fx, 0, 0, r);
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	cr_assert_eq(7u, r[0]);
	cr_assert_str_eq("GenuineIntel", vendor);
	fx_free(fx);
}

Test(cpuid, leaf1_features_match_the_documented_model)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint32_t r[4];
	/* docs/CPUID.md, leaf 1 tables. */
	const uint32_t edx = 1u << 0 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 |
			     1u << 6 | 1u << 7 | 1u << 8 | 1u << 9 | 1u << 12 |
			     1u << 13 | 1u << 15 | 1u << 16 | 1u << 17 |
			     1u << 19 |
			     1u << 24 | 1u << 25 | 1u << 26;
	const uint32_t ecx = 1u << 13 | 1u << 23;

	cpuid(fx, 1, 0, r);
	cr_assert_eq(0x00050654u, r[0]);
	cr_assert_eq(0x00010800u, r[1]);
	cr_assert_eq(ecx, r[2]);
	cr_assert_eq(edx, r[3]);
	cr_assert_eq(0u, r[2] & (1u << 31), "hypervisor bit is the hook's");
	cr_assert_eq(0u, r[3] & (1u << 11), "no SYSENTER handlers: no SEP");
	fx_free(fx);
}

Test(cpuid, leaf7_advertises_smep_smap_umip_and_fcs_fds_deprecated_only)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint32_t r[4];

	cpuid(fx, 7, 0, r);
	cr_assert_eq(0u, r[0]);
	cr_assert_eq(1u << 7 | 1u << 13 | 1u << 20, r[1]);
	cr_assert_eq(1u << 2, r[2]);
	cr_assert_eq(0u, r[3]);
	cpuid(fx, 7, 1, r);
	cr_assert(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0);
	fx_free(fx);
}

Test(cpuid, extended_leaves_match_the_documented_model)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint32_t r[4];

	cpuid(fx, 0x80000000, 0, r);
	cr_assert_eq(0x80000008u, r[0]);
	cpuid(fx, 0x80000001, 0, r);
	cr_assert_eq(1u << 0 | 1u << 5, r[2]);
	cr_assert_eq(1u << 11 | 1u << 20 | 1u << 26 | 1u << 27 | 1u << 29,
		     r[3]);
	cpuid(fx, 0x80000007, 0, r);
	cr_assert_eq(1u << 8, r[3]);
	cpuid(fx, 0x80000008, 0, r);
	cr_assert_eq(40u, r[0] & 0xFF);
	cr_assert_eq(48u, (r[0] >> 8) & 0xFF);
	fx_free(fx);
}

Test(cpuid, brand_string_spans_three_leaves)
{
	struct fx *fx = fx_new(FX_LONG64);
	char brand[49] = {0};

	for (uint32_t i = 0; i < 3; i++) {
		uint32_t r[4];

		cpuid(fx, 0x80000002 + i, 0, r);
		memcpy(brand + 16 * i, r, 16);
	}
	cr_assert_str_eq("hvsim virtual x86-64 CPU", brand);
	fx_free(fx);
}

Test(cpuid, leaf4_lists_l1d_l1i_l2_then_ends)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint32_t r[4];

	cpuid(fx, 4, 0, r);
	cr_assert_eq(1u, r[0] & 0x1F, "L1 data");
	cr_assert_eq(32768u, ((r[1] >> 22) + 1) * ((r[1] & 0xFFF) + 1) *
				     (((r[1] >> 12) & 0x3FF) + 1) * (r[2] + 1));
	cpuid(fx, 4, 2, r);
	cr_assert_eq(3u, r[0] & 0x1F, "L2 unified");
	cr_assert_eq(2u, (r[0] >> 5) & 7);
	cpuid(fx, 4, 3, r);
	cr_assert_eq(0u, r[0] & 0x1F, "no more caches");
	fx_free(fx);
}

Test(cpuid, leaf_above_maximum_returns_highest_basic_leaf)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint32_t want[4], got[4];

	cpuid(fx, 7, 0, want);
	cpuid(fx, 0x20, 0, got);
	cr_assert_arr_eq(want, got, sizeof(want));
	cpuid(fx, 0x80000009, 0, got);
	cr_assert_arr_eq(want, got, sizeof(want));
	cpuid(fx, 0x40000000, 0, got);
	cr_assert_arr_eq(want, got, sizeof(want));
	fx_free(fx);
}

Test(cpuid, misc_enable_limit_cpuid_caps_the_basic_leaves_at_2)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint32_t want[4], got[4];

	cr_assert(cpu_msr_write(fx->cpu, MSR_IA32_MISC_ENABLE, 1ull << 22));
	cpuid(fx, 0, 0, got);
	cr_assert_eq(2u, got[0]);
	cpuid(fx, 2, 0, want);
	cpuid(fx, 7, 0, got);
	cr_assert_arr_eq(want, got, sizeof(want));
	fx_free(fx);
}

struct hook_seen {
	uint32_t leaf, subleaf, eax_in;
	int calls;
};

static int cpuid_hook(void *opaque, struct cpu *cpu, uint32_t leaf,
		      uint32_t subleaf, uint32_t regs[4], cycles_t *cost)
{
	struct hook_seen *seen = opaque;

	(void)cpu;
	seen->leaf = leaf;
	seen->subleaf = subleaf;
	seen->eax_in = regs[0];
	seen->calls++;
	if (leaf == 1)
		regs[2] |= 1u << 31; /* hypervisor present */
	*cost = 500;
	return ENV_OK;
}

Test(cpuid, hook_sees_the_core_answer_and_may_edit_it)
{
	struct fx *fx = fx_new(FX_LONG64);
	struct hook_seen seen = {0};
	uint32_t r[4];
	cycles_t before;

	fx->cpu->env.cpuid = cpuid_hook;
	fx->cpu->env.opaque = &seen;
	before = fx->cpu->cycles;
	cpuid(fx, 1, 5, r);
	cr_assert_eq(1, seen.calls);
	cr_assert_eq(1u, seen.leaf);
	cr_assert_eq(5u, seen.subleaf);
	cr_assert_eq(0x00050654u, seen.eax_in);
	cr_assert_neq(0u, r[2] & (1u << 31));
	cr_assert_eq(before + 500, fx->cpu->cycles);
	cpuid(fx, 0x40000001, 0, r);
	cr_assert_eq(0x40000001u, seen.leaf, "hook sees the asked leaf");
	fx_free(fx);
}

/* ---- MSRs, direct ----------------------------------------------------------- */

Test(msr, tsc_write_reads_back_then_advances)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint64_t v;

	fx->cpu->cycles = 12345;
	cr_assert(cpu_msr_write(fx->cpu, MSR_IA32_TSC, 1000000));
	cr_assert(cpu_msr_read(fx->cpu, MSR_IA32_TSC, &v));
	cr_assert_eq(1000000ull, v);
	fx->cpu->cycles += 77;
	cr_assert(cpu_msr_read(fx->cpu, MSR_IA32_TSC, &v));
	cr_assert_eq(1000077ull, v);
	cr_assert_eq(fx->cpu->cycles + (uint64_t)fx->cpu->msr.tsc_offset,
		     cpu_read_tsc(fx->cpu));
	fx_free(fx);
}

Test(msr, canonical_address_msrs_reject_noncanonical_values)
{
	static const uint32_t msrs[] = {
		MSR_LSTAR, MSR_CSTAR, MSR_FS_BASE, MSR_GS_BASE,
		MSR_KERNEL_GS_BASE, MSR_IA32_SYSENTER_ESP,
		MSR_IA32_SYSENTER_EIP,
	};
	struct fx *fx = fx_new(FX_LONG64);

	for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		uint64_t v;

		cr_assert(cpu_msr_write(fx->cpu, msrs[i], 0xFFFF800000001000));
		cr_assert_not(cpu_msr_write(fx->cpu, msrs[i], noncanonical),
			      "MSR %#x", msrs[i]);
		cr_assert(cpu_msr_read(fx->cpu, msrs[i], &v));
		cr_assert_eq(0xFFFF800000001000ull, v, "MSR %#x unchanged",
			     msrs[i]);
	}
	fx_free(fx);
}

Test(msr, fs_and_gs_base_live_in_the_segment_cache)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint64_t v;

	cr_assert(cpu_msr_write(fx->cpu, MSR_FS_BASE, 0x1234000));
	cr_assert(cpu_msr_write(fx->cpu, MSR_GS_BASE, 0x5678000));
	cr_assert_eq(0x1234000ull, fx->cpu->seg[SEG_FS].base);
	cr_assert_eq(0x5678000ull, fx->cpu->seg[SEG_GS].base);
	fx->cpu->seg[SEG_GS].base = 0x42;
	cr_assert(cpu_msr_read(fx->cpu, MSR_GS_BASE, &v));
	cr_assert_eq(0x42ull, v);
	fx_free(fx);
}

Test(msr, pat_accepts_only_architectural_types)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint64_t v;

	cr_assert(cpu_msr_write(fx->cpu, MSR_IA32_PAT, 0x0007010600070106));
	for (int bad = 2; bad <= 8; bad += (bad == 3 ? 5 : 1)) {
		cr_assert_not(cpu_msr_write(fx->cpu, MSR_IA32_PAT,
					    (uint64_t)bad << 40),
			      "type %d", bad);
	}
	cr_assert(cpu_msr_read(fx->cpu, MSR_IA32_PAT, &v));
	cr_assert_eq(0x0007010600070106ull, v);
	fx_free(fx);
}

Test(msr, bios_sign_id_takes_writes_and_reads_microcode_revision_0)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint64_t v = ~0ull;

	cr_assert(cpu_msr_write(fx->cpu, MSR_IA32_BIOS_SIGN_ID, 0));
	cr_assert(cpu_msr_read(fx->cpu, MSR_IA32_BIOS_SIGN_ID, &v));
	cr_assert_eq(0ull, v, "no microcode update loaded");
	cr_assert(cpu_msr_write(fx->cpu, MSR_IA32_BIOS_SIGN_ID, 0x1234ull << 32));
	cr_assert(cpu_msr_read(fx->cpu, MSR_IA32_BIOS_SIGN_ID, &v));
	cr_assert_eq(0ull, v, "a write does not set the revision");
	fx_free(fx);
}

Test(msr, mtrrcap_is_read_only_with_8_ranges_fixed_and_wc)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint64_t v;

	cr_assert(cpu_msr_read(fx->cpu, MSR_IA32_MTRRCAP, &v));
	cr_assert_eq(0x508ull, v);
	cr_assert_not(cpu_msr_write(fx->cpu, MSR_IA32_MTRRCAP, v));
	fx_free(fx);
}

Test(msr, mtrr_def_type_checks_type_and_reserved_bits)
{
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert(cpu_msr_write(fx->cpu, MSR_IA32_MTRR_DEF_TYPE, 0xC06));
	cr_assert_not(cpu_msr_write(fx->cpu, MSR_IA32_MTRR_DEF_TYPE, 0xC02));
	cr_assert_not(cpu_msr_write(fx->cpu, MSR_IA32_MTRR_DEF_TYPE, 0xC07));
	cr_assert_not(cpu_msr_write(fx->cpu, MSR_IA32_MTRR_DEF_TYPE, 0x1006));
	cr_assert_eq(0xC06ull, fx->cpu->msr.mtrr_def_type);
	fx_free(fx);
}

Test(msr, fixed_mtrrs_exist_only_at_their_eleven_indices)
{
	struct fx *fx = fx_new(FX_LONG64);
	static const uint32_t fixed[] = {0x250, 0x258, 0x259, 0x268, 0x26F};
	uint64_t v;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		cr_assert(cpu_msr_write(fx->cpu, fixed[i], 0x0606060606060606));
		cr_assert(cpu_msr_read(fx->cpu, fixed[i], &v));
		cr_assert_eq(0x0606060606060606ull, v);
		cr_assert_not(cpu_msr_write(fx->cpu, fixed[i], 0x0606060606060306));
	}
	cr_assert_not(cpu_msr_read(fx->cpu, 0x251, &v));
	cr_assert_not(cpu_msr_write(fx->cpu, 0x260, 0));
	fx_free(fx);
}

Test(msr, variable_mtrrs_check_type_and_maxphyaddr)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint64_t v;

	cr_assert(cpu_msr_write(fx->cpu, 0x200, 0xFF00000006)); /* base WB */
	cr_assert(cpu_msr_write(fx->cpu, 0x201, 0xFFF0000800)); /* mask, V */
	cr_assert(cpu_msr_read(fx->cpu, 0x201, &v));
	cr_assert_eq(0xFFF0000800ull, v);
	cr_assert_not(cpu_msr_write(fx->cpu, 0x202, 0x1000003), "type 3");
	cr_assert_not(cpu_msr_write(fx->cpu, 0x202, 1ull << 40 | 6), "> 40 bits");
	cr_assert_not(cpu_msr_write(fx->cpu, 0x203, 0x400), "mask bit 10");
	cr_assert_not(cpu_msr_read(fx->cpu, 0x210, &v), "only 8 pairs");
	fx_free(fx);
}

Test(msr, reserved_upper_halves_fault)
{
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert(cpu_msr_write(fx->cpu, MSR_TSC_AUX, 0xFFFFFFFF));
	cr_assert_not(cpu_msr_write(fx->cpu, MSR_TSC_AUX, 1ull << 32));
	cr_assert(cpu_msr_write(fx->cpu, MSR_SFMASK, 0x47700));
	cr_assert_not(cpu_msr_write(fx->cpu, MSR_SFMASK, 1ull << 40));
	cr_assert_eq(0xFFFFFFFFull, fx->cpu->msr.tsc_aux);
	fx_free(fx);
}

Test(msr, misc_enable_read_only_bits_read_as_one)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint64_t v;

	cr_assert(cpu_msr_write(fx->cpu, MSR_IA32_MISC_ENABLE, 1));
	cr_assert(cpu_msr_read(fx->cpu, MSR_IA32_MISC_ENABLE, &v));
	cr_assert_eq(0x1801ull, v);
	cr_assert_not(cpu_msr_write(fx->cpu, MSR_IA32_MISC_ENABLE, 1ull << 34));
	fx_free(fx);
}

Test(msr, unknown_msr_fails_without_a_hook)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint64_t v;

	cr_assert_not(cpu_msr_read(fx->cpu, 0x12345678, &v));
	cr_assert_not(cpu_msr_write(fx->cpu, 0x12345678, 0));
	fx_free(fx);
}

static int rdmsr_hook(void *opaque, struct cpu *cpu, uint32_t msr,
		      uint64_t *val, cycles_t *cost)
{
	(void)opaque;
	(void)cpu;
	*cost = 1200;
	if (msr != 0x40000000)
		return ENV_GP;
	*val = 0xABCDEF;
	return ENV_OK;
}

static int wrmsr_hook(void *opaque, struct cpu *cpu, uint32_t msr,
		      uint64_t val, cycles_t *cost)
{
	uint64_t *seen = opaque;

	(void)cpu;
	*cost = 1200;
	*seen = val;
	return msr == 0x40000000 ? ENV_OK : ENV_UNHANDLED;
}

Test(msr, unknown_msr_goes_to_the_hook_and_charges_its_cost)
{
	struct fx *fx = fx_new(FX_LONG64);
	uint64_t v = 0, seen = 0;
	cycles_t before = fx->cpu->cycles;

	fx->cpu->env.rdmsr = rdmsr_hook;
	fx->cpu->env.wrmsr = wrmsr_hook;
	fx->cpu->env.opaque = &seen;
	cr_assert(cpu_msr_read(fx->cpu, 0x40000000, &v));
	cr_assert_eq(0xABCDEFull, v);
	cr_assert_not(cpu_msr_read(fx->cpu, 0x40000001, &v));
	cr_assert(cpu_msr_write(fx->cpu, 0x40000000, 77));
	cr_assert_eq(77ull, seen);
	cr_assert_not(cpu_msr_write(fx->cpu, 0x40000001, 1));
	cr_assert_eq(before + 4 * 1200, fx->cpu->cycles);
	/* Core MSRs never reach the hook. */
	seen = 0;
	cr_assert(cpu_msr_write(fx->cpu, MSR_STAR, 5));
	cr_assert_eq(0ull, seen);
	fx_free(fx);
}

/* Records the last MSR a hook saw. */
static int apic_hook_rd(void *opaque, struct cpu *cpu, uint32_t msr,
			uint64_t *val, cycles_t *cost)
{
	(void)cpu;
	(void)cost;
	*(uint32_t *)opaque = msr;
	*val = 0x1234;
	return ENV_OK;
}

static int apic_hook_wr(void *opaque, struct cpu *cpu, uint32_t msr,
			uint64_t val, cycles_t *cost)
{
	(void)cpu;
	(void)cost;
	(void)val;
	*(uint32_t *)opaque = msr;
	return ENV_OK;
}

/* IA32_APIC_BASE and IA32_TSC_DEADLINE belong to the local APIC, which
 * the owner models (hv/vapic.c): the core passes them on. */
Test(msr, apic_msrs_are_not_the_cores_and_reach_the_owner)
{
	static const uint32_t apic_msrs[] = {MSR_IA32_APIC_BASE,
					     MSR_IA32_TSC_DEADLINE};
	struct fx *fx = fx_new(FX_LONG64);
	uint32_t seen = 0;
	uint64_t v = 0;

	for (unsigned i = 0; i < 2; i++)
		cr_assert_not(cpu_msr_read(fx->cpu, apic_msrs[i], &v),
			      "no owner: #GP");
	fx->cpu->env.rdmsr = apic_hook_rd;
	fx->cpu->env.wrmsr = apic_hook_wr;
	fx->cpu->env.opaque = &seen;
	for (unsigned i = 0; i < 2; i++) {
		seen = 0;
		cr_assert(cpu_msr_read(fx->cpu, apic_msrs[i], &v));
		cr_assert_eq(apic_msrs[i], seen);
		cr_assert_eq(0x1234ull, v);
		seen = 0;
		cr_assert(cpu_msr_write(fx->cpu, apic_msrs[i], 0xFEE00800));
		cr_assert_eq(apic_msrs[i], seen);
	}
	fx_free(fx);
}

/* ---- instructions through the fixture ------------------------------------- */

/* Vector taken (or -1) after running `code`. */


Test(msr_insn, rdmsr_of_unknown_msr_raises_gp0)
{
	/* mov ecx, 0x12345678; rdmsr; hlt */
	static const uint8_t code[] = {0xB9, 0x78, 0x56, 0x34, 0x12,
				       0x0F, 0x32, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0ull, fx_stack_qword(fx, 0), "error code");
	cr_assert_eq(FX_CODE + 5, fx_stack_qword(fx, 1), "RIP at rdmsr");
	fx_free(fx);
}

Test(msr_insn, wrmsr_then_rdmsr_round_trips_star)
{
	/* mov ecx, STAR; mov eax, 0x11223344; mov edx, 0x55667788; wrmsr;
	 * xor eax, eax; xor edx, edx; rdmsr; hlt */
	static const uint8_t code[] = {
		0xB9, 0x81, 0x00, 0x00, 0xC0, 0xB8, 0x44, 0x33, 0x22, 0x11,
		0xBA, 0x88, 0x77, 0x66, 0x55, 0x0F, 0x30, 0x31, 0xC0, 0x31,
		0xD2, 0x0F, 0x32, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->gpr[RAX] = fx->cpu->gpr[RDX] = ~0ull;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x5566778811223344ull, fx->cpu->msr.star);
	cr_assert_eq(0x11223344ull, fx->cpu->gpr[RAX]);
	cr_assert_eq(0x55667788ull, fx->cpu->gpr[RDX]);
	fx_free(fx);
}

Test(msr_insn, wrmsr_noncanonical_lstar_raises_gp0_and_keeps_lstar)
{
	/* mov ecx, LSTAR; xor eax, eax; mov edx, 0x8000; wrmsr; hlt */
	static const uint8_t code[] = {0xB9, 0x82, 0x00, 0x00, 0xC0, 0x31,
				       0xC0, 0xBA, 0x00, 0x80, 0x00, 0x00,
				       0x0F, 0x30, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->msr.lstar = 0x401000;
	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0ull, fx_stack_qword(fx, 0));
	cr_assert_eq(0x401000ull, fx->cpu->msr.lstar);
	fx_free(fx);
}

Test(msr_insn, wrmsr_bad_pat_type_raises_gp0)
{
	/* mov ecx, PAT; mov eax, 0x00000002; xor edx, edx; wrmsr; hlt */
	static const uint8_t code[] = {0xB9, 0x77, 0x02, 0x00, 0x00, 0xB8,
				       0x02, 0x00, 0x00, 0x00, 0x31, 0xD2,
				       0x0F, 0x30, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);
	uint64_t pat = fx->cpu->msr.pat;

	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(pat, fx->cpu->msr.pat);
	fx_free(fx);
}

Test(msr_insn, rdmsr_and_wrmsr_at_cpl3_raise_gp0)
{
	static const uint8_t rd[] = {0xB9, 0x81, 0x00, 0x00, 0xC0, 0x0F, 0x32,
				     0xF4};
	static const uint8_t wr[] = {0xB9, 0x81, 0x00, 0x00, 0xC0, 0x0F, 0x30,
				     0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx_to_user(fx);
	cr_assert_eq(EXC_GP, fx_try(fx, rd, sizeof(rd)));
	fx_free(fx);
	fx = fx_new(FX_LONG64);
	fx_to_user(fx);
	cr_assert_eq(EXC_GP, fx_try(fx, wr, sizeof(wr)));
	fx_free(fx);
}

Test(msr_insn, cpuid_instruction_returns_vendor_in_ebx_edx_ecx)
{
	/* xor eax, eax; cpuid; hlt */
	static const uint8_t code[] = {0x31, 0xC0, 0x0F, 0xA2, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->gpr[RBX] = ~0ull;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(7ull, fx->cpu->gpr[RAX]);
	cr_assert_eq(0x756E6547ull, fx->cpu->gpr[RBX], "Genu, zero-extended");
	cr_assert_eq(0x49656E69ull, fx->cpu->gpr[RDX]);
	cr_assert_eq(0x6C65746Eull, fx->cpu->gpr[RCX]);
	fx_free(fx);
}

Test(msr_insn, cpuid_works_at_cpl3)
{
	/* mov eax, 0x80000001; cpuid; hlt */
	static const uint8_t code[] = {0xB8, 0x01, 0x00, 0x00, 0x80, 0x0F,
				       0xA2, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx_to_user(fx);
	fx_exec(fx, code, sizeof(code));
	/* HLT at CPL 3 is #GP: the CPUID before it completed. */
	cr_assert_eq(EXC_GP, fx_vector(fx));
	cr_assert_eq(FX_CODE + 7, fx_stack_qword(fx, 1));
	cr_assert_neq(0ull, fx->cpu->gpr[RDX] & (1u << 29), "LM");
	fx_free(fx);
}

Test(msr_insn, rdtsc_is_cycles_plus_offset_and_monotonic)
{
	/* rdtsc; mov r8, rax; mov r9, rdx; rdtsc; hlt */
	static const uint8_t code[] = {0x0F, 0x31, 0x49, 0x89, 0xC0, 0x49,
				       0x89, 0xD1, 0x0F, 0x31, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);
	struct cpu *c = fx->cpu;
	uint64_t start, t1, t2;

	c->msr.tsc_offset = 1ll << 40;
	start = c->cycles;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	t1 = c->gpr[R9] << 32 | c->gpr[R8];
	t2 = c->gpr[RDX] << 32 | c->gpr[RAX];
	cr_assert_geq(t1, start + (1ull << 40));
	cr_assert_gt(t2, t1, "the TSC advances with simulated cycles");
	cr_assert_leq(t2, c->cycles + (1ull << 40));
	cr_assert_eq(0ull, c->gpr[RAX] >> 32);
	fx_free(fx);
}

Test(msr_insn, rdtsc_at_cpl3_with_cr4_tsd_raises_gp0)
{
	static const uint8_t code[] = {0x0F, 0x31, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->cr4 |= CR4_TSD;
	fx_to_user(fx);
	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE, fx_stack_qword(fx, 1), "RIP at rdtsc");
	fx_free(fx);
}

Test(msr_insn, rdtsc_at_cpl0_with_cr4_tsd_is_allowed)
{
	static const uint8_t code[] = {0x0F, 0x31, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->cr4 |= CR4_TSD;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	fx_free(fx);
}

Test(msr_insn, rdtscp_returns_tsc_aux_in_ecx)
{
	/* rdtscp; hlt */
	static const uint8_t code[] = {0x0F, 0x01, 0xF9, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->msr.tsc_aux = 0x2A;
	fx->cpu->gpr[RCX] = ~0ull;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x2Aull, fx->cpu->gpr[RCX]);
	cr_assert_leq(fx->cpu->gpr[RAX], fx->cpu->cycles);
	fx_free(fx);
}
