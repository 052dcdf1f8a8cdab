/*
 * tests/unit/hv/test_hvcpuid.c — CPUID inside a partition (hv/hvcpuid.c):
 * the core's answer through the vCPU's exit hook with the hypervisor bit,
 * x2APIC, TSC-deadline and the APIC ID added; the Hyper-V leaves
 * 0x40000000..6 register by register (docs/CPUID.md "Hyper-V leaves"),
 * the bits that must stay clear, and zeros above the last leaf.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/cpu_int.h"
#include "hv/hv_int.h"
#include "hv/hvcpuid.h"
#include "hv/hvdefs.h"
#include "sim/evq.h"

#define BIT(n) (1u << (n))

struct rig {
	struct evq *q;
	struct hv *hv;
	struct hv_part *p;
};

static void rig_init(struct rig *r)
{
	struct hv_config hc = {.pcpus = 3, .quantum = 100000};
	struct hv_part_config pc = {
	    .name = "t", .vcpus = 2, .mem_bytes = 1 << 20, .weight = 100};

	r->q = evq_create();
	cr_assert_not_null(r->q);
	r->hv = hv_create(&hc, r->q);
	cr_assert_not_null(r->hv);
	r->p = hv_part_create(r->hv, &pc, NULL, NULL);
	cr_assert_not_null(r->p);
}

static void rig_fini(struct rig *r)
{
	hv_destroy(r->hv);
	evq_destroy(r->q);
}

/* The whole path a guest's CPUID takes: core table, then the exit. */
static void guest_cpuid(struct rig *r, unsigned vp, uint32_t leaf,
			uint32_t regs[4])
{
	cpu_cpuid(r->p->vp[vp].cpu, leaf, 0, regs);
}

Test(hvcpuid, leaf1_adds_hypervisor_x2apic_tsc_deadline_and_apic_id)
{
	struct rig r;
	uint32_t v0[4], v1[4];

	rig_init(&r);
	guest_cpuid(&r, 0, 1, v0);
	guest_cpuid(&r, 1, 1, v1);
	cr_assert(v0[2] & BIT(31), "hypervisor present");
	cr_assert(v0[2] & BIT(21), "x2APIC");
	cr_assert(v0[2] & BIT(24), "TSC-deadline");
	cr_assert(v0[2] & BIT(13), "the core's CX16 is kept");
	cr_assert_eq(v0[3], v1[3], "EDX is the core's");
	cr_assert_eq(v0[1] >> 24, 0);
	cr_assert_eq(v1[1] >> 24, 1, "initial APIC ID = VP index");
	cr_assert_eq(v0[1] & 0xFFFFFF, v1[1] & 0xFFFFFF);
	rig_fini(&r);
}

Test(hvcpuid, vendor_leaf_says_microsoft_hv_and_max_leaf_in_linux_range)
{
	struct rig r;
	uint32_t v[4];
	char sig[13];

	rig_init(&r);
	guest_cpuid(&r, 0, HV_CPUID_VENDOR, v);
	memcpy(sig, &v[1], 4);
	memcpy(sig + 4, &v[2], 4);
	memcpy(sig + 8, &v[3], 4);
	sig[12] = '\0';
	cr_assert_str_eq(sig, "Microsoft Hv");
	cr_assert_eq(v[1], 0x7263694D);
	cr_assert_eq(v[2], 0x666F736F);
	cr_assert_eq(v[3], 0x76482074);
	cr_assert_eq(v[0], 0x40000006);
	cr_assert(v[0] >= 0x40000005 && v[0] <= 0x4000FFFF);
	rig_fini(&r);
}

Test(hvcpuid, interface_and_version)
{
	struct rig r;
	uint32_t v[4];

	rig_init(&r);
	guest_cpuid(&r, 0, HV_CPUID_INTERFACE, v);
	cr_assert_eq(v[0], 0x31237648, "Hv#1");
	cr_assert(v[1] == 0 && v[2] == 0 && v[3] == 0);
	guest_cpuid(&r, 0, HV_CPUID_VERSION, v);
	cr_assert_eq(v[0], 1);
	cr_assert_eq(v[1], 0x00000001);
	cr_assert(v[2] == 0 && v[3] == 0);
	rig_fini(&r);
}

Test(hvcpuid, features_advertise_exactly_what_is_implemented)
{
	struct rig r;
	uint32_t v[4];

	rig_init(&r);
	guest_cpuid(&r, 0, HV_CPUID_FEATURES, v);
	cr_assert_eq(v[0], BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) |
			       BIT(6) | BIT(9) | BIT(11) | BIT(15));
	cr_assert_eq(v[1], BIT(4) | BIT(5));
	cr_assert_eq(v[2], 0);
	cr_assert_eq(v[3], BIT(8) | BIT(10) | BIT(19));
	rig_fini(&r);
}

Test(hvcpuid, bits_we_must_never_set_are_clear)
{
	struct rig r;
	uint32_t v[4];

	rig_init(&r);
	guest_cpuid(&r, 0, HV_CPUID_FEATURES, v);
	cr_assert_not(v[1] & BIT(1), "AccessPartitionId: Linux 6.1 oopses");
	cr_assert_not(v[1] & BIT(12), "CpuManagement: root partition");
	cr_assert_not(v[1] & BIT(20), "extended hypercalls");
	cr_assert_not(v[1] & BIT(22), "isolation");
	cr_assert_not(v[0] & BIT(7), "RESET MSR is not implemented");
	cr_assert_not(v[0] & BIT(10), "GUEST_IDLE is not implemented");
	cr_assert_not(v[0] & BIT(13), "reenlightenment");
	guest_cpuid(&r, 0, HV_CPUID_HINTS, v);
	cr_assert_not(v[0] & BIT(2), "remote TLB flush hypercalls");
	cr_assert_not(v[0] & BIT(3), "APIC MSR hint");
	cr_assert_not(v[0] & BIT(9), "AutoEOI is implemented");
	cr_assert_not(v[0] & BIT(10), "cluster IPI hypercalls");
	cr_assert_not(v[0] & BIT(14), "enlightened VMCS");
	rig_fini(&r);
}

Test(hvcpuid, hints_limits_and_hardware_features)
{
	struct rig r;
	uint32_t v[4];

	rig_init(&r);
	guest_cpuid(&r, 0, HV_CPUID_HINTS, v);
	cr_assert_eq(v[0], BIT(5), "relaxed timing only");
	cr_assert_eq(v[1], 0xFFFFFFFF);
	cr_assert_eq(v[2], 40);
	cr_assert_eq(v[3], 0);
	guest_cpuid(&r, 0, HV_CPUID_LIMITS, v);
	cr_assert_eq(v[0], HV_MAX_VPS);
	cr_assert_eq(v[1], 3, "logical processors = pCPUs");
	cr_assert(v[2] == 0 && v[3] == 0);
	guest_cpuid(&r, 0, HV_CPUID_HWFEAT, v);
	cr_assert_eq(v[0], BIT(1) | BIT(3), "MSR bitmaps, SLAT");
	cr_assert(v[1] == 0 && v[2] == 0 && v[3] == 0);
	rig_fini(&r);
}

Test(hvcpuid, leaves_above_the_last_read_as_zeros)
{
	static const uint32_t leaves[] = {0x40000007, 0x4000000A, 0x4000000C,
					  0x40000081, 0x40000100, 0x4000FFFF,
					  0x4FFFFFFF};
	struct rig r;
	uint32_t v[4];

	rig_init(&r);
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		guest_cpuid(&r, 0, leaves[i], v);
		cr_assert(v[0] == 0 && v[1] == 0 && v[2] == 0 && v[3] == 0,
			  "leaf %#x", leaves[i]);
	}
	rig_fini(&r);
}

Test(hvcpuid, other_leaves_are_the_cores_answer)
{
	struct rig r;
	uint32_t v[4], want[4];

	rig_init(&r);
	guest_cpuid(&r, 0, 0, v);
	cr_assert_eq(v[1], 0x756E6547, "GenuineIntel");
	/* hv_cpuid leaves the core's answer to a non-hypervisor leaf. */
	want[0] = 1, want[1] = 2, want[2] = 3, want[3] = 4;
	memcpy(v, want, sizeof(v));
	hv_cpuid(&r.p->vp[0], 0x80000001, 0, v);
	cr_assert_arr_eq(v, want, sizeof(v));
	hv_cpuid(&r.p->vp[0], 0x50000000, 0, v);
	cr_assert_arr_eq(v, want, sizeof(v));
	rig_fini(&r);
}
