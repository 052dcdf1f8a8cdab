/*
 * examples/guests/hv_cpuid.c — what a guest sees of the hypervisor
 * through CPUID (Hyper-V TLFS "Feature Discovery"; vmbus.md §1.1-§1.2,
 * vmbus-linux61.md rows 1 and 23; docs/CPUID.md "Hyper-V leaves").
 *
 * Checks what Linux 6.1's ms_hyperv_platform() checks (hypervisor bit,
 * "Microsoft Hv", max leaf in [0x40000005, 0x4000FFFF], HYPERCALL and
 * VP_INDEX MSRs available), the "Hv#1" interface Windows checks, the bits
 * a non-root guest must not see, that no KVM signature wins over ours,
 * and prints every Hyper-V leaf.
 */
#include "hyperv.h"
#include "rt.h"

#define BIT(n) (1u << (n))

static void print_leaf(uint32_t leaf)
{
	struct cpuid_regs r = cpuid(leaf, 0);

	printf("leaf %#x: eax=%08x ebx=%08x ecx=%08x edx=%08x\n", leaf, r.eax,
	       r.ebx, r.ecx, r.edx);
}

static void test_detection(void)
{
	struct cpuid_regs one = cpuid(1, 0);
	struct cpuid_regs v = cpuid(HV_CPUID_VENDOR, 0);
	struct cpuid_regs f = cpuid(HV_CPUID_FEATURES, 0);
	struct hv_info info;
	char sig[13];

	memcpy(sig, &v.ebx, 4);
	memcpy(sig + 4, &v.ecx, 4);
	memcpy(sig + 8, &v.edx, 4);
	sig[12] = '\0';
	report(one.ecx & BIT(31), "CPUID.1:ECX[31] hypervisor present");
	report(strcmp(sig, "Microsoft Hv") == 0,
	       "leaf 0x40000000 signature \"%s\"", sig);
	report(v.eax >= 0x40000005 && v.eax <= 0x4000FFFF,
	       "max hypervisor leaf %#x in [0x40000005, 0x4000ffff]", v.eax);
	report((f.eax & (BIT(5) | BIT(6))) == (BIT(5) | BIT(6)),
	       "0x40000003 EAX: HYPERCALL (5) and VP_INDEX (6) MSRs");
	report(cpuid(HV_CPUID_INTERFACE, 0).eax == HV_INTERFACE_HV1,
	       "leaf 0x40000001 interface \"Hv#1\"");
	report(hv_detect(&info) && info.max_leaf == v.eax,
	       "the runtime's hv_detect agrees");
}

static void test_forbidden_bits(void)
{
	struct cpuid_regs f = cpuid(HV_CPUID_FEATURES, 0);
	struct cpuid_regs k = cpuid(0x40000100, 0);

	report(!(f.ebx & BIT(1)), "EBX bit 1 (AccessPartitionId) clear");
	report(!(f.ebx & BIT(12)), "EBX bit 12 (CpuManagement) clear");
	report(k.eax == 0 && k.ebx == 0 && k.ecx == 0 && k.edx == 0,
	       "no second hypervisor signature at 0x40000100");
}

static void test_leaf1(void)
{
	struct cpuid_regs one = cpuid(1, 0);

	report(one.ecx & BIT(21), "CPUID.1:ECX[21] x2APIC");
	report(one.ecx & BIT(24), "CPUID.1:ECX[24] TSC-deadline");
	report((one.ebx >> 24) == 0, "initial APIC ID of vCPU 0 is 0");
}

int kmain(struct hvsim_boot_info *bi)
{
	(void)bi;
	rt_init();
	printf("hv_cpuid: the Hyper-V CPUID leaves\n");
	test_detection();
	test_forbidden_bits();
	test_leaf1();
	for (uint32_t leaf = HV_CPUID_VENDOR; leaf <= HV_CPUID_MAX_LEAF; leaf++)
		print_leaf(leaf);
	print_leaf(HV_CPUID_MAX_LEAF + 1);
	report_summary();
}
