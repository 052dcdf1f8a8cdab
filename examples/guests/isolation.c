/*
 * examples/guests/isolation.c — a child partition cannot reach memory
 * outside its own RAM (docs/ARCHITECTURE.md "Partitions": each partition
 * has its own guest-physical space, RAM at 0..size, every other GPA open
 * bus), neither by loads and stores nor through guest-supplied GPAs in
 * hypercalls and synthetic MSRs (../shared/reference/vmbus.md §1.3, §2.6).
 *
 * Checks: loads from just past the end of RAM, from where a second
 * partition of the same size would sit if memory were flat, from 4 GiB
 * and from far above read all ones (1, 2, 4 and 8 bytes), and stores
 * there change nothing (still all ones) while the child's own memory (a
 * buffer in its image and its last RAM page) stays intact; HvPostMessage
 * with an input GPA outside RAM and HvGetPartitionId with an output GPA
 * outside RAM are refused with an error status and write nothing;
 * HYPERCALL, SIMP and SIEFP with a page outside RAM #GP and keep their
 * value.
 */
#include "hyperv.h"
#include "rt.h"

#define PATTERN	     0x5AA5C33C0FF01234ul
#define OWN_WORDS    2048
#define MAP_VA	     (TEST_VA_BASE + 0x100000)

static uint64_t own[OWN_WORDS]; /* a buffer in the child's own RAM */

struct probe {
	const char *name;
	uint64_t gpa;
};

static void fill(volatile uint64_t *p, unsigned n, uint64_t seed)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = seed ^ (i * 0x9E3779B97F4A7C15ul);
}

static int intact(volatile uint64_t *p, unsigned n, uint64_t seed)
{
	for (unsigned i = 0; i < n; i++)
		if (p[i] != (seed ^ (i * 0x9E3779B97F4A7C15ul)))
			return 0;
	return 1;
}

/* Maps the page of `gpa` at MAP_VA (no-execute) and returns the VA. */
static volatile uint8_t *map_gpa(uint64_t gpa)
{
	paging_map(MAP_VA, gpa & ~(PAGE_SIZE - 1), PTE_P | PTE_W | PTE_NX);
	return (volatile uint8_t *)(MAP_VA + (gpa & (PAGE_SIZE - 1)));
}

static void probe_gpa(const struct probe *pr)
{
	volatile uint8_t *p = map_gpa(pr->gpa);
	int ones;

	ones = *(volatile uint64_t *)p == ~0ul &&
	       *(volatile uint32_t *)(p + 8) == 0xFFFFFFFFu &&
	       *(volatile uint16_t *)(p + 12) == 0xFFFF && p[14] == 0xFF;
	printf("%s (GPA %#lx): reads %#lx\n", pr->name, pr->gpa,
	       *(volatile uint64_t *)p);
	report(ones, "%s: 8/4/2/1-byte reads give all ones", pr->name);
	*(volatile uint64_t *)p = PATTERN;
	*(volatile uint32_t *)(p + 8) = 0x12345678u;
	p[14] = 0;
	report(*(volatile uint64_t *)p == ~0ul &&
	       *(volatile uint32_t *)(p + 8) == 0xFFFFFFFFu && p[14] == 0xFF,
	       "%s: writes change nothing", pr->name);
	paging_unmap(MAP_VA);
}

static void test_memory(uint64_t ram, volatile uint64_t *last_page)
{
	struct probe probes[] = {
		{ "just past the end of RAM", ram },
		{ "past the end of RAM + 0x800", ram + 0x800 },
		{ "a second partition's range (flat layout)", ram + ram / 2 },
		{ "4 GiB", 0x100000000ul },
		{ "256 GiB", 0x4000000000ul },
	};
	unsigned n = sizeof(probes) / sizeof(probes[0]);

	if (paging_maxphyaddr() <= 38) {
		report_skip("256 GiB: MAXPHYADDR is %d", paging_maxphyaddr());
		n--;
	}
	fill(own, OWN_WORDS, PATTERN);
	fill(last_page, PAGE_SIZE / 8, ~PATTERN);
	for (unsigned i = 0; i < n; i++)
		probe_gpa(&probes[i]);
	report(intact(own, OWN_WORDS, PATTERN),
	       "own memory (a buffer in the image) intact");
	report(intact(last_page, PAGE_SIZE / 8, ~PATTERN),
	       "own memory (the last RAM page) intact");
}

static void test_hypercalls(uint64_t ram, volatile uint64_t *last_page)
{
	unsigned st;
	uint64_t id_gpa = (uint64_t)last_page;

	st = HV_STATUS(hv_hypercall(HVCALL_POST_MESSAGE, ram, 0));
	printf("HvPostMessage, input at GPA %#lx: status %#x\n", ram, st);
	report(st != HV_STATUS_SUCCESS,
	       "HvPostMessage with its input just past RAM is refused");
	st = HV_STATUS(hv_hypercall(HVCALL_POST_MESSAGE, 0x4000000000ul, 0));
	report(st != HV_STATUS_SUCCESS,
	       "HvPostMessage with its input at 256 GiB is refused");

	last_page[0] = PATTERN;
	st = HV_STATUS(hv_hypercall(HVCALL_GET_PARTITION_ID, 0, id_gpa));
	printf("HvGetPartitionId into own RAM: status %#x, id %#lx\n", st,
	       last_page[0]);
	report(st == HV_STATUS_SUCCESS && last_page[0] != PATTERN,
	       "HvGetPartitionId writes its output into own RAM");
	fill(last_page, PAGE_SIZE / 8, ~PATTERN);
	st = HV_STATUS(hv_hypercall(HVCALL_GET_PARTITION_ID, 0, ram));
	report(st != HV_STATUS_SUCCESS,
	       "HvGetPartitionId with its output just past RAM is refused");
	st = HV_STATUS(hv_hypercall(HVCALL_GET_PARTITION_ID, 0,
				    0x4000000000ul));
	report(st != HV_STATUS_SUCCESS,
	       "HvGetPartitionId with its output at 256 GiB is refused");
	report(intact(last_page, PAGE_SIZE / 8, ~PATTERN),
	       "the refused calls wrote nothing into the last RAM page");
}

static void test_msr_page(const char *name, uint32_t msr, uint64_t gpa)
{
	uint64_t before = 0, after = 0;

	hv_rdmsr_safe(msr, &before);
	report(hv_wrmsr_safe(msr, gpa | HV_MSR_ENABLE) == 13,
	       "%s = page at %#lx (outside RAM) -> #GP", name, gpa);
	report(hv_rdmsr_safe(msr, &after) == 0 && after == before,
	       "%s keeps its value", name);
}

static void test_msrs(uint64_t ram)
{
	struct hv_synic s;

	test_msr_page("HYPERCALL", HV_MSR_HYPERCALL, ram);
	report(HV_STATUS(hv_hypercall(0x7FFF, 0, 0)) ==
	       HV_STATUS_INVALID_HYPERCALL_CODE,
	       "the hypercall page still works");
	if (!report(hv_synic_enable(&s) == 0, "SynIC enabled"))
		return;
	test_msr_page("SIMP", HV_MSR_SIMP, ram);
	test_msr_page("SIEFP", HV_MSR_SIEFP, 0x4000000000ul);
	hv_synic_disable(&s);
}

int kmain(struct hvsim_boot_info *bi)
{
	struct hv_info info;
	uint64_t ram = bi->mem_bytes;
	volatile uint64_t *last_page;

	rt_init();
	printf("isolation: memory and guest-supplied GPAs outside the "
	       "partition's RAM\n");
	printf("RAM: %lu MiB\n", ram >> 20);
	if (!report(ram >= (16ul << 20) && ram <= (2ul << 30) &&
		    !(ram & (PAGE_SIZE - 1)),
		    "RAM size from the boot info is page-aligned, 16M..2G"))
		report_summary();
	last_page = (volatile uint64_t *)(ram - PAGE_SIZE);
	test_memory(ram, last_page);
	if (!report(hv_detect(&info) && hv_hypercall_enable() == 0,
		    "Hyper-V detected, hypercall page enabled"))
		report_summary();
	test_hypercalls(ram, last_page);
	test_msrs(ram);
	report_summary();
}
