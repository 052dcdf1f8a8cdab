/*
 * examples/runtime/hyperv.c — the guest side of the Hyper-V interface
 * (hyperv.h says what; ../shared/reference/vmbus.md §1-§3, §7.3 are the
 * facts it follows).
 *
 * The hypercall page and the HvPostMessage input page are file-scope: the
 * hypervisor knows them by GPA for the whole run, and every caller in the
 * guest shares them, as a kernel shares its per-CPU hypercall pages.
 */
#include "hyperv.h"

#include "catch.h"
#include "io.h"
#include "paging.h"
#include "string.h"

/* Overlaid by the hypervisor with VMCALL; RET. In .bss, inside the
 * identity map, which maps the first 4 GiB executable at CPL 0. */
static uint8_t hcall_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint64_t hcall_enabled; /* GPA of the page once enabled, else 0 */
/* HvPostMessage input: 8-byte aligned and within a page (vmbus.md §2.6). */
static struct hv_post_message_input post_page
	__attribute__((aligned(PAGE_SIZE)));

#define XAPIC_SVR     0xFEE000F0ul
#define APIC_SVR_ENABLE 0x100u

int hv_detect(struct hv_info *info)
{
	struct cpuid_regs r;

	memset(info, 0, sizeof(*info));
	if (!(cpuid(1, 0).ecx & (1u << 31)))
		return 0;
	r = cpuid(HV_CPUID_VENDOR, 0);
	if (r.ebx != HV_SIG_EBX || r.ecx != HV_SIG_ECX || r.edx != HV_SIG_EDX)
		return 0;
	info->max_leaf = r.eax;
	if (r.eax < HV_CPUID_LIMITS)
		return 0;
	info->present = 1;
	info->interface = cpuid(HV_CPUID_INTERFACE, 0).eax;
	r = cpuid(HV_CPUID_FEATURES, 0);
	info->features_eax = r.eax;
	info->features_ebx = r.ebx;
	info->features_edx = r.edx;
	info->hints_eax = cpuid(HV_CPUID_HINTS, 0).eax;
	return 1;
}

int hv_rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	catch_reset();
	asm volatile(TRY_BEGIN "rdmsr" TRY_END
		     : "+a"(lo), "+d"(hi)
		     : "c"(msr)
		     : TRY_CLOBBERS);
	*val = (uint64_t)hi << 32 | lo;
	return trap_catch.count ? (int)trap_catch.vector : 0;
}

int hv_wrmsr_safe(uint32_t msr, uint64_t val)
{
	catch_reset();
	asm volatile(TRY_BEGIN "wrmsr" TRY_END
		     :
		     : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : TRY_CLOBBERS);
	return trap_catch.count ? (int)trap_catch.vector : 0;
}

int hv_hypercall_enable(void)
{
	uint64_t gpa = (uint64_t)hcall_page, v = 0;

	if (hv_wrmsr_safe(HV_MSR_GUEST_OS_ID, HV_GUEST_OS_ID_HVSIM) ||
	    hv_wrmsr_safe(HV_MSR_HYPERCALL, gpa | HV_MSR_ENABLE) ||
	    hv_rdmsr_safe(HV_MSR_HYPERCALL, &v))
		return -1;
	if (!(v & HV_MSR_ENABLE) || (v & ~0xFFFull) != gpa)
		return -1;
	hcall_enabled = gpa;
	return 0;
}

uint64_t hv_hypercall_page(void)
{
	return hcall_enabled;
}

/* The x64 hypercall ABI (vmbus.md §2.1): control in RCX, input in RDX,
 * output in R8, result in RAX. The page's code may use the registers the
 * C ABI lets a callee clobber, so all of them are outputs or clobbers.
 * No red zone (-mno-red-zone), so the CALL's push is safe here. */
uint64_t hv_hypercall(uint64_t control, uint64_t in_gpa, uint64_t out_gpa)
{
	register uint64_t r8 asm("r8") = out_gpa;
	uint64_t rax;

	if (!hcall_enabled)
		return ~0ull;
	asm volatile("call *%[page]"
		     : "=a"(rax), "+c"(control), "+d"(in_gpa), "+r"(r8)
		     : [page] "m"(hcall_enabled)
		     : "rsi", "rdi", "r9", "r10", "r11", "memory", "cc");
	return rax;
}

uint64_t hv_fast_hypercall8(uint16_t code, uint64_t arg)
{
	return hv_hypercall(HV_HC_FAST | code, arg, 0);
}

struct hv_post_message_input *hv_post_message_page(void)
{
	return &post_page;
}

unsigned hv_post_message(uint32_t conn_id, uint32_t type, const void *payload,
			 uint32_t size)
{
	uint32_t n = size < HV_MESSAGE_PAYLOAD_MAX ? size
						   : HV_MESSAGE_PAYLOAD_MAX;

	memset(&post_page, 0, sizeof(post_page));
	post_page.connection_id = conn_id;
	post_page.message_type = type;
	post_page.payload_size = size;
	if (payload)
		memcpy(post_page.payload, payload, n);
	return HV_STATUS(hv_hypercall(HVCALL_POST_MESSAGE,
				      (uint64_t)&post_page, 0));
}

unsigned hv_signal_event(uint32_t conn_id, uint16_t flag)
{
	return HV_STATUS(hv_fast_hypercall8(HVCALL_SIGNAL_EVENT,
					    conn_id | (uint64_t)flag << 32));
}

int hv_synic_enable(struct hv_synic *s)
{
	uint64_t simp = (uint64_t)page_alloc(), siefp = (uint64_t)page_alloc();
	uint64_t v1 = 0, v2 = 0, v3 = 0;

	s->simp = (volatile struct hv_message *)simp;
	s->siefp = (volatile uint8_t *)siefp;
	if (hv_wrmsr_safe(HV_MSR_SIMP, simp | HV_MSR_ENABLE) ||
	    hv_wrmsr_safe(HV_MSR_SIEFP, siefp | HV_MSR_ENABLE) ||
	    hv_wrmsr_safe(HV_MSR_SCONTROL, HV_MSR_ENABLE) ||
	    hv_rdmsr_safe(HV_MSR_SIMP, &v1) ||
	    hv_rdmsr_safe(HV_MSR_SIEFP, &v2) ||
	    hv_rdmsr_safe(HV_MSR_SCONTROL, &v3))
		return -1;
	if (v1 != (simp | HV_MSR_ENABLE) || v2 != (siefp | HV_MSR_ENABLE) ||
	    !(v3 & HV_MSR_ENABLE))
		return -1;
	return 0;
}

void hv_synic_disable(struct hv_synic *s)
{
	(void)s;
	wrmsr(HV_MSR_SCONTROL, 0);
	wrmsr(HV_MSR_SIEFP, 0);
	wrmsr(HV_MSR_SIMP, 0);
}

void hv_sint_set(unsigned sint, uint8_t vector, uint64_t flags)
{
	wrmsr(HV_MSR_SINT0 + sint, vector | flags);
}

uint64_t hv_sint_get(unsigned sint)
{
	return rdmsr(HV_MSR_SINT0 + sint);
}

volatile struct hv_message *hv_msg_slot(struct hv_synic *s, unsigned sint)
{
	return &s->simp[sint & (HV_SYNIC_SINT_COUNT - 1)];
}

int hv_msg_done(volatile struct hv_message *m)
{
	m->message_type = HVMSG_NONE;
	/* The type must be free before the flag is looked at: a message the
	 * hypervisor queues after this sees a free slot, one it queued
	 * before has set the flag. */
	asm volatile("mfence" : : : "memory");
	if (m->flags & HV_MESSAGE_FLAG_PENDING) {
		wrmsr(HV_MSR_EOM, 0);
		return 1;
	}
	return 0;
}

int hv_event_test_clear(struct hv_synic *s, unsigned sint, unsigned flag)
{
	volatile uint8_t *base = s->siefp + (sint & 15) * 256;
	uint8_t old;

	flag &= HV_EVENT_FLAGS_PER_SINT - 1;
	asm volatile("lock btrl %2, %1; setc %0"
		     : "=q"(old), "+m"(*(volatile uint32_t *)(base +
							       flag / 32 * 4))
		     : "Ir"(flag % 32)
		     : "memory", "cc");
	return old;
}

void hv_apic_eoi(void)
{
	wrmsr(HV_MSR_EOI, 0);
}

void hv_apic_enable(void)
{
	volatile uint32_t *svr = (volatile uint32_t *)XAPIC_SVR;

	*svr = APIC_SVR_ENABLE | 0xFF;
}

uint64_t hv_ref_time(void)
{
	return rdmsr(HV_MSR_TIME_REF_COUNT);
}

void hv_stimer_set_config(unsigned n, uint64_t config)
{
	wrmsr(HV_MSR_STIMER0_CONFIG + 2 * n, config);
}

uint64_t hv_stimer_config(unsigned n)
{
	return rdmsr(HV_MSR_STIMER0_CONFIG + 2 * n);
}

void hv_stimer_set_count(unsigned n, uint64_t count)
{
	wrmsr(HV_MSR_STIMER0_COUNT + 2 * n, count);
}

uint64_t hv_stimer_count(unsigned n)
{
	return rdmsr(HV_MSR_STIMER0_COUNT + 2 * n);
}

int hv_wait_change(volatile unsigned *counter, unsigned old, uint64_t cycles)
{
	uint64_t start = rdtsc();

	while (*counter == old) {
		if (rdtsc() - start > cycles)
			return 0;
		/* STI's shadow covers the NOP: the window is after it. The
		 * JMP ends hvsim's decoded block there too: the core checks
		 * for interrupts between blocks and lets the whole block
		 * after STI run in the shadow. */
		asm volatile("sti; nop; jmp 1f; 1: cli" : : : "memory");
	}
	return 1;
}

void hv_testdev(enum hv_testdev_cmd cmd, unsigned vp, unsigned sint,
		unsigned conn_id)
{
	outl(HV_TESTDEV_IO_PORT, (conn_id & 0xFF) << 24 | (cmd & 0xFF) << 16 |
					 (vp & 0xFF) << 8 | (sint & 0xFF));
}
