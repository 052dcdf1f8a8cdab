/*
 * cpu/cpuid.c — the core's CPUID model: one coherent CPU as a table of
 * leaves (docs/CPUID.md says, bit by bit, which code implements what is
 * advertised, and why the rest is not).
 *
 * Spec: Intel SDM Vol. 2A, CPUID (Tables 3-8, 3-10, 3-11). We follow Intel:
 * vendor "GenuineIntel", and an input above the maximum basic or extended
 * leaf returns the data of the highest basic leaf (with the given subleaf).
 * IA32_MISC_ENABLE bit 22 (limit CPUID maxval) lowers the maximum basic leaf
 * to 2, as on hardware.
 *
 * Invariants: the answer depends only on the leaf, the subleaf and the
 * core's own state (MISC_ENABLE); the owner's env->cpuid hook sees the
 * core's answer and may edit it (e.g. the hypervisor-present bit and the
 * 0x4000000x leaves). Called by op_cpuid (ops_system.c) and by the
 * hypervisor when it wants the core's view.
 */
#include <string.h>

#include "cpu/cpu_int.h"

/* Four ASCII characters as the little-endian register value. */
#define FOURCC(a, b, c, d)                                                   \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 |           \
	 (uint32_t)(d) << 24)

#define BIT(n) (1u << (n))

#define CPUID_MAX_BASIC      0x7u
#define CPUID_MAX_BASIC_LIM  0x2u /* with MISC_ENABLE.LIMIT_CPUID */
#define CPUID_EXT_BASE       0x80000000u
#define CPUID_MAX_EXT        0x80000008u
#define CPUID_BRAND_FIRST    0x80000002u
#define CPUID_BRAND_LAST     0x80000004u
#define MISC_ENABLE_LIMIT_CPUID (1ull << 22)

#define ANY_SUBLEAF (-1)

/*
 * Leaf 1 EAX, the version signature:
 *  31:28  27:20   19:16   15:14 13:12 11:8   7:4   3:0
 *   0    ext fam ext mod    0   type  family model stepping
 * Family 6, model 0x55 (ext model 5, model 5), stepping 4: a Skylake-SP
 * class server part, the kind of host Hyper-V runs on.
 */
#define CPU_SIGNATURE 0x00050654u

/* Leaf 1 EBX: CLFLUSH line size 8 (x 8 = 64 bytes) in 15:8, one logical
 * processor in 23:16, initial APIC ID 0 in 31:24. */
#define LEAF1_EBX (8u << 8 | 1u << 16)

/* Leaf 1 EDX and ECX feature bits (SDM Vol. 2A Tables 3-10 / 3-11). */
#define LEAF1_EDX                                                            \
	(BIT(0) /* FPU */ | BIT(2) /* DE */ | BIT(3) /* PSE */ |              \
	 BIT(4) /* TSC */ | BIT(5) /* MSR */ | BIT(6) /* PAE */ |             \
	 BIT(7) /* MCE */ | BIT(8) /* CX8 */ | BIT(9) /* APIC */ |            \
	 BIT(12) /* MTRR */ | BIT(13) /* PGE */ | BIT(15) /* CMOV */ |        \
	 BIT(16) /* PAT */ | BIT(17) /* PSE-36 */ | BIT(19) /* CLFSH */ |     \
	 BIT(24) /* FXSR */ | BIT(25) /* SSE */ | BIT(26) /* SSE2 */)
#define LEAF1_ECX (BIT(13) /* CX16 */ | BIT(23) /* POPCNT */)

/* Leaf 7 subleaf 0. */
/* Bit 13: FCS and FDS are deprecated — FXSAVE/FNSAVE store them as 0
 * (cpu/ops_x87_env.c), so software must not rely on them. */
#define LEAF7_EBX (BIT(7) /* SMEP */ | BIT(13) /* FCS/FDS deprecated */ | \
		   BIT(20) /* SMAP */)
#define LEAF7_ECX (BIT(2) /* UMIP */)

/* Extended leaves. */
#define EXT1_ECX (BIT(0) /* LAHF-SAHF in 64-bit mode */ | BIT(5) /* LZCNT */)
#define EXT1_EDX                                                             \
	(BIT(11) /* SYSCALL */ | BIT(20) /* NX */ |                           \
	 BIT(26) /* 1 GiB pages */ | BIT(27) /* RDTSCP */ | BIT(29) /* LM */)
#define EXT7_EDX (BIT(8) /* invariant TSC */)
#define PHYS_ADDR_BITS 40u
#define VIRT_ADDR_BITS 48u

/*
 * Deterministic cache parameters (leaf 4). Nominal sizes, not modelled:
 *  EAX: 4:0 type (1 data, 2 code, 3 unified), 7:5 level, 8 self-initialising
 *  EBX: 11:0 line-1, 21:12 partitions-1, 31:22 ways-1;  ECX: sets-1
 */
#define CACHE_EAX(type, level) ((type) | (level) << 5 | BIT(8))
#define CACHE_EBX(line, ways) (((line) - 1u) | ((ways) - 1u) << 22)

struct cpuid_row {
	uint32_t leaf;
	int32_t subleaf; /* ANY_SUBLEAF: the row answers every subleaf */
	uint32_t eax, ebx, ecx, edx;
};

/* Sorted by leaf then subleaf. A leaf within the maximum that has no row
 * (3, 5, 6, 0x80000005, the brand leaves) reads as zeros; the brand leaves
 * are filled from cpuid_brand. */
static const struct cpuid_row cpuid_table[] = {
	/* {leaf, subleaf, eax, ebx, ecx, edx} */
	{0x00000000, ANY_SUBLEAF, CPUID_MAX_BASIC, FOURCC('G', 'e', 'n', 'u'),
	 FOURCC('n', 't', 'e', 'l'), FOURCC('i', 'n', 'e', 'I')},
	{0x00000001, ANY_SUBLEAF, CPU_SIGNATURE, LEAF1_EBX, LEAF1_ECX,
	 LEAF1_EDX},
	/* Leaf 2: AL = 1 (call once); descriptor 0xFF = "see leaf 4". */
	{0x00000002, ANY_SUBLEAF, 0x0000FF01u, 0, 0, 0},
	/* Leaf 4: 32 KiB 8-way L1D and L1I, 1 MiB 16-way L2, then the end. */
	{0x00000004, 0, CACHE_EAX(1u, 1u), CACHE_EBX(64u, 8u), 63, 0},
	{0x00000004, 1, CACHE_EAX(2u, 1u), CACHE_EBX(64u, 8u), 63, 0},
	{0x00000004, 2, CACHE_EAX(3u, 2u), CACHE_EBX(64u, 16u), 1023, 0},
	/* Leaf 7 subleaf 0: EAX = the highest subleaf (0). */
	{0x00000007, 0, 0, LEAF7_EBX, LEAF7_ECX, 0},
	{0x80000000, ANY_SUBLEAF, CPUID_MAX_EXT, 0, 0, 0},
	{0x80000001, ANY_SUBLEAF, 0, 0, EXT1_ECX, EXT1_EDX},
	/* Leaf 0x80000006 ECX: L2 64-byte lines, 16-way (code 8), 1024 KiB. */
	{0x80000006, ANY_SUBLEAF, 0, 0, 64u | 8u << 12 | 1024u << 16, 0},
	{0x80000007, ANY_SUBLEAF, 0, 0, 0, EXT7_EDX},
	{0x80000008, ANY_SUBLEAF, PHYS_ADDR_BITS | VIRT_ADDR_BITS << 8, 0, 0,
	 0},
};

/* The processor brand string, NUL-padded to the 48 bytes of leaves
 * 0x80000002..4. */
static const char cpuid_brand[48] = "hvsim virtual x86-64 CPU";

static uint32_t max_basic_leaf(const struct cpu *c)
{
	if (c->msr.misc_enable & MISC_ENABLE_LIMIT_CPUID)
		return CPUID_MAX_BASIC_LIM;
	return CPUID_MAX_BASIC;
}

/* Intel: an input above the maximum basic or extended leaf answers as the
 * highest basic leaf. */
static uint32_t effective_leaf(const struct cpu *c, uint32_t leaf)
{
	uint32_t max_basic = max_basic_leaf(c);

	if (leaf < CPUID_EXT_BASE)
		return leaf <= max_basic ? leaf : max_basic;
	return leaf <= CPUID_MAX_EXT ? leaf : max_basic;
}

static void brand_leaf(uint32_t leaf, uint32_t regs[4])
{
	const char *p = cpuid_brand + 16 * (leaf - CPUID_BRAND_FIRST);

	for (int i = 0; i < 4; i++, p += 4)
		regs[i] = FOURCC((uint8_t)p[0], (uint8_t)p[1], (uint8_t)p[2],
				 (uint8_t)p[3]);
}

/* The core's own answer, before the owner's hook. */
static void table_lookup(const struct cpu *c, uint32_t leaf, uint32_t subleaf,
			 uint32_t regs[4])
{
	memset(regs, 0, 4 * sizeof(regs[0]));
	if (leaf >= CPUID_BRAND_FIRST && leaf <= CPUID_BRAND_LAST) {
		brand_leaf(leaf, regs);
		return;
	}
	for (size_t i = 0; i < sizeof(cpuid_table) / sizeof(cpuid_table[0]);
	     i++) {
		const struct cpuid_row *r = &cpuid_table[i];

		if (r->leaf != leaf)
			continue;
		if (r->subleaf != ANY_SUBLEAF &&
		    (uint32_t)r->subleaf != subleaf)
			continue;
		regs[0] = r->eax;
		regs[1] = r->ebx;
		regs[2] = r->ecx;
		regs[3] = r->edx;
		break;
	}
	if (leaf == 0)
		regs[0] = max_basic_leaf(c);
}

void cpu_cpuid(struct cpu *c, uint32_t leaf, uint32_t subleaf,
	       uint32_t regs[4])
{
	table_lookup(c, effective_leaf(c, leaf), subleaf, regs);
	if (c->env.cpuid) {
		cycles_t cost = 0;

		/* The hook sees the leaf the guest asked for (so it can
		 * answer 0x4000000x), with the core's answer in regs. */
		c->env.cpuid(c->env.opaque, c, leaf, subleaf, regs, &cost);
		cpu_charge(c, cost);
	}
}
