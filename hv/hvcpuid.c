/*
 * hv/hvcpuid.c — what CPUID says inside a partition: the core's answer
 * (cpu/cpuid.c) with the hypervisor-present bit and the features the
 * hypervisor adds (the local APIC's x2APIC and TSC-deadline modes, the
 * vCPU's APIC ID), plus the Hyper-V leaves 0x40000000..0x40000006 as a
 * table of data. Leaves 0x40000007..0x4FFFFFFF read as zeros.
 *
 * Facts: ../shared/reference/vmbus.md §1.1-§1.2 and §9, vmbus-linux61.md
 * rows 1, 5, 14 (Hyper-V TLFS "Feature Discovery"). docs/CPUID.md, section
 * "Hyper-V leaves", says why every bit is set or clear; change both
 * together. Called by hv/exit.c for every CPUID exit.
 *
 * Rule: advertise only what is implemented (hvmsr.c, synic.c, vapic.c,
 * hypercall.c). Never set 0x40000003 EBX bit 1 (AccessPartitionId: Linux
 * 6.1 oopses) or bit 12 (CpuManagement: "I am the root partition").
 */
#include <stddef.h>

#include "hv/hv_int.h"
#include "hv/hvcpuid.h"
#include "hv/hvdefs.h"

#define BIT(n) (1u << (n))
#define FOURCC(a, b, c, d)                                                     \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 |            \
	 (uint32_t)(d) << 24)

/* Leaf 1 ECX bits the hypervisor adds to the core's answer. */
#define LEAF1_ECX_X2APIC	BIT(21) /* vapic.c: x2APIC MSRs 0x800-0x8FF */
#define LEAF1_ECX_TSC_DEADLINE	BIT(24) /* vapic.c: IA32_TSC_DEADLINE */
#define LEAF1_ECX_HYPERVISOR	BIT(31) /* "a hypervisor is present" */
#define LEAF1_EBX_APIC_ID_SHIFT 24	/* initial APIC ID = VP index */

/* The end of the Hyper-V range; everything above our last leaf up to here
 * reads as zeros. */
#define HV_CPUID_RANGE_LAST 0x4FFFFFFFu

/* 0x40000002: our version. Build 1 of hvsim 0.1 (EBX = major << 16 |
 * minor); no service pack or branch. */
#define HV_VERSION_BUILD 1u
#define HV_VERSION_MAJOR 0u
#define HV_VERSION_MINOR 1u

/* 0x40000003 EAX (partition privileges, low half). */
#define FEAT_EAX                                                               \
	(BIT(0) /* VP_RUNTIME */ | BIT(1) /* TIME_REF_COUNT */ |               \
	 BIT(2) /* SynIC MSRs */ | BIT(3) /* STIMER MSRs */ |                  \
	 BIT(4) /* APIC access MSRs + VP_ASSIST_PAGE */ |                      \
	 BIT(5) /* HYPERCALL + GUEST_OS_ID */ | BIT(6) /* VP_INDEX */ |        \
	 BIT(9) /* REFERENCE_TSC */ | BIT(11) /* TSC/APIC frequency */ |       \
	 BIT(15) /* TSC_INVARIANT_CONTROL */)
/* 0x40000003 EBX (privileges, high half): hypercalls 0x5C and 0x5D. */
#define FEAT_EBX (BIT(4) /* PostMessages */ | BIT(5) /* SignalEvents */)
/* 0x40000003 EDX (misc features). */
#define FEAT_EDX                                                               \
	(BIT(8) /* frequency MSRs available */ | BIT(10) /* crash MSRs */ |    \
	 BIT(19) /* direct-mode synthetic timers */)
/* 0x40000004 EAX (hints): relaxed timing only. Bit 9 (deprecating
 * AutoEOI) stays clear: SINTx.AutoEOI is implemented (synic.c/vapic.c). */
#define HINTS_EAX	 BIT(5)
#define HINTS_SPIN_NEVER 0xFFFFFFFFu /* EBX: never notify long spin waits */
#define HINTS_PHYS_BITS	 40u	     /* ECX: as CPUID 0x80000008 */
/* 0x40000006 EAX (hardware features in use): MSR bitmaps (only the MSRs
 * of hvmsr.c exit) and SLAT (each partition's own physmem). */
#define HWFEAT_EAX	 (BIT(1) /* MSR bitmaps */ | BIT(3) /* SLAT */)

/* Where a row takes a value that depends on the machine. */
enum hvcpuid_dyn {
	DYN_NONE,
	DYN_LIMITS, /* 0x40000005: EAX max VPs, EBX max LPs = pCPUs */
};

struct hvcpuid_row {
	uint32_t leaf;
	uint32_t eax, ebx, ecx, edx;
	enum hvcpuid_dyn dyn;
};

static const struct hvcpuid_row hvcpuid_table[] = {
    /* {leaf, eax, ebx, ecx, edx, dyn} */
    {HV_CPUID_VENDOR, HV_CPUID_MAX_LEAF, FOURCC('M', 'i', 'c', 'r'),
     FOURCC('o', 's', 'o', 'f'), FOURCC('t', ' ', 'H', 'v'), DYN_NONE},
    {HV_CPUID_INTERFACE, FOURCC('H', 'v', '#', '1'), 0, 0, 0, DYN_NONE},
    {HV_CPUID_VERSION, HV_VERSION_BUILD,
     HV_VERSION_MAJOR << 16 | HV_VERSION_MINOR, 0, 0, DYN_NONE},
    {HV_CPUID_FEATURES, FEAT_EAX, FEAT_EBX, 0, FEAT_EDX, DYN_NONE},
    {HV_CPUID_HINTS, HINTS_EAX, HINTS_SPIN_NEVER, HINTS_PHYS_BITS, 0, DYN_NONE},
    {HV_CPUID_LIMITS, 0, 0, 0, 0, DYN_LIMITS},
    {HV_CPUID_HWFEAT, HWFEAT_EAX, 0, 0, 0, DYN_NONE},
};

static void set_regs(uint32_t regs[4], uint32_t a, uint32_t b, uint32_t c,
		     uint32_t d)
{
	regs[0] = a;
	regs[1] = b;
	regs[2] = c;
	regs[3] = d;
}

static void hyperv_leaf(const struct hv_vp *vp, uint32_t leaf, uint32_t regs[4])
{
	set_regs(regs, 0, 0, 0, 0);
	for (size_t i = 0; i < sizeof(hvcpuid_table) / sizeof(hvcpuid_table[0]);
	     i++) {
		const struct hvcpuid_row *r = &hvcpuid_table[i];

		if (r->leaf != leaf)
			continue;
		set_regs(regs, r->eax, r->ebx, r->ecx, r->edx);
		if (r->dyn == DYN_LIMITS) {
			regs[0] = HV_MAX_VPS;
			regs[1] = vp->part->hv->nr_pcpus;
		}
		return;
	}
}

void hv_cpuid(const struct hv_vp *vp, uint32_t leaf, uint32_t subleaf,
	      uint32_t regs[4])
{
	(void)subleaf; /* no Hyper-V leaf has subleaves */
	if (leaf == 1) {
		regs[1] = (regs[1] & ~(0xFFu << LEAF1_EBX_APIC_ID_SHIFT)) |
			  (vp->index & 0xFFu) << LEAF1_EBX_APIC_ID_SHIFT;
		regs[2] |= LEAF1_ECX_HYPERVISOR | LEAF1_ECX_X2APIC |
			   LEAF1_ECX_TSC_DEADLINE;
		return;
	}
	if (leaf >= HV_CPUID_VENDOR && leaf <= HV_CPUID_RANGE_LAST)
		hyperv_leaf(vp, leaf, regs);
}
